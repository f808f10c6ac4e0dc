"""Transcript lines read by the detected layout: the first step of reading a transcript into turns.

Each line becomes one or more :class:`LineItem`: a turn ``start``, a ``mark`` (a turn inside the text: a
bare ``[HH:MM:SS]`` there, or a known speaker's ``Name:`` without a time), ``text`` continuing the turn
before it, a ``chapter`` line or a ``blank``. Starts and marks carry the :class:`TurnDraft` they open.
:mod:`toolkit.parse.page_text` then tells the transcript from the page text around it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .layouts import CHAPTER, INLINE_TS, NAME_BARE, Layout, match_start, split_label
from .turn_drafts import TurnDraft

__all__ = ["LineItem", "StartCache", "classify_line", "first_start", "known_speakers"]

# a known speaker's name with a colon or a placeholder instead of a timestamp: "Tucker: ...", "Tucker [] ..."
_UNTIMED = re.compile(
    rf"^(?P<name>{NAME_BARE})[ \t]*(?:(?P<ph>[\[(][^\[\]()A-Za-z]{{0,12}}[\])])[ \t]*:?|:)[ \t]*(?P<text>.*)$"
)
# "[Speaker 2] text" opening a paragraph: a speaker the transcript names without a time (a known one, or a
# diarizer's placeholder such as "Speaker 2" / "SPEAKER_01"); "[inaudible]" and "[Putin]" mid-text are not
_BRACKET_UNTIMED = re.compile(rf"^\[(?P<name>{NAME_BARE})\][ \t]*:?[ \t]+(?P<text>\S.*)$")
_NEGATIVE_TIME = re.compile(r"^-\d{1,3}(?::\d{1,2}){1,3}$")  # a mission transcript's time before lift-off
_DIARIZED_NAME = re.compile(r"^(?:speaker|spk|participant)[ _-]?\d{1,3}$", re.IGNORECASE)


@dataclass(slots=True)
class LineItem:
    kind: str  # "start", "mark" (a timestamp inside text), "text", "chapter", "blank"
    line: int  # 1-based
    text: str = ""
    draft: TurnDraft | None = None


StartCache = dict[str, re.Match[str] | None]  # match_start(layout, line) per stripped line, for one parse


def _start(layout: Layout, line: str, starts: StartCache | None) -> re.Match[str] | None:
    """``match_start(layout, line)``, computed once per line when ``starts`` is given."""
    if starts is None:
        return match_start(layout, line)
    if line in starts:
        return starts[line]
    m = starts[line] = match_start(layout, line)
    return m


def _opening(kind: str, lineno: int, draft: TurnDraft, first_part: str, text: str = "") -> list[LineItem]:
    """A ``start`` or ``mark`` item opening ``draft`` with its first text piece."""
    draft.parts.append(first_part)
    return [LineItem(kind, lineno, text, draft=draft)]


def classify_line(
    layout: Layout,
    raw: str,
    lineno: int,
    known: frozenset[str] = frozenset(),
    starts: StartCache | None = None,
    labelled: Mapping[int, str] | None = None,
) -> list[LineItem]:
    """The items of line ``lineno`` (``raw``, as in the file). ``known``: the file's speaker names (a turn
    whose time is missing); ``starts``: the layout's start matches of this parse; ``labelled``: the lines
    that open with an explicit ``Name:`` label (:mod:`toolkit.parse.speaker_labels`), with the name."""
    line = raw.strip()
    if not line:
        return [LineItem("blank", lineno)]
    if layout.name == "inline":
        if not labelled:
            return _read_inline(line, lineno)
        if lineno in labelled:  # "Name: text [00:03:55] more": the label starts a turn, times mark it
            draft = TurnDraft(lineno, None, labelled[lineno])
            items = _opening("start", lineno, draft, line.split(":", 1)[1].strip())
            return _split_marks(layout, items, lineno)
        inline = _read_inline(line, lineno)
        for it in inline:  # a timed paragraph between labels continues the speaker before it
            if it.kind == "start" and it.draft is not None:
                it.draft.same_speaker = True
        return inline
    items = _read_line(layout, line, lineno, known, starts)
    if labelled and lineno in labelled and items[0].kind == "mark":
        items[0].kind = "start"  # an explicit (bold) label may start the transcript
    if layout.name != "word-level" and INLINE_TS.search(line):
        return _split_marks(layout, items, lineno)
    return items


def _split_marks(layout: Layout, items: list[LineItem], lineno: int) -> list[LineItem]:
    """Split a bare ``[HH:MM:SS]`` inside a start's or a text line's text into a ``mark``: a new turn of
    the same speaker (or of the speaker it names, in a layout whose start begins with the time)."""
    out: list[LineItem] = []
    for it in items:
        starts = it.kind in ("start", "mark")
        text = it.draft.parts[0] if starts and it.draft else it.text if it.kind == "text" else ""
        matches = list(INLINE_TS.finditer(text))
        if not matches:
            out.append(it)
            continue
        head = text[: matches[0].start()].strip()
        if starts and it.draft is not None:
            it.draft.parts[0] = head
            out.append(it)
        elif head:
            out.append(LineItem("text", lineno, head))
        for k, m in enumerate(matches):
            stop = matches[k + 1].start() if k + 1 < len(matches) else len(text)
            piece = text[m.start() : stop].strip()
            named = _read_line(layout, piece, lineno)[0]
            if named.kind == "start" and named.draft is not None and named.draft.speaker is not None:
                draft = named.draft
            else:
                draft = TurnDraft(lineno, m["ts"], None, same_speaker=True, end_ts=m["end"])
                draft.parts.append(text[m.end() : stop])
            out.append(LineItem("mark", lineno, piece, draft=draft))
    return out


def _read_line(
    layout: Layout,
    line: str,
    lineno: int,
    known: frozenset[str] = frozenset(),
    starts: StartCache | None = None,
) -> list[LineItem]:
    """The item of one stripped line of a layout that is not ``inline``."""
    m = _start(layout, line, starts)
    if m is not None:
        g = m.groupdict()
        name = g.get("name")
        speaker = name.strip().strip(":").strip() if name else None
        draft = TurnDraft(lineno, g["ts"], speaker, end_ts=g.get("end"))
        return _opening("start", lineno, draft, g.get("text") or "")
    if layout.same_speaker is not None:
        m = layout.same_speaker.match(line)
        if m is not None:
            g = m.groupdict()
            draft = TurnDraft(lineno, m["ts"], None, same_speaker=True, end_ts=g.get("end"))
            return _opening("start", lineno, draft, g.get("text") or "")
    if known:
        m = _UNTIMED.match(line)
        if m is not None and m["name"].strip() in known:
            ph = m["ph"][1:-1] if m["ph"] else None
            if ph and _NEGATIVE_TIME.match(ph):  # "LCC [-00:00:10]: ...": a turn before the time's zero
                return _opening("start", lineno, TurnDraft(lineno, None, m["name"].strip()), m["text"])
            # a "mark": a turn inside the transcript, but never where the transcript starts or ends, so a
            # quote like "Lavrov: No NATO." in the article above cannot pull the article in
            return _opening("mark", lineno, TurnDraft(lineno, ph, m["name"].strip()), m["text"], line)
    if known and line.startswith("["):
        m = _BRACKET_UNTIMED.match(line)
        name = m["name"].strip() if m else ""
        if m is not None and (name in known or _DIARIZED_NAME.match(name)):
            return _opening("mark", lineno, TurnDraft(lineno, None, name), m["text"], line)
    if CHAPTER.match(line):
        return [LineItem("chapter", lineno, line)]
    return [LineItem("text", lineno, line)]


def first_start(layout: Layout, lines: list[str], starts: StartCache | None = None) -> int:
    """The 1-based line of the file's first turn start in ``layout`` (0 when it has none)."""
    return next((i + 1 for i, raw in enumerate(lines) if _start(layout, raw.strip(), starts)), 0)


