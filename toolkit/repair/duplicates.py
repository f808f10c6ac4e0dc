"""Duplicates at every grain: whole turns, runs of turns, and sentences glued into another turn.

The search works on sentences. Each sentence of 4+ words is filed under three keys (its whole normalised
text, its first three and its last three words) and compared with rapidfuzz against the earlier sentences
under the same keys, by the same speaker, within :data:`WINDOW_SENTENCES` positions and
:data:`WINDOW_MS` of time. Each key is checked for at most :data:`MAX_CHECKS` recent entries, so the whole
search is linear in the number of sentences. A changed word or two keeps at least one key, and the
similarity test allows them.

Matches ("anchors") that advance together form a *run*: a stretch of the transcript repeated later. A run
is a duplicate when its anchors total :data:`MIN_RUN_WORDS` words; short sentences between and around the
anchors ("Yes.") join the run when they match too. So "Yes." said six times is never a duplicate, but a
"Yes." inside a repeated exchange is removed with it. Echoes by the other speaker never match (the
speaker must be the same).

For each run the copy to keep is decided by the timeline: both choices are priced with
:func:`~toolkit.repair.evidence.sequence_cost` over the turns around them; the first copy is kept unless
keeping the later one is clearly cheaper.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..model import Turn
from .evidence import Timing, sequence_cost
from .text import Sentence, join_sentences, sentence_spans, split_sentences

__all__ = ["DuplicateRun", "Removal", "apply_removals", "find_duplicates"]

MIN_ANCHOR_WORDS = 4  # shorter sentences never start a match ("Yes.", "I don't know.", "No, NATO.")
MIN_RUN_WORDS = 8  # a run (or a lone sentence) needs this many matched words to count as a duplicate
MIN_SAME_TURN_WORDS = 12  # a sentence repeated inside one turn is emphasis unless this long
MIN_RATIO = 85.0  # rapidfuzz ratio on normalised text
MIN_RELAXED_RATIO = 80.0  # for short sentences joining a run
WINDOW_SENTENCES = 400  # search window in sentences ...
WINDOW_MS = 20 * 60 * 1000  # ... and in time
MAX_CHECKS = 12  # candidates examined per key
MAX_STEP = 3  # anchors of one run advance by at most this many sentences on both sides
KEEP_LATER_MARGIN = 1.0  # keeping the later copy must be cheaper by this much
CONTEXT_TURNS = 2  # turns either side priced with a decision
SHORT_OFFSET_TOLERANCE_MS = 2000  # a short turn joins a run at the ends only on the run's offset
GLUED_COST = 0.5  # keeping a copy glued to the end of another turn: its timestamp is not its own
MIN_GLUED_WORDS = 10  # a sentence this long at the edge of another speaker's turn may be a pasted copy
MAX_LONE_CHANGES = 1  # a lone sentence is a copy when at most this many words differ beyond a typo ...
NEAR_MISS_RATIO = 60.0  # ... a typo being a word this close to the other ("you"/"you'd", "Kiev"/"Kyiv")


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


@dataclass(slots=True)
class DuplicateRun:
    """A stretch repeated later: matched sentence pairs (first copy, second copy) as global indices."""

    pairs: list[tuple[int, int, float]]
    keep_first: bool = True
    offset_ms: int | None = None
    offsets: list[tuple[int, int, int]] = field(default_factory=list)  # (turn a, turn b, ms)
    cost_keep_first: float = 0.0
    cost_keep_second: float = 0.0
    anchor_words: int = 0
    glued_first: int = 0
    glued_second: int = 0

    def removed(self) -> list[tuple[int, int, float]]:
        """(removed sentence, kept sentence, similarity) pairs."""
        if self.keep_first:
            return [(b, a, s) for a, b, s in self.pairs]
        return [(a, b, s) for a, b, s in self.pairs]


def _similarity(x: Sentence, y: Sentence) -> float:
    """rapidfuzz ratio of the normalised texts; word-level near-misses ("you agree"/"you'd agree") pass."""
    if x.norm == y.norm:
        return 100.0
    ratio = fuzz.ratio(x.norm, y.norm)
    n = max(len(x.words), len(y.words))
    if ratio < MIN_RATIO and n >= 5:
        changed = Levenshtein.distance(x.words, y.words)
        if changed <= max(1, n // 5):
            ratio = max(ratio, MIN_RATIO)
    return float(ratio)


def _sentences(turns: Sequence[Turn]) -> list[Sentence]:
    out: list[Sentence] = []
    for i, t in enumerate(turns):
        out.extend(split_sentences(t.text, i))
    return out


def _anchors(sents: Sequence[Sentence], turns: Sequence[Turn]) -> list[tuple[int, int, float]]:
    by_turn: dict[int, list[str]] = {}
    for snt in sents:
        by_turn.setdefault(snt.turn, []).extend(snt.words)

    def turn_words(i: int) -> list[str]:
        return by_turn.get(i, [])

    speaker = [t.speaker for t in turns]
    start_ms = [t.start_ms for t in turns]
    last_index: dict[int, int] = {}
    for snt in sents:
        last_index[snt.turn] = max(last_index.get(snt.turn, 0), snt.index)

    def at_edge(snt: Sentence) -> bool:
        """Among the first or last two sentences of its turn: where a pasted copy gets glued."""
        return snt.index <= 1 or snt.index >= last_index[snt.turn] - 1

    buckets: dict[str, list[int]] = {}
    turn_keys: dict[tuple[str | None, str], int] = {}  # whole turns, punctuation aside: sentences may merge
    anchors: list[tuple[int, int, float]] = []
    for g, s in enumerate(sents):
        if s.index == 0:
            words = turn_words(s.turn)
            if len(words) >= MIN_ANCHOR_WORDS:
                turn_key = (speaker[s.turn], " ".join(words))
                h = turn_keys.get(turn_key)
                if h is not None and g - h <= WINDOW_SENTENCES:
                    anchors.append((h, g, 100.0))
                turn_keys[turn_key] = g
        sw = s.words
        n = len(sw)
        if n < MIN_ANCHOR_WORDS:
            continue
        spk = speaker[s.turn]
        t = start_ms[s.turn]
        keys = ("=" + s.norm, "<" + " ".join(sw[:3]), ">" + " ".join(sw[-3:]))
        best: tuple[int, float] | None = None
        seen: set[int] = set()
        for key in keys:
            bucket = buckets.get(key)
            if bucket is None:  # a key not seen before: nothing to compare with
                buckets[key] = [g]
                continue
            for checked, h in enumerate(reversed(bucket)):
                if g - h > WINDOW_SENTENCES or checked >= MAX_CHECKS:
                    break
                if h in seen:
                    continue
                seen.add(h)
                o = sents[h]
                if speaker[o.turn] != spk and not (n >= MIN_GLUED_WORDS and at_edge(s)):
                    continue  # another speaker's words: an echo, unless a long copy glued to a turn's edge
                if o.turn == s.turn and n < MIN_SAME_TURN_WORDS:
                    continue
                ot = start_ms[o.turn]
                if t is not None and ot is not None and abs(t - ot) > WINDOW_MS:
                    continue
                sim = _similarity(o, s)
                if sim < MIN_RATIO and o.index == 0 and s.index == 0 and o.turn != s.turn:
                    # two turns that start alike: the same turn with sentences merged or split?
                    xw, yw = turn_words(o.turn), turn_words(s.turn)
                    if Levenshtein.distance(xw, yw) <= max(1, max(len(xw), len(yw)) // 8):
                        sim = float(MIN_RATIO)
                if sim >= MIN_RATIO and (best is None or sim > best[1]):
                    best = (h, sim)
            bucket.append(g)
        if best is not None:
            anchors.append((best[0], g, best[1]))
    return sorted(set(anchors), key=lambda x: (x[1], x[0]))


def _runs(anchors: list[tuple[int, int, float]], sents: Sequence[Sentence]) -> list[DuplicateRun]:
    runs: list[DuplicateRun] = []
    open_runs: list[DuplicateRun] = []
    for a, b, sim in sorted(anchors, key=lambda x: (x[1], x[0])):
        home = None
        for run in reversed(open_runs[-6:]):
            la, lb, _ = run.pairs[-1]
            first_b = run.pairs[0][1]
            step_turns = sents[a].turn - sents[la].turn
            same_turn_step = 0 < step_turns <= 2 and step_turns == sents[b].turn - sents[lb].turn
            close = 0 < b - lb <= MAX_STEP and 0 < a - la <= MAX_STEP
            if (close or (same_turn_step and b > lb and a > la)) and a < first_b:
                home = run
                break
        if home is None:
            home = DuplicateRun(pairs=[])
            runs.append(home)
            open_runs.append(home)
        home.pairs.append((a, b, sim))
        home.anchor_words += len(sents[b].words)
    return runs


def _lone_copy(x: Sentence, y: Sentence) -> bool:
    """A sentence that is a duplicate on its own, with no run around it, must read as a copy: at most
    :data:`MAX_LONE_CHANGES` words added, dropped or replaced by a word that is not a near-miss of it.
    "It started seven years ago, when we met at the town hall" is another sentence than "It started forty
    years ago, when we met at the school gym", though four words in five are the same."""
    changes = 0
    for op in Levenshtein.editops(x.words, y.words):
        if op.tag == "replace" and fuzz.ratio(x.words[op.src_pos], y.words[op.dest_pos]) >= NEAR_MISS_RATIO:
            continue
        changes += 1
    return changes <= MAX_LONE_CHANGES


