"""The rule table: codes stable, checks wired, and the README's rule list generated from it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.model import Severity
from toolkit.rules import (
    README_END,
    README_START,
    RULES,
    RULES_BY_CODE,
    finding,
    main,
    rules_json,
    rules_markdown,
    rules_text,
)

ROOT = Path(__file__).resolve().parent.parent

# Codes other stages already emit: their severity must not change under them.
STABLE = {
    "P001": "info", "P002": "info", "P003": "error", "P004": "warning", "P005": "info", "P006": "warning",
    "T001": "error", "T002": "warning", "T003": "warning", "T004": "info", "T005": "warning", "T006": "error",
    "T007": "warning", "T008": "warning",
    "C001": "warning", "C002": "warning", "C003": "warning", "C004": "warning", "C005": "warning",
    "C006": "warning", "C007": "error", "C008": "error", "C009": "error", "C010": "error", "C011": "error",
    "C012": "error", "C013": "warning", "C014": "error",
    "M001": "warning", "M002": "warning", "M003": "warning", "M004": "info", "M005": "warning",
    "M006": "warning", "M007": "warning", "A001": "warning", "A002": "info",
}  # fmt: skip


def test_existing_codes_keep_their_severity() -> None:
    assert {code: RULES_BY_CODE[code].severity.value for code in STABLE} == STABLE


def test_codes_are_unique_well_formed_and_grouped() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[PTCMA]\d{3}", c) for c in codes)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", r.name) for r in RULES)
    assert {r.applies_to for r in RULES} <= {"transcript", "captions", "both", "media"}
    assert all(r.description.endswith(".") and "|" not in r.description for r in RULES)


def test_check_column_points_at_real_functions() -> None:
    import toolkit.checks.caption_rules as captions

    checked = [r for r in RULES if r.check is not None]
    assert {r.code for r in checked} == {f"C{n:03d}" for n in range(1, 15)}
    for r in checked:
        assert r.check is not None
        assert callable(getattr(captions, r.check)), r.code
        assert captions.CHECKS[r.check] is getattr(captions, r.check)


def test_finding_factory_signature_and_defaults() -> None:
    f = finding("C007", "overlap", path="a.srt", line=3, cue=2, overlap_ms=40)
    assert (f.code, f.severity, f.path, f.line, f.cue, dict(f.data)) == (
        "C007", Severity.ERROR, "a.srt", 3, 2, {"overlap_ms": 40}
    )  # fmt: skip
    assert finding("C007", "x", severity=Severity.WARNING).severity is Severity.WARNING
    with pytest.raises(KeyError):
        finding("X999", "not catalogued")


def test_markdown_table_has_one_row_per_rule() -> None:
    table = rules_markdown()
    rows = table.strip().split("\n")
    assert rows[0] == "| code | severity | name | applies to | description |"
    assert len(rows) == 2 + len(RULES)
    c003 = rows[2 + [r.code for r in RULES].index("C003")]
    assert c003 == "| C003 | warning | reading-speed | captions | " + RULES_BY_CODE["C003"].description + " |"
    assert rules_markdown(["C001"]).count("\n") == 3


def test_text_and_json_listings() -> None:
    lines = rules_text().splitlines()
    assert len(lines) == len(RULES)
    assert lines[0].split()[:3] == ["P000", "error", "unreadable-file"]
    data = rules_json()
    assert [d["code"] for d in data] == [r.code for r in RULES]
    c001 = next(d for d in data if d["code"] == "C001")
    assert c001["check"] == "toolkit.checks.caption_rules.check_line_length"
    assert next(d for d in data if d["code"] == "T003")["check"] is None


def test_main_prints_the_readme_block(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--markdown"])
    out = capsys.readouterr().out
    assert out == f"{README_START}\n{rules_markdown()}{README_END}\n"
    main(["--json"])
    assert len(json.loads(capsys.readouterr().out)) == len(RULES)


def test_python_m_toolkit_rules() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit.rules", "--markdown"], capture_output=True, text=True, cwd=ROOT,
        timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(README_START) and rules_markdown() in proc.stdout


def test_readme_rule_table_matches_the_generator() -> None:
    """README.md carries the generated table between the markers; regenerate with
    ``python -m toolkit.rules --markdown`` and paste it over the old block."""
    readme = ROOT / "README.md"
    assert readme.exists(), "README.md is missing"
    text = readme.read_text(encoding="utf-8")
    assert README_START in text and README_END in text, (
        f"README.md has no rule table: paste the output of `python -m toolkit.rules --markdown` "
        f"({README_START} ... {README_END})"
    )
    block = text.split(README_START, 1)[1].split(README_END, 1)[0]
    assert block.strip() == rules_markdown().strip(), (
        "README rule table is out of date: regenerate it with `python -m toolkit.rules --markdown`"
    )
