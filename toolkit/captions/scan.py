"""The lenient SRT/WebVTT block scanner: every timing line, with its identifier line and payload as written.

A line containing ``-->`` is a timing line; the validator checks syntax on what this finds, and the SRT
reader builds its cues from it. Nothing is dropped silently: a missing index, a blank line inside cue
text, text before the first cue all show up as ``notes`` on the block (or in :func:`leading_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..io import normalise_text
from ..timecode import TimecodeError, parse_caption_time

__all__ = [
    "NOTE_BAD_INDEX",
    "NOTE_BLANK_IN_TEXT",
    "NOTE_NO_BLANK_BEFORE_NEXT",
    "NOTE_NO_INDEX",
    "SNIFF_LINES",
    "CaptionBlock",
    "leading_text",
    "scan_captions",
    "sniff_kind",
]

# notes a block can carry (stable strings: the validator may match on them)
NOTE_NO_INDEX = "no index line"
NOTE_BAD_INDEX = "index line is not a number"
NOTE_BLANK_IN_TEXT = "blank line inside cue text"
NOTE_NO_BLANK_BEFORE_NEXT = "no blank line before the next cue"

_TIMING = re.compile(r"^[ \t]*(?P<start>\S+?)[ \t]*-->[ \t]*(?P<end>\S+)(?:[ \t]+(?P<settings>.*?))?[ \t]*$")
_DIGITS = re.compile(r"^\d+$")
_VTT_BLOCK = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")


@dataclass(frozen=True, slots=True)
class CaptionBlock:
    """One cue as written in an SRT or WebVTT file."""

    line: int  # 1-based line of the timing line
    index: str | None  # the identifier/index line as written, if any
    start_text: str
    end_text: str
    start_ms: int | None  # leniently parsed, None when unreadable
    end_ms: int | None
    lines: tuple[str, ...]  # payload lines as written (raw, tags not stripped)
    settings: str = ""  # VTT cue settings after the end time
    notes: tuple[str, ...] = ()  # what needed lenient reading (see the NOTE_* constants)
    index_line: int | None = None  # 1-based line of the index/identifier, if any


def _lenient_time(text: str) -> int | None:
    try:
        return parse_caption_time(text)
    except TimecodeError:
        return None


def _paragraph_end(lines: list[str], start: int, stop: int) -> int:
    """First blank line at or after ``start`` (before ``stop``), else ``stop``."""
    for i in range(start, stop):
        if not lines[i].strip():
            return i
    return stop


def scan_captions(text: str, kind: str, *, path: str = "<input>", raw: bool = False) -> list[CaptionBlock]:
    """Find every cue of an SRT (``kind="srt"``) or WebVTT (``kind="vtt"``) text, leniently.

    A line containing ``-->`` is a timing line. The line just before it is the cue's index (SRT: when
    it is a number) or identifier (WebVTT: any text line that follows a blank line). The payload runs
    to the next cue's index or timing line; a blank line inside it is kept as a note (``lines`` hold only
    non-blank payload lines). WebVTT ``NOTE``/``STYLE``/``REGION`` blocks between cues are skipped.
    ``raw=True`` reads text whose line ends are ``\n`` already as it is (every character kept).
    """
    if kind not in ("srt", "vtt"):
        raise ValueError(f"kind must be 'srt' or 'vtt', not {kind!r}")
    del path  # the scanner raises nothing; kept for a uniform signature
    lines = (text if raw else normalise_text(text)).split("\n")
    timings = [i for i, ln in enumerate(lines) if "-->" in ln and _TIMING.match(ln)]
    # index line of each cue, found first so the previous payload can stop before it
    index_of = _index_lines(lines, timings, kind)
    blocks: list[CaptionBlock] = []
    for k, t in enumerate(timings):
        m = _TIMING.match(lines[t])
        assert m is not None
        idx = index_of[t]
        notes: list[str] = []
        if idx is None and kind == "srt":
            notes.append(NOTE_NO_INDEX)  # WebVTT identifiers are optional
        elif kind == "srt" and idx is not None and not _DIGITS.match(lines[idx].strip()):
            notes.append(NOTE_BAD_INDEX)
        if k + 1 < len(timings):
            nxt = timings[k + 1]
            nxt_idx = index_of[nxt]
            stop = nxt_idx if nxt_idx is not None else nxt
        else:
            stop = len(lines)
        payload, blank_inside = _payload(lines, t + 1, stop, kind)
        if blank_inside:
            notes.append(NOTE_BLANK_IN_TEXT)
        if k + 1 < len(timings) and stop > t + 1 and lines[stop - 1].strip() and payload:
            notes.append(NOTE_NO_BLANK_BEFORE_NEXT)
        settings = (m["settings"] or "").strip()
        blocks.append(
            CaptionBlock(
                line=t + 1,
                index=lines[idx].strip() if idx is not None else None,
                start_text=m["start"],
                end_text=m["end"],
                start_ms=_lenient_time(m["start"]),
                end_ms=_lenient_time(m["end"]),
                lines=tuple(payload),
                settings=settings,
                notes=tuple(notes),
                index_line=idx + 1 if idx is not None else None,
            )
        )
    return blocks


def _index_lines(lines: list[str], timings: list[int], kind: str) -> dict[int, int | None]:
    """The index (SRT) or identifier (WebVTT) line of the cue at each timing line (``None``: it has none)."""
    index_of: dict[int, int | None] = {}
    prev_timing = -1
    for t in timings:
        j = t - 1
        found: int | None = None
        lowest = prev_timing + 2 if prev_timing >= 0 else 0  # the line after a timing line is payload
        if j >= lowest and lines[j].strip():
            cand = lines[j].strip()
            before_blank = j == 0 or not lines[j - 1].strip()
            is_header = (
                kind == "vtt" and cand.startswith("WEBVTT") and not any(ln.strip() for ln in lines[:j])
            )
            if is_header:
                pass  # "WEBVTT" straight above the first cue is the header, not an identifier
            elif (kind == "srt" and _DIGITS.match(cand)) or (kind == "vtt" and before_blank):
                found = j
            elif kind == "srt" and before_blank:
                found = j  # a non-numeric index line, kept as written with a note
        index_of[t] = found
        prev_timing = t
    return index_of


def _payload(lines: list[str], start: int, stop: int, kind: str) -> tuple[list[str], bool]:
    """The non-blank payload lines in ``lines[start:stop]`` (WebVTT NOTE/STYLE/REGION blocks skipped), and
    whether a blank line sits between two of them."""
    payload: list[str] = []
    blank_inside = False
    i = start
    seen_blank = False
    while i < stop:
        ln = lines[i]
        if not ln.strip():
            seen_blank = True
            i += 1
            continue
        if seen_blank and kind == "vtt" and _VTT_BLOCK.match(ln):
            i = _paragraph_end(lines, i, stop)  # skip a NOTE/STYLE/REGION block
            continue
        if seen_blank and payload:
            blank_inside = True
        payload.append(ln.rstrip())
        i += 1
    return payload, blank_inside


def leading_text(
    text: str, kind: str, blocks: list[CaptionBlock], *, raw: bool = False
) -> tuple[int, str] | None:
    """Text before the first cue that is not a WebVTT header or NOTE/STYLE/REGION block.

    Returns ``(first line, text)`` or ``None``.
    """
    lines = (text if raw else normalise_text(text)).split("\n")
    end = len(lines)
    if blocks:
        first = blocks[0]
        end = (first.index_line or first.line) - 1
    i = 0
    kept: list[tuple[int, str]] = []
    first_content = True
    while i < end:
        ln = lines[i]
        if not ln.strip():
            i += 1
            continue
        if kind == "vtt" and ((first_content and ln.lstrip().startswith("WEBVTT")) or _VTT_BLOCK.match(ln)):
            i = _paragraph_end(lines, i, end)
            first_content = False
            continue
        first_content = False
        kept.append((i + 1, ln.strip()))
        i += 1
    if not kept:
        return None
    return kept[0][0], "\n".join(t for _, t in kept)


_SNIFF_TIMING = re.compile(r"^[ \t]*\d[\d:.,]*[ \t]*-->[ \t]*\d")
SNIFF_LINES = 50  # non-blank lines looked at


def sniff_kind(text: str) -> str:
    """``"vtt"`` for a ``WEBVTT`` header, ``"srt"`` when cue timing lines appear early, else ``"transcript"``.

    Timing lines that carry a word and follow each other with no cue text between them
    (``00:00:01.230 --> 00:00:01.480 So``) are a word-level transcript export, not SRT.
    """
    seen = 0
    timing = 0
    back_to_back = 0
    previous_was_timing = False
    for line in text.split("\n"):
        stripped = line.strip().lstrip("\ufeff")
        if not stripped:
            previous_was_timing = False
            continue
        if seen == 0 and stripped.startswith("WEBVTT"):
            return "vtt"
        is_timing = bool(_SNIFF_TIMING.match(stripped))
        if is_timing:
            timing += 1
            back_to_back += previous_was_timing
        previous_was_timing = is_timing
        seen += 1
        if seen >= SNIFF_LINES:
            break
    if timing >= 3 and back_to_back >= 0.8 * (timing - 1):
        return "transcript"
    return "srt" if timing else "transcript"
