"""The command line: in-process (click's runner) and as `python -m toolkit`; errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pysrt
import pytest
import webvtt
from click.testing import CliRunner

from toolkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "tucker_lavrov.txt"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_every_command_is_documented_with_an_example() -> None:
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    assert names == ["convert", "mux", "repair", "review", "sync", "validate"]
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None, name
        assert command.help, name
        assert "Example:" in command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"


def test_convert_seed_to_srt_vtt_json(tmp_path: Path) -> None:
    srt, vtt, js = tmp_path / "i.srt", tmp_path / "i.vtt", tmp_path / "i.json"
    for out in (srt, vtt, js):
        code, _, err = run("convert", str(SEED), "-o", str(out))
        assert code == 0, err
        assert "tucker_lavrov.txt:" in err  # the summary line names the input
    subs = pysrt.open(str(srt), error_handling=pysrt.ERROR_RAISE)
    captions = webvtt.read(str(vtt))
    data = json.loads(js.read_text())
    assert len(subs) == len(captions) == len(data["cues"]) > 500
    assert data["cues"][0]["speaker"] == "Tucker"
    assert data["cues"][0]["start_ms"] == 0
    assert {f["code"] for f in data["findings"]} >= {"P001", "T002"}
    # the article above the transcript quotes an answer; it is page text, not a cue
    assert not any("NON-NATO NEUTRALITY" in c["text"] for c in data["cues"])


def test_stdout_and_to(tmp_path: Path) -> None:
    code, out, _ = run("convert", str(SEED), "-o", "-", "--to", "vtt", "-q")
    assert code == 0 and out.startswith("WEBVTT")
    assert "<v Tucker>" in out


def test_python_dash_m_runs_the_same_cli(tmp_path: Path) -> None:
    out = tmp_path / "seed.srt"
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "convert", str(SEED), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert pysrt.open(str(out), error_handling=pysrt.ERROR_RAISE)[0].start.ordinal == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("binary.txt", bytes(range(256)) * 8, "binary"),
        ("empty.txt", b"", "empty"),
        ("untimed.txt", b"Tucker: hello there.\nLavrov: good morning.\n", "timestamp"),
    ],
)
def test_bad_input_is_one_line_error_and_writes_nothing(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / "out.srt"
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "convert", str(src), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and message in lines[0].lower()
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_missing_input_and_usage_errors() -> None:
    code, _, err = run("convert", "nope.txt", "-o", "x.srt")
    assert code == 1 and "nope.txt: no such file" in err
    code, _, err = run("convert", str(SEED), "-o", "x.docx")
    assert code == 2 and "output format" in err
    code, _, err = run("convert", str(SEED), "--to", "docx")
    assert code == 2


def test_refuses_to_overwrite_the_input(tmp_path: Path) -> None:
    src = tmp_path / "captions.srt"
    src.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello.\n", encoding="utf-8")
    code, _, err = run("convert", str(src), "-o", str(src))
    assert code == 1 and "overwrite an input" in err
    assert src.read_text(encoding="utf-8") == "1\n00:00:01,000 --> 00:00:02,000\nHello.\n"


def test_speakers_mapping_overrides_the_merge(tmp_path: Path) -> None:
    mapping = tmp_path / "speakers.txt"
    mapping.write_text("Lavrov = Sergei Lavrov\nSergey Lavrov = Sergei Lavrov\n", encoding="utf-8")
    code, out, _ = run("convert", str(SEED), "--speakers", str(mapping), "-o", "-", "--to", "json", "-q")
    assert code == 0
    speakers = {c["speaker"] for c in json.loads(out)["cues"]}
    assert speakers == {"Tucker", "Sergei Lavrov"}


def test_convert_groups_many_caption_findings_of_one_code() -> None:
    from toolkit.cli.console import GROUP_AFTER, finding_lines
    from toolkit.rules import finding

    few = [finding("C003", f"cue {i}: too fast", path="a.txt", line=i, cue=i) for i in range(GROUP_AFTER)]
    many = [finding("C004", f"cue {i}: too short", path="a.txt", line=i, cue=i) for i in range(1, 8)]
    dup = finding("T002", "removed duplicate", path="a.txt", line=9)
    lines = finding_lines([*few, dup, *many])
    assert lines[: GROUP_AFTER + 1] == [f.format() for f in [*few, dup]]
    assert lines[GROUP_AFTER + 1 :] == [
        "a.txt: C004 warning: 7 cues (too-short): cues 1, 2, 3, 4, 5, ...; first: cue 1: too short "
        "(all of them in --report)"
    ]


def test_grouped_findings_that_each_name_several_cues_count_the_cues(tmp_path: Path) -> None:
    src = tmp_path / "ass.srt"
    src.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\n{\\fad(200,200)}{\\blur3}Hello there.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\n{\\blur3}Second line.\n\n"
        "3\n00:00:07,000 --> 00:00:09,000\n{\\fad(9,9)}Third.\n\n"
        "4\n00:00:10,000 --> 00:00:12,000\n{\\pos(1,1)}Fourth.\n\n"
        "5\n00:00:13,000 --> 00:00:15,000\nPlain.\n",
        encoding="utf-8",
    )
    code, _, err = run("convert", str(src), "-o", str(tmp_path / "out.vtt"))
    assert code == 0
    grouped = [ln for ln in err.splitlines() if " C015 " in ln]
    assert len(grouped) == 1 and "C015 warning: 4 cues (not-in-target-format): cues 1, 2, 3, 4;" in grouped[0]


def test_many_turns_without_a_timestamp_are_one_line() -> None:
    from toolkit.cli.console import finding_lines
    from toolkit.rules import finding

    found = [finding("P004", "turn has no timestamp", path="m.txt", line=i) for i in range(3, 10)]
    lines = finding_lines(found)
    assert lines == [
        "m.txt: P004 warning: 7 turns (turn-without-timestamp): lines 3, 4, 5, 6, 7, ...; first: turn has no "
        "timestamp (all of them in --report)"
    ]


def test_a_caption_files_json_cues_list_every_voice(tmp_path: Path) -> None:
    src = tmp_path / "voices.vtt"
    src.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
        "<v.first.loud Esme Jones>A blue tree!\n<v Mary>No, green.\n\n"
        "00:00:05.000 --> 00:00:07.000\n<v Mary>See?\n\n00:00:08.000 --> 00:00:09.000\nNobody.\n",
        encoding="utf-8",
    )
    code, out, _ = run("convert", str(src), "-o", "-", "--to", "json", "-q")
    assert code == 0
    cues = json.loads(out)["cues"]
    assert [(c["speaker"], c["speakers"]) for c in cues] == [
        ("Esme Jones", ["Esme Jones", "Mary"]),
        ("Mary", ["Mary"]),
        (None, []),
    ]


def test_an_internal_error_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import toolkit.cli.convert as convert_cmd

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(convert_cmd, "convert_file", broken)
    code, _, err = run("convert", str(SEED), "-o", "-")
    assert code == 1
    assert err.strip().splitlines() == [
        "Error: internal error: RuntimeError: boom (a bug in captionkit; -vv shows the traceback)"
    ]


def test_output_format_must_match_the_file_and_report_cannot_clobber_it(tmp_path: Path) -> None:
    out = tmp_path / "a.srt"
    code, _, err = run("convert", str(SEED), "--to", "vtt", "-o", str(out))
    assert code == 2 and "does not match" in err and not out.exists()
    code, _, err = run("convert", str(SEED), "-o", str(out), "--report", str(out))
    assert code == 1 and "overwrite" in err and not out.exists()  # exit 1: nothing written
    out.write_text("1\n00:00:00,000 --> 00:00:01,000\nKept.\n", encoding="utf-8")
    code, _, err = run("convert", str(SEED), "-o", str(out), "--report", str(out))
    assert code == 1 and "overwrite" in err
    assert pysrt.open(str(out), error_handling=pysrt.ERROR_RAISE)[0].text == "Kept."  # the file is untouched


def test_sync_keeps_the_input_format() -> None:
    media = ROOT / "samples" / "media"
    code, _, err = run(
        "sync", str(media / "interview.late.srt"), "--media", str(media / "interview.mp4"), "-o", "x.vtt"
    )
    assert code == 2 and "'.srt'" in err


def test_convert_reads_standard_input() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "convert", "-", "-o", "-", "--to", "srt", "-q"],
        input=(ROOT / "samples" / "layouts" / "otter.txt").read_bytes(),
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"1\n00:00:00,000 --> ")


def test_validate_a_folder_with_nothing_to_check_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path))
    assert code == 2 and "no transcript or caption files" in err
