"""Word-level exports (one timed word per line): speaker headers, and the words grouped into sentence turns.

Called by :func:`toolkit.parse.transcript.parse_transcript` around the line reader: :func:`word_headers`
before it (a name alone above its words is a header, not a word), :func:`with_headers` and
:func:`group_words` on the turns it made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..model import Turn, Word
from ..text import is_sentence_end
from .layouts import plausible_name

__all__ = [
    "ESTIMATED_WORD_MS",
    "WORD_GROUP_MAX",
    "WORD_PAUSE_MS",
    "WORD_PAUSE_NO_END_MS",
    "group_words",
    "mostly_single_words",
    "with_headers",
    "word_headers",
]

_CLOSING_PUNCT = re.compile(r"^[ \t]*[.,;:!?…)\]}”’»%]+[ \t]*$")  # a word-level "word" that is punctuation
WORD_GROUP_MAX = 40  # words per turn when a word-level export never ends a sentence
WORD_PAUSE_MS = 1000  # a pause this long (from the previous word's end) starts a new turn
WORD_PAUSE_NO_END_MS = 2000  # the same, from the previous word's start, when ends are not given
ESTIMATED_WORD_MS = 400  # duration given to a word whose end the export does not give and cannot bound

_HEADER_NAME = re.compile(r"^[^\W\d_][\w.'’\-]*(?:[ \t]+[\w.'’\-]+){0,3}:?$")


def word_headers(lines: Sequence[str]) -> dict[int, str]:
    """Lines of a word-level export that name the speaker of the words below them: a capitalised name of
    up to four words alone on its line, right above a timed word."""
    out: dict[int, str] = {}
    for i, raw in enumerate(lines[:-1]):
        line = raw.strip()
        if not line or not _HEADER_NAME.match(line):
            continue
        name = line.rstrip(":").strip()
        nxt = next((ln.strip() for ln in lines[i + 1 :] if ln.strip()), "")
        if plausible_name(name, strict=True) and nxt[:1].isdigit() and ":" in nxt.split(" ")[0]:
            out[i + 1] = name
    return out


def with_headers(turns: list[Turn], headers: Mapping[int, str]) -> list[Turn]:
    """Each word turn given the speaker of the header line above it."""
    marks = sorted(headers.items())
    out: list[Turn] = []
    k, speaker = 0, None
    for t in turns:
        while k < len(marks) and marks[k][0] < t.line:
            speaker = marks[k][1]
            k += 1
        out.append(replace(t, speaker=speaker))
    return out


def mostly_single_words(turns: list[Turn]) -> bool:
    """Eight turns or more, at least 80 % of them a single word: a word-level export in another layout."""
    if len(turns) < 8:
        return False
    single = sum(1 for t in turns if len(t.text.split()) == 1)
    return single >= 0.8 * len(turns)


def group_words(turns: list[Turn]) -> list[Turn]:
    """Group one-word turns into sentence turns that carry their words.

    A turn ends after a word with sentence punctuation, at a pause (``WORD_PAUSE_MS`` after the previous
    word's end, or ``WORD_PAUSE_NO_END_MS`` after its start when the export gives no ends), or after
    ``WORD_GROUP_MAX`` words. A word without an end time ends where the next word starts (at most
    ``WORD_PAUSE_NO_END_MS`` later), the last one ``ESTIMATED_WORD_MS`` after its start. A turn gets an
    end time only when the export gives them.
    """
    turns = _glue_punctuation(turns)
    has_ends = any(t.end_ms is not None for t in turns)
    return [_group_turn(turns, group, has_ends=has_ends) for group in _word_groups(turns)]


def _glue_punctuation(turns: list[Turn]) -> list[Turn]:
    """whisper.cpp's ``-ml 1`` prints ',' and '.' as segments of their own: glued onto the word before."""
    glued: list[Turn] = []
    for t in turns:
        if glued and _CLOSING_PUNCT.match(t.text) and t.speaker == glued[-1].speaker:
            glued[-1] = replace(glued[-1], text=glued[-1].text + t.text.strip())
        else:
            glued.append(t)
    return glued


def _word_groups(turns: list[Turn]) -> list[list[int]]:
    """The indexes of ``turns`` in sentence groups (see :func:`group_words`)."""
    groups: list[list[int]] = []
    for k, t in enumerate(turns):
        if groups:
            prev = turns[groups[-1][-1]]
            split = (
                is_sentence_end(prev.text) or len(groups[-1]) >= WORD_GROUP_MAX or t.speaker != prev.speaker
            )
            if not split and t.start_ms is not None and prev.start_ms is not None:
                if prev.end_ms is not None:
                    split = t.start_ms - prev.end_ms >= WORD_PAUSE_MS
                else:
                    split = t.start_ms - prev.start_ms >= WORD_PAUSE_NO_END_MS
            if not split:
                groups[-1].append(k)
                continue
        groups.append([k])
    return groups


def _group_turn(turns: list[Turn], group: list[int], *, has_ends: bool) -> Turn:
    """The sentence turn of the word turns ``turns[k]`` for ``k`` in ``group``, carrying their words."""
    members = [turns[k] for k in group]
    words: list[Word] = []
    for k in group:
        t = turns[k]
        if t.start_ms is None:
            words = []  # a word without a time: the repair stage estimates the turn as a whole
            break
        end = t.end_ms
        if end is None:
            nxt = turns[k + 1].start_ms if k + 1 < len(turns) else None
            if nxt is not None and nxt >= t.start_ms:
                end = min(nxt, t.start_ms + WORD_PAUSE_NO_END_MS)
            else:
                end = t.start_ms + ESTIMATED_WORD_MS
        words.append(Word(t.text, t.start_ms, end))
    first = members[0]
    end_ms = members[-1].end_ms if has_ends else None
    if end_ms is not None and first.start_ms is not None and end_ms < first.start_ms:
        end_ms = None
    return Turn(
        speaker=first.speaker,
        start_ms=first.start_ms,
        text=" ".join(t.text for t in members),
        line=first.line,
        end_ms=end_ms,
        words=tuple(words),
    )
