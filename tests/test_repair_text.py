"""Sentence splitting and word normalisation against a plain reference implementation.

``toolkit.repair.sentences`` is tuned for speed (a boundary regex the engine can scan for, folding each
turn once, ASCII regexes for ASCII text); these properties pin it to the straightforward version it replaced.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.repair.sentences import (
    ABBREVIATIONS,
    VARIANTS,
    normalise,
    sentence_spans,
    split_sentences,
    words_of,
)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})
_WORD = re.compile(r"[\w%]+(?:['.][\w]+)*")
_BOUNDARY = re.compile(
    r"(?:([.!?…]+)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?\w))"
    r"|(?:(?<=\w)([-–—]+)()(\s+)(?=\w))"
)
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")


def ref_words(text: str) -> tuple[str, ...]:
    found = _WORD.findall(text.translate(_QUOTES).casefold())
    return tuple(" ".join(VARIANTS.get(w, w) for w in found).split())


def ref_is_abbreviation(text: str, dot: int) -> bool:
    start = max(text.rfind(" ", 0, dot), text.rfind("\n", 0, dot), text.rfind("\t", 0, dot)) + 1
    token = text[start:dot].lstrip("\"'“‘([").casefold()
    if len(token) > 6:
        return False
    return token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()) or bool(_INITIALS.fullmatch(token))


def ref_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = len(text) - len(text.lstrip())
    for m in _BOUNDARY.finditer(text):
        dash = m.group(1) is None
        if not dash and m.group(1) == "." and ref_is_abbreviation(text, m.start(1)):
            continue
        end = m.end(5) if dash else m.end(2)
        if end > start:
            spans.append((start, end))
        start = m.end(6) if dash else m.end(3)
    if len(text.rstrip()) > start:
        spans.append((start, len(text.rstrip())))
    return spans


_PIECES = [
    *"ab Z0 .!?…-–—\"'”’)]“‘([\n\t_%óßİﬁΣ",
    "Mr.",
    "U.S.",
    "e.g.",
    "J.",
    " kyiv",
    " gonna ",
    "okay",
    "per cent",
    "o.k.",
    " don't ",
    "Dr. ",
    "Then there was- But",
    "(Prof. X)",
    " " * 3,
    "'St.",
    "x" * 9 + ".",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=500)
@given(_TEXT)
def test_sentences_match_the_reference(text: str) -> None:
    spans = ref_spans(text)
    assert list(sentence_spans(text)) == spans
    got = split_sentences(text, 7)
    assert [(s.turn, s.index, s.start, s.end, s.text) for s in got] == [
        (7, k, a, b, text[a:b]) for k, (a, b) in enumerate(spans)
    ]
    for s in got:
        assert s.words == ref_words(s.text)
        assert s.norm == " ".join(s.words)


@settings(max_examples=500)
@given(_TEXT)
def test_words_match_the_reference(text: str) -> None:
    assert words_of(text) == ref_words(text)
    assert normalise(text) == " ".join(ref_words(text))


def test_long_token_before_an_abbreviation_dot() -> None:
    # the token is found beyond the look-back window, and opening quotes do not count towards its length
    text = "He said " + "“" * 40 + "Mr. Smith came. Then " + "y" * 50 + "z.x"
    assert list(sentence_spans(text)) == ref_spans(text)
