"""What one :func:`toolkit.align.turns.align_turns` call shares between its stages (window search,
recovery, fallback): its inputs and settings, the findings list, the mutable state, and a turn's
first-word ranges."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..model import Finding
from ..timing import RateModel
from .aligner import Aligner
from .tuning import AlignParams
from .windows import SpeechIndex

__all__ = ["Limits", "Run", "State"]


@dataclass(slots=True)
class State:
    ms_per_phone: dict[str | None, float] = field(default_factory=dict)
    cursor_ms: int = 0
    fits: dict[str | None, list[float]] = field(default_factory=dict)  # median word scores, per speaker
    failed_in_row: int = 0  # turns that fell back one after another (heavy noise, wrong language, ...)


@dataclass(frozen=True, slots=True)
class Run:
    """One :func:`toolkit.align.turns.align_turns` call: its inputs and settings, the same for all its
    turns, the list its findings go to, and its mutable state."""

    engine: Aligner
    audio: np.ndarray
    sample_rate: int
    index: SpeechIndex
    rates: RateModel
    path: str | None
    findings: list[Finding]  # while a turn aligns, its own list (kept only if the turn aligns)
    state: State
    params: AlignParams

    @property
    def audio_ms(self) -> int:
        return len(self.audio) * 1000 // self.sample_rate


Limits = tuple[tuple[int, int] | None, tuple[int, int] | None]  # (this turn's range, the next turn's)
