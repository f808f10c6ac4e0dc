"""Exporter artefacts: what transcription tools and web pages put around the words, found and dropped.

Transcripts copied from tools and pages carry text that is nobody's speech: Whisper's marker tokens
(``[SPEAKER_TURN]`` from whisper.cpp's tinydiarize, ``[BLANK_AUDIO]``, ``<|endoftext|>``), break markers
(``**Break:** [00:18:28]``), a broadcast transcript's production directions (``(BEGIN VIDEOTAPE)``),
a meeting tool's notices (``Nick Miller stopped transcription``),
Markdown escapes (``\\[00:04:22.21\\]`` in a Markdown page) and
Markdown headings. :func:`clean_lines` removes them before the layout is detected, keeping every line
number, and returns a ``P009`` finding per kind that lists what was removed and where, so nothing leaves
without a word and nothing of it reaches a caption (a turn whose only text was such is left out: it was
nobody's speech). (Credit lines such as ``Transcribed by
https://otter.ai`` are page text around the transcript: the parser drops and reports them, ``P001``.)
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Finding
from ..rules import finding
from ..timecode import format_vtt
from .layouts import LAYOUTS, match_start, reads_as_speech
from .structured import MAX_SECONDS

__all__ = ["ARTEFACT_TOKENS", "clean_lines", "clean_text"]

# marker tokens that speech recognisers write into their text (never spoken words)
ARTEFACT_TOKENS = re.compile(
    r"\[SPEAKER_TURN\]|\[BLANK_AUDIO\]|\[_BEG_\]|\[_TT_\d+\]|\[_SOT_\]|\[_EOT_\]|<\|[a-z_]{2,30}\|>"
)
# an ad or music break marked with a time in a podcast transcript ("**Break:** [00:18:28.12]"): no speech
_BREAK = re.compile(
    r"^[ \t*_]*(?:break|ad break|ad|ads|sponsor|sponsors|music|intro|outro|interlude|commercial)"
    r"[ \t*_]*:[ \t*_]*(?:\[?\d{1,3}(?::\d{1,2}){1,3}(?:[.,]\d{1,3})?\]?[ \t]*(?:to|-|–)?[ \t]*)+$",
    re.IGNORECASE,
)
# a broadcast transcript's production directions on their own line (CNN, NPR): "(BEGIN VIDEOTAPE)",
# "(END VIDEO CLIP)", "(COMMERCIAL BREAK)"; no one says them (sounds such as "(LAUGHTER)", and what a
# viewer is told, "(BEGIN SPEAKING IN SPANISH)", "(END QUOTE)", stay)
_DIRECTION_WORDS = (
    r"\((?:(?:BEGIN|END)[ \t]+(?:OF[ \t]+)?"
    r"(?:VIDEO[ \t]?TAPE|VIDEO[ \t]+CLIP|AUDIO[ \t]+CLIP|AUDIO|VIDEO|CLIP|TAPE|SOUNDBITE|SOUND[ \t]+BITE|SOT|"
    r"PACKAGE|LIVE[ \t]+FEED)"
    r"|(?:COMMERCIAL|NEWS)[ \t]?BREAK)\)[ \t]*$"
)
_DIRECTION = re.compile(rf"^[ \t]*{_DIRECTION_WORDS}")
# ... or as the whole text of a turn start ("Anchor [00:00:10] (BEGIN VIDEOTAPE)")
_DIRECTION_AFTER = re.compile(rf"[ \t]{_DIRECTION_WORDS}")
# a meeting tool's notices in its transcript (Microsoft Teams): "Nick Miller started transcription"
_NOTICE = re.compile(
    r"^[ \t]*(?:[A-Z][\w.'’\-]*,?[ \t]+){1,4}"  # a name, capitalised word by word ("Miller, Nick")
    r"(?P<event>started|stopped|paused|resumed)[ \t]+transcription[ \t]*$"
)
# direction marks, joiners and isolates that a page puts at a line's start (a right-to-left page's RLM):
# invisible, and in front of a speaker label they hide it
_MARKS = [*range(0x200B, 0x2010), *range(0x202A, 0x202F), 0x2060, *range(0x2066, 0x206A), 0xFEFF]
_MARK_CHARS = "".join(map(chr, _MARKS))
_LEADING_MARKS = re.compile(f"^[{_MARK_CHARS}]+")


_NOT_A_NAME = frozenset(
    ["so", "my", "our", "your", "his", "her", "their", "yesterday", "today", "tomorrow", "finally", "after",
     "later", "then", "now", "once", "when", "and", "but", "i", "we", "they", "he", "she", "it", "you"]
)  # fmt: skip


def _is_notice(line: str) -> bool:
    """A meeting tool's notice (Teams: "Nick Miller started transcription"): a participant's full display
    name ("Nick Miller", "Miller, Nick"; not "We", "The Beatles", "Yesterday Sarah") and the event, alone
    on the line. "... started recording" is speech as often as a notice: kept."""
    m = _NOTICE.match(line)
    if m is None:
        return False
    name = line[: m.start("event")].strip().rstrip(",")
    words = name.replace(",", " ").split()
    if not 2 <= len(words) <= 4 or not all(w[:1].isupper() for w in words) or reads_as_speech(name):
        return False
    return words[0].lower() not in _NOT_A_NAME  # "Yesterday Sarah", "So I", "My Dad": a sentence


def _direction_after_start(line: str) -> re.Match[str] | None:
    """A production direction that is the whole text of a turn start ("Anchor [00:00:10] (BEGIN
    VIDEOTAPE)"): a layout that reads the line as a turn start reads what comes before it as the same
    start without text."""
    m = _DIRECTION_AFTER.search(line)
    if m is None:
        return None
    head, whole = line[: m.start()].strip(), line.strip()
    for lay in LAYOUTS:
        start = match_start(lay, head) if lay.starts else None
        if start is not None and not start.groupdict().get("text") and match_start(lay, whole):
            return m
    return None


_LABEL_OR_NAME = re.compile(r"^[^\W\d_][^:\n]{0,60}(?::[ \t]|:$|$)")  # "Ann Lee: text", "Ann Lee"


def _opens_a_turn(line: str) -> bool:
    """Whether ``line`` may start a turn: a layout's turn start, a time or range an exporter writes
    (``[0.00s --> 4.20s]``), or a label or name in a cased script ("Lavrov: ...", "Ann Lee" above a time
    line). A line of Hebrew or Arabic text (no letter case) is none of these: its mark stays."""
    if line[:1].isdigit() or line[:1] in "[(":
        return True
    m = _LABEL_OR_NAME.match(line)
    if m is not None:
        name = m[0].rstrip(": \t").split()
        if 0 < len(name) <= 6 and all(w[:1].isupper() for w in name):  # capitalised, word by word
            return True
    return any(match_start(lay, line) for lay in LAYOUTS if lay.starts)


def _goes_on(lines: Sequence[str], n: int) -> bool:
    """Whether the line after line ``n`` (1-based) goes on with the sentence (starts in lower case)."""
    nxt = lines[n].lstrip() if n < len(lines) else ""
    return nxt[:1].islower()


_TS = r"\d{1,3}(?::\d{1,2}){1,3}(?:[.,]\d{1,3})?"
# exporters' ways of writing a timestamp line, rewritten to a form the layouts read (the line keeps its
# number; nothing is dropped): YouTube .sbv "0:00:05.000,0:00:08.460", Whisper "[0.00s --> 4.20s]" and
# "[00:00.000 → 00:04.200]", a podcast app's "Starting point is 00:12:03", a bullet "- 0:05 - 0:09 text",
# an italic label "*Joe (0:05)*", a paragraph opening "(00:24) text" (a chapter title is short), a
# subtitle archive's ":00:16. > :00:21.text"
_SBV = re.compile(rf"^[ \t]*(?P<a>{_TS}),(?P<b>{_TS})[ \t]*$")
_SECONDS_RANGE = re.compile(r"\[(?P<a>\d+(?:\.\d+)?)s[ \t]*(?:-->|→|->|–|-)[ \t]*(?P<b>\d+(?:\.\d+)?)s\]")
_ARROW = re.compile(rf"(?<=\d)[ \t]*→[ \t]*(?={_TS})")
_STARTING_POINT = re.compile(rf"^[ \t]*starting point is[ \t]+(?P<ts>{_TS})[ \t]*$", re.IGNORECASE)
_BULLET = re.compile(rf"^[ \t]*[-*•·][ \t]+(?=\[?{_TS})")
_ITALIC_LINE = re.compile(r"^[ \t]*(?P<m>[*_])(?P<inner>[^*_\n]+?)(?P=m)[ \t]*:?[ \t]*$")
_PAREN_OPENING = re.compile(rf"^[ \t]*\((?P<ts>{_TS})\)[ \t]+(?P<rest>\S.*)$")
_ENTITY = re.compile(r"&(?:#\d{1,6}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def _clock(seconds: str) -> str:
    value = float(seconds)
    if not value < MAX_SECONDS:  # hundreds of digits (inf): not a time, left for the timestamp reader
        return seconds + "s"
    return format_vtt(round(value * 1000))


_TAB_ROW = re.compile(
    rf"^[ \t]*(?P<ts>{_TS})(?:[ \t]*[-–][ \t]*{_TS})?\t+"
    r"(?:(?P<name>[^\t]{1,48})\t+)?(?P<text>[^\t]*\S[^\t]*)$"
)


# a clock time on a line of its own, 12-hour style ("9:59 am", "4:10 p.m."): TV caption archives
_AM_PM = re.compile(
    r"^[ \t]*(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?[ \t]*(?P<ap>[aApP])\.?[ \t]?[mM]\.?[ \t]*$"
)


# broadcast subtitles as a subtitle archive page shows them, hours left out: ":00:16. > :00:21.Business ..."
_SUBTITLE_PAGE = re.compile(
    r"^[ \t]*(?P<a>\d{0,2}:\d{2}:\d{2})\.[ \t]*>[ \t]*(?P<b>\d{0,2}:\d{2}:\d{2})\.[ \t]*(?P<text>\S.*)$"
)


def _rewrite(line: str) -> str | None:
    """An exporter's timestamp form rewritten for the layouts, or ``None`` when the line has none."""
    if ">" in line:
        m = _SUBTITLE_PAGE.match(line)
        if m:
            a, b = (x if x[0] != ":" else "0" + x for x in (m["a"], m["b"]))
            return f"{a} --> {b} {m['text'].strip()}"
    m = _AM_PM.match(line)
    if m and int(m["h"]) <= 12 and int(m["m"]) < 60:
        hour = int(m["h"]) % 12 + (12 if m["ap"].lower() == "p" else 0)
        return f"{hour:02d}:{m['m']}:{m['s'] or '00'}"
    if "\t" in line:  # a table row without a header: time, (speaker,) text
        m = _TAB_ROW.match(line)
        if m:
            name = (m["name"] or "").strip()
            return f"[{m['ts']}] {name}: {m['text'].strip()}" if name else f"{m['ts']} {m['text'].strip()}"
    m = _SBV.match(line)
    if m:
        return f"[{m['a']} --> {m['b']}]"
    if "s" in line and _SECONDS_RANGE.search(line):
        return _SECONDS_RANGE.sub(lambda x: f"[{_clock(x['a'])} --> {_clock(x['b'])}]", line)
    if "→" in line and _ARROW.search(line):
        return _ARROW.sub(" --> ", line)
    m = _STARTING_POINT.match(line)
    if m:
        return m["ts"]
    if _BULLET.match(line):
        return _BULLET.sub("", line, count=1)
    m = _ITALIC_LINE.match(line)
    if m and re.search(_TS, m["inner"]):
        return m["inner"].strip()
    m = _PAREN_OPENING.match(line)
    if m and (len(m["rest"].split()) > 8 or m["rest"].rstrip()[-1:] in ".?!…\"'”’"):
        return f"[{m['ts']}] {m['rest']}"  # speech that starts with its time, not a chapter title
    return None


