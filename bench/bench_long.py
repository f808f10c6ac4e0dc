"""The interview's size end to end: `captionkit convert --media` on an 81-minute synthetic interview.

    .venv/bin/python bench/bench_long.py                # 81 minutes (the seed interview's length)
    .venv/bin/python bench/bench_long.py --minutes 20   # quicker

The media are made once in bench/_work/long<minutes>/ with the shared make_interview.py (needs flite,
espeak-ng, sox and ffmpeg; two voices, pink noise at 20 dB, a 160x90 video at 5 fps). Then the command a
user would type runs in its own process:

    captionkit convert iv.transcript.txt --media iv.mp4 --no-repair -o iv.json

(``--no-repair``: the generator draws its answers from a small pool of sentences, so over 81 minutes a
12-word sentence recurs verbatim a dozen times, which repair rightly takes for pasted copies and removes;
a real interview does not repeat itself like that.) This script reports its wall time, CPU time and
peak RSS (the largest process), the speed in x real time, and every sentence's start error against the
truth (the start of its first word in the JSON output; the transcript's words are the truth's words, in
order).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
GENERATOR = HERE.parent.parent / "shared" / "tools" / "make_interview.py"
VOICES = "A=flite:awb,B=espeak:en-gb+m3"


def make(minutes: float) -> Path:
    """The interview's files stem (generated once)."""
    folder = WORK / f"long{int(minutes)}"
    stem = folder / f"iv{int(minutes)}"
    if not Path(f"{stem}.truth.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            str(GENERATOR),
            "--out-dir",
            str(folder),
            "--name",
            stem.name,
            "--duration",
            str(minutes * 60),
            "--seed",
            "5",
            "--voices",
            VOICES,
            "--snr",
            "20",
            "--jobs",
            "2",
            "--video-size",
            "160x90",
            "--fps",
            "5",
        ]
        subprocess.run(cmd, check=True)
    return stem


def sentence_errors(out_json: Path, truth_json: Path) -> np.ndarray:
    """|first word start - true start| per truth sentence, in ms (10 s when the word is missing)."""
    words = [w for cue in json.loads(out_json.read_text())["cues"] for w in cue.get("words", [])]
    truth = json.loads(truth_json.read_text())
    errors: list[int] = []
    k = 0
    for cue in sorted(truth["cues"], key=lambda c: c["start"]):
        start = round(cue["start"] * 1000)
        errors.append(abs(words[k]["start_ms"] - start) if k < len(words) else 10_000)
        k += len(cue["text"].split())
    return np.array(errors)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=81)
    args = ap.parse_args()
    stem = make(args.minutes)
    out = Path(f"{stem}.captionkit.json")
    cmd = [
        str(Path(sys.executable).parent / "captionkit"),
        "convert",
        f"{stem}.transcript.txt",
        "--media",
        f"{stem}.mp4",
        "--no-repair",
        "-o",
        str(out),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"captionkit failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    media_s = json.loads(Path(f"{stem}.truth.json").read_text())["duration"]
    err = sentence_errors(out, Path(f"{stem}.truth.json"))
    findings = json.loads(out.read_text())["findings"]
    codes: dict[str, int] = {}
    for f in findings:
        codes[f["code"]] = codes.get(f["code"], 0) + 1
    print(proc.stderr.strip().splitlines()[0])
    speed = media_s / wall
    print(
        f"media {media_s / 60:.1f} min, {len(err)} sentences: wall {wall:.1f} s ({speed:.0f}x real time), "
        f"CPU {cpu:.1f} s, peak RSS {after.ru_maxrss / 1024:.0f} MB"
    )
    print(
        f"sentence start error ms: mean {err.mean():.0f}, median {np.median(err):.0f}, "
        f"p95 {np.percentile(err, 95):.0f}, max {err.max():.0f}, over 2 s {(err > 2000).sum()}"
    )
    print(f"findings: {dict(sorted(codes.items()))}")


if __name__ == "__main__":
    main()
