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
acoustic model calls silence).

A turn that still fails, or whose words fit the sound far worse than the speaker's other turns, is timed
without the engine (finding A001): it starts at the onset after its timestamp, its sentences share the
speech up to the next turn by length, and each sentence starts at the likeliest onset near its estimate
(closeness against the pause before it), so its error is bounded by the speech detector's, not the rate
model's drift. This is what runs for the whole file when the engine fails everywhere (0 dB SNR).
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..model import Finding, Turn, Word
from ..rules import finding
from ..text import is_sentence_end
from ..timecode import format_clock
from ..timing import RateModel
from .engine import Aligner, TokenTiming
from .fallback import HINT_SEARCH_MS, fallback, sentence_starts
from .normalize import Token, normalize
from .run import Limits, Run, State
from .windows import FRAME_MS, NOISY_SPEECH_SHARE, Pause, SpeechIndex, noisy_speech_frames, speech_frames
from .windows import onsets as _onsets  # the names the tests know

log = logging.getLogger(__name__)
progress_log = logging.getLogger("toolkit.progress")  # a terminal shows it as one live line (see cli)

DEFAULT_MS_PER_PHONE = 75.0
LONG_MIN_MS = 650  # a word is "too long" only above this ...
LONG_FACTOR = 3.0  # ... and above this many times its expected duration
CRUSH_MS_PER_PHONE = 40  # a word shorter than this per phone is crushed (a window cut too short)
SQUEEZE_MS_PER_PHONE = 38.0  # a sentence spoken faster than this per phone was squeezed into a short window
MAX_CHUNK_SPEECH_MS = 40_000  # longer turns are aligned in chunks of sentences of about this much speech
LATER_PAUSE_MS = 20_000  # how far past a window's range its last-resort end may lie
SKIP_SPEECH_MAX_MS = 1_500  # jump ahead to a turn's timestamp only over a stretch with less speech
UNCOVERED_SPEECH_MS = 300  # speech heard but given to no word: the window holds more than the text
SKIPPED_SOUND_MS = 300  # skipped audio is reported (A002) only when the detector hears this much sound in it
# ... and when it is longer than this: an "um", a false start or a repeated word that the transcript
# leaves out (well under a second) is normal speech, not news
FILLER_MS = 800
HEAD_FIT_DROP = 1.5  # a first sentence scoring this much below the speaker's usual median ...
HEAD_FIT_GAIN = 1.0  # ... is re-aligned from a later onset when that scores this much better ...
HEAD_REFIT_MS = 3_000  # ... among the first few onsets up to this far after the sentence's end
HEAD_REFIT_TRIES = 3
HEAD_WORDS = 3  # an implausible word this close to its sentence start: re-align the whole sentence too
ONSET_MARGIN_MS = 40  # a re-aligned window starts this much before the detected speech onset
NEXT_BOUND_SLACK_MS = 300  # a window ends at most this far outside the next turn's first-word range
TAIL_SLOW_FACTOR = 1.6  # a last sentence slower than this times the speaker's pace swallowed extra audio
MAX_FALLBACK_BAD = 0.35  # share of implausible words above which a turn falls back to the rate model
PROGRESS_EVERY_S = 10.0  # an INFO line on this module's log (shown with -v) ...
PROGRESS_LINE_S = 0.5  # ... and a record this often on the "toolkit.progress" log (convert's live line)
SNAP_BACK_MS = 300  # an aligned sentence start moves back to a detected speech onset at most this far ...
MIN_SNAP_MS = 30  # ... and at least this far (closer is the detector's own jitter)
SILENT_WORD_SHARE = 0.5  # a first word with less speech than this share under it sits in silence ...
ONSET_SLACK_MS = 100  # ... and moves when an onset comes before the next word (or this little after)
TAIL_GOOD_MS = 50  # a window end whose tail anomaly is this small is kept: more searches rarely beat it ...
POOR_TAIL_GOOD_MS = 250  # ... this small on poor audio (heavy noise), where the detector blurs the tail
NO_GAIN_SHARE = 0.7  # a second window end that cuts the tail anomaly by less than this share: stop moving it
MAX_SEARCH_FAILURES = 2  # windows tried when the engine's search fails outright
GIVE_UP_AFTER = 3  # after this many turns in a row fell back, each turn gets one search only ...
PROBE_EVERY = 4  # ... and only every this many turns is tried at all, until one aligns again
MIN_MEDIAN_SCORE = -4.5  # median per-frame log score of a turn's words below this: the text is not this audio
FIT_FACTOR = 2.2  # ... or below this many times the usual median (noisy media)
DEFAULT_FIT = -2.5  # the usual median word score assumed before three turns have aligned ...
MISFIT_SLACK = 1.0  # ... a window result scoring this much worse than the usual ...
MISFIT_MS_PER_UNIT = 500  # ... adds this much anomaly per unit of log score below that
WINDOW_FIT_FACTOR = 1.5  # one window's result below this many times the usual median ...
WINDOW_FIT_MARGIN = 0.5  # ... less this: its text is not in the window (another window is tried)
POOR_AUDIO_FIT = -3.0  # a usual median below this: poor audio, turn starts must stay near their timestamps


