"""Sync: where text belongs on the media's speech. Above :mod:`toolkit.media` (which gives the speech
mask), below :mod:`toolkit.align` (which times words inside the ranges turn sync leaves).

    find_sync(starts_ms, ends_ms, mask, SyncParams()) -> SyncResult    # captions: offset, ratio, splits
    apply_sync(starts_ms, ends_ms, result) -> (starts, ends, clamped)
    read_caption_times(path) / rewrite_times(times, starts, ends)      # only the -->-lines change
    turn_sync(turns, mask) -> (indices, SyncResult) | None             # a transcript's offset and jumps
    sync_turns(turns, mask, ...) -> TurnSync                           # turns snapped onto the speech

The modules, lowest first: :mod:`.solution` (the parameter object and the answer), :mod:`.correlate`
(signals on the 10 ms grid), :mod:`.edge_evidence` (evidence against chance), :mod:`.splits` (piecewise),
:mod:`.cuesync` (the caption search), :mod:`.retime` (rewriting a caption file's times),
:mod:`.turnsync` (the turn search), :mod:`.residuals` and :mod:`.snapping` (turns onto the speech).
"""

from __future__ import annotations

from .cuesync import apply_sync, find_sync
from .residuals import shifted_blocks, speech_residuals
from .retime import CaptionTimes, read_caption_times, rewrite_times
from .snapping import TurnSync, sync_turns
from .solution import RATIOS, Segment, SyncParams, SyncResult
from .turnsync import TurnSyncParams, chance_of_hit, turn_sync

__all__ = [
    "RATIOS",
    "CaptionTimes",
    "Segment",
    "SyncParams",
    "SyncResult",
    "TurnSync",
    "TurnSyncParams",
    "apply_sync",
    "chance_of_hit",
    "find_sync",
    "read_caption_times",
    "rewrite_times",
    "shifted_blocks",
    "speech_residuals",
    "sync_turns",
    "turn_sync",
]
