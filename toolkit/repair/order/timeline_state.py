"""The timeline being repaired, and the ways to re-time a run of turns in place.

Shared by every step of :mod:`toolkit.repair.order`: :class:`TimelineState` holds the turns, the rate model
and the changes and findings so far; :meth:`TimelineState.retime_options` gives the re-timing hypotheses for
a run of turns (an estimate from the neighbours, a typo candidate from :func:`typo_candidates`, or a shift
onto the neighbours' time base); :func:`apply_retime` carries one out and reports it (T005, T007). The
settings (:class:`~toolkit.repair.params.RepairParams`) come with the rate model
(:attr:`TimelineState.params`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ...model import Finding, Turn
from ...rules import finding
from ...timecode import format_clock, split_ms
from ..changes import Change, duration_text, signed_duration_text
from ..evidence import Timing, sequence_cost
from ..params import DEFAULT_PARAMS, RepairParams

__all__ = [
    "RetimeOption",
    "TimelineState",
    "apply_retime",
    "lines_and_text",
    "typo_candidates",
]


def typo_candidates(ms: int, params: RepairParams | None = None) -> list[tuple[int, str, str]]:
    """Timestamps ``ms`` may have been mistyped for: ``(candidate_ms, kind, description)``; of two kinds of
    typo giving one candidate, the one with the lower :meth:`~toolkit.repair.params.RepairParams.typo_penalty`
    (``params``, :data:`~toolkit.repair.params.DEFAULT_PARAMS` when not given)."""
    p = params if params is not None else DEFAULT_PARAMS
    h, m, s, frac = split_ms(ms)
    digits = f"{h:02d}{m:02d}{s:02d}"
    out: dict[int, tuple[str, str]] = {}
    for i in range(5):
        d = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        _add_typo(out, (ms, frac), _fields(d), "swap", "two digits swapped", p)
    _add_typo(out, (ms, frac), (h, s, m), "fields", "minutes and seconds swapped", p)
    _add_typo(out, (ms, frac), (m, h, s), "fields", "hours and minutes swapped", p)
    for dh in (-2, -1, 1, 2):
        _add_typo(out, (ms, frac), (h + dh, m, s), "hour", "wrong hour" if h else "missing hour", p)
    for i in range(6):
        for c in "0123456789":
            if c != digits[i]:
                d = digits[:i] + c + digits[i + 1 :]
                _add_typo(out, (ms, frac), _fields(d), "digit", "one digit mistyped", p)
    return [(v, k, how) for v, (k, how) in sorted(out.items())]


def _fields(digits: str) -> tuple[int, int, int]:
    """``"001314"`` -> ``(0, 13, 14)``."""
    return int(digits[0:2]), int(digits[2:4]), int(digits[4:6])


def _add_typo(
    out: dict[int, tuple[str, str]],
    ms_frac: tuple[int, int],
    hms: tuple[int, int, int],
    kind: str,
    how: str,
    p: RepairParams,
) -> None:
    """File the clock time ``hms`` (plus ``frac`` ms) in ``out`` as a candidate for ``ms`` when it is a
    valid time other than ``ms``, keeping the likeliest kind of typo per candidate (``ms_frac``: both)."""
    ms, frac = ms_frac
    hh, mm, ss = hms
    if hh >= 0 and 0 <= mm < 60 and 0 <= ss < 60:
        value = ((hh * 60 + mm) * 60 + ss) * 1000 + frac
        if value != ms and (value not in out or p.typo_penalty(kind) < p.typo_penalty(out[value][0])):
            out[value] = (kind, how)


class RetimeOption(NamedTuple):
    """One way to re-time a run in place: its cost, the new starts, ``retime``/``timebase`` and why."""

    cost: float
    starts: list[int]
    kind: str
    reason: str


@dataclass(slots=True)
class TimelineState:
    """The turns being put in order, the rate model that prices them, and what has been done so far."""

    turns: list[Turn]
    timing: Timing
    path: str | None
    whole_seconds: bool  # the transcript gives whole seconds: estimates are rounded to them
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def params(self) -> RepairParams:
        """The repair's settings, carried by the rate model."""
        return self.timing.params

    def round(self, ms: int) -> int:
        ms = max(0, ms)
        return round(ms / 1000) * 1000 if self.whole_seconds else ms

    def exp(self, t: Turn) -> int:
        """The time ``t``'s words take at its speaker's rate."""
        return self.timing.expected_ms(t)

    def at(self, t: Turn, ms: int) -> Turn:
        return t.retimed(ms)

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

    def price(self, p: Turn | None, run: Sequence[Turn], n: Turn | None, starts: list[int]) -> float:
        """The cost of ``run`` re-timed to ``starts`` between ``p`` and ``n``."""
        seq = [x for x in (p,) if x is not None]
        seq += [self.at(t, s) for t, s in zip(run, starts, strict=True)]
        seq += [x for x in (n,) if x is not None]
        return sequence_cost(self.timing, seq)

    def retime_options(self, p: Turn | None, run: Sequence[Turn], n: Turn | None) -> list[RetimeOption]:
        """The hypotheses for re-timing ``run`` in place between ``p`` and ``n``.

        A single turn: a typo candidate that fits, else the estimate from the neighbours. A run in order:
        the estimate, and the run shifted onto the time base of either neighbour.
        """
        est = self.interpolate(p, run, n)
        est_cost = self.price(p, run, n, est)
        estimate = RetimeOption(
            est_cost, est, "retime", "estimated from the neighbouring turns and the speech rates"
        )
        lo = p.start_ms if p is not None and p.start_ms is not None else 0
        hi = n.start_ms if n is not None and n.start_ms is not None else None
        if len(run) == 1 and run[0].start_ms is not None:
            typo = self._typo_option(p, run[0], n, (lo, hi), est_cost)
            return [typo if typo is not None else estimate]  # a typo that fits beats any estimate
        if len(run) > 1 and all(a.start_ms is not None for a in run):
            return [estimate, *self._time_base_options(p, run, n, (lo, hi))]
        return [estimate]

    def _typo_option(
        self, p: Turn | None, t: Turn, n: Turn | None, bounds: tuple[int, int | None], est_cost: float
    ) -> RetimeOption | None:
        """The cheapest typo candidate for ``t``'s timestamp within ``bounds`` that costs at most
        ``typo_slack`` more than the estimate, or None."""
        lo, hi = bounds
        best: RetimeOption | None = None
        params = self.params
        for value, kind, how in typo_candidates(t.start_ms or 0, params):
            if value < lo or (hi is not None and value > hi):
                continue
            c = self.price(p, [t], n, [value]) + params.typo_penalty(kind)
            if c <= est_cost + params.typo_slack and (best is None or c < best[0]):
                why = f"probably a typo for {format_clock(value)} ({how})"
                best = RetimeOption(c, [value], "retime", why)
        return best

    def _time_base_options(
        self, p: Turn | None, run: Sequence[Turn], n: Turn | None, bounds: tuple[int, int | None]
    ) -> list[RetimeOption]:
        """``run`` (in order) shifted to follow ``p`` or to lead into the upper bound, when it fits."""
        lo, hi = bounds
        starts = [t.start_ms for t in run if t.start_ms is not None]
        if starts != sorted(starts):
            return []
        shifts = []
        if p is not None and p.start_ms is not None:
            shifts.append(p.start_ms + self.exp(p) - starts[0])
        if hi is not None:
            shifts.append(hi - self.exp(run[-1]) - starts[-1])
        opts: list[RetimeOption] = []
        for d in shifts:
            d = (1 if d >= 0 else -1) * self.round(abs(d))
            moved = [s + d for s in starts]
            if moved[0] >= lo and (hi is None or moved[-1] <= hi):
                late = "late" if d < 0 else "early"
                why = f"the run is on a time base {duration_text(abs(d))} {late}"
                opts.append(RetimeOption(self.price(p, run, n, moved), moved, "timebase", why))
        return opts


