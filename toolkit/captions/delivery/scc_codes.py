"""CEA-608 code words for SCC: each caption encoded by pycaption, the words laid out in time here.

pycaption encodes one pop-on caption well (PACs for its rows, tab offsets for centring, mid-row codes for
italics and underline) but times its loads 2-3 frames early, so :func:`scc_code` keeps only its code
words for the caption and :func:`scc_layout` places them: a word a frame, each load into non-displayed
memory while the caption before is shown, End Of Caption on the cue's frame, Erase Displayed Memory on
its end frame (inside the next load when that is under way, as ttconv's writer does). The SCC writer
(:mod:`.scc`) makes the :class:`Piece` values this module takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycaption import Caption as PyCaption  # type: ignore[import-untyped]
from pycaption import CaptionList, CaptionNode, CaptionSet, SCCWriter
from pycaption.geometry import (  # type: ignore[import-untyped]
    Alignment,
    HorizontalAlignmentEnum,
    Layout,
    Point,
    Size,
    UnitEnum,
    VerticalAlignmentEnum,
)

from ...model import Severity
from .losses import LossReport

__all__ = ["Piece", "scc_code", "scc_layout"]

_LOAD_HEAD = ["94ae", "94ae", "9420", "9420"]  # ENM ENM RCL RCL, as pycaption writes them
_EOC = ["942f", "942f"]  # End Of Caption: the loaded caption is shown
_EDM = ["942c", "942c"]  # Erase Displayed Memory: the shown caption is cleared
_HORIZONTAL = (HorizontalAlignmentEnum.LEFT, HorizontalAlignmentEnum.CENTER, HorizontalAlignmentEnum.RIGHT)
_VERTICAL = (VerticalAlignmentEnum.BOTTOM, VerticalAlignmentEnum.CENTER, VerticalAlignmentEnum.TOP)


@dataclass(frozen=True, slots=True)
class Piece:
    """One pop-on caption: frames ``[start, end)``, rows of ``(text, italic, underline)`` segments."""

    cue: int
    start: int
    end: int
    rows: tuple[tuple[tuple[str, bool, bool], ...], ...]
    an: int


def scc_code(piece: Piece) -> list[str]:
    """pycaption's CEA-608 code words for one caption (PACs, tab offsets, mid-row codes, characters),
    without its load/display commands; the rows are within 32 columns already, so it wraps nothing."""
    nodes: list[CaptionNode] = []
    for r, row in enumerate(piece.rows):
        if r:
            nodes.append(CaptionNode.create_break())
        for text, italic, underline in row:
            style = {**({"italics": True} if italic else {}), **({"underline": True} if underline else {})}
            if style:
                nodes.append(CaptionNode.create_style(True, style))
            nodes.append(CaptionNode.create_text(text))
            if style:
                nodes.append(CaptionNode.create_style(False, style))
    row_no, col = divmod(piece.an - 1, 3)
    origin = None
    if row_no:  # pycaption puts a caption without an origin on the bottom rows (ending at row 15)
        origin = Point(Size(0, UnitEnum.PERCENT), Size(5 if row_no == 2 else 50, UnitEnum.PERCENT))
    layout = Layout(origin=origin, alignment=Alignment(_HORIZONTAL[col], _VERTICAL[row_no]))
    caption = PyCaption(0, 1_000_000, nodes, layout_info=layout)
    text = SCCWriter(drop_frame=True).write(CaptionSet({"en": CaptionList([caption])}))
    words = [w for line in text.splitlines() if "\t" in line for w in line.split("\t", 1)[1].split()]
    tail = ["942c", "942c", "942f", "942f", *_EDM]
    if words[:4] != _LOAD_HEAD or words[-6:] != tail:
        raise RuntimeError(f"unexpected pycaption SCC output: {text!r}")
    return words[4:-6]


def scc_layout(pieces: list[Piece], report: LossReport) -> list[tuple[int, list[str]]]:
    """SCC lines ``(frame, code words)``: a word a frame. Each load goes into non-displayed memory while
    the caption before is shown and ends with End Of Caption on the cue's frame; Erase Displayed Memory
    clears at the cue's end frame, inserted into the next load when that load is under way."""
    out: list[tuple[int, list[str]]] = []
    free = 0  # the first frame not yet taken by a word
    shown: Piece | None = None  # the caption on screen and when it must go
    shown_end = 0
    order = sorted(pieces, key=lambda p: p.start)
    for j, piece in enumerate(order):
        load = _LOAD_HEAD + scc_code(piece) + _EOC
        target = piece.start
        nxt = order[j + 1].start if j + 1 < len(order) else None
        if nxt is not None and nxt < piece.end:
            report.add(
                "overlapping cues: SCC shows one caption at a time; cut when the next appears", piece.cue
            )
        clear = shown_end if shown is not None and shown_end < target else None
        if clear is not None and target - clear < 2:
            report.add("gaps shorter than 2 frames closed", shown.cue if shown else piece.cue, Severity.INFO)
            clear = None
        if clear is None:
            begin = max(free, target - (len(load) - 2))
            out.append((begin, load))
            free = begin + len(load)
        else:
            sent, free = _load_around_clear(load, clear, target, free)
            out.extend(sent)
        shown_at = free - 2
        if shown_at > target:
            report.add(
                "shown late: too little time to send the caption before it (CEA-608 sends 2 characters "
                "a frame)",
                piece.cue,
                frames_late=shown_at - target,
            )
        shown = piece
        shown_end = max(min(piece.end, nxt) if nxt is not None else piece.end, shown_at + 1)
    if shown is not None:
        out.append((max(free, shown_end), list(_EDM)))
    return out


def _load_around_clear(
    load: list[str], clear: int, target: int, free: int
) -> tuple[list[tuple[int, list[str]]], int]:
    """``(lines, first free frame)``: the clear goes out on its frame and the load is sent around it, as
    much as fits before it (from where the stream is free), the rest after it, End Of Caption on the
    cue's frame (``target``)."""
    out: list[tuple[int, list[str]]] = []
    room = target - clear  # words that fit between the clear and End Of Caption
    bounds = _boundaries(load)
    cut = next(b for b in bounds if len(load) - b <= room)
    begin = clear - cut
    if begin < free:
        cut = max((b for b in bounds if free + b <= clear), default=0)
        begin = free
    at_clear = max(clear, free)
    if cut:
        out.append((begin, load[:cut]))
    out.append((at_clear, list(_EDM)))
    second = load[cut:]
    begin = max(at_clear + 2, target - (len(second) - 2))
    out.append((begin, second))
    return out, begin + len(second)


def _control(word: str) -> bool:
    return 0x10 <= (int(word[:2], 16) & 0x7F) <= 0x1F


def _boundaries(words: list[str]) -> list[int]:
    """Where a load can be interrupted: not inside a doubled control code (sent twice, obeyed once)."""
    out = [0]
    j = 0
    while j < len(words):
        j += 2 if j + 1 < len(words) and _control(words[j]) and words[j + 1] == words[j] else 1
        out.append(j)
    return out
