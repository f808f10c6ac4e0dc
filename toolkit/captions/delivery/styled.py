"""Cue text as styled runs and back: what every delivery writer starts from and every reader ends with.

A writer turns a caption's WebVTT cue text into lines of ``(text, Style)`` runs (:func:`runs`: italic,
bold, underline, voice; what has no run style is reported as lost); a reader collects the styled
characters its library gives and turns them back into WebVTT cue text (:func:`to_cue_text`). The tag walk
itself is :func:`toolkit.captions.cue_text.cue_tokens`, shared with the SRT writer.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

from ...markup import escape_vtt
from ..cue_text import SPAN_LOSSES, WORD_TIMESTAMPS, EndTag, StartTag, TimestampTag, cue_tokens
from ..srt_styles import FONT_CLASS, STRIKE_CLASS

__all__ = ["PLAIN", "Style", "StyledChars", "StyledLine", "runs", "to_cue_text", "voices"]


@dataclass(frozen=True, slots=True)
class Style:
    italic: bool = False
    bold: bool = False
    underline: bool = False
    voice: str | None = None


PLAIN = Style()
StyledLine = list[tuple[str, Style]]  # text runs of one line, in order
StyledChars = list[tuple[str, Style]]  # one shown line, a character at a time


# --- cue text -> styled runs (writing) --------------------------------------------------------------------


def runs(text: str, lost: set[str]) -> list[StyledLine]:
    """WebVTT cue text as lines of ``(text, style)`` runs; what has no run style goes into ``lost``."""
    lines: list[StyledLine] = [[]]
    stack: list[tuple[str, Style]] = []  # (tag, style before it)
    style = PLAIN
    for token in cue_tokens(text):
        if isinstance(token, str):
            _add(lines, token, style)
        elif isinstance(token, EndTag):
            while stack:  # an end tag closes the spans opened after its start tag too
                tag, before = stack.pop()
                style = _close(lines, tag, style, before)
                if tag == token.name:
                    break
        elif isinstance(token, TimestampTag):
            lost.add(WORD_TIMESTAMPS)
        else:
            stack.append((token.name, style))
            lost.update(_lost_with(token))
            style = _opened(token, style)
            if token.name == "rt":
                _add(lines, "(", style)
    while stack:
        tag, before = stack.pop()
        style = _close(lines, tag, style, before)
    return lines


def _add(lines: list[StyledLine], text: str, style: Style) -> None:
    for k, part in enumerate(text.split("\n")):
        if k:
            lines.append([])
        if part:
            lines[-1].append((part, style))


def _close(lines: list[StyledLine], tag: str, style: Style, before: Style) -> Style:
    """The style after a span ends (the one before it); a ruby text's closing bracket written first."""
    if tag == "rt":
        _add(lines, ")", style)
    return before


def _opened(tag: StartTag, style: Style) -> Style:
    if tag.name == "i":
        return replace(style, italic=True)
    if tag.name == "b":
        return replace(style, bold=True)
    if tag.name == "u":
        return replace(style, underline=True)
    if tag.name == "v":
        return replace(style, voice=tag.annotation.strip() or None)
    return style


def _lost_with(tag: StartTag) -> set[str]:
    """What a start tag carries that no run style holds: colours, strike-through, classes, spans."""
    lost = set()
    if any(c.startswith(FONT_CLASS) for c in tag.classes):
        lost.add("colours")
    if STRIKE_CLASS in tag.classes:
        lost.add("strike-through")
    if any(c != STRIKE_CLASS and not c.startswith(FONT_CLASS) for c in tag.classes):
        lost.add("classes")
    if tag.name in SPAN_LOSSES:
        lost.add(SPAN_LOSSES[tag.name])
    return lost


def voices(lines: list[StyledLine]) -> list[str]:
    """The voices of the runs, in order of first appearance."""
    seen: dict[str, None] = {}
    for line in lines:
        for _, st in line:
            if st.voice:
                seen.setdefault(st.voice, None)
    return list(seen)


# --- styled characters -> cue text (reading) ---------------------------------------------------------------


def to_cue_text(lines: list[StyledChars]) -> str:
    """WebVTT cue text from styled characters: lines trimmed, empty lines dropped, spaces collapsed; a
    space or line break between two runs takes only what both share (``Hi <i>there</i>``)."""
    flat = _shared_spaces(_joined(lines))
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


def _joined(lines: list[StyledChars]) -> StyledChars:
    """The lines trimmed, white space as single spaces, empty lines dropped, joined by ``\\n``."""
    flat: StyledChars = []
    for line in lines:
        chars = [(" " if c in "\t\n\r" else c, st) for c, st in line]
        chars = [x for j, x in enumerate(chars) if not (x[0] == " " and j and chars[j - 1][0] == " ")]
        while chars and chars[0][0] == " ":
            chars.pop(0)
        while chars and chars[-1][0] == " ":
            chars.pop()
        if chars:
            if flat:
                flat.append(("\n", PLAIN))
            flat.extend(chars)
    return flat


def _shared_spaces(flat: StyledChars) -> StyledChars:
    """Each space and line break styled with what the characters either side of it share."""
    for j, (c, _) in enumerate(flat):
        if c in " \n":
            before = next(st for ch, st in reversed(flat[:j]) if ch not in " \n")
            after = next(st for ch, st in flat[j + 1 :] if ch not in " \n")
            flat[j] = (
                c,
                Style(
                    before.italic and after.italic,
                    before.bold and after.bold,
                    before.underline and after.underline,
                    before.voice if before.voice == after.voice else None,
                ),
            )
    return flat
