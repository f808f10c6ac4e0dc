"""Step 2 of segmenting, cutting: a turn's tokens into cues that fit the profile's lines and duration.

A dynamic programme over each turn's tokens (:func:`cut_points`) picks cue boundaries: sentence ends
first, then clause boundaries (punctuation, before conjunctions and prepositions), one sentence per cue
where it fits, short sentences sharing a cue; every cue fits the profile's lines and characters (the first
line of a turn keeps room for a speaker label) and its speech fits ``max_duration_ms``. :func:`cut_turn`
then breaks each cue into lines (:mod:`toolkit.linebreak`) and makes its :class:`.CuePlan`; a caption-file
cue that already fits is kept as it is (:func:`keep_caption`). Reads the tokens of :mod:`.tokens`; the
dialogue pass (:mod:`.dialogue`) cuts a turn again through :func:`cut_turn`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence

from ..linebreak import break_lines, break_span, join_tokens, tokenize
from ..model import Turn
from ..profiles import Profile
from .cue_plan import CuePlan
from .params import SegmentParams
from .tokens import CutSearch, TurnTokens, prepare_tokens

__all__ = ["cut_points", "cut_turn", "keep_caption"]


def cut_turn(
    index: int,
    turn: Turn,
    toks: TurnTokens,
    profile: Profile,
    reserve: int,
    params: SegmentParams,
    first_lines: int | None = None,
) -> list[CuePlan]:
    """The turn's cues; ``first_lines`` limits the first cue to that many lines (a dialogue pair's)."""
    if not toks.texts:
        return []
    spk = turn.speaker
    maxc, maxl = profile.max_chars_per_line, profile.max_lines
    fixed_end = turn.end_ms if (turn.end_ms is not None and not turn.words) else None
    if fixed_end is not None and turn.start_ms is not None:
        kept = keep_caption(index, turn, profile, reserve, params)
        if kept is not None:
            return [kept]
    prepare_tokens(toks, params)
    if first_lines is None:
        cuts = cut_points(toks, profile, reserve, params)
    else:  # cut again for a reply: only the start of the turn can change (see cut_points)
        cuts = cut_points(toks, profile, reserve, params, first_lines, toks.dp)
    plans: list[CuePlan] = []
    texts, starts, ends, aligned = toks.texts, toks.starts, toks.ends, bool(toks.words)
    widths, prefix, costs, known, sep = toks.widths, toks.prefix, toks.cut_cost, toks.lines, toks.sep
    line = turn.line
    sync_first = aligned or turn.start_ms is not None
    lead_in = params.sync_lead_ms if aligned else params.early_ms
    a = 0
    for b in cuts[1:]:
        if a == 0:
            lines = break_span(
                texts, widths, prefix, costs, 0, b, maxc, first_lines or maxl, first_reserve=reserve, sep=sep
            )
        elif prefix[b] - prefix[a] - sep <= maxc:  # one line (break_span's first case, without the call)
            lines = (join_tokens(texts[a:b], sep),)
        else:
            lines = known.get((a, b)) or break_span(texts, widths, prefix, costs, a, b, maxc, maxl, sep=sep)
            known[a, b] = lines
        words = tuple(w for g in toks.words[a:b] for w in g) if aligned else ()
        lead = params.sync_lead_ms if a == 0 and sync_first else lead_in
        plans.append(
            CuePlan(
                starts[a],
                ends[b - 1],
                lines,
                (spk,) * len(lines),
                index,
                line,
                words=words,
                fixed_end=fixed_end,
                lead=lead,
            )
        )
        a = b
    return plans


def keep_caption(
    index: int, turn: Turn, profile: Profile, reserve: int, params: SegmentParams
) -> CuePlan | None:
    """A caption-file cue kept as it is when its text and duration fit the profile."""
    assert turn.start_ms is not None and turn.end_ms is not None
    if turn.end_ms - turn.start_ms > profile.max_duration_ms or turn.end_ms <= turn.start_ms:
        return None
    maxc, maxl = profile.max_chars_per_line, profile.max_lines
    given = [" ".join(line.split()) for line in turn.text.split("\n") if line.strip()]
    fits = given and len(given) <= maxl and all(len(x) <= maxc for x in given)
    if fits and len(given[0]) <= maxc - reserve:
        lines = tuple(given)
    else:
        toks = tokenize(turn.text)
        for first in (reserve, 0):  # room for a speaker label if possible; the original timing matters more
            lines = break_lines(toks, maxc, maxl, first_reserve=first)
            if len(lines) <= maxl and all(len(x) <= maxc for x in lines):
                break
        else:
            return None
    return CuePlan(
        float(turn.start_ms),
        float(turn.end_ms),
        lines,
        (turn.speaker,) * len(lines),
        index,
        turn.line,
        words=(),
        fixed_end=turn.end_ms,
        lead=params.early_ms,
        keep_end=True,
    )


def cut_points(
    toks: TurnTokens,
    profile: Profile,
    reserve: int,
    params: SegmentParams,
    first_lines: int | None = None,
    ref: CutSearch | None = None,
) -> list[int]:
    """Token indexes where cues begin, plus ``len(tokens)`` (``toks`` prepared by
    :func:`~toolkit.segment.tokens.prepare_tokens`).

    A dynamic programme over cut positions. A cue ``[i, j)`` is allowed when its tokens fit the lines
    (the greedy fill, which needs the fewest lines) and its speech fits ``max_duration_ms``; a single
    token is always allowed (:func:`_reach`). Its cost is a fixed cost per cue, the quality of the cut
    before it, a convex fill term (balanced cues for a long sentence), a penalty for each sentence end
    inside it and one for being spoken for less than the minimum duration (:func:`_relax`). Cuts are
    tried only at good places (sentence and clause ends, before conjunctions and prepositions) unless a
    cue has none within reach, so the work is about linear in the number of tokens. Widths, sentence
    counts and latest ends of a run of tokens come from prefix arrays.

    ``reserve`` and ``first_lines`` only bound the first cue. So when the turn is cut again with other
    bounds (``ref`` is the first search), the search stops as soon as it agrees with ``ref`` from some
    token on and no cue from before that token reaches further: from there on it would repeat ``ref``
    step by step, so the cuts are taken from ``ref``. Without ``ref`` the search is kept in ``toks.dp``.
    """
    n = len(toks.texts)
    cand = toks.cand
    ncand = len(cand)
    max_tried = params.max_cuts_tried
    inf = math.inf
    best = [inf] * (n + 1)
    back = [0] * (n + 1)
    reaches = [0] * (n + 1)
    best[0] = 0.0
    lo = 0  # first candidate after i
    # with ref: agreement with ref from token ``agree`` on, and how far cues from before it reach
    agree, agree_reach, furthest = -1, 0, 0
    for i in range(n):
        if best[i] != inf:
            while cand[lo] <= i:
                lo += 1
            hi = reaches[i] = _reach(toks, profile, i, reserve, first_lines)
            # the candidate cuts within reach, or every cut when there is none
            js: Sequence[int] = (
                cand[lo : bisect_right(cand, hi, lo, ncand)] if cand[lo] <= hi else range(i + 1, hi + 1)
            )
            if len(js) > max_tried:  # text that is all cut points (". . . . ."): the fullest cues
                js = js[-max_tried:]
            _relax(toks, profile, params, i, js, best, back)
        if ref is None:
            continue
        # from i + 1 on, both searches have their final values up to i + 1
        furthest = max(furthest, reaches[i], ref.reach[i])
        k = i + 1
        if best[k] != ref.best[k] or back[k] != ref.back[k]:
            agree = -1
            continue
        if agree < 0:
            agree, agree_reach = k, furthest
        if k >= agree_reach:
            # every cue from before ``agree`` ends by k, and the two searches agree on agree..k: the
            # rest of this search would be ref's, so its cuts from ``agree`` on are ref's
            return _backtrack(back, n, ref.back, agree)
    if ref is None:
        toks.dp = CutSearch(best, back, reaches)
    return _backtrack(back, n)


def _reach(toks: TurnTokens, profile: Profile, i: int, reserve: int, first_lines: int | None) -> int:
    """The furthest cut for a cue from token ``i`` (at least ``i + 1``): its tokens fit the lines by a
    greedy fill (for the turn's first cue, ``reserve`` characters of the first line kept free and at most
    ``first_lines`` lines), and its speech fits ``max_duration_ms``."""
    widths, q, sep, n = toks.widths, toks.prefix, toks.sep, len(toks.texts)
    maxc, maxl = profile.max_chars_per_line, max(profile.max_lines, 1)
    if i:
        limit, more = maxc, maxl - 1
    else:
        limit, more = maxc - reserve, (first_lines or maxl) - 1
    if widths[i] > limit:
        reach = i + 1
    else:
        p = bisect_right(q, q[i] + limit + sep) - 1
        maxc1 = maxc + sep
        while more and p < n and widths[p] <= maxc:
            p = bisect_right(q, q[p] + maxc1) - 1
            more -= 1
        reach = p
    emax = toks.emax
    latest = toks.starts[i] + float(profile.max_duration_ms)
    # the cue's speech fits max_dur up to the latest j with emax[j] <= latest (emax never decreases): no
    # search when that already holds at the line reach
    hi = reach if emax[reach] <= latest else bisect_right(emax, latest) - 1
    return hi if hi > i else i + 1


def _relax(
    toks: TurnTokens,
    profile: Profile,
    params: SegmentParams,
    i: int,
    js: Sequence[int],
    best: list[float],
    back: list[int],
) -> None:
    """Price the cues ``[i, j)`` for each ``j`` in ``js``, and keep each where it is the best way yet to
    reach ``j`` (``best[i]`` is final)."""
    q, sc, emax, sep = toks.prefix, toks.inside, toks.emax, toks.sep
    cap = float(profile.max_chars_per_line * max(profile.max_lines, 1))
    min_dur = float(profile.min_duration_ms)
    fill_w, short_w = params.fill_weight, params.short_cost  # locals: a hot loop
    base = best[i] + (toks.cut_cost[i] + params.cue_cost)
    t0 = toks.starts[i]
    sci, qi = sc[i], q[i] + sep
    for j in js:
        fill = 1.0 - (q[j] - qi) / cap
        cost = base + fill_w * fill * fill + (sc[j - 1] - sci)
        if emax[j] - t0 < min_dur:
            cost += short_w
        if cost < best[j]:
            best[j] = cost
            back[j] = i


def _backtrack(back: list[int], n: int, ref_back: list[int] | None = None, agree: int = 0) -> list[int]:
    """The cuts of a search, read back from ``n``; from token ``agree`` on, from ``ref_back`` if given."""
    cuts = [n]
    j = n
    while j > 0:
        j = ref_back[j] if ref_back is not None and j >= agree else back[j]
        cuts.append(j)
    cuts.reverse()
    return cuts
