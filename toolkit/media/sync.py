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
* **Confidence** in [0, 1]: evidence against chance (:class:`_Evidence`). Under the right timing most
  cue starts sit on speech onsets and many cue ends on speech ends; under a wrong one only the share of
  the media that such windows cover does. The solution's evidence (log-likelihood ratio over the cues)
  must beat what the best of all the offsets one could try gives by chance, and the confidence is its
  posterior against the other peaks of the correlation. A split must pay for its place and offset, a
  frame-rate ratio for being one of six; otherwise the simpler solution is taken.
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
from .vad import FRAME_MS, onsets, window_cover

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
ALL_FIT_SHARE = 0.05  # when at most this share of cues misfits the global offset ...
SPLIT_SEARCH_ONSETS = 0.7  # ... and at least this share starts on an onset, splits are not searched
BOUNDARY_REACH = 2  # a split may move this many cues to a wider caption gap ...
BOUNDARY_TIE = 20.0  # ... when that costs at most 0.2 s of speech agreement


@dataclass(frozen=True, slots=True)
class SyncParams:
    split_penalty: float = 4.0  # seconds of speech agreement a split must gain; <= 0 disables splits
    fix_ratio: bool = True
    max_offset_ms: int | None = None  # reject (not restrict) solutions shifting further than this
    min_confidence: float = 0.5  # the solution's posterior among the other offsets (see _Evidence)
    min_evidence: float = 3.0  # nats of evidence beyond what the best of all offsets gives by chance
    window_ms: int = 60_000  # caption time per window when looking for piecewise candidates ...
    split_reach_ms: int = 300_000  # ... each window's own offset searched this far from the global one
    distinct_ms: int = 1000  # alternatives are at least this far from the solution and each other
    max_alternatives: int = 8
    onset_before_ms: int = 300  # a cue start "sits on" an onset up to this much before it ...
    onset_after_ms: int = 500  # ... or this much after it
    end_before_ms: int = 300  # a cue end "sits on" a speech end up to this much before it ...
    end_after_ms: int = 800  # ... or this much after it (captions are held after the words)
    miss_share: float = 0.3  # under the right timing, cues miss an onset this share as often as by chance
    max_hit_rate: float = 0.97
    jump_odds: float = 0.05  # a priori odds that captions have a split at all
    ratio_cost: float = 4.0  # nats a frame-rate ratio must gain (one of six ratios, and rare)
    text_check: bool = True  # a refused offset is checked by the captions' words (toolkit.align.verify)


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


def _window_offset(tpl: np.ndarray, v: np.ndarray, expected: int, reach_ms: int) -> int:
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


def _peak_offsets(scores: np.ndarray, k_best: int, away: int, count: int) -> list[int]:
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


class _Channel:
    """One kind of event the cues should sit on: cue times ``t`` hit when an event lies in
    ``[t - late_ms, t + early_ms]`` (the cue may come ``late_ms`` after its event or ``early_ms`` before)."""

    def __init__(self, events: np.ndarray, media_ms: int, early_ms: int, late_ms: int) -> None:
        self.events, self.early, self.late = events, early_ms, late_ms
        self.chance = min(0.9, max(0.02, window_cover(events, early_ms, late_ms, media_ms)))
        self.floor_q = self.chance  # the hit rate assumed under the right timing before the solution's own

    def hits(self, times: np.ndarray) -> np.ndarray:
        i = np.searchsorted(self.events, times - self.late)
        found = np.zeros(len(times), dtype=bool)
        ok = i < len(self.events)
        found[ok] = self.events[i[ok]] <= times[ok] + self.early
        return found

    def rate(self, hits: np.ndarray, cap: float) -> float:
        shown = (float(np.sum(hits)) + 1.0) / (len(hits) + 2.0)
        return max(self.floor_q, min(cap, shown))

    def score(self, hits: np.ndarray, q: float) -> float:
        if q <= self.chance:
            return 0.0
        k = float(np.sum(hits))
        return k * math.log(q / self.chance) + (len(hits) - k) * math.log((1 - q) / (1 - self.chance))


