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

Once a turn has aligned, a sentence's first word that the engine starts after a speech onset, with
speech heard all the way, moves back to that onset (:func:`snap_sentence_starts`), and a first word put
in silence moves up to the next word (:func:`lift_from_silence`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np

from ..model import Finding, Turn
from ..rules import finding
from ..timecode import format_clock
from .aligner import TokenTiming
from .fit import MIN_FITS, anomaly, expected_ms, fit_pool, gap_speech, long_excess, median_score, poor_audio
from .pieces import Piece
from .run import Run
from .tuning import AlignParams
from .window_search import align_span, end_candidates, pick
from .windows import SpeechIndex, onsets

__all__ = [
    "audible_ms",
    "claim_speech_before",
    "join_first_words",
    "lift_from_silence",
    "recover",
    "refit_head",
    "report_skip",
    "restart_order",
    "said_again",
    "snap_sentence_starts",
    "trim_long_heads",
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
        # junk just after a sentence start (music before "And that ...") put the first short words on it
        s0 = max(s for s in [0, *piece.sentence_starts] if s <= j)
        s0 = s0 if j - s0 <= params.head_words else j
        base = anomaly(timings[s0:], piece.phones[s0:], mpp, params, index)
        log.debug(
            "line %d: implausible at %r (%d ms, anomaly %.0f)",
            turn.line,
            piece.tokens[j],
            timings[j].start_ms,
            base,
        )
        best = _best_restart(run, piece, timings, j, s0, end_ms, mpp, turn)
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


def _best_restart(
    run: Run,
    piece: Piece,
    timings: list[TokenTiming],
    j: int,
    s0: int,
    end_ms: int,
    mpp: float,
    turn: Turn,
) -> Restart | None:
    """The best re-alignment after word ``j`` looked implausible: from sentence start ``s0``, ``j`` or
    ``j + 1`` (in :func:`restart_order`), each from the speech onsets up to the next word's end; the first
    with no anomaly ends the search. Of two as plausible, the one whose words keep their sound better
    wins (the word before the junk, or the word after it, restarted from the same onset)."""
    params, index = run.params, run.index
    n = len(timings)
    best: Restart | None = None
    best_drop = 0.0
    hi = timings[min(j + 1, n - 1)].end_ms
    for m in ([s0] if s0 < j else []) + restart_order(piece, timings, j):
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


# ---------------------------------------------------------------- sentence starts, once a turn has aligned


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
) -> list[TokenTiming]:
    """A sentence's first token still implausibly long after recovery starts ``head_trim_factor`` times
    its expected length before its end. The engine stretches it backwards over what comes before the
    sentence that the text lacks (a hesitation, words said twice, a music bed the detector hears as
    speech); its end, where the next word begins, is what the sound fixes. A one-word sentence stays."""
    out = list(timings)
    for s in _first_words(starts, len(out)):
        t = out[s]
        if long_excess(t, phones[s], mpp, params) == 0:
            continue
        start = t.end_ms - _head_ms(phones[s], mpp, params)
        if start > t.start_ms:
            out[s] = TokenTiming(start, t.end_ms, t.score)
    return out


def join_first_words(
    timings: list[TokenTiming],
    starts: Sequence[int],
    index: SpeechIndex,
    phones: Sequence[int],
    mpp: float,
    params: AlignParams,
) -> list[TokenTiming]:
    """A sentence's first token that abuts the previous sentence's last (no pause between them: none in
    the engine's words, no speech onset within ``head_gap_ms`` of its start) but is ``head_gap_ms`` or
    more before its own next token, with speech heard in that gap, moves to just before the next token:
    sentences are parted by pauses, and the words of one are not; the engine left the first word behind
    when the audio before the sentence held more than the text (words said twice at the end of the
    sentence before). Aligned alone, a short first word ("the") cannot tell the two places apart: it
    fits a repeat's sound better than its own."""
    out = list(timings)
    for s in _first_words(starts, len(out)):
        if s == 0:
            continue
        prev, t, nxt = out[s - 1], out[s], out[s + 1]
        gap = nxt.start_ms - t.end_ms
        if t.start_ms - prev.end_ms > params.min_snap_ms or gap < params.head_gap_ms:
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
    """How long a sentence's first word that :func:`trim_long_heads` or :func:`join_first_words` places
    lasts at most: ``head_trim_factor`` times its expected length."""
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
        start = max(o for o in ons if o <= max(ons[0], copy_ms + params.onset_slack_ms))
        log.debug("%r said before its sentence at %d-%d", tokens[s], start, t.start_ms)
        out[s] = TokenTiming(start, t.end_ms, t.score)
    return out


def _fit_alone(run: Run, tokens: Sequence[str], start_ms: int, end_ms: int) -> tuple[float, int]:
    """How well ``tokens`` alone fit the audio between ``start_ms`` and ``end_ms`` (-inf: not at all),
    and where the first of them starts there."""
    again = align_span(run.engine, tokens, run.audio, run.sample_rate, start_ms, end_ms)
    return (-math.inf, start_ms) if again is None else (median_score(again), again[0].start_ms)
