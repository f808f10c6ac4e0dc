"""The caption rules (C001-C014): for each, a file that triggers it and one that does not."""

from __future__ import annotations

import pytest

from toolkit.model import Finding
from toolkit.profiles import get_profile
from toolkit.rules import RULES
from toolkit.validate import validate_captions, visible_text

NETFLIX = get_profile("netflix")


def srt(*cues: tuple[str, str, str]) -> str:
    """An SRT text from ``(start, end, text)`` triples (text lines separated by ``|``)."""
    blocks = [f"{i}\n{a} --> {b}\n" + t.replace("|", "\n") for i, (a, b, t) in enumerate(cues, start=1)]
    return "\n\n".join(blocks) + "\n"


def vtt(*cues: tuple[str, str, str], header: str = "WEBVTT") -> str:
    blocks = [f"{a} --> {b}\n" + t.replace("|", "\n") for a, b, t in cues]
    return header + "\n\n" + "\n\n".join(blocks) + "\n"


def check(
    text: str, kind: str = "srt", *, duration_ms: int | None = None, profile: str = "netflix"
) -> list[Finding]:
    return validate_captions(
        text, kind, path=f"t.{kind}", profile=get_profile(profile), duration_ms=duration_ms
    )


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


# A clean two-cue file: every rule stays silent on it.
CLEAN_SRT = srt(
    ("00:00:01,000", "00:00:03,500", "Minister Lavrov, thank you|for doing this."),
    ("00:00:04,000", "00:00:06,000", "I wouldn't say so."),
)
CLEAN_VTT = vtt(
    ("00:00:01.000", "00:00:03.000", "<v Tucker>Minister Lavrov, thank you &amp; welcome."),
    ("00:03.500", "00:00:06.000", "<i>I wouldn't</i> say so &lt;3."),
)


def test_clean_files_have_no_findings() -> None:
    assert check(CLEAN_SRT, "srt", duration_ms=10_000) == []
    assert check(CLEAN_VTT, "vtt", duration_ms=10_000) == []


def test_every_caption_rule_has_a_check_and_a_test_below() -> None:
    caption_codes = {r.code for r in RULES if r.applies_to == "captions" and r.check is not None}
    assert caption_codes == {f"C{n:03d}" for n in range(1, 15)}
    tested = {name.split("_")[1].upper() for name in globals() if name.startswith("test_c0")}
    assert tested == {c for c in caption_codes}


def test_c001_line_too_long_counts_visible_characters() -> None:
    long_line = "x" * 43
    found = check(srt(("00:00:01,000", "00:00:04,000", f"short|{long_line}")))
    assert codes(found) == ["C001"]
    f = found[0]
    assert (f.line, f.cue, f.data["chars"], f.data["max_chars"], f.data["cue_line"]) == (4, 1, 43, 42, 2)
    assert f.message == "cue 1: line 2 has 43 characters (max 42)"


def test_c001_not_for_tags_or_at_the_limit() -> None:
    line = "<i>" + "x" * 42 + "</i>"  # 42 visible characters: at the limit, tags not counted
    assert check(srt(("00:00:01,000", "00:00:04,000", line))) == []
    assert (
        check(vtt(("00:00:01.000", "00:00:04.000", "<v Sergey Lavrov>" + "y" * 40 + " &amp;")), "vtt") == []
    )
    assert check(srt(("00:00:01,000", "00:00:04,000", "x" * 45)), profile="relaxed") == []


def test_c002_too_many_lines() -> None:
    found = check(srt(("00:00:01,000", "00:00:05,000", "one|two|three")))
    assert codes(found) == ["C002"]
    assert (found[0].data["lines"], found[0].data["max_lines"]) == (3, 2)


def test_c002_not_at_the_limit_or_for_relaxed() -> None:
    assert check(srt(("00:00:01,000", "00:00:05,000", "one|two"))) == []
    assert check(srt(("00:00:01,000", "00:00:05,000", "one|two|three")), profile="relaxed") == []


def test_c003_reading_speed() -> None:
    # 38 characters (spaces and punctuation counted, the line break not) in 1.8 s = 21.1 cps > 20
    text = "This is a test line, twenty|characters."
    found = check(srt(("00:00:01,000", "00:00:02,800", text)))
    assert codes(found) == ["C003"]
    assert (found[0].data["chars"], found[0].data["duration_ms"]) == (38, 1800)
    assert found[0].data["cps"] == pytest.approx(21.11, abs=0.01)
    assert found[0].message == "cue 1: 38 characters in 1.8 s is 21.1 characters/s (max 20)"


def test_c003_not_at_the_limit_and_tags_not_counted() -> None:
    text = "<b>" + "a" * 40 + "</b>"  # 40 characters in 2 s = exactly 20 cps
    assert check(srt(("00:00:01,000", "00:00:03,000", text))) == []
    assert check(srt(("00:00:01,000", "00:00:03,000", "a" * 45)), profile="relaxed") == []


