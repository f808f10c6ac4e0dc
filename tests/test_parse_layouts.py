"""One test per transcript layout: the exact turns (speaker, start_ms, line, text) of samples/layouts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import InputError, NoTimestampsError, ParseError
from toolkit.model import Document
from toolkit.parse import LAYOUTS, detect_layout, parse_text, read_document

LAYOUT_DIR = Path(__file__).resolve().parent.parent / "samples" / "layouts"

TurnRow = tuple[str | None, int | None, int, str]


def rows(doc: Document) -> list[TurnRow]:
    return [(t.speaker, t.start_ms, t.line, t.text) for t in doc.turns]


def read(name: str, **kw: float) -> Document:
    return read_document(LAYOUT_DIR / name, **kw)


def p001(doc: Document) -> list[tuple[int, int, str]]:
    found = [f for f in doc.findings if f.code == "P001"]
    return [(f.data["first_line"], f.data["last_line"], f.data["text"]) for f in found]


def test_name_bracket_time() -> None:
    doc = read("name_bracket_time.txt")
    assert doc.layout == "name-bracket-time"
    assert rows(doc) == [
        ("Tucker", 0, 5, "Minister Lavrov, thank you for doing this."),
        (
            "Sergey Lavrov",
            7000,
            7,
            "I wouldn't say so. [Putin] has said this many times. [crosstalk]",
        ),
        ("Tucker", 44000, 9, "But the United States is funding a conflict that you're involved in."),
        (
            "Sergey Lavrov",
            59000,
            11,
            "Well, we officially are not at war. But what is going on in Ukraine, some people call it a "
            "hybrid war. [T]he facts are clear.",
        ),
        ("Tucker", 90000, 15, "Do you think the United States is at war with Russia?"),  # NBSP in the file
        ("Lavrov", 94000, 17, "Not officially."),
    ]
    assert p001(doc) == [
        (
            1,
            4,
            "Tucker Carlson Network\nExclusive: Russia's longtime foreign minister on the war. In the "
            'interview he says the "[T]he realities on the ground" must count.',
        ),
        (19, 21, "Share this article\nYour comments are welcome"),
    ]


def test_bracket_time_first() -> None:
    doc = read("bracket_time_first.txt")
    assert doc.layout == "time-name-colon"
    assert rows(doc) == [
        ("Tucker Carlson", 5000, 1, "Minister Lavrov, thank you for doing this."),
        ("Sergey Lavrov", 9000, 2, "You're welcome. [inaudible] It's good to be here."),
        ("Tucker Carlson", 15000, 3, "Do you believe we are at war?"),
        ("Sergey Lavrov", 18000, 4, "I wouldn't say so."),  # zero-width space removed
        ("Tucker Carlson", 21000, 5, "Why not?"),
        ("Sergey Lavrov", 23000, 6, "Because it's not a secret that [TS] said otherwise."),
    ]
    assert doc.findings == ()


def test_speaker_colon_time_first_mixed_clock_forms() -> None:
    doc = read("speaker_colon_time_first.txt")
    assert doc.layout == "time-name-colon"
    assert rows(doc) == [
        ("Tucker", 5000, 1, "So you believe the United States is at war with Russia?"),
        ("Lavrov", 9000, 2, "Because it's not a secret."),
        ("Tucker", 760_000, 3, "Is that what you want?"),
        ("Lavrov", 3_598_000, 4, "No, we want normal relations."),
        ("Tucker", 4_512_000, 5, "And the sanctions?"),  # [75:12]: minutes past 59
        ("Lavrov", 4_563_000, 6, "The sanctions hurt Europe more than us."),
    ]


def test_name_paren_time_with_continuation() -> None:
    doc = read("name_paren_time.txt")
    assert doc.layout == "name-paren-time"
    assert rows(doc) == [
        ("Tucker Carlson", 0, 1, "Minister Lavrov, thank you for doing this."),
        (
            "Sergey Lavrov",
            7000,
            4,
            "I wouldn't say so. [crosstalk] We would like to have normal relations.",
        ),
        ("Sergey Lavrov", 30000, 8, "With all our neighbors, of course."),  # bare (00:30): same speaker
        ("Tucker Carlson", 2_548_000, 11, "So you believe the United States is at war with Russia?"),
        ("Sergey Lavrov", 3_723_000, 14, "Because it's not a secret. [inaudible]"),
    ]
    assert doc.findings == ()


def p007(doc: Document) -> list[tuple[int, str, str, str, list[int]]]:
    found = [f for f in doc.findings if f.code == "P007"]
    return [
        (f.line or 0, f.data["variant"], f.data["canonical"], f.data["role"], f.data["lines"]) for f in found
    ]


def test_name_role_paren_time() -> None:
    """Rev with roles: the caption speaker is the name; each role left out is a P007 with its lines."""
    doc = read("name_role_paren_time.txt")
    assert doc.layout == "name-paren-time"
    assert rows(doc) == [
        ("Tucker Carlson", 5000, 1, "Hello there and welcome. Minister Lavrov, thank you for doing this."),
        ("Sergey Lavrov", 12000, 4, "Thank you for having me. [crosstalk]"),
        ("Sergey Lavrov", 41000, 7, "We would like to have normal relations with all our neighbors."),
        ("Tucker Carlson", 75000, 10, "So you believe the United States is at war with Russia?"),
        ("Maria Zakharova", 3_723_000, 13, "The minister has to leave now. Thank you."),  # Speaker 3 (name)
    ]
    assert p007(doc) == [
        (1, "Tucker Carlson (Host)", "Tucker Carlson", "Host", [1, 10]),
        (4, "Sergey Lavrov (Guest)", "Sergey Lavrov", "Guest", [4]),
        (13, "Speaker 3 (Maria Zakharova)", "Maria Zakharova", "Speaker 3", [13]),
    ]
    assert [f.code for f in doc.findings] == ["P007", "P007", "P007"]


def test_name_role_bracket_time() -> None:
    doc = read("name_role_bracket_time.txt")
    assert doc.layout == "name-bracket-time"
    assert rows(doc) == [
        ("Dr. Smith", 5000, 3, "Good evening. Tonight, a panel on sanctions."),  # label on its own line
        ("Jane Doe", 12000, 6, "Thanks for having me."),
        ("Sen. Graham", 20000, 9, "Sanctions are working, and they will keep working."),
        ("Mr. O'Brien", 31000, 10, "The numbers say otherwise."),
        ("José Álvarez", 40000, 11, "Minister, a question from Madrid."),
        (
            "Sergey Lavrov",
            47000,
            12,
            "Well, [inaudible] yes. He said (quietly) that it was fine, 10:30 was the time.",
        ),
    ]
    assert p001(doc) == [(1, 2, "Panel transcript: sanctions, one year on")]
    assert p007(doc) == [
        (3, "Speaker 1 (Dr. Smith)", "Dr. Smith", "Speaker 1", [3]),
        (6, "Jane Doe, CEO", "Jane Doe", "CEO", [6]),
        (9, "Sen. Graham (R-SC)", "Sen. Graham", "R-SC", [9]),
        (10, "Mr. O'Brien, Head of Research", "Mr. O'Brien", "Head of Research", [10]),
        (11, "José Álvarez (El País)", "José Álvarez", "El País", [11]),
    ]


# every layout that names speakers, with the labels {a} and {b}
NAMED_LAYOUTS = {
    "name-bracket-time": "{a} [00:00:01] Question one?\n{b} [00:00:30] Answer.\n",
    "name-bracket-time/own-line": "{a} [00:00:01]\nQuestion one?\n\n{b} [00:00:30]\nAnswer.\n",
    "time-name-colon": "[00:00:01] {a}: Question one?\n[00:00:30] {b}: Answer.\n",
    "name-colon-bracket": "{a}: [00:00:01] Question one?\n{b}: [00:00:30] Answer.\n",
    "name-paren-time": "{a} (00:01):\nQuestion one?\n\n{b} (00:30):\nAnswer.\n",
    "name-paren-time/inline": "{a} (00:01): Question one?\n{b} (00:30): Answer.\n",
    "name-paren-time/colon-first": "{a}: (00:01) Question one?\n{b}: (00:30) Answer.\n",
    "time-name-line": "[00:00:01] {a}\nQuestion one?\n\n[00:00:30] {b}\nAnswer.\n",
    "otter": "{a}  0:01\nQuestion one?\n\n{b}  0:30\nAnswer.\n",
}


@pytest.mark.parametrize("layout", sorted(NAMED_LAYOUTS))
@pytest.mark.parametrize(
    ("label", "speaker", "role"),
    [
        ("Tucker Carlson (Host)", "Tucker Carlson", "Host"),
        ("Jane Doe, CEO", "Jane Doe", "CEO"),
        ("Speaker 1 (Dr. Smith)", "Dr. Smith", "Speaker 1"),
        ("Host (Tucker Carlson)", "Tucker Carlson", "Host"),
        ("SPEAKER_00 (Host)", "SPEAKER_00", "Host"),
        ("Zelenskyy (President of Ukraine)", "Zelenskyy", "President of Ukraine"),
        ("Mr. O'Brien, Head of Research", "Mr. O'Brien", "Head of Research"),
        ("Jean-Luc Picard, Captain", "Jean-Luc Picard", "Captain"),
        ("José Álvarez (El País)", "José Álvarez", "El País"),
        ("Martin Luther King, Jr.", "Martin Luther King, Jr.", None),  # a suffix, not a role
        ("Sen. Graham", "Sen. Graham", None),
        ("Speaker 1", "Speaker 1", None),
    ],
)
def test_labels_with_roles_in_every_named_layout(
    layout: str, label: str, speaker: str, role: str | None
) -> None:
    doc = parse_text(NAMED_LAYOUTS[layout].format(a=label, b="Sergey Lavrov (Guest)"))
    assert doc.layout == layout.split("/")[0]
    assert [(t.speaker, t.start_ms, t.text) for t in doc.turns] == [
        (speaker, 1000, "Question one?"),
        ("Sergey Lavrov", 30000, "Answer."),
    ]
    expected = [(1, label, speaker, role, [1])] if role else []
    b_line = doc.turns[1].line
    assert p007(doc) == [*expected, (b_line, "Sergey Lavrov (Guest)", "Sergey Lavrov", "Guest", [b_line])]
    assert not [f for f in doc.findings if f.code == "P001"]


@pytest.mark.parametrize("layout", sorted(NAMED_LAYOUTS))
@pytest.mark.parametrize(
    "sentence",
    [
        "He said (quietly) that it was fine, 10:30 was the time.",
        "Well, [inaudible 00:12:03] yes.",
        "Well, sure [00:12:03] yes.",
        "Look, Tucker [00:12:03] the point is clear.",
        "He said (quietly) [00:12:03] that it was fine.",
        "Thank you, Mr. President [00:12:03] we agree.",
        "In Moscow, Russia [00:12:03] the talks went on.",
        "Yes, Absolutely  10:30",
        "The meeting (in Moscow) 10:30",
    ],
)
def test_sentences_with_commas_and_parentheses_are_not_speaker_labels(layout: str, sentence: str) -> None:
    """A sentence line inside a turn stays that turn's text (a bare [time] in it: the same speaker)."""
    text = NAMED_LAYOUTS[layout].format(a="Tucker", b="Lavrov").replace("Question one?", f"Q?\n{sentence}")
    doc = parse_text(text)
    assert doc.layout == layout.split("/")[0]
    assert {t.speaker for t in doc.turns} == {"Tucker", "Lavrov"}
    assert doc.turns[-1].speaker == "Lavrov"
    said = " ".join(t.text for t in doc.turns if t.speaker == "Tucker")
    assert said == " ".join(f"Q? {sentence}".replace(" [00:12:03]", "").replace(" 00:12:03]", "]").split())
    assert not [f for f in doc.findings if f.code in ("P001", "P007")]


