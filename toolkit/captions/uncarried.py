"""What a target format could not carry, as ``C015`` findings: the one wording of those findings.

The last step of every caption writer: the SRT writer (:mod:`.write`) and the delivery writers
(:mod:`.delivery.losses`) collect, per kind of content, the cues (numbered from 1) that lost it, and
report each kind here as one finding naming its cues (the first eight, then a count); STYLE, REGION and
NOTE blocks, which only WebVTT holds, get one finding of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Finding, Severity
from ..rules import finding

if TYPE_CHECKING:  # the model imports the writer, which imports this
    from .document import Captions

__all__ = ["blocks_finding", "cue_finding"]


def cue_finding(
    doc: Captions,
    cues: list[int],
    what: str,
    *,
    path: str | None,
    severity: Severity | None = None,
    **data: object,
) -> Finding:
    """A ``C015`` finding: ``what`` happened to ``cues`` (numbered from 1), at the first one's line."""
    shown = ", ".join(str(c) for c in cues[:8]) + (f" and {len(cues) - 8} more" if len(cues) > 8 else "")
    first = doc.cues[cues[0] - 1]
    return finding(
        "C015",
        f"{what} (cue{'s' if len(cues) > 1 else ''} {shown})",
        path=path,
        line=first.line,
        cue=cues[0],
        severity=severity,
        cues=cues,
        **data,
    )


def blocks_finding(doc: Captions, fmt_name: str, *, path: str | None) -> Finding | None:
    """The ``C015`` finding for the document's STYLE, REGION and NOTE blocks (an SRT file's STYLE block,
    made from its ``<font>`` tags, is not lost), or ``None`` when there are none."""
    kinds = sorted({b.kind for b in doc.blocks if not (doc.format == "srt" and b.kind == "STYLE")})
    if not kinds:
        return None
    blocks = [b for b in doc.blocks if b.kind in kinds]
    return finding(
        "C015",
        f"{', '.join(kinds)} block{'s' if len(blocks) > 1 else ''}: "
        f"{fmt_name} has no place for them; left out",
        path=path,
        line=blocks[0].line,
        blocks=[b.text for b in blocks],
    )
