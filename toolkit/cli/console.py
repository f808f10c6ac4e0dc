"""What the converting commands print on stderr: the live progress line, the summary, the findings.

Shared by ``captionkit convert`` (:mod:`.convert`) and ``captionkit review`` (:mod:`.review`); the library
underneath only logs (``toolkit.progress``) and returns findings.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from ..io import LiveLine, is_terminal
from ..model import Finding, Severity
from ..pipeline import ConvertResult
from ..rules import RULES_BY_CODE

__all__ = ["GROUP_AFTER", "ProgressLine", "finding_lines", "live_progress", "summary_line"]

GROUP_AFTER = 3  # caption-layout findings of one code beyond this many are summarised in one line


class ProgressLine(logging.Handler):
    """Shows the records of the ``toolkit.progress`` log on one terminal line, each over the last."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.INFO)
        self.line = LiveLine(stream)

    def emit(self, record: logging.LogRecord) -> None:
        self.line.show(record.getMessage()[:100])


@contextlib.contextmanager
def live_progress(*, enabled: bool, stream: TextIO | None = None) -> Iterator[None]:
    """While converting with media, a live progress line on a terminal's stderr (word alignment of an
    81-minute interview takes a minute or two); nothing when stderr is not a terminal or ``enabled`` is
    false. The line is cleared before the summary is printed."""
    out = stream or sys.stderr
    if not enabled or not is_terminal(out):
        yield
        return
    logger = logging.getLogger("toolkit.progress")
    handler = ProgressLine(out)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        handler.line.clear()
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def finding_lines(findings: Sequence[Finding]) -> list[str]:
    """What a person reads on stderr: every transcript finding (notes only for text left out: dropped page
    text, speaker roles), and the caption-layout findings (C...) and turns without a timestamp (P004) one
    by one, or one line per code when there are more than a few. Every finding is still in the --report /
    JSON output and in `captionkit validate`."""
    shown = [f for f in findings if f.severity is not Severity.INFO or f.code in ("P001", "P007")]
    by_code: dict[str, list[Finding]] = {}
    for f in shown:
        if f.code.startswith("C") or f.code in _GROUPED_BY_LINE:
            by_code.setdefault(f.code, []).append(f)
    lines: list[str] = []
    for f in shown:
        group = by_code.get(f.code)
        if group is None or len(group) <= GROUP_AFTER:
            lines.append(f.format())
        elif group[0] is f:
            rule = RULES_BY_CODE[f.code]
            if f.code in _GROUPED_BY_LINE:
                at = _first_five([g.line for g in group if g.line is not None])
                what = f"{len(group)} {_GROUPED_BY_LINE[f.code]} ({rule.name}): lines {at}"
            elif numbers := sorted({n for g in group for n in _cue_numbers(g)}):
                cues = _first_five(numbers)
                what = f"{len(numbers)} cue{'s' if len(numbers) != 1 else ''} ({rule.name}): cues {cues}"
            else:  # findings about the file, not cues (blocks, styles)
                what = f"{len(group)} findings ({rule.name})"
            lines.append(
                f"{f.path or '<input>'}: {f.code} {f.severity.value}: {what}; first: {f.message} "
                "(all of them in --report)"
            )
    return lines


# transcript findings that come by the dozen in some exports (Google Meet stamps every few minutes): one
# line per code, with the lines, like the caption findings
_GROUPED_BY_LINE = {"P004": "turns"}


def _first_five(numbers: Sequence[int]) -> str:
    """``1, 2, 3, 4, 5, ...``: the first five numbers, and dots when there are more."""
    return ", ".join(map(str, numbers[:5])) + (", ..." if len(numbers) > 5 else "")


def _cue_numbers(f: Finding) -> list[int]:
    """The cues a finding is about: its ``cue``, or the ``cues`` of one that groups several."""
    many = f.data.get("cues")
    if isinstance(many, list | tuple):
        return [n for n in many if isinstance(n, int)]
    return [f.cue] if f.cue is not None else []


def summary_line(result: ConvertResult, output: str | None) -> str:
    """``talk.txt: 120 turns, 310 cues -> talk.srt; 0 errors, 2 warnings, 1 notes``."""
    counts = {s: 0 for s in Severity}
    for f in result.findings:
        counts[f.severity] += 1
    dest = f" -> {output}" if output else ""
    turns = f"{len(result.turns)} turns, " if result.captions is None else ""
    return (
        f"{result.path}: {turns}{result.cue_count} cues{dest}; "
        f"{counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} notes"
    )
