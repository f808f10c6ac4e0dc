"""The timeline step of the repair stage, start to end: :func:`repair_timeline`.

It reports the backwards timestamps (T001), runs the steps of :mod:`toolkit.repair.order` in order
(shifted runs, turns off the longest chain, implausible gaps), gives the turns without a timestamp one by
interpolation at the speakers' rates (P004) and finally clamps the starts so they never go backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...model import Finding, Turn
from ...rules import finding
from ...timecode import format_clock
from ..changes import Change, short
from ..evidence import Timing
from .blocks import fix_order
from .rate_gaps import fix_rates
from .time_base import fix_shifted_runs
from .timeline_state import TimelineState

__all__ = ["TimelineResult", "repair_timeline"]


@dataclass(slots=True)
class TimelineResult:
    turns: list[Turn]
    changes: list[Change]
    findings: list[Finding]


def repair_timeline(
    turns: Sequence[Turn], timing: Timing, *, path: str | None = None, whole_seconds: bool = True
) -> TimelineResult:
    """Put ``turns`` in order: every start set and never going backwards, each change reported."""
    state = TimelineState(list(turns), timing, path, whole_seconds)
    _backwards_findings(state)
    fix_shifted_runs(state)
    fix_order(state)
    fix_rates(state)
    _fill_missing(state)
    _clamp(state)
    return TimelineResult(state.turns, state.changes, state.findings)


def _backwards_findings(state: TimelineState) -> None:
    """T001 for every timestamp earlier than the one before it."""
    last: Turn | None = None
    for t in state.turns:
        if t.start_ms is None:
            continue
        if last is not None and last.start_ms is not None and t.start_ms < last.start_ms:
            state.findings.append(
                finding(
                    "T001",
                    f"timestamp {format_clock(t.start_ms)} is earlier than {format_clock(last.start_ms)} "
                    f"on line {last.line}",
                    path=state.path,
                    line=t.line,
                    start_ms=t.start_ms,
                    previous_ms=last.start_ms,
                    previous_line=last.line,
                )
            )
        last = t


def _fill_missing(state: TimelineState) -> None:
    """Give each run of turns without a timestamp starts between its neighbours (P004)."""
    turns = state.turns
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
                starts.append(state.round(acc))
                acc += state.exp(t)
        else:
            starts = state.interpolate(p, run, n)
        for k, s in enumerate(starts):
            t = turns[i + k]
            turns[i + k] = t.retimed(s)
            _report_missing(state, t, s, p, n)
        i = j


def _report_missing(state: TimelineState, t: Turn, start_ms: int, p: Turn | None, n: Turn | None) -> None:
    where = []
    if p is not None:
        where.append(f"after line {p.line} ({format_clock(p.start_ms or 0)})")
    if n is not None:
        where.append(f"before line {n.line} ({format_clock(n.start_ms or 0)})")
    reason = f"estimated {format_clock(start_ms)} from the speech rates {' and '.join(where)}"
    data: dict[str, Any] = {"start_ms": start_ms}
    state.changes.append(
        Change("missing-timestamp", (t.line,), short(t.text), None, f"no timestamp; {reason}", data)
    )
    state.findings.append(
        finding("P004", f"turn has no timestamp; {reason}", path=state.path, line=t.line, **data)
    )


def _clamp(state: TimelineState) -> None:
    """Starts never go backwards: a start before the one before it is moved up to it."""
    last = 0
    for i, t in enumerate(state.turns):
        s = t.start_ms if t.start_ms is not None else last
        if s < last:
            state.turns[i] = state.at(t, last)
            s = last
        last = s
