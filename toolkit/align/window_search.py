"""Where the English aligner's window for one piece starts and ends, and the engine run on it.

A window starts where the previous words ended (or, after a long quiet stretch or a fallback, near the
piece's timestamp) and ends in a pause: the one that best fits both the next turn's timestamp (a hint,
maybe seconds off) and the speech time the piece's phones need at the speaker's pace. A tail that looks
wrong (stretched, squeezed, crushed, speech left uncovered) moves the end to the neighbouring pauses; a
result that fits the sound far worse than the speaker's usual counts as a failed search. When the searches
near the estimate fail outright, the words may need far more time than the pace says (a slow speaker in a
reverberant room, before any of their turns has aligned): the longest end in reach is tried once.

Called by the turn loop (:mod:`toolkit.align.turns`) once per piece (:mod:`toolkit.align.pieces`); its
results are then checked by recovery (:mod:`toolkit.align.recovery`). Cutting in pauses comes from the
speech index (:mod:`toolkit.align.windows`), judging a result from :mod:`toolkit.align.fit`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..model import Turn
from .aligner import Aligner, TokenTiming
from .fit import (
    crush_ms,
    expected_ms,
    median_score,
    misfit_ms,
    poor_audio,
    squeeze,
    tail_anomaly,
    usual_fit,
    window_fit_floor,
)
from .pieces import Piece
from .run import Run
from .tuning import AlignParams
from .windows import Pause, SpeechIndex

__all__ = ["ScoredWindow", "align_span", "best_window", "end_candidates", "pick", "window_start"]

log = logging.getLogger(__name__)

ScoredWindow = tuple[float, int, list[TokenTiming]]  # (tail anomaly, window end in ms, the timings)


def align_span(
    engine: Aligner, tokens: Sequence[str], audio: np.ndarray, sample_rate: int, start_ms: int, end_ms: int
) -> list[TokenTiming] | None:
    """The engine's timings of ``tokens`` in ``audio[start_ms:end_ms]``, in ms of the whole audio (``None``
    when the engine fails or the span is under 200 ms)."""
    a = max(0, start_ms * sample_rate // 1000)
    b = min(len(audio), end_ms * sample_rate // 1000)
    if b - a < sample_rate // 5:
        return None
    res = engine.align(tokens, audio[a:b])
    if res is None:
        return None
    off = a * 1000 // sample_rate
    return [TokenTiming(t.start_ms + off, t.end_ms + off, t.score) for t in res]


def window_start(
    index: SpeechIndex, cursor: int, hint: int | None, params: AlignParams, *, trust_cursor: bool = True
) -> int:
    """Where a piece's window starts: after the previous words, or before the hint after a long gap (or
    when the previous turn fell back, so the cursor is only an estimate)."""
    start = cursor
    if not trust_cursor and hint is not None:
        pauses = index.pauses_between(hint - params.hint_search_ms, hint - 2_000)
        if pauses:
            return max(cursor, max(pauses, key=lambda p: p.length_ms).mid_ms)
        return max(cursor, hint - 2_500)
    gap_end = None if hint is None else hint - params.hint_search_ms - 2_000
    if (
        gap_end is not None
        and gap_end > cursor
        and index.speech_ms(cursor, gap_end) < params.skip_speech_max_ms
    ):
        # a long quiet stretch before the hinted time: start in its longest pause. (When there is speech
        # in it, the hint is wrong more likely than the transcript is missing text: stay at the cursor.)
        pauses = index.pauses_between(gap_end, hint - 2_500) if hint is not None else []
        start = max(pauses, key=lambda p: p.length_ms).mid_ms if pauses else gap_end
    if start > cursor:
        return start
    # step into the pause that follows the previous word, leaving the word's tail alone
    for p in index.pauses_between(cursor - 500, cursor + 1_000):
        if p.start_ms <= cursor + 200 and p.end_ms > cursor:
            return max(cursor, min(p.mid_ms, cursor + 150))
    return cursor


def end_candidates(
    index: SpeechIndex, start: int, piece: Piece, mpp: float, params: AlignParams
) -> tuple[list[Pause], float]:
    """Pauses that may end the window, ranked by fit, and the target time they are ranked against."""
    need = expected_ms(sum(piece.phones), mpp)
    est = index.time_after_speech(start, int(need))
    target = float(est)
    if piece.next_hint_ms is not None:
        nh = piece.next_hint_ms + 300  # floored timestamps: the next turn starts a little after
        sd_est = 0.15 * need + 400
        sd_hint = 1_500.0
        w = sd_hint**2 / (sd_hint**2 + sd_est**2)
        target = w * est + (1 - w) * nh if abs(nh - est) < 8_000 else float(est)
    lo = start + int(0.5 * need)
    hi = int(target + max(6_000, 0.3 * need))
    cands = [p for p in index.pauses_between(lo, hi) if p.mid_ms > start + 200]
    end = index.end_ms
    if not any(abs(p.mid_ms - target) < 3_000 for p in cands) and start + 200 < target < end:
        t = int(target)  # no pause heard near the target (heavy noise): cut at the target itself
        cands.append(Pause(t, t + 1))
    if not cands or cands[-1].mid_ms < target:
        if end <= hi + params.later_pause_ms:
            cands.append(Pause(end, end))  # the media ends within reach: its end may end the piece
        elif start + 200 < target:
            # no pause heard from before the target to far beyond it (reverberant or band-limited noise
            # the detector takes for speech): cut where the piece's speech should end, not at the media's
            # end, which would hand one piece the rest of the file
            t = int(target)
            cands.append(Pause(t, t + 1))
    if not cands:
        # the next turn's stamp pulled the target back to the window's start, and no pause is heard for
        # long after it: cut where the piece's own speech should end (a second at least)
        t = max(start + 1, min(end, max(est, start + 1_000)))
        cands.append(Pause(t, t + 1))
    # one more, beyond the range, for when every window in it fails (no pause heard after the turn)
    later = [p for p in index.pauses_between(hi, hi + params.later_pause_ms) if p.mid_ms > cands[-1].mid_ms]
    cands.extend(later[:1])
    cands = sorted(set(cands), key=lambda p: p.mid_ms)
    if piece.next_bound is not None:
        cands = _within_next_bound(cands, piece.next_bound, start, target, params.next_bound_slack_ms)
    return cands, target


def _within_next_bound(
    cands: list[Pause], bound: tuple[int, int], start: int, target: float, slack_ms: int
) -> list[Pause]:
    """The window ends that respect the next turn's range: none after its latest start (the next turn has
    begun), and among those, the ones not before its earliest start when any is (the speech up to there
    is this turn's, or nobody's). A next turn far beyond the piece's own reach does not stretch the window
    (a pause, music: the ends near the piece's own estimate stay); with no end left, the cut goes where
    the next turn may start. ``slack_ms``: how far outside the range an end may lie."""
    lo = max(start + 200, bound[0] - slack_ms)
    hi = max(lo + 1, bound[1] + slack_ms)
    before = [p for p in cands if p.mid_ms <= hi]
    reaching = [p for p in before if p.mid_ms >= lo]
    if reaching:
        return reaching
    if before:
        return before
    t = int(min(max(target, lo), hi))
    return [Pause(t, t + 1)]


def pick(cands: list[Pause], target: float) -> int:
    """The index of the candidate end nearest ``target``, a longer pause counting as nearer."""

    def cost(p: Pause) -> float:
        return abs(p.mid_ms - target) - 0.4 * min(p.length_ms, 1_500)

    return min(range(len(cands)), key=lambda i: cost(cands[i]))


def best_window(
    run: Run, piece: Piece, cursor: int, mpp: float, turn: Turn
) -> tuple[int, ScoredWindow | None]:
    """The window start and the best (anomaly, end, timings) over the window ends tried: the pause nearest
    the target first, then its neighbours while the tail looks wrong (at most four searches); when the
    searches fail outright, the longest end once (an extra search; kept only if its fit is within
    ``misfit_slack`` of the speaker's usual: a window that long may hold the next turn too). A result
    that fits far worse than the speaker's usual counts as a failed search, kept only if nothing fits."""
    index, state, params = run.index, run.state, run.params
    start = window_start(index, cursor, piece.hint_ms, params, trust_cursor=state.failed_in_row == 0)
    if piece.bound is not None:  # never before the turn's own range: that audio is the previous turn's
        start = max(start, piece.bound[0] - params.onset_margin_ms)
    cands, target = end_candidates(index, start, piece, mpp, params)
    best: ScoredWindow | None = None
    tried: set[int] = set()
    misfit: ScoredWindow | None = None  # the best of the results that fit poorly
    failures = 0
    floor = window_fit_floor(state, turn.speaker, params)
    usual = usual_fit(state, turn.speaker, params)
    good = params.poor_tail_good_ms if poor_audio(state, params) else params.tail_good_ms
    first_score: float | None = None
    k = first = pick(cands, target)
    last = len(cands) - 1
    # set once the last resort (the longest end, after the others failed outright) is searched; the
    # neighbours tried after it, when its tail looks wrong, are held to its check too
    longest = False
    for _ in range(4):
        tried.add(k)
        end = cands[k].mid_ms if cands[k].length_ms else cands[k].end_ms
        timings = align_span(run.engine, piece.tokens, run.audio, run.sample_rate, start, end)
        if timings is not None and longest and median_score(timings) < usual - params.misfit_slack:
            timings = None  # the words spread over the next turn's speech, not a slow voice's own
        if timings is not None and median_score(timings) < floor:
            # the text does not fit this window's sound (a wide search forces it onto music or the other
            # speaker): a failed search, tried elsewhere; kept only when no window fits
            if misfit is None:
                misfit = (tail_anomaly(timings, piece, mpp, index, end, start, params), end, timings)
            timings = None
        log.debug(
            "line %d: window %d-%d (target %.0f) -> %s",
            turn.line,
            start,
            end,
            target,
            None if timings is None else tail_anomaly(timings, piece, mpp, index, end, start, params),
        )
        if timings is not None:
            score = tail_anomaly(timings, piece, mpp, index, end, start, params) + misfit_ms(
                timings, usual, params
            )
            if best is None or score < best[0]:
                best = (score, end, timings)
            s0 = piece.sentence_starts[-1] if piece.sentence_starts else 0
            crush = crush_ms(timings[s0:], piece.phones[s0:], params)  # noise does not excuse crushed words
            if score - crush <= good and crush <= params.tail_good_ms:
                break
            if first_score is None:
                first_score = score
            elif best[0] > params.no_gain_share * first_score:
                break  # the anomaly is not at the window's end (junk before the tail): recovery's job
            step = 1 if squeeze(timings, piece.phones, params) > 0 else -1  # squeezed: longer; else shorter
            k = k + step if k + step not in tried and 0 <= k + step < len(cands) else first - step
        else:
            failures += 1
            k = k + 1
        if failures >= params.max_search_failures and best is None and misfit is None and last not in tried:
            # every window near the estimate failed outright: the words may need far more time than the
            # pace says (a slow speaker, a reverberant room; the pace is a guess before the speaker's
            # turns align), so the longest end in reach is tried once before the piece is given up
            k, failures, longest = last, failures - 1, True
        if k in tried or not 0 <= k < len(cands) or failures >= params.max_search_failures:
            break
        if state.failed_in_row >= params.give_up_after and timings is None:
            break  # the engine keeps failing on this media: one probe per turn, no more
    return start, best or misfit