@dataclass(slots=True)
class _Piece:
    """A run of spoken tokens aligned in one window (a whole turn or a chunk of a long one)."""

    tokens: list[str]
    phones: list[int]
    sentence_starts: list[int]  # token indices where a sentence starts (always includes 0)
    next_hint_ms: int | None  # where the next piece is expected to start, if the transcript says
    hint_ms: int | None
    bound: tuple[int, int] | None = None  # where the piece's first word may lie (a turn's first piece)
    next_bound: tuple[int, int] | None = None  # the same for the next turn's first word (its last piece)


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
) -> tuple[tuple[Turn, ...], list[Finding]]:
    """Align every turn's words to ``audio`` (int16 mono) and return the turns with ``.words`` set.

    ``speech`` is a speech mask per 10 ms frame (computed with webrtcvad when not given; replaced by a
    noise-robust one when it marks nearly everything as speech). ``rates`` gives
    the fallback timing for turns that cannot be aligned. Word texts are the transcript's own words; a
    turn's ``start_ms``/``end_ms`` become its first word's start and last word's end, and
    ``source_start_ms`` keeps the transcript's timestamp.

    ``bounds`` gives, per turn, the range ``(earliest, latest)`` in ms where its first word may lie (from
    the media stage's turn sync, see :class:`toolkit.media.turnsync.TurnSync`): a turn's window starts no
    earlier than its range, ends where the next turn's range allows, and an alignment that starts
    outside its range is rejected, so no turn is aligned across its neighbours' timestamps.
    """
    if engine is None:
        from .sphinx import SphinxAligner

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
    index = SpeechIndex(speech)
    rates = rates or RateModel.fit(turns)
    state = State()
    findings: list[Finding] = []
    run = Run(engine, audio, sample_rate, index, rates, path, findings, state)
    out: list[Turn] = []
    audio_ms = run.audio_ms
    t0 = last_log = last_line = time.monotonic()
    hints = _next_hints(turns)
    ranges: list[tuple[int, int] | None] = list(bounds) if bounds is not None else [None] * len(turns)
    if len(ranges) != len(turns):
        raise ValueError(f"bounds has {len(ranges)} entries for {len(turns)} turns")
    next_ranges = _next_bounds(turns, ranges)
    for i, turn in enumerate(turns):
        tokens = normalize(turn.text)
        # after GIVE_UP_AFTER failed turns in a row (heavy noise, another language) the engine only gets
        # every PROBE_EVERY-th turn, until one aligns: a failing search costs as much as a good one
        resting = state.failed_in_row >= GIVE_UP_AFTER and (state.failed_in_row - GIVE_UP_AFTER) % PROBE_EVERY
        limits = (ranges[i], next_ranges[i])
        aligned = None if resting else _align_turn(run, turn, tokens, hints[i], limits)
        if aligned is None:
            aligned = fallback(run, turn, tokens, hints[i], limits)
            state.failed_in_row += 1
        else:
            state.failed_in_row = 0
        out.append(aligned)
        now = time.monotonic()
        if now - last_line >= PROGRESS_LINE_S or i == len(turns) - 1:
            last_line = now
            done, total = (format_clock(ms // 1000 * 1000) for ms in (state.cursor_ms, audio_ms))
            progress_log.info("aligning words: %d/%d turns, %s of %s", i + 1, len(turns), done, total)
        if now - last_log >= PROGRESS_EVERY_S or i == len(turns) - 1:
            last_log = now
            log.info(
                "aligned %d/%d turns, %.0f/%.0f s of media in %.1f s",
                i + 1, len(turns), state.cursor_ms / 1000, audio_ms / 1000, now - t0,
            )  # fmt: skip
    return tuple(out), findings


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
    """Per turn, the first-word range of the next turn that has a timestamp."""
    out: list[tuple[int, int] | None] = [None] * len(turns)
    nxt: tuple[int, int] | None = None
    for i in range(len(turns) - 1, -1, -1):
        out[i] = nxt
        if turns[i].start_ms is not None:
            nxt = ranges[i]
    return out


def _pieces(
    engine: Aligner, turn: Turn, tokens: list[Token], next_hint: int | None, mpp: float, limits: Limits
) -> list[_Piece]:
    """The turn's spoken tokens, in chunks of whole sentences when the turn is long."""
    spoken: list[str] = []
    sentence_starts: list[int] = [0]
    for tok in tokens:
        spoken.extend(tok.spoken)
        if tok.spoken and is_sentence_end(tok.text) and spoken:
            sentence_starts.append(len(spoken))
    sentence_starts = sorted(set(s for s in sentence_starts if s < len(spoken)))
    phones = [engine.phone_count(t) for t in spoken]
    total = sum(phones) * mpp
    if total <= MAX_CHUNK_SPEECH_MS * 1.5:
        return [_Piece(spoken, phones, sentence_starts, next_hint, turn.start_ms, *limits)]
    pieces: list[_Piece] = []
    bounds = [*sentence_starts, len(spoken)]
    lo = 0
    acc = 0.0
    for a, b in itertools.pairwise(bounds):
        acc += sum(phones[a:b]) * mpp
        if acc >= MAX_CHUNK_SPEECH_MS and b < len(spoken):
            pieces.append(
                _piece_of(spoken, phones, sentence_starts, lo, b, None, turn.start_ms if lo == 0 else None)
            )
            lo, acc = b, 0.0
    pieces.append(
        _piece_of(spoken, phones, sentence_starts, lo, len(spoken), next_hint, None if lo else turn.start_ms)
    )
    pieces[0] = replace(pieces[0], bound=limits[0])
    pieces[-1] = replace(pieces[-1], next_bound=limits[1])
    return pieces


def _piece_of(
    spoken: list[str], phones: list[int], starts: list[int], lo: int, hi: int, nh: int | None, h: int | None
) -> _Piece:
    return _Piece(spoken[lo:hi], phones[lo:hi], [s - lo for s in starts if lo <= s < hi], nh, h)


def _align_turn(
    run: Run, turn: Turn, tokens: list[Token], next_hint: int | None, limits: Limits
) -> Turn | None:
    engine, state = run.engine, run.state
    if not any(t.spoken for t in tokens):
        return None
    mpp = state.ms_per_phone.get(turn.speaker, state.ms_per_phone.get(None, DEFAULT_MS_PER_PHONE))
    timings: list[TokenTiming] = []
    cursor = state.cursor_ms
    local: list[Finding] = []  # kept only if the turn aligns
    piece_run = replace(run, findings=local)
    for piece in _pieces(engine, turn, tokens, next_hint, mpp, limits):
        result = _align_piece(piece_run, piece, cursor, mpp, turn)
        if result is None:
            return None
        timings.extend(result)
        cursor = result[-1].end_ms
    if not timings:
        return None
    # learn the speaker's pace from this turn
    phones = sum(engine.phone_count(s) for t in tokens for s in t.spoken)
    spoken_ms = sum(t.end_ms - t.start_ms for t in timings)
    if phones:
        pace = min(160.0, max(45.0, spoken_ms / phones))
        old = state.ms_per_phone.get(turn.speaker)
        state.ms_per_phone[turn.speaker] = pace if old is None else 0.6 * old + 0.4 * pace
        g = state.ms_per_phone.get(None)
        state.ms_per_phone[None] = pace if g is None else 0.8 * g + 0.2 * pace
    sentence_starts = _spoken_sentence_starts(tokens)
    timings = _snap_sentence_starts(timings, sentence_starts, run.index, state.cursor_ms)
    token_phones = [engine.phone_count(s) for t in tokens for s in t.spoken]
    timings = _lift_from_silence(timings, sentence_starts, run.index, token_phones)
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


def _spoken_sentence_starts(tokens: Sequence[Token]) -> list[int]:
    """Indices (among the spoken tokens) of the tokens that start a sentence."""
    out: list[int] = []
    k = 0
    for i in sentence_starts(tokens):
        k_i = sum(len(t.spoken) for t in tokens[:i])
        if k_i > k or not out:
            out.append(k_i)
        k = k_i
    return out


def _snap_sentence_starts(
    timings: list[TokenTiming], starts: Sequence[int], index: SpeechIndex, floor_ms: int
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
        ons = index.onsets_between(max(floor, t.start_ms - SNAP_BACK_MS) - 1, t.start_ms - MIN_SNAP_MS + 1)
        if ons and index.speech_ms(ons[-1], t.start_ms) >= 0.8 * (t.start_ms - ons[-1]):
            out[s] = TokenTiming(ons[-1], t.end_ms, t.score)
    return out


def _lift_from_silence(
    timings: list[TokenTiming], starts: Sequence[int], index: SpeechIndex, phones: Sequence[int]
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
        if length <= 0 or index.speech_ms(t.start_ms, t.end_ms) > SILENT_WORD_SHARE * length:
            continue
        ons = index.onsets_between(t.end_ms - 1, nxt.start_ms + ONSET_SLACK_MS)
        if not ons:
            continue
        end = min(ons[0], nxt.start_ms)
        start = max(t.start_ms, end - max(MIN_SNAP_MS, CRUSH_MS_PER_PHONE * phones[s]))
        if start > t.start_ms:
            out[s] = TokenTiming(start, end, t.score)
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


# ---------------------------------------------------------------- one window


def _expected_ms(phones: int, mpp: float) -> float:
    return phones * mpp


def _long_excess(t: TokenTiming, phones: int, mpp: float) -> int:
    limit = max(LONG_MIN_MS, LONG_FACTOR * _expected_ms(phones, mpp) + 150)
    return max(0, t.end_ms - t.start_ms - int(limit))


def _squeeze(timings: Sequence[TokenTiming], phones: Sequence[int]) -> float:
    """How far the last sentence-ish run (up to 8 tokens) is squeezed below a plausible pace, in ms."""
    if not timings:
        return 0.0
    run = timings[-8:]
    ph = sum(phones[-8:])
    dur = run[-1].end_ms - run[0].start_ms
    return max(0.0, SQUEEZE_MS_PER_PHONE * ph - dur)


def _anomaly(
    timings: Sequence[TokenTiming],
    phones: Sequence[int],
    mpp: float,
    index: SpeechIndex | None = None,
    skip_gap: int = -1,
) -> float:
    """How implausible an alignment is, in ms: over-long words, a squeezed tail and (with ``index``)
    speech the detector hears between words but no word covers (the gap before ``skip_gap`` is exempt)."""
    total = sum(_long_excess(t, p, mpp) for t, p in zip(timings, phones, strict=True)) + _squeeze(
        timings, phones
    )
    if index is not None:
        total += sum(_gap_speech(index, timings, g) for g in range(len(timings) - 1) if g + 1 != skip_gap)
    return total


def _gap_speech(index: SpeechIndex, timings: Sequence[TokenTiming], g: int) -> int:
    """Uncovered speech between token ``g`` and the next, beyond what detector noise explains."""
    heard = index.speech_ms(timings[g].end_ms, timings[g + 1].start_ms)
    return max(0, heard - UNCOVERED_SPEECH_MS)


def _run(
    engine: Aligner, tokens: Sequence[str], audio: np.ndarray, sample_rate: int, start_ms: int, end_ms: int
) -> list[TokenTiming] | None:
    a = max(0, start_ms * sample_rate // 1000)
    b = min(len(audio), end_ms * sample_rate // 1000)
    if b - a < sample_rate // 5:
        return None
    res = engine.align(tokens, audio[a:b])
    if res is None:
        return None
    off = a * 1000 // sample_rate
    return [TokenTiming(t.start_ms + off, t.end_ms + off, t.score) for t in res]


def _window_start(index: SpeechIndex, cursor: int, hint: int | None, *, trust_cursor: bool = True) -> int:
    """Where a piece's window starts: after the previous words, or before the hint after a long gap (or
    when the previous turn fell back, so the cursor is only an estimate)."""
    start = cursor
    if not trust_cursor and hint is not None:
        pauses = index.pauses_between(hint - HINT_SEARCH_MS, hint - 2_000)
        if pauses:
            return max(cursor, max(pauses, key=lambda p: p.length_ms).mid_ms)
        return max(cursor, hint - 2_500)
    gap_end = None if hint is None else hint - HINT_SEARCH_MS - 2_000
    if gap_end is not None and gap_end > cursor and index.speech_ms(cursor, gap_end) < SKIP_SPEECH_MAX_MS:
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


def _end_candidates(index: SpeechIndex, start: int, piece: _Piece, mpp: float) -> tuple[list[Pause], float]:
    """Pauses that may end the window, ranked by fit, and the target time they are ranked against."""
    need = _expected_ms(sum(piece.phones), mpp)
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
        cands.append(Pause(end, end))
    # one more, beyond the range, for when every window in it fails (no pause heard after the turn)
    later = [p for p in index.pauses_between(hi, hi + LATER_PAUSE_MS) if p.mid_ms > cands[-1].mid_ms]
    cands.extend(later[:1])
    cands = sorted(set(cands), key=lambda p: p.mid_ms)
    if piece.next_bound is not None:
        cands = _within_next_bound(index, cands, piece.next_bound, start, target)
    return cands, target


def _within_next_bound(
    index: SpeechIndex, cands: list[Pause], bound: tuple[int, int], start: int, target: float
) -> list[Pause]:
    """The window ends that respect the next turn's range: none after its latest start (the next turn has
    begun), and among those, the ones not before its earliest start when any is (the speech up to there
    is this turn's, or nobody's). A next turn far beyond the piece's own reach does not stretch the window
    (a pause, music: the ends near the piece's own estimate stay); with no end left, the cut goes where
    the next turn may start."""
    lo = max(start + 200, bound[0] - NEXT_BOUND_SLACK_MS)
    hi = max(lo + 1, bound[1] + NEXT_BOUND_SLACK_MS)
    before = [p for p in cands if p.mid_ms <= hi]
    reaching = [p for p in before if p.mid_ms >= lo]
    if reaching:
        return reaching
    if before:
        return before
    t = int(min(max(target, lo), hi))
    return [Pause(t, t + 1)]


def _pick(cands: list[Pause], target: float) -> int:
    def cost(p: Pause) -> float:
        return abs(p.mid_ms - target) - 0.4 * min(p.length_ms, 1_500)

    return min(range(len(cands)), key=lambda i: cost(cands[i]))


def _best_window(
    run: Run, piece: _Piece, cursor: int, mpp: float, turn: Turn
) -> tuple[int, tuple[float, int, list[TokenTiming]] | None]:
    """The window start and the best (anomaly, end, timings) over the window ends tried: the pause nearest
    the target first, then its neighbours while the tail looks wrong (at most four searches). A result
    that fits far worse than the speaker's usual counts as a failed search, kept only if nothing fits."""
    index, state = run.index, run.state
    start = _window_start(index, cursor, piece.hint_ms, trust_cursor=state.failed_in_row == 0)
    if piece.bound is not None:  # never before the turn's own range: that audio is the previous turn's
        start = max(start, piece.bound[0] - ONSET_MARGIN_MS)
    cands, target = _end_candidates(index, start, piece, mpp)
    best: tuple[float, int, list[TokenTiming]] | None = None
    tried: set[int] = set()
    misfit: tuple[float, int, list[TokenTiming]] | None = None  # the best of the results that fit poorly
    failures = 0
    floor = _window_fit_floor(state, turn.speaker)
    usual = _usual_fit(state, turn.speaker)
    good = POOR_TAIL_GOOD_MS if _poor_audio(state) else TAIL_GOOD_MS
    first_score: float | None = None
    k = first = _pick(cands, target)
    for _ in range(4):
        tried.add(k)
        end = cands[k].mid_ms if cands[k].length_ms else cands[k].end_ms
        timings = _run(run.engine, piece.tokens, run.audio, run.sample_rate, start, end)
        if timings is not None and _median_score(timings) < floor:
            # the text does not fit this window's sound (a wide search forces it onto music or the other
            # speaker): a failed search, tried elsewhere; kept only when no window fits
            if misfit is None:
                misfit = (_tail_anomaly(timings, piece, mpp, index, end, start), end, timings)
            timings = None
        log.debug(
            "line %d: window %d-%d (target %.0f) -> %s",
            turn.line,
            start,
            end,
            target,
            None if timings is None else _tail_anomaly(timings, piece, mpp, index, end, start),
        )
        if timings is not None:
            score = _tail_anomaly(timings, piece, mpp, index, end, start) + _misfit_ms(timings, usual)
            if best is None or score < best[0]:
                best = (score, end, timings)
            s0 = piece.sentence_starts[-1] if piece.sentence_starts else 0
            crush = _crush_ms(timings[s0:], piece.phones[s0:])  # detector noise does not excuse crushed words
            if score - crush <= good and crush <= TAIL_GOOD_MS:
                break
            if first_score is None:
                first_score = score
            elif best[0] > NO_GAIN_SHARE * first_score:
                break  # the anomaly is not at the window's end (junk before the tail): recovery's job
            step = 1 if _squeeze(timings, piece.phones) > 0 else -1  # squeezed: longer; else shorter
            k = k + step if k + step not in tried and 0 <= k + step < len(cands) else first - step
        else:
            failures += 1
            k = k + 1
        if k in tried or not 0 <= k < len(cands) or failures >= MAX_SEARCH_FAILURES:
            break
        if state.failed_in_row >= GIVE_UP_AFTER and timings is None:
            break  # the engine keeps failing on this media: one probe per turn, no more
    return start, best or misfit


def _align_piece(run: Run, piece: _Piece, cursor: int, mpp: float, turn: Turn) -> list[TokenTiming] | None:
    state = run.state
    start, best = _best_window(run, piece, cursor, mpp, turn)
    if best is None:
        return _split_piece(run, piece, cursor, mpp, turn)
    _, end, timings = best
    timings = _recover(
        run.engine, piece, run.audio, run.sample_rate, run.index, start, end, timings, mpp, turn,
        run.findings, run.path,
    )  # fmt: skip
    timings = _refit_head(run, piece, timings, mpp, turn)
    bad = sum(1 for t, p in zip(timings, piece.phones, strict=True) if _long_excess(t, p, mpp) > 0)
    fit = _median_score(timings)
    floor = _fit_floor(state, turn.speaker)
    log.debug("line %d: %d of %d words implausible, median score %.2f", turn.line, bad, len(timings), fit)
    if bad > MAX_FALLBACK_BAD * len(timings) or _squeeze(timings, piece.phones) > 0 or fit < floor:
        return None
    if piece.bound is not None:
        lo, hi = piece.bound
        first = timings[0]
        if lo - ONSET_MARGIN_MS <= first.start_ms < lo < first.end_ms:
            # the window opens ONSET_MARGIN_MS before the range, and a first word the engine starts in
            # that margin (speech already under way there: the other speaker) starts where the range does
            timings = [TokenTiming(lo, first.end_ms, first.score), *timings[1:]]
        if not lo <= timings[0].start_ms <= hi:
            log.debug("line %d: start %d outside %s", turn.line, timings[0].start_ms, piece.bound)
            return None  # the words are not where the turn's timestamp says: a misfit, timed without them
    # after a fallback nothing anchors the window but the timestamp, and on poor audio (low scores
    # everywhere) the scores cannot tell a misfit: there, a start far from the timestamp is a misfit
    if (state.failed_in_row or _poor_audio(state)) and piece.hint_ms is not None:  # noqa: SIM102
        if not piece.hint_ms - 1_000 <= timings[0].start_ms <= piece.hint_ms + 4_000:
            log.debug(
                "line %d: start %d too far from %d after a fallback",
                turn.line,
                timings[0].start_ms,
                piece.hint_ms,
            )
            return None
    state.fits.setdefault(turn.speaker, []).append(fit)
    return timings


def _refit_head(
    run: Run, piece: _Piece, timings: list[TokenTiming], mpp: float, turn: Turn
) -> list[TokenTiming]:
    """Re-align a piece whose first sentence fits the sound far worse than the speaker's usual, from
    the speech onsets after its start: sound the text does not contain before a turn (a music sting the
    speech detector takes for speech) can hold the first words at plausible lengths, and only their
    scores tell. The first onset whose first sentence fits well enough wins (finding A002)."""
    pool = _fit_pool(run.state, turn.speaker)
    if len(pool) < 3:
        return timings
    n = piece.sentence_starts[1] if len(piece.sentence_starts) > 1 else len(timings)
    usual = float(np.median(pool[-50:]))
    head = _median_score(timings[:n])
    if head >= usual - HEAD_FIT_DROP:
        return timings
    lo, hi = timings[0].start_ms + 200, timings[n - 1].end_ms + HEAD_REFIT_MS
    for onset, _ in _onsets(run.index, lo, hi)[:HEAD_REFIT_TRIES]:
        cands, target = _end_candidates(run.index, onset, piece, mpp)
        p = cands[_pick(cands, target)]
        end = p.mid_ms if p.length_ms else p.end_ms
        redo = _run(run.engine, piece.tokens, run.audio, run.sample_rate, onset - ONSET_MARGIN_MS, end)
        if redo is None:
            continue
        fit = _median_score(redo[:n])
        log.debug("line %d: head fit %.2f (usual %.2f), from %d: %.2f", turn.line, head, usual, onset, fit)
        if fit >= usual - HEAD_FIT_DROP and fit >= head + HEAD_FIT_GAIN:
            if _worth_reporting(run.index, timings[0].start_ms, onset):
                _report_skip(run.findings, run.path, turn, timings[0].start_ms, onset, piece.tokens[0])
            return redo
    return timings


def _worth_reporting(index: SpeechIndex, start_ms: int, end_ms: int) -> bool:
    """Skipped audio that is news (A002): sound the detector hears, longer than a filler or a repeat."""
    return end_ms - start_ms >= FILLER_MS and index.speech_ms(start_ms, end_ms) >= SKIPPED_SOUND_MS


def _report_skip(
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


def _poor_audio(state: State) -> bool:
    """Low scores everywhere (heavy noise): the scores cannot tell a misfit, and the speech detector's
    view of a window's tail is noisy."""
    all_fits = [f for fs in state.fits.values() for f in fs[-20:]]
    return len(all_fits) >= 3 and float(np.median(all_fits)) < POOR_AUDIO_FIT


def _median_score(timings: Sequence[TokenTiming]) -> float:
    return float(np.median([t.score for t in timings]))


def _fit_floor(state: State, speaker: str | None) -> float:
    """The median word score below which a turn's text is taken not to be in its window. Noisy media and
    voices unlike the model's fit worse everywhere: a turn is judged against the speaker's other turns
    (or everyone's, early on)."""
    pool = _fit_pool(state, speaker)
    if len(pool) < 3:
        return MIN_MEDIAN_SCORE
    return min(MIN_MEDIAN_SCORE, FIT_FACTOR * float(np.median(pool[-50:])) - 1.0)


def _window_fit_floor(state: State, speaker: str | None) -> float:
    """A stricter floor for one window's result: a wide search forces the text onto audio it is not in
    (music, the other speaker) with plausible durations but poor scores. Before three turns have
    aligned there is nothing to judge against: no floor."""
    pool = _fit_pool(state, speaker)
    if len(pool) < 3:
        return -math.inf
    return WINDOW_FIT_FACTOR * float(np.median(pool[-50:])) - WINDOW_FIT_MARGIN


def _usual_fit(state: State, speaker: str | None) -> float:
    """The speaker's usual median word score (a fixed guess before three turns have aligned)."""
    pool = _fit_pool(state, speaker)
    return float(np.median(pool[-50:])) if len(pool) >= 3 else DEFAULT_FIT


def _misfit_ms(timings: Sequence[TokenTiming], usual: float) -> float:
    """A window result's fit below the usual, as anomaly ms: between two windows, the one whose words
    are on their own sound (not on music the detector calls speech) scores better."""
    return MISFIT_MS_PER_UNIT * max(0.0, usual - MISFIT_SLACK - _median_score(timings))


def _fit_pool(state: State, speaker: str | None) -> list[float]:
    own = state.fits.get(speaker, [])
    return own if len(own) >= 3 else [f for fs in state.fits.values() for f in fs[-20:]]


def _split_piece(run: Run, piece: _Piece, cursor: int, mpp: float, turn: Turn) -> list[TokenTiming] | None:
    """When no window lets the engine align a piece, align its two halves (at a sentence) one by one."""
    if len(piece.sentence_starts) < 2 or run.state.failed_in_row >= GIVE_UP_AFTER:
        return None
    mid = piece.sentence_starts[len(piece.sentence_starts) // 2]
    log.debug("line %d: splitting %d tokens at %d", turn.line, len(piece.tokens), mid)
    first = replace(
        _piece_of(piece.tokens, piece.phones, piece.sentence_starts, 0, mid, None, piece.hint_ms),
        bound=piece.bound,
    )
    second = replace(
        _piece_of(
            piece.tokens,
            piece.phones,
            piece.sentence_starts,
            mid,
            len(piece.tokens),
            piece.next_hint_ms,
            None,
        ),
        next_bound=piece.next_bound,
    )
    a = _align_piece(run, first, cursor, mpp, turn)
    if a is None:
        return None
    b = _align_piece(run, second, a[-1].end_ms, mpp, turn)
    return None if b is None else a + b


def _tail_anomaly(
    timings: list[TokenTiming], piece: _Piece, mpp: float, index: SpeechIndex, end_ms: int, start_ms: int
) -> float:
    """Anomaly of the last sentence, where a wrong window end shows: stretched words, a slow pace, words
    crushed to the engine's minimum length (a window cut too short, forced by a wide search), or speech
    the detector hears between the words' end and the window's end (absorbed as noise). Speech
    left before the first word counts too: a window that reaches into the next turn lets the engine put
    the piece on the next turn's speech and call its own speech silence."""
    s = piece.sentence_starts[-1] if piece.sentence_starts else 0
    if s == 0 and len(timings) > 2:
        s = 1  # a stretched first word (music before the turn) is the recovery's job, not the end's
    tail, phones = timings[s:], piece.phones[s:]
    words_ms = sum(t.end_ms - t.start_ms for t in tail)
    slow = max(0.0, words_ms - TAIL_SLOW_FACTOR * mpp * sum(phones) - 300)
    gaps = sum(index.speech_ms(a.end_ms, b.start_ms) for a, b in itertools.pairwise(tail))
    uncovered = index.speech_ms(tail[-1].end_ms, end_ms) + gaps
    head = max(0, index.speech_ms(start_ms, timings[0].start_ms) - UNCOVERED_SPEECH_MS)
    crush = _crush_ms(tail, phones)
    return _anomaly(tail, phones, mpp) + slow + max(0, uncovered - UNCOVERED_SPEECH_MS) + head + crush


def _crush_ms(timings: Sequence[TokenTiming], phones: Sequence[int]) -> int:
    """How far (ms) words are pressed below a plausible length."""
    return sum(
        max(0, CRUSH_MS_PER_PHONE * p - (t.end_ms - t.start_ms)) for t, p in zip(timings, phones, strict=True)
    )


def _recover(
    engine: Aligner,
    piece: _Piece,
    audio: np.ndarray,
    sample_rate: int,
    index: SpeechIndex,
    start: int,
    end: int,
    timings: list[TokenTiming],
    mpp: float,
    turn: Turn,
    findings: list[Finding],
    path: str | None,
) -> list[TokenTiming]:
    """Re-align after words stretched over audio the text does not contain."""
    j = 0
    n = len(timings)
    attempts = 0
    while j < n and attempts < 6:
        gap_bad = j + 1 < n and _gap_speech(index, timings, j) > 0
        if _long_excess(timings[j], piece.phones[j], mpp) == 0 and not gap_bad:
            j += 1
            continue
        attempts += 1
        # junk just after a sentence start (music before "And that ...") put the first short words on it
        s0 = max(s for s in [0, *piece.sentence_starts] if s <= j)
        s0 = s0 if j - s0 <= HEAD_WORDS else j
        base = _anomaly(timings[s0:], piece.phones[s0:], mpp, index)
        log.debug(
            "line %d: implausible at %r (%d ms, anomaly %.0f)",
            turn.line,
            piece.tokens[j],
            timings[j].start_ms,
            base,
        )
        best: tuple[float, int, int, list[TokenTiming]] | None = None
        hi = timings[min(j + 1, n - 1)].end_ms
        for m in ([s0] if s0 < j else []) + _restart_order(piece, timings, j):
            if m >= n:
                continue
            lo = timings[min(m, j)].start_ms
            for onset, _ in _onsets(index, lo + 101, hi - 1):  # a blip of noise is no onset
                if m > j and onset < timings[j].start_ms + 200:
                    continue
                redo = _run(engine, piece.tokens[m:], audio, sample_rate, onset - ONSET_MARGIN_MS, end)
                if redo is None:
                    continue
                head = list(timings[s0:m])
                if m > j:  # the word before the junk keeps a plausible length
                    t = head[-1]
                    cap = t.start_ms + int(max(LONG_MIN_MS, LONG_FACTOR * _expected_ms(piece.phones[j], mpp)))
                    head[-1] = TokenTiming(t.start_ms, min(t.end_ms, cap, redo[0].start_ms), t.score)
                score = _anomaly(head + redo, piece.phones[s0:], mpp, index, skip_gap=len(head))
                log.debug("line %d:   from %r at %d: %.0f", turn.line, piece.tokens[m], onset, score)
                if best is None or score < best[0]:
                    best = (score, onset, m, redo)
                if score == 0:
                    break
            if best is not None and best[0] == 0:
                break
        if best is not None and best[0] < base * 0.5:
            score, onset, m, redo = best
            if m > j:
                t = timings[j]
                cap = t.start_ms + int(max(LONG_MIN_MS, LONG_FACTOR * _expected_ms(piece.phones[j], mpp)))
                timings[j] = TokenTiming(t.start_ms, min(t.end_ms, cap, redo[0].start_ms), t.score)
            skipped_from = timings[m - 1].end_ms if m > j else timings[m].start_ms
            timings[m:] = redo
            log.debug("line %d: skipped %d-%d before %r", turn.line, skipped_from, onset, piece.tokens[m])
            if _worth_reporting(index, skipped_from, onset):  # not a pause stretched over, nor an "um"
                _report_skip(findings, path, turn, skipped_from, onset, piece.tokens[m])
        j += 1
    return timings


def _restart_order(piece: _Piece, timings: Sequence[TokenTiming], j: int) -> list[int]:
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


__all__ = ["FRAME_MS", "align_turns"]
