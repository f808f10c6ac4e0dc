"""SRT and WebVTT reading: the raw block scanner and the cue-to-turn conversion."""

from __future__ import annotations

import re
from pathlib import Path

import pysrt
import pytest
import webvtt

from toolkit.errors import NoTimestampsError
from toolkit.model import Document
from toolkit.parse import CaptionBlock, parse_text, read_document, scan_captions, sniff_kind

LAYOUT_DIR = Path(__file__).resolve().parent.parent / "samples" / "layouts"


def rows(doc: Document) -> list[tuple[str | None, int | None, int | None, int, str]]:
    return [(t.speaker, t.start_ms, t.end_ms, t.line, t.text) for t in doc.turns]


def test_lenient_srt_turns() -> None:
    doc = read_document(LAYOUT_DIR / "lenient.srt")
    assert (doc.kind, doc.layout, doc.encoding) == ("srt", "srt", "utf-8-sig")
    assert rows(doc) == [
        # caption text is never made a speaker (2 labels in 5 cues is no meeting transcript)
        (None, 1000, 3500, 2, "TUCKER: Minister Lavrov, thank you."),  # tags stripped
        (None, 4000, 6000, 5, "[Sergey Lavrov] I wouldn't say so."),  # no index line
        (None, 6440, 8000, 9, "We want normal relations & peace."),  # 0:00:06.440, entity unescaped
        (None, 9500, 11000, 13, "[music]"),  # 00:09,500 without hours; {\an8} stripped; not a speaker
        (None, 12000, None, 17, "Backwards cue."),  # end before start: kept without an end
    ]


def test_lenient_srt_findings() -> None:
    doc = read_document(LAYOUT_DIR / "lenient.srt")
    p006 = [f for f in doc.findings if f.code == "P006"]
    assert [(f.line, f.cue) for f in p006] == [(5, None), (5, None), (17, 5), (21, 6)]
    by_problem = {f.data["problem"]: f.data["lines"] for f in p006 if "problem" in f.data}
    assert by_problem == {"no index line": [5], "cue time not in the strict form": [5, 9, 13, 21]}
    dropped = p006[-1]
    assert dropped.data["text"] == "Unreadable start."  # the unusable cue is reported with its text
    assert dropped.data["start"] == "00:0x:13,000"
    assert p006[2].data == {"text": "Backwards cue.", "start_ms": 12000, "end_ms": 11000}


def test_voices_vtt_turns() -> None:
    doc = read_document(LAYOUT_DIR / "voices.vtt")
    assert (doc.kind, doc.layout) == ("vtt", "vtt")
    assert rows(doc) == [
        ("Tucker", 1000, 3500, 9, "Minister Lavrov, thank you."),
        ("Sergey Lavrov", 4000, 6000, 12, "I wouldn't say so."),  # <v.loud ...>, timestamp and <c> tags
        ("Sergey Lavrov", 6440, 8000, 17, "Peace & normal relations <now>."),
        ("Tucker", 9000, 10500, 20, "Thank you."),
    ]
    # 0:00:06.440 is read as browsers read it (one hour digit); `validate` reports its syntax (C011)
    assert doc.findings == ()


def test_scan_vtt_blocks_raw() -> None:
    blocks = scan_captions((LAYOUT_DIR / "voices.vtt").read_text(encoding="utf-8"), "vtt")
    assert blocks[0] == CaptionBlock(
        line=9,
        index="intro",
        start_text="00:00:01.000",
        end_text="00:00:03.500",
        start_ms=1000,
        end_ms=3500,
        lines=("<v Tucker>Minister Lavrov, <i>thank you</i>.</v>",),
        settings="align:start line:90%",
        notes=(),
        index_line=8,
    )
    assert [b.index for b in blocks] == ["intro", None, None, None]
    assert blocks[1].lines == ("<v.loud Sergey Lavrov>I wouldn't<00:00:05.000> <c.yellow>say so</c>.",)
    assert [b.start_text for b in blocks] == ["00:00:01.000", "00:00:04.000", "0:00:06.440", "00:09.000"]


