"""The README's Python API example runs as written, and its outputs read back in independent parsers."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pysrt
import webvtt

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_example_runs(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code[1], "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    srt = pysrt.open(str(tmp_path / "interview.srt"), error_handling=pysrt.ERROR_RAISE)
    vtt = webvtt.read(str(tmp_path / "interview.vtt"))
    assert len(srt) == len(vtt) > 100
    assert srt[0].text.startswith("TUCKER: ")
    assert "<v Lavrov>" in (tmp_path / "interview.vtt").read_text(encoding="utf-8")
    later = webvtt.read(str(tmp_path / "later.vtt"))
    assert srt[0].start.ordinal == 0 and later[0].start == "00:00:02.500"  # shifted by 2.5 s
