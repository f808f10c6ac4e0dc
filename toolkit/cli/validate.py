"""`captionkit validate`: lint transcripts and SRT/WebVTT files against the rule table."""

from __future__ import annotations

import json
import sys

import click

from ..rules import RULES, rules_json, rules_markdown, rules_text
from ..validate import format_text, is_selected, media_checker, parse_codes, validate_paths
from .options import (
    ProfileChoice,
    audio_stream_option,
    duration_option,
    fps_option,
    parse_language_option,
    profile_options,
)


def _codes(value: str | None, option: str) -> tuple[str, ...] | None:
    try:
        return parse_codes(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@click.command()
@click.argument("files", nargs=-1)
@profile_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Output format (markdown only with --list-rules).",
)
@duration_option
@fps_option
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--select", help="Only these codes or prefixes, comma-separated (e.g. C,T00).")
@click.option("--ignore", help="Skip these codes or prefixes, comma-separated (e.g. C006,P005).")
@click.option("--list-rules", is_flag=True, help="Print the rule table and exit.")
@click.option(
    "--media", type=click.Path(dir_okay=False), help="Video/audio file: also check against its speech."
)
@audio_stream_option
@click.option(
    "--language",
    callback=parse_language_option,
    metavar="CODE",
    help="The files' language (ISO 639-1, 639-3 or BCP 47): Chinese and Japanese are checked against "
    "their Netflix profiles (16 and 13 characters a line) unless a profile option is given.",
)
def validate(
    files: tuple[str, ...],
    profile: ProfileChoice,
    fmt: str,
    duration: int | None,
    fps: float | None,
    strict: bool,
    select: str | None,
    ignore: str | None,
    list_rules: bool,
    media: str | None,
    audio_stream: str | None,
    language: str | None,
) -> None:
    """Check transcripts and SRT/WebVTT files; print one line per finding, like a linter.

    Transcripts get the parser's and repair's findings (P, T codes); caption files get the caption
    rules (C codes) for the chosen profile. Output lines read FILE:LINE: CODE severity: message, then a
    summary per file and in total. FILES may be folders (their .srt, .vtt and
    .txt files, recursively) or - for standard input.

    Exit status: 0 no errors (warnings allowed); 1 errors, or warnings with --strict; 2 a usage error
    or a file that could not be read (the other files are still checked).

    \b
    JSON (--format json), one document for all files:
      {"version": 1, "captionkit": "...", "profile": {...}, "duration_ms": null|int,
       "files": [{"path", "kind": "transcript"|"srt"|"vtt"|null, "error": null|"...",
                  "counts": {"error", "warning", "info"},
                  "findings": [{"code", "severity", "path", "line", "cue", "message", "data"}]}],
       "counts": {"error", "warning", "info", "files", "unreadable"}}

    \b
    Example:
        captionkit validate samples/tucker_lavrov.txt
        captionkit validate talk.srt talk.vtt --profile bbc --duration 1:21:17
        captionkit validate captions/*.vtt --select C --ignore C006 --format json
        captionkit validate --list-rules --format markdown
    """
    selected = _codes(select, "--select")
    ignored = _codes(ignore, "--ignore")
    if list_rules:
        codes = [r.code for r in RULES if is_selected(r.code, selected, ignored)]
        click.echo(_rule_table(fmt, codes), nl=False)
        return
    if fmt == "markdown":
        raise click.UsageError("--format markdown goes with --list-rules")
    if not files:
        raise click.UsageError("give one or more files to check (or --list-rules)")
    if media is not None:
        if media_checker() is None:
            raise click.UsageError(
                "--media checks are made by toolkit.validate.media_checks.media_findings, "
                "which is not installed"
            )
        if len(files) > 1:
            raise click.UsageError("--media applies to one file")
    checked = profile.build(language)
    if audio_stream is not None and media is None:
        raise click.UsageError("--audio-stream goes with --media")
    report = validate_paths(
        files,
        profile=checked,
        duration_ms=duration,
        media=media,
        audio_stream=audio_stream,
        select=selected,
        ignore=ignored,
        fps=fps,
    )
    if not report.files:
        found_in = ", ".join(files)
        raise click.UsageError(f"no transcript or caption files (.txt, .srt, .vtt) found in {found_in}")
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(report), nl=False)
    sys.exit(report.exit_code(strict=strict))


def _rule_table(fmt: str, codes: list[str]) -> str:
    """``--list-rules``: the rule table (of the selected codes) as text, Markdown or JSON."""
    if fmt == "markdown":
        return rules_markdown(codes)
    if fmt == "json":
        return json.dumps(rules_json(codes), indent=2) + "\n"
    return rules_text(codes)
