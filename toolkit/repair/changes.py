"""The repair report: one :class:`Change` per change, as text for people and JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Finding

__all__ = [
    "CHANGE_KINDS",
    "Change",
    "duration_text",
    "report_json",
    "report_text",
    "short",
    "signed_duration_text",
]

CHANGE_KINDS: dict[str, str] = {
    "duplicate": "a duplicated turn, run of turns or sentence was removed; the copy kept is named",
    "reorder": "a block pasted out of order was moved to where its timestamps belong",
    "retime": "a timestamp was replaced by an estimate from its neighbours and the speech rates",
    "timebase": "a run of turns shifted by a constant was shifted back",
    "speaker": "a speaker name variant was merged into one name",
    "missing-timestamp": "a turn without a timestamp was given an estimated start",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the repair report."""

    kind: str  # a key of CHANGE_KINDS
    lines: tuple[int, ...]  # source lines involved
    text: str  # the text removed / moved / retimed
    kept_line: int | None  # for duplicates: the line of the copy kept
    reason: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind {self.kind!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "lines": list(self.lines),
            "text": self.text,
            "kept_line": self.kept_line,
            "reason": self.reason,
            "data": dict(self.data),
        }


def report_json(
    path: str,
    changes: Sequence[Change],
    findings: Sequence[Finding],
    *,
    output: str | None = None,
    turns_in: int = 0,
    turns_out: int = 0,
) -> str:
    doc = {
        "source": path,
        "output": output,
        "turns_in": turns_in,
        "turns_out": turns_out,
        "changes": [c.to_json() for c in changes],
        "findings": [f.to_json() for f in findings],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def report_text(findings: Sequence[Finding]) -> str:
    """``file:line: CODE severity: message`` lines."""
    return "".join(f.format() + "\n" for f in findings)


def short(text: str, limit: int = 60) -> str:
    """A quotable excerpt of ``text`` for messages."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def duration_text(ms: int) -> str:
    """A length of time for messages: ``0.4 s``, ``37 s``, ``5 min 22 s``, ``1 h 02 min``."""
    if ms < 950:  # under a second: not "0 s"
        return f"{ms / 1000:.1f} s"
    s = (ms + 500) // 1000
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} min {s} s" if s else f"{m} min"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def signed_duration_text(ms: int) -> str:
    """A shift for messages: ``+37 s``, ``-5 min 22 s``."""
    sign = "-" if ms < 0 else "+"
    return f"{sign}{duration_text(abs(ms))}"
