"""aeneas 1.7.3 as a comparison column for bench_align.py: one fragment per transcript sentence.

aeneas needs ``numpy<2`` and Python packages that conflict with ours, so it runs in its own venv,
``bench/_work/aeneas-venv`` (not a dependency of captionkit; the bench skips it when missing)::

    python3 -m venv bench/_work/aeneas-venv
    bench/_work/aeneas-venv/bin/pip install 'numpy<2' setuptools wheel
    AENEAS_WITH_CEW=False bench/_work/aeneas-venv/bin/pip install --no-build-isolation aeneas==1.7.3.0

It also needs espeak-ng and ffmpeg on PATH. ``tts=espeak-ng`` with ``ffmpeg_sample_rate=22050`` (espeak-ng's
own rate; any other rate gives a time-scaled map); no head/tail detection (aeneas's defaults), so the
first fragment starts at 0 s.
"""

from __future__ import annotations

import json
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
VENV = HERE / "_work" / "aeneas-venv"
CONFIG = "task_language=eng|is_text_type=plain|os_task_file_format=json"
RUNTIME = "tts=espeak-ng|ffmpeg_sample_rate=22050"


@dataclass(frozen=True)
class AeneasRun:
    starts_ms: list[int | None]  # one per sentence, in order
    wall_s: float
    peak_rss_mb: float  # the largest child process so far (aeneas runs in one)


def available() -> bool:
    return (VENV / "bin" / "python").exists()


def align_sentences(
    audio: np.ndarray, rate: int, sentences: list[str], work: Path, name: str, language: str = "eng"
) -> AeneasRun:
    """Sentence start times from aeneas for ``audio`` (int16 mono), one fragment per sentence;
    ``language`` is aeneas's code (ISO 639-3: eng, fra, deu, cmn, ...)."""
    import soundfile as sf

    work.mkdir(parents=True, exist_ok=True)
    wav, text, out = work / f"{name}.aeneas.wav", work / f"{name}.aeneas.txt", work / f"{name}.aeneas.json"
    sf.write(wav, audio, rate, subtype="PCM_16")
    text.write_text("\n".join(" ".join(s.split()) for s in sentences) + "\n")
    config = CONFIG.replace("task_language=eng", f"task_language={language}")
    cmd = [str(VENV / "bin" / "python"), "-m", "aeneas.tools.execute_task", str(wav), str(text), config,
           str(out), f"-r={RUNTIME}"]  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    fragments = json.loads(out.read_text())["fragments"]
    starts: list[int | None] = [round(float(f["begin"]) * 1000) for f in fragments]
    starts += [None] * (len(sentences) - len(starts))
    for p in (wav, out):
        p.unlink()
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return AeneasRun(starts[: len(sentences)], round(wall, 2), round(rss, 1))


def sentence_errors(
    truth: dict[str, Any], audio: np.ndarray, rate: int, work: Path, name: str, language: str = "eng"
) -> list[int | None]:
    """aeneas's start - true start (ms) of every reference sentence of ``truth`` (the realspeech format),
    one fragment per sentence; ``None`` for a sentence it gives no fragment."""
    sentences = [s for s in truth["sentences"] if s.get("text")]
    run = align_sentences(audio, rate, [s["text"] for s in sentences], work, name, language)
    pairs = zip(run.starts_ms, sentences, strict=True)
    return [None if t is None else t - int(s["start_ms"]) for t, s in pairs]
