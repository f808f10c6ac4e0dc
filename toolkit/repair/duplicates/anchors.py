"""The duplicate search itself: sentences matched to earlier ones ("anchors"), anchors grouped into runs.

Part 1 of :mod:`toolkit.repair.duplicates`. Each sentence of ``min_anchor_words``+ words is filed under
three keys (its whole normalised text, its first three and its last three words) and compared with
rapidfuzz against the earlier sentences under the same keys, by the same speaker, within
``window_sentences`` positions and ``window_ms`` of time. Each key is checked for at most ``max_checks``
recent entries, so the whole search is linear in the number of sentences. Whole turns with the same words
(punctuation aside) match too. Anchors that advance together (by at most ``max_step`` sentences on both
sides) form one :class:`DuplicateRun`. The settings are :class:`~toolkit.repair.params.RepairParams` fields.

Also here: :class:`SentenceIndex`, the sentences of the transcript that every later part works on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ...model import Turn
from ..params import RepairParams
from ..sentences import Sentence, split_sentences

__all__ = [
    "Anchor",
    "DuplicateRun",
    "SentenceIndex",
    "find_anchors",
    "group_runs",
]

Anchor = tuple[int, int, float]  # (earlier sentence, later sentence, similarity), as global indices


@dataclass(frozen=True, slots=True)
class SentenceIndex:
    """The sentences of a transcript, numbered globally in order, and which of them each turn holds."""

    turns: Sequence[Turn]
    sents: list[Sentence]
    spans: list[range]  # per turn: the global indices of its sentences

    @classmethod
    def of(cls, turns: Sequence[Turn]) -> SentenceIndex:
        sents: list[Sentence] = []
        for i, t in enumerate(turns):
            sents.extend(split_sentences(t.text, i))
        spans: list[range] = []
        for g, snt in enumerate(sents):
            while len(spans) <= snt.turn:
                spans.append(range(g, g))
            spans[snt.turn] = range(spans[snt.turn].start, g + 1)
        while len(spans) < len(turns):
            spans.append(range(len(sents), len(sents)))
        return cls(turns, sents, spans)


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
    keep_both: bool = False  # two speakers said it: not a copy (keep_choice.decide)

    def removed(self) -> list[tuple[int, int, float]]:
        """(removed sentence, kept sentence, similarity) pairs."""
        if self.keep_first:
            return [(b, a, s) for a, b, s in self.pairs]
        return [(a, b, s) for a, b, s in self.pairs]


def _similarity(x: Sentence, y: Sentence, p: RepairParams) -> float:
    """rapidfuzz ratio of the normalised texts; word-level near-misses ("you agree"/"you'd agree") pass."""
    if x.norm == y.norm:
        return 100.0
    ratio = fuzz.ratio(x.norm, y.norm)
    n = max(len(x.words), len(y.words))
    if ratio < p.min_ratio and n >= 5:
        changed = Levenshtein.distance(x.words, y.words)
        if changed <= max(1, n // 5):
            ratio = max(ratio, p.min_ratio)
    return float(ratio)


@dataclass(frozen=True, slots=True)
class _TurnFacts:
    """What the search looks up per turn."""

    words: dict[int, list[str]]  # the normalised words of each turn (turns without words are missing)
    last_index: dict[int, int]  # the index of each turn's last sentence
    speaker: list[str | None]
    start_ms: list[int | None]

    @classmethod
    def of(cls, ix: SentenceIndex) -> _TurnFacts:
        words: dict[int, list[str]] = {}
        last_index: dict[int, int] = {}
        for snt in ix.sents:
            words.setdefault(snt.turn, []).extend(snt.words)
        for snt in ix.sents:
            last_index[snt.turn] = max(last_index.get(snt.turn, 0), snt.index)
        return cls(words, last_index, [t.speaker for t in ix.turns], [t.start_ms for t in ix.turns])

    def turn_words(self, turn: int) -> list[str]:
        return self.words.get(turn, [])

    def at_edge(self, snt: Sentence) -> bool:
        """Among the first or last two sentences of its turn: where a pasted copy gets glued."""
        return snt.index <= 1 or snt.index >= self.last_index[snt.turn] - 1


def find_anchors(ix: SentenceIndex, p: RepairParams) -> list[Anchor]:
    """Each sentence matched to its most similar earlier sentence, and each turn to an earlier turn with the
    same words, sorted by the later sentence."""
    facts = _TurnFacts.of(ix)
    buckets: dict[str, list[int]] = {}  # key -> the sentences filed under it, in order
    turn_keys: dict[tuple[str | None, str], int] = {}  # whole turns, punctuation aside: sentences may merge
    anchors: list[Anchor] = []
    for g, s in enumerate(ix.sents):
        if s.index == 0:
            words = facts.turn_words(s.turn)
            if len(words) >= p.min_anchor_words:
                turn_key = (facts.speaker[s.turn], " ".join(words))
                h = turn_keys.get(turn_key)
                if h is not None and g - h <= p.window_sentences:
                    anchors.append((h, g, 100.0))
                turn_keys[turn_key] = g
        if len(s.words) < p.min_anchor_words:
            continue
        best = _best_earlier(ix.sents, facts, buckets, g, p)
        if best is not None:
            anchors.append((best[0], g, best[1]))
    return sorted(set(anchors), key=lambda x: (x[1], x[0]))


def _best_earlier(
    sents: Sequence[Sentence], facts: _TurnFacts, buckets: dict[str, list[int]], g: int, p: RepairParams
) -> tuple[int, float] | None:
    """The earlier sentence most like sentence ``g`` among the recent ones under its keys, with the
    similarity; files ``g`` under its keys."""
    s = sents[g]
    sw = s.words
    keys = ("=" + s.norm, "<" + " ".join(sw[:3]), ">" + " ".join(sw[-3:]))
    best: tuple[int, float] | None = None
    seen: set[int] = set()
    for key in keys:
        bucket = buckets.get(key)
        if bucket is None:  # a key not seen before: nothing to compare with
            buckets[key] = [g]
            continue
        for checked, h in enumerate(reversed(bucket)):
            if g - h > p.window_sentences or checked >= p.max_checks:
                break
            if h in seen:
                continue
            seen.add(h)
            sim = _match(facts, sents[h], s, p)
            if sim is not None and sim >= p.min_ratio and (best is None or sim > best[1]):
                best = (h, sim)
        bucket.append(g)
    return best


def _match(facts: _TurnFacts, o: Sentence, s: Sentence, p: RepairParams) -> float | None:
    """How similar the earlier sentence ``o`` is to ``s``; None when they cannot be copies (another
    speaker's echo, emphasis inside one turn, too far apart in time)."""
    n = len(s.words)
    if facts.speaker[o.turn] != facts.speaker[s.turn] and not (n >= p.min_glued_words and facts.at_edge(s)):
        return None  # another speaker's words: an echo, unless a long copy glued to a turn's edge
    if o.turn == s.turn and n < p.min_same_turn_words:
        return None
    t, ot = facts.start_ms[s.turn], facts.start_ms[o.turn]
    if t is not None and ot is not None and abs(t - ot) > p.window_ms:
        return None
    sim = _similarity(o, s, p)
    if sim < p.min_ratio and o.index == 0 and s.index == 0 and o.turn != s.turn:
        # two turns that start alike: the same turn with sentences merged or split?
        xw, yw = facts.turn_words(o.turn), facts.turn_words(s.turn)
        if Levenshtein.distance(xw, yw) <= max(1, max(len(xw), len(yw)) // 8):
            sim = float(p.min_ratio)
    return sim


def group_runs(anchors: list[Anchor], sents: Sequence[Sentence], p: RepairParams) -> list[DuplicateRun]:
    """Anchors grouped into runs: an anchor continues a recent run when both its sides advance a little
    (or by the same turn or two) and it stays before the run's second copy."""
    runs: list[DuplicateRun] = []
    open_runs: list[DuplicateRun] = []
    for a, b, sim in sorted(anchors, key=lambda x: (x[1], x[0])):
        home = None
        for run in reversed(open_runs[-p.open_runs :]):
            la, lb, _ = run.pairs[-1]
            first_b = run.pairs[0][1]
            step_turns = sents[a].turn - sents[la].turn
            same_turn_step = 0 < step_turns <= 2 and step_turns == sents[b].turn - sents[lb].turn
            close = 0 < b - lb <= p.max_step and 0 < a - la <= p.max_step
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
