"""ASS and SSA written and read through pysubs2, with what pysubs2 leaves to its caller.

pysubs2 keeps the Name (actor) field, ``{\\i1}`` ``{\\b1}`` ``{\\u1}`` and ``{\\anN}`` as written and times
in centiseconds, but does not escape a comma in the Name field (the next reader splits the line there),
nor braces or ``\\N`` in text, nor turn ``\\an`` into SSA's ``\\a`` numbering: those are done here, each
change a ``C015`` finding. A second speaker in one event becomes a speaker label (the Name field holds
one). Reading takes the italic/bold/underline state of each fragment from pysubs2's ``parse_tags``, the
voice from the Name field and the position from the first ``\\an``/``\\a`` override or the event's style.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pysubs2
from pysubs2.formats.substation import parse_tags

from ...errors import InputError
from ...markup import speaker_label
from ...model import Finding
from ..document import Caption, Captions
from ..srt_styles import ALIGNMENT_SETTINGS
from .losses import LossReport, each_cue
from .styled import PLAIN, Style, StyledChars, StyledLine, to_cue_text, voices

__all__ = ["dumps_ass", "loads_ass"]

_ASS_ESCAPE = re.compile(r"\\(?=[nNh])")
_POSITION = re.compile(r"\\(an|a)(\d{1,2})(?!\d)")  # an1-9, SSA's a1-11 (not a 5000-digit number)
_OVERRIDE = re.compile(r"\{[^}]*\}")
_FLAGS = (("italic", "i"), ("bold", "b"), ("underline", "u"))


# --- writing ---------------------------------------------------------------------------------------------


def dumps_ass(doc: Captions, fmt: str, speaker_style: str) -> tuple[str, list[Finding]]:
    """``(text, findings)``: the document as ``ass`` or ``ssa``, one Dialogue event per cue."""
    report = LossReport(doc, fmt)
    subs = pysubs2.SSAFile()
    subs.info["Title"] = Path(doc.path).stem if doc.path and not doc.path.startswith("<") else "captionkit"
    for k, cue, lines, an in each_cue(doc, report, "alignment", drop_backwards=False):
        names = voices(lines)
        name = names[0] if names else ""
        if "," in name:
            report.add(f"commas in speaker names written as ';' ({fmt.upper()}'s Name field ends at one)", k)
        if len(names) > 1:
            if speaker_style == "none":
                report.add("voices after the first: the Name field holds one; left out", k)
            else:
                report.add("voices after the first written as speaker labels (the Name field holds one)", k)
        text = _event_text(k, lines, an, name, fmt=fmt, speaker_style=speaker_style, report=report)
        # centiseconds: a start rounds up and an end down, so no gap between cues ever shrinks
        start = -(-cue.start_ms // 10) * 10
        end = max(start + 10, cue.end_ms // 10 * 10) if cue.end_ms > cue.start_ms else start
        event = pysubs2.SSAEvent(start=start, end=end, text=text, name=name)
        event.name = name.replace(",", ";")
        subs.events.append(event)
    return subs.to_string(fmt), report.findings()


def _event_text(
    k: int, lines: list[StyledLine], an: int, name: str, *, fmt: str, speaker_style: str, report: LossReport
) -> str:
    """Cue ``k``'s event text: its position override, style overrides at each change, speaker labels for
    voices other than the Name field's ``name``, text escaped."""
    out: list[str] = []
    if an != 2:
        number = an if fmt == "ass" else pysubs2.Alignment(an).to_ssa_alignment()
        out.append(f"{{\\{'an' if fmt == 'ass' else 'a'}{number}}}")
    state = PLAIN
    speaker: str | None = name or None
    for li, line in enumerate(lines):
        if li:
            out.append("\\N")
        for text, st in line:
            tags = _style_tags(st, state, fmt, report, k)
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
    closing = [f"\\{tag}0" for flag, tag in _FLAGS if getattr(state, flag)]
    if closing:
        out.append("{" + "".join(closing) + "}")
    return "".join(out)


