"""The repair stage's tuning: one frozen :class:`RepairParams`, passed to :func:`toolkit.repair.repair` and
:func:`toolkit.repair.analyse` (:data:`DEFAULT_PARAMS` when none is given).

The lowest module of :mod:`toolkit.repair`: the speaker merge (:mod:`~toolkit.repair.speakers`), the
duplicate search (:mod:`~toolkit.repair.duplicates`), the timeline (:mod:`~toolkit.repair.order`) and the
evidence that prices them all (:mod:`~toolkit.repair.evidence`, whose :class:`~toolkit.repair.evidence.Timing`
carries the instance down) read their settings from the instance the call carries, never from module
constants. Rules that define a comparison rather than tune it (a title list, the shapes of sentence groups
tried, "one edit, two for words of 7+ letters") stay with the code that applies them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DEFAULT_PARAMS", "RepairParams"]


@dataclass(frozen=True, slots=True)
class RepairParams:
    """Settings of one :func:`toolkit.repair.repair` call; the defaults are the tuned ones."""

    # ---- the evidence: how well a gap between two turn starts fits the words (evidence.gap_cost)
    slack_ms: int = 5000  # added to both sides of the gap/expected ratio: pauses dominate short turns
    tolerance: float = math.log(1.3)  # log ratios within this (1.3x) cost nothing
    same_speaker_cost: float = 0.5  # two turns in a row by one speaker: weak evidence against an arrangement
    backwards_cost: float = 20.0  # a gap below zero
    # T003 thresholds: "600 words in 10 s" and "5 words in 3 minutes" are implausible, ordinary variation not
    fast_factor: float = 4.0  # a gap is too fast below (expected - fast_slack_ms) / this ...
    fast_slack_ms: int = 5000  # ... (see fast_factor)
    slow_factor: float = 3.0  # a gap is too slow above expected * this + slow_slack_ms ...
    slow_slack_ms: int = 20000  # ... (see slow_factor)

    # ---- the duplicate search: anchors and runs (duplicates.anchors)
    min_anchor_words: int = 4  # shorter sentences never start a match ("Yes.", "I don't know.", "No, NATO.")
    min_same_turn_words: int = 12  # a sentence repeated inside one turn is emphasis unless this long
    min_ratio: float = 85.0  # rapidfuzz ratio on normalised text for two sentences to be copies
    window_sentences: int = 400  # search window in sentences ...
    window_ms: int = 20 * 60 * 1000  # ... and in time
    max_checks: int = 12  # candidates examined per key
    max_step: int = 3  # anchors of one run advance by at most this many sentences on both sides
    min_glued_words: int = 10  # this long at the edge of another speaker's turn: maybe a pasted copy
    open_runs: int = 6  # the most recent runs an anchor may continue

    # ---- filling a run and accepting it (duplicates.run_pairs, duplicates.search)
    min_relaxed_ratio: float = 80.0  # rapidfuzz ratio for short sentences joining a run
    short_offset_tolerance_ms: int = 2000  # a short turn joins a run at the ends only on the run's offset
    min_run_words: int = 8  # a run (or a lone sentence) needs this many matched words to count as a duplicate
    max_lone_changes: int = 1  # a lone sentence is a copy with at most this many words changed ...
    near_miss_ratio: float = 60.0  # ... beyond typos: words this close ("you"/"you'd", "Kiev"/"Kyiv")

    # ---- which copy to keep (duplicates.keep_choice) and the time-base jumps copies show (stage, T005)
    keep_later_margin: float = 1.0  # keeping the later copy must be cheaper by this much
    context_turns: int = 2  # turns either side priced with a decision
    glued_cost: float = 0.5  # keeping a copy glued to the end of another turn: its timestamp is not its own
    timebase_min_ms: int = 10_000  # duplicate copies further apart than this show two time bases ...
    timebase_tolerance: float = 0.35  # ... if the gap left there matches their offset within this share
    timebase_min_slack_ms: int = 5000  # ... or within this much, whichever is more

    # ---- the timeline (order.timeline_state, order.blocks, order.time_base)
    retime_cost: float = 0.1  # per timestamp replaced: on a tie, moving a block beats rewriting it
    typo_swap_penalty: float = 0.0  # added to a typo candidate's cost: two digits swapped (likeliest)
    typo_hour_penalty: float = 0.05  # ... a wrong or missing hour
    typo_fields_penalty: float = 0.05  # ... minutes and seconds (or hours and minutes) swapped
    typo_digit_penalty: float = 0.15  # ... one digit mistyped
    typo_trust: float = 1.0  # a typo that fits exactly beats a shifted run unless that is clearly cheaper
    typo_slack: float = 0.35  # a typo candidate is taken costing at most this much more than the estimate
    shift_rest_penalty: float = 1.0  # shifting everything after a point is a big change: needs clear evidence
    shift_window: int = 20  # turns searched for the other end of a shifted run
    shift_tolerance_ms: int = 10_000  # the two ends of a shifted run agree within this ...
    shift_tolerance_share: float = 0.25  # ... or within this share of the step back, whichever is more

    # ---- speaker variants (speakers, speaker_names)
    max_alternations: int = 2  # two names next to each other more often than this (and mostly) are two people
    min_typo_letters_single: int = 5  # one-word names shorter than this are never typo-merged (Mark / Mary)
    max_typo_family: int = 8  # more names than this sharing a spelling up to two edits: not typos of one name

    def typo_penalty(self, kind: str) -> float:
        """The penalty for a typo of ``kind`` (``swap``, ``hour``, ``fields`` or ``digit``)."""
        if kind == "swap":
            return self.typo_swap_penalty
        if kind == "hour":
            return self.typo_hour_penalty
        if kind == "fields":
            return self.typo_fields_penalty
        if kind == "digit":
            return self.typo_digit_penalty
        raise KeyError(kind)


DEFAULT_PARAMS = RepairParams()
