"""Text normalisation and pronunciations for the aligner (no audio)."""

from __future__ import annotations

import pytest

from toolkit.align.g2p import VALID_PHONES, g2p, spell
from toolkit.align.normalize import normalize, spoken_words


def spoken(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(t.text, t.spoken) for t in normalize(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022", "twenty twenty two"),
        ("45,000", "forty five thousand"),
        ("5 billion", "five billion"),
        ("80,000", "eighty thousand"),
        ("20 years", "twenty years"),
        ("G-20", "g twenty"),
        ("G20", "g twenty"),
        ("the 1990s", "the nineteen nineties"),
        ("24 hours", "twenty four hours"),
        ("$5", "five dollars"),
        ("$5 billion.", "five billion dollars"),
        ("3.5 million", "three point five million"),
        ("5%", "five percent"),
        ("the 21st century", "the twenty first century"),
        ("2,022 people", "two thousand and twenty two people"),
        ("U.N.", "u n"),
        ("U.S.", "u s"),
        ("Mr. Lavrov", "mister lavrov"),
        ("Dr. Smith", "doctor smith"),
        ("don’t", "don't"),
        ("well-known", "well known"),
        ("COVID-19", "covid nineteen"),
        ("NSA", "n.s.a."),
        ("Yes — [applause] (laughs) no.", "yes no"),
    ],
)
def test_spoken_form(text: str, expected: str) -> None:
    assert " ".join(spoken_words(text)) == expected


def test_every_original_word_is_kept_with_its_tokens() -> None:
    text = "In 2022, Mr. Lavrov — [applause] — paid $5 billion."
    tokens = normalize(text)
    assert [t.text for t in tokens] == text.split()
    assert [t.index for t in tokens] == list(range(len(text.split())))
    assert spoken(text) == [
        ("In", ("in",)),
        ("2022,", ("twenty", "twenty", "two")),
        ("Mr.", ("mister",)),
        ("Lavrov", ("lavrov",)),
        ("—", ()),
        ("[applause]", ()),
        ("—", ()),
        ("paid", ("paid",)),
        ("$5", ("five",)),
        ("billion.", ("billion", "dollars")),
    ]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("lavrov", "L AE V R AA V"),
        ("zelensky", "Z EH L EH N S K IY"),
        ("donbas", "D AA N B AE S"),
        ("bucha", "B UW CH AE"),
        ("blinken", "B L IH N K EH N"),
        ("navalny", "N AE V AE L N IY"),
    ],
)
def test_g2p_names(word: str, expected: str) -> None:
    assert g2p(word) == expected


@pytest.mark.parametrize(
    "word", ["novorossiya", "shchedrin", "xi", "tsipras", "kyiv", "yanukovych", "brrr", "q"]
)
def test_g2p_gives_valid_phones(word: str) -> None:
    phones = g2p(word).split()
    assert phones
    assert set(phones) <= VALID_PHONES


def test_spell_acronym() -> None:
    assert spell("nsa") == "EH N EH S EY"


def test_sphinx_pronounces_out_of_dictionary_words() -> None:
    from toolkit.align.sphinx import SphinxAligner

    engine = SphinxAligner()
    assert engine.pronunciation("minister") == "M IH N AH S T ER"  # from the CMU dictionary
    assert engine.pronunciation("lavrov") == "L AE V R AA V"  # from the rules
    assert engine.pronunciation("n.s.a.") == "EH N EH S EY"  # spelled
    assert engine.phone_count("novorossiya") == len(g2p("novorossiya").split())
