"""Speech detection on a 10 ms grid.

webrtcvad (the ``webrtcvad-wheels`` package) in its most aggressive mode classifies 10 ms frames of
16-bit mono audio; runs of speech shorter than ``min_speech_ms`` (clicks, breaths) are dropped and gaps
shorter than ``min_gap_ms`` inside speech are closed. Measured here on synthetic two-voice speech with
pink noise, webrtcvad mode 3 scored F1 0.93 at 15 dB and 0.92 at 0 dB SNR with one fixed setting (an
energy threshold such as ffmpeg's ``silencedetect`` found no silence at all at 0 dB); Silero scored
higher, but its package needs torch, which captionkit does not want to install.

webrtcvad depends on the input level and adapts its noise model as it goes: on 20 minutes at 0 dB SNR
its recall fell from 0.85 to 0.63 over the file. So the audio is classified in 30 s chunks, each with a
fresh detector and brought to a fixed loudness first (:func:`normalise_level`).
"""

from __future__ import annotations

import itertools

import _webrtcvad  # webrtcvad's C module: the ``webrtcvad`` wrapper imports importlib.metadata (20 ms)
import numpy as np

from .numeric import median, percentile

__all__ = [
    "FRAME_MS",
    "SpeechDetector",
    "frame_energy_db",
    "loud_level",
    "normalise_level",
    "runs",
    "smooth_mask",
    "speech_mask",
    "webrtc_frames",
]

FRAME_MS = 10
_VAD_RATES = (8000, 16000, 32000, 48000)
CHUNK_S = 30  # a fresh detector and level every 30 s: webrtcvad's noise model drifted over 20 min at 0 dB
LEVEL_DB = -24.0  # loud frames are brought to this level before webrtcvad (see normalise_level)


def speech_mask(
    audio: np.ndarray,
    sample_rate: int = 16000,
    *,
    mode: int = 3,
    min_speech_ms: int = 100,
    min_gap_ms: int = 60,
) -> np.ndarray:
    """One boolean per 10 ms frame of ``audio`` (int16 mono): True where there is speech.

    Frame ``i`` covers ``[10*i, 10*i + 10)`` ms; a trailing partial frame is dropped.
    """
    detector = SpeechDetector(sample_rate, mode=mode)
    chunk = CHUNK_S * sample_rate
    for i in range(0, len(audio) - len(audio) % detector.step, chunk):
        detector.feed(np.asarray(audio[i : i + chunk]))
    return detector.mask(min_speech_ms=min_speech_ms, min_gap_ms=min_gap_ms)


class SpeechDetector:
    """Incremental :func:`speech_mask`: feed blocks of ``CHUNK_S`` seconds as they are decoded."""

    def __init__(self, sample_rate: int = 16000, *, mode: int = 3) -> None:
        if sample_rate not in _VAD_RATES:
            raise ValueError(f"speech detection needs 8, 16, 32 or 48 kHz audio, not {sample_rate} Hz")
        self.sample_rate = sample_rate
        self.mode = mode
        self.step = sample_rate * FRAME_MS // 1000
        self.parts: list[np.ndarray] = []
        self.levels: list[float] = []

    def feed(self, block: np.ndarray) -> None:
        levels = frame_energy_db(block, self.sample_rate)
        if len(levels):
            self.levels.append(loud_level(levels))
        # the median over the chunks so far: a chunk of noise alone (a tail, an intro) is not blown up
        reference = median(self.levels) if self.levels else LEVEL_DB
        self.parts.append(_classify(block, self.sample_rate, self.step, self.mode, reference))

    def mask(self, *, min_speech_ms: int = 100, min_gap_ms: int = 60) -> np.ndarray:
        raw = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=bool)
        return smooth_mask(raw, min_speech_ms=min_speech_ms, min_gap_ms=min_gap_ms)


def _classify(audio: np.ndarray, sample_rate: int, step: int, mode: int, reference_db: float) -> np.ndarray:
    return webrtc_frames(normalise_level(audio, sample_rate, reference_db=reference_db), sample_rate, mode)


