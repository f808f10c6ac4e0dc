"""Recovery of the English aligner: audio the text does not contain, and sentence starts the engine misses.

After a window's result (:mod:`toolkit.align.window_search`), a word that lasts far too long, or speech
the detector hears between two words that no word covers, means audio the text does not contain (music,
an unscripted "Right, right.") was forced onto the words: the rest of the window is aligned again from
each speech onset there, and the first plausible result is kept (:func:`recover`, finding A002); after a
sentence's last word the audio is taken to follow it (unscripted audio comes between sentences). A result
that pulls words off their sound is not plausible, whatever their lengths: a word drawn out at a
phrase's end must not be moved onto the next word's sound. Skipped audio that the words
next to it fit as well as their own place is those words said twice, normal in spontaneous speech, and
is not reported (:func:`said_again`); nor is a skip too short or too quiet to be news. A first
sentence that scores far below the speaker's usual (music before a turn that the detector takes for
speech) is aligned again from the speech onsets after it (:func:`refit_head`, finding A002).

Once a turn has aligned, its sentences' first words are checked again in :mod:`toolkit.align.first_words`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..model import Finding, Turn
from ..rules import finding
from ..timecode import format_clock
from .aligner import TokenTiming
from .fit import MIN_FITS, anomaly, expected_ms, fit_pool, gap_speech, long_excess, median_score
from .pieces import Piece
from .run import Run
from .tuning import AlignParams
from .window_search import align_span, end_candidates, pick
from .windows import onsets

__all__ = [
    "audible_ms",
    "recover",
    "refit_head",
    "report_skip",
    "restart_order",
    "said_again",
    "worth_reporting",
]

log = logging.getLogger(__name__)

Restart = tuple[float, int, int, list[TokenTiming]]  # (anomaly, onset, first re-aligned token, timings)


def recover(
    run: Run, piece: Piece, timings: list[TokenTiming], end_ms: int, mpp: float, turn: Turn
) -> list[TokenTiming]:
    """Re-align after words stretched over audio the text does not contain (the window ends at
    ``end_ms``); ``timings`` is updated in place and returned."""
    params, index = run.params, run.index
    j = 0
    n = len(timings)
    attempts = 0
    while j < n and attempts < 6:
        gap_bad = j + 1 < n and gap_speech(index, timings, j, params) > 0
        if long_excess(timings[j], piece.phones[j], mpp, params) == 0 and not gap_bad:
            j += 1
            continue
        attempts += 1
        # junk just after a sentence start (music before "And that ...") put the first short words on it;
        # so can a pause after a comma ("character, and which [pause] developed"): the restart begins at
        # the sentence's start, or at the phrase's when the sentence's is out of reach (or as well)
        heads = _heads(piece, j, params)
        s0 = heads[0] if heads else j
        base = anomaly(timings[s0:], piece.phones[s0:], mpp, params, index)
        log.debug(
            "line %d: implausible at %r (%d ms, anomaly %.0f)",
            turn.line,
            piece.tokens[j],
            timings[j].start_ms,
            base,
        )
        best = _best_restart(run, piece, timings, j, heads, end_ms, mpp, turn)
        if best is not None and best[0] < base * 0.5:
            _, onset, m, redo = best
            if m > j:
                timings[j] = _capped(timings[j], piece.phones[j], mpp, params, redo[0].start_ms)
            skipped_from = timings[m - 1].end_ms if m > j else timings[m].start_ms
            timings[m:] = redo
            log.debug("line %d: skipped %d-%d before %r", turn.line, skipped_from, onset, piece.tokens[m])
            if worth_reporting(run, skipped_from, onset) and not said_again(
                run, piece, timings, m, skipped_from, onset
            ):  # not a pause stretched over, nor an "um", nor words said twice
                report_skip(run.findings, run.path, turn, skipped_from, onset, piece.tokens[m])
        j += 1
    return timings


def _heads(piece: Piece, j: int, params: AlignParams) -> list[int]:
    """Where a restart for word ``j`` may begin before it: the start of its sentence, and of its phrase
    within that sentence, each when ``j`` is at most ``head_words`` after it (among its first four
    words)."""
    sentence = max(s for s in [0, *piece.sentence_starts] if s <= j)
    phrase = max((s for s in piece.phrase_starts if sentence < s <= j), default=sentence)
    return [h for h in dict.fromkeys((sentence, phrase)) if h < j and j - h <= params.head_words]


def _best_restart(
    run: Run,
    piece: Piece,
    timings: list[TokenTiming],
    j: int,
    heads: Sequence[int],
    end_ms: int,
    mpp: float,
    turn: Turn,
) -> Restart | None:
    """The best re-alignment after word ``j`` looked implausible: from the sentence or phrase starts
    ``heads`` (the earliest first), ``j`` or ``j + 1`` (in :func:`restart_order`), each from the speech
    onsets up to the next word's end; the first with no anomaly ends the search. Of two as plausible, the
    one whose words keep their sound better wins (the word before the junk, or the word after it,
    restarted from the same onset)."""
    params, index = run.params, run.index
    n = len(timings)
    best: Restart | None = None
    best_drop = 0.0
    hi = timings[min(j + 1, n - 1)].end_ms
    s0 = heads[0] if heads else j
    for m in [*heads, *restart_order(piece, timings, j)]:
        if m >= n:
            continue
        lo = timings[min(m, j)].start_ms
        for onset, _ in onsets(index, lo + 101, hi - 1):  # a blip of noise is no onset
            if m > j and onset < timings[j].start_ms + 200:
                continue
            from_ms = onset - params.onset_margin_ms
            redo = align_span(run.engine, piece.tokens[m:], run.audio, run.sample_rate, from_ms, end_ms)
            if redo is None or (drop := _fit_drop(redo, timings[m:], piece.phones[m:], params)) is None:
                continue
            head = list(timings[s0:m])
            if m > j:  # the word before the junk keeps a plausible length
                head[-1] = _capped(head[-1], piece.phones[j], mpp, params, redo[0].start_ms)
            score = anomaly(head + redo, piece.phones[s0:], mpp, params, index, skip_gap=len(head))
            log.debug("line %d:   from %r at %d: %.0f", turn.line, piece.tokens[m], onset, score)
            if best is None or (score, drop) < (best[0], best_drop):
                best, best_drop = (score, onset, m, redo), drop
            if score == 0:
                break
        if best is not None and best[0] == 0:
            break
    return best


def _fit_drop(
    redo: Sequence[TokenTiming], before: Sequence[TokenTiming], phones: Sequence[int], params: AlignParams
) -> float | None:
    """How much worse a restart's first few words fit their sound than before (mean score drop), or
    ``None`` when the restart pulls words off their own sound: the words after its first fit clearly
    worse than they did (a word drawn out at a phrase's end, "Strasburg" with a reverberation tail,
    looks implausible by its length alone, and the restart from the next onset puts it and the words
    after it on the next words' sound), or its first word is crushed onto the start of the next one. The
    first word's own score does not rule it out: a short word ("and", "I") scores as well on music
    before a sentence as on its own sound, often better."""
    k = min(params.restart_fit_words, len(redo), len(before))
    drops = [b.score - r.score for r, b in zip(redo[:k], before[:k], strict=True)]
    crushed = redo[0].end_ms - redo[0].start_ms < params.crush_ms_per_phone * phones[0]
    if crushed or (k > 1 and float(np.mean(drops[1:])) > params.restart_fit_drop):
        return None
    return float(np.mean(drops))


def _capped(t: TokenTiming, phones: int, mpp: float, params: AlignParams, next_start_ms: int) -> TokenTiming:
    """``t`` ending at its longest plausible length at most, and not after ``next_start_ms``."""
    cap = t.start_ms + int(max(params.long_min_ms, params.long_factor * expected_ms(phones, mpp)))
    return TokenTiming(t.start_ms, min(t.end_ms, cap, next_start_ms), t.score)


def restart_order(piece: Piece, timings: Sequence[TokenTiming], j: int) -> list[int]:
    """Where to re-align from after word ``j`` swallowed audio: from ``j`` itself (the audio was before
    it), or from the next word (the audio was after it) first. The first plausible candidate wins, so the
    order decides ties: after ``j`` first when ``j`` ends a sentence (unscripted audio comes between
    sentences), unless ``j`` starts the turn away from its timestamp (music before the turn)."""
    if j + 1 not in piece.sentence_starts:
        return [j, j + 1]
    if j == 0 and piece.hint_ms is not None:
        on_time = piece.hint_ms - 300 <= timings[0].start_ms <= piece.hint_ms + 1_300
        return [j + 1, j] if on_time else [j, j + 1]
    return [j + 1, j]


def refit_head(
    run: Run, piece: Piece, timings: list[TokenTiming], mpp: float, turn: Turn
) -> list[TokenTiming]:
    """Re-align a piece whose first sentence fits the sound far worse than the speaker's usual, from
    the speech onsets after its start: sound the text does not contain before a turn (a music sting the
    speech detector takes for speech) can hold the first words at plausible lengths, and only their
    scores tell. The first onset whose first sentence fits well enough wins (finding A002)."""
    params = run.params
    pool = fit_pool(run.state, turn.speaker)
    if len(pool) < MIN_FITS:
        return timings
    n = piece.sentence_starts[1] if len(piece.sentence_starts) > 1 else len(timings)
    usual = float(np.median(pool[-50:]))
    head = median_score(timings[:n])
    if head >= usual - params.head_fit_drop:
        return timings
    lo, hi = timings[0].start_ms + 200, timings[n - 1].end_ms + params.head_refit_ms
    for onset, _ in onsets(run.index, lo, hi)[: params.head_refit_tries]:
        cands, target = end_candidates(run.index, onset, piece, mpp, params)
        p = cands[pick(cands, target)]
        end = p.mid_ms if p.length_ms else p.end_ms
        redo = align_span(
            run.engine, piece.tokens, run.audio, run.sample_rate, onset - params.onset_margin_ms, end
        )
        if redo is None:
            continue
        fit = median_score(redo[:n])
        log.debug("line %d: head fit %.2f (usual %.2f), from %d: %.2f", turn.line, head, usual, onset, fit)
        if fit >= usual - params.head_fit_drop and fit >= head + params.head_fit_gain:
            if worth_reporting(run, timings[0].start_ms, onset) and not said_again(
                run, piece, redo, 0, timings[0].start_ms, onset
            ):
                report_skip(run.findings, run.path, turn, timings[0].start_ms, onset, piece.tokens[0])
            return redo
    return timings


def worth_reporting(run: Run, start_ms: int, end_ms: int) -> bool:
    """Skipped audio that is news (A002): longer than a filler or a repeat, with sound in it that the
    detector hears as speech and that stands out of the noise around it (:func:`audible_ms`)."""
    params = run.params
    if end_ms - start_ms < params.filler_ms:
        return False
    if run.index.speech_ms(start_ms, end_ms) < params.skipped_sound_ms:
        return False
    return audible_ms(run, start_ms, end_ms) >= params.skipped_sound_ms


def audible_ms(run: Run, start_ms: int, end_ms: int) -> int:
    """How much of ``start_ms``-``end_ms`` (in 10 ms frames) is louder than the noise floor around it
    (the quietest tenth of the frames within ``floor_context_ms``) by ``audible_db``. A speech detector
    takes some noise for speech (a pause in pink noise at 10 dB, a hiss); what someone says that the
    transcript leaves out stands out of the noise as the transcript's own words do."""
    params, rate = run.params, run.sample_rate
    lo = max(0, start_ms - params.floor_context_ms)
    hi = min(run.audio_ms, end_ms + params.floor_context_ms)
    n = rate // 100
    x = run.audio[lo * rate // 1000 : hi * rate // 1000]
    frames = len(x) // n
    if frames == 0:
        return 0
    power = np.mean(np.square(x[: frames * n].astype(np.float64).reshape(frames, n)), axis=1)
    level = 10 * np.log10(power + 1.0)  # dB of int16 units; digital silence is 0
    floor = float(np.percentile(level, 10))
    a, b = (start_ms - lo) // 10, (end_ms - lo) // 10
    return int(np.count_nonzero(level[a:b] >= floor + params.audible_db)) * 10


def said_again(
    run: Run, piece: Piece, timings: Sequence[TokenTiming], m: int, start_ms: int, end_ms: int
) -> bool:
    """Whether the skipped audio before word ``m`` is the words next to it said twice ("of the of the",
    "we we", "pa- pass"): normal in spontaneous speech, and no news. One or two words before the skip or
    after it, aligned to the skipped audio alone, must fit it about as well as they fit their own place,
    and what they leave of it on either side must be no news itself."""
    params = run.params
    for lo, hi in ((m - 1, m), (m - 2, m), (m, m + 1), (m, m + 2)):
        if lo < 0 or hi > len(timings):
            continue
        again = align_span(run.engine, piece.tokens[lo:hi], run.audio, run.sample_rate, start_ms, end_ms)
        if (
            again is not None
            and median_score(again) >= median_score(timings[lo:hi]) - params.repeat_fit_drop
            and not worth_reporting(run, start_ms, again[0].start_ms)
            and not worth_reporting(run, again[-1].end_ms, end_ms)
        ):
            log.debug("%r said again at %d-%d", piece.tokens[lo:hi], again[0].start_ms, again[-1].end_ms)
            return True
    return False


def report_skip(
    findings: list[Finding], path: str | None, turn: Turn, start_ms: int, end_ms: int, word: str
) -> None:
    findings.append(
        finding(
            "A002",
            f"audio not in the transcript at {format_clock(start_ms)}-{format_clock(end_ms)} was skipped",
            path=path,
            line=turn.line,
            skipped_from_ms=start_ms,
            skipped_to_ms=end_ms,
            word=word,
        )
    )
