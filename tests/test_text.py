"""toolkit.text: the one sentence-end and abbreviation rule the parser, repair, aligner and segmenter use."""

from __future__ import annotations

import pytest

from toolkit.linebreak import is_sentence_end as linebreak_end
from toolkit.repair.sentences import sentence_spans
from toolkit.text import is_abbreviation, is_sentence_end, reads_as_sentence_end


@pytest.mark.parametrize(
    ("word", "ends"),
    [
        ("secret.", True),
        ("No.", True),  # a sentence ("No. I don't think so."), not the abbreviation of "No. 5"
        ("war?", True),
        ('"Really!"', True),
        ("(yes.)", True),
        ("wait...", True),
        ("U.S....", True),
        ("那。", True),
        ("Mr.", False),
        ("dr.", False),
        ("U.S.", False),
        ("e.g.", False),
        ("etc.", False),
        ("J.", False),
        ('"Capt.', False),
        ("course,", False),
        ("", False),
    ],
)
def test_sentence_ends(word: str, ends: bool) -> None:
    assert is_sentence_end(word) is ends
    assert linebreak_end(word) is ends  # line breaking asks the same function


def test_abbreviations_and_initials() -> None:
    assert is_abbreviation("Dr.") and is_abbreviation("U.K.") and is_abbreviation("J.")
    assert not is_abbreviation("Moscow.") and not is_abbreviation("Dr") and not is_abbreviation("...")


def test_repair_splits_sentences_by_the_same_rule() -> None:
    text = "Dr. Smith met Gen. Lee in the U.S. today. No. He did not."
    pieces = [text[a:b] for a, b in sentence_spans(text)]
    assert pieces == ["Dr. Smith met Gen. Lee in the U.S. today.", "No.", "He did not."]


def test_paragraph_ends() -> None:
    assert reads_as_sentence_end("and that was it.”") and not reads_as_sentence_end("and then")
