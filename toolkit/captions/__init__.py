"""Caption files as documents: read SRT and WebVTT losslessly, edit, write in either format.

>>> from toolkit.captions import loads
>>> doc = loads("WEBVTT\\n\\n00:01.000 --> 00:02.000 align:left\\n<i>Hello</i>\\nthere\\n")
>>> doc[0].text, doc[0].settings
('<i>Hello</i>\\nthere', (('align', 'left'),))
>>> print(doc.shift(s=1).to_string("srt"), end="")
1
00:00:02,000 --> 00:00:03,000
{\\an1}<i>Hello</i>
there
"""

from __future__ import annotations

import codecs
import re
from dataclasses import replace
from pathlib import Path

from ..errors import InputError
from ..io import STDIN, decode_bytes, guess_code_page, mixes_scripts, read_input, reads_as_cp1252
from ..rules import finding
from .document import Block, Caption, Captions, plain_text, voices
from .scan import sniff_kind
from .srt import parse_srt
from .webvtt import CueBox, Region, cue_box, parse_webvtt
from .write import dumps, format_for

__all__ = [
    "MIXED_ENCODING",
    "Block",
    "Caption",
    "Captions",
    "CueBox",
    "Region",
    "cue_box",
    "decode_caption_bytes",
    "detect_format",
    "dumps",
    "format_for",
    "load",
    "loads",
    "parse_srt",
    "parse_webvtt",
    "plain_text",
    "voices",
    "writing_encoding",
]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_caption_bytes(data: bytes, *, path: str = "<input>") -> tuple[str, str]:
    """``(text, encoding)`` with every character kept (no normalising: NBSP, zero-width and bidi marks
    survive). A BOM names the encoding (UTF-8, UTF-16, UTF-32); else UTF-8; else chardet (which pysrt
    already brings) recognises the legacy code page (cp1250, cp1251, GB18030, Shift-JIS, ...)."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError("file is empty", path=path)
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"cannot decode as {name} (byte {exc.start}: {exc.reason})", path=path
                ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data[1::2].count(0) > 0.3 * len(data) / 2 or data[0::2].count(0) > 0.3 * len(data) / 2:
        return decode_bytes(data, path=path)  # UTF-16 without a BOM
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed, MIXED_ENCODING
    guess = guess_code_page(data)
    if mixes_scripts(data, guess) and reads_as_cp1252(data):
        guess = "cp1252"  # a short Western file: chardet read "été" as Greek "ιtι"
    for name in (guess, "cp1252"):
        try:
            return data.decode(name), codecs.lookup(name).name
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1"), "latin-1"


# a file of UTF-8 lines and cp1252 lines: what its encoding is called (P002); written back as UTF-8
MIXED_ENCODING = "utf-8, some lines cp1252"


def _mixed_utf8(data: bytes) -> str | None:
    """A file pasted together from UTF-8 and cp1252 parts (``Héllo`` in UTF-8, ``Fïne`` in cp1252): each
    line in the encoding it decodes in, when the UTF-8 lines hold non-ASCII text of their own; else
    ``None`` (a legacy code page throughout is chardet's to name: a guess over the whole file there reads
    each cp1252 ``ï`` with the letter after it as one Big5 character)."""
    utf8_text = 0
    legacy: list[bytes] = []  # the lines that are not UTF-8
    out: list[str] = []
    for line in data.split(b"\n"):
        try:
            out.append(line.decode("utf-8"))
            utf8_text += not line.isascii()
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", "replace"))
            legacy.append(line)
    if not (utf8_text and legacy):
        return None
    # the other lines must read as Western cp1252 text: a GBK file whose "谢谢" happens to be valid UTF-8
    # ("лл") is a legacy file throughout, chardet's to name
    return "\n".join(out) if reads_as_cp1252(b"\n".join(legacy)) else None


def writing_encoding(encoding: str) -> str:
    """The encoding a file read in ``encoding`` is written back in (a mixed file: UTF-8)."""
    return "utf-8" if encoding == MIXED_ENCODING else encoding


def detect_format(text: str, path: str | None = None) -> str | None:
    """``"vtt"``, ``"srt"`` or ``None`` (not a caption file) from the content; the name only breaks ties.

    A ``WEBVTT`` first line is WebVTT whatever the name; cue timing lines make a caption file (WebVTT
    when named ``.vtt``, SRT otherwise); a file without them is a transcript even when named ``.srt``.
    """
    head = text.lstrip("\ufeff")
    if head.startswith("WEBVTT"):
        return "vtt"
    sniffed = sniff_kind(text[:20000].replace("\r\n", "\n").replace("\r", "\n"))
    if sniffed == "transcript":
        return None
    named = Path(path).suffix.lower() if path else ""
    return "vtt" if named == ".vtt" else "srt"


_TIMING_AHEAD = r"(?=(?:\d+:)?\d{1,2}:\d{2}[.,]\d{3}[ \t]*-->)"
_INDEXED_TIMING = re.compile(rf"(?:^|[ \t]+)(\d{{1,6}})[ \t]+{_TIMING_AHEAD}")
_FLAT_TIMING = re.compile(rf"[ \t]+{_TIMING_AHEAD}")
_AFTER_END = re.compile(r"(-->[ \t]*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})[ \t]+(?=[^\s:]+(?:[ \t]|$))")


def unflatten(text: str) -> str | None:
    """A caption file whose line breaks were lost (every cue on one line, "WEBVTT 00:00.000 --> 00:02.000
    Hello 00:02.000 --> ..."), with the breaks put back before each timing and its text; ``None`` when
    the file has its line breaks."""
    arrows = text.count("-->")
    lines_with = sum(1 for ln in text.split("\n") if "-->" in ln)
    if arrows < 2 or lines_with * 2 > arrows:
        return None
    out = _INDEXED_TIMING.sub(lambda m: f"\n\n{m[1]}\n", text)  # SRT: "2 00:00:02,000 --> ..."
    out = _FLAT_TIMING.sub("\n\n", out)
    return _AFTER_END.sub(lambda m: m[1] + "\n", out).lstrip("\n")


def loads(
    text: str,
    fmt: str | None = None,
    *,
    path: str = "<input>",
    encoding: str = "utf-8",
    lenient: bool = False,
) -> Captions:
    """Read SRT or WebVTT ``text`` (format sniffed unless given) into a :class:`Captions` document."""
    kind = fmt or detect_format(text, path) or "srt"
    repaired = unflatten(text) if "-->" in text else None
    if repaired is not None and unflatten(repaired) is None:  # put back once, and only when that settles it
        doc = loads(repaired, kind, path=path, encoding=encoding, lenient=lenient)
        note = finding(
            "P006",
            f"the file's line breaks were lost ({text.count('-->')} cue timings on "
            f"{sum(1 for ln in text.split(chr(10)) if '-->' in ln)} lines): cues split at their timings",
            path=path,
            line=1,
        )
        return replace(doc, findings=(note, *doc.findings))
    if kind == "vtt":
        return parse_webvtt(text, path=path, encoding=encoding, lenient=lenient)
    if kind == "srt":
        return parse_srt(text.replace("\r\n", "\n").replace("\r", "\n"), path=path, encoding=encoding)
    raise ValueError(f"unknown caption format {kind!r}; choose srt or vtt")


def load(path: str | Path, fmt: str | None = None, *, lenient: bool = False) -> Captions:
    """Read an SRT or WebVTT file (``-`` = standard input) into a :class:`Captions` document."""
    name = STDIN if str(path) == "-" else str(path)
    text, encoding = decode_caption_bytes(read_input(path), path=name)
    return loads(
        text, fmt or detect_format(text, name) or "srt", path=name, encoding=encoding, lenient=lenient
    )
