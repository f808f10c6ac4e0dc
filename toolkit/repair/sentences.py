"""Sentences and comparable text: the units the duplicate search works on.

A turn's text is split into sentences with their character spans (so a sentence can be cut out of a turn
and the rest re-joined), and each sentence gets a normalised form for comparison: case-folded, typographic
quotes unified, punctuation dropped and a few spelling variants ("Kiev"/"Kyiv") mapped to one form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..text import ABBREVIATIONS, is_abbreviation

__all__ = [
    "ABBREVIATIONS",
    "Sentence",
    "join_sentences",
    "normalise",
    "sentence_spans",
    "split_sentences",
    "words_of",
]

# Spelling variants that must compare equal (left: variant, right: the form used for comparison).
VARIANTS: dict[str, str] = {
    "kyiv": "kiev",
    "kyiv's": "kiev's",
    "okay": "ok",
    "o.k": "ok",
    "towards": "toward",
    "gonna": "going to",
    "wanna": "want to",
    "percent": "%",
    "per cent": "%",
    "theatre": "theater",
    "defence": "defense",
    "programme": "program",
}
_MULTI = frozenset(k for k, v in VARIANTS.items() if " " in v)  # variants that become two words
_QUOTES = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}
_QUOTE_ITEMS = tuple(_QUOTES.items())
_VARIANT_KEYS = frozenset(VARIANTS)
# a word: letters/digits/% with inner apostrophes and dots ("don't", "u.s"); possessive because the greedy
# match is always the first that succeeds (nothing follows it), so backtracking positions are never needed
_WORD = re.compile(r"[\w%]++(?:['.]\w++)*+")
_ASCII_WORD = re.compile(_WORD.pattern, re.ASCII)  # the same words in ASCII text, found faster
# A sentence boundary: end punctuation, closing quotes and space before any word, or a sentence broken off
# with a dash after a word ("Then there was- But"). The first character is matched outside any group so
# that the regex engine scans for it in C; the lookbehinds then tell the two kinds apart.
_BOUNDARY = re.compile(
    r"[.!?…\-–—](?:"
    r"(?<=[.!?…])([.!?…]*)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?\w)"  # 1: more end punctuation, 2: quotes, 3: space
    r"|(?<=\w[-–—])[-–—]*()(\s+)(?=\w))"  # 4: empty, 5: space
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of one turn: where it is and how it compares."""

    turn: int  # index of the turn in the sequence being searched
    index: int  # position of the sentence in its turn
    start: int  # character span in the turn text
    end: int
    text: str
    words: tuple[str, ...]  # normalised words
    norm: str  # normalised words joined by single spaces


def _unify_quotes(text: str) -> str:
    """``text`` with typographic quotes, dashes and ellipses in ASCII (only non-ASCII text can have them;
    searching first is much faster than ``str.translate`` with a mapping)."""
    if text.isascii():
        return text
    for typographic, plain in _QUOTE_ITEMS:
        if typographic in text:
            text = text.replace(typographic, plain)
    return text


def _unified(found: list[str]) -> tuple[str, ...]:
    """Words found in folded text with the spelling variants unified."""
    if _VARIANT_KEYS.isdisjoint(found):  # the usual case
        return tuple(found)
    if _MULTI.isdisjoint(found):
        return tuple(VARIANTS.get(w, w) for w in found)
    return tuple(" ".join(VARIANTS.get(w, w) for w in found).split())


def _fold(text: str) -> str:
    return _unify_quotes(text).casefold()


def words_of(text: str) -> tuple[str, ...]:
    """The normalised words of ``text``: lower-case, no punctuation, variants unified."""
    folded = _fold(text)
    return _unified((_ASCII_WORD if folded.isascii() else _WORD).findall(folded))


def normalise(text: str) -> str:
    return " ".join(words_of(text))


_TOKEN_WINDOW = 32
_LONG_TOKEN = re.compile("[^ \n\t\"'“‘(]{7}")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the dot at ``dot`` ends an abbreviation or an initial rather than a sentence."""
    if _LONG_TOKEN.match(text, dot - 7, dot):  # 7 characters that are neither space nor opening quote:
        return False  # the token is longer than any abbreviation
    lo = max(0, dot - _TOKEN_WINDOW)  # look back a little first: the token is short or irrelevant
    start = max(text.rfind(" ", lo, dot), text.rfind("\n", lo, dot), text.rfind("\t", lo, dot)) + 1
    if start == 0 and lo > 0:
        start = max(text.rfind(" ", 0, lo), text.rfind("\n", 0, lo), text.rfind("\t", 0, lo)) + 1
    token = text[start:dot].lstrip("\"'“‘([").casefold()
    if len(token) > 6:
        return False
    if len(token) == 1 and token.isalpha():  # an initial, in any script: "J. Smith", "É. Zola"
        return True
    return is_abbreviation(token + ".")  # "Dr.", "U.S.", "e.g." (toolkit.text)


@lru_cache(maxsize=256)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Character spans of the sentences of ``text`` (whitespace between sentences is in no span).

    Cached: repair asks again for the same turn's spans while it prices each duplicate run, and a long
    turn holding many runs would cost its length once per run (a string's hash is computed once)."""
    return tuple(_sentence_spans(text))


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = len(text) - len(text.lstrip())
    for m in _BOUNDARY.finditer(text):
        if m.group(1) is None:  # a dash
            end, after = m.end(4), m.end(5)
        else:
            dot = m.start()
            if m.end(1) == dot + 1 and text[dot] == "." and _is_abbreviation(text, dot):  # a lone dot
                continue
            end, after = m.end(2), m.end(3)
        if end > start:
            spans.append((start, end))
        start = after
    tail_end = len(text.rstrip())
    if tail_end > start:
        spans.append((start, tail_end))
    return spans


def split_sentences(text: str, turn: int = 0) -> list[Sentence]:
    out: list[Sentence] = []
    spans = sentence_spans(text)
    folded = _fold(text)
    if len(folded) != len(text):  # a character became several ("…" -> "..."): fold each sentence
        for k, (a, b) in enumerate(spans):
            piece = text[a:b]
            words = words_of(piece)
            out.append(Sentence(turn, k, a, b, piece, words, " ".join(words)))
        return out
    # folding maps each character to one character, so the folded sentence is folded[a:b]; the turn is
    # folded once and each sentence searched in place (_WORD looks neither behind nor ahead of its span)
    findall = _ASCII_WORD.findall if folded.isascii() else _WORD.findall
    for k, (a, b) in enumerate(spans):
        words = _unified(findall(folded, a, b))
        out.append(Sentence(turn, k, a, b, text[a:b], words, " ".join(words)))
    return out


def join_sentences(pieces: list[str]) -> str:
    """Sentences re-joined into a turn text with single spaces."""
    return " ".join(p.strip() for p in pieces if p.strip())