def test_otter() -> None:
    doc = read("otter.txt")
    assert doc.layout == "otter"
    assert rows(doc) == [
        ("Tucker Carlson", 0, 1, "Minister Lavrov, thank you for doing this."),
        ("Sergey Lavrov", 7000, 4, "I wouldn't say so. And in any case, this is not what we want."),
        ("Tucker Carlson", 2_548_000, 7, "So you believe the United States is at war with Russia?"),
        ("Sergey Lavrov", 3_752_000, 10, "Because it's not a secret. We said so many times."),
        ("Unknown Speaker", 3_760_000, 14, "Thank you."),
    ]
    assert p001(doc) == [(17, 17, "Transcribed by https://otter.ai")]


def test_zoom_transcript() -> None:
    doc = read("zoom.txt")
    assert doc.layout == "bracket-name-time-line"
    assert rows(doc) == [
        ("Tucker Carlson", 68_425_000, 1, "Minister Lavrov, thank you for doing this."),
        ("Sergey Lavrov", 68_431_000, 3, "I wouldn't say so. And in any case, this is not what we want."),
        ("Tucker Carlson", 68_468_000, 5, "But the United States is funding a conflict."),
    ]


def test_name_colon_time_line() -> None:
    doc = read("name_colon_time_line.txt")
    assert doc.layout == "name-colon-time-line"
    assert rows(doc) == [
        ("Tucker", 1000, 10, "Minister Lavrov, thank you for doing this."),
        ("Lavrov", 7000, 14, "I wouldn't say so. And in any case, this is not what we want."),
        ("Tucker", 44000, 21, "But the United States is funding a conflict."),
    ]
    headings = [f for f in doc.findings if f.code == "P009"]
    assert len(headings) == 1 and headings[0].data["lines"] == [8, 19]  # dropped and listed
    assert p001(doc) == [
        (
            1,
            9,
            "---\ntitle: 'Tucker Carlson interviews Sergey Lavrov'\nspeakers:\n"
            "- 'Tucker Carlson'\n- 'Sergey Lavrov'\n---",
        )
    ]


def test_time_name_line() -> None:
    doc = read("time_name_line.txt")
    assert doc.layout == "time-name-line"
    assert rows(doc) == [
        ("Tucker Carlson", 0, 3, "Minister Lavrov, thank you for doing this. Do you believe we are at war?"),
        ("Sergey Lavrov", 7000, 7, "I wouldn't say so. [crosstalk]"),
        ("Tucker Carlson", 44000, 10, "But the United States is funding a conflict."),
        ("Speaker 2", 59000, 13, "Well, we officially are not at war."),
    ]
    assert p001(doc) == [(1, 2, "Interview transcript, exported from Descript")]


def test_timestamps_inside_text_start_same_speaker_turns() -> None:
    doc = parse_text(
        "Tucker [00:00:01] First point. [00:00:30] Second point.\nStill second. [00:00:40] Third.\n\n"
        "Lavrov [00:01:00] Reply.\n"
    )
    assert rows(doc) == [
        ("Tucker", 1000, 1, "First point."),
        ("Tucker", 30000, 1, "Second point. Still second."),
        ("Tucker", 40000, 2, "Third."),
        ("Lavrov", 60000, 4, "Reply."),
    ]


def test_timestamp_inside_text_can_name_the_next_speaker() -> None:
    doc = parse_text(
        "[00:00:01] Tucker: Hi. [00:00:03] Lavrov: Hello. [00:00:05] and more\n[00:00:09] Tucker: Bye.\n"
    )
    assert rows(doc) == [
        ("Tucker", 1000, 1, "Hi."),
        ("Lavrov", 3000, 1, "Hello."),
        ("Lavrov", 5000, 1, "and more"),
        ("Tucker", 9000, 2, "Bye."),
    ]


def test_youtube_copy() -> None:
    doc = read("youtube_copy.txt")
    assert doc.layout == "youtube"
    assert rows(doc) == [
        (None, 0, 1, "minister lavrov thank you for doing"),
        (None, 3000, 3, "this do you believe the united states"),
        (None, 6000, 5, "and russia are at war"),
        (None, 3_735_000, 7, "i wouldn't say so"),
        (None, 3_738_000, 9, "and in any case this is not what we want"),
    ]


