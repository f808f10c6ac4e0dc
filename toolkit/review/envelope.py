"""What the review page shows of the media: the audio envelope and the speech activity.

Both come from the decoded audio (:func:`toolkit.media.analyse.analyse_media`: one ffmpeg decode and the
speech detector captionkit times cues with). The envelope is the minimum and maximum sample of each
1/100 s, scaled so that the loud end of the recording reaches ±127 and stored as signed bytes: the page
of an 81-minute interview carries 2 x 487,700 bytes (base64 in the page), and draws any zoom level from
them without decoding anything in the browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..media.analyse import AnalysedMedia, analyse_media
from ..media.vad import FRAME_MS

__all__ = [
    "ENVELOPE_RATE",
    "Envelope",
    "MediaOverlay",
    "analyse_for_review",
    "envelope_from_audio",
    "overlay_from_analysed",
    "speech_spans",
]

ENVELOPE_RATE = 100  # envelope points per second
LOUD_PERCENTILE = 99.9  # this percentile of |sample| is drawn at full height (a click flattens nothing)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Per 1/``rate`` s of audio, the lowest and highest sample as signed bytes (-127..127)."""

    rate: int
    lo: bytes
    hi: bytes

    def __post_init__(self) -> None:
        if self.rate <= 0:
            raise ValueError(f"envelope rate must be positive, not {self.rate}")
        if len(self.lo) != len(self.hi):
            raise ValueError("envelope lo and hi must have one value per point each")

    @property
    def duration_ms(self) -> int:
        return len(self.lo) * 1000 // self.rate


@dataclass(frozen=True, slots=True)
class MediaOverlay:
    """Everything the page draws from the audio."""

    envelope: Envelope
    speech: tuple[tuple[int, int], ...]  # speech spans, ms, sorted and disjoint
    duration_ms: int
    detector: str


def envelope_from_audio(audio: np.ndarray, sample_rate: int, *, rate: int = ENVELOPE_RATE) -> Envelope:
    """The min/max envelope of mono ``audio`` (any numeric dtype) at ``rate`` points per second."""
    if sample_rate <= 0:
        raise ValueError(f"sample rate must be positive, not {sample_rate}")
    samples = np.asarray(audio, dtype=np.float32).reshape(-1)
    per = max(1, round(sample_rate / rate))
    n = -(-len(samples) // per)
    if n == 0:
        return Envelope(rate, b"", b"")
    padded = np.zeros(n * per, dtype=np.float32)
    padded[: len(samples)] = samples
    blocks = padded.reshape(n, per)
    lo, hi = blocks.min(axis=1), blocks.max(axis=1)
    loud = float(np.percentile(np.abs(samples), LOUD_PERCENTILE)) if len(samples) else 0.0
    scale = 127.0 / loud if loud > 0 else 0.0
    to8 = np.clip(np.rint(np.stack([lo, hi]) * scale), -127, 127).astype(np.int8)
    return Envelope(rate, to8[0].tobytes(), to8[1].tobytes())


def speech_spans(mask: np.ndarray, frame_ms: int = 10) -> tuple[tuple[int, int], ...]:
    """The runs of a per-frame speech mask as ``(start_ms, end_ms)`` spans."""
    m = np.asarray(mask, dtype=bool).reshape(-1)
    if not len(m):
        return ()
    edges = np.diff(np.concatenate(([0], m.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return tuple((int(s) * frame_ms, int(e) * frame_ms) for s, e in zip(starts, ends, strict=True))


def overlay_from_analysed(am: AnalysedMedia) -> MediaOverlay:
    """The page's media layers from media that was already decoded and run through speech detection."""
    return MediaOverlay(
        envelope_from_audio(am.media.audio, am.media.sample_rate),
        speech_spans(am.mask, FRAME_MS),
        am.duration_ms,
        am.detector,
    )


def analyse_for_review(
    media: str, *, audio_stream: str | None = None, detector: str = "silero"
) -> MediaOverlay:
    """Decode ``media`` once and detect its speech (raises :class:`~toolkit.errors.MediaError`)."""
    return overlay_from_analysed(analyse_media(media, audio_stream=audio_stream, detector=detector))


def spans_from_pairs(pairs: Sequence[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    """Speech spans given by a caller, checked and sorted (an empty or backwards span is dropped)."""
    out = sorted((int(p[0]), int(p[1])) for p in pairs if len(p) >= 2 and int(p[1]) > int(p[0]))
    return tuple(out)
