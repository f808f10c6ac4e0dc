"""Word times for transcripts in languages other than English: each turn's text, spoken by eSpeak NG, is
aligned by DTW to its own stretch of audio (:class:`toolkit.align.dtw.EspeakAligner`).

Turn sync has already put every turn where its speech starts (:mod:`toolkit.sync.turnsync`), so a
turn's window runs from ``lead_ms`` before its start to the next turn's start (or the end of the speech):
the aligner only has to find the sentences and words inside one turn, which is where the rate model and
speech onsets lose time (issue 18). The words go in as the transcript writes them (eSpeak reads numbers
and pauses at punctuation in the language itself); Chinese and Japanese text is cut into words first.

Do no harm: a window the aligner cannot fit (no result, or a median token fit below ``min_fit``: the
text is not this audio), or one longer than ``max_window_ms`` (five minutes: cost and memory grow with long
windows), keeps the turn sync's timing, with finding A001. Word times inside a turn that came out of
order never move a turn's start: the turn starts where turn sync put it, or at its first word when that
is within ``max_start_move_ms``. These settings are :class:`~toolkit.align.voiced_tuning.VoicedParams`
fields (``params``).

Measured (``bench/bench_languages.py``, real French, German and Mandarin speech): see the README.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np

from ..linebreak import tokenize_cjk
from ..model import Finding, Turn, Word
from ..rules import finding
from ..text import is_sentence_end
from .aligner import Aligner
from .voiced_tuning import DEFAULT_PARAMS, VoicedParams

__all__ = ["align_turns_voiced"]

log = logging.getLogger(__name__)


def align_turns_voiced(
    turns: Sequence[Turn],
    audio: np.ndarray,
    engine: Aligner,
    *,
    sample_rate: int = 16000,
    speech_end_ms: int | None = None,
    words: Callable[[str], Iterable[str]] | None = None,
    cjk: bool = False,
    reading: Callable[[str], str] | None = None,
    path: str | None = None,
    params: VoicedParams | None = None,
) -> tuple[tuple[Turn, ...], list[Finding]]:
    """The turns with ``words`` set from ``engine`` where it fits (see the module docstring).

    ``cjk``: the text is Chinese or Japanese; a turn's words then become one turn per sentence, each
    starting at its first word's time (the segmenter spreads a CJK sentence's characters over it), since
    caption text in those languages is not joined by spaces. ``words``: the word segmenter for that text.
    ``reading``: each token as it is read, for the synthesis (Japanese kanji in kana: eSpeak NG's Japanese
    voice cannot read kanji); the captions keep the tokens as written. ``params``: the turn windows'
    settings (:data:`~toolkit.align.voiced_tuning.DEFAULT_PARAMS` when ``None``); the engine has its own.
    """
    p = params if params is not None else DEFAULT_PARAMS
    audio_ms = len(audio) * 1000 // sample_rate
    end_of_speech = speech_end_ms if speech_end_ms is not None else audio_ms
    out: list[Turn] = []
    findings: list[Finding] = []
    later = _next_later_starts([t.start_ms for t in turns])
    for i, turn in enumerate(turns):
        start = turn.start_ms
        nxt = later[i]
        tokens = _tokens(turn.text, cjk, words)
        if start is None or not tokens:
            out.append(turn)
            continue
        lo = max(0, start - p.lead_ms)
        hi = min(audio_ms, nxt if nxt is not None else max(end_of_speech, start + p.last_window_ms))
        why = None
        timings = None
        if hi - lo > p.max_window_ms:
            why = f"its audio ({(hi - lo) // 1000} s) is longer than the aligner's window"
        elif hi - lo >= p.min_window_ms:
            spoken = [reading(t) or t for t in tokens] if reading is not None else tokens
            timings = engine.align(spoken, audio[lo * sample_rate // 1000 : hi * sample_rate // 1000])
            if timings is None:
                why = "the aligner could not fit its words to its audio"
            else:
                fit = float(np.median([t.score for t in timings]))
                if fit < p.min_fit:
                    why = f"its words fit its audio poorly (median fit {fit:.2f})"
                    timings = None
        if timings is None:
            if why is not None:
                findings.append(
                    finding(
                        "A001",
                        f"forced alignment failed for this turn ({why}); its timing is the turn sync's",
                        path=path,
                        line=turn.line,
                        start_ms=start,
                    )
                )
            out.append(turn)
            continue
        placed = [
            Word(tok, lo + t.start_ms, max(lo + t.end_ms, lo + t.start_ms))
            for tok, t in zip(tokens, timings, strict=True)
        ]
        first = placed[0].start_ms
        new_start = first if abs(first - start) <= p.max_start_move_ms else start
        if cjk:
            out.extend(_sentence_turns(turn, placed, new_start))
        else:
            out.append(replace(_with_start(turn, new_start), end_ms=placed[-1].end_ms, words=tuple(placed)))
    return tuple(out), findings


def _next_later_starts(starts: Sequence[int | None]) -> list[int | None]:
    """Per turn, the first start after it that is later than its own (its window's end): one pass from
    the end with a stack of the starts ahead, each pushed and popped once (a transcript of 10,000 turns
    asks no 50 million questions)."""
    out: list[int | None] = [None] * len(starts)
    ahead: list[int] = []  # starts after i, the nearest on top, increasing towards the bottom
    for i in range(len(starts) - 1, -1, -1):
        start = starts[i]
        if start is None:
            continue
        while ahead and ahead[-1] <= start:
            ahead.pop()
        out[i] = ahead[-1] if ahead else None
        ahead.append(start)
    return out


def _tokens(text: str, cjk: bool, words: Callable[[str], Iterable[str]] | None) -> list[str]:
    if not cjk:
        return text.split()
    return [u.strip() for u in tokenize_cjk(text, words) if u.strip()]


def _sentence_turns(turn: Turn, placed: list[Word], start: int) -> list[Turn]:
    """One turn per sentence of a CJK turn, each from its first word's time; each sentence's text is cut
    from the turn's own text, so nothing is added or lost."""
    text = turn.text
    cuts: list[tuple[int, int]] = []  # (character offset, word index) where a sentence starts
    pos = 0
    for k, w in enumerate(placed):
        at = text.find(w.text, pos)
        if at < 0:  # the tokens are not the text's (cannot happen with tokenize_cjk): one sentence
            return [_with_start(turn, start)]
        if k == 0 or is_sentence_end(placed[k - 1].text):
            cuts.append((at if k else 0, k))
        pos = at + len(w.text)
    out: list[Turn] = []
    for n, (at, k) in enumerate(cuts):
        end = cuts[n + 1][0] if n + 1 < len(cuts) else len(text)
        piece = text[at:end].strip()
        if piece:
            out.append(replace(_with_start(turn, start if n == 0 else placed[k].start_ms), text=piece))
    return out or [_with_start(turn, start)]


def _with_start(turn: Turn, start: int) -> Turn:
    source = turn.source_start_ms if turn.source_start_ms is not None else turn.start_ms
    return replace(turn, start_ms=start, end_ms=None, source_start_ms=source, words=())
