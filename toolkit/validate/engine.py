"""Validation of files: read each one, collect the findings of the stages that know about it, filter them.

A transcript's findings are the parser's (``P001``-``P005``) plus those of
:func:`toolkit.repair.analyse` (``T001``-``T006``, ``P004``, ``P005``), the same implementation
``convert`` uses. A caption file's findings are the parser's leniency notes (``P002``, ``P006``) plus the
caption checks of the rule table, run on the raw blocks (:mod:`toolkit.validate.captions`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..captions.kinds import EXTENSIONS
from ..errors import InputError, ToolkitError
from ..io import STDIN, walk_folder
from ..model import Document, Finding, Severity
from ..profiles import Profile
from ..rules import RULES, finding
from .captions import BlockLike, CaptionContext, check_captions, check_document

__all__ = [
    "SCHEMA_VERSION",
    "STDIN",
    "FileReport",
    "ValidationReport",
    "expand_paths",
    "is_selected",
    "media_checker",
    "parse_codes",
    "validate_captions",
    "validate_document",
    "validate_file",
    "validate_paths",
    "validate_text",
]

SCHEMA_VERSION = 1
CAPTION_KINDS = ("srt", "vtt")
# P006 notes the validator reports itself, more precisely, as C rules (the per-cue "left out" notes and the
# grouped strict-form note); the other P006 notes (no index, blank line in text, text before the first
# cue) are kept.
_P006_COVERED = "cue time not in the strict form"

Selection = tuple[str, ...]


def parse_codes(value: str | Iterable[str] | None) -> Selection | None:
    """Comma-separated codes or prefixes (``C``, ``T00``, ``C003``; ``ALL``) as a tuple, like ruff.

    Raises ``ValueError`` for a code or prefix that matches no rule.
    """
    if value is None:
        return None
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in v.split(",")]
    out: list[str] = []
    for raw in parts:
        code = raw.strip().upper()
        if not code:
            continue
        if code == "ALL":
            code = ""
        elif not any(r.code.startswith(code) for r in RULES):
            raise ValueError(f"{raw.strip()!r} matches no rule code (see --list-rules)")
        out.append(code)
    return tuple(out)


def is_selected(code: str, select: Selection | None, ignore: Selection | None) -> bool:
    """Whether a code passes ``--select`` (all when ``None``) and is not ``--ignore``d."""
    if select is not None and not any(code.startswith(p) for p in select):
        return False
    return not (ignore and any(code.startswith(p) for p in ignore))


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


def _sorted(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (f.line or 0, f.cue or 0, f.code)))


def validate_captions(
    text: str,
    kind: str,
    *,
    path: str,
    profile: Profile,
    duration_ms: int | None = None,
    codes: Sequence[str] | None = None,
) -> list[Finding]:
    """The caption checks (``C`` rules, or only ``codes``) on the raw text of an SRT or WebVTT file.

    The cues are the caption reader's (:mod:`toolkit.captions`), the ones ``convert`` and ``sync`` see:
    for WebVTT the W3C algorithm, kept lenient so that a cue with a comma time is checked (C011) rather
    than dropped; for SRT the block scanner. Times are checked as written.
    """
    from ..captions.scan import scan_captions

    blocks: Sequence[BlockLike] = (
        _webvtt_blocks(text, path) if kind == "vtt" else scan_captions(text, kind, path=path)
    )
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    ctx = CaptionContext(
        path=path, kind=kind, profile=profile, duration_ms=duration_ms, first_line=first_line
    )
    return check_captions(blocks, ctx, codes=codes)


_TIMES = re.compile(r"^[ \t\f]*(\S+?)[ \t\f]*-->[ \t\f]*(\S+)")


@dataclass(frozen=True, slots=True)
class _RawCue:
    """A cue as the WebVTT reader found it, with its times as written (what the C checks read)."""

    line: int
    start_text: str
    end_text: str
    start_ms: int | None
    end_ms: int | None
    lines: tuple[str, ...]


def _webvtt_blocks(text: str, path: str) -> list[_RawCue]:
    from ..captions.webvtt import parse_webvtt

    doc = parse_webvtt(text, path=path, lenient=True)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[_RawCue] = []
    for cue in doc.cues:
        at = cue.line or 1
        m = _TIMES.match(lines[at - 1].lstrip("\ufeff")) if at <= len(lines) else None
        start, end = (m[1], m[2]) if m else ("", "")
        out.append(_RawCue(at, start, end, cue.start_ms, cue.end_ms, tuple(cue.text.split("\n"))))
    return out


def _parser_findings(doc: Document) -> list[Finding]:
    if doc.kind not in CAPTION_KINDS:
        return list(doc.findings)
    return [
        f
        for f in doc.findings
        if not (f.code == "P006" and (f.cue is not None or f.data.get("problem") == _P006_COVERED))
    ]


def validate_document(
    doc: Document,
    *,
    profile: Profile,
    duration_ms: int | None = None,
    text: str | None = None,
    codes: Sequence[str] | None = None,
) -> list[Finding]:
    """All findings for a parsed document; a caption document needs its raw ``text`` for the C rules."""
    findings = _parser_findings(doc)
    if doc.kind in CAPTION_KINDS:
        if text is None:
            raise ValueError("validating a caption document needs its raw text")
        findings.extend(
            validate_captions(
                text, doc.kind, path=doc.path, profile=profile, duration_ms=duration_ms, codes=codes
            )
        )
    else:
        from ..repair import analyse

        findings.extend(analyse(doc, duration_ms=duration_ms))
    return findings


def media_checker() -> Any:
    """``toolkit.media.validate.media_findings`` (M rules against the audio), or ``None`` if not installed."""
    try:
        from ..media.validate import media_findings  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return media_findings


def _unreadable(path: str, exc: ToolkitError) -> FileReport:
    message = exc.message if exc.line is None else f"line {exc.line}: {exc.message}"
    kind = "input" if isinstance(exc, InputError) else "parse"
    unreadable = finding("P000", message, path=path, line=exc.line or 0, error=kind)
    return FileReport(path=path, kind=None, findings=(unreadable,), error=message)


def validate_text(
    text: str,
    *,
    path: str,
    profile: Profile,
    encoding: str = "utf-8",
    kind: str | None = None,
    duration_ms: int | None = None,
    fps: float | None = None,
    media: str | None = None,
    audio_stream: str | None = None,
    select: Selection | None = None,
    ignore: Selection | None = None,
) -> FileReport:
    """Check decoded ``text``; ``kind`` (transcript/srt/vtt) comes from the extension or the content."""
    from ..parse import parse_text
    from ..parse.detect import kind_from_extension, sniff_kind

    kind = kind or kind_from_extension(path) or sniff_kind(text)
    try:
        doc = parse_text(text, path=path, fps=fps, encoding=encoding, kind=kind)
    except ToolkitError as exc:
        return _unreadable(path, exc)
    codes = [r.code for r in RULES if is_selected(r.code, select, ignore)]
    findings = validate_document(doc, profile=profile, duration_ms=duration_ms, text=text, codes=codes)
    if media is not None:
        checker = media_checker()
        if checker is None:
            raise ToolkitError("media checks need toolkit.media.validate, which is not installed")
        findings.extend(checker(doc, media, audio_stream=audio_stream))
    kept = (
        f if f.path is not None else dataclasses.replace(f, path=path)
        for f in findings
        if is_selected(f.code, select, ignore)
    )
    return FileReport(path=path, kind=doc.kind, findings=_sorted(kept))


def validate_file(
    path: str | Path,
    *,
    profile: Profile,
    duration_ms: int | None = None,
    fps: float | None = None,
    media: str | None = None,
    audio_stream: str | None = None,
    select: Selection | None = None,
    ignore: Selection | None = None,
) -> FileReport:
    """Check one file (``-`` = standard input). A file that cannot be read or parsed gives a report with
    ``error`` set and one ``P000`` finding."""
    from ..io import read_text

    name = STDIN if str(path) == "-" else str(path)
    delivery = _DELIVERY_SUFFIXES.get(Path(name).suffix.lower())
    if delivery is not None:
        return _validate_delivery(
            name, delivery, profile=profile, duration_ms=duration_ms, fps=fps, select=select, ignore=ignore
        )
    try:
        text, encoding = read_text(path)
    except ToolkitError as exc:
        return _unreadable(name, exc)
    return validate_text(
        text,
        path=name,
        profile=profile,
        encoding=encoding,
        duration_ms=duration_ms,
        fps=fps,
        media=media,
        audio_stream=audio_stream,
        select=select,
        ignore=ignore,
    )


FOLDER_SUFFIXES = (".srt", ".vtt", ".txt", ".ttml", ".dfxp", ".scc", ".ass", ".ssa", ".stl")
# by name, as convert reads them, but ".xml" (too generic for a folder of files to check)
_DELIVERY_SUFFIXES = {suffix: fmt for suffix, fmt in EXTENSIONS.items() if suffix != ".xml"}
SCC_COLUMNS, SCC_ROWS = 32, 4  # CEA-608: what a caption may hold, whatever the profile says
SCC_MIN_GAP_MS = 66  # two frames at 29.97 fps, rounded down (SCC times are frames)


def _validate_delivery(
    name: str,
    fmt: str,
    *,
    profile: Profile,
    duration_ms: int | None,
    fps: float | None,
    select: Selection | None,
    ignore: Selection | None,
) -> FileReport:
    """A TTML/SCC/ASS/SSA/STL file read through its library (toolkit.captions.delivery), then the caption
    checks; SCC also against CEA-608's own limits (32 columns, 4 rows)."""
    from ..captions.delivery import loads_delivery
    from ..io import read_bytes

    try:
        data = read_bytes(name)
        captions = loads_delivery(data, fmt, path=name, fps=fps)
    except ToolkitError as exc:
        return _unreadable(name, exc)
    except Exception as exc:  # a library's own parse error on a broken file: the user's to fix
        return _unreadable(name, ToolkitError(f"cannot read as {fmt.upper()}: {exc}", path=name))
    findings = list(captions.findings)
    if fmt == "ttml":
        findings.extend(_imsc_findings(data, name))
    if fmt == "scc":
        # CEA-608's own limits; gaps count in frames of 29.97 fps (2 frames is 67 ms, not 24 fps's 83 ms)
        limits = dataclasses.replace(profile, max_chars_per_line=SCC_COLUMNS, max_lines=SCC_ROWS)
        profile = dataclasses.replace(profile, min_gap_ms=min(profile.min_gap_ms, SCC_MIN_GAP_MS))
        findings.extend(check_document(captions, profile=profile, duration_ms=duration_ms, codes=_NOT_LAYOUT))
        findings.extend(
            check_document(captions, profile=limits, duration_ms=duration_ms, codes=("C001", "C002"))
        )
    else:
        findings.extend(check_document(captions, profile=profile, duration_ms=duration_ms))
    kept = [f for f in findings if is_selected(f.code, select, ignore)]
    return FileReport(path=name, kind=fmt, findings=_sorted(kept))