def _style_tags(st: Style, state: Style, fmt: str, report: LossReport, k: int) -> list[str]:
    """The ``\\i1``-style overrides that turn ``state`` into ``st`` (SSA has no underline)."""
    tags = []
    for flag, tag in _FLAGS:
        if getattr(st, flag) != getattr(state, flag):
            if tag == "u" and fmt == "ssa":
                report.add("underline: SSA has no underline; written plain", k)
                continue
            tags.append(f"\\{tag}{int(getattr(st, flag))}")
    return tags


# --- reading ---------------------------------------------------------------------------------------------


def loads_ass(text: str, fmt: str, path: str) -> Captions:
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
        an = _alignment(event.text, style)
        lines = _event_lines(event, style, subs.styles, hard_soft)
        cue_text = to_cue_text(lines)
        if cue_text:
            cues.append(
                Caption(
                    event.start,
                    max(event.end, event.start),
                    cue_text,
                    settings=ALIGNMENT_SETTINGS.get(an, ()),
                )
            )
    return Captions(tuple(cues), format=fmt, path=path)


def _alignment(text: str, style: pysubs2.SSAStyle) -> int:
    """The ``{\\anN}`` number: the first position override (SSA's ``\\a`` renumbered), else the style's."""
    for block in _OVERRIDE.findall(text):
        m = _POSITION.search(block)
        if m:
            number = int(m[2])
            if m[1] == "an":
                if 1 <= number <= 9:
                    return number
                continue
            try:
                return int(pysubs2.Alignment.from_ssa_alignment(number).value)
            except (ValueError, KeyError):  # not one of SSA's numbers: no position
                continue
    return int(style.alignment.value)


_RESET = re.compile(r"\\r[a-zA-Z_0-9 ]*")  # the tag pysubs2 resets a style with


def _fragments(
    text: str, style: pysubs2.SSAStyle, styles: dict[str, pysubs2.SSAStyle]
) -> list[tuple[str, pysubs2.SSAStyle]]:
    """pysubs2's ``parse_tags`` in linear time: each fragment's style from the one before it and the
    override block between them (``parse_tags`` applies every block before a fragment again for each
    fragment: 40 KB of ``{\\i1}{\\b1}`` took 10 s). A ``\\r`` reset starts again from the line's
    style, or the named one, as ``parse_tags`` does."""
    parts = pysubs2.SSAEvent.OVERRIDE_SEQUENCE.split(text)
    if len(parts) == 1:
        return [(text, style)]
    blocks = pysubs2.SSAEvent.OVERRIDE_SEQUENCE.findall(text)
    out = [(parts[0], style)]
    current = style
    for block, fragment in zip(blocks, parts[1:], strict=True):
        resets = [m for m in _RESET.finditer(block) if m[0] == "\\r" or m[0][2:] in styles]
        if resets:  # the last reset that takes effect, then the tags after it
            last = resets[-1]
            current = style if last[0] == "\\r" else styles[last[0][2:]]
            block = block[last.end() :]
        # one block on the running style (a reset left in it names no known style: no effect, as there)
        current = parse_tags("{" + block.strip("{}") + "}\x00", current, styles)[-1][1]
        out.append((fragment, current))
    return out


def _event_lines(
    event: pysubs2.SSAEvent, style: pysubs2.SSAStyle, styles: dict[str, pysubs2.SSAStyle], hard_soft: bool
) -> list[StyledChars]:
    """The event's shown characters by line, styled; ``\\n`` is a line break only with WrapStyle 2."""
    voice = event.name.strip() or None
    lines: list[StyledChars] = [[]]
    for fragment, fst in _fragments(event.text, style, styles):
        if getattr(fst, "drawing", False):
            continue
        st = Style(bool(fst.italic), bool(fst.bold), bool(fst.underline), voice)
        for k, part in enumerate(re.split(r"\\N", fragment)):
            if k:
                lines.append([])
            part = part.replace("\\h", "\u00a0").replace("\\n", "\n" if hard_soft else " ")
            part = part.replace("\\\u2060", "\\")  # the word joiner written after a text backslash
            for piece_no, piece in enumerate(part.split("\n")):
                if piece_no:
                    lines.append([])
                lines[-1].extend((c, st) for c in piece)
    return lines
