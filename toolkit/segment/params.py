"""The segmenter's tuning: cue timing allowances and the costs of the cutting programme, in one place.

:class:`SegmentParams` is read by every step of :mod:`toolkit.segment` (speech plan, cutting, dialogue,
timing); :data:`DEFAULT_PARAMS` holds the values the profiles were tuned with. The profile
(:mod:`toolkit.profiles`) says what a cue may be; these say how the segmenter gets there.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_PARAMS",
    "SegmentParams",
]


@dataclass(frozen=True, slots=True)
class SegmentParams:
    """Timing allowances (integer ms) and cutting costs (lower is better) of :func:`toolkit.segment.segment`.

    A pause in aligned speech at a good cut place inside a cue costs up to ``pause_inside_cost``: a cue on
    screen through the speaker's silence shows the next words before they are said, so "Oh, hello.
    [pause] I didn't know ..." becomes two cues.
    """

    out_time_ms: int = 500  # Netflix: out-time up to 12 frames (0.5 s) after speech ends
    sync_lead_ms: int = 83  # Netflix: in-time within 2 frames (24 fps) of the speech onset, never later
    early_ms: int = 250  # a cue whose start is only estimated (inside a turn) may lead that estimate so much
    max_lag_ms: int = 1500  # BBC: never more than 1.5 s late; how far cues may trail speech to be readable
    dual_max_lead_ms: int = 1500  # BBC: never show speech more than 1.5 s early; bounds a two-speaker cue
    cue_cost: float = 6.0  # each cue
    max_cuts_tried: int = 12  # cut points tried per cue start; ordinary text has a handful within a cue
    sentence_inside_cost: float = 5.0  # a sentence end inside a cue (short sentences still share: short_cost)
    short_cost: float = 6.0  # a cue spoken for less than the minimum duration
    fill_weight: float = 3.0  # weight of the convex fill term that balances the cues of a long sentence
    sentence_cut_cost: float = -4.0  # cutting at a sentence end
    clause_cut_scale: float = 1.2  # cutting elsewhere: this times linebreak.break_cost
    good_cut_cost: float = -1.0  # a cut this cheap or cheaper is a good cut place (tried first)
    pause_inside_cost: float = 8.0  # a pause of pause_full_ms or more inside a cue, at a good cut place
    pause_from_ms: float = 200.0  # a shorter pause inside a cue costs nothing (linear up to pause_full_ms)
    pause_full_ms: float = 700.0  # a pause this long costs the whole pause_inside_cost


DEFAULT_PARAMS = SegmentParams()
