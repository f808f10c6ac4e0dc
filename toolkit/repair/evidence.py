"""How well a sequence of timestamps fits the words spoken: the evidence every repair decision weighs.

For consecutive turns ``a`` then ``b`` the gap ``b.start - a.start`` should be about the time ``a``'s words
take at ``a``'s speaker's rate (:class:`~toolkit.timing.RateModel`). :func:`gap_cost` is 0 inside a
tolerance band and grows with the log of the ratio outside it; a slack of a few seconds keeps short turns
("Yes.") from dominating, since their gaps are mostly pause. Hypotheses (which copy to keep, move or
re-time) are compared by the total cost of the pairs they touch.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import Turn
from ..timing import (
    RateModel,
    count_words,
)

__all__ = ["Timing", "gap_cost", "implausible", "sequence_cost"]

SLACK_MS = 5000  # added to both sides of the ratio: pauses dominate short turns
TOLERANCE = math.log(1.3)  # ratios within 1.3x cost nothing
SAME_SPEAKER_COST = 0.5  # two turns in a row by one speaker: weak evidence against an arrangement
BACKWARDS_COST = 20.0  # a gap below zero
# T003 thresholds: "600 words in 10 s" and "5 words in 3 minutes" are implausible, ordinary variation is not
FAST_FACTOR, FAST_SLACK_MS = 4.0, 5000  # implausible when gap < (expected - 5 s) / 4
SLOW_FACTOR, SLOW_SLACK_MS = 3.0, 20000  # implausible when gap > expected * 3 + 20 s


def gap_cost(gap_ms: int, expected_ms: int) -> float:
    """Cost of a gap against the expected speaking time (0 = consistent)."""
    if gap_ms < 0:
        return BACKWARDS_COST + gap_cost(0, expected_ms)
    ratio = (gap_ms + SLACK_MS) / (expected_ms + SLACK_MS)
    return max(0.0, abs(math.log(ratio)) - TOLERANCE)


def implausible(gap_ms: int, expected_ms: int) -> str | None:
    """``"fast"`` or ``"slow"`` when a gap cannot fit the words at the speaker's rate, else ``None``."""
    if gap_ms < (expected_ms - FAST_SLACK_MS) / FAST_FACTOR:
        return "fast"
    if gap_ms > expected_ms * SLOW_FACTOR + SLOW_SLACK_MS:
        return "slow"
    return None


@dataclass(frozen=True, slots=True)
class Timing:
    """The rate model plus cached word counts, to price arrangements of turns."""

    rates: RateModel
    _words: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def expected_ms(self, turn: Turn) -> int:
        words = self._words.get(turn.text)
        if words is None:
            words = self._words[turn.text] = count_words(turn.text)
        return self.rates.speech_ms(turn.speaker, words)

    def pair_cost(self, a: Turn, b: Turn) -> float:
        cost = SAME_SPEAKER_COST if a.speaker is not None and a.speaker == b.speaker else 0.0
        if a.start_ms is None or b.start_ms is None:
            return cost
        return cost + gap_cost(b.start_ms - a.start_ms, self.expected_ms(a))


def sequence_cost(timing: Timing, turns: Sequence[Turn]) -> float:
    """Total cost of consecutive pairs (untimed turns are skipped for the timing part)."""
    total = 0.0
    timed = [t for t in turns if t.start_ms is not None]
    for a, b in itertools.pairwise(timed):
        total += gap_cost(b.start_ms - a.start_ms, timing.expected_ms(a))  # type: ignore[operator]
    for a, b in itertools.pairwise(turns):
        if a.speaker is not None and a.speaker == b.speaker:
            total += SAME_SPEAKER_COST
    return total
