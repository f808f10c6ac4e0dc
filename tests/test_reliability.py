"""Hostile and broken input: every case gives its documented exit code and one line, never an internal
error (issue 13's fault cases, each a regression test)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import cli

RESTART = "A [00:00:00] Hello there.\nB [00:00:00] Hi.\nA [00:00:15] How are you.\nB [00:00:18] Fine.\n" + (
    "A [00:00:00] Restarted here.\n"
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def cmd(*args: str, stdout: int | object = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    """captionkit in its own process (for what a shell does to stdout)."""
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )


@pytest.fixture
def restart(tmp_path: Path) -> Path:
    p = tmp_path / "restart.txt"
    p.write_text(RESTART)
    return p


def test_restarting_timestamps_are_findings_not_a_crash(restart: Path, tmp_path: Path) -> None:
    """A pasted chunk that restarts at 00:00:00 once raised 'negative start' in repair."""
    code, out = run("convert", str(restart), "-o", str(tmp_path / "r.srt"))
    assert code == 0 and "internal error" not in out
    assert "T001" in out
    code, out = run("repair", str(restart), "-o", str(tmp_path / "r.txt"))
    assert code == 0 and "internal error" not in out
    code, out = run("validate", str(restart))
    assert code == 1 and "T001 error" in out and "internal error" not in out


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"\xef\xbb\xbfA [00:00:01] caf\xe9 ok.\n", 0, "1 notes"),  # a BOM, then cp1252 (P002)
        (b"\xff\xfe" + "A [00:00:01] hi".encode("utf-16-le") + b"\x00", 1, "cannot decode as UTF-16"),
        (b"\xff\xfe" + "A [00:00:01] x".encode("utf-16-le") + b"\x00\xd8" + "y\n".encode("utf-16-le"), 1,
         "surrogate"),
    ],
)  # fmt: skip
def test_broken_encodings(tmp_path: Path, data: bytes, code: int, words: str) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes(data)
    got, out = run("convert", str(src), "-o", str(tmp_path / "o.srt"))
    assert got == code and words in out and "internal error" not in out
    assert len([ln for ln in out.splitlines() if ln.startswith("Error")]) <= 1
    if code == 0:
        assert "café" in (tmp_path / "o.srt").read_text(encoding="utf-8")


def test_write_failures_are_output_errors(restart: Path, tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:
        proc = cmd("convert", str(restart), "-o", "-", "-q", stdout=full)
    assert proc.returncode == 1 and b"No space left on device" in proc.stderr
    assert b"internal error" not in proc.stderr and b"Traceback" not in proc.stderr
    proc = cmd("convert", str(restart), "-o", str(tmp_path / ("x" * 300 + ".srt")), "-q")
    assert proc.returncode == 1 and b"File name too long" in proc.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left
    closed = subprocess.run(
        f"{sys.executable} -m toolkit convert {restart} -o - -q >&-",
        shell=True,
        capture_output=True,
        timeout=60,
    )
    assert closed.returncode == 1 and b"standard output is closed" in closed.stderr
    (tmp_path / "afile").write_text("")
    code, out = run(
        "convert", str(restart), "-o", str(tmp_path / "o.srt"), "--report", str(tmp_path / "afile" / "r.json")
    )
    assert code == 1 and "cannot write here" in out
    assert not (tmp_path / "o.srt").exists()  # exit 1: nothing written, not the output without its report
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_caption_file_without_a_readable_cue_is_not_converted(tmp_path: Path) -> None:
    src = tmp_path / "empty.srt"
    src.write_text("1\n00:00:01,000 --> 00:00:02,000\n{\\an8}\n\n2\n00:00:03,000 --> 00:00:04,000\n<i></i>\n")
    code, out = run("convert", str(src), "-o", str(tmp_path / "e.vtt"))
    assert code == 1 and "no cue has any text: nothing to convert" in out
    assert not (tmp_path / "e.vtt").exists()


def test_the_speaker_map_is_an_input(restart: Path, tmp_path: Path) -> None:
    speakers = tmp_path / "m.txt"
    speakers.write_text("A = Alice\n")
    code, out = run("convert", str(restart), "-o", str(speakers), "--to", "srt", "--speakers", str(speakers))
    assert code == 1 and "refusing to overwrite an input file" in out
    assert speakers.read_text() == "A = Alice\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_special_files_are_not_read(restart: Path, tmp_path: Path) -> None:
    """A named pipe would block forever and a link to /dev/zero fill the memory: neither is read."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    for special in (fifo, zero):
        code, out = run("convert", str(special), "-o", str(tmp_path / "o.srt"))
        assert code == 1 and "not a regular file" in out
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text(RESTART)
    os.mkfifo(folder / "p.txt")
    proc = cmd("convert", str(folder), "--out-dir", str(tmp_path / "out"), "--to", "srt", "--report",
               str(tmp_path / "report.json"))  # fmt: skip
    assert proc.returncode == 0 and b"1 converted, 1 skipped" in proc.stderr
    assert "not a regular file" in (tmp_path / "report.json").read_text()
    code, out = run("validate", str(folder))
    assert code == 2 and "not a regular file" in out
    code, out = run("convert", str(restart), "--media", str(fifo), "-o", str(tmp_path / "m.srt"))
    assert code == 1 and "not a regular file" in out  # a pipe as media: ffmpeg's probe would block


