"""Sentence starts inside turns on real non-English speech: the eSpeak NG + DTW aligner
(:mod:`toolkit.align.dtw`) against the naive spread of a turn's sentences by characters.

    .venv/bin/python bench/bench_espeak_align.py [--corpus ../shared/realspeech] [--items fr_lecture,...]
        [--rate 160] [--lead-ms 300] [--bare] [--degrade clean|pink10|music|reverb|...] [--verbose]

Reads ``multilingual/`` of the real-speech corpus (French, German, Mandarin; hand-checked sentence starts,
see its README). Each turn of the item's transcript is aligned on its own, as the pipeline will do it
once its turn sync stage has placed the turns: the window runs from the turn's true start (its first
reference sentence's start) less ``--lead-ms`` to the next turn's true start (the last turn: to the end
of the audio). A sentence's predicted start is its first word's start; the error is predicted minus true,
in ms. The tokens are the turn's text split at whitespace; Chinese text is cut into words with jieba
(:func:`toolkit.linebreak.tokenize_cjk`, as the captions are cut).

A window the aligner refuses (``None``: no speech it can find, or far too much or too little for the
text) counts its sentences at the baseline's times, and is counted in ``none``.

The baseline spreads the turn's text by characters over [true start, next turn's true start): it is
exact for each turn's first sentence by construction, so the table also shows the sentences that start
inside a turn (``inner``). ``fit`` is the aligner's median token score with the turn's own text, and
``wrong`` with the next turn's text in the same window (text not in the audio must score lower); both are
medians over the item's turns. ``time`` is the aligner's time for the turns' own texts.

Measured on this machine (2 cores, ``OPENBLAS_NUM_THREADS=1``; |error| in ms, mean / median / p95 / max):

    item           method     n  mean  med  p95  max | inner  mean  med  p95  max |   fit wrong  time
    de_dialogue    espeak    11    33   20   72   93 |     2    52   52   89   93 | -1.80 -3.13  0.3s
    de_dialogue    baseline  11    60    0  332  547 |     2   332  332  526  547 |
    fr_lecture     espeak    20    20   10   81  100 |    10    11    7   32   45 | -1.57 -2.79  0.5s
    fr_lecture     baseline  20   250    4  977 1099 |    10   500  394 1041 1099 |
    zh_dialogue_a  espeak    13    16   10   40   40 |     7    17    7   40   40 | -2.07 -2.83  0.3s
    zh_dialogue_a  baseline  13   100    2  349  468 |     7   186  150  408  468 |
    all            espeak    44    22   10   76  100 |    19    17    9   50   93 |
    all            baseline  44   158    0  916 1099 |    19   367  218  984 1099 |

All sentences, median / p95 (inside turns in brackets): ``--bare`` 15 / 505 (9 / 612); ``--degrade
pink10`` 20 / 208 (20 / 154); ``music`` 24 / 218 (14 / 148); ``reverb`` 13 / 89 (10 / 161); ``phone``
10 / 298 (9 / 52); ``pink3`` 30 / 390 (40 / 1074; 4 of 25 windows refused). The aligner's settings were
chosen on these recordings (and on English ones of the corpus), so the figures are optimistic.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import realspeech as rs  # noqa: E402
from toolkit.align.dtw import EspeakAligner  # noqa: E402
from toolkit.language import parse_language, word_segmenter  # noqa: E402
from toolkit.linebreak import tokenize_cjk  # noqa: E402
from toolkit.parse import read_document  # noqa: E402


@dataclass(frozen=True)
class TurnCase:
    text: str
    tokens: list[str]
    start_ms: int  # true start: the turn's first reference sentence
    end_ms: int  # the next turn's true start (or the end of the audio)
    sentences: list[tuple[int, int]]  # (first token index, true start ms) per reference sentence


def tokens_of(text: str, language: str) -> tuple[list[str], list[int]]:
    """The turn's tokens and each one's character offset in ``text``."""
    if language == "zh":
        units = [u.strip() for u in tokenize_cjk(text, word_segmenter(parse_language("zh")))]
    else:
        units = text.split()
    tokens: list[str] = []
    offsets: list[int] = []
    at = 0
    for u in units:
        if not u:
            continue
        k = text.find(u, at)
        if k < 0:
            raise ValueError(f"token {u!r} not found in {text!r}")
        tokens.append(u)
        offsets.append(k)
        at = k + len(u)
    return tokens, offsets


def turn_cases(item: rs.Item) -> list[TurnCase]:
    """The transcript's turns with their true starts and their reference sentences."""
    assert item.transcript is not None
    doc = read_document(str(item.transcript))
    language = str(item.truth["language"])
    texts = [" ".join(t.text.split()) for t in doc.turns]
    sentences = [s for s in item.truth["sentences"] if s.get("text")]
    found: list[list[tuple[int, int]]] = [[] for _ in texts]  # (char offset, true start) per turn
    keyed = [_letters(t) for t in texts]
    ti, pos = 0, 0
    for s in sentences:
        want, _ = _letters(str(s["text"]))
        while ti < len(texts):
            letters, where = keyed[ti]
            k = letters.find(want, pos)
            if k >= 0:
                found[ti].append((where[k], int(s["start_ms"])))
                pos = k + len(want)
                break
            ti, pos = ti + 1, 0
        else:
            raise ValueError(f"{item.name}: sentence {s['text']!r} is in no turn")
    starts = [f[0][1] if f else None for f in found]
    cases: list[TurnCase] = []
    for i, text in enumerate(texts):
        start = starts[i]
        if start is None:
            continue
        end = next((s for s in starts[i + 1 :] if s is not None), item.duration_ms)
        tokens, offsets = tokens_of(text, language)
        firsts = []
        for char, true_ms in found[i]:
            k = max(j for j, off in enumerate(offsets) if off <= char)
            firsts.append((k, true_ms))
        cases.append(TurnCase(text, tokens, start, end, firsts))
    return cases


