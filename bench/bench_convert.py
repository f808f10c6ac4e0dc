"""Benchmark: convert the 81-minute interview, in-process and as a CLI process, against pysubs2.

The peer a user would reach for is pysubs2 (load a subtitle file, write another). It cannot read a
transcript, so the comparison gives it the easier job: load our SRT of the same cues and write it again.

    .venv/bin/python bench/bench_convert.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "tucker_lavrov.txt"


def best_of(fn: object, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()

    import pysubs2

    from toolkit.pipeline import ConvertOptions, convert_file, render

    opts = ConvertOptions()
    result = convert_file(SAMPLE, opts)
    srt_text = render(result, "srt")
    print(f"input: {SAMPLE.name}: {len(result.turns)} turns -> {len(result.cues)} cues")

    def ours() -> None:
        render(convert_file(SAMPLE, opts), "srt")

    def peer() -> None:
        pysubs2.SSAFile.from_string(srt_text, format_="srt").to_string("srt")

    ours_best, ours_med = best_of(ours, args.repeat)
    peer_best, peer_med = best_of(peer, args.repeat)

    with tempfile.TemporaryDirectory() as tmp:
        srt_path = Path(tmp) / "cues.srt"
        srt_path.write_text(srt_text, encoding="utf-8")
        exe = Path(sys.executable).parent
        ours_cli = [str(exe / "captionkit"), "convert", str(SAMPLE), "-o", str(Path(tmp) / "o.srt"), "-q"]
        peer_cli = [sys.executable, "-m", "pysubs2", "--to", "vtt", "-o", tmp, str(srt_path)]

        def run(cmd: list[str]) -> None:
            subprocess.run(cmd, check=True, capture_output=True)

        cli_repeat = max(3, args.repeat // 5)
        ours_cli_best, ours_cli_med = best_of(lambda: run(ours_cli), cli_repeat)
        peer_cli_best, peer_cli_med = best_of(lambda: run(peer_cli), cli_repeat)

    print(f"{'what':52} {'best':>9} {'median':>9}")
    rows = [
        ("captionkit in-process: transcript -> SRT text", ours_best, ours_med),
        ("pysubs2 in-process: SRT text -> SRT text", peer_best, peer_med),
        ("captionkit CLI process: transcript -> SRT", ours_cli_best, ours_cli_med),
        ("pysubs2 CLI process: SRT -> VTT", peer_cli_best, peer_cli_med),
    ]
    for name, best, med in rows:
        print(f"{name:52} {best * 1000:8.1f}ms {med * 1000:8.1f}ms")
    print(f"ratio in-process (captionkit / pysubs2): {ours_med / peer_med:.2f}")
    print(f"ratio CLI process (captionkit / pysubs2): {ours_cli_med / peer_cli_med:.2f}")
    print(
        f"targets: in-process < 50 ms: {'met' if ours_med < 0.050 else 'MISSED'}; "
        f"CLI < 0.5 s: {'met' if ours_cli_med < 0.5 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
