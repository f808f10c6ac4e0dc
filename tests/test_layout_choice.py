"""Layout detection says what it chose, --layout forces one, meeting transcripts in caption form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.cli.convert import FORCED_LAYOUTS
from toolkit.errors import NoTimestampsError
from toolkit.parse import FORCED, parse_text
from toolkit.pipeline import ConvertOptions, convert_file, render

ZOOM = (
    "WEBVTT\n\n"
    "1\n00:00:01.000 --> 00:00:04.000\nJohn Smith: Hello everyone, thanks for joining.\n\n"
    "2\n00:00:04.500 --> 00:00:07.000\nMary Jones: Thanks John. Shall we start with the budget?\n\n"
    "3\n00:00:07.500 --> 00:00:10.000\nJohn Smith: Yes. The numbers are in the shared folder.\n\n"
    "4\n00:00:10.500 --> 00:00:13.000\nMary Jones: Great, I will open it now.\n"
)


def test_the_cli_offers_every_parser_layout() -> None:
    assert FORCED_LAYOUTS == FORCED


def test_zoom_captions_are_speaker_turns(tmp_path: Path) -> None:
    path = tmp_path / "meeting.vtt"
    path.write_text(ZOOM, encoding="utf-8")
    result = convert_file(path, ConvertOptions())
    assert result.captions is None and result.document.layout == "meeting-vtt"
    assert [t.speaker for t in result.turns] == ["John Smith", "Mary Jones", "John Smith", "Mary Jones"]
    assert result.turns[0].text == "Hello everyone, thanks for joining."
    vtt = render(result, "vtt")
    assert "<v John Smith>Hello everyone" in vtt and "John Smith:" not in vtt


def test_zoom_speakers_who_speak_once_and_display_names_are_speakers(tmp_path: Path) -> None:
    cues = [
        ("John Smith", "Hello everyone, thanks for joining."),
        ("Mary Jones", "Thanks John. Shall we start with the budget?"),
        ("John Smith", "Yes. The numbers are in the shared folder."),
        ("Carol Diaz", "I can follow up on the vendor contracts."),  # speaks once
        ("Priya Nair (she/her)", "One more thing about the launch date."),
        ("Takeshima, Rey (Contoso)", "Structural review is next week."),
        ("+1 415 555 0100", "Sorry, I joined by phone."),
        ("李雷", "我同意。"),
        ("Mary Jones", "Great, I will open it now."),
        ("John Smith", "Let us go through it line by line."),
        ("Mary Jones", "The first line is travel."),
    ]
    body = "".join(
        f"{k + 1}\n00:00:{2 * k:02d}.000 --> 00:00:{2 * k + 1:02d}.500\n{name}: {text}\n\n"
        for k, (name, text) in enumerate(cues)
    )
    path = tmp_path / "meeting.vtt"
    path.write_text("WEBVTT\n\n" + body, encoding="utf-8")
    result = convert_file(path, ConvertOptions())
    assert [(t.speaker, t.text) for t in result.turns] == cues


def test_a_film_line_with_a_colon_is_not_a_meeting(tmp_path: Path) -> None:
    path = tmp_path / "film.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nAnd the world says: Let it die.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nNobody listened.\n\n"
        "3\n00:00:07,000 --> 00:00:09,000\nNot then.\n\n"
        "4\n00:00:10,000 --> 00:00:12,000\nNot ever.\n",
        encoding="utf-8",
    )
    result = convert_file(path, ConvertOptions())
    assert result.captions is not None  # converted cue for cue, the text as written
    assert "And the world says: Let it die." in render(result, "vtt")


def test_layout_name_and_confidence_are_reported(tmp_path: Path) -> None:
    src = tmp_path / "t.txt"
    src.write_text("Tucker [00:00:01] Hello there.\nLavrov [00:00:04] Good morning.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["convert", str(src), "-o", str(tmp_path / "t.json")])
    assert result.exit_code == 0, result.output
    source = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))["source"]
    assert source["layout"] == "name-bracket-time" and source["layout_confidence"] == 1.0


def test_layout_can_be_forced() -> None:
    text = "0:01 Tucker: hello there\n0:04 Lavrov: good morning\n"
    assert parse_text(text).layout == "time-name-colon"
    forced = parse_text(text, layout="time-text")
    assert forced.layout == "time-text" and forced.turns[0].text == "Tucker: hello there"
    with pytest.raises(NoTimestampsError, match="otter"):
        parse_text(text, layout="otter")


def test_no_layout_names_the_closest_ones() -> None:
    with pytest.raises(NoTimestampsError) as caught:
        parse_text("Some page\nJoe said at 0:01 hello\nAnn said at 0:04 hi\n")
    message = str(caught.value)
    assert "hold timestamps" in message and "closest:" in message and "--layout" in message


def test_labelled_turns_without_any_time_are_told_how_to_start() -> None:
    text = "Tucker: At war?\nLavrov: I would not say so.\nTucker: Why not?\nLavrov: We do not want it.\n"
    with pytest.raises(NoTimestampsError, match=r"4 turns are labelled \('Tucker: \.\.\.'\)"):
        parse_text(text)
    stamped = parse_text(text.replace("Tucker:", "Tucker [00:00:00]", 1))
    assert [(t.speaker, t.start_ms) for t in stamped.turns][:2] == [("Tucker", 0), ("Lavrov", None)]
