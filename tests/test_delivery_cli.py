"""Delivery formats from the command line: convert writes and reads TTML, SCC, ASS and SSA; validate reads
them; a caption file goes through every format without an internal error."""

from __future__ import annotations

import json
from pathlib import Path

import pysubs2
import pytest
from click.testing import CliRunner

from toolkit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples" / "tucker_lavrov.txt"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("fmt", ["ttml", "scc", "ass", "ssa"])
def test_convert_writes_and_reads_each_delivery_format(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"tl.{fmt}"
    code, text = run("convert", str(SEED), "-o", str(out))
    assert code == 0, text
    back = tmp_path / "back.json"
    code, text = run("convert", str(out), "-o", str(back))
    assert code == 0, text
    data = json.loads(back.read_text(encoding="utf-8"))
    assert data["source"]["kind"] == fmt and len(data["cues"]) >= 1000
    assert data["cues"][0]["text"].startswith(("Minister Lavrov", "TUCKER: Minister Lavrov"))
    code, text = run("validate", str(out))
    assert code == 0, text  # warnings (reading speed) but no error


def test_ass_is_read_back_by_pysubs2_with_speakers(tmp_path: Path) -> None:
    out = tmp_path / "tl.ass"
    assert run("convert", str(SEED), "-o", str(out), "-q")[0] == 0
    subs = pysubs2.load(str(out))
    assert {e.name for e in subs.events} >= {"Tucker", "Sergey Lavrov"}


def test_a_caption_file_converts_to_every_format(tmp_path: Path) -> None:
    src = tmp_path / "in.srt"
    src.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\n{\\an8}<i>Top</i> line\n\n"
        "2\n00:00:03,500 --> 00:00:05,000\n"
        "“Curly” quotes — and a line that is longer than thirty-two columns\n",
        encoding="utf-8",
    )
    for fmt in ("ttml", "scc", "ass", "ssa"):
        report = tmp_path / f"{fmt}.json"
        code, text = run("convert", str(src), "-o", str(tmp_path / f"o.{fmt}"), "--report", str(report))
        assert code == 0, text
        codes = {f["code"] for f in json.loads(report.read_text(encoding="utf-8"))["findings"]}
        if fmt == "scc":
            assert "C015" in codes  # characters mapped and the line re-wrapped to 32 columns, said so


def test_validate_checks_the_imsc_profile(tmp_path: Path) -> None:
    ours = tmp_path / "ours.ttml"
    assert run("convert", str(SEED), "-o", str(ours), "-q")[0] == 0
    assert "C016" not in run("validate", str(ours))[1]  # captionkit's TTML names IMSC 1.1 Text
    plain = tmp_path / "plain.ttml"
    plain.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<tt xmlns="http://www.w3.org/ns/ttml" xml:lang="en"><body><div>'
        '<p begin="00:00:01.000" end="00:00:02.000">Hello</p></div></body></tt>\n',
        encoding="utf-8",
    )
    code, out = run("validate", str(plain))
    assert code == 0 and "C016 warning" in out and "IMSC" in out
