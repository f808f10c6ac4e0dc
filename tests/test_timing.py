"""The speech-rate model (toolkit.timing) on the seed and on small hand-made cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.model import Turn
from toolkit.parse import read_document
from toolkit.timing import DEFAULT_WPS, RateModel, count_words, rate_samples, weighted_median

SEED = Path(__file__).resolve().parent.parent / "samples" / "tucker_lavrov.txt"


def test_count_words_skips_annotations() -> None:
    assert count_words("Because it’s not a secret. [crosstalk 00:42:40] Yes") == 6
    assert count_words("[inaudible]") == 0
    assert count_words("well-known U.S. policy") == 4


def test_weighted_median() -> None:
    assert weighted_median([(1.0, 1), (2.0, 1), (10.0, 5)]) == 10.0
    assert weighted_median([(3.0, 2), (1.0, 2)]) == 1.0
    with pytest.raises(ValueError):
        weighted_median([])


def test_seed_rates() -> None:
    rates = RateModel.fit(read_document(SEED).turns)
    assert rates.wps("Tucker") == pytest.approx(2.64, abs=0.01)
    assert rates.wps("Sergey Lavrov") == pytest.approx(1.87, abs=0.01)
    assert rates.wps("Somebody else") == rates.global_wps
    assert rates.summary()["Tucker"] == pytest.approx(2.64, abs=0.01)


def test_no_usable_turns_gives_default() -> None:
    rates = RateModel.fit([Turn("A", 0, "Hi.", 1), Turn("B", None, "Hello there.", 2)])
    assert rates.global_wps == DEFAULT_WPS and rates.samples == 0
    assert rates.speech_ms("A", "one two three four five") == 2000


def test_outliers_are_ignored() -> None:
    words = " ".join(["word"] * 20)
    turns = [Turn("A", i * 10_000, words, i + 1) for i in range(6)]  # 2 words/s
    turns.append(Turn("A", 60_000, words, 7))
    turns.append(Turn("A", 60_500, words, 8))  # 40 words/s: a typo'd timestamp
    turns.append(Turn("A", 70_000, "end", 9))
    rates = RateModel.fit(turns)
    assert rates.wps("A") == pytest.approx(2.0)
    assert len(rate_samples(turns)) == 8


@given(st.floats(0.5, 6.0), st.integers(0, 500))
def test_speech_ms_is_words_over_rate(wps: float, words: int) -> None:
    rates = RateModel(global_wps=wps)
    assert rates.speech_ms(None, words) == round(1000 * words / wps)


_SPEECH_PIECES = [*"ab Z09_'’-[]“”‘–—….,!?\n\tóéß你\x1c", "don't", "[laughs]"]
_SPEECH = st.lists(st.sampled_from(_SPEECH_PIECES), max_size=30).map("".join)


@given(_SPEECH)
def test_count_words_is_the_word_regex(text: str) -> None:
    """The fast counter (bytes for ASCII, a cache) counts exactly what the plain regex finds."""
    plain = len(re.findall(r"[\w'’-]+", re.sub(r"\[[^\]]*\]", " ", text)))
    assert count_words(text) == plain
    assert count_words(text) == plain  # cached


def test_a_sparse_transcript_keeps_the_default_rate() -> None:
    from toolkit.model import Turn
    from toolkit.timing import DEFAULT_WPS, RateModel

    # two turns seconds apart, then a 30-minute jump: nothing to learn a rate from
    turns = [
        Turn("A", 0, "Minister Lavrov, thank you for doing this today.", 1),
        Turn("B", 7_000, "I wouldn't say so, and in any case this is not what we want.", 2),
        Turn("A", 1_800_000, "Thank you.", 3),
    ]
    model = RateModel.fit(turns)
    assert model.global_wps == DEFAULT_WPS and model.speaker_wps == {}
