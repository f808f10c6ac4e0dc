"""Time a transcript's turns to the speech: offset and time-base jumps, then onset snapping.

Published transcripts stamp each turn to the whole second (truncated), often with a constant offset (the
clock started at the programme, not the file) or jumps where chunks were stitched. The turns are first
synced as a whole with :func:`toolkit.media.sync.find_sync` (each turn a cue from its stamp to the next
stamp), which finds the offset and the jumps; then each turn's start snaps to the speech onset nearest
to its corrected stamp (an onset = speech after at least ``MIN_PAUSE_MS`` of silence), and each turn
ends at the end of its last stretch of speech before the next turn. The last turn ends where the speech
ends, not at an estimate.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model import Finding, Turn
from ..rules import finding
from ..timecode import format_clock
from .numeric import median
from .sync import VAD_LAG_MS, Segment, SyncResult, _Correlator, _dp, _template
from .vad import FRAME_MS, runs

if TYPE_CHECKING:
    from ..timing import RateModel

__all__ = ["onsets", "shifted_blocks", "speech_residuals", "sync_turns", "turn_sync"]

MIN_PAUSE_MS = 150  # silence before a speech onset a turn may snap to
SNAP_BEFORE_MS = 300  # onsets searched this far before the corrected stamp ...
SNAP_AFTER_MS = 1500  # ... and this far after (stamps are truncated to the second)
OFFSET_REPORT_MS = 1000  # smaller offsets are the stamps' own truncation, not worth a finding
WINDOW_BEFORE_MS = 200  # a turn's onset may come this much before its (offset) stamp ...
WINDOW_AFTER_MS = 1000  # ... or up to this much after it (truncated to the second)
DISTINCT_MS = 2000
MAX_CANDIDATES = 8
TURN_SPLIT_PENALTY = 2.5  # a jump must explain three more turns than one offset (onsets are dense)
TURN_MIN_CONFIDENCE = 0.5
JUMP_MIN_MS = 3000  # a residual of speech this large (and 30 % of the turn) is a jump, not rate noise
JUMP_SHARE = 0.3
BLOCK_SNAP_MS = 2500
BLOCK_MAX_TURNS = 12
STAMPS_AGREE = 0.8  # share of turns whose stamp is followed by an onset, to trust stamps as written
BLOCK_WEIGHT = 2.0  # the whole-turn correlation counts as much as two turns' onsets


def onsets(mask: np.ndarray, min_pause_ms: int = MIN_PAUSE_MS) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) in ms of speech stretches separated by at least ``min_pause_ms`` of silence."""
    rs = runs(mask)
    merged: list[list[int]] = []
    for s, e in rs:
        if merged and (s - merged[-1][1]) * FRAME_MS < min_pause_ms:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    arr = np.array(merged, dtype=np.int64).reshape(-1, 2) * FRAME_MS
    return arr[:, 0], arr[:, 1]


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


