"""The media path on real human speech and on media without speech: detection, do-no-harm, crashes, JSON.

The real-speech clip tests/fixtures/realspeech/interview_levels.m4a (made by
tests/fixtures/make_realspeech_fixtures.py; sources and licences in its README) holds two real readers, the
host 30 dB quieter than the guest. A detector that normalised the loudness per block found 55 % of its
speech; convert --media put a sentence a second early. Every test runs the real ffmpeg.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import NoTimestampsError
from toolkit.media import decode_audio
from toolkit.media.ffmpeg import ffmpeg_exe
from toolkit.media.vad import speech_mask
from toolkit.model import Turn
from toolkit.pipeline import ConvertOptions, convert_file, render
from toolkit.pipeline.caption_sync import sync_captions
from toolkit.sync import SyncParams, TurnSyncParams, find_sync, sync_turns, turn_sync

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import realspeech  # the benchmark's corpus helpers: the same transcript with only first stamps

pytestmark = pytest.mark.media

FIX = Path(__file__).parent / "fixtures" / "realspeech"
CLIP = FIX / "interview_levels.m4a"
TRANSCRIPT = FIX / "interview_levels.transcript.txt"
TRUTH = json.loads((FIX / "interview_levels.truth.json").read_text())
SYNTH = Path(__file__).parent / "fixtures" / "media"


@pytest.fixture(scope="module")
def audio() -> np.ndarray:
    return decode_audio(str(CLIP))


def _scores(mask: np.ndarray) -> tuple[float, float]:
    ref = np.zeros(len(mask), dtype=bool)
    for a, b in TRUTH["speech_spans"]:
        ref[a // 10 : -(-b // 10)] = True
    tp = int(np.sum(ref & mask))
    return tp / int(ref.sum()), tp / max(1, int(mask.sum()))


@pytest.mark.parametrize("detector", ["silero", "webrtc"])
def test_both_speakers_are_heard_30_db_apart(audio: np.ndarray, detector: str) -> None:
    recall, precision = _scores(speech_mask(audio, detector=detector))
    assert recall >= 0.9 and precision >= 0.9


def _sentence_starts(words: list[tuple[str, int]]) -> list[int]:
    """Each reference sentence's start as found in the output's word stream (first three words)."""
    keys = [w for w, _ in words]
    out = []
    for s in TRUTH["sentences"]:
        want = re.findall(r"[a-z0-9']+", s["text"].lower())[:3]
        hit = next(i for i in range(len(keys)) if keys[i : i + 3] == want)
        out.append(words[hit][1])
    return out


def test_convert_with_media_times_real_voices_to_the_speech() -> None:
    result = convert_file(TRANSCRIPT, ConvertOptions(media=str(CLIP)))
    words = [
        (n, w.start_ms)
        for c in result.cues
        for w in c.words
        for n in re.findall(r"[a-z0-9']+", w.text.lower())
    ]
    errors = np.abs(np.array(_sentence_starts(words)) - [s["start_ms"] for s in TRUTH["sentences"]])
    assert float(np.median(errors)) <= 50 and errors.max() <= 150
    assert all(c.end_ms - c.start_ms >= 500 for c in result.cues)
    json.loads(render(result, "json"))  # no numpy value in the output


def _write_srt(path: Path, cues: list[tuple[int, int, str]]) -> Path:
    def ts(ms: int) -> str:
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    path.write_text("".join(f"{i}\n{ts(s)} --> {ts(e)}\n{t}\n\n" for i, (s, e, t) in enumerate(cues, 1)))
    return path


def test_sync_puts_real_captions_back_and_refuses_another_recordings(tmp_path: Path) -> None:
    late = [(s["start_ms"] + 7300, s["end_ms"] + 7300, s["text"]) for s in TRUTH["sentences"]]
    out = sync_captions(str(_write_srt(tmp_path / "late.srt", late)), str(CLIP))
    assert out.result.accepted
    assert max(abs(a - s["start_ms"]) for a, s in zip(out.starts_ms, TRUTH["sentences"], strict=True)) <= 100
    json.dumps(out.report())
    other = sync_captions(str(SYNTH / "interview_90s.srt"), str(CLIP))
    assert not other.result.accepted
    assert list(other.starts_ms) == list(other.captions.starts_ms)  # nothing moved


# ------------------------------------------------------------------------------------ media without speech


def _lavfi(tmp_path: Path, name: str, source: str) -> Path:
    out = tmp_path / name
    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", "40", "-ac", "1", str(out)]
    subprocess.run(cmd, check=True)
    return out


@pytest.mark.parametrize("align", ["words", "sync", "none"])
@pytest.mark.parametrize("source", ["anullsrc=r=16000:cl=mono", "sine=frequency=440:sample_rate=16000"])
def test_convert_with_media_without_speech_keeps_the_transcript_timing(
    tmp_path: Path, align: str, source: str
) -> None:
    """Silence or a tone: no speech to time to. The captions keep the transcript's timing (the rate model),
    a finding says why, and nothing raises (this was 'argmax of an empty sequence')."""
    media = _lavfi(tmp_path, "nospeech.wav", source)
    plain = convert_file(SYNTH / "interview_90s.transcript.txt", ConvertOptions())
    result = convert_file(
        SYNTH / "interview_90s.transcript.txt", ConvertOptions(media=str(media), align=align)
    )
    assert "M006" in {f.code for f in result.findings}
    assert len(result.cues) >= len(plain.cues) - 2
    firsts: dict[int | None, int] = {}
    for c in result.cues:
        firsts.setdefault(c.turn, c.start_ms)
    stamps = [t.source_start_ms for t in result.turns]
    assert all(abs(firsts[k] - (stamps[k] or 0)) <= 2500 for k in firsts)
    json.loads(render(result, "json"))


def test_truncated_media_gives_no_squeezed_captions(tmp_path: Path) -> None:
    """An MP4 cut after 30 kB: its header says 90 s, its audio ends after a few seconds. Turns past the
    audio keep their timestamps and share their time by the rate model: no 1 ms cues."""
    cut = tmp_path / "truncated.mp4"
    cut.write_bytes((SYNTH / "interview_90s.mp4").read_bytes()[:30_000])
    result = convert_file(SYNTH / "interview_90s.transcript.txt", ConvertOptions(media=str(cut)))
    assert min(c.end_ms - c.start_ms for c in result.cues) >= 500
    assert result.cues[-1].start_ms >= 60_000


# ------------------------------------------------------------------------------------ do no harm


def _first_turns(tmp_path: Path, shift_s: int, turns: int = 6) -> Path:
    """The synthetic interview's first ``turns`` turns, every stamp moved by ``shift_s``."""
    lines = (SYNTH / "interview_90s.transcript.txt").read_text().splitlines()
    kept = [ln for ln in lines if ln.strip()][:turns]

    def moved(m: re.Match[str]) -> str:
        t = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + shift_s
        return f"[{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}]"

    out = tmp_path / f"first{turns}_{shift_s:+d}.txt"
    out.write_text("\n\n".join(re.sub(r"\[(\d\d):(\d\d):(\d\d)\]", moved, ln) for ln in kept) + "\n")
    return out