def test_otter_web_copy() -> None:
    doc = read("otter_web_copy.txt")
    assert doc.layout == "youtube"
    assert rows(doc) == [
        ("Tucker Carlson", 0, 2, "Minister Lavrov, thank you for doing this."),
        ("Sergey Lavrov", 4000, 6, "Thank you for coming."),
        (
            "Tucker Carlson",
            7000,
            10,
            "Do you believe the United States and Russia are at war with each other right now?",
        ),
        ("Sergey Lavrov", 3_735_000, 14, "I would not say so. And in any case, this is not what we want."),
    ]


def test_time_text() -> None:
    doc = read("time_text.txt")
    assert doc.layout == "time-text"
    assert rows(doc) == [
        (None, 0, 3, "minister lavrov thank you for doing this"),
        (None, 3000, 4, "do you believe the united states and russia"),
        (None, 6000, 5, "are at war with each other right now"),
        (None, 9000, 6, "i wouldn't say so and in any case"),
        (None, 3_735_000, 7, "this is not what we want"),
    ]
    assert p001(doc) == [(1, 2, "Transcript")]


def test_inline_timestamps() -> None:
    doc = read("inline_timestamps.txt")
    assert doc.layout == "inline"
    assert rows(doc) == [
        (None, 5000, 1, "Minister Lavrov, thank you for doing this."),
        (None, 7000, 1, "I wouldn't say so. [inaudible] We would like normal relations."),
        (None, 15000, 2, "Do you believe we are at war?"),
        (None, 18000, 2, "Not officially. But some people call it a hybrid war."),
        (None, 30000, 5, "Why?"),
        (None, 31000, 5, "Because [T]he facts are clear."),
    ]


def test_whisper_ranges() -> None:
    doc = read("whisper.txt")
    assert doc.layout == "inline"
    assert [(t.speaker, t.start_ms, t.end_ms, t.line, t.text) for t in doc.turns] == [
        (None, 0, 4000, 1, "Minister Lavrov, thank you for doing this."),
        (None, 4000, 7500, 2, "Do you believe the United States and Russia are at war?"),
        (None, 7500, 9000, 3, "I wouldn't say so."),
        (None, 9000, 12240, 4, "And in any case, this is not what we want."),
        (None, 3_723_500, 3_725_000, 5, "Thank you."),
    ]


def test_whisperx_speakers_with_ranges() -> None:
    doc = parse_text(
        "[00:00:00.000 --> 00:00:04.000] SPEAKER_00: Minister Lavrov, thank you.\n"
        "[00:00:04.000 --> 00:00:07.000] SPEAKER_01: You are welcome.\n"
    )
    assert doc.layout == "time-name-colon"
    assert [(t.speaker, t.start_ms, t.end_ms, t.text) for t in doc.turns] == [
        ("SPEAKER_00", 0, 4000, "Minister Lavrov, thank you."),
        ("SPEAKER_01", 4000, 7000, "You are welcome."),
    ]


def test_word_level_with_arrows_is_not_srt() -> None:
    doc = parse_text(
        "00:00:01.230 --> 00:00:01.480 So\n00:00:01.480 --> 00:00:01.900 you\n"
        "00:00:01.900 --> 00:00:02.000 believe.\n"
    )
    assert (doc.kind, doc.layout) == ("transcript", "word-level")
    assert [(t.start_ms, t.end_ms, t.text) for t in doc.turns] == [(1230, 2000, "So you believe.")]


def test_name_colon_bracket() -> None:
    doc = read("name_colon_bracket.txt")
    assert doc.layout == "name-colon-bracket"
    assert rows(doc) == [
        ("Tucker Carlson", 2_548_000, 1, "So you believe the United States is at war with Russia?"),
        ("Sergey Lavrov", 2_552_000, 2, "Because it's not a secret."),
        ("Tucker Carlson", 2_560_000, 3, "Is that right?"),
        ("Sergey Lavrov", 2_561_000, 4, "Yes. [crosstalk]"),
        ("Tucker Carlson", 2_565_000, 5, "Thank you."),
    ]


def test_word_level_grouped_into_sentences() -> None:
    doc = read("word_level.txt")
    assert doc.layout == "word-level"
    assert rows(doc) == [
        (None, 1230, 1, "Minister Lavrov, thank you."),  # sentence punctuation ends a turn
        (None, 3500, 5, "I wouldn't say so"),  # a 1.3 s pause ends a turn
        (None, 6200, 9, "We want peace."),
    ]
    assert [t.end_ms for t in doc.turns] == [2300, 4900, 7300]
    assert [(w.text, w.start_ms, w.end_ms) for w in doc.turns[0].words] == [
        ("Minister", 1230, 1480),
        ("Lavrov,", 1480, 1900),
        ("thank", 1900, 2100),
        ("you.", 2100, 2300),
    ]


def test_word_level_without_end_times() -> None:
    words = ["So", "you", "believe", "that?", "Yes", "I", "do.", "Fine"]
    text = "\n".join(f"[00:00:{s:02d}.5] {w}" for s, w in enumerate(words))
    doc = parse_text(text)
    assert doc.layout == "word-level"
    assert rows(doc) == [
        (None, 500, 1, "So you believe that?"),
        (None, 4500, 5, "Yes I do."),
        (None, 7500, 8, "Fine"),
    ]
    assert [t.end_ms for t in doc.turns] == [None, None, None]
    assert [(w.start_ms, w.end_ms) for w in doc.turns[0].words] == [
        (500, 1500),
        (1500, 2500),
        (2500, 3500),
        (3500, 4500),
    ]


def test_frames_default_fps() -> None:
    doc = read("frames.txt")
    assert doc.layout == "time-name-colon"
    assert rows(doc) == [
        ("Tucker", 3_600_000, 1, "Minister Lavrov, thank you for doing this."),
        ("Sergey Lavrov", 3_607_480, 2, "I wouldn't say so."),  # 12 frames at 25 fps = 480 ms
        ("Tucker", 3_644_960, 3, "But the United States is funding a conflict."),
        ("Sergey Lavrov", 3_659_200, 4, "Well, we officially are not at war."),
        ("Tucker", 3_670_000, 5, "Thank you."),
    ]


def test_frames_with_fps_option() -> None:
    doc = read("frames.txt", fps=30.0)
    assert [t.start_ms for t in doc.turns] == [3_600_000, 3_607_400, 3_644_800, 3_659_167, 3_670_000]


def test_chapter_list_is_not_speech() -> None:
    doc = read("chapters.txt")
    assert doc.layout == "name-paren-time"
    assert rows(doc) == [
        ("Tucker", 0, 8, "Minister Lavrov, thank you for doing this."),
        ("Sergey Lavrov", 7000, 9, "I wouldn't say so."),
        ("Tucker", 42000, 10, "And NATO?"),
        ("Sergey Lavrov", 45000, 11, "No NATO. Absolutely no military bases."),
        ("Tucker", 3_735_000, 12, "And the sanctions?"),
        ("Sergey Lavrov", 3_739_000, 13, "They hurt Europe."),
    ]
    assert p001(doc) == [
        (
            1,
            7,
            "Episode 42: Sergey Lavrov\nChapters\n(00:00) Intro\n(00:42) Lavrov on NATO\n1:02:15 - Sanctions",
        )
    ]


def test_only_a_chapter_list_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        parse_text("Show notes\n(00:00) Intro\n(12:30) NATO\n(42:28) Sanctions\n", path="notes.txt")
    assert info.value.line == 2
    assert "chapter" in str(info.value)


