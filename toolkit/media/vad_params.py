"""The speech detectors' tuning: one frozen :class:`VadParams`, passed to
:func:`toolkit.media.vad.speech_mask` (``DEFAULT_PARAMS`` when none is given).

The values were chosen by measurement on real human recordings (``bench/bench_vad.py`` on
``../shared/realspeech``; see :mod:`toolkit.media.vad`). The detectors' format facts (the 10 ms frame,
webrtcvad's sample rates, Silero's rate, window and context) and resource bounds (batch sizes) stay as
constants in :mod:`toolkit.media.vad`. No numpy here: the settings can be built before the media is read.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_PARAMS", "VadParams"]


@dataclass(frozen=True, slots=True)
class VadParams:
    """Settings of one speech detection (:func:`toolkit.media.vad.speech_mask`); the defaults are the tuned
    ones."""

    # ---- webrtcvad (:class:`toolkit.media.vad.SpeechDetector`)
    mode: int = 2  # webrtcvad's aggressiveness, 0 (least) to 3 (most ready to call a frame non-speech)
    chunk_s: int = 30  # a fresh webrtcvad detector every 30 s: its noise model drifted over 20 min at 0 dB
    level_db: float = -26.0  # quiet audio is brought up so that its loud frames reach this level (never down)
    loud_percentile: int = 95  # a block's level is this percentile of its frames' levels (its loud frames)
    noisy_share: float = 0.9  # webrtcvad calling more of a block speech than this: it hears the noise

    # ---- Silero VAD (:func:`toolkit.media.vad.silero_mask`)
    silero_on: float = 0.3  # speech starts where the probability exceeds this ...
    silero_off: float = 0.15  # ... and goes on while it stays above this
    silero_stream_s: int = 10  # the audio runs as parallel streams of this length ...
    silero_warmup: int = 16  # ... each starting this many windows (0.5 s) early, so its state has settled

    # ---- smoothing of either detector's frames (:func:`toolkit.media.vad.smooth_mask`)
    min_speech_ms: int = 100  # shorter runs of speech are clicks and breaths
    min_gap_ms: int = 60  # shorter gaps inside speech are closed

    # ---- speech onsets (:func:`toolkit.media.vad.onsets`)
    onset_pause_ms: int = 150  # an onset is speech after at least this much silence (shorter pauses merge)


DEFAULT_PARAMS = VadParams()
