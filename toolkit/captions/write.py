"""Write a caption document as WebVTT or SRT, and say what the target format cannot carry.

WebVTT carries everything the document holds, so a WebVTT file is written back as it was read (times in
``HH:MM:SS.mmm``). SRT carries cue times, line breaks, ``<i> <b> <u> <s>``, ``<font color>`` and a
position as ``{\\anN}``; voices become speaker labels (``--speaker-style``); what is left (cue
identifiers, classes, language and ruby spans, word timestamps, sizes and regions, STYLE/REGION/NOTE
blocks) is listed in a ``C015`` finding naming the cues, never dropped without a word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING

from ..markup import speaker_label
from ..markup import srt_text as _srt_text
from ..model import Finding, Severity
from ..timecode import format_srt, format_vtt
from .cue_text import SPAN_LOSSES, WORD_TIMESTAMPS, EndTag, StartTag, TimestampTag, cue_tokens
from .srt_styles import ALIGNMENT_SETTINGS, FONT_CLASS, STRIKE_CLASS
from .uncarried import blocks_finding, cue_finding
from .webvtt_syntax import cue_box, parse_region

if TYPE_CHECKING:  # the model imports this writer (Captions.save)
    from .document import Caption, Captions

__all__ = ["dumps", "format_for", "placement", "region_ids", "vtt_to_srt_text"]

FORMATS = ("srt", "vtt")


def format_for(path: str, fmt: str | None = None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown caption format {fmt!r}; choose from {', '.join(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"cannot tell the caption format from {path!r}; use .srt or .vtt")
    return suffix


def dumps(
    doc: Captions, fmt: str, *, speaker_style: str = "upper", path: str | None = None
) -> tuple[str, list[Finding]]:
    """``(text, findings)``: the document written as ``fmt``; the findings list what it could not keep."""
    if fmt == "vtt":
        return _write_vtt(doc, path or doc.path)
    if fmt == "srt":
        return _write_srt(doc, speaker_style, path or doc.path)
    raise ValueError(f"unknown caption format {fmt!r}; choose from {', '.join(FORMATS)}")


# --- WebVTT ----------------------------------------------------------------------------------------------


def _vtt_safe_text(text: str) -> tuple[str, bool]:
    """Cue text that a WebVTT parser reads back as one cue: no blank line, no ``-->``."""
    if (
        "\n\n" not in text
        and "-->" not in text
        and text[:1] != "\n"
        and text[-1:] != "\n"
        and "\0" not in text
    ):
        return text, False
    if "\0" in text:  # every WebVTT reader turns NUL into U+FFFD: write what it will read
        return _vtt_safe_text(text.replace("\0", "\ufffd"))[0], True
    lines = [ln for ln in text.split("\n") if ln != ""]
    changed = len(lines) != text.count("\n") + 1 and text != ""
    out = "\n".join(ln.replace("-->", "--&gt;") for ln in lines)
    return out, changed or ("-->" in text)


def _write_vtt(doc: Captions, path: str | None) -> tuple[str, list[Finding]]:
    header = doc.header
    first, _, rest = header.partition("\n")
    head = "WEBVTT" + (first if first[:1] in ("", " ", "\t") else " " + first)
    parts = [head + ("\n" + rest if rest else "")]
    repaired: list[int] = []
    blocks = sorted(doc.blocks, key=lambda b: b.before)
    b = 0
    for k, cue in enumerate(doc.cues):
        while b < len(blocks) and blocks[b].before <= k:
            parts.append(blocks[b].text)
            b += 1
        text, changed = _vtt_safe_text(cue.text)
        ident = cue.identifier
        if "-->" in ident or "\n" in ident:
            ident, changed = "", True
        if changed:
            repaired.append(k + 1)
        settings = " ".join(f"{n}:{v}" for n, v in cue.settings)
        timing = f"{format_vtt(cue.start_ms)} --> {format_vtt(cue.end_ms)}" + (
            f" {settings}" if settings else ""
        )
        parts.append("\n".join([*([ident] if ident else []), timing, *([text] if text else [])]))
    parts.extend(blk.text for blk in blocks[b:])
    findings: list[Finding] = []
    if repaired:
        findings.append(
            cue_finding(
                doc,
                repaired,
                "blank lines, '-->' or NUL inside cue text (WebVTT cannot hold them): removed, escaped or "
                "written as U+FFFD",
                path=doc.path or path,
            )
        )
    return "\n\n".join(parts) + "\n", findings


# --- SRT -------------------------------------------------------------------------------------------------


def placement(cue: Caption, regions: AbstractSet[str]) -> tuple[int, bool]:
    """The ``{\\anN}`` number nearest the cue's settings (2 = bottom centre), and whether it is exact."""
    if not cue.settings:
        return 2, True
    for n, settings in ALIGNMENT_SETTINGS.items():
        if settings and cue.settings == settings:
            return n, True
    box = cue_box(cue.settings, regions)
    row = 0  # bottom
    if box.line != "auto":
        line = float(box.line)
        if box.snap_to_lines:
            row = 2 if 0 <= line < 4 else (0 if line < 0 else 1)
        else:
            row = 2 if line < 33 else (1 if line < 67 else 0)
    col = 1
    if box.align in ("left", "start"):
        col = 0
    elif box.align in ("right", "end"):
        col = 2
    elif box.position != "auto":
        pos = float(box.position)
        col = 0 if pos < 30 else (2 if pos > 70 else 1)
    return row * 3 + col + 1, False


