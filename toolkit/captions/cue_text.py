"""WebVTT cue text as tokens: the one tag walk behind the writers that translate a caption's markup.

A caption's text (:mod:`.model`) is WebVTT cue-text syntax. :func:`cue_tokens` splits it into text (with
its character references decoded), start tags with their classes and annotation (``<v.loud Anna>`` is
``StartTag("v", ("loud",), "Anna")``), end tags and word timestamps; a tag ends at ``>`` or at the end of
the text. The SRT writer (:mod:`.write`) and the delivery writers (:mod:`.delivery.styled`) walk these
tokens and decide, each for its target, what a tag becomes; what no target carries is named here once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..markup import unescape

__all__ = ["SPAN_LOSSES", "WORD_TIMESTAMPS", "CueToken", "EndTag", "StartTag", "TimestampTag", "cue_tokens"]

WORD_TIMESTAMPS = "word timestamps"  # what a writer reports for the timestamp tags it leaves out
SPAN_LOSSES = {  # spans no target format carries, as a writer reports them (ruby text is kept in brackets)
    "lang": "language spans",
    "ruby": "ruby annotations (written in brackets)",
}

_TOKEN = re.compile(r"<([^>]*)>?")
_TIMESTAMP = re.compile(r"^[\d:.]+$")
_TAG_PARTS = re.compile(r"([^ \t\f]*)[ \t\f]*(.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class StartTag:
    """``<name.class1.class2 annotation>``; the annotation (a voice's name) decoded, not trimmed."""

    name: str
    classes: tuple[str, ...]
    annotation: str


@dataclass(frozen=True, slots=True)
class EndTag:
    """``</name>``, the name trimmed."""

    name: str


@dataclass(frozen=True, slots=True)
class TimestampTag:
    """A word timestamp such as ``<00:00:01.500>``, as written."""

    text: str


CueToken = str | StartTag | EndTag | TimestampTag  # str: text, character references decoded


def cue_tokens(text: str) -> Iterator[CueToken]:
    """The tokens of WebVTT cue text, in order; text is never empty."""
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            yield unescape(text[pos : m.start()])
        pos = m.end()
        inner = m[1]
        if inner.startswith("/"):
            yield EndTag(inner[1:].strip())
        elif _TIMESTAMP.match(inner):
            yield TimestampTag(inner)
        else:
            parts = _TAG_PARTS.match(inner)
            assert parts is not None  # the pattern matches any text
            name, *classes = parts[1].split(".")
            yield StartTag(name, tuple(classes), unescape(parts[2]))
    if pos < len(text):
        yield unescape(text[pos:])
