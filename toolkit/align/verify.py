"""Text evidence for a caption sync: do the captions' words fit the speech where an offset puts them?

Speech detection alone cannot time captions to dense speech: in a phone call or a meeting the talkers
leave few pauses, so few cue starts can sit on a speech onset and ``find_sync`` rightly refuses an offset
it found (on the real telephone call, 3 of 13 cue starts). The captions' words still know where they
are: force-aligned in a window where an offset puts a cue, they fit the sound there far better than a
second or more away (per-frame acoustic score against the best free phone path: median -3.0 at the right
offset on that call, -4.8 one second off, -6.9 for the captions left 7 s late).

:func:`check_offset` takes up to ``probes`` cues spread over the file (two or more spoken words, at most
``max_probe_ms`` long; a cue held over the next one's start is probed up to it) and scores each one's fit in
its window at a few offsets around the seeds the speech detectors found (a grid; a grid point replaces the
seed only when it fits clearly better, and captions already in sync stay at 0 unless the words clearly fit
better away) and at alternatives a second or more away, 0 and the seeds included. The best offset is
verified only when the probes speak for it against every alternative: the mean difference of their fits
(each capped at ``diff_cap``) is at least ``min_margin``, and the chance that any alternative's paired t
statistic is reached by luck (Student's t, summed over the alternatives) is at most 5 %. When the first
``probes`` lean to the best offset but cannot tell and the file has more usable cues, a second look fits up
to ``more_probes`` at the best offset and the same alternatives (no new search) and makes the same test over
all of them: a long file's evidence is not thrown away because ten cues were too few. Captions of another
recording, music and silence fit nowhere, so no offset is verified for them (0 of 168 such cases in
``bench/calibrate_sync.py``). The engine is English (pocketsphinx): the caller runs this only on English
captions. Cost: ten probes at about a dozen offsets, 4-15 s on a noisy telephone call (27 s for a split
checked segment by segment at 3 dB SNR), so it runs only when the speech detector's answer was refused.
The settings named here are fields of :class:`TextCheckParams` (``check_offset(..., params=...)``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .aligner import Aligner
from .normalize import normalize

if TYPE_CHECKING:
    from ..sync.solution import Segment

__all__ = ["DEFAULT_PARAMS", "TextCheck", "TextCheckParams", "check_offset", "check_segments"]


@dataclass(frozen=True, slots=True)
class TextCheckParams:
    """Settings of one :func:`check_offset` call; the defaults are the ones ``bench/calibrate_sync.py``
    measured."""

    probes: int = 10  # cues aligned per offset tried (spread evenly over the file) ...
    more_probes: int = 30  # ... and on a second look, when those lean to the best offset but cannot tell
    min_probes: int = 5  # fewer usable cues than this: no verdict
    min_tokens: int = 2  # a probe has at least this many spoken words ...
    max_tokens: int = 40  # ... and at most this many (a long cue costs more and says no more)
    min_probe_ms: int = 300  # a probe (a cue, up to the next one's start) lasts at least this ...
    max_probe_ms: int = 12_000  # ... and at most this long
    pad_ms: int = 250  # the window reaches this far before a cue's start and after its end
    min_window_share: float = 0.8  # a window cut by the media's edge keeps at least this share, else a miss
    miss_score: float = -12.0  # the fit of a probe the engine cannot align (or that falls outside the media)
    grid_ms: tuple[int, ...] = (0, -250, 250)  # tried around each seed ...
    fine_ms: tuple[int, ...] = (-125, 125)  # ... then around the best of them
    refine_gain: float = 0.3  # the best of those replaces the seed (or 0) when it fits this much better ...
    refine_t: float = 2.5  # ... with at least this paired t statistic
    alternatives_ms: tuple[int, ...] = (-2_500, -1_000, 1_000, 2_500)  # wrong offsets the best must beat
    distinct_ms: int = 1_000  # an alternative (these, 0, the seeds) is at least this far from the best offset
    min_margin: float = 0.5  # mean fit gain over every alternative, in per-frame log score ...
    min_confidence: float = 0.95  # ... and the chance that any alternative's gain is luck at most 5 %
    diff_cap: float = 2.5  # a probe's fit difference counts up to this much


DEFAULT_PARAMS = TextCheckParams()


@dataclass(frozen=True, slots=True)
class TextCheck:
    """The verdict: ``offset_ms`` (the best offset near the seeds) is ``verified`` when it beats every
    alternative; ``confidence`` is one less the chance that any alternative's t statistic is reached
    by luck (Student's t, summed over the alternatives)."""

    offset_ms: int
    verified: bool
    confidence: float
    probes: int
    fit: float  # mean probe fit at the offset
    weakest_ms: int  # the alternative closest to beating it ...
    weakest_margin: float  # ... its mean fit gain over it ...
    weakest_t: float  # ... and the t statistic of that gain

    def to_json(self) -> dict[str, Any]:
        return {
            "offset_ms": self.offset_ms,
            "verified": self.verified,
            "confidence": round(self.confidence, 3),
            "probes": self.probes,
            "fit": round(self.fit, 2),
            "weakest_alternative_ms": self.weakest_ms,
            "weakest_margin": round(self.weakest_margin, 2),
            "weakest_t": round(self.weakest_t, 2) if math.isfinite(self.weakest_t) else None,
        }


def check_offset(
    starts_ms: Sequence[int],
    ends_ms: Sequence[int],
    texts: Sequence[str],
    audio: np.ndarray,
    seeds_ms: Sequence[int],
    *,
    engine: Aligner | None = None,
    sample_rate: int = 16000,
    params: TextCheckParams | None = None,
) -> TextCheck | None:
    """Whether the cues' words fit ``audio`` (int16 mono) best at an offset near ``seeds_ms`` (the cue
    times plus the offset); ``None`` when fewer than ``min_probes`` cues can be probed. ``params``: the
    settings (:data:`DEFAULT_PARAMS` when ``None``)."""
    p = params if params is not None else DEFAULT_PARAMS
    usable = _usable(starts_ms, ends_ms, texts, p)
    first = _spread(len(usable), p.probes)
    if len(first) < p.min_probes or not seeds_ms:
        return None
    if engine is None:
        from .sphinx import SphinxAligner  # lazy: pocketsphinx loads in about 0.3 s, only when a check runs

        engine = SphinxAligner(sample_rate)
    audio_ms = len(audio) * 1000 // sample_rate
    fitted: dict[tuple[int, int], float] = {}  # (usable cue, offset) -> its fit, for both looks

    def fits_of(probes: list[int], offset: int) -> np.ndarray:
        for i in probes:
            if (i, offset) not in fitted:
                fitted[i, offset] = _fit(engine, audio, sample_rate, audio_ms, usable[i], offset, p)
        return np.array([fitted[i, offset] for i in probes])

    def fit(offset: int) -> np.ndarray:
        return fits_of(first, offset)

    seed = max(dict.fromkeys(seeds_ms), key=lambda d: float(fit(d).mean()))
    tried = {s + g for s in dict.fromkeys(seeds_ms) for g in p.grid_ms}
    best = max(sorted(tried), key=lambda d: float(fit(d).mean()))
    best = max([best, *(best + g for g in p.fine_ms)], key=lambda d: float(fit(d).mean()))
    # the detector's offset stands unless the words clearly fit better elsewhere near it: the fit's peak
    # is broad (about 0.3 lower 300 ms away), so a grid step is no better evidence than the onsets
    if best != seed and not _clearly_better(fit(best), fit(seed), p):
        best = seed
    # do no harm: captions already in sync stay where they are unless the words clearly fit better away
    if best != 0 and abs(best) < p.distinct_ms and not _clearly_better(fit(best), fit(0), p):
        best = 0
    others = {best + a for a in p.alternatives_ms} | {0} | set(seeds_ms)
    offsets = (best, *sorted(d for d in others if abs(d - best) >= p.distinct_ms))
    verdict = _verdict(best, {d: fit(d) for d in offsets}, len(first), p)
    more = _spread(len(usable), p.more_probes)
    if verdict.verified or len(more) <= len(first) or verdict.weakest_margin <= 0:
        return verdict
    # a second look: the words lean toward ``best`` but the first probes are too few to tell, and the file
    # has more cues: every usable one (up to more_probes) is fitted at ``best`` and at the same
    # alternatives (no new search; the first look's fits are reused), and the same test is made over all
    return _verdict(best, {d: fits_of(more, d) for d in offsets}, len(more), p)


def check_segments(
    segments: Sequence[Segment],
    starts_ms: Sequence[int],
    ends_ms: Sequence[int],
    texts: Sequence[str],
    audio: np.ndarray,
    seeds: Callable[[Segment], list[int]],
    *,
    sample_rate: int = 16000,
    params: TextCheckParams | None = None,
) -> tuple[list[TextCheck], dict[str, Any]] | None:
    """:func:`check_offset` for each segment of a sync answer (its cues ``first..last``, from the offsets
    ``seeds`` gives it: each segment must earn its offset with its own cues), and the report for the JSON
    output; ``None`` when a segment has too few cues to probe."""
    t0 = time.perf_counter()
    checks = []
    for seg in segments:
        sl = slice(seg.first, seg.last + 1)
        check = check_offset(
            starts_ms[sl], ends_ms[sl], texts[sl], audio, seeds(seg), sample_rate=sample_rate, params=params
        )
        if check is None:
            return None
        checks.append(check)
    report = {
        "segments": [c.to_json() for c in checks],
        "verified": all(c.verified for c in checks),
        "ms": int((time.perf_counter() - t0) * 1000),
    }
    return checks, report


def _verdict(best: int, fits: dict[int, np.ndarray], probes: int, p: TextCheckParams) -> TextCheck:
    """Whether the probes' fits at ``best`` beat their fits at every other offset in ``fits``."""
    own = fits[best]
    weakest: tuple[float, float, int] = (math.inf, math.inf, best)
    chance = 0.0
    least_gain = math.inf  # the smallest mean fit gain over an alternative (uncapped)
    for d, other in fits.items():
        if d == best:
            continue
        gain = own - other
        least_gain = min(least_gain, float(gain.mean()))
        # one probe cut by the media's edge or lost by the engine at one offset is not several probes'
        # worth of evidence: differences count up to diff_cap
        diff = np.clip(gain, -p.diff_cap, p.diff_cap)
        t = _t_statistic(diff)
        chance += _t_sf(t, len(diff) - 1)
        if (t, float(diff.mean())) < weakest[:2]:
            weakest = (t, float(diff.mean()), d)
    t_min, margin, at = weakest
    confidence = max(0.0, 1.0 - chance)
    verified = len(fits) > 1 and confidence >= p.min_confidence and least_gain >= p.min_margin
    return TextCheck(best, verified, confidence, probes, float(own.mean()), at, margin, t_min)


def _usable(
    starts_ms: Sequence[int], ends_ms: Sequence[int], texts: Sequence[str], p: TextCheckParams
) -> list[tuple[int, int, list[str]]]:
    """The cues that can be probed: (start, end, spoken tokens)."""
    usable: list[tuple[int, int, list[str]]] = []
    n = len(starts_ms)
    for i, (s, e, text) in enumerate(zip(starts_ms, ends_ms, texts, strict=True)):
        if i + 1 < n and s < starts_ms[i + 1] < e:  # a cue held over the next one's start (ends run late):
            e = starts_ms[i + 1]  # the next cue's words would be in the window
        if not p.min_probe_ms <= e - s <= p.max_probe_ms:
            continue
        tokens = [w for tok in normalize(" ".join(text.split())) for w in tok.spoken]
        if p.min_tokens <= len(tokens) <= p.max_tokens:
            usable.append((s, e, tokens))
    return usable


def _spread(n: int, most: int) -> list[int]:
    """Up to ``most`` of ``n`` usable cues' indices, spread evenly over the file."""
    if n <= most:
        return list(range(n))
    step = n / most
    return [int(k * step + step / 2) for k in range(most)]


def _fit(
    engine: Aligner,
    audio: np.ndarray,
    sample_rate: int,
    audio_ms: int,
    probe: tuple[int, int, list[str]],
    offset: int,
    p: TextCheckParams,
) -> float:
    """The probe's fit in its window at ``offset``: the median per-frame score of its words."""
    s, e, tokens = probe
    lo, hi = s + offset - p.pad_ms, e + offset + p.pad_ms
    if lo < 0 or hi > audio_ms:  # a window cut by the media's edge: the words may not all be in it
        if min(hi, audio_ms) - max(lo, 0) < p.min_window_share * (hi - lo):
            return p.miss_score
        lo, hi = max(lo, 0), min(hi, audio_ms)
    timings = engine.align(tokens, audio[lo * sample_rate // 1000 : hi * sample_rate // 1000])
    if not timings:
        return p.miss_score
    return max(p.miss_score, float(np.median([t.score for t in timings])))


def _clearly_better(a: np.ndarray, b: np.ndarray, p: TextCheckParams) -> bool:
    gain = a - b
    return float(gain.mean()) >= p.refine_gain and _t_statistic(gain) >= p.refine_t


def _t_statistic(diff: np.ndarray) -> float:
    mean = float(diff.mean())
    sd = float(diff.std(ddof=1)) if len(diff) > 1 else 0.0
    if sd == 0.0:
        return math.inf if mean > 0 else (-math.inf if mean < 0 else 0.0)
    return mean / (sd / math.sqrt(len(diff)))


def _t_sf(t: float, dof: int) -> float:
    """P(T >= t) for Student's t with ``dof`` degrees of freedom (numerically integrated density)."""
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    if t < 0:
        return 1.0 - _t_sf(-t, dof)
    nu = float(max(dof, 1))
    log_c = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi)
    density: Callable[[np.ndarray], np.ndarray] = lambda x: np.exp(  # noqa: E731
        log_c - (nu + 1) / 2 * np.log1p(x * x / nu)
    )
    xs = np.linspace(0.0, t, 2001)
    ys = density(xs)
    area = float((ys[0] + ys[-1] + 4 * ys[1:-1:2].sum() + 2 * ys[2:-1:2].sum()) * (t / 2000) / 3)  # Simpson
    return max(0.0, 0.5 - area)
