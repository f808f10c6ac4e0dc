"""Properties of the caption checks on generated SRT/WebVTT files."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.profiles import get_profile
from toolkit.timecode import format_srt, format_vtt
from toolkit.validate import validate_captions

NETFLIX = get_profile("netflix")
WORDS = st.sampled_from(["no", "NATO", "war", "the", "Minister", "Lavrov,", "yes.", "&", "peace"])
TEXT = st.lists(st.lists(WORDS, min_size=1, max_size=8).map(" ".join), min_size=0, max_size=3)
CUE = st.tuples(st.integers(0, 120_000), st.integers(-500, 9_000), TEXT)


def render(cues: list[tuple[int, int, list[str]]], kind: str, shift: int = 0) -> str:
    blocks = []
    for i, (start, end, lines) in enumerate(cues, start=1):
        fmt = format_vtt if kind == "vtt" else format_srt
        timing = f"{fmt(start + shift)} --> {fmt(max(end + shift, 0))}"
        blocks.append((f"{i}\n" if kind == "srt" else "") + timing + "".join("\n" + ln for ln in lines))
    return ("WEBVTT\n\n" if kind == "vtt" else "") + "\n\n".join(blocks) + "\n"


def as_cues(raw: list[tuple[int, int, list[str]]]) -> list[tuple[int, int, list[str]]]:
    return [(start, start + length, lines) for start, length, lines in raw]


@settings(max_examples=60, deadline=None)
@given(st.lists(CUE, max_size=12), st.sampled_from(["srt", "vtt"]), st.integers(1, 3_600_000))
def test_findings_are_located_and_shift_invariant(
    raw: list[tuple[int, int, list[str]]], kind: str, shift: int
) -> None:
    cues = as_cues(raw)
    found = validate_captions(render(cues, kind), kind, path="p", profile=NETFLIX)
    n = len(cues)
    assert all(f.code.startswith("C") and f.path == "p" for f in found)
    assert all(f.cue is not None and 1 <= f.cue <= n and f.line is not None and f.line >= 1 for f in found)
    # C008 is exactly the starts that go backwards, in file order
    backwards = {i for i in range(2, n + 1) if cues[i - 1][0] < cues[i - 2][0]}
    assert {f.cue for f in found if f.code == "C008"} == backwards
    # C009 is exactly the cues that end at or before their start
    assert {f.cue for f in found if f.code == "C009"} == {i for i, c in enumerate(cues, 1) if c[1] <= c[0]}
    # moving every cue later changes nothing (no media duration given)
    if all(c[1] >= 0 for c in cues):
        moved = validate_captions(render(cues, kind, shift), kind, path="p", profile=NETFLIX)
        assert Counter((f.code, f.cue) for f in moved) == Counter((f.code, f.cue) for f in found)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(83, 5_000), st.integers(2_400, 7_000), st.lists(WORDS, min_size=1, max_size=4)),
        max_size=10,
    ),
    st.sampled_from(["srt", "vtt"]),
)
def test_cues_within_the_profile_have_no_findings(raw: list[tuple[int, int, list[str]]], kind: str) -> None:
    cues: list[tuple[int, int, list[str]]] = []
    t = 0
    previous = ""
    for gap, length, words in raw:
        text = " ".join(words).replace("&", "and")
        if text == previous:
            text += " again"
        previous = text
        cues.append((t + gap, t + gap + length, [text]))  # at most 41 characters in 2.4 s or more
        t += gap + length
    assert validate_captions(render(cues, kind), kind, path="p", profile=NETFLIX) == []
