"""SRT and WebVTT writers, golden files, and re-reading every golden with independent parsers.

Regenerate the goldens with ``CAPTIONKIT_UPDATE_GOLDEN=1 pytest tests/test_formats.py``, then review the diff.
Each golden is re-read by pysrt (``ERROR_RAISE``), webvtt-py (``strict=True``) and ffmpeg, and the cues read
back must equal ours, times and text.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import imageio_ffmpeg
import pysrt
import pytest
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.formats import escape_vtt, speaker_label, write_srt, write_vtt
from toolkit.model import Cue, Turn, Word
from toolkit.parse import parse_text, read_document
from toolkit.profiles import PROFILES
from toolkit.segment import segment
from toolkit.timecode import format_srt, format_vtt, is_strict_srt, is_strict_vtt, parse_caption_time
from toolkit.timing import RateModel

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SEED = ROOT / "samples" / "tucker_lavrov.txt"
UPDATE = os.environ.get("CAPTIONKIT_UPDATE_GOLDEN") == "1"

T, L = "Tucker", "Sergey Lavrov"


# -- writers ----------------------------------------------------------------------------------------------


def cue(
    start: int,
    end: int,
    *lines: str,
    speakers: Sequence[str | None] | None = None,
    words: tuple[Word, ...] = (),
) -> Cue:
    spk = tuple(speakers) if speakers is not None else (None,) * len(lines)
    return Cue(start, end, tuple(lines), spk, words=words)


def test_srt_labels_at_each_change_of_speaker() -> None:
    cues = [
        cue(0, 1000, "Hello,", "my friend.", speakers=[T, T]),
        cue(1100, 2000, "Go on.", speakers=[T]),
        cue(2100, 3000, "Thank you.", speakers=[L]),
    ]
    assert write_srt(cues) == (
        "1\n00:00:00,000 --> 00:00:01,000\nTUCKER: Hello,\nmy friend.\n\n"
        "2\n00:00:01,100 --> 00:00:02,000\nGo on.\n\n"
        "3\n00:00:02,100 --> 00:00:03,000\nSERGEY LAVROV: Thank you.\n"
    )
    assert "Sergey Lavrov: Thank you." in write_srt(cues, speaker_style="name")
    assert "[Sergey Lavrov] Thank you." in write_srt(cues, speaker_style="bracket")
    assert "Lavrov" not in write_srt(cues, speaker_style="none")
    with pytest.raises(ValueError):
        write_srt(cues, speaker_style="shout")
    assert speaker_label(None, "upper") == ""


def test_dialogue_cue_uses_dashes_without_space() -> None:
    cues = [cue(0, 2000, "Yes.", "No, NATO.", speakers=[T, L])]
    assert write_srt(cues, speaker_style="none").endswith("-Yes.\n-No, NATO.\n")
    assert "-TUCKER: Yes.\n-SERGEY LAVROV: No, NATO." in write_srt(cues)
    assert write_vtt(cues) == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Tucker>-Yes.</v>\n<v Sergey Lavrov>-No, NATO.</v>\n"
    )


def test_vtt_escapes_text_but_not_our_voice_tags() -> None:
    out = write_vtt([cue(0, 1000, "Q&A <b> --> x", speakers=["R&D <team>"])])
    assert "<v R&amp;D &lt;team&gt;>Q&amp;A &lt;b&gt; --&gt; x" in out
    assert escape_vtt("a<b&c>") == "a&lt;b&amp;c&gt;"


def test_writers_sort_and_finish_with_one_newline() -> None:
    cues = [cue(5000, 6000, "second"), cue(1000, 2000, "first")]
    srt, vtt = write_srt(cues), write_vtt(cues)
    assert srt.index("first") < srt.index("second") and srt.startswith("1\n00:00:01,000")
    assert vtt.index("first") < vtt.index("second")
    for text in (srt, vtt):
        assert text.endswith("\n") and not text.endswith("\n\n") and "\r" not in text
    assert write_srt([]) == "" and write_vtt([]) == "WEBVTT\n"


def test_writers_refuse_blank_lines() -> None:
    with pytest.raises(ValueError):
        write_vtt([cue(0, 1000, "a", " ")])
    with pytest.raises(ValueError):
        write_srt([cue(0, 1000, "a\n\nb")])


def test_vtt_word_timestamps() -> None:
    ws = (Word("So", 1000, 1200), Word("you", 1250, 1400), Word("believe?", 1450, 1900))
    cues = [cue(1000, 2400, "So you", "believe?", speakers=[T, T], words=ws)]
    out = write_vtt(cues, word_timestamps=True)
    assert "<v Tucker>So <00:00:01.250>you\n<00:00:01.450>believe?" in out
    assert "<00:" not in write_vtt(cues)  # only on request
    assert "<00:" not in write_vtt([cue(1000, 2400, "So you")], word_timestamps=True)  # no words: no tags


@given(st.integers(0, 360_000_000))
def test_timecode_round_trip(ms: int) -> None:
    assert parse_caption_time(format_srt(ms)) == ms
    assert parse_caption_time(format_vtt(ms)) == ms
    assert is_strict_srt(format_srt(ms)) and is_strict_vtt(format_vtt(ms))


# -- goldens ----------------------------------------------------------------------------------------------

DIALOGUE = """\
Tucker [00:00:05] Yes.
Sergey Lavrov [00:00:06] No, NATO.
Tucker [00:00:09] Q&A time: is 3 < 4 & does it matter? [crosstalk 00:00:10] Mr. Lavrov, the United States \
and Russia are, in a sense, at war with each other right now, aren't they?
Sergey Lavrov [00:00:19] I wouldn't say so.
"""

CAPTIONS = """\
1
00:00:01,000 --> 00:00:03,000
TUCKER: Minister Lavrov, thank you
for doing this.

