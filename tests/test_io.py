"""Decoding with detection, text normalisation and atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toolkit.errors import InputError, OutputError
from toolkit.io import atomic_write_text, decode_bytes, read_text, walk_folder

TEXT = "Lavrov [00:00:07] I wouldn’t say so — café."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_decode_detects_the_encoding(data: bytes, encoding: str) -> None:
    assert decode_bytes(data) == (TEXT, encoding)


def test_decode_normalises_copy_artefacts() -> None:
    raw = "\ufeffTucker\u00a0[00:00:00]\u200b Hi.\r\nSecond\u2060 line\rthird".encode()
    text, _ = decode_bytes(raw)
    assert text == "Tucker [00:00:00] Hi.\nSecond\u2060 line\nthird"


def test_joiners_survive() -> None:
    """ZWJ and ZWNJ are part of the text: a family emoji, Persian spelling."""
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    text, _ = decode_bytes(f"A [00:00:01] {family} {persian}".encode())
    assert family in text and persian in text


@pytest.mark.parametrize(
    "data", [b"", b"  \n\n", bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"]
)
def test_empty_and_binary_input_are_errors(data: bytes) -> None:
    with pytest.raises(InputError) as err:
        decode_bytes(data, path="x.txt")
    assert str(err.value).startswith("x.txt: ")


def test_read_text_errors_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "out.srt"
    atomic_write_text(out, "one\n")
    atomic_write_text(out, "two\n")
    assert out.read_text() == "two\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.srt"]


def test_atomic_write_never_overwrites_an_input(tmp_path: Path) -> None:
    src = tmp_path / "in.srt"
    src.write_text("original\n")
    with pytest.raises(OutputError, match="overwrite an input"):
        atomic_write_text(src, "new\n", protect=[src])
    link = tmp_path / "alias.srt"
    os.link(src, link)
    with pytest.raises(OutputError):
        atomic_write_text(link, "new\n", protect=[src])
    assert src.read_text() == "original\n"


def test_failed_write_leaves_no_temp_file(tmp_path: Path) -> None:
    class Boom(Exception):
        pass

    class Exploding(str):
        def encode(self, *args: object, **kwargs: object) -> bytes:  # type: ignore[override]
            raise Boom

    with pytest.raises(Boom):
        atomic_write_text(tmp_path / "x.srt", Exploding("text"))
    assert list(tmp_path.iterdir()) == []


def test_outputs_get_the_usual_file_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = tmp_path / "o.srt"
        atomic_write_text(out, "x\n")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_unwritable_targets_are_output_errors(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    with pytest.raises(OutputError, match="is a directory"):
        atomic_write_text(tmp_path / "adir", "x\n")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError, match="cannot write here"):
        atomic_write_text(tmp_path / "afile" / "o.srt", "x\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "afile"]


def test_walk_folder_is_sorted_and_skips_hidden_and_the_output_folder(tmp_path: Path) -> None:
    for rel in ["b.txt", "a/z.srt", "a/.hidden.txt", ".git/x.txt", "out/old.srt", "a/c/d.vtt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = [os.path.relpath(p, tmp_path) for p in walk_folder(str(tmp_path), skip=str(tmp_path / "out"))]
    assert found == ["b.txt", os.path.join("a", "z.srt"), os.path.join("a", "c", "d.vtt")]
    # validate sees the same files (its own suffixes), convert the same tree
    from toolkit.validate import expand_paths

    assert [os.path.relpath(p, tmp_path) for p in expand_paths([tmp_path])] == sorted(
        ["b.txt", os.path.join("a", "z.srt"), os.path.join("a", "c", "d.vtt"), os.path.join("out", "old.srt")]
    )
