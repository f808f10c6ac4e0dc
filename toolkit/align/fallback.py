"""The fallback for a turn the engine cannot align (finding A001): rate-model word times, sentence starts
at the likeliest speech onsets (see :func:`fallback`); :func:`bridge` does the same for a chunk of a long
turn, between the aligned words around it.

The last resort of the English aligner's turn loop (:mod:`toolkit.align.turns`), and what runs for the
whole file when the engine fails everywhere (0 dB SNR): its error is bounded by the speech detector's
onsets (:mod:`toolkit.align.windows`), not by the rate model's drift.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from ..model import Turn, Word
from ..rules import finding
from ..text import is_sentence_end
from .aligner import TokenTiming
from .normalize import Token
from .run import Limits, Run
from .tuning import DEFAULT_PARAMS, AlignParams
from .windows import FRAME_MS, SpeechIndex, onsets

__all__ = ["bridge", "fallback", "sentence_starts", "snap_to_onset", "turn_start"]


def sentence_starts(tokens: Sequence[Token]) -> list[int]:
    """Indices of the tokens that start a sentence (always 0)."""
    return [0] + [i + 1 for i, tok in enumerate(tokens[:-1]) if tok.spoken and is_sentence_end(tok.text)]


def fallback(run: Run, turn: Turn, tokens: list[Token], next_hint: int | None, limits: Limits) -> Turn:
    """Rate-model word times for a turn that could not be aligned (finding A001).

    The turn starts at the speech onset just after its timestamp. Each following sentence is expected
    where the previous one started plus its rate-model duration, and starts at the speech onset nearest
    that estimate (a longer pause before it is a likelier sentence break): the error of one sentence then
    does not carry over to the next, and a sentence start is as good as the speech detector's onsets."""
    start = turn_start(run, turn, limits)
    chars = [sum(len(s) for s in t.spoken) for t in tokens]
    bounds = [*sentence_starts(tokens), len(tokens)]
    rate_ms = float(run.rates.speech_ms(turn.speaker, sum(1 for t in tokens if t.spoken) or 1))
    span_end = _span_end(run.index, start, rate_ms, next_hint)
    starts = _sentence_onsets(run.index, start, span_end, chars, bounds, run.params)
    words, end_pos = _spread_words(tokens, chars, bounds, starts, rate_ms)
    where = (
        "no speech is heard where it belongs: its sentences share that time"
        if _silent_span(run.index, start, span_end, run.params)
        else "its sentences start at speech onsets"
    )
    run.findings.append(
        finding(
            "A001",
            f"forced alignment failed for this turn; {where}, its words are timed by the speech-rate model",
            path=run.path,
            line=turn.line,
            start_ms=start,
            words=len(words),
        )
    )
    _move_cursor(run, end_pos, next_hint)
    return replace(
        turn,
        start_ms=words[0].start_ms if words else turn.start_ms,  # like an aligned turn: its first word
        end_ms=words[-1].end_ms if words else turn.end_ms,
        source_start_ms=turn.source_start_ms if turn.source_start_ms is not None else turn.start_ms,
        words=tuple(words),
    )


def bridge(
    run: Run,
    turn: Turn,
    tokens: Sequence[str],
    starts: Sequence[int],
    lo: int,
    hi: int | None,
    next_hint: int | None,
) -> list[TokenTiming]:
    """Rate-model timings for the spoken ``tokens`` of a part of a turn the engine could not align
    (sentences starting at token indices ``starts``, always 0), between ``lo``, where the aligned words
    before it end or the turn starts, and ``hi``, where the aligned words after it start (``None``: the
    part ends the turn). As in :func:`fallback`, each sentence starts at the likeliest speech onset near
    its share of the span's speech; the part's words stay inside the span, at a score of -inf."""
    index, params = run.index, run.params
    chars = [len(t) for t in tokens]
    bounds = [*starts, len(tokens)]
    rate_ms = float(run.rates.speech_ms(turn.speaker, len(tokens) or 1))
    span_end = float(hi) if hi is not None else _span_end(index, lo, rate_ms, next_hint)
    first = [on for on, _ in onsets(index, lo, min(lo + params.snap_sigma_ms, round(span_end)))]
    begin = first[0] if first else lo
    sentence_at = _sentence_onsets(index, begin, span_end, chars, bounds, params)
    spans = _spread(chars, bounds, sentence_at, rate_ms, span_end)
    return [TokenTiming(round(a), round(b), float("-inf")) for a, b in spans]


