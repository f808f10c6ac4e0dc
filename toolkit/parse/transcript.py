"""Reading a transcript into turns: classify lines by the detected layout, join continuation paragraphs,
and separate the transcript from the page text around it.

Page text heuristic (``P001``). Everything before the first turn start is page text (an article may quote
the interview, as the seed's does: without a turn-start timestamp it is not a turn). After the LAST turn
start, the turn's own paragraph (and, for layouts whose start line holds no text, the next paragraph) is
speech; further paragraphs continue the turn only when

* the body of the transcript shows that turns do run over several paragraphs (at least one untimed
  paragraph sits between two turn starts): without that evidence a paragraph after the last turn is
  page text, since a transcript that never splits a turn does not start doing so at its end; and
* the paragraph reads like speech: three or more words ending in sentence punctuation, or 15 or more
  words, and no page-chrome marker (a URL, ``©``, "comments", "share", "subscribe", "suggested", ...)
  in a paragraph under 25 words.

The first paragraph that fails ends the transcript; it and everything after it is reported as one
dropped range. Chapter lines (``(MM:SS) Title``) are never speech and are dropped with ``P001`` too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..errors import NoTimestampsError, ParseError
from ..model import Finding, Turn, Word
from ..rules import finding
from ..text import is_sentence_end, reads_as_sentence_end
from ..timecode import TimecodeError, parse_timestamp
from .artefacts import clean_lines
from .layouts import (
    CHAPTER,
    INLINE_TS,
    LAYOUTS,
    LAYOUTS_BY_NAME,
    NAME,
    TS,
    Layout,
    detect_layout,
    match_start,
    plausible_name,
    split_label,
)

__all__ = ["TranscriptResult", "parse_transcript"]

NAME_BARE = NAME.replace("(?P<name>", "(?:")
# a known speaker's name with a colon or a placeholder instead of a timestamp: "Tucker: ...", "Tucker [] ..."
_UNTIMED = re.compile(
    rf"^(?P<name>{NAME_BARE})[ \t]*(?:(?P<ph>[\[(][^\[\]()A-Za-z]{{0,12}}[\])])[ \t]*:?|:)[ \t]*(?P<text>.*)$"
)
# "[Speaker 2] text" opening a paragraph: a speaker the transcript names without a time (a known one, or a
# diarizer's placeholder such as "Speaker 2" / "SPEAKER_01"); "[inaudible]" and "[Putin]" mid-text are not
_BRACKET_UNTIMED = re.compile(rf"^\[(?P<name>{NAME_BARE})\][ \t]*:?[ \t]+(?P<text>\S.*)$")
_NEGATIVE_TIME = re.compile(r"^-\d{1,3}(?::\d{1,2}){1,3}$")  # a mission transcript's time before lift-off
_DIARIZED_NAME = re.compile(r"^(?:speaker|spk|participant)[ _-]?\d{1,3}$", re.IGNORECASE)
_SPACE_RUN = re.compile(r"\s\s|[\t\n\r\f\v]")
# The whitespace characters besides " " and "\t\n\r\f\v" (str.isspace and the regex \s agree on them; a test
# checks the list). Without them a space run is a double space or one of "\t\n\r\f\v", which plain
# substring tests find much faster than _SPACE_RUN.
_ASCII_OTHER_SPACES = "\x1c\x1d\x1e\x1f"
_OTHER_SPACES = _ASCII_OTHER_SPACES + (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_CHROME = re.compile(
    r"https?://|www\.|©|\bcopyright\b|all rights reserved|transcribed by|\bcomments?\b|\bsubscribe|"
    r"\bshare\b|newsletter|sign up|\blog ?in\b|suggested|related (?:posts|articles|stories|products)|"
    r"\btags?:|posted (?:in|on|by)|leave a (?:reply|comment)|read more|advertisement|\bcookies?\b|"
    r"textile|click (?:here|play)",
    re.IGNORECASE,
)
_CLOSING_PUNCT = re.compile(r"^[ \t]*[.,;:!?…)\]}”’»%]+[ \t]*$")  # a word-level "word" that is punctuation
WORD_GROUP_MAX = 40  # words per turn when a word-level export never ends a sentence
WORD_PAUSE_MS = 1000  # a pause this long (from the previous word's end) starts a new turn
WORD_PAUSE_NO_END_MS = 2000  # the same, from the previous word's start, when ends are not given
ESTIMATED_WORD_MS = 400  # duration given to a word whose end the export does not give and cannot bound


@dataclass(frozen=True, slots=True)
class TranscriptResult:
    turns: tuple[Turn, ...]
    findings: tuple[Finding, ...]
    layout: str
    confidence: float = 1.0  # the share of the timed lines that the layout reads as turn starts
    counts: Mapping[str, int] = field(default_factory=dict)  # turn-start lines per layout (detection)


@dataclass(slots=True)
class _Seg:
    line: int  # 1-based
    ts: str | None
    speaker: str | None
    same_speaker: bool = False
    end_ts: str | None = None
    parts: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return any(p.strip() for p in self.parts)


@dataclass(slots=True)
class _Item:
    kind: str  # "start", "mark" (a timestamp inside text), "text", "chapter", "blank"
    line: int  # 1-based
    text: str = ""
    seg: _Seg | None = None


_Starts = dict[str, re.Match[str] | None]  # match_start(layout, line) per stripped line, for one parse


def _start(layout: Layout, line: str, starts: _Starts | None) -> re.Match[str] | None:
    """``match_start(layout, line)``, computed once per line when ``starts`` is given."""
    if starts is None:
        return match_start(layout, line)
    if line in starts:
        return starts[line]
    m = starts[line] = match_start(layout, line)
    return m


def _classify(
    layout: Layout,
    raw: str,
    lineno: int,
    known: frozenset[str] = frozenset(),
    starts: _Starts | None = None,
    labelled: Mapping[int, str] | None = None,
) -> list[_Item]:
    line = raw.strip()
    if not line:
        return [_Item("blank", lineno)]
    if layout.name == "inline":
        if not labelled:
            return _classify_inline(line, lineno)
        if lineno in labelled:  # "Name: text [00:03:55] more": the label starts a turn, times mark it
            seg = _Seg(lineno, None, labelled[lineno])
            seg.parts.append(line.split(":", 1)[1].strip())
            return _split_marks(layout, [_Item("start", lineno, seg=seg)], lineno)
        inline = _classify_inline(line, lineno)
        for it in inline:  # a timed paragraph between labels continues the speaker before it
            if it.kind == "start" and it.seg is not None:
                it.seg.same_speaker = True
        return inline
    items = _classify_line(layout, line, lineno, known, starts)
    if labelled and lineno in labelled and items[0].kind == "mark":
        items[0].kind = "start"  # an explicit (bold) label may start the transcript
    if layout.name != "word-level" and INLINE_TS.search(line):
        return _split_marks(layout, items, lineno)
    return items


def _split_marks(layout: Layout, items: list[_Item], lineno: int) -> list[_Item]:
    """Split a bare ``[HH:MM:SS]`` inside a start's or a text line's text into a ``mark``: a new turn of
    the same speaker (or of the speaker it names, in a layout whose start begins with the time)."""
    out: list[_Item] = []
    for it in items:
        starts = it.kind in ("start", "mark")
        text = it.seg.parts[0] if starts and it.seg else it.text if it.kind == "text" else ""
        matches = list(INLINE_TS.finditer(text))
        if not matches:
            out.append(it)
            continue
        head = text[: matches[0].start()].strip()
        if starts and it.seg is not None:
            it.seg.parts[0] = head
            out.append(it)
        elif head:
            out.append(_Item("text", lineno, head))
        for k, m in enumerate(matches):
            stop = matches[k + 1].start() if k + 1 < len(matches) else len(text)
            piece = text[m.start() : stop].strip()
            named = _classify_line(layout, piece, lineno)[0]
            if named.kind == "start" and named.seg is not None and named.seg.speaker is not None:
                seg = named.seg
            else:
                seg = _Seg(lineno, m["ts"], None, same_speaker=True, end_ts=m["end"])
                seg.parts.append(text[m.end() : stop])
            out.append(_Item("mark", lineno, piece, seg=seg))
    return out


def _classify_line(
    layout: Layout, line: str, lineno: int, known: frozenset[str] = frozenset(), starts: _Starts | None = None
) -> list[_Item]:
    m = _start(layout, line, starts)
    if m is not None:
        g = m.groupdict()
        name = g.get("name")
        speaker = name.strip().strip(":").strip() if name else None
        seg = _Seg(lineno, g["ts"], speaker, end_ts=g.get("end"))
        seg.parts.append(g.get("text") or "")
        return [_Item("start", lineno, seg=seg)]
    if layout.same_speaker is not None:
        m = layout.same_speaker.match(line)
        if m is not None:
            seg = _Seg(lineno, m["ts"], None, same_speaker=True, end_ts=m.groupdict().get("end"))
            seg.parts.append(m.groupdict().get("text") or "")
            return [_Item("start", lineno, seg=seg)]
    if known:
        m = _UNTIMED.match(line)
        if m is not None and m["name"].strip() in known:
            ph = m["ph"][1:-1] if m["ph"] else None
            if ph and _NEGATIVE_TIME.match(ph):  # "LCC [-00:00:10]: ...": a turn before the time's zero
                seg = _Seg(lineno, None, m["name"].strip())
                seg.parts.append(m["text"])
                return [_Item("start", lineno, seg=seg)]
            seg = _Seg(lineno, ph, m["name"].strip())
            seg.parts.append(m["text"])
            # a "mark": a turn inside the transcript, but never where the transcript starts or ends, so a
            # quote like "Lavrov: No NATO." in the article above cannot pull the article in
            return [_Item("mark", lineno, line, seg=seg)]
    if known and line.startswith("["):
        m = _BRACKET_UNTIMED.match(line)
        name = m["name"].strip() if m else ""
        if m is not None and (name in known or _DIARIZED_NAME.match(name)):
            seg = _Seg(lineno, None, name)
            seg.parts.append(m["text"])
            return [_Item("mark", lineno, line, seg=seg)]
    if CHAPTER.match(line):
        return [_Item("chapter", lineno, line)]
    return [_Item("text", lineno, line)]


def _known_speakers(layout: Layout, lines: list[str], starts: _Starts | None = None) -> frozenset[str]:
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


def _classify_inline(line: str, lineno: int) -> list[_Item]:
    items: list[_Item] = []
    matches = list(INLINE_TS.finditer(line))
    if not matches:
        if CHAPTER.match(line):
            return [_Item("chapter", lineno, line)]
        return [_Item("text", lineno, line)]
    head = line[: matches[0].start()].strip()
    if head:
        items.append(_Item("text", lineno, head))
    for k, m in enumerate(matches):
        stop = matches[k + 1].start() if k + 1 < len(matches) else len(line)
        seg = _Seg(lineno, m["ts"], None, end_ts=m["end"])
        seg.parts.append(line[m.end() : stop])
        items.append(_Item("start", lineno, seg=seg))
    return items


_BOLD_START = re.compile(r"^(\s*)(\*\*|__)([^*_\n]{1,80}?)\2")
# "**Name:**" or "**Name**:" opening a paragraph; with MIN_BOLD_LABELS of them a file labels its turns so
_BOLD_LABEL = re.compile(r"^\s*(?:\*\*|__)(?P<name>[^*_:\n]{1,48}?)(?::(?:\*\*|__)|(?:\*\*|__):)\s")
MIN_BOLD_LABELS = 3


_PLAIN_LABEL = re.compile(rf"^(?P<name>{NAME_BARE})[ \t]*:[ \t]+\S")
MAX_LABELLED_SPEAKERS = 12


# "the presiding officer: ...", "mr. schumer: ..." inside lower-case broadcast captions (the Congressional
# Record's own labels): a role of a legislature, a court or a hearing, or a title and a surname, opening a
# sentence; "to the senate:" in a clerk's reading is not one
_INLINE_LABEL = re.compile(
    r"(?:^|(?<=[.?!] )|(?<=[.?!]\" )|(?<=>> ))(?P<label>(?:the )?(?:presiding officer|speaker pro tempore|"
    r"acting president pro tempore|president pro tempore|chaplain|clerk|chair|chairman|chairwoman|"
    r"ranking member|majority leader|minority leader|moderator|witness)"
    r"|(?:mr|mrs|ms|dr|sen|rep|senator|representative)\.? [a-z][a-z'\-]{1,30}): ",
    re.IGNORECASE,
)
MIN_INLINE_LABELS = 2


def _split_inline_labels(segs: list[_Seg]) -> tuple[list[_Seg], bool]:
    """Segments cut where a speaker label opens a sentence inside the text; the cuts carry no time of
    their own, and the segments after them keep the last speaker named. Used only for layouts without
    speaker names, and only when the file holds :data:`MIN_INLINE_LABELS` such labels or more."""
    found = sum(len(_INLINE_LABEL.findall(" ".join(seg.parts))) for seg in segs)
    if found < MIN_INLINE_LABELS:
        return segs, False
    out: list[_Seg] = []
    for seg in segs:
        text = " ".join(p.strip() for p in seg.parts if p.strip())
        labels = list(_INLINE_LABEL.finditer(text))
        if not labels:
            seg.same_speaker = True
            out.append(seg)
            continue
        head = text[: labels[0].start()].strip()
        timed = seg.ts
        if head:
            first = _Seg(seg.line, seg.ts, None, same_speaker=True, end_ts=None)
            first.parts.append(head)
            out.append(first)
            timed = None
        for k, m in enumerate(labels):
            stop = labels[k + 1].start() if k + 1 < len(labels) else len(text)
            cut = _Seg(seg.line, timed if k == 0 else None, m["label"].strip())
            cut.parts.append(text[m.end() : stop].strip())
            out.append(cut)
    return out, True


def _plain_labels(lines: Sequence[str]) -> dict[int, str]:
    """``Name: text`` lines, when the file is written that way: at least :data:`MIN_BOLD_LABELS` of them,
    every name capitalised word by word, two names or more used twice or more, at most
    :data:`MAX_LABELLED_SPEAKERS` names, and such lines make up at least a third of the non-blank lines
    (so a quote in an article does not make its speaker a label)."""
    found: dict[int, str] = {}
    for i, ln in enumerate(lines):
        m = _PLAIN_LABEL.match(ln)
        if m and plausible_name(m["name"].strip(), strict=True):
            found[i + 1] = m["name"].strip()
    names = list(found.values())
    text_lines = sum(1 for ln in lines if ln.strip())
    if (
        len(found) < MIN_BOLD_LABELS
        or not 2 <= len(set(names)) <= MAX_LABELLED_SPEAKERS
        or sum(1 for name in set(names) if names.count(name) >= 2) < 2
        or len(found) * 3 < text_lines
    ):
        return {}
    return found


def _unbold(line: str) -> str:
    """``**Tucker** [00:00:01] text`` -> ``Tucker [00:00:01] text`` (Markdown emphasis at a line start)."""
    return _BOLD_START.sub(r"\1\3", line, count=1)


def _is_chrome_line(text: str) -> bool:
    """A short line with a page-chrome marker ("Share this article", "Transcribed by https://...")."""
    return len(text.split()) < 12 and bool(_CHROME.search(text))


def _speech_like(text: str) -> bool:
    words = len(text.split())
    if words < 25 and _CHROME.search(text):
        return False
    return (words >= 3 and reads_as_sentence_end(text)) or words >= 15


def _dropped(path: str, items: list[_Item], first_line: int, last_line: int, where: str) -> Finding:
    text = "\n".join(it.text for it in items if it.kind in ("text", "chapter", "mark"))
    return finding(
        "P001",
        f"{where}: lines {first_line}-{last_line} are not transcript turns and were dropped",
        path=path,
        line=first_line,
        first_line=first_line,
        last_line=last_line,
        text=text,
    )


def _paragraphs(items: list[_Item]) -> list[list[_Item]]:
    out: list[list[_Item]] = []
    cur: list[_Item] = []
    for it in items:
        if it.kind == "blank":
            if cur:
                out.append(cur)
                cur = []
        else:
            cur.append(it)
    if cur:
        out.append(cur)
    return out


def parse_transcript(
    lines: list[str], *, path: str = "<input>", fps: float | None = None, force: str | None = None
) -> TranscriptResult:
    """Read transcript ``lines`` (already decoded and normalised) into turns and findings.

    ``force`` names a layout of :data:`~toolkit.parse.layouts.LAYOUTS` instead of detecting one.
    """
    lines, cleaned = clean_lines(lines, path=path)
    # "**Name:** text" paragraphs (Markdown show notes): explicit labels, a turn each even without a time
    bold = {i + 1: m["name"].strip() for i, ln in enumerate(lines) if (m := _BOLD_LABEL.match(ln))}
    labelled = bold if len(bold) >= MIN_BOLD_LABELS else {}
    lines = [_unbold(ln) if ln.lstrip().startswith(("**", "__")) else ln for ln in lines]
    tried: dict[str, _Starts] = {}
    layout, counts = detect_layout(lines, record=tried)
    if force is not None:
        layout = LAYOUTS_BY_NAME[force]
        if counts.get(force, 0) == 0 and force != "inline":
            raise NoTimestampsError(
                f"no line reads as a turn start of the layout {force} ({layout.example!r})", path=path
            )
    if layout is None:
        chapters = [i + 1 for i, ln in enumerate(lines) if CHAPTER.match(ln.strip())]
        if chapters:
            raise ParseError(
                "only a chapter list ((MM:SS) Title lines), which is not speech; no transcript turns found",
                path=path,
                line=chapters[0],
            )
        raise NoTimestampsError(_no_layout_message(lines), path=path)
    headers: dict[int, str] = {}
    if layout.name == "word-level":  # "Ann Lee" alone above her words: a speaker header, not a word
        headers = _word_headers(lines)
        lines = ["" if i + 1 in headers else ln for i, ln in enumerate(lines)]
    start_cache = tried.get(layout.name, {})  # each line is matched against the layout once, not per pass
    if not labelled and not layout.speakers:  # timestamps without names: "Name: text" lines name them
        labelled = _plain_labels(lines)
    known = _known_speakers(layout, lines, start_cache) | frozenset(labelled.values())
    items: list[_Item] = []
    for i, raw in enumerate(lines):
        items.extend(_classify(layout, raw, i + 1, known, start_cache, labelled))
    starts = [k for k, it in enumerate(items) if it.kind == "start"]
    first, last = starts[0], starts[-1]
    findings: list[Finding] = []

    # page text before the first turn
    lead = items[:first]
    lead_text = [it for it in lead if it.kind in ("text", "chapter", "mark")]
    if lead_text:
        start_line = items[first].line
        last_line = max(lead_text[-1].line, start_line - 1)
        where = "page text before the transcript"
        findings.append(_dropped(path, lead_text, lead_text[0].line, last_line, where))

    # the body: text continues the current turn; chapter lines are dropped
    segs: list[_Seg] = []
    body_paragraph_continuations = 0
    blank_since_text = False
    chapter_run: list[_Item] = []

    def flush_chapters() -> None:
        if chapter_run:
            findings.append(
                _dropped(path, list(chapter_run), chapter_run[0].line, chapter_run[-1].line, "chapter list")
            )
            chapter_run.clear()

    for it in items[first : last + 1]:
        if it.kind != "chapter":
            flush_chapters()
        if it.kind in ("start", "mark"):
            assert it.seg is not None
            segs.append(it.seg)
            blank_since_text = False
        elif it.kind == "blank":
            blank_since_text = True
        elif it.kind == "chapter":
            chapter_run.append(it)
        else:
            seg = segs[-1]
            if blank_since_text and seg.has_text:
                body_paragraph_continuations += 1
            seg.parts.append(it.text)
            blank_since_text = False
    flush_chapters()

    # after the last turn start: its paragraph, then evidence-based continuation (see the module doc)
    tail = items[last + 1 :]
    paragraphs = _paragraphs(tail)
    seg = segs[-1]
    dropped: list[_Item] = []

    speech = ("text", "mark")

    def accept(par: list[_Item]) -> bool:
        """Take a paragraph's lines into the last turn up to a chrome line; False when one was met."""
        for n, it in enumerate(par):
            if it.kind not in speech or (segs[-1].has_text and _is_chrome_line(it.text)):
                dropped.extend(par[n:])
                return False
            if it.kind == "mark" and it.seg is not None:
                segs.append(it.seg)
            else:
                segs[-1].parts.append(it.text)
        return True

    going = True
    if tail and tail[0].kind != "blank" and paragraphs:
        going = accept(paragraphs.pop(0))
    if going and not seg.has_text and paragraphs:
        going = accept(paragraphs.pop(0))
    for k, par in enumerate(paragraphs):
        rest = paragraphs[k:]
        # a paragraph holding a timestamp of its own ("... the talks [00:22:42] which ...") is transcript
        has_time = any(it.kind == "mark" and it.seg is not None and it.seg.ts for it in par)
        if going and (
            has_time or (body_paragraph_continuations and _speech_like(" ".join(it.text for it in par)))
        ):
            if accept(par):
                continue
            rest = paragraphs[k + 1 :]  # accept() dropped the rest of this paragraph
        for p in rest:
            dropped.extend(p)
        break
    if dropped:
        findings.append(
            _dropped(path, dropped, dropped[0].line, dropped[-1].line, "page text after the transcript")
        )

    inline_named = False
    if not layout.speakers and not labelled:  # TV caption archives name speakers inside the running text
        segs, inline_named = _split_inline_labels(segs)
    named = bool(labelled) or inline_named
    turns = _to_turns(layout, segs, path=path, fps=fps, findings=findings, named=named)
    layout_name = layout.name
    if headers:
        turns = _with_headers(turns, headers)
    if layout.name == "word-level" or (not layout.speakers and _mostly_single_words(turns)):
        turns = _group_words(turns)
        layout_name = "word-level"
    findings.extend(cleaned)
    findings.sort(key=lambda f: f.line or 0)
    timed = timed_lines(lines)
    confidence = min(1.0, counts.get(layout.name, 0) / timed) if timed else 1.0
    return TranscriptResult(tuple(turns), tuple(findings), layout_name, round(confidence, 3), counts)