def _cue_errors(result: Any, cues: list[dict[str, Any]]) -> list[int]:
    """|start error| in ms of each truth cue (a sentence of the synthetic interview), found in the
    output's word stream by its first three words."""
    words = [
        (n, w.start_ms)
        for c in result.cues
        for w in c.words
        for n in re.findall(r"[a-z0-9']+", w.text.lower())
    ]
    keys = [k for k, _ in words]
    errors = []
    for cue in cues:
        want = re.findall(r"[a-z0-9']+", cue["text"].lower())[:3]
        hit = next(i for i in range(len(keys)) if keys[i : i + 3] == want)
        errors.append(abs(words[hit][1] - round(cue["start"] * 1000)))
    return errors


def test_turns_without_a_stamp_are_placed_by_their_words(tmp_path: Path) -> None:
    """Only each speaker's first turn has a stamp; the others are written ``Name: text``. Repair estimates
    their starts from the speech rates (P004), seconds off; those estimates are no evidence for turn sync
    and no bound for the aligner: the words place every turn (they had held the aligner to the wrong
    places, and turn sync refused the rest)."""
    truth = json.loads((SYNTH / "interview_90s.truth.json").read_text())
    sparse = tmp_path / "sparse.txt"
    sparse.write_text(realspeech.first_stamps_only((SYNTH / "interview_90s.transcript.txt").read_text()))
    result = convert_file(sparse, ConvertOptions(media=str(SYNTH / "interview_90s.mp4")))
    assert sum(f.code == "P004" for f in result.findings) == len(truth["turns"]) - 2
    assert not [f for f in result.findings if f.code == "A001"]
    errors = _cue_errors(result, truth["cues"])
    assert float(np.median(errors)) <= 50 and max(errors) <= 500, errors
    json.loads(render(result, "json"))


