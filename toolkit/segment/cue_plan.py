"""A cue before the final timing pass: what cutting (:mod:`.cutting`) makes, the dialogue pass
(:mod:`.dialogue`) merges and joins, and the timing pass (:mod:`.cue_times`) turns into a ``Cue``."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Word

__all__ = ["CuePlan"]


@dataclass(slots=True)
class CuePlan:
    """A cue before the final timing pass (times in ms, as floats; mutable: the timing passes move them)."""

    start: float
    speech_end: float
    lines: tuple[str, ...]
    speakers: tuple[str | None, ...]
    turn: int
    line: int
    words: tuple[Word, ...]
    fixed_end: int | None  # caption-file input: the original end, kept (or bounded by)
    lead: int  # how far before ``start`` the cue may begin when it is too short or too fast
    keep_end: bool = False  # the original cue kept as it was
