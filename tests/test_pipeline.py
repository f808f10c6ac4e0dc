"""Whole-pipeline guarantees on the seed interview: nothing lost, valid output, deterministic."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from toolkit.model import Turn
from toolkit.pipeline import ConvertOptions, convert_file, render, result_to_json
from toolkit.profiles import PROFILES

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "tucker_lavrov.txt"
WORD = re.compile(r"[\w’'-]+")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


@pytest.fixture(scope="module")
def seed_json() -> dict:  # type: ignore[type-arg]
    return result_to_json(convert_file(SEED, ConvertOptions()))


def test_every_word_is_in_the_output_or_reported_as_removed(seed_json: dict) -> None:  # type: ignore[type-arg]
    """Every word of the file is in a cue, or in a finding that names why it was removed (page text,
    duplicates); no word appears in the output that was not in the input."""
    source = Counter(words(SEED.read_text(encoding="utf-8")))
    # speaker names and timestamps are structure, not text
    for t in re.findall(r"^(.+?) \[(\d\d):(\d\d):(\d\d)\]", SEED.read_text(encoding="utf-8"), flags=re.M):
        source.subtract(words(" ".join(t)))
    out = Counter(w for c in seed_json["cues"] for w in words(c["text"]))
    removed = Counter()
    for f in seed_json["findings"]:
        if f["code"] == "P001":
            removed.update(words(f["data"]["text"]))
        elif f["code"] == "T002":
            removed.update(words(f["data"]["removed_text"]))
    assert +(source - out - removed) == Counter()  # nothing lost
    assert +(out - source) == Counter()  # nothing invented


def test_seed_cues_are_valid_and_ordered(seed_json: dict) -> None:  # type: ignore[type-arg]
    cues = seed_json["cues"]
    assert all(c["end_ms"] > c["start_ms"] >= 0 for c in cues)
    assert all(b["start_ms"] >= a["end_ms"] for a, b in itertools.pairwise(cues))
    codes = {f["code"] for f in seed_json["findings"]}
    # a cue outside the profile always carries a finding; the layout limits are met everywhere
    assert not codes & {"C001", "C002", "C005", "C007", "C008", "C009", "C010"}


def test_the_duplicated_exchange_appears_once(seed_json: dict) -> None:  # type: ignore[type-arg]
    text = " ".join(c["text"] for c in seed_json["cues"])
    assert text.count("Because that episode with the expulsion") == 1
    assert text.count("So you believe the Biden administration") == 1
    assert text.count("But this time, President Trump was elected") == 1
    assert text.count("No, NATO.") == 2  # Tucker's question and Lavrov's echo both stay
    assert "Well, the terms I basically alluded to them" in text


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_conversion_is_deterministic(profile: str) -> None:
    opts = ConvertOptions(profile=PROFILES[profile])
    first, second = convert_file(SEED, opts), convert_file(SEED, opts)
    for fmt in ("srt", "vtt", "json"):
        assert render(first, fmt) == render(second, fmt)


LAYOUTS = sorted(p for p in (ROOT / "samples" / "layouts").iterdir() if p.suffix in {".txt", ".srt", ".vtt"})


@pytest.mark.parametrize("path", LAYOUTS, ids=[p.name for p in LAYOUTS])
def test_every_sample_layout_converts_to_valid_captions(path: Path, tmp_path: Path) -> None:
    import pysrt
    import webvtt

    result = convert_file(path, ConvertOptions())
    if result.captions is not None:  # a caption file is converted cue for cue
        shown = [c for c in result.captions if c.plain.strip()]
        assert shown
        srt, vtt = tmp_path / "o.srt", tmp_path / "o.vtt"
        srt.write_text(render(result, "srt"), encoding="utf-8")
        vtt.write_text(render(result, "vtt"), encoding="utf-8")
        items = pysrt.open(str(srt), error_handling=pysrt.ERROR_RAISE)
        assert [(s.start.ordinal, s.end.ordinal) for s in items] == [(c.start_ms, c.end_ms) for c in shown]
        assert len(webvtt.read(str(vtt))) == len(result.captions)
        return
    assert result.cues
    srt, vtt = tmp_path / "o.srt", tmp_path / "o.vtt"
    srt.write_text(render(result, "srt"), encoding="utf-8")
    vtt.write_text(render(result, "vtt"), encoding="utf-8")
    assert len(pysrt.open(str(srt), error_handling=pysrt.ERROR_RAISE)) == len(result.cues)
    assert len(webvtt.read(str(vtt))) == len(result.cues)
    starts = [c.start_ms for c in result.cues]
    assert starts == sorted(starts) and all(c.end_ms > c.start_ms for c in result.cues)


def test_turns_without_a_stamp_move_with_the_turn_before_them() -> None:
    """A turn the transcript gave no stamp (its start estimated, P004) goes to the media stages without
    one; if it comes back without one (no words), it gets its estimate, moved as far as the timed turn
    before it moved, between its neighbours; the turn before it, timed without words and taken to run on,
    now ends there. Its range for the aligner is its moved estimate, give or take the rate model's drift
    since the last stamp (3 s at least)."""
    from toolkit.pipeline.media_stages import place_unstamped, unstamped_bounds

    estimates = [Turn("A", 1000, "One.", 1), Turn("B", 5000, "Two.", 3), Turn("A", 9000, "Three.", 5)]
    timed = [
        Turn("A", 1500, "One.", 1, end_ms=9000),
        Turn("B", None, "Two.", 3),
        Turn("A", 9200, "Three.", 5),
    ]
    placed = place_unstamped(timed, estimates)
    assert [(t.start_ms, t.end_ms) for t in placed] == [(1500, 5500), (5500, None), (9200, None)]
    assert unstamped_bounds(timed, estimates, [None, None, None]) == (None, (2500, 8500), None)
    far = [Turn("A", 1000, "One.", 1), Turn("B", 41_000, "Two.", 3)]
    assert unstamped_bounds([far[0], replace(far[1], start_ms=None)], far, [None, None]) == (
        None,
        (41_000 - 14_000, 41_000 + 14_000),  # 35 % of the 40 s since the last stamp
    )


def test_a_turn_left_out_for_its_notice_gives_no_cue_time(tmp_path: Path) -> None:
    """A turn whose only text was a meeting tool's notice is left out before timing: its stamp (0:09)
    does not end the long turn before it, so the captions are those of the file without that turn, and
    the only finding is the notice's (P009, its line)."""
    ann = (
        "[00:00:05] Ann Lee\nHello everyone, thanks for joining the call today. We have a long agenda, "
        "so let me walk through the first three items before we hand over to Bob for the budget.\n\n"
    )
    bob = "[00:00:20] Bob Stone\nThanks Ann, glad to be here with you all.\n"
    notice, without = tmp_path / "notice.txt", tmp_path / "without.txt"
    notice.write_text(ann + "[00:00:09] Nick Miller\nNick Miller started transcription\n\n" + bob, "utf-8")
    without.write_text(ann + bob, "utf-8")
    got, plain = (result_to_json(convert_file(p, ConvertOptions())) for p in (notice, without))
    cues = [(c["start_ms"], c["end_ms"], c["speaker"]) for c in got["cues"]]
    assert cues == [
        (5000, 8821, "Ann Lee"),
        (8904, 14026, "Ann Lee"),
        (14109, 17900, "Ann Lee"),
        (20000, 24100, "Bob Stone"),
    ]
    assert cues == [(c["start_ms"], c["end_ms"], c["speaker"]) for c in plain["cues"]]
    assert [(t["speaker"], t["start_ms"], t["line"]) for t in got["turns"]] == [
        ("Ann Lee", 5000, 1),
        ("Bob Stone", 20000, 7),
    ]
    assert [(f["code"], f["line"], f["data"]["removed"]) for f in got["findings"]] == [
        ("P009", 5, ["Nick Miller started transcription"])
    ]
