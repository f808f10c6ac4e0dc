"""The catalogue of finding codes: one table for the code, the CLI, the README and the tests.

Every stage reports problems as :class:`~toolkit.model.Finding` values built with :func:`finding`, so a
code's severity and meaning are defined once, here. ``P`` = parsing, ``T`` = transcript timing and
repair, ``C`` = caption layout and timing, ``M`` = checks against the media, ``A`` = word alignment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .model import Finding, Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    name: str
    description: str
    applies_to: str  # "transcript", "captions", "both", "media"
    check: Callable[..., Iterable[Finding]] | None = None  # set where a rule is a standalone check


RULES: tuple[Rule, ...] = (
    # parsing
    Rule(
        "P001",
        I,
        "page-text-dropped",
        "Page text before or after the transcript was dropped (line range given).",
        "transcript",
    ),
    Rule(
        "P002",
        I,
        "encoding-fallback",
        "The file was not UTF-8; the encoding used to read it is named.",
        "both",
    ),
    Rule("P003", E, "malformed-timestamp", "A timestamp that cannot be a time, e.g. [00:61:00].", "both"),
    Rule(
        "P004",
        W,
        "turn-without-timestamp",
        "A speaker turn has no timestamp; its start was estimated.",
        "transcript",
    ),
    Rule(
        "P005",
        I,
        "speaker-variants",
        "One speaker is written several ways; the variants were merged.",
        "transcript",
    ),
    Rule(
        "P006",
        W,
        "caption-syntax-repaired",
        "A caption file needed lenient reading (missing index, bad separator, ...).",
        "captions",
    ),
    # transcript timing and repair
    Rule(
        "T001",
        E,
        "timestamp-backwards",
        "A turn's timestamp is earlier than the one before it.",
        "transcript",
    ),
    Rule(
        "T002",
        W,
        "duplicate",
        "A duplicated turn, run of turns or sentence; the copy removed is reported.",
        "transcript",
    ),
    Rule(
        "T003",
        W,
        "implausible-rate",
        "The time to the next turn does not fit the words spoken at the speaker's rate.",
        "transcript",
    ),
    Rule("T004", I, "same-speaker-twice", "The same speaker has two turns in a row.", "transcript"),
    Rule(
        "T005", W, "time-base-jump", "A run of turns is shifted by a constant against the rest.", "transcript"
    ),
    Rule("T006", E, "past-media-end", "A timestamp lies after the end of the media.", "transcript"),
    Rule(
        "T007",
        W,
        "timestamp-reestimated",
        "A turn's timestamp was replaced by an estimate (reason given).",
        "transcript",
    ),
    Rule(
        "T008",
        W,
        "block-moved",
        "A block of turns pasted out of order was moved to where its timestamps belong.",
        "transcript",
    ),
    # captions
    Rule("C001", W, "line-too-long", "A line has more characters than the profile allows.", "captions"),
    Rule("C002", W, "too-many-lines", "A cue has more lines than the profile allows.", "captions"),
    Rule("C003", W, "reading-speed", "Characters per second above the profile's reading speed.", "captions"),
    Rule("C004", W, "too-short", "A cue is shown for less than the profile's minimum duration.", "captions"),
    Rule("C005", W, "too-long", "A cue is shown for longer than the profile's maximum duration.", "captions"),
    Rule("C006", W, "gap-too-small", "The gap to the next cue is under the profile's minimum.", "captions"),
    Rule("C007", E, "overlap", "A cue starts before the previous one ends.", "captions"),
    Rule("C008", E, "start-backwards", "A cue starts before the previous cue's start.", "captions"),
    Rule("C009", E, "end-not-after-start", "A cue ends at or before its start.", "captions"),
    Rule("C010", E, "empty-cue", "A cue has no text.", "captions"),
    Rule(
        "C011",
        E,
        "timestamp-syntax",
        "A cue time is not valid for the format (comma in VTT, missing hours in SRT, ...).",
        "captions",
    ),
    Rule("C012", E, "unescaped-markup", "A bare & or < in WebVTT cue text.", "captions"),
    Rule("C013", W, "repeated-text", "Consecutive cues carry the same text.", "captions"),
    Rule("C014", E, "past-media-end", "A cue lies after the end of the media.", "captions"),
    # against the media
    Rule("M001", W, "timestamp-in-silence", "No speech near a turn's timestamp.", "media"),
    Rule(
        "M002",
        W,
        "speech-without-text",
        "A stretch of speech has no transcript text (missing content).",
        "media",
    ),
    Rule("M003", W, "text-without-speech", "Transcript text falls where the audio has no speech.", "media"),
    Rule("M004", I, "offset-detected", "The text is offset against the audio by a constant.", "media"),
    Rule(
        "M005",
        W,
        "jump-detected",
        "The offset against the audio changes at a point (a cut or a chunk boundary).",
        "media",
    ),
    Rule(
        "M006",
        W,
        "sync-low-confidence",
        "Synchronisation was not confident; the original timing was kept.",
        "media",
    ),
    # word alignment
    Rule(
        "A001",
        W,
        "alignment-fallback",
        "Forced alignment failed for a turn; its cues were timed by the rate model.",
        "media",
    ),
    Rule(
        "A002",
        I,
        "alignment-recovered",
        "Audio not in the transcript (music, an interjection) was detected and skipped.",
        "media",
    ),
)

RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}


def finding(
    code: str,
    message: str,
    *,
    path: str | None = None,
    line: int | None = None,
    cue: int | None = None,
    severity: Severity | None = None,
    **data: Any,
) -> Finding:
    """Build a finding for a catalogued code; ``data`` holds the numbers behind the message."""
    rule = RULES_BY_CODE[code]  # KeyError = a code that is not in the table: a programming error
    return Finding(
        code=code,
        severity=severity or rule.severity,
        message=message,
        path=path,
        line=line,
        cue=cue,
        data=data,
    )
