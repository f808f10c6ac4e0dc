"""Transcripts as data: speech recognisers' JSON and TSV outputs, read as turns with their times.

Whisper, faster-whisper, whisper-ctranslate2 and WhisperX write ``.json`` (``{"segments": [{"start",
"end", "text", "speaker"?, "words"?}]}``, times in seconds) and ``.tsv`` (``start<TAB>end<TAB>text``, times in
milliseconds). Each segment is a turn; a diarized segment's ``speaker`` names it; word timings, when every
word has them, become the turn's words (and are used instead of the rate model). A file that is not one
of these shapes gives ``None`` and is read as text.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ParseError
from ..io import valid_text
from ..model import Turn, Word
from ..timecode import TimecodeError, parse_timestamp

__all__ = ["read_structured"]

_HEADER_SPLIT = re.compile(r"\t|,")
_DIGITS = re.compile(r"[0-9]{1,15}\Z")  # what int() reads as a time in milliseconds ("²".isdigit() too)


def read_structured(text: str, *, path: str) -> tuple[tuple[Turn, ...], str] | None:
    """``(turns, layout name)`` of a JSON or TSV recogniser output, or ``None`` for any other text."""
    head = text.lstrip("\ufeff \t\n")
    if head.startswith(("{", "[")):
        return _json(head, path)
    first = head.split("\n", 1)[0].strip().lower()
    if "\t" in first or first.count(",") >= 2:
        return _table(head, path)
    return None


MAX_SECONDS = 1e7  # about 116 days: a time past it is not a recording's (1e400 is inf, NaN is no time)


def _seconds_to_ms(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an integer of hundreds of digits
        return None
    return _bounded_ms(seconds, 1000)


def _bounded_ms(number: float, ms_per_unit: int) -> int | None:
    """``number`` (seconds, or milliseconds) in milliseconds, a negative one 0; ``None`` when it is no
    recording's time (infinite, NaN, beyond :data:`MAX_SECONDS`)."""
    if not math.isfinite(number) or abs(number) * ms_per_unit > MAX_SECONDS * 1000:
        return None
    return max(0, round(number * ms_per_unit))


def _segment_turn(seg: Mapping[str, Any], n: int) -> Turn | None:
    start = _seconds_to_ms(seg.get("start"))
    if start is None and "start_ms" in seg:
        given = seg["start_ms"]
        ok = isinstance(given, int) and not isinstance(given, bool) and 0 <= given <= MAX_SECONDS * 1000
        start = given if ok else None
    text = seg.get("text")
    if start is None or not isinstance(text, str) or not text.strip():
        return None
    end = _seconds_to_ms(seg.get("end"))
    speaker = seg.get("speaker")
    words: list[Word] = []
    raw_words = seg.get("words")
    if isinstance(raw_words, list) and raw_words:
        for w in raw_words:
            if not isinstance(w, Mapping):
                words = []
                break
            ws, we = _seconds_to_ms(w.get("start")), _seconds_to_ms(w.get("end"))
            token = w.get("word", w.get("text"))
            if ws is None or we is None or not isinstance(token, str) or we < ws:
                words = []  # a word the aligner could not time: the turn keeps the segment's times only
                break
            words.append(Word(token.strip(), ws, we))
    return Turn(
        speaker=" ".join(speaker.split()) or None if isinstance(speaker, str) else None,  # one line, always
        start_ms=start,
        text=" ".join(text.split()),
        line=n,
        end_ms=end if end is not None and end >= start else None,
        words=tuple(words),
    )


def _json(text: str, path: str) -> tuple[tuple[Turn, ...], str] | None:
    try:
        data = json.loads(text, object_hook=_valid_strings)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python's stack: not segments
        return None
    segments: Any = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(segments, list) or not segments or not all(isinstance(s, Mapping) for s in segments):
        return None
    if not any("start" in s and "text" in s for s in segments):
        return None
    turns = [t for n, s in enumerate(segments, start=1) if (t := _segment_turn(s, n)) is not None]
    if not turns:
        raise ParseError("a JSON transcript whose segments have no start time or text", path=path)
    return tuple(turns), "segments-json"


def _valid_strings(obj: dict[str, Any]) -> dict[str, Any]:
    """A JSON object whose strings hold no lone surrogate (a ``\\ud800`` escape): U+FFFD instead."""
    return {k: valid_text(v) if isinstance(v, str) else v for k, v in obj.items()}


