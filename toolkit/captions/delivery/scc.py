"""SCC (CEA-608 pop-on) written through pycaption and captionkit's own timing (:mod:`.scc_read` reads it).

Writing fits each cue to what CEA-608 holds, following its guides: speaker labels for voices (it has no
speaker field), its character set (:mod:`.cea608`), italics and underline moved to word boundaries (a
style change takes a column), 32 columns (re-wrapped) and 4 rows (lines joined, else the cue split into
captions shown one after another), 29.97 drop-frame times; every change is a ``C015`` finding. The rows
become code words and are laid out in time by :mod:`.scc_codes`.
"""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction

from ttconv.time_code import SmpteTimeCode  # type: ignore[import-untyped]

from ...markup import speaker_label
from ...model import Finding, Severity
from ..document import Caption, Captions
from .cea608 import cea608_cell
from .losses import LossReport, each_cue
from .scc_codes import Piece, scc_layout
from .styled import StyledLine, voices

__all__ = ["SCC_COLUMNS", "SCC_FPS", "SCC_ROWS", "dumps_scc"]

SCC_FPS = Fraction(30000, 1001)
SCC_COLUMNS = 32
SCC_ROWS = 4

_Cell = tuple[str, tuple[bool, bool]]  # (characters sent for one shown character, (italic, underline))


def dumps_scc(doc: Captions, fps: float | None, speaker_style: str) -> tuple[str, list[Finding]]:
    """``(text, findings)``: the document as SCC; ``fps`` must be unset or 29.97 (CEA-608's one rate)."""
    if fps is not None and abs(fps - 29.97) > 0.005:
        raise ValueError("SCC (CEA-608 line 21) is 29.97 frames a second: leave fps unset or give 29.97")
    report = LossReport(doc, "scc")
    replaced: dict[str, str] = {}
    replaced_in: list[int] = []
    speaker: str | None = None  # the speaker last labelled
    pieces: list[Piece] = []
    for k, cue, lines, an in each_cue(doc, report, "row and column"):
        if any(st.bold for line in lines for _, st in line):
            report.add("bold: CEA-608 has no bold; written plain", k)
        if speaker_style == "none" and voices(lines):
            report.add("voices: speaker_style none; left out", k)
        rows_in: list[list[_Cell]] = []
        changed_style = False
        for line in lines:
            source, speaker = _labelled(line, speaker, speaker_style)
            cells, swaps = _encoded(source)
            if swaps:
                replaced.update(swaps)
                replaced_in.append(k)
            if not cells:
                continue
            cells, moved = _snap_styles(cells)
            changed_style = changed_style or moved
            rows_in.append(cells)
        if changed_style:
            report.add(
                "italics/underline moved to word boundaries (a CEA-608 style change takes a column)",
                k,
                Severity.INFO,
            )
        if not rows_in:
            report.add("cues without visible text: SCC cannot hold an empty caption; left out", k)
            continue
        pieces.extend(_pieces(k, cue, rows_in, an, report))
    if replaced:
        shown = ", ".join(f"{a}→{b or '(nothing)'}" for a, b in sorted(replaced.items()))
        for k in replaced_in:
            report.add(
                f"characters outside the CEA-608 set written as the nearest ({shown})",
                k,
                replacements=dict(sorted(replaced.items())),
            )
    body = "\n\n".join(
        f"{SmpteTimeCode.from_frames(at, SCC_FPS, True)}\t{' '.join(words)}"
        for at, words in scc_layout(pieces, report)
    )
    return "Scenarist_SCC V1.0\n\n" + body + ("\n" if body else ""), report.findings()


def _labelled(
    line: StyledLine, speaker: str | None, speaker_style: str
) -> tuple[list[tuple[str, tuple[bool, bool]]], str | None]:
    """``(characters, speaker)``: the line's shown characters with their (italic, underline), a speaker
    label (plain) before a voice that is not the one last labelled (after a dialogue dash); and the
    speaker last labelled after it."""
    source: list[tuple[str, tuple[bool, bool]]] = []
    for text, st in line:
        style = (st.italic, st.underline)
        if st.voice and st.voice != speaker and speaker_style != "none":
            lead = re.match(r"-\s*", text)
            dash = lead[0] if lead else ""
            label = speaker_label(st.voice, speaker_style).replace("\u2060", "")
            source.extend((c, style) for c in dash)
            source.extend((c, (False, False)) for c in label)
            text = text[len(dash) :]
        if text.strip():
            speaker = st.voice  # a voiceless caption between two of a speaker's repeats the label
        source.extend((c, style) for c in text)
    return source, speaker


