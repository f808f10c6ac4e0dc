"""The segmenter's entry point: :func:`segment` runs the steps of :mod:`toolkit.segment` in order.

Speech plan (:mod:`.speech`), tokens (:mod:`.tokens`), cutting (:mod:`.cutting`), dialogue pairs
(:mod:`.dialogue`), timing (:mod:`.cue_times`); the pipeline (:mod:`toolkit.pipeline`) calls it with the
repaired (and possibly aligned) turns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..model import Cue, Finding, Turn
from ..profiles import Profile
from ..timing import RateModel
from .cue_plan import CuePlan
from .cue_times import ease_reading, finish_timing
from .cutting import cut_turn
from .dialogue import join_crowded, merge_dialogue, recut_for_reply
from .params import DEFAULT_PARAMS, SegmentParams
from .shown import label_reserve
from .speech import speech_spans
from .tokens import turn_tokens

__all__ = ["segment"]


def segment(
    turns: Sequence[Turn],
    profile: Profile,
    *,
    rates: RateModel,
    duration_ms: int | None = None,
    path: str | None = None,
    cjk: bool = False,
    words: Callable[[str], Iterable[str]] | None = None,
    params: SegmentParams | None = None,
) -> tuple[list[Cue], list[Finding]]:
    """Cut ``turns`` into timed cues for ``profile``; return the cues and the findings about them.

    ``cjk``: the transcript is Chinese or Japanese, so a turn written mostly in those scripts is cut and
    broken between characters (:func:`~toolkit.linebreak.tokenize_cjk`), its lines joined without spaces;
    ``words``: a word segmenter for that text (jieba's for Chinese), so no line breaks inside a word.
    ``params``: the segmenter's tuning (:data:`~toolkit.segment.params.DEFAULT_PARAMS` when ``None``).
    """
    params = DEFAULT_PARAMS if params is None else params
    spans = speech_spans(turns, rates, duration_ms)
    plans: list[CuePlan] = []
    turn_cues: list[tuple[int, int]] = []  # per turn: (first plan index, count)
    prev_speaker: str | None = None
    for index, turn in enumerate(turns):
        reserve = label_reserve(turn.speaker) if turn.speaker != prev_speaker else 0
        first = len(plans)
        toks = turn_tokens(turn, spans[index], cjk=cjk, words=words)
        cut = cut_turn(index, turn, toks, profile, reserve, params)
        if len(cut) > 1 and turn_cues and turn_cues[-1][1] == 1:
            cut = recut_for_reply(plans[-1], cut, index, turn, toks, profile, params)
        plans.extend(cut)
        turn_cues.append((first, len(plans) - first))
        if len(plans) > first:
            prev_speaker = turn.speaker
    ease_reading(plans, turn_cues, turns, profile, duration_ms, params)
    plans = merge_dialogue(plans, turn_cues, turns, profile, params)
    plans = join_crowded(plans, profile, params)
    return finish_timing(plans, profile, duration_ms, path, params)
