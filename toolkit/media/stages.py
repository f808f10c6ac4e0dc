"""The media stages the rest of captionkit calls: ``sync_captions`` (for ``captionkit sync``) and
``apply_media`` (for ``convert --media``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import AlignmentError
from ..model import Finding, Turn
from ..rules import finding
from ..timecode import format_clock
from .audio import DEFAULT_RATE, DecodedMedia, load_media
from .decode import Decode
from .retime import CaptionTimes, read_caption_times, rewrite_times
from .sync import NO_HARM_MS, SyncParams, SyncResult, apply_sync, find_sync
from .vad import SpeechDetector, speech_mask

if TYPE_CHECKING:
    from ..align.engine import Aligner
    from ..language import Language
    from ..pipeline import ConvertOptions
    from ..repair.engine import RemovedCopy
    from ..timing import RateModel

__all__ = [
    "AnalysedMedia",
    "MediaResult",
    "SyncOutcome",
    "analyse_media",
    "apply_media",
    "decide_sync",
    "duplicate_alternatives",
    "sync_captions",
]

log = logging.getLogger(__name__)
MAX_DAMAGE_NOTES = 3  # ffmpeg's damage lines passed on as findings (the rest are alike)
DAMAGE_CONFIDENCE = 0.4  # a sync on damaged media keeps this share of its confidence (below the default bar)


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


def analyse_media(
    path: str, *, audio_stream: str | None = None, decode: Decode | None = None, detector: str = "silero"
) -> AnalysedMedia:
    """Probe, decode (once) and run speech detection with ``detector`` (``silero`` after the decode,
    ``webrtc`` while ffmpeg decodes); ``decode`` is a :class:`Decode` of ``path`` started earlier."""
    t0 = time.perf_counter()
    streaming = SpeechDetector(DEFAULT_RATE) if detector == "webrtc" else None
    vad_s = 0.0

    def on_chunk(block: np.ndarray) -> None:
        nonlocal vad_s
        t = time.perf_counter()
        assert streaming is not None
        streaming.feed(block)
        vad_s += time.perf_counter() - t

    media = load_media(
        path, stream=audio_stream, on_chunk=on_chunk if streaming else None, decode=decode
    )  # webrtcvad runs while ffmpeg decodes
    decoded = time.perf_counter()
    if streaming is not None:
        mask = streaming.mask()
    else:
        mask = speech_mask(media.audio, media.sample_rate, detector=detector)
        vad_s += time.perf_counter() - decoded
    total = time.perf_counter() - t0
    return AnalysedMedia(media, mask, int((total - vad_s) * 1000), int(vad_s * 1000), detector)


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
    variants = {am.detector: am}

    def mask_of(name: str) -> np.ndarray:
        if name not in variants:
            variants[name] = am.with_detector(name)
        return variants[name].mask

    result, used = decide_sync(
        captions.starts_ms, captions.ends_ms, captions.texts, am.media.audio, mask_of, am.detector,
        auto=detector == "auto", params=params or SyncParams(), sample_rate=am.media.sample_rate,
        language=language,
    )  # fmt: skip
    am = variants[used]  # the report names the detector whose answer it gives
    damage = am.media.damage_notes()
    if damage:  # a damaged file: what decoded may not be where the file says (trust the answer less)
        conf = result.confidence * DAMAGE_CONFIDENCE
        ok = result.accepted and conf >= (params or SyncParams()).min_confidence
        why = result.reason if ok or not result.accepted else f"the media is damaged (ffmpeg: {damage[0]})"
        details = {**result.details, "media_damage": damage[:MAX_DAMAGE_NOTES]}
        result = replace(result, confidence=conf, accepted=ok, reason=why, details=details)
    if result.accepted:
        starts, ends, clamped = apply_sync(captions.starts_ms, captions.ends_ms, result)
    else:
        starts, ends, clamped = list(captions.starts_ms), list(captions.ends_ms), 0
    elapsed = int((time.perf_counter() - t0) * 1000)
    timings = {"decode": am.decode_ms, "vad": am.vad_ms, "search": int((time.perf_counter() - t1) * 1000)}
    return SyncOutcome(
        captions, result, tuple(starts), tuple(ends), clamped, am.duration_ms, elapsed, timings, am.detector
    )


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
    from ..align.verify import check_offset  # the engine loads only for a refused sync
    from ..language import detect_language, parse_language

    lang = parse_language(language) if language else detect_language(texts)
    if lang is not None and lang.reliable and not lang.is_english:
        return result
    ratio = result.ratio
    starts = [round(s * ratio) for s in starts_ms]
    ends = [round(e * ratio) for e in ends_ms]
    t = time.perf_counter()
    checks = []
    for seg in result.segments:
        sl = slice(seg.first, seg.last + 1)
        offsets = [seg.offset_ms]
        if len(result.segments) == 1:  # the other detector's answer is a second seed
            offsets += [r.segments[0].offset_ms for r in seeds if len(r.segments) == 1 and r.ratio == ratio]
        check = check_offset(starts[sl], ends[sl], texts[sl], audio, offsets, sample_rate=sample_rate)
        if check is None:
            return result
        checks.append(check)
    report = {
        "segments": [c.to_json() for c in checks],
        "verified": all(c.verified for c in checks),
        "ms": int((time.perf_counter() - t) * 1000),
    }
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


# --------------------------------------------------------------------------- convert --media


@dataclass(frozen=True, slots=True)
class MediaResult:
    turns: tuple[Turn, ...]
    findings: list[Finding]
    meta: dict[str, Any]
    duration_ms: int | None


def duplicate_alternatives(
    turns: Sequence[Turn], removed: Sequence[RemovedCopy]
) -> dict[int, list[tuple[int, int]]]:
    """Turn index -> (start_ms, line) of the whole-turn copies of it that duplicate removal dropped (the
    repair stage's :class:`~toolkit.repair.engine.RemovedCopy`): turn sync tries their times too."""
    by_line = {t.line: i for i, t in enumerate(turns)}
    out: dict[int, list[tuple[int, int]]] = {}
    for gone in removed:
        kept = by_line.get(gone.kept_line)
        if gone.start_ms is not None and kept is not None:
            out.setdefault(kept, []).append((gone.start_ms, gone.line))
    return out


def _voiced_engine(code: str) -> Aligner | None:
    """The eSpeak NG + DTW aligner for a language it speaks, or ``None`` (no voice, or it cannot load)."""
    try:
        from ..align.dtw import EspeakAligner  # loads eSpeak NG: only for other languages

        return EspeakAligner(code)
    except (ImportError, AlignmentError) as exc:
        log.info("no eSpeak NG aligner for %s: %s", code, exc)
        return None


def apply_media(
    turns: Sequence[Turn],
    options: ConvertOptions,
    *,
    path: str | None = None,
    rates: RateModel | None = None,
    analysed: AnalysedMedia | None = None,
    removed: Sequence[RemovedCopy] = (),
    language: Language | None = None,
) -> MediaResult:
    """Time a transcript's turns to the speech in ``options.media`` (see :mod:`toolkit.media.turnsync`).

    Word alignment (``options.align == "words"``) runs pocketsphinx on English or on a transcript whose
    language is not known (its acoustic model is English: on other languages its "alignments" are no
    evidence of anything, issue 18). Other languages are aligned turn by turn with eSpeak NG and DTW
    (:mod:`toolkit.align.voiced`); a language eSpeak NG has no voice for gets what ``--align sync`` does,
    and an A003."""
    from .turnsync import sync_turns

    assert options.media is not None
    am = analysed or analyse_media(options.media, audio_stream=options.audio_stream, detector=options.vad)
    alternatives = duplicate_alternatives(turns, removed)
    damage = [
        finding("M007", f"the media is damaged: {note}; timing near it is uncertain", path=path, ffmpeg=note)
        for note in am.media.damage_notes()[:MAX_DAMAGE_NOTES]
    ]
    ts = sync_turns(turns, am.mask, duration_ms=am.duration_ms, path=path, alternatives=alternatives)
    synced, new_findings, meta = ts.turns, [*damage, *ts.findings], ts.meta
    meta = {
        "media": {
            "path": options.media,
            "duration_ms": am.duration_ms,
            "audio_stream": am.media.stream.specifier,
            **meta,
        }
    }
    if options.align == "words" and language is not None and language.reliable and not language.is_english:
        voiced = _voiced_engine(language.code)
        if voiced is not None:
            from ..align.voiced import align_turns_voiced
            from ..align.windows import SpeechIndex
            from ..language import japanese_reading, word_segmenter

            synced, voiced_findings = align_turns_voiced(
                synced,
                am.media.audio,
                voiced,
                sample_rate=am.media.sample_rate,
                speech_end_ms=SpeechIndex(am.mask).last_speech_ms or None,
                words=word_segmenter(language) if language.is_cjk else None,
                cjk=language.is_cjk,
                reading=japanese_reading() if language.code == "ja" else None,
                path=path,
            )
            new_findings.extend(voiced_findings)
            meta["media"]["align"] = f"words (eSpeak NG voice {getattr(voiced, 'voice', '?')} + DTW)"
        else:
            new_findings.append(
                finding(
                    "A003",
                    f"no word aligner for language {language.tag} (the acoustic model is English and eSpeak "
                    "NG has no voice for it): turns are timed by turn sync and speech onsets, as --align "
                    "sync does",
                    path=path,
                    language=language.tag,
                )
            )
            meta["media"]["align"] = "sync"
            meta["media"]["align_requested"] = "words"
    elif options.align == "words":
        try:
            from toolkit.align import align_turns
        except ImportError as exc:
            meta["media"]["align"] = f"unavailable ({exc}); sync only"
        else:
            aligned, align_findings = align_turns(
                synced,
                am.media.audio,
                sample_rate=am.media.sample_rate,
                speech=am.mask,
                rates=rates,
                path=path,
                bounds=ts.bounds,
            )
            synced = tuple(aligned)
            new_findings.extend(align_findings)
            meta["media"]["align"] = "words"
    else:
        meta["media"]["align"] = options.align
    return MediaResult(tuple(synced), new_findings, meta, am.duration_ms)
