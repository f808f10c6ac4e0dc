"""Sentence starts once a turn has aligned: a sentence's first word that the engine misplaced.

The engine aligns a turn's words as one sequence; a sentence's first word is where it errs most, and
where a caption starts. Once the turn has aligned (:mod:`toolkit.align.turns`), a first word stretched
backwards over what the text lacks keeps its end, as do a sentence's or phrase's first words run on
over the pause before them (:func:`trim_long_heads`); one left behind against the
sentence before joins its own sentence (:func:`join_first_words`); one the engine starts after a speech
onset, with speech heard all the way, moves back to that onset (:func:`snap_sentence_starts`); one put
in silence moves up to the next word (:func:`lift_from_silence`); and one said twice, whose first copy
the engine left to silence, starts at that copy (:func:`claim_speech_before`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from .aligner import TokenTiming
from .fit import expected_ms, long_excess, median_score, poor_audio
from .recovery import worth_reporting
from .run import Run
from .tuning import AlignParams
from .window_search import align_span
from .windows import SpeechIndex

__all__ = [
    "claim_speech_before",
    "join_first_words",
    "lift_from_silence",
    "snap_sentence_starts",
    "trim_long_heads",
]

log = logging.getLogger(__name__)


def snap_sentence_starts(
    timings: list[TokenTiming], starts: Sequence[int], index: SpeechIndex, floor_ms: int, params: AlignParams
) -> list[TokenTiming]:
    """Move a sentence's first token back to the speech onset just before it, when the detector hears
    speech all the way from that onset to the token and the engine called it silence: a soft onset
    (a glide, a breathy vowel) that the acoustic model does not take for the phone. Never before the
    previous token's end, nor (the turn's first token) before ``floor_ms``, the previous turn's end."""
    out = list(timings)
    for s in starts:
        if s >= len(out):
            continue
        t = out[s]
        floor = out[s - 1].end_ms if s else floor_ms
        ons = index.onsets_between(
            max(floor, t.start_ms - params.snap_back_ms) - 1, t.start_ms - params.min_snap_ms + 1
        )
        if ons and index.speech_ms(ons[-1], t.start_ms) >= 0.8 * (t.start_ms - ons[-1]):
            out[s] = TokenTiming(ons[-1], t.end_ms, t.score)
    return out


def trim_long_heads(
    timings: list[TokenTiming],
    starts: Sequence[int],
    phones: Sequence[int],
    mpp: float,
    params: AlignParams,
    phrases: Sequence[int] = (),
) -> list[TokenTiming]:
    """A sentence's first token still implausibly long after recovery starts ``head_trim_factor`` times
    its expected length before its end. The engine stretches it backwards over what comes before the
    sentence that the text lacks (a hesitation, words said twice, a music bed the detector hears as
    speech); its end, where the next word begins, is what the sound fixes. A one-word sentence stays.

    The same holds for the first word of a phrase (``phrases``: the tokens after a comma, colon,
    semicolon or dash), and for the second or third word of a sentence or phrase (``head_words``), when
    the words up to the stretched one follow the word before with no pause (each less than
    ``head_gap_ms`` after the one before): the engine ran them on and stretched a word over the pause
    before them ("character, and which [790 ms of music] developed" as "character, and
    which......developed"). The stretched word is trimmed the same way, and the words before it move up
    to it, each no longer than its own trimmed length. (A pause between them, or before them, is where
    the engine put the break: they stay.)"""
    out = list(timings)
    at = set(starts)
    heads = sorted(at | set(phrases))
    for s, nxt in zip(heads, [*heads[1:], len(out)], strict=True):
        # the stretched word's end is fixed where the next word of its sentence (of its phrase, for any
        # but a sentence's first word) begins
        near = range(s, min(s + params.head_words, nxt - 1))
        if s in at and s + 1 < len(out) and s + 1 not in at and s not in near:
            near = range(s, s + 1)
        k = next((k for k in near if long_excess(out[k], phones[k], mpp, params)), None)
        if k is None:
            continue
        if (k > s or s not in at) and not _run_on(out, s, k, params):
            continue
        end = out[k].end_ms
        placed: list[TokenTiming] = []
        for i in range(k, s - 1, -1):
            length = _head_ms(phones[i], mpp, params)
            if i < k:
                length = min(out[i].end_ms - out[i].start_ms, length)
            placed.append(TokenTiming(end - length, end, out[i].score))
            end -= length
        if placed[-1].start_ms > out[s].start_ms:
            out[s : k + 1] = placed[::-1]
    return out


