"""Piecewise sync (ad breaks, cuts, chunks): each run of cues with its own offset.

Part of :mod:`toolkit.sync`, called by the caption search (:mod:`.cuesync`) when the global offset leaves
cues off the speech. Candidate offsets are the peaks of windowed correlations (:func:`window_candidates`);
a dynamic programme gives every cue one candidate, paying ``split_penalty`` per change of offset
(:func:`best_path`); each split then moves to the widest caption gap among nearly equal positions, and
each segment's offset is refined on its own (:func:`piecewise_segments`).
"""

from __future__ import annotations

import numpy as np

from ..media.vad import FRAME_MS
from .correlate import cue_scores, cue_template, refine_offset, window_offset
from .solution import BOUNDARY_REACH, VAD_LAG_MS, Segment, SyncParams, label_runs

__all__ = ["best_path", "piecewise_segments", "settle_boundaries", "window_candidates"]

BOUNDARY_TIE = 20.0  # a split moves to a wider caption gap when that costs at most 0.2 s of speech agreement


def settle_boundaries(
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


def best_path(scores: np.ndarray, penalty: float) -> np.ndarray:
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


def window_candidates(
    starts: np.ndarray, ends: np.ndarray, v: np.ndarray, global_frame: int, p: SyncParams
) -> np.ndarray:
    """Candidate frame offsets: the global one, and where each window of cues (``window_ms`` of caption
    time, at most a quarter of the span) fits best within ``split_reach_ms`` of it. Times are scaled."""
    n = len(starts)
    cand_set = {global_frame}
    span = int(starts.max() - starts.min())
    window = max(10_000, min(p.window_ms, span // 4))
    w0 = 0
    while w0 < n:
        w1 = w0
        while w1 + 1 < n and starts[w1 + 1] - starts[w0] < window:
            w1 += 1
        ws, we = starts[w0 : w1 + 1], ends[w0 : w1 + 1]
        lo = int(ws.min())
        tpl = cue_template(ws - lo, we - lo, int((we.max() - lo) // FRAME_MS) + 2)
        cand_set.add(window_offset(tpl, v, lo // FRAME_MS + global_frame, p.split_reach_ms) - lo // FRAME_MS)
        w0 = w1 + 1 if w1 + 1 < n else n
        if w1 + 1 < n:
            w0 = max(w0 - (w1 - w0 + 1) // 2, w0)  # windows overlap by half
    return np.array(sorted(cand_set), dtype=np.int64)


def piecewise_segments(
    starts: np.ndarray,
    scaled: tuple[np.ndarray, np.ndarray],
    v: np.ndarray,
    global_frame: int,
    p: SyncParams,
) -> list[Segment]:
    """The cues cut into runs with one offset each (ms, after the ratio's ``scaled`` starts and ends);
    ``starts`` are the original cue starts, where each segment says it begins."""
    s_scaled, e_scaled = scaled
    cands = window_candidates(s_scaled, e_scaled, v, global_frame, p)
    cue_sc = cue_scores(s_scaled, e_scaled, v, cands)
    path = settle_boundaries(best_path(cue_sc, p.split_penalty * 1000 / FRAME_MS), cue_sc, s_scaled, e_scaled)
    segments = []
    for first, last in label_runs(path):
        sl = slice(first, last + 1)
        off = refine_offset(s_scaled[sl], e_scaled[sl], v, int(cands[path[first]]))
        segments.append(Segment(first, last, round(off) - VAD_LAG_MS, int(starts[first])))
    return segments
