"""`captionkit repair`: writes the input's layout, never over the input, a JSON report, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.parse import read_document

SEED = Path(__file__).resolve().parent.parent / "samples" / "tucker_lavrov.txt"


def test_repair_writes_layout_and_report(tmp_path: Path) -> None:
    out, report = tmp_path / "fixed.txt", tmp_path / "report.json"
    res = CliRunner().invoke(cli, ["repair", str(SEED), "-o", str(out), "--report", str(report)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Tucker [00:00:00] Minister Lavrov, thank you for doing this.")
    assert "Sergey Lavrov [00:43:09]" not in text and "\nLavrov [" not in text
    assert read_document(out).layout == "name-bracket-time"
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [(c["kind"], c["lines"], c["kept_line"]) for c in data["changes"]] == [
        ("speaker", [117, 121], None),
        ("duplicate", [123], 119),
        ("duplicate", [125], 121),
        ("duplicate", [127], 123),
    ]
    assert data["turns_in"] == 87 and data["turns_out"] == 85
    assert {f["code"] for f in data["findings"]} >= {"P005", "T002", "T005", "T004"}
    assert f"{SEED}:125: T002 warning: removed duplicate" in res.stderr


def test_repair_of_repaired_changes_nothing(tmp_path: Path) -> None:
    once, twice = tmp_path / "once.txt", tmp_path / "twice.txt"
    assert CliRunner().invoke(cli, ["repair", str(SEED), "-o", str(once), "-q"]).exit_code == 0
    res = CliRunner().invoke(cli, ["repair", str(once), "-o", str(twice)])
    assert res.exit_code == 0 and twice.read_text(encoding="utf-8") == once.read_text(encoding="utf-8")
    assert "0 changes" in res.stderr


def test_never_overwrites_input(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    shutil.copy(SEED, src)
    before = src.read_bytes()
    res = CliRunner().invoke(cli, ["repair", str(src), "-o", str(src)])
    assert res.exit_code == 1 and "refusing to overwrite an input file" in res.output
    assert src.read_bytes() == before


def test_usage_and_input_errors(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["repair", str(SEED)]).exit_code == 2  # -o missing
    res = CliRunner().invoke(cli, ["repair", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "o.txt")])
    assert res.exit_code == 1 and "no such file" in res.output and "Traceback" not in res.output


def test_speakers_mapping_file(tmp_path: Path) -> None:
    mapping = tmp_path / "speakers.txt"
    mapping.write_text("Tucker = Tucker Carlson\n", encoding="utf-8")
    out = tmp_path / "o.txt"
    res = CliRunner().invoke(cli, ["repair", str(SEED), "-o", str(out), "--speakers", str(mapping), "-q"])
    assert res.exit_code == 0, res.output
    speakers = {t.speaker for t in read_document(out).turns}
    assert speakers == {"Tucker Carlson", "Sergey Lavrov"}
