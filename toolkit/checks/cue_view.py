"""What the caption checks read: a cue as scanned, the context of the file, and its text as shown.

The first half of :mod:`toolkit.checks.caption_rules` (the checks, one per ``C`` rule): the block
protocol a check reads (the caption scanner's blocks and a caption document's cues both fit it), the
:class:`CaptionContext` every check gets, and the counting conventions shared by the checks and by
:mod:`toolkit.checks.limits`.

Counting conventions (the style guides the profiles cite): characters are what a viewer sees, so tags
(``<i>``, ``<v Name>``, ``<00:00:01.000>``, ``{\\an8}``) are not counted, WebVTT entities (``&amp;``)
count as one character, and spaces and punctuation are counted. Reading speed counts the characters of
all lines, without the line breaks, over the cue's duration.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from ..markup import unescape
from ..profiles import Profile
from .limits import ShownCue

__all__ = ["SPACES", "VTT_ENTITY", "VTT_TAG", "BlockLike", "CaptionContext", "shown_cues", "visible_text"]


class BlockLike(Protocol):
    """What a check reads from a scanned cue (``toolkit.parse.caption_files.CaptionBlock`` has these)."""

    @property
    def line(self) -> int: ...
    @property
    def start_text(self) -> str: ...
    @property
    def end_text(self) -> str: ...
    @property
    def start_ms(self) -> int | None: ...
    @property
    def end_ms(self) -> int | None: ...
    @property
    def lines(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class CaptionContext:
    """What the checks need besides the blocks: where, which format, which limits."""

    path: str
    kind: str  # "srt" or "vtt"
    profile: Profile
    duration_ms: int | None = None  # media duration, for C014
    first_line: str | None = None  # the file's first line, for the WebVTT header check (None: not checked)
    syntax: str | None = None  # the cue text's markup when it is not the file's (a caption document: "vtt")

    @property
    def text_kind(self) -> str:
        return self.syntax or self.kind


_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.,]*>|\{\\[^}]*\}")
SPACES = re.compile(r"\s+")
# WebVTT: a tag is <name...>, </name> or a timestamp tag; anything else starting with < is text
VTT_TAG = re.compile(r"</?[A-Za-z][^<>\s]*(?:[ \t][^<>]*)?>|<\d[\d:.]*>")
VTT_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#[xX][0-9A-Fa-f]+);")


@lru_cache(maxsize=8192)  # each check reads every line again: strip the tags once
def visible_text(line: str, kind: str = "vtt") -> str:
    """A payload line as a viewer sees it: tags removed, WebVTT entities decoded. WebVTT knows only its own
    tags: ``{\an8}`` there is text a browser shows."""
    if "<" not in line and "&" not in line and (kind == "vtt" or "{" not in line):
        return line
    if kind == "vtt":
        return unescape(VTT_TAG.sub("", line))
    return _TAG.sub("", line)


def _chars(b: BlockLike, kind: str) -> int:
    return sum(len(SPACES.sub(" ", visible_text(raw, kind)).strip()) for raw in b.lines)


def shown_cues(blocks: Sequence[BlockLike], ctx: CaptionContext) -> list[ShownCue]:
    """The blocks as a viewer sees them, for the profile's limits (:mod:`toolkit.checks.limits`)."""
    kind = ctx.text_kind
    return [
        ShownCue(
            n,
            b.line,
            b.start_ms,
            b.end_ms,
            tuple(visible_text(raw, kind) for raw in b.lines),
            _chars(b, kind),
            line_offset=True,
        )
        for n, b in enumerate(blocks, start=1)
    ]