def test_c003_message_never_shows_the_limit_as_over_it() -> None:
    (found,) = check(srt(("00:00:01,000", "00:00:04,148", "a" * 31 + "|" + "b" * 32)))  # 20.01 characters/s
    assert found.message == "cue 1: 63 characters in 3.15 s is 20.01 characters/s (max 20)"


def test_c004_too_short() -> None:
    found = check(srt(("00:00:01,000", "00:00:01,832", "Yes.")))
    assert codes(found) == ["C004"]
    assert (found[0].data["duration_ms"], found[0].data["min_duration_ms"]) == (832, 833)


def test_c004_not_at_the_minimum() -> None:
    assert check(srt(("00:00:01,000", "00:00:01,833", "Yes."))) == []
    assert check(srt(("00:00:01,000", "00:00:01,600", "Yes.")), profile="relaxed") == []


def test_c005_too_long() -> None:
    found = check(srt(("00:00:01,000", "00:00:08,001", "Well.")))
    assert codes(found) == ["C005"]
    assert (found[0].data["duration_ms"], found[0].data["max_duration_ms"]) == (7001, 7000)


def test_c005_not_at_the_maximum() -> None:
    assert check(srt(("00:00:01,000", "00:00:08,000", "Well."))) == []


@pytest.mark.parametrize("gap", [0, 40, 82])
def test_c006_gap_under_the_minimum_including_zero(gap: int) -> None:
    found = check(
        srt(("00:00:01,000", "00:00:03,000", "One."), (f"00:00:03,{gap:03d}", "00:00:05,000", "Two."))
    )
    assert codes(found) == ["C006"]
    f = found[0]
    assert (f.cue, f.line, f.data["gap_ms"], f.data["next_cue"], f.data["min_gap_ms"]) == (1, 2, gap, 2, 83)


def test_c006_not_at_the_minimum_nor_for_a_zero_minimum() -> None:
    ok = srt(("00:00:01,000", "00:00:03,000", "One."), ("00:00:03,083", "00:00:05,000", "Two."))
    assert check(ok) == []
    touching = srt(("00:00:01,000", "00:00:03,000", "One."), ("00:00:03,000", "00:00:05,000", "Two."))
    assert check(touching, profile="relaxed") == []  # relaxed: min gap 0


def test_c007_overlap_against_the_latest_end() -> None:
    text = srt(
        ("00:00:01,000", "00:00:09,000", "Long."),
        ("00:00:02,000", "00:00:04,000", "Inside."),
        ("00:00:05,000", "00:00:07,000", "Also inside the first."),
    )
    found = [f for f in check(text) if f.code == "C007"]
    assert [(f.cue, f.data["other_cue"], f.data["overlap_ms"]) for f in found] == [(2, 1, 7000), (3, 1, 4000)]


def test_c007_not_when_cues_follow_each_other() -> None:
    assert "C007" not in codes(check(CLEAN_SRT))


def test_c008_start_backwards() -> None:
    text = srt(("00:00:05,000", "00:00:07,000", "Later."), ("00:00:01,000", "00:00:03,000", "Earlier."))
    found = check(text)
    assert codes(found) == ["C008"]  # no overlap reported on top
    assert (found[0].cue, found[0].data["backwards_ms"], found[0].data["previous_cue"]) == (2, 4000, 1)


def test_c008_not_for_equal_starts() -> None:
    text = srt(("00:00:05,000", "00:00:07,000", "A."), ("00:00:05,000", "00:00:07,000", "B."))
    assert "C008" not in codes(check(text))


@pytest.mark.parametrize("end", ["00:00:05,000", "00:00:04,000"])
def test_c009_end_at_or_before_start(end: str) -> None:
    found = check(srt(("00:00:05,000", end, "Backwards.")))
    assert codes(found) == ["C009"]
    assert found[0].message.startswith("cue 1 ends " + ("at" if end.endswith("5,000") else "before"))


def test_c009_not_for_a_positive_duration() -> None:
    assert "C009" not in codes(check(CLEAN_SRT))


@pytest.mark.parametrize("payload", ["", "<i></i>", "   "])
def test_c010_empty_cue(payload: str) -> None:
    text = srt(("00:00:01,000", "00:00:03,000", "Text."), ("00:00:04,000", "00:00:06,000", payload))
    found = check(text)
    assert codes(found) == ["C010"]
    assert found[0].cue == 2


def test_c010_not_for_text() -> None:
    assert "C010" not in codes(check(vtt(("00:00:01.000", "00:00:03.000", "<v Tucker>Hi."))))


@pytest.mark.parametrize(
    ("kind", "time"),
    [
        ("vtt", "00:00:01,000"),  # comma in VTT
        ("vtt", "0:00:01.000"),  # single-digit hours
        ("vtt", "00:00:01.00"),  # two-digit milliseconds
        ("srt", "00:01,000"),  # missing hours in SRT
        ("srt", "00:00:01.000"),  # dot in SRT
        ("srt", "00:00:01,5"),  # short milliseconds
    ],
)
def test_c011_timestamp_syntax(kind: str, time: str) -> None:
    good = "00:00:03.000" if kind == "vtt" else "00:00:03,000"
    text = (vtt if kind == "vtt" else srt)((time, good, "Text."))
    found = [f for f in check(text, kind) if f.code == "C011"]
    assert len(found) == 1
    assert found[0].data["times"] == [time]


