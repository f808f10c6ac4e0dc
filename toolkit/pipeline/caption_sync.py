"""``captionkit sync``: a caption file's timing found against a media file's speech, and written back.

A media stage of :mod:`toolkit.pipeline`: it wires the media I/O (:mod:`toolkit.media.analyse`), the
caption search (:func:`toolkit.sync.find_sync`) and, when that search refuses, the text check by the
captions' words (:mod:`toolkit.align.verify`, a layer above sync). :func:`sync_captions` is what the
command calls; :func:`decide_sync` the decision alone (``bench/calibrate_sync.py`` calls it too).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..language import detect_language, parse_language
from ..media.analyse import MAX_DAMAGE_NOTES, AnalysedMedia, analyse_media
from ..media.audio import DEFAULT_RATE
from ..media.decode import Decode
from ..sync import (
    CaptionTimes,
    SyncParams,
    SyncResult,
    apply_sync,
    find_sync,
    read_caption_times,
    rewrite_times,
)
from ..sync.solution import NO_HARM_MS, Segment
from ..timecode import format_clock

__all__ = ["SyncOutcome", "decide_sync", "sync_captions", "text_check"]

log = logging.getLogger(__name__)
DAMAGE_CONFIDENCE = 0.4  # a sync on damaged media keeps this share of its confidence (below the default bar)


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    captions: CaptionTimes
    result: SyncResult
    starts_ms: tuple[int, ...]  # the timing to write (the original when not accepted)
    ends_ms: tuple[int, ...]
    clamped: int
    media_ms: int
    elapsed_ms: int
    timings_ms: dict[str, int] = field(default_factory=dict)
    detector: str = "webrtc"

    def output_bytes(self) -> bytes:
        return rewrite_times(self.captions, self.starts_ms, self.ends_ms)

    def report(self) -> dict[str, Any]:
        return {
            "captions": self.captions.path,
            "cues": len(self.starts_ms),
            "clamped_at_zero": self.clamped,
            "media_duration_ms": self.media_ms,
            **self.result.to_json(),
            "time_taken_ms": self.elapsed_ms,
            "timings_ms": self.timings_ms,
            "speech_detector": self.detector,
        }

    def summary(self, *, forced: bool = False) -> str:
        r = self.result
        segs = (
            f"{len(r.segments)} segments (splits at "
            f"{', '.join(format_clock(max(0, t)) for t in r.split_points_ms)})"
            if len(r.segments) > 1
            else "no split"
        )
        if r.accepted:
            state = "applied"
        elif forced:
            state = f"forced despite low confidence ({r.reason})"
        else:
            state = f"NOT applied: {r.reason}"
        clamp = f", {self.clamped} cues clamped at 0" if self.clamped else ""
        detector = " (speech found by Silero VAD)" if self.detector == "silero" else ""
        return (
            f"sync {state}: offset {r.offset_ms / 1000:+.3f} s, ratio {r.ratio:.5f}, {segs}, "
            f"confidence {r.confidence:.2f}{detector}{clamp}, {self.elapsed_ms / 1000:.2f} s"
        )


class _DetectorMasks:
    """The media's speech as each detector hears it, each run once, when first asked for."""

    def __init__(self, first: AnalysedMedia) -> None:
        self.first = first
        self.variants = {first.detector: first}

    def __call__(self, detector: str) -> np.ndarray:
        if detector not in self.variants:
            self.variants[detector] = self.first.with_detector(detector)
        return self.variants[detector].mask


def sync_captions(
    captions_path: str,
    media_path: str,
    *,
    params: SyncParams | None = None,
    audio_stream: str | None = None,
    analysed: AnalysedMedia | None = None,
    decode: Decode | None = None,
    detector: str = "auto",
    language: str | None = None,
) -> SyncOutcome:
    """Find and (when confident) apply the sync of a caption file to a media file's speech.

    ``detector`` is ``auto`` (webrtcvad while ffmpeg decodes; when that sync is not confident, Silero VAD
    and the search again: the cheap detector settles long, clear media, the neural one short or hard
    media), ``webrtc`` or ``silero``. ``decode`` is a :class:`Decode` of ``media_path`` started earlier
    (by the command line); the time taken counts from its start. ``language``: the captions' language
    (detected from their text when not given), for the text check (English only)."""
    t0 = decode.started if decode is not None else time.perf_counter()
    captions = read_caption_times(captions_path)
    first = "webrtc" if detector == "auto" else detector
    am = analysed or analyse_media(media_path, audio_stream=audio_stream, decode=decode, detector=first)
    t1 = time.perf_counter()
    masks = _DetectorMasks(am)
    p = params or SyncParams()
    result, used = decide_sync(
        captions.starts_ms, captions.ends_ms, captions.texts, am.media.audio, masks, am.detector,
        auto=detector == "auto", params=p, sample_rate=am.media.sample_rate, language=language,
    )  # fmt: skip
    am = masks.variants[used]  # the report names the detector whose answer it gives
    result = _trusted_less_on_damage(result, am.media.damage_notes(), p)
    if result.accepted:
        starts, ends, clamped = apply_sync(captions.starts_ms, captions.ends_ms, result)
    else:
        starts, ends, clamped = list(captions.starts_ms), list(captions.ends_ms), 0
    elapsed = int((time.perf_counter() - t0) * 1000)
    timings = {"decode": am.decode_ms, "vad": am.vad_ms, "search": int((time.perf_counter() - t1) * 1000)}
    return SyncOutcome(
        captions, result, tuple(starts), tuple(ends), clamped, am.duration_ms, elapsed, timings, am.detector
    )


