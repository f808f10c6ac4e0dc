"""`captionkit validate`: output, exit codes, selection, JSON schema, rule listing (in-process and -m)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import toolkit.cli.validate as cli_validate
from toolkit.cli import cli
from toolkit.model import Document, Finding
from toolkit.rules import RULES, finding, rules_markdown

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "validate"
CLEAN, WARNINGS, ERRORS = str(FIX / "clean.srt"), str(FIX / "warnings.vtt"), str(FIX / "errors.srt")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def as_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(*args, "--format", "json")
    return code, json.loads(out)


def test_clean_file_exits_0() -> None:
    code, out, _ = run(CLEAN)
    assert code == 0
    assert out.endswith("1 file checked: 0 errors, 0 warnings, 0 notes\n")


def test_errors_exit_1_with_golden_text_output() -> None:
    code, out, _ = run(ERRORS)
    assert code == 1
    assert out == (
        f"{ERRORS}:6: C007 error: cue 2 starts at 00:00:03.500, 500 ms before cue 1 ends (00:00:04)\n"
        f"{ERRORS}:10: C009 error: cue 3 ends before its start (00:00:08,000 --> 00:00:07,000)\n"
        f"{ERRORS}:14: C011 error: cue 4: '00:00:09.000' is not a valid time in SRT (hh:mm:ss,mmm)\n"
        "\n"
        f"{ERRORS} (srt): 3 errors, 0 warnings, 0 notes\n"
        "1 file checked: 3 errors, 0 warnings, 0 notes\n"
    )


def test_warnings_exit_0_but_1_with_strict() -> None:
    code, out, _ = run(WARNINGS)
    assert code == 0
    assert [ln.split(": ")[1].split()[0] for ln in out.splitlines() if ": C0" in ln] == [
        "C001",
        "C004",
        "C013",
    ]
    assert run(WARNINGS, "--strict")[0] == 1
    assert run(CLEAN, "--strict")[0] == 0


def test_findings_sorted_by_file_then_line_with_summaries(tmp_path: Path) -> None:
    code, out, _ = run(WARNINGS, ERRORS, CLEAN)
    assert code == 1
    lines = out.splitlines()
    finding_lines = lines[: lines.index("")]
    keys = [(ln.split(":")[0], int(ln.split(":")[1])) for ln in finding_lines]
    assert keys == sorted(keys)
    assert lines[-4:] == [
        f"{CLEAN} (srt): 0 errors, 0 warnings, 0 notes",
        f"{ERRORS} (srt): 3 errors, 0 warnings, 0 notes",
        f"{WARNINGS} (vtt): 0 errors, 3 warnings, 0 notes",
        "3 files checked: 3 errors, 3 warnings, 0 notes",
    ]


def test_missing_and_binary_files_exit_2_and_the_others_are_still_checked(tmp_path: Path) -> None:
    binary = tmp_path / "video.srt"
    binary.write_bytes(bytes(range(256)) * 8)
    missing = str(tmp_path / "missing.srt")
    code, out, _ = run(missing, str(binary), ERRORS)
    assert code == 2
    assert f"{missing}:0: P000 error: no such file" in out
    assert f"{binary}:0: P000 error: looks like a binary file, not text" in out
    assert f"{ERRORS}:6: C007 error" in out  # still checked
    assert out.endswith("3 files checked: 5 errors, 0 warnings, 0 notes; 2 files could not be read\n")
    code, data = as_json(missing, CLEAN)
    assert code == 2
    first = data["files"][1] if data["files"][0]["path"] == CLEAN else data["files"][0]
    assert first["error"] == "no such file" and first["kind"] is None
    assert [f["code"] for f in first["findings"]] == ["P000"]
    assert data["counts"]["unreadable"] == 1


def test_json_schema(tmp_path: Path) -> None:
    code, data = as_json(ERRORS, CLEAN, "--duration", "0:00:10")
    assert code == 1
    assert set(data) == {"version", "captionkit", "profile", "duration_ms", "files", "counts"}
    assert data["version"] == 1 and data["duration_ms"] == 10_000
    assert data["profile"]["name"] == "netflix" and data["profile"]["max_chars_per_line"] == 42
    assert [f["path"] for f in data["files"]] == [CLEAN, ERRORS]
    errors = data["files"][1]
    assert set(errors) == {"path", "kind", "error", "counts", "findings"}
    assert errors["kind"] == "srt" and errors["error"] is None
    assert errors["counts"] == {"error": 4, "warning": 0, "info": 0}
    c007 = errors["findings"][0]
    assert c007 == {
        "code": "C007",
        "severity": "error",
        "path": ERRORS,
        "line": 6,
        "cue": 2,
        "message": "cue 2 starts at 00:00:03.500, 500 ms before cue 1 ends (00:00:04)",
        "data": {"start_ms": 3500, "overlap_ms": 500, "other_cue": 1, "other_end_ms": 4000},
    }
    c014 = [f for f in errors["findings"] if f["code"] == "C014"]
    assert [(f["cue"], f["data"]["past_ms"]) for f in c014] == [(4, 1000)]
    assert data["counts"] == {"error": 4, "warning": 0, "info": 0, "files": 2, "unreadable": 0}


def test_select_and_ignore_take_codes_and_prefixes() -> None:
    def codes(*args: str) -> list[str]:
        _, data = as_json(ERRORS, WARNINGS, *args)
        return sorted(f["code"] for r in data["files"] for f in r["findings"])

    assert codes() == ["C001", "C004", "C007", "C009", "C011", "C013"]
    assert codes("--select", "C00") == ["C001", "C004", "C007", "C009"]
    assert codes("--select", "c007,C013") == ["C007", "C013"]
    assert codes("--ignore", "C00") == ["C011", "C013"]
    assert codes("--select", "C", "--ignore", "C007,C009,C011") == ["C001", "C004", "C013"]
    assert run(ERRORS, "--ignore", "C007,C009,C011")[0] == 0


@pytest.mark.parametrize(
    "args",
    [
        (),  # no files
        (CLEAN, "--select", "X9"),  # matches no rule
        (CLEAN, "--ignore", "C999"),
        (CLEAN, "--format", "markdown"),  # only with --list-rules
        (CLEAN, "--profile", "cinema"),
        (CLEAN, "--duration", "soon"),
        (CLEAN, "--min-duration", "8000"),  # not below the maximum
    ],
)
def test_usage_errors_exit_2(args: Sequence[str]) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == "" and "Error" in err


def test_profile_and_overrides_change_the_limits() -> None:
    assert run(WARNINGS, "--profile", "relaxed", "--strict")[0] == 1  # C013 is not a profile limit
    _, data = as_json(WARNINGS, "--profile", "relaxed")
    assert [f["code"] for f in data["files"][0]["findings"]] == ["C013"]
    _, data = as_json(WARNINGS, "--max-chars", "50", "--min-duration", "500")
    assert [f["code"] for f in data["files"][0]["findings"]] == ["C013"]


def test_media_without_the_media_module_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_validate, "media_checker", lambda: None)
    code, _, err = run(CLEAN, "--media", "talk.mp4")
    assert code == 2 and "toolkit.validate.media_checks.media_findings" in err


def test_media_findings_come_from_the_media_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    def media_findings(doc: Document, media_path: str, audio_stream: str | None = None) -> list[Finding]:
        seen.append((doc.path, media_path))
        return [finding("M001", "no speech near 00:00:01", line=2)]

    import toolkit.validate.files as engine

    monkeypatch.setattr(cli_validate, "media_checker", lambda: media_findings)
    monkeypatch.setattr(engine, "media_checker", lambda: media_findings)
    code, data = as_json(CLEAN, "--media", "talk.mp4")
    assert code == 0
    assert seen == [(CLEAN, "talk.mp4")]
    assert [(f["code"], f["path"], f["line"]) for f in data["files"][0]["findings"]] == [("M001", CLEAN, 2)]
    assert run(CLEAN, WARNINGS, "--media", "talk.mp4")[0] == 2  # one file only


def test_list_rules_text_markdown_json() -> None:
    code, out, _ = run("--list-rules")
    assert code == 0 and len(out.splitlines()) == len(RULES)
    code, out, _ = run("--list-rules", "--format", "markdown")
    assert code == 0 and out == rules_markdown()
    code, out, _ = run("--list-rules", "--format", "json", "--select", "C01")
    assert [r["code"] for r in json.loads(out)] == ["C010", "C011", "C012", "C013", "C014", "C015", "C016"]


def test_help_documents_schema_and_exit_codes() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for text in ('"version": 1', '"findings"', "Exit status", "--strict", "Example:"):
        assert text in out


def test_python_m_toolkit_validate() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "validate", ERRORS, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert [f["code"] for f in data["files"][0]["findings"]] == ["C007", "C009", "C011"]


def test_stdin_is_read_for_dash() -> None:
    text = Path(ERRORS).read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "-", "--format", "json"], input=text)
    assert result.exit_code == 1
    (report,) = json.loads(result.stdout)["files"]
    assert (report["path"], report["kind"]) == ("<stdin>", "srt")  # kind from the content
    assert [f["code"] for f in report["findings"]] == ["C007", "C009", "C011"]


def test_a_folder_gives_its_caption_and_text_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.srt").write_text(Path(CLEAN).read_text())
    (tmp_path / "b.vtt").write_text(Path(WARNINGS).read_text())
    (tmp_path / "video.mp4").write_bytes(b"\x00" * 64)  # not a caption or text file: skipped
    code, data = as_json(str(tmp_path))
    assert code == 0
    assert [f["path"] for f in data["files"]] == [str(tmp_path / "b.vtt"), str(tmp_path / "sub" / "a.srt")]


def test_public_api_is_exported() -> None:
    import toolkit.validate as validate

    assert sorted(validate.__all__) == sorted(set(validate.__all__))
    assert all(hasattr(validate, name) for name in validate.__all__)
    assert {"validate_paths", "validate_file", "validate_text", "ValidationReport", "FileReport"} <= set(
        validate.__all__
    )


def test_parser_notes_kept_unless_a_caption_rule_says_it_better() -> None:
    messy = str(FIX / "messy.srt")
    _, data = as_json(messy)
    got = [(f["line"], f["code"]) for f in data["files"][0]["findings"]]
    # P006 for what only the parser sees (text before the first cue, no index, blank line in text); the
    # parser's notes on cue 3 (no text), cue 4 (backwards, dot separator) give way to C010, C009, C011
    assert got == [
        (1, "P006"),
        (3, "P006"),
        (7, "P006"),
        (13, "C004"),
        (13, "C010"),
        (16, "C009"),
        (16, "C011"),
    ]


def test_language_picks_the_chinese_profile_unless_one_is_given(tmp_path: Path) -> None:
    from toolkit.cli import cli

    srt = tmp_path / "zh.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:05,000\n今天我们要讨论的是文艺复兴时期的印刷商和他们的书\n",
        encoding="utf-8",
    )

    def codes(*extra: str) -> list[str]:
        res = CliRunner().invoke(cli, ["validate", str(srt), "--format", "json", *extra])
        return [f["code"] for f in json.loads(res.output)["files"][0]["findings"]]

    assert codes() == []  # 24 characters fit an English line of 42
    assert codes("--language", "zh") == ["C001"]  # Netflix's Chinese guide: 16 a line
    assert codes("--language", "zh", "--profile", "netflix") == []  # a profile given wins


def test_the_lazily_loaded_names_are_the_files_module_s() -> None:
    # toolkit.validate names validate.files' functions without importing it (start-up): the two lists agree
    import toolkit.validate as validate
    import toolkit.validate.files as files

    assert set(validate._FILES) == set(files.__all__) - {"MediaCheck"}
    assert all(getattr(validate, name) is getattr(files, name) for name in validate._FILES)