_TIMED_LINE = re.compile(rf"(?<![\d:]){TS}(?![\d:])")


def timed_lines(lines: Sequence[str]) -> int:
    """Lines that hold something shaped like a timestamp (what a layout could read as a turn start)."""
    return sum(1 for ln in lines if ":" in ln and _TIMED_LINE.search(ln))


def _no_layout_message(lines: Sequence[str]) -> str:
    """Why no layout fits: what the timed lines look like, and the two layouts closest to them."""
    timed = [ln.strip() for ln in lines if ":" in ln and _TIMED_LINE.search(ln)]
    if not timed:
        return "no timestamps found: cannot tell where the turns start"
    sample = timed[0][:60]
    near = sorted(LAYOUTS, key=lambda lay: -_likeness(lay, timed[:200]))[:2]
    closest = "; ".join(f"{lay.name} expects {lay.example.splitlines()[0]!r}" for lay in near)
    return (
        f"{len(timed)} lines hold timestamps (the first: {sample!r}), but no layout reads them as turn "
        f"starts; closest: {closest} (--layout NAME forces one)"
    )


def _likeness(layout: Layout, timed: Sequence[str]) -> float:
    """How much of a layout's example shape the timed lines share (characters around the timestamp)."""
    example = layout.example.splitlines()[0]
    shape = re.sub(r"\d", "0", example)[:12]
    return sum(1 for ln in timed if re.sub(r"\d", "0", ln)[:12][:4] == shape[:4]) / max(1, len(timed))