_IMSC_PROFILES = ("http://www.w3.org/ns/ttml/profile/imsc1", "http://www.w3.org/ns/ttml/profile/imsc1.1")


def _imsc_findings(data: bytes, name: str) -> list[Finding]:
    """A TTML delivery checked against IMSC's own rules that a timed-text platform applies first: the
    document says which IMSC profile it follows (``ttp:contentProfiles`` or ``ttp:profile``), and it is a
    text profile (no images)."""
    head = data[:20000].decode("utf-8", errors="replace")
    out: list[Finding] = []
    if not any(p in head for p in _IMSC_PROFILES):
        out.append(
            finding(
                "C016",
                "the TTML document names no IMSC profile (ttp:contentProfiles or ttp:profile): IMSC "
                "deliveries (Netflix, broadcasters) are refused without one",
                path=name,
                line=1,
            )
        )
    if "smpte:backgroundImage" in head or "<image" in head:
        out.append(
            finding(
                "C016",
                "the TTML document holds images: the IMSC Text Profile allows text only",
                path=name,
                line=1,
            )
        )
    return out


_NOT_LAYOUT = tuple(r.code for r in RULES if r.code.startswith("C") and r.code not in ("C001", "C002"))


def expand_paths(
    paths: Iterable[str | Path], unreadable: list[tuple[str, OSError]] | None = None
) -> list[str]:
    """Files as given; a folder gives its ``.srt``, ``.vtt`` and ``.txt`` files, recursively (hidden
    files and folders skipped, as ``convert`` does). Sorted, without repeats; ``-`` (standard input) first.
    Folders that cannot be read are added to ``unreadable``."""
    out: set[str] = set()

    def note(path: str, exc: OSError) -> None:
        if unreadable is not None:
            unreadable.append((path, exc))

    for p in paths:
        path = Path(p)
        if str(p) != "-" and path.is_dir():
            found = walk_folder(str(p), on_error=note)
            out.update(f for f in found if Path(f).suffix.lower() in FOLDER_SUFFIXES)
        else:
            out.add(str(p))
    return sorted(out, key=lambda name: (name != "-", name))