def known_speakers(layout: Layout, lines: list[str], starts: StartCache | None = None) -> frozenset[str]:
    """The speaker names of this file's timed turn starts (for spotting a turn whose timestamp is missing)."""
    if not layout.speakers:
        return frozenset()
    names = set()
    for raw in lines:
        m = _start(layout, raw.strip(), starts)
        if m is not None and m.groupdict().get("name"):
            names.add(m["name"].strip())
            names.add(split_label(m["name"].strip())[0])  # "Jane Doe: ..." is a turn of "Jane Doe, CEO"
    return frozenset(names)


def _read_inline(line: str, lineno: int) -> list[LineItem]:
    """The items of one stripped line of the ``inline`` layout: text, then a start at each timestamp."""
    items: list[LineItem] = []
    matches = list(INLINE_TS.finditer(line))
    if not matches:
        if CHAPTER.match(line):
            return [LineItem("chapter", lineno, line)]
        return [LineItem("text", lineno, line)]
    head = line[: matches[0].start()].strip()
    if head:
        items.append(LineItem("text", lineno, head))
    for k, m in enumerate(matches):
        stop = matches[k + 1].start() if k + 1 < len(matches) else len(line)
        draft = TurnDraft(lineno, m["ts"], None, end_ts=m["end"])
        draft.parts.append(line[m.end() : stop])
        items.append(LineItem("start", lineno, draft=draft))
    return items
