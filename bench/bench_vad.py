"""Speech detection scored against reference speech spans: real recordings, their degradations, synthetic.

    .venv/bin/python bench/bench_vad.py [--corpus ../shared/realspeech] [--degradations clean,pink10,...]

Recall and precision (10 ms frames, the corpus README's scoring) of:

  silero        captionkit's default for convert/validate --media (toolkit.media.vad.silero_mask)
  webrtc        captionkit's first pass for sync (toolkit.media.vad.webrtc_mask: mode 2, quiet audio
                brought up, blocks of noise turned down)
  webrtc-3      plain webrtcvad mode 3, no level handling, the same smoothing (the issue's reference)
  normalised    the detector before this benchmark: mode 3 on 30 s blocks each brought to -24 dBFS

on every item of ``items`` and ``vad_only`` in the corpus, each degraded as bench/realspeech.py describes,
and on the committed synthetic clip tests/fixtures/media/interview_90s. The last table gives each
detector's time per 20 minutes of audio (one run over the longest item, scaled).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import realspeech as rs  # noqa: E402
from toolkit.media.vad import (  # noqa: E402
    frame_energy_db,
    loud_level,
    silero_mask,
    smooth_mask,
    webrtc_frames,
    webrtc_mask,
)


def _normalised(audio: np.ndarray) -> np.ndarray:
    """The detector captionkit had before: 30 s blocks, each scaled so that the median of the blocks'
    loud levels sits at -24 dBFS, webrtcvad mode 3."""
    parts, levels = [], []
    for i in range(0, len(audio) - len(audio) % 160, 30 * 16000):
        block = audio[i : i + 30 * 16000]
        lv = frame_energy_db(block)
        if len(lv):
            levels.append(loud_level(lv))
        gain = 10 ** ((-24.0 - float(np.median(levels))) / 20) if levels else 1.0
        scaled = np.clip(np.round(block.astype(np.float64) * gain), -32768, 32767).astype("<i2")
        parts.append(webrtc_frames(scaled, 16000, 3))
    return smooth_mask(np.concatenate(parts), min_speech_ms=100, min_gap_ms=60)


DETECTORS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "silero": silero_mask,
    "webrtc": webrtc_mask,
    "webrtc-3": lambda a: smooth_mask(webrtc_frames(a, 16000, 3), min_speech_ms=100, min_gap_ms=60),
    "normalised": _normalised,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--degradations", default=",".join(rs.DEGRADATIONS))
    args = ap.parse_args()
    corpus = rs.corpus_dir(args.corpus)
    rows = []
    for item in rs.items(corpus, ("items", "vad_only")):
        for how in args.degradations.split(","):
            audio = rs.degrade(item, how)
            row = {"item": item.name, "group": item.group, "degradation": how}
            for name, detect in DETECTORS.items():
                row[name] = [round(x, 3) for x in rs.detection_scores(item.truth, detect(audio))]
            rows.append(row)
            scores = " ".join(f"{k}:{row[k][0]:.2f}/{row[k][1]:.2f}" for k in DETECTORS)
            print(f"{item.name:26s} {how:9s} {scores}", file=sys.stderr)
    synth = json.loads((HERE.parent / "tests/fixtures/media/interview_90s.truth.json").read_text())
    truth = {
        "duration_s": synth["duration"],
        "speech_spans": [[round(c["start"] * 1000), round(c["end"] * 1000)] for c in synth["cues"]],
    }
    from toolkit.media import decode_audio

    audio = decode_audio(str(HERE.parent / "tests/fixtures/media/interview_90s.mp4"))
    row = {"item": "synthetic interview_90s", "group": "synthetic", "degradation": "pink 15 dB"}
    for name, detect in DETECTORS.items():
        row[name] = [round(x, 3) for x in rs.detection_scores(truth, detect(audio))]
    rows.append(row)

    print("\n| item | " + " | ".join(f"{k} R / P" for k in DETECTORS) + " |")
    print("|---|" + "---|" * len(DETECTORS))
    for group in ("items", "vad_only", "synthetic"):
        for item in dict.fromkeys(r["item"] for r in rows if r["group"] == group):
            mine = [r for r in rows if r["item"] == item]
            cells = []
            for k in DETECTORS:
                rec = [r[k][0] for r in mine]
                pre = [r[k][1] for r in mine]
                clean = next((r for r in mine if r["degradation"] in ("clean", "pink 15 dB")), mine[0])[k]
                cells.append(f"{clean[0]:.2f} / {clean[1]:.2f} (min {min(rec):.2f} / {min(pre):.2f})")
            print(f"| {item} | " + " | ".join(cells) + " |")
    real = [r for r in rows if r["group"] == "items"]
    print("\nReal items with every degradation (the targets: recall >= 0.90 at precision >= 0.90):")
    for k in DETECTORS:
        ok = sum(r[k][0] >= 0.9 and r[k][1] >= 0.9 for r in real)
        asis = [r for r in real if r["degradation"] == "clean"]
        ok_asis = sum(r[k][0] >= 0.9 and r[k][1] >= 0.9 for r in asis)
        print(
            f"- {k}: {ok_asis} of {len(asis)} items as recorded, {ok} of {len(real)} item x degradation cases"
        )
    longest = max(rs.items(corpus, ("items", "vad_only")), key=lambda i: i.duration_ms)
    audio = longest.audio()
    print("\n| detector | wall s per 20 min of audio | CPU s |\n|---|---|---|")
    scale = 1_200_000 / longest.duration_ms
    for k, detect in DETECTORS.items():
        t0, c0 = time.perf_counter(), time.process_time()
        detect(audio)
        wall, cpu = (time.perf_counter() - t0) * scale, (time.process_time() - c0) * scale
        print(f"| {k} | {wall:.2f} | {cpu:.2f} |")
    (rs.WORK.parent / "vad.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