def _read_ts(
    ts: str | None, line: int, *, path: str, fps: float | None, findings: list[Finding]
) -> int | None:
    if ts is None:
        return None
    try:
        return parse_timestamp(ts, fps=fps)
    except TimecodeError as exc:
        findings.append(
            finding(
                "P003",
                f"timestamp [{ts}] cannot be a time: {exc}",
                path=path,
                line=line,
                timestamp=ts,
                problem=str(exc),
            )
        )
        return None


def _to_turns(
    layout: Layout,
    segs: list[_Seg],
    *,
    path: str,
    fps: float | None,
    findings: list[Finding],
    named: bool = False,
) -> list[Turn]:
    """The turns of ``segs``. A speaker label with a role (``Tucker Carlson (Host)``) gives the turn the
    person's name (:func:`~toolkit.parse.layouts.split_label`); each such label is reported once as
    ``P007``, with the role left out and the lines of its turns. ``named``: a layout without speaker
    names whose turns are named by ``Name:`` labels all the same."""
    speakers = layout.speakers or named
    turns: list[Turn] = []
    speaker: str | None = None
    labels: dict[str, list[int]] = {}  # a label that adds a role to the name: the lines of its turns
    for seg in segs:
        if speakers and not seg.same_speaker:
            speaker = seg.speaker
            if speaker is not None:
                name, role = split_label(speaker)
                if role is not None:
                    labels.setdefault(speaker, []).append(seg.line)
                    speaker = name
        start = _read_ts(seg.ts, seg.line, path=path, fps=fps, findings=findings)
        end = _read_ts(seg.end_ts, seg.line, path=path, fps=fps, findings=findings)
        if end is not None and start is not None and end < start:
            end = None
        text = " ".join(seg.parts)
        if _has_space_run(text) or text[:1].isspace() or text[-1:].isspace():
            text = " ".join(text.split())
        turns.append(
            Turn(
                speaker=speaker if speakers else None,
                start_ms=start,
                text=text,
                line=seg.line,
                end_ms=end,
            )
        )
    for label, lines in labels.items():
        name, role = split_label(label)
        findings.append(
            finding(
                "P007",
                f"speaker {label!r} read as {name!r}: {role!r} is left out of the speaker label "
                f"({len(lines)} turn(s))",
                path=path,
                line=lines[0],
                variant=label,
                canonical=name,
                role=role,
                lines=lines,
            )
        )
    return turns


