"""Which copy of a run to keep, decided by the timeline, and the reason in words for the report.

Part 3 of :mod:`toolkit.repair.duplicates`. Both choices are priced with
:func:`~toolkit.repair.evidence.sequence_cost` over the run's copies and ``context_turns`` turns around
them, with the removals of the runs already decided applied; a copy glued to the end of another turn (so
its timestamp is not its own) costs ``glued_cost`` more. The first copy is kept unless keeping the later
one is cheaper by ``keep_later_margin``. A copy under another speaker's name at the edge of that speaker's
own words is removed whatever the timeline says. When every pair of a run has two speakers and both
copies sit among their own speakers' words, the run may be the same sentence said twice (a quote, a
refrain, a read-aloud text): both copies stay unless removing one fits the timeline better. The settings are
:class:`~toolkit.repair.params.RepairParams` fields, read from ``timing.params``.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import replace

from ...model import Turn
from ..evidence import Timing, sequence_cost
from ..params import RepairParams
from ..sentences import Sentence
from .anchors import DuplicateRun, SentenceIndex
from .removal import apply_removals, removals_of

__all__ = ["decide", "describe_run", "record_offsets", "window", "within_one_turn"]


def record_offsets(run: DuplicateRun, ix: SentenceIndex) -> None:
    """The time offsets between the copies' paired turn starts, and their median, on ``run``."""
    for a, b, _ in run.pairs:
        x, y = ix.sents[a], ix.sents[b]
        ta, tb = ix.turns[x.turn].start_ms, ix.turns[y.turn].start_ms
        if x.index == 0 and y.index == 0 and ta is not None and tb is not None:
            run.offsets.append((x.turn, y.turn, tb - ta))
    if run.offsets:
        run.offset_ms = int(statistics.median(o for _, _, o in run.offsets))


def decide(
    run: DuplicateRun, ix: SentenceIndex, timing: Timing, decided: Sequence[DuplicateRun] = ()
) -> None:
    """Keep the first copy unless the later one is clearly cheaper, with the ``decided`` runs' removals
    already applied (a copy another run removes must not price this one)."""
    p = timing.params
    sents = ix.sents
    lo, hi = window(run, sents, ix.turns, p)
    run.glued_first = _glued(sents, [a for a, _, _ in run.pairs])
    run.glued_second = _glued(sents, [b for _, b, _ in run.pairs])
    crossed = _crossed(run, ix)
    if crossed is not None:
        # one copy under another speaker's name, at the edge of that speaker's own words: a paste glued
        # to the wrong turn, whatever the timeline says (its timestamp is that other turn's)
        run.keep_first = crossed
        run.cost_keep_first = run.cost_keep_second = 0.0
        return
    if within_one_turn(run, sents):
        # both copies inside one turn: either removal leaves that turn the same words, so the timeline
        # cannot choose (and pricing it, text rebuilt per run, was quadratic in a long repetitive turn)
        run.cost_keep_first = p.glued_cost * run.glued_first
        run.cost_keep_second = p.glued_cost * run.glued_second
        run.keep_first = not (run.cost_keep_second + p.keep_later_margin < run.cost_keep_first)
        return
    run.keep_first = True
    first = sequence_cost(timing, _local(run, ix, timing, (lo, hi), decided))  # the timeline alone
    run.keep_first = False
    second = sequence_cost(timing, _local(run, ix, timing, (lo, hi), decided))
    run.cost_keep_first = first + p.glued_cost * run.glued_first
    run.cost_keep_second = second + p.glued_cost * run.glued_second
    run.keep_first = not (run.cost_keep_second + p.keep_later_margin < run.cost_keep_first)
    if _said_by_both(run, ix):
        # the timeline alone decides: the glue penalty chooses between copies (a paste gets glued), but a
        # sentence inside a speaker's own turn is where anyone's sentences are
        both = sequence_cost(timing, _local(None, ix, timing, (lo, hi), decided))
        run.keep_both = both <= min(first, second)


def _said_by_both(run: DuplicateRun, ix: SentenceIndex) -> bool:
    """Every pair of ``run`` has two named speakers, and every copy a timestamped turn (without one the
    timeline cannot tell, and the copy goes as before); ``_crossed`` found neither glued alone to a turn."""
    turns = ix.turns
    for a, b, _ in run.pairs:
        x, y = turns[ix.sents[a].turn], turns[ix.sents[b].turn]
        if x.speaker is None or y.speaker is None or x.speaker == y.speaker:
            return False
        if x.start_ms is None or y.start_ms is None:
            return False
    return True


