"""eSpeak NG's speech as the DTW aligner's synthetic reference voice (:mod:`toolkit.align.dtw`): the
samples at 16 kHz and where each token starts in them.

:func:`synthesize` speaks ``" ".join(tokens)`` (through :mod:`toolkit.align.espeak_binding`, which loads
the library and holds its lock) and returns the samples (resampled from eSpeak's 22,050 Hz to 16 kHz)
with, per token, where eSpeak says it starts. The times come from the ``espeakEVENT_WORD`` events of the
synthesis callback: ``text_position`` (1-based, in characters of the UTF-8 text) says which token an event
belongs to and ``sample`` where it is in the audio. The events do not map 1:1 to the tokens, so the
mapping is by character position, not by count (:func:`map_events`): eSpeak says ``1989`` as three words
(three events inside one token, the first one counts), ``d'entrée`` or ``j'ai`` as one event, and a token
of punctuation only (``-``, ``…``) as none (it is *unspoken*: it gets the next token's start and no
length). A spoken token that got no event (a word eSpeak merged with its neighbour) is placed between its
neighbours by its share of their characters. Measured here: a WORD event falls within 20 ms before the
word's first sound; after a comma or full stop the pause comes before the event, not after it. Two
syntheses of one text differ by a few samples (eSpeak's voices vary their pitch a little).

:func:`voice_for`, :func:`phonemes` and :func:`list_voices` come from the binding and are re-exported here.

Cost on this machine: 0.13 s to load (import included); then eSpeak speaks about 600 times faster than
real time (50 s of speech in 0.08 s, resampling included). The engine is loaded on first use, never at
import.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .espeak_binding import VoiceInfo, WordEvent, get_engine, list_voices, phonemes, voice_for

__all__ = [
    "SAMPLE_RATE",
    "Synthesis",
    "VoiceInfo",
    "WordEvent",
    "list_voices",
    "map_events",
    "phonemes",
    "resample",
    "synthesize",
    "voice_for",
]

SAMPLE_RATE = 16000  # what :func:`synthesize` returns
DEFAULT_RATE_WPM = 175  # eSpeak's own defaults, restored before every synthesis
DEFAULT_PITCH = 50


@dataclass(frozen=True, slots=True)
class Synthesis:
    """A text spoken by eSpeak: int16 mono ``samples`` at ``sample_rate`` (16 kHz) and per token of the
    text (split at whitespace) the sample where it starts. ``spoken[k]`` is False for a token eSpeak does
    not say (punctuation only); its start is the next spoken token's."""

    samples: np.ndarray
    sample_rate: int
    tokens: tuple[str, ...]
    starts: tuple[int, ...]  # sample index per token, non-decreasing
    spoken: tuple[bool, ...]
    events: tuple[WordEvent, ...]  # the raw WORD events (``sample`` at eSpeak's own rate)
    native_rate: int  # eSpeak's output rate (22,050 Hz)

    @property
    def starts_ms(self) -> tuple[int, ...]:
        return tuple(s * 1000 // self.sample_rate for s in self.starts)

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // self.sample_rate


# ---------------------------------------------------------------- synthesis


def synthesize(
    text: str | Sequence[str],
    voice: str,
    *,
    rate_wpm: int = DEFAULT_RATE_WPM,
    pitch: int = DEFAULT_PITCH,
    word_gap: int = 0,
) -> Synthesis:
    """``text`` (a string, split at whitespace, or the tokens themselves) spoken by eSpeak's ``voice``
    (an identifier from :func:`voice_for`, a language such as ``fr``, optionally with a variant:
    ``de+m3``) at ``rate_wpm`` words per minute and ``pitch`` (0-100), with ``word_gap`` x 10 ms of
    silence between words (0: none, as eSpeak speaks). Raises :class:`AlignmentError` when eSpeak cannot
    load, has no such voice or fails."""
    # a token of the sequence holding whitespace is said as one word; an empty one is kept (never said)
    tokens = tuple(text.split()) if isinstance(text, str) else tuple("".join(t.split()) for t in text)
    joined = " ".join(tokens)
    eng = get_engine()
    if not any(tokens):
        return Synthesis(
            np.zeros(0, np.int16),
            SAMPLE_RATE,
            tokens,
            (0,) * len(tokens),
            (False,) * len(tokens),
            (),
            eng.rate,
        )
    native, events = eng.speak(joined, voice, rate_wpm=rate_wpm, pitch=pitch, word_gap=word_gap)
    samples = resample(native, eng.rate, SAMPLE_RATE)
    starts_native, spoken = map_events(tokens, events, len(native))
    starts = tuple(min(len(samples), round(s * SAMPLE_RATE / eng.rate)) for s in starts_native)
    return Synthesis(samples, SAMPLE_RATE, tokens, starts, spoken, events, eng.rate)


def map_events(
    tokens: Sequence[str], events: Sequence[WordEvent], n_samples: int
) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    """Per token of ``" ".join(tokens)``, the sample where it starts and whether eSpeak says it.

    An event belongs to the token holding its ``text_position`` (between two tokens: the next one); a
    token with several events starts at the first. Events are read in audio order and one that points
    back to an earlier token than the last one matched is dropped (so starts never go backwards). A spoken
    token with no event (merged into a neighbour) is placed between the known starts around it by
    characters; a token of punctuation only is unspoken and starts with the next spoken token."""
    n = len(tokens)
    offsets: list[int] = []
    pos = 0
    for t in tokens:
        offsets.append(pos)
        pos += len(t) + 1
    found: list[int | None] = [None] * n
    last = -1
    for e in sorted(events, key=lambda e: e.sample):
        k = _token_at(offsets, tokens, e.text_position - 1)
        if k is None or k < last:
            continue
        last = k
        if found[k] is None:
            found[k] = max(0, min(e.sample, n_samples))
    spoken = tuple(found[k] is not None or _is_word(t) for k, t in enumerate(tokens))
    starts: list[int] = [0] * n
    # known anchors: the tokens with an event; the text's start and end bound the others
    anchor_k = [k for k, s in enumerate(found) if s is not None]
    anchor_s = [s for s in found if s is not None]
    for k in range(n):
        s = found[k]
        if s is not None:
            starts[k] = s
            continue
        q = bisect.bisect_left(anchor_k, k)  # anchor_k[q - 1] < k < anchor_k[q]
        k0, s0 = (anchor_k[q - 1], anchor_s[q - 1]) if q > 0 else (-1, 0)
        k1, s1 = (anchor_k[q], anchor_s[q]) if q < len(anchor_k) else (n, n_samples)
        if not spoken[k]:
            starts[k] = s1
            continue
        c0 = offsets[k0] if k0 >= 0 else 0
        c1 = offsets[k1] if k1 < n else pos
        share = (offsets[k] - c0) / max(1, c1 - c0)
        starts[k] = round(s0 + share * (s1 - s0))
    for k in range(1, n):  # non-decreasing
        starts[k] = max(starts[k], starts[k - 1])
    return tuple(starts), spoken


def _token_at(offsets: Sequence[int], tokens: Sequence[str], char: int) -> int | None:
    """The index of the token holding character ``char`` of the joined text (a space: the next token)."""
    if char < 0 or not offsets:
        return None
    lo, hi = 0, len(offsets)
    while hi - lo > 1:  # the last token starting at or before ``char``
        mid = (lo + hi) // 2
        if offsets[mid] <= char:
            lo = mid
        else:
            hi = mid
    if char >= offsets[lo] + len(tokens[lo]):  # past its end: the separator before the next one
        return lo + 1 if lo + 1 < len(offsets) else None
    return lo


_WORD_CHAR = re.compile(r"\w", re.UNICODE)


def _is_word(token: str) -> bool:
    return bool(_WORD_CHAR.search(token))


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """``x`` (int16) from ``rate_in`` to ``rate_out`` Hz, band-limited through the FFT (exact for rates
    whose ratio is rational: 22,050 -> 16,000 is 441 -> 320 samples). Returns int16."""
    if rate_in == rate_out or not len(x):
        return np.asarray(x, dtype=np.int16).copy()
    g = np.gcd(rate_in, rate_out)
    step_in, step_out = rate_in // g, rate_out // g
    n_out = len(x) * rate_out // rate_in
    # a little zero padding (the FFT's wrap-around falls in silence), up to a 7-smooth block count so both
    # FFT sizes have small prime factors only (pocketfft is slow on large primes)
    blocks = _smooth_at_least(-(-len(x) // step_in) + 8)
    n_in = blocks * step_in
    spec = np.fft.rfft(np.asarray(x, dtype=np.float64), n_in)
    m = blocks * step_out
    keep = m // 2 + 1
    out_spec = spec[:keep] if keep <= len(spec) else np.pad(spec, (0, keep - len(spec)))
    y = np.fft.irfft(out_spec, m) * (m / n_in)
    out: np.ndarray = np.clip(np.round(y[:n_out]), -32768, 32767).astype(np.int16)
    return out


def _smooth_at_least(n: int) -> int:
    """The smallest number >= ``n`` without prime factors above 7."""
    while True:
        m = n
        for p in (2, 3, 5, 7):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1