@pytest.mark.parametrize("shift_s", [3, 0])
def test_the_words_settle_an_offset_the_onsets_cannot(tmp_path: Path, shift_s: int) -> None:
    """Six turns all land on speech onsets both as written and 3 s earlier (sentence onsets are dense), so
    the onsets cannot tell the two apart and the prior kept the stamps as written: 3 s late, their words
    not found (A001). The turns' first sentences fit the speech only at the right offset: the text check
    moves them there (M004), and leaves stamps that were right where they are."""
    truth = json.loads((SYNTH / "interview_90s.truth.json").read_text())
    result = convert_file(
        _first_turns(tmp_path, shift_s), ConvertOptions(media=str(SYNTH / "interview_90s.mp4"))
    )
    sync = result.meta["media"]["sync"]
    assert sync["accepted"] and sync["turns_explained"] == sync["rival_explained"] == 6
    assert abs(sync["offset_ms"] + shift_s * 1000) <= 500
    assert ("text check" in sync["reason"]) == (shift_s != 0)
    assert sync["text_check"]["verified"]  # the check's report is in the output either way
    assert [f.code for f in result.findings if f.code in ("M004", "A001")] == (["M004"] if shift_s else [])
    first_six = [c for c in truth["cues"] if c["turn"] < 6]
    assert max(_cue_errors(result, first_six)) <= 500  # not 3 s
    json.loads(render(result, "json"))


@pytest.mark.parametrize("shift_s", [3, 0])
def test_validate_finds_the_offset_the_words_settle(tmp_path: Path, shift_s: int) -> None:
    """validate --media reports a transcript 3 s late (M004) where the onsets alone kept the stamps as
    written, and nothing for stamps that are right."""
    from toolkit.parse import read_document
    from toolkit.validate.media_checks import media_findings

    doc = read_document(_first_turns(tmp_path, shift_s))
    m004 = [f for f in media_findings(doc, str(SYNTH / "interview_90s.mp4")) if f.code == "M004"]
    assert [abs(f.data["offset_ms"] + 3000) <= 500 for f in m004] == ([True] if shift_s else [])


@pytest.mark.parametrize("offset_ms", [3000, -2500])
def test_the_words_overrule_a_wrong_move(tmp_path: Path, offset_ms: int) -> None:
    """An offset the onsets accepted that moves right stamps (chance: dense onsets) is checked by the
    words, which fit only where the stamps are: the stamps as written are taken instead."""
    from toolkit.parse import read_document
    from toolkit.pipeline.turn_check import check_turn_sync
    from toolkit.sync import Segment, SyncResult

    turns = [t for t in read_document(_first_turns(tmp_path, 0)).turns if t.start_ms is not None]
    wrong = SyncResult(1.0, (Segment(0, len(turns) - 1, offset_ms, 1000),), 0.9, True, "ok", 0, {})
    audio = decode_audio(str(SYNTH / "interview_90s.mp4"))
    checked = check_turn_sync(turns, wrong, audio, 16000, None, None)
    assert checked is not None and checked.accepted and abs(checked.offset_ms) <= 500
    assert "text check" in checked.reason


def _random_mask(rng: np.random.Generator, frames: int) -> np.ndarray:
    """Speech runs of 0.3-4 s between pauses of 0.1-1.5 s: dense speech, onsets everywhere."""
    mask = np.zeros(frames, dtype=bool)
    t = 0
    while t < frames:
        t += int(rng.integers(10, 150))
        n = int(rng.integers(30, 400))
        mask[t : t + n] = True
        t += n
    return mask


