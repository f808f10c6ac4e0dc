"""Line layout: one cue's tokens into at most ``max_lines`` display lines (the guides in profiles.py).

Among good breaks (:func:`~toolkit.linebreak.costs.break_cost`) the layout prefers balanced lines, and
bottom-heavy ones when they differ. :func:`break_lines` is a small dynamic programme over the tokens of one
cue (``O(lines * n^2)`` for ``n`` tokens, ``n`` being about 15 in a caption), with the common two-line case
tried place by place; :func:`break_span` is the segmenter's entry, over a slice of a turn's tokens without
copying them. The last step of line breaking, after :mod:`.tokenizing` and :mod:`.costs`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence

from .costs import break_cost
from .tokenizing import join_tokens

__all__ = ["break_lines", "break_span", "count_lines"]

# line shape: a line's deviation from the mean length, as a fraction of max_chars, costs this much
# (linear + quadratic, so a very short line next to a long one costs more than a comma break gains)
_BALANCE = 3.0
_BALANCE_SQ = 4.0
_TOP_HEAVY = 1.5


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
