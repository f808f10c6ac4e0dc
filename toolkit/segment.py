"""Segmentation: speaker turns into timed caption cues within a profile's limits.

Three steps, each a pass over the turns or cues:

1. **Speech plan.** Each turn gets a speech span. A transcript timestamp marks where speech starts; the
   rate model (``RateModel.speech_ms``, per speaker) says how long the turn's words take. The span ends
   there, or at the next turn's start when the estimate overruns it (the turn is compressed into its
   slot); a turn without a timestamp follows the previous turn's estimated end. The last turn ends by the
   model, bounded by ``duration_ms`` when known. Within a turn, time is spread over the tokens in
   proportion to their characters (on the seed interview, characters predict a turn's duration better
   than words: median absolute deviation of the log rate per turn 0.153 vs 0.170 for Tucker, 0.081 vs
   0.097 for Lavrov). Turns with aligned ``words`` use the word times; turns with ``end_ms`` (caption
   files) keep their span.
2. **Cutting.** A dynamic programme over each turn's tokens picks cue boundaries: sentence ends first,
   then clause boundaries (punctuation, before conjunctions and prepositions), one sentence per cue where
   it fits, short sentences sharing a cue; every cue fits the profile's lines and characters (the first
   line of a turn keeps room for a speaker label) and its speech fits ``max_duration_ms``. A one-line turn
   and the next speaker's first cue share one dash-style cue when both start within 1.5 s and the pair
   is readable before the next cue (the answer's first cue is cut to one line for it if need be).
3. **Timing.** A cue starts when its first token is spoken and ends when its last one is, plus an out-time
   allowance of up to 0.5 s and what reading speed and the minimum duration need, always bounded by the
   next cue's start less ``min_gap_ms``; gaps up to ``chain_gap_ms`` are closed to ``min_gap_ms``. A cue
   still too short or too fast may start a little sooner, into free time or the previous cue's spare
   time: at most ``SYNC_LEAD_MS`` (2 frames, Netflix's in-time tolerance) when its start is a known
   onset (aligned words, or a turn's first cue at a transcript timestamp, which the speech cannot
   precede), at most ``EARLY_MS`` when its start is only estimated inside a turn (such estimates
   already run early: whole-second timestamps are truncated). A fast speaker's cues may trail the
   speech by up to ``MAX_LAG_MS`` when a pause follows the turn. Reading speed counts what the default
   SRT shows (``NAME: `` labels, dialogue dashes), so these findings agree with ``captionkit validate``
   on the SRT. Starts strictly increase and cues never overlap; a cue still outside the profile gets a
   finding (C001-C006) with its 1-based index.

Words are never lost, reordered or altered: the cue lines of a turn, split on whitespace, are the turn's
words in order (bracketed annotations such as ``[crosstalk 00:42:40]`` are kept as one token).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, repeat
from operator import add, itemgetter, mul

from .language import is_cjk_text
from .limits import ShownCue, check_limits
from .linebreak import (
    break_cost,
    break_lines,
    break_span,
    cut_costs_by_id,
    is_annotation,
    join_tokens,
    token_key,
    tokenize,
    tokenize_cjk,
)
from .model import Cue, Finding, Turn, Word
from .profiles import Profile
from .text import is_sentence_end
from .timing import RateModel

__all__ = [
    "DUAL_MAX_LEAD_MS",
    "EARLY_MS",
    "MAX_LAG_MS",
    "OUT_TIME_MS",
    "SYNC_LEAD_MS",
    "check_cues",
    "label_reserve",
    "reading_chars",
    "segment",
    "shown_chars",
]

OUT_TIME_MS = 500  # Netflix: out-time up to 12 frames (0.5 s) after speech ends
SYNC_LEAD_MS = 83  # Netflix: in-time within 2 frames (24 fps) of the speech onset, never later
EARLY_MS = 250  # a cue whose start is only estimated (inside a turn) may lead that estimate this much
MAX_LAG_MS = 1500  # BBC: never more than 1.5 s late; how far cues may trail speech to be readable
DUAL_MAX_LEAD_MS = 1500  # BBC: never show speech more than 1.5 s early; bounds a two-speaker cue

# costs of the cutting programme (lower is better)
_CUE_COST = 6.0  # each cue
_MAX_CUTS_TRIED = 12  # cut points tried per cue start; ordinary text has a handful within a cue
_SENTENCE_INSIDE = 5.0  # a sentence end inside a cue (short sentences still share: see _SHORT)
_SHORT = 6.0  # a cue spoken for less than the minimum duration
_FILL = 3.0  # weight of the convex fill term that balances the cues of a long sentence
_SENTENCE_CUT = -4.0  # cutting at a sentence end (clause breaks use linebreak.break_cost)
# a pause in aligned speech at a good cut place inside a cue: a cue on screen through the speaker's
# silence shows the next words before they are said, so a pause this long costs this much (linear from
# _PAUSE_FROM_MS): "Oh, hello. [pause] I didn't know ..." becomes two cues
_PAUSE_INSIDE = 8.0
_PAUSE_FROM_MS = 200.0
_PAUSE_FULL_MS = 700.0


def label_reserve(speaker: str | None) -> int:
    """Characters kept free on a first line for the longest speaker label style (``[Name] ``)."""
    return len(speaker) + 3 if speaker else 0


def reading_chars(lines: Sequence[str]) -> int:
    """Characters counted for reading speed: all characters of the lines, line breaks not counted."""
    return sum(len(line) for line in lines)


def shown_chars(cues: Sequence[Cue] | Sequence[_Plan], *, labels: bool = True) -> list[int]:
    """Per cue, the characters a viewer reads in the SRT output: the lines plus, as ``write_srt`` writes
    them by default, a ``NAME: `` label at each change of speaker and a dash per line of dialogue.
    ``labels=False``: as shown where the speaker is not written in the text (WebVTT voices, SRT without
    labels): the lines and the dialogue dashes."""
    out: list[int] = []
    append = out.append
    current: str | None = None
    for c in cues:
        lines, speakers = c.lines, c.speakers
        n = sum(map(len, lines))
        if not labels:
            append(n + (len(lines) if len(set(speakers)) > 1 else 0))
            continue
        if not speakers:
            append(n)
            continue
        first = speakers[0]
        if speakers.count(first) == len(speakers):  # one speaker (the common case)
            if first is not None and first != current:
                n += len(first) + 2
                current = first
            append(n)
            continue
        n += len(lines)  # dialogue: a dash per line
        for spk in speakers:
            if spk is not None and spk != current:
                n += len(spk) + 2
                current = spk
        append(n)
    return out


@dataclass(slots=True)
class _Plan:
    """A cue before the final timing pass."""

    start: float
    speech_end: float
    lines: tuple[str, ...]
    speakers: tuple[str | None, ...]
    turn: int
    line: int
    words: tuple[Word, ...] = ()
    fixed_end: int | None = None  # caption-file input: the original end, kept (or bounded by)
    keep_end: bool = False  # the original cue kept as it was
    lead: int = EARLY_MS  # how far before ``start`` the cue may begin when it is too short or too fast


@dataclass(slots=True)
class _Toks:
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
    dp: _Search | None = None  # the turn's cut search, reused when the turn is cut again for a reply
    lines: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)  # cue (a, b), a > 0
    sep: int = 1  # width between tokens: 1 (a space), 0 (Chinese, Japanese: linebreak.tokenize_cjk)


@dataclass(slots=True)
class _Search:
    """The arrays of one run of the cut search (see :func:`_cut_points`)."""

    best: list[float]
    back: list[int]
    reach: list[int]  # per start token: the furthest cut tried from it (0 when not a reachable start)


def segment(
    turns: Sequence[Turn],
    profile: Profile,
    *,
    rates: RateModel,
    duration_ms: int | None = None,
    path: str | None = None,
    cjk: bool = False,
    words: Callable[[str], Iterable[str]] | None = None,
) -> tuple[list[Cue], list[Finding]]:
    """Cut ``turns`` into timed cues for ``profile``; return the cues and the findings about them.

    ``cjk``: the transcript is Chinese or Japanese, so a turn written mostly in those scripts is cut and
    broken between characters (:func:`~toolkit.linebreak.tokenize_cjk`), its lines joined without spaces;
    ``words``: a word segmenter for that text (jieba's for Chinese), so no line breaks inside a word.
    """
    spans = _speech_plan(turns, rates, duration_ms)
    plans: list[_Plan] = []
    turn_cues: list[tuple[int, int]] = []  # per turn: (first plan index, count)
    prev_speaker: str | None = None
    for index, turn in enumerate(turns):
        reserve = label_reserve(turn.speaker) if turn.speaker != prev_speaker else 0
        first = len(plans)
        toks = _tokens(turn, spans[index], cjk=cjk, words=words)
        cut = _cut_turn(index, turn, toks, profile, reserve)
        if len(cut) > 1 and turn_cues and turn_cues[-1][1] == 1:
            cut = _reply_recut(plans[-1], cut, index, turn, toks, profile)
        plans.extend(cut)
        turn_cues.append((first, len(plans) - first))
        if len(plans) > first:
            prev_speaker = turn.speaker
    _ease_reading(plans, turn_cues, turns, profile, duration_ms)
    plans = _merge_dialogue(plans, turn_cues, turns, profile)
    plans = _join_crowded(plans, profile)
    return _finish(plans, profile, duration_ms, path)


# -- 1. speech plan -------------------------------------------------------------------------------------


def _speech_plan(
    turns: Sequence[Turn], rates: RateModel, duration_ms: int | None
) -> list[tuple[float, float]]:
    """Per turn, the (start, end) of its speech in ms, as floats."""
    n = len(turns)
    own: list[tuple[float, float] | None] = [None] * n  # turns that carry their own times
    anchor: list[float | None] = [None] * n  # usable transcript timestamps (strictly increasing)
    last = -1.0
    for i, t in enumerate(turns):
        if t.words:
            own[i] = (float(t.words[0].start_ms), float(max(w.end_ms for w in t.words)))
        elif t.end_ms is not None and t.start_ms is not None:
            own[i] = (float(t.start_ms), float(t.end_ms))
        o = own[i]
        start = o[0] if o is not None else t.start_ms
        if start is not None and start > last:
            anchor[i] = float(start)
            last = float(start)
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * n
    prev_end = 0.0
    i = 0
    while i < n:
        j = i + 1
        while j < n and anchor[j] is None and own[j] is None:
            j += 1
        # turns i..j-1: i is anchored (or follows the previous group), the rest follow one another
        head = own[i]
        if head is not None:
            spans[i] = head
            k0, begin = i + 1, head[1]
        else:
            k0 = i
            a = anchor[i]
            begin = a if a is not None else prev_end
        bound: float | None
        if j < n:
            nxt = own[j]
            bound = anchor[j] if anchor[j] is not None else (nxt[0] if nxt is not None else None)
        else:
            bound = float(duration_ms) if duration_ms else None
        need = [float(max(rates.speech_ms(turns[k].speaker, turns[k].text), 0)) for k in range(k0, j)]
        total = sum(need)
        scale = 1.0
        if bound is not None and total > 0 and begin + total > bound and bound > begin:
            scale = (bound - begin) / total
        t0 = begin
        for k, d in zip(range(k0, j), need, strict=True):
            spans[k] = (t0, t0 + d * scale)
            t0 += d * scale
        prev_end = max(t0, spans[j - 1][1])
        i = j
    return spans


# -- 2. cutting -----------------------------------------------------------------------------------------


def _tokens(
    turn: Turn,
    span: tuple[float, float],
    *,
    cjk: bool = False,
    words: Callable[[str], Iterable[str]] | None = None,
) -> _Toks:
    """The turn's tokens with the time each is spoken (aligned, or spread by characters over ``span``)."""
    ws = [w for w in turn.words if w.text.strip()]
    if ws:
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
        return _Toks(texts, starts, ends, groups, list(map(len, texts)))
    sep = 0 if cjk and is_cjk_text(turn.text) else 1
    texts = tokenize_cjk(turn.text, words) if sep == 0 else tokenize(turn.text)
    if not texts:
        return _Toks(texts, [], [], [])
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
    return _Toks(texts, starts, ends, [], widths, prefix, sep=sep)


def _prepare(toks: _Toks) -> None:
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
    toks.cut_cost = cut_cost = [0.0, *cut_costs_by_id(lids, rids, _SENTENCE_CUT, 1.2), 0.0]
    # spread times already increase (aligned words may not)
    ends = toks.ends
    inside = [_SENTENCE_INSIDE * e for e in map(is_sentence_end, bare)]
    if toks.words:
        span = _PAUSE_FULL_MS - _PAUSE_FROM_MS
        for k in range(n - 1):
            pause = toks.starts[k + 1] - ends[k]
            if pause > _PAUSE_FROM_MS and cut_cost[k + 1] <= -1.0:
                inside[k] += _PAUSE_INSIDE * min(1.0, (pause - _PAUSE_FROM_MS) / span)
    toks.inside = list(accumulate(inside, initial=0.0))
    toks.emax = [-math.inf, *ends] if not toks.words else list(accumulate(ends, max, initial=-math.inf))
    cand = list(compress(range(1, n), map((-1.0).__ge__, cut_cost[1:n])))  # cut_cost[j] <= -1.0
    cand.append(n)
    toks.cand = cand


_LEFT, _RIGHT = itemgetter(0), itemgetter(1)


def _cut_turn(
    index: int, turn: Turn, toks: _Toks, profile: Profile, reserve: int, first_lines: int | None = None
) -> list[_Plan]:
    """The turn's cues; ``first_lines`` limits the first cue to that many lines (a dialogue pair's)."""
    if not toks.texts:
        return []
    spk = turn.speaker
    maxc, maxl = profile.max_chars_per_line, profile.max_lines
    fixed_end = turn.end_ms if (turn.end_ms is not None and not turn.words) else None
    if fixed_end is not None and turn.start_ms is not None:
        kept = _keep_caption(index, turn, profile, reserve)
        if kept is not None:
            return [kept]
    _prepare(toks)
    if first_lines is None:
        cuts = _cut_points(toks, profile, reserve)
    else:  # cut again for a reply: only the start of the turn can change (see _cut_points)
        cuts = _cut_points(toks, profile, reserve, first_lines, toks.dp)
    plans: list[_Plan] = []
    texts, starts, ends, aligned = toks.texts, toks.starts, toks.ends, bool(toks.words)
    widths, prefix, costs, known, sep = toks.widths, toks.prefix, toks.cut_cost, toks.lines, toks.sep
    line = turn.line
    sync_first = aligned or turn.start_ms is not None
    lead_in = SYNC_LEAD_MS if aligned else EARLY_MS
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
        lead = SYNC_LEAD_MS if a == 0 and sync_first else lead_in
        plans.append(
            _Plan(
                starts[a], ends[b - 1], lines, (spk,) * len(lines), index, line, words, fixed_end, lead=lead
            )
        )
        a = b
    return plans


def _keep_caption(index: int, turn: Turn, profile: Profile, reserve: int) -> _Plan | None:
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
    return _Plan(
        float(turn.start_ms),
        float(turn.end_ms),
        lines,
        (turn.speaker,) * len(lines),
        index,
        turn.line,
        (),
        turn.end_ms,
        keep_end=True,
    )


def _cut_points(
    toks: _Toks, profile: Profile, reserve: int, first_lines: int | None = None, ref: _Search | None = None
) -> list[int]:
    """Token indexes where cues begin, plus ``len(tokens)``.

    A dynamic programme over cut positions. A cue ``[i, j)`` is allowed when its tokens fit the lines
    (the greedy fill, which needs the fewest lines) and its speech fits ``max_duration_ms``; a single
    token is always allowed. Its cost is a fixed cost per cue, the quality of the cut before it, a convex
    fill term (balanced cues for a long sentence), a penalty for each sentence end inside it and one for
    being spoken for less than the minimum duration. Cuts are tried only at good places (sentence and
    clause ends, before conjunctions and prepositions) unless a cue has none within reach, so the work is
    about linear in the number of tokens. Widths, sentence counts and latest ends of a run of tokens come
    from prefix arrays.

    ``reserve`` and ``first_lines`` only bound the first cue. So when the turn is cut again with other
    bounds (``ref`` is the first search), the search stops as soon as it agrees with ``ref`` from some
    token on and no cue from before that token reaches further: from there on it would repeat ``ref``
    step by step, so the cuts are taken from ``ref``. Without ``ref`` the search is kept in ``toks.dp``.
    """
    texts, starts = toks.texts, toks.starts
    n = len(texts)
    widths, q, cut_cost, sc = toks.widths, toks.prefix, toks.cut_cost, toks.inside
    emax, cand = toks.emax, toks.cand
    maxc, maxl = profile.max_chars_per_line, max(profile.max_lines, 1)
    max_dur, min_dur = float(profile.max_duration_ms), float(profile.min_duration_ms)
    cap = float(maxc * maxl)
    sep = toks.sep
    maxc1 = maxc + sep
    ncand = len(cand)
    inf = math.inf
    fill_w, short_w, cue_w = _FILL, _SHORT, _CUE_COST  # locals: a hot loop
    best = [inf] * (n + 1)
    back = [0] * (n + 1)
    reaches = [0] * (n + 1)
    best[0] = 0.0
    lo = 0  # first candidate after i
    # with ref: agreement with ref from token ``agree`` on, and how far cues from before it reach
    agree, agree_reach, furthest = -1, 0, 0
    for i in range(n):
        base = best[i]
        if base != inf:
            while cand[lo] <= i:
                lo += 1
            base += cut_cost[i] + cue_w
            # the furthest cut the lines allow: a greedy fill of max_lines lines
            if i:
                limit, more = maxc, maxl - 1
            else:
                limit, more = maxc - reserve, (first_lines or maxl) - 1
            if widths[i] > limit:
                reach = i + 1
            else:
                p = bisect_right(q, q[i] + limit + sep) - 1
                while more and p < n and widths[p] <= maxc:
                    p = bisect_right(q, q[p] + maxc1) - 1
                    more -= 1
                reach = p
            t0 = starts[i]
            latest = t0 + max_dur
            # the cue's speech fits max_dur up to the latest j with emax[j] <= latest (emax never
            # decreases): no search when that already holds at the line reach
            hi = reach if emax[reach] <= latest else bisect_right(emax, latest) - 1
            if hi <= i:
                hi = i + 1
            reaches[i] = hi
            # the candidate cuts within reach, or every cut when there is none
            js: Sequence[int] = (
                cand[lo : bisect_right(cand, hi, lo, ncand)] if cand[lo] <= hi else range(i + 1, hi + 1)
            )
            if len(js) > _MAX_CUTS_TRIED:  # text that is all cut points (". . . . ."): the fullest cues
                js = js[-_MAX_CUTS_TRIED:]
            sci, qi = sc[i], q[i] + sep
            for j in js:
                fill = 1.0 - (q[j] - qi) / cap
                cost = base + fill_w * fill * fill + (sc[j - 1] - sci)
                if emax[j] - t0 < min_dur:
                    cost += short_w
                if cost < best[j]:
                    best[j] = cost
                    back[j] = i
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
            cuts = [n]
            j = n
            while j > 0:
                j = ref.back[j] if j >= agree else back[j]
                cuts.append(j)
            cuts.reverse()
            return cuts
    if ref is None:
        toks.dp = _Search(best, back, reaches)
    cuts = [n]
    j = n
    while j > 0:
        j = back[j]
        cuts.append(j)
    cuts.reverse()
    return cuts


def _pairs(a: _Plan, b: _Plan, after: float | None, profile: Profile) -> bool:
    """Whether one-line cues ``a`` and ``b`` (of consecutive turns) can share a dash-style cue.

    Both lines must fit with a dash and a speaker label, ``b`` start within ``DUAL_MAX_LEAD_MS`` of
    ``a`` and the pair be spoken within ``max_duration_ms``. When ``b``'s turn goes on (its next cue
    starts at ``after``), the pair must also be readable before that cue, labels and dashes counted.
    """
    sa, sb = a.speakers[0] if a.speakers else None, b.speakers[0] if b.speakers else None
    maxc = profile.max_chars_per_line
    if (
        sa is None
        or sb is None
        or sa == sb
        or len(a.lines) != 1
        or len(b.lines) != 1
        or a.keep_end
        or b.keep_end
        or any(len(p.lines[0]) + 1 + label_reserve(s) > maxc for p, s in ((a, sa), (b, sb)))
        or not 0 <= b.start - a.start <= DUAL_MAX_LEAD_MS
        or b.speech_end - a.start > profile.max_duration_ms
    ):
        return False
    if after is None or profile.max_cps <= 0:
        return True
    room = min(after - profile.min_gap_ms - a.start, profile.max_duration_ms)
    chars = len(a.lines[0]) + len(b.lines[0]) + len(sa) + len(sb) + 6  # two dashes, two "NAME: " labels
    return chars * 1000 / profile.max_cps <= room


def _reply_recut(
    reply: _Plan, cut: list[_Plan], index: int, turn: Turn, toks: _Toks, profile: Profile
) -> list[_Plan]:
    """The cues of a turn that follows a one-cue turn ``reply``: cut again, when that lets its first cue
    pair with the reply in a dash-style cue (one line, ending at a good break, readable in time)."""
    if profile.max_lines < 2 or _pairs(reply, cut[0], cut[1].start, profile) or turn.speaker is None:
        return cut
    if not 0 <= cut[0].start - reply.start <= DUAL_MAX_LEAD_MS:
        return cut
    again = _cut_turn(index, turn, toks, profile, 1 + label_reserve(turn.speaker), first_lines=1)
    if len(again) < 2 or not _pairs(reply, again[0], again[1].start, profile):
        return cut
    if break_cost(again[0].lines[0].rsplit(" ", 1)[-1], again[1].lines[0].split(" ", 1)[0]) > 0:
        return cut  # not at a clause or sentence end, nor before a conjunction or preposition
    return again


def _merge_dialogue(
    plans: list[_Plan], turn_cues: list[tuple[int, int]], turns: Sequence[Turn], profile: Profile
) -> list[_Plan]:
    """A one-line turn and the next turn's first cue, of different speakers and close in time, share a
    dash-style cue (a short reply and the answer that starts after it, see :func:`_pairs`)."""
    if profile.max_lines < 2:
        return plans
    drop: set[int] = set()
    k = 0
    while k + 1 < len(turn_cues):
        (ia, na), (ib, nb) = turn_cues[k], turn_cues[k + 1]
        if na == 1 and nb >= 1:
            a, b = plans[ia], plans[ib]
            sa, sb = turns[k].speaker, turns[k + 1].speaker
            if _pairs(a, b, plans[ib + 1].start if nb > 1 else None, profile):
                assert sa is not None and sb is not None
                lines = (a.lines[0], b.lines[0])
                words = a.words + b.words
                plans[ia] = _Plan(
                    a.start,
                    b.speech_end,
                    lines,
                    (sa, sb),
                    a.turn,
                    a.line,
                    words,
                    b.fixed_end,
                    lead=min(a.lead, b.lead),
                )
                drop.add(ib)
                k += 2
                continue
        k += 1
    return [p for x, p in enumerate(plans) if x not in drop]


def _join_crowded(plans: list[_Plan], profile: Profile) -> list[_Plan]:
    """A turn's last cue that the next speaker's overlapping speech would leave on screen for less than
    the minimum duration, even with the next cue waiting ``MAX_LAG_MS``, joins the cue before it (the
    same turn's) when their text fits one cue: crosstalk in a meeting, a turn timed by the fallback."""
    min_dur, gap, max_dur = profile.min_duration_ms, profile.min_gap_ms, profile.max_duration_ms
    maxc, maxl = profile.max_chars_per_line, profile.max_lines
    out: list[_Plan] = []
    for k, p in enumerate(plans):
        prev = out[-1] if out else None
        nxt = plans[k + 1] if k + 1 < len(plans) else None
        if (
            prev is None
            or nxt is None
            or nxt.turn == p.turn
            or prev.turn != p.turn
            or len(set(p.speakers)) > 1
            or len(set(prev.speakers)) > 1
            or p.fixed_end is not None
            or prev.fixed_end is not None
            or nxt.start + MAX_LAG_MS - p.start >= min_dur + gap - p.lead
            or p.speech_end - prev.start > max_dur
        ):
            out.append(p)
            continue
        lines: tuple[str, ...] = prev.lines + p.lines
        if len(lines) > maxl or any(len(x) > maxc for x in lines):
            text = " ".join(prev.lines + p.lines)
            first = len(out) < 2 or out[-2].turn != prev.turn
            reserve = label_reserve(p.speakers[0]) if first else 0
            lines = (
                () if is_cjk_text(text) else break_lines(tokenize(text), maxc, maxl, first_reserve=reserve)
            )
            if not lines or len(lines) > maxl or any(len(x) > maxc for x in lines):
                out.append(p)
                continue
        out[-1] = _Plan(
            prev.start,
            max(prev.speech_end, p.speech_end),
            lines,
            (p.speakers[0],) * len(lines),
            prev.turn,
            prev.line,
            prev.words + p.words,
            lead=prev.lead,
        )
    return out


def _ease_reading(
    plans: list[_Plan],
    turn_cues: list[tuple[int, int]],
    turns: Sequence[Turn],
    profile: Profile,
    duration_ms: int | None,
) -> None:
    """Let a fast speaker's cues trail the speech a little when the pause after the turn gives room.

    Within a turn the cues follow the speech back to back, so when a speaker talks faster than the
    profile's reading speed (or a cue is spoken in less than the minimum duration) every cue is too
    fast. If the pause after the turn leaves room for what reading all its cues needs, they are laid
    out again: each starts at its speech or after the previous cue, at most ``MAX_LAG_MS`` late, and is
    shown for what reading it needs (cut short only where the next one may lag no more), all before the
    next turn; kept only when fewer cues are then too fast or short. Turns with aligned words or
    original caption times are left alone.
    """
    gap, min_dur, max_dur = profile.min_gap_ms, profile.min_duration_ms, profile.max_duration_ms
    ms_per_char = 1000 / profile.max_cps if profile.max_cps > 0 else 0.0
    chars = shown_chars(plans)
    following = len(plans)
    for index in range(len(turn_cues) - 1, -1, -1):
        first, count = turn_cues[index]
        if count == 0:
            continue
        group = plans[first : first + count]
        bound = plans[following].start - gap if following < len(plans) else (duration_ms or math.inf)
        following = first
        if count < 2 or turns[index].words or group[0].fixed_end is not None:
            continue
        needs = [max(min_dur, n * ms_per_char) for n in chars[first : first + count]]
        if all(p.speech_end - p.start >= need for p, need in zip(group, needs, strict=True)):
            continue
        if sum(needs) + gap * (count - 1) > bound - group[0].start:
            continue  # no room overall: leave the turn evenly timed (and reported)
        starts: list[float] = []
        ends: list[float] = []
        t = -math.inf
        for p, need in zip(group, needs, strict=True):
            start = min(max(p.start, t + gap), p.start + MAX_LAG_MS)
            if ends:
                ends[-1] = min(ends[-1], start - gap)  # a cue that had to stop lagging cuts the one before
            t = min(start + max(need, p.speech_end - start), start + max_dur)
            starts.append(start)
            ends.append(t)
        ends[-1] = min(ends[-1], bound)
        before = sum(p.speech_end - p.start < need for p, need in zip(group, needs, strict=True))
        after = sum(e - st < need for st, e, need in zip(starts, ends, needs, strict=True))
        if after >= before or any(e <= st for st, e in zip(starts, ends, strict=True)):
            continue
        for p, start, end in zip(group, starts, ends, strict=True):
            p.start, p.speech_end = start, end


# -- 3. timing ------------------------------------------------------------------------------------------


def _finish(
    plans: list[_Plan], profile: Profile, duration_ms: int | None, path: str | None
) -> tuple[list[Cue], list[Finding]]:
    n = len(plans)
    gap, chain = profile.min_gap_ms, profile.chain_gap_ms
    min_dur, max_dur = profile.min_duration_ms, profile.max_duration_ms
    starts: list[int] = []
    last = -1
    for k, p in enumerate(plans):
        s = max(round(p.start), last + 1, 0)
        if k and p.turn != plans[k - 1].turn and not (p.keep_end or plans[k - 1].keep_end):
            # the next speaker starts while the previous cue has had less than the minimum duration
            # (overlapping speech, a turn timed by the fallback): that cue would flash by, so the next
            # one waits for it (less what that cue may lead its own start by, below), but no more than
            # MAX_LAG_MS after its own speech
            room = last + min_dur + gap - plans[k - 1].lead
            room = min(room, round(p.start) + MAX_LAG_MS)
            if s < room and (duration_ms is None or room < duration_ms):
                s = room
        starts.append(s)
        last = s
    ms_per_char = 1000 / profile.max_cps if profile.max_cps > 0 else 0.0
    chars = shown_chars(plans)
    # the cues' times, settled cue by cue (a cue may still shorten the one before it); Cues are made last
    cue_starts: list[int] = []
    cue_ends: list[int] = []
    needs: list[int] = []
    ceil = math.ceil
    out_time = OUT_TIME_MS
    chaining = chain > 0
    for k, p in enumerate(plans):
        s = starts[k]
        nxt = starts[k + 1] if k + 1 < n else None
        speech_end = round(p.speech_end)
        need = ceil(chars[k] * ms_per_char)
        if need < min_dur:
            need = min_dur
        # a cue ends when its speech does, plus the out-time and what reading it needs, within max_dur;
        # a caption-file cue kept as it was keeps its end (comparisons rather than min/max: a hot loop)
        keep = p.keep_end
        if keep:
            end = speech_end
        else:
            end = speech_end + out_time
            if end < s + need:
                end = s + need
            if end > s + max_dur:
                end = s + max_dur
        fixed = p.fixed_end
        if fixed is not None and fixed < end:
            end = fixed
        if duration_ms is not None and duration_ms > s and duration_ms < end:
            end = duration_ms
        if nxt is not None:
            if nxt - gap < end:
                end = nxt - gap
            if not keep and chaining and nxt - end <= chain and nxt - gap - s <= max_dur and end < nxt - gap:
                end = nxt - gap
        if end < s + 1:
            end = s + 1
        if nxt is not None and nxt < end:
            end = nxt
        if not keep and cue_starts and end - s < need:
            # too short or too fast and no room after it: start up to EARLY_MS sooner, into free time
            # or into the previous cue's time beyond what that cue needs itself
            prev_start, prev_end = cue_starts[-1], cue_ends[-1]
            surplus = 0 if plans[k - 1].keep_end else max(0, prev_end - prev_start - needs[-1])
            room = min(p.lead, s - gap - prev_end + surplus)
            if room > 0:
                s -= min(room, need - (end - s))
                if prev_end > s - gap:
                    cue_ends[-1] = s - gap
        needs.append(need)
        cue_starts.append(s)
        cue_ends.append(end)
    cues = [
        Cue(s, e, p.lines, p.speakers, p.turn, p.line, p.words)
        for s, e, p in zip(cue_starts, cue_ends, plans, strict=True)
    ]
    return cues, _check(cues, chars, profile, path)


def check_cues(
    cues: Sequence[Cue], profile: Profile, *, path: str | None = None, labels: bool = True
) -> list[Finding]:
    """Findings C001-C006 for cues outside ``profile`` (``cue`` is the 1-based index in ``cues``); each
    carries ``limit``, ``actual`` and ``excess``. ``labels``: whether speaker labels are shown in the
    text (SRT), so count in the reading speed (see :func:`shown_chars`)."""
    return _check(cues, shown_chars(cues, labels=labels), profile, path)


def _check(cues: Sequence[Cue], chars: Sequence[int], profile: Profile, path: str | None) -> list[Finding]:
    """:func:`check_cues` with the cues' :func:`shown_chars` known: the profile's limits
    (:mod:`toolkit.limits`, the implementation ``validate`` uses too)."""
    shown = [
        ShownCue(k, c.line, c.start_ms, c.end_ms, c.lines, n)
        for k, (c, n) in enumerate(zip(cues, chars, strict=True), start=1)
    ]
    return check_limits(shown, profile, path)
