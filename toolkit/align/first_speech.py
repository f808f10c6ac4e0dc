"""Where a transcript without timestamps starts in the audio: its first words, searched for.

A transcript with no time at all (``Name: text`` turns, or plain text) has nothing to anchor the rate
model to, and speech rarely starts at 0: a call opens on line noise, a podcast on a music intro, a video
on a title or on someone else's speech. The candidates are the speech detector's onsets and a grid over
the first five minutes (noise hides the pauses). At each, the transcript's first dozen words are aligned
in a window as long as they need at a slow pace, and their fit (the median per-frame score of the words,
as in :mod:`toolkit.align.verify`) says how well they are said there. A dozen words can fit a wrong place
about as well as their own in reverberant or noisy sound, so the first forty (24 where the engine aligns
forty nowhere) are aligned again at the six best places: the best fit is where the transcript starts. It
is ``verified`` when the forty words aligned there only, or fit it clearly better than the next place;
otherwise the caller says the place is a guess (M009). When no window fits at all, there is no answer.

Cost: one short alignment per candidate (a few tens of milliseconds each; 3-18 s on one- to
two-minute recordings), at most ``max_candidates``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .aligner import Aligner
from .fit import median_score
from .normalize import normalize
from .window_search import align_span
from .windows import SpeechIndex, onsets

__all__ = ["FirstWords", "find_first_words"]

PROBE_WORDS = 12  # the first spoken words aligned at each candidate ...
CHECK_WORDS = (40, 24)  # ... and at the best few places, to choose between them (fewer in heavy noise)
FINALISTS = 6
MS_PER_CHAR = 90  # a slow pace (English speech runs 60-75 ms per letter): the window holds the words
WINDOW_PAD_MS = 600  # ... and this much more
LEAD_MS = 150  # the window opens this much before the onset (the detector marks onsets a little late)
SEARCH_MS = 300_000  # the first words are looked for in the first five minutes
MIN_FIT = -8.0  # a median score below this fits nowhere (music, another text: verify's miss is -12)
CLEAR_MARGIN = 1.0  # the longer words fit the place this much better than the next place, or only there


@dataclass(frozen=True, slots=True)
class FirstWords:
    """The answer: the first word's start, the fit there, the next best fit elsewhere, how many
    candidates were tried, and whether the place is clear."""

    start_ms: int
    fit: float
    runner_up: float | None
    candidates: int
    # the longer words aligned at the place and nowhere else, or fit it clearly better than elsewhere
    verified: bool = False


def find_first_words(
    texts: Sequence[str],
    audio: np.ndarray,
    speech: np.ndarray,
    *,
    engine: Aligner | None = None,
    sample_rate: int = 16000,
    max_candidates: int = 400,
) -> FirstWords | None:
    """Where the first words of ``texts`` (the turns' texts, in order) are said in ``audio`` (int16 mono),
    with ``speech`` the detector's 10 ms speech mask; ``None`` when there are no words or nowhere fits.

    Two passes: the first :data:`PROBE_WORDS` words at every candidate, then the first forty (24 where
    the engine aligns forty nowhere: 3 dB SNR) at the :data:`FINALISTS` best places (more than a second
    apart): a dozen words can fit a wrong place about as well as their own in reverberant or noisy sound,
    forty cannot, and the engine fails to align them where they are not said."""
    spoken = [w for text in texts for tok in normalize(text) for w in tok.spoken]
    if not spoken:
        return None
    if engine is None:
        from .sphinx import SphinxAligner  # lazy: pocketsphinx loads in about 0.3 s

        engine = SphinxAligner(sample_rate)
    index = SpeechIndex(speech)
    audio_ms = len(audio) * 1000 // sample_rate
    probe = spoken[:PROBE_WORDS]
    length = _window_ms(probe)
    reach = min(audio_ms, SEARCH_MS)
    found = [on for on, _ in onsets(index, 0, max(0, reach - 500))]
    grid = range(0, max(1, reach - length // 2), max(1_000, length // 2))  # where the detector hears no pause
    candidates = sorted({*found, *grid})[:max_candidates]
    fits = [f for c in candidates if (f := _fit(engine, probe, audio, sample_rate, c, length)) is not None]
    if not fits:
        return None
    finalists: list[tuple[float, int]] = []
    for fit, at in sorted(fits, reverse=True):
        if all(abs(at - other) > 1_000 for _, other in finalists):
            finalists.append((fit, at))
        if len(finalists) == FINALISTS:
            break
    verified = False
    for words in CHECK_WORDS if len(spoken) > len(probe) and len(finalists) > 1 else ():
        check = spoken[:words]
        longer = _window_ms(check)
        # the window opens a second before the place (the words find their start in it); where the
        # engine cannot align the words at all, they are not said there; where it can nowhere (very noisy
        # sound), fewer words are tried
        rescored = [
            f for _, at in finalists if (f := _fit(engine, check, audio, sample_rate, at - 1_000, longer))
        ]
        if rescored:
            finalists = sorted(rescored, reverse=True)
            verified = len(finalists) == 1 or finalists[0][0] - finalists[1][0] >= CLEAR_MARGIN
            break
    best = finalists[0]
    if best[0] < MIN_FIT:
        return None
    runner_up = finalists[1][0] if len(finalists) > 1 else None
    return FirstWords(best[1], best[0], runner_up, len(candidates), verified)


def _window_ms(tokens: Sequence[str]) -> int:
    """How long a window holds ``tokens`` said at a slow pace."""
    return MS_PER_CHAR * sum(len(t) + 1 for t in tokens) + WINDOW_PAD_MS


def _fit(
    engine: Aligner, tokens: Sequence[str], audio: np.ndarray, sample_rate: int, at: int, length: int
) -> tuple[float, int] | None:
    """The words' fit in a window opening at ``at`` (the median per-frame score of the words) and where
    the first of them starts; ``None`` when the engine cannot align them there."""
    timings = align_span(engine, list(tokens), audio, sample_rate, max(0, at - LEAD_MS), at + length)
    if not timings:
        return None
    return median_score(timings), timings[0].start_ms
