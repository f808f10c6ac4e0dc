"""Benchmark word alignment against exact truth: our aligner vs the text-only rate model.

    .venv/bin/python bench/bench_align.py [--minutes 5] [--seeds 1,2] [--conditions clean,...] [--aeneas]

Media are made in bench/_work/ (gitignored) with make_interview.py (needs sox, flite, espeak-ng, which
only the bench needs): two synthetic interviews with different voice pairs. Conditions:

  clean     the mix without noise
  snr10     pink noise at 10 dB active-speech SNR
  snr0      pink noise at 0 dB
  music     3 s music stings (sox) inserted between every 4th pair of turns, and an unscripted
            "Right, right. I see." (flite, the host's voice) inserted inside every 3rd long answer
  jitter    clean audio, every turn timestamp moved by a random -2..+2 s
  jump      clean audio, the timestamps of the second half moved by +30 s (raw: not corrected)
  longturn  (not in the default list) a question and a single 12-minute answer, clean

With ``--aeneas``, aeneas 1.7.3 (its own venv, see bench/aeneas_align.py) aligns the same audio with one
fragment per transcript sentence, as a column; skipped with a message when its venv is missing.

Score: for every sentence, |start of its first aligned word - true onset| in ms. Each condition runs in
its own process, which reports its wall time and peak RSS (``ru_maxrss``). Results go to
bench/_work/results_<seconds>s_<seeds>_<conditions>.json (e.g. ``results_180s_1-2_clean-snr0.json``) and a
Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.align_data import Truth, errors_ms, load_truth, summary  # noqa: E402
from toolkit.model import Turn  # noqa: E402
from toolkit.timing import RateModel, count_words  # noqa: E402

WORK = HERE / "_work"
TOOL = "/work/shared/tools/make_interview.py"
VOICES = {
    1: "A=flite:slt,B=flite:rms",
    2: "A=flite:awb,B=espeak:en-us+m3",
    3: "A=espeak:en-gb+f3,B=flite:kal16",
}
CONDITIONS = ("clean", "snr10", "snr0", "music", "jitter", "jump")  # also "longturn" (a 12-minute answer)
RATE = 16000


def make_media(minutes: float, seed: int, tool: str) -> Path:
    """The interview for ``seed`` at 10 dB and 0 dB, plus its clean mix; returns the name stem."""
    stem = WORK / f"iv{seed}_{int(minutes * 60)}s"
    for snr in (10, 0):
        name = f"{stem.name}_snr{snr}"
        if (WORK / f"{name}.truth.json").exists():
            continue
        cmd = [
            sys.executable,
            tool,
            "--no-video",
            "--out-dir",
            str(WORK),
            "--name",
            name,
            "--duration",
            str(minutes * 60),
            "--seed",
            str(seed),
            "--voices",
            VOICES[seed],
            "--snr",
            str(snr),
            "--jobs",
            "1",
        ] + (["--write-clean"] if snr == 10 else [])
        subprocess.run(cmd, check=True, capture_output=True)
    return stem


def read(path: Path) -> np.ndarray:
    import soundfile as sf

    audio, rate = sf.read(path, dtype="int16")
    assert rate == RATE, path
    return np.asarray(audio)


def synth(cmd: list[str], out: Path) -> np.ndarray:
    if not out.exists():
        subprocess.run(cmd, check=True, capture_output=True)
    return read(out)


def music_case(stem: Path) -> tuple[np.ndarray, dict[str, Any]]:
    """The clean mix with music stings between turns and an interjection inside answers (truth shifted)."""
    truth = json.loads(Path(f"{stem}_snr10.truth.json").read_text())
    audio = read(Path(f"{stem}_snr10.clean.wav"))
    sting = synth(
        [
            "sox",
            "-n",
            "-r",
            str(RATE),
            "-b",
            "16",
            "-c",
            "1",
            str(WORK / "sting.wav"),
            "synth",
            "3",
            "pluck",
            "C4",
            "pluck",
            "E4",
            "pluck",
            "G4",
            "tremolo",
            "6",
            "40",
            "fade",
            "0.05",
            "3",
            "0.5",
            "gain",
            "-8",
        ],
        WORK / "sting.wav",
    )
    raw = WORK / "interject.raw.wav"
    if not raw.exists():
        subprocess.run(["flite", "-voice", "slt", "-t", "Right, right. I see.", "-o", str(raw)], check=True)
    inter = synth(
        ["sox", str(raw), "-r", str(RATE), "-b", "16", "-c", "1", str(WORK / "interject.wav")],
        WORK / "interject.wav",
    )
    inter = (inter.astype(np.float64) * 0.7).astype(np.int16)
    cues = truth["cues"]
    inserts: list[tuple[float, np.ndarray]] = []  # (time in s, clip): inserted in the pause before a cue
    for k, t in enumerate(truth["turns"][1:], start=1):
        first = cues[t["cues"][0] - 1]
        if k % 4 == 0:
            inserts.append(((cues[t["cues"][0] - 2]["end"] + first["start"]) / 2, sting))
        if k % 3 == 0 and len(t["cues"]) >= 3:
            c = cues[t["cues"][1] - 1]
            prev = cues[t["cues"][0] - 1]
            inserts.append(
                ((prev["end"] + c["start"]) / 2, np.concatenate([inter, np.zeros(RATE // 3, np.int16)]))
            )
    inserts.sort(key=lambda x: x[0])
    pieces: list[np.ndarray] = []
    last = 0
    shift = 0.0
    shifts: list[tuple[float, float]] = []
    for at, clip in inserts:
        i = int(at * RATE)
        pieces += [audio[last:i], clip]
        last = i
        shift += len(clip) / RATE
        shifts.append((at, shift))
    pieces.append(audio[last:])
    for c in cues:
        d = sum(0.0 for _ in ())
        for at, s in shifts:
            if c["start"] > at:
                d = s
        c["start"] += d
        c["end"] += d
    for t in truth["turns"]:
        t["start"] = cues[t["cues"][0] - 1]["start"]
    truth["music_inserts"] = len(inserts)
    return np.concatenate(pieces), truth


def long_turn_media(seed: int, tool: str, minutes: float = 12.0) -> Path:
    """One guest answer of about ``minutes`` after a short question (sentences from the seed's interview)."""
    stem = WORK / f"longturn{seed}_{int(minutes * 60)}s"
    if not Path(f"{stem}.truth.json").exists():
        source = make_media(3.0, seed, tool)
        texts = [c["text"] for c in json.loads(Path(f"{source}_snr10.truth.json").read_text())["cues"]]
        answer: list[str] = []
        while len(" ".join(answer).split()) < minutes * 60 * 2.6:  # about 2.6 words per second
            answer.extend(texts)
        script = WORK / f"{stem.name}.script.json"
        script.write_text(json.dumps([["A", "Tell me the whole story."], ["B", " ".join(answer)]]))
        cmd = [sys.executable, tool, "--no-video", "--out-dir", str(WORK), "--name", stem.name,
               "--script", str(script), "--no-extend", "--seed", str(seed), "--voices", VOICES[seed],
               "--jobs", "1", "--pause-max", "0.8", "--duration", str(minutes * 60 + 60)]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True)
    return stem


