"""Delivery formats: a caption document written as TTML (IMSC 1.1 Text Profile), SCC (CEA-608), ASS or SSA,
and read back from them (and from EBU STL), through the libraries made for each format.

What each library does, measured (ttconv 1.2.3, pycaption 2.3.14, pysubs2 1.8.1):

* ttconv writes IMSC 1.1 from its document model (regions, ``tts:fontStyle``/``fontWeight``/
  ``textDecoration``, ``xml:id``, ``ttp:contentProfiles``) and reads TTML, SCC and EBU STL into that
  model; it has no ``ttm:agent`` in its model (the reader drops it) and no EBU-TT-D writer. Its SCC
  writer lacks what captions need: no italics or underline, always the bottom rows, a line over 32
  columns is cut in the middle of a word and loses a character there (``fifty chara|ters``: its reflow
  compares a character with ``ord(' ')``), no limit of 4 rows, characters outside CEA-608 become spaces,
  the whole file turns roll-up when captions repeat the start of the one before (``Yes.``, ``Yes. I
  agree``), and a caption whose line-21 load would overlap the previous one is skipped with a log
  warning only (a 2.07 s cue after a 1 s cue was lost).
* pycaption's SCC writer encodes a caption well: PACs for the rows (top via the layout origin), column
  indents and tab offsets for centring, italics and underline by PAC and mid-row codes, 32-column
  ``textwrap`` wrapping. But it has no row limit (5 rows written), writes the extended characters
  (``’ “ ” — ï ü ß``...) without the standard character that CEA-608 decoders erase before them (so
  ``naïve`` decodes as ``nïve`` and ``“there”`` as ``“ther”``), writes any other character as ``£``, and
  its timing is off: the load is back-shifted with 1/30 s code words so End Of Caption lands 2-3
  frames early, the previous caption is cleared 2 frames before the next appears, and a load longer
  than 72 words is split into lines one frame apart.
* pysubs2 keeps the Name (actor) field, ``{\\i1}`` ``{\\b1}`` ``{\\u1}`` and ``{\\anN}`` as written, times
  in centiseconds (rounded); it does not escape a comma in the Name field (the next reader splits the
  line there), nor braces or ``\\N`` in text, nor turn ``\\an`` into SSA's ``\\a`` numbering; its
  ``parse_tags`` gives the italic/bold/underline state of each text fragment.

So this module builds ttconv's model for TTML (and adds the ``ttm:agent`` metadata to the tree the
writer returns), uses pycaption to encode each SCC caption into CEA-608 code words and lays those words
out in time itself (each load placed so that its End Of Caption lands on the cue's frame, the Erase
Displayed Memory at the cue's end frame, inserted into the next load when they overlap, as ttconv's
writer does), and uses pysubs2 for ASS and SSA. What a format cannot carry follows the format's guides
(CEA-608: 32 columns, 4 rows, its character set; ASS: no braces in text) and every change is a ``C015``
finding naming the cues:

========  ===========  =================  ==============  ==============================================
format    times        styling            speakers        position
========  ===========  =================  ==============  ==============================================
ttml      ms (frames   i b u              ``ttm:agent``   top/middle/bottom regions, textAlign
          with fps)                       + ``ttm:name``
scc       29.97 DF     i u (no bold)      labels          rows 1.. / 9.. / ..15, centred or left/right
          frames                          (speaker_style)
ass       centisecond  i b u              Name field      ``{\\anN}``
ssa       centisecond  i b (no u)         Name field      ``{\\aN}`` (SSA numbering)
========  ===========  =================  ==============  ==============================================

Reading gives a :class:`Captions` whose cue text is WebVTT cue-text syntax like every other document:
styles as ``<i> <b> <u>``, speakers as ``<v Name>`` (TTML ``ttm:agent``, the ASS Name field, upper-case
``NAME:`` labels in SCC), the position as the nearest ``{\\anN}`` cue settings.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..markup import escape_vtt, speaker_label, unescape
from ..model import Finding, Severity
from ..rules import finding
from .kinds import DELIVERY_FORMATS, EXTENSIONS, READ_FORMATS
from .model import Caption, Captions
from .srt import ALIGNMENT_SETTINGS, FONT_CLASS, STRIKE_CLASS
from .webvtt import parse_region
from .write import placement

__all__ = [
    "DELIVERY_FORMATS",
    "EXTENSIONS",
    "READ_FORMATS",
    "delivery_format_for",
    "dumps_delivery",
    "loads_delivery",
]

IMSC_11_TEXT = "http://www.w3.org/ns/ttml/profile/imsc1.1/text"
SCC_FPS = Fraction(30000, 1001)

_TT_NS = "http://www.w3.org/ns/ttml"
_TTM_NS = "http://www.w3.org/ns/ttml#metadata"
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_TOKEN = re.compile(r"<([^>]*)>?")
_TIMESTAMP = re.compile(r"^[\d:.]+$")
_TAG_PARTS = re.compile(r"([^ \t\f]*)[ \t\f]*(.*)", re.DOTALL)


def delivery_format_for(path: str, fmt: str | None = None) -> str:
    """The delivery format named by ``fmt`` or by the file's extension (``.ttml .xml .dfxp .scc .ass .ssa
    .stl``)."""
    if fmt is not None:
        if fmt not in READ_FORMATS:
            raise ValueError(f"unknown delivery format {fmt!r}; choose from {', '.join(READ_FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValueError(f"cannot tell the delivery format from {path!r}; use {', '.join(EXTENSIONS)}")
    return EXTENSIONS[suffix]


# --- the cue text as styled runs -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Style:
    italic: bool = False
    bold: bool = False
    underline: bool = False
    voice: str | None = None


_PLAIN = _Style()
_Line = list[tuple[str, _Style]]  # text runs of one line, in order


def _runs(text: str, lost: set[str]) -> list[_Line]:
    """WebVTT cue text as lines of ``(text, style)`` runs; what has no run style goes into ``lost``."""
    lines: list[_Line] = [[]]
    stack: list[tuple[str, _Style]] = []  # (tag, style before it)
    style = _PLAIN

    def add(chunk: str) -> None:
        for k, part in enumerate(unescape(chunk).split("\n")):
            if k:
                lines.append([])
            if part:
                lines[-1].append((part, style))

    def close(entry: tuple[str, _Style]) -> None:
        nonlocal style
        if entry[0] == "rt":
            add(")")
        style = entry[1]

    pos = 0
    for m in _TOKEN.finditer(text):
        add(text[pos : m.start()])
        pos = m.end()
        inner = m[1]
        if inner.startswith("/"):
            name = inner[1:].strip()
            while stack:
                entry = stack.pop()
                close(entry)
                if entry[0] == name:
                    break
            continue
        if _TIMESTAMP.match(inner):
            lost.add("word timestamps")
            continue
        parts = _TAG_PARTS.match(inner)
        assert parts is not None  # the pattern matches any text
        tag, *classes = parts[1].split(".")
        stack.append((tag, style))
        if any(c.startswith(FONT_CLASS) for c in classes):
            lost.add("colours")
        if STRIKE_CLASS in classes:
            lost.add("strike-through")
        if any(c != STRIKE_CLASS and not c.startswith(FONT_CLASS) for c in classes):
            lost.add("classes")
        if tag == "i":
            style = replace(style, italic=True)
        elif tag == "b":
            style = replace(style, bold=True)
        elif tag == "u":
            style = replace(style, underline=True)
        elif tag == "v":
            style = replace(style, voice=unescape(parts[2]).strip() or None)
        elif tag == "lang":
            lost.add("language spans")
        elif tag == "ruby":
            lost.add("ruby annotations (written in brackets)")
        elif tag == "rt":
            add("(")
    add(text[pos:])
    while stack:
        close(stack.pop())
    return lines


def _voices(lines: list[_Line]) -> list[str]:
    seen: dict[str, None] = {}
    for line in lines:
        for _, st in line:
            if st.voice:
                seen.setdefault(st.voice, None)
    return list(seen)


class _Report:
    """The C015 findings of one conversion: ``what -> cues`` with a severity, in order of first use."""

    def __init__(self, doc: Captions, fmt: str) -> None:
        self.doc = doc
        self.fmt = fmt.upper()
        self.cues: dict[tuple[str, Severity | None], list[int]] = defaultdict(list)
        self.data: dict[str, dict[str, Any]] = defaultdict(dict)

    def add(self, what: str, cue: int, severity: Severity | None = None, **data: Any) -> None:
        cues = self.cues[(what, severity)]
        if cue not in cues:
            cues.append(cue)
        self.data[what].update(data)

    def lost(self, kinds: Iterable[str], cue: int) -> None:
        for kind in sorted(kinds):
            self.add(f"{kind}: {self.fmt} has no place for them; left out", cue)

    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        path = self.doc.path
        for (what, severity), cues in self.cues.items():
            shown = ", ".join(str(c) for c in cues[:8]) + (
                f" and {len(cues) - 8} more" if len(cues) > 8 else ""
            )
            first = self.doc.cues[cues[0] - 1]
            out.append(
                finding(
                    "C015",
                    f"{what} (cue{'s' if len(cues) > 1 else ''} {shown})",
                    path=path,
                    line=first.line,
                    cue=cues[0],
                    severity=severity,
                    cues=cues,
                    **self.data[what],
                )
            )
        kinds = sorted(
            {b.kind for b in self.doc.blocks if not (self.doc.format == "srt" and b.kind == "STYLE")}
        )
        if kinds:
            blocks = [b for b in self.doc.blocks if b.kind in kinds]
            out.append(
                finding(
                    "C015",
                    f"{', '.join(kinds)} block{'s' if len(blocks) > 1 else ''}: "
                    f"{self.fmt} has no place for them; left out",
                    path=path,
                    line=blocks[0].line,
                    blocks=[b.text for b in blocks],
                )
            )
        return out


def _regions(doc: Captions) -> tuple[str, ...]:
    return tuple(parse_region(b.text.partition("\n")[2]).id for b in doc.blocks if b.kind == "REGION")


def _each_cue(
    doc: Captions, report: _Report, where: str, *, drop_backwards: bool = True
) -> Iterator[tuple[int, Caption, list[_Line], int]]:
    """Each cue (numbered from 1) with its styled lines and the ``{\\anN}`` number nearest its position,
    having reported what every writer checks: styling the format lacks, identifiers, an approximate
    position (``where`` names the format's notion of it) and, with ``drop_backwards``, a cue that ends
    before it starts (left out)."""
    regions = _regions(doc)
    for k, cue in enumerate(doc.cues, start=1):
        if drop_backwards and cue.end_ms < cue.start_ms:
            report.add("cues that end before they start (never shown): left out", k)
            continue
        lost: set[str] = set()
        lines = _runs(cue.text, lost)
        report.lost(lost, k)
        if cue.identifier and cue.identifier != str(k):
            report.add(f"cue identifiers: {report.fmt} has no place for them; left out", k)
        an, exact = placement(cue, regions)
        if not exact:
            report.add(f"cue positions and sizes written as the nearest {where}", k, Severity.INFO)
        yield k, cue, lines, an


# --- writing ---------------------------------------------------------------------------------------------


def dumps_delivery(
    doc: Captions, fmt: str, *, fps: float | None = None, speaker_style: str = "upper"
) -> tuple[str, list[Finding]]:
    """``(text, findings)``: the document written as ``fmt`` (one of :data:`DELIVERY_FORMATS`); the
    findings (``C015``) name the cues whose content the format could not carry as it was.

    ``fps`` counts frames: SCC is 29.97 drop-frame (the only rate CEA-608 has; ``None`` or 29.97); TTML
    with ``fps`` writes ``ttp:frameRate`` and times in frames. ``speaker_style`` is how SCC (which has no
    speaker field) and a second speaker in one ASS/SSA event show a voice: ``upper``, ``name``,
    ``bracket`` or ``none``. ASS and SSA count centiseconds and take no ``fps``.
    """
    speaker_label("x", speaker_style)  # validates the style
    with _quiet_ttconv():
        if fmt == "ttml":
            return _dumps_ttml(doc, fps)
        if fmt == "scc":
            return _dumps_scc(doc, fps, speaker_style)
    if fmt in ("ass", "ssa"):
        return _dumps_ass(doc, fmt, speaker_style)
    raise ValueError(f"unknown delivery format {fmt!r}; choose from {', '.join(DELIVERY_FORMATS)}")


def _fraction(fps: float) -> Fraction:
    """29.97 -> 30000/1001, 23.976 -> 24000/1001, 25 -> 25."""
    rate = Fraction(fps).limit_denominator(1001)
    if rate <= 0:
        raise ValueError("fps must be positive")
    return rate


# --- TTML (IMSC 1.1 Text Profile) -------------------------------------------------------------------------


def _dumps_ttml(doc: Captions, fps: float | None) -> tuple[str, list[Finding]]:
    import xml.etree.ElementTree as et

    from ttconv import model  # type: ignore[import-untyped]
    from ttconv.imsc import config as imsc_config  # type: ignore[import-untyped]
    from ttconv.imsc import writer as imsc_writer
    from ttconv.style_properties import (  # type: ignore[import-untyped]
        CoordinateType,
        DisplayAlignType,
        ExtentType,
        FontStyleType,
        FontWeightType,
        LengthType,
        StyleProperties,
        TextAlignType,
        TextDecorationType,
    )

    report = _Report(doc, "ttml")
    rate = _fraction(fps) if fps is not None else None
    tdoc = model.ContentDocument()
    tdoc.set_content_profiles({IMSC_11_TEXT})
    body = model.Body(tdoc)
    tdoc.set_body(body)
    div = model.Div(tdoc)
    body.push_child(div)
    made: dict[int, Any] = {}

    def region(row: int) -> Any:  # 0 bottom, 1 middle, 2 top: the safe area (80 %), text at its edge
        if row not in made:
            name = ("bottom", "middle", "top")[row]
            r = model.Region(name, tdoc)
            pct = LengthType.Units.pct
            r.set_style(StyleProperties.Origin, CoordinateType(LengthType(10, pct), LengthType(10, pct)))
            r.set_style(StyleProperties.Extent, ExtentType(LengthType(80, pct), LengthType(80, pct)))
            r.set_style(
                StyleProperties.DisplayAlign,
                (DisplayAlignType.after, DisplayAlignType.center, DisplayAlignType.before)[row],
            )
            tdoc.put_region(r)
            made[row] = r
        return made[row]

    def at(ms: int) -> Fraction:
        if rate is None:
            return Fraction(ms, 1000)
        return Fraction(round(ms * rate / 1000)) / rate

    agents: dict[str, str] = {}  # voice -> agent id
    agent_of: dict[str, str] = {}  # element xml:id -> agent id
    for k, cue, lines, an in _each_cue(doc, report, "region"):
        row, col = divmod(an - 1, 3)
        p = model.P(tdoc)
        p.set_id(f"c{k}")
        p.set_begin(at(cue.start_ms))
        p.set_end(at(cue.end_ms))
        p.set_region(region(row))
        p.set_style(
            StyleProperties.TextAlign, (TextAlignType.start, TextAlignType.center, TextAlignType.end)[col]
        )
        names = _voices(lines)
        whole = len(names) == 1 and all(st.voice for line in lines for _, st in line)
        for voice in names:
            agents.setdefault(voice, f"speaker{len(agents) + 1}")
        if whole:
            agent_of[f"c{k}"] = agents[names[0]]
        n = 0
        for li, line in enumerate(lines):
            if li:
                p.push_child(model.Br(tdoc))
            for text, st in line:
                span = model.Span(tdoc)
                if st.italic:
                    span.set_style(StyleProperties.FontStyle, FontStyleType.italic)
                if st.bold:
                    span.set_style(StyleProperties.FontWeight, FontWeightType.bold)
                if st.underline:
                    span.set_style(StyleProperties.TextDecoration, TextDecorationType(underline=True))
                if st.voice and not whole:
                    n += 1
                    span.set_id(f"c{k}s{n}")
                    agent_of[f"c{k}s{n}"] = agents[st.voice]
                span.push_child(model.Text(tdoc, text))
                p.push_child(span)
        div.push_child(p)
    config = imsc_config.IMSCWriterConfiguration(
        fps=rate, profile_signaling=imsc_config.ContentProfilesSignaling.CONTENT_PROFILES
    )
    root = imsc_writer.from_model(tdoc, config).getroot()
    et.register_namespace("ttm", _TTM_NS)
    if agents:
        head = root.find(f"{{{_TT_NS}}}head")
        if head is None:
            head = et.Element(f"{{{_TT_NS}}}head")
            root.insert(0, head)
        for position, (voice, aid) in enumerate(agents.items()):
            agent = et.Element(f"{{{_TTM_NS}}}agent", {_XML_ID: aid, "type": "person"})
            et.SubElement(agent, f"{{{_TTM_NS}}}name", {"type": "full"}).text = voice
            head.insert(position, agent)  # Metadata.class elements come first in <head>
        for el in root.iter():
            ref = agent_of.get(el.get(_XML_ID) or "")
            if ref:
                el.set(f"{{{_TTM_NS}}}agent", ref)
    _indent(root)
    text = et.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n", report.findings()


def _indent(el: Any, depth: int = 0) -> None:
    """Line breaks between the block elements, none inside ``<p>`` (where white space is text)."""
    if el.tag == f"{{{_TT_NS}}}p" or len(el) == 0:
        return
    pad = "\n" + "  " * (depth + 1)
    if not (el.text or "").strip():
        el.text = pad
    for child in el:
        _indent(child, depth + 1)
        if not (child.tail or "").strip():
            child.tail = pad
    if not (el[-1].tail or "").strip():
        el[-1].tail = "\n" + "  " * depth


# --- SCC (CEA-608 pop-on) ----------------------------------------------------------------------------------

SCC_COLUMNS = 32
SCC_ROWS = 4
_SCC_LOAD_HEAD = ["94ae", "94ae", "9420", "9420"]  # ENM ENM RCL RCL, as pycaption writes them
_SCC_EOC = ["942f", "942f"]
_SCC_EDM = ["942c", "942c"]
_TYPOGRAPHIC = {
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "–": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "−": "-",
    "—": "--",
    "―": "--",
    "…": "...",
}
_LETTERS = {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
            "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "€": "EUR", "×": "x", "·": "."}  # fmt: skip
_FALLBACK = {"*": ".", "{": "(", "}": ")", "\\": "/", "^": "'", "_": "-", "~": "-", "|": "!", "¦": "!",
             "©": "c", "℠": "s", "•": ".", "«": '"', "»": '"', "¥": "Y", "¤": "o", "ß": "s",
             "┌": "+", "┐": "+", "└": "+", "┘": "+"}  # fmt: skip


def _cea608_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """pycaption's tables: the standard characters, the special ones (0x11 0x3X) and the extended ones
    (0x12/0x13 0x2X-0x3X), which a decoder draws over the character sent just before them."""
    from pycaption.scc.constants import (  # type: ignore[import-untyped]
        CHARACTER_TO_CODE,
        SPECIAL_OR_EXTENDED_CHAR_TO_CODE,
    )

    special = frozenset(c for c, code in SPECIAL_OR_EXTENDED_CHAR_TO_CODE.items() if code[:2] in ("91", "19"))
    extended = frozenset(
        c for c, code in SPECIAL_OR_EXTENDED_CHAR_TO_CODE.items() if code[:2] in ("92", "13")
    )
    return frozenset(CHARACTER_TO_CODE), special, extended


class _Cea608:
    def __init__(self) -> None:
        self.standard, self.special, self.extended = _cea608_sets()
        self.cache: dict[str, str] = {}

    def cell(self, ch: str) -> tuple[str, str]:
        """``(sent, shown)``: the characters to send for ``ch`` (an extended one after its standard
        stand-in) and what a viewer sees (``shown != ch``: a replacement to report)."""
        if ch in self.standard or ch in self.special:
            return ch, ch
        if ch in self.extended and ch not in _TYPOGRAPHIC:
            return self._fallback(ch) + ch, ch
        shown = self._nearest(ch)
        sent = "".join(self._fallback(c) + c if c in self.extended else c for c in shown)
        return sent, shown

    def _fallback(self, ch: str) -> str:
        if ch in _FALLBACK:
            return _FALLBACK[ch]
        base = unicodedata.normalize("NFKD", ch)[:1]
        return base if base in self.standard else " "

    def _nearest(self, ch: str) -> str:
        if ch in self.cache:
            return self.cache[ch]
        if ch in _TYPOGRAPHIC:
            out = _TYPOGRAPHIC[ch]
        elif ch in _LETTERS:
            out = _LETTERS[ch]
        elif unicodedata.category(ch) == "Cf":
            out = ""  # zero width: joiners, bidi marks, soft hyphen
        elif ch.isspace():
            out = " "
        else:
            decomposed = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            ok = decomposed and all(
                c in self.standard or c in self.special or c in self.extended for c in decomposed
            )
            out = decomposed if ok else "?"
        self.cache[ch] = out
        return out


@dataclass(frozen=True, slots=True)
class _Piece:
    """One pop-on caption: frames ``[start, end)``, rows of ``(text, italic, underline)`` segments."""

    cue: int
    start: int
    end: int
    rows: tuple[tuple[tuple[str, bool, bool], ...], ...]
    an: int


_Cell = tuple[str, tuple[bool, bool]]  # (characters sent for one shown character, (italic, underline))


def _snap_styles(cells: list[_Cell]) -> tuple[list[_Cell], bool]:
    """Style changes moved to the spaces between words, where CEA-608's mid-row code (which takes a
    column and shows as a space) replaces the space: a word takes the style of its first letter, a space
    the style of the word after it."""
    out = list(cells)
    changed = False
    k = 0
    while k < len(out):
        if out[k][0] == " ":
            k += 1
            continue
        end = k
        while end < len(out) and out[end][0] != " ":
            end += 1
        word = out[k:end]
        style = next((st for text, st in word if text[-1:].isalnum()), word[0][1])
        for j in range(k, end):
            if out[j][1] != style:
                changed = changed or out[j][0][-1:].isalnum()
                out[j] = (out[j][0], style)
        k = end
    for j in range(len(out) - 2, -1, -1):
        if out[j][0] == " ":
            out[j] = (" ", out[j + 1][1])
    return out, changed


def _wrap_cells(cells: list[_Cell], width: int) -> list[list[_Cell]]:
    """Greedy wrap at spaces into rows of at most ``width`` sent characters (a word longer than a row is
    cut; an extended character never parts from its stand-in)."""

    def size(row: list[_Cell]) -> int:
        return sum(len(text) for text, _ in row)

    rows: list[list[_Cell]] = []
    rest = cells
    while size(rest) > width:
        used = 0
        fit = 0
        cut = None
        for j, (text, _) in enumerate(rest):
            if used + len(text) > width:
                if text == " ":
                    cut = j
                break
            if text == " ":
                cut = j
            used += len(text)
            fit = j + 1
        if cut is not None and cut > 0:
            rows.append(rest[:cut])
            rest = rest[cut + 1 :]
        else:
            rows.append(rest[: max(fit, 1)])
            rest = rest[max(fit, 1) :]
        while rest and rest[0][0] == " ":
            rest = rest[1:]
    if rest:
        rows.append(rest)
    return rows


def _segments(row: list[_Cell]) -> tuple[tuple[str, bool, bool], ...]:
    out: list[tuple[str, bool, bool]] = []
    for style, group in itertools.groupby(row, key=lambda c: c[1]):
        out.append(("".join(text for text, _ in group), style[0], style[1]))
    return tuple(out)


def _dumps_scc(doc: Captions, fps: float | None, speaker_style: str) -> tuple[str, list[Finding]]:
    from ttconv.time_code import SmpteTimeCode  # type: ignore[import-untyped]

    if fps is not None and abs(fps - 29.97) > 0.005:
        raise ValueError("SCC (CEA-608 line 21) is 29.97 frames a second: leave fps unset or give 29.97")
    report = _Report(doc, "scc")
    chars = _Cea608()
    replaced: dict[str, str] = {}
    replaced_in: list[int] = []
    current: str | None = None  # the speaker last labelled
    pieces: list[_Piece] = []

    def frame(ms: int) -> int:
        return round(ms * SCC_FPS / 1000)

    for k, cue, lines, an in _each_cue(doc, report, "row and column"):
        if any(st.bold for line in lines for _, st in line):
            report.add("bold: CEA-608 has no bold; written plain", k)
        if speaker_style == "none" and _voices(lines):
            report.add("voices: speaker_style none; left out", k)
        rows_in: list[list[_Cell]] = []
        changed_style = False
        for line in lines:
            source: list[tuple[str, tuple[bool, bool]]] = []  # shown characters, speaker labels added
            for text, st in line:
                style = (st.italic, st.underline)
                if st.voice and st.voice != current and speaker_style != "none":
                    lead = re.match(r"-\s*", text)
                    dash = lead[0] if lead else ""
                    label = speaker_label(st.voice, speaker_style).replace("\u2060", "")
                    source.extend((c, style) for c in dash)
                    source.extend((c, (False, False)) for c in label)
                    text = text[len(dash) :]
                if text.strip():
                    current = st.voice  # a voiceless caption between two of a speaker's repeats the label
                source.extend((c, style) for c in text)
            cells: list[_Cell] = []
            for ch, style in source:
                sent, shown = chars.cell(ch)
                if shown != ch:
                    replaced[ch] = shown
                    replaced_in.append(k)
                cells.extend((sent if len(shown) == 1 else chars.cell(c)[0], style) for c in shown)
            cells = [c for j, c in enumerate(cells) if not (c[0] == " " and j and cells[j - 1][0] == " ")]
            while cells and cells[0][0] == " ":
                cells.pop(0)
            while cells and cells[-1][0] == " ":
                cells.pop()
            if not cells:
                continue
            cells, moved = _snap_styles(cells)
            changed_style = changed_style or moved
            rows_in.append(cells)
        if changed_style:
            report.add(
                "italics/underline moved to word boundaries (a CEA-608 style change takes a column)",
                k,
                Severity.INFO,
            )
        if not rows_in:
            report.add("cues without visible text: SCC cannot hold an empty caption; left out", k)
            continue
        width = SCC_COLUMNS - (
            1 if an in (3, 6, 9) and any(c[1][0] for row in rows_in for c in row[:1]) else 0
        )
        rows = [r for cells in rows_in for r in _wrap_cells(cells, width)]
        if len(rows) > len(rows_in):
            report.add(f"lines longer than {width} columns re-wrapped", k)
        if len(rows) > SCC_ROWS:
            joined: list[_Cell] = []
            for cells in rows_in:
                joined.extend([(" ", cells[0][1]), *cells] if joined else cells)
            rows = _wrap_cells(joined, width)
            if len(rows) <= SCC_ROWS:
                report.add(f"more than {SCC_ROWS} rows: lines joined and re-wrapped", k)
        start, end = frame(cue.start_ms), frame(cue.end_ms)
        if end <= start:
            report.add("cues shorter than a frame: shown for one frame", k, Severity.INFO)
            end = start + 1
        if len(rows) > SCC_ROWS:
            count = math.ceil(len(rows) / SCC_ROWS)
            heights = [len(rows) // count + (1 if j < len(rows) % count else 0) for j in range(count)]
            chunks = [rows[sum(heights[:j]) : sum(heights[: j + 1])] for j in range(count)]
            report.add(f"more than {SCC_ROWS} rows: split into captions shown one after another", k)
            sizes = [sum(len(c) for row in chunk for c in row) for chunk in chunks]
            total = sum(sizes)
            bounds = [start + round((end - start) * sum(sizes[:j]) / total) for j in range(len(chunks) + 1)]
            for j, chunk in enumerate(chunks):
                a, b = bounds[j], max(bounds[j + 1], bounds[j] + 1)
                pieces.append(_Piece(k, a, b, tuple(_segments(r) for r in chunk), an))
        else:
            pieces.append(_Piece(k, start, end, tuple(_segments(r) for r in rows), an))
    if replaced:
        shown = ", ".join(f"{a}→{b or '(nothing)'}" for a, b in sorted(replaced.items()))
        for k in replaced_in:
            report.add(
                f"characters outside the CEA-608 set written as the nearest ({shown})",
                k,
                replacements=dict(sorted(replaced.items())),
            )
    lines_out = _scc_layout(pieces, report)
    body = "\n\n".join(
        f"{SmpteTimeCode.from_frames(at, SCC_FPS, True)}\t{' '.join(words)}" for at, words in lines_out
    )
    return "Scenarist_SCC V1.0\n\n" + body + ("\n" if body else ""), report.findings()


def _scc_code(piece: _Piece) -> list[str]:
    """pycaption's CEA-608 code words for one caption (PACs, tab offsets, mid-row codes, characters),
    without its load/display commands; the rows are within 32 columns already, so it wraps nothing."""
    from pycaption import Caption as PyCaption  # type: ignore[import-untyped]
    from pycaption import CaptionList, CaptionNode, CaptionSet, SCCWriter
    from pycaption.geometry import (  # type: ignore[import-untyped]
        Alignment,
        HorizontalAlignmentEnum,
        Layout,
        Point,
        Size,
        UnitEnum,
        VerticalAlignmentEnum,
    )

    nodes: list[Any] = []
    for r, row in enumerate(piece.rows):
        if r:
            nodes.append(CaptionNode.create_break())
        for text, italic, underline in row:
            style = {**({"italics": True} if italic else {}), **({"underline": True} if underline else {})}
            if style:
                nodes.append(CaptionNode.create_style(True, style))
            nodes.append(CaptionNode.create_text(text))
            if style:
                nodes.append(CaptionNode.create_style(False, style))
    row_no, col = divmod(piece.an - 1, 3)
    horizontal = (HorizontalAlignmentEnum.LEFT, HorizontalAlignmentEnum.CENTER, HorizontalAlignmentEnum.RIGHT)
    vertical = (VerticalAlignmentEnum.BOTTOM, VerticalAlignmentEnum.CENTER, VerticalAlignmentEnum.TOP)
    origin = None
    if row_no:  # pycaption puts a caption without an origin on the bottom rows (ending at row 15)
        origin = Point(Size(0, UnitEnum.PERCENT), Size(5 if row_no == 2 else 50, UnitEnum.PERCENT))
    layout = Layout(origin=origin, alignment=Alignment(horizontal[col], vertical[row_no]))
    caption = PyCaption(0, 1_000_000, nodes, layout_info=layout)
    text = SCCWriter(drop_frame=True).write(CaptionSet({"en": CaptionList([caption])}))
    words = [w for line in text.splitlines() if "\t" in line for w in line.split("\t", 1)[1].split()]
    tail = ["942c", "942c", "942f", "942f", *_SCC_EDM]
    if words[:4] != _SCC_LOAD_HEAD or words[-6:] != tail:
        raise RuntimeError(f"unexpected pycaption SCC output: {text!r}")
    return words[4:-6]


def _control(word: str) -> bool:
    return 0x10 <= (int(word[:2], 16) & 0x7F) <= 0x1F


def _boundaries(words: list[str]) -> list[int]:
    """Where a load can be interrupted: not inside a doubled control code (sent twice, obeyed once)."""
    out = [0]
    j = 0
    while j < len(words):
        j += 2 if j + 1 < len(words) and _control(words[j]) and words[j + 1] == words[j] else 1
        out.append(j)
    return out


def _scc_layout(pieces: list[_Piece], report: _Report) -> list[tuple[int, list[str]]]:
    """SCC lines ``(frame, code words)``: a word a frame. Each load goes into non-displayed memory while
    the caption before is shown and ends with End Of Caption on the cue's frame; Erase Displayed Memory
    clears at the cue's end frame, inserted into the next load when that load is under way."""
    out: list[tuple[int, list[str]]] = []
    free = 0  # the first frame not yet taken by a word
    shown: _Piece | None = None  # the caption on screen and when it must go
    shown_end = 0
    order = sorted(pieces, key=lambda p: p.start)
    for j, piece in enumerate(order):
        load = _SCC_LOAD_HEAD + _scc_code(piece) + _SCC_EOC
        n = len(load)
        target = piece.start
        nxt = order[j + 1].start if j + 1 < len(order) else None
        if nxt is not None and nxt < piece.end:
            report.add(
                "overlapping cues: SCC shows one caption at a time; cut when the next appears", piece.cue
            )
        clear = shown_end if shown is not None and shown_end < target else None
        if clear is not None and target - clear < 2:
            report.add("gaps shorter than 2 frames closed", shown.cue if shown else piece.cue, Severity.INFO)
            clear = None
        if clear is None:
            begin = max(free, target - (n - 2))
            out.append((begin, load))
            free = begin + n
        else:
            # the clear goes out on its frame; the load is sent around it: as much as fits before it
            # (from where the stream is free), the rest after it, End Of Caption on the cue's frame
            room = target - clear  # words that fit between the clear and End Of Caption
            bounds = _boundaries(load)
            cut = next(b for b in bounds if n - b <= room)
            begin = clear - cut
            if begin < free:
                cut = max((b for b in bounds if free + b <= clear), default=0)
                begin = free
            at_clear = max(clear, free)
            if cut:
                out.append((begin, load[:cut]))
            out.append((at_clear, list(_SCC_EDM)))
            second = load[cut:]
            begin = max(at_clear + 2, target - (len(second) - 2))
            out.append((begin, second))
            free = begin + len(second)
        shown_at = free - 2
        if shown_at > target:
            report.add(
                "shown late: too little time to send the caption before it (CEA-608 sends 2 characters "
                "a frame)",
                piece.cue,
                frames_late=shown_at - target,
            )
        shown = piece
        shown_end = max(min(piece.end, nxt) if nxt is not None else piece.end, shown_at + 1)
    if shown is not None:
        out.append((max(free, shown_end), list(_SCC_EDM)))
    return out


