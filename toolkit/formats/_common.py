"""What both writers share: cue order and the checks a library writer does not make."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Cue


def ordered(cues: Sequence[Cue]) -> list[Cue]:
    """The cues sorted by start (stable), each checked to have text and no blank line."""
    out = sorted(cues, key=lambda c: c.start_ms)
    for k, c in enumerate(out, start=1):
        if not c.lines or any(not line.strip() for line in c.lines):
            raise ValueError(f"cue {k} at {c.start_ms} ms has an empty line")
        if any("\n" in line or "\r" in line for line in c.lines):
            raise ValueError(f"cue {k} at {c.start_ms} ms has a line break inside a line")
    return out


def is_dialogue(cue: Cue) -> bool:
    """A cue with more than one speaker, written with a leading dash on each line."""
    return len(cue.speakers) > 1 and len(set(cue.speakers)) > 1


def finish(text: str) -> str:
    """LF line ends and exactly one trailing newline."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") + "\n"