def test_a_voice_name_ending_in_a_dash_gives_valid_webvtt(tmp_path: Path) -> None:
    """'<v Bob-->' holds '-->', which webvtt-py refused (an internal error): the tag gets a space."""
    import webvtt

    src = tmp_path / "voice.txt"
    src.write_text("Bob-- [00:00:01] Hello there.\nAl [00:00:04] Hi.\n")
    code, out = run("convert", str(src), "-o", str(tmp_path / "o.vtt"))
    assert code == 0, out
    captions = list(webvtt.read(str(tmp_path / "o.vtt")))
    # the spec strips an annotation's surrounding spaces (browsers do); webvtt-py keeps them
    assert [(c.voice or "").strip() for c in captions] == ["Bob--", "Al"]
    assert "-->" not in captions[0].raw_text


def test_batch_reruns_with_its_report_in_the_input_folder(restart: Path, tmp_path: Path) -> None:
    folder = restart.parent
    report = folder / "batch.json"
    for _ in range(2):  # the second run finds the first run's report among the files: not an input
        code, out = run("convert", str(folder), "--out-dir", str(tmp_path / "out"), "--to", "srt",
                        "--report", str(report), "-q")  # fmt: skip
        assert code == 0, out


def test_a_link_inside_the_output_folder_does_not_lead_outputs_out(tmp_path: Path) -> None:
    src = tmp_path / "in" / "sub"
    src.mkdir(parents=True)
    (src / "a.txt").write_text(RESTART)
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "sub").symlink_to(elsewhere)
    code, output = run("convert", str(tmp_path / "in"), "--out-dir", str(out), "--to", "srt")
    assert code == 1 and "outside --out-dir" in output
    assert list(elsewhere.iterdir()) == []


def test_unreadable_folders_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(As root every folder is readable, so the failure is made: os.walk's scandir refuses one.)"""
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "ok.txt").write_text(RESTART)
    (folder / "locked" / "x.txt").write_text(RESTART)
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    code, out = run("convert", str(folder), "--out-dir", str(tmp_path / "out"), "--to", "srt")
    assert code == 1 and "folder cannot be read: Permission denied" in out and "1 converted, 1 failed" in out
    code, out = run("validate", str(folder))
    assert code == 2 and "folder cannot be read" in out


def test_validate_reports_every_file_when_one_breaks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An internal error on one file is that file's P000; the others are still checked."""
    import toolkit.validate.files as engine

    good, bad = tmp_path / "good.srt", tmp_path / "bad.txt"
    good.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello.\n")
    bad.write_text(RESTART)
    real = engine.validate_text

    def breaks(text: str, **kw: object) -> object:
        if str(kw.get("path", "")).endswith("bad.txt"):
            raise RuntimeError("boom")
        return real(text, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "validate_text", breaks)
    code, out = run("validate", str(good), str(bad))
    assert code == 2 and "bad.txt" in out and "internal error: RuntimeError: boom" in out
    assert "good.srt (srt): 0 errors" in out


def test_a_file_name_with_a_newline_keeps_messages_on_one_line(tmp_path: Path) -> None:
    src = tmp_path / "bad\nname.txt"
    src.write_text("no timestamps here\n")
    code, out = run("convert", str(src), "-o", str(tmp_path / "o.srt"))
    assert code == 1 and out.count("\n") == 1 and "bad\\nname.txt" in out
    code, out = run("validate", str(src))
    assert code == 2 and all("name.txt" not in ln or "bad\\nname.txt" in ln for ln in out.splitlines())


