"""Batch conversion end to end: the real pipeline, through the command line, on real transcripts.

Inputs are slices of the seed interview (``samples/tucker_lavrov.txt``), shifted and with renamed
speakers; every SRT/WebVTT written is re-read by independent parsers (pysrt in strict mode, webvtt-py).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pysrt
import pytest
import webvtt
from click.testing import CliRunner

from toolkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "tucker_lavrov.txt"
TURN = re.compile(r"^(?P<speaker>[^\[\n]+?) \[(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)\] (?P<text>.*)$")


def seed_turns() -> list[tuple[str, int, str]]:
    turns = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        m = TURN.match(line)
        if m:
            turns.append((m["speaker"], int(m["h"]) * 3600 + int(m["m"]) * 60 + int(m["s"]), m["text"]))
    return turns


TURNS = seed_turns()


def interview(i: int, size: int = 12) -> str:
    """A different slice of the seed for each ``i``, shifted by some seconds, speakers renamed."""
    rng = random.Random(i)
    start = rng.randint(0, len(TURNS) - size)
    part = TURNS[start : start + size]
    shift = rng.randint(0, 300) - part[0][1]
    names = {"Tucker": rng.choice(["Tucker", "Host"]), "Sergey Lavrov": "Lavrov", "Lavrov": "Lavrov"}
    lines = []
    for speaker, seconds, text in part:
        t = seconds + shift
        lines.append(
            f"{names.get(speaker, speaker)} [{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}] {text}\n"
        )
    return "\n".join(lines)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def check_captions(folder: Path) -> int:
    """Every SRT and WebVTT under ``folder`` parses with an independent reader; returns the cue count."""
    cues = 0
    for srt in folder.rglob("*.srt"):
        subs = pysrt.open(str(srt), error_handling=pysrt.ERROR_RAISE)
        vtt = webvtt.read(str(srt.with_suffix(".vtt")))
        assert len(subs) == len(vtt) > 0, srt
        cues += len(subs)
    return cues


def test_cli_mixed_folder_exits_1_and_reports_the_rest(tmp_path: Path) -> None:
    src, out, rep = tmp_path / "in", tmp_path / "out", tmp_path / "batch.json"
    (src / "season1" / "ep").mkdir(parents=True)
    (src / "season2").mkdir()
    (src / "pilot.txt").write_text(interview(1), encoding="utf-8")
    (src / "season1" / "ep" / "ep1.txt").write_text(interview(2), encoding="utf-8")
    (src / "season2" / "windows.txt").write_bytes(
        interview(3).replace("\n", "\r\n").encode("cp1252", "replace")
    )
    (src / "season2" / "empty.txt").write_bytes(b"")
    (src / "season2" / "notes.txt").write_text("Call notes: ask about the budget.\n", encoding="utf-8")
    (src / "season2" / "frame.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(512))
    (src / "season2" / "data.bin.txt").write_bytes(bytes(range(256)) * 4)
    code, err = run("convert", str(src), "--out-dir", str(out), "--to", "srt,vtt,json", "--jobs", "2",
                    "--report", str(rep))  # fmt: skip
    assert code == 1, err
    assert sorted(tree(out)) == [
        f"{name}.{fmt}"
        for name in ("pilot", "season1/ep/ep1", "season2/windows")
        for fmt in ("json", "srt", "vtt")
    ]
    assert check_captions(out) > 3 * 12
    data = json.loads(rep.read_text())
    outcome = {Path(f["input"]).relative_to(src).as_posix(): f["outcome"] for f in data["files"]}
    assert outcome == {
        "pilot.txt": "converted",
        "season1/ep/ep1.txt": "converted",
        "season2/data.bin.txt": "skipped",
        "season2/empty.txt": "failed",
        "season2/frame.jpg": "skipped",
        "season2/notes.txt": "failed",
        "season2/windows.txt": "converted",
    }
    windows = next(f for f in data["files"] if f["input"].endswith("windows.txt"))
    assert windows["findings"]["by_code"].get("P002") == 1  # read as cp1252, said so
    assert json.loads((out / "season2" / "windows.json").read_text())["source"]["encoding"] == "cp1252"
    assert data["totals"]["failed"] == 2 and data["totals"]["converted"] == 3
    assert f"{src}/season2/empty.txt: file is empty" in err.splitlines()
    assert any(line.startswith(f"{src}/season2/notes.txt: no timestamps") for line in err.splitlines())


def test_cli_jobs_1_and_2_write_byte_identical_trees(tmp_path: Path) -> None:
    src = tmp_path / "in"
    for i in range(6):
        folder = src / f"part{i % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"talk{i}.txt").write_text(interview(10 + i), encoding="utf-8")
    reports = []
    for jobs in ("1", "2"):
        rep = tmp_path / f"r{jobs}.json"
        out = tmp_path / f"out{jobs}"
        code, err = run("convert", str(src), "--out-dir", str(out), "--to", "srt,vtt,json", "--jobs", jobs,
                        "--report", str(rep), "-q")  # fmt: skip
        assert code == 0, err
        files = json.loads(rep.read_text())["files"]
        reports.append([{k: v for k, v in f.items() if k not in ("seconds", "outputs")} for f in files])
    assert tree(tmp_path / "out1") == tree(tmp_path / "out2")
    assert len(tree(tmp_path / "out1")) == 18
    assert reports[0] == reports[1]


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    (tmp_path / "emptydir").mkdir()
    assert run("convert", str(tmp_path / "emptydir"), "--out-dir", str(tmp_path / "o"))[0] == 2
    code, err = run("convert", str(SEED), "--out-dir", str(tmp_path / "afile"))
    assert code == 2 and "is a file" in err  # click checks it first; run_batch checks it too


def test_cli_glob_is_expanded_when_quoted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t" / "a").mkdir(parents=True)
    (tmp_path / "t" / "a" / "x.txt").write_text(interview(5), encoding="utf-8")
    (tmp_path / "t" / "y.txt").write_text(interview(6), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, err = run("convert", "t/**/*.txt", "--out-dir", "o", "-q")
    assert code == 0, err
    assert sorted(tree(tmp_path / "o")) == ["a/x.srt", "y.srt"]


def test_cli_killed_halfway_leaves_no_partial_output_and_resumes(
    tmp_path: Path, reap: Callable[[Any], None], group_alive: Callable[[int], bool]
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    n = 16
    for i in range(n):
        (src / f"i{i:02d}.txt").write_text(interview(100 + i, size=40), encoding="utf-8")
    cmd = [sys.executable, "-m", "toolkit", "convert", str(src), "--out-dir", str(out), "--to", "srt,vtt",
           "--jobs", "2", "-q"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    reap(proc)
    deadline = time.monotonic() + 50
    while not (out.exists() and any(out.glob("*.vtt"))):  # poll for the first complete outputs
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    while group_alive(proc.pid):  # orphaned workers finish the file they write, then exit
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert not [p.name for p in out.rglob("*") if p.name.endswith(".tmp")]
    written = tree(out)
    assert 0 < len(written) < 2 * n
    for srt in [p for p in out.glob("*.srt") if p.with_suffix(".vtt").exists()]:  # what is there is complete
        subs = pysrt.open(str(srt), error_handling=pysrt.ERROR_RAISE)
        assert len(subs) == len(webvtt.read(str(srt.with_suffix(".vtt")))) > 0
    rep = tmp_path / "r.json"
    code, err = run("convert", str(src), "--out-dir", str(out), "--to", "srt,vtt", "--skip-existing",
                    "--report", str(rep))  # fmt: skip
    assert code == 0, err
    totals = json.loads(rep.read_text())["totals"]
    assert totals["up-to-date"] >= 1 and totals["up-to-date"] + totals["converted"] == n
    assert len(tree(out)) == 2 * n
    check_captions(out)


def test_dask_local_cluster_with_worker_processes(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"t{i}.txt").write_text(interview(200 + i), encoding="utf-8")
    assert run("convert", str(src), "--out-dir", str(tmp_path / "local"), "--jobs", "1", "-q")[0] == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:  # fmt: skip
        code, err = run("convert", str(src), "--out-dir", str(tmp_path / "dask"), "--scheduler",
                        cluster.scheduler_address, "-q")  # fmt: skip
    assert code == 0, err
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")
    assert len(tree(tmp_path / "dask")) == 3
