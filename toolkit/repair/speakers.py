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

Step 1 of the repair stage (:mod:`toolkit.repair.stage`): :func:`plan_speakers` decides the merges, using
the name comparisons of :mod:`~toolkit.repair.speaker_names`; :func:`load_speaker_map` reads a mapping. The
thresholds are :class:`~toolkit.repair.params.RepairParams` fields (``max_alternations`` and the typo ones).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, ParseError
from ..io import read_text, valid_text
from .params import DEFAULT_PARAMS, RepairParams
from .speaker_names import (
    NameKey,
    WordIndex,
    is_short_form,
    is_typo_pair,
    name_tokens,
    typo_candidate_pairs,
)

__all__ = ["MERGE_RULES", "SpeakerMerge", "load_speaker_map", "name_tokens", "plan_speakers"]

MERGE_RULES: dict[str, str] = {
    "mapping": "given in the --speakers mapping",
    "spelling": "same name apart from case, punctuation, spacing or a title",
    "typo": "a one-letter misspelling of the more frequent name",
    "short-form": "the only longer name that contains it",
}


@dataclass(frozen=True, slots=True)
class SpeakerMerge:
    variant: str
    canonical: str
    rule: str  # a key of MERGE_RULES
    lines: tuple[int, ...]

    @property
    def reason(self) -> str:
        return f"{self.variant!r} -> {self.canonical!r}: {MERGE_RULES[self.rule]}"


def _display(names: Counter[str], first_seen: Mapping[str, int]) -> str:
    """The spelling to show: most words, most letters, not all capitals, most frequent, earliest."""

    def key(n: str) -> tuple[int, int, bool, int, int]:
        tokens = name_tokens(n)
        return (-len(tokens), -len("".join(tokens)), n.isupper(), -names[n], first_seen[n])

    return min(names, key=key)


@dataclass(frozen=True, slots=True)
class _Labels:
    """How often each label occurs, on which lines, and the turn it first appears in."""

    counts: Counter[str]
    lines: dict[str, list[int]]
    first_seen: dict[str, int]

    @classmethod
    def of(cls, labels: Sequence[tuple[str | None, int]]) -> _Labels:
        counts: Counter[str] = Counter()
        lines: dict[str, list[int]] = {}
        first_seen: dict[str, int] = {}
        for k, (name, line) in enumerate(labels):
            if name is None:
                continue
            counts[name] += 1
            lines.setdefault(name, []).append(line)
            first_seen.setdefault(name, k)
        return cls(counts, lines, first_seen)


class _Clusters:
    """Union-find over spelling groups: the groups found to be one speaker."""

    def __init__(self, keys: Iterable[NameKey]) -> None:
        self.parent: dict[NameKey, NameKey] = {k: k for k in keys}

    def find(self, k: NameKey) -> NameKey:
        while self.parent[k] != k:
            k = self.parent[k]
        return k

    def join(self, k: NameKey, into: NameKey) -> None:
        """Put ``k``'s cluster under ``into``'s."""
        self.parent[self.find(k)] = self.find(into)


@dataclass(frozen=True, slots=True)
class _Alternation:
    """How often the names' turns are next to each other's: two people talking alternate."""

    adjacency: Counter[frozenset[NameKey]]  # turns of one name next to a turn of the other
    neighbours: Counter[NameKey]  # turns next to a turn of another name

    @classmethod
    def of(cls, labels: Sequence[tuple[str | None, int]], tokens: Mapping[str, NameKey]) -> _Alternation:
        adjacency: Counter[frozenset[NameKey]] = Counter()
        neighbours: Counter[NameKey] = Counter()
        previous: NameKey | None = None
        for name, _ in labels:
            key = tokens.get(name) if name is not None else None
            if key is not None and previous is not None and key != previous:
                adjacency[frozenset((key, previous))] += 1
                neighbours[key] += 1
                neighbours[previous] += 1
            previous = key
        return cls(adjacency, neighbours)

    def talk_to_each_other(self, a: NameKey, b: NameKey, p: RepairParams) -> bool:
        """Two names whose turns are next to each other's more than ``max_alternations`` times and mostly
        (for both) are two people talking."""
        n = self.adjacency[frozenset((a, b))]
        return n > p.max_alternations and 2 * n > max(self.neighbours[a], self.neighbours[b])


def plan_speakers(
    labels: Sequence[tuple[str | None, int]],
    mapping: Mapping[str, str] | None = None,
    params: RepairParams | None = None,
) -> tuple[dict[str, str], list[SpeakerMerge]]:
    """Decide which speaker labels are one speaker.

    ``labels`` are ``(speaker, line)`` per turn in order. Returns ``{label: canonical}`` for every label
    that changes, and one :class:`SpeakerMerge` per variant merged (in order of first appearance).
    ``params`` tune the merge rules (:data:`~toolkit.repair.params.DEFAULT_PARAMS` when not given).
    """
    p = params if params is not None else DEFAULT_PARAMS
    seen = _Labels.of(labels)
    # 1. the mapping, exact label first, then the same name in another spelling
    mapped = _mapped(seen.counts, mapping) if mapping else {}
    free = [n for n in seen.counts if n not in mapped]
    targets = sorted(set(mapping.values()) - set(free)) if mapping else []
    # 2. spelling groups; mapping targets take part as names other labels can merge into
    groups: dict[NameKey, Counter[str]] = {}
    for n in free:
        groups.setdefault(name_tokens(n), Counter())[n] = seen.counts[n]
    for t in targets:
        groups.setdefault(name_tokens(t), Counter())
    clusters = _Clusters(groups)
    alternation = _Alternation.of(labels, {n: name_tokens(n) for n in free})  # tokens once per label
    # 3. typos, 4. short forms
    _merge_typos(groups, clusters, alternation, p)
    _merge_short_forms(groups, clusters, alternation, targets, p)
    result: dict[str, str] = {}
    merges: list[SpeakerMerge] = []
    decisions = [
        *((n, t, "mapping") for n, t in mapped.items()),
        *_cluster_names(groups, clusters, targets, seen),
    ]
    for variant, canonical, rule in decisions:
        if variant != canonical:
            result[variant] = canonical
            merges.append(SpeakerMerge(variant, canonical, rule, tuple(seen.lines[variant])))
    merges.sort(key=lambda m: m.lines[0] if m.lines else 0)
    return result, merges


