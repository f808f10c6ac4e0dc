"""Gaps that keep order but cannot fit the words: one timestamp re-timed when that fixes both its gaps.

Step 3 of :mod:`toolkit.repair.order`, once the timeline goes forwards. A gap is implausible for the
speaker's rate (:func:`~toolkit.repair.evidence.implausible`) when it is "fast" (more words than the time
allows) or "slow" (far more time than the words take). When moving the timestamp at either end makes
both of that turn's gaps plausible, the cheaper of the two is re-timed (T007); otherwise the gap is
reported (T003).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...model import Turn
from ...rules import finding
from ...timecode import format_clock
from ...timing import count_words
from ..changes import duration_text
from ..evidence import implausible, sequence_cost
from .timeline_state import TimelineState, apply_retime, typo_candidates

__all__ = ["fix_rates"]


def fix_rates(state: TimelineState) -> None:
    """Re-time a timestamp that makes a gap impossible when moving it fixes both its gaps; report the rest."""
    turns = state.turns
    timed = [i for i, t in enumerate(turns) if t.start_ms is not None]
    k = 0
    while k + 1 < len(timed):
        a, b = turns[timed[k]], turns[timed[k + 1]]
        gap = (b.start_ms or 0) - (a.start_ms or 0)
        exp = _expected_between(state, timed[k], timed[k + 1])
        problem = implausible(gap, exp, state.params)
        if problem is None or gap < 0:
            k += 1
            continue
        fixed = _retime_one_end(state, timed, k, (gap, exp, problem))
        # At the ends a turn has one gap, so nothing confirms a typo. Words that cannot fit ("fast") are
        # still evidence of one; a long gap alone is not: an intro, a pause or an excerpt explains it.
        edge = not fixed and problem == "fast"
        if edge and k == 0 and timed[1] - timed[0] == 1:
            fixed = _edge_typo(state, timed[0], None, b, problem, gap, exp)
        if edge and not fixed and k + 2 == len(timed) and timed[k + 1] == len(turns) - 1:
            fixed = _edge_typo(state, timed[k + 1], a, None, problem, gap, exp)
        if not fixed:
            untimed = turns[timed[k] + 1 : timed[k + 1]]
            _rate_finding(state, a, gap, exp, problem, retimed=False, untimed=untimed)
        k += 1


def _expected_between(state: TimelineState, i: int, j: int) -> int:
    """Expected time from turn i to turn j, untimed turns between included."""
    return sum(state.exp(state.turns[x]) for x in range(i, j))


def _retime_one_end(
    state: TimelineState, timed: list[int], k: int, gap_problem: tuple[int, int, str]
) -> bool:
    """Re-time the turn at timed position k or k + 1 (the cheaper) when that makes both its gaps plausible;
    ``gap_problem`` is the gap between them, the time expected and :func:`implausible`'s verdict."""
    turns = state.turns
    gap, exp, problem = gap_problem
    choices: list[tuple[float, int, list[int], str]] = []
    for cand in (k, k + 1):  # is a's or b's timestamp the wrong one?
        if cand == 0 or cand + 1 >= len(timed) or timed[cand + 1] - timed[cand - 1] != 2:
            continue
        p, t, n = turns[timed[cand - 1]], turns[timed[cand]], turns[timed[cand + 1]]
        span = (n.start_ms or 0) - (p.start_ms or 0)
        if implausible(span, state.exp(p) + state.exp(t), state.params) is not None:
            continue
        cost, starts, _, why = min(state.retime_options(p, [t], n), key=lambda o: o[0])
        new_p, new_n = starts[0] - (p.start_ms or 0), (n.start_ms or 0) - starts[0]
        if implausible(new_p, state.exp(p), state.params) or implausible(new_n, state.exp(t), state.params):
            continue
        choices.append((cost, cand, starts, why))
    if not choices:
        return False
    _, cand, starts, why = min(choices, key=lambda c: c[0])
    p, n = turns[timed[cand - 1]], turns[timed[cand + 1]]
    _rate_finding(state, turns[timed[k]], gap, exp, problem, retimed=True)
    apply_retime(state, [timed[cand]], starts, "retime", why, p, n)
    return True


def _edge_typo(
    state: TimelineState, index: int, p: Turn | None, n: Turn | None, problem: str, gap: int, exp: int
) -> bool:
    """The first or last turn of a transcript, re-timed only when a typo explains its too-fast gap."""
    t = state.turns[index]
    best: tuple[float, int, str] | None = None
    for value, kind, how in typo_candidates(t.start_ms or 0, state.params):
        if n is not None and n.start_ms is not None:
            new_gap = n.start_ms - value
            ok = new_gap >= 0 and implausible(new_gap, state.exp(t), state.params) is None
            cost = sequence_cost(state.timing, [state.at(t, value), n])
        elif p is not None and p.start_ms is not None:
            new_gap = value - p.start_ms
            ok = new_gap >= 0 and implausible(new_gap, state.exp(p), state.params) is None
            cost = sequence_cost(state.timing, [p, state.at(t, value)])
        else:
            return False
        cost += state.params.typo_penalty(kind)
        if ok and (best is None or cost < best[0]):
            best = (cost, value, f"probably a typo for {format_clock(value)} ({how})")
    if best is None:
        return False
    first = state.turns[index - 1] if n is None else t
    _rate_finding(state, first, gap, exp, problem, retimed=True)
    apply_retime(state, [index], [best[1]], "retime", best[2], p, n)
    return True


def _rate_finding(
    state: TimelineState,
    a: Turn,
    gap: int,
    exp: int,
    problem: str,
    *,
    retimed: bool,
    untimed: Sequence[Turn] = (),
) -> None:
    """T003: ``a``'s words (and those of the ``untimed`` turns after it) do not fit the gap to the next
    timestamp."""
    words = count_words(a.text) + sum(count_words(t.text) for t in untimed)
    wps = words / max(gap / 1000, 0.001)
    median = state.timing.rates.wps(a.speaker)
    who = a.speaker or "The speaker"
    speaks = "speaks"
    if untimed:
        n = len(untimed)
        speaks = f"and the {n} turn{'s' if n > 1 else ''} without a timestamp after it speak"
    msg = (
        f"{who} {speaks} {words} word{'' if words == 1 else 's'} in {duration_text(gap)} ({wps:.2g} words/s; "
        f"their median is {median:.1f}); expected about {duration_text(exp)}"
    )
    if retimed:
        msg += "; re-timed"
    state.findings.append(
        finding(
            "T003",
            msg,
            path=state.path,
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
