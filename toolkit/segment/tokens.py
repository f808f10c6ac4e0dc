"""A turn's tokens with the time each is spoken, and what cutting needs to know about them.

Between step 1 (:mod:`.speech`, a span per turn) and step 2 (:mod:`.cutting`): turns with aligned
``words`` take the word times; otherwise the span's time is spread over the tokens in proportion to their
characters (on the seed interview, characters predict a turn's duration better than words: median
absolute deviation of the log rate per turn 0.153 vs 0.170 for Tucker, 0.081 vs 0.097 for Lavrov).
Tokens come from :mod:`toolkit.linebreak` (a bracketed annotation such as ``[crosstalk 00:42:40]`` is
one token, and takes no speaking time); :func:`prepare_tokens` adds, once per turn, the prefix arrays and
cut costs the cut search (:func:`~toolkit.segment.cutting.cut_points`) reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate, compress, repeat
from operator import add, itemgetter, mul

from ..language import is_cjk_text
from ..linebreak import cut_costs_by_id, is_annotation, token_key, tokenize, tokenize_cjk
from ..model import Turn, Word
from ..text import is_sentence_end
from .params import SegmentParams

__all__ = ["CutSearch", "TurnTokens", "prepare_tokens", "turn_tokens"]


@dataclass(slots=True)
class CutSearch:
    """The arrays of one run of the cut search (see :func:`~toolkit.segment.cutting.cut_points`)."""

    best: list[float]
    back: list[int]
    reach: list[int]  # per start token: the furthest cut tried from it (0 when not a reachable start)


@dataclass(slots=True)
class TurnTokens:
    """A turn's tokens and what cutting and line breaking need about them, computed once per turn."""

    texts: list[str]
    starts: list[float]
    ends: list[float]
    words: list[tuple[Word, ...]]  # per token, for turns with aligned words (else empty)
    widths: list[int] = field(default_factory=list)
    prefix: list[int] = field(default_factory=list)  # prefix[j]: sum of widths[k] + 1 for k < j
    cut_cost: list[float] = field(default_factory=list)  # cost of a cut before each token, and at the end
    inside: list[float] = field(default_factory=list)  # cost of the sentence ends and pauses in tokens[:k]
    emax: list[float] = field(default_factory=list)  # latest end among tokens[:k]
    cand: list[int] = field(default_factory=list)  # good cut places, and len(tokens)
    dp: CutSearch | None = None  # the turn's cut search, reused when the turn is cut again for a reply
    lines: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)  # cue (a, b), a > 0
    sep: int = 1  # width between tokens: 1 (a space), 0 (Chinese, Japanese: linebreak.tokenize_cjk)


def turn_tokens(
    turn: Turn,
    span: tuple[float, float],
    *,
    cjk: bool = False,
    words: Callable[[str], Iterable[str]] | None = None,
) -> TurnTokens:
    """The turn's tokens with the time each is spoken (aligned, or spread by characters over ``span``)."""
    ws = [w for w in turn.words if w.text.strip()]
    if ws:
        return _aligned_tokens(ws)
    sep = 0 if cjk and is_cjk_text(turn.text) else 1
    texts = tokenize_cjk(turn.text, words) if sep == 0 else tokenize(turn.text)
    if not texts:
        return TurnTokens(texts, [], [], [])
    widths = list(map(len, texts))
    prefix = list(accumulate(map(sep.__add__, widths), initial=0))  # sums of w + sep
    t0, t1 = span
    if "[" in turn.text:  # an annotation weighs 1, a word its characters and a space
        weights = [
            1.0 if t[0] == "[" and is_annotation(t) else w + 1.0 for t, w in zip(texts, widths, strict=True)
        ]
        per = (t1 - t0) / (sum(weights) or 1.0)
        cum = list(map(add, repeat(t0), map(mul, accumulate(weights, initial=0.0), repeat(per))))
    else:
        # every weight is w + sep, a whole number, so their float sums are exactly the prefix sums
        per = (t1 - t0) / (float(prefix[-1]) or 1.0)
        cum = list(map(add, repeat(t0), map(mul, prefix, repeat(per))))  # t0 + prefix[j] * per
    starts, ends = cum[:-1], cum[1:]
    return TurnTokens(texts, starts, ends, [], widths, prefix, sep=sep)


def _aligned_tokens(ws: list[Word]) -> TurnTokens:
    """Tokens of a turn with aligned words (none blank): each takes the times of the words it groups."""
    texts: list[str] = []
    starts: list[float] = []
    ends: list[float] = []
    groups: list[tuple[Word, ...]] = []
    pos = 0
    simple = all(len(w.text.split()) == 1 for w in ws)
    tokens = tokenize(" ".join(w.text for w in ws)) if simple else [" ".join(w.text.split()) for w in ws]
    for tok in tokens:
        k = len(tok.split()) if simple else 1
        group = ws[pos : pos + k]
        pos += k
        texts.append(tok)
        starts.append(float(group[0].start_ms))
        ends.append(float(max(w.end_ms for w in group)))
        groups.append(tuple(group))
    return TurnTokens(texts, starts, ends, groups, list(map(len, texts)))


_LEFT, _RIGHT = itemgetter(0), itemgetter(1)


def prepare_tokens(toks: TurnTokens, params: SegmentParams) -> None:
    """Fill in what the cut search and line breaking need about a turn's tokens (once per turn), with
    cached look-ups per token and the per-token arithmetic done by ``map``/``accumulate``."""
    if toks.cand:
        return
    texts, n = toks.texts, len(toks.texts)
    if not toks.prefix:  # aligned words
        toks.prefix = list(accumulate(map((1).__add__, toks.widths), initial=0))
    bare = texts if toks.sep else [t.rstrip() for t in texts]  # a CJK token may end with a space
    keys = list(map(token_key, bare))
    lids, rids = list(map(_LEFT, keys)), list(map(_RIGHT, keys))
    clause_costs = cut_costs_by_id(lids, rids, params.sentence_cut_cost, params.clause_cut_scale)
    toks.cut_cost = cut_cost = [0.0, *clause_costs, 0.0]
    good = params.good_cut_cost
    # spread times already increase (aligned words may not)
    ends = toks.ends
    inside = [params.sentence_inside_cost * e for e in map(is_sentence_end, bare)]
    if toks.words:
        pause_from, pause_cost = params.pause_from_ms, params.pause_inside_cost
        span = params.pause_full_ms - pause_from
        for k in range(n - 1):
            pause = toks.starts[k + 1] - ends[k]
            if pause > pause_from and cut_cost[k + 1] <= good:
                inside[k] += pause_cost * min(1.0, (pause - pause_from) / span)
    toks.inside = list(accumulate(inside, initial=0.0))
    toks.emax = [-math.inf, *ends] if not toks.words else list(accumulate(ends, max, initial=-math.inf))
    cand = list(compress(range(1, n), map(good.__ge__, cut_cost[1:n])))  # cut_cost[j] <= good
    cand.append(n)
    toks.cand = cand
