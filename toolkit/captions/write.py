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
from pathlib import Path

from ..markup import speaker_label, unescape
from ..markup import srt_text as _srt_text
from ..model import Finding, Severity
from ..rules import finding
from ..timecode import format_srt, format_vtt
from .model import Caption, Captions
from .srt import ALIGNMENT_SETTINGS, FONT_CLASS, STRIKE_CLASS
from .webvtt import cue_box, parse_region

__all__ = ["dumps", "format_for", "placement", "vtt_to_srt_text"]

FORMATS = ("srt", "vtt")
_TOKEN = re.compile(r"<([^>]*)>?")
_TIMESTAMP = re.compile(r"^[\d:.]+$")
_TAG_PARTS = re.compile(r"([^ \t\f]*)[ \t\f]*(.*)", re.DOTALL)


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
            _lost(
                path,
                doc,
                repaired,
                "blank lines, '-->' or NUL inside cue text (WebVTT cannot hold them): removed, escaped or "
                "written as U+FFFD",
            )
        )
    return "\n\n".join(parts) + "\n", findings


# --- SRT -------------------------------------------------------------------------------------------------


def placement(cue: Caption, regions: tuple[str, ...]) -> tuple[int, bool]:
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


def vtt_to_srt_text(text: str, lost: set[str], current: list[str | None], speaker_style: str) -> list[str]:
    """WebVTT cue text as SRT lines: styling tags SRT players know kept, voices as labels, the rest text.

    ``current`` holds the speaker last labelled (labels are written at each change of speaker).
    """
    out_lines: list[str] = []
    stack: list[str | None] = []  # per open span, the SRT closing tag to write (None: nothing)
    pending = ""  # a speaker label to write before the next text (after a dialogue dash, if any)

    def text_of(chunk: str) -> str:
        nonlocal pending
        shown = _srt_text(unescape(chunk))
        if pending and shown:
            dash = "-" if shown.startswith("-") else ""
            shown, pending = dash + pending + shown[len(dash) :], ""
        return shown

    for raw_line in text.split("\n"):
        out: list[str] = []
        pos = 0
        for m in _TOKEN.finditer(raw_line):
            out.append(text_of(raw_line[pos : m.start()]))
            pos = m.end()
            inner = m[1]
            if inner.startswith("/"):
                if stack:
                    closing = stack.pop()
                    if closing:
                        out.append(closing)
                continue
            if _TIMESTAMP.match(inner):
                lost.add("word timestamps")
                continue
            parts = _TAG_PARTS.match(inner)
            assert parts is not None  # the pattern matches any text
            name, annotation = parts[1], parts[2]
            tag, *classes = name.split(".")
            if tag in ("i", "b", "u"):
                if classes:
                    lost.add("classes")
                out.append(f"<{tag}>")
                stack.append(f"</{tag}>")
            elif tag == "c":
                colour = next((c[len(FONT_CLASS) :] for c in classes if c.startswith(FONT_CLASS)), None)
                if colour:
                    value = f"#{colour}" if re.fullmatch(r"[0-9a-f]{3}|[0-9a-f]{6}", colour) else colour
                    out.append(f'<font color="{value}">')
                    stack.append("</font>")
                elif STRIKE_CLASS in classes:
                    out.append("<s>")
                    stack.append("</s>")
                else:
                    if classes:
                        lost.add("classes")
                    stack.append(None)
            elif tag == "v":
                speaker = unescape(annotation).strip() or None
                if speaker and speaker != current[0] and speaker_style != "none":
                    pending = speaker_label(speaker, speaker_style)  # written before the text that follows
                if speaker and speaker_style == "none":
                    lost.add("voices")
                if speaker:
                    current[0] = speaker
                stack.append(None)
            elif tag == "lang":
                lost.add("language spans")
                stack.append(None)
            elif tag == "ruby":
                lost.add("ruby annotations (written in brackets)")
                stack.append(None)
            elif tag == "rt":
                out.append("(")
                stack.append(")")
            else:
                stack.append(None)
        out.append(text_of(raw_line[pos:]))
        line = "".join(out)
        if line.strip():
            out_lines.append(line)
    return out_lines


def _write_srt(doc: Captions, speaker_style: str, path: str | None) -> tuple[str, list[Finding]]:
    regions = tuple(parse_region(b.text.partition("\n")[2]).id for b in doc.blocks if b.kind == "REGION")
    lost_by: dict[str, list[int]] = defaultdict(list)
    approx: list[int] = []
    empty: list[int] = []
    current: list[str | None] = [None]
    chunks: list[str] = []
    index = 0
    for k, cue in enumerate(doc.cues, start=1):
        lost: set[str] = set()
        lines = vtt_to_srt_text(cue.text, lost, current, speaker_style)
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
    findings: list[Finding] = []
    for what, cues in sorted(lost_by.items()):
        findings.append(_lost(path, doc, cues, f"{what}: SRT has no place for them; left out"))
    if approx:
        findings.append(
            _lost(
                path,
                doc,
                approx,
                "cue positions and sizes written as the nearest {\\anN} position",
                severity=Severity.INFO,
            )
        )
    if empty:
        findings.append(
            _lost(path, doc, empty, "cues without visible text: SRT cannot hold an empty cue; left out")
        )
    kinds = sorted({b.kind for b in doc.blocks if not (doc.format == "srt" and b.kind == "STYLE")})
    if kinds:
        blocks = [b for b in doc.blocks if b.kind in kinds]
        findings.append(
            finding(
                "C015",
                f"{', '.join(kinds)} block{'s' if len(blocks) > 1 else ''}: "
                "SRT has no place for them; left out",
                path=path,
                line=blocks[0].line,
                blocks=[b.text for b in blocks],
            )
        )
    return "\n".join(chunks), findings


def _lost(
    path: str | None, doc: Captions, cues: list[int], what: str, *, severity: Severity | None = None
) -> Finding:
    shown = ", ".join(str(c) for c in cues[:8]) + (f" and {len(cues) - 8} more" if len(cues) > 8 else "")
    first = doc.cues[cues[0] - 1]
    return finding(
        "C015",
        f"{what} (cue{'s' if len(cues) > 1 else ''} {shown})",
        path=doc.path or path,
        line=first.line,
        cue=cues[0],
        severity=severity,
        cues=cues,
    )
