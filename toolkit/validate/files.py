"""Validation of files: read each one, collect the findings of the stages that know about it, filter them.

A transcript's findings are the parser's (``P001``-``P005``) plus those of
:func:`toolkit.repair.analyse` (``T001``-``T006``, ``P004``, ``P005``), the same implementation
``convert`` uses. A caption file's findings are the parser's leniency notes (``P002``, ``P006``) plus the
caption checks of the rule table, run on the raw blocks (:mod:`toolkit.checks.caption_rules`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..captions.scan import scan_captions
from ..captions.webvtt import parse_webvtt
from ..checks.caption_rules import BlockLike, CaptionContext, check_captions
from ..errors import InputError, ToolkitError
from ..io import STDIN, read_text, walk_folder
from ..model import Document, Finding
from ..parse import parse_text
from ..parse.detect import kind_from_extension, sniff_kind
from ..profiles import Profile
from ..repair import analyse
from ..rules import RULES
from .delivery_files import DELIVERY_SUFFIXES, validate_delivery
from .results import FileReport, ValidationReport, sorted_by_line, unreadable_report
from .selection import Selection, is_selected

__all__ = [
    "MediaCheck",
    "expand_paths",
    "media_checker",
    "validate_captions",
    "validate_document",
    "validate_file",
    "validate_paths",
    "validate_text",
]

CAPTION_KINDS = ("srt", "vtt")
# P006 notes the validator reports itself, more precisely, as C rules (the per-cue "left out" notes and the
# grouped strict-form note); the other P006 notes (no index, blank line in text, text before the first
# cue) are kept.
_P006_COVERED = "cue time not in the strict form"


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
        findings.extend(analyse(doc, duration_ms=duration_ms))
    return findings


class MediaCheck(Protocol):
    """What :func:`media_checker` returns: the M rules of ``doc`` against the audio of ``media_path``."""

    def __call__(
        self, doc: Document, media_path: str, *, audio_stream: str | None = None
    ) -> list[Finding]: ...


def media_checker() -> MediaCheck | None:
    """``toolkit.validate.media_checks.media_findings`` (M rules against the audio), or ``None``."""
    try:
        from .media_checks import (
            media_findings,  # lazy: numpy, ffmpeg and the speech detectors only for --media
        )
    except ImportError:
        return None
    return media_findings


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
    kind = kind or kind_from_extension(path) or sniff_kind(text)
    try:
        doc = parse_text(text, path=path, fps=fps, encoding=encoding, kind=kind)
    except ToolkitError as exc:
        return unreadable_report(path, exc)
    codes = [r.code for r in RULES if is_selected(r.code, select, ignore)]
    findings = validate_document(doc, profile=profile, duration_ms=duration_ms, text=text, codes=codes)
    if media is not None:
        checker = media_checker()
        if checker is None:
            raise ToolkitError("media checks need toolkit.validate.media_checks, which is not installed")
        findings.extend(checker(doc, media, audio_stream=audio_stream))
    kept = (
        f if f.path is not None else dataclasses.replace(f, path=path)
        for f in findings
        if is_selected(f.code, select, ignore)
    )
    return FileReport(path=path, kind=doc.kind, findings=sorted_by_line(kept))


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
    name = STDIN if str(path) == "-" else str(path)
    delivery = DELIVERY_SUFFIXES.get(Path(name).suffix.lower())
    if delivery is not None:
        return validate_delivery(
            name, delivery, profile=profile, duration_ms=duration_ms, fps=fps, select=select, ignore=ignore
        )
    try:
        text, encoding = read_text(path)
    except ToolkitError as exc:
        return unreadable_report(name, exc)
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

    ``media`` (a video/audio path) adds the M rules of ``toolkit.validate.media_checks.media_findings(doc,
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
            reports.append(unreadable_report(p, InputError(f"internal error: {type(exc).__name__}: {exc}")))
    for folder, error in unreadable:
        reports.append(
            unreadable_report(folder, InputError(f"folder cannot be read: {error.strerror or error}"))
        )
    return ValidationReport(files=tuple(reports), profile=profile, duration_ms=duration_ms)
