"""The one module that converts between timestamps and integer milliseconds.

Readers accept what real files contain (``M:SS``, ``H:MM:SS``, minutes past 59 in ``MM:SS``, ``.5`` and
``,500`` fractions, ``HH:MM:SS:FF`` frames); writers produce exactly what the formats specify.
"""

from __future__ import annotations

import re

__all__ = [
    "TimecodeError",
    "format_clock",
    "format_duration",
    "format_srt",
    "format_vtt",
    "is_strict_srt",
    "is_strict_vtt",
    "parse_caption_time",
    "parse_timestamp",
    "split_ms",
]

DEFAULT_FPS = 25.0


class TimecodeError(ValueError):
    """A timestamp that cannot be read; the message says why."""


_TS = re.compile(
    r"^(?P<a>\d{1,3}):(?P<b>\d{1,2})(?::(?P<c>\d{1,2}))?(?::(?P<f>\d{1,2}))?(?:[.,](?P<frac>\d{1,3}))?$"
)


def _frac_ms(frac: str | None) -> int:
    if not frac:
        return 0
    return int(frac.ljust(3, "0")[:3])


def parse_timestamp(text: str, *, fps: float | None = None, allow_minutes_overflow: bool = True) -> int:
    """Read a transcript timestamp and return milliseconds.

    ``M:SS``/``MM:SS`` are minutes and seconds (minutes may exceed 59, as in ``75:12``); ``H:MM:SS`` and
    ``HH:MM:SS`` add hours; ``HH:MM:SS:FF`` is frames at ``fps`` (25 when not given). Fractions use ``.`` or
    ``,``. Seconds above 59 (and minutes above 59 when hours are present) are errors.
    """
    s = text.strip()
    m = _TS.match(s)
    if not m:
        raise TimecodeError(f"not a timestamp: {text!r}")
    a, b, c, f, frac = m["a"], m["b"], m["c"], m["f"], m["frac"]
    if f is not None and frac is not None:
        raise TimecodeError(f"timestamp has both frames and a fraction: {text!r}")
    if c is None:  # M:SS
        minutes, seconds = int(a), int(b)
        if len(b) != 2:
            raise TimecodeError(f"seconds must have two digits in {text!r}")
        if seconds > 59:
            raise TimecodeError(f"timestamp {text!r} has {seconds} seconds")
        if minutes > 59 and not allow_minutes_overflow:
            raise TimecodeError(f"timestamp {text!r} has {minutes} minutes")
        return (minutes * 60 + seconds) * 1000 + _frac_ms(frac)
    hours, minutes, seconds = int(a), int(b), int(c)
    if len(b) != 2 or len(c) != 2:
        raise TimecodeError(f"minutes and seconds must have two digits in {text!r}")
    if minutes > 59:
        raise TimecodeError(f"timestamp {text!r} has {minutes} minutes")
    if seconds > 59:
        raise TimecodeError(f"timestamp {text!r} has {seconds} seconds")
    ms = ((hours * 60 + minutes) * 60 + seconds) * 1000
    if f is not None:
        rate = fps or DEFAULT_FPS
        frames = int(f)
        if frames >= rate + 0.5:
            raise TimecodeError(f"timestamp {text!r} has frame {frames} at {rate:g} fps")
        return ms + round(frames * 1000 / rate)
    return ms + _frac_ms(frac)


_CAPTION_TS = re.compile(r"^(?:(?P<h>\d{1,9}):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:[.,:](?P<frac>\d{1,3}))?$")


def parse_caption_time(text: str) -> int:
    """Leniently read an SRT/WebVTT cue time (``00:00:01,000``, ``0:00:02.440``, ``00:01.5``)."""
    m = _CAPTION_TS.match(text.strip())
    if not m:
        raise TimecodeError(f"not a cue time: {text!r}")
    hours = int(m["h"]) if m["h"] else 0
    minutes, seconds = int(m["m"]), int(m["s"])
    if minutes > 59 or seconds > 59:
        raise TimecodeError(f"cue time {text!r} has minutes or seconds above 59")
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + _frac_ms(m["frac"])


_STRICT_VTT = re.compile(r"^(?:\d{2,9}:)?[0-5]\d:[0-5]\d\.\d{3}$")
_STRICT_SRT = re.compile(r"^\d{2,9}:[0-5]\d:[0-5]\d,\d{3}$")


def is_strict_vtt(text: str) -> bool:
    """True when ``text`` is a WebVTT timestamp exactly as the W3C spec writes it."""
    return bool(_STRICT_VTT.match(text))


def is_strict_srt(text: str) -> bool:
    """True when ``text`` is an SRT timestamp in the de-facto ``HH:MM:SS,mmm`` form."""
    return bool(_STRICT_SRT.match(text))


def split_ms(ms: int) -> tuple[int, int, int, int]:
    """``(hours, minutes, seconds, milliseconds)`` of a non-negative time."""
    return _split(ms)


def format_duration(seconds: float | None) -> str:
    """``M:SS`` or ``H:MM:SS`` of a (rounded) duration, for progress lines; ``--:--`` when unknown."""
    if seconds is None:
        return "--:--"
    h, m, s, _ = _split(round(seconds) * 1000)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _split(ms: int) -> tuple[int, int, int, int]:
    if ms < 0:
        raise TimecodeError(f"negative time {ms} ms")
    s, milli = divmod(int(ms), 1000)
    m, sec = divmod(s, 60)
    h, minute = divmod(m, 60)
    return h, minute, sec, milli


def format_srt(ms: int) -> str:
    """``HH:MM:SS,mmm``."""
    if ms < 0:
        raise TimecodeError(f"negative time {ms} ms")
    s, milli = divmod(ms, 1000)
    m, sec = divmod(s, 60)
    # hot path (~2,000 calls per interview): %-formatting is twice as fast as an f-string here
    return "%02d:%02d:%02d,%03d" % (m // 60, m % 60, sec, milli)  # noqa: UP031


def format_vtt(ms: int) -> str:
    """``HH:MM:SS.mmm`` (hours always written, which the spec allows and players prefer)."""
    if ms < 0:
        raise TimecodeError(f"negative time {ms} ms")
    s, milli = divmod(ms, 1000)
    m, sec = divmod(s, 60)
    return "%02d:%02d:%02d.%03d" % (m // 60, m % 60, sec, milli)  # noqa: UP031


def format_clock(ms: int) -> str:
    """``HH:MM:SS`` (with ``.mmm`` when not whole seconds), for messages and reports."""
    h, m, s, milli = _split(ms)
    base = f"{h:02d}:{m:02d}:{s:02d}"
    return f"{base}.{milli:03d}" if milli else base