def _encoded(source: list[tuple[str, tuple[bool, bool]]]) -> tuple[list[_Cell], dict[str, str]]:
    """``(cells, replaced)``: the characters as CEA-608 sends them, spaces collapsed and the line trimmed;
    and the characters written as the nearest the set has."""
    replaced: dict[str, str] = {}
    cells: list[_Cell] = []
    for ch, style in source:
        sent, shown = cea608_cell(ch)
        if shown != ch:
            replaced[ch] = shown
        cells.extend((sent if len(shown) == 1 else cea608_cell(c)[0], style) for c in shown)
    cells = [c for j, c in enumerate(cells) if not (c[0] == " " and j and cells[j - 1][0] == " ")]
    while cells and cells[0][0] == " ":
        cells.pop(0)
    while cells and cells[-1][0] == " ":
        cells.pop()
    return cells, replaced


def _snap_styles(cells: list[_Cell]) -> tuple[list[_Cell], bool]:
    """Style changes moved to the spaces between words, where CEA-608's mid-row code (which takes a
    column and shows as a space) replaces the space: a word takes the style of its first letter, a space
    the style of the word after it."""
    out = list(cells)
    changed = False
    k = 0
    while k < len(out):
        if out[k][0] == " ":
            k += 1
            continue
        end = k
        while end < len(out) and out[end][0] != " ":
            end += 1
        word = out[k:end]
        style = next((st for text, st in word if text[-1:].isalnum()), word[0][1])
        for j in range(k, end):
            if out[j][1] != style:
                changed = changed or out[j][0][-1:].isalnum()
                out[j] = (out[j][0], style)
        k = end
    for j in range(len(out) - 2, -1, -1):
        if out[j][0] == " ":
            out[j] = (" ", out[j + 1][1])
    return out, changed


def _pieces(k: int, cue: Caption, rows_in: list[list[_Cell]], an: int, report: LossReport) -> list[Piece]:
    """Cue ``k`` as pop-on captions: its lines wrapped to the columns (joined and re-wrapped when that
    makes too many rows), in frames, split into captions shown one after another when still too many."""
    width = SCC_COLUMNS - (1 if an in (3, 6, 9) and any(c[1][0] for row in rows_in for c in row[:1]) else 0)
    rows = [r for cells in rows_in for r in _wrap_cells(cells, width)]
    if len(rows) > len(rows_in):
        report.add(f"lines longer than {width} columns re-wrapped", k)
    if len(rows) > SCC_ROWS:
        joined: list[_Cell] = []
        for cells in rows_in:
            joined.extend([(" ", cells[0][1]), *cells] if joined else cells)
        rows = _wrap_cells(joined, width)
        if len(rows) <= SCC_ROWS:
            report.add(f"more than {SCC_ROWS} rows: lines joined and re-wrapped", k)
    start, end = _frame(cue.start_ms), _frame(cue.end_ms)
    if end <= start:
        report.add("cues shorter than a frame: shown for one frame", k, Severity.INFO)
        end = start + 1
    if len(rows) <= SCC_ROWS:
        return [Piece(k, start, end, tuple(_segments(r) for r in rows), an)]
    count = math.ceil(len(rows) / SCC_ROWS)
    heights = [len(rows) // count + (1 if j < len(rows) % count else 0) for j in range(count)]
    chunks = [rows[sum(heights[:j]) : sum(heights[: j + 1])] for j in range(count)]
    report.add(f"more than {SCC_ROWS} rows: split into captions shown one after another", k)
    sizes = [sum(len(c) for row in chunk for c in row) for chunk in chunks]
    total = sum(sizes)
    bounds = [start + round((end - start) * sum(sizes[:j]) / total) for j in range(len(chunks) + 1)]
    return [
        Piece(k, bounds[j], max(bounds[j + 1], bounds[j] + 1), tuple(_segments(r) for r in chunk), an)
        for j, chunk in enumerate(chunks)
    ]


def _frame(ms: int) -> int:
    return round(ms * SCC_FPS / 1000)


def _wrap_cells(cells: list[_Cell], width: int) -> list[list[_Cell]]:
    """Greedy wrap at spaces into rows of at most ``width`` sent characters (a word longer than a row is
    cut; an extended character never parts from its stand-in)."""

    def size(row: list[_Cell]) -> int:
        return sum(len(text) for text, _ in row)

    rows: list[list[_Cell]] = []
    rest = cells
    while size(rest) > width:
        used = 0
        fit = 0
        cut = None
        for j, (text, _) in enumerate(rest):
            if used + len(text) > width:
                if text == " ":
                    cut = j
                break
            if text == " ":
                cut = j
            used += len(text)
            fit = j + 1
        if cut is not None and cut > 0:
            rows.append(rest[:cut])
            rest = rest[cut + 1 :]
        else:
            rows.append(rest[: max(fit, 1)])
            rest = rest[max(fit, 1) :]
        while rest and rest[0][0] == " ":
            rest = rest[1:]
    if rest:
        rows.append(rest)
    return rows


def _segments(row: list[_Cell]) -> tuple[tuple[str, bool, bool], ...]:
    out: list[tuple[str, bool, bool]] = []
    for style, group in itertools.groupby(row, key=lambda c: c[1]):
        out.append(("".join(text for text, _ in group), style[0], style[1]))
    return tuple(out)
