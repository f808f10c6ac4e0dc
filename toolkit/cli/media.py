"""`captionkit sync` and `captionkit mux`: captions against a media file."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..io import atomic_write_bytes, atomic_write_text, write_stdout
from ..media.decode import Decode  # no numpy: ffmpeg starts decoding before the rest is imported
from ..media.mux import mux as mux_files
from .options import audio_stream_option, parse_language_option, vad_option

if TYPE_CHECKING:
    from ..pipeline.caption_sync import SyncOutcome

EXIT_LOW_CONFIDENCE = 3


@click.command()
@click.argument("captions", type=click.Path(dir_okay=False))
@click.option(
    "--media", required=True, type=click.Path(dir_okay=False), help="The video/audio file to sync to."
)
@click.option("-o", "--output", required=True, help="Output caption file, or - for stdout.")
@click.option(
    "--report", type=click.Path(dir_okay=False), help="Write a JSON report (offsets, splits, confidence)."
)
@click.option("--force", is_flag=True, help="Write the found timing even when confidence is low.")
@audio_stream_option
@vad_option(
    ("auto", "webrtc", "silero"),
    "auto",
    "Speech detector: webrtcvad while decoding, then Silero VAD if that sync is not confident (auto).",
)
@click.option(
    "--split-penalty",
    type=click.FloatRange(0, 1000),
    default=4.0,
    show_default=True,
    help="Seconds of speech agreement a split (ad break, cut) must gain; 0 = one global offset.",
)
@click.option("--no-fix-framerate", is_flag=True, help="Do not try 24/23.976, 25/23.976, 25/24 and inverses.")
@click.option("--max-offset", type=click.FloatRange(0), help="Reject (not restrict) shifts beyond N seconds.")
@click.option(
    "--language",
    callback=parse_language_option,
    metavar="CODE",
    help="The captions' language (ISO 639-1, 639-3 or BCP 47); default: detected from the text. The text "
    "check runs on English captions only.",
)
@click.option(
    "--no-text-check",
    is_flag=True,
    help="When speech detection alone cannot confirm an offset (dense speech), do not check it by "
    "aligning the captions' words (English captions; a few seconds).",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Below this the original timing is kept and the exit code is 3.",
)
@click.option(
    "--review",
    "review_path",
    type=click.Path(dir_okay=False),
    help="Also write a review page (HTML): the captions on the video, original and new times, segments.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def sync(
    captions: str,
    media: str,
    output: str,
    report: str | None,
    force: bool,
    audio_stream: str | None,
    vad: str,
    split_penalty: float,
    no_fix_framerate: bool,
    max_offset: float | None,
    no_text_check: bool,
    language: str | None,
    min_confidence: float,
    review_path: str | None,
    quiet: bool,
) -> None:
    """Synchronise an SRT/WebVTT file to the speech in a media file.

    Finds a global offset (unbounded search), a frame-rate ratio and piecewise offsets (ad breaks, cuts),
    rewrites only the cue times (text, styling and numbering are kept byte for byte) and prints one line:
    offset, ratio, splits, confidence, time taken. No cue is dropped; times below 0 are clamped and
    counted. Exit 0 = synced, 3 = low confidence (the original timing is kept and nothing is written
    unless --force), 1 = error.

    \b
    Example:
        captionkit sync episode.srt --media episode.mkv -o episode.synced.srt --report sync.json
    """
    if output != "-" and Path(output).suffix.lower() != Path(captions).suffix.lower():
        raise click.UsageError(
            f"sync keeps the captions' own format: the output must end in {Path(captions).suffix!r} "
            "like the input (convert it afterwards with `captionkit convert`)"
        )
    with Decode(media, stream=audio_stream) as decode:
        from ..pipeline.caption_sync import sync_captions  # lazy: numpy loads while ffmpeg decodes
        from ..sync import SyncParams, apply_sync  # lazy: numpy loads while ffmpeg decodes

        params = SyncParams(
            split_penalty=split_penalty,
            fix_ratio=not no_fix_framerate,
            max_offset_ms=None if max_offset is None else int(max_offset * 1000),
            min_confidence=min_confidence,
            text_check=not no_text_check,
        )
        outcome = sync_captions(
            captions,
            media,
            params=params,
            audio_stream=audio_stream,
            decode=decode,
            detector=vad,
            language=language,
        )
    result = outcome.result
    if not result.accepted and force:
        starts, ends, clamped = apply_sync(outcome.captions.starts_ms, outcome.captions.ends_ms, result)
        outcome = replace(outcome, starts_ms=tuple(starts), ends_ms=tuple(ends), clamped=clamped)
    write = result.accepted or force
    written = [output] if write and output != "-" else []
    if write:
        _write_captions(outcome.output_bytes(), output, protect=(captions, media))
    if report:
        payload = {
            **outcome.report(),
            "output": output if write else None,
            "forced": force and not result.accepted,
        }
        atomic_write_text(report, json.dumps(payload, indent=2) + "\n", protect=(captions, media, *written))
    if review_path:
        protect = [captions, media, *written, *([report] if report else [])]
        _write_review(outcome, review_path, media=media, audio_stream=audio_stream, protect=protect)
    if not quiet:
        click.echo(outcome.summary(forced=force) + (f" -> {output}" if written else ""), err=True)
    if not result.accepted:
        sys.exit(EXIT_LOW_CONFIDENCE)


def _write_captions(data: bytes, output: str, *, protect: tuple[str, ...]) -> None:
    """The synced caption file to ``output`` (``-``: stdout), never over one of the inputs."""
    if output == "-":
        write_stdout(data)
    else:
        atomic_write_bytes(output, data, protect=protect)


def _write_review(
    outcome: SyncOutcome, path: str, *, media: str, audio_stream: str | None, protect: list[str]
) -> None:
    """The review page of a sync: the captions on the video, original and new times, segments."""
    from ..review import write_sync_review  # lazy: the page's audio envelope (numpy) only for --review

    write_sync_review(outcome, path, media=media, audio_stream=audio_stream, protect=protect)


@click.command()
@click.argument("video", type=click.Path(dir_okay=False))
@click.argument("captions", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, help="Output video: .mp4 (mov_text) or .mkv (SRT/WebVTT).")
@click.option(
    "--language",
    "languages",
    multiple=True,
    help="ISO 639-2 language per track (once for all, or once per caption file), e.g. eng.",
)
@click.option("--title", "titles", multiple=True, help="Track title (once for all, or once per file).")
@click.option(
    "--burn",
    is_flag=True,
    help="Render the first caption file into the picture (re-encodes video); any others stay soft tracks.",
)
def mux(
    video: str,
    captions: tuple[str, ...],
    output: str,
    languages: tuple[str, ...],
    titles: tuple[str, ...],
    burn: bool,
) -> None:
    """Add caption files to a video as subtitle tracks (video copied, not re-encoded), or burn them in.

    \b
    Example:
        captionkit mux interview.mp4 interview.srt -o interview.subbed.mkv --language eng
        captionkit mux interview.mp4 en.srt fr.srt -o out.mp4 --language eng --language fra
    """
    mux_files(video, captions, output, languages=languages, titles=titles, burn=burn)
    click.echo(f"wrote {output}", err=True)
