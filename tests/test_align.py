"""Word alignment with the real pocketsphinx engine on the committed fixtures (tests/fixtures/align/).

The fixtures were made by tests/fixtures/make_align_fixtures.py: synthetic two-voice interviews whose
sentence onsets are known exactly. Turn timestamps are floored to whole seconds, as transcripts give them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from toolkit.align import align_turns
from toolkit.align import turns as align_mod
from toolkit.align.engine import Aligner, TokenTiming
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


def test_long_turns_are_aligned_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(align_mod, "MAX_CHUNK_SPEECH_MS", 1500)  # every sentence its own chunk
    turns, audio, truth = load("clean")
    aligned, findings = align_turns(turns, audio)
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
    first_sentence = {ti: start for ti, _, start in reversed(truth["sentences"])}
    for i, (before, after) in enumerate(zip(turns, aligned, strict=True)):
        assert before.start_ms is not None
        assert after.source_start_ms == before.start_ms
        assert after.words[0].start_ms == pytest.approx(first_sentence[i], abs=TOLERANCE_MS)
        n = len(before.text.split())
        assert after.words[-1].end_ms - after.words[0].start_ms == pytest.approx(n / 2.5 * 1000, abs=2)


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
