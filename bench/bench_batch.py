"""Benchmark of batch conversion: captionkit ``convert --out-dir`` against pysubs2's command line.

Builds N interview-sized transcripts from the seed (its transcript part: every ``Speaker [hh:mm:ss]``
turn) made different from each other (a different slice of turns, timestamps shifted, speakers renamed
and swapped), then runs, each as a separate CLI process measured from outside:

* ``captionkit convert DIR --out-dir OUT --to srt,vtt -q --jobs 1`` and ``--jobs 2`` on N files,
* ``--jobs 2`` on the first N/4 files (peak memory must not grow with the number of files),
* ``python -m pysubs2 --to vtt -o OUT *.srt`` on the N SRT files captionkit wrote (the same cues).

Prints files per second, the ratio to pysubs2 and the peak RSS (``ru_maxrss`` of the children: the
largest process of the run, main or worker). Everything is built under ``bench/_work/`` (gitignored).

    .venv/bin/python bench/bench_batch.py            # 1,000 files (about 5 minutes on 2 cores)
    .venv/bin/python bench/bench_batch.py --files 200
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "tucker_lavrov.txt"
WORK = ROOT / "bench" / "_work"
TURN = re.compile(r"^(?P<speaker>[^\[\n]+?) \[(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)\] (?P<text>.*)$")
NAMES = ["Tucker", "Anna Berg", "Marcus Lee", "Sofia Ruiz", "Daniel Okafor", "Mei Tanaka", "Lars Nilsson"]


def seed_turns() -> list[tuple[str, int, str]]:
    turns = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        m = TURN.match(line)
        if m:
            seconds = int(m["h"]) * 3600 + int(m["m"]) * 60 + int(m["s"])
            turns.append((m["speaker"], seconds, m["text"]))
    return turns


def variant(turns: list[tuple[str, int, str]], i: int) -> str:
    """File ``i``: a slice of the interview, shifted in time, with its speakers renamed (and swapped)."""
    rng = random.Random(i)
    part = turns[rng.randint(0, 6) : len(turns) - rng.randint(0, 6)]
    shift = rng.randint(0, 900) - part[0][1]
    host, guest = rng.sample(NAMES, 2)
    if rng.random() < 0.5:
        host, guest = guest, host

    def name(speaker: str) -> str:
        return host if speaker == "Tucker" else guest if speaker == "Sergey Lavrov" else guest.split()[-1]

    lines = []
    for speaker, seconds, text in part:
        t = seconds + shift
        lines.append(f"{name(speaker)} [{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}] {text}\n")
    return "\n".join(lines)


def build(n: int) -> Path:
    src = WORK / f"transcripts_{n}"
    if src.exists() and len(list(src.rglob("*.txt"))) == n:
        return src
    shutil.rmtree(src, ignore_errors=True)
    turns = seed_turns()
    for i in range(n):
        folder = src / f"batch{i // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"interview{i:04d}.txt").write_text(variant(turns, i), encoding="utf-8")
    return src


def measure(cmd: list[str]) -> dict[str, float]:
    """Run ``cmd`` from a fresh helper process, so ru_maxrss covers this command's processes only."""
    helper = [sys.executable, __file__, "--measure-child", json.dumps(cmd)]
    out = subprocess.run(helper, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.splitlines()[-1])
    if result["returncode"] != 0:
        raise SystemExit(f"{' '.join(cmd)} exited with {result['returncode']}:\n{out.stderr}")
    return result


def _measure_child(cmd: list[str]) -> None:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=sys.stderr)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "maxrss_mb": usage.ru_maxrss / 1024,  # ru_maxrss is in KiB on Linux
        "returncode": proc.returncode,
    }
    print(json.dumps(result))


def captionkit(src: Path, out: Path, jobs: int) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "toolkit",
        "convert",
        str(src),
        "--out-dir",
        str(out),
        "--to",
        "srt,vtt",
        "-q",
        "--jobs",
        str(jobs),
    ]
    return measure(cmd)


def pysubs2(srt_files: list[Path], out: Path) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return measure([sys.executable, "-m", "pysubs2", "--to", "vtt", "-o", str(out), *map(str, srt_files)])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--measure-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_child:
        _measure_child(json.loads(args.measure_child))
        return
    n, small = args.files, max(1, args.files // 4)
    src, src_small = build(n), build(small)
    size_kb = sum(p.stat().st_size for p in src.rglob("*.txt")) / n / 1024
    print(f"{n} transcripts of {size_kb:.0f} KiB on average in {src.relative_to(ROOT)}", flush=True)
    rows: list[tuple[str, int, dict[str, float]]] = []

    def show(label: str, files: int, r: dict[str, float]) -> None:
        rows.append((label, files, r))
        print(
            f"  {label:20} {files:5d} files {files / r['seconds']:6.1f} files/s "
            f"{1000 * r['cpu_seconds'] / files:5.0f} CPU ms/file {r['maxrss_mb']:5.0f} MiB "
            f"(load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )

    for label, folder, files, jobs in (
        ("captionkit --jobs 1", src, n, 1),
        ("captionkit --jobs 2", src, n, 2),
        ("captionkit --jobs 2", src_small, small, 2),
    ):
        show(label, files, captionkit(folder, WORK / f"out_{files}_j{jobs}", jobs))
    srt_files = sorted((WORK / f"out_{n}_j2").rglob("*.srt"))
    flat = WORK / "pysubs2_in"
    shutil.rmtree(flat, ignore_errors=True)
    flat.mkdir()
    for i, p in enumerate(srt_files):
        shutil.copyfile(p, flat / f"{i:04d}.srt")
    show("pysubs2 srt->vtt", len(srt_files), pysubs2(sorted(flat.glob("*.srt")), WORK / "pysubs2_out"))

    print(
        "\n| run | files | seconds | files/s | CPU ms/file | peak RSS (MiB) |\n|---|---:|---:|---:|---:|---:|"
    )
    for label, files, r in rows:
        cells = [label, files, f"{r['seconds']:.1f}", f"{files / r['seconds']:.1f}",
                 f"{1000 * r['cpu_seconds'] / files:.0f}", f"{r['maxrss_mb']:.0f}"]  # fmt: skip
        print("| " + " | ".join(map(str, cells)) + " |")
    (_, _, j1), (_, _, j2), (_, _, j2_small), (_, n_py, py) = rows
    rate1, rate2, rate_py = n / j1["seconds"], n / j2["seconds"], n_py / py["seconds"]
    cpu_ms = 1000 * j1["cpu_seconds"] / n
    lines = [
        f"speed-up --jobs 2 / --jobs 1: {rate2 / rate1:.2f}x; captionkit --jobs 2 / pysubs2: "
        f"{rate2 / rate_py:.2f}x (captionkit: parse+repair+segment+2 formats; pysubs2: 1 format)",
        f"peak RSS --jobs 2: {j2_small['maxrss_mb']:.0f} MiB for {small} files, "
        f"{j2['maxrss_mb']:.0f} MiB for "
        f"{n} files ({j2['maxrss_mb'] / j2_small['maxrss_mb']:.2f}x for {n / small:.0f}x the files)",
        f"CPU per interview {cpu_ms:.0f} ms: 2 idle cores can do at most {2000 / cpu_ms:.1f} files/s "
        f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
        f"target >= 40 files/s with --jobs 2: {'met' if rate2 >= 40 else 'NOT met'} ({rate2:.1f})",
    ]
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
