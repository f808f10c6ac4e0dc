"""The speech-rate model: how fast each speaker talks, learned from the transcript itself.

A turn's timestamp marks where its speech starts, so for consecutive timed turns ``words / (next start -
start)`` is that turn's rate including the pause before the next turn. The model keeps, per speaker, the
word-weighted median of those rates over turns long enough to be informative, after discarding outliers
(duplicates, typos, time-base jumps) that lie more than ``OUTLIER_FACTOR`` times off the plain median of
all samples (a plain median, so that one damaged 600-word turn cannot drag the band towards itself).
On the seed interview it gives Tucker 2.64 and Lavrov 1.87 words/s.

Chinese and Japanese are written without spaces, so a model fitted with ``chars=True`` (a Chinese or
Japanese transcript: ``unit == "chars"``) counts characters per second (:func:`count_chars`: each Han or
kana character, plus the words of other scripts), bounded by what people speak.
"""

from __future__ import annotations

import functools
import itertools
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .model import Turn

DEFAULT_WPS = 2.5  # 150 words/min, a common conversational rate, when the transcript teaches nothing
MIN_WORDS = 5  # shorter turns are dominated by the pause before the answer
OUTLIER_FACTOR = 2.5
MIN_SAMPLES = 3  # fewer samples than this for a speaker: use the global rate
MIN_WPS, MAX_WPS = 1.0, 5.0  # the global rate is kept within what people speak (60-300 words/min)
DEFAULT_CPS = 5.0  # Chinese/Japanese characters per second (Mandarin: about 4-5 syllables, one a character)
MIN_CPS, MAX_CPS = 2.0, 12.0

_WORD = re.compile(r"[\w'’-]+")
_ANNOTATION = re.compile(r"\[[^\]]*\]")
# Counting words is hot (every rate fit and every price of a hypothesis): ASCII text is counted in C by
# marking word characters ("a") and separators (" ") with bytes.translate and counting where words start.
_ASCII_MARKS = bytes(ord("a") if _WORD.fullmatch(chr(b)) else ord(" ") for b in range(128)) + b" " * 128
_SEPARATORS = "“”‘–—…"  # common non-ASCII characters outside words
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")


@functools.lru_cache(maxsize=4096)
def count_words(text: str) -> int:
    """Spoken words in ``text`` (annotations in brackets are not spoken).

    Cached: the same turn texts are counted by every rate fit, every priced hypothesis and the segmenter.
    """
    if "[" in text:
        text = _ANNOTATION.sub(" ", text)
    if not text.isascii():
        if "’" in text:
            text = text.replace("’", "'")  # both are word characters
        if not text.isascii():
            for separator in _SEPARATORS:
                if separator in text:
                    text = text.replace(separator, " ")
            if not text.isascii():
                return len(_WORD.findall(text))
    marks = text.encode("ascii").translate(_ASCII_MARKS)
    return marks.count(b" a") + marks.startswith(b"a")


@functools.lru_cache(maxsize=4096)
def count_chars(text: str) -> int:
    """Spoken units of Chinese or Japanese text: each Han or kana character, plus each word of other
    scripts (``iPhone``, ``2023``); annotations in brackets are not spoken."""
    if "[" in text:
        text = _ANNOTATION.sub(" ", text)
    cjk = len(_CJK.findall(text))
    return cjk + (len(_WORD.findall(_CJK.sub(" ", text))) if cjk else count_words(text))


def weighted_median(pairs: Iterable[tuple[float, float]]) -> float:
    """Median of values weighted by the given weights; pairs are ``(value, weight)``."""
    items = sorted(pairs)
    total = sum(w for _, w in items)
    if not items or total <= 0:
        raise ValueError("weighted median of nothing")
    acc = 0.0
    for value, weight in items:
        acc += weight
        if acc >= total / 2:
            return value
    return items[-1][0]


@dataclass(frozen=True, slots=True)
class RateSample:
    speaker: str | None
    words: int
    seconds: float
    line: int

    @property
    def wps(self) -> float:
        return self.words / self.seconds


@dataclass(frozen=True, slots=True)
class RateModel:
    """Words per second per speaker, with a global rate for speakers the transcript says little about."""

    global_wps: float = DEFAULT_WPS
    speaker_wps: dict[str | None, float] = field(default_factory=dict)
    samples: int = 0
    unit: str = "words"  # "chars": a Chinese/Japanese transcript, counted in characters

    @classmethod
    def fit(cls, turns: Sequence[Turn], *, chars: bool = False) -> RateModel:
        """The model of ``turns``; ``chars``: in characters per second (a Chinese or Japanese transcript,
        whose text has no spaces: :func:`count_chars`), else words per second."""
        lo, hi = (MIN_CPS, MAX_CPS) if chars else (MIN_WPS, MAX_WPS)
        base = cls(global_wps=DEFAULT_CPS, unit="chars") if chars else cls()
        samples = rate_samples(turns, count_chars if chars else count_words)
        usable = [s for s in samples if s.words >= MIN_WORDS]
        if not usable:
            return base
        g = statistics.median(s.wps for s in usable)  # plain: one 600-word outlier cannot pull the band
        inliers = [s for s in usable if g / OUTLIER_FACTOR <= s.wps <= g * OUTLIER_FACTOR]
        if len(inliers) < MIN_SAMPLES:  # a transcript this sparse teaches nothing about its speakers
            return cls(global_wps=base.global_wps, samples=len(inliers), unit=base.unit)
        g = min(max(weighted_median((s.wps, s.words) for s in inliers), lo), hi)
        per: dict[str | None, list[RateSample]] = {}
        for s in inliers:
            per.setdefault(s.speaker, []).append(s)
        speaker_wps = {
            spk: min(max(weighted_median((s.wps, s.words) for s in ss), lo), hi)
            for spk, ss in per.items()
            if len(ss) >= MIN_SAMPLES
        }
        return cls(global_wps=g, speaker_wps=speaker_wps, samples=len(inliers), unit=base.unit)

    def wps(self, speaker: str | None) -> float:
        return self.speaker_wps.get(speaker, self.global_wps)

    def speech_ms(self, speaker: str | None, text_or_words: str | int) -> int:
        """Estimated time to speak ``text_or_words`` (a text or a word count) for ``speaker``."""
        if isinstance(text_or_words, int):
            words = text_or_words
        else:
            words = (count_chars if self.unit == "chars" else count_words)(text_or_words)
        return round(1000 * words / self.wps(speaker))

    def summary(self) -> dict[str, float]:
        out = {"*": round(self.global_wps, 3)}
        out.update({(k or "?"): round(v, 3) for k, v in self.speaker_wps.items()})
        return out


def rate_samples(turns: Sequence[Turn], count: Callable[[str], int] = count_words) -> list[RateSample]:
    """One sample per timed turn whose next timed turn starts later."""
    out: list[RateSample] = []
    timed = [t for t in turns if t.start_ms is not None]
    for a, b in itertools.pairwise(timed):
        assert a.start_ms is not None and b.start_ms is not None
        gap = b.start_ms - a.start_ms
        words = count(a.text)
        if gap > 0 and words > 0:
            out.append(RateSample(a.speaker, words, gap / 1000, a.line))
    return out