# --- ASS / SSA ---------------------------------------------------------------------------------------------

_ASS_ESCAPE = re.compile(r"\\(?=[nNh])")


def _dumps_ass(doc: Captions, fmt: str, speaker_style: str) -> tuple[str, list[Finding]]:
    import pysubs2

    report = _Report(doc, fmt)
    subs = pysubs2.SSAFile()
    subs.info["Title"] = Path(doc.path).stem if doc.path and not doc.path.startswith("<") else "captionkit"
    for k, cue, lines, an in _each_cue(doc, report, "alignment", drop_backwards=False):
        names = _voices(lines)
        name = names[0] if names else ""
        if "," in name:
            report.add(f"commas in speaker names written as ';' ({fmt.upper()}'s Name field ends at one)", k)
        if len(names) > 1:
            if speaker_style == "none":
                report.add("voices after the first: the Name field holds one; left out", k)
            else:
                report.add("voices after the first written as speaker labels (the Name field holds one)", k)
        out: list[str] = []
        if an != 2:
            number = an if fmt == "ass" else pysubs2.Alignment(an).to_ssa_alignment()
            out.append(f"{{\\{'an' if fmt == 'ass' else 'a'}{number}}}")
        state = _PLAIN
        speaker: str | None = name or None
        for li, line in enumerate(lines):
            if li:
                out.append("\\N")
            for text, st in line:
                tags = []
                for flag, tag in (("italic", "i"), ("bold", "b"), ("underline", "u")):
                    if getattr(st, flag) != getattr(state, flag):
                        if tag == "u" and fmt == "ssa":
                            report.add("underline: SSA has no underline; written plain", k)
                            continue
                        tags.append(f"\\{tag}{int(getattr(st, flag))}")
                state = replace(st, underline=st.underline if fmt == "ass" else False)
                if tags:
                    out.append("{" + "".join(tags) + "}")
                if st.voice and st.voice != speaker:
                    speaker = st.voice
                    if speaker_style != "none":
                        dash = re.match(r"-\s*", text)
                        lead = dash[0] if dash else ""
                        text = lead + speaker_label(st.voice, speaker_style) + text[len(lead) :]
                if "{" in text or "}" in text:
                    report.add(f"braces written as parentheses ({fmt.upper()} reads braces as tags)", k)
                    text = text.replace("{", "(").replace("}", ")")
                out.append(_ASS_ESCAPE.sub("\\\\\u2060", text))
        closing = [f"\\{tag}0" for flag, tag in (("italic", "i"), ("bold", "b"), ("underline", "u"))
                   if getattr(state, flag)]  # fmt: skip
        if closing:
            out.append("{" + "".join(closing) + "}")
        # centiseconds: a start rounds up and an end down, so no gap between cues ever shrinks
        start = -(-cue.start_ms // 10) * 10
        end = max(start + 10, cue.end_ms // 10 * 10) if cue.end_ms > cue.start_ms else start
        event = pysubs2.SSAEvent(start=start, end=end, text="".join(out), name=name)
        event.name = name.replace(",", ";")
        subs.events.append(event)
    return subs.to_string(fmt), report.findings()


# --- reading ---------------------------------------------------------------------------------------------


def loads_delivery(
    data: str | bytes, fmt: str, *, path: str = "<input>", fps: float | None = None
) -> Captions:
    """Read a delivery file (``fmt`` one of :data:`READ_FORMATS`) into a :class:`Captions` document.

    EBU STL is binary: give it as bytes. ``fps`` rounds every cue time to that frame rate's frames.
    """
    if fmt not in READ_FORMATS:
        raise ValueError(f"unknown delivery format {fmt!r}; choose from {', '.join(READ_FORMATS)}")
    with _quiet_ttconv():
        if fmt == "stl":
            if isinstance(data, str):
                raise ValueError("EBU STL is a binary format: give its bytes")
            doc = _loads_stl(data, path)
        elif fmt == "ttml":
            doc = _loads_ttml(data, path)
        else:
            text = data if isinstance(data, str) else _decode(data, path)
            doc = _loads_scc(text, path) if fmt == "scc" else _loads_ass(text, fmt, path)
    if fps is not None:
        rate = _fraction(fps)

        def snap(ms: int) -> int:
            return round(round(ms * rate / 1000) * 1000 / rate)

        doc = doc.map(lambda c: replace(c, start_ms=snap(c.start_ms), end_ms=snap(c.end_ms)))
    return doc


@contextlib.contextmanager
def _quiet_ttconv() -> Iterator[None]:
    """ttconv logs a warning per caption for what it guesses (an SCC caption's alignment, a merged
    region); the findings say what matters, so its warnings stay out of the user's terminal meanwhile."""
    logger = logging.getLogger("ttconv")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _decode(data: bytes, path: str) -> str:
    from . import decode_caption_bytes

    return decode_caption_bytes(data, path=path)[0]


_Chars = list[tuple[str, _Style]]  # one shown line, a character at a time


def _cue_text(lines: list[_Chars]) -> str:
    """WebVTT cue text from styled characters: lines trimmed, empty lines dropped, spaces collapsed; a
    space or line break between two runs takes only what both share (``Hi <i>there</i>``)."""
    cleaned: list[_Chars] = []
    for line in lines:
        chars = [(" " if c in "\t\n\r" else c, st) for c, st in line]
        chars = [x for j, x in enumerate(chars) if not (x[0] == " " and j and chars[j - 1][0] == " ")]
        while chars and chars[0][0] == " ":
            chars.pop(0)
        while chars and chars[-1][0] == " ":
            chars.pop()
        if chars:
            cleaned.append(chars)
    flat: _Chars = []
    for line in cleaned:
        if flat:
            flat.append(("\n", _PLAIN))
        flat.extend(line)
    for j, (c, _) in enumerate(flat):
        if c in " \n":
            before = next(st for ch, st in reversed(flat[:j]) if ch not in " \n")
            after = next(st for ch, st in flat[j + 1 :] if ch not in " \n")
            flat[j] = (
                c,
                _Style(
                    before.italic and after.italic,
                    before.bold and after.bold,
                    before.underline and after.underline,
                    before.voice if before.voice == after.voice else None,
                ),
            )
    out: list[str] = []
    voice: str | None = None
    open_tags: list[str] = []
    for st, group in itertools.groupby(flat, key=lambda x: x[1]):
        text = escape_vtt("".join(c for c, _ in group))
        if st.voice != voice:
            out.extend(f"</{t}>" for t in reversed(open_tags))
            open_tags = []
            if voice is not None:
                out.append("</v>")
            if st.voice is not None:
                out.append(f"<v {escape_vtt(st.voice)}>")
            voice = st.voice
        want = [t for t, on in (("b", st.bold), ("i", st.italic), ("u", st.underline)) if on]
        keep = 0
        while keep < len(open_tags) and open_tags[keep] in want:
            keep += 1
        out.extend(f"</{t}>" for t in reversed(open_tags[keep:]))
        del open_tags[keep:]
        for t in want:
            if t not in open_tags:
                out.append(f"<{t}>")
                open_tags.append(t)
        out.append(text)
    out.extend(f"</{t}>" for t in reversed(open_tags))
    return "".join(out)


def _settings(an: int) -> tuple[tuple[str, str], ...]:
    return ALIGNMENT_SETTINGS.get(an, ())


# --- TTML, SCC and EBU STL through ttconv's model ----------------------------------------------------------


def _loads_ttml(data: str | bytes, path: str) -> Captions:
    import xml.etree.ElementTree as et

    from ttconv.imsc import reader as imsc_reader

    from ..errors import InputError

    try:
        root = et.fromstring(data)
    except et.ParseError as exc:
        raise InputError(f"not XML: {exc}", path=path) from None
    try:
        tdoc = imsc_reader.to_model(et.ElementTree(root))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RuntimeError) as exc:
        raise InputError(f"cannot read TTML: {exc}", path=path) from None
    if tdoc is None:
        raise InputError("not a TTML document", path=path)
    return _from_ttconv(tdoc, "ttml", path, _ttml_agents(root))


def _loads_scc(text: str, path: str) -> Captions:
    from ttconv.scc import reader as scc_reader  # type: ignore[import-untyped]

    from ..errors import InputError

    if not text.lstrip("\ufeff").startswith("Scenarist_SCC"):
        raise InputError("not an SCC file (no Scenarist_SCC header)", path=path)
    try:
        tdoc = scc_reader.to_model(text)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RuntimeError) as exc:
        raise InputError(f"cannot read SCC: {exc}", path=path) from None
    return _from_ttconv(tdoc, "scc", path, None)


