"""The fallback for a turn the engine cannot align (finding A001): rate-model word times, sentence starts
at the likeliest speech onsets (see :func:`fallback`)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from ..model import Turn, Word
from ..rules import finding
from ..text import is_sentence_end
from .normalize import Token
from .run import Limits, Run
from .windows import FRAME_MS, onsets, snap_to_onset

__all__ = ["fallback", "sentence_starts"]

HINT_SEARCH_MS = 3_500  # the fallback never moves the cursor past the next turn's stamp less this
UNCLAIMED_SPEECH_MS = 500  # less speech than this left after the cursor: the audio has ended for the text
SILENT_SPAN_SHARE = 0.3  # a fallback span with less speech than this share is timed by the clock
FALLBACK_SNAP_MS = 1_200  # a fallback turn starts at the first speech onset this close after its timestamp


def sentence_starts(tokens: Sequence[Token]) -> list[int]:
    """Indices of the tokens that start a sentence (always 0)."""
    return [0] + [i + 1 for i, tok in enumerate(tokens[:-1]) if tok.spoken and is_sentence_end(tok.text)]


def fallback(run: Run, turn: Turn, tokens: list[Token], next_hint: int | None, limits: Limits) -> Turn:
    """Rate-model word times for a turn that could not be aligned (finding A001).

    The turn starts at the speech onset just after its timestamp. Each following sentence is expected
    where the previous one started plus its rate-model duration, and starts at the speech onset nearest
    that estimate (a longer pause before it is a likelier sentence break): the error of one sentence then
    does not carry over to the next, and a sentence start is as good as the speech detector's onsets."""
    index, state = run.index, run.state
    start: int | None = None
    hint = turn.start_ms
    if hint is not None and hint >= index.last_speech_ms:  # a timestamp past the speech: not a hint ...
        hint = None
        if index.speech_ms(state.cursor_ms, index.end_ms) < UNCLAIMED_SPEECH_MS:
            # ... and no speech is left after the previous turn (the media ends before the transcript, as
            # a truncated file does): nothing to snap to, the timestamp stands
            start = max(int(turn.start_ms or 0), state.cursor_ms)
    if hint is not None:  # a floored timestamp: the turn starts at an onset just after it
        start = snap_to_onset(index, hint + 500, hint - 300, 0, hint + 1_300)
    elif start is None:  # no usable timestamp: the first onset after the previous turn
        after = [on for on, _ in onsets(index, state.cursor_ms, state.cursor_ms + 3_000)]
        start = after[0] if after else state.cursor_ms
    if limits[0] is not None:
        start = min(max(start, limits[0][0]), limits[0][1])
    start = max(start, 0)
    chars = [sum(len(s) for s in t.spoken) for t in tokens]
    all_chars = sum(chars) or 1
    bounds = [*sentence_starts(tokens), len(tokens)]
    rate_ms = float(run.rates.speech_ms(turn.speaker, sum(1 for t in tokens if t.spoken) or 1))
    # the turn's span: up to the longest pause before the next turn's timestamp, when that agrees with
    # the rate model within a factor of two; sentences are spread over its speech by their length
    span_end = start + rate_ms
    end: int | None = index.last_speech_ms  # the last turn ends with the speech
    if next_hint is not None:
        gaps = [p for p in index.pauses_between(next_hint - 1_500, next_hint + 1_000) if p.start_ms > start]
        end = max(gaps, key=lambda p: p.length_ms).start_ms if gaps else None
    if end is not None and rate_ms / 2 <= end - start <= rate_ms * 2:
        span_end = end
    starts = [start]
    left = all_chars
    # where the detector hears (almost) no speech in the span (past a truncated file's end, silence), the
    # sentences share the span's time by the rate model instead of its speech, and nothing snaps
    by_time = index.speech_ms(start, round(span_end)) < SILENT_SPAN_SHARE * (span_end - start)
    for a, b in itertools.pairwise(bounds[:-1]):
        # the previous sentence's share of the speech left in the span (from its own snapped start)
        share = sum(chars[a:b]) / max(1, left)
        left -= sum(chars[a:b])
        prev_ms = max(0.0, span_end - starts[-1]) * share
        if by_time:
            starts.append(round(starts[-1] + prev_ms))
            continue
        est = float(
            index.time_after_speech(starts[-1], round(index.speech_ms(starts[-1], round(span_end)) * share))
        )
        rest_ms = max(0.0, span_end - starts[-1]) - prev_ms  # the sentences after it need room
        starts.append(
            snap_to_onset(index, est, starts[-1] + 0.4 * prev_ms, prev_ms, span_end - 0.5 * rest_ms)
        )
    words: list[Word] = []
    pos = float(start)
    for k, (a, b) in enumerate(itertools.pairwise(bounds)):
        pos = float(starts[k])
        total = rate_ms * sum(chars[a:b]) / all_chars
        if k + 1 < len(starts):  # a sentence ends before the next one starts
            total = min(total, max(0.0, starts[k + 1] - starts[k] - FRAME_MS))
        n_chars = sum(chars[a:b]) or 1
        for tok, c in zip(tokens[a:b], chars[a:b], strict=True):
            dur = total * c / n_chars
            words.append(Word(tok.text, round(pos), round(pos + dur)))
            pos += dur
    run.findings.append(
        finding(
            "A001",
            "forced alignment failed for this turn; its sentences start at speech onsets, its words are "
            "timed by the speech-rate model",
            path=run.path,
            line=turn.line,
            start_ms=start,
            words=len(words),
        )
    )
    # move on to the pause nearest the estimated end, so one failed turn does not drag the next ones
    # into its audio; with no pause there, stay (the next turn's recovery skips audio not in its text)
    near = index.pauses_between(int(pos) - FALLBACK_SNAP_MS, int(pos) + FALLBACK_SNAP_MS)
    if near:
        moved = min(near, key=lambda p: abs(p.mid_ms - pos)).start_ms
        if next_hint is not None:  # never past where the next turn may start
            moved = min(moved, next_hint - HINT_SEARCH_MS)
        state.cursor_ms = max(state.cursor_ms, moved)
    return replace(
        turn,
        start_ms=words[0].start_ms if words else turn.start_ms,  # like an aligned turn: its first word
        end_ms=words[-1].end_ms if words else turn.end_ms,
        source_start_ms=turn.source_start_ms if turn.source_start_ms is not None else turn.start_ms,
        words=tuple(words),
    )
