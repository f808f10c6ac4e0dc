"""Round trips: turns rendered in each layout (or as SRT/WebVTT) and parsed back are the same turns."""

from __future__ import annotations

import re
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.captions.labels import CALLOUT_WORDS
from toolkit.errors import ToolkitError
from toolkit.parse import parse_text
from toolkit.text import is_sentence_end

Turn4 = tuple[str | None, int, int, str]  # speaker, start_ms, line, text

_word = st.from_regex(r"[a-z]{1,8}", fullmatch=True)
_name_word = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)
# ("Note:" and "Step 1:" open captions without naming anyone: never a meeting's speaker)
names = (
    st.lists(_name_word, min_size=1, max_size=3)
    .map(" ".join)
    .filter(lambda n: n.split()[0].lower() not in CALLOUT_WORDS)
)
_extras = st.sampled_from(["", "", "", " [crosstalk 00:00:01]", " [T]he end", " [inaudible 01:02:03] ok"])


def _shown(text: str) -> str:
    """What a turn keeps of a transcript editor's note: "[crosstalk]", without the time it was heard."""
    return text.replace(" [crosstalk 00:00:01]", " [crosstalk]").replace(
        " [inaudible 01:02:03]", " [inaudible]"
    )


@st.composite
def texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(_word, min_size=2, max_size=12))
    words[0] = words[0].capitalize()
    end = draw(st.sampled_from([".", "?", "!", ",", ""]))
    return " ".join(words) + end + draw(_extras)


@st.composite
def turns(draw: st.DrawFn, *, max_ms: int = 10 * 3600 * 1000) -> list[tuple[str, int, str]]:
    n = draw(st.integers(1, 8))
    gaps = draw(st.lists(st.integers(1, 600), min_size=n, max_size=n))
    speakers = draw(st.lists(names, min_size=1, max_size=2))
    out, t = [], draw(st.integers(0, 3600))
    for gap in gaps:
        out.append((draw(st.sampled_from(speakers)), t * 1000, draw(texts())))
        t += gap
    return [x for x in out if x[1] <= max_ms]


def hms(ms: int) -> str:
    s = ms // 1000
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def short(ms: int) -> str:
    """M:SS under an hour, H:MM:SS after (Otter, YouTube)."""
    s = ms // 1000
    return f"{s // 60}:{s % 60:02d}" if s < 3600 else f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


Renderer = Callable[[list[tuple[str, int, str]], bool], tuple[str, list[Turn4]]]


def _one_line(fmt: Callable[[str, int, str], str], speakers: bool = True) -> Renderer:
    def render(ts: list[tuple[str, int, str]], blank: bool) -> tuple[str, list[Turn4]]:
        lines: list[str] = []
        expected: list[Turn4] = []
        for name, ms, text in ts:
            expected.append((name if speakers else None, ms, len(lines) + 1, text))
            lines.append(fmt(name, ms, text))
            if blank:
                lines.append("")
        return "\n".join(lines) + "\n", expected

    return render


def _header(fmt: Callable[[str, int], str], speakers: bool = True) -> Renderer:
    def render(ts: list[tuple[str, int, str]], blank: bool) -> tuple[str, list[Turn4]]:
        lines: list[str] = []
        expected: list[Turn4] = []
        for name, ms, text in ts:
            expected.append((name if speakers else None, ms, len(lines) + 1, text))
            lines.append(fmt(name, ms))
            lines.append(text)
            if blank or speakers:
                lines.append("")
        return "\n".join(lines) + "\n", expected

    return render


RENDERERS: dict[str, Renderer] = {
    "name-bracket-time": _one_line(lambda n, ms, t: f"{n} [{hms(ms)}] {t}"),
    "time-name-colon": _one_line(lambda n, ms, t: f"[{hms(ms)}] {n}: {t}"),
    "time-name-colon/short": _one_line(lambda n, ms, t: f"[{short(ms)}] {n} : {t}"),
    "name-paren-time/inline": _one_line(lambda n, ms, t: f"{n} ({short(ms)}): {t}"),
    "name-colon-bracket": _one_line(lambda n, ms, t: f"{n}: [{hms(ms)}] {t}"),
    "name-paren-time": _header(lambda n, ms: f"{n} ({short(ms) if ms < 3_600_000 else hms(ms)}):"),
    "otter": _header(lambda n, ms: f"{n}  {short(ms)}  "),
    "time-name-line": _header(lambda n, ms: f"[{hms(ms)}] {n}"),
    "time-text": _one_line(lambda n, ms, t: f"{short(ms)} {t}", speakers=False),
    "youtube": _header(lambda n, ms: short(ms), speakers=False),
}


