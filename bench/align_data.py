"""Alignment benchmark helpers: make_interview.py truth files -> turns, and sentence-start scores."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.model import Turn


@dataclass(frozen=True)
class Truth:
    turns: tuple[Turn, ...]  # as a transcript gives them: start floored to the second
    sentences: list[tuple[int, str, int]]  # (turn index, sentence text, true start ms)


def load_truth(
    path: str | Path, *, jitter_s: float = 0.0, seed: int = 0, drop: tuple[int, ...] = ()
) -> Truth:
    """Turns with floored (optionally jittered) timestamps and the sentences' true starts.

    ``drop`` lists cue indices (1-based) left out of the transcript text (an unscripted interjection).
    """
    data: dict[str, Any] = json.loads(Path(path).read_text())
    rng = random.Random(seed)
    cues = {c["index"]: c for c in data["cues"]}
    turns: list[Turn] = []
    sentences: list[tuple[int, str, int]] = []
    line = 1
    for t in data["turns"]:
        kept = [cues[i] for i in t["cues"] if i not in drop]
        if not kept:
            continue
        start = kept[0]["start"]
        hint = math.floor(start)
        if jitter_s:
            hint = max(0, round(hint + rng.uniform(-jitter_s, jitter_s)))
        # an interjection dropped from inside a turn's neighbours: merge same-speaker turns
        if (
            turns
            and turns[-1].speaker == t["speaker"]
            and any(i in drop for i in range(t["cues"][0] - 3, t["cues"][0]))
        ):
            prev = turns[-1]
            turns[-1] = Turn(
                prev.speaker, prev.start_ms, prev.text + " " + " ".join(c["text"] for c in kept), prev.line
            )
        else:
            turns.append(Turn(t["speaker"], hint * 1000, " ".join(c["text"] for c in kept), line))
            line += 2
        sentences.extend((len(turns) - 1, c["text"], round(c["start"] * 1000)) for c in kept)
    return Truth(tuple(turns), sentences)


def sentence_starts(turns: tuple[Turn, ...], truth: Truth) -> list[int | None]:
    """Each truth sentence's start as found in the aligned turns (first word of the sentence)."""
    out: list[int | None] = []
    cursor: dict[int, int] = {}
    for ti, text, _ in truth.sentences:
        turn = turns[ti]
        k = cursor.get(ti, 0)
        n = len(text.split())
        words = turn.words
        out.append(words[k].start_ms if k < len(words) else None)
        cursor[ti] = k + n
    return out


def errors_ms(found: list[int | None], truth: Truth, penalty_ms: int = 10_000) -> np.ndarray:
    return np.array(
        [
            abs(f - s) if f is not None else penalty_ms
            for f, (_, _, s) in zip(found, truth.sentences, strict=True)
        ]
    )


def summary(err: np.ndarray) -> dict[str, float]:
    return {
        "n": int(err.size),
        "mean": round(float(err.mean()), 1),
        "median": round(float(np.median(err)), 1),
        "p95": round(float(np.percentile(err, 95)), 1),
        "max": round(float(err.max()), 1),
        "over_2s": int((err > 2000).sum()),
    }