def test_unrelated_stamps_and_captions_are_not_moved() -> None:
    """Stamps and captions that have nothing to do with the speech: turn sync moves the stamps (an offset
    other than as written) in at most 1 of 100 such transcripts, caption sync accepts none."""
    rng = np.random.default_rng(0)
    moved = accepted = 0
    for _ in range(100):
        duration = int(rng.integers(30_000, 600_000))
        mask = _random_mask(rng, duration // 10)
        stamps = np.sort(rng.integers(0, duration, int(rng.integers(2, 60)))) // 1000 * 1000
        turns = [Turn("A" if i % 2 else "B", int(s), "word " * 10, i + 1) for i, s in enumerate(stamps)]
        synced = turn_sync(turns, mask)
        assert synced is not None
        result = synced[1]
        moved += result.accepted and any(abs(s.offset_ms) > 500 for s in result.segments)
        starts = np.sort(rng.integers(0, duration, 2 * len(stamps)))
        ends = starts + rng.integers(500, 4000, len(starts))
        accepted += find_sync(starts.tolist(), ends.tolist(), mask).accepted
    assert moved <= 1
    assert accepted == 0


def test_dense_speech_gives_no_jump() -> None:
    """In a meeting every offset puts some stamps on onsets; a split needs several turns' worth of evidence
    beyond chance, and a jump never maps a turn before the one it follows."""
    rng = np.random.default_rng(3)
    mask = _random_mask(rng, 6000)
    stamps = [0, 2000, 5000, 5000, 18000, 27000, 29000, 34000, 42000, 42000, 53000]
    turns = [Turn(f"S{i % 4}", s, "words " * 8, i + 1) for i, s in enumerate(stamps)]
    synced = sync_turns(turns, mask, duration_ms=60_000)
    assert "M005" not in {f.code for f in synced.findings}
    for bound, turn in zip(synced.bounds, turns, strict=True):
        assert (
            bound is not None and bound[0] <= (turn.start_ms or 0) + 500 and bound[1] >= (turn.start_ms or 0)
        )


def test_unchecked_stamps_still_bound_a_turn_from_below() -> None:
    """When turn sync is refused (speech everywhere: music, noise the detector hears), the stamps cannot be
    checked, but a floored stamp still says where a turn cannot have begun: its first word lies at or
    after it (the aligner once took the previous speaker's last words, 300 ms before it, for the turn's)."""
    mask = np.ones(3000, dtype=bool)
    stamps = [0, 5000, 9000, 17000]
    turns = [Turn("A" if i % 2 else "B", s, "words " * 6, i + 1) for i, s in enumerate(stamps)]
    synced = sync_turns(turns, mask, duration_ms=30_000)
    assert "M006" in {f.code for f in synced.findings}
    assert [b[0] if b else None for b in synced.bounds] == [t.start_ms for t in turns]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.booleans(), min_size=0, max_size=400),
    st.lists(st.integers(0, 5000), min_size=0, max_size=12),
    st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 3000)), min_size=0, max_size=12),
)
def test_sync_results_are_plain_json(
    mask: list[bool], stamps: list[int], cues: list[tuple[int, int]]
) -> None:
    """Whatever the speech and the text, the sync results hold only JSON types (a numpy bool once made
    `-o out.json` fail)."""
    m = np.repeat(np.array(mask, dtype=bool), 10)
    turns = [Turn("A", s, "a few words here", i + 1) for i, s in enumerate(sorted(stamps))]
    synced = sync_turns(turns, m, duration_ms=len(m) * 10, params=TurnSyncParams())
    json.dumps(synced.meta, allow_nan=False)
    found = find_sync([s for s, _ in cues], [s + d for s, d in cues], m, SyncParams())
    json.dumps(found.to_json(), allow_nan=False)
    assert type(found.accepted) is bool and isinstance(found.confidence, float)


def test_damaged_media_is_reported_and_not_trusted(tmp_path: Path) -> None:
    """An MP4 cut at two thirds: ffmpeg's own words about it reach the user (M007), and sync, which
    once reported success with a wrong 4-segment answer, refuses (exit 3)."""
    cut = tmp_path / "cut.mp4"
    cut.write_bytes((SYNTH / "interview_90s.mp4").read_bytes()[:200_000])
    result = convert_file(
        SYNTH / "interview_90s.transcript.txt", ConvertOptions(media=str(cut), align="sync")
    )
    damage = [f for f in result.findings if f.code == "M007"]
    assert damage and all("damaged" in f.message for f in damage)
    out = sync_captions(str(SYNTH / "interview_90s.srt"), str(cut))
    assert not out.result.accepted and "damaged" in out.result.reason
    assert out.report()["media_damage"]
    assert list(out.starts_ms) == list(out.captions.starts_ms)