_VOICE_TAG = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+(?P<name>[^>]{1,60})>")
_OTHER_TAGS = re.compile(r"</?(?:v|i|b|u|c|lang|ruby|rt)(?:\.[^\s>]*)?(?:[ \t][^>]*)?>|<\d[\d:.]*>")
_GLYPHS = frozenset("▶►▷⏵⏯⏸⏩⏪▸▹")  # play buttons a page puts before each timestamp
_MD_ESCAPE = re.compile(r"\\([\[\]*_#`()])")
_HEADING = re.compile(r"^[ \t]*(#{1,6})[ \t]+(?P<rest>\S.*)$")
_TIMESTAMP = re.compile(r"\d{1,3}(?::\d{1,2}){1,3}")


# a mission transcript (NASA air-to-ground, as Spacelog keeps them): a "[DD:HH:MM:SS]" line of mission
# elapsed time (negative before lift-off), exporter metadata ("_page : 8", "_tape : Tape 1/1"), then
# "CDR: text" with indented continuation lines; the text holds Spacelog's markup "[glossary:S-IVB]",
# "[time:00:00:08:38|8 plus 38]" (what it shows after the bar) and HTML such as "V<sub>R</sub>"
_MISSION_TS = re.compile(
    r"^[ \t]*\[(?P<neg>-)?(?P<d>\d{2,3}):(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})\][ \t]*$"
)
_MISSION_META = re.compile(r"^_[a-z]+[ \t]*:")
_MISSION_SPEAKER = re.compile(
    r"^(?P<name>[A-Z][A-Za-z0-9\-]{0,11}(?: [A-Z0-9][A-Za-z0-9\-]{0,11}){0,2})[ \t]*:[ \t]+\S"
)
_MISSION_MARKUP = re.compile(r"\[(?:glossary|time):(?P<term>[^\]|]*)(?:\|(?P<shown>[^\]]*))?\]")
_INLINE_HTML = re.compile(r"</?(?:sub|sup|i|b|em|strong|span)(?:[ \t][^>]*)?>")
MIN_MISSION_STAMPS = 3


