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

from ..captions.scan import (
    NOTE_BAD_INDEX,
    NOTE_BLANK_IN_TEXT,
    NOTE_NO_BLANK_BEFORE_NEXT,
    NOTE_NO_INDEX,
    CaptionBlock,
    leading_text,
    scan_captions,
)
from ..errors import NoTimestampsError
from ..model import Finding, Turn
from ..rules import finding
from ..timecode import is_strict_srt, is_strict_vtt

__all__ = [
    "NOTE_BAD_INDEX",
    "NOTE_BLANK_IN_TEXT",
    "NOTE_NO_BLANK_BEFORE_NEXT",
    "NOTE_NO_INDEX",
    "CaptionBlock",
    "captions_to_turns",
    "clean_cue_text",
    "leading_text",
    "scan_captions",
    "split_speaker",
]

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