def lines_and_text(run: Sequence[Turn]) -> tuple[tuple[int, ...], str]:
    """The source lines and the text of a run of turns, for the report."""
    return tuple(t.line for t in run), " ".join(t.text for t in run)


def apply_retime(
    state: TimelineState,
    members: list[int],
    starts: list[int],
    kind: str,
    why: str,
    p: Turn | None,
    n: Turn | None,
) -> None:
    """Give the turns at ``members`` the new ``starts`` and report it: a time-base shift (T005,
    ``kind="timebase"``) or a re-estimated timestamp (T007)."""
    run = [state.turns[i] for i in members]
    lines, text = lines_and_text(run)
    old = [t.start_ms for t in run]
    for i, s in zip(members, starts, strict=True):
        state.turns[i] = state.at(state.turns[i], s)
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
        shift = signed_duration_text(starts[0] - (old[0] or 0))
        msg = f"time base of {len(run)} turns shifted by {shift}; {reason}"
        code = "T005"
    else:
        reason = f"{olds} does not fit {where}; {why}"
        msg = f"timestamp {olds} re-estimated as {news}: {reason}"
        code = "T007"
    data: dict[str, Any] = {"old_ms": old, "new_ms": starts, "lines": list(lines)}
    change_kind = "timebase" if kind == "timebase" else "retime"
    state.changes.append(Change(change_kind, lines, text, None, reason, data))
    state.findings.append(finding(code, msg, path=state.path, line=lines[0], corrected=True, **data))
