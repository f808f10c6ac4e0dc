"""SRT writer: pysrt items with our timestamps, speaker labels in the text (SRT has no speaker field)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import pysrt

from ..markup import SPEAKER_STYLES, speaker_label, srt_text
from ..model import Cue
from ..timecode import format_srt
from ._common import all_lines, finish, is_dialogue, ordered

_srt_text = srt_text
__all__ = ["SPEAKER_STYLES", "speaker_label", "srt_lines", "write_srt"]


def srt_lines(cues: Sequence[Cue], speaker_style: str = "upper") -> list[list[str]]:
    """Each cue's text lines as written: a label at each change of speaker, dashes in dialogue."""
    speaker_label(None, speaker_style)  # validates the style
    labels: dict[str, str] = {}
    text = all_lines(cues)
    arrows = "-->" in text or "<" in text or "{" in text  # else no line needs _srt_text
    out: list[list[str]] = []
    append = out.append
    current: str | None = None
    for cue in cues:
        speakers = cue.speakers
        if speakers and speakers.count(speakers[0]) == len(speakers):  # one speaker (the common case)
            lines = list(map(_srt_text, cue.lines)) if arrows else list(cue.lines)
            spk = speakers[0]
            if spk is not None and spk != current:
                label = labels.get(spk)
                if label is None:
                    label = labels[spk] = speaker_label(spk, speaker_style)
                lines[0] = label + lines[0]
                current = spk
            append(lines)
            continue
        speakers = speakers or (None,) * len(cue.lines)
        dialogue = is_dialogue(cue)
        lines = []
        for line, spk in zip(cue.lines, speakers, strict=True):
            label = ""
            if spk is not None and spk != current:
                label = speaker_label(spk, speaker_style)
            if spk is not None:
                current = spk
            lines.append(("-" if dialogue else "") + label + _srt_text(line))
        append(lines)
    return out


def write_srt(cues: Sequence[Cue], *, speaker_style: str = "upper") -> str:
    """SRT text for ``cues``: indexes 1..n, ``HH:MM:SS,mmm`` times, UTF-8, LF, one trailing newline."""
    cues = ordered(cues)
    texts = srt_lines(cues, speaker_style)
    if not cues:
        return ""
    subs = pysrt.SubRipFile()
    subs.data = items = [  # the file's list of items (``append`` goes through a UserList wrapper)
        _Item(k, format_srt(cue.start_ms), format_srt(cue.end_ms), "\n".join(lines))
        for k, (cue, lines) in enumerate(zip(cues, texts, strict=True), start=1)
    ]
    buf = io.StringIO()
    subs.write_into(buf, eol="\n")
    text = finish(buf.getvalue())
    _check(text, items)
    return text


class _Item(pysrt.SubRipItem):  # type: ignore[misc]  # pysrt has no type hints
    """A pysrt item whose times are our timestamp text, for pysrt's ``__str__`` to lay out.

    ``SubRipItem()`` coerces each value and ``SubRipTime`` formats itself through four descriptors, most
    of the writer's cost; ``__str__`` only puts ``start`` and ``end`` through ``%s``, so they are the text
    :func:`toolkit.timecode.format_srt` writes. These items live only inside :func:`write_srt`.
    """

    def __init__(self, index: int, start: str, end: str, text: str) -> None:  # no super(): see above
        self.index = index
        self.start = start
        self.end = end
        self.position = ""
        self.text = text


_TIMING_LINE = re.compile(r"^[^\n]* --> [^\n]*$", re.MULTILINE)


def _check(text: str, items: Sequence[pysrt.SubRipItem]) -> None:
    """pysrt lays out the items itself: make sure it wrote exactly our timing lines, in order."""
    timings = [line for line in _TIMING_LINE.findall(text) if line[:2].isdigit()]
    if timings != [f"{item.start} --> {item.end}" for item in items]:
        raise AssertionError("pysrt wrote timings that differ from toolkit.timecode")