def _crossed(run: DuplicateRun, ix: SentenceIndex) -> bool | None:
    """For a run whose copies carry different speakers: keep the first copy (``True``) when the second sits
    inside a turn that has other words of its own, the second (``False``) in the mirror case; ``None``
    when the speakers agree or neither copy is glued to another turn's words."""
    first_turns = {ix.sents[a].turn for a, _, _ in run.pairs}
    second_turns = {ix.sents[b].turn for _, b, _ in run.pairs}
    if {ix.turns[t].speaker for t in first_turns} == {ix.turns[t].speaker for t in second_turns}:
        return None
    second_glued = _holds_more(ix, second_turns, [b for _, b, _ in run.pairs])
    first_glued = _holds_more(ix, first_turns, [a for a, _, _ in run.pairs])
    if second_glued and not first_glued:
        return True
    if first_glued and not second_glued:
        return False
    return None


def _holds_more(ix: SentenceIndex, members: set[int], copies: list[int]) -> bool:
    """The turns ``members`` hold more sentences than the ``copies``."""
    own = set(copies)
    return any(g not in own for t in members for g in ix.spans[t])


def within_one_turn(run: DuplicateRun, sents: Sequence[Sentence]) -> bool:
    """Both copies of ``run`` are inside one turn."""
    turn = sents[run.pairs[0][0]].turn
    return all(sents[a].turn == turn and sents[b].turn == turn for a, b, _ in run.pairs)


def window(
    run: DuplicateRun, sents: Sequence[Sentence], turns: Sequence[Turn], p: RepairParams
) -> tuple[int, int]:
    """The turns whose timing prices a run's choice: its copies and ``context_turns`` around them."""
    lo = max(0, min(sents[a].turn for a, _, _ in run.pairs) - p.context_turns)
    hi = min(len(turns), max(sents[b].turn for _, b, _ in run.pairs) + p.context_turns + 1)
    return lo, hi


def _glued(sents: Sequence[Sentence], members: Sequence[int]) -> int:
    """Turns whose part in a copy is glued after other text (so the copy has no timestamp of its own)."""
    by_turn: dict[int, set[int]] = {}
    for g in members:
        by_turn.setdefault(sents[g].turn, set()).add(sents[g].index)
    return sum(1 for idx in by_turn.values() if 0 not in idx)


def _local(
    run: DuplicateRun | None,
    ix: SentenceIndex,
    timing: Timing,
    turn_window: tuple[int, int],
    decided: Sequence[DuplicateRun] = (),
) -> list[Turn]:
    """The turns of ``turn_window`` with the removals of the ``decided`` runs and ``run`` (if any) applied."""
    lo, hi = turn_window
    removals = removals_of([*decided, run] if run is not None else list(decided), ix)
    local = [replace(r, turn=r.turn - lo) for r in removals if lo <= r.turn < hi]
    new, _ = apply_removals(ix.turns[lo:hi], local, timing)
    return new


def describe_run(run: DuplicateRun, turns: Sequence[Turn], sents_turn: dict[int, int]) -> str:
    """Why a copy was kept, in words (used in the report)."""
    first_lines = sorted({turns[sents_turn[a]].line for a, _, _ in run.pairs})
    second_lines = sorted({turns[sents_turn[b]].line for _, b, _ in run.pairs})
    kept, gone = (first_lines, second_lines) if run.keep_first else (second_lines, first_lines)
    which = "first" if run.keep_first else "later"
    other = "later" if run.keep_first else "first"
    c_kept, c_gone = run.cost_keep_first, run.cost_keep_second
    g_kept, g_gone = run.glued_first, run.glued_second
    if not run.keep_first:
        c_kept, c_gone, g_kept, g_gone = c_gone, c_kept, g_gone, g_kept
    parts = [f"kept the {which} copy (lines {_span(kept)}) over the {other} (lines {_span(gone)})"]
    if run.offset_ms:
        parts.append(f"the copies' timestamps are {(abs(run.offset_ms) + 500) // 1000} s apart")
    if c_kept <= c_gone:
        why = "its timestamps fit the surrounding turns at the speakers' rates"
        if g_gone > g_kept:
            why += f", while part of the {other} copy is glued to the end of another turn without a timestamp"
        parts.append(f"{why} (cost {c_kept:.1f} against {c_gone:.1f})")
    else:
        parts.append(
            f"the {other} copy fits the timeline no clearly better (cost {c_gone:.1f} against {c_kept:.1f}), "
            "so the first copy, which the transcript gives first, is kept"
        )
    return "; ".join(parts)


def _span(lines: Sequence[int]) -> str:
    if not lines:
        return "-"
    return f"{lines[0]}" if len(lines) == 1 else f"{lines[0]}-{lines[-1]}"