def test_mixed_timestamps_and_malformed() -> None:
    doc = read("mixed_timestamps.txt")
    assert rows(doc) == [
        ("Tucker", 5000, 1, "Minister Lavrov, thank you."),
        ("Sergey Lavrov", 62000, 2, "You're welcome."),
        ("Tucker", 4_512_000, 3, "Minutes past fifty-nine."),
        ("Sergey Lavrov", 4_560_500, 4, "A fraction with a dot."),
        ("Tucker", 4_562_500, 5, "A fraction with a comma."),
        ("Sergey Lavrov", None, 6, "This timestamp is malformed."),
        ("Tucker", 4_620_000, 7, "Back to normal."),
    ]
    (p003,) = [f for f in doc.findings if f.code == "P003"]
    assert p003.line == 6
    assert p003.data["timestamp"] == "00:61:00"
    assert "61 minutes" in p003.message


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("cp1252.txt", "cp1252"), ("utf16.txt", "utf-16")],
)
def test_encodings_reported(name: str, encoding: str) -> None:
    doc = read(name)
    assert doc.encoding == encoding
    p002 = [f for f in doc.findings if f.code == "P002"]
    assert [f.data["encoding"] for f in p002] == [encoding]
    assert len(doc.turns) == 4


def test_cp1252_text() -> None:
    doc = read("cp1252.txt")
    assert rows(doc) == [
        ("Tucker", 0, 1, "Minister Lavrov, thank you – it’s an honour."),
        ("Sergey Lavrov", 7000, 2, "Café diplomacy is not what we want."),
        ("Tucker", 44000, 3, "Is that “normal”?"),
        ("Sergey Lavrov", 59000, 4, "Yes."),
    ]


def test_utf16_text() -> None:
    doc = read("utf16.txt")
    assert [t.speaker for t in doc.turns] == ["Tucker", "Сергей Лавров", "Tucker", "Сергей Лавров"]
    assert doc.turns[1].text == "Спасибо. Thank you."


def test_utf8_has_no_encoding_finding() -> None:
    assert not [f for f in read("otter.txt").findings if f.code == "P002"]


def test_no_timestamps_raises(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("Tucker: hello there.\nLavrov: hello.\n", encoding="utf-8")
    with pytest.raises(NoTimestampsError) as info:
        read_document(path)
    assert info.value.path == str(path)


def test_empty_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError):
        read_document(path)


def test_bare_bracket_continues_speaker_in_name_layout() -> None:
    doc = parse_text(
        "Tucker [00:00:01] First point.\n[00:00:30] Second point, same speaker.\nLavrov [00:01:00] Reply.\n"
    )
    assert rows(doc) == [
        ("Tucker", 1000, 1, "First point."),
        ("Tucker", 30000, 2, "Second point, same speaker."),
        ("Lavrov", 60000, 3, "Reply."),
    ]


def test_annotation_at_line_start_is_not_a_turn() -> None:
    doc = parse_text(
        "Tucker [00:00:01] Question?\n[crosstalk 00:00:03] and more words\nLavrov [00:00:05] Answer.\n"
    )
    assert rows(doc) == [
        ("Tucker", 1000, 1, "Question? [crosstalk] and more words"),
        ("Lavrov", 5000, 3, "Answer."),
    ]


def test_footer_vs_continuation_with_evidence() -> None:
    """Turns here run over paragraphs, so a speech-like paragraph after the last turn continues it."""
    text = (
        "Tucker [00:00:01] First question?\n\nStill asking, in a second paragraph.\n\n"
        "Lavrov [00:00:10] The answer.\n\nAnd a second paragraph of the answer.\n\n"
        "Share this article\n\nThe author is a journalist.\n"
    )
    doc = parse_text(text)
    assert rows(doc) == [
        ("Tucker", 1000, 1, "First question? Still asking, in a second paragraph."),
        ("Lavrov", 10000, 5, "The answer. And a second paragraph of the answer."),
    ]
    assert p001(doc) == [(9, 11, "Share this article\nThe author is a journalist.")]


def test_footer_without_evidence() -> None:
    """Single-paragraph turns: a sentence after the last turn is page text, not speech."""
    text = (
        "Tucker [00:00:01] Question?\n\nLavrov [00:00:10] Answer.\n\n"
        "This transcript was edited for clarity.\n"
    )
    doc = parse_text(text)
    assert rows(doc) == [("Tucker", 1000, 1, "Question?"), ("Lavrov", 10000, 3, "Answer.")]
    assert p001(doc) == [(5, 5, "This transcript was edited for clarity.")]


def test_footer_line_glued_to_the_last_turn() -> None:
    doc = parse_text(
        "Tucker [00:00:01] Q?\nLavrov [00:00:05] A.\nYour comments are welcome\n\nSuggested products\n"
    )
    assert rows(doc) == [("Tucker", 1000, 1, "Q?"), ("Lavrov", 5000, 2, "A.")]
    assert p001(doc) == [(3, 5, "Your comments are welcome\nSuggested products")]


def test_otter_footer_without_blank_line() -> None:
    doc = parse_text("Tucker  0:01\nQ?\n\nLavrov  0:05\nA.\nTranscribed by https://otter.ai\n")
    assert rows(doc) == [("Tucker", 1000, 1, "Q?"), ("Lavrov", 5000, 4, "A.")]
    assert p001(doc) == [(6, 6, "Transcribed by https://otter.ai")]


def test_first_text_line_of_a_header_only_turn_is_always_speech() -> None:
    doc = parse_text("0:01\nhello and welcome\n0:04\nthanks for watching please subscribe\n")
    assert rows(doc) == [
        (None, 1000, 1, "hello and welcome"),
        (None, 4000, 3, "thanks for watching please subscribe"),
    ]


def test_footer_after_speech_like_continuations() -> None:
    doc = parse_text(
        "Tucker [00:00:01] Q?\n\nmore Q.\n\nLavrov [00:00:05] A.\n\nMore answer here.\n\n"
        "Share this\n\nLong speech like paragraph here.\n"
    )
    assert rows(doc) == [("Tucker", 1000, 1, "Q? more Q."), ("Lavrov", 5000, 5, "A. More answer here.")]
    assert p001(doc) == [(9, 11, "Share this\nLong speech like paragraph here.")]


def test_markdown_bold_names() -> None:
    doc = parse_text("**Tucker** [00:00:01] Q?\n__Sergey Lavrov__ [00:00:09] A.\n")
    assert rows(doc) == [("Tucker", 1000, 1, "Q?"), ("Sergey Lavrov", 9000, 2, "A.")]


def test_header_only_layout_text_after_blank() -> None:
    doc = parse_text("Tucker Carlson (00:05):\n\nHello there.\n\nSergey Lavrov (00:09):\n\nHi.\n")
    assert rows(doc) == [("Tucker Carlson", 5000, 1, "Hello there."), ("Sergey Lavrov", 9000, 5, "Hi.")]


def test_every_layout_has_a_sample_detected() -> None:
    detected = {read(p.name).layout for p in LAYOUT_DIR.glob("*.txt")}
    assert {lay.name for lay in LAYOUTS} <= detected


def test_detect_layout_counts() -> None:
    layout, counts = detect_layout(["Tucker [00:00:01] Hi.", "[crosstalk 00:00:02]", "Lavrov [00:00:03] Hi."])
    assert layout is not None and layout.name == "name-bracket-time"
    assert counts["name-bracket-time"] == 2
    assert counts["inline"] == 0


def test_public_api() -> None:
    import inspect

    import toolkit.parse as parse

    assert sorted(parse.__all__) == sorted(
        [
            "FORCED",
            "KINDS",
            "LAYOUTS",
            "CaptionBlock",
            "Layout",
            "detect_layout",
            "parse_text",
            "read_document",
            "scan_captions",
            "sniff_kind",
        ]
    )
    assert all(hasattr(parse, name) for name in parse.__all__)
    assert str(inspect.signature(parse.parse_text)) == (
        "(text: 'str', *, path: 'str' = '<input>', fps: 'float | None' = None, encoding: 'str' = 'utf-8', "
        "kind: 'str | None' = None, layout: 'str | None' = None, untimed: 'bool' = False) -> 'Document'"
    )
    assert (
        str(inspect.signature(parse.read_document))
        == "(path: 'str | Path', *, fps: 'float | None' = None) -> 'Document'"
    )
    assert str(inspect.signature(parse.scan_captions)) == (
        "(text: 'str', kind: 'str', *, path: 'str' = '<input>', raw: 'bool' = False) -> 'list[CaptionBlock]'"
    )


