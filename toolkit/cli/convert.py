"""`captionkit convert`: transcripts or caption files in, SRT / WebVTT / JSON out."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

import click

from ..errors import ToolkitError
from ..io import LiveLine, atomic_write_text, is_terminal, write_stdout
from ..model import Finding, Severity
from ..pipeline import (
    FORMATS,
    SPEAKER_STYLES,
    ConvertOptions,
    ConvertResult,
    convert_file,
    output_format_for,
    render_with_findings,
)
from ..rules import RULES_BY_CODE
from .options import (
    align_option,
    audio_stream_option,
    build_profile,
    duration_option,
    fps_option,
    lenient_option,
    media_vad_option,
    no_repair_option,
    parse_language_option,
    profile_given,
    profile_options,
    speaker_pairs,
    speakers_option,
)

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
@click.option(
    "--language",
    callback=parse_language_option,
    metavar="CODE",
    help="The transcript's language: ISO 639-1 (fr), ISO 639-3 (fra) or BCP 47 (zh-Hans); default: "
    "detected from the text. With --media: English is aligned by pocketsphinx, other languages by "
    "eSpeak NG + DTW (turn sync only where eSpeak NG has no voice).",
)
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
    profile_name: str,
    max_chars: int | None,
    max_lines: int | None,
    max_cps: float | None,
    min_duration: int | None,
    max_duration: int | None,
    min_gap: int | None,
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
    profile = build_profile(profile_name, max_chars, max_lines, max_cps, min_duration, max_duration, min_gap)
    speakers = speaker_pairs(speakers_path)
    auto_profile = not profile_given()
    options = ConvertOptions(
        profile=profile,
        auto_profile=auto_profile,
        speaker_style=speaker_style,
        duration_ms=duration,
        fps=fps,
        repair=not no_repair,
        media=media,
        audio_stream=audio_stream,
        vad=vad,
        align=align,
        word_timestamps=word_timestamps,
        speakers=speakers,
        resegment=resegment,
        lenient=lenient,
        layout=layout,
        language=language,
    )
    formats = _parse_formats(to)
    if word_timestamps:  # word times come from aligning to the audio, and only WebVTT can carry them
        if not media or align != "words":
            raise click.UsageError(
                "--word-timestamps needs --media (and --align words): word times come from the audio"
            )
        written = formats or ([_format_from(output)] if output and output != "-" else ["srt"])
        if "vtt" not in written:
            raise click.UsageError("--word-timestamps is for WebVTT output (.vtt or --to vtt)")
    batch = out_dir is not None or len(paths) > 1 or any(Path(p).is_dir() for p in paths)
    if batch:
        if output:
            raise click.UsageError("-o/--output takes one input; use --out-dir for several")
        if out_dir is None:
            raise click.UsageError("several inputs need --out-dir")
        if media:
            raise click.UsageError("--media applies to one input; convert media files one at a time")
        if review_path:
            raise click.UsageError("--review applies to one input (use `captionkit review` per file)")
        from ..batch import BatchOptions, run_batch

        code = run_batch(
            paths,
            BatchOptions(
                out_dir=out_dir,
                formats=tuple(formats or ["srt"]),
                convert=options,
                jobs=jobs,
                skip_existing=skip_existing,
                report_path=report,
                quiet=quiet,
                scheduler=scheduler,
            ),
        )
        sys.exit(code)
    if jobs or skip_existing or scheduler:
        raise click.UsageError("--jobs, --skip-existing and --scheduler go with --out-dir")
    _convert_one(paths[0], output, formats, options, report, quiet, speakers_path, review_path)


class ProgressLine(logging.Handler):
    """Shows the records of the ``toolkit.progress`` log on one terminal line, each over the last."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.INFO)
        self.line = LiveLine(stream)

    def emit(self, record: logging.LogRecord) -> None:
        self.line.show(record.getMessage()[:100])


@contextlib.contextmanager
def live_progress(*, enabled: bool, stream: TextIO | None = None) -> Iterator[None]:
    """While converting with media, a live progress line on a terminal's stderr (word alignment of an
    81-minute interview takes a minute or two); nothing when stderr is not a terminal or ``enabled`` is
    false. The line is cleared before the summary is printed."""
    out = stream or sys.stderr
    if not enabled or not is_terminal(out):
        yield
        return
    logger = logging.getLogger("toolkit.progress")
    handler = ProgressLine(out)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        handler.line.clear()
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


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
    if output and output != "-":
        atomic_write_text(output, text, protect=inputs)
    else:
        write_stdout(text)
    if report:
        import json

        from ..pipeline import result_to_json

        atomic_write_text(
            report,
            json.dumps(result_to_json(result), ensure_ascii=False, indent=2) + "\n",
            protect=[*inputs, *([output] if output and output != "-" else [])],
        )
    if review_path:
        from ..review import write_review

        written = [output] if output and output != "-" else []
        write_review(result, review_path, protect=[*inputs, *written, *([report] if report else [])])
    if not quiet:
        click.echo(summary_line(result, output if output and output != "-" else None), err=True)
        for line in finding_lines(result.findings):
            click.echo(line, err=True)


GROUP_AFTER = 3  # caption-layout findings of one code beyond this many are summarised in one line


def finding_lines(findings: Sequence[Finding]) -> list[str]:
    """What a person reads on stderr: every transcript finding (notes only for text left out: dropped page
    text, speaker roles), and the
    caption-layout findings (C...) one by one, or one line per code when there are more than a few.
    Every finding is still in the --report / JSON output and in `captionkit validate`."""
    shown = [f for f in findings if f.severity is not Severity.INFO or f.code in ("P001", "P007")]
    by_code: dict[str, list[Finding]] = {}
    for f in shown:
        if f.code.startswith("C"):
            by_code.setdefault(f.code, []).append(f)
    lines: list[str] = []
    for f in shown:
        group = by_code.get(f.code)
        if group is None or len(group) <= GROUP_AFTER:
            lines.append(f.format())
        elif group[0] is f:
            rule = RULES_BY_CODE[f.code]
            cues = ", ".join(str(g.cue) for g in group[:5]) + (", ..." if len(group) > 5 else "")
            lines.append(
                f"{f.path or '<input>'}: {f.code} {f.severity.value}: {len(group)} cues ({rule.name}): "
                f"cues {cues}; first: {f.message} (all of them in --report)"
            )
    return lines


def _format_from(output: str) -> str:
    try:
        return output_format_for(output)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def summary_line(result: ConvertResult, output: str | None) -> str:
    counts = {s: 0 for s in Severity}
    for f in result.findings:
        counts[f.severity] += 1
    dest = f" -> {output}" if output else ""
    turns = f"{len(result.turns)} turns, " if result.captions is None else ""
    return (
        f"{result.path}: {turns}{result.cue_count} cues{dest}; "
        f"{counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} notes"
    )


__all__ = ["ToolkitError", "convert"]
