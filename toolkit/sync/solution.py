"""What a sync search is asked and answers: :class:`SyncParams`, :class:`Segment`, :class:`SyncResult`.

The lowest module of :mod:`toolkit.sync` (above :mod:`toolkit.media`, which gives the speech mask): the
caption search (:mod:`.cuesync`), the turn search (:mod:`.turnsync`), ``validate --media`` and the pipeline
all speak in these values. The tuning constants more than one search module reads are here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "BOUNDARY_REACH",
    "NO_HARM_MS",
    "RATIOS",
    "RATIO_MARGIN",
    "VAD_LAG_MS",
    "Segment",
    "SyncParams",
    "SyncResult",
    "label_runs",
]

RATIOS: tuple[float, ...] = (
    1.0,
    24 / 23.976,
    25 / 23.976,
    25 / 24,
    23.976 / 24,
    23.976 / 25,
    24 / 25,
)
RATIO_MARGIN = 0.05  # a ratio other than 1 must score 5 % better than ratio 1
VAD_LAG_MS = 15  # webrtcvad mode 3 marks onsets ~15 ms late on 10 ms frames (measured, see media/vad.py)
NO_HARM_MS = 30  # a global shift this small is VAD noise: captions already in sync are left untouched
BOUNDARY_REACH = 2  # a split may move this many cues to a wider caption gap or better speech edges


@dataclass(frozen=True, slots=True)
class SyncParams:
    split_penalty: float = 4.0  # seconds of speech agreement a split must gain; <= 0 disables splits
    fix_ratio: bool = True
    max_offset_ms: int | None = None  # reject (not restrict) solutions shifting further than this
    min_confidence: float = 0.5  # the solution's posterior among the other offsets (see Evidence)
    min_evidence: float = 3.0  # nats of evidence beyond what the best of all offsets gives by chance
    window_ms: int = 60_000  # caption time per window when looking for piecewise candidates ...
    split_reach_ms: int = 300_000  # ... each window's own offset searched this far from the global one
    distinct_ms: int = 1000  # alternatives are at least this far from the solution and each other
    max_alternatives: int = 8
    onset_before_ms: int = 300  # a cue start "sits on" an onset up to this much before it ...
    onset_after_ms: int = 500  # ... or this much after it
    end_before_ms: int = 300  # a cue end "sits on" a speech end up to this much before it ...
    end_after_ms: int = 800  # ... or this much after it (captions are held after the words)
    miss_share: float = 0.3  # under the right timing, cues miss an onset this share as often as by chance
    max_hit_rate: float = 0.97
    jump_odds: float = 0.05  # a priori odds that captions have a split at all
    ratio_cost: float = 4.0  # nats a frame-rate ratio must gain (one of six ratios, and rare)
    text_check: bool = True  # a refused offset is checked by the captions' words (toolkit.align.verify)


@dataclass(frozen=True, slots=True)
class Segment:
    """Cues ``first..last`` (0-based, inclusive) move by ``offset_ms`` after scaling by the ratio."""

    first: int
    last: int
    offset_ms: int
    start_ms: int  # where the segment starts in the original caption time

    def to_json(self) -> dict[str, int]:
        return {
            "first_cue": self.first + 1,
            "last_cue": self.last + 1,
            "offset_ms": self.offset_ms,
            "from_ms": self.start_ms,
        }


@dataclass(frozen=True, slots=True)
class SyncResult:
    ratio: float
    segments: tuple[Segment, ...]
    confidence: float
    accepted: bool
    reason: str
    elapsed_ms: int
    details: dict[str, Any] = field(default_factory=dict)  # the figures behind the answer, for the report

    @property
    def offset_ms(self) -> int:
        """The offset of the longest segment (the global offset when there is one segment)."""
        if not self.segments:
            return 0
        return max(self.segments, key=lambda s: s.last - s.first).offset_ms

    @property
    def split_points_ms(self) -> list[int]:
        return [s.start_ms for s in self.segments[1:]]

    def offsets_for(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        for s in self.segments:
            out[s.first : s.last + 1] = s.offset_ms
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "reason": self.reason,
            "confidence": round(self.confidence, 3),
            "offset_ms": self.offset_ms,
            "ratio": self.ratio,
            "segments": [s.to_json() for s in self.segments],
            "split_points_ms": self.split_points_ms,
            "elapsed_ms": self.elapsed_ms,
            **self.details,
        }


def label_runs(labels: Sequence[int] | np.ndarray) -> list[tuple[int, int]]:
    """``(first, last)`` (inclusive) of each run of equal labels: the segments of a per-cue choice."""
    out: list[tuple[int, int]] = []
    n = len(labels)
    i = 0
    while i < n:
        j = i
        while j + 1 < n and labels[j + 1] == labels[i]:
            j += 1
        out.append((i, j))
        i = j + 1
    return out