def validate_paths(
    paths: Iterable[str | Path],
    *,
    profile: Profile,
    duration_ms: int | None = None,
    media: str | None = None,
    audio_stream: str | None = None,
    select: Selection | None = None,
    ignore: Selection | None = None,
    fps: float | None = None,
) -> ValidationReport:
    """Check every file (see :func:`expand_paths`); one unreadable file does not stop the others.

    ``media`` (a video/audio path) adds the M rules of ``toolkit.media.validate.media_findings(doc,
    media_path)`` on its ``audio_stream`` (``a:N``; default: the default-flagged one, else the first);
    ``select``/``ignore`` are code prefixes as returned by :func:`parse_codes`.
    """
    unreadable: list[tuple[str, OSError]] = []
    reports: list[FileReport] = []
    for p in expand_paths(paths, unreadable):
        try:
            reports.append(
                validate_file(
                    p,
                    profile=profile,
                    duration_ms=duration_ms,
                    fps=fps,
                    media=media,
                    audio_stream=audio_stream,
                    select=select,
                    ignore=ignore,
                )
            )
        except ToolkitError:  # the media of --media, not this file: it stops every file alike
            raise
        except Exception as exc:  # a bug on one file must not hide the reports of the others
            reports.append(_unreadable(p, InputError(f"internal error: {type(exc).__name__}: {exc}")))
    for folder, error in unreadable:
        reports.append(_unreadable(folder, InputError(f"folder cannot be read: {error.strerror or error}")))
    return ValidationReport(files=tuple(reports), profile=profile, duration_ms=duration_ms)