def _mission_lines(lines: Sequence[str]) -> tuple[list[str], list[tuple[int, str]]] | None:
    """A mission transcript's lines rewritten as ``[HH:MM:SS] NAME: text`` (days folded into hours; a
    negative time leaves the turn untimed), with its metadata lines emptied and returned; ``None`` when
    the lines are not one."""
    stamps = followed = 0
    for k, line in enumerate(lines):
        if _MISSION_TS.match(line):
            stamps += 1
            j = k + 1
            while j < len(lines) and _MISSION_META.match(lines[j]):
                j += 1
            followed += j < len(lines) and bool(_MISSION_SPEAKER.match(lines[j]))
    if stamps < MIN_MISSION_STAMPS or followed < 0.8 * stamps:
        return None
    out = list(lines)
    meta: list[tuple[int, str]] = []
    pending: str | None = None  # the time waiting for its speaker line ("" when negative)
    for k, line in enumerate(lines):
        m = _MISSION_TS.match(line)
        if m:
            hours = int(m["d"]) * 24 + int(m["h"])
            stamp = f"{hours:02d}:{m['m']}:{m['s']}"
            # before lift-off: the turn is the transcript's, untimed ("LCC [-00:00:10]: ...", see parse)
            pending = f"[-{stamp}]" if m["neg"] else f"[{stamp}] "
            out[k] = ""
            continue
        if pending is not None and _MISSION_META.match(line):
            meta.append((k + 1, line.strip()))
            out[k] = ""
            continue
        text = _INLINE_HTML.sub("", _MISSION_MARKUP.sub(lambda x: x["shown"] or x["term"], line))
        if pending is not None and _MISSION_SPEAKER.match(text):
            if pending.startswith("[-"):
                name, rest = text.split(":", 1)
                text = f"{name} {pending}:{rest}"
            else:
                text = pending + text
            pending = None
        out[k] = text
    return out, meta