def test_turn_with_missing_timestamp_keeps_its_speaker() -> None:
    doc = parse_text(
        "Lavrov: No NATO. Absolutely no bases.\nMore article.\n\n"
        "Tucker [00:00:01] Q?\nLavrov: An answer without a time. [00:00:05] more\nTucker [] Placeholder.\n"
        "Lavrov [00:00:09] More.\nTucker said this in a paragraph.\n\nLavrov: thanks\n"
    )
    assert rows(doc) == [
        ("Tucker", 1000, 4, "Q?"),
        ("Lavrov", None, 5, "An answer without a time."),  # no timestamp: the repair stage estimates it
        ("Lavrov", 5000, 5, "more"),
        ("Tucker", None, 6, "Placeholder."),
        ("Lavrov", 9000, 7, "More. Tucker said this in a paragraph."),  # not a known-speaker label
        ("Lavrov", None, 10, "thanks"),  # a known speaker's label after the last stamp: a turn
    ]
    # the article's quote above does not extend the transcript
    assert p001(doc) == [(1, 3, "Lavrov: No NATO. Absolutely no bases.\nMore article.")]
    (p003,) = [f for f in doc.findings if f.code == "P003"]
    assert (p003.line, p003.data["timestamp"]) == (6, "")


def test_normalising_guard_covers_every_character_io_replaces() -> None:
    from toolkit import io
    from toolkit.parse.detect import ensure_normalised

    for ch in [*io._REPLACE, "\r"]:
        assert ensure_normalised(f"a{ch}b\r\n") == io.normalise_text(f"a{ch}b\r\n")


@pytest.mark.parametrize("blank", ["\n", "\n\n"])
def test_unstamped_turns_of_known_speakers_after_the_last_stamp_are_turns(blank: str) -> None:
    """A transcript that stamps only some turns: after the last stamp, paragraphs a known speaker's label
    opens are turns (no stamp: repair estimates them, P004), not page text after the transcript, whether
    or not blank lines separate them; a paragraph no known speaker opens still ends the transcript."""
    text = blank.join(
        [
            "Tucker [00:00:01] Good evening.",
            "Sergey Lavrov [00:00:09] Thank you for having me.",
            "Tucker: Let's start at the beginning.",
            "Sergey Lavrov: Well, it started almost by accident.",
            "Share this article",
        ]
    )
    doc = parse_text(text)
    assert [(t.speaker, t.start_ms, t.text) for t in doc.turns] == [
        ("Tucker", 1000, "Good evening."),
        ("Sergey Lavrov", 9000, "Thank you for having me."),
        ("Tucker", None, "Let's start at the beginning."),
        ("Sergey Lavrov", None, "Well, it started almost by accident."),
    ]
    assert [f.message.split(":")[0] for f in doc.findings if f.code == "P001"] == [
        "page text after the transcript"
    ]


def test_google_meet_time_marks_start_the_next_turn_and_are_no_turns_of_their_own() -> None:
    text = (
        "Project kickoff - Transcript\n\n00:00:00\n\n"
        "Alice Smith: Hello everyone, thanks for joining the kickoff.\n"
        "Bob Jones: Hi Alice, happy to be here.\n\n"
        "00:05:00\n\n"
        "Alice Smith: Next, the budget. We have approval for two more engineers.\n"
        "Bob Jones: I can help with the interviews.\n"
    )
    doc = parse_text(text)
    assert [(t.speaker, t.start_ms, t.line) for t in doc.turns] == [
        ("Alice Smith", 0, 5),
        ("Bob Jones", None, 6),
        ("Alice Smith", 300_000, 10),
        ("Bob Jones", None, 11),
    ]
    assert all(t.text for t in doc.turns)


def test_a_name_line_above_each_time_line_names_the_turn() -> None:
    text = (
        "Sidney Buckner\n0:00\nWelcome back to the show. Today we talk about burnout.\n\n"
        "Kelly Vaughn\n0:06\nThanks for having me.\n\n"
        "Sidney Buckner\n0:12\nLet's start with how you noticed it.\n\n"
        "Kelly Vaughn\n0:15\nIt crept up on me over a few months.\n"
    )
    doc = parse_text(text)
    assert [(t.speaker, t.start_ms, t.text) for t in doc.turns] == [
        ("Sidney Buckner", 0, "Welcome back to the show. Today we talk about burnout."),
        ("Kelly Vaughn", 6000, "Thanks for having me."),
        ("Sidney Buckner", 12000, "Let's start with how you noticed it."),
        ("Kelly Vaughn", 15000, "It crept up on me over a few months."),
    ]


def test_chapter_titles_above_time_lines_are_not_speakers() -> None:
    text = (
        "Intro\n0:00\nwelcome to the channel\n0:04\ntoday we build a desk\n"
        "The Cut List\n1:02\nfirst the plywood\n1:06\nthen the legs\n"
    )
    assert all(t.speaker is None for t in parse_text(text).turns)


@pytest.mark.parametrize(
    "text",
    [
        "00:00:00 Speaker 1\nHello everyone.\n\n00:00:05 Speaker 2\nThanks, glad to be here.\n",  # Word
        "[00:00:00] - Speaker 1\nHello everyone.\n\n[00:00:05] - Speaker 2\nThanks, glad to be here.\n",
    ],
)
def test_time_then_name_on_its_own_line_in_other_exporters_forms(text: str) -> None:
    doc = parse_text(text)
    assert doc.layout == "time-name-line"
    assert [(t.speaker, t.start_ms, t.text) for t in doc.turns] == [
        ("Speaker 1", 0, "Hello everyone."),
        ("Speaker 2", 5000, "Thanks, glad to be here."),
    ]


def test_a_broadcast_transcript_names_its_speakers_and_drops_production_directions() -> None:
    text = (
        "[10:00:00]\n\n"
        "JIM SCIUTTO, CNN ANCHOR: A very good Friday morning to you.\n\n"
        "POPPY HARLOW, CNN ANCHOR: We begin with breaking news.\n\n"
        "(BEGIN VIDEOTAPE)\n\n"
        "UNIDENTIFIED MALE: We heard a loud bang.\n\n"
        "(END VIDEOTAPE)\n\n"
        "SCIUTTO: Our correspondent is on the scene.\n\n"
        "(COMMERCIAL BREAK)\n\n"
        "[10:05:12]\n\n"
        "HARLOW: Welcome back. (LAUGHTER)\n"
    )
    doc = parse_text(text)
    assert [(t.speaker, t.start_ms, t.text) for t in doc.turns] == [
        ("JIM SCIUTTO", 36_000_000, "A very good Friday morning to you."),
        ("POPPY HARLOW", None, "We begin with breaking news."),
        ("UNIDENTIFIED MALE", None, "We heard a loud bang."),
        ("SCIUTTO", None, "Our correspondent is on the scene."),
        ("HARLOW", 36_312_000, "Welcome back. (LAUGHTER)"),
    ]
    removed = [f for f in doc.findings if f.code == "P009"]
    assert removed[0].data["removed"] == ["(BEGIN VIDEOTAPE)", "(END VIDEOTAPE)", "(COMMERCIAL BREAK)"]


def test_a_meeting_tools_notices_are_dropped_and_listed() -> None:
    text = (
        "Nick Miller started transcription\n"
        "Nick Miller   0:03\nHello everyone, let's get started.\n"
        "David Mulholland   0:07\nSame here, we can close it.\n"
        "Nick Miller stopped transcription\n"
    )
    doc = parse_text(text)
    assert [(t.speaker, t.text) for t in doc.turns] == [
        ("Nick Miller", "Hello everyone, let's get started."),
        ("David Mulholland", "Same here, we can close it."),
    ]
    listed = [f.data["removed"] for f in doc.findings if f.code == "P009"]
    assert listed == [["Nick Miller started transcription", "Nick Miller stopped transcription"]]


HELLO = "Hello everyone, thanks for joining the call today."
STORM = "The storm hit the coast early this morning."


