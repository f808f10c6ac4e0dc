"""Dialogue and crosstalk, between cutting (:mod:`.cutting`) and timing (:mod:`.cue_times`).

A one-line turn and the next speaker's first cue share one dash-style cue when both start within
``dual_max_lead_ms`` (1.5 s) and the pair is readable before the next cue; the answer's first cue is cut
to one line for it if need be (:func:`recut_for_reply`, :func:`merge_dialogue`). A turn's last cue that
the next speaker's overlapping speech would leave on screen too briefly joins the cue before it
(:func:`join_crowded`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..language import is_cjk_text
from ..linebreak import break_cost, break_lines, tokenize
from ..model import Turn
from ..profiles import Profile
from .cue_plan import CuePlan
from .cutting import cut_turn
from .params import SegmentParams
from .shown import label_reserve
from .tokens import TurnTokens

__all__ = ["can_pair", "join_crowded", "merge_dialogue", "recut_for_reply"]


def can_pair(a: CuePlan, b: CuePlan, after: float | None, profile: Profile, params: SegmentParams) -> bool:
    """Whether one-line cues ``a`` and ``b`` (of consecutive turns) can share a dash-style cue.

    Both lines must fit with a dash and a speaker label, ``b`` start within ``dual_max_lead_ms`` of
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
        or not 0 <= b.start - a.start <= params.dual_max_lead_ms
        or b.speech_end - a.start > profile.max_duration_ms
    ):
        return False
    if after is None or profile.max_cps <= 0:
        return True
    room = min(after - profile.min_gap_ms - a.start, profile.max_duration_ms)
    chars = len(a.lines[0]) + len(b.lines[0]) + len(sa) + len(sb) + 6  # two dashes, two "NAME: " labels
    return chars * 1000 / profile.max_cps <= room


def recut_for_reply(
    reply: CuePlan,
    cut: list[CuePlan],
    index: int,
    turn: Turn,
    toks: TurnTokens,
    profile: Profile,
    params: SegmentParams,
) -> list[CuePlan]:
    """The cues of a turn that follows a one-cue turn ``reply``: cut again, when that lets its first cue
    pair with the reply in a dash-style cue (one line, ending at a good break, readable in time)."""
    if (
        profile.max_lines < 2
        or can_pair(reply, cut[0], cut[1].start, profile, params)
        or turn.speaker is None
    ):
        return cut
    if not 0 <= cut[0].start - reply.start <= params.dual_max_lead_ms:
        return cut
    reserve = 1 + label_reserve(turn.speaker)
    again = cut_turn(index, turn, toks, profile, reserve, params, first_lines=1)
    if len(again) < 2 or not can_pair(reply, again[0], again[1].start, profile, params):
        return cut
    if break_cost(again[0].lines[0].rsplit(" ", 1)[-1], again[1].lines[0].split(" ", 1)[0]) > 0:
        return cut  # not at a clause or sentence end, nor before a conjunction or preposition
    return again


def merge_dialogue(
    plans: list[CuePlan],
    turn_cues: list[tuple[int, int]],
    turns: Sequence[Turn],
    profile: Profile,
    params: SegmentParams,
) -> list[CuePlan]:
    """A one-line turn and the next turn's first cue, of different speakers and close in time, share a
    dash-style cue (a short reply and the answer that starts after it, see :func:`can_pair`).
    ``turn_cues``: per turn, the index of its first cue in ``plans`` and its number of cues."""
    if profile.max_lines < 2:
        return plans
    drop: set[int] = set()
    k = 0
    while k + 1 < len(turn_cues):
        (ia, na), (ib, nb) = turn_cues[k], turn_cues[k + 1]
        if na == 1 and nb >= 1:
            a, b = plans[ia], plans[ib]
            sa, sb = turns[k].speaker, turns[k + 1].speaker
            if can_pair(a, b, plans[ib + 1].start if nb > 1 else None, profile, params):
                assert sa is not None and sb is not None
                plans[ia] = CuePlan(
                    a.start,
                    b.speech_end,
                    (a.lines[0], b.lines[0]),
                    (sa, sb),
                    a.turn,
                    a.line,
                    words=a.words + b.words,
                    fixed_end=b.fixed_end,
                    lead=min(a.lead, b.lead),
                )
                drop.add(ib)
                k += 2
                continue
        k += 1
    return [p for x, p in enumerate(plans) if x not in drop]


def join_crowded(plans: list[CuePlan], profile: Profile, params: SegmentParams) -> list[CuePlan]:
    """A turn's last cue that the next speaker's overlapping speech would leave on screen for less than
    the minimum duration, even with the next cue waiting ``max_lag_ms``, joins the cue before it (the
    same turn's) when their text fits one cue: crosstalk in a meeting, a turn timed by the fallback."""
    min_dur, gap, max_dur = profile.min_duration_ms, profile.min_gap_ms, profile.max_duration_ms
    max_lag = params.max_lag_ms
    out: list[CuePlan] = []
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
            or nxt.start + max_lag - p.start >= min_dur + gap - p.lead
            or p.speech_end - prev.start > max_dur
        ):
            out.append(p)
            continue
        first = len(out) < 2 or out[-2].turn != prev.turn
        lines = _joined_lines(prev, p, profile, label_reserve(p.speakers[0]) if first else 0)
        if lines is None:
            out.append(p)
            continue
        out[-1] = CuePlan(
            prev.start,
            max(prev.speech_end, p.speech_end),
            lines,
            (p.speakers[0],) * len(lines),
            prev.turn,
            prev.line,
            words=prev.words + p.words,
            fixed_end=None,
            lead=prev.lead,
        )
    return out


def _joined_lines(prev: CuePlan, p: CuePlan, profile: Profile, reserve: int) -> tuple[str, ...] | None:
    """The lines of ``prev`` and ``p`` as one cue (broken again if need be, ``reserve`` characters of the
    first line kept free for a label), or ``None`` when they do not fit the profile's lines."""
    maxc, maxl = profile.max_chars_per_line, profile.max_lines
    lines: tuple[str, ...] = prev.lines + p.lines
    if len(lines) > maxl or any(len(x) > maxc for x in lines):
        text = " ".join(prev.lines + p.lines)
        lines = () if is_cjk_text(text) else break_lines(tokenize(text), maxc, maxl, first_reserve=reserve)
        if not lines or len(lines) > maxl or any(len(x) > maxc for x in lines):
            return None
    return lines