def test_word_timestamps_need_media_and_webvtt(tmp_path: Path) -> None:
    """They were silently ignored without media or with SRT output."""
    src = tmp_path / "t.txt"
    src.write_text(RESTART)
    code, out = run("convert", str(src), "-o", str(tmp_path / "x.vtt"), "--word-timestamps")
    assert code == 2 and "needs --media" in out
    code, out = run(
        "convert", str(src), "--media", "m.mp4", "-o", str(tmp_path / "x.srt"), "--word-timestamps"
    )
    assert code == 2 and "WebVTT output" in out


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("deep.txt", b"[" * 3000 + b"]" * 3000, "no timestamps found"),  # deeper than the JSON reader goes
        ("inf.json", b'{"segments":[{"start":1e400,"end":2,"text":"hi"}]}', "no start time or text"),
        ("nan.json", b'{"segments":[{"start":NaN,"end":2,"text":"hi"}]}', "no start time or text"),
        ("big.json", b'{"segments":[{"start":' + b"9" * 400 + b',"end":2,"text":"hi"}]}', "no start time"),
        ("neg.json", b'{"segments":[{"start_ms":-5000,"start":null,"text":"hi."}]}', "no start time"),
        ("inf.tsv", b"start\tend\ttext\n1e400\t2\thello\n", "not a time: '1e400'"),
        ("neg.tsv", b"start\ttext\n-5\thello\n", ""),  # a recogniser's -5 ms: 0, as in its JSON
        ("sup.tsv", "start\ttext\n²\thello\n".encode(), "not a time: '²'"),
        ("long.csv", b'start,end,text\n1,2,"' + b"a" * 140_000 + b'"\n', "not a readable CSV table"),
        ("secs.txt", b"[0.00s --> 4.20s] hi.\n[" + b"9" * 309 + b"s --> 5s] x.\n", ""),
        ("short.csv", b"start,text,end\n1,hello there\n", ""),  # a row without its end: no end
        ("sur.json", b'{"segments":[{"start":1,"end":2,"text":"a \\ud800 b.","speaker":"Eve\\n\\n7"}]}', ""),
    ],
)
def test_hostile_recogniser_outputs_are_clear_errors(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    code, out = run("convert", str(src), "-o", str(tmp_path / "o.json"))
    assert "internal error" not in out and message in out
    assert code == (1 if message else 0), out
    if code == 0:  # valid JSON out, one-line speakers, no lone surrogate
        import json

        cues = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))["cues"]
        assert all("\n" not in (c["speaker"] or "") for c in cues)
        if name == "sur.json":
            assert cues[0]["text"] == "a \ufffd b." and cues[0]["speaker"] == "Eve 7"


def test_a_file_name_that_is_not_utf8_is_written_in_json_and_reports(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    bad = os.fsdecode(bytes(folder) + b"/bad\xffname.txt")
    Path(bad).write_text(RESTART)
    (folder / "good.txt").write_text(RESTART)
    code, out = run("convert", bad, "-o", str(tmp_path / "o.json"), "--report", str(tmp_path / "r.json"))
    assert code == 0 and "internal error" not in out
    code, out = run("convert", str(folder), "--out-dir", str(tmp_path / "out"), "--to", "srt,json",
                    "--report", str(tmp_path / "batch.json"), "-j", "1")  # fmt: skip
    assert code == 0 and "2 converted" in out


_HUGE = "1" * 4301  # more digits than int() reads


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "h.srt",
            f"1\n{_HUGE}:00:01,000 --> {_HUGE}:00:02,000\nHi.\n\n2\n00:00:03,000 --> 00:00:04,000\nThere.\n",
        ),
        (
            "h.vtt",
            f"WEBVTT\n\n{_HUGE}:00:01.000 --> {_HUGE}:00:02.000\nHi.\n\n00:00:03.000 --> 00:00:04.000\nOk.\n",
        ),
        ("r.vtt", f"WEBVTT\n\nREGION\nid:a\nlines:{_HUGE}\n\n00:00:01.000 --> 00:00:02.000 region:a\nHi.\n"),
    ],
)
def test_numbers_of_thousands_of_digits_in_caption_files(tmp_path: Path, name: str, text: str) -> None:
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    for out in ("o.srt", "o.vtt", "o.json"):
        code, output = run("convert", str(src), "-o", str(tmp_path / out))
        assert code == 0 and "internal error" not in output
    code, output = run("validate", str(src), "--format", "json")
    assert code in (0, 1) and "internal error" not in output


