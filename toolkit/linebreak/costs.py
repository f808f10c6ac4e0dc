"""Break quality: how good a place between two tokens is for a line break (or a cut between cues).

Breaks go after punctuation or before a conjunction or preposition and never between an article and its
noun, a first and last name, a pronoun and its verb, or a verb and its auxiliary or negation.
:func:`break_cost` scores the place between two tokens (lower is better); the line layout (:mod:`.lines`)
and the segmenter's cut search (:mod:`toolkit.segment`) use the same score, the segmenter through the
interned tables of :func:`token_key` and :func:`cut_costs_by_id` (it scores every place in a turn).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from operator import getitem
from typing import cast

from ..text import CLOSERS, is_sentence_end

__all__ = [
    "TokenInfo",
    "break_cost",
    "cut_costs",
    "cut_costs_by_id",
    "pair_costs",
    "token_info",
    "token_key",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ARTICLES = _words("a an the this these those my your his her its our their some any no every each another")
PREPOSITIONS = _words(
    """about above across after against along among around at before behind below beneath beside besides
    between beyond by despite down during except for from in inside into like near of off on onto out
    outside over past per through throughout to toward towards under underneath upon via with within
    without"""
)
CONJUNCTIONS = _words(
    """and but or nor so yet because although though while whereas if unless whether when whenever where
    wherever which who whom whose that than as since once until till"""
)
SUBJECT_PRONOUNS = _words("i you we they he she it")
AUXILIARIES = _words(
    "am is are was were be been being will would shall should can could may might must do does did have has"
    " had"
)
NEGATIONS = _words("not never n't")
TITLES = _words("mr. mrs. ms. dr. prof. st. mr mrs ms dr president minister secretary senator general prime")
NUMBERS = _words(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred"
    " hundreds thousand thousands million millions billion billions"
)

_NEUTRAL = 0.7  # a break between two content words (likely adjective + noun, adverb + adjective)

_STRIP = "\"'“”‘’()[]«».,;:!?…"  # quotes, brackets and punctuation around a word


def _bare(token: str) -> str:
    return token.strip(_STRIP).lower()


def _ends_clause(token: str) -> bool:
    core = token.rstrip(CLOSERS)
    return bool(core) and (core[-1] in ",;:，、；：" or core.endswith(("—", "–", "--")))


# what break costs need to know about a token: see _info
TokenInfo = tuple[int, float, float, bool, bool, bool, bool, bool]


@lru_cache(maxsize=65536)
def _info(token: str) -> TokenInfo:
    """Per-token parts of :func:`break_cost`: (kind, cost as a line end, cost as a line start, is a title,
    starts upper, ends with a letter, starts with a digit, starts with a letter); kind 2 = sentence end,
    1 = clause end, 3 = opening dash or bracket, 0 = other."""
    bare = _bare(token)
    kind = 2 if is_sentence_end(token) else 1 if _ends_clause(token) else 0
    if token.startswith(("—", "–", "--", "(", "[", "「", "『", "（", "【", "《")):
        kind = kind or 3
    as_left = 0.0
    if bare in ARTICLES:
        as_left = 4.0
    elif bare in PREPOSITIONS:
        as_left = 2.5
    elif bare in CONJUNCTIONS:
        as_left = 2.0
    elif bare in SUBJECT_PRONOUNS:
        as_left = 3.0
    elif bare in AUXILIARIES:
        as_left = 2.0
    as_right = -1.5 if bare in CONJUNCTIONS else -1.0 if bare in PREPOSITIONS else 0.0
    if bare in AUXILIARIES or bare in ARTICLES:
        as_right = -0.5  # "the missile launch / is taking place", "... / the people"
    if bare in NEGATIONS:
        as_right += 3.0
    return (
        kind,
        as_left,
        as_right,
        bare in TITLES,
        token[:1].isupper(),
        (token[-1:].isalpha() or token.endswith(".")) and bare != "i",
        bare[:1].isdigit() or bare in NUMBERS,
        token[:1].isalpha(),
    )


def break_cost(left: str, right: str) -> float:
    """How good a break between ``left`` and ``right`` is: negative = good, positive = bad, 0 = neutral."""
    return pair_costs([_info(left), _info(right)])[0]


token_info = _info  # what break costs need to know about a token (cached)


def pair_costs(infos: Sequence[TokenInfo]) -> list[float]:
    """:func:`break_cost` between each pair of consecutive tokens, from their :func:`token_info` values
    (one call for a whole turn: the segmenter's hot loop)."""
    out: list[float] = []
    append = out.append
    for left, right in pairwise(infos):
        lk, lcost, _, ltitle, lup, lword, ldigit, _ = left
        if lk == 2:
            append(-3.0)
            continue
        if lk == 1:
            append(-2.5)
            continue
        rk, _, rcost, _, rup, _, _, ralpha = right
        if rk == 3:
            append(-1.5)
            continue
        cost = rcost + lcost
        if cost == 0.0 and lk == 0 and rk == 0:
            cost = _NEUTRAL  # two content words ("normal / relations"): worse than a function-word break
        if lup and rup and lword:
            cost += 4.0 if ltitle else 3.0  # "Mr. Lavrov", first + last name, "United States"
        if ldigit and ralpha:
            cost += 2.0  # "10 / percent", "five / months"
        append(cost)
    return out


# what a token contributes to a break cost as the left and as the right token, interned: a few dozen
# kinds each, so the cost of a break is a table look-up (the segmenter scores every place in a turn)
_LEFT_IDS: dict[tuple[int, float, bool, bool, bool, bool], int] = {}
_RIGHT_IDS: dict[tuple[int, float, bool, bool], int] = {}
_LEFT_INFO: list[TokenInfo] = []
_RIGHT_INFO: list[TokenInfo] = []
_CUT_TABLES: dict[tuple[float, float], list[list[float | None]]] = {}  # per (sentence_cost, scale)


@lru_cache(maxsize=65536)
def token_key(token: str) -> tuple[int, int]:
    """Small ids for the token's role in :func:`break_cost` as the left and as the right token."""
    info = _info(token)
    kind, as_left, as_right, title, upper, word, digit, alpha = info
    left, right = (kind, as_left, title, upper, word, digit), (kind, as_right, upper, alpha)
    lid = _LEFT_IDS.get(left)
    if lid is None:
        lid = _LEFT_IDS[left] = len(_LEFT_INFO)
        _LEFT_INFO.append(info)
    rid = _RIGHT_IDS.get(right)
    if rid is None:
        rid = _RIGHT_IDS[right] = len(_RIGHT_INFO)
        _RIGHT_INFO.append(info)
    return lid, rid


def cut_costs_by_id(
    lids: Sequence[int], rids: Sequence[int], sentence_cost: float, scale: float
) -> list[float]:
    """:func:`cut_costs` for tokens whose :func:`token_key` values are ``zip(lids, rids)``."""
    n = len(lids)
    if n < 2:
        return []
    table = _CUT_TABLES.setdefault((sentence_cost, scale), [])
    width = len(_RIGHT_INFO)
    if len(table) < len(_LEFT_INFO):
        table.extend([None] * width for _ in range(len(_LEFT_INFO) - len(table)))
    if table and len(table[0]) < width:  # new right-hand kinds since the rows were made
        for row in table:
            row.extend([None] * (width - len(row)))
    # table[left][right] for each break, looked up in C (map) rather than in a Python loop
    out = list(map(getitem, map(table.__getitem__, lids[: n - 1]), rids[1:]))
    if None in out:  # pairs not priced yet: price them once
        for x in range(n - 1):
            if out[x] is None:
                lid, rid = lids[x], rids[x + 1]
                left = _LEFT_INFO[lid]
                c = table[lid][rid]
                if c is None:
                    c = table[lid][rid] = (
                        sentence_cost if left[0] == 2 else scale * pair_costs([left, _RIGHT_INFO[rid]])[0]
                    )
                out[x] = c
    return cast(list[float], out)  # no None left


def cut_costs(keys: Sequence[tuple[int, int]], sentence_cost: float, scale: float) -> list[float]:
    """For consecutive tokens with these :func:`token_key` values: ``sentence_cost`` for a break after a
    sentence end, else ``scale`` times :func:`break_cost` (the segmenter's cost of a cut between cues)."""
    if len(keys) < 2:
        return []
    lids, rids = zip(*keys, strict=True)
    return cut_costs_by_id(lids, rids, sentence_cost, scale)