def _same_turn_text(sents: Sequence[Sentence], ra: range, rb: range) -> bool:
    """Two turns say the same thing: at most one word in eight differs (case and punctuation aside)."""
    xw = [w for g in ra for w in sents[g].words]
    yw = [w for g in rb for w in sents[g].words]
    n = max(len(xw), len(yw))
    return n > 0 and Levenshtein.distance(xw, yw) <= max(1, n // 8)


def _containment(part: str, whole: str) -> tuple[float, float]:
    """How well ``part`` is found in ``whole``: contained first, then the plain ratio.

    A partial match counts only when ``part`` is really contained (:data:`MIN_RATIO`): a weak partial
    score against some longer, unrelated sentence must not outrank the sentence ``part`` is a reworded
    copy of (which, one word longer, has no partial score at all).
    """
    partial = fuzz.partial_ratio(part, whole) if len(part) <= len(whole) else 0.0
    return (partial if partial >= MIN_RATIO else 0.0), fuzz.ratio(part, whole)


def _found_in(s: Sentence, text: str) -> bool:
    """Is sentence ``s`` in normalised ``text``? Short ones word for word, longer ones nearly."""
    if not s.norm:
        return False
    if len(s.words) < MIN_ANCHOR_WORDS:
        return f" {s.norm} " in f" {text} "
    return fuzz.partial_ratio(s.norm, text) >= MIN_RATIO


def _fill(
    run: DuplicateRun, sents: Sequence[Sentence], turns: Sequence[Turn], spans: Sequence[range]
) -> None:
    """Pair the sentences around the anchors of a run: whole turns, gaps between anchors, and the ends.

    Pairs may be one-to-many where punctuation merged or split sentences ("agree. So" / "agree so").
    """
    pairs: dict[tuple[int, int], float] = {(a, b): sim for a, b, sim in run.pairs}

    def speakers(lo: int, hi: int) -> set[str | None]:
        return {turns[sents[g].turn].speaker for g in range(lo, hi + 1)}

    def group(a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> float | None:
        if a_lo > a_hi or b_lo > b_hi or speakers(a_lo, a_hi) != speakers(b_lo, b_hi):
            return None
        x = " ".join(sents[g].norm for g in range(a_lo, a_hi + 1))
        y = " ".join(sents[g].norm for g in range(b_lo, b_hi + 1))
        if not x or not y:
            return None
        if x == y:
            return 100.0
        ratio = fuzz.ratio(x, y)
        if ratio < MIN_RELAXED_RATIO:
            xw, yw = x.split(), y.split()
            n = max(len(xw), len(yw))
            if n >= 5 and Levenshtein.distance(xw, yw) <= max(1, n // 5):
                ratio = MIN_RELAXED_RATIO
        return float(ratio) if ratio >= MIN_RELAXED_RATIO else None

    def add(a_lo: int, a_hi: int, b_lo: int, b_hi: int, sim: float) -> None:
        """Pair two groups of sentences: in order when they correspond one to one, else each sentence
        with its best match on the other side, when it is found in the other side's text."""
        a_ids, b_ids = list(range(a_lo, a_hi + 1)), list(range(b_lo, b_hi + 1))
        if len(a_ids) == len(b_ids) and all(
            sents[a].norm == sents[b].norm or fuzz.ratio(sents[a].norm, sents[b].norm) >= MIN_RELAXED_RATIO
            for a, b in zip(a_ids, b_ids, strict=True)
        ):
            for a, b in zip(a_ids, b_ids, strict=True):
                pairs.setdefault((a, b), sim)
            return
        x = " ".join(sents[g].norm for g in a_ids)
        y = " ".join(sents[g].norm for g in b_ids)
        for mine, others, text, first in ((a_ids, b_ids, y, True), (b_ids, a_ids, x, False)):
            for g in mine:
                if not _found_in(sents[g], text):
                    continue
                other = max(others, key=lambda o: _containment(sents[g].norm, sents[o].norm))
                pairs.setdefault((g, other) if first else (other, g), sim)

    # whole turns: an anchor in a turn that is repeated as a whole pairs every sentence of both turns
    for a, b, _ in run.pairs:
        ta, tb = sents[a].turn, sents[b].turn
        ra, rb = spans[ta], spans[tb]
        if ta != tb and ra.stop - 1 < rb.start and _same_turn_text(sents, ra, rb):
            sim = group(ra.start, ra.stop - 1, rb.start, rb.stop - 1)
            if sim is not None:
                add(ra.start, ra.stop - 1, rb.start, rb.stop - 1, sim)

    def step(a: int, b: int, direction: int, a_limit: int, b_limit: int) -> tuple[int, int] | None:
        """Extend by one group of sentences from (a, b) in ``direction``; the new far ends, or None."""
        steps = [(1, 1), (2, 1), (1, 2), (3, 1), (1, 3)]
        ta, tb = (
            sents[a + direction].turn if 0 <= a + direction < len(sents) else -1,
            (sents[b + direction].turn if 0 <= b + direction < len(sents) else -1),
        )
        at_edge = (
            direction > 0 and a + 1 == spans[max(ta, 0)].start and b + 1 == spans[max(tb, 0)].start
        ) or (direction < 0 and a == spans[max(ta, 0)].stop and b == spans[max(tb, 0)].stop)
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
            sim = group(lo_a, hi_a, lo_b, hi_b)
            if sim is not None and not short_turns_off_base(lo_a, hi_a, lo_b, hi_b):
                add(lo_a, hi_a, lo_b, hi_b, sim)
                return a_far, b_far
        return None

    def short_turns_off_base(a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> bool:
        """A separate short turn ("No.") next to a run joins it only on the run's own time offset:
        "No." after both copies of a glued sentence is a coincidence, not part of the copy."""
        members = (*range(a_lo, a_hi + 1), *range(b_lo, b_hi + 1))
        if any(len(sents[g].words) >= MIN_ANCHOR_WORDS for g in members):
            return False
        x, y = sents[a_lo], sents[b_lo]
        if x.index != 0 or y.index != 0:
            return False  # inside a turn that is already part of the run
        ta, tb = turns[x.turn].start_ms, turns[y.turn].start_ms
        base = _offsets_of(pairs, sents, turns)
        if ta is None or tb is None or not base:
            return True
        return abs((tb - ta) - statistics.median(base)) > SHORT_OFFSET_TOLERANCE_MS

    # gaps between consecutive pairs, then the two ends
    ordered = sorted(pairs)
    for (a1, b1), (a2, b2) in itertools.pairwise(ordered):
        if a2 - a1 > 1 and b2 - b1 > 1 and (a2 - a1) <= 2 * MAX_STEP and (b2 - b1) <= 2 * MAX_STEP:
            sim = group(a1 + 1, a2 - 1, b1 + 1, b2 - 1)
            if sim is not None:
                add(a1 + 1, a2 - 1, b1 + 1, b2 - 1, sim)
    # extend at both ends, backwards first and forwards first: a repeated short turn ("Not at all.") can
    # align either way; the alignment whose pairs keep one time offset is the copy
    base = dict(pairs)
    variants: list[tuple[int, int, dict[tuple[int, int], float]]] = []
    for backwards_first in (True, False):
        pairs = dict(base)
        for direction in (-1, 1) if backwards_first else (1, -1):
            if direction < 0:
                a_max = max(a for a, _ in pairs)
                a, b = min(pairs, key=lambda p: (p[1], p[0]))
                while (nxt := step(a, b, -1, 0, a_max)) is not None:
                    a, b = nxt
            else:
                b_min = min(b for _, b in pairs)
                a, b = max(pairs, key=lambda p: (p[1], p[0]))
                while (nxt := step(a, b, 1, b_min, len(sents))) is not None:
                    a, b = nxt
        variants.append((_offset_spread(pairs, sents, turns), len(variants), pairs))
    pairs = min(variants, key=lambda v: (v[0], v[1]))[2]
    run.pairs = sorted(((a, b, sim) for (a, b), sim in pairs.items()), key=lambda p: (p[1], p[0]))


def _offsets_of(
    pairs: dict[tuple[int, int], float], sents: Sequence[Sentence], turns: Sequence[Turn]
) -> list[int]:
    """Time offsets between the paired sentences that start timed turns on both sides."""
    offsets = []
    for a, b in pairs:
        x, y = sents[a], sents[b]
        ta, tb = turns[x.turn].start_ms, turns[y.turn].start_ms
        if x.index == 0 and y.index == 0 and ta is not None and tb is not None:
            offsets.append(tb - ta)
    return offsets


def _offset_spread(
    pairs: dict[tuple[int, int], float], sents: Sequence[Sentence], turns: Sequence[Turn]
) -> int:
    """How far apart the time offsets of the paired turn starts are (0 = one constant offset)."""
    offsets = _offsets_of(pairs, sents, turns)
    return max(offsets) - min(offsets) if offsets else 0


def _offsets(run: DuplicateRun, sents: Sequence[Sentence], turns: Sequence[Turn]) -> None:
    for a, b, _ in run.pairs:
        x, y = sents[a], sents[b]
        ta, tb = turns[x.turn].start_ms, turns[y.turn].start_ms
        if x.index == 0 and y.index == 0 and ta is not None and tb is not None:
            run.offsets.append((x.turn, y.turn, tb - ta))
    if run.offsets:
        run.offset_ms = int(statistics.median(o for _, _, o in run.offsets))


def _decide(
    run: DuplicateRun,
    sents: Sequence[Sentence],
    turns: Sequence[Turn],
    timing: Timing,
    spans: Sequence[range],
    decided: Sequence[DuplicateRun] = (),
) -> None:
    """Keep the first copy unless the later one is clearly cheaper, with the ``decided`` runs' removals
    already applied (a copy another run removes must not price this one)."""
    lo, hi = _window(run, sents, turns)
    run.glued_first = _glued(sents, [a for a, _, _ in run.pairs])
    run.glued_second = _glued(sents, [b for _, b, _ in run.pairs])
    crossed = _crossed(run, sents, turns, spans)
    if crossed is not None:
        # one copy under another speaker's name, at the edge of that speaker's own words: a paste glued
        # to the wrong turn, whatever the timeline says (its timestamp is that other turn's)
        run.keep_first = crossed
        run.cost_keep_first = run.cost_keep_second = 0.0
        return
    if _within_one_turn(run, sents):
        # both copies inside one turn: either removal leaves that turn the same words, so the timeline
        # cannot choose (and pricing it, text rebuilt per run, was quadratic in a long repetitive turn)
        run.cost_keep_first = GLUED_COST * run.glued_first
        run.cost_keep_second = GLUED_COST * run.glued_second
        run.keep_first = not (run.cost_keep_second + KEEP_LATER_MARGIN < run.cost_keep_first)
        return
    run.keep_first = True
    run.cost_keep_first = sequence_cost(timing, _local(run, sents, turns, timing, lo, hi, spans, decided))
    run.cost_keep_first += GLUED_COST * run.glued_first
    run.keep_first = False
    run.cost_keep_second = sequence_cost(timing, _local(run, sents, turns, timing, lo, hi, spans, decided))
    run.cost_keep_second += GLUED_COST * run.glued_second
    run.keep_first = not (run.cost_keep_second + KEEP_LATER_MARGIN < run.cost_keep_first)


def _crossed(
    run: DuplicateRun, sents: Sequence[Sentence], turns: Sequence[Turn], spans: Sequence[range]
) -> bool | None:
    """For a run whose copies carry different speakers: keep the first copy (``True``) when the second sits
    inside a turn that has other words of its own, the second (``False``) in the mirror case; ``None``
    when the speakers agree or neither copy is glued to another turn's words."""
    first_turns = {sents[a].turn for a, _, _ in run.pairs}
    second_turns = {sents[b].turn for _, b, _ in run.pairs}
    if {turns[t].speaker for t in first_turns} == {turns[t].speaker for t in second_turns}:
        return None

    def glued(members: set[int], copies: list[int]) -> bool:  # the turn holds more than the copy
        own = set(copies)
        return any(g not in own for t in members for g in spans[t])

    second_glued = glued(second_turns, [b for _, b, _ in run.pairs])
    first_glued = glued(first_turns, [a for a, _, _ in run.pairs])
    if second_glued and not first_glued:
        return True
    if first_glued and not second_glued:
        return False
    return None


def _within_one_turn(run: DuplicateRun, sents: Sequence[Sentence]) -> bool:
    turn = sents[run.pairs[0][0]].turn
    return all(sents[a].turn == turn and sents[b].turn == turn for a, b, _ in run.pairs)


def _window(run: DuplicateRun, sents: Sequence[Sentence], turns: Sequence[Turn]) -> tuple[int, int]:
    """The turns whose timing prices a run's choice: its copies and ``CONTEXT_TURNS`` around them."""
    lo = max(0, min(sents[a].turn for a, _, _ in run.pairs) - CONTEXT_TURNS)
    hi = min(len(turns), max(sents[b].turn for _, b, _ in run.pairs) + CONTEXT_TURNS + 1)
    return lo, hi


def _glued(sents: Sequence[Sentence], members: Sequence[int]) -> int:
    """Turns whose part in a copy is glued after other text (so the copy has no timestamp of its own)."""
    by_turn: dict[int, set[int]] = {}
    for g in members:
        by_turn.setdefault(sents[g].turn, set()).add(sents[g].index)
    return sum(1 for idx in by_turn.values() if 0 not in idx)


def _local(
    run: DuplicateRun,
    sents: Sequence[Sentence],
    turns: Sequence[Turn],
    timing: Timing,
    lo: int,
    hi: int,
    spans: Sequence[range],
    decided: Sequence[DuplicateRun] = (),
) -> list[Turn]:
    removals = _removals([*decided, run], sents, turns, spans)
    local = [replace(r, turn=r.turn - lo) for r in removals if lo <= r.turn < hi]
    new, _ = apply_removals(turns[lo:hi], local, timing)
    return new


def _removals(
    runs: Sequence[DuplicateRun], sents: Sequence[Sentence], turns: Sequence[Turn], spans: Sequence[range]
) -> list[Removal]:
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
        total = len(spans[turn])
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
        pieces = [t.text[a:b] for a, b in sentence_spans(t.text)]  # the words are not needed here
        gone = set(r.sentences)
        first_kept = next((k for k in range(len(pieces)) if k not in gone), len(pieces))
        lead = " ".join(pieces[:first_kept])
        start = t.start_ms
        if lead and start is not None:
            start = start + timing.expected_ms(replace(t, text=lead))
            if t.end_ms is not None:  # the turn still ends where it did; its start cannot pass the end
                start = min(start, t.end_ms)
        index.append(len(out))
        source = t.source_start_ms if t.source_start_ms is not None else t.start_ms
        keep = [p for k, p in enumerate(pieces) if k not in gone]
        out.append(replace(t, text=join_sentences(keep), start_ms=start, source_start_ms=source))
    return out, index


def find_duplicates(
    turns: Sequence[Turn], timing: Timing
) -> tuple[list[DuplicateRun], list[Removal], list[Sentence]]:
    """The duplicate runs of ``turns`` (decided), the removals they imply, and the sentences searched."""
    sents = _sentences(turns)
    spans: list[range] = []
    for g, snt in enumerate(sents):
        while len(spans) <= snt.turn:
            spans.append(range(g, g))
        spans[snt.turn] = range(spans[snt.turn].start, g + 1)
    while len(spans) < len(turns):
        spans.append(range(len(sents), len(sents)))
    runs = _runs(_anchors(sents, turns), sents)
    accepted: list[DuplicateRun] = []
    removing: dict[int, set[int]] = {}  # turn -> the accepted runs that remove sentences from it
    claimed: set[int] = set()
    for run in runs:
        _fill(run, sents, turns, spans)
        # a sentence can be removed once and cannot be both a kept and a removed copy
        run.pairs = [(a, b, s) for a, b, s in run.pairs if a not in claimed and b not in claimed]
        if sum(len(sents[b].words) for b in {b for _, b, _ in run.pairs}) < MIN_RUN_WORDS:
            continue
        if len(run.pairs) == 1 and not _lone_copy(sents[run.pairs[0][0]], sents[run.pairs[0][1]]):
            continue
        _offsets(run, sents, turns)
        # only the decided runs that remove something inside this run's window can change its price:
        # looked up by turn, so many copies of one sentence cost linear time, not quadratic
        lo, hi = _window(run, sents, turns)
        if _within_one_turn(run, sents):
            near: list[int] = []  # not priced against the timeline (see _decide)
        else:
            near = sorted({k for t in range(lo, hi) for k in removing.get(t, ())})
        _decide(run, sents, turns, timing, spans, [accepted[k] for k in near])
        for a, b, _ in run.pairs:
            claimed.update((a, b))
        for gone, _, _ in run.removed():
            removing.setdefault(sents[gone].turn, set()).add(len(accepted))
        accepted.append(run)
    return accepted, _removals(accepted, sents, turns, spans), sents


def describe_run(run: DuplicateRun, turns: Sequence[Turn], sents_turn: dict[int, int]) -> str:
    """Why a copy was kept, in words (used in the report)."""
    first_lines = sorted({turns[sents_turn[a]].line for a, _, _ in run.pairs})
    second_lines = sorted({turns[sents_turn[b]].line for _, b, _ in run.pairs})
    kept, gone = (first_lines, second_lines) if run.keep_first else (second_lines, first_lines)
    which = "first" if run.keep_first else "later"
    other = "later" if run.keep_first else "first"
    c_kept, c_gone = run.cost_keep_first, run.cost_keep_second
    g_kept, g_gone = run.glued_first, run.glued_second
    if not run.keep_first:
        c_kept, c_gone, g_kept, g_gone = c_gone, c_kept, g_gone, g_kept
    parts = [f"kept the {which} copy (lines {_span(kept)}) over the {other} (lines {_span(gone)})"]
    if run.offset_ms:
        parts.append(f"the copies' timestamps are {(abs(run.offset_ms) + 500) // 1000} s apart")
    if c_kept <= c_gone:
        why = "its timestamps fit the surrounding turns at the speakers' rates"
        if g_gone > g_kept:
            why += f", while part of the {other} copy is glued to the end of another turn without a timestamp"
        parts.append(f"{why} (cost {c_kept:.1f} against {c_gone:.1f})")
    else:
        parts.append(
            f"the {other} copy fits the timeline no clearly better (cost {c_gone:.1f} against {c_kept:.1f}), "
            "so the first copy, which the transcript gives first, is kept"
        )
    return "; ".join(parts)


def _span(lines: Sequence[int]) -> str:
    if not lines:
        return "-"
    return f"{lines[0]}" if len(lines) == 1 else f"{lines[0]}-{lines[-1]}"
