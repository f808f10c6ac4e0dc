"""The data model: frozen values in integer milliseconds.

``Turn`` is what a parser reads (one speaker's stretch of speech with the timestamp the transcript gave),
``Cue`` is what a writer emits, ``Word`` is a forced-alignment result and ``Finding`` is any problem a stage
found, with its source line. Invariants are checked on construction, so an invalid cue cannot exist.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import one_line


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Word:
    """One aligned word: its text as written in the transcript and when it is spoken."""

    text: str
    start_ms: int
    end_ms: int

    def __post_init__(self) -> None:
        if self.start_ms < 0 or self.end_ms < self.start_ms:
            raise ValueError(f"bad word timing {self.start_ms}..{self.end_ms} for {self.text!r}")


@dataclass(frozen=True, slots=True)
class Turn:
    """A speaker turn as the transcript gives it.

    ``start_ms`` is the transcript's timestamp (``None`` when the turn had none). ``line`` is the 1-based
    line of the turn start in the source file. ``end_ms`` is known only when the source gives it (caption
    files, word-level exports, media alignment). ``source_start_ms`` keeps the timestamp as written when a
    stage re-times the turn.
    """

    speaker: str | None
    start_ms: int | None
    text: str
    line: int
    end_ms: int | None = None
    source_start_ms: int | None = None
    words: tuple[Word, ...] = ()

    def __post_init__(self) -> None:
        if self.start_ms is not None and self.start_ms < 0:
            raise ValueError(f"negative start {self.start_ms} on line {self.line}")
        if self.end_ms is not None and self.start_ms is not None and self.end_ms < self.start_ms:
            raise ValueError(f"turn on line {self.line} ends before it starts")

    def retimed(self, start_ms: int) -> Turn:
        """This turn moved to start at ``start_ms``.

        A known end and the word times move with it (the turn keeps its duration), and
        ``source_start_ms`` keeps the timestamp as first written.
        """
        source = self.source_start_ms if self.source_start_ms is not None else self.start_ms
        if self.start_ms is None:
            end = self.end_ms if self.end_ms is not None and self.end_ms >= start_ms else None
            return replace(self, start_ms=start_ms, end_ms=end, source_start_ms=source)
        delta = start_ms - self.start_ms
        return replace(
            self,
            start_ms=start_ms,
            end_ms=None if self.end_ms is None else self.end_ms + delta,
            source_start_ms=source,
            # a word timed before its turn's start (a mistyped time in a word-level export) stops at 0
            words=tuple(
                Word(w.text, max(0, w.start_ms + delta), max(0, w.end_ms + delta)) for w in self.words
            ),
        )


@dataclass(frozen=True, slots=True)
class Cue:
    """One caption: display lines shown from ``start_ms`` to ``end_ms``.

    ``lines`` hold the spoken text only (no speaker labels, no dashes); ``speakers`` gives the speaker of
    each line (a cue with two speakers is written in the dash style). ``turn`` is the index of the turn
    the cue came from, ``line`` that turn's source line.
    """

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    speakers: tuple[str | None, ...] = ()
    turn: int | None = None
    line: int | None = None
    words: tuple[Word, ...] = ()

    def __post_init__(self) -> None:
        if self.start_ms < 0:
            raise ValueError(f"cue starts at negative time {self.start_ms}")
        if self.end_ms <= self.start_ms:
            raise ValueError(f"cue ends at {self.end_ms} ms, not after its start {self.start_ms} ms")
        if self.speakers and len(self.speakers) != len(self.lines):
            raise ValueError("speakers must give one speaker per line")

    @property
    def text(self) -> str:
        """The spoken text on one line (lines joined by a space)."""
        return " ".join(self.lines)

    @property
    def speaker(self) -> str | None:
        return self.speakers[0] if self.speakers else None

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found in an input or an output, with where it is and the numbers behind it."""

    code: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    cue: int | None = None  # 1-based cue index in the output/caption file, when about a cue
    data: Mapping[str, Any] = field(default_factory=dict)

    def format(self) -> str:
        where = f"{one_line(self.path or '<input>')}:{self.line if self.line is not None else 0}:"
        return f"{where} {self.code} {self.severity.value}: {one_line(self.message)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "cue": self.cue,
            "message": self.message,
            "data": dict(self.data),
        }


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed input file: its turns plus what the parser noticed."""

    path: str
    kind: str  # "transcript", "srt" or "vtt"
    turns: tuple[Turn, ...]
    findings: tuple[Finding, ...] = ()
    encoding: str = "utf-8"
    layout: str | None = None  # name of the transcript layout detected
    line_count: int = 0
    layout_confidence: float | None = None  # the share of the timed lines the layout reads as turn starts
    # no timestamp in the file (read for convert --media): the first turn's 0 is a placeholder that the
    # media stage replaces with where its words are said (toolkit.align.first_speech)
    untimed: bool = False
