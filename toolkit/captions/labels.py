"""Speaker labels in caption text: when ``NAME:`` opening a cue is a speaker, and when it is just text.

A caption file's text is the viewer's text: ``And the world says: "Let it die."`` and ``La Savoie : ...``
are words, not speakers. Meeting tools (Zoom) write transcripts as captions, every cue opening with the
speaker's name; only that convention, seen across the whole file, makes labels speakers.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

from ..io import valid_text

__all__ = [
    "CALLOUT_WORDS",
    "MAX_MEETING_SPEAKERS",
    "MEETING_SHARE",
    "SOUND_WORDS",
    "is_callout",
    "meeting_labels",
    "metadata_speech",
    "split_speaker",
]

_LABEL_BRACKET = re.compile(r"^\[(?P<name>[^\[\]]{1,40})\][ \t]*:?[ \t]*(?P<text>\S.*)$")
_LABEL_COLON = re.compile(
    r"^(?P<name>"
    r"[^\W\d_][\w.'’\-]*(?:[ \t]+[\w.'’\-]+){0,3}"  # one to four words: "John", "Mary Ann de Vries"
    r"(?:,[ \t]*[^\W\d_][\w.'’\-]*(?:[ \t]+[\w.'’\-]+)?)?"  # "Last, First" (Teams, Outlook)
    r"(?:[ \t]*\([^()\n]{1,30}\))?"  # "(she/her)", "(Contoso)"
    r"|\+\d[\d \-]{5,18}\d|\d{3}[ \-]?\d{3}[ \-]?\d{4}"  # a caller: "+1 415 555 0100", "415-555-0100"
    r")(?:[ \t]*:[ \t]+|[ \t]*：[ \t]*)(?P<text>\S.*)$"  # a full-width colon needs no space after it
)
_SOUNDS = (
    "music applause laughter laughs laughing inaudible crosstalk silence noise cheering sighs sigh "
    "coughs cough indistinct unintelligible foreign speaking background chuckles chuckling groans "
    "gasps sound sounds static beep beeping ringing phone door"
)
SOUND_WORDS = frozenset(_SOUNDS.split())  # bracketed words that are sound labels, not speakers


def split_speaker(text: str) -> tuple[str | None, str]:
    """A leading ``NAME:`` or ``[Name]`` label, when it looks like a speaker (not ``[music]``)."""
    m = _LABEL_BRACKET.match(text)
    if m:
        name = m["name"].strip()
        if name[:1].isupper() and not set(name.lower().split()) & SOUND_WORDS and len(name.split()) <= 4:
            return name, m["text"].strip()
        return None, text
    m = _LABEL_COLON.match(text)
    if m and not m["name"][:1].islower():  # a capital, a script without case (李雷), a caller's number
        return m["name"].strip(), m["text"].strip()
    return None, text


# the labels speaker-diarization tools write (WhisperX, pyannote, whisper-ctranslate2): never a film's text
_DIARIZED = re.compile(r"^(?:SPEAKER|Speaker|speaker|SPK|spk)[ _-]?\d{1,3}$")
MEETING_SHARE = 0.8  # the share of cues that must open with a name label for the file to be a meeting's
MAX_MEETING_SPEAKERS = 20


# words that open a caption the way a label does without naming anyone ("Note: ...", "Step 1: ...")
CALLOUT_WORDS = frozenset(
    [
        "note", "notes", "warning", "caution", "tip", "hint", "important", "update", "reminder", "memo",
        "example", "answer", "question", "q", "a", "source", "step", "chapter", "part", "section", "scene",
        "act", "title", "summary", "fact", "quote", "translation", "lyrics", "ps", "nb", "fyi", "edit",
        "spoiler", "trivia", "disclaimer", "credits", "注意", "提示", "注", "警告", "备注",
    ]
)  # fmt: skip


_NUMBER = re.compile(
    r"\d{1,3}[a-z]?|[IVXivx]{1,5}|one|two|three|four|five|six|seven|eight|nine|ten", re.IGNORECASE
)


def is_callout(name: str) -> bool:
    """``Note``, ``Tip``, ``Step 1``, ``Part II``: a callout word alone or with a number, not a participant
    (``Tip Jar`` and ``Note Taker`` are names)."""
    words = name.split()
    if not words or words[0].casefold().rstrip(".") not in CALLOUT_WORDS or len(words) > 2:
        return False
    return len(words) == 1 or bool(_NUMBER.fullmatch(words[1]))


def meeting_labels(texts: list[str]) -> dict[int, tuple[str, str]] | None:
    """Speaker labels in caption text when the whole file follows a meeting tool's convention.

    Zoom writes every cue as ``John Smith: Hello``: nearly every cue opens with one of a few names. A
    film's ``And the world says: "Let it die."`` is one cue among many, so a file is taken as a meeting
    transcript only when at least :data:`MEETING_SHARE` of its cues open with a label, there are at most
    :data:`MAX_MEETING_SPEAKERS` names, and (from four cues) most labelled cues open with a name used
    more than once: a participant who speaks once is a speaker too, one-off words before colons are not.
    Returns ``{cue index: (name, text)}``, or ``None``.
    """
    found: dict[int, tuple[str, str]] = {}
    counts: dict[str, int] = defaultdict(int)
    for k, text in enumerate(texts):
        name, rest = split_speaker(text)
        if name is not None and rest and not is_callout(name):
            found[k] = (name, rest)
            counts[name] += 1
    spoken = sum(1 for t in texts if t)
    if len(found) >= 2 and all(_DIARIZED.match(name) for name in counts):
        return found  # a diarizer's labels (SPEAKER_00, Speaker 1): speakers wherever they appear
    if not found or len(found) < MEETING_SHARE * spoken or len(counts) > MAX_MEETING_SPEAKERS:
        return None
    if spoken >= 4 and sum(n for n in counts.values() if n >= 2) < len(found) / 2:
        return None  # most labels are one-offs: words before a colon, not a meeting's speakers
    return found


def metadata_speech(text: str) -> tuple[str | None, str] | None:
    """``(speaker, text)`` of a cue whose payload is a meeting tool's JSON record (Microsoft Teams'
    ``metadataContent``: ``{"speakerName": ..., "spokenText": ...}``), or ``None`` for caption text."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}") and '"spokenText"' in body):
        return None
    try:
        record = json.loads(body)
    except (ValueError, RecursionError):
        return None
    spoken = record.get("spokenText") if isinstance(record, dict) else None
    if not isinstance(spoken, str):
        return None
    name = record.get("speakerName")
    speaker = " ".join(valid_text(name).split()) or None if isinstance(name, str) else None
    return speaker, " ".join(valid_text(spoken).split())
