"""The text check of a caption sync (toolkit.align.verify): the captions' words, force-aligned by the real
pocketsphinx engine on the committed clip, fit the speech at the right offset and nowhere else; a sync
the speech detector refuses is accepted when they do (dense speech: a phone call), never otherwise."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from toolkit.align.aligner import TokenTiming
from toolkit.align.verify import DEFAULT_PARAMS, _t_sf, check_offset
from toolkit.media import decode_audio
from toolkit.pipeline.caption_sync import sync_captions
from toolkit.sync import SyncParams, read_caption_times, rewrite_times

pytestmark = pytest.mark.media

FIX = Path(__file__).parent / "fixtures" / "media"
MP4 = FIX / "interview_90s.mp4"
SRT = FIX / "interview_90s.srt"
SHIFT_MS = 3_000
# other speech, as captions of another recording would carry
OTHER = [
    "So you believe that the talks are over?",
    "We never said that, we said we are ready to listen.",
    "And what would it take for that to change?",
    "A serious proposal from the other side, nothing less.",
    "The president has been clear about that for years.",
    "Some people in Washington do not believe him.",
    "That is their right, of course, but it is not our problem.",
    "Let us talk about the pipeline then.",
    "Everybody knows who did it, and nobody says it.",
    "Thank you for your time, minister.",
]


@pytest.fixture(scope="module")
def audio() -> np.ndarray:
    return decode_audio(str(MP4))


def test_t_distribution_tail() -> None:
    assert _t_sf(0.0, 5) == pytest.approx(0.5, abs=1e-6)
    assert _t_sf(2.015, 5) == pytest.approx(0.05, abs=0.001)  # the one-sided 5 % point, 5 dof
    assert _t_sf(3.250, 9) == pytest.approx(0.005, abs=0.0005)
    assert _t_sf(-2.015, 5) == pytest.approx(0.95, abs=0.001)
    assert _t_sf(math.inf, 3) == 0.0


def test_right_offset_is_verified_and_kept(audio: np.ndarray) -> None:
    caps = read_caption_times(SRT)
    late = [s + SHIFT_MS for s in caps.starts_ms], [e + SHIFT_MS for e in caps.ends_ms]
    check = check_offset(*late, caps.texts, audio, [-SHIFT_MS + 20])
    assert check is not None and check.verified
    # the detector's offset stands when no grid point fits clearly better
    assert check.offset_ms == -SHIFT_MS + 20
    assert check.confidence > 0.9 and check.probes >= 5
    assert check.weakest_margin >= 0.5


def test_a_wrong_seed_is_not_verified(audio: np.ndarray) -> None:
    caps = read_caption_times(SRT)
    late = [s + SHIFT_MS for s in caps.starts_ms], [e + SHIFT_MS for e in caps.ends_ms]
    check = check_offset(*late, caps.texts, audio, [-SHIFT_MS + 2_500])
    assert check is not None and not check.verified


def test_other_words_fit_nowhere(audio: np.ndarray) -> None:
    caps = read_caption_times(SRT)
    n = len(caps.starts_ms)
    texts = [OTHER[i % len(OTHER)] for i in range(n)]
    check = check_offset(caps.starts_ms, caps.ends_ms, texts, audio, [0])
    assert check is not None and not check.verified


def test_too_few_probes_give_no_verdict(audio: np.ndarray) -> None:
    assert check_offset([1000, 4000], [3000, 6000], ["Good evening.", "Thank you."], audio, [0]) is None


def _late_srt(tmp_path: Path) -> Path:
    caps = read_caption_times(SRT)
    out = tmp_path / "late.srt"
    out.write_bytes(
        rewrite_times(caps, [s + SHIFT_MS for s in caps.starts_ms], [e + SHIFT_MS for e in caps.ends_ms])
    )
    return out


def test_sync_the_detector_refuses_is_rescued_by_the_words(tmp_path: Path) -> None:
    # a bar of evidence no speech detector reaches stands for dense speech: only the words can tell
    strict = SyncParams(min_evidence=1e9)
    caps = read_caption_times(SRT)
    out = sync_captions(str(_late_srt(tmp_path)), str(MP4), params=strict)
    assert out.result.accepted, out.result.reason
    assert "text check" in out.result.reason
    assert out.result.details["text_check"]["verified"] is True
    assert len(out.result.details["text_check"]["segments"]) == 1
    errors = [abs(a - b) for a, b in zip(out.starts_ms, caps.starts_ms, strict=True)]
    assert max(errors) <= 150


def test_each_segment_of_a_split_earns_its_offset_by_its_words(tmp_path: Path) -> None:
    caps = read_caption_times(SRT)
    half = len(caps.starts_ms) // 2
    moved = [2000 if i < half else 9000 for i in range(len(caps.starts_ms))]
    src = tmp_path / "split.srt"
    src.write_bytes(
        rewrite_times(
            caps,
            [s + d for s, d in zip(caps.starts_ms, moved, strict=True)],
            [e + d for e, d in zip(caps.ends_ms, moved, strict=True)],
        )
    )
    out = sync_captions(str(src), str(MP4), params=SyncParams(min_evidence=1e9))
    assert out.result.accepted and len(out.result.segments) == 2, out.result.reason
    assert len(out.result.details["text_check"]["segments"]) == 2
    errors = [abs(a - b) for a, b in zip(out.starts_ms, caps.starts_ms, strict=True)]
    assert sorted(errors)[int(0.9 * len(errors))] <= 150


def test_text_check_can_be_turned_off(tmp_path: Path) -> None:
    strict = SyncParams(min_evidence=1e9, text_check=False)
    out = sync_captions(str(_late_srt(tmp_path)), str(MP4), params=strict)
    assert not out.result.accepted and "text_check" not in out.result.details


def test_captions_in_another_language_get_no_text_check(tmp_path: Path) -> None:
    # the engine is English: captions the user says are French are never judged by it
    strict = SyncParams(min_evidence=1e9)
    out = sync_captions(str(_late_srt(tmp_path)), str(MP4), params=strict, language="fr")
    assert not out.result.accepted and "text_check" not in out.result.details


def test_cli_sync_language_option(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from toolkit.cli import cli

    out = tmp_path / "out.srt"
    args = ["sync", str(_late_srt(tmp_path)), "--media", str(MP4), "-o", str(out)]
    assert CliRunner().invoke(cli, [*args, "--language", "en"]).exit_code == 0 and out.exists()
    bad = CliRunner().invoke(cli, [*args, "--language", "xx-nonsense-42"])
    assert bad.exit_code == 2 and "language" in bad.output


def test_max_offset_refusal_stands(tmp_path: Path) -> None:
    out = sync_captions(str(_late_srt(tmp_path)), str(MP4), params=SyncParams(max_offset_ms=1000))
    assert not out.result.accepted and "max-offset" in out.result.reason


class _OffsetEngine:
    """A stand-in engine for the statistics of the check: the audio is a ramp (one sample per ms, the
    sample's value its time), so a window knows where it is; a probe fits 1.0 better within 200 ms of its
    true place than elsewhere, under per-fit noise (sd 1.2) that ten probes cannot see through but thirty
    can."""

    name = "ramp"
    sample_rate = 1000

    def __init__(self, truth: dict[str, int]) -> None:
        self.truth = truth  # a probe's first token -> its true window start

    def phone_count(self, token: str) -> int:
        return len(token)

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        lo = int(audio[0])
        true_lo = self.truth[tokens[0]]
        noise = np.random.default_rng([true_lo, lo + 10_000]).normal(0.0, 1.2)
        score = -3.0 + noise - (0.0 if abs(lo - true_lo) < 200 else 1.0)
        return [TokenTiming(0, len(audio), score) for _ in tokens]


def _ramp_probes(n: int) -> tuple[list[int], list[int], list[str], _OffsetEngine]:
    words = ["".join(p) for p in itertools.product("bdgkmpst", "aeiou", "lnr")][:n]
    starts = [1_000 + 900 * k for k in range(n)]
    ends = [s + 600 for s in starts]
    texts = [f"{w} {w}" for w in words]
    truth = {w: s - DEFAULT_PARAMS.pad_ms for w, s in zip(words, starts, strict=True)}
    return starts, ends, texts, _OffsetEngine(truth)


def test_a_second_look_takes_more_probes_when_the_first_cannot_tell() -> None:
    ramp = np.arange(32_000, dtype=np.int16)
    starts, ends, texts, engine = _ramp_probes(10)  # a short file: ten probes are all there are
    few = check_offset(starts, ends, texts, ramp, [0], engine=engine, sample_rate=1000)
    assert few is not None and few.probes == 10 and few.offset_ms == 0 and not few.verified
    starts, ends, texts, engine = _ramp_probes(30)  # the same evidence per probe, three times the probes
    many = check_offset(starts, ends, texts, ramp, [0], engine=engine, sample_rate=1000)
    assert many is not None and many.probes == 30 and many.offset_ms == 0 and many.verified
    assert many.confidence >= 0.95 and many.weakest_margin >= 0.5
    # the second look is no second chance for words that fit nowhere: thirty probes of noise stay refused
    nowhere = _OffsetEngine({w: lo + 10_000 for w, lo in engine.truth.items()})
    noise = check_offset(starts, ends, texts, ramp, [0], engine=nowhere, sample_rate=1000)
    assert noise is not None and not noise.verified
