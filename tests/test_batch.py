"""Batch conversion mechanics, driven by small converters of our own (real functions, not mocks).

``stamp_upper`` stands in for the pipeline: it reads a file the way the pipeline does (``read_text``:
UTF-8/16, cp1252, empty and binary detection), refuses text without a ``[hh:mm:ss]`` timestamp, and
"converts" by upper-casing. Files named ``crash*`` make the worker process exit abruptly, ``boom*`` raise
an unexpected exception (a bug in a stage), ``stop*`` raise KeyboardInterrupt (Ctrl-C).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from toolkit.batch import BatchOptions, Converted, convert_batch, run_batch
from toolkit.batch.job import FileTask, Outcome, looks_binary, remove_stale_temp_files, run_file
from toolkit.errors import NoTimestampsError
from toolkit.io import read_text
from toolkit.pipeline import ConvertOptions
from toolkit.rules import finding

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "batch"
STAMP = re.compile(r"\[(\d\d):(\d\d):(\d\d)\]")


def stamp_upper(path: str, options: ConvertOptions, formats: tuple[str, ...]) -> Converted:
    name = Path(path).name
    if name.startswith("crash"):
        os._exit(1)
    if name.startswith("boom"):
        raise ZeroDivisionError("division by zero")
    if name.startswith("stop"):
        raise KeyboardInterrupt
    text, _encoding = read_text(path)
    stamps = STAMP.findall(text)
    if not stamps:
        raise NoTimestampsError("no timestamps found", path=path)
    findings = tuple(finding("T004", "same speaker twice", path=path, line=1) for _ in stamps[1:])
    return Converted({fmt: f"{fmt.upper()}\n{text.upper()}" for fmt in formats}, findings, len(stamps))


TURN = "Tucker [00:00:{s:02d}] Hello number {i}, café.\n\nLavrov [00:00:{t:02d}] Answer {i}.\n"


def transcript(i: int) -> str:
    return TURN.format(i=i, s=i % 50, t=i % 50 + 5)


def make_mixed_tree(root: Path) -> None:
    """The issue's "done when" folder: nested folders, binary, empty, cp1252, no timestamps."""
    (root / "a" / "deep").mkdir(parents=True)
    (root / "b").mkdir()
    (root / "one.txt").write_text(transcript(1), encoding="utf-8")
    (root / "a" / "two.txt").write_text(transcript(2), encoding="utf-8")
    (root / "a" / "deep" / "three.txt").write_text(transcript(3), encoding="utf-16")
    (root / "b" / "latin.txt").write_bytes(
        transcript(4).replace("Hello", "Caf\u00e9 \u2013").encode("cp1252")
    )
    (root / "b" / "empty.txt").write_bytes(b"")
    (root / "b" / "notes.txt").write_text("Just some notes, no timestamps at all.\n", encoding="utf-8")
    (root / "b" / "blob.dat").write_bytes(bytes(range(256)) * 8)  # binary content, unknown extension
    (root / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))  # skipped by extension
    (root / ".hidden.txt").write_text(transcript(5), encoding="utf-8")  # hidden: ignored


def opts(out: Path, **kw: object) -> BatchOptions:
    base: dict[str, object] = {
        "out_dir": str(out),
        "formats": ("srt", "vtt"),
        "converter": stamp_upper,
        "jobs": 1,
    }
    base.update(kw)
    return BatchOptions(**base)  # type: ignore[arg-type]


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def report_files(path: Path) -> list[dict[str, object]]:
    files = json.loads(path.read_text())["files"]
    return [{k: v for k, v in f.items() if k != "seconds"} for f in files]


