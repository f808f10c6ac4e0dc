"""Find how captions are shifted against the speech in the media: offset, frame-rate ratio, splits.

Signals live on the 10 ms grid of :func:`toolkit.media.vad.speech_mask`. The speech becomes ``V`` = +1
(speech) / -1 (no speech, and everything outside the media). Each cue becomes a template: +1 while the
cue is shown and -1 on a short pre-roll before its start (as far back as the previous cue's end), so the
score rewards cue starts that sit on speech onsets and does not drift with cue ends written late.

* **Global offset**: the template is cross-correlated with ``V`` by FFT over *every* offset that keeps
  one frame of overlap, so the search is unbounded and costs O(n log n); limits (``max_offset_ms``) are
  applied only when accepting. The peak is refined to 1 ms by parabolic interpolation.
* **Frame-rate ratio**: the same search is repeated with cue times scaled by 24/23.976, 25/23.976, 25/24
  and their inverses; a ratio other than 1 must beat ratio 1 by ``RATIO_MARGIN`` so files that were
  right are never re-scaled.
* **Piecewise** (ad breaks, cuts, chunks): candidate offsets are the peaks of windowed correlations; a
  dynamic programme gives every cue one candidate, paying ``split_penalty`` per change of offset; each
  segment's offset is then refined on its own.
* **Confidence** in [0, 1]: how far the chosen peak stands above the best offset more than 1 s away,
  relative to the typical score, times the share of the shown cue time that lands on speech; for split
  solutions the cue-weighted mean over segments. A split or ratio solution is also capped by its *fit
  quality* (how far above the media's speech share the cues' speech coverage is), so a search that
  cherry-picks offsets for unrelated captions is not trusted.
* **Do no harm**: a single global shift of at most ``NO_HARM_MS`` (VAD noise) is not applied, a ratio
  must win by ``RATIO_MARGIN``, and below ``min_confidence`` nothing is applied at all.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .numeric import median
from .vad import FRAME_MS

__all__ = [
    "RATIOS",
    "Segment",
    "SyncParams",
    "SyncResult",
    "apply_sync",
    "find_sync",
]

RATIOS: tuple[float, ...] = (
    1.0,
    24 / 23.976,
    25 / 23.976,
    25 / 24,
    23.976 / 24,
    23.976 / 25,
    24 / 25,
)
RATIO_MARGIN = 0.05  # a ratio other than 1 must score 5 % better than ratio 1
PRE_ROLL_MS = 200  # silence expected before a cue start (up to the previous cue's end)
MAX_CUE_MS = 10_000  # longer cues count only for their first 10 s (ffsubsync does the same)
VAD_LAG_MS = 15  # webrtcvad mode 3 marks onsets ~15 ms late on 10 ms frames (measured, see vad.py)
HEAD_MS = 1000  # the first second of a cue weighs fully; the rest (where late ends sit) weighs TAIL_WEIGHT
TAIL_WEIGHT = 0.25
NO_HARM_MS = 30  # a global shift this small is VAD noise: captions already in sync are left untouched
ALL_FIT_SHARE = 0.05  # when at most this share of cues misfits the global offset, splits are not searched
GOOD_FIT = 0.5  # fit quality (see _fit_quality) of a trustworthy split or ratio solution
BOUNDARY_REACH = 2  # a split may move this many cues to a wider caption gap ...
BOUNDARY_TIE = 20.0  # ... when that costs at most 0.2 s of speech agreement


@dataclass(frozen=True, slots=True)
class SyncParams:
    split_penalty: float = 4.0  # seconds of speech agreement a split must gain; <= 0 disables splits
    fix_ratio: bool = True
    max_offset_ms: int | None = None  # reject (not restrict) solutions shifting further than this
    min_confidence: float = 0.5
    window_ms: int = 60_000  # caption time per window when looking for piecewise candidates
    distinct_ms: int = 1000  # the runner-up peak must be at least this far from the best (confidence)


@dataclass(frozen=True, slots=True)
class Segment:
    """Cues ``first..last`` (0-based, inclusive) move by ``offset_ms`` after scaling by the ratio."""

    first: int
    last: int
    offset_ms: int
    start_ms: int  # where the segment starts in the original caption time

    def to_json(self) -> dict[str, int]:
        return {
            "first_cue": self.first + 1,
            "last_cue": self.last + 1,
            "offset_ms": self.offset_ms,
            "from_ms": self.start_ms,
        }


@dataclass(frozen=True, slots=True)
class SyncResult:
    ratio: float
    segments: tuple[Segment, ...]
    confidence: float
    accepted: bool
    reason: str
    elapsed_ms: int
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def offset_ms(self) -> int:
        """The offset of the longest segment (the global offset when there is one segment)."""
        if not self.segments:
            return 0
        return max(self.segments, key=lambda s: s.last - s.first).offset_ms

    @property
    def split_points_ms(self) -> list[int]:
        return [s.start_ms for s in self.segments[1:]]

    def offsets_for(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        for s in self.segments:
            out[s.first : s.last + 1] = s.offset_ms
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "reason": self.reason,
            "confidence": round(self.confidence, 3),
            "offset_ms": self.offset_ms,
            "ratio": self.ratio,
            "segments": [s.to_json() for s in self.segments],
            "split_points_ms": self.split_points_ms,
            "elapsed_ms": self.elapsed_ms,
            **self.details,
        }


# ----------------------------------------------------------------------------------------- signals


def _template(starts: np.ndarray, ends: np.ndarray, n_frames: int) -> np.ndarray:
    """Cue template on the 10 ms grid (times in ms, already scaled)."""
    tpl = np.zeros(n_frames, dtype=np.float64)
    prev_end = -(10**9)
    order = np.argsort(starts, kind="stable")
    for i in order:
        s = int(starts[i]) // FRAME_MS
        e = max(s + 1, int(min(ends[i], starts[i] + MAX_CUE_MS)) // FRAME_MS)
        pre = max(prev_end, s - PRE_ROLL_MS // FRAME_MS, 0)
        if pre < s:
            tpl[pre:s] = np.minimum(tpl[pre:s], -1.0) if np.any(tpl[pre:s] > 0) else -1.0
        head = min(e, s + HEAD_MS // FRAME_MS)
        tpl[max(s, 0) : max(head, 0)] = 1.0
        tpl[max(head, 0) : max(e, 0)] = TAIL_WEIGHT
        prev_end = max(prev_end, e)
    return tpl


def _speech_signal(mask: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.where(mask, 1.0, -1.0)
    return out


class _Correlator:
    """Cross-correlates templates with one speech signal; the signal's FFT is computed once per size."""

    def __init__(self, v: np.ndarray) -> None:
        self.v = v
        self._fft: dict[int, np.ndarray] = {}

    def __call__(self, tpl: np.ndarray) -> tuple[np.ndarray, int]:
        """Scores for every frame offset k in [-len(tpl), len(v)] (index k + len(tpl)).

        Template frames that fall outside the media count as facing non-speech (-1)."""
        lt, lv = len(tpl), len(self.v)
        n = 1 << math.ceil(math.log2(lv + lt + 1))
        if n not in self._fft:
            self._fft[n] = np.fft.rfft(self.v, n)
        circ = np.fft.irfft(self._fft[n] * np.conj(np.fft.rfft(tpl, n)), n)
        ks = np.arange(-lt, lv + 1)
        inside = circ[ks % n]
        csum = np.concatenate(([0.0], np.cumsum(tpl)))
        before = csum[np.clip(-ks, 0, lt)]
        after = csum[lt] - csum[np.clip(lv - ks, 0, lt)]
        return inside - before - after, lt


