"""What a validation returns: one :class:`FileReport` per file, gathered in a :class:`ValidationReport`.

The values every validation path builds (:mod:`.files`, :mod:`.delivery_files`) and the command line
prints (:mod:`.report` as linter lines, ``to_json`` for ``--format json``; the schema is in the package
docstring, :mod:`toolkit.validate`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..errors import InputError, ToolkitError
from ..model import Finding, Severity
from ..profiles import Profile
from ..rules import finding

__all__ = ["SCHEMA_VERSION", "FileReport", "ValidationReport", "sorted_by_line", "unreadable_report"]

SCHEMA_VERSION = 1


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    for f in findings:
        counts[f.severity.value] += 1
    return counts


@dataclass(frozen=True, slots=True)
class FileReport:
    """The outcome for one file: its findings, or the error that stopped it being checked."""

    path: str
    kind: str | None  # "transcript", "srt", "vtt"; None when the file could not be read
    findings: tuple[Finding, ...]
    error: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        return _counts(self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "error": self.error,
            "counts": self.counts,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """All files' reports, with the profile and media duration they were checked against."""

    files: tuple[FileReport, ...]
    profile: Profile
    duration_ms: int | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.files for f in r.findings)

    @property
    def counts(self) -> dict[str, int]:
        counts = _counts(self.findings)
        counts["files"] = len(self.files)
        counts["unreadable"] = sum(1 for r in self.files if r.error is not None)
        return counts

    def exit_code(self, *, strict: bool = False) -> int:
        """2 if a file could not be read, else 1 for errors (or warnings when ``strict``), else 0."""
        if any(r.error is not None for r in self.files):
            return 2
        worst = {f.severity for f in self.findings}
        if Severity.ERROR in worst or (strict and Severity.WARNING in worst):
            return 1
        return 0

    def to_json(self) -> dict[str, Any]:
        p = self.profile
        return {
            "version": SCHEMA_VERSION,
            "captionkit": __version__,
            "profile": {
                "name": p.name,
                "max_chars_per_line": p.max_chars_per_line,
                "max_lines": p.max_lines,
                "max_cps": p.max_cps,
                "min_duration_ms": p.min_duration_ms,
                "max_duration_ms": p.max_duration_ms,
                "min_gap_ms": p.min_gap_ms,
            },
            "duration_ms": self.duration_ms,
            "files": [r.to_json() for r in self.files],
            "counts": self.counts,
        }


def sorted_by_line(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """A file's findings in the order a report lists them: by line, then cue, then code."""
    return tuple(sorted(findings, key=lambda f: (f.line or 0, f.cue or 0, f.code)))


def unreadable_report(path: str, exc: ToolkitError) -> FileReport:
    """The report of a file that could not be read or parsed: ``error`` set and one ``P000`` finding."""
    message = exc.message if exc.line is None else f"line {exc.line}: {exc.message}"
    kind = "input" if isinstance(exc, InputError) else "parse"
    unreadable = finding("P000", message, path=path, line=exc.line or 0, error=kind)
    return FileReport(path=path, kind=None, findings=(unreadable,), error=message)
