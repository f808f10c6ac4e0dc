"""Text rendering of a validation report: linter lines, then a summary per file and in total."""

from __future__ import annotations

from ..errors import one_line
from .results import FileReport, ValidationReport

__all__ = ["format_counts", "format_text"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def format_counts(counts: dict[str, int]) -> str:
    """``2 errors, 1 warning, 0 notes``."""
    return ", ".join(
        (
            _plural(counts["error"], "error"),
            _plural(counts["warning"], "warning"),
            _plural(counts["info"], "note"),
        )
    )


def _file_summary(r: FileReport) -> str:
    what = f" ({r.kind})" if r.kind else ""
    if r.error is not None:
        return f"{one_line(r.path)}: could not be checked: {one_line(r.error)}"
    return f"{one_line(r.path)}{what}: {format_counts(r.counts)}"


def format_text(report: ValidationReport) -> str:
    """``path:line: CODE severity: message`` per finding (by file, then line), then the summaries."""
    out = [f.format() for r in report.files for f in r.findings]
    if out:
        out.append("")
    out.extend(_file_summary(r) for r in report.files)
    counts = report.counts
    total = f"{_plural(counts['files'], 'file')} checked: {format_counts(counts)}"
    if counts["unreadable"]:
        total += f"; {_plural(counts['unreadable'], 'file')} could not be read"
    out.append(total)
    return "\n".join(out) + "\n"
