"""Media: ffmpeg lookup, probing without ffprobe, decoding, speech detection, sync, convert --media.

Every test runs the real ffmpeg on the committed clip tests/fixtures/media/interview_90s.mp4 (made by
tests/fixtures/make_media_fixtures.py) and checks values against its truth file.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.errors import MediaError, ParseError
from toolkit.media import decode_audio, probe, speech_mask
from toolkit.media.analyse import AnalysedMedia, analyse_media
from toolkit.media.audio import load_media, plan_spans
from toolkit.media.decode import Decode
from toolkit.media.ffmpeg import ENV_VAR, ffmpeg_exe
from toolkit.media.numeric import median, percentile
from toolkit.media.probe import mp4_duration_ms
from toolkit.media.vad import SpeechDetector, loud_level
from toolkit.pipeline.caption_sync import sync_captions
from toolkit.sync import SyncParams, apply_sync, find_sync, read_caption_times

pytestmark = pytest.mark.media

FIX = Path(__file__).parent / "fixtures" / "media"
MP4 = FIX / "interview_90s.mp4"
TRUTH = json.loads((FIX / "interview_90s.truth.json").read_text())
CUES = [(round(c["start"] * 1000), round(c["end"] * 1000)) for c in TRUTH["cues"]]
DURATION_MS = round(TRUTH["duration"] * 1000)


@pytest.fixture(scope="module")
def imageio_ffmpeg_exe() -> str:
    import imageio_ffmpeg

    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


@pytest.fixture(scope="module")
def audio() -> np.ndarray:
    return decode_audio(str(MP4))


@pytest.fixture(scope="module")
def mask(audio: np.ndarray) -> np.ndarray:
    return speech_mask(audio)


def _truth_mask(n: int) -> np.ndarray:
    gt = np.zeros(n, dtype=bool)
    for s, e in CUES:
        gt[s // 10 : -(-e // 10)] = True
    return gt


# ------------------------------------------------------------------------------------ ffmpeg + probe


def test_env_var_forces_the_imageio_binary(monkeypatch: pytest.MonkeyPatch, imageio_ffmpeg_exe: str) -> None:
    monkeypatch.setenv(ENV_VAR, imageio_ffmpeg_exe)
    assert ffmpeg_exe() == imageio_ffmpeg_exe


def test_env_var_pointing_nowhere_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "no-ffmpeg"))
    with pytest.raises(MediaError, match=ENV_VAR):
        ffmpeg_exe()


def test_falls_back_to_imageio_without_ffmpeg_on_path(
    monkeypatch: pytest.MonkeyPatch, imageio_ffmpeg_exe: str
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert ffmpeg_exe() == imageio_ffmpeg_exe


def test_probe_with_imageio_binary(monkeypatch: pytest.MonkeyPatch, imageio_ffmpeg_exe: str) -> None:
    monkeypatch.setenv(ENV_VAR, imageio_ffmpeg_exe)
    info = probe(MP4)
    assert info.duration_ms is not None and abs(info.duration_ms - DURATION_MS) <= 300
    assert [s.kind for s in info.streams] == ["video", "audio"]
    assert info.audio[0].sample_rate == 16000 and info.audio[0].codec == "aac"
    assert info.video[0].fps == pytest.approx(5.0)


def test_decode_with_imageio_binary(monkeypatch: pytest.MonkeyPatch, imageio_ffmpeg_exe: str) -> None:
    monkeypatch.setenv(ENV_VAR, imageio_ffmpeg_exe)
    pcm = decode_audio(str(MP4))
    assert pcm.dtype == np.int16 and pcm.ndim == 1
    assert abs(len(pcm) / 16 - DURATION_MS) <= 300
    # loud where the truth has speech, quiet in the lead-in second before the first cue
    first = CUES[0][0]
    lead = pcm[: (first - 100) * 16].astype(float)
    speech = pcm[first * 16 : CUES[0][1] * 16].astype(float)
    assert np.sqrt(np.mean(speech**2)) > 3 * np.sqrt(np.mean(lead**2))


def test_spans_sit_on_the_30s_grid() -> None:
    chunk = 30 * 16000
    spans = plan_spans(20 * 60_000, 16000, 2)
    assert spans == [(0, 20 * chunk), (20 * chunk, None)]
    assert plan_spans(20 * 60_000, 16000, 3) == [
        (0, 14 * chunk),
        (14 * chunk, 14 * chunk),
        (28 * chunk, None),
    ]
    assert plan_spans(90_000, 16000, 2) == [(0, None)]  # under PARALLEL_MIN_S
    assert plan_spans(None, 16000, 2) == [(0, None)]  # unknown duration
    assert plan_spans(20 * 60_000, 16000, 1) == [(0, None)]


def test_parallel_decode_equals_single_decode() -> None:
    """Three ffmpeg processes (forced with a small threshold) give the same number of samples, the same
    30 s blocks in the same order and the same speech mask as one.

    Not bit-identical after a boundary: an AAC decode started by a seek differs slightly, all the way
    through, from one that ran from the start (correlation 0.99 here, sample-aligned; probably the
    decoder's noise-substitution generator, whose state depends on every earlier frame: not verified).
    The 20-minute benchmark media gave identical masks; here two frames of 9,140 flip, 1.2 s after
    the first boundary.
    """

    def decode(jobs: int) -> tuple[np.ndarray, list[int], np.ndarray]:
        detector = SpeechDetector(16000)
        sizes: list[int] = []

        def on_chunk(block: np.ndarray) -> None:
            sizes.append(len(block))
            detector.feed(block)

        audio = load_media(str(MP4), jobs=jobs, parallel_min_s=0, on_chunk=on_chunk).audio
        return audio, sizes, detector.mask()

    one, one_sizes, one_mask = decode(1)
    many, many_sizes, many_mask = decode(4)
    bounds = [s for s, _ in plan_spans(DURATION_MS, 16000, 4, min_s=0)][1:]
    assert bounds == [30 * 16000, 60 * 16000]
    assert abs(len(many) - len(one)) <= 4
    assert many_sizes[:-1] == one_sizes[:-1] and abs(many_sizes[-1] - one_sizes[-1]) <= 4
    assert np.array_equal(many[: bounds[0]], one[: bounds[0]])  # the first segment is the same decode
    for b in bounds:  # the same signal, sample-aligned, after each boundary
        a, c = one[b : b + 16000].astype(float), many[b : b + 16000].astype(float)
        assert np.dot(a, c) / np.sqrt(np.dot(a, a) * np.dot(c, c)) > 0.98
    assert len(many_mask) == len(one_mask)
    differ = np.flatnonzero(many_mask != one_mask)
    assert len(differ) <= len(one_mask) // 1000, differ.tolist()
    assert all(f * 160 >= bounds[0] - 160 for f in differ)


def _delayed_audio(tmp_path: Path, exe: str, delay_s: float, suffix: str = ".mp4") -> Path:
    """The fixture remuxed (no re-encoding) with its audio stream starting ``delay_s`` after the picture,
    as an edited or re-muxed video has it."""
    out = tmp_path / f"delayed{suffix}"
    inputs = ["-i", str(MP4), "-itsoffset", str(delay_s), "-i", str(MP4)]
    streams = ["-map", "0:v", "-map", "1:a", "-c", "copy", str(out)]
    subprocess.run([exe, "-loglevel", "error", "-y", *inputs, *streams], check=True)
    return out


@pytest.mark.parametrize("suffix", [".mp4", ".ts"])
@pytest.mark.parametrize("jobs", [1, 3])
def test_audio_that_starts_after_the_picture_is_decoded_on_the_video_timeline(
    tmp_path: Path, imageio_ffmpeg_exe: str, audio: np.ndarray, jobs: int, suffix: str
) -> None:
    """Captions are timed on the video's timeline: audio whose stream starts 2 s after the picture
    decodes with 2 s of silence first, in one ffmpeg process or several (whose later spans seek on the
    file's clock), in MP4 and in an MPEG transport stream (whose clock ffmpeg puts at the audio's start
    when the audio is read alone), and sync finds the fixture's captions 2 s late there."""
    delayed = _delayed_audio(tmp_path, imageio_ffmpeg_exe, 2.0, suffix)
    late = load_media(str(delayed), jobs=jobs, parallel_min_s=0).audio
    assert not np.any(late[: 19 * 1600])  # silence up to the audio's start (within its AAC priming)
    a = audio[10 * 16000 : 11 * 16000].astype(float)  # where one second of speech went: 2 s later
    lags = range(18 * 1600, 22 * 1600, 8)
    corr = [float(np.dot(a, late[10 * 16000 + k : 11 * 16000 + k])) for k in lags]
    lag = lags[int(np.argmax(corr))]
    assert abs(lag - 2 * 16000) <= 0.1 * 16000
    c = late[10 * 16000 + lag : 11 * 16000 + lag].astype(float)
    assert np.dot(a, c) / np.sqrt(np.dot(a, a) * np.dot(c, c)) > 0.95
    if jobs == 1:
        caps = read_caption_times(FIX / "interview_90s.srt")
        result = find_sync(caps.starts_ms, caps.ends_ms, speech_mask(late))
        assert result.accepted and abs(result.segments[0].offset_ms - 2000) <= 100


def _stereo(tmp_path: Path, exe: str, name: str, pan: str) -> Path:
    out = tmp_path / name
    cmd = [exe, "-loglevel", "error", "-y", "-i", str(MP4), "-af", pan, "-c:a", "pcm_s16le", str(out)]
    subprocess.run(cmd, check=True)
    return out


@pytest.mark.parametrize("jobs", [1, 3])
def test_a_stereo_pair_that_cancels_is_read_as_its_difference(
    tmp_path: Path, imageio_ffmpeg_exe: str, audio: np.ndarray, jobs: int
) -> None:
    """One channel with its polarity reversed (a miswired cable): the mono mix is silence, and no speech
    would be found. The channels' difference is read instead (and said), in one process or several."""
    inverted = _stereo(tmp_path, imageio_ffmpeg_exe, "inverted.wav", "pan=stereo|c0=c0|c1=-1*c0")
    media = load_media(str(inverted), jobs=jobs, parallel_min_s=0)
    assert media.difference and abs(len(media.audio) - len(audio)) <= 16
    a, c = audio[: 20 * 16000].astype(float), media.audio[: 20 * 16000].astype(float)
    assert np.dot(a, c) / np.sqrt(np.dot(a, a) * np.dot(c, c)) > 0.98
    left = load_media(str(_stereo(tmp_path, imageio_ffmpeg_exe, "left.wav", "pan=stereo|c0=c0|c1=0*c0")))
    assert not left.difference  # speech on one channel only: the mix has it
    silent = tmp_path / "silent.wav"
    cmd = [imageio_ffmpeg_exe, "-loglevel", "error", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=stereo"]
    subprocess.run([*cmd, "-t", "5", str(silent)], check=True)
    quiet = load_media(str(silent))
    assert not quiet.difference and not np.any(quiet.audio)


def test_a_silent_default_audio_stream_gives_way_to_one_with_sound(
    tmp_path: Path, imageio_ffmpeg_exe: str, audio: np.ndarray, caplog: pytest.LogCaptureFixture
) -> None:
    """A file whose default audio stream is a silent placeholder and whose programme sound is the second:
    picked by default, the silent one gives way (with a warning), and speech is found there, also by the
    webrtcvad that runs while ffmpeg decodes; a stream the user names is kept, silent or not."""
    two = tmp_path / "two tracks.mp4"
    silence = ["-f", "lavfi", "-t", "91", "-i", "anullsrc=r=16000:cl=mono"]
    maps = ["-map", "0:v", "-map", "1:a", "-map", "0:a", "-c:v", "copy", "-c:a", "aac"]
    flags = ["-disposition:a:0", "default", "-disposition:a:1", "0", str(two)]
    cmd = [imageio_ffmpeg_exe, "-loglevel", "error", "-y", "-i", str(MP4), *silence, *maps, *flags]
    subprocess.run(cmd, check=True)
    with caplog.at_level(logging.WARNING, logger="toolkit.media.audio"):
        am = analyse_media(str(two), detector="webrtc")
    assert am.media.stream.specifier == "a:1" and am.media.redecoded
    assert "audio stream a:0 is silent; a:1 is used" in caplog.text
    assert abs(len(am.media.audio) - len(audio)) <= 0.1 * 16000
    assert am.mask.mean() > 0.5  # the speech of the second stream, not the first one's silence
    named = load_media(str(two), stream="a:0")
    assert named.stream.specifier == "a:0" and not np.any(named.audio)


def test_decode_at_8khz_has_half_the_samples(audio: np.ndarray) -> None:
    pcm8 = decode_audio(str(MP4), sample_rate=8000)
    assert abs(len(pcm8) * 2 - len(audio)) <= 32


@pytest.mark.parametrize("name", ["with space.mp4", "a:b.mp4", "it's.mp4", "-dash.mp4"])
def test_awkward_paths(tmp_path: Path, name: str, audio: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / name
    shutil.copyfile(MP4, target)
    monkeypatch.chdir(tmp_path)
    rel = name  # relative, so a leading '-' reaches ffmpeg's argument list as written
    assert probe(rel).duration_ms == probe(MP4).duration_ms
    assert len(decode_audio(rel)) == len(audio)


def test_missing_file() -> None:
    with pytest.raises(MediaError, match=r"no such media file"):
        probe(FIX / "nope.mp4")


def test_not_media_carries_ffmpegs_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"this is not a video" * 50)
    with pytest.raises(MediaError, match=r"(?i)invalid data"):
        decode_audio(str(bad))


def test_no_audio_stream(tmp_path: Path) -> None:
    silent = tmp_path / "video only.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(MP4), "-map", "0:v", "-c", "copy", str(silent)], check=True
    )
    with pytest.raises(MediaError, match=r"no audio stream.*video h264"):
        decode_audio(str(silent))


def _two_audio_streams(out: Path, codec: str, *extra: str) -> Path:
    """``out`` with a silent audio stream a:0 and the fixture's speech as a:1 (plus ``extra`` options)."""
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=16000:cl=mono",
            "-i",
            str(MP4),
            "-map",
            "0:a",
            "-map",
            "1:a",
            "-c:a",
            codec,
            "-shortest",
            *extra,
            str(out),
        ],
        check=True,
    )
    return out


