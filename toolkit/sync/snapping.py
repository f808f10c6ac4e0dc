"""Time a transcript's turns to the speech: the offset and jumps taken out, then onset snapping.

Part of :mod:`toolkit.sync`, above :mod:`.turnsync` (which finds the offset and the jumps) and below the
word aligner (:mod:`toolkit.align`), which gets from :class:`TurnSync` the range where each turn's first
word may lie. Each turn's start snaps to the speech onset nearest to its corrected stamp (an onset =
speech after at least 150 ms of silence, :func:`toolkit.media.vad.onsets`), each turn ends at the end of
its last stretch of speech before the next turn, and the last turn ends where the speech ends, not at an
estimate. Copies of a turn that duplicate removal dropped offer their stamps too: the speech picks one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..media.vad import onsets
from ..model import Finding, Turn
from ..rules import finding
from ..timecode import format_clock
from ..timing import count_words
from .findings import Anchor, sync_findings
from .residuals import speech_residuals
from .solution import VAD_LAG_MS, SyncResult
from .turnsync import TurnSyncParams, turn_sync

if TYPE_CHECKING:
    from ..timing import RateModel

__all__ = ["TurnSync", "sync_turns"]

SNAP_BEFORE_MS = 300  # onsets searched this far before the corrected stamp ...
SNAP_AFTER_MS = 1500  # ... and this far after (stamps are truncated to the second)


class TurnSync(NamedTuple):
    """What :func:`sync_turns` gives: the turns (start snapped to the speech, ``source_start_ms`` the
    stamp), findings, a summary for the JSON ``meta``, and per turn the range ``(earliest, latest)`` in
    ms where its first word may lie (``None`` for a turn without a stamp): tight around the corrected
    stamp when the sync is accepted, loose when the stamps could not be checked against the speech."""

    turns: tuple[Turn, ...]
    findings: list[Finding]
    meta: dict[str, Any]
    bounds: tuple[tuple[int, int] | None, ...]


def sync_turns(
    turns: Sequence[Turn],
    mask: np.ndarray,
    *,
    duration_ms: int | None = None,
    path: str | None = None,
    rates: RateModel | None = None,
    alternatives: Mapping[int, Sequence[tuple[int, int]]] | None = None,
    params: TurnSyncParams | None = None,
    check: Callable[[Sequence[Turn], SyncResult], SyncResult | None] | None = None,
) -> TurnSync:
    """Turns re-timed to the speech (``source_start_ms`` keeps the stamp), findings, a meta summary and
    where each turn's first word may lie (see :class:`TurnSync`).

    ``alternatives`` maps a turn index to other timestamps the source gave for the same text, as
    ``(start_ms, line)`` pairs (the copies that duplicate removal dropped): the audio picks the stamp
    whose speech fits the text before and after it best.

    ``check`` gets the turns turn sync saw and its answer, and may return another (other evidence: the
    transcript's words, :mod:`toolkit.pipeline.turn_check`), which replaces it; ``None`` keeps it.
    """
    p = params or TurnSyncParams()
    findings: list[Finding] = []
    if alternatives:
        turns, findings = _choose_copies(turns, mask, alternatives, path)
    synced = turn_sync(turns, mask, params=p)
    if synced is not None and check is not None:
        checked = check(turns, synced[1])
        if checked is not None:
            synced = (synced[0], checked)
    if synced is None:
        skipped = {"sync": "skipped: fewer than two timed turns"}
        return TurnSync(tuple(turns), findings, skipped, (None,) * len(turns))
    idx, result = synced
    meta: dict[str, Any] = {"sync": result.to_json()}
    offsets = np.zeros(len(turns), dtype=np.int64)
    if result.accepted:
        per = result.offsets_for(len(idx))
        for k, i in enumerate(idx):
            offsets[i] = per[k]
    findings.extend(sync_findings(result, _anchors(turns, idx), path=path, corrected=True))
    on_s, on_e = onsets(mask)
    starts, bounds = _snapped_starts(turns, idx, offsets, on_s, result.accepted, p)
    merged = _ended_at_speech(turns, starts, (on_s, on_e), duration_ms)
    meta["snapped_turns"] = len(starts)
    return TurnSync(merged, findings, meta, bounds)


def _anchors(turns: Sequence[Turn], idx: list[int]) -> Callable[[int], Anchor]:
    """The sync's k-th timed turn, where the findings point."""
    return lambda k: Anchor(turns[idx[k]].line, turns[idx[k]].start_ms)


def _snapped_starts(
    turns: Sequence[Turn],
    idx: list[int],
    offsets: np.ndarray,
    on_s: np.ndarray,
    accepted: bool,
    p: TurnSyncParams,
) -> tuple[dict[int, int], tuple[tuple[int, int] | None, ...]]:
    """Each timed turn's new start (by turn index, in order), and per turn where its first word may be."""
    bounds: list[tuple[int, int] | None] = [None] * len(turns)
    new_starts: dict[int, int] = {}
    prev_start = -1
    for i in idx:
        # the stamp (after the offset) is the first word truncated to the second: the onset follows it
        stamp = int(turns[i].start_ms or 0) + int(offsets[i])
        lo, hi, target = stamp - SNAP_BEFORE_MS, stamp + SNAP_AFTER_MS, stamp + 300
        cand = on_s[(on_s >= max(lo, prev_start + 1)) & (on_s <= hi)]
        if len(cand):
            start = max(0, int(cand[np.argmin(np.abs(cand - target))]) - VAD_LAG_MS)
        else:
            start = max(stamp, prev_start + 1, 0)
        new_starts[i] = start
        prev_start = start
        # where the turn's first word may be: near its stamp when the sync holds, wider when it does not
        before, after = (p.bound_before_ms, p.bound_after_ms) if accepted else p.loose_bounds_ms
        bounds[i] = (max(0, stamp - before), stamp + after)
    return new_starts, tuple(bounds)


def _ended_at_speech(
    turns: Sequence[Turn],
    new_starts: dict[int, int],
    speech: tuple[np.ndarray, np.ndarray],
    duration_ms: int | None,
) -> tuple[Turn, ...]:
    """The turns with their new starts, each ending where its last stretch of speech before the next turn
    ends (the last turn: where the speech ends); ``source_start_ms`` keeps the stamp."""
    on_s, on_e = speech
    solid = (on_e - on_s) >= 200  # the end of speech: ignore a last blip (a click, a breath)
    last_speech = int(on_e[solid][-1]) if solid.any() else None
    merged = list(turns)
    order = list(new_starts)
    for k, i in enumerate(order):
        t = turns[i]
        start = new_starts[i]
        nxt = new_starts[order[k + 1]] if k + 1 < len(order) else None
        limit = nxt if nxt is not None else (duration_ms or (last_speech or start + 1))
        inside = on_e[(on_s < limit) & (on_e > start)]
        end = int(min(inside.max(), limit)) if len(inside) else None
        if nxt is None and last_speech is not None and last_speech > start:
            end = last_speech
        if end is not None and end <= start:
            end = None
        source = t.source_start_ms if t.source_start_ms is not None else t.start_ms
        merged[i] = replace(t, start_ms=start, end_ms=end, source_start_ms=source)
    return tuple(merged)


def _choose_copies(
    turns: Sequence[Turn],
    mask: np.ndarray,
    alternatives: Mapping[int, Sequence[tuple[int, int]]],
    path: str | None,
) -> tuple[list[Turn], list[Finding]]:
    """The turns with each duplicated turn's stamp taken from the copy whose speech fits the text around
    it best (the kept copy wins ties), and a T007 for each stamp taken from a removed copy."""
    out = list(turns)
    findings: list[Finding] = []
    idx = [i for i, t in enumerate(out) if t.start_ms is not None]
    words = np.array([count_words(out[i].text) for i in idx], dtype=np.float64)
    for i, alts in alternatives.items():
        if i not in idx or not alts:
            continue
        k = idx.index(i)
        base = np.array([int(out[j].start_ms or 0) for j in idx], dtype=np.int64)
        best_stamp, best_line = _best_copy(base, k, int(out[i].start_ms or 0), alts, words, mask)
        if best_line is not None:
            t = out[i]
            findings.append(
                finding(
                    "T007",
                    f"took the timestamp {format_clock(best_stamp)} of the removed copy on line {best_line} "
                    f"instead of {format_clock(int(t.start_ms or 0))}: the speech fits the text with it",
                    path=path,
                    line=t.line,
                    start_ms=best_stamp,
                    previous_start_ms=t.start_ms,
                    copy_line=best_line,
                )
            )
            out[i] = replace(
                t,
                start_ms=best_stamp,
                source_start_ms=t.source_start_ms if t.source_start_ms is not None else t.start_ms,
            )
    return out, findings


def _best_copy(
    base: np.ndarray,
    k: int,
    kept: int,
    alts: Sequence[tuple[int, int]],
    words: np.ndarray,
    mask: np.ndarray,
) -> tuple[int, int | None]:
    """The stamp for the ``k``-th timed turn among the kept one and its copies' ``(stamp, line)``, and the
    copy's line (``None``: the kept stamp). A copy's stamp must keep the turns in order."""
    lo = int(base[k - 1]) if k > 0 else -(10**9)
    hi = int(base[k + 1]) if k + 1 < len(base) else 10**12
    best_stamp, best_line, best_cost = kept, None, None
    for stamp, line in [(kept, None), *alts]:
        if not lo < stamp < hi:
            continue  # a copy's stamp must keep the turns in order
        trial = base.copy()
        trial[k] = stamp
        resid, _ = speech_residuals(trial, words, mask)
        cost = float(np.abs(resid[max(0, k - 1) : k + 1]).sum())
        if best_cost is None or cost < best_cost - 500:  # the kept copy wins ties
            best_stamp, best_line, best_cost = stamp, line, cost
    return best_stamp, best_line
