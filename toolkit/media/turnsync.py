"""Time a transcript's turns to the speech: offset and time-base jumps, then onset snapping.

Published transcripts stamp each turn to the whole second (truncated), often with a constant offset (the
clock started at the programme, not the file) or jumps where chunks were stitched. :func:`turn_sync` finds
the offset and the jumps by weighing, for every offset, how many stamps are followed by a speech onset
against how many would be by chance; the stamps as written are kept unless the speech gives evidence
against them. Then each turn's start snaps to the speech onset nearest to its corrected stamp (an onset =
speech after at least ``MIN_PAUSE_MS`` of silence), each turn ends at the end of its last stretch of
speech before the next turn, and :class:`TurnSync` gives the word aligner the range where each turn's
first word may lie. The last turn ends where the speech ends, not at an estimate.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..model import Finding, Turn
from ..rules import finding
from ..timecode import format_clock
from .numeric import median
from .sync import VAD_LAG_MS, Segment, SyncResult
from .vad import FRAME_MS, onsets, union_spans, window_cover

if TYPE_CHECKING:
    from ..timing import RateModel

__all__ = [
    "TurnSync",
    "TurnSyncParams",
    "chance_of_hit",
    "onsets",
    "shifted_blocks",
    "speech_residuals",
    "sync_turns",
    "turn_sync",
]

MIN_PAUSE_MS = 150  # silence before a speech onset a turn may snap to
SNAP_BEFORE_MS = 300  # onsets searched this far before the corrected stamp ...
SNAP_AFTER_MS = 1500  # ... and this far after (stamps are truncated to the second)
OFFSET_REPORT_MS = 1000  # smaller offsets are the stamps' own truncation, not worth a finding
JUMP_MIN_MS = 3000  # a residual of speech this large (and 30 % of the turn) is a jump, not rate noise
JUMP_SHARE = 0.3
BLOCK_MAX_TURNS = 12


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
    loose_bounds_ms: tuple[int, int] = (300, 2500)  # the stamps as written, when they could not be checked


def speech_residuals(
    stamps: np.ndarray, words: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per turn: speech heard between its stamp and the next minus the speech its words need (ms), and
    that need. The speech-only rate is the median over turns, so pauses do not enter."""
    bounds = np.append(stamps, len(mask) * FRAME_MS)
    csum = np.concatenate(([0], np.cumsum(mask)))
    frames = np.clip(bounds // FRAME_MS, 0, len(mask))
    heard = (csum[frames[1:]] - csum[frames[:-1]]) * FRAME_MS
    usable = (heard > 0) & (words > 0)
    if usable.sum() < 3:
        return np.zeros(len(stamps)), np.zeros(len(stamps))
    ms_per_word = median(heard[usable] / words[usable])
    need = words * ms_per_word
    return heard - need, need


def shifted_blocks(resid: np.ndarray, need: np.ndarray) -> list[tuple[int, int, float]]:
    """(first, last, residual) of turn runs that look shifted: a surplus of speech before the run and a
    matching deficit at its end (or the reverse). The residual's sign tells the direction."""
    big = [k for k in range(len(resid) - 1) if abs(resid[k]) >= max(JUMP_MIN_MS, JUMP_SHARE * need[k])]
    out: list[tuple[int, int, float]] = []
    used: set[int] = set()
    for a in big:
        if a in used:
            continue
        for b in big:
            if b <= a or b - a > BLOCK_MAX_TURNS or b in used:
                continue
            ra, rb = float(resid[a]), float(resid[b])
            if ra * rb < 0 and 0.5 <= abs(ra) / abs(rb) <= 2.0:
                out.append((a + 1, b, (ra - rb) / 2))
                used.update((a, b))
                break
    return out


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
    then ``q`` is what the chosen solution shows (Laplace's estimate), when that is higher. Every offset on
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

    def result(segments: list[Segment], conf: float, ok: bool, reason: str, **details: Any) -> SyncResult:
        return SyncResult(
            1.0,
            tuple(segments),
            float(conf),
            bool(ok),
            reason,
            int((time.perf_counter() - t0) * 1000),
            details,
        )

    if len(on_s) == 0:
        return idx, result([Segment(0, n - 1, 0, int(stamps[0]))], 0.0, False, "no speech onsets found")
    chance = chance_of_hit(on_s, media_ms, p)

    # hits per offset on the 10 ms grid: a histogram of the offset intervals each turn's stamp accepts
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
    score = hits  # the candidates' ranking: more turns at an onset is more evidence, whatever q is
    written = np.abs(grid) <= p.as_written_ms
    distinct = max(2.0, (hi_d - lo_d) / (p.window_before_ms + p.window_after_ms))
    as_written_prior = math.log(p.as_written_odds * distinct)
    score_prior = score + np.where(written, as_written_prior, 0.0)

    # candidates: the stamps as written, then the best offsets at least distinct_ms apart
    away = p.distinct_ms // FRAME_MS
    cand_k = [int(np.flatnonzero(written)[np.argmax(score[written])])] if written.any() else []
    h = score_prior.copy()
    for k in cand_k:
        h[max(0, k - away) : k + away + 1] = -np.inf
    while len(cand_k) < p.max_candidates and np.isfinite(h.max()):
        k = _centre_of_best(h)
        cand_k.append(k)
        h[max(0, k - away) : k + away + 1] = -np.inf
    cand = np.array([int(grid[k]) for k in cand_k], dtype=np.int64)
    prior = np.where(np.abs(cand) <= p.as_written_ms, as_written_prior, 0.0)
    hit = np.zeros((n, len(cand)))
    for r, (a, b) in enumerate(intervals):
        for c, d in enumerate(cand.tolist()):
            hit[r, c] = float(np.any((a <= d) & (d < b)))
    jump_cost = math.log(n / p.jump_odds) + math.log(distinct)
    mapped = stamps[:, None] + cand[None, :]

    def solve(q: float) -> tuple[np.ndarray, float, list[float], float]:
        """The best solution (a candidate per turn), its score, the other solutions' scores and its
        evidence over chance, for a hit rate ``q`` under the right offset."""
        gain_hit, gain_miss = math.log(q / chance), math.log((1.0 - q) / (1.0 - chance))
        per_turn = np.where(hit > 0, gain_hit, gain_miss)
        singles = per_turn.sum(axis=0) + prior  # each candidate as one offset for the whole transcript
        # a split solution: runs of turns with another offset, each run long enough and worth its cost
        path = _segment_path(per_turn, prior, mapped, jump_cost, p)
        best = int(np.argmax(singles))
        split = len(set(path.tolist())) > 1
        if split:
            changes = int(np.sum(path[1:] != path[:-1]))
            score = float(per_turn[np.arange(n), path].sum()) - jump_cost * changes + float(prior[path[0]])
            split = score > singles[best]
        if split:
            return path, score, [float(x) for x in singles], float(per_turn[np.arange(n), path].sum())
        others = [float(x) for c, x in enumerate(singles) if c != best]
        return np.full(n, best), float(singles[best]), others, float(per_turn[:, best].sum())

    q = 1.0 - (1.0 - chance) * p.miss_share  # a first guess; then what the chosen solution shows
    chosen, chosen_score, others, evidence = solve(q)
    shown = (float(hit[np.arange(n), chosen].sum()) + 1.0) / (n + 2.0)
    if min(p.max_hit_rate, shown) > q:
        q = min(p.max_hit_rate, shown)
        chosen, chosen_score, others, evidence = solve(q)
    confidence = 1.0 / (1.0 + sum(math.exp(min(50.0, x - chosen_score)) for x in others))

    segments: list[Segment] = []
    i = 0
    while i < n:
        j = i
        while j + 1 < n and chosen[j + 1] == chosen[i]:
            j += 1
        segments.append(Segment(i, j, int(cand[chosen[i]]), int(stamps[i])))
        i = j + 1
    explained = int(sum(hit[r, chosen[r]] for r in range(n)))
    # an offset other than the stamps as written was picked among ``distinct`` ones: it must beat chance
    # by that much more (the best of many offsets explains some turns by luck)
    moved = any(abs(seg.offset_ms) > p.as_written_ms for seg in segments)
    needed = p.min_evidence + (math.log(distinct) if moved else 0.0)
    accepted = confidence >= p.min_confidence and evidence >= needed
    if accepted:
        reason = "ok"
    elif evidence < needed:
        reason = (
            f"too little evidence: {explained} of {n} turns start at a speech onset, {chance:.2f} by chance"
        )
    else:
        reason = f"low confidence {confidence:.2f} < {p.min_confidence:.2f}"
    return idx, result(
        segments,
        confidence,
        accepted,
        reason,
        turns_explained=explained,
        turns=n,
        chance=round(chance, 3),
        evidence=round(evidence, 2),
    )


def _centre_of_best(h: np.ndarray) -> int:
    best = np.flatnonzero(h == h.max())
    groups = np.split(best, np.flatnonzero(np.diff(best) > 1) + 1)
    longest = max(groups, key=len)
    return int(longest[len(longest) // 2])


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


def _choose_copies(
    turns: Sequence[Turn],
    mask: np.ndarray,
    alternatives: Mapping[int, Sequence[tuple[int, int]]],
    findings: list[Finding],
    path: str | None,
) -> list[Turn]:
    from ..timing import count_words

    out = list(turns)
    idx = [i for i, t in enumerate(out) if t.start_ms is not None]
    words = np.array([count_words(out[i].text) for i in idx], dtype=np.float64)
    for i, alts in alternatives.items():
        if i not in idx or not alts:
            continue
        k = idx.index(i)
        base = np.array([int(out[j].start_ms or 0) for j in idx], dtype=np.int64)
        lo = int(base[k - 1]) if k > 0 else -(10**9)
        hi = int(base[k + 1]) if k + 1 < len(idx) else 10**12
        best_stamp, best_line, best_cost = int(out[i].start_ms or 0), None, None
        for stamp, line in [(int(out[i].start_ms or 0), None), *alts]:
            if not lo < stamp < hi:
                continue  # a copy's stamp must keep the turns in order
            trial = base.copy()
            trial[k] = stamp
            resid, _ = speech_residuals(trial, words, mask)
            cost = float(np.abs(resid[max(0, k - 1) : k + 1]).sum())
            if best_cost is None or cost < best_cost - 500:  # the kept copy wins ties
                best_stamp, best_line, best_cost = stamp, line, cost
        if best_line is not None:
            t = out[i]
            findings.append(
                finding(
                    "T007",
                    f"took the timestamp {format_clock(best_stamp)} of the removed copy on line {best_line} "
                    f"instead of {format_clock(int(t.start_ms or 0))}: the speech fits the text with it",
                    path=path,
                    line=t.line,
                    start_ms=best_stamp,
                    previous_start_ms=t.start_ms,
                    copy_line=best_line,
                )
            )
            out[i] = replace(
                t,
                start_ms=best_stamp,
                source_start_ms=t.source_start_ms if t.source_start_ms is not None else t.start_ms,
            )
    return out


class TurnSync(NamedTuple):
    """What :func:`sync_turns` gives: the turns (start snapped to the speech, ``source_start_ms`` the
    stamp), findings, a summary for the JSON ``meta``, and per turn the range ``(earliest, latest)`` in
    ms where its first word may lie (``None`` for a turn without a stamp): tight around the corrected
    stamp when the sync is accepted, loose when the stamps could not be checked against the speech."""

    turns: tuple[Turn, ...]
    findings: list[Finding]
    meta: dict[str, Any]
    bounds: tuple[tuple[int, int] | None, ...]


def sync_turns(
    turns: Sequence[Turn],
    mask: np.ndarray,
    *,
    duration_ms: int | None = None,
    path: str | None = None,
    rates: RateModel | None = None,
    alternatives: Mapping[int, Sequence[tuple[int, int]]] | None = None,
    params: TurnSyncParams | None = None,
) -> TurnSync:
    """Turns re-timed to the speech (``source_start_ms`` keeps the stamp), findings, a meta summary and
    where each turn's first word may lie (see :class:`TurnSync`).

    ``alternatives`` maps a turn index to other timestamps the source gave for the same text, as
    ``(start_ms, line)`` pairs (the copies that duplicate removal dropped): the audio picks the stamp
    whose speech fits the text before and after it best.
    """
    p = params or TurnSyncParams()
    findings: list[Finding] = []
    meta: dict[str, Any] = {}
    bounds: list[tuple[int, int] | None] = [None] * len(turns)
    if alternatives:
        turns = _choose_copies(turns, mask, alternatives, findings, path)
    synced = turn_sync(turns, mask, params=p)
    if synced is None:
        return TurnSync(
            tuple(turns), findings, {"sync": "skipped: fewer than two timed turns"}, tuple(bounds)
        )
    idx, result = synced
    meta["sync"] = result.to_json()
    offsets = np.zeros(len(turns), dtype=np.int64)
    if result.accepted:
        per = result.offsets_for(len(idx))
        for k, i in enumerate(idx):
            offsets[i] = per[k]
        seg0 = result.segments[0]
        if abs(seg0.offset_ms) >= OFFSET_REPORT_MS:
            t0 = turns[idx[seg0.first]]
            findings.append(
                finding(
                    "M004",
                    f"the transcript is offset by {seg0.offset_ms / 1000:+.1f} s against "
                    "the audio; corrected",
                    path=path,
                    line=t0.line,
                    offset_ms=seg0.offset_ms,
                )
            )
        for prev, seg in zip(result.segments, result.segments[1:], strict=False):
            t = turns[idx[seg.first]]
            findings.append(
                finding(
                    "M005",
                    f"the offset changes from {prev.offset_ms / 1000:+.1f} s "
                    f"to {seg.offset_ms / 1000:+.1f} s "
                    f"at {format_clock(max(0, t.start_ms or 0))}; corrected",
                    path=path,
                    line=t.line,
                    from_ms=t.start_ms,
                    offset_ms=seg.offset_ms,
                    previous_offset_ms=prev.offset_ms,
                )
            )
    else:
        findings.append(
            finding(
                "M006",
                f"could not sync the transcript to the audio ({result.reason}); the timestamps were kept",
                path=path,
                confidence=round(result.confidence, 3),
            )
        )
    on_s, on_e = onsets(mask)
    solid = (on_e - on_s) >= 200  # the end of speech: ignore a last blip (a click, a breath)
    last_speech = int(on_e[solid][-1]) if solid.any() else None
    new_starts: dict[int, int] = {}
    prev_start = -1
    for i in idx:
        off = int(offsets[i])
        # the stamp (after the offset) is the first word truncated to the second: the onset follows it
        stamp = int(turns[i].start_ms or 0) + off
        lo, hi, target = stamp - SNAP_BEFORE_MS, stamp + SNAP_AFTER_MS, stamp + 300
        cand = on_s[(on_s >= max(lo, prev_start + 1)) & (on_s <= hi)]
        if len(cand):
            start = max(0, int(cand[np.argmin(np.abs(cand - target))]) - VAD_LAG_MS)
        else:
            start = max(stamp, prev_start + 1, 0)
        new_starts[i] = start
        prev_start = start
        # where the turn's first word may be: near its stamp when the sync holds, wider when it does not
        before, after = (p.bound_before_ms, p.bound_after_ms) if result.accepted else p.loose_bounds_ms
        bounds[i] = (max(0, stamp - before), stamp + after)
    out: list[Turn] = []
    order = list(new_starts)
    for k, i in enumerate(order):
        t = turns[i]
        start = new_starts[i]
        nxt = new_starts[order[k + 1]] if k + 1 < len(order) else None
        limit = nxt if nxt is not None else (duration_ms or (last_speech or start + 1))
        inside = on_e[(on_s < limit) & (on_e > start)]
        end = int(min(inside.max(), limit)) if len(inside) else None
        if nxt is None and last_speech is not None and last_speech > start:
            end = last_speech
        if end is not None and end <= start:
            end = None
        new_starts_src = t.source_start_ms if t.source_start_ms is not None else t.start_ms
        out.append(replace(t, start_ms=start, end_ms=end, source_start_ms=new_starts_src))
    merged = list(turns)
    for i, t in zip(order, out, strict=True):
        merged[i] = t
    meta["snapped_turns"] = len(order)
    return TurnSync(tuple(merged), findings, meta, tuple(bounds))
