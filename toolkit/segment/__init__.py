"""Segmentation: speaker turns into timed caption cues within a profile's limits.

Three steps, each a pass over the turns or cues, each in its own module (:func:`segment` in
:mod:`.segmenter` runs them in order):

1. **Speech plan** (:mod:`.speech`, then :mod:`.tokens`). Each turn gets a speech span, from its
   transcript timestamp and the rate model, or its aligned words or caption times; within a turn, time is
   spread over the tokens in proportion to their characters.
2. **Cutting** (:mod:`.cutting`, then :mod:`.dialogue`). A dynamic programme over each turn's tokens
   picks cue boundaries (sentence ends first, then clause boundaries) so every cue fits the profile's
   lines, characters and ``max_duration_ms``. A one-line turn and the next speaker's first cue share one
   dash-style cue when both start within 1.5 s and the pair is readable before the next cue.
3. **Timing** (:mod:`.cue_times`). A cue runs from its first token's speech to its last one's, plus the
   out-time and what reading speed and the minimum duration need, bounded by the next cue; a cue still
   too short may start a little sooner, and a fast speaker's cues may trail the speech when a pause
   follows. Reading speed counts what the default SRT shows (:mod:`.shown`), so these findings agree with
   ``captionkit validate`` on the SRT; a cue still outside the profile gets a finding (C001-C006).

The tuning of all three steps is one frozen :class:`SegmentParams` (:mod:`.params`). Words are never lost,
reordered or altered: the cue lines of a turn, split on whitespace, are the turn's words in order
(bracketed annotations such as ``[crosstalk 00:42:40]`` are kept as one token).
"""

from __future__ import annotations

from .params import DEFAULT_PARAMS, SegmentParams
from .segmenter import segment
from .shown import check_cues, label_reserve, reading_chars, shown_chars

__all__ = [
    "DEFAULT_PARAMS",
    "SegmentParams",
    "check_cues",
    "label_reserve",
    "reading_chars",
    "segment",
    "shown_chars",
]
