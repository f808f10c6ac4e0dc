"""SRT and WebVTT into turns: the parser's reading of a caption file (cue text cleaned, speakers found).

The caption document comes from :mod:`toolkit.captions`; its lenient block scanner (:func:`scan_captions`,
from :mod:`toolkit.captions.scan`, re-exported here) finds every timing line (``start --> end
[settings]``) and gives each one its identifier line and payload as written, so the validator can check
syntax on the raw text. Nothing is dropped silently: a missing index, a blank line inside cue text, text
before the first cue, or a cue whose times cannot be read all show up, as ``notes`` on the block and as
``P006`` findings in :func:`captions_to_turns`. pysrt's default (``ERROR_PASS``) drops such cues without
a word; we do not.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..captions import Caption, loads
from ..captions.labels import (
    MAX_MEETING_SPEAKERS,
    MEETING_SHARE,
    SOUND_WORDS,
    meeting_labels,
    metadata_speech,
    split_speaker,
)
from ..captions.scan import (
    NOTE_BAD_INDEX,
    NOTE_BLANK_IN_TEXT,
    NOTE_NO_BLANK_BEFORE_NEXT,
    NOTE_NO_INDEX,
    CaptionBlock,
    leading_text,
    scan_captions,
)
from ..errors import NoTimestampsError
from ..model import Finding, Severity, Turn
from ..rules import finding
from .artefacts import clean_text

__all__ = [
    "MAX_MEETING_SPEAKERS",
    "MEETING_SHARE",
    "NOTE_BAD_INDEX",
    "NOTE_BLANK_IN_TEXT",
    "NOTE_NO_BLANK_BEFORE_NEXT",
    "NOTE_NO_INDEX",
    "SOUND_WORDS",
    "CaptionBlock",
    "captions_to_turns",
    "clean_cue_text",
    "leading_text",
    "meeting_labels",
    "scan_captions",
    "split_speaker",
]

# --- cue text -------------------------------------------------------------------------------------------

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*?)[ \t]*>")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.,]*>|</?[a-z]>|\{\\[^}]*\}")
_SPACES = re.compile(r"\s+")
_INVISIBLE = str.maketrans({"\u200e": "", "\u200f": "", "\u200b": "", "\u2060": "", "\ufeff": ""})


def clean_cue_text(raw: str) -> tuple[str | None, str]:
    """``(voice, text)``: the first ``<v Name>`` voice, and the text with tags stripped, entities decoded."""
    m = _VOICE.search(raw)
    voice = m[1].strip() or None if m else None
    text = _TAG.sub("", raw)
    text = html.unescape(text).translate(_INVISIBLE)
    return voice, _SPACES.sub(" ", text).strip()


def captions_to_turns(
    text: str, kind: str, *, path: str = "<input>", labels: str = "auto"
) -> tuple[list[Turn], list[Finding]]:
    """Read a caption file into turns (one per cue) and the reader's findings.

    The file is read by the caption-document reader (:mod:`toolkit.captions`: the W3C algorithm for
    WebVTT, leniently so that comma times are kept and reported; the block scanner for SRT). A cue's
    speaker is its WebVTT voice. Caption text becomes a speaker only by the meeting convention
    (``labels="auto"``: see :func:`meeting_labels`; ``"always"``: any leading ``NAME:``; ``"never"``).
    A cue with no text is left out and reported. A file without any cue raises
    :class:`~toolkit.errors.NoTimestampsError`.
    """
    doc = loads(text, kind, path=path, lenient=True)
    if not doc.cues:
        message = f"no cue timing lines (start --> end) found in this {kind.upper()} file"
        raise NoTimestampsError(message, path=path)
    findings: list[Finding] = list(doc.findings)
    bodies, removed = _cue_bodies(doc.cues, kind)
    if removed:
        findings.append(_markers_finding(removed, path))
    named = _named_cues(bodies, labels)
    if named:
        speakers = len({n for n, _ in named.values()})
        findings.append(
            finding(
                "P006",
                f"speaker labels read from the cue text ({len(named)} of {len(bodies)} cues open with one of "
                f"{speakers} names, as meeting tools write them)",
                path=path,
                line=doc.cues[0].line,
                severity=Severity.INFO,
                problem="speaker labels in cue text",
                count=len(named),
            )
        )
    turns = _cue_turns(doc.cues, bodies, named, path=path, findings=findings)
    findings.sort(key=lambda f: f.line or 0)
    return turns, findings


def _cue_bodies(
    cues: Sequence[Caption], kind: str
) -> tuple[list[tuple[str | None, str]], list[tuple[int, str]]]:
    """``(voice, text)`` of each cue (a meeting tool's JSON record gives its speaker and spoken text), and
    the marker tokens removed from the text, with their lines."""
    bodies: list[tuple[str | None, str]] = []
    removed: list[tuple[int, str]] = []
    for cue in cues:
        record = metadata_speech(cue.plain)
        if record is not None:  # a meeting tool's JSON record: its speaker and its spoken text
            bodies.append(record)
            continue
        raw = cue.text if kind == "vtt" else cue.plain
        if "\n" in raw:  # a line that is only a dash (a caption encoder's line feed) carries no words
            raw = "\n".join(ln for ln in raw.split("\n") if ln.strip() not in ("-", "--"))
        voice, body = clean_cue_text(raw)
        body, tokens = clean_text(body)
        removed.extend((cue.line or 0, t) for t in tokens)
        bodies.append((voice, body))
    return bodies, removed


def _markers_finding(removed: list[tuple[int, str]], path: str) -> Finding:
    """``P009``: the marker tokens taken out of the cue text (``removed``: line and token)."""
    return finding(
        "P009",
        f"marker tokens removed ({len(removed)}, first on line {removed[0][0]}): "
        + ", ".join(sorted({repr(t) for _, t in removed})),
        path=path,
        line=removed[0][0],
        what="marker tokens",
        lines=[n for n, _ in removed],
    )


def _named_cues(bodies: list[tuple[str | None, str]], labels: str) -> dict[int, tuple[str, str]]:
    """``{cue index: (speaker, text)}`` of the cues whose text opens with a speaker label, by the
    ``labels`` rule of :func:`captions_to_turns`; a cue with a voice is never relabelled."""
    if labels == "never":
        return {}
    if labels == "always":
        named: dict[int, tuple[str, str]] = {}
        for k, (voice, body) in enumerate(bodies):
            name, rest = split_speaker(body)
            if voice is None and name is not None and rest:
                named[k] = (name, rest)
        return named
    return meeting_labels([body if voice is None else "" for voice, body in bodies]) or {}


def _cue_turns(
    cues: Sequence[Caption],
    bodies: list[tuple[str | None, str]],
    named: dict[int, tuple[str, str]],
    *,
    path: str,
    findings: list[Finding],
) -> list[Turn]:
    """A turn per cue with text; a cue without text, or one ending before it starts, reported (``P006``)."""
    turns: list[Turn] = []
    for k, (cue, (voice, body)) in enumerate(zip(cues, bodies, strict=True)):
        speaker = voice
        if k in named:
            speaker, body = named[k]
        if not body:
            findings.append(
                finding(
                    "P006",
                    f"cue {k + 1} has no text; it was left out",
                    path=path,
                    line=cue.line,
                    cue=k + 1,
                    text=cue.text,
                )
            )
            continue
        end_ms: int | None = cue.end_ms
        if cue.end_ms < cue.start_ms:
            findings.append(
                finding(
                    "P006",
                    f"cue {k + 1} ends before it starts; kept without an end",
                    path=path,
                    line=cue.line,
                    cue=k + 1,
                    text=body,
                    start_ms=cue.start_ms,
                    end_ms=end_ms,
                )
            )
            end_ms = None
        turns.append(Turn(speaker, cue.start_ms, body, line=cue.line or 0, end_ms=end_ms))
    return turns