# --- the "done when" -------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_mixed_folder_converts_what_it_can_and_exits_1(tmp_path: Path, jobs: int) -> None:
    src, out, rep = tmp_path / "in", tmp_path / "out", tmp_path / "batch.json"
    make_mixed_tree(src)
    err = io.StringIO()
    code = run_batch([str(src)], opts(out, jobs=jobs, report_path=str(rep)), stderr=err)
    assert code == 1
    outcomes = {
        Path(f["input"]).relative_to(src).as_posix(): (f["outcome"], f["reason"] or f["error"])
        for f in json.loads(rep.read_text())["files"]
    }
    assert outcomes == {
        "cover.png": ("skipped", "not a transcript (.png file)"),
        "one.txt": ("converted", None),
        "a/two.txt": ("converted", None),
        "a/deep/three.txt": ("converted", None),
        "b/blob.dat": ("skipped", "binary file, not text"),
        "b/empty.txt": ("failed", f"{src}/b/empty.txt: file is empty"),
        "b/latin.txt": ("converted", None),
        "b/notes.txt": ("failed", f"{src}/b/notes.txt: no timestamps found"),
    }
    assert sorted(tree(out)) == [
        "a/deep/three.srt",
        "a/deep/three.vtt",
        "a/two.srt",
        "a/two.vtt",
        "b/latin.srt",
        "b/latin.vtt",
        "one.srt",
        "one.vtt",
    ]
    assert "CAFÉ – NUMBER 4" in (out / "b" / "latin.srt").read_text(encoding="utf-8")  # cp1252 decoded
    assert (out / "a" / "deep" / "three.vtt").read_text(encoding="utf-8").startswith("VTT\nTUCKER [00:00:03]")
    # plain mode (not a terminal): one line per failure, then the summary
    assert err.getvalue().splitlines() == [
        f"{src}/b/empty.txt: file is empty",
        f"{src}/b/notes.txt: no timestamps found",
        err.getvalue().splitlines()[-1],
    ]
    assert re.fullmatch(
        r"8 files: 4 converted, 2 skipped, 2 failed in [\d.]+ s \([\d.]+ files/s\); "
        r"report: .*batch\.json",
        err.getvalue().splitlines()[-1],
    )


def test_report_lists_every_input_in_input_order_with_totals(tmp_path: Path) -> None:
    src, out, rep = tmp_path / "in", tmp_path / "out", tmp_path / "r" / "batch.json"
    make_mixed_tree(src)
    run_batch(
        [str(src / "b"), str(src / "one.txt")], opts(out, report_path=str(rep), jobs=2), stderr=io.StringIO()
    )
    data = json.loads(rep.read_text())
    assert [Path(f["input"]).name for f in data["files"]] == [
        "blob.dat",
        "empty.txt",
        "latin.txt",
        "notes.txt",
        "one.txt",
    ]
    one = data["files"][-1]
    assert one["outputs"] == [str(out / "one.srt"), str(out / "one.vtt")]
    assert one["findings"] == {"by_severity": {"error": 0, "warning": 0, "info": 1}, "by_code": {"T004": 1}}
    assert one["cues"] == 2 and one["error"] is None and one["seconds"] >= 0
    totals = data["totals"]
    assert (
        totals["files"],
        totals["converted"],
        totals["skipped"],
        totals["failed"],
        totals["up-to-date"],
    ) == (5, 2, 1, 2, 0)
    assert totals["findings"]["by_code"] == {"T004": 2}
    assert data["formats"] == ["srt", "vtt"] and data["engine"] == "processes" and data["workers"] == 2


def test_results_identical_whatever_the_number_of_jobs(tmp_path: Path) -> None:
    src = tmp_path / "in"
    for i in range(24):
        d = src / f"d{i % 3}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"t{i:02d}.txt").write_text(transcript(i) if i % 7 else "no stamps", encoding="utf-8")
    reports = []
    for jobs in (1, 2):
        rep = tmp_path / f"r{jobs}.json"
        code = run_batch(
            [str(src)], opts(tmp_path / f"out{jobs}", jobs=jobs, report_path=str(rep)), stderr=io.StringIO()
        )
        assert code == 1
        reports.append(report_files(rep))
    assert tree(tmp_path / "out1") == tree(tmp_path / "out2")
    assert len(tree(tmp_path / "out1")) == 2 * 20
    strip = [[{k: v for k, v in f.items() if k != "outputs"} for f in r] for r in reports]
    assert strip[0] == strip[1]
    assert [f["input"] for f in reports[0]] == sorted(str(p) for p in src.rglob("*.txt"))