def test_c011_vtt_without_header() -> None:
    found = [f for f in check(vtt(("00:00:01.000", "00:00:03.000", "Hi."), header="WEBVTT-ish"), "vtt")]
    assert codes(found) == ["C011"]
    assert found[0].line == 1 and "WEBVTT" in found[0].message


def test_c011_not_for_strict_times_and_header_with_title() -> None:
    text = vtt(
        ("01:00.000", "01:02.000", "Hi."), ("100:00:03.000", "100:00:05.000", "Bye."), header="WEBVTT - title"
    )
    assert check(text, "vtt") == []
    assert check(CLEAN_SRT) == []


@pytest.mark.parametrize(
    ("line", "bare"), [("Tom & Jerry", ["&"]), ("a < b", ["<"]), ("&amp & <3", ["&", "<"])]
)
def test_c012_unescaped_markup_in_vtt(line: str, bare: list[str]) -> None:
    found = check(vtt(("00:00:01.000", "00:00:03.000", line)), "vtt")
    assert codes(found) == ["C012"]
    assert found[0].data["characters"] == bare
    assert found[0].line == 4  # header, blank, timing, then the text line
    assert ("(it hides '< b')" in found[0].message) == (line == "a < b")  # the words no player shows


def test_c012_names_what_a_bare_lt_hides_up_to_the_next_gt() -> None:
    found = check(vtt(("00:00:01.000", "00:00:03.000", "If x < y then <i>stop</i> now")), "vtt")
    assert "(it hides '< y then <i>')" in found[0].message  # a player shows "If x stop now"


def test_c012_not_for_entities_tags_or_srt() -> None:
    text = "<c.yellow>Tom &amp; Jerry &#38; &lt;3</c> <00:00:02.000>now"
    assert check(vtt(("00:00:01.000", "00:00:03.000", text)), "vtt") == []
    assert check(srt(("00:00:01,000", "00:00:03,000", "Tom & Jerry"))) == []


def test_c013_repeated_text() -> None:
    text = srt(
        ("00:00:01,000", "00:00:03,000", "No, NATO."),
        ("00:00:04,000", "00:00:06,000", "<i>no,  nato.</i>"),
    )
    found = check(text)
    assert codes(found) == ["C013"]
    assert (found[0].cue, found[0].data["previous_cue"]) == (2, 1)


def test_c013_not_for_two_speakers_saying_the_same() -> None:
    echo = vtt(
        ("00:44:35.000", "00:44:35.917", "<v Tucker>No, NATO."),
        ("00:44:36.000", "00:44:37.000", "<v Sergey Lavrov>No, NATO."),
    )
    assert check(echo, "vtt") == []
    again = vtt(
        ("00:44:35.000", "00:44:35.917", "<v Tucker>No, NATO."),
        ("00:44:36.000", "00:44:37.000", "<v.loud Tucker>no, NATO."),
    )
    assert codes(check(again, "vtt")) == ["C013"]


def test_c013_not_for_different_or_non_consecutive_text() -> None:
    text = srt(
        ("00:00:01,000", "00:00:03,000", "No, NATO."),
        ("00:00:04,000", "00:00:06,000", "Absolutely no military bases."),
        ("00:00:07,000", "00:00:09,000", "No, NATO."),
    )
    assert check(text) == []


def test_c014_past_media_end() -> None:
    text = srt(("00:00:01,000", "00:00:03,000", "In."), ("00:00:09,500", "00:00:10,500", "Runs over."))
    found = check(text, duration_ms=10_000)
    assert codes(found) == ["C014"]
    assert (found[0].cue, found[0].data["past_ms"]) == (2, 500)
    after = check(srt(("00:00:11,000", "00:00:13,000", "After.")), duration_ms=10_000)
    assert "starts at 00:00:11, after the media ends" in after[0].message


def test_c014_not_without_duration_or_inside() -> None:
    text = srt(("00:00:08,000", "00:00:10,000", "Ends at the end."))
    assert check(text, duration_ms=10_000) == []
    assert check(srt(("00:01:00,000", "00:01:02,000", "Late."))) == []


def test_codes_restricts_the_checks() -> None:
    text = srt(("00:00:01,000", "00:00:01,100", "x" * 50))
    all_codes = codes(check(text))
    assert set(all_codes) == {"C001", "C003", "C004"}
    only = validate_captions(text, "srt", path="t.srt", profile=NETFLIX, codes=["C004"])
    assert codes(only) == ["C004"]


def test_visible_text() -> None:
    assert visible_text("<v Tucker>Tom &amp; <i>Jerry</i>", "vtt") == "Tom & Jerry"
    assert visible_text('{\\an8}<font color="#fff">Hi</font> &amp;', "srt") == "Hi &amp;"
