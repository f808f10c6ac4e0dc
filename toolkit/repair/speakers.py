"""Speaker variants: "Lavrov" / "Sergey Lavrov" / "SERGEY LAVROV" / "Sergei Lavrov" are one speaker.

Three rules, applied in order, each a row of :data:`MERGE_RULES` in the report:

``spelling``
    Names equal once case, punctuation, spacing and titles ("Mr.", "Minister") are ignored.
``typo``
    Names with the same number of words that differ in one word by one edit (two for words of 7+ letters),
    when that word has 5+ letters in a one-word name, the variant is the rarer spelling and the two never
    mostly answer each other (two people talking alternate; one person's misspelt label does not).
``short-form``
    A name whose words are all words of exactly one longer name ("Lavrov" -> "Sergey Lavrov"). When two
    longer names contain it ("Sergey" with "Sergey Lavrov" and "Sergey Ivanov") nothing is merged, and a
    generational suffix ("Jr") is never dropped.

Two different full names are never merged with each other unless they are typos of each other. A mapping
(``--speakers``) overrides all three rules for the names it lists.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import DamerauLevenshtein

from ..errors import InputError, ParseError
from ..io import read_text

__all__ = ["MERGE_RULES", "SpeakerMerge", "load_speaker_map", "name_tokens", "plan_speakers"]

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
MERGE_RULES: dict[str, str] = {
    "mapping": "given in the --speakers mapping",
    "spelling": "same name apart from case, punctuation, spacing or a title",
    "typo": "a one-letter misspelling of the more frequent name",
    "short-form": "the only longer name that contains it",
}
MIN_TYPO_LETTERS_SINGLE = 5  # one-word names shorter than this are never typo-merged (Mark / Mary)
MAX_ALTERNATIONS = 2  # two names next to each other more often than this (and mostly) are two people

_TOKEN = re.compile(r"[\w'’-]+")


@dataclass(frozen=True, slots=True)
class SpeakerMerge:
    variant: str
    canonical: str
    rule: str  # a key of MERGE_RULES
    lines: tuple[int, ...]

    @property
    def reason(self) -> str:
        return f"{self.variant!r} -> {self.canonical!r}: {MERGE_RULES[self.rule]}"


_DIGITS = re.compile(r"\d+")


def name_tokens(name: str) -> tuple[str, ...]:
    """The words of a speaker name, case-folded, without titles (unless the name is only titles)."""
    words = tuple(w.replace("’", "'").strip("'-") for w in _TOKEN.findall(name.casefold()))
    words = tuple(w for w in words if w)
    core = tuple(w for w in words if w not in TITLES)
    return core or words


def _token_close(a: str, b: str) -> bool:
    if a == b:
        return True
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return False  # identifiers ("FEE013", "FEE016", "spk2"): a different number is a different person
    limit = 2 if min(len(a), len(b)) >= 7 else 1
    return min(len(a), len(b)) >= 4 and DamerauLevenshtein.distance(a, b) <= limit


def _typo_pair(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if len(a) != len(b) or a == b:
        return False
    differing = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if len(differing) != 1:
        return False
    x, y = differing[0]
    if len(a) == 1 and min(len(x), len(y)) < MIN_TYPO_LETTERS_SINGLE:
        return False
    return _token_close(x, y)


def _contains(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
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


MAX_TYPO_FAMILY = 8  # more names than this sharing a spelling up to two edits: not typos of one name


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` with up to ``depth`` letters deleted (symmetric-delete neighbours: two words within that
    Damerau-Levenshtein distance share one)."""
    out, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def _typo_candidates(keys: Sequence[tuple[str, ...]]) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Pairs of keys of the same length that differ in one word whose spellings are within two edits:
    every pair :func:`_typo_pair` can accept, found through an index of word deletions."""
    buckets: dict[tuple[int, tuple[str, ...], str], list[tuple[str, ...]]] = {}
    for key in keys:
        for pos, word in enumerate(key):
            rest = key[:pos] + key[pos + 1 :]
            for variant in _deletions(word, 2 if len(word) >= 7 else 1):
                buckets.setdefault((pos, rest, variant), []).append(key)
    pairs: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    for members in buckets.values():
        # a typo is a rare variant; dozens of names one edit apart are a numbering ("Guest01", "Guest02")
        if 1 < len(members) <= MAX_TYPO_FAMILY:
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :] if a != b)
    return pairs


class _WordIndex:
    """Keys by word and by first letter, to find the longer names a short one may be contained in."""

    def __init__(self, keys: Iterable[tuple[str, ...]]) -> None:
        self.by_word: dict[str, set[tuple[str, ...]]] = {}
        self.by_initial: dict[str, set[tuple[str, ...]]] = {}
        for key in keys:
            for w in key:
                self.by_word.setdefault(w, set()).add(key)
                if w:
                    self.by_initial.setdefault(w[0], set()).add(key)

    def candidates(self, key: tuple[str, ...]) -> set[tuple[str, ...]]:
        """Keys holding every word of ``key`` (a one-letter word: a word with that initial)."""
        sets = [self.by_initial.get(w, set()) if len(w) == 1 else self.by_word.get(w, set()) for w in key]
        if not sets:
            return set()
        sets.sort(key=len)
        out = set(sets[0])
        for other in sets[1:]:
            out &= other
        return out


def _display(names: Counter[str], first_seen: Mapping[str, int]) -> str:
    """The spelling to show: most words, most letters, not all capitals, most frequent, earliest."""

    def key(n: str) -> tuple[int, int, bool, int, int]:
        tokens = name_tokens(n)
        return (-len(tokens), -len("".join(tokens)), n.isupper(), -names[n], first_seen[n])

    return min(names, key=key)


def plan_speakers(
    labels: Sequence[tuple[str | None, int]],
    mapping: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], list[SpeakerMerge]]:
    """Decide which speaker labels are one speaker.

    ``labels`` are ``(speaker, line)`` per turn in order. Returns ``{label: canonical}`` for every label
    that changes, and one :class:`SpeakerMerge` per variant merged (in order of first appearance).
    """
    counts: Counter[str] = Counter()
    lines: dict[str, list[int]] = {}
    first_seen: dict[str, int] = {}
    for k, (name, line) in enumerate(labels):
        if name is None:
            continue
        counts[name] += 1
        lines.setdefault(name, []).append(line)
        first_seen.setdefault(name, k)
    result: dict[str, str] = {}
    merges: list[SpeakerMerge] = []

    def record(variant: str, canonical: str, rule: str) -> None:
        if variant != canonical:
            result[variant] = canonical
            merges.append(SpeakerMerge(variant, canonical, rule, tuple(lines[variant])))

    # 1. the mapping, exact label first, then the same name in another spelling
    pinned: set[str] = set()
    if mapping:
        by_tokens = {name_tokens(k): v for k, v in mapping.items()}
        for name in counts:
            target = mapping.get(name, by_tokens.get(name_tokens(name)))
            if target is not None:
                pinned.add(name)
                record(name, target, "mapping")
    free = [n for n in counts if n not in pinned]
    targets = sorted(set(mapping.values()) - set(free)) if mapping else []

    # 2. spelling groups
    groups: dict[tuple[str, ...], Counter[str]] = {}
    for n in free:
        groups.setdefault(name_tokens(n), Counter())[n] = counts[n]
    for t in targets:  # mapping targets take part as names other labels can merge into
        groups.setdefault(name_tokens(t), Counter())
    rep: dict[tuple[str, ...], tuple[str, ...]] = {k: k for k in groups}  # union-find over token keys

    def find(k: tuple[str, ...]) -> tuple[str, ...]:
        while rep[k] != k:
            k = rep[k]
        return k

    adjacency: Counter[frozenset[tuple[str, ...]]] = Counter()
    neighbours: Counter[tuple[str, ...]] = Counter()  # turns next to a turn of another name
    previous: tuple[str, ...] | None = None
    free_tokens = {n: name_tokens(n) for n in free}  # once per label, not once per turn
    for name, _ in labels:
        key = free_tokens.get(name) if name is not None else None
        if key is not None and previous is not None and key != previous:
            adjacency[frozenset((key, previous))] += 1
            neighbours[key] += 1
            neighbours[previous] += 1
        previous = key

    def talk_to_each_other(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
        """Two names whose turns are mostly next to each other's (for both) are two people talking."""
        n = adjacency[frozenset((a, b))]
        return n > MAX_ALTERNATIONS and 2 * n > max(neighbours[a], neighbours[b])

    def weight(k: tuple[str, ...]) -> int:
        return sum(groups[k].values())

    # 3. typos: the rarer spelling joins the more frequent one (pairs come from an index, so thousands of
    # speakers cost thousands of lookups, not millions of comparisons)
    keys = sorted(groups, key=lambda k: (-weight(k), k))
    order = {k: i for i, k in enumerate(keys)}
    pairs = {(a, b) if order[a] < order[b] else (b, a) for a, b in _typo_candidates(keys)}
    for a, b in sorted(pairs, key=lambda ab: (order[ab[0]], order[ab[1]])):  # the order of all pairs
        if find(a) == find(b) or not _typo_pair(a, b):
            continue
        if talk_to_each_other(a, b):
            continue
        if weight(b) > weight(a) and weight(a) > 0:
            continue
        rep[find(b)] = find(a)
    # 4. short forms: merge into the unique cluster with a longer name containing it
    clusters: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for gkey in groups:
        clusters.setdefault(find(gkey), []).append(gkey)
    containing = _WordIndex(groups)
    for key in sorted(groups, key=len):
        if find(key) != key or (len(clusters[key]) > 1 and any(len(m) > len(key) for m in clusters[key])):
            continue
        if any(name_tokens(t) == key for t in targets):
            continue  # a name the mapping gives is never merged into another
        homes = {find(m) for m in containing.candidates(key) if find(m) != find(key) and _contains(key, m)}
        if len(homes) != 1:
            continue
        home = homes.pop()
        if any(talk_to_each_other(key, m) for m in clusters[home]):
            continue
        rep[find(key)] = home
        clusters[home].extend(clusters.pop(key))
    # canonical spelling per cluster and the rule that brought each label in
    members: dict[tuple[str, ...], Counter[str]] = {}
    for gkey, names in groups.items():
        members.setdefault(find(gkey), Counter()).update(names)
    for root, names in members.items():
        target_names = [t for t in targets if find(name_tokens(t)) == root]
        if target_names:
            canonical = target_names[0]
        elif names:
            longest = max(len(name_tokens(n)) for n in names)
            full = Counter({n: c for n, c in names.items() if len(name_tokens(n)) == longest})
            canonical = _display(full, first_seen)
        else:
            continue
        ctokens = name_tokens(canonical)
        for n in sorted(names, key=lambda n: first_seen[n]):
            toks = name_tokens(n)
            if n == canonical:
                continue
            if toks == ctokens:
                rule = "spelling"
            elif len(toks) == len(ctokens):
                rule = "typo"
            elif _contains(toks, ctokens):
                rule = "short-form"
            else:
                rule = "typo"  # a short form of a typo variant
            record(n, canonical, rule)
    merges.sort(key=lambda m: m.lines[0] if m.lines else 0)
    return result, merges


def load_speaker_map(path: str | Path) -> dict[str, str]:
    """Read a ``--speakers`` mapping: a JSON object, or lines ``variant = Name`` (also ``->``, ``:``, tab)."""
    text, _ = read_text(path)
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            msg = f"speaker mapping is not valid JSON: {exc.msg}"
            raise ParseError(msg, path=str(path), line=exc.lineno) from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ParseError("speaker mapping must be a JSON object of names to names", path=str(path))
        return {k.strip(): v.strip() for k, v in data.items()}
    out: dict[str, str] = {}
    for n, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^(.+?)\s*(?:->|=>|=|\t|:)\s*(.+)$", line)
        if not m or not m[1].strip() or not m[2].strip():
            raise ParseError("expected 'variant = Name'", path=str(path), line=n, snippet=line)
        out[m[1].strip()] = m[2].strip()
    if not out:
        raise InputError("speaker mapping is empty", path=str(path))
    return out
