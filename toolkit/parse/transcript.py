"""Reading a transcript into turns: the steps of the transcript parser, in order, and why no layout fits.

:func:`parse_transcript` cleans the lines (:mod:`toolkit.parse.artefacts`), finds explicit speaker labels
(:mod:`toolkit.parse.speaker_labels`), detects or takes the layout (:mod:`toolkit.parse.layouts`), reads
each line by it (:mod:`toolkit.parse.classify`), drops the page text around the transcript
(:mod:`toolkit.parse.page_text`), makes the turns (:mod:`toolkit.parse.turn_drafts`) and groups the
words of a word-level export into sentences (:mod:`toolkit.parse.word_level`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace

from ..errors import NoTimestampsError, ParseError
from ..model import Finding, Turn
from .artefacts import clean_lines
from .classify import LineItem, StartCache, classify_line, first_start, known_speakers
from .layouts import CHAPTER, LAYOUTS, LAYOUTS_BY_NAME, TS, Layout, detect_layout, split_label
from .page_text import dropped_finding, separate_page_text
from .speaker_labels import (
    bold_labels,
    paragraph_labels,
    plain_labels,
    split_inline_labels,
    time_line_headers,
    unbold_lines,
)
from .turn_drafts import TurnDraft, drafts_to_turns, role_finding
from .word_level import group_words, mostly_single_words, with_headers, word_headers

__all__ = ["TranscriptResult", "parse_transcript", "parse_untimed", "timed_lines"]

_TIMED_LINE = re.compile(rf"(?<![\d:]){TS}(?![\d:])")


@dataclass(frozen=True, slots=True)
class TranscriptResult:
    turns: tuple[Turn, ...]
    findings: tuple[Finding, ...]
    layout: str
    confidence: float = 1.0  # the share of the timed lines that the layout reads as turn starts
    counts: Mapping[str, int] = field(default_factory=dict)  # turn-start lines per layout (detection)


def parse_transcript(
    lines: list[str], *, path: str = "<input>", fps: float | None = None, force: str | None = None
) -> TranscriptResult:
    """Read transcript ``lines`` (already decoded and normalised) into turns and findings.

    ``force`` names a layout of :data:`~toolkit.parse.layouts.LAYOUTS` instead of detecting one.
    """
    lines, cleaned, lost_text = clean_lines(lines, path=path)
    labelled = bold_labels(lines)
    lines = unbold_lines(lines)
    tried: dict[str, StartCache] = {}
    detected, counts = detect_layout(lines, record=tried)
    layout = _chosen_layout(detected, counts, force, lines, path=path)
    headers: dict[int, str] = {}  # {line: name}: the turns after the line are the name's
    names_at: set[int] = set()  # the lines that hold those names (not text)
    if layout.name == "word-level":  # "Ann Lee" alone above her words: a speaker header, not a word
        headers = word_headers(lines)
        names_at = set(headers)
    elif layout.header_only and not layout.speakers:  # "Ann Lee" alone above or below a time line
        names_at, headers = time_line_headers(lines, layout)
    if names_at:
        lines = ["" if i + 1 in names_at else ln for i, ln in enumerate(lines)]
    start_cache = tried.get(layout.name, {})  # each line is matched against the layout once, not per pass
    stamped = known_speakers(layout, lines, start_cache)  # none for a layout without names
    if not labelled and not layout.speakers:  # timestamps without names: "Name: text" lines name them
        labelled = plain_labels(lines)
    elif not labelled and not layout.header_only:
        # ... and the turns left unstamped in a layout with names on its stamped lines (under a header line
        # the text is the header's speaker's: "Q:" there is text)
        first = first_start(layout, lines, start_cache)
        labelled = plain_labels(lines, known=stamped, first_turn=first)
    known = stamped | frozenset(labelled.values())
    items: list[LineItem] = []
    for i, raw in enumerate(lines):
        items.extend(classify_line(layout, raw, i + 1, known, start_cache, labelled))
    if lost_text:
        _mark_lost_text(items, lost_text)
    drafts, findings = separate_page_text(items, path=path)

    inline_named = False
    if not layout.speakers and not labelled:  # TV caption archives name speakers inside the running text
        drafts, inline_named = split_inline_labels(drafts)
    named = bool(labelled) or inline_named
    turns = drafts_to_turns(layout, drafts, path=path, fps=fps, findings=findings, named=named)
    layout_name = layout.name
    if headers:
        turns = with_headers(turns, headers)
    if layout.name == "word-level" or (not layout.speakers and mostly_single_words(turns)):
        turns = group_words(turns)
        layout_name = "word-level"
    findings.extend(cleaned)
    findings.sort(key=lambda f: f.line or 0)
    timed = timed_lines(lines)
    confidence = min(1.0, counts.get(layout.name, 0) / timed) if timed else 1.0
    return TranscriptResult(tuple(turns), tuple(findings), layout_name, round(confidence, 3), counts)


def _mark_lost_text(items: Sequence[LineItem], lost_text: AbstractSet[int]) -> None:
    """Mark the drafts that lost text to the cleaning (on the lines ``lost_text``): those opened on such a
    line and the one such a line continues. A marked draft left without text makes no turn."""
    draft: TurnDraft | None = None
    for it in items:
        if it.draft is not None:
            draft = it.draft
        if draft is not None and it.line in lost_text:
            draft.lost_text = True


def parse_untimed(lines: list[str], *, path: str = "<input>") -> TranscriptResult:
    """A transcript without any timestamp, read for ``convert --media``: ``Name: text`` turns (when the
    file is written that way, :func:`~.speaker_labels.plain_labels`, or every paragraph opens with such a
    label, :func:`~.speaker_labels.paragraph_labels`; the lines after a label are its turn's), else plain
    text, a turn per paragraph. Exporter artefacts are removed first (``P009``). The first turn starts at
    0, a placeholder: the media stage puts it where its words are said, and the other turns, without a
    start, are aligned after it. Raises :class:`~toolkit.errors.NoTimestampsError` when there is no text."""
    cleaned, cleaning, _ = clean_lines(lines, path=path)
    findings = list(cleaning)
    cleaned = unbold_lines(cleaned)  # **Name:**
    labels = plain_labels(cleaned) or paragraph_labels(cleaned)
    if labels:  # the lines before the first label are the page's (a title), as in a timed file
        first_label = min(labels)
        lead = [n for n in range(1, first_label) if cleaned[n - 1].strip()]
        if lead:
            text = "\n".join(cleaned[n - 1].strip() for n in lead)
            findings.append(
                dropped_finding(path, lead[0], first_label - 1, "page text before the transcript", text)
            )
            cleaned = ["" if n < first_label else ln for n, ln in enumerate(cleaned, start=1)]
    turns: list[Turn] = []
    speaker: str | None = None
    parts: list[str] = []
    first_line = 0

    def close() -> None:
        if parts:
            turns.append(Turn(speaker, None if turns else 0, " ".join(parts), first_line))
            parts.clear()

    for n, line in enumerate(cleaned, start=1):
        text = " ".join(line.split())
        if n in labels:
            close()
            speaker, first_line = labels[n], n
            text = text.split(":", 1)[1].strip() if ":" in text else text
        elif not text:
            if not labels:  # plain text: a paragraph is a turn
                close()
            continue
        if text:
            first_line = first_line if parts else n
            parts.append(text)
    close()
    if not turns:
        raise NoTimestampsError("no timestamps found, and no text", path=path)
    roles: dict[str, list[int]] = {}  # "Ann Lee (Host)": the person's name, the role reported (P007)
    for k, turn in enumerate(turns):
        name, role = split_label(turn.speaker) if turn.speaker else (None, None)
        if role is not None:
            roles.setdefault(turn.speaker or "", []).append(turn.line)
            turns[k] = replace(turn, speaker=name)
    findings.extend(role_finding(label, lines, path) for label, lines in roles.items())
    return TranscriptResult(tuple(turns), tuple(findings), "untimed", 1.0)


def _chosen_layout(
    detected: Layout | None, counts: Mapping[str, int], force: str | None, lines: Sequence[str], *, path: str
) -> Layout:
    """The forced layout, else the detected one; raises when the transcript has no turn start to read."""
    layout = detected
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
    return layout


def timed_lines(lines: Sequence[str]) -> int:
    """Lines that hold something shaped like a timestamp (what a layout could read as a turn start)."""
    return sum(1 for ln in lines if ":" in ln and _TIMED_LINE.search(ln))


def _no_layout_message(lines: Sequence[str]) -> str:
    """Why no layout fits: what the timed lines look like, and the two layouts closest to them."""
    timed = [ln.strip() for ln in lines if ":" in ln and _TIMED_LINE.search(ln)]
    if not timed:
        labelled = plain_labels(lines) or paragraph_labels(lines)
        if labelled:  # "Tucker: ..." turns without any time: one stamp is enough to start from
            first = labelled[min(labelled)]
            return (
                f"no timestamps found: {len(labelled)} turns are labelled ('{first}: ...') but none has a "
                f"time; give the first one its time ('{first} [00:00:00] ...') and the others are estimated "
                "from the speech rate, or give the media (--media FILE): English turns are then found in it"
            )
        return (
            "no timestamps found: cannot tell where the turns start (with --media FILE, an English text is "
            "placed where its words are said)"
        )
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
