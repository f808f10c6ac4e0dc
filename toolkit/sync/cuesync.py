"""Find how captions are shifted against the speech in the media: offset, frame-rate ratio, splits.

The caption search of :mod:`toolkit.sync` (``captionkit sync``, ``validate --media`` on caption files);
signals live on the 10 ms grid of :func:`toolkit.media.vad.speech_mask`.

* **Global offset**: each cue's template is cross-correlated with the speech over *every* offset
  (:mod:`.correlate`); limits (``max_offset_ms``) are applied only when accepting.
* **Frame-rate ratio**: the same search is repeated with cue times scaled by 24/23.976, 25/23.976, 25/24
  and their inverses; a ratio other than 1 must beat ratio 1 by ``RATIO_MARGIN`` so files that were
  right are never re-scaled.
* **Piecewise** (ad breaks, cuts, chunks): :mod:`.splits`, searched when the global offset leaves cues
  off the speech.
* **Confidence** in [0, 1]: evidence against chance (:mod:`.edge_evidence`); a split and a ratio must
  earn their place.
* **Do no harm**: a single global shift of at most ``NO_HARM_MS`` (VAD noise) is not applied, a ratio
  must win by ``RATIO_MARGIN``, and below ``min_confidence`` nothing is applied at all.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..media.vad import FRAME_MS
from .correlate import (
    Correlator,
    GlobalFit,
    fit_quality,
    global_fit,
    misfit_share,
    other_peaks,
    peak_confidence,
    speech_signal,
)
from .edge_evidence import Evidence
from .solution import NO_HARM_MS, RATIO_MARGIN, RATIOS, VAD_LAG_MS, Segment, SyncParams, SyncResult
from .splits import piecewise_segments

__all__ = ["apply_sync", "find_sync"]

ALL_FIT_SHARE = 0.05  # when at most this share of cues misfits the global offset ...
SPLIT_SEARCH_ONSETS = 0.7  # ... and at least this share starts on an onset, splits are not searched


def find_sync(
    starts_ms: Sequence[int],
    ends_ms: Sequence[int],
    mask: np.ndarray,
    params: SyncParams | None = None,
) -> SyncResult:
    """How to move the cues ``(starts_ms[i], ends_ms[i])`` onto the speech ``mask`` (10 ms frames)."""
    t0 = time.perf_counter()
    p = params or SyncParams()
    starts = np.asarray(starts_ms, dtype=np.int64)
    ends = np.maximum(np.asarray(ends_ms, dtype=np.int64), starts + 1)
    n = len(starts)
    if n == 0 or not np.any(mask):
        reason = "no cues" if n == 0 else "no speech detected in the media"
        segment = Segment(0, max(n - 1, 0), 0, 0)
        return SyncResult(1.0, (segment,), 0.0, False, reason, int((time.perf_counter() - t0) * 1000))
    v = speech_signal(mask)
    corr = Correlator(v)

    # 1. ratio and global offset
    runs = {r: global_fit(starts, ends, corr, r) for r in (RATIOS if p.fix_ratio else (1.0,))}
    ratio = _chosen_ratio(runs)
    fit = runs[ratio]
    global_off = fit.offset_ms
    _, peak_details = peak_confidence(fit.scores, fit.k, fit.template, p.distinct_ms // FRAME_MS)
    details: dict[str, Any] = dict(peak_details)  # reported
    s_scaled = np.round(starts * ratio).astype(np.int64)
    e_scaled = np.round(ends * ratio).astype(np.int64)

    # 2. piecewise or one offset
    ev = Evidence(mask, p, n)
    single = [Segment(0, n - 1, round(global_off) - VAD_LAG_MS, int(starts[0]))]
    segments = single
    if p.split_penalty > 0 and n >= 4 and _splits_worth_searching(s_scaled, e_scaled, mask, global_off, ev):
        segments = piecewise_segments(starts, (s_scaled, e_scaled), v, round(global_off / FRAME_MS), p)
    details.update(_fit_report(s_scaled, e_scaled, segments, mask))  # reported

    # 3. evidence against chance: whether a split and a ratio have earned their place, and the confidence
    if len(segments) > 1:
        segments = _settled_split(starts, (s_scaled, e_scaled), segments, single, ev)
    if ratio != 1.0:
        plain = [Segment(0, n - 1, round(runs[1.0].offset_ms) - VAD_LAG_MS, int(starts[0]))]
        if not ev.ratio_pays((s_scaled, e_scaled), segments, (starts, ends), plain):
            ratio, segments, fit = 1.0, plain, runs[1.0]
            s_scaled, e_scaled = starts.copy(), ends.copy()
    details.update(_unsupported(s_scaled, e_scaled, segments, ev))  # the split that stands, if any
    peaks = other_peaks(fit.scores, fit.k, p.distinct_ms // FRAME_MS, p.max_alternatives)
    base = segments[0].offset_ms if len(segments) == 1 else round(global_off) - VAD_LAG_MS
    confidence, ev_details = ev.confidence(s_scaled, e_scaled, segments, [base + d for d in peaks] + [0])
    details.update(ev_details)

    # 4. do no harm, acceptance
    if ratio == 1.0 and len(segments) == 1 and abs(segments[0].offset_ms) <= NO_HARM_MS:
        segments = [Segment(0, n - 1, 0, int(starts[0]))]
    refusal = _refusal(segments, confidence, ev_details | details, n, p)
    details["ratios_tried"] = [
        {"ratio": round(r, 6), "score": round(f.score, 1), "offset_ms": round(f.offset_ms)}
        for r, f in runs.items()
    ]
    elapsed = int((time.perf_counter() - t0) * 1000)
    return SyncResult(ratio, tuple(segments), confidence, refusal is None, refusal or "ok", elapsed, details)


def _chosen_ratio(runs: dict[float, GlobalFit]) -> float:
    """Ratio 1, unless the best other ratio scores ``RATIO_MARGIN`` better."""
    other = max((r for r in runs if r != 1.0), key=lambda r: runs[r].score, default=None)
    if other is not None and runs[other].score > runs[1.0].score * (1 + RATIO_MARGIN):
        return other
    return 1.0


def _splits_worth_searching(
    starts: np.ndarray, ends: np.ndarray, mask: np.ndarray, global_off: float, ev: Evidence
) -> bool:
    """Whether the global offset leaves cues off the speech, or too few cue starts on onsets (dense speech
    hides a wrong offset): then the piecewise search runs. Times are scaled by the ratio."""
    on_onsets = float(np.mean(ev.starts.hits(starts + round(global_off) - VAD_LAG_MS)))
    misfit = misfit_share(starts, ends, round(global_off / FRAME_MS), mask)
    return misfit > ALL_FIT_SHARE or on_onsets < SPLIT_SEARCH_ONSETS


def _fit_report(
    starts: np.ndarray, ends: np.ndarray, segments: Sequence[Segment], mask: np.ndarray
) -> dict[str, float]:
    """How much better than chance the cues sit on speech under the solution (reported)."""
    offs = np.concatenate([np.full(seg.last - seg.first + 1, seg.offset_ms) for seg in segments])
    quality, coverage = fit_quality(starts + offs, ends + offs, mask)
    return {"fit_quality": round(quality, 3), "cue_speech_coverage": round(coverage, 3)}


def _settled_split(
    starts: np.ndarray,
    scaled: tuple[np.ndarray, np.ndarray],
    segments: Sequence[Segment],
    single: list[Segment],
    ev: Evidence,
) -> list[Segment]:
    """The split with its segments that do not pay joined to a neighbour (:meth:`Evidence.merged`) and
    moved onto the speech's edges (:meth:`Evidence.settle`), or ``single`` when it does not pay for its
    jumps."""
    kept = ev.merged(*scaled, segments)
    if len(kept) == 1:
        return single
    settled = [Segment(g.first, g.last, g.offset_ms, int(starts[g.first])) for g in ev.settle(*scaled, kept)]
    return settled if ev.split_pays(*scaled, settled, single) else single


def _unsupported(
    starts: np.ndarray, ends: np.ndarray, segments: Sequence[Segment], ev: Evidence
) -> dict[str, Any]:
    """A segment of a split whose cues, on their own, sit on the speech's edges no more often than by
    chance where they land (``{"unsupported_cues": (first, last)}``, 1-based), else nothing. The split
    paid only against the single offset, which fits those cues no better: their offset was a chance peak
    (noise, crosstalk) and the right one was never proposed, so no timing of them can be trusted."""
    if len(segments) < 2:
        return {}
    for seg in segments:
        sl = slice(seg.first, seg.last + 1)
        if ev.worth_where_it_lands(starts[sl], ends[sl], seg.offset_ms) <= 0.0:
            return {"unsupported_cues": (seg.first + 1, seg.last + 1)}
    return {}


def _refusal(
    segments: Sequence[Segment], confidence: float, ev_details: dict[str, Any], n: int, p: SyncParams
) -> str | None:
    """Why the solution is not applied, or ``None`` when it is."""
    biggest = max(abs(s.offset_ms) for s in segments)
    if "unsupported_cues" in ev_details:
        first, last = ev_details["unsupported_cues"]
        return (
            f"cues {first}-{last} sit on the speech's edges no more often than by chance at their segment's "
            "offset: the split is not supported there"
        )
    if ev_details["evidence_margin"] < p.min_evidence:
        return (
            f"too little evidence: {ev_details['cues_at_onsets']} of {n} cues start at a speech onset, "
            f"{ev_details['chance']:.2f} by chance"
        )
    if confidence < p.min_confidence:
        return f"low confidence {confidence:.2f} < {p.min_confidence:.2f}"
    if p.max_offset_ms is not None and biggest > p.max_offset_ms:
        return f"offset {biggest} ms is beyond --max-offset {p.max_offset_ms} ms"
    return None


def apply_sync(
    starts_ms: Sequence[int], ends_ms: Sequence[int], result: SyncResult
) -> tuple[list[int], list[int], int]:
    """New (starts, ends) for every cue (none dropped) and how many were clamped at 0.

    Where a split moves the next segment earlier than the one before it, the last cue before the split
    ends where the next begins: the segments' cues never overlap where the original ones did not."""
    offsets = result.offsets_for(len(starts_ms))
    new_s: list[int] = []
    new_e: list[int] = []
    clamped = 0
    for s, e, off in zip(starts_ms, ends_ms, offsets.tolist(), strict=True):
        ns = round(s * result.ratio) + off
        ne = round(e * result.ratio) + off
        if ns < 0 or ne <= 0:
            clamped += 1
            ns = max(ns, 0)
            ne = max(ne, ns + 1)
        new_s.append(ns)
        new_e.append(ne)
    offs = offsets.tolist()
    for k in range(1, len(new_s)):
        split = offs[k] != offs[k - 1]
        if split and ends_ms[k - 1] <= starts_ms[k] and new_e[k - 1] > new_s[k] > new_s[k - 1]:
            new_e[k - 1] = new_s[k]
    return new_s, new_e, clamped
