"""Benchmark `captionkit sync` against ffsubsync on generated interviews with known truth.

    .venv/bin/python bench/bench_sync.py                 # 3- and 20-minute sets
    .venv/bin/python bench/bench_sync.py --sizes 3min    # quick run
    .venv/bin/python bench/bench_sync.py --no-ffs        # ours only

Media are generated into bench/_work/media/ with the shared make_interview.py (needs sox, flite, ffmpeg;
skipped when present). ffsubsync runs from its own venv: ``python -m venv bench/_work/ffs &&
bench/_work/ffs/bin/pip install ffsubsync``. The reference SRT (true times) is distorted per case, both
tools re-time it against the MP4, and each output cue is matched to the truth by its text; the table gives
|start error| (mean, median, max, ms) and wall time (s) per tool, and bench/_work/results.json the rows.

Each tool runs ``--repeat`` times per case (default 3), the two tools alternating; the table gives the
median run's wall time.

Cases: offset (+7.3 s); fps (x 25/23.976, +7.3 s); piecewise (+4 s, then +11 s after the middle);
jitter (+7.3 s, starts +-150 ms uniform, ends 200-700 ms late, 10 % of cues dropped); the piecewise and
jitter cases at 0 dB SNR pink noise; identity (already in sync).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
ROOT = HERE.parent
GENERATOR = ROOT.parent / "shared" / "tools" / "make_interview.py"
SIZES = {"3min": (180, 1), "20min": (1200, 2)}

Cue = tuple[int, int, str]


def fmt(ms: int) -> str:
    ms = max(0, int(ms))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def write_srt(path: Path, cues: list[Cue]) -> None:
    path.write_text("".join(f"{i}\n{fmt(s)} --> {fmt(e)}\n{t}\n\n" for i, (s, e, t) in enumerate(cues, 1)))


_TIME = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d{3})\s*-->\s*(\d+):(\d\d):(\d\d)[,.](\d{3})")


def read_srt(path: Path) -> list[Cue]:
    out: list[Cue] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8", errors="replace")):
        lines = block.strip().splitlines()
        for i, ln in enumerate(lines):
            m = _TIME.search(ln)
            if m:
                g = [int(x) for x in m.groups()]
                s = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + g[3]
                e = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + g[7]
                out.append((s, e, " ".join(lines[i + 1 :])))
                break
    return out


def norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def media(name: str, seconds: int, seed: int, snr: int) -> Path:
    d = WORK / "media"
    mp4 = d / f"{name}.mp4"
    if not mp4.exists():
        d.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(GENERATOR),
                "--out-dir",
                str(d),
                "--name",
                name,
                "--duration",
                str(seconds),
                "--snr",
                str(snr),
                "--seed",
                str(seed),
                "--jobs",
                "1",
                "--fps",
                "5",
                "--video-size",
                "160x90",
            ],
            check=True,
        )
    return mp4


def truth_cues(mp4: Path) -> list[Cue]:
    data = json.loads(mp4.with_suffix(".truth.json").read_text())
    return [(round(c["start"] * 1000), round(c["end"] * 1000), c["text"]) for c in data["cues"]]


def d_offset(c: list[Cue], dur: int) -> list[Cue]:
    return [(s + 7300, e + 7300, t) for s, e, t in c]


def d_fps(c: list[Cue], dur: int) -> list[Cue]:
    r = 25 / 23.976
    return [(round(s * r) + 7300, round(e * r) + 7300, t) for s, e, t in c]


def d_piecewise(c: list[Cue], dur: int) -> list[Cue]:
    return [(s + (4000 if s < dur / 2 else 11000), e + (4000 if s < dur / 2 else 11000), t) for s, e, t in c]


def d_jitter(c: list[Cue], dur: int) -> list[Cue]:
    rng = random.Random(7)
    out = []
    for s, e, t in c:
        if rng.random() < 0.10:
            continue
        out.append((s + 7300 + rng.randint(-150, 150), e + 7300 + rng.randint(200, 700), t))
    return out


def d_identity(c: list[Cue], dur: int) -> list[Cue]:
    return list(c)


CASES: list[tuple[str, Callable[[list[Cue], int], list[Cue]], bool]] = [
    ("offset", d_offset, False),
    ("fps", d_fps, False),
    ("piecewise", d_piecewise, False),
    ("jitter", d_jitter, False),
    ("piecewise@0dB", d_piecewise, True),
    ("jitter@0dB", d_jitter, True),
    ("identity", d_identity, False),
]


def score(truth: list[Cue], out: list[Cue]) -> dict[str, float]:
    by_text: dict[str, list[int]] = {}
    for s, _, t in truth:
        by_text.setdefault(norm(t), []).append(s)
    errs = []
    for s, _, t in out:
        starts = by_text.get(norm(t))
        if starts:
            errs.append(min(abs(s - x) for x in starts))
    if not errs:
        return {"mean": float("nan"), "median": float("nan"), "max": float("nan"), "n": 0}
    a = np.array(errs, dtype=float)
    return {
        "mean": float(a.mean()),
        "median": float(np.median(a)),
        "max": float(a.max()),
        "n": len(errs),
        "le50": float(np.mean(a <= 50)),
    }


def run_tool(cmd: list[str]) -> tuple[float, float, int]:
    """(wall s, CPU s of the tool and its children, exit code). CPU time is what to compare on a busy
    machine; wall time also counts the decoder and detector running side by side on two cores."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="3min,20min")
    ap.add_argument("--cases", default=",".join(c[0] for c in CASES))
    ap.add_argument("--no-ffs", action="store_true")
    ap.add_argument("--ffs-args", default="", help="extra ffsubsync arguments, e.g. '--split-penalty 5'")
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool and case, interleaved; median time")
    args = ap.parse_args()
    # pip byte-compiles an installed package; an editable install (and PYTHONDONTWRITEBYTECODE, set on
    # this machine) would make captionkit compile its own modules from source on every run
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "toolkit")], check=True)
    ours = str(Path(sys.executable).parent / "captionkit")
    ffs = WORK / "ffs" / "bin" / "ffs"
    rows = []
    wanted = set(args.cases.split(","))
    print(
        f"{'media':6} {'case':14} {'tool':10} {'mean':>8} {'median':>8} {'max':>8} {'n':>4} "
        f"{'wall s':>7} {'cpu s':>6}"
    )
    for size in args.sizes.split(","):
        seconds, seed = SIZES[size]
        for name, fn, noisy in CASES:
            if name not in wanted:
                continue
            mp4 = media(f"interview_{size}" + ("_snr0" if noisy else ""), seconds, seed, 0 if noisy else 15)
            truth = truth_cues(mp4)
            cases = WORK / "cases"
            cases.mkdir(parents=True, exist_ok=True)
            src = cases / f"{size}.{name}.srt"
            write_srt(src, fn(truth, seconds * 1000))
            tools = [
                ("captionkit", [ours, "sync", str(src), "--media", str(mp4), "-o", "{out}", "--force", "-q"])
            ]
            if not args.no_ffs and ffs.exists():
                tools.append(
                    ("ffsubsync", [str(ffs), str(mp4), "-i", str(src), "-o", "{out}", *args.ffs_args.split()])
                )
            timings: dict[str, list[tuple[float, float, int]]] = {tool: [] for tool, _ in tools}
            for _ in range(max(1, args.repeat)):  # interleaved, so load changes hit both tools alike
                for tool, cmd in tools:
                    out = WORK / "out" / f"{size}.{name}.{tool}.srt"
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.unlink(missing_ok=True)
                    timings[tool].append(run_tool([x.replace("{out}", str(out)) for x in cmd]))
            for tool, _ in tools:
                out = WORK / "out" / f"{size}.{name}.{tool}.srt"
                runs = sorted(timings[tool])
                wall, cpu, rc = runs[len(runs) // 2]  # the median run
                res = (
                    score(truth, read_srt(out))
                    if out.exists()
                    else {"mean": float("nan"), "median": float("nan"), "max": float("nan"), "n": 0}
                )
                row = {
                    "media": size,
                    "case": name,
                    "tool": tool,
                    "wall_s": round(wall, 2),
                    "wall_runs_s": [round(r[0], 3) for r in timings[tool]],
                    "cpu_s": round(cpu, 2),
                    "rc": rc,
                    "load": round(os.getloadavg()[0], 2),
                    **res,
                }
                rows.append(row)
                print(
                    f"{size:6} {name:14} {tool:10} {res['mean']:8.1f} {res['median']:8.1f} {res['max']:8.1f} "
                    f"{res['n']:4d} {wall:7.2f} {cpu:6.2f}",
                    flush=True,
                )
    (WORK / "results.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
