"""The transcript layouts captionkit recognises, as data: one :class:`Layout` per shape seen in the wild.

Each layout says which lines start a turn (``starts``: regexes with the groups ``ts`` and optionally
``name`` and ``text``) and which timed lines continue the previous speaker (``same_speaker``). Detection
counts, for every layout, the lines it would read as turn starts and picks the layout with the most
(ties go to the more specific layout, earlier in :data:`LAYOUTS`). Timestamps are matched loosely here
(``00:61:00`` is a turn start) and read by :func:`toolkit.timecode.parse_timestamp`, which says what is
wrong with a malformed one.

Brackets that hold anything besides a timestamp (``[crosstalk 00:42:40]``, ``[T]he``, ``[Putin]``) are
never turn starts: every pattern anchors the timestamp in a bracket of its own or at a fixed place. A
bracketed timestamp may be a range (``[00:00.000 --> 00:04.000]``, as Whisper prints): the second time is
the turn's end. A bare ``[HH:MM:SS]`` inside the text of a speaker layout starts a new turn of the same
speaker (transcripts stamp long turns every 30 s or so); see :mod:`toolkit.parse.transcript`.

Layouts (name: shape):

* ``name-bracket-time``: ``Name [HH:MM:SS] text``
* ``time-name-colon``: ``[HH:MM:SS] Name: text``, ``[M:SS] Name : text``, ``[a --> b] SPEAKER_00: text``
* ``name-colon-bracket``: ``Name: [HH:MM:SS] text``
* ``name-paren-time``: ``Name (MM:SS):`` then text (or text on the line); ``(MM:SS):`` same speaker
* ``time-name-line``: ``[HH:MM:SS] Name`` then text lines
* ``otter``: ``Name  M:SS`` then text lines
* ``word-level``: ``start [end] word`` per line, grouped into sentences
* ``youtube``: a bare ``M:SS`` line, then text
* ``time-text``: ``M:SS text`` (no brackets, no speaker)
* ``inline``: ``[00:00:05] text [00:00:07] text`` (also Whisper's ``[a --> b]  text``)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CHAPTER",
    "INLINE_TS",
    "LAYOUTS",
    "LAYOUTS_BY_NAME",
    "Layout",
    "detect_layout",
    "match_start",
    "plausible_name",
]

# loose: M:SS .. HH:MM:SS:FF, fraction with . or , -- the timecode module decides whether it is a time
TS = r"\d{1,3}(?::\d{1,2}){1,3}(?:[.,]\d{1,3})?"
# a speaker name: up to six words of letters, digits and name punctuation (no brackets, colons, commas)
NAME = r"(?P<name>[^\W\d_][\w.'’&\-]*(?:[ \t]+[\w.'’&\-]+){0,5})"
_SEP = r"[ \t]*(?:[:\-–—][ \t]*)?"
# an optional end time: "[00:00.000 --> 00:04.000]" (Whisper), "[00:00:05 - 00:00:09]"
_RANGE = rf"(?:[ \t]*(?:-->|[-–—])[ \t]*(?P<end>{TS}))?"
BR = rf"\[(?P<ts>{TS}){_RANGE}\]"  # a timestamp (or range) alone in square brackets


@dataclass(frozen=True, slots=True)
class Layout:
    """A transcript layout: how a turn start looks, with an example for the docs and tests."""

    name: str
    description: str
    example: str
    starts: tuple[re.Pattern[str], ...]
    same_speaker: re.Pattern[str] | None = None  # a timed line that continues the previous speaker
    speakers: bool = True  # False: the layout names no speakers (YouTube copy, inline, word-level)
    header_only: bool = False  # the start line holds no text; the text follows on the next lines
    strict_names: bool = False  # every name word capitalised (layouts whose start could be a sentence)
    text_follows: bool = False  # detection counts a start only when an untimed line follows it


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_BRACKET_SAME = _c(rf"^{BR}[ \t]*(?P<text>.*)$")

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "name-bracket-time",
        "Name [HH:MM:SS] text (pasted show transcripts)",
        "Tucker [00:42:28] So you believe ...",
        (_c(rf"^{NAME}[ \t]*{BR}{_SEP}(?P<text>.*)$"),),
        _BRACKET_SAME,
    ),
    Layout(
        "time-name-colon",
        "[HH:MM:SS] Name: text, also [M:SS] Name : text (exports, diarisation tools)",
        "[00:42:28] Tucker Carlson: So you believe ...",
        (_c(rf"^\[?(?P<ts>{TS}){_RANGE}\]?[ \t]*{NAME}[ \t]*:[ \t]*(?P<text>.*)$"),),
        _BRACKET_SAME,
    ),
    Layout(
        "name-colon-bracket",
        "Name: [HH:MM:SS] text (Sonix)",
        "Tucker Carlson: [00:42:28] So you believe ...",
        (_c(rf"^{NAME}[ \t]*:[ \t]*{BR}{_SEP}(?P<text>.*)$"),),
        _BRACKET_SAME,
    ),
    Layout(
        "name-paren-time",
        "Name (MM:SS): then text lines, or inline text (Rev, Temi); a bare (MM:SS): continues the speaker",
        "Tucker Carlson (42:28):\nSo you believe ...",
        (
            _c(rf"^{NAME}[ \t]*\((?P<ts>{TS})\)[ \t]*:?[ \t]*(?P<text>.*)$"),
            _c(rf"^{NAME}[ \t]*:[ \t]*\((?P<ts>{TS})\)[ \t]*(?P<text>.*)$"),
        ),
        _c(rf"^\((?P<ts>{TS})\)[ \t]*:[ \t]*(?P<text>.*)$"),
    ),
    Layout(
        "time-name-line",
        "[HH:MM:SS] Name on its own line, then text lines (Descript, Trint, Happy Scribe)",
        "[00:42:28] Tucker Carlson\nSo you believe ...",
        (_c(rf"^{BR}[ \t]*{NAME}[ \t]*$"),),
        _BRACKET_SAME,
        header_only=True,
        strict_names=True,
        text_follows=True,
    ),
    Layout(
        "otter",
        "Name  M:SS on its own line, then text lines (Otter.ai)",
        "Tucker Carlson  42:28\nSo you believe ...",
        (_c(rf"^{NAME}[ \t]+(?P<ts>{TS})$"),),
        _c(rf"^(?P<ts>{TS})$"),
        header_only=True,
        strict_names=True,
    ),
    Layout(
        "word-level",
        "a timestamp (and optionally an end time) and one word per line; words are grouped into sentences",
        "00:00:01.230 00:00:01.480 So",
        (
            _c(
                rf"^[\[(]?(?P<ts>{TS})[\])]?"
                rf"(?:(?:[ \t]*(?:-->|[-–,])[ \t]*|[ \t]+)[\[(]?(?P<end>{TS})[\])]?)?"
                rf"[ \t,]+(?P<text>\S+)$"
            ),
        ),
        speakers=False,
    ),
    Layout(
        "youtube",
        "a bare timestamp line before its text (YouTube 'Show transcript' copy)",
        "42:28\nso you believe the united states is",
        (_c(rf"^[\[(]?(?P<ts>{TS}){_RANGE}[\])]?$"),),
        speakers=False,
        header_only=True,
    ),
    Layout(
        "time-text",
        "a plain timestamp and the text on one line, no speaker (YouTube copy, caption dumps)",
        "0:03 so you believe the united states is",
        (_c(rf"^(?P<ts>{TS}){_RANGE}[ \t]+(?P<text>\S.*)$"),),
        speakers=False,
    ),
    Layout(
        "inline",
        "[HH:MM:SS] timestamps inside running text: [00:00:05] text [00:00:07] text",
        "[00:00:05] So you believe ... [00:00:09] Because ...",
        (),
        speakers=False,
    ),
)
LAYOUTS_BY_NAME: dict[str, Layout] = {lay.name: lay for lay in LAYOUTS}

INLINE_TS = _c(rf"{BR}")
# chapter lists from show notes: "(00:00) Intro", "1:02:15 - Sanctions" -- not speech
CHAPTER = _c(rf"^(?:\((?P<ts>{TS})\)[ \t]+[^:\s]|(?P<ts2>{TS})[ \t]+[-–—][ \t]+[^\d\s])")

_HAS_COLON_DIGIT = re.compile(r"\d:\d")
_ABBREV = frozenset({"mr.", "mrs.", "ms.", "dr.", "jr.", "sr.", "st.", "prof.", "rev.", "gen.", "sen."})


_PARTICLES = frozenset({"de", "van", "von", "da", "del", "der", "la", "le", "bin", "al", "el", "di", "du"})


def plausible_name(name: str, *, strict: bool = False) -> bool:
    """Does this look like a speaker name rather than the start of a sentence?

    At most six words and 48 characters, starting with a letter; capitalised unless it is a single word;
    not ending in a full stop unless it is an abbreviation or an initial (``Dr.``, ``J.``). ``strict``:
    every word capitalised, a number (``Speaker 1``) or a particle (``van``, ``de``).
    """
    words = name.split()
    if not words or len(words) > 6 or len(name) > 48 or not name[0].isalpha():
        return False
    last = words[-1]
    if last.endswith(".") and last.lower() not in _ABBREV and len(last) > 2:
        return False
    if strict:
        return all(w[0].isupper() or w[0].isdigit() or w in _PARTICLES for w in words)
    return name[0].isupper() or len(words) == 1


def match_start(layout: Layout, line: str) -> re.Match[str] | None:
    """The match of a (named) turn start of ``layout`` on a stripped line, if the name is plausible."""
    for pattern in layout.starts:
        m = pattern.match(line)
        if m is None:
            continue
        name = m.groupdict().get("name")
        if name is None or plausible_name(name.strip(), strict=layout.strict_names):
            return m
    return None


_WITH_STARTS = tuple(lay for lay in LAYOUTS if lay.starts)


_STARTS_TIMED = re.compile(rf"^[\[(]?{TS}")


def _text_follows(lines: Sequence[str], k: int) -> bool:
    """The next non-blank line after ``k`` exists and does not start with a timestamp."""
    for raw in lines[k + 1 :]:
        line = raw.strip()
        if line:
            return not _STARTS_TIMED.match(line)
    return False


def detect_layout(
    lines: Sequence[str], *, record: dict[str, dict[str, re.Match[str] | None]] | None = None
) -> tuple[Layout | None, dict[str, int]]:
    """The layout with the most turn-start lines (ties to the more specific one) and all the counts.

    ``record``, when given, receives ``match_start(layout, line)`` per layout name and stripped line tried
    (so that the parser need not match those lines again).
    """
    counts = {lay.name: 0 for lay in LAYOUTS}
    seen: list[dict[str, re.Match[str] | None]] | None = None
    if record is not None:
        seen = [record.setdefault(lay.name, {}) for lay in _WITH_STARTS]
    for k, raw in enumerate(lines):
        line = raw.strip()
        if not _HAS_COLON_DIGIT.search(line) or CHAPTER.match(line):
            continue  # no timestamp, or a chapter title: not a turn start in any layout
        matched = False
        for j, lay in enumerate(_WITH_STARTS):
            m = match_start(lay, line)
            if seen is not None:
                seen[j][line] = m
            if m:
                matched = True
                if not lay.text_follows or _text_follows(lines, k):
                    counts[lay.name] += 1
        if not matched and INLINE_TS.search(line):
            counts["inline"] += 1  # a bare [timestamp] that no other layout reads as a turn start
    best: Layout | None = None
    for lay in LAYOUTS:
        if counts[lay.name] > (counts[best.name] if best else 0):
            best = lay
    return best, counts