def _peak(scores: np.ndarray) -> tuple[int, float]:
    """Index of the maximum and its parabolic refinement in frames."""
    k = int(np.argmax(scores))
    if 0 < k < len(scores) - 1:
        a, b, c = scores[k - 1], scores[k], scores[k + 1]
        den = a - 2 * b + c
        if den < 0:
            return k, float(k + 0.5 * (a - c) / den)
    return k, float(k)


def _confidence(
    scores: np.ndarray, k: int, tpl: np.ndarray, away: int = 100
) -> tuple[float, dict[str, float]]:
    peak = float(scores[k])
    outside = np.concatenate((scores[: max(0, k - away)], scores[k + away + 1 :]))
    base = median(scores)
    second = float(outside.max()) if len(outside) else base
    positive = float(np.sum(tpl > 0))
    # share of shown cue time on speech at the peak: score = on - off over positive frames (+ pre-roll)
    distinct = (peak - second) / max(peak - base, 1e-9)
    coverage = min(1.0, max(0.0, (peak / max(positive, 1.0) + 1.0) / 2.0))
    conf = max(0.0, min(1.0, distinct / 0.25)) * min(1.0, coverage / 0.7)
    return conf, {"peak_distinctness": round(distinct, 3), "speech_coverage": round(coverage, 3)}


