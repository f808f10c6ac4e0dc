"""SRT writer: pysrt items with our timestamps, speaker labels in the text (SRT has no speaker field)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pysrt

from ..model import Cue
from ..timecode import format_srt
from ._common import finish, is_dialogue, ordered

SPEAKER_STYLES = ("upper", "name", "bracket", "none")


def speaker_label(speaker: str | None, style: str) -> str:
    """The label written before a speaker's text: ``TUCKER: ``, ``Tucker: ``, ``[Tucker] `` or nothing."""
    if style not in SPEAKER_STYLES:
        raise ValueError(f"unknown speaker style {style!r}; choose from {', '.join(SPEAKER_STYLES)}")
    if not speaker or style == "none":
        return ""
    if style == "upper":
        return f"{speaker.upper()}: "
    if style == "name":
        return f"{speaker}: "
    return f"[{speaker}] "


def _srt_text(line: str) -> str:
    # SRT has no escaping; an arrow inside the text would read as a timing line to some parsers
    return line.replace("-->", "->")


def srt_lines(cues: Sequence[Cue], speaker_style: str = "upper") -> list[list[str]]:
    """Each cue's text lines as written: a label at each change of speaker, dashes in dialogue."""
    speaker_label(None, speaker_style)  # validates the style
    out: list[list[str]] = []
    current: str | None = None
    for cue in cues:
        speakers = cue.speakers or (None,) * len(cue.lines)
        dialogue = is_dialogue(cue)
        lines: list[str] = []
        for line, spk in zip(cue.lines, speakers, strict=True):
            label = ""
            if spk is not None and spk != current:
                label = speaker_label(spk, speaker_style)
            if spk is not None:
                current = spk
            lines.append(("-" if dialogue else "") + label + _srt_text(line))
        out.append(lines)
    return out


def write_srt(cues: Sequence[Cue], *, speaker_style: str = "upper") -> str:
    """SRT text for ``cues``: indexes 1..n, ``HH:MM:SS,mmm`` times, UTF-8, LF, one trailing newline."""
    cues = ordered(cues)
    texts = srt_lines(cues, speaker_style)
    if not cues:
        return ""
    subs = pysrt.SubRipFile()
    items = subs.data  # the file's list of items (``append`` goes through a UserList wrapper)
    for k, (cue, lines) in enumerate(zip(cues, texts, strict=True), start=1):
        items.append(pysrt.SubRipItem(k, _Time(cue.start_ms), _Time(cue.end_ms), "\n".join(lines)))
    buf = io.StringIO()
    subs.write_into(buf, eol="\n")
    text = finish(buf.getvalue())
    _check(text, items)
    return text


class _Time(pysrt.SubRipTime):  # type: ignore[misc]  # pysrt has no type hints
    """A pysrt time written as :func:`toolkit.timecode.format_srt` writes it.

    ``SubRipTime.from_ordinal`` and ``str()`` walk four descriptors per time, most of the writer's cost;
    this keeps pysrt's item and file serialisation and hands it our timestamp text.
    """

    def __init__(self, ms: int) -> None:
        self.ordinal = ms
        self.text = format_srt(ms)

    def __str__(self) -> str:
        return self.text


def _check(text: str, items: Sequence[pysrt.SubRipItem]) -> None:
    """pysrt lays out the items itself: make sure it wrote exactly our timing lines, in order."""
    timings = [line for line in text.split("\n") if " --> " in line and line[:2].isdigit()]
    if timings != [f"{item.start.text} --> {item.end.text}" for item in items]:
        raise AssertionError("pysrt wrote timings that differ from toolkit.timecode")
