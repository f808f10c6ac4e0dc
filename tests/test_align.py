"""Word alignment with the real pocketsphinx engine on the committed fixtures (tests/fixtures/align/).

The fixtures were made by tests/fixtures/make_align_fixtures.py: synthetic two-voice interviews whose
sentence onsets are known exactly. Turn timestamps are floored to whole seconds, as transcripts give them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from toolkit.align import AlignParams, align_turns
from toolkit.align.aligner import Aligner, TokenTiming
from toolkit.align.fallback import snap_to_onset
from toolkit.align.first_words import (
    claim_speech_before,
    join_first_words,
    lift_from_silence,
    snap_sentence_starts,
    trim_long_heads,
)
from toolkit.align.normalize import normalize
from toolkit.align.pieces import Piece, spoken_starts
from toolkit.align.recovery import audible_ms, recover, said_again, worth_reporting
from toolkit.align.run import Run, State
from toolkit.align.windows import SpeechIndex, onsets
from toolkit.model import Finding, Turn
from toolkit.timing import RateModel

FIXTURES = Path(__file__).parent / "fixtures" / "align"
TOLERANCE_MS = 100


def load(name: str) -> tuple[list[Turn], np.ndarray, dict[str, Any]]:
    truth: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    audio, rate = sf.read(FIXTURES / f"{name}.flac", dtype="int16")
    assert rate == 16000
    turns = [Turn(spk, hint, text, 2 * i + 1) for i, (spk, hint, text) in enumerate(truth["turns"])]
    return turns, audio, truth


def sentence_errors(aligned: Sequence[Turn], truth: dict[str, Any]) -> list[int]:
    """Signed error of each sentence's first word against its true onset."""
    errors: list[int] = []
    used: dict[int, int] = {}
    for ti, text, start_ms in truth["sentences"]:
        k = used.get(ti, 0)
        errors.append(aligned[ti].words[k].start_ms - start_ms)
        used[ti] = k + len(text.split())
    return errors


@pytest.fixture(scope="module")
def clean() -> tuple[list[Turn], np.ndarray, dict[str, Any], tuple[Turn, ...], list[Finding]]:
    turns, audio, truth = load("clean")
    aligned, findings = align_turns(turns, audio, path="clean.txt")
    return turns, audio, truth, aligned, findings


def test_clean_sentence_starts_within_100_ms(clean: Any) -> None:
    _, _, truth, aligned, findings = clean
    errors = sentence_errors(aligned, truth)
    assert len(errors) == 7
    assert max(abs(e) for e in errors) <= TOLERANCE_MS, errors
    assert findings == []


def test_words_keep_the_transcript_text_and_refine_the_turn(clean: Any) -> None:
    turns, _, truth, aligned, _ = clean
    for before, after in zip(turns, aligned, strict=True):
        assert [w.text for w in after.words] == before.text.split()
        assert after.start_ms == after.words[0].start_ms
        assert after.end_ms == after.words[-1].end_ms
        assert after.source_start_ms == before.start_ms
        assert all(a.start_ms <= b.start_ms for a, b in zip(after.words, after.words[1:], strict=False))
        assert all(w.end_ms >= w.start_ms for w in after.words)
    # a number spoken as three words keeps its written form and spans all three
    w2022 = next(w for w in aligned[0].words if w.text == "2022?")
    assert 600 <= w2022.end_ms - w2022.start_ms <= 2000
    assert aligned[0].end_ms == pytest.approx(truth["sentences"][1][2] + 1850, abs=250)


def test_out_of_dictionary_names_are_aligned(clean: Any) -> None:
    _, _, truth, aligned, _ = clean
    guest = aligned[1].words
    names = {w.text.strip(",."): w for w in guest if w.text.strip(",.") in {"Lavrov", "Zelensky", "Donbas"}}
    assert set(names) == {"Lavrov", "Zelensky", "Donbas"}
    start = truth["sentences"][2][2]  # "Well, Lavrov and Zelensky talked about Donbas for 20 years."
    # in order, inside the sentence, each a plausible length for a spoken name
    assert (
        start
        < names["Lavrov"].start_ms
        < names["Zelensky"].start_ms
        < names["Donbas"].start_ms
        < start + 4000
    )
    assert all(250 <= w.end_ms - w.start_ms <= 900 for w in names.values())
    bucha = aligned[2].words[-1]
    assert bucha.text == "Bucha?"
    assert truth["sentences"][4][2] + 200 < bucha.start_ms < truth["sentences"][4][2] + 1200


@pytest.mark.parametrize("shift_ms", [-2000, 2000])
def test_timestamps_off_by_two_seconds(shift_ms: int) -> None:
    turns, audio, truth = load("clean")
    moved = [
        Turn(t.speaker, max(0, (t.start_ms or 0) + (shift_ms if i % 2 else -shift_ms)), t.text, t.line)
        for i, t in enumerate(turns)
    ]
    aligned, _ = align_turns(moved, audio)
    errors = sentence_errors(aligned, truth)
    assert max(abs(e) for e in errors) <= TOLERANCE_MS, errors
    assert [t.source_start_ms for t in aligned] == [t.start_ms for t in moved]


def test_long_turns_are_aligned_in_chunks() -> None:
    params = AlignParams(max_chunk_speech_ms=1500)  # every sentence its own chunk
    turns, audio, truth = load("clean")
    aligned, findings = align_turns(turns, audio, params=params)
    errors = sentence_errors(aligned, truth)
    assert max(abs(e) for e in errors) <= TOLERANCE_MS, errors
    assert not [f for f in findings if f.code == "A001"]


def test_interjection_not_in_text_is_skipped() -> None:
    turns, audio, truth = load("interjection")
    aligned, findings = align_turns(turns, audio, path="interjection.txt")
    errors = sentence_errors(aligned, truth)
    assert max(abs(e) for e in errors) <= TOLERANCE_MS, errors
    a002 = [f for f in findings if f.code == "A002"]
    assert len(a002) >= 1
    assert {f.line for f in a002} == {3}
    assert all(f.path == "interjection.txt" for f in a002)
    # the skipped stretch lies on the unscripted "Right, right. I see." (7.7-10.2 s)
    first_from, last_to = truth["not_in_text"][0][0], truth["not_in_text"][-1][1]
    assert any(first_from - 500 <= f.data["skipped_from_ms"] <= last_to for f in a002)
    assert not [f for f in findings if f.code == "A001"]


