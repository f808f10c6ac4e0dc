"""SRT and WebVTT reading: a hand-written, lenient block scanner and the cue-to-turn conversion.

:func:`scan_captions` finds every timing line (``start --> end [settings]``) and gives each one its
identifier line and payload as written, so the validator can check syntax on the raw text. Nothing is
dropped silently: a missing index, a blank line inside cue text, text before the first cue, or a cue
whose times cannot be read all show up, as ``notes`` on the block here and as ``P006`` findings in
:func:`captions_to_turns`. pysrt's default (``ERROR_PASS``) drops such cues without a word; we do not.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass

from ..errors import NoTimestampsError
from ..model import Finding, Turn
from ..rules import finding
from ..timecode import TimecodeError, is_strict_srt, is_strict_vtt, parse_caption_time
from .detect import ensure_normalised

__all__ = [
    "CaptionBlock",
    "captions_to_turns",
    "clean_cue_text",
    "scan_captions",
    "split_speaker",
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
    lines = (text if raw else ensure_normalised(text)).split("\n")
    timings = [i for i, ln in enumerate(lines) if "-->" in ln and _TIMING.match(ln)]
    # index line of each cue, found first so the previous payload can stop before it
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
        payload: list[str] = []
        i = t + 1
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
            if seen_blank and payload and NOTE_BLANK_IN_TEXT not in notes:
                notes.append(NOTE_BLANK_IN_TEXT)
            payload.append(ln.rstrip())
            i += 1
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


def leading_text(
    text: str, kind: str, blocks: list[CaptionBlock], *, raw: bool = False
) -> tuple[int, str] | None:
    """Text before the first cue that is not a WebVTT header or NOTE/STYLE/REGION block.

    Returns ``(first line, text)`` or ``None``.
    """
    lines = (text if raw else ensure_normalised(text)).split("\n")
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


# --- cue text -------------------------------------------------------------------------------------------

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*?)[ \t]*>")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.,]*>|</?[a-z]>|\{\\[^}]*\}")
_LABEL_BRACKET = re.compile(r"^\[(?P<name>[^\[\]]{1,40})\][ \t]*:?[ \t]*(?P<text>\S.*)$")
_LABEL_COLON = re.compile(
    r"^(?P<name>[^\W\d_][\w.'’\-]*(?:[ \t]+[\w.'’\-]+){0,3})[ \t]*:[ \t]+(?P<text>\S.*)$"
)
_SPACES = re.compile(r"\s+")
_INVISIBLE = str.maketrans({"\u200e": "", "\u200f": "", "\u200b": "", "\u2060": "", "\ufeff": ""})

_SOUNDS = (
    "music applause laughter laughs laughing inaudible crosstalk silence noise cheering sighs sigh "
    "coughs cough indistinct unintelligible foreign speaking background chuckles chuckling groans "
    "gasps sound sounds static beep beeping ringing phone door"
)
SOUND_WORDS = frozenset(_SOUNDS.split())  # bracketed words that are sound labels, not speakers


def clean_cue_text(raw: str) -> tuple[str | None, str]:
    """``(voice, text)``: the first ``<v Name>`` voice, and the text with tags stripped, entities decoded."""
    m = _VOICE.search(raw)
    voice = m[1].strip() or None if m else None
    text = _TAG.sub("", raw)
    text = html.unescape(text).translate(_INVISIBLE)
    return voice, _SPACES.sub(" ", text).strip()


def split_speaker(text: str) -> tuple[str | None, str]:
    """A leading ``NAME:`` or ``[Name]`` label, when it looks like a speaker (not ``[music]``)."""
    m = _LABEL_BRACKET.match(text)
    if m:
        name = m["name"].strip()
        if name[:1].isupper() and not set(name.lower().split()) & SOUND_WORDS and len(name.split()) <= 4:
            return name, m["text"].strip()
        return None, text
    m = _LABEL_COLON.match(text)
    if m and m["name"][:1].isupper():
        return m["name"].strip(), m["text"].strip()
    return None, text


def _is_strict(kind: str, value: str) -> bool:
    return is_strict_srt(value) if kind == "srt" else is_strict_vtt(value)


def captions_to_turns(text: str, kind: str, *, path: str = "<input>") -> tuple[list[Turn], list[Finding]]:
    """Read a caption file into turns (one per cue) and ``P006`` findings for what needed leniency.

    A cue whose start cannot be read, or with no text, cannot be used: it is left out and reported with
    its text. A cue whose end is unreadable or before its start is kept with ``end_ms=None``. A file
    without any timing line raises :class:`~toolkit.errors.NoTimestampsError`.
    """
    blocks = scan_captions(text, kind, path=path)
    if not blocks:
        message = f"no cue timing lines (start --> end) found in this {kind.upper()} file"
        raise NoTimestampsError(message, path=path)
    findings: list[Finding] = []
    turns: list[Turn] = []
    lead = leading_text(text, kind, blocks)
    if lead is not None:
        first, body = lead
        findings.append(
            finding("P006", "text before the first cue was ignored", path=path, line=first, text=body)
        )
    grouped: dict[str, list[int]] = defaultdict(list)
    for n, b in enumerate(blocks, start=1):
        for note in b.notes:
            grouped[note].append(b.line)
        if not (_is_strict(kind, b.start_text) and _is_strict(kind, b.end_text)):
            grouped["cue time not in the strict form"].append(b.line)
        raw = "\n".join(b.lines)
        voice_parts: list[str | None] = []
        texts: list[str] = []
        for ln in b.lines:
            v, t = clean_cue_text(ln)
            voice_parts.append(v)
            if t:
                texts.append(t)
        body = " ".join(texts)
        speaker = next((v for v in voice_parts if v), None)
        if speaker is None and body:
            speaker, body = split_speaker(body)
        if b.start_ms is None:
            findings.append(
                finding(
                    "P006",
                    f"cue {n}: start time {b.start_text!r} cannot be read; the cue was left out",
                    path=path,
                    line=b.line,
                    cue=n,
                    text=body or raw,
                    start=b.start_text,
                    end=b.end_text,
                )
            )
            continue
        if not body:
            findings.append(
                finding(
                    "P006",
                    f"cue {n} has no text; it was left out",
                    path=path,
                    line=b.line,
                    cue=n,
                    text=raw,
                    start=b.start_text,
                    end=b.end_text,
                )
            )
            continue
        end_ms = b.end_ms
        if end_ms is None:
            findings.append(
                finding(
                    "P006",
                    f"cue {n}: end time {b.end_text!r} cannot be read; kept without an end",
                    path=path,
                    line=b.line,
                    cue=n,
                    text=body,
                    end=b.end_text,
                )
            )
        elif end_ms < b.start_ms:
            findings.append(
                finding(
                    "P006",
                    f"cue {n} ends ({b.end_text}) before it starts ({b.start_text}); kept without an end",
                    path=path,
                    line=b.line,
                    cue=n,
                    text=body,
                    start_ms=b.start_ms,
                    end_ms=end_ms,
                )
            )
            end_ms = None
        turns.append(Turn(speaker=speaker, start_ms=b.start_ms, text=body, line=b.line, end_ms=end_ms))
    for problem, where in grouped.items():
        count = len(where)
        plural = "s" if count != 1 else ""
        findings.append(
            finding(
                "P006",
                f"{problem}: {count} cue{plural} (first on line {where[0]}); read leniently",
                path=path,
                line=where[0],
                problem=problem,
                count=count,
                lines=where,
            )
        )
    findings.sort(key=lambda f: f.line or 0)
    return turns, findings
