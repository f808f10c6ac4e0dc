"""Transcript validation: parser findings plus toolkit.repair.analyse, and the seed interview."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.model import Document, Finding
from toolkit.profiles import get_profile
from toolkit.rules import finding
from toolkit.validate import parse_codes, validate_file, validate_paths

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "validate"
INTERVIEW, NOTIMES = str(FIX / "interview.txt"), str(FIX / "notimes.txt")
SEED = str(ROOT / "samples" / "tucker_lavrov.txt")
NETFLIX = get_profile("netflix")


class FakeAnalyse:
    """Stands in for toolkit.repair.analyse: records its calls, returns fixed findings."""

    def __init__(self, findings: Sequence[Finding] = ()) -> None:
        self.findings = tuple(findings)
        self.calls: list[tuple[Document, int | None]] = []

    def __call__(self, doc: Document, *, duration_ms: int | None = None) -> tuple[Finding, ...]:
        self.calls.append((doc, duration_ms))
        return self.findings


@pytest.fixture
def fake_analyse(monkeypatch: pytest.MonkeyPatch) -> FakeAnalyse:
    fake = FakeAnalyse(
        [
            finding("T004", "Lavrov has two turns in a row", line=9),
            finding("T006", "00:00:30 is after the media ends", line=9, path=INTERVIEW),
        ]
    )
    monkeypatch.setattr("toolkit.validate.files.analyse", fake)
    return fake


def test_parser_and_analyse_findings_are_merged_sorted_and_located(fake_analyse: FakeAnalyse) -> None:
    report = validate_file(INTERVIEW, profile=NETFLIX, duration_ms=20_000)
    assert report.kind == "transcript" and report.error is None
    assert [(f.code, f.line, f.path) for f in report.findings] == [
        ("P001", 1, INTERVIEW),  # page text (parser)
        ("P003", 7, INTERVIEW),  # [00:61:00] (parser)
        ("T004", 9, INTERVIEW),  # analyse, path filled in
        ("T006", 9, INTERVIEW),
    ]
    (doc, duration), *_ = fake_analyse.calls
    assert duration == 20_000 and doc.path == INTERVIEW and len(doc.turns) == 4
    assert report.counts == {"error": 2, "warning": 0, "info": 2}


def test_transcript_select_ignore_and_exit_codes(fake_analyse: FakeAnalyse) -> None:
    report = validate_paths(
        [INTERVIEW], profile=NETFLIX, select=parse_codes("P,T00"), ignore=parse_codes("T006,P001")
    )
    assert [f.code for f in report.findings] == ["P003", "T004"]
    assert report.exit_code() == 1
    only_info = validate_paths([INTERVIEW], profile=NETFLIX, select=parse_codes("P001,T004"))
    assert only_info.exit_code(strict=True) == 0


def test_transcript_text_output(fake_analyse: FakeAnalyse) -> None:
    result = CliRunner().invoke(cli, ["validate", INTERVIEW, "--ignore", "T006"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:3] == [
        f"{INTERVIEW}:1: P001 info: page text before the transcript: lines 1-2 are not transcript turns "
        "and were dropped",
        f"{INTERVIEW}:7: P003 error: timestamp [00:61:00] cannot be a time: "
        "timestamp '00:61:00' has 61 minutes",
        f"{INTERVIEW}:9: T004 info: Lavrov has two turns in a row",
    ]
    assert result.stdout.endswith(
        f"{INTERVIEW} (transcript): 1 error, 0 warnings, 2 notes\n"
        + "1 file checked: 1 error, 0 warnings, 2 notes\n"
    )


def test_a_file_without_timestamps_cannot_be_checked(fake_analyse: FakeAnalyse) -> None:
    report = validate_paths([NOTIMES, INTERVIEW], profile=NETFLIX)
    bad = report.files[1]
    assert bad.path == NOTIMES and bad.kind is None
    assert bad.error is not None and "no timestamps" in bad.error
    assert [f.code for f in bad.findings] == ["P000"]
    assert report.files[0].findings  # the other file was still checked
    assert report.exit_code() == 2


# --- the seed interview, with the real toolkit.repair.analyse ------------------------------------------

# Turns of 300 words and more: long answers at an ordinary pace; nothing should be reported on them.
MONOLOGUES = (53, 57, 89, 97, 143, 147, 159, 183, 211)


def seed_findings(*args: str) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(cli, ["validate", SEED, "--format", "json", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    data = json.loads(result.stdout)
    return result.exit_code, data["files"][0]["findings"]


def test_seed_interview_findings_a_person_would_agree_with() -> None:
    code, found = seed_findings()
    by_code: dict[str, list[dict[str, Any]]] = {}
    for f in found:
        by_code.setdefault(f["code"], []).append(f)
    # the page text above and below the interview
    assert [f["line"] for f in by_code["P001"]] == [1, 221]
    # the exchange at 00:42:28-00:43:26 is pasted twice
    assert any(119 <= f["line"] <= 127 for f in by_code["T002"]), by_code.get("T002")
    # ... and the copy carries its own time base, about 37 s later, until line 129
    assert any(123 <= f["line"] <= 129 for f in by_code["T005"]), by_code.get("T005")
    # "Lavrov" and "Sergey Lavrov" are one speaker
    assert any("Lavrov" in f["message"] for f in by_code["P005"])
    # no timestamp goes backwards, none is past the end of an 81-minute video
    assert "T001" not in by_code and "T006" not in by_code
    # nothing on the long monologues
    assert [f for f in found if f["line"] in MONOLOGUES] == []
    assert code == 0  # warnings and notes only


def test_seed_interview_against_a_shorter_media_duration() -> None:
    code, found = seed_findings("--duration", "1:20:00", "--select", "T006")
    assert code == 1
    assert [f["line"] for f in found] == [213, 215, 217, 219]  # the turns from 01:20:34 on


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_converting_the_seed_gives_captions_that_validate_without_errors(fmt: str) -> None:
    """convert's output, checked by validate: valid syntax and timing, and within the layout limits."""
    from toolkit.pipeline import ConvertOptions, convert_file, render
    from toolkit.validate import validate_text

    duration = 4_877_000  # 1:21:17
    result = convert_file(SEED, ConvertOptions(profile=NETFLIX, duration_ms=duration))
    report = validate_text(render(result, fmt), path=f"seed.{fmt}", profile=NETFLIX, duration_ms=duration)
    assert report.kind == fmt
    assert report.counts["error"] == 0, [f.format() for f in report.findings if f.severity.value == "error"]
    layout = [f.format() for f in report.findings if f.code in ("C001", "C002", "C005", "C006", "C013")]
    assert layout == []