def test_text_that_is_not_in_the_audio_falls_back_to_the_rate_model() -> None:
    turns, audio, truth = load("clean")
    wrong = Turn("A", turns[2].start_ms, "Purple elephants dance quietly.", turns[2].line)
    rates = RateModel(global_wps=2.0)
    aligned, findings = align_turns([*turns[:2], wrong, turns[3]], audio, rates=rates, path="x.txt")
    a001 = [f for f in findings if f.code == "A001"]
    assert [(f.line, f.path) for f in a001] == [(wrong.line, "x.txt")]
    fell = aligned[2]
    assert fell.source_start_ms == wrong.start_ms
    # the floored timestamp is moved to the speech onset just after it (the real turn's onset here)
    assert fell.words[0].start_ms == pytest.approx(truth["sentences"][4][2], abs=TOLERANCE_MS)
    assert [w.text for w in fell.words] == wrong.text.split()
    assert fell.words[-1].end_ms - fell.words[0].start_ms == pytest.approx(4 / 2.0 * 1000, abs=2)
    # the neighbours are still aligned
    errors = sentence_errors(aligned, truth)
    assert max(abs(e) for i, e in enumerate(errors) if i != 4) <= TOLERANCE_MS, errors


class _Failing:
    """An engine that can never align (stands in for a missing model or a crashed search)."""

    name = "failing"
    sample_rate = 16000

    def phone_count(self, token: str) -> int:
        return len(token)

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        return None


def test_engine_failure_falls_back_for_every_turn() -> None:
    turns, audio, truth = load("clean")
    engine: Aligner = _Failing()
    assert isinstance(engine, Aligner)
    rates = RateModel(global_wps=2.5)
    aligned, findings = align_turns(turns, audio, rates=rates, engine=engine)
    assert [f.code for f in findings] == ["A001"] * 4
    assert [f.line for f in findings] == [t.line for t in turns]
    for before, after in zip(turns, aligned, strict=True):
        assert after.source_start_ms == before.start_ms
        assert [w.text for w in after.words] == before.text.split()
        assert all(a.end_ms <= b.start_ms for a, b in zip(after.words, after.words[1:], strict=False))
    # every sentence, not just each turn's first, starts at the speech onset nearest its rate-model time
    errors = sentence_errors(aligned, truth)
    assert max(abs(e) for e in errors) <= TOLERANCE_MS, errors


def test_fallback_sentence_starts_snap_to_onsets_not_rate() -> None:
    """A rate model up to 1.7 times off (the speakers say about 1.8 words/s) still finds each sentence:
    the turn's span between its onset and the next turn's is shared by length and snapped to onsets."""
    turns, audio, truth = load("clean")
    for wps in (1.2, 3.0):
        aligned, _ = align_turns(turns, audio, rates=RateModel(global_wps=wps), engine=_Failing())
        errors = sentence_errors(aligned, truth)
        assert max(abs(e) for e in errors) <= TOLERANCE_MS, (wps, errors)


def test_bad_arguments() -> None:
    turns, audio, _ = load("clean")
    with pytest.raises(ValueError, match="mono"):
        align_turns(turns, np.stack([audio, audio], axis=1), engine=_Failing())
    with pytest.raises(ValueError, match="Hz"):
        align_turns(turns, audio, sample_rate=8000, engine=_Failing())


