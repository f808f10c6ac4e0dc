"""Segmentation and cue timing: hand-made cases, the seed, and Hypothesis properties."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.model import Cue, Finding, Turn, Word
from toolkit.parse import read_document
from toolkit.profiles import PROFILES, Profile
from toolkit.segment import (
    DEFAULT_PARAMS,
    SegmentParams,
    check_cues,
    segment,
    shown_chars,
)
from toolkit.segment.cutting import cut_points
from toolkit.segment.speech import speech_spans
from toolkit.segment.tokens import prepare_tokens, turn_tokens
from toolkit.timing import RateModel

NETFLIX = PROFILES["netflix"]
SEED = Path(__file__).resolve().parent.parent / "samples" / "tucker_lavrov.txt"
TWO_WPS = RateModel(global_wps=2.0)  # 500 ms a word

OUT_TIME_MS = DEFAULT_PARAMS.out_time_ms  # the segmenter's defaults the expectations are in terms of
SYNC_LEAD_MS = DEFAULT_PARAMS.sync_lead_ms
EARLY_MS = DEFAULT_PARAMS.early_ms


def words_of(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


def run(
    turns: Sequence[Turn],
    profile: Profile = NETFLIX,
    rates: RateModel = TWO_WPS,
    duration_ms: int | None = None,
    params: SegmentParams | None = None,
) -> tuple[list[Cue], list[Finding]]:
    return segment(turns, profile, rates=rates, duration_ms=duration_ms, path="t.txt", params=params)


def assert_valid(cues: Sequence[Cue]) -> None:
    for a, b in pairwise(cues):
        assert a.start_ms < b.start_ms
        assert a.end_ms <= b.start_ms
    assert all(c.end_ms > c.start_ms >= 0 for c in cues)


def words_per_turn(cues: Sequence[Cue], turns: Sequence[Turn]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in range(len(turns))}
    for c in cues:
        if len(set(c.speakers)) > 1:  # a two-speaker cue: one line per turn
            assert c.turn is not None
            out[c.turn] += c.lines[0].split()
            out[c.turn + 1] += c.lines[1].split()
        else:
            assert c.turn is not None
            out[c.turn] += c.text.split()
    return out


# -- timing ---------------------------------------------------------------------------------------------


def test_cue_ends_when_speech_ends_not_at_next_turn() -> None:
    cues, findings = run([Turn("A", 0, "one two three four.", 1), Turn("B", 10_000, "Next.", 2)])
    assert (cues[0].start_ms, cues[0].end_ms) == (0, 2000 + OUT_TIME_MS)
    assert cues[1].start_ms == 10_000
    assert findings == []


def test_overrunning_turn_is_compressed_into_its_slot() -> None:
    turns = [Turn("A", 0, words_of(20) + ".", 1), Turn("B", 4000, "Yes.", 2)]
    cues, findings = run(turns)
    a_cues = [c for c in cues if c.turn == 0]
    assert a_cues[-1].end_ms == 4000 - NETFLIX.min_gap_ms
    assert all(c.end_ms <= 4000 for c in a_cues)
    assert {f.code for f in findings} <= {"C003", "C004"}
    assert_valid(cues)


def test_turn_without_timestamp_follows_previous_estimated_end() -> None:
    turns = [
        Turn("A", 0, "one two three four.", 1),
        Turn("B", None, "five six seven eight.", 2),
        Turn("A", 20_000, "Nine.", 3),
    ]
    cues, _ = run(turns)
    assert [c.start_ms for c in cues] == [0, 2000, 20_000]
    assert cues[0].end_ms == 2000 - NETFLIX.min_gap_ms  # chained to the next cue
    assert cues[1].end_ms == 4000 + OUT_TIME_MS


def test_last_turn_bounded_by_duration() -> None:
    cues, _ = run([Turn("A", 0, words_of(20) + ".", 1)], duration_ms=4000)
    assert cues[-1].end_ms <= 4000
    cues, _ = run([Turn("A", 0, words_of(20) + ".", 1)])
    assert cues[-1].end_ms == 10_000 + OUT_TIME_MS


def test_small_gap_is_chained_to_min_gap() -> None:
    cues, _ = run([Turn("A", 0, "one two three four.", 1), Turn("B", 2800, "Next one.", 2)])
    assert cues[0].end_ms == 2800 - NETFLIX.min_gap_ms


def test_min_duration_and_reading_speed_extend_into_free_time() -> None:
    fast = RateModel(global_wps=4.0)
    cues, findings = run([Turn("A", 0, "Yes.", 1), Turn("B", 10_000, "No.", 2)], rates=fast)
    assert cues[0].end_ms == NETFLIX.min_duration_ms and findings == []
    slow_reader = NETFLIX.with_overrides(max_cps=5.0)
    cues, findings = run([Turn(None, 0, "Absolutely.", 1), Turn("B", 10_000, "No.", 2)], slow_reader)
    assert cues[0].end_ms == 2200 and findings == []  # 11 characters at 5 a second
    cues, findings = run([Turn("A", 0, "Absolutely.", 1), Turn("B", 10_000, "No.", 2)], slow_reader)
    assert cues[0].end_ms == 2800 and findings == []  # and the SRT label "A: "


def test_reading_speed_counts_srt_labels_and_dashes() -> None:
    cues = [
        Cue(0, 1000, ("Yes.",), ("Tucker",)),
        Cue(1100, 2000, ("Go on.",), ("Tucker",)),
        Cue(2100, 3000, ("Yes.", "No, NATO."), ("Tucker", "Sergey Lavrov")),
    ]
    assert shown_chars(cues) == [4 + 8, 6, 4 + 9 + 2 + 15]


def test_max_duration_splits_long_unpunctuated_speech() -> None:
    slow = RateModel(global_wps=1.0)
    cues, findings = run([Turn("A", 0, words_of(40, "go"), 1)], rates=slow)
    assert len(cues) >= 6
    assert all(c.duration_ms <= NETFLIX.max_duration_ms for c in cues)
    assert findings == []


def test_findings_carry_cue_index_line_and_numbers() -> None:
    turns = [
        Turn("A", 0, "Hello.", 1),
        Turn("B", 1000, words_of(30, "talking") + ".", 7),
        Turn("A", 3000, "Right.", 9),
    ]
    cues, findings = run(turns)
    assert findings, "a 30-word turn squeezed into 2 s must be flagged"
    for f in findings:
        assert f.code in {"C003", "C004"} and f.path == "t.txt"
        assert f.cue is not None and cues[f.cue - 1].line == f.line
        assert set(f.data) >= {"limit", "actual", "excess"}  # and the rule's own keys, as validate gives
        assert f.data["excess"] > 0
        assert f.data["excess"] == pytest.approx(abs(f.data["actual"] - f.data["limit"]), abs=0.01)
    assert any(f.code == "C003" and f.line == 7 for f in findings)
    assert_valid(cues)


def test_backwards_timestamp_still_gives_valid_cues() -> None:
    turns = [
        Turn("A", 10_000, "First one here.", 1),
        Turn("B", 5000, "Went back in time.", 2),
        Turn("A", 12_000, "And on.", 3),
    ]
    cues, _ = run(turns)
    assert_valid(cues)
    assert words_per_turn(cues, turns) == {i: t.text.split() for i, t in enumerate(turns)}


# -- aligned words and caption-file input -----------------------------------------------------------------


def test_word_times_are_used() -> None:
    ws = (
        Word("So", 1000, 1200),
        Word("you", 1250, 1400),
        Word("believe", 1450, 1900),
        Word("it?", 2000, 2300),
    )
    turns = [Turn("Tucker", 1000, "So you believe it?", 1, words=ws), Turn("B", 9000, "Yes.", 2)]
    cues, _ = run(turns)
    assert (cues[0].start_ms, cues[0].end_ms) == (1000, 2300 + OUT_TIME_MS)
    assert cues[0].words == ws


def test_word_times_cut_long_speech_at_word_boundaries() -> None:
    ws = tuple(Word(f"w{i}", i * 400, i * 400 + 300) for i in range(60))
    turns = [Turn("A", 0, " ".join(w.text for w in ws), 1, words=ws)]
    cues, _ = run(turns)
    assert len(cues) > 1
    for c in cues:
        assert c.start_ms == c.words[0].start_ms
        assert c.end_ms >= c.words[-1].end_ms or c.end_ms == cues[cues.index(c) + 1].start_ms - 83
    assert [w for c in cues for w in c.words] == list(ws)


@pytest.mark.parametrize(("pause_ms", "cues_expected"), [(40, 1), (900, 2)])
def test_a_pause_between_aligned_sentences_starts_a_new_cue(pause_ms: int, cues_expected: int) -> None:
    # "Oh, hello." and "I didn't know you were there." fit one cue; a long pause between them would show
    # the second sentence before it is said
    first = (Word("Oh,", 8400, 8600), Word("hello.", 8620, 8880))
    t = 8880 + pause_ms
    second = spoken("I didn't know you were there.", t, 160)
    text = "Oh, hello. I didn't know you were there."
    cues, _ = run([Turn("Diane", 8000, text, 1, words=first + second), Turn("B", 20000, "Yes.", 2)])
    assert len(cues) == cues_expected + 1
    assert [w for c in cues[:-1] for w in c.words] == list(first + second)
    assert cues[0].start_ms == 8400
    if cues_expected == 2:
        assert cues[1].start_ms == t


def test_overlapping_speech_never_leaves_a_flash_cue() -> None:
    # A's second sentence is said while B has already started (crosstalk): instead of a 1 ms cue it
    # joins A's first cue, which fits both
    a = spoken("Button or something like that.", 5000, 180) + spoken("Yeah. When they're when.", 6300, 180)
    b = spoken("Simplification of symbols you could think of.", 5700, 200)
    turns = [
        Turn("MEO015", 5000, "Button or something like that. Yeah. When they're when.", 1, words=a),
        Turn("FEE013", 5000, "Simplification of symbols you could think of.", 2, words=b),
        Turn("MEO015", 20000, "Right.", 3, words=spoken("Right.", 20000)),
    ]
    cues, _ = run(turns)
    assert_valid(cues)
    assert [c.text.replace("\n", " ") for c in cues[:2]] == [
        "Button or something like that. Yeah. When they're when.",
        "Simplification of symbols you could think of.",
    ]
    assert cues[0].end_ms - cues[0].start_ms >= NETFLIX.min_duration_ms - SYNC_LEAD_MS
    assert cues[1].start_ms <= b[0].start_ms + 1500  # B waits, within the lag allowed


@pytest.mark.parametrize("reply_ms", [33_700, 35_100])
def test_a_cue_that_cannot_join_is_not_squeezed_to_a_flash(reply_ms: int) -> None:
    # crosstalk in a meeting: A's long turn is timed by the fallback through 39 s, and B's reply was said
    # 2.8 s or 1.4 s before A's last cue starts (36.5 s); A's last cue cannot join the one before it (too
    # much text for two lines). A's last cue keeps the minimum duration (it had 1 ms and 38 ms), and B's
    # cue waits for it even where that is more than 1.5 s after B's words: a late cue can be read
    text = (
        "Raises a point, I wonder what our design people think, but you know on a mobile phone, you can "
        "press a key and it gives you a menu, it's got a menu display, I wonder if incorporating that into "
        "the design of a remote control might be useful, so you've got a."
    )
    a = spoken(text, 28770, 209)
    b = spoken("You've got the.", reply_ms, 290)
    turns = [
        Turn("FEE016", 29000, text, 1, words=a),
        Turn("MEO015", 34000, "You've got the.", 2, words=b),
        Turn("MEE014", 42500, "Yeah.", 3, words=spoken("Yeah.", 42500)),
    ]
    cues, _ = run(turns)
    assert_valid(cues)
    assert [w for c in cues for w in c.words] == list(a + b) + [w for w in cues[-1].words]
    for c in cues:
        assert c.end_ms - c.start_ms >= NETFLIX.min_duration_ms - SYNC_LEAD_MS, c
    reply = next(c for c in cues if c.speaker == "MEO015")
    last_a = max((c for c in cues if c.speaker == "FEE016"), key=lambda c: c.start_ms)
    assert last_a.start_ms < reply.start_ms <= last_a.start_ms + NETFLIX.min_duration_ms + NETFLIX.min_gap_ms


def test_a_pushed_cue_is_not_squeezed_by_its_own_turn() -> None:
    # B starts talking as A's "Yeah." does (crosstalk); B's first cue waits for A's to be readable, and
    # B's second cue, at its own speech, would then leave B's first one 400 ms: it waits too
    text = (
        "Main things on the front of it and a section opens up or something to the other functions "
        "where you can do sound or options kind of recording, things like that inside it."
    )
    b = spoken(text, 42_501, 110)
    turns = [
        Turn("MEE014", 42_000, "Yeah.", 1, words=spoken("Yeah.", 42_500)),
        Turn("MEO015", 42_000, text, 2, words=b),
        Turn("FEE016", 60_000, "Right.", 3, words=spoken("Right.", 60_000)),
    ]
    cues, _ = run(turns)
    assert_valid(cues)
    assert len([c for c in cues if c.speaker == "MEO015"]) >= 2
    for c in cues:
        assert c.end_ms - c.start_ms >= NETFLIX.min_duration_ms - SYNC_LEAD_MS, c


def test_next_speaker_waits_for_a_cue_to_be_readable() -> None:
    # B answers 300 ms after A's one-word turn starts, in a two-line cue that cannot pair with it: A's cue
    # gets the minimum duration (less its own lead) and B's waits, at most 1.5 s
    turns = [
        Turn("A", 1000, "No.", 1, words=spoken("No.", 1000)),
        Turn("B", 1300, words_of(12), 2, words=spoken(words_of(12), 1300)),
        Turn("A", 20000, "Right.", 3, words=spoken("Right.", 20000)),
    ]
    cues, _ = run(turns)
    assert_valid(cues)
    assert cues[0].lines == ("No.",)
    assert cues[0].end_ms - cues[0].start_ms >= NETFLIX.min_duration_ms - SYNC_LEAD_MS
    assert 1300 < cues[1].start_ms <= 1300 + 1500


def spoken(text: str, t0: int, per_word_ms: int = 200) -> tuple[Word, ...]:
    """Aligned words for ``text``: one every ``per_word_ms`` from ``t0``, each 40 ms short of the next."""
    step = per_word_ms
    return tuple(Word(w, t0 + k * step, t0 + (k + 1) * step - 40) for k, w in enumerate(text.split()))


def sync_turns(aligned: bool) -> list[Turn]:
    """B's cue needs 1250 ms to read ("B: Absolutely right, yes.") but has 917 ms before B's next turn."""
    parts = [("A", 0, "Okay."), ("B", 5000, "Absolutely right, yes."), ("B", 6000, "Good.")]
    return [
        Turn(spk, t0, text, k, words=spoken(text, t0) if aligned else ())
        for k, (spk, t0, text) in enumerate(parts, start=1)
    ]


@pytest.mark.parametrize("aligned", [True, False])
def test_cue_starts_within_two_frames_of_its_onset(aligned: bool) -> None:
    # with word times (Netflix: in-time within 2 frames of the speech onset), and for a turn-opening cue
    # at a transcript timestamp (the speech cannot begin before it), a cue too fast for its slot starts at
    # most SYNC_LEAD_MS early; it ends at the next cue less the gap, and the rest is reported
    cues, findings = run(sync_turns(aligned))
    assert [c.text for c in cues] == ["Okay.", "Absolutely right, yes.", "Good."]
    assert cues[1].start_ms == 5000 - SYNC_LEAD_MS
    assert cues[1].end_ms == 6000 - NETFLIX.min_gap_ms
    assert [(f.code, f.cue) for f in findings] == [("C003", 2)]
    assert_valid(cues)


def test_aligned_cue_reads_by_extending_its_end_not_by_starting_early() -> None:
    turns = sync_turns(True)
    turns[2] = replace(turns[2], start_ms=9000, words=spoken("Good.", 9000))
    cues, findings = run(turns)
    assert cues[1].start_ms == 5000  # its first word's onset
    assert cues[1].end_ms == 5000 + 1250  # 25 characters at 20 a second, past the 0.5 s out-time
    assert findings == []


def test_estimated_start_inside_a_turn_may_lead_a_little() -> None:
    # text-only timing: a cue inside a turn starts where the rate model puts it, an estimate; when too
    # fast it may lead that estimate by EARLY_MS, taking the previous cue's spare time
    text = (
        "We would like to have normal relations with all our neighbors. "
        "[crosstalk 00:42:40] [inaudible 00:42:41] Right."
    )  # annotations take no speaking time

    def cues(params: SegmentParams | None = None) -> list[Cue]:
        turns = [Turn("A", 0, text, 1), Turn("B", 8000, "Good.", 2)]
        return run(turns, rates=RateModel(global_wps=1.5), params=params)[0]

    led = cues()
    estimated = cues(SegmentParams(early_ms=0))
    assert [c.text for c in led] == [c.text for c in estimated] and len(led) == 3
    assert led[1].start_ms == estimated[1].start_ms - EARLY_MS
    assert led[0].end_ms == led[1].start_ms - NETFLIX.min_gap_ms
    assert led[0].start_ms == 0 and led[2].start_ms == 8000


@pytest.mark.media
@pytest.mark.slow
def test_aligned_sample_cues_start_at_sentence_onsets() -> None:
    """One real conversion (ffmpeg + pocketsphinx) of the committed media sample, against its truth."""
    import json

    from toolkit.pipeline import ConvertOptions, convert_file

    sample = SEED.parent / "media"
    truth = json.loads((sample / "interview.truth.json").read_text(encoding="utf-8"))
    result = convert_file(
        sample / "interview.transcript.txt",
        ConvertOptions(media=str(sample / "interview.mp4"), align="words"),
    )
    starts = {" ".join(c["text"].split()[:4]): round(c["start"] * 1000) for c in truth["cues"]}
    checked = 0
    for cue in result.cues:
        assert cue.words, "every cue of the sample is aligned"
        assert cue.words[0].start_ms - SYNC_LEAD_MS <= cue.start_ms <= cue.words[0].start_ms
        onset = starts.get(" ".join(cue.text.split()[:4]))
        if onset is not None:  # the cue begins a sentence
            assert -SYNC_LEAD_MS <= cue.start_ms - onset <= 100
            checked += 1
    assert checked >= 10


def test_caption_cue_that_fits_keeps_its_timing() -> None:
    turns = [Turn(None, 1000, "Hello there", 2, end_ms=1500), Turn(None, 1600, "Second cue", 6, end_ms=4000)]
    cues, findings = run(turns)
    assert [(c.start_ms, c.end_ms) for c in cues] == [(1000, 1500), (1600, 4000)]
    assert [f.code for f in findings] == ["C003", "C004"]  # 22 cps, 500 ms: reported, not changed


def test_caption_cue_too_long_is_resegmented_within_its_span() -> None:
    text = (
        "This is a very long caption line that certainly does not fit into two lines of forty-two "
        "characters, so it has to be cut into more than one cue."
    )
    turns = [Turn(None, 1000, text, 2, end_ms=7000), Turn(None, 9000, "Next.", 6, end_ms=10_000)]
    cues, _ = run(turns)
    first = [c for c in cues if c.turn == 0]
    assert len(first) >= 2
    assert first[0].start_ms == 1000 and first[-1].end_ms <= 7000
    assert " ".join(c.text for c in first).split() == text.split()


# -- text -------------------------------------------------------------------------------------------------


def test_two_short_turns_share_a_dash_cue() -> None:
    turns = [
        Turn("Tucker", 5000, "Yes.", 1),
        Turn("Sergey Lavrov", 6000, "No, NATO.", 3),
        Turn("Tucker", 20_000, "Okay.", 5),
    ]
    cues, _ = run(turns)
    assert cues[0].lines == ("Yes.", "No, NATO.")
    assert cues[0].speakers == ("Tucker", "Sergey Lavrov")
    assert cues[0].start_ms == 5000 and cues[0].end_ms > 6000
    assert cues[1].lines == ("Okay.",)


ANSWER = (
    "To have a government of national unity, to hold early elections, to be implemented. The deal was signed."
)


def reply_then_answer(answer_ms: int) -> list[Turn]:
    return [
        Turn("Tucker", 0, "Yes.", 1),
        Turn("Sergey Lavrov", answer_ms, ANSWER, 3),
        Turn("Tucker", 30_000, "Okay.", 5),
    ]


def test_short_reply_pairs_with_the_first_cue_of_a_continuing_turn() -> None:
    turns = reply_then_answer(1000)
    cues, findings = run(turns, rates=RateModel(global_wps=2.0))
    assert cues[0].lines == ("Yes.", "To have a government")  # the answer's first cue cut to one line
    assert cues[0].speakers == ("Tucker", "Sergey Lavrov")
    assert cues[1].lines[0].startswith("of national unity,") and cues[1].speakers[0] == "Sergey Lavrov"
    assert cues[0].start_ms == 0 and cues[0].end_ms == cues[1].start_ms - NETFLIX.min_gap_ms
    assert shown_chars(cues)[0] * 1000 / cues[0].duration_ms <= NETFLIX.max_cps
    assert words_per_turn(cues, turns) == {i: t.text.split() for i, t in enumerate(turns)}
    assert findings == []
    assert_valid(cues)


@pytest.mark.parametrize(("answer_ms", "wps"), [(1600, 2.0), (1000, 4.0)])
def test_short_reply_stays_alone_when_timing_does_not_allow(answer_ms: int, wps: float) -> None:
    # the answer starts more than 1.5 s after the reply, or is spoken too fast to read the pair in time
    cues, _ = run(reply_then_answer(answer_ms), rates=RateModel(global_wps=wps))
    assert cues[0].lines == ("Yes.",)
    assert cues[1].lines == ("To have a government", "of national unity,")


def test_seed_short_replies_become_dialogue_cues(seed_turns: tuple[Turn, ...]) -> None:
    cues, _ = segment(seed_turns, NETFLIX, rates=RateModel.fit(seed_turns))
    pairs = {c.lines: c.start_ms for c in cues if len(set(c.speakers)) > 1}
    assert pairs[("No, NATO.", "No, NATO.")] == 2_675_000  # Tucker [00:44:35], Lavrov [00:44:36]
    assert pairs[("Yes.", "To have a government")] == 1_718_000  # Tucker [00:28:38], Lavrov [00:28:39]
    after = next(c for c in cues if c.start_ms > 2_675_000)
    assert after.lines[0] == "Absolutely no military bases,"


def test_one_sentence_per_cue_and_short_ones_share() -> None:
    text = (
        "We would like to have normal relations with all our neighbors. "
        "Especially with a great country like the United States. Yes. Of course."
    )
    cues, _ = run([Turn("A", 0, text, 1)])
    texts = [c.text for c in cues]
    assert texts[0] == "We would like to have normal relations with all our neighbors."
    assert texts[1] == "Especially with a great country like the United States."
    assert texts[2] == "Yes. Of course."


def test_long_sentence_cut_at_a_clause_without_ellipsis() -> None:
    text = (
        "But what is going on in Ukraine, some people call it a hybrid war, and I would call it "
        "hybrid war as well, because the Ukrainians would not be able to do what they are doing "
        "without the weapons."
    )
    cues, _ = run([Turn("A", 0, text, 1)], rates=RateModel(global_wps=3.0))
    assert len(cues) >= 2
    for c in cues[:-1]:
        assert c.lines[-1][-1] in ",." or c.lines[-1].split()[-1] not in {"the", "a", "I", "would"}
        assert "…" not in c.text and "..." not in c.text
    assert " ".join(c.text for c in cues).split() == text.split()


def test_brackets_are_kept_whole() -> None:
    text = "Because it's not a secret. [crosstalk 00:42:40] And so on and so forth, as we said."
    cues, _ = run([Turn("A", 0, text, 1)])
    assert any("[crosstalk 00:42:40]" in line for c in cues for line in c.lines)
    assert " ".join(c.text for c in cues).split() == text.split()


def test_first_line_keeps_room_for_the_speaker_label() -> None:
    cues, _ = run([Turn("Sergey Lavrov", 0, "I wouldn't say so, and in any case not today.", 1)])
    assert len(cues[0].lines[0]) + len("Sergey Lavrov") + 3 <= NETFLIX.max_chars_per_line


def test_empty_turn_gives_no_cue() -> None:
    cues, findings = run([Turn("A", 0, "   ", 1), Turn("B", 1000, "Hi there.", 2)])
    assert [c.text for c in cues] == ["Hi there."] and cues[0].turn == 1 and findings == []


def test_check_cues_reports_every_limit() -> None:
    bad = [Cue(0, 100, ("x" * 50, "y", "z"), line=3), Cue(120, 9000, ("ok",), line=4)]
    codes = sorted(f.code for f in check_cues(bad, NETFLIX))
    assert codes == ["C001", "C002", "C003", "C004", "C005", "C006"]


# -- the seed ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_turns() -> tuple[Turn, ...]:
    return read_document(SEED).turns


@pytest.mark.parametrize("name", ["netflix", "bbc", "relaxed"])
def test_seed_keeps_every_word_and_fits_profile(seed_turns: tuple[Turn, ...], name: str) -> None:
    profile = PROFILES[name]
    cues, findings = segment(seed_turns, profile, rates=RateModel.fit(seed_turns), path="seed")
    assert_valid(cues)
    assert words_per_turn(cues, seed_turns) == {i: t.text.split() for i, t in enumerate(seed_turns)}
    assert all(len(c.lines) <= profile.max_lines for c in cues)
    assert all(len(x) <= profile.max_chars_per_line for c in cues for x in c.lines)
    assert {f.code for f in findings} <= {"C003", "C004"}
    if name == "netflix":  # BBC's 15 cps is below Tucker's speaking rate (~15.7 chars/s)
        assert len({f.cue for f in findings}) < 0.03 * len(cues)


# -- properties -------------------------------------------------------------------------------------------

TOKENS = st.sampled_from(
    [
        "the",
        "a",
        "United",
        "States",
        "war",
        "and",
        "but",
        "of",
        "Lavrov,",
        "yes.",
        "No?",
        "we",
        "not",
        "[crosstalk 00:42:40]",
        "extraordinarily",
        "x" * 45,
        "&",
        "<b>",
        "Mr.",
        "it’s",
        "7,000",
        "...",
        "—",
    ]
)


@st.composite
def turn_lists(draw: st.DrawFn) -> list[Turn]:
    n = draw(st.integers(1, 8))
    turns: list[Turn] = []
    t = draw(st.integers(0, 5000))
    for i in range(n):
        text = " ".join(draw(st.lists(TOKENS, min_size=0, max_size=40)))
        speaker = draw(st.sampled_from(["Tucker", "Sergey Lavrov", None]))
        t += draw(st.integers(-2000, 20_000))
        start = None if draw(st.integers(0, 5)) == 0 else max(t, 0)
        kind = draw(st.integers(0, 6))
        if kind == 0 and start is not None:
            turns.append(Turn(speaker, start, text, i + 1, end_ms=start + draw(st.integers(0, 9000))))
        elif kind == 1 and start is not None and text.split():
            ws, w0 = [], start
            for word in text.split():
                d = draw(st.integers(0, 900))
                ws.append(Word(word, w0, w0 + d))
                w0 += d + draw(st.integers(0, 300))
            turns.append(Turn(speaker, start, text, i + 1, words=tuple(ws)))
        else:
            turns.append(Turn(speaker, start, text, i + 1))
    return turns


PROFILE_CHOICES = st.sampled_from(
    [
        PROFILES["netflix"],
        PROFILES["bbc"],
        PROFILES["relaxed"],
        PROFILES["netflix"].with_overrides(max_chars_per_line=20, max_lines=1, min_duration_ms=2000),
    ]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turn_lists(), PROFILE_CHOICES, st.floats(0.5, 5.0), st.none() | st.integers(1, 200_000))
def test_properties(turns: list[Turn], profile: Profile, wps: float, duration_ms: int | None) -> None:
    rates = RateModel(global_wps=wps)
    cues, findings = segment(turns, profile, rates=rates, duration_ms=duration_ms, path="p")
    # never overlapping, backwards or empty
    assert_valid(cues)
    assert all(line.strip() == line and line for c in cues for line in c.lines)
    assert all(len(c.speakers) == len(c.lines) for c in cues)
    # every word kept, in order, unaltered
    expected = {i: ([w.text for w in t.words] if t.words else t.text.split()) for i, t in enumerate(turns)}
    assert words_per_turn(cues, turns) == expected
    # each cue is within the profile or carries a finding with its index
    flagged = {(f.cue, f.code) for f in findings}
    for k, c in enumerate(cues, start=1):
        if any(len(x) > profile.max_chars_per_line for x in c.lines):
            assert (k, "C001") in flagged
        if len(c.lines) > profile.max_lines:
            assert (k, "C002") in flagged
        if sum(map(len, c.lines)) * 1000 / c.duration_ms > profile.max_cps:
            assert (k, "C003") in flagged
        if c.duration_ms < profile.min_duration_ms:
            assert (k, "C004") in flagged
        if c.duration_ms > profile.max_duration_ms:
            assert (k, "C005") in flagged
        if k < len(cues) and cues[k].start_ms - c.end_ms < profile.min_gap_ms:
            assert (k, "C006") in flagged
    assert all(f.line == cues[f.cue - 1].line for f in findings if f.cue is not None)


def test_fast_speech_trails_a_little_when_a_pause_follows() -> None:
    text = (
        "Extraordinary circumstances demand extraordinary measures, obviously. "
        "Nevertheless everybody understood perfectly what happened afterwards."
    )
    fast = RateModel(global_wps=5.0)  # about 40 characters a second
    squeezed, findings = run([Turn("A", 0, text, 1), Turn("B", 3000, "Yes.", 2)], rates=fast)
    assert any(f.code == "C003" for f in findings)  # no pause after the turn: too fast, and reported
    cues, eased = run([Turn("A", 0, text, 1), Turn("B", 20_000, "Yes.", 2)], rates=fast)
    assert len(cues) == len(squeezed) == 3
    assert cues[0].start_ms == 0
    assert 0 < cues[1].start_ms - squeezed[1].start_ms <= 1500  # trails its speech by at most 1.5 s
    cps = [sum(map(len, c.lines)) * 1000 / c.duration_ms for c in cues[:2]]
    assert cps[1] <= 20 and cps[0] < 30  # the second cue is readable, the first much less fast than 40
    assert [f.cue for f in eased] == [1]


def test_odd_aligned_words_do_not_break_cues() -> None:
    ws = (
        Word("Hello", 0, 300),
        Word(" ", 300, 310),
        Word("New York", 320, 900),
        Word("", 900, 900),
        Word("city.", 950, 1300),
    )
    cues, _ = run([Turn("A", 0, "Hello New York city.", 1, words=ws)])
    assert [c.text for c in cues] == ["Hello New York city."]
    assert cues[0].words == (ws[0], ws[2], ws[4])
    assert write_check(cues)


def write_check(cues: Sequence[Cue]) -> bool:
    from toolkit.formats import write_srt, write_vtt

    return write_srt(cues).endswith("city.\n") and write_vtt(cues, word_timestamps=True).endswith("city.\n")


def test_characters_predict_turn_duration_better_than_words(seed_turns: tuple[Turn, ...]) -> None:
    """Why time is spread over a turn by characters: on the seed, the per-turn rate in characters/s
    varies less than in words/s (median absolute deviation of the log rate), for both speakers."""
    import math
    import statistics

    from toolkit.timing import count_words

    def spread(measure: Callable[[str], float], speaker: str) -> float:
        logs = [
            math.log(measure(a.text) * 1000 / (b.start_ms - a.start_ms))
            for a, b in pairwise(seed_turns)
            if a.speaker == speaker
            and count_words(a.text) >= 5
            and a.start_ms is not None
            and b.start_ms is not None
            and b.start_ms > a.start_ms
        ]
        mid = statistics.median(logs)
        return statistics.median(abs(x - mid) for x in logs)

    for speaker in ("Tucker", "Sergey Lavrov"):
        chars = spread(lambda t: len(" ".join(t.split())), speaker)
        words = spread(lambda t: count_words(t), speaker)
        assert chars < words
    assert spread(lambda t: len(" ".join(t.split())), "Sergey Lavrov") == pytest.approx(0.081, abs=0.002)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turn_lists(), PROFILE_CHOICES, st.integers(0, 20), st.sampled_from([None, 1, 2]))
def test_cutting_a_turn_again_reuses_the_first_search_exactly(
    turns: list[Turn], profile: Profile, reserve: int, first_lines: int | None
) -> None:
    # a reply's re-cut stops early once it agrees with the turn's first search: same cuts as a full search
    params = DEFAULT_PARAMS
    spans = speech_spans(turns, TWO_WPS, None)
    for turn, span in zip(turns, spans, strict=True):
        toks = turn_tokens(turn, span)
        if not toks.texts:
            continue
        prepare_tokens(toks, params)
        first = cut_points(toks, profile, 0, params)
        dp = toks.dp
        assert dp is not None
        full = cut_points(toks, profile, reserve, params, first_lines, None)  # a whole search
        assert cut_points(toks, profile, reserve, params, first_lines, dp) == full
        assert cut_points(toks, profile, 0, params, None, dp) == first
