"""Benchmark the repair stage: a 100,000-sentence transcript built from the samples.

Run: ``.venv/bin/python bench/bench_repair.py`` (``--sizes 25000,50000,100000``, ``--slice 2000``).

The transcript is the seed interview repeated end to end (each copy 81 minutes later, so each copy keeps
its own duplicated exchange at 00:43, and the copies are far apart in time). The repair is timed at 25k,
50k and 100k sentences to show that it grows linearly, and compared with an all-pairs rapidfuzz
comparison of the sentences on a slice, extrapolated quadratically to the full size.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

from toolkit.model import Document, Turn
from toolkit.parse import read_document
from toolkit.repair import repair
from toolkit.repair.sentences import split_sentences

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


def build(sentences: int) -> tuple[Document, int]:
    """A transcript of at least ``sentences`` sentences made of copies of the sample transcripts."""
    docs = [read_document(p) for p in SAMPLES]
    docs = [d for d in docs if d.kind == "transcript" and d.turns]
    turns: list[Turn] = []
    count = 0
    offset = 0
    line = 1
    copy = 0
    while count < sentences:
        doc = docs[copy % len(docs)]
        copy += 1
        last = 0
        for t in doc.turns:
            if count >= sentences:
                break
            start = None if t.start_ms is None else t.start_ms + offset
            turns.append(replace(t, start_ms=start, line=line))
            line += 2
            count += len(split_sentences(t.text))
            last = max(last, t.start_ms or 0)
        offset += last + 60_000
    return Document("bench.txt", "transcript", tuple(turns), layout="name-bracket-time"), count


def time_repair(sentences: int) -> tuple[float, int, int, int]:
    doc, count = build(sentences)
    t0 = time.perf_counter()
    result = repair(doc)
    elapsed = time.perf_counter() - t0
    dups = sum(1 for c in result.changes if c.kind == "duplicate")
    return elapsed, count, len(doc.turns), dups


def time_all_pairs(slice_size: int) -> tuple[float, int]:
    doc, _ = build(slice_size)
    norms = [s.norm for t in doc.turns for s in split_sentences(t.text)][:slice_size]
    t0 = time.perf_counter()
    process.cdist(norms, norms, scorer=fuzz.ratio, score_cutoff=85, workers=1)
    return time.perf_counter() - t0, len(norms)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="25000,50000,100000", help="sentence counts to time")
    ap.add_argument("--slice", type=int, default=2000, help="sentences compared all-pairs")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"samples: {', '.join(p.name for p in SAMPLES)}")
    rows = []
    for n in sizes:
        elapsed, count, turns, dups = time_repair(n)
        rows.append((count, elapsed))
        print(
            f"repair  {count:>7} sentences {turns:>6} turns: {elapsed:6.2f} s "
            f"({1e6 * elapsed / count:5.1f} us/sentence, {dups} duplicates removed)"
        )
    pair_s, m = time_all_pairs(args.slice)
    big = rows[-1][0]
    extrapolated = pair_s * (big / m) ** 2
    print(
        f"all-pairs rapidfuzz on {m} sentences: {pair_s:.2f} s -> extrapolated to {big}: "
        f"{extrapolated:,.0f} s"
    )
    print(
        f"repair {big} sentences: {rows[-1][1]:.2f} s; all-pairs / repair = "
        f"{extrapolated / rows[-1][1]:,.0f}x"
    )
    if len(rows) > 1:
        per = [e / c for c, e in rows]
        print(
            f"linearity: time per sentence {min(per) * 1e6:.1f}-{max(per) * 1e6:.1f} us "
            f"(ratio {max(per) / min(per):.2f}; 1.0 = linear)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
