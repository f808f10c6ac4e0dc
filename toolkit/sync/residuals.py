"""Speech heard against speech the text needs, per transcript turn: where turns look shifted.

Part of :mod:`toolkit.sync`. A turn's words take about the speaker's speech-only time per word; the speech
between its stamp and the next one (from the mask of :mod:`toolkit.media.vad`) should match that. A
surplus before a run of turns and a matching deficit at its end is a block of turns stamped late (or
early). Used to pick among the copies of a duplicated turn (:mod:`.snapping`) and by ``validate --media``
(:mod:`toolkit.validate.media_checks`).
"""

from __future__ import annotations

import numpy as np

from ..media.numeric import median
from ..media.vad import FRAME_MS

__all__ = ["shifted_blocks", "speech_residuals"]

JUMP_MIN_MS = 3000  # a residual of speech this large (and 30 % of the turn) is a jump, not rate noise
JUMP_SHARE = 0.3
BLOCK_MAX_TURNS = 12


def speech_residuals(
    stamps: np.ndarray, words: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per turn: speech heard between its stamp and the next minus the speech its words need (ms), and
    that need. The speech-only rate is the median over turns, so pauses do not enter."""
    bounds = np.append(stamps, len(mask) * FRAME_MS)
    csum = np.concatenate(([0], np.cumsum(mask)))
    frames = np.clip(bounds // FRAME_MS, 0, len(mask))
    heard = (csum[frames[1:]] - csum[frames[:-1]]) * FRAME_MS
    usable = (heard > 0) & (words > 0)
    if usable.sum() < 3:
        return np.zeros(len(stamps)), np.zeros(len(stamps))
    ms_per_word = median(heard[usable] / words[usable])
    need = words * ms_per_word
    return heard - need, need


def shifted_blocks(resid: np.ndarray, need: np.ndarray) -> list[tuple[int, int, float]]:
    """(first, last, residual) of turn runs that look shifted: a surplus of speech before the run and a
    matching deficit at its end (or the reverse). The residual's sign tells the direction."""
    big = [k for k in range(len(resid) - 1) if abs(resid[k]) >= max(JUMP_MIN_MS, JUMP_SHARE * need[k])]
    out: list[tuple[int, int, float]] = []
    used: set[int] = set()
    for a in big:
        if a in used:
            continue
        for b in big:
            if b <= a or b - a > BLOCK_MAX_TURNS or b in used:
                continue
            ra, rb = float(resid[a]), float(resid[b])
            if ra * rb < 0 and 0.5 <= abs(ra) / abs(rb) <= 2.0:
                out.append((a + 1, b, (ra - rb) / 2))
                used.update((a, b))
                break
    return out
