"""Line breaking: tokens, break quality, and the layout of one cue's lines."""

from __future__ import annotations

from itertools import accumulate, pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.linebreak import (
    break_cost,
    break_lines,
    break_span,
    count_lines,
    cut_costs,
    cut_costs_by_id,
    is_annotation,
    is_sentence_end,
    token_key,
    tokenize,
)


def words(text: str) -> list[str]:
    return text.split()


def test_tokenize_keeps_bracketed_annotation_whole() -> None:
    text = "Because it's not a secret. [crosstalk 00:42:40] Well, [T]he point"
    assert tokenize(text) == [
        "Because",
        "it's",
        "not",
        "a",
        "secret.",
        "[crosstalk 00:42:40]",
        "Well,",
        "[T]he",
        "point",
    ]


def test_tokenize_unclosed_bracket_stays_words() -> None:
    text = "an [unclosed bracket runs on and on and on and on"
    assert tokenize(text) == words(text)


def test_annotation_and_sentence_end() -> None:
    assert is_annotation("[crosstalk 00:42:40]")
    assert not is_annotation("[Putin]")
    assert is_sentence_end("secret.") and is_sentence_end("war?") and is_sentence_end('"Really!"')
    assert not is_sentence_end("Mr.") and not is_sentence_end("U.S.") and not is_sentence_end("course,")


def test_break_cost_prefers_punctuation_and_forbids_article_noun() -> None:
    assert break_cost("secret.", "And") < break_cost("course,", "but") < break_cost("Russia", "and")
    assert break_cost("Russia", "and") < 0 < break_cost("the", "United")
    assert break_cost("Sergey", "Lavrov") > 0  # first + last name
    assert break_cost("Mr.", "Lavrov") > 0
    assert break_cost("we", "want") > 0  # pronoun + verb
    assert break_cost("is", "not") > 0  # verb + negation
    assert break_cost("country", "like") < 0  # before a preposition


def test_one_line_when_it_fits() -> None:
    assert break_lines(words("I wouldn't say so."), 42, 2) == ("I wouldn't say so.",)
    # the first line keeps room for a speaker label
    assert len(break_lines(words("Minister Lavrov, thank you for doing this."), 42, 2, first_reserve=9)) == 2


def test_two_lines_break_after_punctuation_not_inside_names() -> None:
    lines = break_lines(words("Minister Lavrov, thank you for doing this."), 42, 2, first_reserve=9)
    assert lines == ("Minister Lavrov,", "thank you for doing this.")
    text = "President Putin repeatedly expressed his respect for the American people,"
    assert break_lines(words(text), 42, 2) == (
        "President Putin repeatedly expressed",
        "his respect for the American people,",
    )


def test_linguistic_break_beats_balance() -> None:
    text = "We would like to have normal relations with all of our neighbors"
    expected = ("We would like to have normal relations", "with all of our neighbors")
    assert break_lines(words(text), 42, 2) == expected


def test_bottom_heavy_when_lines_differ() -> None:
    # neutral words only: shape decides, and the longer line goes at the bottom
    lines = break_lines(words("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda"), 42, 2)
    assert len(lines) == 2
    assert len(lines[0]) <= len(lines[1]) and len(lines[1]) - len(lines[0]) <= 8


def test_three_lines_in_relaxed_profile() -> None:
    text = (
        "and to speak about these things, to be honest, is something that we have done for a very long "
        "time with many partners"
    )
    lines = break_lines(words(text), 50, 3)
    assert len(lines) == 3 and all(len(x) <= 50 for x in lines)
    assert " ".join(lines).split() == words(text)


def test_overlong_token_gets_its_own_line() -> None:
    long = "x" * 60
    assert break_lines([long], 42, 2) == (long,)
    assert count_lines([60, 3], 42) == 2


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzAB.,?", min_size=1, max_size=14)


@settings(max_examples=150, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=30), st.integers(20, 60), st.integers(1, 3), st.integers(0, 15))
def test_lines_keep_tokens_and_fit_when_possible(
    tokens: list[str], maxc: int, maxl: int, reserve: int
) -> None:
    lines = break_lines(tokens, maxc, maxl, first_reserve=reserve)
    assert " ".join(lines).split() == tokens  # nothing lost, reordered or altered
    assert all(line and line == line.strip() for line in lines)
    assert len(lines) <= max(maxl, 1)
    widths = [len(w) for w in tokens]
    if count_lines(widths, maxc, first_reserve=reserve) <= maxl and max(widths) <= maxc - reserve:
        one_line = len(lines) == 1 and sum(widths) + len(tokens) - 1 <= maxc
        assert len(lines[0]) <= maxc - reserve or one_line
        assert all(len(x) <= maxc for x in lines)


_TOKEN = st.sampled_from(
    [
        "the",
        "a",
        "United",
        "States",
        "Mr.",
        "Lavrov",
        "and",
        "but",
        "of",
        "to",
        "we",
        "is",
        "not",
        "secret.",
        "war?",
        "course,",
        "10",
        "five",
        "—",
        "I",
        "Sergey",
        "Yes.",
        "(laughs)",
        "U.S.",
        "said",
        "[crosstalk 00:42:40]",
        '"Really!"',
        "—and",
    ]
)


@given(st.lists(_TOKEN, max_size=30), st.sampled_from([(-4.0, 1.2), (-3.0, 1.0)]))
@settings(max_examples=200, deadline=None)
def test_cut_costs_table_matches_break_cost(tokens: list[str], params: tuple[float, float]) -> None:
    # the segmenter's interned look-up table gives exactly the costs computed pair by pair
    sentence_cost, scale = params
    expected = [
        sentence_cost if is_sentence_end(left) else scale * break_cost(left, right)
        for left, right in pairwise(tokens)
    ]
    assert cut_costs([token_key(t) for t in tokens], sentence_cost, scale) == expected


@given(
    st.lists(_TOKEN, min_size=1, max_size=40),
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(15, 60),
    st.integers(1, 3),
    st.integers(0, 15),
)
@settings(max_examples=300, deadline=None)
def test_break_span_is_break_lines_on_the_slice(
    tokens: list[str], x: int, y: int, maxc: int, maxl: int, reserve: int
) -> None:
    # the segmenter's in-place variant breaks exactly as break_lines does on the copied slice
    lo, hi = sorted((x % (len(tokens) + 1), y % (len(tokens) + 1)))
    widths = [len(t) for t in tokens]
    prefix = [0, *accumulate(w + 1 for w in widths)]
    costs = [0.0, *cut_costs([token_key(t) for t in tokens], -4.0, 1.2)]
    expected = break_lines(tokens[lo:hi], maxc, maxl, first_reserve=reserve, costs=[0.0, *costs[lo + 1 : hi]])
    assert break_span(tokens, widths, prefix, costs, lo, hi, maxc, maxl, first_reserve=reserve) == expected


@given(st.lists(_TOKEN, min_size=2, max_size=30), st.sampled_from([(-4.0, 1.2), (-3.0, 1.0)]))
@settings(max_examples=100, deadline=None)
def test_cut_costs_by_id_matches_cut_costs(tokens: list[str], params: tuple[float, float]) -> None:
    keys = [token_key(t) for t in tokens]
    lids, rids = [k[0] for k in keys], [k[1] for k in keys]
    assert cut_costs_by_id(lids, rids, *params) == cut_costs(keys, *params)