@pytest.mark.parametrize(
    ("text", "layout", "expected", "removed"),
    [
        (  # a Teams transcript copied from its Word export: the notice is all of a turn
            f"Ann Lee   0:05\n{HELLO}\n\nNick Miller   0:09\nNick Miller started transcription\n\n"
            f"Bob Stone   0:12\n{STORM}\n",
            "otter",
            [("Ann Lee", 5000, 1, HELLO), ("Bob Stone", 12000, 7, STORM)],
            (5, "meeting notices", ["Nick Miller started transcription"]),
        ),
        (
            f"[00:00:05] Ann Lee\n{HELLO}\n\n[00:00:09] Nick Miller\nNick Miller started transcription\n\n"
            f"[00:00:12] Bob Stone\n{STORM}\n",
            "time-name-line",
            [("Ann Lee", 5000, 1, HELLO), ("Bob Stone", 12000, 7, STORM)],
            (5, "meeting notices", ["Nick Miller started transcription"]),
        ),
        (  # a broadcast direction as the whole text of a stamped line
            f"Anchor [00:00:05] {HELLO}\nAnchor [00:00:10] (BEGIN VIDEOTAPE)\nReporter [00:00:15] {STORM}\n"
            "Anchor [00:00:20] Thank you.\n",
            "name-bracket-time",
            [("Anchor", 5000, 1, HELLO), ("Reporter", 15000, 3, STORM), ("Anchor", 20000, 4, "Thank you.")],
            (2, "production directions", ["(BEGIN VIDEOTAPE)"]),
        ),
        (
            f"[00:00:05] Anchor: {HELLO}\n[00:00:10] Anchor: (END VIDEO CLIP)\n"
            f"[00:00:15] Reporter: {STORM}\n",
            "time-name-colon",
            [("Anchor", 5000, 1, HELLO), ("Reporter", 15000, 3, STORM)],
            (2, "production directions", ["(END VIDEO CLIP)"]),
        ),
        (  # ... and alone on the line below the stamp
            f"Anchor: [00:00:05] {HELLO}\nAnchor: [00:00:10]\n(BEGIN VIDEOTAPE)\n"
            f"Reporter: [00:00:15] {STORM}\n",
            "name-colon-bracket",
            [("Anchor", 5000, 1, HELLO), ("Reporter", 15000, 4, STORM)],
            (3, "production directions", ["(BEGIN VIDEOTAPE)"]),
        ),
        (
            f"Anchor (00:05):\n{HELLO}\n\nAnchor (00:10):\n(COMMERCIAL BREAK)\n\n"
            f"Reporter (00:15):\n{STORM}\n",
            "name-paren-time",
            [("Anchor", 5000, 1, HELLO), ("Reporter", 15000, 7, STORM)],
            (5, "production directions", ["(COMMERCIAL BREAK)"]),
        ),
        (
            f"0:05\n{HELLO}\n0:10\n(BEGIN VIDEOTAPE)\n0:15\n{STORM}\n",
            "youtube",
            [(None, 5000, 1, HELLO), (None, 15000, 5, STORM)],
            (4, "production directions", ["(BEGIN VIDEOTAPE)"]),
        ),
        (  # the last turn
            f"Ann Lee   0:05\n{HELLO}\n\nBob Stone   0:09\n{STORM}\n\n"
            "Nick Miller   0:12\nNick Miller stopped transcription\n",
            "otter",
            [("Ann Lee", 5000, 1, HELLO), ("Bob Stone", 9000, 4, STORM)],
            (8, "meeting notices", ["Nick Miller stopped transcription"]),
        ),
        (  # Whisper's marker token as the whole text of a segment
            f"[00:00:00.000 --> 00:00:05.000]   {HELLO}\n[00:00:05.000 --> 00:00:09.000]   [BLANK_AUDIO]\n"
            f"[00:00:09.000 --> 00:00:12.000]   {STORM}\n",
            "inline",
            [(None, 0, 1, HELLO), (None, 9000, 3, STORM)],
            (2, "marker tokens", ["[BLANK_AUDIO]"]),
        ),
    ],
)
def test_a_turn_whose_only_text_was_a_notice_or_direction_is_left_out(
    text: str, layout: str, expected: list[TurnRow], removed: tuple[int, str, list[str]]
) -> None:
    doc = parse_text(text, path="t.txt")
    assert doc.layout == layout
    assert rows(doc) == expected
    line, what, samples = removed
    assert [
        (f.code, f.path, f.line, f.data["what"], f.data["lines"], f.data["removed"]) for f in doc.findings
    ] == [("P009", "t.txt", line, what, [line], samples)]


def test_a_speaker_left_without_text_still_names_the_turns_that_continue_it() -> None:
    """The dropped turn's label (with a role) names the bare ``(MM:SS):`` turn after it; ``P007`` lists
    that turn's line, not the dropped one's."""
    text = (
        f"Tucker Carlson (Host) (00:05):\n{HELLO}\n\nJane Doe (Reporter) (00:10):\n(BEGIN VIDEOTAPE)\n\n"
        f"(00:15):\n{STORM}\n\nTucker Carlson (Host) (00:20):\nThank you, Jane.\n"
    )
    doc = parse_text(text)
    assert rows(doc) == [
        ("Tucker Carlson", 5000, 1, HELLO),
        ("Jane Doe", 15000, 7, STORM),
        ("Tucker Carlson", 20000, 10, "Thank you, Jane."),
    ]
    assert [(f.code, f.line, f.data.get("lines")) for f in doc.findings] == [
        ("P007", 1, [1, 10]),
        ("P009", 5, [5]),
        ("P007", 7, [7]),
    ]


def test_turns_empty_in_the_file_and_directions_after_speech_stay() -> None:
    """Only a turn that lost all its text to the cleaning is left out: a stamp the file leaves empty stays,
    and a direction after the words of a stamped line is not the line's whole text."""
    text = f"[00:00:05] Ann Lee\n{HELLO}\n\n[00:00:09] Nick Miller\n\n[00:00:12] Bob Stone\n{STORM}\n"
    assert rows(parse_text(text)) == [
        ("Ann Lee", 5000, 1, HELLO),
        ("Nick Miller", 9000, 4, ""),
        ("Bob Stone", 12000, 6, STORM),
    ]
    doc = parse_text(f"Anchor [00:00:05] {HELLO} (BEGIN VIDEOTAPE)\nReporter [00:00:15] {STORM}\n")
    assert rows(doc) == [("Anchor", 5000, 1, f"{HELLO} (BEGIN VIDEOTAPE)"), ("Reporter", 15000, 2, STORM)]
    assert not doc.findings


def test_unstamped_labelled_turns_of_a_speaker_never_stamped_are_their_own_turns() -> None:
    text = (
        "Fiona Vance [00:00:00] When peeling an orange, it is hard not to spray juice.\n\n"
        "Colin Pratt: Should giraffes be kept in small zoos?\n\n"
        "Fiona Vance: In simpler terms, it amounts to pointing the platform.\n\n"
        "Colin Pratt: Woe betide the interviewee if he answered vaguely.\n\n"
        "Fiona Vance: Don't ask me to carry an oily rag like that.\n"
    )
    doc = parse_text(text)
    assert [(t.speaker, t.line) for t in doc.turns] == [
        ("Fiona Vance", 1),
        ("Colin Pratt", 3),
        ("Fiona Vance", 5),
        ("Colin Pratt", 7),
        ("Fiona Vance", 9),
    ]
    assert [t.start_ms for t in doc.turns] == [0, None, None, None, None]
    assert not [f for f in doc.findings if f.code == "P001"]


def test_invisible_marks_before_a_speaker_label_do_not_hide_it() -> None:
    text = "\u200fAlice [00:00:01] Hello there.\n\u200fBob [00:00:05] Fine thanks.\n"
    text += "\u200dAlice [00:00:09] Good.\n"
    doc = parse_text(text)
    assert [(t.speaker, t.text) for t in doc.turns] == [
        ("Alice", "Hello there."),
        ("Bob", "Fine thanks."),
        ("Alice", "Good."),
    ]


