"""The review page: captions against the video, in a browser, before publishing them.

One self-contained HTML file (no network at all): the video with the exact WebVTT as a ``<track>``, a
timeline (speech activity, audio envelope, turn timestamps, cue boxes per speaker, findings), the cue
list with reading speed and duration against the profile and every finding in words.

>>> from toolkit.pipeline import ConvertOptions, convert_file
>>> from toolkit.review import write_review
>>> result = convert_file("talk.txt", ConvertOptions(media="talk.mp4"))  # doctest: +SKIP
>>> write_review(result, "talk.review.html")                              # doctest: +SKIP

``build_review`` returns the HTML text; ``write_review`` (for ``captionkit review`` and ``convert
--review``) also decodes the media for the envelope and speech and writes the file atomically;
``write_sync_review`` does the same for ``captionkit sync --review``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..captions import decode_caption_bytes, loads
from ..io import atomic_write_text
from ..pipeline import ConvertOptions, ConvertResult, convert_captions
from ..profiles import Profile
from .envelope import (
    Envelope,
    MediaOverlay,
    analyse_for_review,
    envelope_from_audio,
    overlay_from_analysed,
    speech_spans,
)
from .page import MAX_EMBED_BYTES, ReviewError, build_review, page_result, review_data

if TYPE_CHECKING:
    from ..media.analyse import AnalysedMedia
    from ..pipeline.caption_sync import SyncOutcome

__all__ = [
    "MAX_EMBED_BYTES",
    "Envelope",
    "MediaOverlay",
    "ReviewError",
    "analyse_for_review",
    "build_review",
    "envelope_from_audio",
    "page_result",
    "review_data",
    "speech_spans",
    "sync_result",
    "write_review",
    "write_sync_review",
]


def write_review(
    result: ConvertResult,
    review_path: str | Path,
    *,
    media: str | None = None,
    embed: bool = False,
    analysed: AnalysedMedia | None = None,
    protect: Iterable[str | Path] = (),
) -> MediaOverlay | None:
    """Write the review page of ``result`` to ``review_path`` atomically; never over an input.

    ``media`` defaults to the media the result was timed to (``result.options.media``). Its audio is
    decoded for the envelope and speech activity (with the result's speech detector), unless ``analysed``
    gives that decode already. Returns what was drawn from the media (None without media). Raises
    :class:`~toolkit.errors.ToolkitError` subclasses (media unreadable or too large to embed, output not
    writable).
    """
    media = media or result.options.media
    overlay = _overlay(media, analysed, result.options.audio_stream, result.options.vad)
    _write(result, review_path, media, embed, overlay, [result.path, *protect])
    return overlay


def _write(
    result: ConvertResult,
    review_path: str | Path,
    media: str | None,
    embed: bool,
    overlay: MediaOverlay | None,
    protect: Iterable[str | Path | None],
) -> None:
    """Build the page and write it atomically, never over an input (the media or ``protect``)."""
    text = build_review(
        result,
        media=media,
        out_path=str(review_path),
        embed=embed,
        audio_envelope=overlay.envelope if overlay else None,
        speech=overlay.speech if overlay else None,
    )
    inputs = [p for p in (*protect, media) if p and str(p) not in ("-", "<stdin>")]
    atomic_write_text(review_path, text, protect=inputs)


def _overlay(
    media: str | None, analysed: AnalysedMedia | None, audio_stream: str | None, detector: str
) -> MediaOverlay | None:
    if analysed is not None:
        return overlay_from_analysed(analysed)
    if not media:
        return None
    return analyse_for_review(media, audio_stream=audio_stream, detector=detector)


def sync_result(outcome: SyncOutcome, *, profile: Profile | None = None) -> ConvertResult:
    """The captions ``captionkit sync`` wrote (or kept), as a conversion result for the page, with the
    sync (segments, offsets, each cue's original times) in ``meta["sync"]``."""
    data = outcome.output_bytes()
    name = outcome.captions.path
    text, encoding = decode_caption_bytes(data, path=name)
    captions = loads(text, path=name, encoding=encoding)
    options = ConvertOptions(profile=profile) if profile is not None else ConvertOptions()
    result = convert_captions(captions, options)
    original = [[s, e] for s, e in zip(outcome.captions.starts_ms, outcome.captions.ends_ms, strict=True)]
    sync: dict[str, Any] = {**outcome.report(), "original_ms": original}
    meta = {**result.meta, "sync": sync, "media": {"duration_ms": outcome.media_ms}}
    return replace(result, meta=meta)


def write_sync_review(
    outcome: SyncOutcome,
    review_path: str | Path,
    *,
    media: str,
    audio_stream: str | None = None,
    embed: bool = False,
    analysed: AnalysedMedia | None = None,
    profile: Profile | None = None,
    protect: Iterable[str | Path] = (),
) -> MediaOverlay | None:
    """Write the review page of a ``captionkit sync`` run: the captions at their synced times (the
    original times when the sync was not applied), each cue's original position and the segments."""
    result = sync_result(outcome, profile=profile)
    overlay = _overlay(media, analysed, audio_stream, outcome.detector)
    _write(result, review_path, media, embed, overlay, [outcome.captions.path, *protect])
    return overlay