def vtt_to_srt_text(
    text: str, lost: set[str], speaker: str | None, speaker_style: str
) -> tuple[list[str], str | None]:
    """WebVTT cue text as SRT lines: styling tags SRT players know kept, voices as labels, the rest text;
    with the speaker last labelled (labels are written at each change of speaker: ``speaker`` is the one
    before this cue). What SRT cannot carry goes into ``lost``."""
    out_lines: list[str] = []
    closers: list[str | None] = []  # per open span, the SRT closing tag to write (None: nothing)
    pending = ""  # a speaker label to write before the next text (after a dialogue dash, if any)
    for raw_line in text.split("\n"):
        out: list[str] = []
        for token in cue_tokens(raw_line):
            if isinstance(token, str):
                shown, pending = _labelled(_srt_text(token), pending)
                out.append(shown)
            elif isinstance(token, EndTag):
                closing = closers.pop() if closers else None
                if closing:
                    out.append(closing)
            elif isinstance(token, TimestampTag):
                lost.add(WORD_TIMESTAMPS)
            elif token.name == "v":
                name = token.annotation.strip() or None
                if name and name != speaker and speaker_style != "none":
                    pending = speaker_label(name, speaker_style)  # written before the text that follows
                if name and speaker_style == "none":
                    lost.add("voices")
                speaker = name or speaker
                closers.append(None)
            else:
                opening, closing = _srt_tag(token, lost)
                out.append(opening)
                closers.append(closing)
        line = "".join(out)
        if line.strip():
            out_lines.append(line)
    return out_lines, speaker


def _labelled(shown: str, pending: str) -> tuple[str, str]:
    """``(text, label still pending)``: a pending speaker label put before shown text (after its dash)."""
    if not (pending and shown):
        return shown, pending
    dash = "-" if shown.startswith("-") else ""
    return dash + pending + shown[len(dash) :], ""


def _srt_tag(tag: StartTag, lost: set[str]) -> tuple[str, str | None]:
    """``(opening, closing)``: what SRT writes for a WebVTT start tag (other than a voice) and its end."""
    if tag.name in ("i", "b", "u"):
        if tag.classes:
            lost.add("classes")
        return f"<{tag.name}>", f"</{tag.name}>"
    if tag.name == "c":
        colour = next((c[len(FONT_CLASS) :] for c in tag.classes if c.startswith(FONT_CLASS)), None)
        if colour:
            value = f"#{colour}" if re.fullmatch(r"[0-9a-f]{3}|[0-9a-f]{6}", colour) else colour
            return f'<font color="{value}">', "</font>"
        if STRIKE_CLASS in tag.classes:
            return "<s>", "</s>"
        if tag.classes:
            lost.add("classes")
    elif tag.name in SPAN_LOSSES:
        lost.add(SPAN_LOSSES[tag.name])
    elif tag.name == "rt":
        return "(", ")"
    return "", None


def region_ids(doc: Captions) -> frozenset[str]:
    """The ids of the document's WebVTT regions (what :func:`placement` reads a ``region:`` setting by)."""
    return frozenset(parse_region(b.text.partition("\n")[2]).id for b in doc.blocks if b.kind == "REGION")


def _write_srt(doc: Captions, speaker_style: str, path: str | None) -> tuple[str, list[Finding]]:
    regions = region_ids(doc)
    lost_by: dict[str, list[int]] = defaultdict(list)
    approx: list[int] = []
    empty: list[int] = []
    speaker: str | None = None
    chunks: list[str] = []
    index = 0
    for k, cue in enumerate(doc.cues, start=1):
        lost: set[str] = set()
        lines, speaker = vtt_to_srt_text(cue.text, lost, speaker, speaker_style)
        if not lines:
            empty.append(k)
            continue
        an, exact = placement(cue, regions)
        if not exact:
            approx.append(k)
        if an != 2:  # bottom centre is where SRT puts a cue without a code
            lines[0] = f"{{\\an{an}}}" + lines[0]
        if cue.identifier and cue.identifier != str(k):
            lost.add("cue identifiers")
        for what in lost:
            lost_by[what].append(k)
        index += 1
        timing = f"{format_srt(cue.start_ms)} --> {format_srt(cue.end_ms)}"
        chunks.append(f"{index}\n{timing}\n" + "\n".join(lines) + "\n")
    cue_path = doc.path or path
    findings = [
        cue_finding(doc, cues, f"{what}: SRT has no place for them; left out", path=cue_path)
        for what, cues in sorted(lost_by.items())
    ]
    if approx:
        findings.append(
            cue_finding(
                doc,
                approx,
                "cue positions and sizes written as the nearest {\\anN} position",
                path=cue_path,
                severity=Severity.INFO,
            )
        )
    if empty:
        findings.append(
            cue_finding(
                doc, empty, "cues without visible text: SRT cannot hold an empty cue; left out", path=cue_path
            )
        )
    blocks = blocks_finding(doc, "SRT", path=path)
    return "\n".join(chunks), [*findings, *([blocks] if blocks else [])]
