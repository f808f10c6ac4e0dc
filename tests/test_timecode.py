"""Timecode parsing and formatting: the one module that converts timestamps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.timecode import (
    TimecodeError,
    format_clock,
    format_srt,
    format_vtt,
    is_strict_srt,
    is_strict_vtt,
    parse_caption_time,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("0:05", 5_000),
        ("00:42", 42_000),
        ("1:02:03", 3_723_000),
        ("01:21:15", 4_875_000),
        ("75:12", 4_512_000),  # minutes past 59 in MM:SS
        ("00:01:02.5", 62_500),
        ("00:01:02,500", 62_500),
        ("0:07.25", 7_250),
        ("00:00:01:12", 1_480),  # 12 frames at 25 fps
    ],
)
def test_parse_timestamp(text: str, ms: int) -> None:
    assert parse_timestamp(text) == ms


def test_frames_use_the_given_rate() -> None:
    assert parse_timestamp("00:00:01:12", fps=24) == 1_500
    assert parse_timestamp("00:00:00:29", fps=29.97) == 968


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("00:61:00", "61 minutes"),
        ("00:00:75", "75 seconds"),
        ("1:5", "two digits"),
        ("00:00:00:30", "frame 30"),
        ("abc", "not a timestamp"),
    ],
)
def test_parse_timestamp_rejects_impossible_times(text: str, why: str) -> None:
    with pytest.raises(TimecodeError, match=why):
        parse_timestamp(text)


def test_minutes_overflow_can_be_refused() -> None:
    with pytest.raises(TimecodeError, match="75 minutes"):
        parse_timestamp("75:12", allow_minutes_overflow=False)


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("00:00:02,440", 2_440),
        ("0:00:02.440", 2_440),
        ("00:02.440", 2_440),
        ("01:02:03.4", 3_723_400),
    ],
)
def test_parse_caption_time_is_lenient(text: str, ms: int) -> None:
    assert parse_caption_time(text) == ms


def test_formats_are_strict() -> None:
    assert format_srt(3_723_004) == "01:02:03,004"
    assert format_vtt(3_723_004) == "01:02:03.004"
    assert format_clock(4_875_000) == "01:21:15"
    assert format_clock(62_500) == "00:01:02.500"
    assert is_strict_vtt("00:01.000") and is_strict_vtt("01:00:01.000")
    assert not is_strict_vtt("00:00:01,000") and not is_strict_vtt("0:00:01.000")
    assert not is_strict_vtt("0:1.5") and not is_strict_vtt("60:00.000")
    assert (
        is_strict_srt("00:00:01,000") and not is_strict_srt("00:00:01.000") and not is_strict_srt("00:01,000")
    )


def test_negative_times_cannot_be_formatted() -> None:
    with pytest.raises(TimecodeError):
        format_srt(-1)


@given(st.integers(min_value=0, max_value=100 * 3_600_000 - 1))
def test_round_trip(ms: int) -> None:
    assert parse_caption_time(format_srt(ms)) == ms
    assert parse_caption_time(format_vtt(ms)) == ms
    assert parse_timestamp(format_vtt(ms)) == ms
    assert is_strict_srt(format_srt(ms)) and is_strict_vtt(format_vtt(ms))