def _run_on(timings: Sequence[TokenTiming], s: int, k: int, params: AlignParams) -> bool:
    """Whether words ``s..k`` follow the word before ``s`` and one another with no pause between them
    (each less than ``head_gap_ms`` after the one before)."""
    return s > 0 and all(
        timings[i].start_ms - timings[i - 1].end_ms < params.head_gap_ms for i in range(s, k + 1)
    )


def join_first_words(
    timings: list[TokenTiming],
    starts: Sequence[int],
    index: SpeechIndex,
    phones: Sequence[int],
    mpp: float,
    params: AlignParams,
    floor_ms: int | None = None,
) -> list[TokenTiming]:
    """A sentence's first token that abuts the previous sentence's last (no pause between them: none in
    the engine's words, no speech onset within ``head_gap_ms`` of its start) but is ``head_gap_ms`` or
    more before its own next token, with speech heard in that gap, moves to just before the next token:
    sentences are parted by pauses, and the words of one are not; the engine left the first word behind
    when the audio before the sentence held more than the text (words said twice at the end of the
    sentence before). Aligned alone, a short first word ("the") cannot tell the two places apart: it
    fits a repeat's sound better than its own.

    So does the turn's first token when it starts at ``floor_ms``, the start of the turn's range (the
    earliest start its timestamp allows): the engine started it before the range, where speech was
    under way, in a conversation the other speaker's last words ("...now though. | Well, [1.1 s] there
    isn't" put "Well," on "though"). Not at the previous turn's end: that is the engine's own guess,
    and a first word abutting it may be where it belongs."""
    out = list(timings)
    for s in _first_words(starts, len(out)):
        t, nxt = out[s], out[s + 1]
        prev_end = out[s - 1].end_ms if s else floor_ms
        if prev_end is None:  # the turn's first word, without a range
            continue
        gap = nxt.start_ms - t.end_ms
        if t.start_ms - prev_end > params.min_snap_ms or gap < params.head_gap_ms:
            continue
        if index.speech_ms(t.end_ms, nxt.start_ms) < gap // 2:
            continue
        if index.onsets_between(t.start_ms - params.head_gap_ms, t.start_ms + params.head_gap_ms):
            continue  # the detector hears a pause end where the word starts: the sentence starts there
        length = min(t.end_ms - t.start_ms, _head_ms(phones[s], mpp, params))
        out[s] = TokenTiming(nxt.start_ms - length, nxt.start_ms, t.score)
    return out


def _first_words(starts: Sequence[int], n: int) -> list[int]:
    """The first tokens (of ``n``) of the sentences starting at ``starts`` that have a second token."""
    at = set(starts)
    return [s for s in starts if s + 1 < n and s + 1 not in at]


def _head_ms(phones: int, mpp: float, params: AlignParams) -> int:
    """How long a sentence's (or phrase's) first word that :func:`trim_long_heads` or
    :func:`join_first_words` places lasts at most: ``head_trim_factor`` times its expected length."""
    return int(params.head_trim_factor * expected_ms(phones, mpp))


def lift_from_silence(
    timings: list[TokenTiming],
    starts: Sequence[int],
    index: SpeechIndex,
    phones: Sequence[int],
    params: AlignParams,
) -> list[TokenTiming]:
    """Move a sentence's first token that the engine put in silence (the detector hears almost no speech
    under it, and a speech onset comes before the next token) to just before the next token: a short
    first word ("It", "And") fitted to the noise before a quiet speaker's onset would start the sentence
    a second early."""
    out = list(timings)
    for s in starts:
        if s + 1 >= len(out):
            continue
        t, nxt = out[s], out[s + 1]
        length = t.end_ms - t.start_ms
        if length <= 0 or index.speech_ms(t.start_ms, t.end_ms) > params.silent_word_share * length:
            continue
        ons = index.onsets_between(t.end_ms - 1, nxt.start_ms + params.onset_slack_ms)
        if not ons:
            continue
        end = min(ons[0], nxt.start_ms)
        start = max(t.start_ms, end - max(params.min_snap_ms, params.crush_ms_per_phone * phones[s]))
        if start > t.start_ms:
            out[s] = TokenTiming(start, end, t.score)
    return out