def test_a_name_line_below_each_time_range_names_the_turn() -> None:
    """DaVinci Resolve's transcript: the time range, the speaker, then the text, each on its own line."""
    text = (
        "[00:00:03:18 - 00:00:08:08]\nJoe\nWelcome to the show, everyone.\n\n"
        "[00:00:08:10 - 00:00:12:00]\nAnna\nThanks Joe, glad to be here.\n\n"
        "[00:00:12:05 - 00:00:15:00]\nJoe\nLet us begin.\n"
    )
    doc = parse_text(text, fps=25)
    assert [(t.speaker, t.start_ms, t.end_ms, t.text) for t in doc.turns] == [
        ("Joe", 3720, 8320, "Welcome to the show, everyone."),
        ("Anna", 8400, 12000, "Thanks Joe, glad to be here."),
        ("Joe", 12200, 15000, "Let us begin."),
    ]


def test_a_directory_name_last_first_with_an_organisation_is_a_speaker() -> None:
    """Teams writes a directory's "Last, First (Organisation)"; without the organisation the comma form
    (a name, then a role) needs two name words, so "Well, Tucker  0:12" stays text."""
    text = (
        "Nick Miller   0:03\nHello everyone.\n\n"
        "Takeshima, Rey (Contoso)   0:12\nStructural review is done.\n\n"
        "Nick Miller   0:18\nGreat, thanks Rey.\n\n"
        "Takeshima, Rey (Contoso)   0:22\nNothing from our side.\n"
    )
    doc = parse_text(text)
    assert [(t.speaker, t.start_ms) for t in doc.turns] == [
        ("Nick Miller", 3000),
        ("Takeshima, Rey", 12000),
        ("Nick Miller", 18000),
        ("Takeshima, Rey", 22000),
    ]
    roles = [f.data for f in doc.findings if f.code == "P007"]
    assert [(d["canonical"], d["role"]) for d in roles] == [("Takeshima, Rey", "Contoso")]


def test_labels_are_people_not_surnames_and_q_and_a_stay_text() -> None:
    meet = "00:00:00\n\nAnn Lee: Hello everyone.\nBob Lee: Hi Ann.\nAnn Lee: Let us start.\nBob Lee: Sure.\n"
    assert [t.speaker for t in parse_text(meet).turns] == ["Ann Lee", "Bob Lee", "Ann Lee", "Bob Lee"]
    interview = (
        "[00:00:01] Interviewer\nQ: Where were you born?\n\n[00:00:04] Maria Costa\nA: In Lisbon.\n\n"
        "[00:00:09] Interviewer\nQ: And your parents?\n\n[00:00:12] Maria Costa\nA: Fishermen.\n"
    )
    turns = parse_text(interview).turns
    assert [(t.speaker, t.text[:2]) for t in turns] == [
        ("Interviewer", "Q:"),
        ("Maria Costa", "A:"),
        ("Interviewer", "Q:"),
        ("Maria Costa", "A:"),
    ]


def test_short_repeated_segments_of_a_youtube_copy_are_text_not_speakers() -> None:
    segments = ["Hello", "Hello", "Is anybody there", "Yeah", "Goodbye", "Yeah", "Hello", "Goodbye"]
    text = "".join(f"0:{2 * k:02d}\n{line}\n" for k, line in enumerate(segments))
    doc = parse_text(text)
    assert [(t.speaker, t.text) for t in doc.turns] == [(None, line) for line in segments]


def test_only_transcript_notes_lose_their_time_and_only_notices_are_dropped() -> None:
    text = (
        "Pastor Dan [00:00:01] Open your Bibles to [John 3:16] and read along. [inaudible 00:00:02]\n"
        "We had hours of tape.\nDr. Patel started transcription\nof all of it in the spring.\n"
        "Then Dr. Patel started recording\n"
        "Ann [00:00:09] The meeting starts [at 10:30] sharp.\nNick Miller started transcription\n"
    )
    doc = parse_text(text)
    assert [t.text for t in doc.turns] == [
        "Open your Bibles to [John 3:16] and read along. [inaudible] We had hours of tape. Dr. Patel started "
        "transcription of all of it in the spring. Then Dr. Patel started recording",
        "The meeting starts [at 10:30] sharp.",
    ]
    assert [f.data["removed"] for f in doc.findings if f.code == "P009"] == [
        ["Nick Miller started transcription"]
    ]


@pytest.mark.parametrize(
    "text",
    [
        "0:00 Okay\nso let us get started\n0:05 Right\nthe first topic\n0:10 Good Question\nwe come back\n",
        "".join(f"0:{4 * k:02d}\nOh Darling\nline {k} of the song\n" for k in range(6)),  # a refrain
        "".join(
            f"0:{4 * k:02d}\nsome text {k}\n" + ("Thank You\n" if k % 2 else "Mary Smith\n") for k in range(6)
        ),
        "0:00\nYes\nthe harbour was quiet\n0:04\nYes\nnobody expected it\n0:08\nMary Smith\nsaid hello\n",
    ],
)
def test_short_capitalised_lines_by_time_lines_are_text(text: str) -> None:
    """A time-text or YouTube copy's short lines ("Okay", a refrain, "Thank You") are no speakers."""
    doc = parse_text(text)
    assert all(t.speaker is None for t in doc.turns)
    words = " ".join(ln for ln in text.splitlines() if ":" not in ln or not ln[0].isdigit())
    said = " ".join(t.text for t in doc.turns)
    assert all(w in said for w in words.replace("0:00 ", "").split() if not w[0].isdigit())


def test_callouts_are_not_labels_in_a_named_layout_nor_a_caption_file() -> None:
    text = (
        "Tucker Carlson (00:05):\nThe harbour was quiet.\nNote: the meeting moved.\n\n"
        "Lavrov (00:10):\nWarning: this is long.\nNote: second note.\nWarning: again.\nStep 1: mix.\n"
    )
    assert [t.speaker for t in parse_text(text).turns] == ["Tucker Carlson", "Lavrov"]
    cues = [("Note", "fiction."), ("Warning", "flashing lights."), ("Step 1", "mix."), ("Step 1", "again.")]
    srt = "".join(
        f"{k + 1}\n00:00:0{k},000 --> 00:00:0{k},500\n{a}: {b}\n\n" for k, (a, b) in enumerate(cues)
    )
    assert [(t.speaker, t.text) for t in parse_text(srt).turns] == [(None, f"{a}: {b}") for a, b in cues]


def test_an_rtl_mark_before_text_stays_and_only_names_make_notices() -> None:
    doc = parse_text("0:00\n\u200fCNN \u05d3\u05d9\u05d5\u05d5\u05d7\u05d4.\n0:04\nmore\n")
    assert doc.turns[0].text.startswith("\u200fCNN")  # the mark keeps the line right to left on screen
    said = [
        "We stopped recording",
        "Nick Miller started recording",  # as often speech as a notice: kept
        "Yesterday Sarah stopped transcription",
        "So I started transcription",
    ]
    text = "Ann [00:00:01] Hello.\n(END QUOTE)\n" + "\n".join(said) + "\nNick Miller stopped transcription\n"
    doc = parse_text(text + "Bob [00:00:09] Bye.\n")
    assert doc.turns[0].text == "Hello. (END QUOTE) " + " ".join(said)
    assert [f.data["removed"] for f in doc.findings if f.code == "P009"] == [
        ["Nick Miller stopped transcription"]
    ]


def test_names_that_start_like_callouts_or_speech_are_still_names() -> None:
    people = ["Alice Johnson", "Tip Jar", "Note Taker", "Bob Smith"]
    vtt = "WEBVTT\n\n" + "".join(
        f"00:00:{2 * k:02d}.000 --> 00:00:{2 * k + 1:02d}.000\n{people[k % 4]}: Line {k}.\n\n"
        for k in range(8)
    )
    assert [t.speaker for t in parse_text(vtt).turns] == [people[k % 4] for k in range(8)]
    names = ["He Jiankui", "Oh Jung-se"]
    otter = "".join(f"{names[k % 2]}\n0:{4 * k:02d}\nSaid line {k}.\n\n" for k in range(4))
    assert [t.speaker for t in parse_text(otter).turns] == [names[k % 2] for k in range(4)]


