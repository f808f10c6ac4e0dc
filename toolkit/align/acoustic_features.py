"""The acoustic features the DTW aligner compares, every 10 ms, of the real audio and of eSpeak NG's
synthesis alike (step 2 and 3 of :mod:`toolkit.align.dtw`'s method).

MFCC c1-c12 and their deltas (25 ms Hamming window, numpy only), normalised per signal over its speech
frames (the two voices differ in level and timbre), averaged over 3 frames, plus a loudness feature (log
energy relative to the signal's speech level, clipped, weight 3) that makes a pause match a pause; and a
speech mask by energy with hysteresis (:func:`speech_mask`). :func:`analyse` gives all of it as one
:class:`Signal`; the path search (:mod:`toolkit.align.warping`) then matches two signals' features.

The weights and thresholds are fields of :class:`~toolkit.align.voiced_tuning.VoicedParams`; the frame
sizes and the MFCC design (format facts) stay here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .espeak import SAMPLE_RATE
from .voiced_tuning import DEFAULT_PARAMS, VoicedParams
from .warping import unit_rows

__all__ = [
    "FRAME_MS",
    "HOP",
    "Signal",
    "analyse",
    "deltas",
    "frames",
    "mfcc",
    "normalise",
    "smooth",
    "speech_mask",
]

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


def speech_mask(energy_db: np.ndarray, params: VoicedParams | None = None) -> np.ndarray:
    """Speech frames by energy with hysteresis: a run of frames above ``low_share`` of the signal's
    floor-to-peak range that holds ``core_frames`` frames in a row above ``high_share``. All False when
    the signal's range is under ``min_range_db`` (silence, steady noise); settings from ``params``
    (:class:`~toolkit.align.voiced_tuning.VoicedParams`)."""
    p = params if params is not None else DEFAULT_PARAMS
    n = len(energy_db)
    if not n:
        return np.zeros(0, dtype=bool)
    floor = float(np.percentile(energy_db, p.floor_pct))
    peak = float(np.percentile(energy_db, p.peak_pct))
    if peak - floor < p.min_range_db:
        return np.zeros(n, dtype=bool)
    low = energy_db > floor + p.low_share * (peak - floor)
    high = energy_db > floor + p.high_share * (peak - floor)
    # runs of ``high`` at least core_frames long
    edges = np.flatnonzero(np.diff(np.concatenate([[0], high.astype(np.int8), [0]])))
    cores = [(s, e) for s, e in zip(edges[::2], edges[1::2], strict=True) if e - s >= p.core_frames]
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


def analyse(audio: np.ndarray, params: VoicedParams | None = None) -> Signal:
    """The features DTW compares (see the module docstring) of 16 kHz int16 ``audio``, with the settings
    of ``params`` (:class:`~toolkit.align.voiced_tuning.VoicedParams`)."""
    p = params if params is not None else DEFAULT_PARAMS
    cep, energy = mfcc(audio)
    speech = speech_mask(energy, p)
    c = cep[:, 1 : 1 + CEPSTRA]
    feat = smooth(normalise(np.hstack([c, p.delta_weight * deltas(c)]), speech), p.smooth_frames)
    floor = float(np.percentile(energy, p.floor_pct)) if len(energy) else 0.0
    level = float(np.percentile(energy[speech], p.level_pct)) if speech.any() else floor
    loud = np.clip((energy - level) / max(1.0, level - floor), p.loud_min, p.loud_max)
    return Signal(unit_rows(np.hstack([feat, p.energy_weight * loud[:, None]])), speech, energy)