# ----------------------------------------------------------------------------------------- search


def _segment_confidence(
    starts: np.ndarray, ends: np.ndarray, v: _Correlator, away: int
) -> tuple[float, dict[str, float]]:
    lo = int(starts.min())
    tpl = _template(starts - lo, ends - lo, int((ends.max() - lo) // FRAME_MS) + 2)
    scores, _ = v(tpl)
    return _confidence(scores, int(np.argmax(scores)), tpl, away)


def _global(
    starts: np.ndarray, ends: np.ndarray, corr: _Correlator, ratio: float
) -> tuple[float, float, np.ndarray, int, np.ndarray]:
    s = np.round(starts * ratio).astype(np.int64)
    e = np.round(ends * ratio).astype(np.int64)
    lo = int(min(0, s.min()))
    n_frames = int((e.max() - lo) // FRAME_MS) + 2
    tpl = _template(s - lo, e - lo, n_frames)
    scores, zero = corr(tpl)
    k, kf = _peak(scores)
    offset_ms = (kf - zero) * FRAME_MS - lo
    return float(scores[k]) / max(ratio, 1.0), offset_ms, scores, k, tpl


def _cue_scores(starts: np.ndarray, ends: np.ndarray, v: np.ndarray, cands: np.ndarray) -> np.ndarray:
    """Score of every cue (rows) under every candidate frame offset (columns)."""
    pad = int(max(abs(cands).max(initial=0), 1)) + int(ends.max() // FRAME_MS) + 2
    vpad = np.concatenate((-np.ones(pad), v, -np.ones(pad)))
    csum = np.concatenate(([0.0], np.cumsum(vpad)))
    sf = starts // FRAME_MS
    ef = np.maximum(sf + 1, np.minimum(ends, starts + MAX_CUE_MS) // FRAME_MS)
    hf = np.minimum(ef, sf + HEAD_MS // FRAME_MS)
    prev_end = np.concatenate(([-(10**9)], np.maximum.accumulate(ef)[:-1]))
    pf = np.maximum(sf - PRE_ROLL_MS // FRAME_MS, np.minimum(prev_end, sf))
    out = np.empty((len(starts), len(cands)))
    for j, c in enumerate(cands):
        a = sf + c + pad
        b = ef + c + pad
        p = pf + c + pad
        h = hf + c + pad
        out[:, j] = (csum[h] - csum[a]) + TAIL_WEIGHT * (csum[b] - csum[h]) - (csum[a] - csum[p])
    return out


def _fit_quality(starts: np.ndarray, ends: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """(quality, coverage): the share of shown cue time on speech, and how far it is above chance (the
    media's speech share) towards 1."""
    csum = np.concatenate(([0], np.cumsum(mask)))
    a = np.clip(starts // FRAME_MS, 0, len(mask))
    b = np.clip(np.minimum(ends, starts + HEAD_MS) // FRAME_MS, 0, len(mask))
    shown = float(np.sum(np.maximum(b - a, 0)))
    if shown <= 0:
        return 0.0, 0.0
    coverage = float(np.sum(csum[b] - csum[a])) / shown
    chance = float(mask.mean())
    return (coverage - chance) / max(1.0 - chance, 1e-6), coverage


def _misfits(starts: np.ndarray, ends: np.ndarray, frame_offset: int, mask: np.ndarray) -> float:
    """Share of cues whose first second is mostly not speech under one offset (no split needed if ~0)."""
    csum = np.concatenate(([0], np.cumsum(mask)))
    a = np.clip(starts // FRAME_MS + frame_offset, 0, len(mask))
    b = np.clip(np.minimum(ends, starts + HEAD_MS) // FRAME_MS + frame_offset, 0, len(mask))
    covered = (csum[b] - csum[a]) / np.maximum(b - a, 1)
    return float(np.mean(covered < 0.5))


def _settle_boundaries(
    path: np.ndarray, scores: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """Move each split to the widest caption gap among nearly equal positions.

    Around a cut both offsets often fit the cues next to it (speech is dense), so the score barely
    tells where the split goes; the cut itself is where the captions have their extra pause."""
    out = path.copy()
    n = len(out)
    for b in [i for i in range(1, n) if out[i] != out[i - 1]]:
        left, right = out[b - 1], out[b]
        best_b, best_gap = b, starts[b] - ends[b - 1]
        for nb in range(max(1, b - BOUNDARY_REACH), min(n, b + BOUNDARY_REACH + 1)):
            if nb == b:
                continue
            lo, hi = min(b, nb), max(b, nb)
            if np.any(
                out[max(lo - 1, 0) : hi + 1][
                    (out[max(lo - 1, 0) : hi + 1] != left) & (out[max(lo - 1, 0) : hi + 1] != right)
                ]
            ):
                continue  # another segment lies in between
            trial = out.copy()
            trial[lo:hi] = left if nb > b else right
            loss = float(scores[np.arange(n), out].sum() - scores[np.arange(n), trial].sum())
            gap = starts[nb] - ends[nb - 1]
            if loss <= BOUNDARY_TIE and gap > best_gap:
                best_b, best_gap = nb, gap
        if best_b != b:
            lo, hi = min(b, best_b), max(b, best_b)
            out[lo:hi] = left if best_b > b else right
    return out


def _dp(scores: np.ndarray, penalty: float) -> np.ndarray:
    """Best candidate per cue maximising total score minus ``penalty`` per change."""
    n, k = scores.shape
    best = scores[0].copy()
    back = np.zeros((n, k), dtype=np.int64)
    for i in range(1, n):
        j = int(np.argmax(best))
        switch = best[j] - penalty
        stay = best
        take_switch = switch > stay
        back[i] = np.where(take_switch, j, np.arange(k))
        best = np.where(take_switch, switch, stay) + scores[i]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(np.argmax(best))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def _refine(
    starts: np.ndarray, ends: np.ndarray, v: np.ndarray, frame_offset: int, radius: int = 50
) -> float:
    """Offset in ms of a group of cues, searched within ``radius`` frames of ``frame_offset``."""
    cands = np.arange(frame_offset - radius, frame_offset + radius + 1)
    total = _cue_scores(starts, ends, v, cands).sum(axis=0)
    _k, kf = _peak(total)
    return float((kf - radius + frame_offset) * FRAME_MS)


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
        return SyncResult(
            1.0,
            (Segment(0, max(n - 1, 0), 0, 0),),
            0.0,
            False,
            reason,
            int((time.perf_counter() - t0) * 1000),
        )
    v = _speech_signal(mask)
    corr = _Correlator(v)

    # 1. ratio and global offset
    ratios = RATIOS if p.fix_ratio else (1.0,)
    tried: list[tuple[float, float, float]] = []
    runs: dict[float, tuple[float, float, np.ndarray, int, np.ndarray]] = {}
    for r in ratios:
        runs[r] = _global(starts, ends, corr, r)
        tried.append((r, runs[r][0], runs[r][1]))
    chosen = 1.0
    other = max((r for r in ratios if r != 1.0), key=lambda r: runs[r][0], default=None)
    if other is not None and runs[other][0] > runs[1.0][0] * (1 + RATIO_MARGIN):
        chosen = other
    best = (chosen, *runs[chosen])
    ratio, _, global_off, g_scores, g_k, g_tpl = best
    confidence, conf_details = _confidence(g_scores, g_k, g_tpl, p.distinct_ms // FRAME_MS)
    s_scaled = np.round(starts * ratio).astype(np.int64)
    e_scaled = np.round(ends * ratio).astype(np.int64)

    # 2. piecewise: candidates from windowed correlations, DP over cues
    segments: list[Segment]
    global_frame = round(global_off / FRAME_MS)
    if p.split_penalty > 0 and n >= 4 and _misfits(s_scaled, e_scaled, global_frame, mask) > ALL_FIT_SHARE:
        cand_set = {global_frame}
        span = int(s_scaled.max() - s_scaled.min())
        window = max(10_000, min(p.window_ms, span // 4))
        w0 = 0
        while w0 < n:
            w1 = w0
            while w1 + 1 < n and s_scaled[w1 + 1] - s_scaled[w0] < window:
                w1 += 1
            ws, we = s_scaled[w0 : w1 + 1], e_scaled[w0 : w1 + 1]
            lo = int(ws.min())
            tpl = _template(ws - lo, we - lo, int((we.max() - lo) // FRAME_MS) + 2)
            sc, zero = corr(tpl)
            k = int(np.argmax(sc))
            cand_set.add(k - zero - lo // FRAME_MS)
            w0 = w1 + 1 if w1 + 1 < n else n
            if w1 + 1 < n:
                w0 = max(w0 - (w1 - w0 + 1) // 2, w0)  # windows overlap by half
        cands = np.array(sorted(cand_set), dtype=np.int64)
        cue_sc = _cue_scores(s_scaled, e_scaled, v, cands)
        path = _settle_boundaries(_dp(cue_sc, p.split_penalty * 1000 / FRAME_MS), cue_sc, s_scaled, e_scaled)
        segments = []
        i = 0
        while i < n:
            j = i
            while j + 1 < n and path[j + 1] == path[i]:
                j += 1
            segments.append(Segment(i, j, 0, int(starts[i])))
            i = j + 1
        refined = []
        for seg in segments:
            sl = slice(seg.first, seg.last + 1)
            off = _refine(s_scaled[sl], e_scaled[sl], v, int(cands[path[seg.first]]))
            refined.append(Segment(seg.first, seg.last, round(off) - VAD_LAG_MS, seg.start_ms))
        segments = refined
        if len(segments) > 1:
            weighted = 0.0
            for seg in segments:
                sl = slice(seg.first, seg.last + 1)
                c, _ = _segment_confidence(s_scaled[sl], e_scaled[sl], corr, p.distinct_ms // FRAME_MS)
                weighted += c * (seg.last - seg.first + 1)
            confidence = weighted / n
            conf_details["segment_confidence"] = round(confidence, 3)
    else:
        segments = [Segment(0, n - 1, round(global_off) - VAD_LAG_MS, int(starts[0]))]

    # how much better than chance the cues sit on speech under the solution (guards splits and ratios)
    offs = np.concatenate([np.full(seg.last - seg.first + 1, seg.offset_ms) for seg in segments])
    quality, coverage = _fit_quality(s_scaled + offs, e_scaled + offs, mask)
    conf_details["fit_quality"] = round(quality, 3)
    conf_details["cue_speech_coverage"] = round(coverage, 3)
    if len(segments) > 1 or ratio != 1.0:
        confidence = min(confidence, max(0.0, min(1.0, quality / GOOD_FIT)))

    # 3. do no harm, acceptance
    if ratio == 1.0 and len(segments) == 1 and abs(segments[0].offset_ms) <= NO_HARM_MS:
        segments = [Segment(0, n - 1, 0, int(starts[0]))]
    accepted, reason = True, "ok"
    biggest = max(abs(s.offset_ms) for s in segments)
    if confidence < p.min_confidence:
        accepted, reason = False, f"low confidence {confidence:.2f} < {p.min_confidence:.2f}"
    elif p.max_offset_ms is not None and biggest > p.max_offset_ms:
        accepted, reason = False, f"offset {biggest} ms is beyond --max-offset {p.max_offset_ms} ms"
    details = {
        **conf_details,
        "ratios_tried": [
            {"ratio": round(r, 6), "score": round(s, 1), "offset_ms": round(o)} for r, s, o in tried
        ],
    }
    return SyncResult(
        ratio, tuple(segments), confidence, accepted, reason, int((time.perf_counter() - t0) * 1000), details
    )


def apply_sync(
    starts_ms: Sequence[int], ends_ms: Sequence[int], result: SyncResult
) -> tuple[list[int], list[int], int]:
    """New (starts, ends) for every cue (none dropped) and how many were clamped at 0."""
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
    return new_s, new_e, clamped
