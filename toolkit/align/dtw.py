"""Word alignment for languages other than English, offline: eSpeak NG speaks the text, and dynamic time
warping (DTW) of its audio against the real audio maps every word to where the speaker says it (the
aeneas method, at word level).

    from toolkit.align.dtw import EspeakAligner
    engine = EspeakAligner("fr")        # any language eSpeak NG speaks (toolkit.align.espeak.voice_for)
    timings = engine.align("Bonjour à tous. Merci d'être venus !".split(), audio)  # int16, 16 kHz

How one window is aligned (:meth:`EspeakAligner.align`):

1. eSpeak NG speaks ``" ".join(tokens)`` (:func:`toolkit.align.espeak.synthesize`, 160 words per
   minute) and says where each token starts in its audio. Give it the transcript's words as written:
   eSpeak pauses at commas and full stops (the pauses anchor sentence starts) and reads numbers in the
   language (``1989`` -> "mille neuf cent quatre-vingt-neuf").
2. Both signals get the same features every 10 ms (25 ms Hamming window, numpy only): MFCC c1-c12 and
   their deltas, normalised per signal (mean and variance over its speech frames: the two voices differ
   in level and timbre), averaged over 3 frames, plus a loudness feature (log energy relative to the
   signal's speech level, clipped, weight 3) that makes a pause match a pause.
3. Silence before the first and after the last speech of either signal is cut off (energy with
   hysteresis: a frame is speech when it is in a run above 30 % of the signal's floor-to-peak range
   that holds at least 3 frames above 50 %; a click or a breath stays out), so the window's lead-in and
   tail are never given to the first or last word.
4. DTW with cosine distance, a cost of 0.1 on every non-diagonal step (a free warp lets wrong phones
   match) and an optional pause before every word (a real pause frame costs at most 0.3 on a word's
   first synthetic frame: eSpeak pauses at punctuation only, speakers anywhere). Two passes
   (:func:`dtw_path`): frames averaged 4 at a time in a wide band, then full resolution within 12
   frames of that path; one numpy pass per row (the row's recurrence is a running minimum).
5. A token starts at the first real frame the path gives its first synthetic frame, after any pause
   among the real frames given to that frame (the path reached the word, then waited out the speaker's
   pause on it); a start in silence moves to the next speech onset (up to 600 ms; a token wholly in
   silence moves there whole). It ends where the next token's synthetic start, or the pause before it,
   maps; an end in silence moves back to the last speech.
6. This is done with the language's voice (male) and its ``+f4`` variant (female); the result with the
   better median score is kept (the voice nearer the speaker's fits better: on the English interviews,
   female speakers, sentence-start p95 fell from 233 to 86 ms).

Score (``TokenTiming.score``): for each real speech frame of the token on the path, the share of the
synthesis's frames (every 4th) that are closer to it than the frame the path gives it (0: none, the
best any path could do there), averaged over the token's frames and times -20. So 0 is best, -1 means
5 % of the synthesis fits better on average. Median token score per turn on the real-speech corpus
(French, German, Mandarin, English; 132 windows): the turn's own text -1.75 (5th-95th percentile -2.8
to -1.1), the text of one of the next two turns in the same window -3.0 (-4.0 to -2.2); the right text
scores higher in 94 % of (right, wrong) pairs. ``align`` returns ``None`` (no speech found, or far more
or less speech than the text needs) for 20 of those 132 wrong texts.

Measured (``bench/bench_espeak_align.py``: each transcript turn aligned in [its true start - 300 ms,
the next turn's true start], on real French, German and Mandarin readings with hand-checked starts):
sentence starts |error| median 10 ms, p95 76 ms, max 100 ms over 44 sentences (the 19 that start
inside a turn: median 9, p95 50, max 93), against median 0 / p95 916 for the turns' text spread by
characters (exact at each turn's start by construction; 218 / 984 inside turns). With pink noise at
10 dB SNR: median 24, p95 208; a music bed at 12 dB: 24 / 218; reverberation 13 / 89; telephone band
10 / 298; pink noise at 3 dB: 30 / 390. Tokens stripped of punctuation (as ``normalize`` gives them):
15 / 505 (inside turns 9 / 612): keep the punctuation. Word starts on English read speech (MFA and
human word labels, 857 words): median 27-44 ms, 90th percentile 80-142 ms. These recordings also served
to choose the settings above, so the figures are optimistic for unseen material.
Speed, one core: a 60 s window with its 50 s synthesis takes 0.08 s of DTW (5,877 x 4,963 frames),
0.08 s of synthesis, 0.04 s of features, 0.5 s in all for :meth:`~EspeakAligner.align` (two voices).

Known weaknesses: energy decides where speech starts and ends, so noise or music that is louder than
the quiet parts of speech moves first and last words (at 3 dB SNR some windows are refused); the
synthetic voices are eSpeak's, so word boundaries inside a sentence are looser (above) than sentence
starts after a pause; a real pause where the text has no punctuation is sometimes given to the wrong
word boundary (the tokens-without-punctuation figures); long windows (several minutes) align, but the
first pass gets coarser to bound memory (a 10-minute window: 14 s, 0.8 GB, sentence p95 1.6 s): keep
windows to a turn or a chunk of about a minute, as :mod:`toolkit.align.turns` does.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import AlignmentError
from .engine import TokenTiming
from .espeak import SAMPLE_RATE, phonemes, synthesize, voice_for

log = logging.getLogger(__name__)

__all__ = ["EspeakAligner", "Signal", "analyse", "dtw_path", "mfcc", "speech_mask"]

FRAME_MS = 10
HOP = SAMPLE_RATE * FRAME_MS // 1000  # 160 samples
WIN = SAMPLE_RATE * 25 // 1000  # 400 samples
N_FFT = 512
N_MELS = 40
N_MFCC = 13  # c0..c12; c0 (loudness) is replaced by the energy feature
FMIN_HZ = 60.0
FMAX_HZ = 7600.0
MFCC_CHUNK = 4096  # frames analysed at a time
CEPSTRA = 12  # c1..c12
DELTA_WEIGHT = 1.0
SMOOTH_FRAMES = 3  # features averaged over this many frames: the two voices' fine detail differs
ENERGY_WEIGHT = 3.0  # weight of the loudness feature against the 24 normalised cepstral ones
FLOOR_PCT = 5  # a signal's floor and ...
PEAK_PCT = 98  # ... peak energy, as percentiles of its frames
LOW_SHARE = 0.3  # speech: above this share of the floor-to-peak range ...
HIGH_SHARE = 0.5  # ... in a run that holds this share ...
CORE_FRAMES = 3  # ... for at least this many frames
MIN_RANGE_DB = 10.0  # a signal whose loudest frames are less than this above its floor has no speech
SYN_MARGIN = 2  # frames kept before the synthesis's first sound
STEP_PENALTY = 0.1  # DTW cost of a non-diagonal step (cosine distances are 0..2)
COARSE = 4  # frames averaged in the first DTW pass ...
RADIUS = 12  # ... whose path the second pass searches within this many frames
MAX_CELLS = 24_000_000  # the first pass's matrix at most (a 10-minute window: frames averaged 8 at a time)
DEFAULT_VARIANTS = ("+f4",)  # aligned against the language's (male) voice and these
PAUSE_COST = 0.3  # a real pause frame costs at most this at a word's first synthetic frame
SNAP_FRAMES = 60  # a start in silence moves to the next onset at most this far
MAX_SPEECH_RATIO = 3.5  # real vs synthetic speech time beyond this (either way): not this text
RANK_SCALE = 20.0  # score = -RANK_SCALE x the share of synthetic frames that fit better
RANK_SAMPLE = 4  # the share is estimated on every 4th synthetic frame
DEFAULT_RATE_WPM = 160


# ---------------------------------------------------------------- features


@functools.lru_cache(maxsize=4)
def _mel_bank(sample_rate: int, n_fft: int, n_mels: int) -> np.ndarray:
    """Triangular mel filters (HTK mel scale), shape (n_mels, n_fft // 2 + 1)."""

    def mel(f: float) -> float:
        return float(2595.0 * np.log10(1.0 + f / 700.0))

    edges = np.linspace(mel(FMIN_HZ), mel(min(FMAX_HZ, sample_rate / 2)), n_mels + 2)
    hz = 700.0 * (10.0 ** (edges / 2595.0) - 1.0)
    freqs = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    lo, mid, hi = hz[:-2, None], hz[1:-1, None], hz[2:, None]
    up = (freqs[None, :] - lo) / (mid - lo)
    down = (hi - freqs[None, :]) / (hi - mid)
    return np.maximum(0.0, np.minimum(up, down))


@functools.lru_cache(maxsize=4)
def _dct(n_in: int, n_out: int) -> np.ndarray:
    """Orthonormal DCT-II matrix, shape (n_in, n_out)."""
    k = np.arange(n_out)[None, :]
    n = np.arange(n_in)[:, None]
    m = np.cos(np.pi / n_in * (n + 0.5) * k) * np.sqrt(2.0 / n_in)
    m[:, 0] /= np.sqrt(2.0)
    out: np.ndarray = m
    return out


def frames(audio: np.ndarray) -> np.ndarray:
    """25 ms frames every 10 ms, frame ``i`` centred on ``i * 10 + 5`` ms (a view, zero-padded at both
    ends); shape (ceil(len / HOP), WIN)."""
    x = np.asarray(audio, dtype=np.float64)
    n = -(-len(x) // HOP)
    front = WIN // 2 - HOP // 2
    padded = np.zeros(front + n * HOP + WIN, dtype=np.float64)
    padded[front : front + len(x)] = x
    return np.lib.stride_tricks.sliding_window_view(padded, WIN)[::HOP][:n]


def mfcc(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MFCCs c0..c12 per 10 ms frame of 16 kHz audio (pre-emphasis 0.97, Hamming window, 40 mel bands
    60-7600 Hz, log, DCT) and each frame's energy in dB of the int16 samples (digital silence is 0 dB,
    speech 50-80 dB). Shapes (frames, 13) and (frames,)."""
    x = np.asarray(audio, dtype=np.float64)
    if not len(x):
        return np.zeros((0, N_MFCC)), np.zeros(0)
    emph = np.empty_like(x)
    emph[0] = x[0]
    emph[1:] = x[1:] - 0.97 * x[:-1]
    raw, pre = frames(x), frames(emph)
    bank, dct, window = _mel_bank(SAMPLE_RATE, N_FFT, N_MELS).T, _dct(N_MELS, N_MFCC), np.hamming(WIN)
    energy = np.empty(len(raw))
    cep = np.empty((len(raw), N_MFCC))
    for c0 in range(0, len(raw), MFCC_CHUNK):  # in chunks: memory stays flat on long windows
        c1 = c0 + MFCC_CHUNK
        energy[c0:c1] = 10.0 * np.log10(np.mean(raw[c0:c1] ** 2, axis=1) + 1.0)
        power = np.abs(np.fft.rfft(pre[c0:c1] * window, N_FFT, axis=1)) ** 2
        cep[c0:c1] = np.log(power @ bank + 1e3) @ dct  # the floor keeps digital silence finite
    return cep, energy


def deltas(feat: np.ndarray, width: int = 2) -> np.ndarray:
    """Regression deltas over +-``width`` frames."""
    n = len(feat)
    padded = np.pad(feat, ((width, width), (0, 0)), mode="edge")
    out = np.zeros_like(feat)
    for k in range(1, width + 1):
        out += k * (padded[width + k : width + k + n] - padded[width - k : width - k + n])
    return out / (2 * sum(k * k for k in range(1, width + 1)))


def smooth(feat: np.ndarray, width: int) -> np.ndarray:
    """Moving average over ``width`` frames (centred, edges repeated)."""
    if width <= 1 or not len(feat):
        return feat
    padded = np.pad(feat, ((width // 2, width - 1 - width // 2), (0, 0)), mode="edge")
    acc = np.cumsum(np.vstack([np.zeros((1, feat.shape[1])), padded]), axis=0)
    out: np.ndarray = (acc[width:] - acc[:-width]) / width
    return out


def speech_mask(energy_db: np.ndarray) -> np.ndarray:
    """Speech frames by energy with hysteresis: a run of frames above ``LOW_SHARE`` of the signal's
    floor-to-peak range that holds ``CORE_FRAMES`` frames in a row above ``HIGH_SHARE``. All False when
    the signal's range is under ``MIN_RANGE_DB`` (silence, steady noise)."""
    n = len(energy_db)
    if not n:
        return np.zeros(0, dtype=bool)
    floor = float(np.percentile(energy_db, FLOOR_PCT))
    peak = float(np.percentile(energy_db, PEAK_PCT))
    if peak - floor < MIN_RANGE_DB:
        return np.zeros(n, dtype=bool)
    low = energy_db > floor + LOW_SHARE * (peak - floor)
    high = energy_db > floor + HIGH_SHARE * (peak - floor)
    # runs of ``high`` at least CORE_FRAMES long
    edges = np.flatnonzero(np.diff(np.concatenate([[0], high.astype(np.int8), [0]])))
    cores = [(s, e) for s, e in zip(edges[::2], edges[1::2], strict=True) if e - s >= CORE_FRAMES]
    if not cores:
        return np.zeros(n, dtype=bool)
    # the runs of ``low`` that contain a core
    run_id = np.cumsum(np.concatenate([[low[0]], low[1:] & ~low[:-1]]))
    keep = np.zeros(int(run_id[-1]) + 1, dtype=bool)
    keep[[int(run_id[s]) for s, _ in cores]] = True
    out: np.ndarray = low & keep[run_id]
    return out


def normalise(feat: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean and variance normalisation with the statistics of the ``mask`` frames (all when too few)."""
    ref = feat[mask] if int(mask.sum()) >= 10 else feat
    out: np.ndarray = (feat - ref.mean(axis=0)) / (ref.std(axis=0) + 1e-6)
    return out


@dataclass(frozen=True, slots=True)
class Signal:
    """A signal's DTW features (unit length per frame), speech mask and energy (dB) per 10 ms frame."""

    feat: np.ndarray
    speech: np.ndarray
    energy: np.ndarray

    @property
    def speech_range(self) -> tuple[int, int] | None:
        """First and last + 1 speech frame, or None."""
        idx = np.flatnonzero(self.speech)
        return (int(idx[0]), int(idx[-1]) + 1) if len(idx) else None


def analyse(audio: np.ndarray) -> Signal:
    """The features DTW compares (see the module docstring) of 16 kHz int16 ``audio``."""
    cep, energy = mfcc(audio)
    speech = speech_mask(energy)
    c = cep[:, 1 : 1 + CEPSTRA]
    feat = smooth(normalise(np.hstack([c, DELTA_WEIGHT * deltas(c)]), speech), SMOOTH_FRAMES)
    floor = float(np.percentile(energy, FLOOR_PCT)) if len(energy) else 0.0
    level = float(np.percentile(energy[speech], 90)) if speech.any() else floor
    loud = np.clip((energy - level) / max(1.0, level - floor), -1.0, 0.2)
    return Signal(_unit(np.hstack([feat, ENERGY_WEIGHT * loud[:, None]])), speech, energy)


# ---------------------------------------------------------------- DTW


def band_path(
    x: np.ndarray,
    y: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    metric: str = "euclidean",
    penalty: float = 0.0,
    gates: tuple[np.ndarray, np.ndarray, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cheapest path from (0, 0) to (n-1, m-1) through the cells ``lo[i] <= j < hi[i]`` of row ``i``
    (``lo`` and ``hi`` non-decreasing, ``lo[0] == 0``, ``hi[-1] == m``). Local cost: Euclidean distance,
    or with ``metric="cosine"`` 1 - x.y (rows of unit length); ``gates`` = (row mask, column mask, cost)
    caps the cost of the cells in a masked row and a masked column. Steps: (1,1) at twice the local cost,
    (1,0) and (0,1) at the local cost plus ``penalty``. Returns the path's rows, columns and local costs.

    One numpy pass per row: with ``A[j] = min(D[i-1,j-1] + 2c, D[i-1,j] + c)`` the row is
    ``D[j] = min(A[j], D[j-1] + c[j]) = P[j] + cummin(A - P)[j]`` (``P`` the prefix sum of the row's costs),
    so the only sequential step is a running minimum."""
    n, m = len(x), len(y)
    width = int((hi - lo).max())
    from_up = np.zeros((n, width), dtype=bool)  # D came from (i-1, j) rather than (i-1, j-1) ...
    from_left = np.zeros((n, width), dtype=bool)  # ... unless it came from (i, j-1)
    costs = np.zeros((n, width), dtype=np.float32)
    yy = np.einsum("ij,ij->i", y, y)
    prev = np.full(m + 2, np.inf)  # D of the previous row at index j + 1 (index 0: the j = -1 sentinel)
    row = np.full(m + 2, np.inf)
    chunk = 64  # rows whose distances are computed together (one matrix product over their columns)
    for c0 in range(0, n, chunk):
        c1 = min(n, c0 + chunk)
        a, b = int(lo[c0]), int(hi[c1 - 1])
        xc = x[c0:c1]
        if metric == "cosine":
            dist = 1.0 - xc @ y[a:b].T
        else:
            d2 = np.einsum("ij,ij->i", xc, xc)[:, None] + yy[None, a:b] - 2.0 * (xc @ y[a:b].T)
            dist = np.sqrt(np.maximum(d2, 0.0, out=d2), out=d2)
        if gates is not None:  # cells (pause row, gate column) cost at most the gate cost
            rows, cols = np.flatnonzero(gates[0][c0:c1]), np.flatnonzero(gates[1][a:b])
            if len(rows) and len(cols):
                cell = np.ix_(rows, cols)
                dist[cell] = np.minimum(dist[cell], gates[2])
        prefix = np.cumsum(dist + penalty, axis=1)
        for i in range(c0, c1):
            j0, j1 = int(lo[i]), int(hi[i])
            w = j1 - j0
            c = dist[i - c0, j0 - a : j1 - a]
            p = prefix[i - c0, j0 - a : j1 - a]
            costs[i, :w] = c
            if i == 0:
                row[j0 + 1 : j1 + 1] = p - p[0] + c[0]
                from_left[0, 1:w] = True
            else:
                up = prev[j0 + 1 : j1 + 1] + c
                up += penalty
                best = prev[j0:j1] + c
                best += c
                np.less(up, best, out=from_up[i, :w])
                np.minimum(best, up, out=best)
                best -= p
                cm = np.minimum.accumulate(best)
                np.greater(best, cm, out=from_left[i, :w])  # exact: the running minimum came from the left
                np.add(cm, p, out=row[j0 + 1 : j1 + 1])
            row[j0] = np.inf  # D[i, j0-1]: outside the band (earlier columns are never read again)
            nxt = int(hi[i + 1]) if i + 1 < n else j1
            row[j1 + 1 : nxt + 2] = np.inf
            prev, row = row, prev
    i, j = n - 1, m - 1
    pi: list[int] = []
    pj: list[int] = []
    while True:
        pi.append(i)
        pj.append(j)
        if i == 0 and j == 0:
            break
        k = j - int(lo[i])
        if i == 0 or from_left[i, k]:
            j -= 1
        elif from_up[i, k]:
            i -= 1
        else:
            i -= 1
            j -= 1
    ri, rj = np.array(pi[::-1]), np.array(pj[::-1])
    return ri, rj, costs[ri, rj - lo[ri]].astype(np.float64)


def diagonal_band(n: int, m: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """A Sakoe-Chiba band of +-``radius`` columns around the diagonal of an n x m matrix."""
    centre = np.arange(n) * ((m - 1) / max(1, n - 1))
    lo = np.clip(np.floor(centre - radius), 0, m - 1).astype(np.int64)
    hi = np.clip(np.ceil(centre + radius) + 1, 1, m).astype(np.int64)
    return _monotone(lo, hi, m)


def _monotone(lo: np.ndarray, hi: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    lo = np.minimum.accumulate(lo[::-1])[::-1].copy()
    hi = np.maximum.accumulate(hi)
    lo[0] = 0
    hi[-1] = m
    hi = np.maximum(hi, lo + 1)
    return lo, np.maximum.accumulate(hi)


def dtw_path(
    x: np.ndarray,
    y: np.ndarray,
    *,
    factor: int = 4,
    radius: int = 12,
    coarse_band: int | None = None,
    metric: str = "euclidean",
    penalty: float = 0.0,
    gates: tuple[np.ndarray, np.ndarray, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`band_path` of ``x`` against ``y`` in two passes: on frames averaged ``factor`` at a time
    inside a wide band (``coarse_band`` coarse frames; by default the whole matrix up to 1,000 coarse
    frames, 40 s at 10 ms frames, a third of it beyond), then at full resolution within ``radius`` frames
    of the coarse path. Exact DTW when the best path stays in the band; the cost is about rows x
    (2 radius + slope) cells instead of rows x columns. A first pass that would exceed ``MAX_CELLS``
    cells averages twice as many frames (and widens ``radius``) until it does not."""
    n, m = len(x), len(y)
    if n == 0 or m == 0:
        raise ValueError("empty sequence")
    if metric == "cosine":
        x, y = _unit(x), _unit(y)
    while (
        factor > 1
        and (n // factor) * min(m // factor, 2 * _coarse_band(n // factor, m // factor) + 1) > MAX_CELLS
    ):
        factor *= 2  # a long window: coarser first pass, so its matrix stays under MAX_CELLS cells
        radius = max(radius, 3 * factor)
    if factor <= 1 or min(n, m) < 4 * factor:
        lo, hi = diagonal_band(n, m, max(n, m))
        return band_path(x, y, lo, hi, metric=metric, penalty=penalty, gates=gates)
    xc, yc = _pool(x, factor), _pool(y, factor)
    if metric == "cosine":
        xc, yc = _unit(xc), _unit(yc)
    nc, mc = len(xc), len(yc)
    band = coarse_band if coarse_band is not None else _coarse_band(nc, mc)
    lo_c, hi_c = diagonal_band(nc, mc, band)
    coarse_gates = None
    if gates is not None:
        coarse_gates = (_pool_any(gates[0], factor, all_of=True), _pool_any(gates[1], factor), gates[2])
    ci, cj, _ = band_path(xc, yc, lo_c, hi_c, metric=metric, penalty=penalty * factor, gates=coarse_gates)
    # the coarse path's column range per coarse row, widened by ``radius`` fine frames
    cmin = np.full(nc, mc, dtype=np.int64)
    cmax = np.zeros(nc, dtype=np.int64)
    np.minimum.at(cmin, ci, cj)
    np.maximum.at(cmax, ci, cj)
    rows = np.arange(n) // factor
    rows = np.minimum(rows, nc - 1)
    lo = np.clip(cmin[rows] * factor - radius, 0, m - 1)
    hi = np.clip((cmax[rows] + 1) * factor + radius, 1, m)
    lo, hi = _monotone(lo, hi, m)
    return band_path(x, y, lo, hi, metric=metric, penalty=penalty, gates=gates)


def _coarse_band(nc: int, mc: int) -> int:
    """The first pass's band: the whole matrix up to 1000 coarse frames, a third of it beyond."""
    return max(1_000, mc // 3, abs(nc - mc) + 250)


def _pool_any(mask: np.ndarray, factor: int, *, all_of: bool = False) -> np.ndarray:
    """``mask`` pooled like :func:`_pool`: a coarse frame is True when any (or all) of its frames are."""
    n = -(-len(mask) // factor)
    padded = np.zeros(n * factor, dtype=bool)
    padded[: len(mask)] = mask
    if all_of and len(mask) % factor:
        padded[len(mask) :] = True
    blocks = padded.reshape(n, factor)
    out: np.ndarray = np.asarray(blocks.all(axis=1) if all_of else blocks.any(axis=1), dtype=bool)
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-9)
    return out


def _pool(x: np.ndarray, factor: int) -> np.ndarray:
    n = len(x) // factor * factor
    out: np.ndarray = x[:n].reshape(-1, factor, x.shape[1]).mean(axis=1)
    if n < len(x):
        out = np.vstack([out, x[n:].mean(axis=0, keepdims=True)])
    return out


# ---------------------------------------------------------------- the aligner


class EspeakAligner:
    """Forced alignment of text in ``language`` (ISO 639-1 or 639-3 code, BCP 47 tag) by DTW against
    eSpeak NG's synthesis; implements :class:`toolkit.align.engine.Aligner`.

    ``voice`` overrides eSpeak's voice for the language (an identifier such as ``roa/fr``). Every window
    is aligned against the voice and each of ``variants`` (eSpeak voice variants; by default the female
    ``+f4``, as the language's voice is male) and the result that fits best (median token score) is
    kept: a voice nearer the speaker's fits better. Raises :class:`AlignmentError` when eSpeak NG
    cannot load or has no voice for the language. One instance may serve several threads (eSpeak runs
    under a lock; the rest is numpy)."""

    name = "espeak-dtw"

    def __init__(
        self,
        language: str,
        *,
        sample_rate: int = SAMPLE_RATE,
        voice: str | None = None,
        variants: Sequence[str] = DEFAULT_VARIANTS,
        rate_wpm: int = DEFAULT_RATE_WPM,
    ) -> None:
        if sample_rate != SAMPLE_RATE:
            raise AlignmentError(f"the eSpeak aligner works at {SAMPLE_RATE} Hz, not {sample_rate} Hz")
        found = voice or voice_for(language)
        if found is None:
            raise AlignmentError(f"eSpeak NG has no voice for the language {language!r}")
        self.language = language
        self.voice = found
        self.voices = (found, *(found + v for v in variants))
        self.sample_rate = sample_rate
        self.rate_wpm = rate_wpm
        self._phones: dict[str, int] = {}

    def phone_count(self, token: str) -> int:
        """The number of eSpeak's phonemes for ``token`` in this language (at least 1)."""
        n = self._phones.get(token)
        if n is None:
            n = max(1, len(phonemes(token, self.voice))) if any(ch.isalnum() for ch in token) else 1
            self._phones[token] = n
        return n

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        """One timing per token, in ms from the window's start (in order, non-overlapping, inside the
        window; a token eSpeak does not say, such as a lone dash, gets no length), or ``None`` when the
        window has no speech or far more or less speech than the text needs."""
        words = ["".join(t.split()) for t in tokens]  # a token must stay one word for eSpeak
        audio = np.asarray(audio)
        if not words or len(audio) < self.sample_rate // 10:
            return None
        real = analyse(audio)
        if real.speech_range is None:
            return None
        best: list[TokenTiming] | None = None
        best_fit = -np.inf
        for voice in self.voices:
            got = self._align_voice(words, real, voice)
            if got is not None:
                fit = float(np.median([t.score for t in got]))
                if fit > best_fit:
                    best, best_fit = got, fit
        return best

    def _align_voice(self, words: list[str], real: Signal, voice: str) -> list[TokenTiming] | None:
        syn = synthesize(words, voice, rate_wpm=self.rate_wpm)
        ref = analyse(syn.samples)
        r_range, s_range = real.speech_range, ref.speech_range
        if r_range is None or s_range is None:
            return None
        a, b = r_range
        sa, sb = max(0, s_range[0] - SYN_MARGIN), s_range[1]
        ratio = int(real.speech[a:b].sum()) / max(1, int(ref.speech[sa:sb].sum()))
        if not 1 / MAX_SPEECH_RATIO <= ratio <= MAX_SPEECH_RATIO:
            log.debug("%s: speech %.2f times the synthesis's: not this text", voice, ratio)
            return None
        # a word's first synthetic frame may take a real pause cheaply (an optional pause before every
        # word, as eSpeak pauses only at punctuation and speakers elsewhere too)
        gate_cols = np.zeros(sb - sa, dtype=bool)
        for st, said in zip(syn.starts, syn.spoken, strict=True):
            j = round(st / HOP) - sa
            if said and 0 < j < sb - sa:
                gate_cols[j] = True
        pi, pj, cost = dtw_path(
            real.feat[a:b],
            ref.feat[sa:sb],
            factor=COARSE,
            radius=RADIUS,
            metric="cosine",
            penalty=STEP_PENALTY,
            gates=(~real.speech[a:b], gate_cols, PAUSE_COST),
        )
        pi += a
        pj += sa
        # the first and last real frame the path gives to each synthetic frame sa..sb-1
        first = pi[np.searchsorted(pj, np.arange(sa, sb), "left")]
        last = pi[np.searchsorted(pj, np.arange(sa, sb), "right") - 1]
        n_frames = len(real.speech)
        starts: list[int] = []
        ends: list[int] = []
        for k, (j0, j1) in enumerate(_synthetic_spans(syn.starts, syn.spoken, ref.speech, sa, sb)):
            s = int(first[j0 - sa])
            e = int(first[j1 - sa]) if j1 < sb else b
            if syn.spoken[k]:
                # a pause among the real frames given to the word's first synthetic frame comes before
                # the word (the path reached the word, then waited out the speaker's pause on it)
                head = int(last[j0 - sa])
                quiet = np.flatnonzero(~real.speech[s : head + 1])
                if len(quiet) and s + int(quiet[-1]) + 1 < max(e, s + 1):
                    s += int(quiet[-1]) + 1
                s, e = _off_silence(real.speech, s, max(s, e), n_frames)
            starts.append(s)
            ends.append(e)
        starts, ends = _monotone_spans(starts, ends, syn.spoken, n_frames)
        scores = _token_scores(real.feat, real.speech, ref.feat[sa:sb:RANK_SAMPLE], pi, cost, starts, ends)
        return [
            TokenTiming(s * FRAME_MS, e * FRAME_MS, round(sc, 3))
            for s, e, sc in zip(starts, ends, scores, strict=True)
        ]


def _synthetic_spans(
    starts: Sequence[int], spoken: Sequence[bool], speech: np.ndarray, sa: int, sb: int
) -> list[tuple[int, int]]:
    """Per token, its frames [j0, j1) in the synthesis: from its start to the next spoken token's
    start, less the pause before that (at least one frame), inside [sa, sb)."""
    n = len(starts)
    first = [min(sb - 1, max(sa, round(s / HOP))) for s in starts]
    out: list[tuple[int, int]] = []
    for k in range(n):
        j0 = first[k]
        nxt = next((first[q] for q in range(k + 1, n) if spoken[q]), sb)
        j1 = nxt
        while j1 - 1 > j0 and not speech[j1 - 1]:  # the pause before the next word is not this word's
            j1 -= 1
        out.append((j0, max(j0 + 1, min(j1, sb)) if spoken[k] else j0))
    return out


def _off_silence(speech: np.ndarray, s: int, e: int, n: int) -> tuple[int, int]:
    """A spoken token's real frames [s, e) moved off silence: a start in silence to the next speech
    onset (at most ``SNAP_FRAMES`` on; a token wholly in silence moves there whole), an end in silence
    back to the last speech."""
    if s < n and not speech[s]:
        ahead = np.flatnonzero(speech[s : min(n, s + SNAP_FRAMES + 1)])
        if len(ahead):
            onset = s + int(ahead[0])
            if onset >= e:  # the whole word in silence: it is said at the onset (the next word yields)
                e = onset + (e - s)
            s = onset
    if e - 1 > s and not speech[min(n, e) - 1]:
        back = np.flatnonzero(speech[s : min(n, e)])
        if len(back):
            e = s + int(back[-1]) + 1
    return s, e


def _monotone_spans(
    starts: list[int], ends: list[int], spoken: Sequence[bool], n: int
) -> tuple[list[int], list[int]]:
    """Starts that never go back, spoken tokens at least one frame long where there is room, each end
    at or before the next start, all inside [0, n]."""
    k_max = len(starts)
    s_out = list(starts)
    for k in range(k_max):
        lo = 0 if k == 0 else s_out[k - 1] + (1 if spoken[k - 1] else 0)
        s_out[k] = min(max(s_out[k], lo), n)
    e_out: list[int] = []
    for k in range(k_max):
        nxt = s_out[k + 1] if k + 1 < k_max else n
        want = max(ends[k], s_out[k] + (1 if spoken[k] else 0))
        e_out.append(max(s_out[k], min(want, nxt)))
    return s_out, e_out


def _token_scores(
    feat: np.ndarray,
    speech: np.ndarray,
    ref_sample: np.ndarray,
    pi: np.ndarray,
    cost: np.ndarray,
    starts: Sequence[int],
    ends: Sequence[int],
) -> list[float]:
    """Per token, -RANK_SCALE x the mean over its path cells on real speech of the share of (sampled)
    synthetic frames closer to the real frame than the synthetic frame the path gives it. Silence is left
    out (any text's pauses match the window's pauses); a token with no speech frame is scored on all."""
    on_speech = speech[pi]

    def ranks(cells: np.ndarray) -> np.ndarray:
        out = np.empty(len(cells))
        for c0 in range(0, len(cells), 2048):
            part = cells[c0 : c0 + 2048]
            d = 1.0 - feat[pi[part]] @ ref_sample.T
            out[c0 : c0 + 2048] = np.mean(d < cost[part, None], axis=1)
        return out

    rank = np.zeros(len(pi))
    voiced = np.flatnonzero(on_speech)
    rank[voiced] = ranks(voiced)
    scores: list[float] = []
    for s, e in zip(starts, ends, strict=True):
        lo = int(np.searchsorted(pi, s, "left"))
        hi = int(np.searchsorted(pi, max(e, s + 1), "left"))
        if hi <= lo:  # a token with no frame of its own: the cell at its start
            lo = max(0, min(lo, len(pi) - 1))
            hi = lo + 1
        own = np.arange(lo, hi)
        heard = own[on_speech[lo:hi]]
        scores.append(-RANK_SCALE * float(np.mean(rank[heard] if len(heard) else ranks(own))))
    return scores