def _has_space_run(text: str) -> bool:
    """``_SPACE_RUN.search(text) is not None``: two whitespace characters in a row, or a tab, newline, ..."""
    for c in _ASCII_OTHER_SPACES if text.isascii() else _OTHER_SPACES:
        if c in text:
            return _SPACE_RUN.search(text) is not None
    return "  " in text or "\t" in text or "\n" in text or "\r" in text or "\f" in text or "\v" in text


_HEADER_NAME = re.compile(r"^[^\W\d_][\w.'’\-]*(?:[ \t]+[\w.'’\-]+){0,3}:?$")


def _word_headers(lines: Sequence[str]) -> dict[int, str]:
    """Lines of a word-level export that name the speaker of the words below them: a capitalised name of
    up to four words alone on its line, right above a timed word."""
    out: dict[int, str] = {}
    for i, raw in enumerate(lines[:-1]):
        line = raw.strip()
        if not line or not _HEADER_NAME.match(line):
            continue
        name = line.rstrip(":").strip()
        nxt = next((ln.strip() for ln in lines[i + 1 :] if ln.strip()), "")
        if plausible_name(name, strict=True) and nxt[:1].isdigit() and ":" in nxt.split(" ")[0]:
            out[i + 1] = name
    return out


def _with_headers(turns: list[Turn], headers: Mapping[int, str]) -> list[Turn]:
    """Each word turn given the speaker of the header line above it."""
    marks = sorted(headers.items())
    out: list[Turn] = []
    k, speaker = 0, None
    for t in turns:
        while k < len(marks) and marks[k][0] < t.line:
            speaker = marks[k][1]
            k += 1
        out.append(replace(t, speaker=speaker))
    return out


