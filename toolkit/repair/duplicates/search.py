"""The duplicate search start to end: :func:`find_duplicates`.

It runs the parts of :mod:`toolkit.repair.duplicates` in order: anchors and runs
(:mod:`~toolkit.repair.duplicates.anchors`), each run filled (:mod:`~toolkit.repair.duplicates.run_pairs`),
kept only when it is a real copy (``min_run_words``; a lone sentence by :func:`_lone_copy`), the copy
to keep decided (:mod:`~toolkit.repair.duplicates.keep_choice`), and the removals they imply
(:mod:`~toolkit.repair.duplicates.removal`). The settings are the
:class:`~toolkit.repair.params.RepairParams` the rate model carries (``timing.params``).
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ...model import Turn
from ..evidence import Timing
from ..params import RepairParams
from ..sentences import Sentence, normalise
from .anchors import DuplicateRun, SentenceIndex, find_anchors, group_runs
from .keep_choice import decide, record_offsets, window, within_one_turn
from .removal import Removal, removals_of
from .run_pairs import fill_run

__all__ = ["find_duplicates"]


def find_duplicates(
    turns: Sequence[Turn], timing: Timing
) -> tuple[list[DuplicateRun], list[Removal], list[Sentence]]:
    """The duplicate runs of ``turns`` (decided), the removals they imply, and the sentences searched; the
    settings are ``timing.params``."""
    p = timing.params
    ix = SentenceIndex.of(turns)
    sents = ix.sents
    accepted: list[DuplicateRun] = []
    removing: dict[int, set[int]] = {}  # turn -> the accepted runs that remove sentences from it
    claimed: set[int] = set()
    for run in group_runs(find_anchors(ix, p), sents, p):
        fill_run(run, ix, p)
        # a sentence can be removed once and cannot be both a kept and a removed copy
        run.pairs = [(a, b, s) for a, b, s in run.pairs if a not in claimed and b not in claimed]
        if not _is_copy(run, sents, p):
            continue
        record_offsets(run, ix)
        # only the decided runs that remove something inside this run's window can change its price:
        # looked up by turn, so many copies of one sentence cost linear time, not quadratic
        lo, hi = window(run, sents, turns, p)
        if within_one_turn(run, sents):
            near: list[int] = []  # not priced against the timeline (see keep_choice.decide)
        else:
            near = sorted({k for t in range(lo, hi) for k in removing.get(t, ())})
        decide(run, ix, timing, [accepted[k] for k in near])
        if run.keep_both:
            continue
        for a, b, _ in run.pairs:
            claimed.update((a, b))
        for gone, _, _ in run.removed():
            removing.setdefault(sents[gone].turn, set()).add(len(accepted))
        accepted.append(run)
    return accepted, removals_of(accepted, ix), sents


def _is_copy(run: DuplicateRun, sents: Sequence[Sentence], p: RepairParams) -> bool:
    """A filled run is a duplicate when its second copy has ``min_run_words`` words, and a lone
    sentence only when it reads as a copy (:func:`_lone_copy`)."""
    if sum(len(sents[b].words) for b in {b for _, b, _ in run.pairs}) < p.min_run_words:
        return False
    return not (len(run.pairs) == 1 and not _lone_copy(sents[run.pairs[0][0]], sents[run.pairs[0][1]], p))


def _lone_copy(x: Sentence, y: Sentence, p: RepairParams) -> bool:
    """A sentence that is a duplicate on its own, with no run around it, must read as a copy: at most
    ``max_lone_changes`` words added, dropped or replaced by a word that is not a near-miss of it.
    "It started seven years ago, when we met at the town hall" is another sentence than "It started forty
    years ago, when we met at the school gym", though four words in five are the same. Words are counted
    as written (between spaces): "de-escalate" heard as another word is one change, not two."""
    xw, yw = _written_words(x.text), _written_words(y.text)
    changes = 0
    for op in Levenshtein.editops(xw, yw):
        if op.tag == "replace" and fuzz.ratio(xw[op.src_pos], yw[op.dest_pos]) >= p.near_miss_ratio:
            continue
        changes += 1
    return changes <= p.max_lone_changes


def _written_words(text: str) -> list[str]:
    """The words of ``text`` as written between spaces, each normalised as a whole."""
    return [w for token in text.split() if (w := normalise(token))]