def _letters(text: str) -> tuple[str, list[int]]:
    """``text``'s letters and digits, lower-cased (punctuation differs between a transcript and its
    reference), with each one's offset in ``text``."""
    keep = [(ch.lower(), i) for i, ch in enumerate(text) if ch.isalnum()]
    return "".join(ch for ch, _ in keep), [i for _, i in keep]


def bare(token: str) -> str:
    """``token`` lower-cased without punctuation at its ends or inside, but for ' and - between letters."""
    kept = "".join(ch for ch in token.lower() if ch.isalnum() or ch in "'-")
    return kept.strip("'-")


def baseline_starts(case: TurnCase) -> list[int]:
    """Sentence starts spread by characters over [true start, next turn's true start)."""
    chars = [len(t) for t in case.tokens]
    total = sum(chars) or 1
    span = case.end_ms - case.start_ms
    return [case.start_ms + round(span * sum(chars[:k]) / total) for k, _ in case.sentences]


def stats(errs: list[int]) -> str:
    if not errs:
        return f"{'-':>6} {'-':>6} {'-':>6} {'-':>6}"
    a = np.abs(np.array(errs, dtype=np.float64))
    return f"{a.mean():6.0f} {np.median(a):6.0f} {np.percentile(a, 95):6.0f} {a.max():6.0f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--items", default="", help="comma-separated item names (default: all)")
    ap.add_argument("--rate", type=int, default=None, help="eSpeak words per minute (default: the aligner's)")
    ap.add_argument("--lead-ms", type=int, default=300)
    ap.add_argument(
        "--bare",
        action="store_true",
        help="tokens lower-cased and stripped of punctuation (as toolkit.align.normalize gives them)",
    )
    ap.add_argument(
        "--degrade",
        default="clean",
        choices=sorted(rs.DEGRADATIONS),
        help="score a degraded copy (bench/realspeech.py: pink noise, music bed, reverberation, ...)",
    )
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    corpus = rs.corpus_dir(args.corpus)
    wanted = {s for s in args.items.split(",") if s}
    items = [it for it in rs.items(corpus, ("multilingual",)) if not wanted or it.name in wanted]
    if not items:
        print(f"no items under {corpus / 'multilingual'}")
        return 1
    header = (
        f"{'item':<15} {'method':<9} {'n':>3} {'mean':>6} {'median':>6} {'p95':>6} {'max':>6} | "
        f"{'inner':>5} {'mean':>6} {'median':>6} {'p95':>6} {'max':>6} | "
        f"{'fit':>5} {'wrong':>5} {'none':>4} {'time':>6}"
    )
    print(header)
    print("-" * len(header))
    every: dict[str, list[int]] = {"espeak": [], "baseline": []}
    every_inner: dict[str, list[int]] = {"espeak": [], "baseline": []}
    for item in items:
        language = str(item.truth["language"])
        kwargs = {"rate_wpm": args.rate} if args.rate else {}
        aligner = EspeakAligner(language, **kwargs)
        audio = rs.degrade(item, args.degrade)
        cases = turn_cases(item)
        errs: dict[str, list[int]] = {"espeak": [], "baseline": []}
        inner: dict[str, list[int]] = {"espeak": [], "baseline": []}
        fits: list[float] = []
        wrongs: list[float] = []
        spent = 0.0
        refused = 0  # windows the aligner returned None for (their sentences count at the baseline's time)
        for ci, case in enumerate(cases):
            w0 = max(0, case.start_ms - args.lead_ms)
            window = audio[w0 * rs.RATE // 1000 : case.end_ms * rs.RATE // 1000]
            tokens = [bare(t) for t in case.tokens] if args.bare else case.tokens
            t0 = time.perf_counter()
            timings = aligner.align(tokens, window)
            spent += time.perf_counter() - t0
            base = baseline_starts(case)
            for si, (k, true_ms) in enumerate(case.sentences):
                pred = w0 + timings[k].start_ms if timings is not None else base[si]
                for method, value in (("espeak", pred), ("baseline", base[si])):
                    errs[method].append(value - true_ms)
                    if si > 0:
                        inner[method].append(value - true_ms)
                if args.verbose:
                    print(
                        f"  {item.name} turn {ci} sentence {si}: true {true_ms} espeak {pred - true_ms:+d} "
                        f"baseline {base[si] - true_ms:+d}  {case.tokens[k]!r}"
                    )
            refused += timings is None
            if timings is not None:
                fits.append(float(np.median([t.score for t in timings])))
            other = cases[(ci + 1) % len(cases)]
            wrong = aligner.align([bare(t) for t in other.tokens] if args.bare else other.tokens, window)
            if wrong is not None:
                wrongs.append(float(np.median([t.score for t in wrong])))
        for method in ("espeak", "baseline"):
            every[method].extend(errs[method])
            every_inner[method].extend(inner[method])
            extra = (
                f"{np.median(fits) if fits else np.nan:5.2f} {np.median(wrongs) if wrongs else np.nan:5.2f} "
                f"{refused:>4} {spent:5.1f}s"
                if method == "espeak"
                else ""
            )
            print(
                f"{item.name:<15} {method:<9} {len(errs[method]):>3} {stats(errs[method])} | "
                f"{len(inner[method]):>5} {stats(inner[method])} | {extra}"
            )
    if len(items) > 1:
        for method in ("espeak", "baseline"):
            print(
                f"{'all':<15} {method:<9} {len(every[method]):>3} {stats(every[method])} | "
                f"{len(every_inner[method]):>5} {stats(every_inner[method])} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
