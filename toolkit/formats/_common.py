"""What both writers share: cue order and the checks a library writer does not make."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from operator import attrgetter

from ..model import Cue

_START = attrgetter("start_ms")
_LINES = attrgetter("lines")


def ordered(cues: Sequence[Cue]) -> list[Cue]:
    """The cues sorted by start (stable), each checked to have text and no blank line."""
    out = sorted(cues, key=_START)
    # the checks for all cues at once, in C; the cue-by-cue loop only finds the first bad cue
    texts = list(map(_LINES, out))
    flat = list(chain.from_iterable(texts))
    joined = "\n".join(flat)
    breaks_inside = joined.count("\n") != len(flat) - 1 or "\r" in joined
    if all(texts) and all(map(str.strip, flat)) and not breaks_inside:
        return out
    for k, c in enumerate(out, start=1):
        if not c.lines or any(not line.strip() for line in c.lines):
            raise ValueError(f"cue {k} at {c.start_ms} ms has an empty line")
        if any("\n" in line or "\r" in line for line in c.lines):
            raise ValueError(f"cue {k} at {c.start_ms} ms has a line break inside a line")
    return out


def all_lines(cues: Sequence[Cue]) -> str:
    """Every line of ``cues``, one per line (to test them all for a string at once)."""
    return "\n".join(chain.from_iterable(map(_LINES, cues)))


def is_dialogue(cue: Cue) -> bool:
    """A cue with more than one speaker, written with a leading dash on each line."""
    return len(cue.speakers) > 1 and len(set(cue.speakers)) > 1


def finish(text: str) -> str:
    """LF line ends and exactly one trailing newline."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") + "\n"
