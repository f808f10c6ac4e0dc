"""Cutting the copies out: the decided runs as one :class:`Removal` per turn, and the turns without them.

Part 4 of :mod:`toolkit.repair.duplicates` (and used by part 3 to price a choice: the turns around a run
are priced with its removals applied).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ...model import Turn
from ..evidence import Timing
from ..sentences import join_sentences, sentence_spans
from .anchors import DuplicateRun, SentenceIndex

__all__ = ["Removal", "apply_removals", "removals_of"]


@dataclass(frozen=True, slots=True)
class Removal:
    """Sentences removed from one turn, with the sentences kept in their place."""

    turn: int
    sentences: tuple[int, ...]  # indices within the turn
    text: str
    kept: tuple[tuple[int, int], ...]  # (turn, sentence index) of the copy kept, per removed sentence
    similarity: float
    whole_turn: bool
    run: int


def removals_of(runs: Sequence[DuplicateRun], ix: SentenceIndex) -> list[Removal]:
    """The sentences the decided ``runs`` remove, one :class:`Removal` per turn in turn order (a sentence
    two runs remove is removed once, for the first of them)."""
    sents = ix.sents
    per_turn: dict[int, list[tuple[int, int, float, int]]] = {}
    for k, run in enumerate(runs):
        for gone, kept, sim in run.removed():
            per_turn.setdefault(sents[gone].turn, []).append((gone, kept, sim, k))
    out: list[Removal] = []
    for turn, all_items in sorted(per_turn.items()):
        unique: dict[int, tuple[int, int, float, int]] = {}
        for item in sorted(all_items):
            unique.setdefault(item[0], item)
        items = list(unique.values())
        gone_idx = tuple(sents[g].index for g, _, _, _ in items)
        total = len(ix.spans[turn])
        out.append(
            Removal(
                turn=turn,
                sentences=gone_idx,
                text=join_sentences([sents[g].text for g, _, _, _ in items]),
                kept=tuple((sents[k].turn, sents[k].index) for _, k, _, _ in items),
                similarity=min(s for _, _, s, _ in items),
                whole_turn=len(set(gone_idx)) >= total,
                run=items[0][3],
            )
        )
    return out


def apply_removals(
    turns: Sequence[Turn], removals: Sequence[Removal], timing: Timing
) -> tuple[list[Turn], list[int | None]]:
    """Turns with the removed sentences cut out; also the new index of each old turn (None = removed).

    When leading sentences are cut from a turn that keeps later ones, its start moves on by the time
    those sentences take to say (the timestamp marked the removed words).
    """
    by_turn = {r.turn: r for r in removals}
    out: list[Turn] = []
    index: list[int | None] = []
    for i, t in enumerate(turns):
        r = by_turn.get(i)
        if r is None:
            index.append(len(out))
            out.append(t)
            continue
        if r.whole_turn:
            index.append(None)
            continue
        index.append(len(out))
        out.append(_cut(t, r, timing))
    return out, index


def _cut(t: Turn, r: Removal, timing: Timing) -> Turn:
    """Turn ``t`` without the sentences ``r`` removes, its start moved past the leading ones cut."""
    pieces = [t.text[a:b] for a, b in sentence_spans(t.text)]  # the words are not needed here
    gone = set(r.sentences)
    first_kept = next((k for k in range(len(pieces)) if k not in gone), len(pieces))
    lead = " ".join(pieces[:first_kept])
    start = t.start_ms
    if lead and start is not None:
        start = start + timing.expected_ms(replace(t, text=lead))
        if t.end_ms is not None:  # the turn still ends where it did; its start cannot pass the end
            start = min(start, t.end_ms)
    source = t.source_start_ms if t.source_start_ms is not None else t.start_ms
    keep = [p for k, p in enumerate(pieces) if k not in gone]
    return replace(t, text=join_sentences(keep), start_ms=start, source_start_ms=source)