class _Evidence:
    """How strongly the cues sitting on the speech's edges speak for a solution, against chance.

    Under the right timing most cue starts have a speech onset (speech after a pause) within
    ``[-onset_before_ms, +onset_after_ms]``, and many cue ends a speech end (before a pause) within
    ``[-end_before_ms, +end_after_ms]`` (captions are often held after the words); under a wrong one only
    the chance share ``p`` do (the share of the media those windows cover). Each cue counts ``log(q / p)``
    for a hit and ``log((1 - q) / (1 - p))`` for a miss, ``q`` being the hit rate under the right timing:
    what the solution shows (Laplace's estimate), and for starts at least a model value. The evidence must
    beat what the best of the ``distinct`` offsets one could try gives by chance, ``log(distinct)``; a
    split pays for its place and its offset, a frame-rate ratio for being one of six.
    """

    def __init__(self, mask: np.ndarray, p: SyncParams, n: int) -> None:
        self.p = p
        self.n = n
        on_s, on_e = onsets(mask)
        media_ms = len(mask) * FRAME_MS
        starts = _Channel(on_s, media_ms, p.onset_before_ms, p.onset_after_ms)
        starts.floor_q = max(starts.floor_q, 1.0 - (1.0 - starts.chance) * p.miss_share)
        self.starts, self.ends = (
            starts,
            _Channel(np.sort(on_e), media_ms, p.end_before_ms, p.end_after_ms),
        )
        self.distinct = max(2.0, 2 * media_ms / (p.onset_before_ms + p.onset_after_ms))

    def hits(self, starts: np.ndarray, ends: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """(n, 2) booleans: each cue's start on an onset, its end on a speech end."""
        return np.stack([self.starts.hits(starts + offsets), self.ends.hits(ends + offsets)], axis=1)

    def _of(self, starts: np.ndarray, ends: np.ndarray, segments: Sequence[Segment]) -> np.ndarray:
        offs = np.zeros(len(starts), dtype=np.int64)
        for seg in segments:
            offs[seg.first : seg.last + 1] = seg.offset_ms
        return self.hits(starts, ends, offs)

    def rate(self, hits: np.ndarray) -> tuple[float, float]:
        """``q`` per channel: what ``hits`` show (Laplace's estimate), at least the channel's floor."""
        cap = self.p.max_hit_rate
        return self.starts.rate(hits[:, 0], cap), self.ends.rate(hits[:, 1], cap)

    def score(self, hits: np.ndarray, q: tuple[float, float]) -> float:
        return self.starts.score(hits[:, 0], q[0]) + self.ends.score(hits[:, 1], q[1])

    def settle(self, starts: np.ndarray, ends: np.ndarray, segments: Sequence[Segment]) -> list[Segment]:
        """Each split moved (by up to ``BOUNDARY_REACH`` + 1 cues) to where the most cue starts and ends
        sit on the speech's edges: near a cut both offsets fit the cues on dense speech, the edges do not."""
        out = list(segments)
        for k in range(1, len(out)):
            left, right = out[k - 1], out[k]
            lo = max(left.first + 1, right.first - BOUNDARY_REACH - 1)
            hi = min(right.last, right.first + BOUNDARY_REACH + 1)
            best, best_hits = right.first, -1
            for b in range(lo, hi + 1):
                offs = np.where(np.arange(left.first, right.last + 1) < b, left.offset_ms, right.offset_ms)
                sl = slice(left.first, right.last + 1)
                got = int(self.hits(starts[sl], ends[sl], offs).sum())
                if got > best_hits or (got == best_hits and b == right.first):
                    best, best_hits = b, got
            if best != right.first:
                out[k - 1] = Segment(left.first, best - 1, left.offset_ms, left.start_ms)
                out[k] = Segment(best, right.last, right.offset_ms, int(starts[best]))
        return out

    def jump_cost(self) -> float:
        return math.log(self.n / self.p.jump_odds) + math.log(self.distinct)

    def split_pays(
        self, starts: np.ndarray, ends: np.ndarray, segments: Sequence[Segment], single: Sequence[Segment]
    ) -> bool:
        """A split solution is kept when its evidence beats the single offset's by the cost of its jumps."""
        h_split, h_single = self._of(starts, ends, segments), self._of(starts, ends, single)
        q = self.rate(h_split)
        cost = self.jump_cost() * (len(segments) - 1)
        return self.score(h_split, q) - cost > self.score(h_single, q)

    def ratio_pays(
        self,
        scaled: tuple[np.ndarray, np.ndarray],
        segments: Sequence[Segment],
        plain: tuple[np.ndarray, np.ndarray],
        plain_segments: Sequence[Segment],
    ) -> bool:
        """A frame-rate ratio is kept when its evidence beats ratio 1's by the odds against re-scaling."""
        h_ratio, h_plain = self._of(*scaled, segments), self._of(*plain, plain_segments)
        q = self.rate(h_ratio)
        return self.score(h_ratio, q) - self.p.ratio_cost > self.score(h_plain, q)

    def confidence(
        self, starts: np.ndarray, ends: np.ndarray, segments: Sequence[Segment], alternatives: Sequence[int]
    ) -> tuple[float, dict[str, Any]]:
        """The solution's posterior against the single offsets ``alternatives`` (ms), and the figures."""
        h = self._of(starts, ends, segments)
        q = self.rate(h)
        own = self.score(h, q) - self.jump_cost() * (len(segments) - 1)
        mine = [seg.offset_ms for seg in segments]
        distinct = [d for d in alternatives if min(abs(d - m) for m in mine) >= self.p.distinct_ms]
        others = [self.score(self.hits(starts, ends, np.full(len(starts), d)), q) for d in distinct]
        conf = 1.0 / (1.0 + sum(math.exp(min(50.0, o - own)) for o in others))
        return conf, {
            "cues_at_onsets": int(np.sum(h[:, 0])),
            "cue_ends_at_speech_ends": int(np.sum(h[:, 1])),
            "chance": round(self.starts.chance, 3),
            "evidence": round(own, 2),
            "evidence_margin": round(own - math.log(self.distinct), 2),
            "runner_up_evidence": round(max(others), 2) if others else None,
        }


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
    _, conf_details = _confidence(g_scores, g_k, g_tpl, p.distinct_ms // FRAME_MS)  # reported
    s_scaled = np.round(starts * ratio).astype(np.int64)
    e_scaled = np.round(ends * ratio).astype(np.int64)

    # 2. piecewise: candidates from windowed correlations, DP over cues. Searched when the global offset
    # leaves cues off the speech, or too few cue starts on onsets (dense speech hides a wrong offset)
    segments: list[Segment]
    global_frame = round(global_off / FRAME_MS)
    ev = _Evidence(mask, p, n)
    on_onsets = float(np.mean(ev.starts.hits(s_scaled + round(global_off) - VAD_LAG_MS)))
    misfit = (
        _misfits(s_scaled, e_scaled, global_frame, mask) > ALL_FIT_SHARE or on_onsets < SPLIT_SEARCH_ONSETS
    )
    if p.split_penalty > 0 and n >= 4 and misfit:
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
            cand_set.add(
                _window_offset(tpl, v, lo // FRAME_MS + global_frame, p.split_reach_ms) - lo // FRAME_MS
            )
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
    else:
        segments = [Segment(0, n - 1, round(global_off) - VAD_LAG_MS, int(starts[0]))]

    # how much better than chance the cues sit on speech under the solution (reported)
    offs = np.concatenate([np.full(seg.last - seg.first + 1, seg.offset_ms) for seg in segments])
    quality, coverage = _fit_quality(s_scaled + offs, e_scaled + offs, mask)
    conf_details["fit_quality"] = round(quality, 3)
    conf_details["cue_speech_coverage"] = round(coverage, 3)

    # 3. evidence against chance: whether a split and a ratio have earned their place, and the confidence
    if len(segments) > 1:
        segments = [
            Segment(g.first, g.last, g.offset_ms, int(starts[g.first]))
            for g in ev.settle(s_scaled, e_scaled, segments)
        ]
        single = [Segment(0, n - 1, round(global_off) - VAD_LAG_MS, int(starts[0]))]
        if not ev.split_pays(s_scaled, e_scaled, segments, single):
            segments = single
    if ratio != 1.0:
        plain = [Segment(0, n - 1, round(runs[1.0][1]) - VAD_LAG_MS, int(starts[0]))]
        if not ev.ratio_pays((s_scaled, e_scaled), segments, (starts, ends), plain):
            ratio, segments, g_scores, g_k = 1.0, plain, runs[1.0][2], runs[1.0][3]
            s_scaled, e_scaled = starts.copy(), ends.copy()
    peaks = _peak_offsets(g_scores, g_k, p.distinct_ms // FRAME_MS, p.max_alternatives)
    base = segments[0].offset_ms if len(segments) == 1 else round(global_off) - VAD_LAG_MS
    confidence, ev_details = ev.confidence(s_scaled, e_scaled, segments, [base + d for d in peaks] + [0])
    conf_details.update(ev_details)

    # 4. do no harm, acceptance
    if ratio == 1.0 and len(segments) == 1 and abs(segments[0].offset_ms) <= NO_HARM_MS:
        segments = [Segment(0, n - 1, 0, int(starts[0]))]
    accepted, reason = True, "ok"
    biggest = max(abs(s.offset_ms) for s in segments)
    if ev_details["evidence_margin"] < p.min_evidence:
        accepted, reason = (
            False,
            (
                f"too little evidence: {ev_details['cues_at_onsets']} of {n} cues start at a speech onset, "
                f"{ev_details['chance']:.2f} by chance"
            ),
        )
    elif confidence < p.min_confidence:
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