def test_audio_stream_selection(tmp_path: Path, audio: np.ndarray) -> None:
    two = _two_audio_streams(tmp_path / "two.mkv", "pcm_s16le", "-metadata:s:a:1", "language=eng")
    info = probe(two)
    assert [(s.specifier, s.language) for s in info.audio] == [("a:0", None), ("a:1", "eng")]
    silence = decode_audio(str(two), stream="a:0")
    speech = decode_audio(str(two), stream="a:1")
    assert np.abs(silence).max() == 0
    assert np.abs(speech).max() > 1000
    with pytest.raises(MediaError, match=r"no audio stream .a:2."):
        decode_audio(str(two), stream="a:2")


@pytest.mark.parametrize("jobs", [1, 3])
def test_default_flagged_stream_wins_over_the_first(tmp_path: Path, audio: np.ndarray, jobs: int) -> None:
    """The first ffmpeg starts on a:0 before its report is read; the report shows a:1 is flagged
    default, so every process is restarted on a:1 (also when three were started from the MP4 header)."""
    flags = ("-disposition:a:0", "0", "-disposition:a:1", "default")
    two = _two_audio_streams(tmp_path / "two.mp4", "aac", *flags)
    info = probe(two)
    assert [s.default for s in info.audio] == [False, True]
    media = load_media(str(two), jobs=jobs, parallel_min_s=0)
    assert media.stream.specifier == "a:1"
    assert np.abs(media.audio).max() > 1000
    assert abs(len(media.audio) - len(audio)) <= 1600
    by_index = load_media(str(two), stream=str(info.audio[0].index), jobs=jobs, parallel_min_s=0)
    assert by_index.stream.specifier == "a:0" and np.abs(by_index.audio).max() < 50


