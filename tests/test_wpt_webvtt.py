"""The W3C web-platform-tests WebVTT file-parsing cases: captionkit's reader meets every expectation."""

from __future__ import annotations

import pytest
import wpt_webvtt

CASES = wpt_webvtt.cases()


def test_the_fixture_set_is_complete() -> None:
    assert len(CASES) >= 22
    for name in CASES:
        assert (wpt_webvtt.FIXTURES / f"{name}.vtt").is_file()
    assert (wpt_webvtt.FIXTURES / "LICENSE.wpt").is_file()


@pytest.mark.parametrize("name", sorted(CASES))
def test_wpt_case(name: str) -> None:
    data = (wpt_webvtt.FIXTURES / f"{name}.vtt").read_bytes()
    assert wpt_webvtt.check_case(CASES[name], wpt_webvtt.captionkit_parser(data)) == []


def test_a_case_can_fail() -> None:
    """The harness is not vacuous: a parser that loses one cue fails the case."""
    data = (wpt_webvtt.FIXTURES / "timings-negative.vtt").read_bytes()
    assert wpt_webvtt.check_case(CASES["timings-negative"], wpt_webvtt.captionkit_parser(data)[:-1])
    cues = wpt_webvtt.captionkit_parser(data)
    cues[0]["text"] = "changed"
    assert wpt_webvtt.check_case(CASES["timings-negative"], cues) == [
        "cue 0: text is 'changed', expected 'text1'"
    ]
