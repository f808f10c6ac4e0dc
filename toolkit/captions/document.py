"""The caption document: a caption file as its format wrote it, cue by cue, in integer milliseconds.

A :class:`Caption` keeps its text in WebVTT cue-text syntax (the richest of the two formats): line
breaks as written, ``<i> <b> <u>``, ``<c.class>``, ``<v Name>``, ``<lang>``, ``<ruby>`` and timestamp
tags, and ``&amp; &lt; &gt;`` for the characters that are text. SRT files are read into the same syntax
(``<font color>`` becomes a class with a STYLE rule, ``{\\anN}`` becomes cue settings), so one document
serves both formats and every conversion is a translation of one model, never a re-segmentation.
:class:`Captions` is immutable: ``shift``, ``scale``, ``filter`` and ``rename_speakers`` return new
documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..io import atomic_write_text
from ..markup import escape_vtt, unescape
from ..model import Finding
from .write import dumps, format_for

__all__ = ["Block", "Caption", "Captions", "plain_text", "voices"]

_TAG = re.compile(r"<[^>]*>?")  # a WebVTT tag ends at '>' or at the end of the text
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t\f]+([^>]*?)[ \t\f]*>")
_VOICE_NAME = re.compile(r"(<v(?:\.[^\s>]*)?[ \t\f]+)([^>]*?)([ \t\f]*>)")


def plain_text(text: str) -> str:
    """Cue text as shown: tags removed, character references decoded, line breaks kept."""
    if "<" not in text and "&" not in text:
        return text
    return unescape(_TAG.sub("", text))


def voices(text: str) -> list[str]:
    """The names of the ``<v Name>`` spans in ``text``, in order."""
    return [unescape(m[1]) for m in _VOICE.finditer(text)] if "<v" in text else []


@dataclass(frozen=True, slots=True)
class Caption:
    """One cue: ``text`` in WebVTT cue-text syntax, shown from ``start_ms`` to ``end_ms``.

    ``settings`` are the WebVTT cue settings as ``(name, value)`` pairs, in file order; ``identifier`` the
    WebVTT cue identifier; ``line`` the 1-based source line of the timing line. A file may hold a cue
    that ends before it starts (browsers keep it and never show it): the model keeps it too, and
    ``validate`` reports it.
    """

    start_ms: int
    end_ms: int
    text: str
    identifier: str = ""
    settings: tuple[tuple[str, str], ...] = ()
    line: int | None = None

    def __post_init__(self) -> None:
        if self.start_ms < 0 or self.end_ms < 0:
            raise ValueError(f"cue time before 0: {self.start_ms}..{self.end_ms} ms")

    @property
    def plain(self) -> str:
        """The text as shown (tags removed, references decoded), line breaks kept."""
        return plain_text(self.text)

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.plain.split("\n"))

    @property
    def speaker(self) -> str | None:
        """The first ``<v Name>`` voice of the cue, if any."""
        found = voices(self.text)
        return found[0] if found else None

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def setting(self, name: str) -> str | None:
        for key, value in reversed(self.settings):
            if key == name:
                return value
        return None

    def shifted(self, ms: int) -> Caption:
        return replace(self, start_ms=max(0, self.start_ms + ms), end_ms=max(0, self.end_ms + ms))


@dataclass(frozen=True, slots=True)
class Block:
    """A WebVTT block that is not a cue: ``STYLE``, ``REGION`` or ``NOTE``, as written.

    ``before`` is the index of the cue it precedes (``len(cues)`` after the last cue).
    """

    kind: str  # "STYLE" | "REGION" | "NOTE"
    text: str  # the whole block, first line included
    before: int
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Captions:
    """A caption file: its cues in file order, its header and its non-cue blocks."""

    cues: tuple[Caption, ...]
    format: str = "vtt"  # the format it was read from: "srt" or "vtt"
    header: str = ""  # WebVTT: the rest of the WEBVTT line and the header lines below it, as written
    blocks: tuple[Block, ...] = ()
    path: str | None = None
    encoding: str = "utf-8"
    findings: tuple[Finding, ...] = field(default=(), compare=False)

    def __len__(self) -> int:
        return len(self.cues)

    def __iter__(self) -> Iterator[Caption]:
        return iter(self.cues)

    def __getitem__(self, index: int) -> Caption:
        return self.cues[index]

    @property
    def styles(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if b.kind == "STYLE")

    @property
    def speakers(self) -> tuple[str, ...]:
        """Every voice name used, in order of first appearance."""
        seen: dict[str, None] = {}
        for cue in self.cues:
            for name in voices(cue.text):
                seen.setdefault(name, None)
        return tuple(seen)

    # --- editing: each returns a new document ------------------------------------------------------

    def shift(self, ms: int = 0, *, s: float = 0.0) -> Captions:
        """Every cue moved by ``ms`` milliseconds plus ``s`` seconds (times stop at 0)."""
        delta = ms + round(s * 1000)
        return replace(self, cues=tuple(c.shifted(delta) for c in self.cues), findings=())

    def scale(self, factor: float, *, anchor_ms: int = 0) -> Captions:
        """Every time ``t`` becomes ``anchor + (t - anchor) * factor`` (a frame-rate change: 25/23.976)."""
        if factor <= 0:
            raise ValueError("the scale factor must be positive")

        def at(t: int) -> int:
            return max(0, round(anchor_ms + (t - anchor_ms) * factor))

        cues = tuple(replace(c, start_ms=at(c.start_ms), end_ms=at(c.end_ms)) for c in self.cues)
        return replace(self, cues=cues, findings=())

    def filter(self, keep: Callable[[Caption], bool]) -> Captions:
        """Only the cues for which ``keep(cue)`` is true (blocks keep their place)."""
        kept: list[Caption] = []
        new_index: list[int] = []
        for cue in self.cues:
            new_index.append(len(kept))
            if keep(cue):
                kept.append(cue)
        new_index.append(len(kept))
        blocks = tuple(replace(b, before=new_index[min(b.before, len(self.cues))]) for b in self.blocks)
        return replace(self, cues=tuple(kept), blocks=blocks, findings=())

    def map(self, change: Callable[[Caption], Caption]) -> Captions:
        return replace(self, cues=tuple(change(c) for c in self.cues), findings=())

    def rename_speakers(self, names: Mapping[str, str]) -> Captions:
        """Voices renamed (``{"Tuker": "Tucker"}`` merges a misspelt speaker into the right one)."""

        def rename(m: re.Match[str]) -> str:
            name = unescape(m[2])
            return m[1] + escape_vtt(names.get(name, name)) + m[3]

        return self.map(lambda c: replace(c, text=_VOICE_NAME.sub(rename, c.text)) if "<v" in c.text else c)

    def sorted(self) -> Captions:
        """Cues in order of start (stable), as players show them."""
        order = sorted(range(len(self.cues)), key=lambda k: self.cues[k].start_ms)
        if order == list(range(len(self.cues))):
            return self
        return replace(self, cues=tuple(self.cues[k] for k in order), findings=())

    # --- output -------------------------------------------------------------------------------------

    def to_string(self, fmt: str = "vtt", *, speaker_style: str = "upper") -> str:
        """The document as SRT or WebVTT text (what SRT cannot carry: see ``convert_findings``)."""
        return dumps(self, fmt, speaker_style=speaker_style)[0]

    def convert_findings(self, fmt: str, *, speaker_style: str = "upper") -> tuple[Finding, ...]:
        """What writing this document as ``fmt`` cannot keep, cue by cue."""
        return tuple(dumps(self, fmt, speaker_style=speaker_style)[1])

    def save(
        self, path: str | Path, fmt: str | None = None, *, speaker_style: str = "upper"
    ) -> list[Finding]:
        """Write the document (format from the extension unless given), atomically; returns what was lost."""
        target = format_for(str(path), fmt)
        text, findings = dumps(self, target, speaker_style=speaker_style, path=str(path))
        protect = [self.path] if self.path else []
        atomic_write_text(path, text, protect=protect)
        return findings