def _loads_stl(data: bytes, path: str) -> Captions:
    import io
    import struct

    from ttconv.stl import reader as stl_reader  # type: ignore[import-untyped]
    from ttconv.stl.config import STLReaderConfiguration  # type: ignore[import-untyped]

    from ..errors import InputError

    if len(data) < 1024 + 128:
        raise InputError("too short for EBU STL (a 1024-byte GSI block and 128-byte TTI blocks)", path=path)
    for start in ("TCP", None):  # times from the programme start (TCP), else as written
        try:
            config = STLReaderConfiguration(program_start_tc=start)
            tdoc = stl_reader.to_model(io.BytesIO(data), config)
        except (
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            IndexError,
            RuntimeError,
            struct.error,
        ) as exc:
            raise InputError(f"cannot read EBU STL: {exc}", path=path) from None
        try:
            return _from_ttconv(tdoc, "stl", path, None)
        except ValueError:  # a subtitle before the programme start (TCP): take the times as written
            continue
    raise InputError("cannot read the EBU STL time codes", path=path)


def _ttml_agents(root: Any) -> list[list[tuple[str, str | None]]]:
    """Per ``<p>`` of the body, in document order: its text pieces and the ``ttm:agent`` name of each."""
    names: dict[str, str] = {}
    for agent in root.iter(f"{{{_TTM_NS}}}agent"):
        aid = agent.get(_XML_ID)
        if not aid:
            continue
        name = agent.find(f"{{{_TTM_NS}}}name")
        names[aid] = (name.text or "").strip() if name is not None and (name.text or "").strip() else aid
    per_p: list[list[tuple[str, str | None]]] = []

    def agent_of(el: Any, inherited: str | None) -> str | None:
        ref = (el.get(f"{{{_TTM_NS}}}agent") or "").split()
        return names.get(ref[0], ref[0]) if ref else inherited

    def pieces(el: Any, agent: str | None, out: list[tuple[str, str | None]]) -> None:
        if el.text:
            out.append((el.text, agent))
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag.startswith(f"{{{_TT_NS}}}") and not tag.endswith("}metadata"):
                pieces(child, agent_of(child, agent), out)
            if child.tail:
                out.append((child.tail, agent))

    def walk(el: Any, agent: str | None) -> None:
        for child in el:
            if child.tag == f"{{{_TT_NS}}}p":
                out: list[tuple[str, str | None]] = []
                pieces(child, agent_of(child, agent), out)
                per_p.append(out)
            elif child.tag in (f"{{{_TT_NS}}}div", f"{{{_TT_NS}}}body"):
                walk(child, agent_of(child, agent))

    body = root.find(f"{{{_TT_NS}}}body")
    if body is not None:
        walk(body, agent_of(body, None))
    return per_p


