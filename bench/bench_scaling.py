"""Cost against input size in every dimension: time and memory, and whether it grows linearly.

    .venv/bin/python bench/bench_scaling.py

Each dimension doubles its size three times and runs the whole text pipeline (parse, repair, segment,
write SRT) in a fresh process, so memory is that run's peak (``ru_maxrss``) and nothing is cached:

  turns      a transcript of N ordinary turns (slices of the seed interview, shifted in time)
  length     one turn of N words
  speakers   N turns, each by a different speaker
  copies     N turns saying the same sentence
  dots       one turn of N ". " (text that is all cut points)
  repeats    one turn saying the same two sentences N times (a paste gone wrong)
  media      turn sync and caption sync on N minutes of speech (the search only: decoding is one
             ffmpeg pass, linear by construction)

The last column divides time by size, relative to the smallest size: about 1 everywhere means linear
(the smallest sizes carry the process's fixed costs, so the ratio falls before it settles).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

DIMENSIONS: dict[str, tuple[int, ...]] = {
    "turns": (1000, 2000, 4000, 8000),
    "length": (5000, 10000, 20000, 40000),
    "speakers": (1000, 2000, 4000, 8000),
    "copies": (1000, 2000, 4000, 8000),
    "dots": (25000, 50000, 100000, 200000),
    "repeats": (250, 500, 1000, 2000),
    "media": (20, 40, 80, 160),
}


def _clock(s: int) -> str:
    return f"[{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}]"


def make_input(dimension: str, n: int, folder: Path) -> Path:
    path = folder / f"{dimension}_{n}.txt"
    if dimension == "turns":
        seed = (ROOT / "samples" / "tucker_lavrov.txt").read_text(encoding="utf-8")
        words = seed.split()
        lines = [f"{'AB'[k % 2]} {_clock(6 * k)} {' '.join(words[(7 * k) % 5000 : (7 * k) % 5000 + 14])}"
                 for k in range(n)]  # fmt: skip
    elif dimension == "length":
        lines = ["A [00:00:01] " + " ".join(f"word{k}" + ("." if k % 12 == 11 else "") for k in range(n))]
    elif dimension == "speakers":
        lines = [f"Speaker{k:05d} {_clock(5 * k)} Words of turn {k} here." for k in range(n)]
    elif dimension == "copies":
        lines = [f"{'AB'[k % 2]} {_clock(5 * k)} This is exactly the same sentence." for k in range(n)]
    elif dimension == "repeats":
        lines = ["A [00:00:01] " + "I wouldn't say so. And in any case, this is not what we want. " * n]
    else:  # dots
        lines = ["A [00:00:01] " + ". " * n]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _child(dimension: str, arg: str) -> None:
    """One measured run (in its own process)."""
    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    if dimension == "media":
        import numpy as np

        from toolkit.model import Turn
        from toolkit.sync import find_sync, turn_sync

        rng = np.random.default_rng(1)
        frames = int(arg) * 6000
        mask = np.zeros(frames, dtype=bool)
        t = 0
        while t < frames:
            t += int(rng.integers(20, 120))
            n = int(rng.integers(50, 400))
            mask[t : t + n] = True
            t += n
        stamps = np.arange(0, frames * 10 - 10_000, 20_000)
        turn_sync([Turn("AB"[k % 2], int(s), "some words", k) for k, s in enumerate(stamps)], mask)
        starts = np.arange(0, frames * 10 - 10_000, 4_000)
        find_sync(starts.tolist(), (starts + 3000).tolist(), mask)
    else:
        from toolkit.pipeline import ConvertOptions, convert_file, render

        render(convert_file(arg, ConvertOptions()), "srt")
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_mb": rss}))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
        return
    print("| dimension | size | seconds | peak RSS | seconds per unit, relative to the smallest size |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for dimension, sizes in DIMENSIONS.items():
            first: float | None = None
            for n in sizes:
                arg = str(n) if dimension == "media" else str(make_input(dimension, n, Path(tmp)))
                proc = subprocess.run([sys.executable, __file__, "--child", dimension, arg],
                                      capture_output=True, text=True, check=True)  # fmt: skip
                got = json.loads(proc.stdout.strip().splitlines()[-1])
                per = got["seconds"] / n
                first = first or per
                unit = "min of speech" if dimension == "media" else dimension
                cost = f"{got['seconds']:.2f} | {got['rss_mb']:.0f} MB"
                print(f"| {dimension} | {n} {unit} | {cost} | {per / first:.2f} |")


if __name__ == "__main__":
    main()
