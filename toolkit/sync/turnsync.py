"""Find a transcript's offset and time-base jumps by weighing its turn stamps against the speech.

Part of :mod:`toolkit.sync`, for transcripts (the caption search is :mod:`.cuesync`). Published
transcripts stamp each turn to the whole second (truncated), often with a constant offset (the clock
started at the programme, not the file) or jumps where chunks were stitched. :func:`turn_sync` finds the
offset and the jumps by weighing, for every offset, how many stamps are followed by a speech onset against
how many would be by chance; the stamps as written are kept unless the speech gives evidence against
them. :mod:`.snapping` then moves each turn onto the speech.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..media.vad import FRAME_MS, onsets, union_spans, window_cover
from ..model import Turn
from .solution import Segment, SyncResult, label_runs

if TYPE_CHECKING:
    from ..timing import RateModel

__all__ = ["TurnSyncParams", "chance_of_hit", "turn_sync"]


@dataclass(frozen=True, slots=True)
class TurnSyncParams:
    """How :func:`turn_sync` weighs the evidence (see there)."""

    window_before_ms: int = 200  # a turn's onset may come this much before its (offset) stamp ...
    window_after_ms: int = 1000  # ... or up to this much after it (stamps are floored to the second)
    miss_share: float = 0.3  # a right offset's stamps miss their onset this share as often as chance's
    min_chance: float = 0.05  # the chance of a hit is kept in [min_chance, max_chance]
    max_chance: float = 0.9
    as_written_ms: int = 500  # offsets this close to 0 are the stamps as written ...
    as_written_odds: float = 1.0  # ... as likely a priori as all other offsets together
    jump_odds: float = 0.05  # a priori odds that a transcript has a time-base jump (one more segment)
    max_backwards_ms: int = 2000  # a jump never maps a turn this far before the turn it follows
    min_segment_turns: int = 3  # a run of turns with its own offset needs at least this many turns
    min_evidence: float = 3.0  # nats above chance the chosen solution needs (plus log(distinct) if it moves)
    min_confidence: float = 0.5  # posterior of the chosen solution among the candidates
    distinct_ms: int = 2000  # candidates are at least this far apart
    max_candidates: int = 8
    max_hit_rate: float = 0.97  # the hit rate under the right offset, learnt from the turns, at most this
    bound_before_ms: int = 500  # an accepted sync: a turn's first word lies at most this before its stamp ...
    bound_after_ms: int = (
        1800  # ... and at most this after (a floored stamp, the detector's and offset's slack)
    )
    # the stamps as written, when they could not be checked: a floored stamp still says the turn had not
    # begun before it (300 ms of slack there let the aligner take the previous speaker's words for the turn's)
    loose_bounds_ms: tuple[int, int] = (0, 2500)


def _hit_intervals(stamp: int, on_s: np.ndarray, params: TurnSyncParams) -> tuple[np.ndarray, np.ndarray]:
    """Offsets d (ms, half-open [lo, hi)) for which ``stamp + d`` has an onset in its window."""
    return union_spans(on_s - stamp - params.window_after_ms, on_s - stamp + params.window_before_ms)


def chance_of_hit(on_s: np.ndarray, media_ms: int, params: TurnSyncParams) -> float:
    """How likely a stamp put at a random place in the media has an onset in its window: the share of the
    media covered by the onsets' windows (dense speech has onsets everywhere, so a hit there means little)."""
    covered = window_cover(on_s, params.window_after_ms, params.window_before_ms, media_ms)
    return min(params.max_chance, max(params.min_chance, covered))