@settings(max_examples=40, deadline=None)
@given(ts=turns(), blank=st.booleans(), layout=st.sampled_from(sorted(RENDERERS)))
def test_layout_round_trip(ts: list[tuple[str, int, str]], blank: bool, layout: str) -> None:
    text, expected = RENDERERS[layout](ts, blank)
    doc = parse_text(text)
    assert doc.layout == layout.split("/")[0]
    assert [(t.speaker, t.start_ms, t.line, t.text) for t in doc.turns] == [
        (*e[:3], _shown(e[3])) for e in expected
    ]
    assert not [f for f in doc.findings if f.code in ("P001", "P003")]


_people = st.sampled_from(
    ["Tucker Carlson", "Sergey Lavrov", "Jane Doe", "Dr. Smith", "José Álvarez", "Mr. O'Brien"]
)
_roles = st.sampled_from(
    ["Host", "Guest", "CEO", "Head of Research", "R-SC", "El País", "President of Ukraine"]
)
_NAMED = sorted(k for k in RENDERERS if k.split("/")[0] not in ("time-text", "youtube"))


@settings(max_examples=40, deadline=None)
@given(
    ts=turns(),
    blank=st.booleans(),
    layout=st.sampled_from(_NAMED),
    cast=st.lists(
        st.tuples(_people, _roles, st.booleans()), min_size=2, max_size=2, unique_by=lambda c: c[0]
    ),
)
def test_labels_with_roles_round_trip(
    ts: list[tuple[str, int, str]], blank: bool, layout: str, cast: list[tuple[str, str, bool]]
) -> None:
    """``Name (Role)`` / ``Name, Role`` labels in every named layout: the speaker is the name, each label
    is one P007 that keeps the role and the lines of its turns."""
    speakers = sorted({name for name, _, _ in ts})
    playing = dict(zip(speakers, cast, strict=False))  # speaker -> (person, role, comma form)
    label = {s: f"{p}, {r}" if comma else f"{p} ({r})" for s, (p, r, comma) in playing.items()}
    text, expected = RENDERERS[layout]([(label[n], ms, t) for n, ms, t in ts], blank)
    doc = parse_text(text)
    assert doc.layout == layout.split("/")[0]
    by_label = {label[s]: s for s in speakers}
    want = [(playing[by_label[s]][0] if s else None, ms, line, _shown(t)) for s, ms, line, t in expected]
    assert [(t.speaker, t.start_ms, t.line, t.text) for t in doc.turns] == want
    found = [f.data for f in doc.findings if f.code == "P007"]
    assert {d["variant"]: (d["canonical"], d["role"], d["lines"]) for d in found} == {
        label[s]: (p, r, [line for lab, _, line, _ in expected if lab == label[s]])
        for s, (p, r, _) in playing.items()
    }
    assert not [f for f in doc.findings if f.code in ("P001", "P003")]


@settings(max_examples=30, deadline=None)
@given(ts=turns(), per_line=st.integers(1, 3))
def test_inline_round_trip(ts: list[tuple[str, int, str]], per_line: int) -> None:
    lines: list[str] = []
    expected: list[Turn4] = []
    for k in range(0, len(ts), per_line):
        chunk = ts[k : k + per_line]
        for _, ms, text in chunk:
            expected.append((None, ms, len(lines) + 1, _shown(text)))
        lines.append(" ".join(f"[{hms(ms)}] {text}" for _, ms, text in chunk))
    doc = parse_text("\n".join(lines))
    assert doc.layout == "inline"
    assert [(t.speaker, t.start_ms, t.line, t.text) for t in doc.turns] == expected


def _word_time(ms: int) -> str:
    return f"{hms(ms)}.{ms % 1000:03d}"


@settings(max_examples=30, deadline=None)
@given(
    words=st.lists(
        st.tuples(_word, st.integers(50, 3000), st.sampled_from(["", "", ".", "?"])), min_size=1, max_size=40
    ),
)
def test_word_level_keeps_every_word_in_order(words: list[tuple[str, int, str]]) -> None:
    lines: list[str] = []
    spoken: list[tuple[str, int, int]] = []
    t = 0
    for w, step, punct in words:
        end = t + step // 2
        lines.append(f"{_word_time(t)} {_word_time(end)} {w}{punct}")
        spoken.append((w + punct, t, end))
        t += step
    doc = parse_text("\n".join(lines))
    assert doc.layout == "word-level"
    assert [(w.text, w.start_ms, w.end_ms) for turn in doc.turns for w in turn.words] == spoken
    assert " ".join(turn.text for turn in doc.turns) == " ".join(w for w, _, _ in spoken)
    for turn in doc.turns:
        assert turn.start_ms == turn.words[0].start_ms
        assert turn.end_ms == turn.words[-1].end_ms
        # a sentence end only ever closes a turn ("a." is an initial, "dr." an abbreviation: no end)
        assert not any(is_sentence_end(w.text) for w in turn.words[:-1])