def _mostly_single_words(turns: list[Turn]) -> bool:
    if len(turns) < 8:
        return False
    single = sum(1 for t in turns if len(t.text.split()) == 1)
    return single >= 0.8 * len(turns)


def _group_words(turns: list[Turn]) -> list[Turn]:
    """Group one-word turns into sentence turns that carry their words.

    A turn ends after a word with sentence punctuation, at a pause (``WORD_PAUSE_MS`` after the previous
    word's end, or ``WORD_PAUSE_NO_END_MS`` after its start when the export gives no ends), or after
    ``WORD_GROUP_MAX`` words. A word without an end time ends where the next word starts (at most
    ``WORD_PAUSE_NO_END_MS`` later), the last one ``ESTIMATED_WORD_MS`` after its start. A turn gets an
    end time only when the export gives them.
    """
    glued: list[Turn] = []
    for t in turns:  # whisper.cpp's "-ml 1" prints ',' and '.' as segments of their own: glue them on
        if glued and _CLOSING_PUNCT.match(t.text) and t.speaker == glued[-1].speaker:
            glued[-1] = replace(glued[-1], text=glued[-1].text + t.text.strip())
        else:
            glued.append(t)
    turns = glued
    has_ends = any(t.end_ms is not None for t in turns)
    groups: list[list[int]] = []
    for k, t in enumerate(turns):
        if groups:
            prev = turns[groups[-1][-1]]
            split = (
                is_sentence_end(prev.text) or len(groups[-1]) >= WORD_GROUP_MAX or t.speaker != prev.speaker
            )
            if not split and t.start_ms is not None and prev.start_ms is not None:
                if prev.end_ms is not None:
                    split = t.start_ms - prev.end_ms >= WORD_PAUSE_MS
                else:
                    split = t.start_ms - prev.start_ms >= WORD_PAUSE_NO_END_MS
            if not split:
                groups[-1].append(k)
                continue
        groups.append([k])
    out: list[Turn] = []
    for group in groups:
        members = [turns[k] for k in group]
        words: list[Word] = []
        for k in group:
            t = turns[k]
            if t.start_ms is None:
                words = []  # a word without a time: the repair stage estimates the turn as a whole
                break
            end = t.end_ms
            if end is None:
                nxt = turns[k + 1].start_ms if k + 1 < len(turns) else None
                if nxt is not None and nxt >= t.start_ms:
                    end = min(nxt, t.start_ms + WORD_PAUSE_NO_END_MS)
                else:
                    end = t.start_ms + ESTIMATED_WORD_MS
            words.append(Word(t.text, t.start_ms, end))
        first = members[0]
        end_ms = members[-1].end_ms if has_ends else None
        if end_ms is not None and first.start_ms is not None and end_ms < first.start_ms:
            end_ms = None
        out.append(
            Turn(
                speaker=first.speaker,
                start_ms=first.start_ms,
                text=" ".join(t.text for t in members),
                line=first.line,
                end_ms=end_ms,
                words=tuple(words),
            )
        )
    return out