def _cell_ms(value: str, unit_ms: bool) -> int:
    value = value.strip()
    if ":" in value:
        return parse_timestamp(value)
    ms = _bounded_ms(float(value), 1 if unit_ms else 1000)  # "-0.02": 0, as in the JSON
    if ms is None:
        raise ValueError(value)
    return ms


# the names tools give their columns (whisper: start/end/text; council and meeting exports: others)
_START_COLUMNS = (
    "start",
    "start_time",
    "start time",
    "starttime",
    "begin",
    "from",
    "time",
    "timestamp",
    "in",
)
_END_COLUMNS = ("end", "end_time", "end time", "endtime", "stop", "to", "out")
_TEXT_COLUMNS = ("text", "transcript", "sentence", "caption", "content", "words", "utterance", "speech")
_SPEAKER_COLUMNS = ("speaker", "speaker_name", "speaker name", "name", "who", "person", "speaker_label")


def _column(header: Sequence[str], names: Sequence[str]) -> int | None:
    return next((header.index(k) for k in names if k in header), None)


def _table(text: str, path: str) -> tuple[tuple[Turn, ...], str] | None:
    lines = text.split("\n")
    sep = "\t" if "\t" in lines[0] else ","
    header = [h.strip().strip('"').lower() for h in lines[0].split(sep)]
    i_start, i_text = _column(header, _START_COLUMNS), _column(header, _TEXT_COLUMNS)
    if i_start is None or i_text is None:
        return None
    i_end = _column(header, _END_COLUMNS)
    i_speaker = _column(header, _SPEAKER_COLUMNS)
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO("\n".join(lines[1:])), delimiter=sep) if sep == "," else None
    try:
        parsed = list(reader) if reader is not None else None
    except csv.Error as exc:  # a quoted field past the csv module's limit, a NUL, ...
        raise ParseError(f"not a readable CSV table: {exc}", path=path) from None
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        if parsed is not None and n - 2 < len(parsed):
            cells = parsed[n - 2]  # CSV: quoted fields may hold commas
        elif i_text == len(header) - 1:
            cells = line.split(sep, len(header) - 1)
        else:
            cells = line.split(sep)
        if len(cells) <= max(i_start, i_text):
            raise ParseError(
                f"a row with {len(cells)} columns, the header has {len(header)}", path=path, line=n
            )
        rows.append((n, cells + [""] * (len(header) - len(cells))))  # an end or speaker left out: empty
    # whisper's TSV counts milliseconds; a table in seconds has fractions or segments under ~100 s
    numbers = [r[1][i_start].strip() for r in rows if ":" not in r[1][i_start]]
    integers = bool(numbers) and all(_DIGITS.match(x) for x in numbers)
    unit_ms = integers and _looks_like_ms(rows, i_start, i_end)
    turns: list[Turn] = []
    for n, cells in rows:
        try:
            start = _cell_ms(cells[i_start], unit_ms)
            end = _cell_ms(cells[i_end], unit_ms) if i_end is not None and cells[i_end].strip() else None
        except (ValueError, TimecodeError):
            raise ParseError(f"not a time: {cells[i_start].strip()!r}", path=path, line=n) from None
        body = " ".join(cells[i_text].split())
        if not body:
            continue
        speaker = cells[i_speaker].strip() or None if i_speaker is not None else None
        turns.append(
            Turn(speaker, start, body, line=n, end_ms=end if end is not None and end >= start else None)
        )
    if not turns:
        raise ParseError("a table of segments without any text", path=path)
    return tuple(turns), "segments-tsv" if sep == "\t" else "segments-csv"


def _looks_like_ms(rows: Sequence[tuple[int, list[str]]], i_start: int, i_end: int | None) -> bool:
    """Integer times are milliseconds when segments would otherwise last minutes (or there are no ends,
    and the times grow by hundreds)."""
    spans: list[int] = []
    for _, cells in rows:
        try:
            a = int(cells[i_start])
            b = int(cells[i_end]) if i_end is not None else None
        except (ValueError, IndexError):
            continue
        if b is not None:
            spans.append(b - a)
    if spans:
        spans.sort()
        return spans[len(spans) // 2] >= 100
    starts = [int(c[i_start]) for _, c in rows if _DIGITS.match(c[i_start].strip())]
    steps = sorted(b - a for a, b in itertools.pairwise(starts))
    return bool(steps) and steps[len(steps) // 2] >= 100
