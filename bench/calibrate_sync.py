"""Calibrate `captionkit sync`'s confidence: how often a right solution is accepted, a wrong one refused.

    .venv/bin/python bench/calibrate_sync.py [--corpus ../shared/realspeech] [--degradations clean,pink10,...]
    .venv/bin/python bench/calibrate_sync.py --synthetic      # also six synthetic interviews
    .venv/bin/python bench/calibrate_sync.py --items NAME,... | --synthetic-only   # a subset

Every real item of the corpus (and every degradation of it, see bench/realspeech.py) gets reference
captions made from its truth (one cue per reference sentence, shown from its start to its end), distorted
the ways captions go wrong, and synced in-process with the detector and search `captionkit sync` uses.
With --synthetic, so do six synthetic interviews of two minutes (make_interview.py: flite slt/rms, flite
awb/kal16, flite awb/espeak-ng en-us; each clean and at 10 dB SNR; one cue per sentence; made once into
bench/_work/calibration/, which needs sox, flite and espeak-ng):

  positives   offset +7.3 s, offset -2.2 s, already in sync, frame rate 25/23.976 (+1 s), a split (+2 s,
              then +9 s from the middle cue), human-like (+7.3 s, starts +-150 ms, ends 200-700 ms late, 10 %
              of cues dropped), half the cues dropped (+4 s)
  negatives   the captions of another recording; the right captions against silence; against music alone

A positive is solved when at least 90 % of its cues land within 400 ms of their true start (already in
sync: nothing moves more than 100 ms). Counted: right solutions accepted (target >= 95 %), wrong solutions
accepted (target 0), and per case kind. Results go to bench/_work/calibration.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import realspeech as rs  # noqa: E402
from toolkit.media.vad import speech_mask  # noqa: E402
from toolkit.pipeline.caption_sync import decide_sync  # noqa: E402
from toolkit.sync import SyncParams, apply_sync  # noqa: E402

Cues = list[tuple[int, int]]
GENERATOR = HERE.parent.parent / "shared" / "tools" / "make_interview.py"


def truth_cues(item: rs.Item) -> Cues:
    return [(int(s["start_ms"]), int(s["end_ms"])) for s in item.truth["sentences"] if s.get("text")]


def truth_texts(item: rs.Item) -> list[str]:
    return [s["text"] for s in item.truth["sentences"] if s.get("text")]


def _shift(cues: Cues, d: int) -> Cues:
    return [(s + d, e + d) for s, e in cues]


def _fps(cues: Cues, _rng: random.Random) -> Cues:
    r = 25 / 23.976
    return [(round(s * r) + 1000, round(e * r) + 1000) for s, e in cues]


def _split(cues: Cues, _rng: random.Random) -> Cues:
    half = len(cues) // 2
    return [
        (s + (2000 if i < half else 9000), e + (2000 if i < half else 9000)) for i, (s, e) in enumerate(cues)
    ]


def _human(cues: Cues, rng: random.Random) -> Cues:
    out = []
    for s, e in cues:
        out.append((s + 7300 + rng.randint(-150, 150), e + 7300 + rng.randint(200, 700)))
    return out


DISTORTIONS: dict[str, Callable[[Cues, random.Random], Cues]] = {
    "offset+7.3": lambda c, r: _shift(c, 7300),
    "offset-2.2": lambda c, r: _shift(c, -2200),
    "in_sync": lambda c, r: list(c),
    "fps": _fps,
    "split": _split,
    "human": _human,
    "half_missing": lambda c, r: _shift(c, 4000),
}


def kept(kind: str, n: int, rng: random.Random) -> list[int]:
    """The cue indices a distortion keeps (the others are dropped from the caption file)."""
    if kind == "human":
        return sorted(rng.sample(range(n), max(2, round(n * 0.9))))
    if kind == "half_missing":
        return sorted(rng.sample(range(n), max(2, n // 2)))
    return list(range(n))


def solved(kind: str, truth: Cues, new_starts: list[int]) -> bool:
    err = np.abs(np.array(new_starts) - np.array([s for s, _ in truth]))
    if kind == "in_sync":
        return bool(np.all(err <= 100))
    return bool(np.mean(err <= 400) >= 0.9)


class Masks:
    """The speech masks of one audio, made when first needed (as `captionkit sync` makes them)."""

    def __init__(self, audio: np.ndarray) -> None:
        self.audio = audio
        self.made: dict[str, np.ndarray] = {}

    def __getitem__(self, detector: str) -> np.ndarray:
        if detector not in self.made:
            self.made[detector] = speech_mask(self.audio, detector=detector)
        return self.made[detector]


def run(
    masks: Masks, cues: Cues, texts: list[str], params: SyncParams, detector: str
) -> tuple[bool, list[int], dict[str, Any]]:
    """The answer `captionkit sync --vad DETECTOR` gives (toolkit.pipeline.caption_sync.decide_sync: auto is
    webrtcvad, then Silero if refused, then the text check when still refused)."""
    starts, ends = [s for s, _ in cues], [e for _, e in cues]
    first = "webrtc" if detector == "auto" else detector
    res, used = decide_sync(
        starts, ends, texts, masks.audio, masks.__getitem__, first, auto=detector == "auto", params=params
    )
    if res.accepted and res.details.get("text_check", {}).get("verified"):
        used = "text"
    new_s, _, _ = apply_sync(starts, ends, res)
    info = {
        "confidence": round(res.confidence, 3),
        "margin": res.details.get("evidence_margin"),
        "segments": len(res.segments),
        "detector": used,
    }
    return res.accepted, new_s, info


@dataclass(frozen=True)
class Recording:
    """One audio with its reference captions: a real item in one condition, or a synthetic interview."""

    name: str
    condition: str
    audio: np.ndarray
    cues: Cues
    texts: list[str]


def real_recordings(corpus: Path, hows: list[str], only: set[str] | None) -> Iterator[Recording]:
    for item in rs.items(corpus):
        if only is None or item.name in only:
            for how in hows:
                yield Recording(item.name, how, rs.degrade(item, how), truth_cues(item), truth_texts(item))


# synthetic interviews (make_interview.py, flite and espeak-ng voices): the voice pairs of bench_align and
# bench_sync, and flite awb + kal16 (a sync the issue found refused at 10 dB with human-like timing)
SYNTHETIC_VOICES = ("A=flite:slt,B=flite:rms", "A=flite:awb,B=flite:kal16", "A=flite:awb,B=espeak:en-us+m3")
SYNTHETIC_SNR = {"clean": 60, "snr10": 10}
SYNTHETIC_SECONDS = 120


def synthetic_recordings() -> Iterator[Recording]:
    """The synthetic interviews, made once into bench/_work/calibration/ (needs sox, flite, espeak-ng);
    a file's name holds its settings, so changed settings make new files."""
    folder = rs.WORK.parent / "calibration"
    for k, voices in enumerate(SYNTHETIC_VOICES):
        for how, snr in SYNTHETIC_SNR.items():
            tag = hashlib.sha1(f"{voices}/{snr}/{11 + k}/{SYNTHETIC_SECONDS}".encode()).hexdigest()[:8]
            name = f"synthetic{k + 1}_{how}_{tag}"
            wav, truth_file = folder / f"{name}.wav", folder / f"{name}.truth.json"
            if not truth_file.exists():  # written last: a run cut short is made again
                folder.mkdir(parents=True, exist_ok=True)
                made = subprocess.run(
                    [sys.executable, str(GENERATOR), "--out-dir", str(folder), "--name", name, "--duration",
                     str(SYNTHETIC_SECONDS), "--voices", voices, "--snr", str(snr), "--seed", str(11 + k),
                     "--rate", "16000", "--no-video", "--jobs", "1"],
                    capture_output=True, text=True,
                )  # fmt: skip
                if made.returncode:
                    sys.exit(f"make_interview.py failed for {name}:\n{made.stderr}")
            with wave.open(str(wav)) as w:
                if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (rs.RATE, 1, 2):
                    sys.exit(f"{wav}: not 16 kHz mono 16-bit")
                audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16)
            truth = json.loads(truth_file.read_text())["cues"]
            cues = [(round(c["start"] * 1000), round(c["end"] * 1000)) for c in truth]
            yield Recording(f"synthetic{k + 1} ({voices})", how, audio, cues, [c["text"] for c in truth])