_Agents = list[list[tuple[str, str | None]]]  # per <p>: its text pieces and the agent of each


def _from_ttconv(tdoc: Any, fmt: str, path: str, agents: _Agents | None) -> Captions:
    from ttconv import model
    from ttconv.style_properties import (
        DisplayAlignType,
        FontStyleType,
        FontWeightType,
        StyleProperties,
        TextAlignType,
    )

    paragraphs: list[tuple[Fraction, Fraction | None, Any, list[_Chars]]] = []

    def style_of(el: Any, st: _Style) -> _Style:
        fs = el.get_style(StyleProperties.FontStyle)
        fw = el.get_style(StyleProperties.FontWeight)
        td = el.get_style(StyleProperties.TextDecoration)
        if fs is not None:
            st = replace(st, italic=fs in (FontStyleType.italic, FontStyleType.oblique))
        if fw is not None:
            st = replace(st, bold=fw == FontWeightType.bold)
        if td is not None and td.underline is not None:
            st = replace(st, underline=bool(td.underline))
        return st

    def collect(el: Any, st: _Style, lines: list[_Chars]) -> None:
        for child in el:
            if isinstance(child, model.Br):
                lines.append([])
            elif isinstance(child, model.Text):
                lines[-1].extend((c, st) for c in child.get_text())
            else:
                collect(child, style_of(child, st), lines)

    def walk(el: Any, begin: Fraction, end: Fraction | None, st: _Style, chain: list[Any]) -> None:
        b, e = el.get_begin(), el.get_end()
        start = begin + (b or 0)
        stop = begin + e if e is not None else None
        stop = min(x for x in (stop, end) if x is not None) if stop is not None or end is not None else None
        st = style_of(el, st)
        if isinstance(el, model.P):
            lines: list[_Chars] = [[]]
            collect(el, st, lines)
            paragraphs.append((start, stop, [el, *chain], lines))
            return
        for child in el:
            walk(child, start, stop, st, [el, *chain])

    body = tdoc.get_body()
    if body is not None:
        walk(body, Fraction(0), None, _PLAIN, [])
    if agents is not None and len(agents) == len(paragraphs):
        for (_, _, _, lines), pieces in zip(paragraphs, agents, strict=True):
            _apply_agents(lines, pieces)
    if fmt == "scc":
        _labels_to_voices([lines for _, _, _, lines in paragraphs])

    def placement(chain: list[Any]) -> int:
        region = next((x.get_region() for x in chain if x.get_region() is not None), None)
        align = next(
            (x.get_style(StyleProperties.TextAlign) for x in chain if x.has_style(StyleProperties.TextAlign)),
            region.get_style(StyleProperties.TextAlign) if region is not None else None,
        )
        col = 1 if align == TextAlignType.center else (2 if align == TextAlignType.end else 0)
        if fmt == "scc" and align in (None, TextAlignType.start):
            col = 1  # the reader cannot tell centred rows from left ones: WebVTT's default, centred
        row = 2  # no region: TTML's default region is the whole root area, text at its top
        if region is not None:
            origin = region.get_style(StyleProperties.Origin)
            extent = region.get_style(StyleProperties.Extent)
            display = region.get_style(StyleProperties.DisplayAlign)
            top = _percent(origin.y if origin is not None else None, tdoc, "y", 0.0)
            height = _percent(extent.height if extent is not None else None, tdoc, "y", 100.0 - top)
            anchor = {DisplayAlignType.after: top + height, DisplayAlignType.center: top + height / 2}.get(
                display, top
            )
            row = 2 if anchor < 40 else (1 if anchor <= 60 else 0)
        return row * 3 + col + 1

    cues: list[Caption] = []
    for j, (start, stop, chain, lines) in enumerate(paragraphs):
        text = _cue_text(lines)
        if not text:
            continue
        if stop is None:  # shown until the next caption (SCC without a final clear)
            stop = paragraphs[j + 1][0] if j + 1 < len(paragraphs) else start + 5
        cues.append(
            Caption(
                round(start * 1000),
                max(round(stop * 1000), round(start * 1000)),
                text,
                settings=_settings(placement(chain)),
            )
        )
    return Captions(tuple(cues), format=fmt, path=path)


