"""Re-time a caption file in place: only the times on its ``-->`` lines change.

The last step of ``captionkit sync`` (:mod:`toolkit.sync`; the search is :mod:`.cuesync`):
``sync`` rewrites the timing lines of the user's SRT/WebVTT text rather than re-writing the file from
parsed cues, so everything else survives byte for byte: cue numbers, text, line breaks, styling tags,
WebVTT cue settings (``align:start``), NOTE/STYLE blocks, the encoding, a BOM and CRLF line ends. A
writer would normalise all of those, and a sync tool has no business changing them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..captions import decode_caption_bytes, detect_format, loads, writing_encoding
from ..captions.document import plain_text
from ..errors import ParseError
from ..io import read_bytes
from ..timecode import format_srt, format_vtt

__all__ = ["CaptionTimes", "read_caption_times", "rewrite_times"]

_TIMING = re.compile(
    r"^(?P<lead>[ \t]*)(?P<start>[\d:.,]+)(?P<arrow>[ \t]*-->[ \t]*)(?P<end>[\d:.,]+)(?P<rest>.*)$"
)


@dataclass(frozen=True, slots=True)
class CaptionTimes:
    path: str
    text: str  # the file's text exactly as decoded (line ends kept)
    encoding: str
    starts_ms: tuple[int, ...]
    ends_ms: tuple[int, ...]
    lines: tuple[int, ...]  # 1-based line of each timing line
    texts: tuple[str, ...] = ()  # each cue's text as shown (tags removed)


_LINE_END = re.compile(r"\r\n|\r|\n")


def _split_lines(text: str) -> list[str]:
    """The file's lines with their line ends, split where the caption readers split (CR, LF, CRLF)."""
    out: list[str] = []
    pos = 0
    for m in _LINE_END.finditer(text):
        out.append(text[pos : m.end()])
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def read_caption_times(path: str | Path) -> CaptionTimes:
    """The cue times of an SRT/WebVTT file, in file order, with the text kept for :func:`rewrite_times`.

    The cues are the ones the caption reader finds (:mod:`toolkit.captions`: the W3C algorithm for
    WebVTT, kept lenient so that a comma time is synced too; the block scanner for SRT), so ``sync``,
    ``convert`` and ``validate`` see the same cues.
    """
    name = str(path)
    text, encoding = decode_caption_bytes(read_bytes(path), path=name)
    fmt = detect_format(text, name)
    if fmt is None:
        raise ParseError("no cue timings (HH:MM:SS,mmm --> HH:MM:SS,mmm) found", path=name)
    doc = loads(text, fmt, path=name, encoding=encoding, lenient=True)
    lines = _split_lines(text)
    starts: list[int] = []
    ends: list[int] = []
    at: list[int] = []
    texts: list[str] = []
    for cue in doc.cues:
        if cue.line is None or not _TIMING.match(lines[cue.line - 1].rstrip("\r\n").lstrip("\ufeff")):
            continue  # a timing line this module cannot rewrite in place (not written as digits)
        starts.append(cue.start_ms)
        ends.append(max(cue.end_ms, cue.start_ms))
        at.append(cue.line)
        texts.append(plain_text(cue.text))
    if not starts:
        raise ParseError("no cue timings (HH:MM:SS,mmm --> HH:MM:SS,mmm) found", path=name)
    return CaptionTimes(name, text, encoding, tuple(starts), tuple(ends), tuple(at), tuple(texts))


def _format_like(original: str, ms: int) -> str:
    text = format_srt(ms) if "," in original else format_vtt(ms)
    if original.count(":") == 1 and ms < 3_600_000:
        text = text[3:]  # WebVTT without hours stays without hours
    return text


def rewrite_times(captions: CaptionTimes, starts_ms: Sequence[int], ends_ms: Sequence[int]) -> bytes:
    """The file's bytes with the i-th cue's timing line set to ``starts_ms[i] --> ends_ms[i]``."""
    if len(starts_ms) != len(captions.starts_ms) or len(ends_ms) != len(captions.starts_ms):
        raise ValueError("one new time pair is needed per cue")
    parts = _split_lines(captions.text)
    for k, line_no in enumerate(captions.lines):
        body = parts[line_no - 1]
        bom = "\ufeff" if body.startswith("\ufeff") else ""
        m = _TIMING.match(body[len(bom) :].rstrip("\r\n"))
        assert m is not None  # read_caption_times kept only lines it matches
        ending = body[len(body.rstrip("\r\n")) :]
        parts[line_no - 1] = (
            f"{bom}{m['lead']}{_format_like(m['start'], starts_ms[k])}{m['arrow']}"
            f"{_format_like(m['end'], ends_ms[k])}{m['rest']}{ending}"
        )
    data = "".join(parts)
    # a BOM the decoder consumed (UTF-8-sig, UTF-16/32) is written back by the codec itself
    return data.encode(writing_encoding(captions.encoding))
