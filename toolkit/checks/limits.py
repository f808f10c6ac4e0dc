"""The caption profile's limits, C001-C006: one implementation, called by the segmenter and by validate.

The segmenter checks the cues it makes (so ``convert`` reports what ``validate`` would say of its output)
and ``validate`` checks the cues of a caption file; both hand this module the cues as shown: their number,
source line, times, visible lines and the characters a viewer reads (what counts is theirs to say: tags
removed, and for the segmenter's SRT the ``NAME:`` labels and dialogue dashes it adds). Every finding has
the rule's own data keys and ``limit`` / ``actual`` / ``excess`` (how far over, in the limit's unit), so
reports can rank them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..model import Finding
from ..profiles import Profile
from ..rules import finding

__all__ = [
    "ShownCue",
    "check_gaps",
    "check_limits",
    "check_line_count",
    "check_line_length",
    "check_reading_speed",
    "check_too_long",
    "check_too_short",
]


@dataclass(frozen=True, slots=True)
class ShownCue:
    """A cue as a viewer sees it. ``line``: the source line findings point at (a caption file's timing
    line, a transcript turn's line); ``line_offset``: whether a text line's own source line is
    ``line + i`` (a caption file, where the text follows the timing line) or just ``line``."""

    number: int  # 1-based, in file order
    line: int | None
    start_ms: int | None
    end_ms: int | None
    lines: tuple[str, ...]  # visible text, one entry per display line
    chars: int  # characters read for the reading speed
    line_offset: bool = False

    @property
    def duration_ms(self) -> int | None:
        """How long the cue is shown; ``None`` when a time is missing or it ends before it starts."""
        if self.start_ms is None or self.end_ms is None or self.end_ms <= self.start_ms:
            return None
        return self.end_ms - self.start_ms


def check_line_length(cues: Iterable[ShownCue], profile: Profile, path: str | None) -> Iterator[Finding]:
    """C001: a line longer than the profile's characters per line (one finding per line)."""
    limit = profile.max_chars_per_line
    for c in cues:
        for i, text in enumerate(c.lines, start=1):
            chars = len(text.strip())
            if chars > limit:
                yield finding(
                    "C001",
                    f"cue {c.number}: line {i} has {chars} characters (max {limit})",
                    path=path,
                    line=(c.line + i) if c.line_offset and c.line is not None else c.line,
                    cue=c.number,
                    chars=chars,
                    max_chars=limit,
                    cue_line=i,
                    limit=limit,
                    actual=chars,
                    excess=chars - limit,
                )


def check_line_count(cues: Iterable[ShownCue], profile: Profile, path: str | None) -> Iterator[Finding]:
    """C002: more (non-empty) lines than the profile allows."""
    limit = profile.max_lines
    for c in cues:
        count = sum(1 for text in c.lines if text.strip())
        if count > limit:
            yield finding(
                "C002",
                f"cue {c.number} has {count} lines (max {limit})",
                path=path,
                line=c.line,
                cue=c.number,
                lines=count,
                max_lines=limit,
                limit=limit,
                actual=count,
                excess=count - limit,
            )


def check_reading_speed(cues: Iterable[ShownCue], profile: Profile, path: str | None) -> Iterator[Finding]:
    """C003: characters per second above the profile's reading speed."""
    limit = profile.max_cps
    if limit <= 0:
        return
    for c in cues:
        duration = c.duration_ms
        if duration is not None and c.chars * 1000 > limit * duration:
            cps = c.chars * 1000 / duration
            shown = f"{cps:.1f}" if round(cps, 1) > limit else f"{cps:.2f}"  # never "20.0 (max 20)"
            yield finding(
                "C003",
                f"cue {c.number}: {c.chars} characters in {duration / 1000:.3g} s is {shown} characters/s "
                f"(max {limit:g})",
                path=path,
                line=c.line,
                cue=c.number,
                chars=c.chars,
                duration_ms=duration,
                cps=round(cps, 2),
                max_cps=limit,
                limit=limit,
                actual=round(cps, 2),
                excess=round(cps - limit, 2),
            )


def check_too_short(cues: Iterable[ShownCue], profile: Profile, path: str | None) -> Iterator[Finding]:
    """C004: shown for less than the profile's minimum duration."""
    limit = profile.min_duration_ms
    for c in cues:
        d = c.duration_ms
        if d is not None and d < limit:
            yield finding(
                "C004",
                f"cue {c.number} is shown for {d} ms (min {limit} ms)",
                path=path,
                line=c.line,
                cue=c.number,
                duration_ms=d,
                min_duration_ms=limit,
                limit=limit,
                actual=d,
                excess=limit - d,
            )


def check_too_long(cues: Iterable[ShownCue], profile: Profile, path: str | None) -> Iterator[Finding]:
    """C005: shown for longer than the profile's maximum duration."""
    limit = profile.max_duration_ms
    for c in cues:
        d = c.duration_ms
        if d is not None and d > limit:
            yield finding(
                "C005",
                f"cue {c.number} is shown for {d} ms (max {limit} ms)",
                path=path,
                line=c.line,
                cue=c.number,
                duration_ms=d,
                max_duration_ms=limit,
                limit=limit,
                actual=d,
                excess=d - limit,
            )


def check_gaps(cues: Sequence[ShownCue], profile: Profile, path: str | None) -> Iterator[Finding]:
    """C006: a gap under the minimum between a cue and the next.

    As in Subtitle Edit's "fix short gaps", a gap ``g`` with ``0 <= g < min_gap`` is a finding (cues back
    to back included); a negative gap is an overlap (C007) and a start before the previous start C008.
    The gap is measured from the latest end shown so far, and reported on the cue that ends there (the
    end to move). A profile whose minimum gap is 0 never reports."""
    limit = profile.min_gap_ms
    if limit <= 0:
        return
    prev_start: int | None = None
    latest: ShownCue | None = None  # the shown cue with the latest end so far
    for c in cues:
        if c.start_ms is None or c.end_ms is None:
            continue
        if prev_start is not None and latest is not None and c.start_ms >= prev_start:
            assert latest.end_ms is not None
            gap = c.start_ms - latest.end_ms
            if 0 <= gap < limit:
                yield finding(
                    "C006",
                    f"cue {latest.number}: gap of {gap} ms to cue {c.number} (min {limit} ms)",
                    path=path,
                    line=latest.line,
                    cue=latest.number,
                    gap_ms=gap,
                    min_gap_ms=limit,
                    next_cue=c.number,
                    limit=limit,
                    actual=gap,
                    excess=limit - gap,
                )
        prev_start = c.start_ms
        if c.duration_ms is not None and (latest is None or c.end_ms > (latest.end_ms or -1)):
            latest = c


def check_limits(cues: Sequence[ShownCue], profile: Profile, path: str | None) -> list[Finding]:
    """All of C001-C006, in cue order (the segmenter's report)."""
    out = [
        *check_line_length(cues, profile, path),
        *check_line_count(cues, profile, path),
        *check_reading_speed(cues, profile, path),
        *check_too_short(cues, profile, path),
        *check_too_long(cues, profile, path),
        *check_gaps(cues, profile, path),
    ]
    out.sort(key=lambda f: f.cue or 0)  # stable: within a cue, the rules' order
    return out