def turn_sync(
    turns: Sequence[Turn],
    mask: np.ndarray,
    *,
    rates: RateModel | None = None,
    params: TurnSyncParams | None = None,
) -> tuple[list[int], SyncResult] | None:
    """Offset and jumps of the timed turns, weighed as evidence against chance.

    A transcript stamp marks a turn's first word, floored to the second, so under the right offset ``d``
    almost every ``stamp + d`` is followed within a second by a speech onset; under a wrong one only the
    chance share ``p`` of stamps is (the share of the media that onset windows cover: a quarter in an
    interview with pauses, most of it in a meeting where someone always starts talking). Each turn is
    evidence: a hit counts ``log(q / p)`` for ``d``, a miss ``log((1 - q) / (1 - p))``, where ``q`` is the hit
    rate under the right offset: first a right offset is taken to miss ``miss_share`` of chance's misses,
    then ``q`` is what the offset explaining the most turns (or the chosen split solution) shows (Laplace's
    estimate), when that is higher. Every offset on
    the 10 ms grid is scored (a histogram of intervals, so the search is unbounded).

    Priors: the stamps as written (an offset within ``as_written_ms`` of 0) are as likely as every other
    offset together (``as_written_odds``), and the other offsets share the rest evenly, one per window's
    width over the range searched: on an hour of media, any one other offset needs e**8 times the
    evidence. A time-base jump (a run of at least ``min_segment_turns`` turns with another offset, found by
    a dynamic programme over the turns) costs the odds of a jump at all, of its place and of its offset,
    and may not map a turn more than ``max_backwards_ms`` before the one it follows (stitched chunks
    keep their order).

    The confidence is the chosen solution's posterior among the candidates (the best offsets at least
    ``distinct_ms`` apart, the stamps as written and the split solution); a solution is accepted when that
    is at least ``min_confidence`` and its evidence over chance at least ``min_evidence`` nats. ``rates``
    is accepted for compatibility and not used.
    """
    del rates
    p = params or TurnSyncParams()
    t0 = time.perf_counter()
    idx = [i for i, t in enumerate(turns) if t.start_ms is not None]
    if len(idx) < 2:
        return None
    n = len(idx)
    stamps = np.array([int(turns[i].start_ms or 0) for i in idx], dtype=np.int64)
    on_s, _ = onsets(mask)
    media_ms = len(mask) * FRAME_MS
    if len(on_s) == 0:
        first = Segment(0, n - 1, 0, int(stamps[0]))
        return idx, _result(t0, [first], 0.0, False, "no speech onsets found", {})
    chance = chance_of_hit(on_s, media_ms, p)
    cands = _candidates(stamps, _offset_histogram(stamps, on_s, media_ms, p), chance, p)

    # q: a first guess, or what the offset that explains the most turns shows, when that is higher (not
    # what the chosen solution shows: the stamps as written, chosen under a low q, would then confirm the
    # low q that chose them, however many more turns another offset explains)
    q = 1.0 - (1.0 - chance) * p.miss_share
    best_shown = (float(cands.hit.sum(axis=0).max()) + 1.0) / (n + 2.0)
    q = max(q, min(p.max_hit_rate, best_shown))
    solution = _solve(cands, q, p)
    shown = (float(cands.hit[np.arange(n), solution.path].sum()) + 1.0) / (n + 2.0)
    if min(p.max_hit_rate, shown) > q:  # a split solution can explain more than any one offset
        q = min(p.max_hit_rate, shown)
        solution = _solve(cands, q, p)
    chosen = solution.path
    confidence = 1.0 / (1.0 + sum(math.exp(min(50.0, x - solution.score)) for x in solution.others))
    segments = [
        Segment(first, last, int(cands.offsets[chosen[first]]), int(stamps[first]))
        for first, last in label_runs(chosen)
    ]
    explained = int(sum(cands.hit[r, chosen[r]] for r in range(n)))
    reason = _refusal(segments, confidence, solution.evidence, explained, cands, p)
    details = {
        "turns_explained": explained,
        "turns": n,
        "chance": round(chance, 3),
        "evidence": round(solution.evidence, 2),
        **_rival(cands, segments, p),
    }
    return idx, _result(t0, segments, confidence, reason is None, reason or "ok", details)


def _rival(c: _Candidates, segments: list[Segment], p: TurnSyncParams) -> dict[str, int]:
    """The offset, at least ``distinct_ms`` from every chosen one, that explains the most turns, and how
    many: when it explains as many as the answer, only the prior chose between them (the caller may ask
    other evidence, the transcript's words)."""
    hits = c.hit.sum(axis=0)
    chosen = [s.offset_ms for s in segments]
    far = [k for k, d in enumerate(c.offsets.tolist()) if all(abs(d - x) >= p.distinct_ms for x in chosen)]
    if not far:
        return {}
    k = max(far, key=lambda j: (hits[j], -j))
    return {"rival_offset_ms": int(c.offsets[k]), "rival_explained": int(hits[k])}


