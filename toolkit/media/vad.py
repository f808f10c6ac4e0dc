"""Speech detection on a 10 ms grid: Silero VAD (a small neural model, run with onnxruntime) and webrtcvad.

Chosen by measurement on real human recordings (``bench/bench_vad.py`` on ``../shared/realspeech``:
read speech from speakers recorded 35 dB apart, an interview under music, reverberation and kitchen
noise, a telephone call, a meeting, and degraded copies of each):

* :func:`silero_mask` (the default for ``convert --media`` and ``validate --media``): Silero VAD v6 (MIT,
  the 2.3 MB ONNX file in ``toolkit/data``), with hysteresis on its speech probability. Recall 0.92-0.99 at
  precision 0.93-1.00 on the real items, and it holds under noise and music where webrtcvad does not. It
  costs about 2 s of one core per 20 minutes of audio (the model runs on many 10 s streams at once).
* :class:`SpeechDetector` / :func:`webrtc_mask`: webrtcvad (mode 2) while ffmpeg decodes, about 0.2 s per 20
  minutes. ``captionkit sync`` starts with it and asks Silero only when its result is not confident.

webrtcvad has an absolute energy floor, so quiet recordings are brought up to a working level first; loud
ones are never turned down (the old per-chunk normalisation turned a loud speaker's chunks down and the
quiet speaker of the same dialogue below that floor: 38 % recall on read dialogues).
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from pathlib import Path
from typing import Any

import _webrtcvad  # webrtcvad's C module: the ``webrtcvad`` wrapper imports importlib.metadata (20 ms)
import numpy as np

from ..errors import MediaError
from .numeric import median, percentile
from .vad_params import DEFAULT_PARAMS, VadParams

__all__ = [
    "DEFAULT_PARAMS",
    "DETECTORS",
    "FRAME_MS",
    "SpeechDetector",
    "VadParams",
    "frame_energy_db",
    "loud_level",
    "onsets",
    "runs",
    "silero_mask",
    "silero_probabilities",
    "smooth_mask",
    "speech_mask",
    "union_spans",
    "webrtc_frames",
    "webrtc_mask",
    "window_cover",
]

FRAME_MS = 10
_VAD_RATES = (8000, 16000, 32000, 48000)
DETECTORS = ("silero", "webrtc")


def speech_mask(
    audio: np.ndarray,
    sample_rate: int = 16000,
    *,
    detector: str = "silero",
    params: VadParams | None = None,
) -> np.ndarray:
    """One boolean per 10 ms frame of ``audio`` (int16 mono): True where there is speech.

    ``detector`` is ``"silero"`` (:func:`silero_mask`) or ``"webrtc"`` (:func:`webrtc_mask`). Frame ``i``
    covers ``[10*i, 10*i + 10)`` ms; a trailing partial frame is dropped. ``params`` are the detectors'
    settings (:data:`DEFAULT_PARAMS` when ``None``).
    """
    if detector == "silero":
        return silero_mask(audio, sample_rate, params=params)
    if detector == "webrtc":
        return webrtc_mask(audio, sample_rate, params=params)
    raise ValueError(f"unknown speech detector {detector!r}; choose from {', '.join(DETECTORS)}")


def webrtc_mask(
    audio: np.ndarray,
    sample_rate: int = 16000,
    *,
    params: VadParams | None = None,
) -> np.ndarray:
    """:class:`SpeechDetector` over the whole of ``audio``."""
    detector = SpeechDetector(sample_rate, params=params)
    chunk = detector.params.chunk_s * sample_rate
    for i in range(0, len(audio) - len(audio) % detector.step, chunk):
        detector.feed(np.asarray(audio[i : i + chunk]))
    return detector.mask()


class SpeechDetector:
    """webrtcvad fed blocks of ``params.chunk_s`` seconds as they are decoded (each block a fresh
    detector); ``params`` are :data:`DEFAULT_PARAMS` when ``None``."""

    def __init__(self, sample_rate: int = 16000, *, params: VadParams | None = None) -> None:
        if sample_rate not in _VAD_RATES:
            raise ValueError(f"speech detection needs 8, 16, 32 or 48 kHz audio, not {sample_rate} Hz")
        self.sample_rate = sample_rate
        self.params = params or DEFAULT_PARAMS
        self.step = sample_rate * FRAME_MS // 1000
        self.parts: list[np.ndarray] = []
        self.levels: list[float] = []

    def feed(self, block: np.ndarray) -> None:
        p = self.params
        levels = frame_energy_db(block, self.sample_rate)
        loud = loud_level(levels, p.loud_percentile) if len(levels) else p.level_db
        if len(levels):
            self.levels.append(loud)
        # the median over the chunks so far: a chunk of noise alone (a tail, an intro) is not blown up
        reference = median(self.levels) if self.levels else p.level_db
        gain_db = max(0.0, p.level_db - reference)  # quiet recordings up; loud ones left alone
        frames = webrtc_frames(_gain(block, gain_db), self.sample_rate, p.mode)
        if len(frames) and frames.mean() > p.noisy_share:
            # speech in nearly every frame: webrtcvad is hearing loud noise. Turned down to the working
            # level, its energy floor keeps the noise out and the louder speech in (0 dB SNR: recall 0.85
            # at precision 0.99 on synthetic voices, where the loud mix was 97 % "speech")
            frames = webrtc_frames(_gain(block, p.level_db - loud), self.sample_rate, p.mode)
        self.parts.append(frames)

    def mask(self) -> np.ndarray:
        """The smoothed speech mask of all the blocks fed so far."""
        raw = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=bool)
        return smooth_mask(raw, min_speech_ms=self.params.min_speech_ms, min_gap_ms=self.params.min_gap_ms)


def _gain(audio: np.ndarray, gain_db: float) -> np.ndarray:
    if gain_db == 0:
        return audio
    scaled = audio.astype(np.float64)
    scaled *= 10 ** (gain_db / 20)
    np.round(scaled, out=scaled)
    np.clip(scaled, -32768, 32767, out=scaled)
    return scaled.astype("<i2")


# ---------------------------------------------------------------------------------------- Silero VAD

SILERO_MODEL = Path(__file__).resolve().parent.parent / "data" / "silero_vad.onnx"
SILERO_RATE = 16000
SILERO_WINDOW = 512  # samples per probability (32 ms) ...
SILERO_CONTEXT = 64  # ... each seen with the 64 samples before it
SILERO_BATCH = 64  # streams per call: memory stays bounded on long media


@lru_cache(maxsize=1)
def _silero_session() -> Any:
    try:
        import onnxruntime as ort  # lazy: onnxruntime takes ~0.4 s to import, only when Silero VAD runs
    except ImportError as exc:  # pragma: no cover - onnxruntime is a dependency
        raise MediaError(f"speech detection needs onnxruntime: {exc}") from None
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1  # two threads: 20 minutes took 2.7 s, not 2.5 s, at twice the CPU
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(str(SILERO_MODEL), opts, providers=["CPUExecutionProvider"])


def silero_probabilities(
    audio: np.ndarray, sample_rate: int = 16000, *, params: VadParams | None = None
) -> np.ndarray:
    """Silero VAD's speech probability per 32 ms window of ``audio`` (int16 mono at 16 kHz).

    The model is recurrent; run window by window it costs a call per 32 ms. Here the audio is cut into
    ``params.silero_stream_s`` streams that run side by side in one batch, each started
    ``params.silero_warmup`` windows early so that its state has settled where its own part begins (the
    probabilities differ from one long stream by less than 0.01 in correlation).
    """
    p = params or DEFAULT_PARAMS
    warmup = p.silero_warmup
    if sample_rate != SILERO_RATE:
        raise ValueError(f"Silero VAD runs on {SILERO_RATE} Hz audio, not {sample_rate} Hz")
    n = len(audio) // SILERO_WINDOW
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    session = _silero_session()
    per = p.silero_stream_s * SILERO_RATE // SILERO_WINDOW
    streams = -(-n // per)
    steps = per + warmup
    out = np.zeros((streams, per), dtype=np.float32)
    rate = np.array(SILERO_RATE, dtype=np.int64)
    for b0 in range(0, streams, SILERO_BATCH):
        b1 = min(streams, b0 + SILERO_BATCH)
        span = steps * SILERO_WINDOW + SILERO_CONTEXT
        batch = np.zeros((b1 - b0, span), dtype=np.float32)
        for k, b in enumerate(range(b0, b1)):
            first = (b * per - warmup) * SILERO_WINDOW
            seg = audio[max(0, first) : (b + 1) * per * SILERO_WINDOW]
            at = SILERO_CONTEXT + max(0, -first)
            batch[k, at : at + len(seg)] = seg
        batch /= 32768.0
        state = np.zeros((2, b1 - b0, 128), dtype=np.float32)
        probs = np.zeros((b1 - b0, steps), dtype=np.float32)
        for step in range(steps):
            a = step * SILERO_WINDOW
            window = batch[:, a : a + SILERO_WINDOW + SILERO_CONTEXT]
            prob, state = session.run(None, {"input": window, "state": state, "sr": rate})
            probs[:, step] = prob[:, 0]
        out[b0:b1] = probs[:, warmup:]
    return out.reshape(-1)[:n]


def silero_mask(
    audio: np.ndarray,
    sample_rate: int = 16000,
    *,
    params: VadParams | None = None,
) -> np.ndarray:
    """Speech per 10 ms frame from Silero VAD: a run of frames whose probability stays above
    ``params.silero_off`` is speech when it rises above ``params.silero_on`` somewhere (hysteresis), then
    smoothed."""
    prm = params or DEFAULT_PARAMS
    n = len(audio) * 1000 // sample_rate // FRAME_MS
    probs = silero_probabilities(audio, sample_rate, params=prm)
    if not len(probs):
        return np.zeros(n, dtype=bool)
    centre = (np.arange(n) * FRAME_MS + FRAME_MS // 2) * SILERO_RATE // 1000 // SILERO_WINDOW
    p = probs[np.minimum(centre, len(probs) - 1)]
    keep = p > prm.silero_off
    seeds = p > prm.silero_on
    out = np.zeros(n, dtype=bool)
    for s, e in runs(keep):
        if seeds[s:e].any():
            out[s:e] = True
    return smooth_mask(out, min_speech_ms=prm.min_speech_ms, min_gap_ms=prm.min_gap_ms)


def union_spans(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The union of the half-open spans ``[lo[i], hi[i])``, as disjoint spans. Both arrays must be sorted
    (windows of one width around sorted times are), so a span starts a new run exactly where it begins
    after the previous one ends."""
    lo, hi = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    if len(lo) == 0:
        return lo, hi
    breaks = lo[1:] > hi[:-1]
    return lo[np.concatenate(([True], breaks))], hi[np.concatenate((breaks, [True]))]