def _percent(length: Any, tdoc: Any, axis: str, default: float) -> float:
    if length is None:
        return default
    units = getattr(length.units, "value", str(length.units))
    value = float(length.value)
    if units == "%":
        return value
    if units == "c":
        cells = tdoc.get_cell_resolution()
        return 100.0 * value / float(cells.rows if axis == "y" else cells.columns)
    if units == "px":
        px = tdoc.get_px_resolution()
        return 100.0 * value / float(px.height if axis == "y" else px.width)
    return default


def _apply_agents(lines: list[_Chars], pieces: list[tuple[str, str | None]]) -> None:
    """Give each shown character the ``ttm:agent`` of the XML text it came from (matched on the text
    without white space, which the reader may have collapsed)."""
    xml = [(c, agent) for text, agent in pieces for c in text if not c.isspace()]
    shown = [c for line in lines for c, _ in line if not c.isspace()]
    if [c for c, _ in xml] != shown:
        return
    k = 0
    for line in lines:
        for j, (c, st) in enumerate(line):
            if not c.isspace():
                line[j] = (c, replace(st, voice=xml[k][1]))
                k += 1


_LABEL = re.compile(r"(-\s*|>>\s*)?([^\W\d_][\w .'\-]{0,40}?): ")


def _is_label(name: str) -> bool:
    """A speaker label: upper case (``TUCKER``, ``DR. WHO``, ``JOSÉ``), at most four words."""
    return name == name.upper() and name != name.lower() and len(name.split()) <= 4