@st.composite
def cues(draw: st.DrawFn) -> list[tuple[int, int, str, str | None]]:
    n = draw(st.integers(1, 6))
    out = []
    t = draw(st.integers(0, 10_000))
    for _ in range(n):
        dur = draw(st.integers(1, 7000))
        speaker = draw(st.one_of(st.none(), names))
        out.append((t, t + dur, draw(texts()).replace(" [", " ("), speaker))
        t += dur + draw(st.integers(0, 2000))
    return out


def _srt_time(ms: int) -> str:
    return f"{hms(ms)},{ms % 1000:03d}"


@settings(max_examples=30, deadline=None)
@given(cs=cues(), vtt=st.booleans())
def test_caption_round_trip(cs: list[tuple[int, int, str, str | None]], vtt: bool) -> None:
    blocks = []
    for i, (start, end, text, speaker) in enumerate(cs, start=1):
        if vtt:
            body = f"<v {speaker}>{text}" if speaker else text
            timing = f"{_srt_time(start)} --> {_srt_time(end)}".replace(",", ".")
            blocks.append(f"{timing}\n{body}")
        else:
            body = f"{speaker.upper()}: {text}" if speaker else text
            blocks.append(f"{i}\n{_srt_time(start)} --> {_srt_time(end)}\n{body}")
    content = ("WEBVTT\n\n" if vtt else "") + "\n\n".join(blocks) + "\n"
    doc = parse_text(content)
    assert doc.kind == ("vtt" if vtt else "srt")
    # SRT labels are speakers only when the file follows the meeting convention: at least 80 % of the
    # cues labelled, most of them by names that open two cues or more (unless there are fewer than 4 cues)
    names = [s.upper() for _, _, _, s in cs if s]
    repeated = sum(1 for n in names if names.count(n) >= 2)
    meeting = not vtt and len(names) >= 0.8 * len(cs) and (len(cs) < 4 or repeated >= len(names) / 2)
    expected = [
        (
            (s if vtt else s.upper()) if s and (vtt or meeting) else None,
            start,
            end,
            text if vtt or meeting or not s else f"{s.upper()}: {text}",
        )
        for start, end, text, s in cs
    ]
    assert [(t.speaker, t.start_ms, t.end_ms, t.text) for t in doc.turns] == expected
    labelled = ["speaker labels in cue text"] if meeting and names else []
    assert [f.data.get("problem") for f in doc.findings] == labelled


_FUZZ_LINES = st.lists(
    st.one_of(
        st.text(alphabet="[]():-> \t0123456789.,TuckerLavWEBVTTNOTE<>v/&;", max_size=40),
        st.sampled_from(
            [
                "Tucker [00:00:01] Hi.",
                "[00:61:00] Lavrov: No.",
                "00:00:01,000 --> 00:00:02,000",
                "00:00:0x --> 00:00:01.000",
                "WEBVTT",
                "(00:30):",
                "",
                "1",
                "<v Tucker>Hi",
            ]
        ),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(lines=_FUZZ_LINES, kind=st.sampled_from([None, "transcript", "srt", "vtt"]))
def test_parser_never_crashes(lines: list[str], kind: str | None) -> None:
    """Any text gives a Document or a ToolkitError, never another exception; lines stay in range."""
    text = "\n".join(lines)
    try:
        doc = parse_text(text, kind=kind)
    except ToolkitError as exc:
        assert exc.path == "<input>"
        return
    assert all(1 <= t.line <= max(doc.line_count, 1) for t in doc.turns)
    assert all(t.end_ms is None or t.start_ms is None or t.end_ms >= t.start_ms for t in doc.turns)


def test_other_spaces_are_all_the_other_whitespace() -> None:
    import sys

    from toolkit.parse.turn_drafts import _OTHER_SPACES

    every = {chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()}
    assert every == {c for c in map(chr, range(sys.maxunicode + 1)) if re.match(r"\s", c)}
    assert set(_OTHER_SPACES) == every - set(" \t\n\r\f\v")


@given(st.text(alphabet=st.sampled_from(list(" \t\n\r\f\v\x1c\xa0\u2003\u3000ab’é"))))
def test_space_run_check_is_the_regex(text: str) -> None:
    from toolkit.parse.turn_drafts import _SPACE_RUN, _has_space_run

    assert _has_space_run(text) == (_SPACE_RUN.search(text) is not None)
