"""Sentences and comparable text: the units the duplicate search works on.

A turn's text is split into sentences with their character spans (so a sentence can be cut out of a turn
and the rest re-joined), and each sentence gets a normalised form for comparison: case-folded, typographic
quotes unified, punctuation dropped and a few spelling variants ("Kiev"/"Kyiv") mapped to one form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "join_sentences", "normalise", "split_sentences", "words_of"]

# Words that end with a dot without ending a sentence.
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "st", "sr", "jr", "prof", "gen", "col", "lt", "sgt", "rev", "gov", "sen", "rep",
    "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "approx", "dept",
})
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
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})
_WORD = re.compile(r"[\w%]+(?:['.][\w]+)*")
_BOUNDARY = re.compile(
    r"(?:([.!?…]+)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?\w))"  # end punctuation, then any word
    r"|(?:(?<=\w)([-–—]+)()(\s+)(?=\w))"  # a sentence broken off with a dash: "Then there was- But"
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


def words_of(text: str) -> tuple[str, ...]:
    """The normalised words of ``text``: lower-case, no punctuation, variants unified."""
    found = _WORD.findall(text.translate(_QUOTES).casefold())
    if _MULTI.isdisjoint(found):
        return tuple(VARIANTS.get(w, w) for w in found)
    return tuple(" ".join(VARIANTS.get(w, w) for w in found).split())


def normalise(text: str) -> str:
    return " ".join(words_of(text))


_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the dot at ``dot`` ends an abbreviation or an initial rather than a sentence."""
    start = max(text.rfind(" ", 0, dot), text.rfind("\n", 0, dot), text.rfind("\t", 0, dot)) + 1
    token = text[start:dot].lstrip("\"'“‘(").casefold()
    if len(token) > 6:
        return False
    if token in ABBREVIATIONS:
        return True
    if len(token) == 1 and token.isalpha():  # an initial: "J. Smith"
        return True
    return bool(_INITIALS.fullmatch(token))  # U.S. / e.g.


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (whitespace between sentences is in no span)."""
    spans: list[tuple[int, int]] = []
    start = len(text) - len(text.lstrip())
    for m in _BOUNDARY.finditer(text):
        dash = m.group(1) is None
        if not dash and m.group(1) == "." and _is_abbreviation(text, m.start(1)):
            continue
        end = m.end(5) if dash else m.end(2)
        if end > start:
            spans.append((start, end))
        start = m.end(6) if dash else m.end(3)
    tail_end = len(text.rstrip())
    if tail_end > start:
        spans.append((start, tail_end))
    return spans


def split_sentences(text: str, turn: int = 0) -> list[Sentence]:
    out: list[Sentence] = []
    for k, (a, b) in enumerate(sentence_spans(text)):
        piece = text[a:b]
        words = words_of(piece)
        out.append(Sentence(turn, k, a, b, piece, words, " ".join(words)))
    return out


def join_sentences(pieces: list[str]) -> str:
    """Sentences re-joined into a turn text with single spaces."""
    return " ".join(p.strip() for p in pieces if p.strip())