def _labels_to_voices(paragraphs: list[list[_Chars]]) -> None:
    """SCC has no speaker field: an upper-case ``NAME:`` label at the start of a line becomes the voice of
    what follows it, kept for the next lines and captions until the next label (labels are written at
    each change of speaker)."""
    current: str | None = None
    for lines in paragraphs:
        for j, line in enumerate(lines):
            text = "".join(c for c, _ in line)
            lead = len(text) - len(text.lstrip(" "))
            m = _LABEL.match(text, lead)
            if m and _is_label(m[2]):
                current = m[2]
                keep = line[: m.start(2)] if m[1] else []
                lines[j] = keep + line[m.end() :]
            lines[j] = [(c, replace(st, voice=current)) for c, st in lines[j]]


# --- ASS / SSA ---------------------------------------------------------------------------------------------

_POSITION = re.compile(r"\\(an|a)(\d+)")
_OVERRIDE = re.compile(r"\{[^}]*\}")


def _loads_ass(text: str, fmt: str, path: str) -> Captions:
    import pysubs2
    from pysubs2.formats.substation import parse_tags

    from ..errors import InputError

    try:
        subs = pysubs2.SSAFile.from_string(text, format_=fmt)
    except Exception as exc:  # pysubs2 raises its own errors and ValueError for a broken file
        raise InputError(f"cannot read {fmt.upper()}: {exc}", path=path) from None
    hard_soft = subs.info.get("WrapStyle", "0").strip() == "2"
    cues: list[Caption] = []
    for event in subs.events:
        if event.is_comment or event.type != "Dialogue":
            continue
        style = subs.styles.get(event.style, pysubs2.SSAStyle.DEFAULT_STYLE)
        an = int(style.alignment.value)
        for block in _OVERRIDE.findall(event.text):
            m = _POSITION.search(block)
            if m:
                number = int(m[2])
                an = number if m[1] == "an" else int(pysubs2.Alignment.from_ssa_alignment(number).value)
                break
        voice = event.name.strip() or None
        lines: list[_Chars] = [[]]
        for fragment, fst in parse_tags(event.text, style, subs.styles):
            if getattr(fst, "drawing", False):
                continue
            st = _Style(bool(fst.italic), bool(fst.bold), bool(fst.underline), voice)
            for k, part in enumerate(re.split(r"\\N", fragment)):
                if k:
                    lines.append([])
                part = part.replace("\\h", "\u00a0").replace("\\n", "\n" if hard_soft else " ")
                part = part.replace("\\\u2060", "\\")  # the word joiner written after a text backslash
                for piece_no, piece in enumerate(part.split("\n")):
                    if piece_no:
                        lines.append([])
                    lines[-1].extend((c, st) for c in piece)
        cue_text = _cue_text(lines)
        if cue_text:
            cues.append(Caption(event.start, max(event.end, event.start), cue_text, settings=_settings(an)))
    return Captions(tuple(cues), format=fmt, path=path)
