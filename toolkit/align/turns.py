"""Word-level alignment of transcript turns to the audio: windows, checks, recovery and fallback.

Turns are aligned one after another. A turn's window starts where the previous turn's last word ended
and ends in the pause that best fits both the next turn's timestamp (a hint, maybe seconds off) and the
speech time the turn's phones need at the speaker's measured pace. Long turns are split into chunks of
sentences, so cost stays linear in the media length and memory bounded by one window.

After each alignment the word durations are checked against the speaker's pace, and the speech mask
against the words. A word that lasts far too long, or speech that the detector hears between two words
but no word covers, means audio that the text does not contain (music, an unscripted "Right, right.")
was forced onto the words: the rest of the window is aligned again from each speech onset there, and the
first plausible result is kept (finding A002); after a sentence's last word the audio is taken to follow
it (unscripted audio comes between sentences); a stretch where the detector heard no sound is no
finding. A tail that is stretched, squeezed or crushed to the engine's minimum word length, or speech
left before the first word, means the window end was wrong: the neighbouring pauses are tried (a result
that is good enough ends the search). A result whose scores are far below the speaker's usual counts as
a failed search (the engine's wide search, a rescue for voices and noise the default beams lose, fits
nearly any text to any sound: music, the other speaker), and a worse fit weighs against a window. A
first sentence that scores far below the usual (music before a turn that the detector takes for
speech) is aligned again from the speech onsets after it (finding A002). A piece the
engine cannot align at all is split in two at a sentence. A sentence's first word that the engine starts
after a detected speech onset, with speech heard all the way, moves back to that onset (a soft onset the
acoustic model calls silence); one still far too long after recovery keeps its end, where the next
word begins, and starts 1.5 expected lengths before it (the engine stretched it backwards over sound the
text lacks before the sentence); one left behind at the sentence before (no pause between them, but
speech between it and its own next word) joins its sentence.

A turn that still fails, or whose words fit the sound far worse than the speaker's other turns, is timed
without the engine (finding A001): it starts at the onset after its timestamp, its sentences share the
speech up to the next turn by length, and each sentence starts at the likeliest onset near its estimate
(closeness against the pause before it), so its error is bounded by the speech detector's, not the rate
model's drift. This is what runs for the whole file when the engine fails everywhere (0 dB SNR). In a
turn long enough to be aligned in chunks, a chunk that fails is timed that way between the aligned words
around it (A001 for its words); the other chunks keep theirs. After the pass, a turn that fell back is
aligned once more when what it was judged against has changed: before three turns had aligned it met a
fixed floor, not the media's usual fit; later, the aligned turns around it may fit worse than their own
speakers' usual (the sound changed: another room, a noisier stretch), and their fits judge it
(:mod:`~toolkit.align.second_look`).

This module is the turn loop (:func:`align_turns`: a turn's pieces, their checks, the speaker's pace);
the parts live beside it, lowest first: the settings (:mod:`~toolkit.align.tuning`), the speech index
(:mod:`~toolkit.align.windows`), what a call shares (:mod:`~toolkit.align.run`), the pieces
(:mod:`~toolkit.align.pieces`), the fit measures (:mod:`~toolkit.align.fit`), the window search
(:mod:`~toolkit.align.window_search`), recovery (:mod:`~toolkit.align.recovery`), the sentences' first
words once a turn has aligned (:mod:`~toolkit.align.first_words`), the fallback
(:mod:`~toolkit.align.fallback`) and the second looks after the pass (:mod:`~toolkit.align.second_look`,
handed the turn loop's own aligner).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..model import Finding, Turn, Word
from ..rules import finding
from ..timecode import format_clock
from ..timing import RateModel
from .aligner import Aligner, TokenTiming
from .fallback import bridge, fallback, snap_to_onset, turn_start
from .first_words import (
    claim_speech_before,
    join_first_words,
    lift_from_silence,
    snap_sentence_starts,
    trim_long_heads,
)
from .fit import (
    MIN_FITS,
    expected_ms,
    fit_floor,
    fit_known,
    long_excess,
    median_score,
    poor_audio,
    squeeze,
    usual_fit,
    window_fit_floor,
)
from .normalize import Token, normalize
from .pieces import Piece, halves, turn_pieces, whole_turn
from .recovery import recover, refit_head
from .run import Limits, Run, State
from .second_look import Retries, look_again
from .tuning import DEFAULT_PARAMS, AlignParams
from .window_search import best_window
from .windows import NOISY_SPEECH_SHARE, SpeechIndex, noisy_speech_frames, speech_frames

__all__ = ["align_turns"]

log = logging.getLogger(__name__)
progress_log = logging.getLogger("toolkit.progress")  # a terminal shows it as one live line (see cli)


def align_turns(
    turns: Sequence[Turn],
    audio: np.ndarray,
    *,
    sample_rate: int = 16000,
    speech: np.ndarray | None = None,
    rates: RateModel | None = None,
    path: str | None = None,
    engine: Aligner | None = None,
    bounds: Sequence[tuple[int, int] | None] | None = None,
    params: AlignParams | None = None,
) -> tuple[tuple[Turn, ...], list[Finding]]:
    """Align every turn's words to ``audio`` (int16 mono) and return the turns with ``.words`` set.

    ``speech`` is a speech mask per 10 ms frame (computed with webrtcvad when not given; replaced by a
    noise-robust one when it marks nearly everything as speech). ``rates`` gives
    the fallback timing for turns that cannot be aligned. Word texts are the transcript's own words; a
    turn's ``start_ms``/``end_ms`` become its first word's start and last word's end, and
    ``source_start_ms`` keeps the transcript's timestamp.

    ``bounds`` gives, per turn, the range ``(earliest, latest)`` in ms where its first word may lie (from
    the media stage's turn sync, see :class:`toolkit.sync.snapping.TurnSync`): a turn's window starts no
    earlier than its range, ends where the next turn's range allows, and an alignment that starts
    outside its range is rejected, so no turn is aligned across its neighbours' timestamps.

    ``params`` holds the aligner's tuning (:class:`~toolkit.align.tuning.AlignParams`; the tuned
    defaults when not given).
    """
    if engine is None:
        from .sphinx import SphinxAligner  # lazy: pocketsphinx loads in about 0.3 s

        engine = SphinxAligner(sample_rate)
    if engine.sample_rate != sample_rate:
        raise ValueError(f"engine runs at {engine.sample_rate} Hz, audio is {sample_rate} Hz")
    audio = np.asarray(audio)
    if audio.ndim != 1:
        raise ValueError("audio must be mono (one dimension)")
    if speech is None:
        speech = speech_frames(audio, sample_rate)
    elif speech.size and float(np.mean(speech)) > NOISY_SPEECH_SHARE:  # a detector that hears the noise
        speech = noisy_speech_frames(audio, sample_rate)
    ranges: list[tuple[int, int] | None] = list(bounds) if bounds is not None else [None] * len(turns)
    if len(ranges) != len(turns):
        raise ValueError(f"bounds has {len(ranges)} entries for {len(turns)} turns")
    p = params or DEFAULT_PARAMS
    state = State()
    rates = rates or RateModel.fit(turns)
    run = Run(engine, audio, sample_rate, SpeechIndex(speech), rates, path, [], state, p)
    progress = _Progress(len(turns), run.audio_ms, p)
    hints = _next_hints(turns)
    limits: list[Limits] = list(zip(ranges, _next_bounds(turns, ranges), strict=True))
    out: list[Turn] = []
    retries = Retries()
    for i, turn in enumerate(turns):
        tokens = normalize(turn.text)
        # after give_up_after failed turns in a row (heavy noise, another language) the engine only gets
        # every probe_every-th turn, until one aligns: a failing search costs as much as a good one
        failed = state.failed_in_row
        resting = failed >= p.give_up_after and (failed - p.give_up_after) % p.probe_every
        unjudged = not fit_known(state, turn.speaker)
        usual, mark = usual_fit(state, turn.speaker, p), len(state.fits.get(turn.speaker, []))
        aligned = None if resting else _align_turn(run, turn, tokens, hints[i], limits[i])
        if aligned is None:
            aligned = fallback(run, turn, tokens, hints[i], limits[i])  # appends the turn's A001
            if not resting:
                retries.fell_back(i, unjudged, usual, run.findings[-1])
            state.failed_in_row += 1
        else:
            state.failed_in_row = 0
            retries.aligned(i, state.fits.get(turn.speaker, [])[mark:], None if unjudged else usual)
        out.append(aligned)
        progress.report(i + 1, state.cursor_ms)
    look_again(run, out, turns, hints, limits, retries, _align_turn)
    return tuple(out), run.findings


class _Progress:
    """The progress of one call: a record on the "toolkit.progress" log every ``progress_line_s`` and an
    INFO line on this module's log every ``progress_every_s`` (both after the last turn)."""

    def __init__(self, n_turns: int, audio_ms: int, params: AlignParams) -> None:
        self.n_turns, self.audio_ms, self.params = n_turns, audio_ms, params
        self.t0 = self.last_log = self.last_line = time.monotonic()

    def report(self, done_turns: int, cursor_ms: int) -> None:
        now = time.monotonic()
        last = done_turns == self.n_turns
        if now - self.last_line >= self.params.progress_line_s or last:
            self.last_line = now
            done, total = (format_clock(ms // 1000 * 1000) for ms in (cursor_ms, self.audio_ms))
            progress_log.info("aligning words: %d/%d turns, %s of %s", done_turns, self.n_turns, done, total)
        if now - self.last_log >= self.params.progress_every_s or last:
            self.last_log = now
            log.info(
                "aligned %d/%d turns, %.0f/%.0f s of media in %.1f s",
                done_turns, self.n_turns, cursor_ms / 1000, self.audio_ms / 1000, now - self.t0,
            )  # fmt: skip


def _next_hints(turns: Sequence[Turn]) -> list[int | None]:
    out: list[int | None] = [None] * len(turns)
    nxt: int | None = None
    for i in range(len(turns) - 1, -1, -1):
        out[i] = nxt
        if turns[i].start_ms is not None:
            nxt = turns[i].start_ms
    return out


def _next_bounds(
    turns: Sequence[Turn], ranges: Sequence[tuple[int, int] | None]
) -> list[tuple[int, int] | None]:
    """Per turn, the first-word range of the next turn that has a timestamp or a range (a turn without a
    stamp has one around its estimate)."""
    out: list[tuple[int, int] | None] = [None] * len(turns)
    nxt: tuple[int, int] | None = None
    for i in range(len(turns) - 1, -1, -1):
        out[i] = nxt
        if turns[i].start_ms is not None or ranges[i] is not None:
            nxt = ranges[i]
    return out


def _align_turn(
    run: Run, turn: Turn, tokens: list[Token], next_hint: int | None, limits: Limits
) -> Turn | None:
    engine, state, params = run.engine, run.state, run.params
    if not any(t.spoken for t in tokens):
        return None
    mpp = state.ms_per_phone.get(turn.speaker, state.ms_per_phone.get(None, params.default_ms_per_phone))
    parts: list[Part] = []
    cursor = state.cursor_ms
    local: list[Finding] = []  # kept only if the turn aligns
    piece_run = replace(run, findings=local)
    whole = whole_turn(engine, turn, tokens, next_hint, limits)
    for piece in turn_pieces(whole, mpp, params.max_chunk_speech_ms):
        result = _align_piece(piece_run, piece, cursor, mpp, turn)
        parts.append((piece, result))
        cursor = result[-1].end_ms if result is not None else _after_lost(run, piece, cursor, mpp)
    aligned = [t for _, ts in parts if ts is not None for t in ts]
    if not aligned:
        return None
    _learn_pace(state, turn.speaker, sum(p for pc, ts in parts if ts is not None for p in pc.phones), aligned)
    timings = _bridged(piece_run, turn, parts, next_hint, limits)
    starts, spoken, token_phones = whole.sentence_starts, whole.tokens, whole.phones
    timings = trim_long_heads(timings, starts, token_phones, mpp, params, whole.phrase_starts)
    # a first word at the turn's range start is one the engine started before it (and _align_piece moved
    # to it): on the speech under way there, the previous speaker's
    floor = limits[0][0] if limits[0] is not None else None
    timings = join_first_words(timings, starts, run.index, token_phones, mpp, params, floor)
    timings = snap_sentence_starts(timings, starts, run.index, state.cursor_ms, params)
    timings = lift_from_silence(timings, starts, run.index, token_phones, params)
    timings = claim_speech_before(run, spoken, timings, starts, token_phones)
    state.cursor_ms = timings[-1].end_ms
    run.findings.extend(local)
    words = _words(tokens, timings)
    return replace(
        turn,
        start_ms=words[0].start_ms,
        end_ms=words[-1].end_ms,
        source_start_ms=turn.source_start_ms if turn.source_start_ms is not None else turn.start_ms,
        words=words,
    )


def _learn_pace(state: State, speaker: str | None, phones: int, timings: Sequence[TokenTiming]) -> None:
    """Update the speaker's pace (ms per phone) and everyone's from a turn that aligned."""
    spoken_ms = sum(t.end_ms - t.start_ms for t in timings)
    if phones:
        pace = min(160.0, max(45.0, spoken_ms / phones))
        old = state.ms_per_phone.get(speaker)
        state.ms_per_phone[speaker] = pace if old is None else 0.6 * old + 0.4 * pace
        g = state.ms_per_phone.get(None)
        state.ms_per_phone[None] = pace if g is None else 0.8 * g + 0.2 * pace


Part = tuple[Piece, list[TokenTiming] | None]  # a piece and its timings (None: the engine could not align it)


def _align_piece(run: Run, piece: Piece, cursor: int, mpp: float, turn: Turn) -> list[TokenTiming] | None:
    """One piece's timings: its best window, recovered and checked; ``None`` when it does not fit."""
    state, params = run.state, run.params
    _, best = best_window(run, piece, cursor, mpp, turn)
    if best is None:
        return _split_piece(run, piece, cursor, mpp, turn)
    _, end, timings = best
    window_floor = window_fit_floor(state, turn.speaker, params)
    misfit = median_score(timings) < window_floor  # no window fitted: the best of the poor results
    timings = recover(run, piece, timings, end, mpp, turn)
    timings = refit_head(run, piece, timings, mpp, turn)
    bad = sum(1 for t, p in zip(timings, piece.phones, strict=True) if long_excess(t, p, mpp, params) > 0)
    fit = median_score(timings)
    floor = fit_floor(state, turn.speaker, params)
    if misfit and len(state.fits.get(turn.speaker, [])) >= MIN_FITS:
        # judged against the speaker's own usual, a result no window fitted stays a misfit unless its
        # recovery lifts it to one window's floor: moving poorly fitting words about (a sentence the
        # engine cannot align in any window, at -18 dB) does not make them the speaker's words
        floor = max(floor, window_floor)
    log.debug("line %d: %d of %d words implausible, median score %.2f", turn.line, bad, len(timings), fit)
    implausible = bad > params.max_fallback_bad * len(timings) or squeeze(timings, piece.phones, params) > 0
    if implausible or fit < floor:
        return None
    if piece.bound is not None:
        lo, hi = piece.bound
        first = timings[0]
        if lo - params.onset_margin_ms <= first.start_ms < lo < first.end_ms:
            # the window opens onset_margin_ms before the range, and a first word the engine starts in
            # that margin (speech already under way there: the other speaker) starts where the range does
            timings = [TokenTiming(lo, first.end_ms, first.score), *timings[1:]]
        if not lo <= timings[0].start_ms <= hi:
            log.debug("line %d: start %d outside %s", turn.line, timings[0].start_ms, piece.bound)
            return None  # the words are not where the turn's timestamp says: a misfit, timed without them
    if _far_from_hint(run, piece, timings, turn):
        return None
    state.fits.setdefault(turn.speaker, []).append(fit)
    return timings


def _far_from_hint(run: Run, piece: Piece, timings: Sequence[TokenTiming], turn: Turn) -> bool:
    """After a fallback nothing anchors the window but the timestamp, and on poor audio (low scores
    everywhere) the scores cannot tell a misfit: there, a start far from the timestamp is a misfit."""
    if not (run.state.failed_in_row or poor_audio(run.state, run.params)) or piece.hint_ms is None:
        return False
    if piece.hint_ms - 1_000 <= timings[0].start_ms <= piece.hint_ms + 4_000:
        return False
    start = timings[0].start_ms
    log.debug("line %d: start %d too far from %d after a fallback", turn.line, start, piece.hint_ms)
    return True


def _split_piece(run: Run, piece: Piece, cursor: int, mpp: float, turn: Turn) -> list[TokenTiming] | None:
    """When no window lets the engine align a piece, align its two halves (at a sentence) one by one;
    both must align (a half that fails often means the other took its audio)."""
    if len(piece.sentence_starts) < 2 or run.state.failed_in_row >= run.params.give_up_after:
        return None
    first, second = halves(piece)
    log.debug("line %d: splitting %d tokens at %d", turn.line, len(piece.tokens), len(first.tokens))
    a = _align_piece(run, first, cursor, mpp, turn)
    if a is None:
        return None
    b = _align_piece(run, second, a[-1].end_ms, mpp, turn)
    return None if b is None else a + b


def _after_lost(run: Run, piece: Piece, cursor: int, mpp: float) -> int:
    """Where the words after a piece the engine could not align (from ``cursor``) are searched from: the
    speech onset likeliest to start the next sentence after the speech time the piece's phones need
    (:func:`~toolkit.align.fallback.snap_to_onset`: near the estimate, after a long pause)."""
    need = expected_ms(sum(piece.phones), mpp)
    est = run.index.time_after_speech(cursor, int(need))
    return snap_to_onset(run.index, est, cursor, need, params=run.params) - run.params.onset_margin_ms


def _bridged(
    run: Run, turn: Turn, parts: Sequence[Part], next_hint: int | None, limits: Limits
) -> list[TokenTiming]:
    """The turn's timings: its aligned parts' own, and for each run of parts the engine could not align
    (finding A001), rate-model timings between the aligned words around it
    (:func:`~toolkit.align.fallback.bridge`): one stretch the engine loses no longer sends a whole
    monologue to the rate model."""
    out: list[TokenTiming] = []
    i = 0
    while i < len(parts):
        own = parts[i][1]
        if own is not None:
            out.extend(own)
            i += 1
            continue
        tokens: list[str] = []
        starts: list[int] = []
        while i < len(parts) and parts[i][1] is None:
            piece = parts[i][0]
            starts.extend(len(tokens) + s for s in piece.sentence_starts)
            tokens.extend(piece.tokens)
            i += 1
        after = parts[i][1] if i < len(parts) else None
        hi = after[0].start_ms if after else None
        lo = out[-1].end_ms if out else turn_start(run, turn, limits)
        if hi is not None and lo >= hi:  # the turn's words start before its stamp's onset: as the rate has it
            lo = max(run.state.cursor_ms, hi - run.rates.speech_ms(turn.speaker, len(tokens)), 0)
        filled = bridge(run, turn, tokens, starts, lo, hi, next_hint)
        run.findings.append(
            finding(
                "A001",
                f"forced alignment failed for {len(tokens)} words of this turn, from {tokens[0]!r} at "
                f"{format_clock(filled[0].start_ms)}; they are timed by the speech-rate model between the "
                "aligned words around them",
                path=run.path,
                line=turn.line,
                start_ms=filled[0].start_ms,
                words=len(tokens),
            )
        )
        out.extend(filled)
    return out


def _words(tokens: list[Token], timings: list[TokenTiming]) -> tuple[Word, ...]:
    """Map token timings back to the original words (a word spans all its tokens)."""
    words: list[Word] = []
    k = 0
    pending: list[str] = []  # unspoken words before the first spoken one
    for tok in tokens:
        n = len(tok.spoken)
        if n == 0:
            if words:
                end = words[-1].end_ms
                words.append(Word(tok.text, end, end))
            else:
                pending.append(tok.text)
            continue
        span = timings[k : k + n]
        k += n
        start, end = span[0].start_ms, span[-1].end_ms
        if pending:
            words.extend(Word(p, start, start) for p in pending)
            pending = []
        words.append(Word(tok.text, start, end))
    return tuple(words)