# --- failures are per file ---------------------------------------------------------------------------


def test_worker_crash_is_isolated_and_the_rest_converted(tmp_path: Path) -> None:
    src, out, rep = tmp_path / "in", tmp_path / "out", tmp_path / "r.json"
    src.mkdir()
    for i in range(12):
        name = "crash05.txt" if i == 5 else f"f{i:02d}.txt"
        (src / name).write_text(transcript(i), encoding="utf-8")
    (src / "boom.txt").write_text(transcript(1), encoding="utf-8")
    summary = convert_batch([str(src)], opts(out, jobs=2, report_path=str(rep)), stderr=io.StringIO())
    assert summary.exit_code == 1
    files = {Path(f["input"]).name: f for f in json.loads(rep.read_text())["files"]}
    assert files["crash05.txt"]["outcome"] == "failed"
    assert "worker process crashed" in files["crash05.txt"]["error"]
    assert (
        files["boom.txt"]["error"] == f"{src}/boom.txt: internal error: ZeroDivisionError: division by zero"
    )
    converted = sorted(n for n, f in files.items() if f["outcome"] == "converted")
    assert converted == [f"f{i:02d}.txt" for i in range(12) if i != 5]
    assert len(tree(out)) == 2 * 11


def test_unpicklable_converter_fails_each_file_with_a_message(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"f{i}.txt").write_text(transcript(i), encoding="utf-8")

    def local(path: str, options: ConvertOptions, formats: tuple[str, ...]) -> Converted:
        return stamp_upper(path, options, formats)

    err = io.StringIO()
    code = run_batch([str(src)], opts(tmp_path / "out", jobs=2, converter=local), stderr=err)
    assert code == 1
    assert err.getvalue().count("could not run the job") == 3