def test_mp4_duration_from_the_header(tmp_path: Path) -> None:
    assert mp4_duration_ms(MP4) == probe(MP4).duration_ms
    wav = tmp_path / "a.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(MP4), "-t", "1", str(wav)], check=True)
    assert mp4_duration_ms(wav) is None
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(MP4.read_bytes()[:40])  # the ftyp box, then nothing
    assert mp4_duration_ms(cut) is None
    assert mp4_duration_ms(tmp_path / "missing.mp4") is None


def test_closing_a_decode_early_stops_every_ffmpeg() -> None:
    decode = Decode(str(MP4), jobs=3, parallel_min_s=0)
    planned = plan_spans(mp4_duration_ms(MP4), 16000, 3, min_s=0)
    assert len(decode.processes) == len(planned) == 2  # started from the MP4 header, before the report
    decode.close()
    assert all(p.proc.returncode is not None for p in decode.processes)
    assert all(p.proc.stdout is not None and p.proc.stdout.closed for p in decode.processes)


# ------------------------------------------------------------------------------------ speech detection


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=400), st.floats(0, 100))
def test_order_statistics_are_numpys_bit_for_bit(values: list[float], q: float) -> None:
    """numeric.median/percentile replace numpy's (whose first call imports numpy.ma): the speech masks and
    sync decisions must not move by a bit."""
    a = np.array(values)
    assert percentile(a, q) == float(np.percentile(a, q))
    assert loud_level(a) == float(np.percentile(a, 95))
    assert median(a) == float(np.median(a)) == median(values)


