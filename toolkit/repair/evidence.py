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
from .params import RepairParams

__all__ = ["Timing", "gap_cost", "implausible", "sequence_cost"]


def gap_cost(gap_ms: int, expected_ms: int, p: RepairParams) -> float:
    """Cost of a gap against the expected speaking time (0 = consistent)."""
    if gap_ms < 0:
        return p.backwards_cost + gap_cost(0, expected_ms, p)
    ratio = (gap_ms + p.slack_ms) / (expected_ms + p.slack_ms)
    return max(0.0, abs(math.log(ratio)) - p.tolerance)


def implausible(gap_ms: int, expected_ms: int, p: RepairParams) -> str | None:
    """``"fast"`` or ``"slow"`` when a gap cannot fit the words at the speaker's rate, else ``None``."""
    if gap_ms < (expected_ms - p.fast_slack_ms) / p.fast_factor:
        return "fast"
    if gap_ms > expected_ms * p.slow_factor + p.slow_slack_ms:
        return "slow"
    return None


@dataclass(frozen=True, slots=True)
class Timing:
    """The rate model plus cached word counts, to price arrangements of turns, and the repair's settings
    (``params``: every step that prices with this model reads them here)."""

    rates: RateModel
    params: RepairParams
    _words: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def expected_ms(self, turn: Turn) -> int:
        words = self._words.get(turn.text)
        if words is None:
            words = self._words[turn.text] = count_words(turn.text)
        return self.rates.speech_ms(turn.speaker, words)

    def pair_cost(self, a: Turn, b: Turn) -> float:
        p = self.params
        cost = p.same_speaker_cost if a.speaker is not None and a.speaker == b.speaker else 0.0
        if a.start_ms is None or b.start_ms is None:
            return cost
        return cost + gap_cost(b.start_ms - a.start_ms, self.expected_ms(a), p)


def sequence_cost(timing: Timing, turns: Sequence[Turn]) -> float:
    """Total cost of consecutive pairs (untimed turns are skipped for the timing part)."""
    p = timing.params
    total = 0.0
    timed = [t for t in turns if t.start_ms is not None]
    for a, b in itertools.pairwise(timed):
        total += gap_cost(b.start_ms - a.start_ms, timing.expected_ms(a), p)  # type: ignore[operator]
    for a, b in itertools.pairwise(turns):
        if a.speaker is not None and a.speaker == b.speaker:
            total += p.same_speaker_cost
    return total
