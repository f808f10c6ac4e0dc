"""Turns off the timeline's longest chain: moved back as a block, re-timed, or the rest shifted after them.

Step 2 of :mod:`toolkit.repair.order`. The longest non-decreasing chain of timestamps
(:func:`longest_chain`) is the trusted skeleton; each run of timed turns off it is explained by the cheapest
hypothesis: *move* (a block pasted in the wrong place goes to where its timestamps belong, T008),
*retime* (its timestamps are wrong: :meth:`~toolkit.repair.order.timeline_state.TimelineState.retime_options`,
T007/T005), or *timebase* (the time base jumps back after it: the rest of the transcript is shifted, T005).
Moves and shifts are collected in a :class:`_Reordering` and applied once every run is decided.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

from ...model import Turn
from ...rules import finding
from ...timecode import format_clock
from ...timing import RateModel
from ..changes import Change, short, signed_duration_text
from ..evidence import Timing, sequence_cost
from .timeline_state import TimelineState, apply_retime, lines_and_text

__all__ = ["fix_order", "longest_chain"]


def longest_chain(values: Sequence[int]) -> list[int]:
    """Indices of a longest non-decreasing subsequence of ``values`` (patience sorting)."""
    tails: list[int] = []  # values
    tail_idx: list[int] = []
    prev: list[int] = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect.bisect_right(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[k] = v
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k > 0 else -1
    out: list[int] = []
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        out.append(i)
        i = prev[i]
    return out[::-1]


def _runs_off_chain(count: int, chain: Sequence[int]) -> list[tuple[int, int]]:
    """The maximal runs ``(first, last)`` of positions in ``range(count)`` that are not on ``chain``."""
    on_chain = [False] * count
    for k in chain:
        on_chain[k] = True
    runs: list[tuple[int, int]] = []
    k = 0
    while k < count:
        if on_chain[k]:
            k += 1
            continue
        j = k
        while j + 1 < count and not on_chain[j + 1]:
            j += 1
        runs.append((k, j))
        k = j + 1
    return runs


@dataclass(frozen=True, slots=True)
class _Chain:
    """The timed turns and the longest chain through their timestamps (positions are among the timed)."""

    timed: list[int]  # indices of the turns that have a timestamp
    times: list[int]  # their timestamps, as the transcript gives them
    chain: list[int]  # positions in ``timed`` on the longest chain
    chain_times: list[int]  # the timestamps along the chain

    def turn(self, turns: Sequence[Turn], k: int) -> Turn | None:
        """The turn at timed position ``k``, None outside the transcript."""
        return turns[self.timed[k]] if 0 <= k < len(self.timed) else None


@dataclass(slots=True)
class _Reordering:
    """Moves and shifts decided run by run, applied once every run is decided."""

    order_key: dict[int, tuple[float, int]] = field(default_factory=dict)  # turn index -> new sort key
    shift_from: list[tuple[int, int]] = field(default_factory=list)  # (turn index, shift) to the end


class _Hypothesis(NamedTuple):
    """One explanation of a run off the chain: its cost and how to carry it out."""

    cost: float
    apply: Callable[[], None]


def fix_order(state: TimelineState) -> None:
    """Explain each run of timed turns off the longest chain by its cheapest hypothesis and carry it out."""
    turns = state.turns
    timed = [i for i, t in enumerate(turns) if t.start_ms is not None]
    if len(timed) < 2:
        return
    times = [turns[i].start_ms or 0 for i in timed]
    chain = longest_chain(times)
    runs = _runs_off_chain(len(timed), chain)
    if not runs:
        return
    line = _Chain(timed, times, chain, [times[c] for c in chain])
    # rates from the consistent chain only: the turns off it would skew them
    state.timing = Timing(RateModel.fit([turns[timed[c]] for c in chain]), state.params)
    pending = _Reordering()
    for lo, hi in runs:
        _best_hypothesis(state, line, pending, lo, hi).apply()
    _apply_reordering(state, pending)


def _best_hypothesis(
    state: TimelineState, line: _Chain, pending: _Reordering, lo: int, hi: int
) -> _Hypothesis:
    """The cheapest hypothesis for the run lo..hi; for one turn, also for its neighbour on the chain
    instead (the longest chain may have dropped the wrong one of two neighbours)."""
    turns, times = state.turns, line.times
    p, n = line.turn(turns, lo - 1), line.turn(turns, hi + 1)
    best = _hypotheses(state, line, pending, lo, hi, p, n)[0]
    if lo != hi:
        return best
    k, here = lo, turns[line.timed[lo]]
    if p is not None and times[k - 1] > times[k] and (k < 2 or times[k - 2] <= times[k]):
        before_p = line.turn(turns, k - 2)  # p is the wrong one: re-explain p between its neighbours
        alt = _hypotheses(state, line, pending, k - 1, k - 1, before_p, here)[0]
        if alt.cost + _pair_cost(state, here, n) < best.cost + _pair_cost(state, before_p, p):
            best = alt
    elif n is not None and times[k] > times[k + 1] and (k + 2 == len(line.timed) or times[k] <= times[k + 2]):
        after_n = line.turn(turns, k + 2)  # n is the wrong one
        alt = _hypotheses(state, line, pending, k + 1, k + 1, here, after_n)[0]
        if alt.cost + _pair_cost(state, p, here) < best.cost + _pair_cost(state, n, after_n):
            best = alt
    return best


def _pair_cost(state: TimelineState, x: Turn | None, y: Turn | None) -> float:
    return sequence_cost(state.timing, [x, y]) if x is not None and y is not None else 0.0


def _hypotheses(
    state: TimelineState, line: _Chain, pending: _Reordering, lo: int, hi: int, p: Turn | None, n: Turn | None
) -> list[_Hypothesis]:
    """The hypotheses for timed turns lo..hi lying off the chain between p and n, cheapest first."""
    members = [line.timed[x] for x in range(lo, hi + 1)]
    run = [state.turns[i] for i in members]
    starts = [t.start_ms or 0 for t in run]
    in_order = starts == sorted(starts)
    dest_cost, move = _move_destination(state, line, run, p, n) if in_order else (0.0, None)
    options: list[_Hypothesis] = []
    for cost, new_starts, kind, why in state.retime_options(p, run, n):
        cost += state.params.retime_cost * len(run)  # a timestamp kept as written is evidence too
        retime = partial(apply_retime, state, members, new_starts, kind, why, p, n)
        options.append(_Hypothesis(cost + dest_cost, retime))
    if move is not None:
        move_cost, anchor = move
        options.append(_Hypothesis(move_cost, partial(_apply_move, state, pending, members, anchor, p, n)))
    if n is not None and hi + 1 < len(line.timed) and in_order and len(run) >= 2:
        shift = state.round(starts[-1] + state.exp(run[-1]) - (n.start_ms or 0))
        n_shifted = state.at(n, (n.start_ms or 0) + shift)
        cost = sequence_cost(state.timing, [*(x for x in (p,) if x is not None), *run, n_shifted])
        shift_rest = partial(_apply_rest_shift, state, pending, line.timed[hi + 1], shift, run, n)
        options.append(_Hypothesis(cost + dest_cost + state.params.shift_rest_penalty, shift_rest))
    options.sort(key=lambda o: o.cost)
    return options


def _move_destination(
    state: TimelineState, line: _Chain, run: Sequence[Turn], p: Turn | None, n: Turn | None
) -> tuple[float, tuple[float, int] | None]:
    """Where the run's own timestamps put it on the chain: the cost of that place as it is, and the cost of
    the move with the turn it goes after (-1: the start); ``(0.0, None)`` when the run cannot go there."""
    turns, timed, chain = state.turns, line.timed, line.chain
    first, last = run[0].start_ms or 0, run[-1].start_ms or 0
    c = bisect.bisect_right(line.chain_times, first)
    before = turns[timed[chain[c - 1]]] if c > 0 else None
    after = turns[timed[chain[c]]] if c < len(chain) else None
    fits = after is None or last <= (after.start_ms or 0)
    if not (fits and before is not p and (before is not None or after is not None)):
        return 0.0, None
    if any(x is t for t in run for x in (before, after)):
        # the run is on the chain itself (its neighbour was the turn off it, see _best_hypothesis): a
        # move next to itself changes nothing but its timestamp, which is a retime's to explain
        return 0.0, None
    dest_cost = sequence_cost(state.timing, [x for x in (before, after) if x is not None])
    moved_cost = sequence_cost(
        state.timing,
        [*(x for x in (before,) if x is not None), *run, *(x for x in (after,) if x is not None)],
    )
    source_cost = sequence_cost(state.timing, [x for x in (p, n) if x is not None])
    return dest_cost, (moved_cost + source_cost, timed[chain[c - 1]] if c > 0 else -1)


def _apply_move(
    state: TimelineState,
    pending: _Reordering,
    members: list[int],
    anchor: int,
    p: Turn | None,
    n: Turn | None,
) -> None:
    """Move the block at ``members`` after the turn at ``anchor`` (-1: the start) and report it (T008)."""
    run = [state.turns[i] for i in members]
    lines, text = lines_and_text(run)
    if members:  # carry untimed turns inside the block with it
        block = list(range(members[0], members[-1] + 1))
    for sub, i in enumerate(block, start=1):
        pending.order_key[i] = (anchor + 0.5 if anchor >= 0 else -0.5, sub)
    dest = state.turns[anchor] if anchor >= 0 else None
    where = "to the start"
    if dest is not None:
        where = f"after line {dest.line} ({format_clock(dest.start_ms or 0)})"
    first, last = run[0].start_ms or 0, run[-1].start_ms or 0
    src = f"between lines {p.line} and {n.line}" if p is not None and n is not None else "out of order"
    reason = (
        f"its timestamps {format_clock(first)}-{format_clock(last)} do not fit {src}; "
        f"they continue the chain {where}, where the speech rates and speakers fit"
    )
    data: dict[str, Any] = {
        "lines": list(lines),
        "after_line": dest.line if dest is not None else None,
        "start_ms": first,
        "end_ms": last,
    }
    state.changes.append(Change("reorder", lines, text, None, reason, data))
    state.findings.append(
        finding(
            "T008",
            f"block of {len(run)} turn(s) moved {where}: {reason}",
            path=state.path,
            line=lines[0],
            **data,
        )
    )


def _apply_rest_shift(
    state: TimelineState, pending: _Reordering, start: int, shift: int, run: Sequence[Turn], n: Turn
) -> None:
    """Shift every turn from ``start`` on by ``shift`` (once all runs are decided) and report it (T005)."""
    pending.shift_from.append((start, shift))
    last = run[-1]
    reason = (
        f"the time base jumps back at line {n.line} ({format_clock(n.start_ms or 0)} after "
        f"{format_clock(last.start_ms or 0)} on line {last.line}); the turns from line {n.line} on were "
        f"shifted by {signed_duration_text(shift)} to follow on"
    )
    data: dict[str, Any] = {"lines": [n.line], "shift_ms": shift, "corrected": True}
    state.changes.append(Change("timebase", (n.line,), short(n.text), None, reason, data))
    state.findings.append(
        finding(
            "T005",
            f"time base jumps by {signed_duration_text(-shift)}: {reason}",
            path=state.path,
            line=n.line,
            **data,
        )
    )


def _apply_reordering(state: TimelineState, pending: _Reordering) -> None:
    """Carry out the shifts, then put the moved blocks in their places."""
    _shift_turns(state, pending.shift_from)
    if pending.order_key:
        keyed = sorted(range(len(state.turns)), key=lambda i: pending.order_key.get(i, (float(i), 0)))
        state.turns = [state.turns[i] for i in keyed]


def _shift_turns(state: TimelineState, shifts: Sequence[tuple[int, int]]) -> None:
    """Move every timed turn from each ``(start index, shift)`` on by the shift (never below 0), the shifts
    in order. In one pass over the turns (a transcript pasted in 1,600 restarting chunks made 1,600 passes
    over 16,000 turns): shifting by ``s`` is ``x -> max(0, x + s)``, and a run of them composes to
    ``x -> max(low, x + total)``, so each turn moves once, by the shifts that start at or before it."""
    if not shifts:
        return
    if any(a[0] > b[0] for a, b in itertools.pairwise(shifts)):  # out of order: one pass per shift
        for start, shift in shifts:
            for i in range(start, len(state.turns)):
                t = state.turns[i]
                if t.start_ms is not None:
                    state.turns[i] = state.at(t, max(0, t.start_ms + shift))
        return
    low, total, k = -math.inf, 0, 0
    for i in range(shifts[0][0], len(state.turns)):
        while k < len(shifts) and shifts[k][0] <= i:
            low, total = max(0.0, low + shifts[k][1]), total + shifts[k][1]
            k += 1
        t = state.turns[i]
        if t.start_ms is not None:
            state.turns[i] = state.at(t, int(max(low, t.start_ms + total)))
