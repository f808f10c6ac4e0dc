"""Invariants of the frozen model and the public API surface."""

from __future__ import annotations

import dataclasses
import types

import pytest

import toolkit
from toolkit.model import Cue, Severity, Turn, Word
from toolkit.profiles import PROFILES, get_profile
from toolkit.rules import RULES, RULES_BY_CODE, finding


def test_cue_invariants() -> None:
    with pytest.raises(ValueError, match="not after its start"):
        Cue(1000, 1000, ("x",))
    with pytest.raises(ValueError, match="negative"):
        Cue(-1, 10, ("x",))
    with pytest.raises(ValueError, match="one speaker per line"):
        Cue(0, 10, ("a", "b"), speakers=("A",))
    cue = Cue(0, 1500, ("Yes.", "No, NATO."), speakers=("Tucker", "Lavrov"))
    assert cue.text == "Yes. No, NATO." and cue.speaker == "Tucker" and cue.duration_ms == 1500
    with pytest.raises(dataclasses.FrozenInstanceError):
        cue.start_ms = 5  # type: ignore[misc]


def test_turn_and_word_invariants() -> None:
    with pytest.raises(ValueError):
        Turn("A", -5, "x", 1)
    with pytest.raises(ValueError):
        Turn("A", 100, "x", 1, end_ms=50)
    with pytest.raises(ValueError):
        Word("x", 10, 5)
    assert Turn(None, None, "untimed", 3).start_ms is None


def test_finding_format_and_json() -> None:
    f = finding("T003", "too fast", path="a.txt", line=12, words=612, seconds=10)
    assert f.severity is Severity.WARNING
    assert f.format() == "a.txt:12: T003 warning: too fast"
    assert f.to_json()["data"] == {"words": 612, "seconds": 10}


def test_rule_codes_are_unique_and_well_formed() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes)) == len(RULES_BY_CODE)
    for r in RULES:
        assert r.code[0] in "PTCMA" and r.code[1:].isdigit() and len(r.code) == 4
        assert r.description.endswith(".")
    with pytest.raises(KeyError):
        finding("X999", "unknown")


def test_profiles_follow_the_standards() -> None:
    n = get_profile("netflix")
    assert (
        n.max_chars_per_line,
        n.max_lines,
        n.max_cps,
        n.min_duration_ms,
        n.max_duration_ms,
        n.min_gap_ms,
    ) == (42, 2, 20.0, 833, 7000, 83)
    assert get_profile("bbc").max_chars_per_line == 37 and PROFILES["relaxed"].max_lines == 3
    assert n.with_overrides(max_chars_per_line=37, max_lines=None).max_chars_per_line == 37
    with pytest.raises(ValueError, match="unknown profile"):
        get_profile("itv")
    with pytest.raises(ValueError, match="unknown profile settings"):
        n.with_overrides(colour="red")


def test_all_matches_public_names() -> None:
    """httpx-style: __all__ lists exactly the public names the package re-exports."""
    public = {
        name
        for name, value in vars(toolkit).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    lazy = set(toolkit._API)  # the library API, loaded on first use
    assert sorted(toolkit.__all__) == sorted(public | lazy | {"__version__"})
    assert all(getattr(toolkit, name) is not None for name in lazy)


def test_retimed_moves_end_and_words_and_keeps_the_source() -> None:
    t = Turn("A", 5000, "one two", 3, end_ms=6000, words=(Word("one", 5000, 5400), Word("two", 5500, 6000)))
    moved = t.retimed(2000).retimed(2500)
    assert (moved.start_ms, moved.end_ms, moved.source_start_ms) == (2500, 3500, 5000)
    assert [(w.start_ms, w.end_ms) for w in moved.words] == [(2500, 2900), (3000, 3500)]
    untimed = Turn("A", None, "x", 4, end_ms=1000)
    assert untimed.retimed(500).end_ms == 1000
    assert untimed.retimed(1500).end_ms is None  # an end before the new start is not kept
