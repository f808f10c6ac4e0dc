"""Keeping score of a batch: running totals, the progress line, the JSON report and the summary.

Results arrive in completion order and are spooled to a temporary file (one JSON line each, plus an
8-byte offset per input), so memory does not grow with the number of files; the report and the list of
failures are then read back in input order, which makes them the same whatever the number of workers.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from ..io import LiveLine, atomic_writer, utf8
from ..timecode import format_duration
from .job import FileResult, Outcome

__all__ = ["Progress", "Spool", "Tally", "result_entry", "write_report"]


def result_entry(result: FileResult) -> dict[str, Any]:
    """One file of the report."""
    by_severity: Counter[str] = Counter()
    by_code: Counter[str] = Counter()
    for severity, code, n in result.findings:
        by_severity[severity] += n
        by_code[code] += n
    return {
        "input": result.input,
        "outcome": result.outcome.value,
        "outputs": list(result.outputs),
        "cues": result.cues,
        "findings": {
            "by_severity": {s: by_severity.get(s, 0) for s in ("error", "warning", "info")},
            "by_code": dict(sorted(by_code.items())),
        },
        "error": result.error,
        "reason": result.reason,
        "seconds": round(result.seconds, 4),
    }


@dataclass(slots=True)
class Tally:
    """Running totals: the only thing about the results that is kept in memory."""

    total: int
    started: float = field(default_factory=time.perf_counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    by_code: Counter[str] = field(default_factory=Counter)
    cpu_seconds: float = 0.0

    def add(self, result: FileResult) -> None:
        self.outcomes[result.outcome.value] += 1
        self.cpu_seconds += result.seconds
        for severity, code, n in result.findings:
            self.by_severity[severity] += n
            self.by_code[code] += n

    @property
    def done(self) -> int:
        return sum(self.outcomes.values())

    @property
    def failed(self) -> int:
        return self.outcomes[Outcome.FAILED.value]

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def rate(self) -> float:
        elapsed = self.elapsed
        return self.done / elapsed if elapsed > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.total,
            "done": self.done,
            **{o.value: self.outcomes[o.value] for o in Outcome},
            "findings": {
                "by_severity": {s: self.by_severity.get(s, 0) for s in ("error", "warning", "info")},
                "by_code": dict(sorted(self.by_code.items())),
            },
            "seconds": round(self.elapsed, 3),
            "files_per_second": round(self.rate, 2),
        }

    def summary(self, *, interrupted: bool = False) -> str:
        parts = ", ".join(f"{self.outcomes[o.value]} {o.value}" for o in Outcome if self.outcomes[o.value])
        head = f"{self.done} of {self.total} files" if interrupted else f"{self.total} files"
        text = f"{head}: {parts or 'nothing done'} in {self.elapsed:.1f} s ({self.rate:.1f} files/s)"
        if interrupted:
            text += "; interrupted: run again with --skip-existing to finish"
        return text


class Spool:
    """Results spooled to disk in completion order, read back in input order."""

    def __init__(self, total: int) -> None:
        self._fh: IO[bytes] = tempfile.TemporaryFile(prefix="captionkit-batch-")  # noqa: SIM115
        self._offsets = array("q", [-1]) * total

    def add(self, result: FileResult) -> None:
        self._fh.seek(0, os.SEEK_END)
        self._offsets[result.index] = self._fh.tell()
        self._fh.write(utf8(json.dumps(result_entry(result), ensure_ascii=False)) + b"\n")

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every recorded file, in input order (files never run, after an interrupt, are left out)."""
        for offset in self._offsets:
            if offset >= 0:
                self._fh.seek(offset)
                yield json.loads(self._fh.readline())

    def close(self) -> None:
        self._fh.close()


def write_report(path: str, header: dict[str, Any], spool: Spool) -> None:
    """Stream the report to a temp file next to ``path`` and rename it into place (atomic)."""
    with atomic_writer(path) as fh:
        head = json.dumps({**header, "files": []}, ensure_ascii=False, indent=2)
        fh.write(utf8(head[: head.rindex("[]")] + "["))
        for i, entry in enumerate(spool.entries()):
            fh.write(utf8(("," if i else "") + "\n    " + json.dumps(entry, ensure_ascii=False)))
        fh.write(b"\n  ]\n}\n")


class Progress:
    """One updating line on a terminal: done/total, files per second, ETA, failures so far."""

    def __init__(self, stream: IO[str], tally: Tally, *, live: bool, min_interval_s: float = 0.1) -> None:
        self.tally = tally
        self.live = live
        self.min_interval_s = min_interval_s
        self._last = 0.0
        self._line = LiveLine(stream)

    def update(self, *, force: bool = False) -> None:
        if not self.live:
            return
        now = time.perf_counter()
        if not force and now - self._last < self.min_interval_s:
            return
        self._last = now
        t = self.tally
        rate = t.rate
        eta = (t.total - t.done) / rate if rate > 0 else None
        self._line.show(f"{t.done}/{t.total} files  {rate:.1f} files/s  ETA {_clock(eta)}  {t.failed} failed")

    def clear(self) -> None:
        self._line.clear()


def _clock(seconds: float | None) -> str:
    return format_duration(seconds)