2
00:00:03,500 --> 00:00:13,000
Do you believe the United States and Russia are at war with each other right now? \
That is the question everybody asks.
"""


def aligned_turns() -> list[Turn]:
    text = "So you believe the United States is at war with Russia? Because it's not a secret."
    ws, t = [], 42_000
    for w in text.split():
        ws.append(Word(w, t, t + 60 * len(w)))
        t += 60 * len(w) + 120
    return [Turn(T, 42_000, text, 1, words=tuple(ws)), Turn(L, t + 1500, "Yes.", 2)]


def convert(turns: Sequence[Turn], profile: str = "netflix") -> list[Cue]:
    cues, _ = segment(turns, PROFILES[profile], rates=RateModel.fit(turns), path="golden")
    return cues


def seed_cues(profile: str) -> list[Cue]:
    return convert(read_document(SEED).turns, profile)  # turns as parsed, no repair


CASES: dict[str, Callable[[], tuple[list[Cue], dict[str, str]]]] = {}


def case(name: str) -> Callable[[Callable[[], list[Cue]]], Callable[[], list[Cue]]]:
    def wrap(fn: Callable[[], list[Cue]]) -> Callable[[], list[Cue]]:
        def build() -> tuple[list[Cue], dict[str, str]]:
            cues = fn()
            styles = {"tucker_lavrov.bbc": "name"}
            out = {"srt": write_srt(cues, speaker_style=styles.get(name, "upper")), "vtt": write_vtt(cues)}
            if name == "aligned":
                out["vtt"] = write_vtt(cues, word_timestamps=True)
            return cues, out

        CASES[name] = build
        return fn

    return wrap


@case("tucker_lavrov.netflix")
def _seed_netflix() -> list[Cue]:
    return seed_cues("netflix")


@case("tucker_lavrov.bbc")
def _seed_bbc() -> list[Cue]:
    return seed_cues("bbc")


@case("dialogue")
def _dialogue() -> list[Cue]:
    return convert(parse_text(DIALOGUE, path="dialogue.txt").turns)


@case("captions")
def _captions() -> list[Cue]:
    return convert(parse_text(CAPTIONS, path="captions.srt").turns)


@case("aligned")
def _aligned() -> list[Cue]:
    return convert(aligned_turns())


_BUILT: dict[str, tuple[list[Cue], dict[str, str]]] = {}


def built(name: str) -> tuple[list[Cue], dict[str, str]]:
    if name not in _BUILT:
        _BUILT[name] = CASES[name]()
    return _BUILT[name]


GOLDENS = [(name, ext) for name in CASES for ext in ("srt", "vtt")]


@pytest.mark.parametrize(("name", "ext"), GOLDENS)
def test_golden(name: str, ext: str) -> None:
    path = GOLDEN / f"{name}.{ext}"
    text = built(name)[1][ext]
    if UPDATE:
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"missing golden {path.name}: run with CAPTIONKIT_UPDATE_GOLDEN=1"
    assert path.read_bytes().decode("utf-8") == text


@pytest.mark.parametrize(("name", "width"), [("tucker_lavrov.netflix", 42), ("tucker_lavrov.bbc", 37)])
def test_seed_srt_lines_fit_with_their_speaker_labels(name: str, width: int) -> None:
    text = built(name)[1]["srt"]
    lines = [x for x in text.split("\n") if x and "-->" not in x and not x.isdigit()]
    assert max(len(x) for x in lines) <= width
    assert sum(x.startswith(("TUCKER: ", "Tucker: ")) for x in lines) > 30


def test_seed_figures() -> None:
    cues, findings = segment(
        read_document(SEED).turns, PROFILES["netflix"], rates=RateModel.fit(read_document(SEED).turns)
    )
    assert len(cues) == len(built("tucker_lavrov.netflix")[0])
    assert 900 < len(cues) < 1200
    assert {f.code for f in findings} <= {"C003", "C004"}


# -- re-reading the goldens -------------------------------------------------------------------------------

_TAG = re.compile(r"</?v[^>]*>|<\d\d:\d\d:\d\d\.\d\d\d>")


def expected_lines(c: Cue) -> list[str]:
    dash = "-" if len(set(c.speakers)) > 1 else ""
    return [dash + line for line in c.lines]


def strip_labels(text: str, speakers: set[str]) -> list[str]:
    out = []
    for line in text.split("\n"):
        dash = "-" if line.startswith("-") else ""
        body = line[len(dash) :]
        for s in speakers:
            for label in (f"{s.upper()}: ", f"{s}: ", f"[{s}] "):
                if body.startswith(label):
                    body = body[len(label) :]
        out.append(dash + body)
    return out


def srt_items_equal(items: Sequence[pysrt.SubRipItem], cues: Sequence[Cue]) -> None:
    assert len(items) == len(cues)
    speakers = {s for c in cues for s in c.speakers if s}
    for k, (item, c) in enumerate(zip(items, cues, strict=True), start=1):
        assert (item.start.ordinal, item.end.ordinal) == (c.start_ms, c.end_ms)
        assert strip_labels(item.text, speakers) == expected_lines(c)
        assert item.index in (k, None)


def golden_path(name: str, ext: str) -> Path:
    path = GOLDEN / f"{name}.{ext}"
    if not path.exists() and not UPDATE:
        pytest.fail(f"{path.name} is missing: regenerate with `make golden` and review the diff")
    return path


@pytest.mark.parametrize("name", list(CASES))
def test_golden_srt_reread_by_pysrt(name: str) -> None:
    items = pysrt.open(str(golden_path(name, "srt")), encoding="utf-8", error_handling=pysrt.ERROR_RAISE)
    srt_items_equal(items, built(name)[0])


@pytest.mark.parametrize("name", list(CASES))
def test_golden_vtt_reread_by_webvtt(name: str) -> None:
    doc = webvtt.read(str(golden_path(name, "vtt")), strict=True)
    cues = built(name)[0]
    assert len(doc.captions) == len(cues)
    for cap, c in zip(doc.captions, cues, strict=True):
        assert (cap.start, cap.end) == (format_vtt(c.start_ms), format_vtt(c.end_ms))
        assert html.unescape(_TAG.sub("", cap.raw_text)).split("\n") == expected_lines(c)
        assert cap.voice == c.speakers[0]
    starts = [parse_caption_time(cap.start) for cap in doc.captions]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def ffmpeg_to_srt(path: Path) -> str:
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    proc = subprocess.run(
        [exe, "-nostdin", "-v", "error", "-i", str(path), "-f", "srt", "-"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    return proc.stdout.decode("utf-8")


@pytest.mark.parametrize(("name", "ext"), GOLDENS)
def test_golden_reread_by_ffmpeg(name: str, ext: str) -> None:
    out = ffmpeg_to_srt(golden_path(name, ext))
    items = pysrt.from_string(out, error_handling=pysrt.ERROR_RAISE)
    cues = built(name)[0]
    assert len(items) == len(cues)
    speakers = {s for c in cues for s in c.speakers if s}
    for item, c in zip(items, cues, strict=True):
        assert (item.start.ordinal, item.end.ordinal) == (c.start_ms, c.end_ms)
        assert strip_labels(html.unescape(item.text), speakers) == expected_lines(c)


# -- round trip of any segmentation through the independent readers ---------------------------------------

TEXT_TOKENS = st.sampled_from(
    [
        "the",
        "United",
        "States",
        "Lavrov,",
        "yes.",
        "No?",
        "&",
        "<b>",
        "a<b",
        "x&y;",
        "-->",
        "it’s",
        "—",
        "[crosstalk 00:42:40]",
        "über",
        "日本",
        "x" * 45,
        "1.",
        "-dash",
        "NOTE",
        "WEBVTT",
    ]
)


@st.composite
def cue_lists(draw: st.DrawFn) -> list[Cue]:
    turns, t = [], 0
    for i in range(draw(st.integers(1, 6))):
        t += draw(st.integers(0, 9000))
        text = " ".join(draw(st.lists(TEXT_TOKENS, min_size=1, max_size=25)))
        turns.append(Turn(draw(st.sampled_from([T, L, None, "R&D <x>"])), t, text, i + 1))
    cues, _ = segment(turns, PROFILES["netflix"], rates=RateModel(global_wps=draw(st.floats(1.0, 4.0))))
    return cues


@settings(max_examples=60, deadline=None)
@given(cue_lists(), st.sampled_from(["upper", "name", "bracket", "none"]))
def test_any_cues_survive_pysrt_and_webvtt(cues: list[Cue], style: str) -> None:
    srt = write_srt(cues, speaker_style=style)
    items = pysrt.from_string(srt, error_handling=pysrt.ERROR_RAISE)
    assert [(i.index, i.start.ordinal, i.end.ordinal) for i in items] == [
        (k, c.start_ms, c.end_ms) for k, c in enumerate(cues, start=1)
    ]
    speakers = {s for c in cues for s in c.speakers if s}
    for item, c in zip(items, cues, strict=True):
        # every character survives; a word joiner keeps '-->', '<b>' and '{\an8}' from reading as markup
        assert strip_labels(item.text.replace("\u2060", ""), speakers) == expected_lines(c)
        assert "-->" not in item.text and not re.search(r"<[A-Za-z/]|\{\\", item.text)
    doc = webvtt.from_string(write_vtt(cues), strict=True)
    assert [(cap.start, cap.end) for cap in doc.captions] == [
        (format_vtt(c.start_ms), format_vtt(c.end_ms)) for c in cues
    ]
    for cap, c in zip(doc.captions, cues, strict=True):
        assert html.unescape(_TAG.sub("", cap.raw_text)).split("\n") == expected_lines(c)
        assert "-->" not in cap.raw_text and "<b>" not in cap.raw_text


def test_public_names() -> None:
    import toolkit.formats as formats
    import toolkit.segment as seg

    expected = ["SPEAKER_STYLES", "escape_vtt", "speaker_label", "write_srt", "write_vtt"]
    assert sorted(formats.__all__) == expected
    assert "segment" in seg.__all__ and all(hasattr(seg, name) for name in seg.__all__)
    assert all(hasattr(formats, name) for name in formats.__all__)
