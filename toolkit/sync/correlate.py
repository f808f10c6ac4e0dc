"""The speech signal and the cue templates on the 10 ms grid, and how well one fits the other.

Part of :mod:`toolkit.sync` (above :mod:`toolkit.media.vad`, which gives the mask). The speech becomes
``V`` = +1 (speech) / -1 (no speech, and everything outside the media). Each cue becomes a template: +1
while the cue is shown and -1 on a short pre-roll before its start (as far back as the previous cue's
end), so the score rewards cue starts that sit on speech onsets and does not drift with cue ends written
late. The template is cross-correlated with ``V`` by FFT over every offset that keeps one frame of
overlap (:class:`Correlator`), so the search is unbounded and costs O(n log n); the peak is refined to
1 ms by parabolic interpolation. :func:`cue_scores` scores every cue under a few candidate offsets, for
the piecewise search (:mod:`.splits`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..media.numeric import median
from ..media.vad import FRAME_MS

__all__ = [
    "HEAD_MS",
    "Correlator",
    "GlobalFit",
    "cue_scores",
    "cue_template",
    "fit_quality",
    "global_fit",
    "misfit_share",
    "other_peaks",
    "peak",
    "peak_confidence",
    "refine_offset",
    "speech_signal",
    "window_offset",
]

PRE_ROLL_MS = 200  # silence expected before a cue start (up to the previous cue's end)
MAX_CUE_MS = 10_000  # longer cues count only for their first 10 s (ffsubsync does the same)
HEAD_MS = 1000  # the first second of a cue weighs fully; the rest (where late ends sit) weighs TAIL_WEIGHT
TAIL_WEIGHT = 0.25


def cue_template(starts: np.ndarray, ends: np.ndarray, n_frames: int) -> np.ndarray:
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


def speech_signal(mask: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.where(mask, 1.0, -1.0)
    return out


class Correlator:
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


def peak(scores: np.ndarray) -> tuple[int, float]:
    """Index of the maximum and its parabolic refinement in frames."""
    k = int(np.argmax(scores))
    if 0 < k < len(scores) - 1:
        a, b, c = scores[k - 1], scores[k], scores[k + 1]
        den = a - 2 * b + c
        if den < 0:
            return k, float(k + 0.5 * (a - c) / den)
    return k, float(k)


def peak_confidence(
    scores: np.ndarray, k: int, tpl: np.ndarray, away: int = 100
) -> tuple[float, dict[str, float]]:
    """How distinct the correlation's peak ``k`` is, and how much of the shown cue time faces speech."""
    top = float(scores[k])
    outside = np.concatenate((scores[: max(0, k - away)], scores[k + away + 1 :]))
    base = median(scores)
    second = float(outside.max()) if len(outside) else base
    positive = float(np.sum(tpl > 0))
    # share of shown cue time on speech at the peak: score = on - off over positive frames (+ pre-roll)
    distinct = (top - second) / max(top - base, 1e-9)
    coverage = min(1.0, max(0.0, (top / max(positive, 1.0) + 1.0) / 2.0))
    conf = max(0.0, min(1.0, distinct / 0.25)) * min(1.0, coverage / 0.7)
    return conf, {"peak_distinctness": round(distinct, 3), "speech_coverage": round(coverage, 3)}


@dataclass(frozen=True, slots=True)
class GlobalFit:
    """One frame-rate ratio's global search: its score, offset, and the correlation it came from."""

    score: float  # the peak's score, divided by the ratio when that stretches the cues
    offset_ms: float
    scores: np.ndarray  # the correlation over every offset
    k: int  # the peak's index in ``scores``
    template: np.ndarray