def turn_start(run: Run, turn: Turn, limits: Limits) -> int:
    """Where the fallen-back turn starts: the onset just after its timestamp, or after the previous turn
    when it has no usable one, inside the turn's own range."""
    index, state = run.index, run.state
    start: int | None = None
    hint = turn.start_ms
    if hint is not None and hint >= index.last_speech_ms:  # a timestamp past the speech: not a hint ...
        hint = None
        if index.speech_ms(state.cursor_ms, index.end_ms) < run.params.unclaimed_speech_ms:
            # ... and no speech is left after the previous turn (the media ends before the transcript, as
            # a truncated file does): nothing to snap to, the timestamp stands
            start = max(int(turn.start_ms or 0), state.cursor_ms)
    if hint is not None:  # a floored timestamp: the turn starts at an onset just after it
        start = snap_to_onset(index, hint + 500, hint - 300, 0, hint + 1_300, params=run.params)
    elif start is None and state.failed_in_row and limits[0] is not None:
        # no timestamp, and the turn before fell back too, so the cursor is only a guess: the middle of
        # the turn's range (an estimate from the stamps around it) is a better one
        lo, hi = limits[0]
        start = snap_to_onset(index, (lo + hi) / 2, lo, 0, hi, params=run.params)
    elif start is None:  # no usable timestamp: the first onset after the previous turn
        after = [on for on, _ in onsets(index, state.cursor_ms, state.cursor_ms + 3_000)]
        start = after[0] if after else state.cursor_ms
    if limits[0] is not None:
        start = min(max(start, limits[0][0]), limits[0][1])
    return max(start, 0)


def _span_end(index: SpeechIndex, start: int, rate_ms: float, next_hint: int | None) -> float:
    """The end of the turn's span: the longest pause before the next turn's timestamp, when that agrees
    with the rate model within a factor of two (the last turn ends with the speech); else the rate
    model's end."""
    span_end: float = start + rate_ms
    end: int | None = index.last_speech_ms  # the last turn ends with the speech
    if next_hint is not None:
        gaps = [p for p in index.pauses_between(next_hint - 1_500, next_hint + 1_000) if p.start_ms > start]
        end = max(gaps, key=lambda p: p.length_ms).start_ms if gaps else None
    if end is not None and rate_ms / 2 <= end - start <= rate_ms * 2:
        span_end = end
    return span_end


def _sentence_onsets(
    index: SpeechIndex,
    start: int,
    span_end: float,
    chars: Sequence[int],
    bounds: Sequence[int],
    params: AlignParams,
) -> list[int]:
    """Each sentence's start: the speech of the span shared by the sentences' lengths (``chars`` per token,
    sentences at ``bounds``), each start snapped to the likeliest onset near its estimate."""
    starts = [start]
    left = sum(chars) or 1
    # where the detector hears (almost) no speech in the span (past a truncated file's end, silence), the
    # sentences share the span's time by the rate model instead of its speech, and nothing snaps
    by_time = _silent_span(index, start, span_end, params)
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
        before = span_end - 0.5 * rest_ms
        after = starts[-1] + 0.4 * prev_ms
        starts.append(snap_to_onset(index, est, after, prev_ms, before, params=params, may_stay=True))
    return starts


def _silent_span(index: SpeechIndex, start: int, span_end: float, params: AlignParams) -> bool:
    """Whether the detector hears (almost) no speech in the span (past a truncated file's end, silence)."""
    return index.speech_ms(start, round(span_end)) < params.silent_span_share * (span_end - start)


