"""Putting a transcript's timeline in order: backwards timestamps, impossible gaps, missing timestamps.

The timeline step of the repair stage (:mod:`toolkit.repair.stage` runs it after speakers and duplicates),
in the order :func:`repair_timeline` runs it:

1. Runs shifted by a constant that return to the main time base are shifted back
   (:mod:`~toolkit.repair.order.time_base`).
2. The longest non-decreasing chain of timestamps (O(n log n)) is taken as the trusted skeleton; the turns
   off the chain form runs (:mod:`~toolkit.repair.order.blocks`). Each run is explained by the cheapest
   hypothesis (:mod:`~toolkit.repair.evidence` prices them with the speakers' rates and speaker
   alternation):

   ======== ==================================================================================
   move     a block pasted in the wrong place: moved to where its timestamps belong (T008)
   retime   a wrong timestamp (typo 00:31:14 for 00:13:14, swapped digits, missing hour): a typo
            candidate that fits, else an estimate from the neighbours (T007)
   timebase a run on another time base: shifted by a constant, the rest keeps its times (T005)
   ======== ==================================================================================

3. Gaps that keep order but cannot fit the words (T003) are re-timed when moving one timestamp makes both
   of its gaps plausible, and reported otherwise (:mod:`~toolkit.repair.order.rate_gaps`).
4. Turns without a timestamp get one by interpolation at the speakers' rates (P004,
   :mod:`~toolkit.repair.order.timeline`).

:mod:`~toolkit.repair.order.timeline_state` holds what the steps share: the turns being repaired, the
changes and findings so far, and the re-timing hypotheses (estimates, typo candidates, time-base shifts).
"""

from __future__ import annotations

from .blocks import longest_chain
from .timeline import TimelineResult, repair_timeline
from .timeline_state import typo_candidates

__all__ = ["TimelineResult", "longest_chain", "repair_timeline", "typo_candidates"]