def window_cover(events: np.ndarray, before_ms: int, after_ms: int, media_ms: int) -> float:
    """The share of ``[0, media_ms)`` that the windows ``[e - before_ms, e + after_ms)`` around the sorted
    ``events`` cover: how often a time picked at random has an event in its window by chance."""
    if media_ms <= 0 or len(events) == 0:
        return 0.0
    lo, hi = union_spans(events - before_ms, events + after_ms)
    return float(np.sum(np.clip(hi, 0, media_ms) - np.clip(lo, 0, media_ms))) / media_ms


def onsets(mask: np.ndarray, params: VadParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) in ms of speech stretches separated by at least ``params.onset_pause_ms`` of silence
    (:data:`DEFAULT_PARAMS` when ``None``)."""
    min_pause_ms = (params or DEFAULT_PARAMS).onset_pause_ms
    rs = runs(mask)
    merged: list[list[int]] = []
    for s, e in rs:
        if merged and (s - merged[-1][1]) * FRAME_MS < min_pause_ms:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    arr = np.array(merged, dtype=np.int64).reshape(-1, 2) * FRAME_MS
    return arr[:, 0], arr[:, 1]


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


def loud_level(levels: np.ndarray, q: int = DEFAULT_PARAMS.loud_percentile) -> float:
    """The level of the loud frames: the ``q``-th percentile of ``levels`` (``np.percentile``'s value)."""
    return percentile(levels, q)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` frame ranges (end exclusive) of the True runs of a boolean mask."""
    if len(mask) == 0:
        return []
    padded = np.concatenate(([False], mask.astype(bool), [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def smooth_mask(
    mask: np.ndarray,
    *,
    min_speech_ms: int = DEFAULT_PARAMS.min_speech_ms,
    min_gap_ms: int = DEFAULT_PARAMS.min_gap_ms,
) -> np.ndarray:
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
