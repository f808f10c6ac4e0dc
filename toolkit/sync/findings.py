"""What a sync result says as findings: M004 (an offset, or a caption file's frame rate), M005 (each jump)
and M006 (no sync), written once for the two callers.

``convert --media`` corrects what it finds (:func:`toolkit.sync.snapping.sync_turns`: "...; corrected");
``validate --media`` reports it and checks the times as written
(:mod:`toolkit.validate.media_checks`: with the sync's confidence and, for captions, the cue number).
Both report an offset only from ``report_ms`` (a transcript's stamps are truncated to the second, so
only :data:`OFFSET_REPORT_MS` and more is worth a finding) and every jump between segments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..model import Finding
from ..rules import finding
from ..timecode import format_clock
from .solution import SyncResult

__all__ = ["OFFSET_REPORT_MS", "Anchor", "sync_findings"]

OFFSET_REPORT_MS = 1000  # smaller offsets are a transcript's own truncation, not worth a finding


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where the sync's k-th timed item is in the file: its line, its start as written (``None`` when the
    source had none) and, for a caption file, its cue number."""

    line: int | None
    start_ms: int | None
    cue: int | None = None


def sync_findings(
    result: SyncResult,
    anchor: Callable[[int], Anchor],
    *,
    path: str | None,
    corrected: bool,
    report_ms: int = OFFSET_REPORT_MS,
    frame_rate: bool = False,
) -> list[Finding]:
    """M004/M005 for an accepted ``result``, M006 for a refused one. ``corrected``: the caller re-times
    the text (convert), else it only checks it (validate). ``frame_rate``: a caption file, whose ratio
    other than 1 is an M004 too."""
    if not result.accepted:
        outcome = "the timestamps were kept" if corrected else "checked the times as written"
        what = "sync the transcript" if corrected else "match the text"
        message = f"could not {what} to the audio ({result.reason}); {outcome}"
        return [finding("M006", message, path=path, confidence=round(result.confidence, 3))]
    out: list[Finding] = []
    first = result.segments[0]
    if abs(first.offset_ms) >= report_ms:
        line = anchor(first.first).line
        seconds = first.offset_ms / 1000
        if corrected:
            message = f"the transcript is offset by {seconds:+.1f} s against the audio; corrected"
            out.append(finding("M004", message, path=path, line=line, offset_ms=first.offset_ms))
        else:
            message = f"the text is {seconds:+.2f} s off the audio (confidence {result.confidence:.2f})"
            confidence = round(result.confidence, 3)
            out.append(
                finding(
                    "M004", message, path=path, line=line, offset_ms=first.offset_ms, confidence=confidence
                )
            )
    for prev, seg in zip(result.segments, result.segments[1:], strict=False):
        at = anchor(seg.first)
        if corrected:
            message = (
                f"the offset changes from {prev.offset_ms / 1000:+.1f} s to {seg.offset_ms / 1000:+.1f} s "
                f"at {format_clock(max(0, at.start_ms or 0))}; corrected"
            )
        else:
            message = (
                f"from {format_clock(at.start_ms or 0)} the offset changes from "
                f"{prev.offset_ms / 1000:+.2f} s to {seg.offset_ms / 1000:+.2f} s"
            )
        out.append(
            finding(
                "M005",
                message,
                path=path,
                line=at.line,
                cue=None if corrected else at.cue,
                from_ms=at.start_ms,
                offset_ms=seg.offset_ms,
                previous_offset_ms=prev.offset_ms,
            )
        )
    if frame_rate and result.ratio != 1.0:
        message = f"the captions run at a different frame rate (ratio {result.ratio:.5f})"
        out.append(finding("M004", message, path=path, line=anchor(0).line, ratio=result.ratio))
    return out