def rate_model_starts(turns: tuple[Turn, ...], truth: Truth) -> list[int | None]:
    """The text-only baseline: each turn spread from its timestamp at the speaker's fitted rate."""
    rates = RateModel.fit(turns)
    out: list[int | None] = []
    done: dict[int, int] = {}
    for ti, text, _ in truth.sentences:
        turn = turns[ti]
        before = done.get(ti, 0)
        out.append((turn.start_ms or 0) + rates.speech_ms(turn.speaker, before) if before else turn.start_ms)
        done[ti] = before + count_words(text)
    return out


def run_one(minutes: float, seed: int, condition: str, tool: str, aeneas: bool = False) -> dict[str, Any]:
    from bench.align_data import sentence_starts
    from toolkit.align import align_turns

    stem = make_media(minutes, seed, tool) if condition != "longturn" else long_turn_media(seed, tool)
    truth_path = Path(f"{stem}_snr10.truth.json")
    jitter = 0.0
    if condition == "longturn":
        truth_path = Path(f"{stem}.truth.json")
        audio = read(Path(f"{stem}.wav"))
    elif condition == "snr0":
        audio = read(Path(f"{stem}_snr0.wav"))
    elif condition == "snr10":
        audio = read(Path(f"{stem}_snr10.wav"))
    elif condition == "music":
        audio, data = music_case(stem)
        truth_path = WORK / f"{stem.name}_music.truth.json"
        truth_path.write_text(json.dumps(data))
    else:
        audio = read(Path(f"{stem}_snr10.clean.wav"))
        jitter = 2.0 if condition == "jitter" else 0.0
    truth = load_truth(truth_path, jitter_s=jitter, seed=seed)
    turns = truth.turns
    if condition == "jump":
        half = len(turns) // 2
        turns = tuple(
            t if i < half or t.start_ms is None else Turn(t.speaker, t.start_ms + 30_000, t.text, t.line)
            for i, t in enumerate(turns)
        )
    duration_s = len(audio) / RATE
    t0 = time.perf_counter()
    aligned, findings = align_turns(turns, audio, sample_rate=RATE)
    wall = time.perf_counter() - t0
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before aeneas adds a child
    ours = errors_ms(sentence_starts(aligned, truth), truth)
    base = errors_ms(rate_model_starts(turns, truth), truth)
    extra: dict[str, Any] = {}
    if aeneas:
        from bench import aeneas_align

        run = aeneas_align.align_sentences(
            audio, RATE, [text for _, text, _ in truth.sentences], WORK, f"{stem.name}_{condition}"
        )
        extra["aeneas"] = {
            **summary(errors_ms(run.starts_ms, truth)),
            "wall_s": run.wall_s,
            "x_realtime": round(duration_s / run.wall_s, 1),
            "peak_rss_mb": run.peak_rss_mb,
        }
    return {
        "seed": seed,
        "voices": VOICES[seed],
        "condition": condition,
        "media_s": round(duration_s, 1),
        "turns": len(turns),
        "ours": summary(ours),
        "rate_model": summary(base),
        "wall_s": round(wall, 2),
        "x_realtime": round(duration_s / wall, 1),
        "peak_rss_mb": round(peak_rss, 1),
        "findings": {c: sum(1 for f in findings if f.code == c) for c in ("A001", "A002")},
        **extra,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--tool", default=TOOL)
    ap.add_argument("--aeneas", action="store_true", help="also run aeneas 1.7.3 (bench/aeneas_align.py)")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.aeneas:
        from bench import aeneas_align

        if not aeneas_align.available():
            print(
                f"# aeneas skipped: no venv at {aeneas_align.VENV} (see bench/aeneas_align.py)",
                file=sys.stderr,
            )
            args.aeneas = False
    WORK.mkdir(parents=True, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    conditions = args.conditions.split(",")
    if args.one:
        print(json.dumps(run_one(args.minutes, seeds[0], conditions[0], args.tool, args.aeneas)))
        return
    results = []
    for seed in seeds:
        if "longturn" not in conditions:
            make_media(args.minutes, seed, args.tool)
        for cond in conditions:
            cmd = [
                sys.executable,
                __file__,
                "--one",
                "--minutes",
                str(args.minutes),
                "--seeds",
                str(seed),
                "--conditions",
                cond,
                "--tool",
                args.tool,
            ] + (["--aeneas"] if args.aeneas else [])
            proc = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ})
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(res)
            print(
                f"# {seed} {cond}: {res['ours']} rate={res['rate_model']['median']} {res['x_realtime']}x"
                + (f" aeneas={res['aeneas']}" if "aeneas" in res else ""),
                file=sys.stderr,
            )
    tag = f"{int(args.minutes * 60)}s_{args.seeds}_{args.conditions}".replace(",", "-")
    out = WORK / f"results_{tag}.json"
    out.write_text(json.dumps(results, indent=1))
    header = [
        "voices",
        "condition",
        "media",
        "aligner mean / median / p95 / max ms",
        "> 2 s",
        "rate model mean / median / p95 / max ms",
        "speed",
        "peak RSS",
        "A001 / A002",
    ]
    if args.aeneas:
        header[6:6] = ["aeneas mean / median / p95 / max ms", "aeneas > 2 s", "aeneas speed, RSS"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in results:
        o, b = r["ours"], r["rate_model"]
        cells = [
            r["voices"],
            r["condition"],
            f"{r['media_s']:.0f} s",
            " / ".join(f"{o[k]:.0f}" for k in ("mean", "median", "p95", "max")),
            str(o["over_2s"]),
            " / ".join(f"{b[k]:.0f}" for k in ("mean", "median", "p95", "max")),
            f"{r['x_realtime']}x ({r['wall_s']} s)",
            f"{r['peak_rss_mb']:.0f} MB",
            f"{r['findings']['A001']} / {r['findings']['A002']}",
        ]
        if args.aeneas:
            a = r.get("aeneas")
            cells[6:6] = (
                [
                    " / ".join(f"{a[k]:.0f}" for k in ("mean", "median", "p95", "max")),
                    str(a["over_2s"]),
                    f"{a['x_realtime']}x, {a['peak_rss_mb']:.0f} MB",
                ]
                if a
                else ["-", "-", "-"]
            )
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
