"""Runs on another time base: shifted by a constant, then back on the main time base.

Step 1 of :mod:`toolkit.repair.order`, before the longest chain is taken. Such a run shows as a gap too
long at one end and a backwards step of about the same size at the other; shifting the run back makes both
ends fit (T005). A block pasted elsewhere, or one wrong timestamp, may explain the same step as well: then
the run is left to :mod:`~toolkit.repair.order.blocks`.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence

from ...model import Turn
from ..changes import duration_text
from ..evidence import implausible, sequence_cost
from .timeline_state import TimelineState, apply_retime

__all__ = ["fix_shifted_runs"]

# a shifted run: (cost, first, last, shift), first and last as positions among the timed turns
Shift = tuple[float, int, int, int]


def fix_shifted_runs(state: TimelineState) -> None:
    """Shift back each run whose ends fit once shifted, unless a move or one typo explains it as well."""
    turns = state.turns
    timed = [i for i, t in enumerate(turns) if t.start_ms is not None]
    if len(timed) < 4:
        return
    k = 1
    while k < len(timed):
        t_prev, t_cur = turns[timed[k - 1]], turns[timed[k]]
        if (t_cur.start_ms or 0) >= (t_prev.start_ms or 0):
            k += 1
            continue
        best = _best_shift(state, timed, k)
        if best is not None:
            single, typo = _single_cost(state, timed, k, best)
            if single <= best[0] or (typo and single <= best[0] + state.params.typo_trust):
                best = None  # one wrong timestamp explains it as well
        if best is None:
            k += 1
            continue
        _, lo, hi, shift = best
        members = [timed[x] for x in range(lo, hi + 1)]
        starts = [(turns[i].start_ms or 0) + shift for i in members]
        p = turns[timed[lo - 1]] if lo > 0 else None
        n = turns[timed[hi + 1]] if hi + 1 < len(timed) else None
        why = f"the run is on a time base {duration_text(abs(shift))} {'late' if shift < 0 else 'early'}"
        apply_retime(state, members, starts, "timebase", why, p, n)
        k = hi + 2


def _best_shift(state: TimelineState, timed: Sequence[int], k: int) -> Shift | None:
    """The cheapest shifted run explaining the backwards step at timed position ``k``: the run before k is
    late (it started with a long gap) or the run from k is early (it ends with one)."""
    turns, params = state.turns, state.params
    t_prev, t_cur = turns[timed[k - 1]], turns[timed[k]]
    deficit = (t_prev.start_ms or 0) + state.exp(t_prev) - (t_cur.start_ms or 0)
    allowed = max(params.shift_tolerance_ms, params.shift_tolerance_share * deficit)  # the ends' disagreement
    best: Shift | None = None
    for lo, hi, sign in [(i, k - 1, -1) for i in range(max(1, k - params.shift_window), k)] + [
        (k, j - 1, 1) for j in range(k + 1, min(len(timed), k + params.shift_window + 1))
    ]:
        if hi <= lo:
            continue  # one turn is a wrong timestamp, not a time base (see blocks.fix_order)
        edge = lo if sign < 0 else hi + 1
        a, b = turns[timed[edge - 1]], turns[timed[edge]]
        excess = (b.start_ms or 0) - (a.start_ms or 0) - state.exp(a)
        if excess <= 0 or abs(excess - deficit) > allowed:
            continue
        move = _move_cost(state, timed, lo, hi)
        for size in {excess, deficit, (excess + deficit) // 2}:
            shift = sign * state.round(size)
            cost = _shifted_cost(state, timed, lo, hi, shift)
            if cost is None:
                continue
            cost += params.retime_cost * (hi - lo + 1) + move[1]
            if move[0] is not None and move[0] <= cost:
                continue  # a block pasted elsewhere explains it as well, keeping the timestamps
            if best is None or cost < best[0]:
                best = (cost, lo, hi, shift)
    return best


def _single_cost(state: TimelineState, timed: Sequence[int], k: int, shifted: Shift) -> tuple[float, bool]:
    """Cost of explaining the backwards step at timed position k by one wrong timestamp (k or k - 1), plus
    the gap at the far end of the shifted-run hypothesis, which that explanation leaves as it is."""
    turns = state.turns
    _, lo, hi, _ = shifted
    edge = lo if lo < k else hi + 1
    far = sequence_cost(state.timing, [turns[timed[edge - 1]], turns[timed[edge]]])
    best, typo = math.inf, False
    for x in (k - 1, k):
        if x <= 0 or x + 1 >= len(timed):
            continue
        p, t, n = turns[timed[x - 1]], turns[timed[x]], turns[timed[x + 1]]
        if (n.start_ms or 0) < (p.start_ms or 0):
            continue
        cost, _, _, why = min(state.retime_options(p, [t], n), key=lambda o: o[0])
        if cost + state.params.retime_cost < best:
            best, typo = cost + state.params.retime_cost, why.startswith("probably a typo")
    return best + far, typo


def _move_cost(state: TimelineState, timed: Sequence[int], lo: int, hi: int) -> tuple[float | None, float]:
    """(cost of moving timed turns lo..hi to where their timestamps fit, cost of that place left as it is)."""
    turns = state.turns
    run = [turns[timed[x]] for x in range(lo, hi + 1)]
    starts = [t.start_ms or 0 for t in run]
    if starts != sorted(starts):
        return None, 0.0
    rest = [turns[timed[x]] for x in range(len(timed)) if not lo <= x <= hi]
    times = [t.start_ms or 0 for t in rest]
    q = bisect.bisect_right(times, starts[0])
    if (q < len(times) and times[q] < starts[-1]) or (q > 0 and times[q - 1] > starts[0]):
        return None, 0.0
    before = rest[q - 1] if q > 0 else None
    after = rest[q] if q < len(rest) else None
    if before is not None and before is (turns[timed[lo - 1]] if lo > 0 else None):
        return None, 0.0
    dest = [x for x in (before, after) if x is not None]
    moved = [*(x for x in (before,) if x is not None), *run, *(x for x in (after,) if x is not None)]
    source = [
        x
        for x in (
            (turns[timed[lo - 1]] if lo > 0 else None),
            (turns[timed[hi + 1]] if hi + 1 < len(timed) else None),
        )
        if x is not None
    ]
    return sequence_cost(state.timing, moved) + sequence_cost(state.timing, source), sequence_cost(
        state.timing, dest
    )


def _shifted_cost(state: TimelineState, timed: Sequence[int], lo: int, hi: int, shift: int) -> float | None:
    """Cost around timed turns lo..hi shifted by ``shift``; None when an end still does not fit or a turn
    would start before 0 (a time base before the start of the recording is no explanation)."""
    turns = state.turns
    if any((turns[timed[x]].start_ms or 0) + shift < 0 for x in range(lo, hi + 1)):
        return None
    seq: list[Turn] = []
    if lo > 0:
        seq.append(turns[timed[lo - 1]])
    for x in range(lo, hi + 1):
        seq.append(state.at(turns[timed[x]], (turns[timed[x]].start_ms or 0) + shift))
    if hi + 1 < len(timed):
        seq.append(turns[timed[hi + 1]])
    for a, b in itertools.pairwise(seq):
        gap = (b.start_ms or 0) - (a.start_ms or 0)
        if gap < 0 or implausible(gap, state.exp(a), state.params) is not None:
            return None
    return sequence_cost(state.timing, seq)
