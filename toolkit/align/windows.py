"""Where to cut the audio: speech/pause frames (10 ms) and the pauses between them.

Turn timestamps are hints (floored to seconds, sometimes off by seconds), so windows are cut in pauses:
a cut inside a word forces the aligner to fit half a word, a cut in a pause costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..media.vad import webrtc_frames

FRAME_MS = 10
MIN_PAUSE_MS = 150  # shorter silences happen inside phrases (stop closures, breaths)
NOISY_SPEECH_SHARE = 0.92  # webrtcvad calling more than this share speech: it is hearing the noise


@dataclass(frozen=True, slots=True)
class Pause:
    start_ms: int
    end_ms: int

    @property
    def mid_ms(self) -> int:
        return (self.start_ms + self.end_ms) // 2

    @property
    def length_ms(self) -> int:
        return self.end_ms - self.start_ms


def speech_frames(audio: np.ndarray, sample_rate: int = 16000, *, mode: int = 2) -> np.ndarray:
    """A boolean speech mask per 10 ms frame: webrtcvad, or :func:`noisy_speech_frames` where webrtcvad
    hears speech in nearly every frame (heavy noise). The media stage's mask is used when given."""
    mask = webrtc_frames(audio, sample_rate, mode)
    if mask.size and mask.mean() > NOISY_SPEECH_SHARE:
        return noisy_speech_frames(audio, sample_rate)
    return mask


def noisy_speech_frames(audio: np.ndarray, sample_rate: int = 16000, *, margin_db: float = 0.6) -> np.ndarray:
    """A speech mask per 10 ms frame for noisy audio, where webrtcvad hears speech everywhere.

    Per frame, the mean over 250-4000 Hz of the log power above each bin's noise floor (the bin's 20th
    percentile over blocks of one minute), smoothed over 90 ms; speech is above the block's 10th percentile
    plus ``margin_db``. Stationary noise then sits near 0 dB and speech above it, even at 0 dB SNR.
    """
    step = sample_rate * FRAME_MS // 1000
    win = int(step * 2.5)
    n_fft = 1 << (win - 1).bit_length()
    lo_bin, hi_bin = 250 * n_fft // sample_rate, 4000 * n_fft // sample_rate
    window = np.hanning(win).astype(np.float32)
    n = len(audio) // step
    out = np.zeros(n, dtype=bool)
    block = 6000  # frames: one minute at a time keeps memory bounded
    x = np.asarray(audio)  # converted to float one block at a time: memory stays bounded
    for b0 in range(0, n, block):
        b1 = min(n, b0 + block)
        starts = np.arange(b0, b1) * step
        idx = starts[:, None] + np.arange(win)[None, :]
        frames = np.take(x, np.minimum(idx, len(x) - 1)).astype(np.float32) * window
        power = np.abs(np.fft.rfft(frames, n_fft, axis=1))[:, lo_bin:hi_bin] ** 2 + 1e-3
        level = 10 * np.log10(power / np.percentile(power, 20, axis=0))
        feat = level.mean(axis=1)
        k = 9
        feat = np.convolve(np.pad(feat, (k // 2, k // 2), mode="edge"), np.ones(k) / k, mode="valid")
        out[b0:b1] = feat > np.percentile(feat, 10) + margin_db
    return out


def find_pauses(speech: np.ndarray, *, min_pause_ms: int = MIN_PAUSE_MS) -> list[Pause]:
    """Runs of non-speech frames at least ``min_pause_ms`` long (including the edges of the audio)."""
    silent = ~np.asarray(speech, dtype=bool)
    if not silent.size:
        return []
    padded = np.concatenate(([False], silent, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    starts, ends = edges[0::2], edges[1::2]
    min_frames = max(1, min_pause_ms // FRAME_MS)
    return [
        Pause(int(s) * FRAME_MS, int(e) * FRAME_MS)
        for s, e in zip(starts, ends, strict=True)
        if e - s >= min_frames
    ]


class SpeechIndex:
    """Cumulative speech time, to ask "how much speech lies between two times" in O(1)."""

    def __init__(self, speech: np.ndarray) -> None:
        self.speech = np.asarray(speech, dtype=bool)
        self._cum = np.concatenate(([0], np.cumsum(self.speech, dtype=np.int64)))
        self.pauses = find_pauses(self.speech)
        self._pause_mids = np.array([p.mid_ms for p in self.pauses], dtype=np.int64)

    @property
    def end_ms(self) -> int:
        return len(self.speech) * FRAME_MS

    @property
    def last_speech_ms(self) -> int:
        """The end of the last speech frame (0 without speech)."""
        heard = np.flatnonzero(self.speech)
        return (int(heard[-1]) + 1) * FRAME_MS if heard.size else 0

    def speech_ms(self, start_ms: int, end_ms: int) -> int:
        a = min(max(0, start_ms // FRAME_MS), len(self.speech))
        b = min(max(a, end_ms // FRAME_MS), len(self.speech))
        return int(self._cum[b] - self._cum[a]) * FRAME_MS

    def time_after_speech(self, start_ms: int, speech_ms: int) -> int:
        """The time at which ``speech_ms`` of speech has passed since ``start_ms``."""
        a = min(max(0, start_ms // FRAME_MS), len(self.speech))
        target = self._cum[a] + speech_ms // FRAME_MS
        i = int(np.searchsorted(self._cum, target, side="left"))
        return min(i, len(self.speech)) * FRAME_MS

    def pauses_between(self, start_ms: int, end_ms: int) -> list[Pause]:
        """Pauses whose middle lies in ``[start_ms, end_ms]``."""
        lo = int(np.searchsorted(self._pause_mids, start_ms, side="left"))
        hi = int(np.searchsorted(self._pause_mids, end_ms, side="right"))
        return self.pauses[lo:hi]

    def onsets_between(self, start_ms: int, end_ms: int) -> list[int]:
        """Speech onsets (ends of pauses) in ``(start_ms, end_ms)``."""
        return [
            p.end_ms for p in self.pauses_between(start_ms - 60_000, end_ms) if start_ms < p.end_ms < end_ms
        ]


# onsets: where speech starts after a pause (the fallback snaps sentence starts to the likeliest one)
BLIP_MS = 120  # speech this short between two pauses is noise: one pause


def onsets(index: SpeechIndex, lo: float, hi: float) -> list[tuple[int, int]]:
    """Speech onsets in ``[lo, hi]`` with the length of the pause before each. Pauses split by a blip of
    "speech" shorter than ``BLIP_MS`` (noise, a click) are one pause: the blip is not an onset."""
    out: list[tuple[int, int]] = []
    group: list[Pause] = []
    for p in index.pauses_between(int(lo) - 5_000, int(hi) + 5_000):
        if group and p.start_ms - group[-1].end_ms >= BLIP_MS:
            out.append((group[-1].end_ms, group[-1].end_ms - group[0].start_ms))
            group = []
        group.append(p)
    if group:
        out.append((group[-1].end_ms, group[-1].end_ms - group[0].start_ms))
    return [(on, n) for on, n in out if lo <= on <= hi]
