"""How strongly cue starts and ends sitting on the speech's edges speak for a timing, against chance.

Part of :mod:`toolkit.sync`, used by the caption search (:mod:`.cuesync`) once the correlation has
proposed a solution. Under the right timing most cue starts sit on speech onsets and many cue ends on
speech ends; under a wrong one only the share of the media that such windows cover does. The solution's
evidence (a log-likelihood ratio over the cues) must beat what the best of all the offsets one could try
gives by chance, and the confidence is its posterior against the other peaks of the correlation. A split
must pay for its place and offset, a frame-rate ratio for being one of six; otherwise the simpler
solution is taken.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..media.vad import FRAME_MS, onsets, window_cover
from .solution import BOUNDARY_REACH, Segment, SyncParams

__all__ = ["EdgeChannel", "Evidence"]


class EdgeChannel:
    """One kind of event the cues should sit on: cue times ``t`` hit when an event lies in
    ``[t - late_ms, t + early_ms]`` (the cue may come ``late_ms`` after its event or ``early_ms`` before)."""

    def __init__(
        self,
        events: np.ndarray,
        media_ms: int,
        early_ms: int,
        late_ms: int,
        miss_share: float | None = None,
        offset_ms: int = 0,
    ) -> None:
        """The chance of a hit is measured over ``[offset_ms, offset_ms + media_ms)``; with ``miss_share``,
        the hit rate under the right timing is at least ``1 - (1 - chance) * miss_share`` (cue starts)."""
        self.events, self.early, self.late = events, early_ms, late_ms
        self.miss_share = miss_share
        cover = window_cover(events - offset_ms, early_ms, late_ms, media_ms)
        self.chance = min(0.9, max(0.02, cover))
        self.floor_q = self.chance  # the hit rate assumed under the right timing before the solution's own
        if miss_share is not None:
            self.floor_q = max(self.chance, 1.0 - (1.0 - self.chance) * miss_share)

    def within(self, lo_ms: int, hi_ms: int) -> EdgeChannel:
        """The same events and model, with the chance of a hit measured over ``[lo_ms, hi_ms)`` only
        (where the speech's edges are denser or sparser than over the whole media)."""
        return EdgeChannel(
            self.events, max(1, hi_ms - lo_ms), self.early, self.late, self.miss_share, offset_ms=lo_ms
        )

    def hits(self, times: np.ndarray) -> np.ndarray:
        i = np.searchsorted(self.events, times - self.late)
        found = np.zeros(len(times), dtype=bool)
        ok = i < len(self.events)
        found[ok] = self.events[i[ok]] <= times[ok] + self.early
        return found

    def rate(self, hits: np.ndarray, cap: float) -> float:
        return self.count_rate(int(np.sum(hits)), len(hits), cap)

    def count_rate(self, k: int, n: int, cap: float) -> float:
        """The hit rate ``k`` hits in ``n`` show (Laplace's estimate), at least the floor, at most ``cap``."""
        return max(self.floor_q, min(cap, (k + 1.0) / (n + 2.0)))

    def score(self, hits: np.ndarray, q: float) -> float:
        return self.count_score(int(np.sum(hits)), len(hits), q)

    def count_score(self, k: int, n: int, q: float) -> float:
        """The evidence of ``k`` hits in ``n`` for a hit rate ``q`` against chance."""
        if q <= self.chance:
            return 0.0
        return k * math.log(q / self.chance) + (n - k) * math.log((1 - q) / (1 - self.chance))


class Evidence:
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
        self.starts = EdgeChannel(on_s, media_ms, p.onset_before_ms, p.onset_after_ms, p.miss_share)
        self.ends = EdgeChannel(np.sort(on_e), media_ms, p.end_before_ms, p.end_after_ms)
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

    def worth_where_it_lands(self, starts: np.ndarray, ends: np.ndarray, offset_ms: int) -> float:
        """The evidence for moving the cues ``(starts, ends)`` by ``offset_ms``, against the chance of a
        hit where they land (not over the whole media: a stretch of dense speech gives any cues moved
        onto it many hits), with the same model of the right timing as the whole solution's (cue starts
        hit at least ``1 - (1 - chance) * miss_share`` of the time): below 0 when they hit no more often
        than by chance."""
        lo, hi = int(starts.min()) + offset_ms, int(ends.max()) + offset_ms
        h = self.hits(starts, ends, np.full(len(starts), offset_ms))
        total = 0.0
        for col, local in enumerate((self.starts.within(lo, hi), self.ends.within(lo, hi))):
            total += local.score(h[:, col], local.rate(h[:, col], self.p.max_hit_rate))
        return total

    def merged(self, starts: np.ndarray, ends: np.ndarray, segments: Sequence[Segment]) -> list[Segment]:
        """``segments`` with each one whose own offset does not pay for its jumps joined to a neighbour
        (taking its offset), the largest gain first, while a join gains. Where the speech detector hears
        little (noise, crosstalk), a window's offset is a chance peak, seconds or minutes off; one such
        segment made a right split cost more than it gained, and the single offset that fits only one
        side of the cut was taken instead.

        A solution's worth depends only on its hit counts, so each join is priced from the counts of the
        cues it moves (cached per segment and offset): linear in the cues per join, not quadratic."""
        cache: dict[tuple[int, int, int], np.ndarray] = {}

        def hits(seg: Segment, offset_ms: int) -> np.ndarray:
            key = (seg.first, seg.last, offset_ms)
            if key not in cache:
                sl = slice(seg.first, seg.last + 1)
                cache[key] = self.hits(
                    starts[sl], ends[sl], np.full(seg.last - seg.first + 1, offset_ms)
                ).sum(0)
            return cache[key]

        out = list(segments)
        total = sum((hits(g, g.offset_ms) for g in out), np.zeros(2, dtype=np.int64))
        best = self._counted(total, len(out))
        while len(out) > 1:
            trials = [(k, j) for k in range(len(out)) for j in (k - 1, k + 1) if 0 <= j < len(out)]
            moved = [
                total - hits(out[k], out[k].offset_ms) + hits(out[k], out[j].offset_ms) for k, j in trials
            ]
            gains = [self._counted(m, len(out) - 1) for m in moved]
            top = int(np.argmax(gains))
            if gains[top] <= best:
                break
            best, total, out = gains[top], moved[top], _joined(out, *trials[top])
        return out

    def _counted(self, hits: np.ndarray, segments: int) -> float:
        """A solution's evidence at its own hit rates, less the cost of its jumps, from its hit counts
        (starts, ends) over all ``self.n`` cues."""
        return sum(
            channel.count_score(k, self.n, channel.count_rate(k, self.n, self.p.max_hit_rate))
            for channel, k in ((self.starts, int(hits[0])), (self.ends, int(hits[1])))
        ) - self.jump_cost() * (segments - 1)

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


def _joined(segments: Sequence[Segment], k: int, j: int) -> list[Segment]:
    """``segments`` with segment ``k`` joined to its neighbour ``j``, at ``j``'s offset."""
    lo, hi = min(k, j), max(k, j)
    a, b = segments[lo], segments[hi]
    one = Segment(a.first, b.last, segments[j].offset_ms, a.start_ms)
    return [*segments[:lo], one, *segments[hi + 1 :]]
