"""SRT into the caption document: cues as written, SRT markup translated to WebVTT cue-text syntax.

SRT has no specification; players agree on ``<i> <b> <u> <s>``, ``<font color=...>`` and the ASS-style
position codes ``{\\an1}`` .. ``{\\an9}`` (and, in libass, ``{\\i1}``-style overrides). Those become their
WebVTT equivalents: the tags themselves, a ``<c.font-color-...>`` class with a STYLE rule, cue settings.
Every other character is text, escaped as WebVTT text. The lenient block scanner
(:func:`toolkit.captions.scan.scan_captions`) finds the cues, so missing indexes, blank lines in text
and odd timestamps are read and reported as they always were.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..markup import escape_vtt
from ..model import Finding
from ..rules import finding
from ..timecode import is_strict_srt
from .document import Block, Caption, Captions
from .scan import CaptionBlock, leading_text, scan_captions
from .srt_styles import ALIGNMENT_SETTINGS, FONT_CLASS, STRIKE_CLASS

__all__ = ["parse_srt", "srt_markup_to_vtt"]

_SRT_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[ibus])\s*>"
    r"|<font(?P<font>\s[^<>]*)?>|</font\s*>"
    r"|\{\\(?P<ass>[^{}]*)\}",
    re.IGNORECASE,
)
_COLOR = re.compile(r"""color\s*=\s*["']?\s*#?(?P<value>[0-9a-fA-F]{6}|[0-9a-fA-F]{3}|[A-Za-z]+)["']?""")
_AN = re.compile(r"^an([1-9])$")
_ASS_STYLE = re.compile(r"^([ibus])([01])$")


def srt_markup_to_vtt(text: str, lost: list[str], classes: dict[str, str]) -> tuple[str, int | None]:
    """SRT cue text as WebVTT cue text, and the ``{\\anN}`` alignment found (last one wins).

    ``lost`` collects what has no WebVTT equivalent (font faces and sizes, other ASS overrides);
    ``classes`` the classes used, with their CSS.
    """
    if "<" not in text and ">" not in text and "&" not in text and "{" not in text:
        return text, None
    out: list[str] = []
    alignment: int | None = None
    fonts: list[bool] = []  # per open <font>: whether it opened a <c> span
    pos = 0
    for m in _SRT_TOKEN.finditer(text):
        out.append(escape_vtt(text[pos : m.start()]))
        pos = m.end()
        token = m.group(0)
        if m["tag"]:
            tag = m["tag"].lower()
            if tag == "s":
                classes[STRIKE_CLASS] = "text-decoration: line-through"
                out.append("</c>" if m["close"] else f"<c.{STRIKE_CLASS}>")
            else:
                out.append(f"<{m['close']}{tag}>")
        elif token.lower().startswith("<font"):
            attrs = m["font"] or ""
            color = _COLOR.search(attrs)
            rest = _COLOR.sub("", attrs).strip()
            if rest:
                lost.append(f"font attributes ({rest})")
            if color:
                value = color["value"].lower()
                css = f"#{value}" if re.fullmatch(r"[0-9a-f]{3}|[0-9a-f]{6}", value) else value
                name = FONT_CLASS + value
                classes[name] = f"color: {css}"
                out.append(f"<c.{name}>")
                fonts.append(True)
            else:
                fonts.append(False)
        elif token.lower().startswith("</font"):
            if fonts and fonts.pop():
                out.append("</c>")
        else:
            for part in (m["ass"] or "").split("\\"):
                part = part.strip()
                if not part:
                    continue
                an = _AN.match(part)
                style = _ASS_STYLE.match(part)
                if an:
                    alignment = int(an[1])
                elif style:
                    tag = style[1]
                    if tag == "s":
                        classes[STRIKE_CLASS] = "text-decoration: line-through"
                        out.append(f"<c.{STRIKE_CLASS}>" if style[2] == "1" else "</c>")
                    else:
                        out.append(f"<{tag}>" if style[2] == "1" else f"</{tag}>")
                else:
                    lost.append(f"ASS override {{\\{part}}}")
    out.append(escape_vtt(text[pos:]))
    return "".join(out), alignment


# hours: up to nine digits (more is no recording's time, and int() refuses 4,300 digits)
_HMS = r"(\d{2,9}):([0-5]\d):([0-5]\d),(\d{3})"
_STRICT_TIMING = re.compile(rf"{_HMS} --> {_HMS}")


def _well_formed(text: str, path: str, encoding: str) -> Captions | None:
    """The document of an SRT file written by the book (index, strict timing, text, one blank line), read
    quickly; ``None`` for anything else, which the lenient scanner reads and reports."""
    body = text.strip("\n")
    line = len(text) - len(text.lstrip("\n")) + 1
    cues: list[Caption] = []
    classes: dict[str, str] = {}
    lost: list[str] = []
    for chunk in body.split("\n\n"):
        lines = chunk.split("\n")
        if len(lines) < 3 or not (lines[0].isascii() and lines[0].isdigit()):
            return None
        m = _STRICT_TIMING.fullmatch(lines[1])
        if m is None:
            return None
        payload = [ln.rstrip() for ln in lines[2:]]
        if not all(payload) or any("-->" in ln for ln in payload):
            return None
        h1, m1, s1, f1, h2, m2, s2, f2 = map(int, m.groups())
        start = ((h1 * 60 + m1) * 60 + s1) * 1000 + f1
        end = ((h2 * 60 + m2) * 60 + s2) * 1000 + f2
        if end < start:
            return None
        cue_text, alignment = srt_markup_to_vtt("\n".join(payload), lost, classes)
        if lost or classes:
            return None
        settings = ALIGNMENT_SETTINGS[alignment] if alignment else ()
        cues.append(Caption(start, end, cue_text, "", settings, line + 1))
        line += len(lines) + 1
    return Captions(cues=tuple(cues), format="srt", path=path, encoding=encoding)


def parse_srt(text: str, *, path: str = "<input>", encoding: str = "utf-8") -> Captions:
    """Read SRT ``text`` into a :class:`Captions` document; what needed leniency is reported (``P006``)."""
    quick = _well_formed(text, path, encoding)
    if quick is not None:
        return quick
    blocks = scan_captions(text, "srt", path=path, raw=True)
    findings: list[Finding] = []
    lead = leading_text(text, "srt", blocks, raw=True)
    if lead is not None:
        findings.append(
            finding(
                "P006",
                f"text before the first cue is not a cue: {lead[1]!r}",
                path=path,
                line=lead[0],
                text=lead[1],
            )
        )
    classes: dict[str, str] = {}
    cues, lost_by_kind = _read_cues(blocks, path=path, findings=findings, classes=classes)
    for problem, where in _lenient_reads(blocks).items():
        count = len(where)
        findings.append(
            finding(
                "P006",
                f"{problem}: {count} cue{'s' if count != 1 else ''} (first on line {where[0]}); "
                "read leniently",
                path=path,
                line=where[0],
                problem=problem,
                count=count,
                lines=where,
            )
        )
    for what, where in lost_by_kind.items():
        findings.append(
            finding(
                "C015",
                f"{what} has no WebVTT equivalent and was left out: cue{'s' if len(where) > 1 else ''} "
                f"{_cue_list(where)}",
                path=path,
                line=blocks[where[0] - 1].line,
                cues=where,
            )
        )
    style_blocks: tuple[Block, ...] = ()
    if classes:
        css = "\n".join(f"::cue(.{name}) {{ {rule} }}" for name, rule in sorted(classes.items()))
        style_blocks = (Block("STYLE", "STYLE\n" + css, 0),)
    findings.sort(key=lambda f: f.line or 0)
    return Captions(
        cues=tuple(cues),
        format="srt",
        blocks=style_blocks,
        path=path,
        encoding=encoding,
        findings=tuple(findings),
    )


def _lenient_reads(blocks: list[CaptionBlock]) -> dict[str, list[int]]:
    """What the scanner read leniently (its notes, a time not in the strict form): the lines, by problem."""
    grouped: dict[str, list[int]] = defaultdict(list)
    for b in blocks:
        for note in b.notes:
            grouped[note].append(b.line)
        if not (is_strict_srt(b.start_text) and is_strict_srt(b.end_text)):
            grouped["cue time not in the strict form"].append(b.line)
    return grouped


def _read_cues(
    blocks: list[CaptionBlock], *, path: str, findings: list[Finding], classes: dict[str, str]
) -> tuple[list[Caption], dict[str, list[int]]]:
    """The cues of the scanned ``blocks`` and what of their markup has no WebVTT equivalent (the cue
    numbers, by what). A block whose start cannot be read is left out, one whose end cannot be read ends
    at the next cue (at most 2 s later); both are reported to ``findings``. ``classes`` collects the
    WebVTT classes the markup uses, with their CSS."""
    cues: list[Caption] = []
    lost_by_kind: dict[str, list[int]] = defaultdict(list)
    for n, b in enumerate(blocks, start=1):
        if b.start_ms is None:
            findings.append(
                finding(
                    "P006",
                    f"cue {n}: start time {b.start_text!r} cannot be read; the cue was left out: "
                    f"{' / '.join(b.lines)!r}",
                    path=path,
                    line=b.line,
                    cue=n,
                    text="\n".join(b.lines),
                    start=b.start_text,
                    end=b.end_text,
                )
            )
            continue
        end = b.end_ms
        if end is None:
            nxt = next((x.start_ms for x in blocks[n:] if x.start_ms is not None), None)
            end = b.start_ms + 2000 if nxt is None or nxt <= b.start_ms else min(nxt, b.start_ms + 2000)
            findings.append(
                finding(
                    "P006",
                    f"cue {n}: end time {b.end_text!r} cannot be read; it ends at {end} ms",
                    path=path,
                    line=b.line,
                    cue=n,
                    end=b.end_text,
                    end_ms=end,
                )
            )
        lost: list[str] = []
        body, alignment = srt_markup_to_vtt("\n".join(b.lines), lost, classes)
        for what in lost:
            lost_by_kind[what].append(n)
        settings = ALIGNMENT_SETTINGS[alignment] if alignment else ()
        cues.append(Caption(b.start_ms, end, body, "", settings, b.line))
    return cues, lost_by_kind


def _cue_list(cues: list[int], limit: int = 8) -> str:
    shown = ", ".join(str(c) for c in cues[:limit])
    return shown + (f" and {len(cues) - limit} more" if len(cues) > limit else "")
