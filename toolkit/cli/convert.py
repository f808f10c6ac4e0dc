"""`captionkit convert`: transcripts or caption files in, SRT / WebVTT / JSON out."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from pathlib import Path

import click

from ..io import atomic_writer, utf8, write_stdout
from ..pipeline import (
    FORMATS,
    SPEAKER_STYLES,
    ConvertOptions,
    convert_file,
    output_format_for,
    render_with_findings,
    result_to_json,
)
from .console import finding_lines, live_progress, summary_line
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

__all__ = ["FORCED_LAYOUTS", "convert"]

# what --layout accepts: "meeting" and the transcript layouts (toolkit.parse.FORCED, without importing
# the parser at start-up: a test checks the two lists agree)
FORCED_LAYOUTS = (
    "meeting",
    "name-bracket-time",
    "time-name-colon",
    "name-colon-bracket",
    "name-paren-time",
    "time-name-line",
    "bracket-name-time-line",
    "name-colon-time-line",
    "otter",
    "word-level",
    "youtube",
    "time-text",
    "inline",
)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", help="Output file (.srt, .vtt or .json), or - for stdout. One input only.")
@click.option("--to", "to", help="Output format(s): srt, vtt, json; comma-separated with --out-dir.")
@click.option(
    "--out-dir", type=click.Path(file_okay=False), help="Batch mode: write outputs under this folder."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    default=None,
    help="Batch: worker processes (default: one per CPU; 1 = convert in this process).",
)
@click.option(
    "--skip-existing",
    is_flag=True,
    help="Batch: skip inputs whose outputs all exist and are not older than the input.",
)
@click.option("--report", type=click.Path(dir_okay=False), help="Write a JSON report of findings/outcomes.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors (batch: the summary line only).")
@click.option(
    "--scheduler",
    help="Batch: run on a Dask cluster (tcp://host:8786) instead of local processes; needs captionkit[dask].",
)
@profile_options
@click.option(
    "--speaker-style",
    type=click.Choice(SPEAKER_STYLES),
    default="upper",
    show_default=True,
    help="SRT speaker label at each change of speaker: TUCKER: / Tucker: / [Tucker] / none.",
)
@duration_option
@fps_option
@speakers_option
@no_repair_option
@click.option("--media", type=click.Path(dir_okay=False), help="Video/audio file: time cues to its speech.")
@audio_stream_option
@media_vad_option
@align_option
@click.option("--word-timestamps", is_flag=True, help="WebVTT: add <00:00:01.000> word timing tags.")
@click.option(
    "--resegment",
    is_flag=True,
    help="Caption input: re-cut the cues to the profile (default: keep every cue, its times and lines, "
    "and report the profile's limits).",
)
@click.option(
    "--review",
    "review_path",
    type=click.Path(dir_okay=False),
    help="One input: also write a review page (HTML) of the result, with the video when --media is given.",
)
@click.option(
    "--layout",
    type=click.Choice(FORCED_LAYOUTS),
    help="Read the input in this transcript layout instead of detecting it (`-v` says which was "
    "detected); 'meeting': caption cues that open with 'Name:' labels are speaker turns.",
)
@transcript_language_option
@lenient_option
def convert(
    paths: tuple[str, ...],
    output: str | None,
    to: str | None,
    out_dir: str | None,
    jobs: int | None,
    skip_existing: bool,
    report: str | None,
    quiet: bool,
    scheduler: str | None,
    profile: ProfileChoice,
    speaker_style: str,
    duration: int | None,
    fps: float | None,
    speakers_path: str | None,
    no_repair: bool,
    media: str | None,
    audio_stream: str | None,
    vad: str,
    align: str,
    word_timestamps: bool,
    resegment: bool,
    review_path: str | None,
    layout: str | None,
    language: str | None,
    lenient: bool,
) -> None:
    """Convert transcripts (or SRT/WebVTT files) to captions.

    With one input and -o, writes one file (format from the extension, or --to). With --out-dir, converts
    files, folders (recursively) and globs in parallel, mirroring the input tree; files that are not
    transcripts (media, images, binary) are skipped; exit 1 if any file failed.

    \b
    Example:
        captionkit convert samples/tucker_lavrov.txt -o interview.srt
        captionkit convert talk.txt --media talk.mp4 -o talk.vtt
        captionkit convert transcripts/ --out-dir captions/ --to srt,vtt --jobs 4
        captionkit convert 'transcripts/**/*.txt' --out-dir captions/ --skip-existing --report batch.json
    """
    options = ConvertOptions(
        profile=profile.build(),
        auto_profile=not profile.given,
        speaker_style=speaker_style,
        duration_ms=duration,
        fps=fps,
        repair=not no_repair,
        media=media,
        audio_stream=audio_stream,
        vad=vad,
        align=align,
        word_timestamps=word_timestamps,
        speakers=speaker_pairs(speakers_path),
        resegment=resegment,
        lenient=lenient,
        layout=layout,
        language=language,
    )
    formats = _parse_formats(to)
    if word_timestamps:
        _check_word_timestamps(options, formats, output)
    if out_dir is not None or len(paths) > 1 or any(Path(p).is_dir() for p in paths):
        folder = _batch_folder(out_dir, output=output, media=media, review_path=review_path)
        from ..batch import BatchOptions, run_batch  # lazy: the batch planner loads the parser (22 ms)

        batch = BatchOptions(
            out_dir=folder,
            formats=tuple(formats or ["srt"]),
            convert=options,
            jobs=jobs,
            skip_existing=skip_existing,
            report_path=report,
            quiet=quiet,
            scheduler=scheduler,
        )
        sys.exit(run_batch(paths, batch))
    if jobs or skip_existing or scheduler:
        raise click.UsageError("--jobs, --skip-existing and --scheduler go with --out-dir")
    _convert_one(paths[0], output, formats, options, report, quiet, speakers_path, review_path)


def _check_word_timestamps(options: ConvertOptions, formats: list[str] | None, output: str | None) -> None:
    """Word times come from aligning to the audio, and only WebVTT can carry them."""
    if not options.media or options.align != "words":
        raise click.UsageError(
            "--word-timestamps needs --media (and --align words): word times come from the audio"
        )
    written = formats or ([_format_from(output)] if output and output != "-" else ["srt"])
    if "vtt" not in written:
        raise click.UsageError("--word-timestamps is for WebVTT output (.vtt or --to vtt)")


def _batch_folder(
    out_dir: str | None, *, output: str | None, media: str | None, review_path: str | None
) -> str:
    """The --out-dir that several inputs (or a folder) need, given without the options for one input."""
    if output:
        raise click.UsageError("-o/--output takes one input; use --out-dir for several")
    if out_dir is None:
        raise click.UsageError("several inputs need --out-dir")
    if media:
        raise click.UsageError("--media applies to one input; convert media files one at a time")
    if review_path:
        raise click.UsageError("--review applies to one input (use `captionkit review` per file)")
    return out_dir


def _parse_formats(to: str | None) -> list[str] | None:
    if not to:
        return None
    out = [f.strip().lower().lstrip(".") for f in to.split(",") if f.strip()]
    for f in out:
        if f not in FORMATS:
            raise click.BadParameter(f"{f!r} is not one of {', '.join(FORMATS)}", param_hint="--to")
    return out


def _convert_one(
    path: str,
    output: str | None,
    formats: list[str] | None,
    options: ConvertOptions,
    report: str | None,
    quiet: bool,
    speakers_path: str | None = None,
    review_path: str | None = None,
) -> None:
    if formats and len(formats) > 1:
        raise click.UsageError("several --to formats need --out-dir")
    if output and output != "-":
        fmt = formats[0] if formats else _format_from(output)
        named = Path(output).suffix.lower().lstrip(".")
        if named in FORMATS and named != fmt:
            raise click.UsageError(f"--to {fmt} does not match the output file {output!r}")
    else:
        fmt = formats[0] if formats else "srt"
    with live_progress(enabled=bool(options.media) and not quiet):
        result = convert_file(path, options)  # "-" reads standard input
    text, findings = render_with_findings(result, fmt)
    result = dataclasses.replace(result, findings=findings)
    inputs = [path, *(p for p in (options.media, speakers_path) if p)]
    written = [output] if output and output != "-" else []
    # every file is written to a temporary one first and renamed only when all were written: a report or
    # review that cannot be written leaves no output either (exit 1: nothing written)
    with contextlib.ExitStack() as staged:
        if written:
            staged.enter_context(atomic_writer(written[0], protect=inputs)).write(utf8(text))
        if report:
            body = json.dumps(result_to_json(result), ensure_ascii=False, indent=2) + "\n"
            staged.enter_context(atomic_writer(report, protect=[*inputs, *written])).write(utf8(body))
        if review_path:
            from ..review import write_review  # lazy: the media overlay loads numpy (50 ms at start-up)

            write_review(result, review_path, protect=[*inputs, *written, *([report] if report else [])])
    if not written:
        write_stdout(text)
    if not quiet:
        click.echo(summary_line(result, output if output and output != "-" else None), err=True)
        for line in finding_lines(result.findings):
            click.echo(line, err=True)


def _format_from(output: str) -> str:
    try:
        return output_format_for(output)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
