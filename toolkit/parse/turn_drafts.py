"""Turn drafts, and the step that makes them turns: the last step of reading a transcript.

A :class:`TurnDraft` is a turn as the line reader (:mod:`toolkit.parse.classify`) finds it: the line it
starts on, its timestamps as written, its speaker label and its text pieces. :func:`drafts_to_turns`
reads the timestamps (``P003`` for one that cannot be a time), gives a label with a role the person's
name (``P007``) and joins the text; :mod:`toolkit.parse.transcript` calls it once the page text around
the transcript is gone (:mod:`toolkit.parse.page_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..model import Finding, Turn
from ..rules import finding
from ..timecode import TimecodeError, parse_timestamp
from .layouts import Layout, split_label

__all__ = ["TurnDraft", "drafts_to_turns"]

_SPACE_RUN = re.compile(r"\s\s|[\t\n\r\f\v]")
# The whitespace characters besides " " and "\t\n\r\f\v" (str.isspace and the regex \s agree on them; a test
# checks the list). Without them a space run is a double space or one of "\t\n\r\f\v", which plain
# substring tests find much faster than _SPACE_RUN.
_ASCII_OTHER_SPACES = "\x1c\x1d\x1e\x1f"
_OTHER_SPACES = _ASCII_OTHER_SPACES + (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(slots=True)
class TurnDraft:
    """A turn being read: mutable while the line reader adds its text pieces."""

    line: int  # 1-based
    ts: str | None
    speaker: str | None
    same_speaker: bool = False
    end_ts: str | None = None
    parts: list[str] = field(default_factory=list)
    lost_text: bool = False  # artefacts were removed from its lines (toolkit.parse.artefacts)

    @property
    def has_text(self) -> bool:
        return any(p.strip() for p in self.parts)


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


def drafts_to_turns(
    layout: Layout,
    drafts: list[TurnDraft],
    *,
    path: str,
    fps: float | None,
    findings: list[Finding],
    named: bool = False,
) -> list[Turn]:
    """The turns of ``drafts``. A speaker label with a role (``Tucker Carlson (Host)``) gives the turn the
    person's name (:func:`~toolkit.parse.layouts.split_label`); each such label is reported once as
    ``P007``, with the role left out and the lines of its turns. ``named``: a layout without speaker
    names whose turns are named by ``Name:`` labels all the same. A draft whose only text was exporter
    artefacts (a meeting tool's notice, a production direction; reported as ``P009``) makes no turn: its
    timestamp is no one's, and its speaker only names the turns that continue it."""
    speakers = layout.speakers or named
    turns: list[Turn] = []
    speaker: str | None = None
    labels: dict[str, list[int]] = {}  # a label that adds a role to the name: the lines of its turns
    role_label: str | None = None  # such a label, until the first turn it names is listed
    for draft in drafts:
        if speakers and not draft.same_speaker:
            speaker, role_label = draft.speaker, None
            if speaker is not None:
                name, role = split_label(speaker)
                if role is not None:
                    role_label, speaker = speaker, name
        if draft.lost_text and not draft.has_text:
            continue
        if role_label is not None:
            labels.setdefault(role_label, []).append(draft.line)
            role_label = None
        start = _read_ts(draft.ts, draft.line, path=path, fps=fps, findings=findings)
        end = _read_ts(draft.end_ts, draft.line, path=path, fps=fps, findings=findings)
        if end is not None and start is not None and end < start:
            end = None
        text = " ".join(draft.parts)
        if _has_space_run(text) or text[:1].isspace() or text[-1:].isspace():
            text = " ".join(text.split())
        if "[" in text:
            text = _NOTE_TIME.sub(r"[\g<note>]", text)
        turns.append(
            Turn(
                speaker=speaker if speakers else None,
                start_ms=start,
                text=text,
                line=draft.line,
                end_ms=end,
            )
        )
    findings.extend(role_finding(label, lines, path) for label, lines in labels.items())
    return _marker_stamps(turns)


# Rev's notes carry the time they were heard: "[inaudible 00:00:11]", "[crosstalk 00:42:43]"; a caption
# shows the note, "[inaudible]", without the editor's time. Only such notes, with an HH:MM:SS time:
# "[John 3:16]" and "[at 10:30]" are the speaker's words
_NOTE_TIME = re.compile(
    r"\[(?P<note>(?:inaudible|crosstalk|unintelligible|indiscernible|overlapping|silence|laughter|laughs|"
    r"applause|music|foreign(?: language)?|audio cuts out|background noise|phonetic|sic)(?:[ \t]+speech)?)"
    r"[ \t]+\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?\]",
    re.IGNORECASE,
)


def _marker_stamps(turns: list[Turn]) -> list[Turn]:
    """A time alone on its line with ``Name: text`` turns after it that have no time of their own (Google
    Meet writes the time every few minutes): the time is the next turn's start, not a turn of its own
    (an empty turn, with no speaker, of 0 words)."""
    out: list[Turn] = []
    carried: int | None = None
    for k, turn in enumerate(turns):
        if carried is not None:
            turn = replace(turn, start_ms=carried)
            carried = None
        nxt = turns[k + 1] if k + 1 < len(turns) else None
        untimed_next = nxt is not None and nxt.start_ms is None and bool(nxt.text)
        if not turn.text and turn.start_ms is not None and untimed_next:
            carried = turn.start_ms
            continue
        out.append(turn)
    return out


def role_finding(label: str, lines: list[int], path: str) -> Finding:
    """``P007``: the role part of ``label`` is left out of the speaker of its turns (on ``lines``)."""
    name, role = split_label(label)
    return finding(
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


def _has_space_run(text: str) -> bool:
    """``_SPACE_RUN.search(text) is not None``: two whitespace characters in a row, or a tab, newline, ..."""
    for c in _ASCII_OTHER_SPACES if text.isascii() else _OTHER_SPACES:
        if c in text:
            return _SPACE_RUN.search(text) is not None
    return "  " in text or "\t" in text or "\n" in text or "\r" in text or "\f" in text or "\v" in text
