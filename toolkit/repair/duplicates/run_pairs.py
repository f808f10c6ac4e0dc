"""Filling a run: the sentences around its anchors paired with their copies.

Part 2 of :mod:`toolkit.repair.duplicates`. The anchors of a :class:`~.anchors.DuplicateRun` are sentences
of 4+ words; :func:`fill_run` adds the rest of the copy: every sentence of a turn repeated as a whole, the
sentences in the gaps between anchors, and the sentences before and after them as long as they still match
(``min_relaxed_ratio``). Groups of sentences are paired as groups, since punctuation may merge or split
sentences ("agree. So" / "agree so"), so a pair may be one-to-many.

The pairs being built are a :data:`Pairs` dict, passed to each step explicitly, as are the settings
(:class:`~toolkit.repair.params.RepairParams`).
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ...model import Turn
from ..params import DEFAULT_PARAMS, RepairParams
from ..sentences import Sentence
from .anchors import DuplicateRun, SentenceIndex

__all__ = ["Pairs", "fill_run"]

# the groups tried when extending a run by one step: (sentences of the first copy, of the second)
STEPS = ((1, 1), (2, 1), (1, 2), (3, 1), (1, 3))

Pairs = dict[tuple[int, int], float]  # (first-copy sentence, second-copy sentence) -> similarity


def fill_run(run: DuplicateRun, ix: SentenceIndex, p: RepairParams) -> None:
    """Pair the sentences around the anchors of a run: whole turns, gaps between anchors, and the ends.

    Pairs may be one-to-many where punctuation merged or split sentences ("agree. So" / "agree so").
    """
    pairs: Pairs = {(a, b): sim for a, b, sim in run.pairs}
    _pair_whole_turns(ix, run, pairs, p)
    _pair_gaps(ix, pairs, p)
    # extend at both ends, backwards first and forwards first: a repeated short turn ("Not at all.") can
    # align either way; the alignment whose pairs keep one time offset is the copy
    variants: list[tuple[int, int, Pairs]] = []
    for backwards_first in (True, False):
        extended = _extend(ix, pairs, backwards_first, p)
        variants.append((_offset_spread(extended, ix.sents, ix.turns), len(variants), extended))
    best = min(variants, key=lambda v: (v[0], v[1]))[2]
    run.pairs = sorted(((a, b, sim) for (a, b), sim in best.items()), key=lambda ab: (ab[1], ab[0]))


def _pair_whole_turns(ix: SentenceIndex, run: DuplicateRun, pairs: Pairs, p: RepairParams) -> None:
    """An anchor in a turn that is repeated as a whole pairs every sentence of both turns."""
    for a, b, _ in run.pairs:
        ta, tb = ix.sents[a].turn, ix.sents[b].turn
        ra, rb = ix.spans[ta], ix.spans[tb]
        if ta != tb and ra.stop - 1 < rb.start and _same_turn_text(ix.sents, ra, rb):
            sim = _group_similarity(ix, ra.start, ra.stop - 1, rb.start, rb.stop - 1, p)
            if sim is not None:
                _pair_groups(ix, pairs, ra.start, ra.stop - 1, rb.start, rb.stop - 1, sim, p)


def _pair_gaps(ix: SentenceIndex, pairs: Pairs, p: RepairParams) -> None:
    """The sentences between two consecutive pairs, paired as two groups when the gap is short, or when it
    is whole turns on both sides, up to :data:`_MAX_TURN_GAP` sentences (the same speakers' turns between
    two paired turns: a long middle turn of a copied exchange, reworded past every anchor, is still the
    copy's)."""
    ordered = sorted(pairs)
    for (a1, b1), (a2, b2) in itertools.pairwise(ordered):
        if a2 - a1 <= 1 or b2 - b1 <= 1:
            continue
        short = (a2 - a1) <= 2 * p.max_step and (b2 - b1) <= 2 * p.max_step
        bounded = max(a2 - a1, b2 - b1) <= _MAX_TURN_GAP  # pairing a gap compares its sentences pairwise
        if short or (bounded and _whole_turns_alike(ix, range(a1 + 1, a2), range(b1 + 1, b2))):
            sim = _group_similarity(ix, a1 + 1, a2 - 1, b1 + 1, b2 - 1, p)
            if sim is not None:
                _pair_groups(ix, pairs, a1 + 1, a2 - 1, b1 + 1, b2 - 1, sim, p)


_MAX_TURN_GAP = 64  # sentences: a longer gap of whole turns stays unpaired (pairing compares them pairwise)


def _whole_turns_alike(ix: SentenceIndex, ga: range, gb: range) -> bool:
    """Sentences ``ga`` and ``gb`` are each whole turns, as many on both sides, by the same speakers."""
    turns_a = _whole_turns(ix, ga)
    turns_b = _whole_turns(ix, gb)
    if turns_a is None or turns_b is None or len(turns_a) != len(turns_b):
        return False
    return [ix.turns[t].speaker for t in turns_a] == [ix.turns[t].speaker for t in turns_b]


def _whole_turns(ix: SentenceIndex, group: range) -> list[int] | None:
    """The turns whose sentences are exactly ``group``, or None when it cuts a turn."""
    first, last = ix.sents[group.start].turn, ix.sents[group.stop - 1].turn
    if ix.spans[first].start != group.start or ix.spans[last].stop != group.stop:
        return None
    return list(range(first, last + 1))


def _extend(ix: SentenceIndex, base: Pairs, backwards_first: bool, p: RepairParams) -> Pairs:
    """``base`` extended step by step at both ends, the start first when ``backwards_first``."""
    pairs = dict(base)
    for direction in (-1, 1) if backwards_first else (1, -1):
        if direction < 0:  # the second copy's start must stay after the first copy's end
            a_max = max(a for a, _ in pairs)
            a, b = min(pairs, key=lambda ab: (ab[1], ab[0]))
            while (nxt := _step(ix, pairs, (a, b), -1, (0, a_max), p)) is not None:
                a, b = nxt
        else:  # the first copy's end must stay before the second copy's start
            b_min = min(b for _, b in pairs)
            a, b = max(pairs, key=lambda ab: (ab[1], ab[0]))
            while (nxt := _step(ix, pairs, (a, b), 1, (b_min, len(ix.sents)), p)) is not None:
                a, b = nxt
    return pairs


def _step(
    ix: SentenceIndex,
    pairs: Pairs,
    ends: tuple[int, int],
    direction: int,
    limits: tuple[int, int],
    p: RepairParams,
) -> tuple[int, int] | None:
    """Extend ``pairs`` by one group of sentences from the ``ends`` (a, b) in ``direction``, within the
    ``limits`` (a_limit, b_limit); the new ends, or None when no group matches."""
    sents, spans = ix.sents, ix.spans
    a, b = ends
    a_limit, b_limit = limits
    steps = list(STEPS)
    ta = sents[a + direction].turn if 0 <= a + direction < len(sents) else -1
    tb = sents[b + direction].turn if 0 <= b + direction < len(sents) else -1
    at_edge = (direction > 0 and a + 1 == spans[max(ta, 0)].start and b + 1 == spans[max(tb, 0)].start) or (
        direction < 0 and a == spans[max(ta, 0)].stop and b == spans[max(tb, 0)].stop
    )
    if at_edge and ta >= 0 and tb >= 0 and ta != tb and _same_turn_text(sents, spans[ta], spans[tb]):
        steps.insert(0, (len(spans[ta]), len(spans[tb])))  # the next turns on both sides, whole
    for da, db in steps:
        a_far, b_far = a + direction * da, b + direction * db
        if direction > 0 and (a_far >= a_limit or b_far >= b_limit):
            continue
        if direction < 0 and (a_far < 0 or b_far <= b_limit):
            continue
        lo_a, hi_a = sorted((a + direction, a_far))
        lo_b, hi_b = sorted((b + direction, b_far))
        sim = _group_similarity(ix, lo_a, hi_a, lo_b, hi_b, p)
        if sim is not None and not _short_turns_off_base(ix, pairs, lo_a, hi_a, lo_b, hi_b, p):
            _pair_groups(ix, pairs, lo_a, hi_a, lo_b, hi_b, sim, p)
            return a_far, b_far
    return None


def _speakers(ix: SentenceIndex, lo: int, hi: int) -> set[str | None]:
    return {ix.turns[ix.sents[g].turn].speaker for g in range(lo, hi + 1)}


def _group_similarity(
    ix: SentenceIndex, a_lo: int, a_hi: int, b_lo: int, b_hi: int, p: RepairParams
) -> float | None:
    """How alike sentences a_lo..a_hi and b_lo..b_hi read as two texts, None when not alike enough (or
    another speaker's)."""
    sents = ix.sents
    if a_lo > a_hi or b_lo > b_hi or _speakers(ix, a_lo, a_hi) != _speakers(ix, b_lo, b_hi):
        return None
    x = " ".join(sents[g].norm for g in range(a_lo, a_hi + 1))
    y = " ".join(sents[g].norm for g in range(b_lo, b_hi + 1))
    if not x or not y:
        return None
    if x == y:
        return 100.0
    ratio = fuzz.ratio(x, y)
    if ratio < p.min_relaxed_ratio:
        xw, yw = x.split(), y.split()
        n = max(len(xw), len(yw))
        if n >= 5 and Levenshtein.distance(xw, yw) <= max(1, n // 5):
            ratio = p.min_relaxed_ratio
    return float(ratio) if ratio >= p.min_relaxed_ratio else None


def _pair_groups(
    ix: SentenceIndex, pairs: Pairs, a_lo: int, a_hi: int, b_lo: int, b_hi: int, sim: float, p: RepairParams
) -> None:
    """Pair two groups of sentences: in order when they correspond one to one, else each sentence
    with its best match on the other side, when it is found in the other side's text."""
    sents = ix.sents
    a_ids, b_ids = list(range(a_lo, a_hi + 1)), list(range(b_lo, b_hi + 1))
    if len(a_ids) == len(b_ids) and all(
        sents[a].norm == sents[b].norm or fuzz.ratio(sents[a].norm, sents[b].norm) >= p.min_relaxed_ratio
        for a, b in zip(a_ids, b_ids, strict=True)
    ):
        for a, b in zip(a_ids, b_ids, strict=True):
            pairs.setdefault((a, b), sim)
        return
    x = " ".join(sents[g].norm for g in a_ids)
    y = " ".join(sents[g].norm for g in b_ids)
    for mine, others, text, first in ((a_ids, b_ids, y, True), (b_ids, a_ids, x, False)):
        for g in mine:
            if not _found_in(sents[g], text, p):
                continue
            other = max(others, key=lambda o: _containment(sents[g].norm, sents[o].norm, p))
            pairs.setdefault((g, other) if first else (other, g), sim)


def _short_turns_off_base(
    ix: SentenceIndex, pairs: Pairs, a_lo: int, a_hi: int, b_lo: int, b_hi: int, p: RepairParams
) -> bool:
    """A separate short turn ("No.") next to a run joins it only on the run's own time offset:
    "No." after both copies of a glued sentence is a coincidence, not part of the copy."""
    sents, turns = ix.sents, ix.turns
    members = (*range(a_lo, a_hi + 1), *range(b_lo, b_hi + 1))
    if any(len(sents[g].words) >= p.min_anchor_words for g in members):
        return False
    x, y = sents[a_lo], sents[b_lo]
    if x.index != 0 or y.index != 0:
        return False  # inside a turn that is already part of the run
    ta, tb = turns[x.turn].start_ms, turns[y.turn].start_ms
    base = _offsets_of(pairs, sents, turns)
    if ta is None or tb is None or not base:
        return True
    return abs((tb - ta) - statistics.median(base)) > p.short_offset_tolerance_ms


def _same_turn_text(sents: Sequence[Sentence], ra: range, rb: range) -> bool:
    """Two turns say the same thing: at most one word in eight differs (case and punctuation aside)."""
    xw = [w for g in ra for w in sents[g].words]
    yw = [w for g in rb for w in sents[g].words]
    n = max(len(xw), len(yw))
    return n > 0 and Levenshtein.distance(xw, yw) <= max(1, n // 8)


def _containment(part: str, whole: str, p: RepairParams = DEFAULT_PARAMS) -> tuple[float, float]:
    """How well ``part`` is found in ``whole``: contained first, then the plain ratio.

    A partial match counts only when ``part`` is really contained (``min_ratio``): a weak partial
    score against some longer, unrelated sentence must not outrank the sentence ``part`` is a reworded
    copy of (which, one word longer, has no partial score at all).
    """
    partial = fuzz.partial_ratio(part, whole) if len(part) <= len(whole) else 0.0
    return (partial if partial >= p.min_ratio else 0.0), fuzz.ratio(part, whole)


def _found_in(s: Sentence, text: str, p: RepairParams) -> bool:
    """Is sentence ``s`` in normalised ``text``? Short ones word for word, longer ones nearly."""
    if not s.norm:
        return False
    if len(s.words) < p.min_anchor_words:
        return f" {s.norm} " in f" {text} "
    return fuzz.partial_ratio(s.norm, text) >= p.min_ratio


def _offsets_of(pairs: Pairs, sents: Sequence[Sentence], turns: Sequence[Turn]) -> list[int]:
    """Time offsets between the paired sentences that start timed turns on both sides."""
    offsets = []
    for a, b in pairs:
        x, y = sents[a], sents[b]
        ta, tb = turns[x.turn].start_ms, turns[y.turn].start_ms
        if x.index == 0 and y.index == 0 and ta is not None and tb is not None:
            offsets.append(tb - ta)
    return offsets


def _offset_spread(pairs: Pairs, sents: Sequence[Sentence], turns: Sequence[Turn]) -> int:
    """How far apart the time offsets of the paired turn starts are (0 = one constant offset)."""
    offsets = _offsets_of(pairs, sents, turns)
    return max(offsets) - min(offsets) if offsets else 0