def _spread_words(
    tokens: Sequence[Token],
    chars: Sequence[int],
    bounds: Sequence[int],
    starts: Sequence[int],
    rate_ms: float,
) -> tuple[list[Word], float]:
    """Word times from each sentence's start (:func:`_spread`), and where the last word ends."""
    spans = _spread(chars, bounds, starts, rate_ms)
    words = [Word(tok.text, round(a), round(b)) for tok, (a, b) in zip(tokens, spans, strict=True)]
    return words, spans[-1][1] if spans else float(starts[0])


def _spread(
    chars: Sequence[int],
    bounds: Sequence[int],
    starts: Sequence[int],
    rate_ms: float,
    end: float | None = None,
) -> list[tuple[float, float]]:
    """(start, end) of each token, from its sentence's start (sentences at ``bounds``, starting at
    ``starts``), by characters at the rate model's pace; a sentence ends before the next one starts, and
    the last before ``end`` when given."""
    all_chars = sum(chars) or 1
    out: list[tuple[float, float]] = []
    for k, (a, b) in enumerate(itertools.pairwise(bounds)):
        pos = float(starts[k])
        total = rate_ms * sum(chars[a:b]) / all_chars
        stop = starts[k + 1] - FRAME_MS if k + 1 < len(starts) else end
        if stop is not None:
            total = min(total, max(0.0, stop - pos))
        n_chars = sum(chars[a:b]) or 1
        for c in chars[a:b]:
            dur = total * c / n_chars
            out.append((pos, pos + dur))
            pos += dur
    return out


def _move_cursor(run: Run, pos: float, next_hint: int | None) -> None:
    """Move on to the pause nearest the estimated end ``pos``, so one failed turn does not drag the next
    ones into its audio; with no pause there, stay (the next turn's recovery skips audio not in its text)."""
    index, state, params = run.index, run.state, run.params
    near = index.pauses_between(int(pos) - params.fallback_snap_ms, int(pos) + params.fallback_snap_ms)
    if near:
        moved = min(near, key=lambda p: abs(p.mid_ms - pos)).start_ms
        if next_hint is not None:  # never past where the next turn may start
            moved = min(moved, next_hint - params.hint_search_ms)
        state.cursor_ms = max(state.cursor_ms, moved)


def snap_to_onset(
    index: SpeechIndex,
    est: float,
    after: float,
    prev_ms: float,
    before: float | None = None,
    *,
    params: AlignParams = DEFAULT_PARAMS,
    may_stay: bool = False,
) -> int:
    """The likeliest speech onset for a sentence expected at ``est``, in ``(after, before)``.

    The estimate's error grows with the previous sentence's length ``prev_ms`` (speakers' pace varies
    from sentence to sentence); a longer pause before an onset makes it a likelier sentence break. Cost:
    squared distance in units of the expected error, less the pause length in units of
    ``params.pause_unit_ms`` (up to 1 s). ``est`` itself when no onset is in reach (2.5 expected errors).

    ``may_stay`` (a fallback's sentence starts): the estimate itself is a candidate at cost 0, since the
    sentence's own pause may not be heard at all (noise or reverberation fills it) and a far onset after
    a short pause is then no likelier than the estimate (at 3 dB SNR one 3.7 s off was taken over an
    estimate 0.1 s off); and the choice is the cost's alone, within 4 expected errors, pauses counting up
    to 2 s (a 2.75 s pause 4 s away is a sentence break however weak the estimate)."""
    sigma = params.snap_sigma_ms + params.snap_sigma_share * prev_ms
    reach, longest = (4.0, 2_000) if may_stay else (2.5, 1_000)
    hi = est + reach * sigma if before is None else min(est + reach * sigma, before)
    cands = [(on, n) for on, n in onsets(index, est - reach * sigma, hi) if after < on]
    if not cands:
        return round(est)

    def cost(c: tuple[int, int]) -> float:
        return 0.5 * ((c[0] - est) / sigma) ** 2 - min(c[1], longest) / params.pause_unit_ms

    best = min(cands, key=cost)
    return round(est) if may_stay and cost(best) >= 0 else best[0]
