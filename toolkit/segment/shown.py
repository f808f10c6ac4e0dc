"""What a viewer reads of each cue, and the profile's limits checked on it.

Reading speed counts what the default SRT shows (``NAME: `` labels, dialogue dashes), so the segmenter's
findings (C001-C006) agree with ``captionkit validate`` on the SRT. Used by the timing pass
(:mod:`.cue_times`), by the pipeline and by the review page; the limits themselves live in
:mod:`toolkit.checks.limits`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..checks.limits import ShownCue, check_limits
from ..model import Cue, Finding
from ..profiles import Profile
from .cue_plan import CuePlan

__all__ = ["check_cues", "check_shown", "label_reserve", "reading_chars", "shown_chars"]


def label_reserve(speaker: str | None) -> int:
    """Characters kept free on a first line for the longest speaker label style (``[Name] ``)."""
    return len(speaker) + 3 if speaker else 0


def reading_chars(lines: Sequence[str]) -> int:
    """Characters counted for reading speed: all characters of the lines, line breaks not counted."""
    return sum(len(line) for line in lines)


def shown_chars(cues: Sequence[Cue] | Sequence[CuePlan], *, labels: bool = True) -> list[int]:
    """Per cue, the characters a viewer reads in the SRT output: the lines plus, as ``write_srt`` writes
    them by default, a ``NAME: `` label at each change of speaker and a dash per line of dialogue.
    ``labels=False``: as shown where the speaker is not written in the text (WebVTT voices, SRT without
    labels): the lines and the dialogue dashes."""
    out: list[int] = []
    append = out.append
    current: str | None = None
    for c in cues:
        lines, speakers = c.lines, c.speakers
        n = sum(map(len, lines))
        if not labels:
            append(n + (len(lines) if len(set(speakers)) > 1 else 0))
            continue
        if not speakers:
            append(n)
            continue
        first = speakers[0]
        if speakers.count(first) == len(speakers):  # one speaker (the common case)
            if first is not None and first != current:
                n += len(first) + 2
                current = first
            append(n)
            continue
        n += len(lines)  # dialogue: a dash per line
        for spk in speakers:
            if spk is not None and spk != current:
                n += len(spk) + 2
                current = spk
        append(n)
    return out


def check_cues(
    cues: Sequence[Cue], profile: Profile, *, path: str | None = None, labels: bool = True
) -> list[Finding]:
    """Findings C001-C006 for cues outside ``profile`` (``cue`` is the 1-based index in ``cues``); each
    carries ``limit``, ``actual`` and ``excess``. ``labels``: whether speaker labels are shown in the
    text (SRT), so count in the reading speed (see :func:`shown_chars`)."""
    return check_shown(cues, shown_chars(cues, labels=labels), profile, path)


def check_shown(
    cues: Sequence[Cue], chars: Sequence[int], profile: Profile, path: str | None
) -> list[Finding]:
    """:func:`check_cues` with the cues' :func:`shown_chars` known: the profile's limits
    (:mod:`toolkit.checks.limits`, the implementation ``validate`` uses too)."""
    shown = [
        ShownCue(k, c.line, c.start_ms, c.end_ms, c.lines, n)
        for k, (c, n) in enumerate(zip(cues, chars, strict=True), start=1)
    ]
    return check_limits(shown, profile, path)