# ------------------------------------------------------------------------------------ mux


def test_mux_tracks_players_accept(tmp_path: Path) -> None:
    """WebVTT goes into MKV as it is (voice spans kept: a re-encode went through ASS and lost them),
    every track has a language (und when none is given), and --language is checked before ffmpeg."""
    from toolkit.errors import MediaError
    from toolkit.media.mux import burn_font_size, language_code, mux
    from toolkit.media.probe import probe

    vtt = tmp_path / "voices.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Tom &amp; Jerry>Hello there.\n")
    out = tmp_path / "out.mkv"
    mux(str(SYNTH / "interview_90s.mp4"), [str(vtt), str(SYNTH / "interview_90s.srt")], str(out))
    tracks = probe(out).subtitles
    assert [(t.codec, t.language) for t in tracks] == [("webvtt", None), ("subrip", None)]  # und
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(out), "-map", "0:s:0", "-c", "copy", "-f", "webvtt", "-"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    assert "<v Tom &amp; Jerry>Hello there." in raw
    assert language_code("en") == "eng" and language_code("fra") == "fra" and language_code(None) == "und"
    with pytest.raises(MediaError, match="ISO 639"):
        language_code("english")
    with pytest.raises(MediaError, match="WebM"):
        mux(str(SYNTH / "interview_90s.mp4"), [str(vtt)], str(tmp_path / "out.webm"))
    assert not (tmp_path / "out.webm").exists()
    assert burn_font_size(90) * 90 / 288 >= 14 and burn_font_size(1080) == 16 and burn_font_size(2160) == 16


# ----------------------------------------------------------------------- a transcript without timestamps


def _untimed(text: str) -> str:
    """The transcript with no time at all: every turn written ``Name: text``."""
    return re.sub(r"^(.*?) \[\d\d:\d\d:\d\d\] ", r"\1: ", text, flags=re.M)


def _errors(result: Any) -> np.ndarray:
    words = [
        (n, w.start_ms)
        for c in result.cues
        for w in c.words
        for n in re.findall(r"[a-z0-9']+", w.text.lower())
    ]
    return np.array(_sentence_starts(words)) - [s["start_ms"] for s in TRUTH["sentences"]]


def test_a_transcript_without_timestamps_is_placed_where_its_first_words_are_said(tmp_path: Path) -> None:
    """No stamp at all: refused without media (nothing to time it by); with media, the first words are
    looked for in the audio (here after 1.7 s of room noise, said 30 dB below the guest) and the turns are
    aligned one after another from there: every sentence as close as with the stamps. One M008 says so,
    no P004 per turn, and no turn claims a source timestamp."""
    untimed = tmp_path / "untimed.txt"
    untimed.write_text(_untimed(TRANSCRIPT.read_text()))
    assert "[00:" not in untimed.read_text()
    with pytest.raises(NoTimestampsError, match=r"none has a time.*--media FILE"):
        convert_file(untimed, ConvertOptions())
    result = convert_file(untimed, ConvertOptions(media=str(CLIP)))
    errors = np.abs(_errors(result))
    assert float(np.median(errors)) <= 50 and errors.max() <= 150
    codes = [f.code for f in result.findings]
    assert "P004" not in codes and codes.count("M008") == 1
    m008 = next(f for f in result.findings if f.code == "M008")
    assert m008.line == 1 and m008.data["found"] is True
    assert abs(m008.data["start_ms"] - TRUTH["sentences"][0]["start_ms"]) <= 100
    assert [t.speaker for t in result.turns] == ["Margaret Lane", "Linda Johnson", "Margaret Lane"]
    assert all(t.source_start_ms is None for t in result.turns)