def webrtc_frames(audio: np.ndarray, sample_rate: int = 16000, mode: int = 3) -> np.ndarray:
    """webrtcvad's raw decision per whole 10 ms frame of ``audio`` (int16 mono), one detector throughout
    (its noise model adapts as it goes); no level normalisation and no smoothing."""
    step = sample_rate * FRAME_MS // 1000
    n = len(audio) // step
    handle = _webrtcvad.create()  # what webrtcvad.Vad(mode) does
    _webrtcvad.init(handle)
    _webrtcvad.set_mode(handle, mode)
    # the C function behind Vad.is_speech, called directly: the wrapper's checks cost as much as the VAD
    process = _webrtcvad.process
    size = step * 2
    out = np.empty(n, dtype=bool)
    block = 6000  # frames turned into bytes at a time (one minute at 10 ms): no copy of long audio at once
    for b0 in range(0, n, block):
        b1 = min(n, b0 + block)
        raw = np.ascontiguousarray(audio[b0 * step : b1 * step], dtype="<i2").tobytes()
        out[b0:b1] = np.fromiter(
            (process(handle, sample_rate, raw[i : i + size], step) for i in range(0, (b1 - b0) * size, size)),
            dtype=bool,
            count=b1 - b0,
        )
    return out


def normalise_level(
    audio: np.ndarray,
    sample_rate: int = 16000,
    target_db: float = LEVEL_DB,
    *,
    reference_db: float | None = None,
) -> np.ndarray:
    """``audio`` scaled so that its loud frames (95th percentile of 10 ms levels) sit at ``target_db``.

    ``reference_db`` is the level to bring to ``target_db`` (default: this audio's 95th percentile).
    webrtcvad's decisions depend on the input level: at 0 dB SNR a loud mix was 97 % "speech", the same
    mix 10 dB quieter 64 % at 99 % precision. A fixed loudness makes it behave the same on every file.
    """
    if reference_db is None:
        levels = frame_energy_db(audio, sample_rate)
        if len(levels) == 0:
            return np.ascontiguousarray(audio, dtype="<i2")
        reference_db = loud_level(levels)
    gain = 10 ** ((target_db - reference_db) / 20)
    scaled = audio.astype(np.float64)
    scaled *= gain
    np.round(scaled, out=scaled)
    np.clip(scaled, -32768, 32767, out=scaled)
    return scaled.astype("<i2")


def loud_level(levels: np.ndarray) -> float:
    """The level of the loud frames: the 95th percentile of ``levels`` (``np.percentile``'s value)."""
    return percentile(levels, 95)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` frame ranges (end exclusive) of the True runs of a boolean mask."""
    if len(mask) == 0:
        return []
    padded = np.concatenate(([False], mask.astype(bool), [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def smooth_mask(mask: np.ndarray, *, min_speech_ms: int = 100, min_gap_ms: int = 60) -> np.ndarray:
    """Close gaps under ``min_gap_ms`` inside speech, then drop speech shorter than ``min_speech_ms``."""
    out = mask.astype(bool).copy()
    min_gap = max(1, min_gap_ms // FRAME_MS)
    min_speech = max(1, min_speech_ms // FRAME_MS)
    speech = runs(out)
    for (_, e1), (s2, _) in itertools.pairwise(speech):
        if s2 - e1 < min_gap:
            out[e1:s2] = True
    for s, e in runs(out):
        if e - s < min_speech:
            out[s:e] = False
    return out


def frame_energy_db(audio: np.ndarray, sample_rate: int = 16000, frame_ms: int = FRAME_MS) -> np.ndarray:
    """RMS level per frame in dB relative to full scale (-120 for digital silence).

    The sum of squares of int16 samples is exact in float64 whatever the summation order (each square is at
    most 2**30, a frame's sum far below 2**53), so ``einsum`` gives the same bits as the old mean.
    """
    step = sample_rate * frame_ms // 1000
    n = len(audio) // step
    x = audio[: n * step].astype(np.float64).reshape(n, step)
    power: np.ndarray = np.einsum("ij,ij->i", x, x)
    power /= 32768.0 * 32768.0
    power /= step
    np.sqrt(power, out=power)
    np.maximum(power, 1e-6, out=power)
    np.log10(power, out=power)
    power *= 20.0
    return power
