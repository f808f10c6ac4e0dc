"""Putting a transcript's timeline in order: backwards timestamps, impossible gaps, missing timestamps.

1. The longest non-decreasing chain of timestamps (O(n log n)) is taken as the trusted skeleton; the turns
   off the chain form runs.
2. Each run is explained by the cheapest hypothesis (:mod:`~toolkit.repair.evidence` prices them with the
   speakers' rates and speaker alternation):

   ======== ==================================================================================
   move     a block pasted in the wrong place: moved to where its timestamps belong (T008)
   retime   a wrong timestamp (typo 00:31:14 for 00:13:14, swapped digits, missing hour): a typo
            candidate that fits, else an estimate from the neighbours (T007)
   timebase a run on another time base: shifted by a constant, the rest keeps its times (T005)
   ======== ==================================================================================

3. Gaps that keep order but cannot fit the words (T003) are re-timed when moving one timestamp makes both
   of its gaps plausible, and reported otherwise.
4. Turns without a timestamp get one by interpolation at the speakers' rates (P004).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Finding, Turn
from ..rules import finding
from ..timecode import format_clock, split_ms
from ..timing import RateModel, count_words
from .evidence import Timing, implausible, sequence_cost
from .report import Change, short

__all__ = ["TimelineResult", "longest_chain", "repair_timeline", "typo_candidates"]

RETIME_COST = 0.1  # per timestamp replaced: on a tie, moving a block beats rewriting its timestamps
SHIFT_REST_PENALTY = 1.0  # shifting everything after a point is a big change: needs clear evidence
SHIFT_WINDOW = 20  # turns searched for the other end of a shifted run
SHIFT_TOLERANCE_MS = 10_000  # the two ends of a shifted run agree within this (or a quarter)
TYPO_PENALTY = {"swap": 0.0, "hour": 0.05, "fields": 0.05, "digit": 0.15}
TYPO_TRUST = 1.0  # a typo that fits exactly beats a shifted run unless that is clearly cheaper
TYPO_SLACK = 0.35  # a typo candidate is taken when it costs at most this much more than the estimate


@dataclass(slots=True)
class TimelineResult:
    turns: list[Turn]
    changes: list[Change]
    findings: list[Finding]


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


def typo_candidates(ms: int) -> list[tuple[int, str, str]]:
    """Timestamps ``ms`` may have been mistyped for: ``(candidate_ms, kind, description)``."""
    h, m, s, frac = split_ms(ms)
    digits = f"{h:02d}{m:02d}{s:02d}"
    out: dict[int, tuple[str, str]] = {}

    def add(hh: int, mm: int, ss: int, kind: str, how: str) -> None:
        if hh >= 0 and 0 <= mm < 60 and 0 <= ss < 60:
            value = ((hh * 60 + mm) * 60 + ss) * 1000 + frac
            if value != ms and (value not in out or TYPO_PENALTY[kind] < TYPO_PENALTY[out[value][0]]):
                out[value] = (kind, how)

    def from_digits(d: str, kind: str, how: str) -> None:
        add(int(d[0:2]), int(d[2:4]), int(d[4:6]), kind, how)

    for i in range(5):
        d = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        from_digits(d, "swap", "two digits swapped")
    add(h, s, m, "fields", "minutes and seconds swapped")
    add(m, h, s, "fields", "hours and minutes swapped")
    for dh in (-2, -1, 1, 2):
        add(h + dh, m, s, "hour", "wrong hour" if h else "missing hour")
    for i in range(6):
        for c in "0123456789":
            if c != digits[i]:
                from_digits(digits[:i] + c + digits[i + 1 :], "digit", "one digit mistyped")
    return [(v, k, how) for v, (k, how) in sorted(out.items())]


class _Timeline:
    def __init__(self, turns: Sequence[Turn], timing: Timing, path: str | None, whole_seconds: bool) -> None:
        self.turns = list(turns)
        self.timing = timing
        self.path = path
        self.whole_seconds = whole_seconds
        self.changes: list[Change] = []
        self.findings: list[Finding] = []

    def round(self, ms: int) -> int:
        ms = max(0, ms)
        return round(ms / 1000) * 1000 if self.whole_seconds else ms

    def exp(self, t: Turn) -> int:
        return self.timing.expected_ms(t)

    def at(self, t: Turn, ms: int) -> Turn:
        return t.retimed(ms)

    # -- hypotheses for a run of turns off the chain ---------------------------------------------------
    def interpolate(self, p: Turn | None, run: Sequence[Turn], n: Turn | None) -> list[int]:
        """Starts for ``run`` between ``p`` and ``n`` in proportion to the expected speaking times."""
        durs = [self.exp(t) for t in run]
        if p is not None and p.start_ms is not None:
            lead = self.exp(p)
            if n is not None and n.start_ms is not None:
                span = max(0, n.start_ms - p.start_ms)
                weights = [lead, *durs]
                total = sum(weights) or 1
                acc, out = 0, []
                for w in weights[:-1]:
                    acc += w
                    out.append(p.start_ms + span * acc // total)
                return [self.round(x) for x in out]
            acc = p.start_ms + lead
            out = []
            for d in durs:
                out.append(self.round(acc))
                acc += d
            return out
        assert n is not None and n.start_ms is not None
        acc = n.start_ms
        rev = []
        for d in reversed(durs):
            acc -= d
            rev.append(self.round(max(0, acc)))
        out = rev[::-1]
        return [min(x, n.start_ms) for x in out]

    def retime_options(
        self, p: Turn | None, run: Sequence[Turn], n: Turn | None
    ) -> list[tuple[float, list[int], str, str]]:
        """(cost, starts, kind, reason) for re-timing ``run`` in place."""
        opts: list[tuple[float, list[int], str, str]] = []

        def price(starts: list[int]) -> float:
            seq = [x for x in (p,) if x is not None]
            seq += [self.at(t, s) for t, s in zip(run, starts, strict=True)]
            seq += [x for x in (n,) if x is not None]
            return sequence_cost(self.timing, seq)

        est = self.interpolate(p, run, n)
        est_cost = price(est)
        opts.append((est_cost, est, "retime", "estimated from the neighbouring turns and the speech rates"))
        lo = p.start_ms if p is not None and p.start_ms is not None else 0
        hi = n.start_ms if n is not None and n.start_ms is not None else None
        if len(run) == 1 and run[0].start_ms is not None:
            best: tuple[float, list[int], str, str] | None = None
            for value, kind, how in typo_candidates(run[0].start_ms):
                if value < lo or (hi is not None and value > hi):
                    continue
                c = price([value]) + TYPO_PENALTY[kind]
                if c <= est_cost + TYPO_SLACK and (best is None or c < best[0]):
                    why = f"probably a typo for {format_clock(value)} ({how})"
                    best = (c, [value], "retime", why)
            if best is not None:  # a typo that fits explains the timestamp better than any estimate
                opts = [best]
        elif len(run) > 1 and all(a.start_ms is not None for a in run):
            starts = [t.start_ms for t in run if t.start_ms is not None]
            if starts == sorted(starts):
                shifts = []
                if p is not None and p.start_ms is not None:
                    shifts.append(p.start_ms + self.exp(p) - starts[0])
                if hi is not None:
                    shifts.append(hi - self.exp(run[-1]) - starts[-1])
                for d in shifts:
                    d = (1 if d >= 0 else -1) * self.round(abs(d))
                    moved = [s + d for s in starts]
                    if moved[0] >= lo and (hi is None or moved[-1] <= hi):
                        late = "late" if d < 0 else "early"
                        why = f"the run is on a time base {_duration(abs(d))} {late}"
                        opts.append((price(moved), moved, "timebase", why))
        return opts


def repair_timeline(
    turns: Sequence[Turn], timing: Timing, *, path: str | None = None, whole_seconds: bool = True
) -> TimelineResult:
    tl = _Timeline(turns, timing, path, whole_seconds)
    _backwards_findings(tl)
    _fix_shifted_runs(tl)
    _fix_order(tl)
    _fix_rates(tl)
    _fill_missing(tl)
    _clamp(tl)
    return TimelineResult(tl.turns, tl.changes, tl.findings)


def _backwards_findings(tl: _Timeline) -> None:
    last: Turn | None = None
    for t in tl.turns:
        if t.start_ms is None:
            continue
        if last is not None and last.start_ms is not None and t.start_ms < last.start_ms:
            tl.findings.append(
                finding(
                    "T001",
                    f"timestamp {format_clock(t.start_ms)} is earlier than {format_clock(last.start_ms)} "
                    f"on line {last.line}",
                    path=tl.path,
                    line=t.line,
                    start_ms=t.start_ms,
                    previous_ms=last.start_ms,
                    previous_line=last.line,
                )
            )
        last = t


def _fix_shifted_runs(tl: _Timeline) -> None:
    """Runs shifted by a constant that return to the main time base: a gap too long at one end, a
    backwards step of about the same size at the other. Shifting the run back makes both ends fit."""
    turns = tl.turns
    timed = [i for i, t in enumerate(turns) if t.start_ms is not None]
    if len(timed) < 4:
        return
    k = 1
    while k < len(timed):
        t_prev, t_cur = turns[timed[k - 1]], turns[timed[k]]
        if (t_cur.start_ms or 0) >= (t_prev.start_ms or 0):
            k += 1
            continue
        deficit = (t_prev.start_ms or 0) + tl.exp(t_prev) - (t_cur.start_ms or 0)
        best: tuple[float, int, int, int] | None = None  # cost, first, last (timed positions), shift
        # the run before k is late (it started with a long gap) or the run from k is early (it ends with one)
        for lo, hi, sign in [(i, k - 1, -1) for i in range(max(1, k - SHIFT_WINDOW), k)] + [
            (k, j - 1, 1) for j in range(k + 1, min(len(timed), k + SHIFT_WINDOW + 1))
        ]:
            if hi <= lo:
                continue  # one turn is a wrong timestamp, not a time base (see _fix_order)
            edge = lo if sign < 0 else hi + 1
            a, b = turns[timed[edge - 1]], turns[timed[edge]]
            excess = (b.start_ms or 0) - (a.start_ms or 0) - tl.exp(a)
            if excess <= 0 or abs(excess - deficit) > max(SHIFT_TOLERANCE_MS, 0.25 * deficit):
                continue
            move = _move_cost(tl, timed, lo, hi)
            for size in {excess, deficit, (excess + deficit) // 2}:
                shift = sign * tl.round(size)
                cost = _shifted_cost(tl, timed, lo, hi, shift)
                if cost is None:
                    continue
                cost += RETIME_COST * (hi - lo + 1) + move[1]
                if move[0] is not None and move[0] <= cost:
                    continue  # a block pasted elsewhere explains it as well, keeping the timestamps
                if best is None or cost < best[0]:
                    best = (cost, lo, hi, shift)
        if best is not None:
            single, typo = _single_cost(tl, timed, k, best)
            if single <= best[0] or (typo and single <= best[0] + TYPO_TRUST):
                best = None  # one wrong timestamp explains it as well
        if best is None:
            k += 1
            continue
        _, lo, hi, shift = best
        members = [timed[x] for x in range(lo, hi + 1)]
        starts = [(turns[i].start_ms or 0) + shift for i in members]
        p = turns[timed[lo - 1]] if lo > 0 else None
        n = turns[timed[hi + 1]] if hi + 1 < len(timed) else None
        why = f"the run is on a time base {_duration(abs(shift))} {'late' if shift < 0 else 'early'}"
        _retimer(tl, members, starts, "timebase", why, p, n)()
        k = hi + 2


def _single_cost(
    tl: _Timeline, timed: Sequence[int], k: int, shifted: tuple[float, int, int, int]
) -> tuple[float, bool]:
    """Cost of explaining the backwards step at timed position k by one wrong timestamp (k or k - 1), plus
    the gap at the far end of the shifted-run hypothesis, which that explanation leaves as it is."""
    turns = tl.turns
    _, lo, hi, _ = shifted
    edge = lo if lo < k else hi + 1
    far = sequence_cost(tl.timing, [turns[timed[edge - 1]], turns[timed[edge]]])
    best, typo = math.inf, False
    for x in (k - 1, k):
        if x <= 0 or x + 1 >= len(timed):
            continue
        p, t, n = turns[timed[x - 1]], turns[timed[x]], turns[timed[x + 1]]
        if (n.start_ms or 0) < (p.start_ms or 0):
            continue
        cost, _, _, why = min(tl.retime_options(p, [t], n), key=lambda o: o[0])
        if cost + RETIME_COST < best:
            best, typo = cost + RETIME_COST, why.startswith("probably a typo")
    return best + far, typo


def _move_cost(tl: _Timeline, timed: Sequence[int], lo: int, hi: int) -> tuple[float | None, float]:
    """(cost of moving timed turns lo..hi to where their timestamps fit, cost of that place left as it is)."""
    turns = tl.turns
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
    return sequence_cost(tl.timing, moved) + sequence_cost(tl.timing, source), sequence_cost(tl.timing, dest)


def _shifted_cost(tl: _Timeline, timed: Sequence[int], lo: int, hi: int, shift: int) -> float | None:
    """Cost around timed turns lo..hi shifted by ``shift``; None when an end still does not fit or a turn
    would start before 0 (a time base before the start of the recording is no explanation)."""
    turns = tl.turns
    if any((turns[timed[x]].start_ms or 0) + shift < 0 for x in range(lo, hi + 1)):
        return None
    seq: list[Turn] = []
    if lo > 0:
        seq.append(turns[timed[lo - 1]])
    for x in range(lo, hi + 1):
        seq.append(tl.at(turns[timed[x]], (turns[timed[x]].start_ms or 0) + shift))
    if hi + 1 < len(timed):
        seq.append(turns[timed[hi + 1]])
    for a, b in itertools.pairwise(seq):
        gap = (b.start_ms or 0) - (a.start_ms or 0)
        if gap < 0 or implausible(gap, tl.exp(a)) is not None:
            return None
    return sequence_cost(tl.timing, seq)


def _fix_order(tl: _Timeline) -> None:
    turns = tl.turns
    timed = [i for i, t in enumerate(turns) if t.start_ms is not None]
    if len(timed) < 2:
        return
    times = [turns[i].start_ms or 0 for i in timed]
    chain = longest_chain(times)
    on_chain = [False] * len(timed)
    for k in chain:
        on_chain[k] = True
    if all(on_chain):
        return
    runs: list[tuple[int, int]] = []
    k = 0
    while k < len(timed):
        if on_chain[k]:
            k += 1
            continue
        j = k
        while j + 1 < len(timed) and not on_chain[j + 1]:
            j += 1
        runs.append((k, j))
        k = j + 1
    chain_times = [times[c] for c in chain]
    # rates from the consistent chain only: the turns off it would skew them
    tl.timing = Timing(RateModel.fit([turns[timed[c]] for c in chain]))
    order_key: dict[int, tuple[float, int]] = {}
    shift_from: list[tuple[int, int]] = []  # (turn index, shift) applied to every turn from there on

    Option = tuple[float, Callable[[], None]]

    def options_for(lo: int, hi: int, p: Turn | None, n: Turn | None) -> list[Option]:
        """The hypotheses for timed turns lo..hi lying off the chain between p and n, cheapest first."""
        members = [timed[x] for x in range(lo, hi + 1)]
        run = [turns[i] for i in members]
        options: list[Option] = []
        starts = [t.start_ms or 0 for t in run]
        dest_cost_orig = 0.0
        move_opt: tuple[float, int] | None = None
        if starts == sorted(starts):  # move: to where the run's own timestamps put it
            c = bisect.bisect_right(chain_times, starts[0])
            before = turns[timed[chain[c - 1]]] if c > 0 else None
            after = turns[timed[chain[c]]] if c < len(chain) else None
            fits = after is None or starts[-1] <= (after.start_ms or 0)
            if fits and before is not p and (before is not None or after is not None):
                dest_pair = [x for x in (before, after) if x is not None]
                dest_cost_orig = sequence_cost(tl.timing, dest_pair)
                moved_cost = sequence_cost(
                    tl.timing,
                    [*(x for x in (before,) if x is not None), *run, *(x for x in (after,) if x is not None)],
                )
                source_cost = sequence_cost(tl.timing, [x for x in (p, n) if x is not None])
                move_opt = (moved_cost + source_cost, timed[chain[c - 1]] if c > 0 else -1)
        for cost, new_starts, kind, why in tl.retime_options(p, run, n):
            cost += RETIME_COST * len(run)  # a timestamp kept as written is evidence too
            options.append((cost + dest_cost_orig, _retimer(tl, members, new_starts, kind, why, p, n)))
        if move_opt is not None:
            options.append((move_opt[0], _mover(tl, members, move_opt[1], order_key, p, n)))
        if n is not None and hi + 1 < len(timed) and starts == sorted(starts) and len(run) >= 2:
            shift = tl.round(starts[-1] + tl.exp(run[-1]) - (n.start_ms or 0))
            n_shifted = tl.at(n, (n.start_ms or 0) + shift)
            cost = sequence_cost(tl.timing, [*(x for x in (p,) if x is not None), *run, n_shifted])
            options.append(
                (
                    cost + dest_cost_orig + SHIFT_REST_PENALTY,
                    _rest_shifter(tl, timed[hi + 1], shift, shift_from, run, n),
                )
            )
        options.sort(key=lambda o: o[0])
        return options

    def at(k: int) -> Turn | None:
        return turns[timed[k]] if 0 <= k < len(timed) else None

    def pair(x: Turn | None, y: Turn | None) -> float:
        return sequence_cost(tl.timing, [x, y]) if x is not None and y is not None else 0.0

    for lo, hi in runs:
        p, n = at(lo - 1), at(hi + 1)
        best = options_for(lo, hi, p, n)[0]
        if lo == hi:  # one turn: the longest chain may have dropped the wrong one of two neighbours
            k = lo
            cost = best[0]
            if p is not None and times[k - 1] > times[k] and (k < 2 or times[k - 2] <= times[k]):
                alt = options_for(k - 1, k - 1, at(k - 2), turns[timed[k]])[0]
                if alt[0] + pair(turns[timed[k]], n) < cost + pair(at(k - 2), p):
                    best = alt
            elif (
                n is not None
                and times[k] > times[k + 1]
                and (k + 2 == len(timed) or times[k] <= times[k + 2])
            ):
                alt = options_for(k + 1, k + 1, turns[timed[k]], at(k + 2))[0]
                if alt[0] + pair(p, turns[timed[k]]) < cost + pair(n, at(k + 2)):
                    best = alt
        best[1]()
    for start, shift in shift_from:
        for i in range(start, len(turns)):
            t = tl.turns[i]
            if t.start_ms is not None:
                tl.turns[i] = tl.at(t, max(0, t.start_ms + shift))
    if order_key:
        keyed = sorted(range(len(tl.turns)), key=lambda i: order_key.get(i, (float(i), 0)))
        tl.turns = [tl.turns[i] for i in keyed]


def _describe(run: Sequence[Turn]) -> tuple[tuple[int, ...], str]:
    return tuple(t.line for t in run), " ".join(t.text for t in run)


def _retimer(
    tl: _Timeline, members: list[int], starts: list[int], kind: str, why: str, p: Turn | None, n: Turn | None
) -> Callable[[], None]:
    def apply() -> None:
        run = [tl.turns[i] for i in members]
        lines, text = _describe(run)
        old = [t.start_ms for t in run]
        for i, s in zip(members, starts, strict=True):
            tl.turns[i] = tl.at(tl.turns[i], s)
        olds = ", ".join(format_clock(o) for o in old if o is not None)
        news = ", ".join(format_clock(s) for s in starts)
        context = []
        if p is not None and p.start_ms is not None:
            context.append(f"after {format_clock(p.start_ms)} on line {p.line}")
        if n is not None and n.start_ms is not None:
            context.append(f"before {format_clock(n.start_ms)} on line {n.line}")
        where = " and ".join(context)
        if kind == "timebase":
            reason = f"{why}: lines {lines[0]}-{lines[-1]} shifted to fit {where}"
            msg = f"time base of {len(run)} turns shifted by {_signed(starts[0] - (old[0] or 0))}; {reason}"
            code = "T005"
        else:
            reason = f"{olds} does not fit {where}; {why}"
            msg = f"timestamp {olds} re-estimated as {news}: {reason}"
            code = "T007"
        data: dict[str, Any] = {"old_ms": old, "new_ms": starts, "lines": list(lines)}
        change_kind = "timebase" if kind == "timebase" else "retime"
        tl.changes.append(Change(change_kind, lines, text, None, reason, data))
        tl.findings.append(finding(code, msg, path=tl.path, line=lines[0], corrected=True, **data))

    return apply


def _mover(
    tl: _Timeline,
    members: list[int],
    anchor: int,
    order_key: dict[int, tuple[float, int]],
    p: Turn | None,
    n: Turn | None,
) -> Callable[[], None]:
    def apply() -> None:
        run = [tl.turns[i] for i in members]
        lines, text = _describe(run)
        if members:  # carry untimed turns inside the block with it
            block = list(range(members[0], members[-1] + 1))
        for sub, i in enumerate(block, start=1):
            order_key[i] = (anchor + 0.5 if anchor >= 0 else -0.5, sub)
        dest = tl.turns[anchor] if anchor >= 0 else None
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
        tl.changes.append(Change("reorder", lines, text, None, reason, data))
        tl.findings.append(
            finding(
                "T008",
                f"block of {len(run)} turn(s) moved {where}: {reason}",
                path=tl.path,
                line=lines[0],
                **data,
            )
        )

    return apply


def _rest_shifter(
    tl: _Timeline, start: int, shift: int, shift_from: list[tuple[int, int]], run: Sequence[Turn], n: Turn
) -> Callable[[], None]:
    def apply() -> None:
        shift_from.append((start, shift))
        last = run[-1]
        reason = (
            f"the time base jumps back at line {n.line} ({format_clock(n.start_ms or 0)} after "
            f"{format_clock(last.start_ms or 0)} on line {last.line}); the turns from line {n.line} on were "
            f"shifted by {_signed(shift)} to follow on"
        )
        data: dict[str, Any] = {"lines": [n.line], "shift_ms": shift, "corrected": True}
        tl.changes.append(Change("timebase", (n.line,), short(n.text), None, reason, data))
        tl.findings.append(
            finding(
                "T005", f"time base jumps by {_signed(-shift)}: {reason}", path=tl.path, line=n.line, **data
            )
        )

    return apply


def _signed(ms: int) -> str:
    sign = "-" if ms < 0 else "+"
    return f"{sign}{_duration(abs(ms))}"


def _duration(ms: int) -> str:
    """``37 s``, ``5 min 22 s``, ``1 h 02 min``."""
    s = (ms + 500) // 1000
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} min {s} s" if s else f"{m} min"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def _fix_rates(tl: _Timeline) -> None:
    """Re-time a timestamp that makes a gap impossible when moving it fixes both its gaps; report the rest."""
    turns = tl.turns
    timed = [i for i, t in enumerate(turns) if t.start_ms is not None]

    def need(i: int, j: int) -> int:  # expected time from turn i to turn j, untimed turns between included
        return sum(tl.exp(turns[x]) for x in range(i, j))

    k = 0
    while k + 1 < len(timed):
        a, b = turns[timed[k]], turns[timed[k + 1]]
        gap = (b.start_ms or 0) - (a.start_ms or 0)
        exp = need(timed[k], timed[k + 1])
        problem = implausible(gap, exp)
        if problem is None or gap < 0:
            k += 1
            continue
        fixed = False
        choices: list[tuple[float, int, list[int], str]] = []
        for cand in (k, k + 1):  # is a's or b's timestamp the wrong one?
            if cand == 0 or cand + 1 >= len(timed) or timed[cand + 1] - timed[cand - 1] != 2:
                continue
            p, t, n = turns[timed[cand - 1]], turns[timed[cand]], turns[timed[cand + 1]]
            span = (n.start_ms or 0) - (p.start_ms or 0)
            if implausible(span, tl.exp(p) + tl.exp(t)) is not None:
                continue
            cost, starts, _, why = min(tl.retime_options(p, [t], n), key=lambda o: o[0])
            new_p, new_n = starts[0] - (p.start_ms or 0), (n.start_ms or 0) - starts[0]
            if implausible(new_p, tl.exp(p)) or implausible(new_n, tl.exp(t)):
                continue
            choices.append((cost, cand, starts, why))
        if choices:
            _, cand, starts, why = min(choices, key=lambda c: c[0])
            p, n = turns[timed[cand - 1]], turns[timed[cand + 1]]
            _rate_finding(tl, a, gap, exp, problem, retimed=True)
            _retimer(tl, [timed[cand]], starts, "retime", why, p, n)()
            fixed = True
        # At the ends a turn has one gap, so nothing confirms a typo. Words that cannot fit ("fast") are
        # still evidence of one; a long gap alone is not: an intro, a pause or an excerpt explains it.
        edge = not fixed and problem == "fast"
        if edge and k == 0 and timed[1] - timed[0] == 1:
            fixed = _edge_typo(tl, timed[0], None, b, problem, gap, exp)
        if edge and not fixed and k + 2 == len(timed) and timed[k + 1] == len(turns) - 1:
            fixed = _edge_typo(tl, timed[k + 1], a, None, problem, gap, exp)
        if not fixed:
            _rate_finding(tl, a, gap, exp, problem, retimed=False)
        k += 1


def _edge_typo(
    tl: _Timeline, index: int, p: Turn | None, n: Turn | None, problem: str, gap: int, exp: int
) -> bool:
    """The first or last turn of a transcript, re-timed only when a typo explains its too-fast gap."""
    t = tl.turns[index]
    best: tuple[float, int, str] | None = None
    for value, kind, how in typo_candidates(t.start_ms or 0):
        if n is not None and n.start_ms is not None:
            new_gap = n.start_ms - value
            ok = new_gap >= 0 and implausible(new_gap, tl.exp(t)) is None
            cost = sequence_cost(tl.timing, [tl.at(t, value), n])
        elif p is not None and p.start_ms is not None:
            new_gap = value - p.start_ms
            ok = new_gap >= 0 and implausible(new_gap, tl.exp(p)) is None
            cost = sequence_cost(tl.timing, [p, tl.at(t, value)])
        else:
            return False
        cost += TYPO_PENALTY[kind]
        if ok and (best is None or cost < best[0]):
            best = (cost, value, f"probably a typo for {format_clock(value)} ({how})")
    if best is None:
        return False
    first = tl.turns[index - 1] if n is None else t
    _rate_finding(tl, first, gap, exp, problem, retimed=True)
    _retimer(tl, [index], [best[1]], "retime", best[2], p, n)()
    return True


def _rate_finding(tl: _Timeline, a: Turn, gap: int, exp: int, problem: str, *, retimed: bool) -> None:
    words = count_words(a.text)
    wps = words / max(gap / 1000, 0.001)
    median = tl.timing.rates.wps(a.speaker)
    who = a.speaker or "The speaker"
    msg = (
        f"{who} speaks {words} words in {_duration(gap)} ({wps:.2g} words/s; their median is {median:.1f}); "
        f"expected about {_duration(exp)}"
    )
    if retimed:
        msg += "; re-timed"
    tl.findings.append(
        finding(
            "T003",
            msg,
            path=tl.path,
            line=a.line,
            words=words,
            gap_ms=gap,
            expected_ms=exp,
            words_per_s=round(wps, 3),
            median_wps=round(median, 3),
            speaker=a.speaker,
            problem=problem,
            retimed=retimed,
        )
    )


def _fill_missing(tl: _Timeline) -> None:
    turns = tl.turns
    i = 0
    while i < len(turns):
        if turns[i].start_ms is not None:
            i += 1
            continue
        j = i
        while j < len(turns) and turns[j].start_ms is None:
            j += 1
        p = turns[i - 1] if i > 0 else None
        n = turns[j] if j < len(turns) else None
        run = turns[i:j]
        if p is None and n is None:
            starts = []
            acc = 0
            for t in run:
                starts.append(tl.round(acc))
                acc += tl.exp(t)
        else:
            starts = tl.interpolate(p, run, n)
        for k, s in enumerate(starts):
            t = turns[i + k]
            turns[i + k] = t.retimed(s)
            where = []
            if p is not None:
                where.append(f"after line {p.line} ({format_clock(p.start_ms or 0)})")
            if n is not None:
                where.append(f"before line {n.line} ({format_clock(n.start_ms or 0)})")
            reason = f"estimated {format_clock(s)} from the speech rates {' and '.join(where)}"
            data: dict[str, Any] = {"start_ms": s}
            tl.changes.append(
                Change("missing-timestamp", (t.line,), short(t.text), None, f"no timestamp; {reason}", data)
            )
            tl.findings.append(
                finding("P004", f"turn has no timestamp; {reason}", path=tl.path, line=t.line, **data)
            )
        i = j


def _clamp(tl: _Timeline) -> None:
    last = 0
    for i, t in enumerate(tl.turns):
        s = t.start_ms if t.start_ms is not None else last
        if s < last:
            tl.turns[i] = tl.at(t, last)
            s = last
        last = s
