"""Re-time a caption file in place: only the times on its ``-->`` lines change.

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

from ..errors import ParseError
from ..io import decode_bytes, read_bytes
from ..timecode import TimecodeError, format_srt, format_vtt, parse_caption_time

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


def _timing_lines(text: str) -> list[tuple[int, re.Match[str]]]:
    out = []
    for i, line in enumerate(text.splitlines()):
        m = _TIMING.match(line)
        if m:
            out.append((i, m))
    return out


def read_caption_times(path: str | Path) -> CaptionTimes:
    """The cue times of an SRT/WebVTT file, in file order, with the text kept for :func:`rewrite_times`."""
    data = read_bytes(path)
    _, encoding = decode_bytes(data, path=str(path))
    text = data.decode(encoding)
    starts: list[int] = []
    ends: list[int] = []
    lines: list[int] = []
    for i, m in _timing_lines(text):
        try:
            s, e = parse_caption_time(m["start"]), parse_caption_time(m["end"])
        except TimecodeError as exc:
            raise ParseError(str(exc), path=str(path), line=i + 1) from None
        starts.append(s)
        ends.append(max(e, s))
        lines.append(i + 1)
    if not starts:
        raise ParseError("no cue timings (HH:MM:SS,mmm --> HH:MM:SS,mmm) found", path=str(path))
    return CaptionTimes(str(path), text, encoding, tuple(starts), tuple(ends), tuple(lines))


def _format_like(original: str, ms: int) -> str:
    text = format_srt(ms) if "," in original else format_vtt(ms)
    if original.count(":") == 1 and ms < 3_600_000:
        text = text[3:]  # WebVTT without hours stays without hours
    return text


def rewrite_times(captions: CaptionTimes, starts_ms: Sequence[int], ends_ms: Sequence[int]) -> bytes:
    """The file's bytes with the i-th timing line set to ``starts_ms[i] --> ends_ms[i]``."""
    if len(starts_ms) != len(captions.starts_ms) or len(ends_ms) != len(captions.starts_ms):
        raise ValueError("one new time pair is needed per cue")
    parts = captions.text.splitlines(keepends=True)
    for k, (i, m) in enumerate(_timing_lines(captions.text)):
        body = parts[i]
        ending = body[len(body.rstrip("\r\n")) :]
        parts[i] = (
            f"{m['lead']}{_format_like(m['start'], starts_ms[k])}{m['arrow']}"
            f"{_format_like(m['end'], ends_ms[k])}{m['rest']}{ending}"
        )
    return "".join(parts).encode(captions.encoding)
