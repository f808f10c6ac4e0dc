"""The English aligner's tuning: one frozen :class:`AlignParams`, passed to
:func:`toolkit.align.align_turns` (``DEFAULT_PARAMS`` when none is given).

The lowest module of the English aligner: the window search (:mod:`~toolkit.align.window_search`), the
fit measures (:mod:`~toolkit.align.fit`), recovery (:mod:`~toolkit.align.recovery`), the fallback
(:mod:`~toolkit.align.fallback`) and the turn loop (:mod:`~toolkit.align.turns`) read their settings from
the instance the call carries (:class:`toolkit.align.run.Run`), never from module constants. The speech
detector's own constants (frame length, shortest pause) stay with it in :mod:`toolkit.align.windows`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_PARAMS", "AlignParams"]


@dataclass(frozen=True, slots=True)
class AlignParams:
    """Settings of one :func:`toolkit.align.align_turns` call; the defaults are the tuned ones."""

    # ---- a word's plausible length
    default_ms_per_phone: float = 75.0  # a speaker's pace assumed before any of their turns has aligned
    long_min_ms: int = 650  # a word is "too long" only above this ...
    long_factor: float = 3.0  # ... and above this many times its expected duration
    crush_ms_per_phone: int = 40  # a word shorter than this per phone is crushed (a window cut too short)
    squeeze_ms_per_phone: float = 38.0  # a sentence spoken faster than this per phone was squeezed
    uncovered_speech_ms: int = 300  # speech heard but given to no word: the window holds more than the text

    # ---- the window search
    max_chunk_speech_ms: int = 40_000  # longer turns are aligned in chunks of sentences of about this much
    later_pause_ms: int = 20_000  # how far past a window's range its last-resort end may lie
    skip_speech_max_ms: int = 1_500  # jump ahead to a turn's timestamp only over a stretch with less speech
    hint_search_ms: int = 3_500  # the fallback never moves the cursor past the next turn's stamp less this
    onset_margin_ms: int = 40  # a re-aligned window starts this much before the detected speech onset
    next_bound_slack_ms: int = 300  # a window ends at most this far outside the next turn's first-word range
    tail_slow_factor: float = 1.6  # a last sentence slower than this times the pace swallowed extra audio
    tail_good_ms: int = 50  # a window end with a tail anomaly this small is kept: searching on rarely helps
    poor_tail_good_ms: int = 250  # ... this small on poor audio (heavy noise: the detector blurs the tail)
    no_gain_share: float = 0.7  # a second window end cutting the tail anomaly by less than this share: stop
    max_search_failures: int = 2  # windows tried when the engine's search fails outright

    # ---- how well the words fit the sound (median per-frame log score of a turn's words)
    min_median_score: float = -4.5  # a turn's median word score below this: the text is not this audio
    fit_factor: float = 2.2  # ... or below this many times the usual median (noisy media)
    default_fit: float = -2.5  # the usual median word score assumed before three turns have aligned ...
    misfit_slack: float = 1.0  # ... a window result scoring this much worse than the usual ...
    misfit_ms_per_unit: int = 500  # ... adds this much anomaly per unit of log score below that
    window_fit_factor: float = 1.5  # one window's result below this many times the usual median ...
    window_fit_margin: float = 0.5  # ... less this: its text is not in the window (another window is tried)
    local_fit_turns: int = 3  # a turn that fell back is judged again by this many aligned turns either side
    poor_audio_fit: float = -3.0  # a usual median below this: poor audio, turn starts stay near their stamps

    # ---- recovery: audio the text does not contain
    skipped_sound_ms: int = 300  # skipped audio is reported (A002) only with this much sound in it ...
    filler_ms: int = 800  # ... and when longer than this (an "um", a false start or a repeat is no news)
    audible_db: float = 6.0  # ... and with that much of it this much louder than the noise floor ...
    floor_context_ms: int = 10_000  # ... measured this far around it
    repeat_fit_drop: float = 1.0  # skipped audio is words said twice when they fit it no worse than this
    # than their own place, and what they leave of it is no news itself
    restart_fit_words: int = 4  # a restart after audio the text lacks is not taken when the words after ...
    restart_fit_drop: float = 0.5  # ... its first, up to this many, fit their sound this much worse (mean)
    head_fit_drop: float = 1.5  # a first sentence scoring this much below the speaker's usual median ...
    head_fit_gain: float = 1.0  # ... is re-aligned from a later onset when that scores this much better ...
    head_refit_ms: int = 3_000  # ... among the first few onsets up to this far after the sentence's end ...
    head_refit_tries: int = 3  # ... trying at most this many of them
    head_words: int = 3  # an implausible word this close after a sentence's (phrase's) start: re-align from
    # there; trim_long_heads looks at a head's first this many words
    snap_back_ms: int = 300  # an aligned sentence start moves back to a speech onset at most this far ...
    min_snap_ms: int = 30  # ... and at least this far (closer is the detector's own jitter)
    head_gap_ms: int = 300  # a sentence's first word right after the sentence before, this far from its next
    # word with speech between, moves to it; a head's words closer than this to each other run on
    claim_back_ms: int = 2_000  # a sentence's first word claims speech no word has at most this far back
    head_trim_factor: float = 1.5  # a sentence's (phrase's) first words still too long start this many
    # expected lengths before their end
    silent_word_share: float = 0.5  # a first word with less speech than this share under it sits in silence
    onset_slack_ms: int = 100  # ... and moves when an onset comes before the next word (or this little after)

    # ---- giving up on the engine: the fallback (finding A001)
    max_fallback_bad: float = 0.35  # share of implausible words above which a turn falls back
    give_up_after: int = 3  # after this many turns in a row fell back, each turn gets one search only ...
    probe_every: int = 4  # ... and only every this many turns is tried at all, until one aligns again
    unclaimed_speech_ms: int = 500  # less speech than this after the cursor: the audio ended for the text
    silent_span_share: float = 0.3  # a fallback span with less speech than this share is timed by the clock
    fallback_snap_ms: int = 1_200  # a fallback turn's cursor moves to a pause at most this far from its end
    snap_sigma_ms: int = 500  # a fallback sentence start's expected error: this ...
    # ... plus this share of the previous sentence's duration (68 fallback sentence starts of the real
    # recordings in ten conditions: 87 % of the estimates within one such error, 67 of 68 within two; at
    # 0.25, 93 % and all: too wide, far onsets after short pauses won) ...
    snap_sigma_share: float = 0.15
    pause_unit_ms: int = 250  # ... and an onset after a pause this long is worth one such error

    # ---- progress
    progress_every_s: float = 10.0  # an INFO line on the toolkit.align.turns log (shown with -v) ...
    progress_line_s: float = 0.5  # ... and a record this often on "toolkit.progress" (convert's live line)


DEFAULT_PARAMS = AlignParams()
