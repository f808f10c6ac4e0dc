"""How plausible an alignment of the English aligner is: the checks that judge a window's result.

Two measures, both used by the window search (:mod:`toolkit.align.window_search`), recovery
(:mod:`toolkit.align.recovery`) and the turn loop (:mod:`toolkit.align.turns`):

- *anomaly*, in ms: words far longer than the speaker's pace allows, a tail squeezed below a plausible
  pace or crushed to the engine's minimum word length, and speech the detector hears that no word covers;
- *fit*: the median of the engine's per-frame log scores of the words, judged against the speaker's usual
  (the medians of their turns aligned so far, kept in :class:`toolkit.align.run.State`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from .aligner import TokenTiming
from .pieces import Piece
from .run import State
from .tuning import AlignParams
from .windows import SpeechIndex

__all__ = [
    "MIN_FITS",
    "anomaly",
    "crush_ms",
    "expected_ms",
    "fit_floor",
    "fit_known",
    "fit_pool",
    "gap_speech",
    "long_excess",
    "median_score",
    "misfit_ms",
    "poor_audio",
    "squeeze",
    "tail_anomaly",
    "usual_fit",
    "window_fit_floor",
]


# ---------------------------------------------------------------- anomaly: word lengths and uncovered speech


def expected_ms(phones: int, mpp: float) -> float:
    return phones * mpp


def long_excess(t: TokenTiming, phones: int, mpp: float, params: AlignParams) -> int:
    """How far (ms) a word lasts beyond the longest plausible length at ``mpp`` ms per phone."""
    limit = max(params.long_min_ms, params.long_factor * expected_ms(phones, mpp) + 150)
    return max(0, t.end_ms - t.start_ms - int(limit))


def squeeze(timings: Sequence[TokenTiming], phones: Sequence[int], params: AlignParams) -> float:
    """How far the last sentence-ish run (up to 8 tokens) is squeezed below a plausible pace, in ms."""
    if not timings:
        return 0.0
    run = timings[-8:]
    ph = sum(phones[-8:])
    dur = run[-1].end_ms - run[0].start_ms
    return max(0.0, params.squeeze_ms_per_phone * ph - dur)


def anomaly(
    timings: Sequence[TokenTiming],
    phones: Sequence[int],
    mpp: float,
    params: AlignParams,
    index: SpeechIndex | None = None,
    skip_gap: int = -1,
) -> float:
    """How implausible an alignment is, in ms: over-long words, a squeezed tail and (with ``index``)
    speech the detector hears between words but no word covers (the gap before ``skip_gap`` is exempt)."""
    total = sum(long_excess(t, p, mpp, params) for t, p in zip(timings, phones, strict=True)) + squeeze(
        timings, phones, params
    )
    if index is not None:
        total += sum(
            gap_speech(index, timings, g, params) for g in range(len(timings) - 1) if g + 1 != skip_gap
        )
    return total


def gap_speech(index: SpeechIndex, timings: Sequence[TokenTiming], g: int, params: AlignParams) -> int:
    """Uncovered speech between token ``g`` and the next, beyond what detector noise explains."""
    heard = index.speech_ms(timings[g].end_ms, timings[g + 1].start_ms)
    return max(0, heard - params.uncovered_speech_ms)


def crush_ms(timings: Sequence[TokenTiming], phones: Sequence[int], params: AlignParams) -> int:
    """How far (ms) words are pressed below a plausible length."""
    return sum(
        max(0, params.crush_ms_per_phone * p - (t.end_ms - t.start_ms))
        for t, p in zip(timings, phones, strict=True)
    )


def tail_anomaly(
    timings: list[TokenTiming],
    piece: Piece,
    mpp: float,
    index: SpeechIndex,
    end_ms: int,
    start_ms: int,
    params: AlignParams,
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
    slow = max(0.0, words_ms - params.tail_slow_factor * mpp * sum(phones) - 300)
    gaps = sum(index.speech_ms(a.end_ms, b.start_ms) for a, b in itertools.pairwise(tail))
    uncovered = index.speech_ms(tail[-1].end_ms, end_ms) + gaps
    head = max(0, index.speech_ms(start_ms, timings[0].start_ms) - params.uncovered_speech_ms)
    crush = crush_ms(tail, phones, params)
    return (
        anomaly(tail, phones, mpp, params)
        + slow
        + max(0, uncovered - params.uncovered_speech_ms)
        + head
        + crush
    )


# ---------------------------------------------------------------- fit: the engine's scores


def median_score(timings: Sequence[TokenTiming]) -> float:
    return float(np.median([t.score for t in timings]))


MIN_FITS = 3  # aligned turns' fits before they are a usual to judge a turn against


def fit_pool(state: State, speaker: str | None) -> list[float]:
    """The fits to judge ``speaker``'s turn against: their own from their third turn on, before that
    everyone's recent ones."""
    own = state.fits.get(speaker, [])
    return own if len(own) >= MIN_FITS else [f for fs in state.fits.values() for f in fs[-20:]]


def fit_known(state: State, speaker: str | None) -> bool:
    """Whether ``speaker``'s turns are judged against the media's usual fit (enough turns have aligned);
    before that, :func:`fit_floor` is the fixed ``min_median_score``."""
    return len(fit_pool(state, speaker)) >= MIN_FITS


def fit_floor(state: State, speaker: str | None, params: AlignParams) -> float:
    """The median word score below which a turn's text is taken not to be in its window. Noisy media and
    voices unlike the model's fit worse everywhere: a turn is judged against the speaker's other turns
    (or everyone's, early on)."""
    pool = fit_pool(state, speaker)
    if len(pool) < MIN_FITS:
        return params.min_median_score
    return min(params.min_median_score, params.fit_factor * float(np.median(pool[-50:])) - 1.0)


def window_fit_floor(state: State, speaker: str | None, params: AlignParams) -> float:
    """A stricter floor for one window's result: a wide search forces the text onto audio it is not in
    (music, the other speaker) with plausible durations but poor scores. Before three turns have
    aligned there is nothing to judge against: no floor."""
    pool = fit_pool(state, speaker)
    if len(pool) < MIN_FITS:
        return -math.inf
    return params.window_fit_factor * float(np.median(pool[-50:])) - params.window_fit_margin


def usual_fit(state: State, speaker: str | None, params: AlignParams) -> float:
    """The speaker's usual median word score (a fixed guess before three turns have aligned)."""
    pool = fit_pool(state, speaker)
    return float(np.median(pool[-50:])) if len(pool) >= MIN_FITS else params.default_fit


def misfit_ms(timings: Sequence[TokenTiming], usual: float, params: AlignParams) -> float:
    """A window result's fit below the usual, as anomaly ms: between two windows, the one whose words
    are on their own sound (not on music the detector calls speech) scores better."""
    return params.misfit_ms_per_unit * max(0.0, usual - params.misfit_slack - median_score(timings))


def poor_audio(state: State, params: AlignParams) -> bool:
    """Low scores everywhere (heavy noise): the scores cannot tell a misfit, and the speech detector's
    view of a window's tail is noisy."""
    all_fits = [f for fs in state.fits.values() for f in fs[-20:]]
    return len(all_fits) >= MIN_FITS and float(np.median(all_fits)) < params.poor_audio_fit
