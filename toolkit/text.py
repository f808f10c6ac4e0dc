"""Sentence ends and abbreviations: the one definition every stage uses.

The parser (does a paragraph read like speech, does a word-level export end a sentence), repair (where a
turn's sentences are, for the duplicate search), the aligner (sentence starts inside a turn), the
segmenter and line breaking (cut and break at sentence ends) all ask the same two questions of a word:
does it end a sentence, and is its dot an abbreviation's. They ask here.

A word ends a sentence when it ends in ``.``, ``?``, ``!``, ``…`` (or the CJK ``。！？``), before any
closing quotes or brackets, unless its dot belongs to an abbreviation (``Dr.``, ``etc.``, ``e.g.``) or an
initial (``J.``, ``U.S.``); an ellipsis ``...`` always ends one. "No." is a sentence: the abbreviation
"No. 5" is told apart only where the next word is known (:mod:`toolkit.align.normalize` reads it out).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "ABBREVIATIONS",
    "CLOSERS",
    "is_abbreviation",
    "is_phrase_end",
    "is_phrase_mark",
    "is_sentence_end",
    "reads_as_sentence_end",
]

# words that end with a dot without ending a sentence (case-folded, without their final dot)
ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "st", "sr", "jr", "prof", "gen", "col", "capt", "lt", "sgt", "rev", "gov",
        "sen", "rep", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "approx", "dept",
    }
)  # fmt: skip
CLOSERS = "\"'”’)]»」』）】》〉〕"  # closing quotes and brackets after a sentence's final mark
_ENDS = ".?!…。！？"
_PHRASE_ENDS = ",;:–—，、；："
_PHRASE_MARKS = frozenset("-–—,;:")  # a token of these alone parts two phrases
_OPENERS = "\"'“‘(["
_INITIALS = re.compile(r"^(?:[a-z]\.)*[a-z]$")  # "j", "u.s", "e.g" (without the final dot)
_TERMINAL = re.compile(r"[.?!…][\"'”’)\]]*$")


def is_abbreviation(word: str) -> bool:
    """True when ``word`` (with its final dot: ``"Dr."``, ``"U.S."``, ``"J."``) is an abbreviation or an
    initial, whose dot ends no sentence."""
    core = word.rstrip(CLOSERS)
    if not core.endswith(".") or core.endswith(".."):
        return False
    low = core[:-1].lstrip(_OPENERS).casefold()
    return low in ABBREVIATIONS or bool(_INITIALS.match(low))


@lru_cache(maxsize=65536)
def is_sentence_end(word: str) -> bool:
    """True when ``word`` ends a sentence (``.``, ``?``, ``!``, ``…``); abbreviations and initials do not."""
    core = word.rstrip(CLOSERS)
    if not core or core[-1] not in _ENDS:
        return False
    if core[-1] == "." and not core.endswith("..."):
        return not is_abbreviation(core)
    return True


def is_phrase_end(word: str) -> bool:
    """True when ``word`` ends a phrase inside a sentence (a comma, semicolon, colon or dash after it)."""
    core = word.rstrip(CLOSERS)
    return bool(core) and core[-1] in _PHRASE_ENDS


def is_phrase_mark(token: str) -> bool:
    """True when ``token`` is punctuation alone that parts two phrases ("-", "--", "—", ";")."""
    return bool(token) and _PHRASE_MARKS.issuperset(token)


def reads_as_sentence_end(text: str) -> bool:
    """True when ``text`` ends with sentence punctuation (whatever the word before it): the test for
    "this paragraph reads like finished speech", where an abbreviation at the end is rare and harmless."""
    return bool(_TERMINAL.search(text))
