"""Step 3 of segmenting, timing: cue plans into timed ``Cue``s, with the profile's findings.

A cue starts when its first token is spoken and ends when its last one is, plus an out-time allowance of
up to ``out_time_ms`` (0.5 s) and what reading speed and the minimum duration need, always bounded by the
next cue's start less ``min_gap_ms``; gaps up to ``chain_gap_ms`` are closed to ``min_gap_ms``. A cue
still too short or too fast may start a little sooner, into free time or the previous cue's spare time:
at most ``sync_lead_ms`` (2 frames, Netflix's in-time tolerance) when its start is a known onset (aligned
words, or a turn's first cue at a transcript timestamp, which the speech cannot precede), at most
``early_ms`` when its start is only estimated inside a turn (such estimates already run early:
whole-second timestamps are truncated); each plan carries its allowance as ``lead``. A fast speaker's
cues may trail the speech by up to ``max_lag_ms`` when a pause follows the turn (:func:`ease_reading`,
run before the dialogue pass). The next speaker's cue waits until the previous cue has had the minimum
duration (crosstalk the dialogue pass could not join away), even past ``max_lag_ms``: a late cue can be
read, a flash cannot. Starts strictly increase and cues never overlap; a cue still outside the
profile gets a finding (C001-C006, :mod:`.shown`) with its 1-based index.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..model import Cue, Finding, Turn
from ..profiles import Profile
from .cue_plan import CuePlan
from .params import SegmentParams
from .shown import check_shown, shown_chars

__all__ = ["ease_reading", "finish_timing"]


def ease_reading(
    plans: list[CuePlan],
    turn_cues: list[tuple[int, int]],
    turns: Sequence[Turn],
    profile: Profile,
    duration_ms: int | None,
    params: SegmentParams,
) -> None:
    """Let a fast speaker's cues trail the speech a little when the pause after the turn gives room.

    Within a turn the cues follow the speech back to back, so when a speaker talks faster than the
    profile's reading speed (or a cue is spoken in less than the minimum duration) every cue is too
    fast. If the pause after the turn leaves room for what reading all its cues needs, they are laid
    out again: each starts at its speech or after the previous cue, at most ``max_lag_ms`` late, and is
    shown for what reading it needs (cut short only where the next one may lag no more), all before the
    next turn; kept only when fewer cues are then too fast or short. Turns with aligned words or
    original caption times are left alone. ``turn_cues``: per turn, its first plan's index and its
    number of plans.
    """
    gap, min_dur, max_dur = profile.min_gap_ms, profile.min_duration_ms, profile.max_duration_ms
    max_lag = params.max_lag_ms
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
            start = min(max(p.start, t + gap), p.start + max_lag)
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


def finish_timing(
    plans: list[CuePlan],
    profile: Profile,
    duration_ms: int | None,
    path: str | None,
    params: SegmentParams,
) -> tuple[list[Cue], list[Finding]]:
    """The plans as timed cues in integer ms, and the findings about the cues still outside ``profile``."""
    starts = _speech_starts(plans, profile, duration_ms)
    chars = shown_chars(plans)
    cue_starts, cue_ends = _settle(plans, starts, chars, profile, duration_ms, params)
    cues = [
        Cue(s, e, p.lines, p.speakers, p.turn, p.line, p.words)
        for s, e, p in zip(cue_starts, cue_ends, plans, strict=True)
    ]
    return cues, check_shown(cues, chars, profile, path)


def _speech_starts(plans: Sequence[CuePlan], profile: Profile, duration_ms: int | None) -> list[int]:
    """Each cue's start in whole ms, strictly increasing, before any cue starts early to be readable."""
    gap, min_dur = profile.min_gap_ms, profile.min_duration_ms
    starts: list[int] = []
    last = -1
    for k, p in enumerate(plans):
        s = max(round(p.start), last + 1, 0)
        # a cue pushed past its own speech (it waited for another speaker's cue) is squeezed by the next
        # cue of its own turn, which starts at its speech, as a new speaker's cue would squeeze it
        pushed = k > 0 and last > round(plans[k - 1].start)
        new_turn = k > 0 and p.turn != plans[k - 1].turn
        if (new_turn or pushed) and not (p.keep_end or plans[k - 1].keep_end):
            # the next speaker starts while the previous cue has had less than the minimum duration
            # (overlapping speech, a turn timed by the fallback, and the cue could not join the one
            # before it): it would flash by, so the next cue waits for it (less what that cue may lead
            # its own start by, below). Where that makes the next cue more than max_lag_ms late, the
            # previous cue's minimum duration still wins: a late cue can be read, a flash cannot
            room = last + min_dur + gap - plans[k - 1].lead
            if s < room and (duration_ms is None or room < duration_ms):
                s = room
        starts.append(s)
        last = s
    return starts


def _settle(
    plans: Sequence[CuePlan],
    starts: Sequence[int],
    chars: Sequence[int],
    profile: Profile,
    duration_ms: int | None,
    params: SegmentParams,
) -> tuple[list[int], list[int]]:
    """The cues' (starts, ends), settled cue by cue from their speech ``starts``: each end from the speech,
    out-time, reading need (``chars`` shown) and the next start; a cue still too short may start up to its
    ``lead`` sooner, shortening the one before it."""
    n = len(plans)
    gap, chain = profile.min_gap_ms, profile.chain_gap_ms
    min_dur, max_dur = profile.min_duration_ms, profile.max_duration_ms
    ms_per_char = 1000 / profile.max_cps if profile.max_cps > 0 else 0.0
    cue_starts: list[int] = []
    cue_ends: list[int] = []
    needs: list[int] = []
    ceil = math.ceil
    out_time = params.out_time_ms
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
            # too short or too fast and no room after it: start up to its lead sooner, into free time
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
    return cue_starts, cue_ends
