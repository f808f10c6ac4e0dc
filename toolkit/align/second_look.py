"""After the pass: a turn that fell back is aligned once more when what it was judged against has changed.

A turn's words are judged against the speaker's usual fit (:mod:`toolkit.align.fit`), learnt from the
turns aligned before it. Two cases leave that verdict stale by the end of the pass:

- *early*: the turn fell back before three turns had aligned, judged against the fixed floor, not the
  media (reverberation, a band-limited line: every turn fits worse there), so an early turn was timed by
  the rate model where a later one, fitting as well, kept its words;
- *judged*: the aligned turns around it (up to ``local_fit_turns`` either side) fit worse than their own
  speakers' usual when they aligned, and worse than the usual the turn was judged against: the sound
  changed since the usuals were learnt (another room, a noisier stretch, the same speaker first heard
  in a studio), and their fits judge it. Each neighbour's drop is measured against its own speaker: a
  voice that always fits worse than another is no change of sound.

The new words replace the fallback only when the turn passes every check a later turn passes and lies
between its neighbours' words; its fallback's finding (A001) then goes.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..model import Finding, Turn
from .fit import MIN_FITS, fit_known
from .normalize import Token, normalize
from .run import Limits, Run, State

__all__ = ["Retries", "local_fits", "look_again"]

log = logging.getLogger("toolkit.align.turns")  # one log for the turn loop and its second looks

AlignTurn = Callable[[Run, Turn, list[Token], int | None, Limits], Turn | None]


@dataclass(slots=True)
class Retries:
    """What the pass leaves for a second look: the turns that fell back, and every aligned turn's fit."""

    early: dict[int, Finding] = field(default_factory=dict)  # fell back before any usual: their A001
    judged: dict[int, tuple[float, Finding]] = field(default_factory=dict)  # against a usual: it, A001
    # the turns that aligned judged against a usual, in turn order: (median fit, fit - that usual)
    turn_fit: dict[int, tuple[float, float]] = field(default_factory=dict)

    def fell_back(self, i: int, unjudged: bool, usual: float, a001: Finding) -> None:
        if unjudged:
            self.early[i] = a001
        else:
            self.judged[i] = (usual, a001)

    def aligned(self, i: int, fits: Sequence[float], usual: float | None) -> None:
        """Turn ``i`` aligned with ``fits``, judged against ``usual`` (None: before the media's was known)."""
        if fits and usual is not None:
            fit = float(np.median(fits))
            self.turn_fit[i] = (fit, fit - usual)


def local_fits(
    turn_fit: dict[int, tuple[float, float]], done: list[int], i: int, k: int
) -> list[tuple[float, float]]:
    """The entries of ``turn_fit`` of the ``k`` aligned turns nearest before turn ``i`` and the ``k``
    nearest after it (``done``: the turns that aligned, sorted)."""
    if k <= 0:
        return []
    at = bisect.bisect_left(done, i)
    return [turn_fit[j] for j in done[max(0, at - k) : at] + done[at : at + k] if j != i]


def look_again(
    run: Run,
    out: list[Turn],
    turns: Sequence[Turn],
    hints: Sequence[int | None],
    limits: Sequence[Limits],
    retries: Retries,
    align: AlignTurn,
) -> None:
    """Give the turns the pass left (``retries``) their second look, replacing ``out`` entries in place."""
    for i, a001 in retries.early.items():
        if fit_known(run.state, turns[i].speaker):  # else the same floor would give the same answer
            _again(run, out, turns[i], i, hints[i], limits[i], a001, None, align)
    done = list(retries.turn_fit)  # filled in turn order: sorted
    for i, (usual, a001) in retries.judged.items():
        near = local_fits(retries.turn_fit, done, i, run.params.local_fit_turns)
        if len(near) < MIN_FITS:
            continue
        dropped = float(np.median([d for _, d in near])) < 0.0  # against their own speakers' usual
        if dropped and float(np.median([f for f, _ in near])) < usual:
            fits = {k: list(v) for k, v in run.state.fits.items()} | {turns[i].speaker: [f for f, _ in near]}
            _again(run, out, turns[i], i, hints[i], limits[i], a001, fits, align)


def _again(
    run: Run,
    out: list[Turn],
    turn: Turn,
    i: int,
    next_hint: int | None,
    limits: Limits,
    a001: Finding,
    fits: dict[str | None, list[float]] | None,
    align: AlignTurn,
) -> None:
    """Align turn ``i`` again from the end of the aligned words before it, judged against ``fits`` (the
    media's when None); keep the result if it aligns and ends before the next aligned words."""
    prev_end = next((t.end_ms for t in reversed(out[:i]) if t.words and t.end_ms is not None), 0)
    next_start = next((t.start_ms for t in out[i + 1 :] if t.words and t.start_ms is not None), None)
    state = State(
        ms_per_phone=dict(run.state.ms_per_phone),
        cursor_ms=prev_end,
        fits=fits if fits is not None else {k: list(v) for k, v in run.state.fits.items()},
    )
    local: list[Finding] = []
    again = align(replace(run, findings=local, state=state), turn, normalize(turn.text), next_hint, limits)
    if again is None or not again.words or (next_start is not None and (again.end_ms or 0) > next_start):
        return
    log.debug("line %d: aligned on a second look", turn.line)
    run.findings[:] = [f for f in run.findings if f is not a001]  # this turn's own, not one on its line
    run.findings.extend(local)
    out[i] = again
