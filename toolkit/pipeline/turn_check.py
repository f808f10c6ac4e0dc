"""Turn sync checked by the transcript's own words: the text check of ``convert`` and ``validate --media``.

Turn sync (:mod:`toolkit.sync.turnsync`) weighs each stamp by whether a speech onset follows it. A short
transcript has few stamps: six turns that all land on onsets under an offset of -3 s are not enough to
tell that offset from luck among the hundred and fifty the search tries (evidence 5.9 nats where 8 are
needed), so the sync is refused (M006) and the captions keep the stamps as written, 3 s off. The words
know better: force-aligned where the offset puts each turn's first sentence they fit the sound far better
than a second or more away. This runs :func:`toolkit.align.verify.check_offset`, the check ``sync`` makes
for captions, on each timed turn's first sentence (from its stamp to a second past the rate model's end of
it: a floored stamp leaves up to a second before the first word), segment by segment for a split, against
alternatives two seconds and more away (a floored stamp cannot tell offsets a second apart).

It runs in three cases, on English or unknown-language text only (the acoustic model is English):
- turn sync refused an answer that would move the stamps (on a refusal the stamps as written are kept);
- turn sync accepted one offset, but another offset, two seconds or more away, explains as many turns:
  only the prior chose (the stamps as written are favoured). Sentence onsets are dense in an interview,
  so six stamps 3 s late can all land on onsets as written too; their words are then not where the
  stamps say (A001 on every turn);
- turn sync accepted one offset that moves the stamps: a wrong one would move every caption, so the
  words must not fit clearly better elsewhere (the stamps as written are one of the places tried).

An offset is taken only when every segment's words verify it; when they verify the onsets' own answer,
or verify nothing, the onsets' answer stands unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..language import Language
from ..model import Turn
from ..sync.solution import Segment, SyncResult
from ..sync.turnsync import TurnSyncParams
from ..text import is_sentence_end
from ..timing import RateModel

__all__ = ["check_turn_sync"]

log = logging.getLogger(__name__)

FIRST_WORDS = 20  # a probe is the turn's first sentence, at most this many words
FLOOR_SLACK_MS = 1_000  # a floored stamp: the first word starts up to this much after it
# a floored stamp cannot tell offsets a second apart (its first word may be anywhere in that second), so
# the offset must beat alternatives two seconds and more away; the word aligner then works within the
# range the accepted offset gives each turn
ALTERNATIVES_MS = (-5_000, -2_500, 2_500, 5_000)
DISTINCT_MS = 2_000


def check_turn_sync(
    turns: Sequence[Turn],
    result: SyncResult | None,
    audio: np.ndarray,
    sample_rate: int,
    rates: RateModel | None,
    language: Language | None,
) -> SyncResult | None:
    """Turn sync's answer checked by the turns' words where it is not enough alone (a refused move, a
    tie, an accepted move: see the module), segment by segment: the offset the words verify, or turn
    sync's own answer when they verify it or nothing, with the check in ``details["text_check"]``;
    ``None`` when no check ran. ``turns`` are the ones turn sync saw and ``result`` its answer
    (as the ``check`` of :func:`toolkit.sync.sync_turns`)."""
    if result is None or (language is not None and language.reliable and not language.is_english):
        return None
    rival = result.details.get("rival_offset_ms")
    as_written = TurnSyncParams().as_written_ms
    if result.accepted:
        # the onsets chose, but another offset explains as many turns (only the prior decided: the stamps
        # as written are favoured), or they move the stamps, where a wrong answer moves every caption:
        # the words decide between the answer and its rival
        explained = result.details.get("turns_explained", 0)
        tie = rival is not None and result.details.get("rival_explained", 0) >= explained
        moves = abs(result.segments[0].offset_ms) > as_written
        if len(result.segments) > 1 or not (tie or moves):
            return None
    elif not result.reason.startswith("too little evidence"):
        return None
    elif all(abs(seg.offset_ms) <= as_written for seg in result.segments):
        return None  # the stamps as written are kept on a refusal anyway
    from ..align.verify import TextCheckParams, check_segments  # lazy: the aligner loads only when needed

    params = TextCheckParams(alternatives_ms=ALTERNATIVES_MS, distinct_ms=DISTINCT_MS)

    timed = [t for t in turns if t.start_ms is not None]
    starts, ends, texts = _probes(timed, rates or RateModel.fit(turns))

    def offsets(seg: Segment) -> list[int]:
        out = [seg.offset_ms] if rival is None or len(result.segments) > 1 else [seg.offset_ms, int(rival)]
        return [*out, 0] if result.accepted else out  # a move must also beat the stamps as written

    checked = check_segments(
        result.segments, starts, ends, texts, audio, offsets, sample_rate=sample_rate, params=params
    )
    if checked is None:
        return None
    checks, report = checked
    log.info("turn sync text check: %s", report)
    reported = replace(result, details={**result.details, "text_check": report})
    if not report["verified"]:  # the onsets' answer stands (a refusal stays one), the check in its report
        if result.accepted:
            return reported
        return replace(reported, reason=f"{result.reason}; the transcript's words confirm no offset either")
    if result.accepted and all(
        abs(c.offset_ms - seg.offset_ms) < DISTINCT_MS for c, seg in zip(checks, result.segments, strict=True)
    ):
        return reported  # the words agree with the onsets' answer: it stands as it was
    segments = tuple(replace(s, offset_ms=c.offset_ms) for s, c in zip(result.segments, checks, strict=True))
    return replace(
        result,
        segments=segments,
        confidence=min(c.confidence for c in checks),
        accepted=True,
        reason="ok (the transcript's words fit the speech at this offset: text check)",
        details={**result.details, "text_check": report},
    )


def _probes(timed: Sequence[Turn], rates: RateModel) -> tuple[list[int], list[int], list[str]]:
    """Per timed turn: its stamp, where its first sentence should have ended, and that sentence."""
    starts, ends, texts = [], [], []
    for t in timed:
        words: list[str] = []
        for w in t.text.split():
            words.append(w)
            if is_sentence_end(w) or len(words) >= FIRST_WORDS:
                break
        stamp = int(t.start_ms or 0)
        starts.append(stamp)
        ends.append(stamp + FLOOR_SLACK_MS + rates.speech_ms(t.speaker, len(words)))
        texts.append(" ".join(words))
    return starts, ends, texts