def test_an_untimed_transcript_after_a_noise_intro_starts_with_its_words(tmp_path: Path) -> None:
    """Seven seconds of pink noise before the speech (a phone line, a title): the detector takes some of
    it for speech, but the first words fit only where they are said; from there on the untimed transcript
    is timed as the one with its stamps (moved by the intro's 7 s) is. (The noise has a fixed seed; with
    eight seeds, the two differ by 60 ms at most.)"""
    media = tmp_path / "intro.wav"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(CLIP), "-filter_complex",
         "anoisesrc=d=7:c=pink:a=0.08:r=16000:s=1,aformat=channel_layouts=mono[n];"
         "[0:a]aresample=16000,aformat=channel_layouts=mono[s];[n][s]concat=n=2:v=0:a=1",
         "-ar", "16000", "-ac", "1", str(media)],
        check=True,
    )  # fmt: skip
    untimed, stamped = tmp_path / "untimed.txt", tmp_path / "stamped.txt"
    untimed.write_text(_untimed(TRANSCRIPT.read_text()))
    seconds = re.compile(r"\[00:00:(\d\d)\]")
    stamped.write_text(seconds.sub(lambda m: f"[00:00:{int(m[1]) + 7:02d}]", TRANSCRIPT.read_text()))
    result = convert_file(untimed, ConvertOptions(media=str(media)))
    errors = _errors(result) - 7000
    assert abs(errors[0]) <= 100 and float(np.median(np.abs(errors))) <= 50
    assert (
        np.abs(errors - (_errors(convert_file(stamped, ConvertOptions(media=str(media)))) - 7000)).max()
        <= 100
    )


def test_an_untimed_transcript_in_another_language_is_refused_with_media(tmp_path: Path) -> None:
    """The first words are looked for with the English acoustic model: a French transcript without any
    timestamp is refused with the reason, not placed by chance."""
    french = tmp_path / "fr.txt"
    french.write_text(
        "Anne: Bonjour à tous, et merci d'être venus ce soir pour parler de la rivière.\n\n"
        "Marc: Merci beaucoup, c'est un plaisir d'être ici avec vous pour en parler.\n\n"
        "Anne: Alors, commençons par le début de cette histoire, si vous le voulez bien.\n"
    )
    with pytest.raises(NoTimestampsError, match="only in English"):
        convert_file(french, ConvertOptions(media=str(CLIP)))


def test_an_untimed_transcript_after_untranscribed_speech_is_aligned_from_its_own_words(
    tmp_path: Path,
) -> None:
    """A cold open: 20 s of another programme's speech before the transcript's first words. The search
    finds them, and the first turn is aligned there (a range around the place found), not from the
    media's start, where the engine would take the other speech for it. A first turn with no spoken
    words ("[music]") does not take the place of the first words."""
    media = tmp_path / "cold.wav"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(SYNTH / "interview_90s.mp4"), "-i", str(CLIP),
         "-filter_complex", "[0:a]atrim=0:20,aresample=16000,aformat=channel_layouts=mono[a];"
         "[1:a]aresample=16000,aformat=channel_layouts=mono[b];[a][b]concat=n=2:v=0:a=1",
         "-ar", "16000", "-ac", "1", str(media)],
        check=True,
    )  # fmt: skip
    untimed = tmp_path / "untimed.txt"
    untimed.write_text("Margaret Lane: [music]\n\n" + _untimed(TRANSCRIPT.read_text()))
    result = convert_file(untimed, ConvertOptions(media=str(media)))
    errors = np.abs(_errors(result) - 20_000)
    assert float(np.median(errors)) <= 50 and errors.max() <= 200
    assert [f.code for f in result.findings if f.code.startswith("M0")] == ["M008"]


def test_an_untimed_transcript_of_another_recording_is_a_guess_and_says_so(tmp_path: Path) -> None:
    """Another recording's transcript, or media without speech: no place fits clearly, and the warning
    M009 says where the transcript was put is a guess (not the info M008)."""
    other = tmp_path / "other.txt"
    other.write_text(_untimed((SYNTH / "interview_90s.transcript.txt").read_text()))
    codes = [f.code for f in convert_file(other, ConvertOptions(media=str(CLIP))).findings]
    assert "M009" in codes and "M008" not in codes
    silent = _lavfi(tmp_path, "silent.wav", "anullsrc=r=16000:cl=mono")
    untimed = tmp_path / "untimed.txt"
    untimed.write_text(_untimed(TRANSCRIPT.read_text()))
    m009 = [f for f in convert_file(untimed, ConvertOptions(media=str(silent))).findings if f.code == "M009"]
    assert len(m009) == 1 and "no speech is heard" in m009[0].message
    sounds = tmp_path / "sounds.txt"
    sounds.write_text("Ann Lee: [music]\n\nBob Ray: (laughs)\n")
    m009 = [f for f in convert_file(sounds, ConvertOptions(media=str(CLIP))).findings if f.code == "M009"]
    assert len(m009) == 1 and "no spoken words" in m009[0].message