def test_scan_srt_notes() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nOne.\n\nmore after a blank\n"
        "2\n00:00:03,000 --> 00:00:04,000\nTwo.\n\n"
        "00:00:05,000 --> 00:00:xx\nThree.\n"
    )
    blocks = scan_captions(text, "srt")
    assert [(b.line, b.index, b.start_ms, b.end_ms, b.lines) for b in blocks] == [
        (2, "1", 1000, 2000, ("One.", "more after a blank")),
        (7, "2", 3000, 4000, ("Two.",)),
        (10, None, 5000, None, ("Three.",)),
    ]
    assert blocks[0].notes == ("blank line inside cue text", "no blank line before the next cue")
    assert blocks[2].notes == ("no index line",)


def test_vtt_header_straight_above_first_cue() -> None:
    doc = parse_text("WEBVTT\n00:00.000 --> 00:01.000\nHi &lrm;there&nbsp;you\n")
    assert rows(doc) == [(None, 0, 1000, 2, "Hi there you")]
    assert scan_captions("WEBVTT\n00:00.000 --> 00:01.000\nHi\n", "vtt")[0].index is None
    assert doc.findings == ()


def test_srt_unreadable_end_kept() -> None:
    doc = parse_text("1\n00:00:05,000 --> 00:00:xx\nThree.\n", kind="srt")
    assert rows(doc) == [(None, 5000, 7000, 2, "Three.")]  # shown for 2 s, and said
    assert any(f.code == "P006" and f.data.get("end") == "00:00:xx" for f in doc.findings)


def test_empty_cue_is_reported_not_silently_dropped() -> None:
    doc = parse_text("WEBVTT\n\n00:01.000 --> 00:02.000\n<i></i>\n\n00:03.000 --> 00:04.000\nHi.\n")
    assert rows(doc) == [(None, 3000, 4000, 6, "Hi.")]
    (empty,) = [f for f in doc.findings if f.cue == 1]
    assert empty.code == "P006" and empty.data["text"] == "<i></i>"


def test_text_before_first_cue_reported() -> None:
    doc = parse_text("Subtitles by someone\n\n1\n00:00:01,000 --> 00:00:02,000\nHi.\n", kind="srt")
    (lead,) = [f for f in doc.findings if f.line == 1]
    assert lead.code == "P006" and lead.data["text"] == "Subtitles by someone"


def test_caption_file_without_cues_raises() -> None:
    with pytest.raises(NoTimestampsError):
        parse_text("WEBVTT\n\nNOTE nothing here\n", path="x.vtt", kind="vtt")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", "vtt"),
        ("\n1\n00:00:01,000 --> 00:00:02,000\nHi\n", "srt"),
        ("00:00:01.000 --> 00:00:02.000\nHi\n", "srt"),
        ("Tucker [00:00:01] Hi\n", "transcript"),
    ],
)
def test_sniff_kind(text: str, kind: str) -> None:
    assert sniff_kind(text) == kind


def test_srt_content_in_txt_file(tmp_path: Path) -> None:
    path = tmp_path / "captions.txt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\n<v Tucker>Hi.\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.kind == "srt" and rows(doc) == [("Tucker", 1000, 2000, 2, "Hi.")]


CLEAN_SRT = """1
00:00:01,000 --> 00:00:03,500
Minister Lavrov, thank you.

2
00:00:04,000 --> 00:00:06,250
I wouldn't say so.
We want normal relations.

3
01:02:03,004 --> 01:02:05,000
Thank you.
"""


def test_clean_srt_agrees_with_pysrt_error_raise(tmp_path: Path) -> None:
    path = tmp_path / "clean.srt"
    path.write_text(CLEAN_SRT, encoding="utf-8")
    ours = read_document(path)
    theirs = pysrt.open(str(path), error_handling=pysrt.ERROR_RAISE)
    assert [(t.start_ms, t.end_ms, t.text) for t in ours.turns] == [
        (s.start.ordinal, s.end.ordinal, s.text.replace("\n", " ")) for s in theirs
    ]
    assert ours.findings == ()


def test_clean_vtt_agrees_with_webvtt_py() -> None:
    text = re.sub(r"(\d),(\d{3})", r"\1.\2", CLEAN_SRT)
    vtt = "WEBVTT\n\n" + "\n".join(ln for ln in text.split("\n") if not ln.isdigit())
    ours = parse_text(vtt, kind="vtt")
    theirs = webvtt.from_string(vtt)
    assert [(t.start_ms, t.end_ms, t.text) for t in ours.turns] == [
        (c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), c.text.replace("\n", " "))
        for c in theirs.captions
    ]
    assert ours.findings == ()