def global_fit(starts: np.ndarray, ends: np.ndarray, corr: Correlator, ratio: float) -> GlobalFit:
    """The best single offset of the cues, scaled by ``ratio``, over every offset."""
    s = np.round(starts * ratio).astype(np.int64)
    e = np.round(ends * ratio).astype(np.int64)
    lo = int(min(0, s.min()))
    n_frames = int((e.max() - lo) // FRAME_MS) + 2
    tpl = cue_template(s - lo, e - lo, n_frames)
    scores, zero = corr(tpl)
    k, kf = peak(scores)
    offset_ms = (kf - zero) * FRAME_MS - lo
    return GlobalFit(float(scores[k]) / max(ratio, 1.0), offset_ms, scores, k, tpl)


def cue_scores(starts: np.ndarray, ends: np.ndarray, v: np.ndarray, cands: np.ndarray) -> np.ndarray:
    """Score of every cue (rows) under every candidate frame offset (columns).

    Only the stretch of ``v`` the cues can reach under the candidates is summed (frames outside the
    media count as non-speech), so a short segment of cues costs its own length, not the media's."""
    sf = starts // FRAME_MS
    ef = np.maximum(sf + 1, np.minimum(ends, starts + MAX_CUE_MS) // FRAME_MS)
    hf = np.minimum(ef, sf + HEAD_MS // FRAME_MS)
    prev_end = np.concatenate(([-(10**9)], np.maximum.accumulate(ef)[:-1]))
    pf = np.maximum(sf - PRE_ROLL_MS // FRAME_MS, np.minimum(prev_end, sf))
    first = int(pf.min() + cands.min()) - 1
    last = int(ef.max() + cands.max()) + 1
    seg = -np.ones(last - first)
    a0, b0 = max(0, first), min(len(v), last)
    if b0 > a0:
        seg[a0 - first : b0 - first] = v[a0:b0]
    csum = np.concatenate(([0.0], np.cumsum(seg)))
    pad = -first
    out = np.empty((len(starts), len(cands)))
    for j, c in enumerate(cands):
        a = sf + c + pad
        b = ef + c + pad
        p = pf + c + pad
        h = hf + c + pad
        out[:, j] = (csum[h] - csum[a]) + TAIL_WEIGHT * (csum[b] - csum[h]) - (csum[a] - csum[p])
    return out


def fit_quality(starts: np.ndarray, ends: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
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


def misfit_share(starts: np.ndarray, ends: np.ndarray, frame_offset: int, mask: np.ndarray) -> float:
    """Share of cues whose first second is mostly not speech under one offset (no split needed if ~0)."""
    csum = np.concatenate(([0], np.cumsum(mask)))
    a = np.clip(starts // FRAME_MS + frame_offset, 0, len(mask))
    b = np.clip(np.minimum(ends, starts + HEAD_MS) // FRAME_MS + frame_offset, 0, len(mask))
    covered = (csum[b] - csum[a]) / np.maximum(b - a, 1)
    return float(np.mean(covered < 0.5))


def refine_offset(
    starts: np.ndarray, ends: np.ndarray, v: np.ndarray, frame_offset: int, radius: int = 50
) -> float:
    """Offset in ms of a group of cues, searched within ``radius`` frames of ``frame_offset``."""
    cands = np.arange(frame_offset - radius, frame_offset + radius + 1)
    total = cue_scores(starts, ends, v, cands).sum(axis=0)
    _k, kf = peak(total)
    return float((kf - radius + frame_offset) * FRAME_MS)


def window_offset(tpl: np.ndarray, v: np.ndarray, expected: int, reach_ms: int) -> int:
    """Where (frame of ``v``) a window's template fits best, within ``reach_ms`` of ``expected`` (where the
    global offset puts it; frames outside the media face non-speech). One FFT the size of the window and
    its reach, not of the media: the windows of a long file cost linear time, not quadratic."""
    reach = reach_ms // FRAME_MS
    first = expected - reach
    seg_len = len(tpl) + 2 * reach
    a, b = max(0, first), min(len(v), first + seg_len)
    seg = -np.ones(seg_len)
    if b > a:
        seg[a - first : b - first] = v[a:b]
    size = 1 << math.ceil(math.log2(seg_len + 1))
    scores = np.fft.irfft(np.fft.rfft(seg, size) * np.conj(np.fft.rfft(tpl, size)), size)[: 2 * reach + 1]
    return first + int(np.argmax(scores))


def other_peaks(scores: np.ndarray, k_best: int, away: int, count: int) -> list[int]:
    """The other peaks of a correlation, at least ``away`` frames from each other and from the best, as
    offsets in ms relative to the best one."""
    h = scores.astype(np.float64).copy()
    out: list[int] = []
    h[max(0, k_best - away) : k_best + away + 1] = -np.inf
    while len(out) < count and np.isfinite(h.max()):
        k = int(np.argmax(h))
        out.append((k - k_best) * FRAME_MS)
        h[max(0, k - away) : k + away + 1] = -np.inf
    return out