def _result(
    t0: float, segments: list[Segment], conf: float, ok: bool, reason: str, details: dict[str, Any]
) -> SyncResult:
    elapsed = int((time.perf_counter() - t0) * 1000)
    return SyncResult(1.0, tuple(segments), float(conf), bool(ok), reason, elapsed, details)


@dataclass(frozen=True, slots=True)
class _OffsetHistogram:
    """How many turns' stamps have an onset in their window, for every offset on the 10 ms grid."""

    grid: np.ndarray  # the offsets, ms
    hits: np.ndarray  # turns with an onset in their window, per offset
    intervals: list[tuple[np.ndarray, np.ndarray]]  # per turn, the offsets [lo, hi) at which it hits
    distinct: float  # how many windows' widths the searched range holds


def _offset_histogram(
    stamps: np.ndarray, on_s: np.ndarray, media_ms: int, p: TurnSyncParams
) -> _OffsetHistogram:
    """Hits per offset on the 10 ms grid: a histogram of the offset intervals each turn's stamp accepts."""
    lo_d = -int(stamps.max()) - p.window_after_ms
    hi_d = media_ms + p.window_before_ms
    size = (hi_d - lo_d) // FRAME_MS + 2
    counts = np.zeros(size + 1, dtype=np.int64)
    intervals = []
    for stamp in stamps.tolist():
        a, b = _hit_intervals(stamp, on_s, p)
        intervals.append((a, b))
        np.add.at(counts, (a - lo_d) // FRAME_MS, 1)
        np.add.at(counts, (b - lo_d) // FRAME_MS, -1)
    hits = np.cumsum(counts)[:size].astype(np.float64)
    grid = lo_d + np.arange(size) * FRAME_MS
    distinct = max(2.0, (hi_d - lo_d) / (p.window_before_ms + p.window_after_ms))
    return _OffsetHistogram(grid, hits, intervals, distinct)


@dataclass(frozen=True, slots=True)
class _Candidates:
    """The offsets a solution may use, and how each turn fares under each."""

    offsets: np.ndarray  # ms: the stamps as written first, then the best offsets at least distinct_ms apart
    hit: np.ndarray  # (turns, candidates): 1.0 where the turn's stamp + offset has an onset in its window
    prior: np.ndarray  # log prior odds per candidate (the stamps as written weigh as_written_odds)
    mapped: np.ndarray  # (turns, candidates): each stamp moved by each offset
    jump_cost: float  # nats a change of offset costs (a jump at all, its place and its offset)
    chance: float  # the chance of a hit at a random offset
    distinct: float


def _candidates(stamps: np.ndarray, hist: _OffsetHistogram, chance: float, p: TurnSyncParams) -> _Candidates:
    """Candidates: the stamps as written, then the best offsets at least ``distinct_ms`` apart."""
    score = hist.hits  # the candidates' ranking: more turns at an onset is more evidence, whatever q is
    written = np.abs(hist.grid) <= p.as_written_ms
    as_written_prior = math.log(p.as_written_odds * hist.distinct)
    score_prior = score + np.where(written, as_written_prior, 0.0)
    away = p.distinct_ms // FRAME_MS
    cand_k = [int(np.flatnonzero(written)[np.argmax(score[written])])] if written.any() else []
    h = score_prior.copy()
    for k in cand_k:
        h[max(0, k - away) : k + away + 1] = -np.inf
    while len(cand_k) < p.max_candidates and np.isfinite(h.max()):
        k = _centre_of_best(h)
        cand_k.append(k)
        h[max(0, k - away) : k + away + 1] = -np.inf
    cand = np.array([int(hist.grid[k]) for k in cand_k], dtype=np.int64)
    prior = np.where(np.abs(cand) <= p.as_written_ms, as_written_prior, 0.0)
    hit = np.zeros((len(stamps), len(cand)))
    for r, (a, b) in enumerate(hist.intervals):
        for c, d in enumerate(cand.tolist()):
            hit[r, c] = float(np.any((a <= d) & (d < b)))
    jump_cost = math.log(len(stamps) / p.jump_odds) + math.log(hist.distinct)
    mapped = stamps[:, None] + cand[None, :]
    return _Candidates(cand, hit, prior, mapped, jump_cost, chance, hist.distinct)


def _centre_of_best(h: np.ndarray) -> int:
    best = np.flatnonzero(h == h.max())
    groups = np.split(best, np.flatnonzero(np.diff(best) > 1) + 1)
    longest = max(groups, key=len)
    return int(longest[len(longest) // 2])


@dataclass(frozen=True, slots=True)
class _Solution:
    path: np.ndarray  # the candidate per turn
    score: float  # its log posterior odds (with priors and jump costs)
    others: list[float]  # the other solutions' scores
    evidence: float  # its evidence over chance, nats


def _solve(c: _Candidates, q: float, p: TurnSyncParams) -> _Solution:
    """The best solution (a candidate per turn), its score, the other solutions' scores and its evidence
    over chance, for a hit rate ``q`` under the right offset."""
    n = len(c.hit)
    gain_hit, gain_miss = math.log(q / c.chance), math.log((1.0 - q) / (1.0 - c.chance))
    per_turn = np.where(c.hit > 0, gain_hit, gain_miss)
    singles = per_turn.sum(axis=0) + c.prior  # each candidate as one offset for the whole transcript
    # a split solution: runs of turns with another offset, each run long enough and worth its cost
    path = _segment_path(per_turn, c.prior, c.mapped, c.jump_cost, p)
    best = int(np.argmax(singles))
    split = len(set(path.tolist())) > 1
    if split:
        changes = int(np.sum(path[1:] != path[:-1]))
        score = float(per_turn[np.arange(n), path].sum()) - c.jump_cost * changes + float(c.prior[path[0]])
        split = score > singles[best]
    if split:
        return _Solution(path, score, [float(x) for x in singles], float(per_turn[np.arange(n), path].sum()))
    others = [float(x) for k, x in enumerate(singles) if k != best]
    return _Solution(np.full(n, best), float(singles[best]), others, float(per_turn[:, best].sum()))


def _segment_path(
    per_turn: np.ndarray, prior: np.ndarray, mapped: np.ndarray, cost: float, p: TurnSyncParams
) -> np.ndarray:
    """The candidate offset per turn that maximises the evidence (with the first turn's candidate's
    ``prior``) less ``cost`` per change, where a change
    may not map a turn more than ``max_backwards_ms`` before the previous turn; then every run shorter than
    ``min_segment_turns`` goes to the neighbouring run's candidate that explains it better (a jump must
    be shown by several turns, not one turn that happens to sit on an onset)."""
    n, k = per_turn.shape
    best = per_turn[0] + prior
    back = np.zeros((n, k), dtype=np.int64)
    for i in range(1, n):
        # allowed[a, b]: from candidate a at turn i - 1 to candidate b at turn i
        allowed = mapped[i][None, :] >= mapped[i - 1][:, None] - p.max_backwards_ms
        np.fill_diagonal(allowed, True)
        trans = np.where(allowed, best[:, None] - cost * (1 - np.eye(k)), -np.inf)
        back[i] = np.argmax(trans, axis=0)
        best = trans[back[i], np.arange(k)] + per_turn[i]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(np.argmax(best))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    while True:
        bounds = [0, *[j for j in range(1, n) if path[j] != path[j - 1]], n]
        short = [
            (b - a, a, b) for a, b in itertools.pairwise(bounds) if b - a < p.min_segment_turns and b - a < n
        ]
        if not short:
            return path
        _, a, b = min(short)
        options = {int(path[a - 1])} if a > 0 else set()
        if b < n:
            options.add(int(path[b]))
        path[a:b] = max(options, key=lambda c: float(per_turn[a:b, c].sum()))


def _refusal(
    segments: list[Segment],
    confidence: float,
    evidence: float,
    explained: int,
    c: _Candidates,
    p: TurnSyncParams,
) -> str | None:
    """Why the solution is refused, or ``None``. An offset other than the stamps as written was picked
    among ``distinct`` ones: it must beat chance by that much more (the best of many offsets explains some
    turns by luck)."""
    moved = any(abs(seg.offset_ms) > p.as_written_ms for seg in segments)
    needed = p.min_evidence + (math.log(c.distinct) if moved else 0.0)
    if confidence >= p.min_confidence and evidence >= needed:
        return None
    if evidence < needed:
        n = len(c.hit)
        return (
            f"too little evidence: {explained} of {n} turns start at a speech onset, {c.chance:.2f} by chance"
        )
    return f"low confidence {confidence:.2f} < {p.min_confidence:.2f}"