def _mapped(counts: Counter[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """The labels the mapping names, exactly or in another spelling, with the name it gives them."""
    by_tokens = {name_tokens(k): v for k, v in mapping.items()}
    out: dict[str, str] = {}
    for name in counts:
        target = mapping.get(name, by_tokens.get(name_tokens(name)))
        if target is not None:
            out[name] = target
    return out


def _weight(groups: Mapping[NameKey, Counter[str]], k: NameKey) -> int:
    """How many turns the spelling group ``k`` has."""
    return sum(groups[k].values())


def _merge_typos(
    groups: Mapping[NameKey, Counter[str]], clusters: _Clusters, alternation: _Alternation, p: RepairParams
) -> None:
    """The rarer spelling joins the more frequent one (pairs come from an index, so thousands of speakers
    cost thousands of lookups, not millions of comparisons)."""
    keys = sorted(groups, key=lambda k: (-_weight(groups, k), k))
    order = {k: i for i, k in enumerate(keys)}
    pairs = {(a, b) if order[a] < order[b] else (b, a) for a, b in typo_candidate_pairs(keys, p)}
    for a, b in sorted(pairs, key=lambda ab: (order[ab[0]], order[ab[1]])):  # the order of all pairs
        if clusters.find(a) == clusters.find(b) or not is_typo_pair(a, b, p):
            continue
        if alternation.talk_to_each_other(a, b, p):
            continue
        if _weight(groups, b) > _weight(groups, a) and _weight(groups, a) > 0:
            continue
        clusters.join(b, a)


def _merge_short_forms(
    groups: Mapping[NameKey, Counter[str]],
    clusters: _Clusters,
    alternation: _Alternation,
    targets: Sequence[str],
    p: RepairParams,
) -> None:
    """A short form joins the unique cluster with a longer name containing it."""
    members: dict[NameKey, list[NameKey]] = {}  # cluster root -> its spelling groups
    for gkey in groups:
        members.setdefault(clusters.find(gkey), []).append(gkey)
    containing = WordIndex(groups)
    for key in sorted(groups, key=len):
        if clusters.find(key) != key or (
            len(members[key]) > 1 and any(len(m) > len(key) for m in members[key])
        ):
            continue
        if any(name_tokens(t) == key for t in targets):
            continue  # a name the mapping gives is never merged into another
        homes = {
            clusters.find(m)
            for m in containing.candidates(key)
            if clusters.find(m) != clusters.find(key) and is_short_form(key, m)
        }
        if len(homes) != 1:
            continue
        home = homes.pop()
        if any(alternation.talk_to_each_other(key, m, p) for m in members[home]):
            continue
        clusters.join(key, home)
        members[home].extend(members.pop(key))


def _cluster_names(
    groups: Mapping[NameKey, Counter[str]], clusters: _Clusters, targets: Sequence[str], seen: _Labels
) -> list[tuple[str, str, str]]:
    """``(label, canonical, rule)`` for every label of every cluster: the canonical spelling per cluster
    (a mapping target, else the fullest name) and the rule that brought each label in."""
    members: dict[NameKey, Counter[str]] = {}
    for gkey, names in groups.items():
        members.setdefault(clusters.find(gkey), Counter()).update(names)
    out: list[tuple[str, str, str]] = []
    for root, names in members.items():
        target_names = [t for t in targets if clusters.find(name_tokens(t)) == root]
        if target_names:
            canonical = target_names[0]
        elif names:
            longest = max(len(name_tokens(n)) for n in names)
            full = Counter({n: c for n, c in names.items() if len(name_tokens(n)) == longest})
            canonical = _display(full, seen.first_seen)
        else:
            continue
        ctokens = name_tokens(canonical)
        for n in sorted(names, key=lambda n: seen.first_seen[n]):
            if n != canonical:
                out.append((n, canonical, _merge_rule(name_tokens(n), ctokens)))
    return out


def _merge_rule(toks: NameKey, ctokens: NameKey) -> str:
    """The :data:`MERGE_RULES` key for merging a name with words ``toks`` into one with ``ctokens``."""
    if toks == ctokens:
        return "spelling"
    if len(toks) == len(ctokens):
        return "typo"
    if is_short_form(toks, ctokens):
        return "short-form"
    return "typo"  # a short form of a typo variant


def load_speaker_map(path: str | Path) -> dict[str, str]:
    """Read a ``--speakers`` mapping: a JSON object, or lines ``variant = Name`` (also ``->``, ``:``, tab)."""
    text, _ = read_text(path)
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except RecursionError:
            raise ParseError("speaker mapping is nested too deep to be names", path=str(path)) from None
        except json.JSONDecodeError as exc:
            msg = f"speaker mapping is not valid JSON: {exc.msg}"
            raise ParseError(msg, path=str(path), line=exc.lineno) from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ParseError("speaker mapping must be a JSON object of names to names", path=str(path))
        # one line each, no lone surrogate (a "\\ud800" escape): a name goes into every caption
        return {" ".join(valid_text(k).split()): " ".join(valid_text(v).split()) for k, v in data.items()}
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
