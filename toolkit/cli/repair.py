"""`captionkit repair`: remove duplicates, put the timeline in order, merge speaker variants."""

from __future__ import annotations

import click

from ..io import atomic_write_text, write_stdout
from ..model import Severity
from ..parse import read_document
from ..repair import repair as run_repair
from ..repair import write_transcript
from ..repair.changes import report_json
from ..repair.speakers import load_speaker_map
from .options import duration_option


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, help="Repaired transcript (input's layout), or - for stdout.")
@click.option("--report", type=click.Path(dir_okay=False), help="Write the changes and findings as JSON.")
@click.option(
    "--speakers",
    "speakers_path",
    type=click.Path(dir_okay=False),
    help='Speaker mapping: JSON {"Lavrov": "Sergey Lavrov"} or lines \'Lavrov = Sergey Lavrov\'.',
)
@duration_option
@click.option("--fps", type=click.FloatRange(1, 240), help="Frame rate of HH:MM:SS:FF stamps (default 25).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def repair(
    path: str,
    output: str,
    report: str | None,
    speakers_path: str | None,
    duration: int | None,
    fps: float | None,
    quiet: bool,
) -> None:
    """Repair duplicated, misordered and mistimed turns in a transcript.

    Writes the repaired transcript in the input's own layout (never over the input) and prints one line
    per finding on stderr (file:line: CODE severity: message); --report writes every change as JSON.

    \b
    Example:
        captionkit repair samples/tucker_lavrov.txt -o repaired.txt --report repair.json
        captionkit repair talk.txt -o talk.fixed.txt --speakers speakers.txt
    """
    mapping = load_speaker_map(speakers_path) if speakers_path else None
    doc = read_document(path, fps=fps)
    if doc.kind != "transcript":
        raise click.ClickException(f"{path}: repair works on transcripts, not {doc.kind.upper()} files")
    result = run_repair(doc, duration_ms=duration, speakers=mapping)
    text = write_transcript(result.turns, doc.layout)
    protect = [path, *([speakers_path] if speakers_path else [])]
    if output == "-":
        write_stdout(text)
    else:
        atomic_write_text(output, text, protect=protect)
    findings = [*doc.findings, *result.findings]
    if report:
        atomic_write_text(
            report,
            report_json(
                path,
                result.changes,
                findings,
                output=None if output == "-" else output,
                turns_in=len(doc.turns),
                turns_out=len(result.turns),
            ),
            protect=protect,
        )
    if not quiet:
        for f in findings:
            click.echo(f.format(), err=True)
        dest = "" if output == "-" else f" -> {output}"
        click.echo(
            f"{path}: {len(doc.turns)} turns in, {len(result.turns)} out, "
            f"{len(result.changes)} changes{dest}",
            err=True,
        )
    elif any(f.severity is Severity.ERROR for f in findings):
        for f in findings:
            if f.severity is Severity.ERROR:
                click.echo(f.format(), err=True)
