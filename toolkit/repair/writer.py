"""Writing a repaired transcript back in the layout it was read in (one turn per paragraph)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..model import Turn
from ..timecode import format_clock

__all__ = ["WRITERS", "write_transcript"]


def _stamp(t: Turn) -> str:
    return format_clock(t.start_ms or 0)


def _name(t: Turn) -> str:
    return t.speaker or "Speaker"


WRITERS: dict[str, Callable[[Turn], str]] = {
    "name-bracket-time": lambda t: f"{_name(t)} [{_stamp(t)}] {t.text}",
    "time-name-colon": lambda t: f"[{_stamp(t)}] {_name(t)}: {t.text}",
    "name-colon-bracket": lambda t: f"{_name(t)}: [{_stamp(t)}] {t.text}",
    "name-paren-time": lambda t: f"{_name(t)} ({_stamp(t)}):\n{t.text}",
    "otter": lambda t: f"{_name(t)}  {_stamp(t)}\n{t.text}",
    "youtube": lambda t: f"{_stamp(t)}\n{t.text}",
}


def _generic(t: Turn) -> str:
    """The fallback: ``[HH:MM:SS] Name: text``, or ``[HH:MM:SS] text`` without a speaker."""
    return f"[{_stamp(t)}] {t.speaker}: {t.text}" if t.speaker else f"[{_stamp(t)}] {t.text}"


def write_transcript(turns: Sequence[Turn], layout: str | None) -> str:
    """The transcript text of ``turns`` in ``layout`` (a parser layout name; unknown names: generic)."""
    fmt = WRITERS.get(layout or "", _generic)
    if layout in ("youtube",) and any(t.speaker for t in turns):
        fmt = _generic
    return "\n\n".join(fmt(t) for t in turns) + "\n"
