"""Word alignment for languages other than English, offline: eSpeak NG speaks the text, and dynamic time
warping (DTW) of its audio against the real audio maps every word to where the speaker says it (the
aeneas method, at word level).

    from toolkit.align.dtw import EspeakAligner
    engine = EspeakAligner("fr")        # any language eSpeak NG speaks (toolkit.align.espeak.voice_for)
    timings = engine.align("Bonjour à tous. Merci d'être venus !".split(), audio)  # int16, 16 kHz

How one window is aligned (:meth:`EspeakAligner.align`):

1. eSpeak NG speaks ``" ".join(tokens)`` (:func:`toolkit.align.espeak.synthesize`, 160 words per
   minute) and says where each token starts in its audio. Give it the transcript's words as written:
   eSpeak pauses at commas and full stops (the pauses anchor sentence starts) and reads numbers in the
   language (``1989`` -> "mille neuf cent quatre-vingt-neuf").
2. Both signals get the same features every 10 ms (25 ms Hamming window, numpy only): MFCC c1-c12 and
   their deltas, normalised per signal (mean and variance over its speech frames: the two voices differ
   in level and timbre), averaged over 3 frames, plus a loudness feature (log energy relative to the
   signal's speech level, clipped, weight 3) that makes a pause match a pause.
3. Silence before the first and after the last speech of either signal is cut off (energy with
   hysteresis: a frame is speech when it is in a run above 30 % of the signal's floor-to-peak range
   that holds at least 3 frames above 50 %; a click or a breath stays out), so the window's lead-in and
   tail are never given to the first or last word.
4. DTW with cosine distance, a cost of 0.1 on every non-diagonal step (a free warp lets wrong phones
   match) and an optional pause before every word (a real pause frame costs at most 0.3 on a word's
   first synthetic frame: eSpeak pauses at punctuation only, speakers anywhere). Two passes
   (:func:`dtw_path`): frames averaged 4 at a time in a wide band, then full resolution within 12
   frames of that path; one numpy pass per row (the row's recurrence is a running minimum).
5. A token starts at the first real frame the path gives its first synthetic frame, after any pause
   among the real frames given to that frame (the path reached the word, then waited out the speaker's
   pause on it); a start in silence moves to the next speech onset (up to 600 ms; a token wholly in
   silence moves there whole). It ends where the next token's synthetic start, or the pause before it,
   maps; an end in silence moves back to the last speech.
6. This is done with the language's voice (male) and its ``+f4`` variant (female); the result with the
   better median score is kept (the voice nearer the speaker's fits better: on the English interviews,
   female speakers, sentence-start p95 fell from 233 to 86 ms).

Score (``TokenTiming.score``): for each real speech frame of the token on the path, the share of the
synthesis's frames (every 4th) that are closer to it than the frame the path gives it (0: none, the
best any path could do there), averaged over the token's frames and times -20. So 0 is best, -1 means
5 % of the synthesis fits better on average. Median token score per turn on the real-speech corpus
(French, German, Mandarin, English; 132 windows): the turn's own text -1.75 (5th-95th percentile -2.8
to -1.1), the text of one of the next two turns in the same window -3.0 (-4.0 to -2.2); the right text
scores higher in 94 % of (right, wrong) pairs. ``align`` returns ``None`` (no speech found, or far more
or less speech than the text needs) for 20 of those 132 wrong texts.

Measured (``bench/bench_espeak_align.py``: each transcript turn aligned in [its true start - 300 ms,
the next turn's true start], on real French, German and Mandarin readings with hand-checked starts):
sentence starts |error| median 10 ms, p95 76 ms, max 100 ms over 44 sentences (the 19 that start
inside a turn: median 9, p95 50, max 93), against median 0 / p95 916 for the turns' text spread by
characters (exact at each turn's start by construction; 218 / 984 inside turns). With pink noise at
10 dB SNR: median 24, p95 208; a music bed at 12 dB: 24 / 218; reverberation 13 / 89; telephone band
10 / 298; pink noise at 3 dB: 30 / 390. Tokens stripped of punctuation (as ``normalize`` gives them):
15 / 505 (inside turns 9 / 612): keep the punctuation. Word starts on English read speech (MFA and
human word labels, 857 words): median 27-44 ms, 90th percentile 80-142 ms. These recordings also served
to choose the settings above, so the figures are optimistic for unseen material.
Speed, one core: a 60 s window with its 50 s synthesis takes 0.08 s of DTW (5,877 x 4,963 frames),
0.08 s of synthesis, 0.04 s of features, 0.5 s in all for :meth:`~EspeakAligner.align` (two voices).

Known weaknesses: energy decides where speech starts and ends, so noise or music that is louder than
the quiet parts of speech moves first and last words (at 3 dB SNR some windows are refused); the
synthetic voices are eSpeak's, so word boundaries inside a sentence are looser (above) than sentence
starts after a pause; a real pause where the text has no punctuation is sometimes given to the wrong
word boundary (the tokens-without-punctuation figures); long windows (several minutes) align, but the
first pass gets coarser to bound memory (a 10-minute window: 14 s, 0.8 GB, sentence p95 1.6 s): keep
windows to a turn or a chunk of about a minute, as :mod:`toolkit.align.turns` does.

Where it sits: an :class:`~toolkit.align.aligner.Aligner` for the voiced path
(:mod:`toolkit.align.voiced`). This module holds the aligner and step 5 (word times off the path and the
score); the features (steps 2-3) are in :mod:`toolkit.align.acoustic_features`, the path search (step 4)
in :mod:`toolkit.align.warping`, eSpeak NG itself (step 1) in :mod:`toolkit.align.espeak`. The settings
above are the fields of :class:`toolkit.align.voiced_tuning.VoicedParams` (``EspeakAligner(params=...)``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..errors import AlignmentError
from .acoustic_features import FRAME_MS, HOP, Signal, analyse, mfcc, speech_mask
from .aligner import TokenTiming
from .espeak import SAMPLE_RATE, phonemes, synthesize, voice_for
from .voiced_tuning import DEFAULT_PARAMS, VoicedParams
from .warping import band_path, diagonal_band, dtw_path

log = logging.getLogger(__name__)

# the aligner, and (re-exported) the features and path search it is built from
__all__ = [
    "EspeakAligner",
    "Signal",
    "analyse",
    "band_path",
    "diagonal_band",
    "dtw_path",
    "mfcc",
    "speech_mask",
]


class EspeakAligner:
    """Forced alignment of text in ``language`` (ISO 639-1 or 639-3 code, BCP 47 tag) by DTW against
    eSpeak NG's synthesis; implements :class:`toolkit.align.aligner.Aligner`.

    ``voice`` overrides eSpeak's voice for the language (an identifier such as ``roa/fr``). Every window
    is aligned against the voice and each of ``variants`` (eSpeak voice variants; by default the female
    ``+f4``, as the language's voice is male) and the result that fits best (median token score) is
    kept: a voice nearer the speaker's fits better. ``params`` holds the settings
    (:class:`~toolkit.align.voiced_tuning.VoicedParams`; ``variants`` and ``rate_wpm`` default to its
    fields). Raises :class:`AlignmentError` when eSpeak NG cannot load or has no voice for the language.
    One instance may serve several threads (eSpeak runs under a lock; the rest is numpy)."""

    name = "espeak-dtw"

    def __init__(
        self,
        language: str,
        *,
        sample_rate: int = SAMPLE_RATE,
        voice: str | None = None,
        variants: Sequence[str] | None = None,
        rate_wpm: int | None = None,
        params: VoicedParams | None = None,
    ) -> None:
        p = params if params is not None else DEFAULT_PARAMS
        if sample_rate != SAMPLE_RATE:
            raise AlignmentError(f"the eSpeak aligner works at {SAMPLE_RATE} Hz, not {sample_rate} Hz")
        found = voice or voice_for(language)
        if found is None:
            raise AlignmentError(f"eSpeak NG has no voice for the language {language!r}")
        self.language = language
        self.voice = found
        self.voices = (found, *(found + v for v in (variants if variants is not None else p.variants)))
        self.sample_rate = sample_rate
        self.rate_wpm = rate_wpm if rate_wpm is not None else p.rate_wpm
        self.params = p
        self._phones: dict[str, int] = {}

    def phone_count(self, token: str) -> int:
        """The number of eSpeak's phonemes for ``token`` in this language (at least 1)."""
        n = self._phones.get(token)
        if n is None:
            n = max(1, len(phonemes(token, self.voice))) if any(ch.isalnum() for ch in token) else 1
            self._phones[token] = n
        return n

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        """One timing per token, in ms from the window's start (in order, non-overlapping, inside the
        window; a token eSpeak does not say, such as a lone dash, gets no length), or ``None`` when the
        window has no speech or far more or less speech than the text needs."""
        words = ["".join(t.split()) for t in tokens]  # a token must stay one word for eSpeak
        audio = np.asarray(audio)
        if not words or len(audio) < self.sample_rate // 10:
            return None
        real = analyse(audio, self.params)
        if real.speech_range is None:
            return None
        best: list[TokenTiming] | None = None
        best_fit = -np.inf
        for voice in self.voices:
            got = self._align_voice(words, real, voice)
            if got is not None:
                fit = float(np.median([t.score for t in got]))
                if fit > best_fit:
                    best, best_fit = got, fit
        return best

    def _align_voice(self, words: list[str], real: Signal, voice: str) -> list[TokenTiming] | None:
        p = self.params
        syn = synthesize(words, voice, rate_wpm=self.rate_wpm)
        ref = analyse(syn.samples, p)
        r_range, s_range = real.speech_range, ref.speech_range
        if r_range is None or s_range is None:
            return None
        a, b = r_range
        sa, sb = max(0, s_range[0] - p.syn_margin), s_range[1]
        ratio = int(real.speech[a:b].sum()) / max(1, int(ref.speech[sa:sb].sum()))
        if not 1 / p.max_speech_ratio <= ratio <= p.max_speech_ratio:
            log.debug("%s: speech %.2f times the synthesis's: not this text", voice, ratio)
            return None
        # a word's first synthetic frame may take a real pause cheaply (an optional pause before every
        # word, as eSpeak pauses only at punctuation and speakers elsewhere too)
        gate_cols = np.zeros(sb - sa, dtype=bool)
        for st, said in zip(syn.starts, syn.spoken, strict=True):
            j = round(st / HOP) - sa
            if said and 0 < j < sb - sa:
                gate_cols[j] = True
        pi, pj, cost = dtw_path(
            real.feat[a:b],
            ref.feat[sa:sb],
            factor=p.coarse,
            radius=p.radius,
            metric="cosine",
            penalty=p.step_penalty,
            gates=(~real.speech[a:b], gate_cols, p.pause_cost),
            params=p,
        )
        pi += a
        pj += sa
        # the first and last real frame the path gives to each synthetic frame sa..sb-1
        first = pi[np.searchsorted(pj, np.arange(sa, sb), "left")]
        last = pi[np.searchsorted(pj, np.arange(sa, sb), "right") - 1]
        n_frames = len(real.speech)
        starts: list[int] = []
        ends: list[int] = []
        for k, (j0, j1) in enumerate(_synthetic_spans(syn.starts, syn.spoken, ref.speech, sa, sb)):
            s = int(first[j0 - sa])
            e = int(first[j1 - sa]) if j1 < sb else b
            if syn.spoken[k]:
                # a pause among the real frames given to the word's first synthetic frame comes before
                # the word (the path reached the word, then waited out the speaker's pause on it)
                head = int(last[j0 - sa])
                quiet = np.flatnonzero(~real.speech[s : head + 1])
                if len(quiet) and s + int(quiet[-1]) + 1 < max(e, s + 1):
                    s += int(quiet[-1]) + 1
                s, e = _off_silence(real.speech, s, max(s, e), n_frames, p.snap_frames)
            starts.append(s)
            ends.append(e)
        starts, ends = _monotone_spans(starts, ends, syn.spoken, n_frames)
        sample = ref.feat[sa : sb : p.rank_sample]
        scores = _token_scores(real.feat, real.speech, sample, pi, cost, starts, ends, p.rank_scale)
        return [
            TokenTiming(s * FRAME_MS, e * FRAME_MS, round(sc, 3))
            for s, e, sc in zip(starts, ends, scores, strict=True)
        ]


def _synthetic_spans(
    starts: Sequence[int], spoken: Sequence[bool], speech: np.ndarray, sa: int, sb: int
) -> list[tuple[int, int]]:
    """Per token, its frames [j0, j1) in the synthesis: from its start to the next spoken token's
    start, less the pause before that (at least one frame), inside [sa, sb)."""
    n = len(starts)
    first = [min(sb - 1, max(sa, round(s / HOP))) for s in starts]
    out: list[tuple[int, int]] = []
    for k in range(n):
        j0 = first[k]
        nxt = next((first[q] for q in range(k + 1, n) if spoken[q]), sb)
        j1 = nxt
        while j1 - 1 > j0 and not speech[j1 - 1]:  # the pause before the next word is not this word's
            j1 -= 1
        out.append((j0, max(j0 + 1, min(j1, sb)) if spoken[k] else j0))
    return out


def _off_silence(speech: np.ndarray, s: int, e: int, n: int, snap_frames: int) -> tuple[int, int]:
    """A spoken token's real frames [s, e) moved off silence: a start in silence to the next speech
    onset (at most ``snap_frames`` on; a token wholly in silence moves there whole), an end in silence
    back to the last speech."""
    if s < n and not speech[s]:
        ahead = np.flatnonzero(speech[s : min(n, s + snap_frames + 1)])
        if len(ahead):
            onset = s + int(ahead[0])
            if onset >= e:  # the whole word in silence: it is said at the onset (the next word yields)
                e = onset + (e - s)
            s = onset
    if e - 1 > s and not speech[min(n, e) - 1]:
        back = np.flatnonzero(speech[s : min(n, e)])
        if len(back):
            e = s + int(back[-1]) + 1
    return s, e


def _monotone_spans(
    starts: list[int], ends: list[int], spoken: Sequence[bool], n: int
) -> tuple[list[int], list[int]]:
    """Starts that never go back, spoken tokens at least one frame long where there is room, each end
    at or before the next start, all inside [0, n]."""
    k_max = len(starts)
    s_out = list(starts)
    for k in range(k_max):
        lo = 0 if k == 0 else s_out[k - 1] + (1 if spoken[k - 1] else 0)
        s_out[k] = min(max(s_out[k], lo), n)
    e_out: list[int] = []
    for k in range(k_max):
        nxt = s_out[k + 1] if k + 1 < k_max else n
        want = max(ends[k], s_out[k] + (1 if spoken[k] else 0))
        e_out.append(max(s_out[k], min(want, nxt)))
    return s_out, e_out


def _token_scores(
    feat: np.ndarray,
    speech: np.ndarray,
    ref_sample: np.ndarray,
    pi: np.ndarray,
    cost: np.ndarray,
    starts: Sequence[int],
    ends: Sequence[int],
    rank_scale: float,
) -> list[float]:
    """Per token, -``rank_scale`` x the mean over its path cells on real speech of the share of (sampled)
    synthetic frames closer to the real frame than the synthetic frame the path gives it. Silence is left
    out (any text's pauses match the window's pauses); a token with no speech frame is scored on all."""
    on_speech = speech[pi]

    def ranks(cells: np.ndarray) -> np.ndarray:
        out = np.empty(len(cells))
        for c0 in range(0, len(cells), 2048):
            part = cells[c0 : c0 + 2048]
            d = 1.0 - feat[pi[part]] @ ref_sample.T
            out[c0 : c0 + 2048] = np.mean(d < cost[part, None], axis=1)
        return out

    rank = np.zeros(len(pi))
    voiced = np.flatnonzero(on_speech)
    rank[voiced] = ranks(voiced)
    scores: list[float] = []
    for s, e in zip(starts, ends, strict=True):
        lo = int(np.searchsorted(pi, s, "left"))
        hi = int(np.searchsorted(pi, max(e, s + 1), "left"))
        if hi <= lo:  # a token with no frame of its own: the cell at its start
            lo = max(0, min(lo, len(pi) - 1))
            hi = lo + 1
        own = np.arange(lo, hi)
        heard = own[on_speech[lo:hi]]
        scores.append(-rank_scale * float(np.mean(rank[heard] if len(heard) else ranks(own))))
    return scores
