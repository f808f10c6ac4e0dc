"""Decode a media file once and detect its speech: :func:`analyse_media` -> :class:`AnalysedMedia`.

The top of :mod:`toolkit.media` (probe and decode in :mod:`.audio`, speech detection in :mod:`.vad`):
what ``captionkit sync``, ``convert --media``, ``validate --media`` and the review page read the media
through. webrtcvad can run on the blocks while ffmpeg is still decoding; Silero VAD runs after the decode.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from .audio import DEFAULT_RATE, DecodedMedia, load_media
from .decode import Decode
from .vad import SpeechDetector, speech_mask

__all__ = ["MAX_DAMAGE_NOTES", "AnalysedMedia", "analyse_media"]

MAX_DAMAGE_NOTES = 3  # ffmpeg's damage lines passed on as findings or in a report (the rest are alike)


@dataclass(frozen=True, slots=True)
class AnalysedMedia:
    media: DecodedMedia
    mask: np.ndarray  # bool per 10 ms frame
    decode_ms: int
    vad_ms: int
    detector: str = "webrtc"

    @property
    def duration_ms(self) -> int:
        return self.media.duration_ms

    def with_detector(self, detector: str) -> AnalysedMedia:
        """The same media with its speech detected by ``detector`` (see :mod:`toolkit.media.vad`)."""
        if detector == self.detector:
            return self
        t = time.perf_counter()
        mask = speech_mask(self.media.audio, self.media.sample_rate, detector=detector)
        return replace(
            self, mask=mask, vad_ms=self.vad_ms + int((time.perf_counter() - t) * 1000), detector=detector
        )


class _TimedDetector:
    """webrtcvad fed the decoded blocks while ffmpeg goes on decoding, and the time it has taken."""

    def __init__(self, sample_rate: int) -> None:
        self.detector = SpeechDetector(sample_rate)
        self.seconds = 0.0

    def feed(self, block: np.ndarray) -> None:
        t = time.perf_counter()
        self.detector.feed(block)
        self.seconds += time.perf_counter() - t


def analyse_media(
    path: str, *, audio_stream: str | None = None, decode: Decode | None = None, detector: str = "silero"
) -> AnalysedMedia:
    """Probe, decode (once) and run speech detection with ``detector`` (``silero`` after the decode,
    ``webrtc`` while ffmpeg decodes); ``decode`` is a :class:`Decode` of ``path`` started earlier."""
    t0 = time.perf_counter()
    streaming = _TimedDetector(DEFAULT_RATE) if detector == "webrtc" else None
    media = load_media(
        path, stream=audio_stream, on_chunk=streaming.feed if streaming else None, decode=decode
    )  # webrtcvad runs while ffmpeg decodes
    decoded = time.perf_counter()
    if streaming is not None and not media.redecoded:
        mask = streaming.detector.mask()
        vad_s = streaming.seconds
    else:
        mask = speech_mask(media.audio, media.sample_rate, detector=detector)
        vad_s = time.perf_counter() - decoded
    total = time.perf_counter() - t0
    return AnalysedMedia(media, mask, int((total - vad_s) * 1000), int(vad_s * 1000), detector)