def _trusted_less_on_damage(result: SyncResult, damage: list[str], p: SyncParams) -> SyncResult:
    """On a damaged file what decoded may not be where the file says: the answer is trusted less."""
    if not damage:
        return result
    conf = result.confidence * DAMAGE_CONFIDENCE
    ok = result.accepted and conf >= p.min_confidence
    why = result.reason if ok or not result.accepted else f"the media is damaged (ffmpeg: {damage[0]})"
    details = {**result.details, "media_damage": damage[:MAX_DAMAGE_NOTES]}
    return replace(result, confidence=conf, accepted=ok, reason=why, details=details)


def decide_sync(
    starts_ms: Sequence[int],
    ends_ms: Sequence[int],
    texts: Sequence[str],
    audio: np.ndarray,
    mask_of: Callable[[str], np.ndarray],
    first: str,
    *,
    auto: bool,
    params: SyncParams,
    sample_rate: int = DEFAULT_RATE,
    language: str | None = None,
) -> tuple[SyncResult, str]:
    """The answer `captionkit sync` gives, and the detector whose speech mask it came from: the search on
    ``first``'s mask; when that is refused and ``auto``, on Silero's too (the cheap detector settles long,
    clear media, the neural one short or hard media); when still refused, the text check. ``mask_of``
    gives a detector's mask (made when first asked for). ``bench/calibrate_sync.py`` calls this too."""
    used = first
    result = find_sync(starts_ms, ends_ms, mask_of(first), params)
    seeds = [result]
    if not result.accepted and auto and first != "silero":
        second = find_sync(starts_ms, ends_ms, mask_of("silero"), params)
        seeds.append(second)
        if second.accepted or second.confidence >= result.confidence:
            result, used = second, "silero"
    if not result.accepted:
        result = text_check(
            starts_ms, ends_ms, texts, audio, result, seeds, params, sample_rate, language
        )  # fmt: skip
    return result, used


def text_check(
    starts_ms: Sequence[int],
    ends_ms: Sequence[int],
    texts: Sequence[str],
    audio: np.ndarray,
    result: SyncResult,
    seeds: Sequence[SyncResult],
    p: SyncParams,
    sample_rate: int = DEFAULT_RATE,
    language: str | None = None,
) -> SyncResult:
    """A refused answer checked by the captions' words (:mod:`toolkit.align.verify`): in dense speech (a
    phone call) too few cue starts sit on speech onsets for the detector's evidence, but the words fit the
    sound at the right offset far better than a second away. ``seeds`` are the answers of the speech
    detectors tried. A split is checked segment by segment (each must earn its offset with its own cues).
    Runs on English captions only (the acoustic model is English), and never lifts a refusal for
    ``--max-offset``."""
    if (
        not p.text_check
        or len(texts) != len(starts_ms)
        or not starts_ms
        or result.reason.startswith("offset")
        or result.reason == "no speech detected in the media"
    ):
        return result
    from ..align.verify import check_segments  # lazy: the aligner (~45 ms) loads only for a refused sync

    lang = parse_language(language) if language else detect_language(texts)
    if lang is not None and lang.reliable and not lang.is_english:
        return result
    ratio = result.ratio
    starts = [round(s * ratio) for s in starts_ms]
    ends = [round(e * ratio) for e in ends_ms]

    def offsets(seg: Segment) -> list[int]:
        if len(result.segments) > 1:
            return [seg.offset_ms]
        # one segment: the other detector's answer is a second seed
        return [
            seg.offset_ms,
            *(r.segments[0].offset_ms for r in seeds if len(r.segments) == 1 and r.ratio == ratio),
        ]

    checked = check_segments(result.segments, starts, ends, texts, audio, offsets, sample_rate=sample_rate)
    if checked is None:
        return result
    checks, report = checked
    details = {**result.details, "text_check": report}
    log.info("text check: %s", report)
    confidence = min(c.confidence for c in checks)
    if not report["verified"] or confidence < p.min_confidence:
        return replace(result, details=details)
    if p.max_offset_ms is not None and max(abs(c.offset_ms) for c in checks) > p.max_offset_ms:
        return replace(result, details=details)
    segments = tuple(
        replace(seg, offset_ms=c.offset_ms) for seg, c in zip(result.segments, checks, strict=True)
    )
    if ratio == 1.0 and len(segments) == 1 and abs(segments[0].offset_ms) <= NO_HARM_MS:
        segments = (replace(segments[0], offset_ms=0),)
    return replace(
        result,
        segments=segments,
        confidence=confidence,
        accepted=True,
        reason="ok (the captions' words fit the speech at this timing: text check)",
        details=details,
    )