def test_speech_mask_matches_truth(mask: np.ndarray) -> None:
    gt = _truth_mask(len(mask))
    tp = float(np.sum(mask & gt))
    precision, recall = tp / mask.sum(), tp / gt.sum()
    assert precision > 0.95 and recall > 0.85
    assert mask.dtype == bool and abs(len(mask) * 10 - DURATION_MS) <= 300


def test_speech_onsets_are_close_to_truth(mask: np.ndarray) -> None:
    lags = []
    for s, _ in CUES:
        window = np.flatnonzero(mask[max(0, s // 10 - 30) : s // 10 + 50])
        lags.append((window[0] + max(0, s // 10 - 30)) * 10 - s)
    assert abs(float(np.median(lags))) <= 40


# ------------------------------------------------------------------------------------ sync


def _shifted(shift: int) -> tuple[list[int], list[int]]:
    return [s + shift for s, _ in CUES], [e + shift for _, e in CUES]


@pytest.mark.parametrize("shift", [7300, -900, 23_000])
def test_global_offset(mask: np.ndarray, shift: int) -> None:
    starts, ends = _shifted(shift)
    res = find_sync(starts, ends, mask)
    assert res.accepted and res.confidence >= 0.5 and res.ratio == 1.0
    new_s, _, clamped = apply_sync(starts, ends, res)
    assert clamped == 0
    assert max(abs(a - b) for a, (b, _) in zip(new_s, CUES, strict=True)) <= 40


def test_already_in_sync_is_left_alone(mask: np.ndarray) -> None:
    starts, ends = _shifted(0)
    res = find_sync(starts, ends, mask)
    new_s, new_e, _ = apply_sync(starts, ends, res)
    assert res.accepted and max(abs(a - b) for a, b in zip(new_s, starts, strict=True)) <= 20
    assert max(abs(a - b) for a, b in zip(new_e, ends, strict=True)) <= 20


def test_frame_rate_ratio(mask: np.ndarray) -> None:
    r = 25 / 23.976
    starts = [round(s * r) + 2000 for s, _ in CUES]
    ends = [round(e * r) + 2000 for _, e in CUES]
    res = find_sync(starts, ends, mask)
    assert res.ratio == pytest.approx(23.976 / 25)
    new_s, _, _ = apply_sync(starts, ends, res)
    assert max(abs(a - b) for a, (b, _) in zip(new_s, CUES, strict=True)) <= 40


def test_piecewise_offsets(mask: np.ndarray) -> None:
    half = DURATION_MS // 2
    shift = [3000 if s < half else 9000 for s, _ in CUES]
    starts = [s + d for (s, _), d in zip(CUES, shift, strict=True)]
    ends = [e + d for (_, e), d in zip(CUES, shift, strict=True)]
    res = find_sync(starts, ends, mask, SyncParams(split_penalty=2.0))
    assert len(res.segments) == 2
    new_s, _, _ = apply_sync(starts, ends, res)
    assert max(abs(a - b) for a, (b, _) in zip(new_s, CUES, strict=True)) <= 40


def test_unrelated_speech_is_low_confidence() -> None:
    rng = np.random.default_rng(3)
    noise_mask = rng.random(5000) < 0.5  # speech that has nothing to do with the cues
    res = find_sync(*_shifted(0), noise_mask)
    assert not res.accepted and res.confidence < 0.5


def test_negative_times_are_clamped_not_dropped(mask: np.ndarray) -> None:
    starts, ends = _shifted(1500)  # every cue 1.5 s late ...
    starts[0], ends[0] = 0, 400  # ... but the first one sits at 0, so shifting it back would go negative
    res = find_sync(starts, ends, mask)
    new_s, new_e, clamped = apply_sync(starts, ends, res)
    assert res.accepted and abs(res.offset_ms + 1500) <= 20
    assert clamped >= 1 and new_s[0] == 0
    assert len(new_s) == len(CUES) and all(e > s for s, e in zip(new_s, new_e, strict=True))


def test_sync_file_keeps_everything_but_times(tmp_path: Path) -> None:
    src = (FIX / "interview_90s.srt").read_text(encoding="utf-8")
    caps = read_caption_times(FIX / "interview_90s.srt")
    shifted = [s + 4000 for s in caps.starts_ms], [e + 4000 for e in caps.ends_ms]
    from toolkit.sync import rewrite_times

    styled = tmp_path / "styled.srt"
    styled.write_bytes(
        rewrite_times(caps, *shifted).replace(b"Good evening", b"<i>Good</i> evening").replace(b"\n", b"\r\n")
    )
    out = sync_captions(str(styled), str(MP4))
    assert out.result.accepted
    text = out.output_bytes().decode()
    assert "<i>Good</i> evening" in text and "\r\n" in text
    assert text.replace("\r\n", "\n").replace("<i>Good</i>", "Good").count("-->") == src.count("-->")
    back = [abs(a - b) for a, b in zip(out.starts_ms, caps.starts_ms, strict=True)]
    assert max(back) <= 40


def test_caption_file_without_timings(tmp_path: Path) -> None:
    p = tmp_path / "x.srt"
    p.write_text("hello\n")
    with pytest.raises(ParseError):
        read_caption_times(p)


# ------------------------------------------------------------------------------------ mux


@pytest.mark.parametrize(("ext", "codec"), [(".mkv", "subrip"), (".mp4", "mov_text")])
def test_mux_soft_track_with_language(tmp_path: Path, ext: str, codec: str) -> None:
    from toolkit.media.mux import mux

    out = tmp_path / f"out put's{ext}"
    mux(str(MP4), [str(FIX / "interview_90s.srt")], str(out), languages=["eng"])
    info = probe(out)
    assert [(s.codec, s.language, s.title) for s in info.subtitles] == [(codec, "eng", "English")]
    assert info.video[0].codec == "h264" and abs((info.duration_ms or 0) - DURATION_MS) <= 400
    # the subtitle track decodes back to the same number of cues
    srt = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(out), "-map", "0:s:0", "-f", "srt", "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert srt.count("-->") == len(CUES)


def test_mux_never_overwrites_an_input(tmp_path: Path) -> None:
    from toolkit.errors import OutputError
    from toolkit.media.mux import mux

    video = tmp_path / "v.mp4"
    shutil.copyfile(MP4, video)
    before = video.read_bytes()
    with pytest.raises(OutputError):
        mux(str(video), [str(FIX / "interview_90s.srt")], str(video))
    assert video.read_bytes() == before


def test_mux_burn_changes_the_picture(tmp_path: Path) -> None:
    from toolkit.media.mux import mux

    subs = tmp_path / "it's: subs.srt"
    subs.write_text("1\n00:00:00,000 --> 00:00:10,000\nHELLO WORLD\n")
    out = tmp_path / "burnt.mp4"
    mux(str(MP4), [str(subs)], str(out), burn=True)

    def frame(path: Path) -> np.ndarray:
        raw = subprocess.run(
            [
                ffmpeg_exe(),
                "-v",
                "error",
                "-ss",
                "2",
                "-i",
                str(path),
                "-frames:v",
                "1",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "gray",
                "-",
            ],
            check=True,
            capture_output=True,
        ).stdout
        return np.frombuffer(raw, dtype=np.uint8).astype(int)

    changed = np.abs(frame(out) - frame(MP4)) > 50  # light text on the dark blue picture
    assert changed.sum() >= 20
    assert probe(out).audio and not probe(out).subtitles
    # with more files, the first is burnt in and the others become soft tracks
    both = tmp_path / "burnt and soft.mkv"
    french = FIX / "interview_90s.srt"
    mux(str(MP4), [str(subs), str(french)], str(both), languages=["eng", "fra"], burn=True)
    info = probe(both)
    assert (np.abs(frame(both) - frame(MP4)) > 50).sum() >= 20
    assert [(s.codec, s.language, s.title) for s in info.subtitles] == [("subrip", "fra", "French")]


# ------------------------------------------------------------------------------------ convert --media


def test_transcript_turns_snap_to_speech() -> None:
    from toolkit.parse import read_document
    from toolkit.sync import sync_turns

    doc = read_document(FIX / "interview_90s.transcript.txt")
    truth_turns = TRUTH["turns"]
    mask = speech_mask(decode_audio(str(MP4)))
    for shift in (0, 6000):
        turns = [t.__class__(t.speaker, (t.start_ms or 0) + shift, t.text, t.line) for t in doc.turns]
        synced, findings, _, _ = sync_turns(turns, mask, duration_ms=DURATION_MS)
        errors = [
            abs((t.start_ms or 0) - round(tt["start"] * 1000))
            for t, tt in zip(synced, truth_turns, strict=True)
        ]
        assert float(np.median(errors)) <= 40 and max(errors) <= 150
        assert abs((synced[-1].end_ms or 0) - round(truth_turns[-1]["end"] * 1000)) <= 150
        assert all(t.source_start_ms == (o.start_ms or 0) for t, o in zip(synced, turns, strict=True))
        assert ("M004" in {f.code for f in findings}) == (shift != 0)


def test_transcript_time_base_jump_is_corrected() -> None:
    """Turns 7-12 stamped 8 s late (a stitched chunk): found from the speech, and put back.

    (A run of three turns is not enough here: with onsets in a third of the media, three turns in a row
    sit on onsets at some wrong offset by chance, so the evidence cannot tell such a jump from luck.)"""
    from dataclasses import replace

    from toolkit.parse import read_document
    from toolkit.sync import sync_turns

    doc = read_document(FIX / "interview_90s.transcript.txt")
    turns = [
        replace(t, start_ms=(t.start_ms or 0) + (8000 if k >= 6 else 0)) for k, t in enumerate(doc.turns)
    ]
    mask = speech_mask(decode_audio(str(MP4)))
    synced, findings, _, _ = sync_turns(turns, mask, duration_ms=DURATION_MS)
    errors = [
        abs((t.start_ms or 0) - round(tt["start"] * 1000))
        for t, tt in zip(synced, TRUTH["turns"], strict=True)
    ]
    assert max(errors) <= 150
    jumps = [f for f in findings if f.code == "M005"]
    assert len(jumps) == 1 and jumps[0].line == doc.turns[6].line


# ------------------------------------------------------------------------------------ validate --media


def _transcript_variant(tmp_path: Path, name: str, edit: str) -> Path:
    import re

    paras = (FIX / "interview_90s.transcript.txt").read_text(encoding="utf-8").strip().split("\n\n")

    def shift(p: str, d: int) -> str:
        def f(m: re.Match[str]) -> str:
            h, mi, s = map(int, m.group(1).split(":"))
            t = h * 3600 + mi * 60 + s + d
            return f"[{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}]"

        return re.sub(r"\[(\d\d:\d\d:\d\d)\]", f, p)

    if edit == "remove":
        paras = paras[:3] + paras[4:]
    elif edit == "shift":
        paras = paras[:5] + [shift(p, 8) for p in paras[5:8]] + paras[8:]
    elif edit == "late":
        paras = [*paras, "Tucker [00:05:00] Thank you for watching."]
    out = tmp_path / name
    out.write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def analysed() -> AnalysedMedia:
    return analyse_media(str(MP4))


def test_validate_clean_transcript_and_captions(analysed: AnalysedMedia) -> None:
    from toolkit.parse import read_document
    from toolkit.validate.media_checks import media_findings

    for path in (FIX / "interview_90s.transcript.txt", FIX / "interview_90s.srt"):
        found = media_findings(read_document(path), str(MP4), analysed=analysed)
        assert [f.code for f in found if f.code.startswith(("M", "C014", "T006"))] == []


def test_validate_finds_removed_paragraph(tmp_path: Path, analysed: AnalysedMedia) -> None:
    from toolkit.parse import read_document
    from toolkit.validate.media_checks import media_findings

    found = media_findings(
        read_document(_transcript_variant(tmp_path, "r.txt", "remove")), str(MP4), analysed=analysed
    )
    missing = [f for f in found if f.code == "M002"]
    gone = TRUTH["turns"][3]
    assert len(missing) == 1
    a, b = missing[0].data["start_ms"], missing[0].data["end_ms"]
    g0, g1 = gone["start"] * 1000, gone["end"] * 1000
    assert g0 - 1500 <= a and b <= g1 + 1500  # inside the removed paragraph ...
    assert min(b, g1) - max(a, g0) >= 0.6 * (g1 - g0)  # ... and most of it


def test_validate_finds_shifted_block(tmp_path: Path, analysed: AnalysedMedia) -> None:
    from toolkit.parse import read_document
    from toolkit.validate.media_checks import media_findings

    doc = read_document(_transcript_variant(tmp_path, "s.txt", "shift"))
    found = media_findings(doc, str(MP4), analysed=analysed)
    jumps = [f for f in found if f.code == "M005"]
    assert len(jumps) == 1 and jumps[0].line == doc.turns[5].line
    assert 5000 <= jumps[0].data["shift_ms"] <= 11000


def test_validate_finds_offset_and_past_end(tmp_path: Path, analysed: AnalysedMedia) -> None:
    from toolkit.parse import read_document
    from toolkit.validate.media_checks import media_findings

    doc = read_document(_transcript_variant(tmp_path, "l.txt", "late"))
    found = media_findings(doc, str(MP4), analysed=analysed)
    assert [f.line for f in found if f.code == "T006"] == [doc.turns[-1].line]
    srt = tmp_path / "late.srt"
    caps = read_caption_times(FIX / "interview_90s.srt")
    from toolkit.sync import rewrite_times

    srt.write_bytes(rewrite_times(caps, [s + 3000 for s in caps.starts_ms], [e + 3000 for e in caps.ends_ms]))
    found = media_findings(read_document(srt), str(MP4), analysed=analysed)
    offsets = [f for f in found if f.code == "M004"]
    assert len(offsets) == 1 and abs(offsets[0].data["offset_ms"] + 3000) <= 40
    assert any(f.code == "C014" for f in found)  # the last cue now ends after the media


# ------------------------------------------------------------------------------------ convert --media, CLI


def test_convert_with_media_matches_truth() -> None:
    from toolkit.pipeline import ConvertOptions, convert_file

    result = convert_file(FIX / "interview_90s.transcript.txt", ConvertOptions(media=str(MP4), align="sync"))
    truth_starts = [round(t["start"] * 1000) for t in TRUTH["turns"]]
    turn_errors = [abs((t.start_ms or 0) - s) for t, s in zip(result.turns, truth_starts, strict=True)]
    assert max(turn_errors) <= 150
    firsts: dict[int | None, int] = {}
    for cue in result.cues:
        firsts.setdefault(cue.turn, cue.start_ms)
    # the segmenter may lead a cue in a little before the speech (its own rules), never by much
    cue_errors = [abs(firsts[k] - truth_starts[k]) for k in range(len(truth_starts))]
    assert max(cue_errors) <= 250
    assert result.cues[-1].end_ms <= round(TRUTH["turns"][-1]["end"] * 1000) + 300
    assert result.meta["media"]["audio_stream"] == "a:0"


def test_convert_with_media_reports_a_turn_past_the_media_end(tmp_path: Path) -> None:
    """``convert --media`` knows the media's duration only after decoding: a turn still after it at the
    synced times gets T006 (as ``convert --duration`` gives), the others none; its text is kept."""
    from toolkit.pipeline import ConvertOptions, convert_file

    doc_path = _transcript_variant(tmp_path, "l.txt", "late")
    result = convert_file(doc_path, ConvertOptions(media=str(MP4), align="sync"))
    late = [f for f in result.findings if f.code == "T006"]
    assert [f.line for f in late] == [result.turns[-1].line]
    assert late[0].data["duration_ms"] == result.meta["media"]["duration_ms"]
    assert "Thank you for watching." in result.cues[-1].text
    # a caption file is no transcript: its cues are not repaired, nor named T006 (a transcript's rule)
    srt = tmp_path / "late.srt"
    srt.write_text((FIX / "interview_90s.srt").read_text() + "\n99\n00:05:00,000 --> 00:05:02,000\nBye.\n")
    captions = convert_file(srt, ConvertOptions(media=str(MP4), align="sync"))
    assert not [f for f in captions.findings if f.code == "T006"]


def test_cli_sync_writes_report_and_output(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from toolkit.cli import cli
    from toolkit.sync import rewrite_times

    caps = read_caption_times(FIX / "interview_90s.srt")
    src = tmp_path / "late captions.srt"
    src.write_bytes(rewrite_times(caps, [s + 7300 for s in caps.starts_ms], [e + 7300 for e in caps.ends_ms]))
    out, report = tmp_path / "out.srt", tmp_path / "r.json"
    res = CliRunner().invoke(
        cli, ["sync", str(src), "--media", str(MP4), "-o", str(out), "--report", str(report)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(report.read_text())
    assert data["accepted"] and abs(data["offset_ms"] + 7300) <= 40 and data["cues"] == len(CUES)
    assert "confidence 1.00" in res.output and "offset -7.3" in res.output.replace("-7.29", "-7.3")
    starts = read_caption_times(out).starts_ms
    assert max(abs(a - b) for a, b in zip(starts, caps.starts_ms, strict=True)) <= 40


@pytest.mark.parametrize("command", ["sync", "validate", "convert"])
def test_every_media_command_takes_audio_stream(tmp_path: Path, command: str) -> None:
    """--audio-stream reaches the decoder from each command: a stream the file lacks is named in a
    one-line error (exit 1), a stream it has works."""
    from click.testing import CliRunner

    from toolkit.cli import cli

    src = FIX / ("interview_90s.srt" if command != "convert" else "interview_90s.transcript.txt")
    out = tmp_path / ("o.srt" if command != "validate" else "unused.srt")
    args = [command, str(src), "--media", str(MP4)] + (["-o", str(out)] if command != "validate" else [])
    bad = CliRunner().invoke(cli, [*args, "--audio-stream", "a:3"])
    assert bad.exit_code == 1 and "no audio stream 'a:3'; the file has a:0 (aac)" in bad.output
    good = CliRunner().invoke(cli, [*args, "--audio-stream", "a:0"])
    assert good.exit_code == 0, good.output
    if command != "validate":
        assert out.exists()


def test_cli_sync_low_confidence_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from toolkit.cli import cli

    # captions whose rhythm has nothing to do with this speech
    rng = np.random.default_rng(1)
    lines, t = [], 500
    for i in range(1, 30):
        d = int(rng.uniform(1000, 5000))
        lines.append(
            f"{i}\n00:{t // 60000:02d}:{t // 1000 % 60:02d},{t % 1000:03d} --> "
            f"00:{(t + d) // 60000:02d}:{(t + d) // 1000 % 60:02d},{(t + d) % 1000:03d}\nx\n"
        )
        t += d + int(rng.uniform(200, 1500))
    src = tmp_path / "unrelated.srt"
    src.write_text("\n".join(lines))
    out = tmp_path / "out.srt"
    res = CliRunner().invoke(cli, ["sync", str(src), "--media", str(MP4), "-o", str(out)])
    assert res.exit_code == 3 and not out.exists()
    res = CliRunner().invoke(cli, ["sync", str(src), "--media", str(MP4), "-o", str(out), "--force"])
    assert res.exit_code == 3 and out.exists()
    assert out.read_text().count("-->") == 29


def test_cli_mux(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from toolkit.cli import cli

    out = tmp_path / "with subs.mkv"
    res = CliRunner().invoke(
        cli,
        [
            "mux",
            str(MP4),
            str(FIX / "interview_90s.srt"),
            str(FIX / "interview_90s.srt"),
            "-o",
            str(out),
            "--language",
            "eng",
            "--language",
            "fra",
        ],
    )
    assert res.exit_code == 0, res.output
    assert [(s.language, s.title) for s in probe(out).subtitles] == [("eng", "English"), ("fra", "French")]


@pytest.mark.parametrize("wrong_ms", [55_000, 61_000])
def test_audio_decides_which_duplicate_timestamp_is_right(wrong_ms: int) -> None:
    from dataclasses import replace

    from toolkit.parse import read_document
    from toolkit.sync import sync_turns

    doc = read_document(FIX / "interview_90s.transcript.txt")
    mask = speech_mask(decode_audio(str(MP4)))
    right_ms = doc.turns[8].start_ms or 0
    truth_ms = round(TRUTH["turns"][8]["start"] * 1000)
    # the copy kept by duplicate removal had the wrong stamp; the dropped copy (line 99) the right one
    turns = [*doc.turns]
    turns[8] = replace(turns[8], start_ms=wrong_ms)
    synced, findings, _, _ = sync_turns(turns, mask, alternatives={8: [(right_ms, 99)]})
    assert abs((synced[8].start_ms or 0) - truth_ms) <= 150
    assert [f.data["copy_line"] for f in findings if f.code == "T007"] == [99]
    # and the other way round: the kept copy was right, the dropped one is ignored
    synced, findings, _, _ = sync_turns(doc.turns, mask, alternatives={8: [(wrong_ms, 99)]})
    assert abs((synced[8].start_ms or 0) - truth_ms) <= 150
    assert not [f for f in findings if f.code == "T007"]


def test_public_api_is_exported() -> None:
    import toolkit.media as media

    assert sorted(media.__all__) == media.__all__
    assert all(callable(getattr(media, name)) for name in media.__all__)


def test_readme_sync_demo_puts_the_ad_break_back(tmp_path: Path) -> None:
    """samples/media/interview.late.srt: 7.3 s late, 11.3 s late after 0:20; every cue comes back."""
    sample = Path(__file__).parents[1] / "samples" / "media"
    truth = json.loads((sample / "interview.truth.json").read_text())
    out = sync_captions(str(sample / "interview.late.srt"), str(sample / "interview.mp4"))
    assert out.result.accepted and len(out.result.segments) == 2
    errors = [abs(s - round(c["start"] * 1000)) for s, c in zip(out.starts_ms, truth["cues"], strict=True)]
    assert max(errors) <= 40


def test_a_split_never_makes_cues_overlap(tmp_path: Path) -> None:
    """The ad-break sample's later segment moves 4 s earlier than the first: the cue before the split ends
    where the next begins, so the synced file has no overlap its original did not have."""
    sample = Path(__file__).parents[1] / "samples" / "media"
    out = sync_captions(str(sample / "interview.late.srt"), str(sample / "interview.mp4"))
    assert out.result.accepted
    pairs = list(zip(out.starts_ms, out.ends_ms, strict=True))
    assert all(e > s for s, e in pairs)
    assert all(pairs[k][1] <= pairs[k + 1][0] for k in range(len(pairs) - 1))
