"""Benchmark: a caption file converted as it is (SRT -> WebVTT), captionkit against pysubs2.

The job is the one pysubs2 users do: load the interview's SRT (1,050 cues, written by captionkit from
the sample transcript) and write it as WebVTT. captionkit also checks every cue against the profile,
which pysubs2 does not. Both are timed in-process (load + write) and as a command (the process a user
starts: `captionkit convert in.srt -o out.vtt` against `python -c "import pysubs2; ..."`), best and
median of N runs, in the same run.

    .venv/bin/python bench/bench_caption_convert.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "tucker_lavrov.txt"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    # pip compiles a package's bytecode when it installs it (pysubs2's is); an editable install of ours
    # would write it on first import, unless PYTHONDONTWRITEBYTECODE is set: compile it as pip would
    import compileall

    compileall.compile_dir(str(ROOT / "toolkit"), quiet=1)
    import pysubs2

    from toolkit.captions import dumps, load
    from toolkit.checks.caption_rules import check_document
    from toolkit.pipeline import ConvertOptions, convert_file, render
    from toolkit.profiles import DEFAULT_PROFILE, PROFILES

    with tempfile.TemporaryDirectory() as tmp:
        srt = Path(tmp) / "interview.srt"
        srt.write_text(render(convert_file(SAMPLE, ConvertOptions()), "srt"), encoding="utf-8")
        cues = srt.read_text(encoding="utf-8").count("-->")
        profile = PROFILES[DEFAULT_PROFILE]

        def ours() -> None:
            doc = load(srt)
            check_document(doc, profile=profile)
            dumps(doc, "vtt")

        def peer() -> None:
            pysubs2.load(str(srt)).to_string("vtt")

        ours()
        peer()
        print(f"SRT -> WebVTT, {cues} cues; best / median of {args.repeat}")
        a, am = timed(ours, args.repeat)
        b, bm = timed(peer, args.repeat)
        print(f"in-process  captionkit {a * 1000:6.1f} / {am * 1000:6.1f} ms (with the profile checks)")
        print(f"in-process  pysubs2    {b * 1000:6.1f} / {bm * 1000:6.1f} ms")
        print(f"in-process  ratio      {a / b:6.2f}x (best)")
        exe = shutil.which("captionkit", path=str(Path(sys.executable).parent)) or "captionkit"
        out = Path(tmp) / "out.vtt"
        ours_cmd = [exe, "convert", str(srt), "-o", str(out), "-q"]
        peer_cmd = [sys.executable, "-c", f"import pysubs2; pysubs2.load({str(srt)!r}).save({str(out)!r})"]
        a, am = timed(lambda: subprocess.run(ours_cmd, check=True), args.repeat)
        b, bm = timed(lambda: subprocess.run(peer_cmd, check=True), args.repeat)
        print(f"process     captionkit {a * 1000:6.1f} / {am * 1000:6.1f} ms")
        print(f"process     pysubs2    {b * 1000:6.1f} / {bm * 1000:6.1f} ms")
        print(f"process     ratio      {a / b:6.2f}x (best), {am / bm:.2f}x (median)")


if __name__ == "__main__":
    main()
