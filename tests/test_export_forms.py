"""Exporters' ways of writing timestamps and labels (issue 17's list), each read into the right turns."""

from __future__ import annotations

import pytest

from toolkit.parse import parse_text
from toolkit.pipeline import ConvertOptions, convert_document

CASES = {
    "italic labels": (
        "*Joe (0:05)*\nHello there, welcome.\n\n*Ann (0:09)*\nThanks for having me.\n",
        [("Joe", 5000, "Hello there, welcome."), ("Ann", 9000, "Thanks for having me.")],
    ),
    "starting point": (
        "Starting point is 00:00:00\nHello there.\n\nStarting point is 00:00:12\nToday we talk.\n",
        [(None, 0, "Hello there."), (None, 12000, "Today we talk.")],
    ),
    "whisper seconds": (
        "[0.00s --> 4.20s] Hello there, welcome.\n[4.20s --> 8.00s] Thanks for having me.\n",
        [(None, 0, "Hello there, welcome."), (None, 4200, "Thanks for having me.")],
    ),
    "whisper arrow": (
        "[00:00.000 → 00:04.200] Hello there.\n[00:04.200 → 00:08.000] Thanks for that.\n",
        [(None, 0, "Hello there."), (None, 4200, "Thanks for that.")],
    ),
    "zoom": (
        "[Joe Smith] 10:02:05\nHello there, welcome.\n[Ann Lee] 10:02:09\nThanks for having me.\n",
        [("Joe Smith", 36125000, "Hello there, welcome."), ("Ann Lee", 36129000, "Thanks for having me.")],
    ),
    "youtube sbv": (
        "0:00:05.000,0:00:08.460\nHello there, welcome.\n\n0:00:08.460,0:00:12.000\nThanks for having me.\n",
        [(None, 5000, "Hello there, welcome."), (None, 8460, "Thanks for having me.")],
    ),
    "bullets with ranges": (
        "- 0:05 - 0:09 Hello there, welcome.\n- 0:09 - 0:14 Thanks for having me.\n",
        [(None, 5000, "Hello there, welcome."), (None, 9000, "Thanks for having me.")],
    ),
    "html entities": (
        "Joe [00:00:05] It&#39;s great &amp; fun.\nAnn [00:00:09] Don&#39;t say that.\n",
        [("Joe", 5000, "It's great & fun."), ("Ann", 9000, "Don't say that.")],
    ),
    "a paragraph opening with its time": (
        "Joe [00:00:05] Hello there.\n\n(00:24) And more from Joe, who goes on.\n\nAnn [00:00:30] Thanks.\n",
        [
            ("Joe", 5000, "Hello there."),
            ("Joe", 24000, "And more from Joe, who goes on."),
            ("Ann", 30000, "Thanks."),
        ],
    ),
    "whisper.cpp speaker turns": (
        "[00:00:00.000 --> 00:00:03.800]   Okay Houston. [SPEAKER_TURN]\n"
        "[00:00:03.800 --> 00:00:06.200]   Say again.\n",
        [(None, 0, "Okay Houston."), (None, 3800, "Say again.")],
    ),
    "a diarizer's label without a time": (
        "Speaker 1 [00:00:05] Hello there, welcome.\n\n[Speaker 2] Thanks for having me.\n\n"
        "Speaker 1 [00:00:14] Let us begin.\n",
        [
            ("Speaker 1", 5000, "Hello there, welcome."),
            ("Speaker 2", None, "Thanks for having me."),
            ("Speaker 1", 14000, "Let us begin."),
        ],
    ),
    "voice tags in a text file": (
        "00:00:05 <v Joe Smith>Hello there, welcome.</v>\n00:00:09 <v Ann Lee>Thanks for having me.</v>\n",
        [("Joe Smith", 5000, "Hello there, welcome."), ("Ann Lee", 9000, "Thanks for having me.")],
    ),
    "word-level export with speaker headers": (
        "Joe Smith\n00:00:05.100 Hello\n00:00:05.400 there,\n00:00:05.800 welcome.\n"
        "Ann Lee\n00:00:09.000 Thanks\n00:00:09.300 for\n00:00:09.500 having\n00:00:09.800 me.\n",
        [("Joe Smith", 5100, "Hello there, welcome."), ("Ann Lee", 9000, "Thanks for having me.")],
    ),
    "a table without a header": (
        "00:00:05\tJoe Smith\tHello there, welcome.\n00:00:09\tAnn Lee\tThanks for having me.\n",
        [("Joe Smith", 5000, "Hello there, welcome."), ("Ann Lee", 9000, "Thanks for having me.")],
    ),
    "a council CSV with named columns": (
        "Start Time,End Time,Speaker Name,Transcript\n"
        '00:00:05,00:00:09,Council Member Ruiz,"Good evening, all."\n'
        '00:00:09,00:00:14,Clerk,"Roll call, please."\n',
        [("Council Member Ruiz", 5000, "Good evening, all."), ("Clerk", 9000, "Roll call, please.")],
    ),
    "a subtitle archive page": (
        ":00:00. > :00:15.Business question, Paul Flynn.\n\n:00:16. > :00:21.The business for next week.\n"
        "\n1:02:03. > 1:02:09.Order, order.\n",
        [
            (None, 0, "Business question, Paul Flynn."),
            (None, 16000, "The business for next week."),
            (None, 3723000, "Order, order."),
        ],
    ),
    "whisper.cpp words with punctuation segments": (
        "[00:00:00.320 --> 00:00:00.370]   And\n[00:00:00.370 --> 00:00:00.690]   so\n"
        "[00:00:00.690 --> 00:00:00.850]   my\n[00:00:00.850 --> 00:00:01.590]   fellow\n"
        "[00:00:01.590 --> 00:00:02.850]   Americans\n[00:00:02.850 --> 00:00:03.300]  ,\n"
        "[00:00:03.300 --> 00:00:04.140]   ask\n[00:00:04.140 --> 00:00:04.990]   not\n"
        "[00:00:04.990 --> 00:00:05.410]   this\n[00:00:05.410 --> 00:00:05.660]  .\n",
        [(None, 320, "And so my fellow Americans, ask not this.")],
    ),
    "a TSV in seconds with speakers": (
        "start\tspeaker\ttext\n5.0\tJoe\tHello there, welcome.\n9.2\tAnn\tThanks for having me.\n",
        [("Joe", 5000, "Hello there, welcome."), ("Ann", 9200, "Thanks for having me.")],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_form(name: str) -> None:
    text, expected = CASES[name]
    doc = parse_text(text)
    assert [(t.speaker, t.start_ms, t.text) for t in doc.turns] == expected


MISSION = """[-00:00:00:10]
LCC: 10, 9, 8, 7, 6, --

[00:00:00:01]
LCC: LIFT-OFF.

[00:00:00:02]
_page : 8
_tape : Tape 1/1
CDR: The clock is running.

[01:00:06:53]
CC:  13, Houston. Level sense arm time [time:00:00:08:38|8 plus 38]
     nominal; [glossary:S-IVB] to orbit. Your V over V<sub>R</sub> is unity.
"""


def test_a_mission_transcript() -> None:
    # NASA air-to-ground as Spacelog keeps it: days of mission time, metadata lines, the site's markup
    doc = parse_text(MISSION)
    assert [(t.speaker, t.start_ms, t.text) for t in doc.turns] == [
        ("LCC", None, "10, 9, 8, 7, 6, --"),
        ("LCC", 1000, "LIFT-OFF."),
        ("CDR", 2000, "The clock is running."),
        ("CC", (24 * 3600 + 6 * 60 + 53) * 1000,
         "13, Houston. Level sense arm time 8 plus 38 nominal; S-IVB to orbit. Your V over VR is unity."),
    ]  # fmt: skip
    (meta,) = [f for f in doc.findings if f.code == "P009"]
    assert meta.data["removed"] == ["_page : 8", "_tape : Tape 1/1"] and meta.data["lines"] == [8, 9]


def test_a_chapter_list_line_stays_a_chapter() -> None:
    doc = parse_text("(00:00) Intro\n(01:10) Sanctions\n\nJoe (00:01): Hello there.\nAnn (00:05): Hi.\n")
    assert [t.text for t in doc.turns] == ["Hello there.", "Hi."]


def test_clock_times_start_at_zero_with_the_offset_reported() -> None:
    doc = parse_text(CASES["zoom"][0])
    result = convert_document(doc, ConvertOptions())
    assert result.cues[0].start_ms == 0 and result.turns[1].start_ms == 4000
    (note,) = [f for f in result.findings if f.code == "T009"]
    assert note.data["offset_ms"] == 36125000 and result.meta["clock_offset_ms"] == 36125000
    kept = convert_document(doc, ConvertOptions(duration_ms=40_000_000))  # media known to be that long
    assert kept.cues[0].start_ms == 36125000 and not [f for f in kept.findings if f.code == "T009"]


def test_a_paragraph_with_its_own_timestamp_after_the_last_turn_is_speech() -> None:
    doc = parse_text(
        "Tucker [00:22:30] So what happens next?\n\nLavrov [00:22:35] We will see.\n\n"
        "And then there is the matter of the talks [00:22:42] which we proposed many times.\n"
    )
    assert [(t.speaker, t.start_ms, t.text) for t in doc.turns][-2:] == [
        ("Lavrov", 1355000, "We will see. And then there is the matter of the talks"),
        ("Lavrov", 1362000, "which we proposed many times."),
    ]
    assert not [f for f in doc.findings if f.code == "P001"]


def test_player_glyphs_are_dropped_and_listed() -> None:
    doc = parse_text("▶ Joe [00:00:05] Hello there.\n▶ Ann [00:00:09] Hi, Joe.\n")
    assert [(t.speaker, t.text) for t in doc.turns] == [("Joe", "Hello there."), ("Ann", "Hi, Joe.")]
    assert any(f.code == "P009" and f.data["what"] == "player glyphs" for f in doc.findings)


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (
            "WEBVTT 00:00:00.000 --> 00:00:02.000 Hello there. 00:00:02.000 --> 00:00:04.500 How are you "
            "today? 00:00:04.500 --> 00:00:06.000 Fine, thanks.",
            "vtt",
        ),
        (
            "1 00:00:00,000 --> 00:00:02,000 Hello there. 2 00:00:02,000 --> 00:00:04,500 How are you "
            "today? 3 00:00:04,500 --> 00:00:06,000 Fine, thanks.",
            "srt",
        ),
    ],
)
def test_a_caption_file_whose_line_breaks_were_flattened(text: str, fmt: str) -> None:
    from toolkit.captions import loads

    doc = loads(text, fmt)
    assert [(c.start_ms, c.end_ms, c.plain) for c in doc] == [
        (0, 2000, "Hello there."),
        (2000, 4500, "How are you today?"),
        (4500, 6000, "Fine, thanks."),
    ]
    assert "line breaks were lost" in doc.findings[0].message


def test_tv_caption_archive_pages() -> None:
    """12-hour clock lines before each minute of lower-case captions, speakers named inside the text."""
    doc = parse_text(
        "tv U.S. Senate CSPAN February 27, 2025 9:59am-2:00pm EST\n9:59 am\n"
        "ahead. >> a live look at the capitol.\n10:01 am\n"
        "the presiding officer: the senate will come to order. the chaplain: let us pray. eternal lord\n"
        "10:02 am\nkeep them from error. amen. the presiding officer: please join me.\n"
    )
    assert [(t.speaker, t.start_ms, t.text) for t in doc.turns] == [
        (None, 35_940_000, "ahead. >> a live look at the capitol."),
        ("the presiding officer", 36_060_000, "the senate will come to order."),
        ("the chaplain", None, "let us pray. eternal lord"),
        ("the chaplain", 36_120_000, "keep them from error. amen."),
        ("the presiding officer", None, "please join me."),
    ]
