"""What a delivery writer could not carry: the ``C015`` findings of one conversion, and the cue loop that
every writer runs and that reports what they all check.

A writer walks :func:`each_cue` (a cue's styled lines and its nearest ``{\\anN}`` position) and adds to
its :class:`LossReport` whatever its format changed or left out; the report turns that into findings
(worded by :mod:`toolkit.captions.uncarried`, like the SRT writer's) when the writer is done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from ...model import Finding, Severity
from ..document import Caption, Captions
from ..uncarried import blocks_finding, cue_finding
from ..write import placement, region_ids
from .styled import StyledLine, runs

__all__ = ["LossReport", "each_cue"]


class LossReport:
    """The C015 findings of one conversion: ``what -> cues`` with a severity, in order of first use."""

    def __init__(self, doc: Captions, fmt: str) -> None:
        self.doc = doc
        self.fmt = fmt.upper()
        self.cues: dict[tuple[str, Severity | None], list[int]] = defaultdict(list)
        self.data: dict[str, dict[str, object]] = defaultdict(dict)

    def add(self, what: str, cue: int, severity: Severity | None = None, **data: object) -> None:
        cues = self.cues[(what, severity)]
        if cue not in cues:
            cues.append(cue)
        self.data[what].update(data)

    def lost(self, kinds: Iterable[str], cue: int) -> None:
        for kind in sorted(kinds):
            self.add(f"{kind}: {self.fmt} has no place for them; left out", cue)

    def findings(self) -> list[Finding]:
        path = self.doc.path
        out = [
            cue_finding(self.doc, cues, what, path=path, severity=severity, **self.data[what])
            for (what, severity), cues in self.cues.items()
        ]
        blocks = blocks_finding(self.doc, self.fmt, path=path)
        return [*out, *([blocks] if blocks else [])]


def each_cue(
    doc: Captions, report: LossReport, where: str, *, drop_backwards: bool = True
) -> Iterator[tuple[int, Caption, list[StyledLine], int]]:
    """Each cue (numbered from 1) with its styled lines and the ``{\\anN}`` number nearest its position,
    having reported what every writer checks: styling the format lacks, identifiers, an approximate
    position (``where`` names the format's notion of it) and, with ``drop_backwards``, a cue that ends
    before it starts (left out)."""
    regions = region_ids(doc)
    for k, cue in enumerate(doc.cues, start=1):
        if drop_backwards and cue.end_ms < cue.start_ms:
            report.add("cues that end before they start (never shown): left out", k)
            continue
        lost: set[str] = set()
        lines = runs(cue.text, lost)
        report.lost(lost, k)
        if cue.identifier and cue.identifier != str(k):
            report.add(f"cue identifiers: {report.fmt} has no place for them; left out", k)
        an, exact = placement(cue, regions)
        if not exact:
            report.add(f"cue positions and sizes written as the nearest {where}", k, Severity.INFO)
        yield k, cue, lines, an
