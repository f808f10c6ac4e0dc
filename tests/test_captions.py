"""Caption files as documents: lossless SRT <-> WebVTT conversion, the reader's rules, what is reported.

Outputs are re-read by independent parsers (pysrt, webvtt-py) where a golden value is compared.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pysrt
import pytest
import webvtt
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.captions import Caption, Captions, cue_box, decode_caption_bytes, load, loads
from toolkit.cli import cli
from toolkit.pipeline import ConvertOptions, convert_file, render


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


ISSUE_SRT = (
    "1\n00:00:01,000 --> 00:00:04,000\nThank you\nfor doing this.\n\n"
    "2\n00:00:04,500 --> 00:00:06,000\n<i>Yes.</i>\n\n"
    "3\n00:00:06,100 --> 00:00:09,000\n{\\an8}Top line\n"
)


def test_srt_to_vtt_keeps_line_breaks_italics_and_position(tmp_path: Path) -> None:
    src = tmp_path / "t.srt"
    src.write_text(ISSUE_SRT, encoding="utf-8")
    code, out = run_cli("convert", str(src), "-o", str(tmp_path / "t.vtt"))
    assert code == 0 and "3 cues" in out and "0 errors, 0 warnings, 0 notes" in out
    vtt = (tmp_path / "t.vtt").read_text(encoding="utf-8")
    assert vtt == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nThank you\nfor doing this.\n\n"
        "00:00:04.500 --> 00:00:06.000\n<i>Yes.</i>\n\n"
        "00:00:06.100 --> 00:00:09.000 line:0\nTop line\n"
    )
    parsed = webvtt.read(str(tmp_path / "t.vtt"))  # an independent parser
    assert [c.raw_text for c in parsed] == ["Thank you\nfor doing this.", "<i>Yes.</i>", "Top line"]
    assert parsed[2].settings.line == "0"
    code, _ = run_cli("convert", str(tmp_path / "t.vtt"), "-o", str(tmp_path / "back.srt"))
    assert code == 0 and (tmp_path / "back.srt").read_text(encoding="utf-8") == ISSUE_SRT


def test_srt_to_srt_keeps_the_file(tmp_path: Path) -> None:
    src = tmp_path / "t.srt"
    src.write_text(ISSUE_SRT, encoding="utf-8")
    code, _ = run_cli("convert", str(src), "-o", str(tmp_path / "same.srt"))
    assert code == 0 and (tmp_path / "same.srt").read_text(encoding="utf-8") == ISSUE_SRT


def test_resegment_re_cuts_captions_to_the_profile(tmp_path: Path) -> None:
    src = tmp_path / "t.srt"
    src.write_text(ISSUE_SRT, encoding="utf-8")
    result = convert_file(src, ConvertOptions(resegment=True))
    assert result.captions is None and result.cues
    assert "Thank you for doing this." in render(result, "srt")  # the line break is the segmenter's now


OVERLAPS = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:45.000 line:0\n[a 44 s sound description]\n\n"
    '00:00:02.000 --> 00:00:04.000\nAnd the world says: "Let it die."\n\n'
    "00:00:02.000 --> 00:00:04.000 align:left\n- Hello, Diana.\n- Hello.\n"
)


def test_overlapping_and_long_cues_stay_as_they_are(tmp_path: Path) -> None:
    src = tmp_path / "o.vtt"
    src.write_text(OVERLAPS, encoding="utf-8")
    result = convert_file(src, ConvertOptions())
    assert render(result, "vtt") == OVERLAPS  # byte for byte
    assert not [f for f in result.findings if f.severity.value == "error"]
    overlap = [f for f in result.findings if f.code == "C007"]
    assert overlap and all(f.severity.value == "info" for f in overlap)  # legal in WebVTT
    srt = render(result, "srt")
    items = pysrt.from_string(srt)
    assert [(i.start.ordinal, i.end.ordinal) for i in items] == [(1000, 45000), (2000, 4000), (2000, 4000)]
    assert items[1].text == 'And the world says: "Let it die."'  # never a speaker
    assert items[2].text == "{\\an1}- Hello, Diana.\n- Hello."  # dialogue dashes and the break kept


def test_no_speaker_is_invented_from_caption_text() -> None:
    doc = loads(
        "1\n00:00:01,000 --> 00:00:02,000\nLa Savoie : une région\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\n[Angeles rie]\n"
    )
    vtt = doc.to_string("vtt")
    assert "<v" not in vtt and "La Savoie : une région" in vtt and "[Angeles rie]" in vtt


RICH_VTT = (
    "WEBVTT - a title\nKind: captions\n\n"
    "STYLE\n::cue(.loud) { color: red }\n\n"
    "REGION\nid:fred width:40% lines:3 regionanchor:0%,100% viewportanchor:10%,90% scroll:up\n\n"
    "NOTE written by hand\n\n"
    "intro\n00:00:01.000 --> 00:00:03.000 region:fred align:start\n<v Bob>Hi <c.loud>there</c></v>\n\n"
    "00:00:02.500 --> 00:00:05.000 position:10%,line-left size:35% line:-2\n"
    "<i>Two</i> <00:00:03.000>words &amp; <lang fr>mots</lang>\n"
)


def test_webvtt_round_trip_keeps_everything() -> None:
    doc = loads(RICH_VTT)
    assert doc.to_string("vtt") == RICH_VTT
    assert [b.kind for b in doc.blocks] == ["STYLE", "REGION", "NOTE"]
    assert doc[0].identifier == "intro" and doc[0].speaker == "Bob"
    box = cue_box(doc[1].settings)
    assert (box.position, box.position_align, box.size, box.line, box.snap_to_lines) == (
        10.0,
        "line-left",
        35.0,
        -2.0,
        True,
    )


def test_webvtt_to_srt_reports_what_srt_cannot_carry() -> None:
    doc = loads(RICH_VTT)
    lost = doc.convert_findings("srt")
    messages = " | ".join(f.message for f in lost)
    assert all(f.code == "C015" for f in lost)
    for what in ("classes", "cue identifiers", "language spans", "word timestamps", "NOTE, REGION, STYLE"):
        assert what in messages
    srt = doc.to_string("srt")
    items = pysrt.from_string(srt)
    assert items[0].text == "{\\an1}BOB: Hi there"  # the voice as a label, align:start as {\an1}
    assert items[1].text.endswith("<i>Two</i> words & mots")


def test_legal_webvtt_gives_no_error_in_validate(tmp_path: Path) -> None:
    path = tmp_path / "rich.vtt"
    path.write_text(RICH_VTT.replace("&amp;", "& "), encoding="utf-8")  # a bare '&' is shown as it is
    code, out = run_cli("validate", str(path))
    assert code == 0, out


def test_browsers_drop_a_cue_with_a_comma_time_and_we_say_so() -> None:
    text = (
        "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nLost in browsers\n\n00:00:03.000 --> 00:00:04.000\nShown\n"
    )
    strict = loads(text)
    assert [c.plain for c in strict] == ["Shown"]
    assert any("Lost in browsers" in f.message and f.line == 3 for f in strict.findings)
    lenient = loads(text, lenient=True)
    assert [c.plain for c in lenient] == ["Lost in browsers", "Shown"]
    assert any("browsers drop this cue" in f.message for f in lenient.findings)


@pytest.mark.parametrize(
    ("text", "signed"),
    [
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n", True),
        ("WEBVTT some title\n\n00:01.000 --> 00:02.000\nx\n", True),
        ("WEBVTT\tsome title\n\n00:01.000 --> 00:02.000\nx\n", True),
        ("\ufeffWEBVTT\n\n00:01.000 --> 00:02.000\nx\n", True),
        ("WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n", False),
        ("00:01.000 --> 00:02.000\nx\n", False),
    ],
)
def test_the_signature_line(text: str, signed: bool) -> None:
    doc = loads(text, "vtt")
    assert [c.plain for c in doc] == ["x"]  # read in every case ...
    unsigned = [f for f in doc.findings if "does not start with the line WEBVTT" in f.message]
    assert bool(unsigned) is not signed  # ... and said when browsers would show nothing


def test_header_lines_and_a_cue_straight_after_the_header() -> None:
    doc = loads("WEBVTT\nKind: captions\n00:00:01.000 --> 00:00:02.000\ntext\n")
    assert doc.header == "\nKind: captions" and [c.plain for c in doc] == ["text"]


def test_no_blank_line_between_cues_and_blank_line_ends_a_cue() -> None:
    doc = loads("WEBVTT\n\n00:01.000 --> 00:02.000\none\n00:03.000 --> 00:04.000\ntwo\n\nstray text\n")
    assert [c.plain for c in doc] == ["one", "two"]
    assert any("stray text" in f.message for f in doc.findings)


CHARACTERS = (  # NBSP, zero-width space, a ZWJ family, Persian with a ZWNJ, bidi marks
    "a\u00a0b c\u200bd \U0001f468\u200d\U0001f469\u200d\U0001f467 "
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u200fRTL\u200e"
)


def test_every_character_survives_both_ways(tmp_path: Path) -> None:
    src = tmp_path / "c.srt"
    src.write_text(f"1\n00:00:01,000 --> 00:00:02,000\n{CHARACTERS}\n", encoding="utf-8")
    vtt = render(convert_file(src, ConvertOptions()), "vtt")
    assert CHARACTERS in vtt
    back = tmp_path / "c.vtt"
    back.write_text(vtt, encoding="utf-8")
    assert CHARACTERS in render(convert_file(back, ConvertOptions()), "srt")


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        (
            "cp1250",
            "Příliš žluťoučký kůň úpěl ďábelské ódy.\nDobrý den, jak se máte?\nDěkuji, mám se dobře. A vy?\n"
            "Včera jsme byli v divadle a potom na večeři.\nTo je opravdu skvělá zpráva, gratuluji!",
        ),
        ("cp1251", "Съешь же ещё этих мягких французских булок"),
        ("gb2312", "我们今天讨论的问题是非常重要的"),
        ("utf-32", "UTF-32 with its byte order mark"),
        ("utf-16", "UTF-16 with its byte order mark"),
    ],
)
def test_legacy_encodings_are_detected(encoding: str, text: str) -> None:
    data = ("1\n00:00:01,000 --> 00:00:02,000\n" + text + "\n\n") * 3
    decoded, name = decode_caption_bytes(data.encode(encoding))
    assert text in decoded
    assert codecs.lookup(name).name != "utf-8" or encoding == "utf-8"


def test_nul_bytes_are_read_as_browsers_read_them(tmp_path: Path) -> None:
    path = tmp_path / "n.vtt"
    path.write_bytes(b"WEBVTT\n\n00:01.000 --> 00:02.000\na\x00b\n\n00:03.000 --> 00:04.000\nc\n")
    doc = load(path)
    assert [c.text for c in doc] == ["a\ufffdb", "c"]


def test_a_caption_file_is_known_by_its_content_not_its_name(tmp_path: Path) -> None:
    named_srt = tmp_path / "really_vtt.srt"
    named_srt.write_text("WEBVTT\n\n00:01.000 --> 00:02.000 align:left\nx\n", encoding="utf-8")
    assert load(named_srt).format == "vtt"
    dump = tmp_path / "whisper.srt"
    dump.write_text("Tucker [00:00:01] A transcript, whatever its name says.\n", encoding="utf-8")
    result = convert_file(dump, ConvertOptions())
    assert result.captions is None and result.document.kind == "transcript"


def test_library_editing_returns_new_documents() -> None:
    doc = loads(RICH_VTT)
    later = doc.shift(s=1.5)
    assert [c.start_ms for c in later] == [2500, 4000] and [c.start_ms for c in doc] == [1000, 2500]
    assert [c.end_ms for c in doc.scale(2.0)] == [6000, 10000]
    only = doc.filter(lambda c: c.speaker == "Bob")
    assert len(only) == 1 and [b.kind for b in only.blocks] == ["STYLE", "REGION", "NOTE"]
    renamed = doc.rename_speakers({"Bob": "Robert <R>"})
    assert renamed[0].text.startswith("<v Robert &lt;R&gt;>") and renamed.speakers == ("Robert <R>",)
    assert doc.shift(-5000)[0].start_ms == 0  # times stop at 0


def test_save_writes_atomically_and_never_over_the_input(tmp_path: Path) -> None:
    from toolkit.errors import OutputError

    src = tmp_path / "in.vtt"
    src.write_text(RICH_VTT, encoding="utf-8")
    doc = load(src)
    lost = doc.save(tmp_path / "out.srt")
    assert {f.code for f in lost} == {"C015"}
    assert len(pysrt.open(str(tmp_path / "out.srt"))) == 2
    with pytest.raises(OutputError):
        doc.save(src)
    assert src.read_text(encoding="utf-8") == RICH_VTT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.vtt", "out.srt"]


# --- round trips, as properties ---------------------------------------------------------------------------

_WORD = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
        blacklist_characters="<>{}\\-\ufeff\u2060",
    ),
    min_size=1,
    max_size=12,
).filter(lambda w: w.strip() == w and w != "")
_STYLED = st.one_of(
    _WORD,
    _WORD.map(lambda w: f"<i>{w}</i>"),
    _WORD.map(lambda w: f"<b>{w}</b>"),
    _WORD.map(lambda w: f"<u>{w}</u>"),
    st.sampled_from(["a < b", "x & y", "&amp;", "1 > 0", "-- dash", "- Hi"]),
)
_LINE = st.lists(_STYLED, min_size=1, max_size=4).map(" ".join)
_CUE = st.tuples(
    st.integers(0, 10**7),
    st.integers(1, 60_000),
    st.lists(_LINE, min_size=1, max_size=3),
    st.one_of(st.none(), st.integers(1, 9)),
)


def _srt(cues: list[tuple[int, int, list[str], int | None]]) -> str:
    from toolkit.timecode import format_srt

    chunks = []
    for k, (start, length, lines, an) in enumerate(cues, start=1):
        first = (f"{{\\an{an}}}" if an and an != 2 else "") + lines[0]
        body = "\n".join([first, *lines[1:]])
        chunks.append(f"{k}\n{format_srt(start)} --> {format_srt(start + length)}\n{body}\n")
    return "\n".join(chunks)


@settings(max_examples=150, deadline=None)
@given(st.lists(_CUE, min_size=1, max_size=6))
def test_srt_to_vtt_to_srt_is_identical(cues: list[tuple[int, int, list[str], int | None]]) -> None:
    text = _srt(cues)
    doc = loads(text, "srt")
    assert not doc.findings
    vtt = doc.to_string("vtt")
    back = loads(vtt, "vtt")
    assert not back.findings
    assert back.to_string("srt") == text
    assert [(c.start_ms, c.end_ms) for c in back] == [(s, s + n) for s, n, _, _ in cues]


@settings(max_examples=100, deadline=None)
@given(st.lists(_CUE, min_size=1, max_size=6))
def test_vtt_times_and_text_survive_srt(cues: list[tuple[int, int, list[str], int | None]]) -> None:
    doc = loads(_srt(cues), "srt")
    vtt = doc.to_string("vtt")
    again = loads(loads(vtt, "vtt").to_string("srt"), "srt").to_string("vtt")
    assert again == vtt


def test_a_document_can_be_built_by_hand() -> None:
    doc = Captions((Caption(0, 1000, "one"), Caption(500, 1500, "<v A&amp;B>two")))
    assert (
        doc.to_string("vtt")
        == "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\none\n\n00:00:00.500 --> 00:00:01.500\n<v A&amp;B>two\n"
    )
    assert pysrt.from_string(doc.to_string("srt"))[1].text == "A&B: two"
    with pytest.raises(ValueError):
        Caption(-1, 0, "x")


YOUTUBE = Path(__file__).parent / "fixtures" / "captions" / "youtube_auto.vtt"


def test_rolling_auto_captions_are_merged_with_their_word_times(tmp_path: Path) -> None:
    code, out = run_cli("convert", str(YOUTUBE), "-o", str(tmp_path / "yt.vtt"))
    assert code == 0 and "4 cues" in out
    vtt = (tmp_path / "yt.vtt").read_text(encoding="utf-8")
    cues = webvtt.read(str(tmp_path / "yt.vtt"))
    assert [c.text for c in cues] == [
        "hey guys welcome back",
        "to another video about captions",
        "today we look at timing",
        "and why it matters",
    ]
    assert "to<00:00:02.580><c> another</c>" in vtt  # the words keep their times
    result = convert_file(YOUTUBE, ConvertOptions())
    merged = [f for f in result.findings if f.code == "P008"]
    assert len(merged) == 1 and merged[0].data["bridging_cues"] == 3 and merged[0].data["repeated_lines"] == 3


def test_a_file_that_does_not_roll_is_not_merged() -> None:
    from toolkit.captions.rolling import merge_rolling

    doc = loads(RICH_VTT)
    assert merge_rolling(doc) == (doc, [])
    echo = loads(
        "WEBVTT\n\n"
        + "".join(f"00:00:0{k}.000 --> 00:00:0{k}.900\nNo.\n\n" for k in range(1, 6))  # an echo, no word tags
    )
    assert merge_rolling(echo) == (echo, [])


def test_validate_flags_srt_text_that_players_would_hide(tmp_path: Path) -> None:
    path = tmp_path / "m.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nDr. <Who> and <i>italics</i>\n", encoding="utf-8")
    code, out = run_cli("validate", str(path))
    assert code == 0 and "C012 warning" in out and "'<Who>'" in out and "<i>" not in out.split("C012")[1]
    # what captionkit writes for such text does not read as markup
    safe = tmp_path / "safe.srt"
    run_cli("convert", str(tmp_path / "m.srt"), "-o", str(tmp_path / "m.vtt"))
    run_cli("convert", str(tmp_path / "m.vtt"), "-o", str(safe))
    assert "<\u2060Who>" in safe.read_text(encoding="utf-8")
    code, out = run_cli("validate", str(safe))
    assert "C012" not in out
