"""`captionkit review`: the captions against the video, as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from ..pipeline import ConvertOptions, convert_file
from .console import live_progress, summary_line
from .options import (
    ProfileChoice,
    align_option,
    audio_stream_option,
    duration_option,
    fps_option,
    lenient_option,
    media_vad_option,
    no_repair_option,
    profile_options,
    speaker_pairs,
    speakers_option,
    transcript_language_option,
)


def default_output(path: str) -> str:
    """``talk.txt`` -> ``talk.review.html`` in the current folder (``review.html`` for standard input)."""
    if path == "-":
        return "review.html"
    return f"{Path(path).stem or 'review'}.review.html"


@click.command()
@click.argument("path", metavar="CAPTIONS_OR_TRANSCRIPT")
@click.option(
    "--media", type=click.Path(dir_okay=False), help="Video/audio file: time the cues to it and show it."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="The page to write (default: INPUT-NAME.review.html in the current folder).",
)
@click.option(
    "--embed",
    is_flag=True,
    help="Put the media inside the page (up to 50 MB) instead of referring to it by its relative path.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@profile_options
@duration_option
@fps_option
@speakers_option
@no_repair_option
@audio_stream_option
@media_vad_option
@align_option
@click.option(
    "--resegment",
    is_flag=True,
    help="Caption input: re-cut the cues to the profile (default: keep every cue as it is).",
)
@transcript_language_option
@lenient_option
def review(
    path: str,
    media: str | None,
    output: str | None,
    embed: bool,
    quiet: bool,
    profile: ProfileChoice,
    duration: int | None,
    fps: float | None,
    speakers_path: str | None,
    no_repair: bool,
    audio_stream: str | None,
    vad: str,
    align: str,
    resegment: bool,
    language: str | None,
    lenient: bool,
) -> None:
    """Write a review page: the video with the captions, a timeline and the cue list with every finding.

    Converts CAPTIONS_OR_TRANSCRIPT as `captionkit convert` does (timed to --media when given) and writes
    one self-contained HTML file that opens from disk with a double click and loads nothing from the
    network. The video is referred to by its path relative to the page (keep them together), or carried
    inside it with --embed.

    \b
    Example:
        captionkit review talk.txt --media talk.mp4 -o talk.review.html
        captionkit review episode.srt --media episode.mp4 --profile bbc
        captionkit review samples/tucker_lavrov.txt            # no media: the timeline and the list
    """
    if embed and not media:
        raise click.UsageError("--embed needs --media")
    options = ConvertOptions(
        profile=profile.build(),
        auto_profile=not profile.given,
        duration_ms=duration,
        fps=fps,
        repair=not no_repair,
        media=media,
        audio_stream=audio_stream,
        vad=vad,
        align=align,
        speakers=speaker_pairs(speakers_path),
        resegment=resegment,
        lenient=lenient,
        language=language,
    )
    out = output or default_output(path)
    if out == "-":
        raise click.UsageError("the review page is a file: give -o PAGE.html")
    with live_progress(enabled=bool(media) and not quiet):
        result = convert_file(path, options)
    from ..review import page_result, write_review  # lazy: numpy (50 ms); `captionkit --help` imports this

    _, result = page_result(result)  # the findings as they hold for the page's WebVTT

    write_review(result, out, media=media, embed=embed, protect=[p for p in (speakers_path,) if p])
    if not quiet:
        click.echo(summary_line(result, out), err=True)