def test_ctrl_c_stops_cleanly_and_skip_existing_resumes(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for i in range(6):
        (src / f"f{i}.txt").write_text(transcript(i), encoding="utf-8")
    (src / "stop.txt").write_text(transcript(9), encoding="utf-8")  # after f0..f5: Ctrl-C there
    (src / "z.txt").write_text(transcript(7), encoding="utf-8")
    err, first = io.StringIO(), tmp_path / "first.json"
    assert run_batch([str(src)], opts(out, report_path=str(first)), stderr=err) == 130
    assert "interrupted: run again with --skip-existing" in err.getvalue()
    assert sorted(tree(out)) == sorted(f"f{i}.{x}" for i in range(6) for x in ("srt", "vtt"))
    partial = json.loads(first.read_text())  # the report of a stopped run lists what was done
    assert partial["interrupted"] is True and (partial["totals"]["files"], partial["totals"]["done"]) == (
        8,
        6,
    )
    assert [Path(f["input"]).name for f in partial["files"]] == [f"f{i}.txt" for i in range(6)]
    (src / "stop.txt").rename(src / "later.txt")  # no longer interrupts
    rep = tmp_path / "r.json"
    assert (
        run_batch([str(src)], opts(out, skip_existing=True, report_path=str(rep)), stderr=io.StringIO()) == 0
    )
    outcomes = {Path(f["input"]).name: f["outcome"] for f in json.loads(rep.read_text())["files"]}
    assert outcomes == {
        **{f"f{i}.txt": "up-to-date" for i in range(6)},
        "later.txt": "converted",
        "z.txt": "converted",
    }


# --- outputs: placement, never over an input, atomic ---------------------------------------------------


def test_out_dir_is_the_input_folder_never_clobbers_an_input(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "a.txt").write_text(transcript(1), encoding="utf-8")
    (d / "a.srt").write_text("old output of a.txt\n", encoding="utf-8")
    (d / "b.srt").write_text(transcript(2), encoding="utf-8")
    (d / "c.txt").write_text(transcript(3), encoding="utf-8")
    (d / "c.md").write_text(transcript(4), encoding="utf-8")
    rep = tmp_path / "r.json"
    code = run_batch([str(d)], opts(d, formats=("srt",), report_path=str(rep)), stderr=io.StringIO())
    assert code == 1
    files = {
        Path(f["input"]).name: (f["outcome"], f["reason"] or f["error"])
        for f in json.loads(rep.read_text())["files"]
    }
    assert files == {
        "a.srt": ("skipped", f"output of {d}/a.txt in this run"),
        "a.txt": ("converted", None),
        "b.srt": (
            "failed",
            f"{d}/b.srt: output {d}/b.srt would overwrite the input; choose another --out-dir",
        ),
        "c.md": ("converted", None),
        "c.txt": ("failed", f"{d}/c.txt: output {d}/c.srt is also the output of {d}/c.md"),
    }
    assert (d / "b.srt").read_text(encoding="utf-8") == transcript(2)  # the input is untouched
    assert (d / "a.srt").read_text(encoding="utf-8").startswith("SRT\nTUCKER [00:00:01]")


def test_out_dir_inside_an_input_folder_is_not_searched(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(transcript(1), encoding="utf-8")
    out = src / "captions"
    for _ in range(2):
        summary = convert_batch([str(src)], opts(out), stderr=io.StringIO())
        assert summary.totals["files"] == 1 and summary.exit_code == 0
    assert sorted(tree(out)) == ["a.srt", "a.vtt"]
    summary = convert_batch([str(src / "**" / "*")], opts(out), stderr=io.StringIO())  # a glob too
    assert summary.totals["files"] == 1 and summary.exit_code == 0


def test_out_dir_above_the_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "a.txt").write_text(transcript(1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run_batch(["talks/*.txt"], opts(Path(".")), stderr=io.StringIO()) == 0
    assert sorted(tree(tmp_path)) == ["a.srt", "a.vtt", "talks/a.txt"]


def test_globs_and_files_mirror_their_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "in"
    (src / "x" / "y").mkdir(parents=True)
    for rel in ("top.txt", "x/one.txt", "x/y/two.txt", "x/y/skip.md"):
        (src / rel).write_text(transcript(3), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run_batch(["in/**/*.txt"], opts(Path("g")), stderr=io.StringIO()) == 0
    assert sorted(tree(tmp_path / "g")) == [
        f"{n}.{x}" for n in ("top", "x/one", "x/y/two") for x in ("srt", "vtt")
    ]
    assert (
        run_batch(["in/x/one.txt", "in/x/y/two.txt"], opts(Path("f"), formats=("srt",)), stderr=io.StringIO())
        == 0
    )
    assert sorted(tree(tmp_path / "f")) == ["one.srt", "y/two.srt"]  # relative to the common parent
    assert run_batch(["in/x/y/two.txt"], opts(Path("s"), formats=("srt",)), stderr=io.StringIO()) == 0
    assert sorted(tree(tmp_path / "s")) == ["two.srt"]


def test_skip_existing_skips_only_outputs_newer_than_their_input(tmp_path: Path) -> None:
    src, out, rep = tmp_path / "in", tmp_path / "out", tmp_path / "r.json"
    src.mkdir()
    for i in range(3):
        (src / f"f{i}.txt").write_text(transcript(i), encoding="utf-8")
    assert run_batch([str(src)], opts(out), stderr=io.StringIO()) == 0
    later = time.time() + 10
    os.utime(src / "f1.txt", (later, later))  # edited after the last run
    (out / "f2.vtt").unlink()  # one output missing
    assert (
        run_batch([str(src)], opts(out, skip_existing=True, report_path=str(rep)), stderr=io.StringIO()) == 0
    )
    outcomes = [f["outcome"] for f in json.loads(rep.read_text())["files"]]
    assert outcomes == ["up-to-date", "converted", "converted"]
    assert (out / "f2.vtt").exists()


def test_stale_temp_files_of_a_killed_writer_are_removed(tmp_path: Path) -> None:
    """Only a dead writer's temp files go: one of this host whose process is gone, or any older than six
    hours. A run writing into the same folder now keeps its own, and so does a user's file."""
    import subprocess
    import sys

    from toolkit.io import temp_owner

    out = tmp_path / "out"
    out.mkdir()
    host = temp_owner().rsplit("-", 1)[0]
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)
    old_other = out / ".b.c.vtt.12345678.otherhost-1.tmp"
    stale = [out / f".a.srt.ab12_xyz.{host}-{dead_pid}.tmp", old_other]
    keep = [
        out / f".a.srt.ab12_xyz.{host}-{os.getpid()}.tmp",  # a writer that runs (this process)
        out / ".d.srt.12345678.otherhost-7.tmp",  # another host's, recent: maybe writing now
        out / ".a.srt.short.tmp",
        out / "a.srt.12345678.tmp",
        out / ".notes.txt.12345678.tmp",
        out / ".a.srt.12345678.tmp",  # the old shape, without an owner: a user's file, left alone
    ]
    for p in stale + keep:
        p.write_text("partial", encoding="utf-8")
    os.utime(old_other, (0, 0))
    assert remove_stale_temp_files(out) == 2
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in keep)


@pytest.mark.parametrize(
    ("head", "binary"),
    [
        (b"", False),
        ("Tucker [00:00:01] hi\n".encode("utf-16"), False),
        ("Tucker [00:00:01] hi\n".encode("utf-16-le"), False),
        ("caf\u00e9\n".encode("cp1252"), False),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", True),
        (bytes(range(256)), True),
        (b"text\x01\x02\x03\x04 more", True),
    ],
)
def test_looks_binary(head: bytes, binary: bool) -> None:
    assert looks_binary(head) is binary


def test_run_file_never_overwrites_its_input(tmp_path: Path) -> None:
    src = tmp_path / "a.srt"
    src.write_text(transcript(1), encoding="utf-8")
    result = run_file(FileTask(0, str(src), (("srt", str(src)),), ConvertOptions(), stamp_upper))
    assert result.outcome is Outcome.FAILED
    assert result.error == f"{src}: refusing to overwrite an input file"
    assert src.read_text(encoding="utf-8") == transcript(1)


# --- usage errors and output modes ---------------------------------------------------------------------


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "t.txt").write_text(transcript(1), encoding="utf-8")
    cases = {
        "no input files found": ([str(tmp_path / "empty")], opts(tmp_path / "o")),
        "no such file or folder": ([str(tmp_path / "missing.txt")], opts(tmp_path / "o")),
        "no files match": ([str(tmp_path / "*.nothing")], opts(tmp_path / "o")),
        "exists and is not a folder": ([str(tmp_path / "t.txt")], opts(tmp_path / "file")),
        "is one of the inputs": (
            [str(tmp_path / "t.txt")],
            opts(tmp_path / "o", report_path=str(tmp_path / "t.txt")),
        ),
        "is also an output of this run": (
            [str(tmp_path / "t.txt")],
            opts(tmp_path / "o", formats=("json",), report_path=str(tmp_path / "o" / "t.json")),
        ),
        "unknown output format": ([str(tmp_path / "t.txt")], opts(tmp_path / "o", formats=("docx",))),
    }
    for message, (paths, options) in cases.items():
        err = io.StringIO()
        assert run_batch(paths, options, stderr=err) == 2, message
        assert err.getvalue().startswith("Error: ") and message in err.getvalue(), err.getvalue()
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == transcript(1)
    assert not (tmp_path / "o").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_on_a_terminal_and_quiet_mode(tmp_path: Path) -> None:
    src = tmp_path / "in"
    make_mixed_tree(src)
    term = _Terminal()
    assert run_batch([str(src)], opts(tmp_path / "o1"), stderr=term) == 1
    text = term.getvalue()
    assert re.search(r"\r\d+/8 files  [\d.]+ files/s  ETA [-:\d]+  \d failed", text)
    assert text.splitlines()[-1].startswith("8 files: 4 converted")
    quiet = _Terminal()
    assert run_batch([str(src)], opts(tmp_path / "o2", quiet=True), stderr=quiet) == 1
    assert "\r" not in quiet.getvalue() and len(quiet.getvalue().splitlines()) == 1


def test_convert_media_progress_line_on_a_terminal_only() -> None:
    from toolkit.cli.console import live_progress

    progress = logging.getLogger("toolkit.progress")
    term = _Terminal()
    with live_progress(enabled=True, stream=term):
        progress.info("aligning words: 1/2 turns")
        progress.info("aligning words: 2/2 turns")
    assert term.getvalue() == (  # each over the last, then blanked before the summary
        "\raligning words: 1/2 turns" + "\raligning words: 2/2 turns" + "\r" + " " * 25 + "\r"
    )
    progress.info("after")  # the handler is gone
    assert "after" not in term.getvalue()
    pipe = io.StringIO()  # not a terminal: nothing
    with live_progress(enabled=True, stream=pipe):
        progress.info("aligning words: 1/2 turns")
    assert pipe.getvalue() == ""


# --- killed halfway: no partial files, and --skip-existing finishes ------------------------------------


def test_killed_run_leaves_no_partial_files_and_resumes(
    tmp_path: Path, reap: Callable[[Any], None], group_alive: Callable[[int], bool]
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    n = 40
    for i in range(n):
        (src / f"f{i:02d}.txt").write_text(transcript(i) * 50, encoding="utf-8")
    cmd = [sys.executable, str(FIXTURES / "kill_driver.py"), str(src), str(out), "2"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, start_new_session=True)
    reap(proc)
    deadline = time.monotonic() + 60
    while not (out.exists() and any(out.glob("*.srt"))):  # wait for the first outputs, then kill
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    while group_alive(proc.pid):  # orphaned workers finish their write, then exit on their own
        assert time.monotonic() < deadline
        time.sleep(0.05)
    if proc.stderr:
        proc.stderr.close()
    written = tree(out)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert 0 < len(written) < 2 * n
    for name, data in written.items():  # every output there is complete
        i = int(name[1:3])
        fmt = name.rsplit(".", 1)[1]
        assert data.decode("utf-8") == f"{fmt.upper()}\n{(transcript(i) * 50).upper()}", name
    rep = tmp_path / "r.json"
    code = run_batch(
        [str(src)], opts(out, skip_existing=True, report_path=str(rep), jobs=2), stderr=io.StringIO()
    )
    assert code == 0
    outcomes = [f["outcome"] for f in json.loads(rep.read_text())["files"]]
    assert set(outcomes) <= {"converted", "up-to-date"} and "up-to-date" in outcomes
    assert len(tree(out)) == 2 * n


# --- Dask ------------------------------------------------------------------------------------------------


def test_dask_scheduler_gives_the_same_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    make_mixed_tree(tmp_path / "in")
    monkeypatch.chdir(tmp_path)  # relative paths: workers get absolute ones, the report keeps these
    assert run_batch(["in"], opts(Path("local")), stderr=io.StringIO()) == 1
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        code = run_batch(
            ["in"],
            opts(Path("dask"), scheduler=cluster.scheduler_address, report_path="dask.json"),
            stderr=io.StringIO(),
        )
    assert code == 1
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")
    data = json.loads((tmp_path / "dask.json").read_text())
    assert data["engine"] == "dask" and data["totals"]["converted"] == 4 and data["totals"]["failed"] == 2
    one = next(f for f in data["files"] if f["input"] == "in/one.txt")
    assert one["outputs"] == ["dask/one.srt", "dask/one.vtt"]


def test_dask_jobs_get_absolute_paths() -> None:
    from toolkit.batch.executors import _absolute

    task = _absolute(FileTask(3, "in/a.txt", (("srt", "out/a.srt"),), ConvertOptions(), stamp_upper))
    assert task.input == os.path.join(os.getcwd(), "in", "a.txt")
    assert task.outputs == (("srt", os.path.join(os.getcwd(), "out", "a.srt")),)
    assert task.index == 3 and task.converter is stamp_upper


def test_dask_missing_is_a_clear_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t.txt").write_text(transcript(1), encoding="utf-8")
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    err = io.StringIO()
    assert (
        run_batch([str(tmp_path / "t.txt")], opts(tmp_path / "o", scheduler="tcp://127.0.0.1:1"), stderr=err)
        == 2
    )
    assert "pip install 'captionkit[dask]'" in err.getvalue()


@pytest.mark.parametrize("how", ["ctrl-c to the process group", "SIGTERM to the main process"])
def test_stopping_a_run_finishes_running_files_and_exits_130(
    tmp_path: Path, how: str, reap: Callable[[Any], None]
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    n = 40
    for i in range(n):
        (src / f"f{i:02d}.txt").write_text(transcript(i), encoding="utf-8")
    cmd = [sys.executable, str(FIXTURES / "kill_driver.py"), str(src), str(out), "2"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    reap(proc)
    deadline = time.monotonic() + 60
    while not (out.exists() and any(out.glob("*.vtt"))):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    if how.startswith("ctrl-c"):
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: every process of the group gets it
    else:
        os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=50)
    assert proc.returncode == 130, err
    assert "interrupted: run again with --skip-existing to finish" in err
    assert "Traceback" not in err
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    written = tree(out)
    assert 0 < len(written) < 2 * n
    for name, data in written.items():
        fmt = name.rsplit(".", 1)[1]
        assert data.decode("utf-8") == f"{fmt.upper()}\n{transcript(int(name[1:3])).upper()}", name


def test_public_api_matches_all() -> None:
    import toolkit.batch as batch

    public = {name for name in vars(batch) if not name.startswith("_")} - {
        "annotations", "executors", "job", "plan", "runner", "tally"
    }  # fmt: skip
    assert set(batch.__all__) == public
    assert (
        batch.BatchOptions("o").formats == ("srt",)
        and batch.BatchOptions("o").converter is batch.pipeline_converter
    )


def test_a_json_input_that_is_not_an_earlier_output_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Ann [00:00:01] Hello there.\nBob [00:00:04] Hi.\n", encoding="utf-8")
    whisper = '{"segments":[{"start":0.0,"end":2.0,"text":"Hello there."}]}'
    (tmp_path / "b.json").write_text(whisper, encoding="utf-8")
    err = io.StringIO()
    code = run_batch([str(tmp_path)], BatchOptions(str(tmp_path), ("srt", "json"), jobs=1), stderr=err)
    assert code == 1
    assert (tmp_path / "b.json").read_text(encoding="utf-8") == whisper
    assert f"{tmp_path}/b.txt: output {tmp_path}/b.json would overwrite an input" in err.getvalue()
    # captionkit's own JSON of an earlier run is an output: replaced on the next run
    (tmp_path / "b.json").unlink()
    again = BatchOptions(str(tmp_path), ("json",), jobs=1)
    assert run_batch([str(tmp_path)], again, stderr=io.StringIO()) == 0
    assert run_batch([str(tmp_path)], again, stderr=io.StringIO()) == 0
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["turns"][0]["speaker"] == "Ann"


def test_a_report_path_on_an_input_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "b.txt").write_text("Ann [00:00:01] Hello there.\n", encoding="utf-8")
    options = BatchOptions(str(tmp_path / "out"), jobs=1, report_path=str(src / "b.txt"))
    err = io.StringIO()
    assert run_batch([str(src)], options, stderr=err) == 2
    assert "would overwrite an input" in err.getvalue()
    assert (src / "b.txt").read_text(encoding="utf-8") == "Ann [00:00:01] Hello there.\n"
    # the report of an earlier run in the input folder is replaced, not read as an input
    report = BatchOptions(str(tmp_path / "out"), jobs=1, report_path=str(src / "r.json"))
    assert run_batch([str(src)], report, stderr=io.StringIO()) == 0
    assert run_batch([str(src)], report, stderr=io.StringIO()) == 0
    assert json.loads((src / "r.json").read_text(encoding="utf-8"))["totals"]["files"] == 1
