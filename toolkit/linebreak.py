"""Line breaking: tokens of one cue into at most ``max_lines`` display lines (the guides in profiles.py).

A token is a whitespace-separated word, or a whole bracketed annotation such as ``[crosstalk 00:42:40]``
(never split inside). Breaks go after punctuation or before a conjunction or preposition and never between
an article and its noun, a first and last name, a pronoun and its verb, or a verb and its auxiliary or
negation. Among good breaks the layout prefers balanced lines, and bottom-heavy ones when they differ.

:func:`break_cost` scores the place between two tokens (lower is better); the segmenter uses the same score
to choose where one cue ends and the next begins. :func:`break_lines` is a small dynamic programme over the
tokens of one cue (``O(lines * n^2)`` for ``n`` tokens, ``n`` being about 15 in a caption).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from operator import getitem
from typing import cast

from .text import CLOSERS, is_sentence_end

__all__ = [
    "TokenInfo",
    "break_cost",
    "break_lines",
    "break_span",
    "count_lines",
    "cut_costs",
    "cut_costs_by_id",
    "is_annotation",
    "is_sentence_end",
    "join_tokens",
    "pair_costs",
    "token_info",
    "token_key",
    "tokenize",
    "tokenize_cjk",
]

MAX_BRACKET_TOKENS = 8  # an opening bracket closed within this many words is one token
MAX_BRACKET_CHARS = 40


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

# line shape: a line's deviation from the mean length, as a fraction of max_chars, costs this much
# (linear + quadratic, so a very short line next to a long one costs more than a comma break gains)
_NEUTRAL = 0.7  # a break between two content words (likely adjective + noun, adverb + adjective)
_BALANCE = 3.0
_BALANCE_SQ = 4.0
_TOP_HEAVY = 1.5

_STRIP = "\"'“”‘’()[]«».,;:!?…"  # quotes, brackets and punctuation around a word


def tokenize(text: str) -> list[str]:
    """Whitespace-separated words, with a bracketed annotation (``[crosstalk 00:42:40]``) kept as one token.

    ``" ".join(tokenize(t)).split() == t.split()`` always holds: tokens only regroup words.
    """
    words = text.split()
    if "[" not in text:
        return words
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        if "[" in w and "]" not in w[w.rindex("[") :]:
            end = None
            size = len(w)
            for k in range(i + 1, min(n, i + MAX_BRACKET_TOKENS)):
                size += 1 + len(words[k])
                if size > MAX_BRACKET_CHARS or "[" in words[k]:
                    break
                if "]" in words[k]:
                    end = k
                    break
            if end is not None:
                out.append(" ".join(words[i : end + 1]))
                i = end + 1
                continue
        out.append(w)
        i += 1
    return out


def is_annotation(token: str) -> bool:
    """A bracketed annotation that is not spoken, e.g. ``[crosstalk 00:42:40]`` (not ``[Putin]``)."""
    return token.startswith("[") and token.rstrip(".,;:!?").endswith("]") and " " in token


def _bare(token: str) -> str:
    return token.strip(_STRIP).lower()


def _ends_clause(token: str) -> bool:
    core = token.rstrip(CLOSERS)
    return bool(core) and (core[-1] in ",;:，、；：" or core.endswith(("—", "–", "--")))


@lru_cache(maxsize=65536)
def _info(token: str) -> tuple[int, float, float, bool, bool, bool, bool, bool]:
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


TokenInfo = tuple[int, float, float, bool, bool, bool, bool, bool]

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


def count_lines(widths: Sequence[int], max_chars: int, *, first_reserve: int = 0, sep: int = 1) -> int:
    """Lines a greedy fill needs (the minimum possible) for tokens of these widths; a token wider than a
    line still takes one line. ``sep``: the width between tokens (1: a space; 0: Chinese, Japanese)."""
    lines, cur, limit = 1, -1, max_chars - first_reserve
    for w in widths:
        if cur < 0:
            cur = w
        elif cur + sep + w <= limit:
            cur += sep + w
        else:
            lines += 1
            limit = max_chars
            cur = w
    return lines


def break_lines(
    tokens: Sequence[str],
    max_chars: int,
    max_lines: int,
    *,
    first_reserve: int = 0,
    costs: Sequence[float] | None = None,
    sep: int = 1,
) -> tuple[str, ...]:
    """Break one cue's tokens into display lines.

    One line when the text fits on one line (``first_reserve`` characters of the first line are kept free
    for a speaker label); otherwise the fewest lines that fit (never more than ``max_lines``, so an
    over-long text gives over-long lines), with the breaks chosen by :func:`break_cost` and line balance.
    ``costs[j]``, when given, is the cost of a break before ``tokens[j]`` (``costs[0]`` unused). ``sep``:
    tokens are joined by a space (1) or by nothing (0: Chinese and Japanese, see :func:`tokenize_cjk`).
    """
    n = len(tokens)
    if n == 0:
        return ()
    widths = [len(t) for t in tokens]
    total = sum(widths) + sep * (n - 1)
    if total <= max_chars - first_reserve or n == 1 or max_lines <= 1:
        return (join_tokens(tokens, sep),)
    k = min(count_lines(widths, max_chars, first_reserve=first_reserve, sep=sep), max_lines, n)
    if k <= 1:
        return (join_tokens(tokens, sep),)
    if n > 200:  # not a caption: fall back to the greedy fill
        return _greedy(tokens, max_chars, first_reserve, sep)
    target = (total - sep * (k - 1)) / k
    if k == 2:
        return _two_lines(tokens, widths, max_chars, first_reserve, target, costs, sep=sep)
    prefix = [0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    if costs is not None:
        bcost = list(costs)
    else:
        bcost = [0.0] + [break_cost(tokens[j - 1], tokens[j]) for j in range(1, n)]
    inf = float("inf")
    # best[l][j]: tokens[:j] in l lines; back[l][j]: where line l starts
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for line in range(1, k + 1):
        limit = max_chars - (first_reserve if line == 1 else 0)
        last = line == k
        for j in range(line, n - (k - line) + 1):
            if last and j != n:
                continue
            for i in range(line - 1, j):
                prev = best[line - 1][i]
                if prev == inf:
                    continue
                width = prefix[j] - prefix[i] + sep * (j - i - 1)
                cost = prev + (bcost[i] if i > 0 else 0.0)
                if width > limit:
                    cost += 100.0 * (width - limit)
                dev = (width - target) / max_chars
                cost += _BALANCE * abs(dev) + _BALANCE_SQ * dev * dev
                if not last and dev > 0:
                    cost += _TOP_HEAVY * dev  # prefer bottom-heavy
                if cost < best[line][j]:
                    best[line][j] = cost
                    back[line][j] = i
    cuts = [n]
    j = n
    for line in range(k, 0, -1):
        j = back[line][j]
        cuts.append(j)
    cuts.reverse()
    return tuple(join_tokens(tokens[cuts[x] : cuts[x + 1]], sep) for x in range(k))


def _two_lines(
    tokens: Sequence[str],
    widths: Sequence[int],
    max_chars: int,
    first_reserve: int,
    target: float,
    costs: Sequence[float] | None,
    lo: int = 0,
    hi: int | None = None,
    total: int | None = None,
    sep: int = 1,
) -> tuple[str, ...]:
    """The common case of :func:`break_lines`: one break, tried at each place (same costs as the DP).

    The cue is ``tokens[lo:hi]`` (the whole list by default) of ``total`` characters with its spaces;
    ``costs`` is indexed like ``tokens``.
    """
    if hi is None:
        hi = len(tokens)
    if total is None:
        total = sum(widths[lo:hi]) + sep * (hi - lo - 1)
    limit1 = max_chars - first_reserve
    best, best_j = math.inf, lo + 1
    w1 = -sep
    fitted = False
    scale = 1.0 / max_chars
    # the shape terms' factors, as locals (a hot loop); the same products as in break_lines' DP
    over, over_sq, under = 2.0 * _BALANCE + _TOP_HEAVY, 2.0 * _BALANCE_SQ, -2.0 * _BALANCE
    for j in range(lo + 1, hi):
        w1 += widths[j - 1] + sep
        w2 = total - w1 - sep
        if w1 > limit1 and fitted:
            break  # the first line only grows: nothing further fits
        cost = costs[j] if costs is not None else break_cost(tokens[j - 1], tokens[j])
        if w1 > limit1:
            cost += 100.0 * (w1 - limit1)
        if w2 > max_chars:
            cost += 100.0 * (w2 - max_chars)
        elif w1 <= limit1:
            fitted = True
        d = (w1 - target) * scale  # the second line deviates by -d
        if d > 0:
            cost += over * d + over_sq * d * d
        else:
            cost += under * d + over_sq * d * d
        if cost < best:
            best, best_j = cost, j
    return (join_tokens(tokens[lo:best_j], sep), join_tokens(tokens[best_j:hi], sep))


def break_span(
    tokens: Sequence[str],
    widths: Sequence[int],
    prefix: Sequence[int],
    costs: Sequence[float],
    lo: int,
    hi: int,
    max_chars: int,
    max_lines: int,
    *,
    first_reserve: int = 0,
    sep: int = 1,
) -> tuple[str, ...]:
    """``break_lines(tokens[lo:hi], max_chars, max_lines, first_reserve=first_reserve,
    costs=[0.0, *costs[lo + 1:hi]])``, without copying: the segmenter breaks every cue of a turn from the
    turn's token ``widths``, ``prefix`` (``prefix[j]`` = sum of ``widths[k] + 1`` for ``k < j``) and cut
    ``costs`` (``costs[j]``: a break before ``tokens[j]``); with ``sep=0`` (tokens joined by nothing),
    ``prefix[j]`` is the sum of ``widths[k]``."""
    n = hi - lo
    if n <= 0:
        return ()
    total = prefix[hi] - prefix[lo] - sep
    if total <= max_chars - first_reserve or n == 1 or max_lines <= 1:
        return (join_tokens(tokens[lo:hi], sep),)
    # the greedy fill's line count (count_lines), line by line, capped at max_lines
    lines, start, limit = 0, lo, max_chars - first_reserve
    while start < hi and lines < max_lines:
        lines += 1
        end = bisect_right(prefix, prefix[start] + limit + sep, start, hi + 1) - 1
        start = end if end > start else start + 1
        limit = max_chars
    k = min(lines, n)
    if k <= 1:
        return (join_tokens(tokens[lo:hi], sep),)
    if k == 2 and n <= 200:
        target = (total - sep) / 2
        return _two_lines(tokens, widths, max_chars, first_reserve, target, costs, lo, hi, total, sep)
    return break_lines(
        tokens[lo:hi],
        max_chars,
        max_lines,
        first_reserve=first_reserve,
        costs=[0.0, *costs[lo + 1 : hi]],
        sep=sep,
    )


def _greedy(tokens: Sequence[str], max_chars: int, first_reserve: int, sep: int = 1) -> tuple[str, ...]:
    lines: list[list[str]] = [[]]
    cur, limit = -1, max_chars - first_reserve
    for t in tokens:
        if cur < 0:
            cur = len(t)
        elif cur + sep + len(t) <= limit:
            cur += sep + len(t)
        else:
            lines.append([])
            limit = max_chars
            cur = len(t)
        lines[-1].append(t)
    return tuple(join_tokens(line, sep) for line in lines)


def join_tokens(tokens: Sequence[str], sep: int = 1) -> str:
    """Tokens as a line: joined by spaces, or (``sep=0``) by nothing, as Chinese and Japanese are written
    (a CJK token carries the space that followed it in the text, if any: dropped at a line's ends)."""
    return " ".join(tokens) if sep else "".join(tokens).strip()


# Chinese and Japanese: line breaks go between characters (no spaces), never before closing punctuation
# nor after opening punctuation (Netflix's Chinese and Japanese guides; JIS X 4051 kinsoku shori)
_CJK_CLOSING = frozenset(
    "。，、；：！？…‥・」』）】》〉〕］｝”’%％)]}.,;:!?"  # punctuation
    "ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜"  # small kana, the long-vowel and iteration marks
)
_CJK_OPENING = frozenset("「『（【《〈〔［｛“‘([{")


def _cjk_char(ch: str) -> bool:
    o = ord(ch)
    return 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or o >= 0x20000


def tokenize_cjk(text: str, words: Callable[[str], Iterable[str]] | None = None) -> list[str]:
    """Chinese or Japanese text as the units a line may break between: one character each, a run of
    Latin letters or digits (``iPhone``, ``2023``) kept whole, closing punctuation and small kana joined
    to the unit before, opening punctuation to the unit after. ``words``, when given, splits a run of
    text into words (a word segmenter, e.g. jieba's for Chinese): the characters of one word are then one
    unit, so no line breaks inside a word. A space of the text stays at the end of the unit before it, so
    ``"".join(tokenize_cjk(t))`` is ``t`` with its whitespace runs made single spaces and its ends
    stripped."""
    units: list[str] = []
    pending = ""  # opening punctuation waiting for the unit it opens
    for chunk in text.split():
        i, n = 0, len(chunk)
        first = len(units)
        inside = _inside_words(chunk, words) if words is not None else None
        while i < n:
            ch = chunk[i]
            if ch in _CJK_OPENING:
                pending += ch
                i += 1
                continue
            closing = ch in _CJK_CLOSING and units
            if not pending and (closing or (inside is not None and inside[i] and len(units) > first)):
                units[-1] += ch
                i += 1
                continue
            j = i + 1
            if not _cjk_char(ch) and ch.isalnum():
                while j < n and not _cjk_char(chunk[j]) and (chunk[j].isalnum() or chunk[j] in "'’-.%"):
                    j += 1
                while j > i + 1 and chunk[j - 1] in ".-":  # a sentence's full stop is punctuation
                    j -= 1
            units.append(pending + chunk[i:j])
            pending = ""
            i = j
        if pending:  # opening punctuation at the end of a chunk: keep it with what came before
            if units:
                units[-1] += pending
            else:
                units.append(pending)
            pending = ""
        if units:
            units[-1] += " "
    if units:
        units[-1] = units[-1].rstrip()
    return units


def _inside_words(chunk: str, words: Callable[[str], Iterable[str]]) -> list[bool] | None:
    """Per character of ``chunk``: whether it continues a word of the segmenter's (``None`` when the
    segmenter's words are not the chunk's characters)."""
    inside = [False] * len(chunk)
    at = 0
    for w in words(chunk):
        if not w or chunk[at : at + len(w)] != w:
            return None
        for k in range(at + 1, at + len(w)):
            inside[k] = True
        at += len(w)
    return inside if at == len(chunk) else None