def calibrate(
    recordings: list[Recording],
    params: SyncParams,
    vad: str,
    verbose: bool,
    stranger: Callable[[Recording], Recording | None],
) -> list[dict[str, Any]]:
    """The rows of every case: each recording's positives, then its negatives (the captions of
    ``stranger(recording)``, another recording; the right captions against silence and against music
    alone)."""
    rows: list[dict[str, Any]] = []
    for rec in recordings:
        masks = Masks(rec.audio)
        truth = rec.cues
        for kind, distort in DISTORTIONS.items():
            rng = random.Random(f"{rec.name}/{rec.condition}/{kind}")
            keep = kept(kind, len(truth), rng)
            t_kept = [truth[k] for k in keep]
            texts = [rec.texts[k] for k in keep]
            cues = distort(t_kept, rng)
            accepted, new_s, info = run(masks, cues, texts, params, vad)
            ok = solved(kind, t_kept, new_s)
            rows.append({"item": rec.name, "degradation": rec.condition, "case": kind, "positive": True,
                         "accepted": accepted, "right": ok, **info})  # fmt: skip
        music = rs.music_bed(len(rec.audio), np.random.default_rng(3)) * 3000
        negatives = {
            "silence": (Masks(np.zeros_like(rec.audio)), truth, rec.texts),
            "music_only": (Masks(rs.gain(music, 0)), truth, rec.texts),
        }
        other = stranger(rec)
        if other is not None:
            negatives = {"other_recording": (masks, _shift(other.cues, 1500), other.texts), **negatives}
        for kind, (m, cues, texts) in negatives.items():
            accepted, _, info = run(m, cues, texts, params, vad)
            rows.append({"item": rec.name, "degradation": rec.condition, "case": kind, "positive": False,
                         "accepted": accepted, "right": False, **info})  # fmt: skip
        if verbose:
            done = [r for r in rows if r["item"] == rec.name and r["degradation"] == rec.condition]
            print(
                f"{rec.name:24s} {rec.condition:9s} "
                + " ".join(
                    f"{r['case']}:{'A' if r['accepted'] else '-'}{'+' if r['right'] else 'x'}"
                    f"{r['confidence']:.2f}/{r['margin']}/{r['segments']}{r['detector'][0]}"
                    for r in done
                ),
                file=sys.stderr,
            )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--degradations", default=",".join(rs.DEGRADATIONS))
    ap.add_argument("--vad", default="auto", help="auto (as captionkit sync), webrtc or silero")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--out", default=None, help="where the rows go (default bench/_work/calibration.json)")
    ap.add_argument("--merge", nargs="*", default=[], help="only summarise these earlier --out files")
    ap.add_argument("--items", default=None, help="only these real items (comma-separated names)")
    ap.add_argument("--synthetic", action="store_true", help="also the synthetic interviews (needs flite)")
    ap.add_argument("--synthetic-only", action="store_true", help="only the synthetic interviews")
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    for earlier in args.merge:  # runs split over processes (one per core), summarised together
        rows.extend(json.loads(Path(earlier).read_text()))
    if not args.merge:
        only = set(args.items.split(",")) if args.items else None
        hows = args.degradations.split(",")
        corpus = rs.corpus_dir(args.corpus)
        # another recording's captions: the real items in corpus order (each gets the next one's; the
        # synthetic interviews, which all read one script, the k-th real item's)
        captions = [Recording(it.name, "", np.zeros(0, np.int16), truth_cues(it), truth_texts(it))
                    for it in rs.items(corpus)]  # fmt: skip
        names = [c.name for c in captions]

        def after(rec: Recording) -> Recording | None:
            if rec.name in names:
                other = captions[(names.index(rec.name) + 1) % len(captions)]
                return other if other.name != rec.name else None
            k = int(rec.name.removeprefix("synthetic").split()[0]) - 1
            return captions[k % len(captions)]

        real = [] if args.synthetic_only else list(real_recordings(corpus, hows, only))
        rows = calibrate(real, SyncParams(), args.vad, args.verbose, after)
        if args.synthetic or args.synthetic_only:
            rows += calibrate(list(synthetic_recordings()), SyncParams(), args.vad, args.verbose, after)
        unknown = (only or set()) - set(names)
        if unknown:
            print(f"# no such items: {', '.join(sorted(unknown))}", file=sys.stderr)
    pos = [r for r in rows if r["positive"]]
    right = [r for r in pos if r["right"]]
    right_acc = sum(r["accepted"] for r in right)
    wrong_acc = sum(r["accepted"] and not r["right"] for r in rows)
    print(f"positives: {len(pos)}, solved by the search: {len(right)}, of those accepted: {right_acc} "
          f"({100 * right_acc / max(1, len(right)):.1f} %)")  # fmt: skip
    print(f"wrong solutions accepted: {wrong_acc} of {len(rows)} cases "
          f"({sum(not r['positive'] for r in rows)} negatives)")  # fmt: skip
    for label, part in (("real", False), ("synthetic", True)):
        some = [r for r in rows if r["item"].startswith("synthetic") == part]
        ok = [r for r in some if r["positive"] and r["right"]]
        if some:
            wrong = sum(r["accepted"] and not r["right"] for r in some)
            accepted = sum(r["accepted"] for r in ok)
            print(f"  {label}: {accepted} of {len(ok)} right answers accepted, {wrong} of {len(some)} wrong")
    print("\n| case | cases | right found | right accepted | wrong accepted |\n|---|---|---|---|---|")
    for kind in [*DISTORTIONS, "other_recording", "silence", "music_only"]:
        rs_ = [r for r in rows if r["case"] == kind]
        rf = [r for r in rs_ if r["right"]]
        print(f"| {kind} | {len(rs_)} | {len(rf)} | {sum(r['accepted'] for r in rf)} | "
              f"{sum(r['accepted'] and not r['right'] for r in rs_)} |")  # fmt: skip
    out = Path(args.out) if args.out else rs.WORK.parent / "calibration.json"
    out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
