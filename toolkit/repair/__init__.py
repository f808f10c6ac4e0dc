"""The aligner / repair stage: duplicates, misordered and mistimed turns, speaker variants.

``repair(doc)`` returns the repaired turns (every start set, never going backwards, ``source_start_ms``
keeping what the transcript said), one :class:`Change` per change and the findings behind them;
``analyse(doc)`` returns the same findings for ``validate``.
"""

from __future__ import annotations

from .changes import CHANGE_KINDS, Change
from .stage import RepairResult, after_media_end, analyse, repair
from .writer import write_transcript

__all__ = [
    "CHANGE_KINDS",
    "Change",
    "RepairResult",
    "after_media_end",
    "analyse",
    "repair",
    "write_transcript",
]