def claim_speech_before(
    run: Run,
    tokens: Sequence[str],
    timings: list[TokenTiming],
    starts: Sequence[int],
    phones: Sequence[int],
) -> list[TokenTiming]:
    """A sentence's first word said twice ("now, now", "I I think") or broken off and started again
    leaves the engine one copy and the rest in the "silence" before it: the sentence starts where the
    speaker starts it. Taken when, between the previous token's end and the first token of a sentence
    after the turn's first (before that, the speech may be the previous speaker's; a token the engine
    did not align, timed by the rate model, is not judged), at most ``claim_back_ms`` back, there is
    audio no word has that A002 would report (:func:`worth_reporting`: at least ``filler_ms`` long,
    with ``skipped_sound_ms`` of speech standing out of the noise) and at least the speech the token
    needs at ``crush_ms_per_phone``, and the first token aligned to it alone fits it about as well as
    the turn's aligned words fit theirs, and clearly better than the words beside it in the text do (the
    last one, two or three before it, the next one; both by ``repeat_fit_drop``): then the sentence
    starts at the last onset before where that copy of the word lies. A short word alone fits most
    speech (the engine calls the rest silence), so the sentence before trailing on, crosstalk or music
    fit its own neighbours as well, and nothing moves; nor on media where every word fits poorly."""
    index, params = run.index, run.params
    if poor_audio(run.state, params):
        return timings  # low scores everywhere (heavy noise): a word's fit cannot tell its sound
    out = list(timings)
    usual = median_score([t for t in timings if math.isfinite(t.score)])
    for s in _first_words(starts, len(out)):
        t = out[s]
        if s == 0 or not math.isfinite(t.score):
            continue  # a turn's first word (the speech before may be the previous speaker's); a bridged one
        floor = max(out[s - 1].end_ms, t.start_ms - params.claim_back_ms)
        ons = index.onsets_between(floor - 1, t.start_ms)
        if not ons or not worth_reporting(run, ons[0], t.start_ms):
            continue  # no onset, or no sound there that stands out of the noise
        if index.speech_ms(ons[0], t.start_ms) < params.crush_ms_per_phone * phones[s]:
            continue
        fit, copy_ms = _fit_alone(run, tokens[s : s + 1], ons[0], t.start_ms)
        if fit < usual - params.repeat_fit_drop:
            continue
        # a short word fits most speech (music, the sentence before trailing on): the word must fit there
        # clearly better than the words beside it in the text (the last one to three before it, the next)
        spans = [
            (a, b)
            for a, b in ((s - 1, s), (s - 2, s), (s - 3, s), (s + 1, s + 2))
            if a >= 0 and b <= len(tokens)
        ]
        rival = max(
            (_fit_alone(run, tokens[a:b], ons[0], t.start_ms)[0] for a, b in spans), default=-math.inf
        )
        if fit < rival + params.repeat_fit_drop:
            continue
        start = max((o for o in ons if o <= copy_ms + params.onset_slack_ms), default=ons[0])
        log.debug("%r said before its sentence at %d-%d", tokens[s], start, t.start_ms)
        out[s] = TokenTiming(start, t.end_ms, t.score)
    return out


def _fit_alone(run: Run, tokens: Sequence[str], start_ms: int, end_ms: int) -> tuple[float, int]:
    """How well ``tokens`` alone fit the audio between ``start_ms`` and ``end_ms`` (-inf: not at all),
    and where the first of them starts there."""
    again = align_span(run.engine, tokens, run.audio, run.sample_rate, start_ms, end_ms)
    return (-math.inf, start_ms) if again is None else (median_score(again), again[0].start_ms)
