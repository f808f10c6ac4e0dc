"""What speaker names look alike: the words of a name, typos of each other, short forms of each other.

The comparisons :mod:`toolkit.repair.speakers` merges by (step 1 of the repair stage): :func:`name_tokens`
(the ``spelling`` rule compares these), :func:`is_typo_pair` and :func:`typo_candidate_pairs` (``typo``),
:func:`is_short_form` and :class:`WordIndex` (``short-form``). Nothing here decides a merge. The typo
comparisons take the stage's :class:`~toolkit.repair.params.RepairParams` (``min_typo_letters_single``,
``max_typo_family``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import DamerauLevenshtein

from .params import RepairParams

__all__ = [
    "SUFFIXES",
    "TITLES",
    "NameKey",
    "WordIndex",
    "is_short_form",
    "is_typo_pair",
    "name_tokens",
    "typo_candidate_pairs",
]

# words left out of a name when comparing ("Mr. Lavrov", "Minister Lavrov"), unless the name is only these
TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "madam",
        "dame",
        "lord",
        "minister",
        "president",
        "senator",
        "ambassador",
        "general",
        "host",
        "interviewer",
        "secretary",
        "chancellor",
        "prime",
        "foreign",
    }
)
SUFFIXES = frozenset(["jr", "sr", "ii", "iii", "iv", "senior", "junior"])  # father and son are two people

_TOKEN = re.compile(r"[\w'’-]+")  # a word of a name
_DIGITS = re.compile(r"\d+")  # numbers in a name: identifiers ("spk2")


NameKey = tuple[str, ...]  # a name's words as name_tokens gives them: the names of one spelling group


def name_tokens(name: str) -> NameKey:
    """The words of a speaker name, case-folded, without titles (unless the name is only titles)."""
    words = tuple(w.replace("’", "'").strip("'-") for w in _TOKEN.findall(name.casefold()))
    words = tuple(w for w in words if w)
    core = tuple(w for w in words if w not in TITLES)
    return core or words


def _token_close(a: str, b: str) -> bool:
    """One word within one edit of the other (two for words of 7+ letters), both of 4+ letters."""
    if a == b:
        return True
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return False  # identifiers ("FEE013", "FEE016", "spk2"): a different number is a different person
    limit = 2 if min(len(a), len(b)) >= 7 else 1
    return min(len(a), len(b)) >= 4 and DamerauLevenshtein.distance(a, b) <= limit


def is_typo_pair(a: NameKey, b: NameKey, p: RepairParams) -> bool:
    """Same number of words, one of them a typo of the other (for a one-word name, a word of
    ``min_typo_letters_single``+ letters)."""
    if len(a) != len(b) or a == b:
        return False
    differing = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if len(differing) != 1:
        return False
    x, y = differing[0]
    if len(a) == 1 and min(len(x), len(y)) < p.min_typo_letters_single:
        return False
    return _token_close(x, y)


def is_short_form(short: NameKey, long: NameKey) -> bool:
    """Every word of ``short`` is a word of ``long`` (an initial matches a word with that first letter)."""
    if len(short) > len(long) or short == long or (set(long) & SUFFIXES) - set(short):
        return False
    if len(short) == len(long) and not any(len(w) == 1 for w in short):
        return False  # same length: only an initial makes it shorter ("S. Lavrov")
    pool = list(long)
    for w in short:
        hit = next((p for p in pool if p == w or (len(w) == 1 and p.startswith(w))), None)
        if hit is None:
            return False
        pool.remove(hit)
    return True


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` with up to ``depth`` letters deleted (symmetric-delete neighbours: two words within that
    Damerau-Levenshtein distance share one)."""
    out, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def typo_candidate_pairs(keys: Sequence[NameKey], p: RepairParams) -> set[tuple[NameKey, NameKey]]:
    """Pairs of keys of the same length that differ in one word whose spellings are within two edits:
    every pair :func:`is_typo_pair` can accept, found through an index of word deletions."""
    buckets: dict[tuple[int, NameKey, str], list[NameKey]] = {}
    for key in keys:
        for pos, word in enumerate(key):
            rest = key[:pos] + key[pos + 1 :]
            for variant in _deletions(word, 2 if len(word) >= 7 else 1):
                buckets.setdefault((pos, rest, variant), []).append(key)
    pairs: set[tuple[NameKey, NameKey]] = set()
    for members in buckets.values():
        # a typo is a rare variant; dozens of names one edit apart are a numbering ("Guest01", "Guest02")
        if 1 < len(members) <= p.max_typo_family:
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :] if a != b)
    return pairs


class WordIndex:
    """Keys by word and by first letter, to find the longer names a short one may be contained in."""

    def __init__(self, keys: Iterable[NameKey]) -> None:
        self.by_word: dict[str, set[NameKey]] = {}
        self.by_initial: dict[str, set[NameKey]] = {}
        for key in keys:
            for w in key:
                self.by_word.setdefault(w, set()).add(key)
                if w:
                    self.by_initial.setdefault(w[0], set()).add(key)

    def candidates(self, key: NameKey) -> set[NameKey]:
        """Keys holding every word of ``key`` (a one-letter word: a word with that initial)."""
        sets = [self.by_initial.get(w, set()) if len(w) == 1 else self.by_word.get(w, set()) for w in key]
        if not sets:
            return set()
        sets.sort(key=len)
        out = set(sets[0])
        for other in sets[1:]:
            out &= other
        return out