def _hit_intervals(stamp: int, on_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets d (ms, half-open [lo, hi)) for which ``stamp + d`` has an onset in its window."""
    lo = on_s - stamp - WINDOW_AFTER_MS
    hi = on_s - stamp + WINDOW_BEFORE_MS
    if len(lo) == 0:
        return lo, hi
    keep_lo, keep_hi = [int(lo[0])], [int(hi[0])]
    for a, b in zip(lo[1:].tolist(), hi[1:].tolist(), strict=True):
        if a <= keep_hi[-1]:
            keep_hi[-1] = max(keep_hi[-1], b)
        else:
            keep_lo.append(a)
            keep_hi.append(b)
    return np.array(keep_lo), np.array(keep_hi)


def _block_prior(
    turns: Sequence[Turn],
    idx: list[int],
    stamps: np.ndarray,
    mask: np.ndarray,
    rates: RateModel | None,
    lo_d: int,
    size: int,
) -> np.ndarray:
    """Whole-turn template correlation on the offset grid ``lo_d + 10 * i``, scaled to [0, 1]."""
    ends = []
    for k, i in enumerate(idx):
        nxt = int(stamps[k + 1]) if k + 1 < len(idx) else int(stamps[k]) + 60_000
        guess = rates.speech_ms(turns[i].speaker, turns[i].text) if rates else nxt - int(stamps[k])
        ends.append(max(int(stamps[k]) + 200, min(nxt - 200, int(stamps[k]) + max(guess, 1000))))
    lo = int(min(0, stamps.min()))
    e = np.array(ends, dtype=np.int64)
    tpl = _template(stamps - lo, e - lo, int((e.max() - lo) // FRAME_MS) + 2)
    scores, zero = _Correlator(np.where(mask, 1.0, -1.0))(tpl)
    d = lo_d + np.arange(size) * FRAME_MS
    j = np.clip((d + lo) // FRAME_MS + zero, 0, len(scores) - 1)
    sc = scores[j]
    med, top = median(scores), float(scores.max())
    out: np.ndarray = np.clip((sc - med) / max(top - med, 1e-9), 0.0, 1.0)
    return out


def turn_sync(
    turns: Sequence[Turn], mask: np.ndarray, *, rates: RateModel | None = None
) -> tuple[list[int], SyncResult] | None:
    """Offset and jumps of the timed turns, by onset voting.

    A transcript stamp marks a turn's first word, truncated to the second, so under the right offset
    ``d`` almost every ``stamp + d`` is followed within a second by a speech onset, while under a wrong
    one only the chance share is (about one in four in dense speech). Every offset on the 10 ms grid gets
    the number of turns it explains (a histogram of intervals, so the search is unbounded); a dynamic
    programme over the turns then lets runs of turns take another offset for ``TURN_SPLIT_PENALTY`` turns.
    """
    t0 = time.perf_counter()
    idx = [i for i, t in enumerate(turns) if t.start_ms is not None]
    if len(idx) < 2:
        return None
    n = len(idx)
    stamps = np.array([int(turns[i].start_ms or 0) for i in idx], dtype=np.int64)
    on_s, _ = onsets(mask)
    media_ms = len(mask) * FRAME_MS
    lo_d = -int(stamps.max()) - WINDOW_AFTER_MS
    hi_d = media_ms + WINDOW_BEFORE_MS
    size = (hi_d - lo_d) // FRAME_MS + 2
    counts = np.zeros(size + 1, dtype=np.int64)
    intervals = []
    for stamp in stamps.tolist():
        a, b = _hit_intervals(stamp, on_s)
        intervals.append((a, b))
        np.add.at(counts, (a - lo_d) // FRAME_MS, 1)
        np.add.at(counts, (b - lo_d) // FRAME_MS, -1)
    hits = np.cumsum(counts)[:size].astype(np.float64)
    # a broad prior: the whole-turn template correlation (turn = stamp to next stamp or its words' time)
    hits = hits + BLOCK_WEIGHT * _block_prior(turns, idx, stamps, mask, rates, lo_d, size)
    if hits.max() <= 0:
        res = SyncResult(
            1.0,
            (Segment(0, n - 1, 0, int(stamps[0])),),
            0.0,
            False,
            "no speech onsets found",
            int((time.perf_counter() - t0) * 1000),
        )
        return idx, res

    def centre_of_best(h: np.ndarray) -> int:
        best = np.flatnonzero(h == h.max())
        groups = np.split(best, np.flatnonzero(np.diff(best) > 1) + 1)
        longest = max(groups, key=len)
        return int(longest[len(longest) // 2])

    k_best = centre_of_best(hits)
    away = DISTINCT_MS // FRAME_MS
    outside = np.concatenate((hits[: max(0, k_best - away)], hits[k_best + away + 1 :]))
    second = float(outside.max()) if len(outside) else 0.0
    h1 = float(hits[k_best])
    confidence = max(0.0, min(1.0, (h1 - second) / max(2.0, 0.2 * n))) * min(1.0, h1 / (0.6 * n))

    # candidates: the best offsets, at least DISTINCT_MS apart
    cands: list[int] = []
    h = hits.copy()
    while len(cands) < MAX_CANDIDATES and h.max() >= 2 + BLOCK_WEIGHT:
        k = centre_of_best(h)
        cands.append(lo_d + k * FRAME_MS)
        h[max(0, k - away) : k + away + 1] = -1
    cand = np.array(cands, dtype=np.int64)
    hit = np.zeros((n, len(cand)))
    for r, (a, b) in enumerate(intervals):
        for c, d in enumerate(cand.tolist()):
            hit[r, c] = float(np.any((a <= d) & (d < b)))
    path = _dp(hit, TURN_SPLIT_PENALTY)
    segments: list[Segment] = []
    i = 0
    while i < n:
        j = i
        while j + 1 < n and path[j + 1] == path[i]:
            j += 1
        segments.append(Segment(i, j, int(cand[path[i]]), int(stamps[i])))
        i = j + 1
    if len(segments) > 1:  # confidence: share of turns explained by their segment's offset
        explained = sum(hit[r, path[r]] for r in range(n))
        confidence = max(confidence, min(1.0, max(0.0, explained / n - 0.3) / 0.6))
    accepted = confidence >= TURN_MIN_CONFIDENCE
    reason = "ok" if accepted else f"low confidence {confidence:.2f} < {TURN_MIN_CONFIDENCE:.2f}"
    at_zero = sum(bool(np.any((a <= 0) & (b > 0))) for a, b in intervals)
    if not accepted and at_zero >= STAMPS_AGREE * n:
        # too few turns to tell offsets apart, but the stamps as written agree with the speech: keep them
        segments = [Segment(0, n - 1, 0, int(stamps[0]))]
        accepted, reason = True, f"the timestamps agree with the speech ({at_zero} of {n} turns)"
    details = {
        "turns_explained": int(sum(hit[r, path[r]] for r in range(n))),
        "turns": n,
        "best_score": round(h1, 2),
        "runner_up_score": round(second, 2),
    }
    res = SyncResult(
        1.0, tuple(segments), confidence, accepted, reason, int((time.perf_counter() - t0) * 1000), details
    )
    return idx, res


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


def sync_turns(
    turns: Sequence[Turn],
    mask: np.ndarray,
    *,
    duration_ms: int | None = None,
    path: str | None = None,
    rates: RateModel | None = None,
    alternatives: Mapping[int, Sequence[tuple[int, int]]] | None = None,
) -> tuple[tuple[Turn, ...], list[Finding], dict[str, Any]]:
    """Turns re-timed to the speech (``source_start_ms`` keeps the stamp), findings and a meta summary.

    ``alternatives`` maps a turn index to other timestamps the source gave for the same text, as
    ``(start_ms, line)`` pairs (the copies that duplicate removal dropped): the audio picks the stamp
    whose speech fits the text before and after it best.
    """
    findings: list[Finding] = []
    meta: dict[str, Any] = {}
    if alternatives:
        turns = _choose_copies(turns, mask, alternatives, findings, path)
    synced = turn_sync(turns, mask, rates=rates)
    if synced is None:
        return tuple(turns), findings, {"sync": "skipped: fewer than two timed turns"}
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
    # time-base jumps: runs of turns with a surplus of speech before them and the matching deficit after
    from ..timing import count_words

    stamps = np.array([int(turns[i].start_ms or 0) for i in idx], dtype=np.int64)
    words = np.array([count_words(turns[i].text) for i in idx], dtype=np.float64)
    shifted = stamps + np.array([offsets[i] for i in idx], dtype=np.int64)
    resid, need = speech_residuals(shifted, words, mask)
    density = max(0.3, float(mask.mean()))
    widened: set[int] = set()
    for first, last, surplus in shifted_blocks(resid, need):
        late_ms = round(surplus / density)
        t = turns[idx[first]]
        findings.append(
            finding(
                "M005",
                f"the turns at lines {t.line}-{turns[idx[last]].line} were about {late_ms / 1000:+.0f} s "
                "off the rest; corrected",
                path=path,
                line=t.line,
                first_line=t.line,
                last_line=turns[idx[last]].line,
                shift_ms=late_ms,
            )
        )
        for k in range(first, last + 1):
            offsets[idx[k]] -= late_ms
            widened.add(idx[k])
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
        if i in widened:  # a jump's size is estimated from the speech: search wider
            lo, hi = stamp - BLOCK_SNAP_MS, stamp + BLOCK_SNAP_MS
        cand = on_s[(on_s >= max(lo, prev_start + 1)) & (on_s <= hi)]
        if len(cand):
            start = max(0, int(cand[np.argmin(np.abs(cand - target))]) - VAD_LAG_MS)
        else:
            start = max(stamp, prev_start + 1, 0)
        new_starts[i] = start
        prev_start = start
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
    return tuple(merged), findings, meta