def test_ass_styles_are_read_as_pysubs2_reads_them_in_linear_time() -> None:
    """ass._fragments gives parse_tags' fragments and styles (resets included) one block at a time."""
    import random

    import pysubs2
    from pysubs2.formats.substation import parse_tags

    from toolkit.captions.delivery.ass import _fragments

    line_style, named = pysubs2.SSAStyle(), {"Alt": pysubs2.SSAStyle(italic=True, bold=True)}
    tags = [
        "\\i1",
        "\\i0",
        "\\b1",
        "\\b0",
        "\\u1",
        "\\s1",
        "\\r",
        "\\rAlt",
        "\\rNope",
        "\\p1",
        "\\p0",
        "\\fnArial",
    ]
    rng = random.Random(5)

    def flat(frags: list[tuple[str, pysubs2.SSAStyle]]) -> list[tuple[object, ...]]:
        return [(f, s.italic, s.bold, s.underline, s.strikeout, s.drawing, s.fontname) for f, s in frags]

    for _ in range(500):
        blocks = ["{" + "".join(rng.choices(tags, k=rng.randint(0, 4))) + "}" + rng.choice(["", "a", "b c"])
                  for _ in range(rng.randint(0, 8))]  # fmt: skip
        text = rng.choice(["", "x"]) + "".join(blocks)
        assert flat(_fragments(text, line_style, named)) == flat(parse_tags(text, line_style, named)), text


def _two_cues(a: str, b: str) -> str:
    return f"1\n00:00:01,000 --> 00:00:02,000\n{a}\n\n2\n00:00:03,000 --> 00:00:04,000\n{b}\n"


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        # UTF-8 lines and cp1252 lines pasted together: each line in its own encoding
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nH\xc3\xa9llo there\n\n00:00:03.000 --> 00:00:04.000\n"
         b"F\xefne th\xe4nks\n", "Fïne thänks", "utf-8, some lines cp1252"),
        # a short Western file chardet takes for Greek
        ("1\n00:00:01,000 --> 00:00:02,000\nété café\n".encode("cp1252"), "été café", "cp1252"),
        ("1\n00:00:01,000 --> 00:00:02,000\nПривет, как дела?\n".encode("cp1251"), "Привет, как дела?",
         "cp1251"),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHéllo.\n".encode("utf-32"), "Héllo.", "utf-32"),
        # legacy files with a line that happens to be valid UTF-8 ("谢谢" in GBK reads "лл"): not mixed
        (_two_cues("你好，我们走吧。", "谢谢").encode("gbk"), "谢谢", "gb18030"),
        (_two_cues("맛있어요", "치킨!").encode("euc-kr"), "치킨!", "cp949"),
        # Central European: accented Latin letters are not another script (chardet is right)
        ("1\n00:00:01,000 --> 00:00:02,000\nDěkuji, máte pravdu. Přijdu zítra večer.\n".encode("cp1250"),
         "Děkuji, máte pravdu. Přijdu zítra večer.", "iso8859-2"),
    ],
)  # fmt: skip
def test_caption_files_in_legacy_and_mixed_encodings(
    tmp_path: Path, data: bytes, text: str, encoding: str
) -> None:
    import json

    src = tmp_path / "in.srt"
    src.write_bytes(data)
    code, out = run("convert", str(src), "-o", str(tmp_path / "o.json"))
    assert code == 0, out
    result = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert result["cues"][-1]["text"] == text
    p002 = [f["data"]["encoding"] for f in result["findings"] if f["code"] == "P002"]
    assert p002 == [encoding]


def test_a_name_near_the_length_limit_converts(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    long_name = "a" * 250
    (folder / f"{long_name}.txt").write_text(RESTART)
    code, out = run("convert", str(folder), "--out-dir", str(tmp_path / "out"), "--to", "srt,json", "-j", "1")
    assert code == 0, out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{long_name}.json", f"{long_name}.srt"]


@pytest.mark.parametrize(
    ("line", "codec", "encoding"),
    [
        ("Tucker [00:00:01] Été, café. Où est la gare?", "cp1252", "cp1252"),  # as before: cp1252 first
        ("Иван [00:00:01] Привет, как дела? Хорошо.", "cp1251", "cp1251"),  # was cp1252 mojibake
        ("田中 [00:00:01] こんにちは、元気ですか。今日はいい天気です。", "shift_jis", "cp932"),  # refused
        ("Μαρία [00:00:01] Καλημέρα σας, τι κάνετε;", "cp1253", "cp1253"),
    ],
)
def test_a_transcript_in_a_legacy_code_page_is_read_in_it(line: str, codec: str, encoding: str) -> None:
    from toolkit.io import decode_bytes

    assert decode_bytes(line.encode(codec)) == (line, encoding)