def test_chapter_titles_above_their_times_are_not_speakers() -> None:
    text = "".join(
        f"Chapter {n}\n{k}:00\nwhat was said in {n.lower()}\n" for k, n in enumerate(["One", "Two"] * 2)
    )
    assert all(t.speaker is None for t in parse_text(text).turns)


def test_a_mark_before_each_time_line_hides_no_time() -> None:
    text = "\u200f0:00\n\u200fשלום לכולם.\n\u200f0:04\n\u200fתודה רבה.\n"
    doc = parse_text(text)
    assert [(t.start_ms, t.text) for t in doc.turns] == [(0, "\u200fשלום לכולם."), (4000, "\u200fתודה רבה.")]


def test_unstamped_turns_of_speakers_called_by_one_name_or_a_placeholder() -> None:
    text = (
        "Tucker [00:00:00] So you believe we are at war?\nLavrov: I would not say so.\n"
        "Tucker: Why not?\nLavrov: Because it is not what we want.\n"
    )
    assert [t.speaker for t in parse_text(text).turns] == ["Tucker", "Lavrov", "Tucker", "Lavrov"]
    numbered = (
        "Tucker [00:00:01] Here are the results.\nRoom 101: closed all week.\nRoom 102: open until five.\n"
        "Room 101: reopens on Monday.\nSergey [00:00:20] Thanks.\nMom: the harbour was quiet.\n"
        "Dad: the ferry was late.\nMom: we had breakfast.\nDad: we walked.\n"
    )
    assert [t.speaker for t in parse_text(numbered).turns] == ["Tucker", "Sergey"]  # things, quoted lines


_LECTURE = "".join(f"Sidney Buckner\n0:{4 * k:02d}\nPoint {k} of the lecture.\n\n" for k in range(3))
_CALLERS = (
    "Diane Rehm\n0:00\nWelcome back.\n\nCaller Mark\n0:05\nHi Diane.\n\n"
    "Diane Rehm\n0:09\nNext, Susan.\n\nCaller Susan\n0:12\nMy question.\n"
)
_SURNAME = (
    "JIM SCIUTTO, CNN ANCHOR [00:00:00] Good morning.\nLAVROV: We said so.\n"
    "SCIUTTO: And the sanctions?\nLAVROV: They do not work.\n"
)
_APOSTROPHE = (
    "Tucker Carlson [00:00:00] Go ahead.\nO'Brien: We said so.\nTucker Carlson: And?\nO'Brien: No.\n"
)
_CALLOUT_LINES = (
    "Tucker Carlson [00:00:00] Go ahead.\nSergey Lavrov [00:00:04] Three points.\nStep One: we stop.\n"
    "Bottom Line: We are ready.\nTucker Carlson [00:00:20] Thanks.\n"
)
_MARKED = "".join(
    f"\u200f{n}\n\u200f0:{4 * k:02d}\n\u200fLine {k}.\n\n" for k, n in enumerate(["Ann Lee", "Bob Ray"] * 2)
)


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        (_LECTURE, ["Sidney Buckner"] * 3),  # one lecturer named above every time line
        (_CALLERS, ["Diane Rehm", "Caller Mark", "Diane Rehm", "Caller Susan"]),  # callers speak once
        (_SURNAME, ["JIM SCIUTTO", "LAVROV", "SCIUTTO", "LAVROV"]),  # (repair merges SCIUTTO: P005)
        (_APOSTROPHE, ["Tucker Carlson", "O'Brien", "Tucker Carlson", "O'Brien"]),
        (_CALLOUT_LINES, ["Tucker Carlson", "Sergey Lavrov", "Tucker Carlson"]),  # once, inside a turn
        (_MARKED, ["Ann Lee", "Bob Ray", "Ann Lee", "Bob Ray"]),  # an RLM before each line
    ],
)
def test_speakers_of_the_second_review(text: str, speakers: list[str]) -> None:
    assert [t.speaker for t in parse_text(text).turns] == speakers


# ----------------------------------------------------------------------- no timestamps at all (--media)


def test_an_untimed_transcript_is_read_only_when_asked_and_its_first_turn_holds_the_placeholder() -> None:
    """``untimed=True`` (convert --media): ``Name: text`` turns, the lines after a label its turn's, the
    first at 0 (where the media stage puts its words), the others without a start; without it, the same
    text is refused, and the message says that --media places it."""
    text = (
        "Ann Lee: Hello there, and welcome.\nIt is good to see you.\n\nBob Ray: Thank you.\n\nAnn Lee: So.\n"
    )
    with pytest.raises(NoTimestampsError, match="--media FILE"):
        parse_text(text)
    doc = parse_text(text, untimed=True)
    assert doc.untimed and doc.layout == "untimed"
    assert [(t.speaker, t.start_ms, t.line, t.text) for t in doc.turns] == [
        ("Ann Lee", 0, 1, "Hello there, and welcome. It is good to see you."),
        ("Bob Ray", None, 4, "Thank you."),
        ("Ann Lee", None, 6, "So."),
    ]
    assert not parse_text("Ann Lee [00:00:05] Hi.\n", untimed=True).untimed  # a timed file is as ever


def test_untimed_plain_text_is_a_turn_per_paragraph_and_loses_nothing_but_artefacts() -> None:
    """Plain text (or paragraphs not all opened by a label, or a callout that is no name): a turn per
    paragraph, without a speaker; a meeting notice is removed and listed (P009) as in a timed file."""
    text = (
        "Note: this is the first paragraph.\nIt goes on.\n\n\nNick Miller started transcription\n\n"
        "The second paragraph.\n"
    )
    doc = parse_text(text, untimed=True)
    assert [(t.speaker, t.start_ms, t.line, t.text) for t in doc.turns] == [
        (None, 0, 1, "Note: this is the first paragraph. It goes on."),
        (None, None, 7, "The second paragraph."),
    ]
    assert [(f.code, f.line) for f in doc.findings] == [("P009", 5)]
    with pytest.raises(NoTimestampsError, match="no text"):
        parse_text("\n\n", untimed=True, kind="transcript")


def test_a_recognisers_json_is_timed_even_when_untimed_files_are_allowed() -> None:
    """``untimed=True`` only reads a file without timestamps; Whisper's JSON has them."""
    text = '{"segments": [{"start": 1.5, "end": 3.0, "text": " Hello there."}]}'
    doc = parse_text(text, untimed=True)
    assert not doc.untimed and [t.start_ms for t in doc.turns] == [1500]


def test_an_untimed_transcript_under_a_title_with_bold_labels_and_continued_paragraphs() -> None:
    """A page's title above the first label is dropped and listed (P001), as in a timed file; bold
    labels are labels; a paragraph without a label continues the turn before it."""
    text = (
        "Harbour Lights, episode 12 transcript\n\n**Ann Lee:** Hello there.\n\n**Bob Ray:** Hi.\n\n"
        "And more from Bob.\n"
    )
    doc = parse_text(text, untimed=True)
    assert [(t.speaker, t.start_ms, t.line, t.text) for t in doc.turns] == [
        ("Ann Lee", 0, 3, "Hello there."),
        ("Bob Ray", None, 5, "Hi. And more from Bob."),
    ]
    assert [(f.code, f.line, f.data["text"]) for f in doc.findings] == [
        ("P001", 1, "Harbour Lights, episode 12 transcript")
    ]


def test_an_untimed_transcripts_speaker_roles_are_left_out_and_reported() -> None:
    """``Ann Lee (Host):`` in a file without timestamps: the person's name, the role listed (P007), as in
    a timed file."""
    doc = parse_text(
        "Ann Lee (Host): Hello there.\n\nBob Ray: Hi.\n\nAnn Lee (Host): Bye now.\n", untimed=True
    )
    assert [(t.speaker, t.line) for t in doc.turns] == [("Ann Lee", 1), ("Bob Ray", 3), ("Ann Lee", 5)]
    assert [(f.code, f.line, f.data["role"], f.data["lines"]) for f in doc.findings] == [
        ("P007", 1, "Host", [1, 5])
    ]
