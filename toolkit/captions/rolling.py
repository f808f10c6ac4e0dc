"""Rolling auto-captions (YouTube's): each line shown twice, 10 ms cues between, merged into plain cues.

YouTube writes its automatic captions as a two-line roll-up: every cue repeats the line the previous
cue added, adds a new line with a timestamp tag before each word (``so<00:00:00.320><c> today</c>``),
and a 10 ms cue holding the finished line sits between two cues. Shown by a player that does not roll,
every line appears twice and the 10 ms cues flash. :func:`merge_rolling` keeps each line once, in the
cue that introduced it, with its word timestamps, and drops the flashes; what it merged is reported.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from ..model import Finding
from ..rules import finding
from .document import Caption, Captions, plain_text

__all__ = ["is_rolling", "merge_rolling"]

FLASH_MS = 50  # a cue this short only bridges two roll-up steps (YouTube's are 10 ms)
_TIMESTAMP_TAG = re.compile(r"<\d{2,}:\d{2}:\d{2}\.\d{3}>|<\d{2}:\d{2}\.\d{3}>")


def _shown(line: str) -> str:
    return " ".join(plain_text(line).split())


def _lines(cue: Caption) -> list[str]:
    return [ln for ln in cue.text.split("\n") if _shown(ln)]


def is_rolling(doc: Captions) -> bool:
    """Word timestamp tags, and most cues opening with the line the cue before them ended with."""
    cues = doc.cues
    if len(cues) < 4 or sum(1 for c in cues if _TIMESTAMP_TAG.search(c.text)) < 2:
        return False
    repeats = 0
    for prev, cue in itertools.pairwise(cues):
        before, now = _lines(prev), _lines(cue)
        if before and now and _shown(now[0]) == _shown(before[-1]):
            repeats += 1
    return repeats >= 0.5 * (len(cues) - 1)


def merge_rolling(doc: Captions) -> tuple[Captions, list[Finding]]:
    """``doc`` with each rolled line kept once (see the module doc), and a finding saying what was merged.

    A document that does not roll is returned as it is, with no finding.
    """
    if not is_rolling(doc):
        return doc, []
    kept: list[Caption] = []
    flashes = repeats = 0
    last_line = ""  # the last line shown so far (plain text)
    for cue in doc.cues:
        lines = _lines(cue)
        shown = [_shown(ln) for ln in lines]
        if cue.end_ms - cue.start_ms <= FLASH_MS and shown and all(s == last_line for s in shown[-1:]):
            flashes += 1
            continue
        while lines and _shown(lines[0]) == last_line:
            lines.pop(0)
            repeats += 1
        if not lines:
            flashes += 1
            continue
        last_line = _shown(lines[-1])
        kept.append(replace(cue, text="\n".join(ln.strip() for ln in lines)))
    message = (
        f"rolling auto-captions: {repeats} repeated line{'s' if repeats != 1 else ''} and {flashes} "
        f"bridging cue{'s' if flashes != 1 else ''} of {FLASH_MS} ms or less merged ({len(doc.cues)} cues "
        f"in, {len(kept)} out); the words keep their timestamps"
    )
    note = finding(
        "P008",
        message,
        path=doc.path,
        line=doc.cues[0].line if doc.cues else None,
        repeated_lines=repeats,
        bridging_cues=flashes,
        cues_in=len(doc.cues),
        cues_out=len(kept),
    )
    # blocks before the first cue stay there; NOTE blocks between cues go after the last one
    blocks = tuple(b if b.before == 0 else replace(b, before=len(kept)) for b in doc.blocks)
    return replace(doc, cues=tuple(kept), blocks=blocks), [note]
