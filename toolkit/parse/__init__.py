"""Parsing: transcripts in every layout captionkit knows, and SRT/WebVTT caption files, into a Document.

``parse_text`` reads text already in memory, ``read_document`` reads a file (decoding it with
:func:`toolkit.io.read_text`). Transcript layouts are detected automatically (see
:mod:`toolkit.parse.layouts`); what the parser drops or reads leniently is reported as findings
(``P001`` page text, ``P002`` encoding, ``P003`` malformed timestamp, ``P006`` caption syntax).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import NoTimestampsError
from ..io import STDIN, decode_bytes, read_text
from ..model import Document, Finding
from ..rules import encoding_finding
from .caption_files import CaptionBlock, captions_to_turns, scan_captions
from .detect import ensure_normalised, kind_from_extension, sniff_kind
from .layouts import LAYOUTS, Layout, detect_layout
from .structured import read_structured
from .transcript import parse_transcript, parse_untimed

__all__ = [
    "FORCED",
    "KINDS",
    "LAYOUTS",
    "CaptionBlock",
    "Layout",
    "detect_layout",
    "parse_text",
    "read_document",
    "scan_captions",
    "sniff_kind",
]

KINDS = ("transcript", "srt", "vtt")
_UTF8 = frozenset({"utf-8", "utf-8-sig", "utf8", "ascii"})


def parse_text(
    text: str,
    *,
    path: str = "<input>",
    fps: float | None = None,
    encoding: str = "utf-8",
    kind: str | None = None,
    layout: str | None = None,
    untimed: bool = False,
) -> Document:
    """Parse transcript or caption ``text`` into a :class:`Document`.

    ``kind`` is ``"transcript"``, ``"srt"`` or ``"vtt"``; ``None`` sniffs it from the content. ``fps`` is
    the frame rate for ``HH:MM:SS:FF`` timestamps. ``encoding`` is the one the text was decoded with; a
    non-UTF-8 encoding is reported as a ``P002`` finding. Raises :class:`~toolkit.errors.NoTimestampsError`
    for a transcript without any timestamp. ``layout`` forces a transcript layout (a name of
    :data:`LAYOUTS`), or ``"meeting"``: a caption file whose cues open with ``Name:`` labels.
    ``untimed``: a transcript without any timestamp is read all the same (for ``convert --media``, which
    finds its start in the audio; see :func:`~.transcript.parse_untimed`), as ``Document.untimed``.
    """
    return _parse_normalised(
        ensure_normalised(text), path=path, fps=fps, encoding=encoding, kind=kind, layout=layout,
        untimed=untimed,
    )  # fmt: skip


FORCED = ("meeting", *(lay.name for lay in LAYOUTS))  # what --layout accepts


def _parse_normalised(
    text: str,
    *,
    path: str,
    fps: float | None,
    encoding: str,
    kind: str | None,
    layout: str | None = None,
    untimed: bool = False,
) -> Document:
    """:func:`parse_text` of text that :func:`toolkit.io.normalise_text` has already been applied to."""
    if layout is not None and layout not in FORCED:
        raise ValueError(f"unknown layout {layout!r}; choose from {', '.join(FORCED)}")
    if kind is None:
        kind = sniff_kind(text)
    if layout == "meeting" and kind == "transcript":
        kind = "vtt" if text.lstrip("\ufeff").startswith("WEBVTT") else "srt"
    elif layout not in (None, "meeting"):
        kind = "transcript"
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    findings: list[Finding] = []
    if encoding.lower() not in _UTF8:
        findings.append(encoding_finding(encoding, path))
    confidence: float | None = None
    read_untimed = False  # no timestamp at all, read as untimed turns (only when ``untimed`` allows it)
    structured = read_structured(text, path=path) if kind == "transcript" and layout is None else None
    if structured is not None:
        turns, layout = structured
        confidence = 1.0
    elif kind == "transcript":
        try:
            result = parse_transcript(lines, path=path, fps=fps, force=layout)
        except NoTimestampsError:
            if not untimed or layout is not None:
                raise
            result = parse_untimed(lines, path=path)
            read_untimed = True
        turns, layout, confidence = result.turns, result.layout, result.confidence
        findings.extend(result.findings)
    else:
        labels = "always" if layout == "meeting" else "auto"
        cue_turns, cue_findings = captions_to_turns(text, kind, path=path, labels=labels)
        meeting = any(f.data.get("problem") == "speaker labels in cue text" for f in cue_findings)
        turns, layout = tuple(cue_turns), ("meeting-" + kind if meeting else kind)
        findings.extend(cue_findings)
    return Document(
        path=path,
        kind=kind,
        turns=turns,
        findings=tuple(findings),
        encoding=encoding,
        layout=layout,
        line_count=len(lines),
        layout_confidence=confidence,
        untimed=read_untimed,
    )


def document_from_bytes(
    data: bytes,
    *,
    path: str,
    fps: float | None = None,
    name_for_kind: str | None = None,
    layout: str | None = None,
    untimed: bool = False,
) -> Document:
    """:func:`read_document` of bytes already read (``path`` names them in messages; ``untimed`` as in
    :func:`parse_text`)."""
    text, encoding = decode_bytes(data, path=path)
    kind = _kind(text, name_for_kind or path)
    return _parse_normalised(
        text, path=path, fps=fps, encoding=encoding, kind=kind, layout=layout, untimed=untimed
    )


def _kind(text: str, path: str) -> str:
    """The content decides (a Whisper text dump named .srt is a transcript, a WEBVTT file named .srt is
    WebVTT); the extension only tells WebVTT from SRT when the content has cue timing lines."""
    sniffed = sniff_kind(text)
    if sniffed == "srt" and kind_from_extension(path) == "vtt":
        return "vtt"
    return sniffed


def read_document(path: str | Path, *, fps: float | None = None) -> Document:
    """Read and parse a file (``-`` = standard input); the kind comes from the extension (.srt/.vtt) or
    the content."""
    text, encoding = read_text(path)
    name = STDIN if str(path) == "-" else str(path)
    kind = _kind(text, str(path))
    # read_text has normalised the text already (normalising is idempotent): skip parse_text's check
    return _parse_normalised(text, path=name, fps=fps, encoding=encoding, kind=kind)