@pytest.mark.parametrize("mask", ["detector", "all-speech"])
def test_speech_mask_from_the_media_stage(mask: str) -> None:
    from toolkit.align.windows import speech_frames

    turns, audio, truth = load("clean")
    speech = speech_frames(audio) if mask == "detector" else np.ones(len(audio) // 160, dtype=bool)
    aligned, findings = align_turns(turns, audio, speech=speech)
    errors = sentence_errors(aligned, truth)
    assert max(abs(e) for e in errors) <= TOLERANCE_MS, errors
    assert not [f for f in findings if f.code == "A001"]


def _index(mask: str) -> Any:
    """A speech index from a mask written one character per 10 ms frame: ``1`` speech, ``0`` pause."""
    from toolkit.align.windows import SpeechIndex

    return SpeechIndex(np.array([c == "1" for c in mask], dtype=bool))


def _sound(mask: str, loud: int = 3000, quiet: int = 30) -> np.ndarray:
    """16 kHz noise for a mask written as :func:`_index` reads it: ``loud`` (peak) in its ``1`` frames,
    ``quiet`` in its ``0`` frames."""
    rng = np.random.default_rng(0)
    level = np.repeat([loud if c == "1" else quiet for c in mask], 160)
    return (rng.uniform(-1, 1, len(level)) * level).astype(np.int16)


def _run_on(mask: str, audio: np.ndarray, engine: Any = None) -> Run:
    return Run(
        engine or _Scored(0.0), audio, 16000, _index(mask), RateModel(global_wps=2.5), None, [], State(),
        AlignParams(),
    )  # fmt: skip


def test_a_blip_of_noise_inside_a_pause_is_not_an_onset() -> None:
    # speech, a 200 ms pause, a 50 ms blip, a 300 ms pause, speech: one onset, after the whole pause
    index = _index("1" * 50 + "0" * 20 + "1" * 5 + "0" * 30 + "1" * 50)
    assert onsets(index, 0, 1550) == [(1050, 550)]
    # a blip long enough to be a word (200 ms) is an onset of its own
    index = _index("1" * 50 + "0" * 20 + "1" * 20 + "0" * 30 + "1" * 50)
    assert onsets(index, 0, 1700) == [(700, 200), (1200, 300)]


def test_fallback_snap_prefers_the_longer_pause_near_the_estimate() -> None:
    # onsets at 1150 ms (after a 150 ms pause) and 2100 ms (after 800 ms)
    index = _index("1" * 100 + "0" * 15 + "1" * 15 + "0" * 80 + "1" * 90)
    assert onsets(index, 0, 3000) == [(1150, 150), (2100, 800)]
    # 1400 ms is nearer the first, but a sentence break is likelier after the long pause
    assert snap_to_onset(index, 1400, 0, 2000) == 2100
    # out of reach of an estimate after a short sentence, the long pause loses
    assert snap_to_onset(index, 600, 0, 0) == 1150
    # nothing in reach (or everything too early): the estimate stays
    assert snap_to_onset(index, 2700, 2500, 0) == 2700


def test_a_fallback_sentence_keeps_its_estimate_over_a_far_onset_after_a_short_pause() -> None:
    """Noise or reverberation can fill a sentence's own pause: an onset 2.5 s from the estimate after a
    160 ms pause is no likelier than the estimate (the fallback's choice, may_stay); a 1.2 s pause 5.2 s
    away still is a sentence break. Estimate 5000 ms, previous sentence 10 s: expected error 2 s."""
    short = _index("1" * 234 + "0" * 16 + "1" * 650 + "0" * 120 + "1" * 300)
    assert onsets(short, 0, 20_000) == [(2500, 160), (10_200, 1200)]
    assert snap_to_onset(short, 5000, 0, 10_000) == 2500  # the old rule: the one onset in reach
    assert snap_to_onset(short, 5000, 0, 10_000, may_stay=True) == 10_200  # the long pause wins
    no_long = _index("1" * 234 + "0" * 16 + "1" * 1070)
    assert snap_to_onset(no_long, 5000, 0, 10_000, may_stay=True) == 5000  # the estimate stays


def test_sentence_start_moves_back_to_a_soft_onset() -> None:
    # a pause until 1000 ms, then speech; the engine starts the sentence at 1160 ms
    index = _index("1" * 50 + "0" * 50 + "1" * 100)
    late = [TokenTiming(100, 480), TokenTiming(1160, 1400), TokenTiming(1400, 1900)]
    moved = snap_sentence_starts(late, [0, 1], index, 0, AlignParams())
    assert [t.start_ms for t in moved] == [100, 1000, 1400]
    # more than 300 ms back, or a start already at the onset, stays
    for start in (1350, 1010):
        timings = [TokenTiming(100, 480), TokenTiming(start, 1600)]
        assert snap_sentence_starts(timings, [1], index, 0, AlignParams())[1].start_ms == start
    # nor before the previous turn's end
    timings = [TokenTiming(1160, 1400)]
    assert snap_sentence_starts(timings, [0], index, 1100, AlignParams())[0].start_ms == 1160


def test_a_first_word_stretched_back_over_the_pause_keeps_its_end() -> None:
    """A sentence's first word the engine stretched backwards over what came before it (1.3 s for "the",
    two phones at 75 ms each) starts 1.5 expected lengths before its end, where the next word begins; a
    first word of plausible length, a long last word and a one-word sentence stay."""
    params = AlignParams()
    stretched = [
        TokenTiming(0, 400),
        TokenTiming(500, 1800),
        TokenTiming(1800, 2200),
        TokenTiming(2200, 3000),
    ]
    out = trim_long_heads(stretched, [0, 1], [3, 2, 4, 3], 75.0, params)
    assert [(t.start_ms, t.end_ms) for t in out] == [(0, 400), (1575, 1800), (1800, 2200), (2200, 3000)]
    plausible = [TokenTiming(0, 400), TokenTiming(1500, 1800), TokenTiming(1800, 4000)]  # a long last word
    assert trim_long_heads(plausible, [0, 1], [3, 2, 4], 75.0, params) == plausible
    alone = [TokenTiming(0, 400), TokenTiming(500, 1800)]  # "Yes." after a sentence: its own sentence
    assert trim_long_heads(alone, [0, 1], [3, 2], 75.0, params) == alone


def test_a_phrase_run_on_over_its_pause_starts_after_it() -> None:
    """ "character, and which [790 ms pause] developed": the engine ran "and" on from "character," and
    stretched "which" (three phones at 75 ms) over the pause. The phrase's head words move up to the
    stretched word's end, each at most 1.5 expected lengths; a head that starts after a pause, a stretched
    word after a phrase's first three and a phrase of two words whose last is long stay."""
    params = AlignParams()
    run_on = [
        TokenTiming(0, 600),  # "character,"
        TokenTiming(620, 780),  # "and"
        TokenTiming(780, 1800),  # "which", over the pause
        TokenTiming(1800, 2400),  # "developed"
    ]
    out = trim_long_heads(run_on, [0], [7, 3, 3, 8], 75.0, params, phrases=[1])
    assert [(t.start_ms, t.end_ms) for t in out] == [(0, 600), (1303, 1463), (1463, 1800), (1800, 2400)]
    assert trim_long_heads(run_on, [0], [7, 3, 3, 8], 75.0, params) == run_on  # no comma: one phrase
    sentence = trim_long_heads(run_on, [0, 1], [7, 3, 3, 8], 75.0, params)  # "character. And which ..."
    assert [(t.start_ms, t.end_ms) for t in sentence] == [(0, 600), (1303, 1463), (1463, 1800), (1800, 2400)]
    paused = [TokenTiming(0, 600), TokenTiming(950, 1100), *run_on[2:]]  # a pause before "and": its place
    assert trim_long_heads(paused, [0], [7, 3, 3, 8], 75.0, params, phrases=[1]) == paused
    late = [
        TokenTiming(a, b)
        for a, b in ((0, 600), (620, 700), (700, 780), (780, 860), (860, 1800), (1800, 2400))
    ]
    assert trim_long_heads(late, [0], [7, 1, 1, 1, 3, 8], 75.0, params, phrases=[1]) == late
    two = [TokenTiming(0, 600), TokenTiming(620, 780), TokenTiming(780, 1800), TokenTiming(1900, 2400)]
    assert trim_long_heads(two, [0], [7, 3, 3, 8], 75.0, params, phrases=[1, 3]) == two
    # a pause between "and" and the stretched "which": the engine's break, kept
    apart = [TokenTiming(0, 600), TokenTiming(620, 700), TokenTiming(1100, 2200), TokenTiming(2200, 2800)]
    assert trim_long_heads(apart, [0], [7, 3, 3, 8], 75.0, params, phrases=[1]) == apart


def test_sentence_and_phrase_starts_among_the_spoken_tokens() -> None:
    """A phrase starts after a comma, colon, semicolon or dash, the dash on a word or standing alone;
    never where a sentence starts, and never past the last spoken token."""
    sentences, phrases = spoken_starts(normalize("Well, it was the old one - and which, in short, ran. Yes."))
    assert sentences == [0, 11]
    assert phrases == (1, 6, 8, 10)
    assert spoken_starts(normalize("It ran -- then stopped; (laughs)")) == ([0], (2,))
    assert spoken_starts(normalize("- Hello, there.")) == ([0], (1,))


def test_a_first_word_left_behind_at_the_sentence_before_joins_its_sentence() -> None:
    """ "themselves. The [800 ms of speech] Middle": a sentence's first word that abuts the sentence
    before, far from its own next word with speech between, moves to just before that word. With a pause
    before it, in the words or in the detector's speech (the sentence starts there: a hesitation after
    its first word), or silence in the gap, or a gap under 300 ms, it stays."""
    params = AlignParams()
    words = [TokenTiming(0, 1000), TokenTiming(1000, 1200), TokenTiming(2000, 2400)]
    moved = join_first_words(words, [0, 1], _index("1" * 300), [6, 2, 4], 75.0, params)
    assert [(t.start_ms, t.end_ms) for t in moved] == [(0, 1000), (1800, 2000), (2000, 2400)]
    after_pause = [TokenTiming(0, 800), TokenTiming(1000, 1200), TokenTiming(2000, 2400)]
    assert join_first_words(after_pause, [0, 1], _index("1" * 300), [6, 2, 4], 75.0, params) == after_pause
    silent_gap = _index("1" * 120 + "0" * 80 + "1" * 100)
    assert join_first_words(words, [0, 1], silent_gap, [6, 2, 4], 75.0, params) == words
    near = [TokenTiming(0, 1000), TokenTiming(1000, 1200), TokenTiming(1450, 2400)]
    assert join_first_words(near, [0, 1], _index("1" * 300), [6, 2, 4], 75.0, params) == near
    onset = _index("1" * 80 + "0" * 20 + "1" * 200)  # the detector hears a pause end where "The" starts
    assert join_first_words(words, [0, 1], onset, [6, 2, 4], 75.0, params) == words


def test_a_turns_first_word_taken_at_the_window_start_joins_its_sentence() -> None:
    """ "...now though. | Well, [1.1 s] there isn't": in a conversation the turn's window opens where the
    other speaker is still talking, and the engine puts the first word on that speech (the turn's floor).
    Far from its own next word with speech between, it moves to just before that word; started after the
    floor (a pause before it), or with no floor given, it stays."""
    params = AlignParams()
    words = [TokenTiming(1000, 1200), TokenTiming(2300, 2600), TokenTiming(2600, 2900)]
    speech = _index("1" * 300)
    moved = join_first_words(words, [0], speech, [3, 4, 4], 75.0, params, 1000)
    assert [(t.start_ms, t.end_ms) for t in moved] == [(2100, 2300), (2300, 2600), (2600, 2900)]
    assert join_first_words(words, [0], speech, [3, 4, 4], 75.0, params) == words
    assert join_first_words(words, [0], speech, [3, 4, 4], 75.0, params, 800) == words
    onset = _index("1" * 70 + "0" * 30 + "1" * 200)  # a pause ends where "Well," starts: it starts there
    assert join_first_words(words, [0], onset, [3, 4, 4], 75.0, params, 1000) == words


def test_a_first_word_in_silence_moves_up_to_the_next_word() -> None:
    """ "It [silence] will be": the engine fitted a quiet speaker's short first word to the noise before
    the sentence. It moves up to the next word when a speech onset comes before that word. Not when the
    detector hears silence all the way to the next word and its onset only later: that is as often a
    hesitation after the first word ("So... the thing"; moving those lost two sentences of
    bench_realspeech --disfluent, -28 -> 722 and -18 -> 1272 ms). A word with speech under it stays."""
    params = AlignParams()
    words = [TokenTiming(1000, 1080), TokenTiming(1800, 2000), TokenTiming(2000, 2150)]
    onset_first = _index("0" * 150 + "1" * 150)  # the onset at 1.5 s, before "will"
    first = lift_from_silence(words, [0], onset_first, [2, 3, 2], params)[0]
    assert (first.start_ms, first.end_ms) == (1420, 1500)  # 2 phones x 40 ms before the onset
    heard_late = _index("0" * 210 + "1" * 90)  # the onset at 2.1 s, after "will" starts
    assert lift_from_silence(words, [0], heard_late, [2, 3, 2], params) == words
    speech_under = _index("0" * 95 + "1" * 205)
    assert lift_from_silence(words, [0], speech_under, [2, 3, 2], params) == words


def test_fallback_turn_with_a_timestamp_past_the_end_of_the_audio() -> None:
    """A timestamp past the speech is no hint: the turn starts at the onset after the previous turn."""
    turns, audio, truth = load("clean")
    end_ms = len(audio) * 1000 // 16000
    late = [*turns[:3], Turn("B", end_ms + 30_000, turns[3].text, turns[3].line)]
    aligned, findings = align_turns(late, audio, rates=RateModel(global_wps=2.5), engine=_Failing())
    last = aligned[-1]
    assert last.source_start_ms == end_ms + 30_000
    assert last.start_ms == last.words[0].start_ms
    assert last.start_ms == pytest.approx(truth["sentences"][5][2], abs=TOLERANCE_MS)
    assert last.start_ms is not None and last.end_ms is not None and last.start_ms <= last.end_ms
    assert [f.code for f in findings] == ["A001"] * 4


def test_wide_search_rescues_a_window_the_default_beams_lose() -> None:
    """The host's question in espeak-ng's en-gb+f3 voice: pocketsphinx's default beams lose the path
    even in the right window; the engine's wide search must align it there (not in a longer window that
    reaches into the guest's turn)."""
    from toolkit.align.normalize import spoken_words
    from toolkit.align.sphinx import SphinxAligner

    _, audio, truth = load("hard_voice")
    (_, text, start_ms), (_, _, next_ms) = truth["sentences"][1:3]
    lo, hi = start_ms - 400, next_ms - 300
    timings = SphinxAligner().align(spoken_words(text), audio[lo * 16 : hi * 16])
    assert timings is not None
    assert abs(timings[0].start_ms + lo - start_ms) <= TOLERANCE_MS
    assert timings[-1].end_ms + lo <= next_ms


def test_hard_voice_question_is_not_put_in_the_next_turn() -> None:
    """Whether aligned or (its scores far below the usual) timed by the fallback, the question starts at
    its own onset: no window reaches into the guest's answer."""
    turns, audio, truth = load("hard_voice")
    aligned, _ = align_turns(turns, audio)
    errors = sentence_errors(aligned, truth)
    assert max(abs(e) for e in errors[1:]) <= TOLERANCE_MS, errors


def _sting(rate: int = 16000, seconds: float = 3.0, peak: int = 8000) -> np.ndarray:
    """A music sting: a plucked C major chord with tremolo, like the benchmark's (sox synth pluck)."""
    t = np.arange(int(rate * seconds)) / rate
    tone = sum(
        np.exp(-1.5 * t) * np.sin(2 * np.pi * f * h * t) / h for f in (261.6, 329.6, 392.0) for h in (1, 2, 3)
    )
    tremolo = 1 - 0.4 * (0.5 + 0.5 * np.sin(2 * np.pi * 6 * t))
    fades = np.minimum(1, t / 0.05) * np.minimum(1, (seconds - t) / 0.5)
    out = tone * tremolo * fades
    return np.asarray(out / np.max(np.abs(out)) * peak, dtype=np.int16)


def test_music_sting_before_a_turn_is_skipped() -> None:
    """3 s of music before the host's "What about Bucha?": the speech detector hears it as speech, and the
    engine fits the short question onto it with plausible word lengths but poor scores. The window that
    reaches past the music must win, and the question start at its own onset, not on the music."""
    turns, audio, truth = load("clean")
    k = 2
    at = truth["sentences"][4][2] - 250  # in the pause before the turn
    clip = _sting()
    shift = len(clip) * 1000 // 16000
    mixed = np.concatenate([audio[: at * 16], clip, audio[at * 16 :]])
    truth["sentences"] = [[ti, text, s + shift if s > at else s] for ti, text, s in truth["sentences"]]
    moved = [
        Turn(t.speaker, (t.start_ms or 0) + shift * (i >= k), t.text, t.line) for i, t in enumerate(turns)
    ]
    aligned, findings = align_turns(moved, mixed)
    errors = sentence_errors(aligned, truth)
    assert max(abs(e) for e in errors) <= TOLERANCE_MS, errors
    assert not [f for f in findings if f.code == "A001"]


def test_a_pause_stretched_over_is_not_reported_as_skipped_audio() -> None:
    """A002 is for sound the transcript lacks; re-aligning past a pause a word had swallowed is not."""
    mask = "1" * 50 + "0" * 150 + "1" * 100  # "one" ends at 500 ms, "two" starts at 2000 ms
    turn = Turn("A", 0, "One. Two.", 1)
    piece = Piece(["one", "two"], [3, 2], [0, 1], None, 0)
    timings = [TokenTiming(0, 1900), TokenTiming(2000, 2400)]  # "one" stretched over the pause

    # every word fits perfectly, and the pause is as loud as the words (a quiet second after them sets the
    # noise floor): only the detector decides what is news
    run = _run_on(mask, _sound("1" * 300 + "0" * 100), _Scored(0.0))
    out = recover(run, piece, timings, 3000, 75.0, turn)
    assert out[0].end_ms < 1900  # re-aligned ...
    assert run.findings == []  # ... without a finding: the detector heard nothing in the skipped stretch


@pytest.mark.parametrize(("phrases", "restarted"), [((4,), True), ((), False)])
def test_a_phrase_run_on_over_its_pause_is_aligned_again_from_its_start(
    phrases: tuple[int, ...], restarted: bool
) -> None:
    """ "the ancient Roman character, and which [pause] developed": the engine ran "and" on from
    "character," and stretched "which" over the pause. Re-aligned from the onset after the pause, the
    restart begins at the phrase's first word (after the comma), as it does at a sentence's, so "and"
    leaves the word before; without the comma only "which" moves."""
    mask = "1" * 120 + "0" * 70 + "1" * 110  # "character," ends at 1200 ms, "and" starts at 1900 ms
    turn = Turn("A", 0, "The ancient Roman character, and which developed.", 1)
    tokens = ["the", "ancient", "roman", "character", "and", "which", "developed"]
    piece = Piece(tokens, [3] * 7, [0], None, 0, phrase_starts=phrases)
    spans = ((0, 200), (200, 500), (500, 800), (800, 1200), (1220, 1380), (1380, 2400), (2400, 2700))
    timings = [TokenTiming(a, b) for a, b in spans]  # "which" over the pause
    run = _run_on(mask, _sound(mask))
    out = recover(run, piece, timings, 3000, 75.0, turn)
    assert out[:4] == [TokenTiming(a, b) for a, b in spans[:4]]
    assert (out[4].start_ms >= 1800) is restarted, out
    assert out[5].start_ms >= 1800  # "which" is off the pause either way
    assert run.findings == []  # a pause stretched over is no news


def test_a_restart_near_a_sentence_start_begins_there_before_its_phrase() -> None:
    """ "Well, so the[over the music] thing": the sentence's start is in reach, so the restart begins there
    (as before phrases counted) and "Well," leaves the music too; the phrase's start is the next try."""
    mask = "1" * 150 + "0" * 30 + "1" * 120  # music the detector hears as speech, a pause, the sentence
    turn = Turn("A", 0, "Well, so the thing.", 1)
    piece = Piece(["well", "so", "the", "thing"], [3] * 4, [0], None, 0, phrase_starts=(1,))
    timings = [TokenTiming(0, 200), TokenTiming(200, 400), TokenTiming(400, 1900), TokenTiming(1900, 2200)]
    run = _run_on(mask, _sound(mask))
    out = recover(run, piece, timings, 3000, 75.0, turn)
    assert out[0].start_ms >= 1700, out


class _LosesWord:
    """The real engine, except that it cannot align any text holding ``word``: a stretch it loses."""

    def __init__(self, word: str) -> None:
        from toolkit.align.sphinx import SphinxAligner

        self.inner = SphinxAligner(16000)
        self.name, self.sample_rate, self.word = "loses-word", 16000, word

    def phone_count(self, token: str) -> int:
        return self.inner.phone_count(token)

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        return None if self.word in tokens else self.inner.align(tokens, audio)


def test_a_chunk_of_a_long_turn_the_engine_loses_is_bridged() -> None:
    """A long turn (a monologue with one stamp) is aligned in chunks. A chunk the engine cannot align is
    timed by the rate model between the aligned words around it (A001 for its words), and the other
    chunks keep their words: one lost stretch no longer sends the whole monologue to the rate model."""
    turns, audio, truth = load("clean")
    one = Turn("A", turns[0].start_ms, " ".join(t.text for t in turns), 1)
    params = AlignParams(max_chunk_speech_ms=3_000)  # chunks of a sentence or two
    aligned, findings = align_turns([one], audio, engine=_LosesWord("bucha"), params=params)
    a001 = [f for f in findings if f.code == "A001"]
    assert len(a001) == 1 and "words of this turn" in a001[0].message, a001
    words = aligned[0].words
    assert len(words) == len(one.text.split())
    firsts: list[int] = []
    k = 0
    for _, text, _ in truth["sentences"]:
        firsts.append(k)
        k += len(text.split())
    starts = [words[i].start_ms for i in firsts]
    assert starts == sorted(starts)  # the bridged words stay between their neighbours
    errors = [s - t for s, (_, _, t) in zip(starts, truth["sentences"], strict=True)]
    assert all(abs(e) <= 1_000 for e in errors), errors
    # the lost chunk ("The G-20 met in the 1990s. What about Bucha?") by the rate model; the rest aligned
    assert sum(abs(e) <= TOLERANCE_MS for e in errors) >= len(errors) - 2, errors


def test_a_fallback_over_silence_says_no_speech_is_heard() -> None:
    """A001 says how the fallen-back turn was timed: at speech onsets where speech is heard; where none is
    (the media is silent there: a truncated file, a silent track), its sentences share the time."""
    turns, audio, _ = load("clean")
    silent = np.zeros_like(audio)
    silent[: 16000 * 6] = audio[: 16000 * 6]  # the first turn is heard, the rest is silence
    _, found = align_turns(turns, silent)
    a001 = {f.line: f.message for f in found if f.code == "A001"}
    assert set(a001) >= {turns[2].line, turns[3].line}
    assert all("no speech is heard where it belongs" in a001[t.line] for t in turns[2:])
    assert turns[0].line not in a001  # heard and aligned


def test_progress_is_reported_turn_by_turn(caplog: pytest.LogCaptureFixture) -> None:
    """Every turn gives a record on the toolkit.progress log (with no interval between records), counting
    up to all turns; convert shows them as a live line on a terminal."""
    turns, audio, _ = load("clean")
    with caplog.at_level(logging.INFO, logger="toolkit.progress"):
        align_turns(turns, audio, params=AlignParams(progress_line_s=0.0))
    lines = [r.getMessage() for r in caplog.records if r.name == "toolkit.progress"]
    assert [line.split(":")[1].split(",")[0].strip() for line in lines] == [
        f"{i}/{len(turns)} turns" for i in range(1, len(turns) + 1)
    ]
    assert lines[-1].endswith(f"of 00:00:{len(audio) // 16000:02d}")


class _Recording(_Failing):
    """A failing engine that records the length of every window it is given."""

    def __init__(self) -> None:
        self.windows_ms: list[int] = []

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        self.windows_ms.append(len(audio) * 1000 // self.sample_rate)
        return None


def test_a_distant_next_turn_does_not_stretch_the_window() -> None:
    """The next turn's first-word range bounds a window's end from above only: a next turn five minutes
    later (music, a break) must not make the engine search minutes of audio (an 81-minute run once took
    5 GB that way)."""
    turns, audio, _ = load("clean")
    first = turns[0]
    padded = np.concatenate([audio, np.zeros(300 * 16000, dtype=audio.dtype)])
    later = Turn("B", len(padded) * 1000 // 16000 - 5_000, turns[1].text, 3)
    stamps = [first.start_ms or 0, later.start_ms or 0]
    bounds = [(s - 500, s + 1_800) for s in stamps]
    engine = _Recording()
    align_turns([first, later], padded, rates=RateModel(global_wps=2.5), engine=engine, bounds=bounds)
    assert engine.windows_ms and max(engine.windows_ms) <= 60_000


def test_a_target_pulled_before_the_window_still_gives_an_end() -> None:
    """A next turn's stamp seconds before a short piece's start pulls its target back before the window
    (a turn without a stamp estimated late, an early stamp), and no pause is heard for 20 s: the window
    still gets an end where the piece's own speech should end, and the pause after (an IndexError once)."""
    from toolkit.align.window_search import end_candidates

    index = _index("1" * 3_000 + "0" * 50 + "1" * 9_000)  # two minutes of speech, a pause at 30 s
    piece = Piece(["no"], [2], [0], 5_000, None)  # the next turn's stamp at 5 s
    cands, target = end_candidates(index, 10_000, piece, 75.0, AlignParams())
    assert target < 10_200
    assert [(p.start_ms, p.end_ms) for p in cands] == [(11_000, 11_001), (30_000, 30_500)]


def test_a_filler_the_transcript_leaves_out_is_no_news() -> None:
    # an "um" or a repeated word (speech, under a second) is normal speech: no A002; a longer stretch
    # with speech (an interjection, music) is reported; a pause stretched over is not
    mask = "0" * 100 + "1" * 50 + "0" * 50 + "1" * 52 + "0" * 148  # 500 ms of "um"; 520 ms in 1.6 s
    run = _run_on(mask, _sound(mask))
    assert not worth_reporting(run, 1000, 1500)
    assert worth_reporting(run, 1900, 3500)
    assert not worth_reporting(run, 3000, 4000)  # silence


def test_noise_the_detector_takes_for_speech_is_no_news() -> None:
    """Where the detector hears speech in a pause that is only the noise around it (pink noise at 10 dB
    SNR), the stretch is no news: what someone says stands out of the noise. The same stretch 20 dB
    over the noise floor is."""
    mask = "1" * 100 + "0" * 100 + "1" * 52 + "0" * 48 + "1" * 100
    detected = mask.replace("0", "1")  # the detector hears the noise as speech everywhere
    noise_only = _sound(mask.replace("1", "0"), quiet=300)
    assert not worth_reporting(_run_on(detected, noise_only), 1900, 2900)
    speech_over_noise = _sound(mask, loud=3000, quiet=300)
    assert worth_reporting(_run_on(detected, speech_over_noise), 1900, 2900)
    assert audible_ms(_run_on(detected, speech_over_noise), 1900, 2900) == 520


class _WorseFor:
    """The real engine's word times on media where every word fits worse (reverberation, a band-limited
    line): each word scores ``usual``, and the words of one text, worse still, ``score``."""

    def __init__(self, tokens: Sequence[str], usual: float, score: float) -> None:
        from toolkit.align.sphinx import SphinxAligner

        self.inner = SphinxAligner(16000)
        self.name, self.sample_rate = "worse-for", 16000
        self.tokens, self.usual, self.score = list(tokens), usual, score
        self.calls: list[list[str]] = []

    def phone_count(self, token: str) -> int:
        return self.inner.phone_count(token)

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        self.calls.append(list(tokens))
        out = self.inner.align(tokens, audio)
        score = self.score if list(tokens) == self.tokens else self.usual
        return None if out is None else [TokenTiming(t.start_ms, t.end_ms, score) for t in out]


def test_an_early_turn_is_judged_again_once_the_media_is_known() -> None:
    """On media where every word fits worse, the third turn fits worse than the fixed floor
    (min_median_score) but as well as that media allows (fit_factor times the usual median): judged
    before three turns had aligned, it fell back to the rate model; after the pass it is aligned again
    against the usual fit and keeps its words."""
    from toolkit.align.normalize import normalize

    turns, audio, truth = load("clean")
    tokens = [s for t in normalize(turns[2].text) for s in t.spoken]
    params = AlignParams()
    usual, worse = params.min_median_score + 1.0, params.min_median_score - 0.5
    engine = _WorseFor(tokens, usual, worse)
    aligned, findings = align_turns(turns, audio, engine=engine)
    assert engine.calls.count(tokens) >= 2  # judged twice: in the pass and after it
    assert "A001" not in {f.code for f in findings}
    errors = sentence_errors(aligned, truth)
    assert max(abs(e) for e in errors) <= TOLERANCE_MS, errors
    # the same fit with a floor that does not depend on the media (fit_factor 0): the turn falls back
    strict = AlignParams(fit_factor=0.0)
    _, findings = align_turns(turns, audio, engine=_WorseFor(tokens, usual, worse), params=strict)
    assert [f.line for f in findings if f.code == "A001"] == [turns[2].line]


class _RoomChanges:
    """The real engine's word times, scored by where each word is in the whole audio: in the first two
    copies of the interview by its voice (A's turns fit the model better than B's), in the third copy,
    recorded in another room, every word worse."""

    def __init__(self, audio: np.ndarray, change_ms: int, voices: list[tuple[int, float]], after: float):
        from toolkit.align.sphinx import SphinxAligner

        self.inner = SphinxAligner(16000)
        self.name, self.sample_rate = "room-changes", 16000
        self.base = audio.__array_interface__["data"][0]
        self.change_ms, self.voices, self.after = change_ms, voices, after

    def phone_count(self, token: str) -> int:
        return self.inner.phone_count(token)

    def _score(self, ms: int) -> float:
        if ms >= self.change_ms:
            return self.after
        return next((score for start, score in reversed(self.voices) if start <= ms), self.voices[0][1])

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        out = self.inner.align(tokens, audio)
        off = (audio.__array_interface__["data"][0] - self.base) // audio.itemsize // 16
        return (
            None
            if out is None
            else [TokenTiming(t.start_ms, t.end_ms, self._score(off + t.start_ms)) for t in out]
        )


def test_a_turn_that_fell_back_where_the_sound_changed_is_judged_by_its_neighbours() -> None:
    """The interview three times over, the third copy in another room where every word fits worse. A
    newcomer there (C) aligns, judged by everyone's fits; A's turn there falls short of A's own usual
    fit, learnt in the first room, and falls back. After the pass it is judged again by the turns around
    it, which fit worse than their own speakers' usual (the new room), and keeps its words. Where the
    neighbours fit as their voices always do, a turn that fits badly stays timed without the engine."""
    turns, audio, truth = load("clean")
    dur = len(audio) * 1000 // 16000
    labels = ["A", "B", "A", "B"] * 2 + ["C", "A", "C", "D"]
    many = [
        Turn(labels[k], t.start_ms + dur * (k // 4), t.text, k + 1)  # type: ignore[operator]
        for k, t in ((k, turns[k % 4]) for k in range(12))
    ]
    whole = np.concatenate([audio] * 3)
    voices = [(t.start_ms + dur * c, -0.6 if t.speaker == "A" else -1.4) for c in range(2) for t in turns]  # type: ignore[operator]
    aligned, findings = align_turns(many, whole, engine=_RoomChanges(whole, 2 * dur, voices, -1.8))
    assert "A001" not in {f.code for f in findings}
    first_word = next(s for ti, _, s in truth["sentences"] if ti == 1)
    assert abs(aligned[9].words[0].start_ms - (first_word + 2 * dur)) <= TOLERANCE_MS
    # judged by A's own fits alone (no neighbours), the turn stays timed without the engine, and C's
    # next turn, searched from where the fallback left off, with it
    alone = AlignParams(local_fit_turns=0)
    _, findings = align_turns(many, whole, engine=_RoomChanges(whole, 2 * dur, voices, -1.8), params=alone)
    assert [f.line for f in findings if f.code == "A001"] == [10, 11]
    # no change of room: the newcomers' voices merely fit worse than A's, and A's turn alone fits badly
    # (music over it): measured against their own voices the neighbours did not drop, so it stays out
    starts = [t.start_ms or 0 for t in many]
    voices = [
        (start, -1.8 if k == 9 else -0.6 if labels[k] == "A" else -1.4) for k, start in enumerate(starts)
    ]
    _, findings = align_turns(many, whole, engine=_RoomChanges(whole, 10 * dur, voices, -1.8))
    assert 10 in [f.line for f in findings if f.code == "A001"]


def test_no_pause_heard_does_not_hand_a_piece_the_rest_of_the_media() -> None:
    """Where the detector hears speech from a piece's start to far past its target (reverberation, a
    band-limited line), the window may end at the target or one last-resort pause beyond it, never at the
    media's end minutes later (a 7 s sentence was once aligned in a 90 s window)."""
    from toolkit.align.window_search import end_candidates

    params = AlignParams()
    speech = np.ones(30_000, dtype=bool)  # five minutes heard as speech
    speech[430:450] = False  # one pause, two seconds before the piece's target
    index = SpeechIndex(speech)
    piece = Piece(["word"] * 20, [4] * 20, [0], None, 0)
    cands, target = end_candidates(index, 0, piece, 80.0, params)
    assert cands and max(p.mid_ms for p in cands) <= target + 6_000 + params.later_pause_ms
    assert min(abs(p.mid_ms - target) for p in cands) <= 1  # and the target itself is tried
    # media that ends before the target still ends the piece there
    near = SpeechIndex(np.ones(500, dtype=bool))
    cands, target = end_candidates(near, 0, piece, 80.0, params)
    assert cands[-1].end_ms == near.end_ms


class _Scored:
    """An engine that puts each token 300 ms after the last from its window's start, every one scoring
    ``score`` (the first ``first``): how well a re-alignment fits the sound is the caller's to choose."""

    name = "scored"
    sample_rate = 16000

    def __init__(self, score: float, first: float | None = None) -> None:
        self.score, self.first = score, score if first is None else first

    def phone_count(self, token: str) -> int:
        return 3

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        return [
            TokenTiming(40 + 300 * i, 40 + 300 * (i + 1), self.first if i == 0 else self.score)
            for i in range(len(tokens))
        ]


@pytest.mark.parametrize(
    ("redo_score", "first", "moved"), [(-1.2, None, True), (-6.0, None, False), (-1.0, -4.6, True)]
)
def test_a_restart_that_pulls_words_off_their_sound_is_not_taken(
    redo_score: float, first: float | None, moved: bool
) -> None:
    """A long word at a phrase's end ("Strasburg", drawn out) looks implausible by its length alone. A
    restart from the next onset makes every length plausible, but puts the word on the next word's sound:
    its words fit far worse than before, and the first alignment stays (no A002 either). A restart whose
    words fit as well as before is taken, even when its first word alone fits worse (a short "I" scores
    better on music before a sentence than on its own sound)."""
    mask = "1" * 140 + "0" * 20 + "1" * 80 + "0" * 20 + "1" * 40 + "0" * 100
    turn = Turn("A", 0, "Strasburg, Basle, Paris.", 1)
    piece = Piece(["strasburg", "basle", "paris"], [3, 3, 3], [0], None, 0)
    timings = [TokenTiming(0, 1400, -1.0), TokenTiming(1600, 2400, -1.0), TokenTiming(2600, 3000, -1.0)]
    run = _run_on(mask, _sound(mask), _Scored(redo_score, first))
    out = recover(run, piece, list(timings), 4000, 75.0, turn)
    assert (out != timings) is moved
    if not moved:
        assert run.findings == []


class _SaysAgain(_Scored):
    """An engine that fits ``word`` to any stretch as well as ``score`` says, and every other text badly."""

    def __init__(self, word: str, score: float) -> None:
        super().__init__(score)
        self.word = word

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        out = super().align(tokens, audio)
        if list(tokens) == [self.word]:
            return out
        return [TokenTiming(t.start_ms, t.end_ms, -9.0) for t in out or []]


@pytest.mark.parametrize(("score", "again"), [(-1.4, True), (-4.0, False)])
def test_words_said_twice_are_no_news(score: float, again: bool) -> None:
    """Skipped audio between "one" and "two" that "two" fits about as well as its own place ("one two
    two") is a repeat, normal in spontaneous speech: no A002. Skipped audio that no neighbouring word fits
    (an unscripted "Right, right.") is news."""
    mask = "1" * 50 + "0" * 10 + "1" * 50 + "0" * 40 + "1" * 50 + "0" * 100
    piece = Piece(["one", "two"], [3, 3], [0], None, 0)
    timings = [TokenTiming(0, 500, -1.0), TokenTiming(1500, 2000, -1.0)]
    run = _run_on(mask, _sound(mask), _SaysAgain("two", score))
    assert worth_reporting(run, 500, 1500)  # sound enough to be news, but for the repeat
    assert said_again(run, piece, timings, 1, 500, 1500) is again


@pytest.mark.parametrize(("score", "falls_back"), [(-1.8, False), (-3.0, True)])
def test_words_that_fit_no_window_are_not_aligned(score: float, falls_back: bool) -> None:
    """A window's result that fits far worse than the speaker's own usual (below window_fit_factor times
    it, less the margin) is kept only when no window fits; recovery may then move its words about, but
    may not lift it past the turn's looser floor: a turn whose words fit no window falls back (A001). A
    turn that fits worse than the usual but within one window's floor keeps its words. (Each sentence is
    a turn here, so that the last speaker has an own usual from three turns before it.)"""
    from toolkit.align.normalize import normalize

    turns, audio, truth = load("clean")
    one_each = [
        Turn(turns[ti].speaker, start // 1000 * 1000, text, 2 * k + 1)
        for k, (ti, text, start) in enumerate(truth["sentences"])
    ]
    truth["sentences"] = [[k, text, start] for k, (_, text, start) in enumerate(truth["sentences"])]
    last = one_each[-1]
    assert sum(t.speaker == last.speaker for t in one_each[:-1]) >= 3
    tokens = [s for t in normalize(last.text) for s in t.spoken]
    params = AlignParams()
    usual = -1.0
    assert params.window_fit_factor * usual - params.window_fit_margin > -3.0  # a misfit for every window
    assert params.fit_factor * usual - 1.0 < -3.0  # within the turn's looser floor
    aligned, findings = align_turns(one_each, audio, engine=_WorseFor(tokens, usual, score))
    assert ([f.line for f in findings if f.code == "A001"] == [last.line]) is falls_back
    errors = sentence_errors(aligned, truth)
    assert max(abs(e) for e in errors[:-1]) <= TOLERANCE_MS, errors
    if not falls_back:
        assert abs(errors[-1]) <= TOLERANCE_MS, errors


class _NeedsTime(_Scored):
    """The stand-in engine, except that its search fails in a window shorter than ``min_ms``: a window
    that cuts a hard voice's speech short loses the search (a slow speaker, words drawn out by a
    reverberant room)."""

    def __init__(self, min_ms: int) -> None:
        super().__init__(-1.0)
        self.min_ms = min_ms
        self.windows_ms: list[int] = []

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        self.windows_ms.append(len(audio) * 1000 // self.sample_rate)
        return None if self.windows_ms[-1] < self.min_ms else super().align(tokens, audio)


def test_when_the_windows_near_the_estimate_fail_the_longest_is_tried() -> None:
    """A piece whose next turn has no stamp ends where the speaker's pace says, and before the speaker's
    turns have aligned that pace is a guess. When the speaker is far slower, the windows near the estimate
    cut the speech and the search fails in each: the longest window is then tried before the piece is
    given up (the reverberant interview with a stamp on each speaker's first turn only: the long second
    turn fell back, and every turn after it was placed 3-9 s early)."""
    from toolkit.align.window_search import best_window

    mask = ("1" * 120 + "0" * 30) * 20  # speech with a pause every 1.5 s (mid-pauses at 1.35, 2.85 ... s)
    piece = Piece(["word"] * 10, [3] * 10, [0], None, 0)
    turn = Turn("A", 0, " ".join(piece.tokens), 1)
    engine = _NeedsTime(8_000)  # the words need 8 s; the pace says 2.25 s
    _, best = best_window(_run_on(mask, _sound(mask), engine), piece, 0, 75.0, turn)
    # the two ends nearest the estimate failed; then the longest in reach, not the next one (5.85 s)
    assert engine.windows_ms[:3] == [2_850, 4_350, 8_850]
    assert best is not None and best[1] == 8_850
    # a longest window whose words fit far worse than the speaker's usual holds the next turn too: refused
    engine = _NeedsTime(8_000)
    engine.score = engine.first = -4.0
    run = _run_on(mask, _sound(mask), engine)
    run.state.fits["A"] = [-1.0, -1.0, -1.0]
    _, best = best_window(run, piece, 0, 75.0, turn)
    assert engine.windows_ms[-1] == 8_850 and best is None


class _FitsBest(_Scored):
    """The stand-in engine, ``word`` scoring ``best`` and every other token ``score``."""

    def __init__(self, word: str, best: float, score: float) -> None:
        super().__init__(score)
        self.word, self.best = word, best

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        out = super().align(tokens, audio) or []
        return [
            replace(t, score=self.best) if w == self.word else t for w, t in zip(tokens, out, strict=True)
        ]


def test_a_first_word_said_twice_starts_the_sentence_at_the_first() -> None:
    """ "types. [pause] Now [60 ms] now, [pause] as all": the engine gives one "now" the last 90 ms
    before "as" and leaves the rest to silence. The detector hears speech there that no word has, and
    "now" aligned to it alone fits as well as the turn's words and better than "types" or "as" would:
    the sentence starts at its onset. Speech that every word fits alike (music, the sentence before
    trailing on: a short word fits most sound) or that "now" does not fit, a breath or click (under
    300 ms), a pause with no speech in it, speech further back than claim_back_ms, or media where every
    word fits poorly (0 dB noise), or a first word the engine did not align: nothing moves."""
    mask = "1" * 100 + "0" * 50 + "1" * 50 + "0" * 6 + "1" * 52 + "0" * 32 + "1" * 40
    words = [TokenTiming(0, 1000, -1.0), TokenTiming(2790, 2880, -1.0), TokenTiming(2880, 3200, -1.0)]
    tokens, phones = ["types", "now", "as"], [5, 2, 2]

    def claimed(
        mask: str, engine: Any = None, fits: list[float] | None = None, **changes: int
    ) -> list[tuple[int, int]]:
        engine = engine or _FitsBest("now", -1.5, -3.0)
        run = replace(_run_on(mask, _sound(mask), engine), params=replace(AlignParams(), **changes))
        run.state.fits["A"] = fits or []
        return [(t.start_ms, t.end_ms) for t in claim_speech_before(run, tokens, words, [0, 1], phones)]

    as_given = [(t.start_ms, t.end_ms) for t in words]
    assert claimed(mask) == [(0, 1000), (1500, 2880), (2880, 3200)]
    assert claimed(mask, _Scored(-1.5)) == as_given  # every word fits it alike
    assert claimed(mask, _FitsBest("now", -3.0, -4.0)) == as_given  # "now" fits it poorly
    assert claimed("1" * 100 + "0" * 100 + "1" * 20 + "0" * 60 + "1" * 40) == as_given  # a breath
    assert claimed("1" * 100 + "0" * 180 + "1" * 40) == as_given  # a pause
    assert claimed(mask, claim_back_ms=1_000) == as_given  # the onset at 1.5 s is 1.29 s before "now"
    assert claimed(mask, fits=[-4.0] * 5) == as_given  # heavy noise: no fit can tell a word's sound
    bridged = [words[0], replace(words[1], score=float("-inf")), words[2]]  # timed by the rate model
    run = _run_on(mask, _sound(mask), _FitsBest("now", -1.5, -3.0))
    assert claim_speech_before(run, tokens, bridged, [0, 1], phones) == bridged