@dataclass(slots=True)
class _Seen:
    what: str
    lines: list[int]
    samples: list[str]


def clean_text(text: str) -> tuple[str, list[str]]:
    """``text`` without marker tokens, and the tokens removed."""
    found = ARTEFACT_TOKENS.findall(text)
    if not found:
        return text, []
    return re.sub(r"[ \t]{2,}", " ", ARTEFACT_TOKENS.sub("", text)).strip(), found


def clean_lines(lines: Sequence[str], *, path: str) -> tuple[list[str], list[Finding], frozenset[int]]:
    """The lines with exporter artefacts removed (same count: line numbers stay), what was removed, and
    the lines that lost text (a player glyph before a timestamp is no text): a turn left without any is
    nobody's speech, and the parser leaves it out.

    Headings that hold a timestamp (``### [00:12:03] Name``) keep their text without the ``#``; other
    headings (chapter titles in show notes) are dropped and listed.
    """
    out: list[str] = []
    seen: dict[str, _Seen] = {}

    def note(what: str, line: int, sample: str) -> None:
        entry = seen.setdefault(what, _Seen(what, [], []))
        entry.lines.append(line)
        if len(entry.samples) < 5 and sample not in entry.samples:
            entry.samples.append(sample)

    mission = _mission_lines(lines)
    if mission is not None:
        lines = mission[0]
        for n, meta in mission[1]:
            note("transcript metadata", n, meta)
    for n, raw in enumerate(lines, start=1):
        line = raw
        if line[:1] in _MARK_CHARS:  # invisible marks before a label: "\u200fBob [00:00:05]" is Bob's turn
            bare = _LEADING_MARKS.sub("", line)
            if _opens_a_turn(bare.strip()):  # (before text, an RLM keeps its direction on screen)
                line = bare
        if "\\" in line and _MD_ESCAPE.search(line):
            line = _MD_ESCAPE.sub(r"\1", line)  # Markdown escapes: what the page shows
        if "&" in line and _ENTITY.search(line):
            line = html.unescape(line)  # HTML character references copied from a page: &#39; is '
        if "<v" in line and _VOICE_TAG.search(line):  # WebVTT voices pasted into a text transcript
            line = _OTHER_TAGS.sub("", _VOICE_TAG.sub(lambda m: f"{m['name'].strip()}: ", line))
        if ":" in line or "s]" in line:
            rewritten = _rewrite(line)
            if rewritten is not None:
                line = rewritten
        if "[" in line or "<|" in line:
            line, tokens = clean_text(line) if ARTEFACT_TOKENS.search(line) else (line, [])
            for token in tokens:
                note("marker tokens", n, token)
        if "#" in line:
            m = _HEADING.match(line)
            if m is not None:
                if _TIMESTAMP.search(m["rest"]):
                    line = m["rest"]
                else:
                    note("headings", n, line.strip())
                    line = ""
        if line[:1] in _GLYPHS or line.lstrip()[:1] in _GLYPHS:
            glyph = line.lstrip()[:1]
            line = line.lstrip()[1:].lstrip()
            note("player glyphs", n, glyph)
        if ":" in line and _BREAK.match(line):
            note("break markers", n, line.strip())
            line = ""
        elif "(" in line and _DIRECTION.match(line):
            note("production directions", n, line.strip())
            line = ""
        elif "(" in line and (m := _direction_after_start(line)) is not None:
            note("production directions", n, m[0].strip())
            line = line[: m.start()]  # the turn start stays: the turn is left without text
        elif "transcription" in line and _is_notice(line) and not _goes_on(lines, n):
            note("meeting notices", n, line.strip())
            line = ""
        out.append(line)
    findings = [
        finding(
            "P009",
            f"{entry.what} removed ({len(entry.lines)}, first on line {entry.lines[0]}): "
            + ", ".join(repr(s) for s in entry.samples),
            path=path,
            line=entry.lines[0],
            what=entry.what,
            lines=entry.lines,
            removed=entry.samples,
        )
        for entry in seen.values()
    ]
    lost_text = frozenset(n for entry in seen.values() if entry.what != "player glyphs" for n in entry.lines)
    return out, findings, lost_text
