"""Step 1 of segmenting, the speech plan: when each turn is spoken, as a (start, end) span in ms.

A transcript timestamp marks where speech starts; the rate model (``RateModel.speech_ms``, per speaker)
says how long the turn's words take. The span ends there, or at the next turn's start when the estimate
overruns it (the turn is compressed into its slot); a turn without a timestamp follows the previous turn's
estimated end. The last turn ends by the model, bounded by ``duration_ms`` when known. Turns with aligned
``words`` use the word times; turns with ``end_ms`` (caption files) keep their span. How the time of a
span is spread over the turn's tokens is :mod:`.tokens`'s part.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Turn
from ..timing import RateModel

__all__ = ["speech_spans"]


def speech_spans(
    turns: Sequence[Turn], rates: RateModel, duration_ms: int | None
) -> list[tuple[float, float]]:
    """Per turn, the (start, end) of its speech in ms, as floats."""
    own, anchor = _known_times(turns)
    n = len(turns)
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * n
    prev_end = 0.0
    i = 0
    while i < n:
        j = i + 1
        while j < n and anchor[j] is None and own[j] is None:
            j += 1
        # turns i..j-1: i is anchored (or follows the previous group), the rest follow one another
        head = own[i]
        if head is not None:
            spans[i] = head
            k0, begin = i + 1, head[1]
        else:
            k0 = i
            a = anchor[i]
            begin = a if a is not None else prev_end
        bound: float | None
        if j < n:
            nxt = own[j]
            bound = anchor[j] if anchor[j] is not None else (nxt[0] if nxt is not None else None)
        else:
            bound = float(duration_ms) if duration_ms else None
        need = [float(max(rates.speech_ms(turns[k].speaker, turns[k].text), 0)) for k in range(k0, j)]
        total = sum(need)
        scale = 1.0
        if bound is not None and total > 0 and begin + total > bound and bound > begin:
            scale = (bound - begin) / total
        t0 = begin
        for k, d in zip(range(k0, j), need, strict=True):
            spans[k] = (t0, t0 + d * scale)
            t0 += d * scale
        prev_end = max(t0, spans[j - 1][1])
        i = j
    return spans


def _known_times(
    turns: Sequence[Turn],
) -> tuple[list[tuple[float, float] | None], list[float | None]]:
    """Per turn: the span it carries itself (aligned words, caption times) or ``None``; and its usable
    start (transcript timestamp or own span's start, kept only while they strictly increase) or ``None``."""
    n = len(turns)
    own: list[tuple[float, float] | None] = [None] * n  # turns that carry their own times
    anchor: list[float | None] = [None] * n  # usable transcript timestamps (strictly increasing)
    last = -1.0
    for i, t in enumerate(turns):
        if t.words:
            own[i] = (float(t.words[0].start_ms), float(max(w.end_ms for w in t.words)))
        elif t.end_ms is not None and t.start_ms is not None:
            own[i] = (float(t.start_ms), float(t.end_ms))
        o = own[i]
        start = o[0] if o is not None else t.start_ms
        if start is not None and start > last:
            anchor[i] = float(start)
            last = float(start)
    return own, anchor
