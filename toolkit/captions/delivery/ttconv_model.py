"""ttconv's document model as captions: the last step of reading TTML, SCC and EBU STL.

ttconv's readers (:mod:`.ttml`, :mod:`.scc`, :mod:`.stl`) all give a ``ContentDocument``; here its
paragraphs become styled characters with their times (:func:`paragraphs`), which a reader may still
correct (TTML's ``ttm:agent`` voices, SCC's speaker labels), and then cues whose position is the nearest
``{\\anN}`` (:func:`to_captions`). Only the readers import this module, and only when reading.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from ttconv import model  # type: ignore[import-untyped]
from ttconv.style_properties import (  # type: ignore[import-untyped]
    DisplayAlignType,
    FontStyleType,
    FontWeightType,
    StyleProperties,
    TextAlignType,
)

from ..document import Caption, Captions
from ..srt_styles import ALIGNMENT_SETTINGS
from .styled import PLAIN, Style, StyledChars, to_cue_text

__all__ = ["Paragraph", "paragraphs", "to_captions"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A ttconv ``<p>``: its times in seconds (``stop`` None: shown until the next one), the element
    and its ancestors (innermost first: where its region and alignment come from), its styled lines."""

    start: Fraction
    stop: Fraction | None
    chain: tuple[Any, ...]
    lines: list[StyledChars]


def paragraphs(tdoc: Any) -> list[Paragraph]:
    """The document's paragraphs in order, their times resolved and their characters styled."""
    out: list[Paragraph] = []
    body = tdoc.get_body()
    if body is not None:
        _walk(body, Fraction(0), None, PLAIN, (), out)
    return out


def _walk(
    el: Any, begin: Fraction, end: Fraction | None, st: Style, chain: tuple[Any, ...], out: list[Paragraph]
) -> None:
    b, e = el.get_begin(), el.get_end()
    start = begin + (b or 0)
    stop = begin + e if e is not None else None
    stop = min(x for x in (stop, end) if x is not None) if stop is not None or end is not None else None
    st = _style_of(el, st)
    if isinstance(el, model.P):
        lines: list[StyledChars] = [[]]
        _collect(el, st, lines)
        out.append(Paragraph(start, stop, (el, *chain), lines))
        return
    for child in el:
        _walk(child, start, stop, st, (el, *chain), out)


def _style_of(el: Any, st: Style) -> Style:
    fs = el.get_style(StyleProperties.FontStyle)
    fw = el.get_style(StyleProperties.FontWeight)
    td = el.get_style(StyleProperties.TextDecoration)
    if fs is not None:
        st = replace(st, italic=fs in (FontStyleType.italic, FontStyleType.oblique))
    if fw is not None:
        st = replace(st, bold=fw == FontWeightType.bold)
    if td is not None and td.underline is not None:
        st = replace(st, underline=bool(td.underline))
    return st


def _collect(el: Any, st: Style, lines: list[StyledChars]) -> None:
    for child in el:
        if isinstance(child, model.Br):
            lines.append([])
        elif isinstance(child, model.Text):
            lines[-1].extend((c, st) for c in child.get_text())
        else:
            _collect(child, _style_of(child, st), lines)


def to_captions(paras: list[Paragraph], tdoc: Any, fmt: str, path: str) -> Captions:
    """The paragraphs as cues (an empty one left out), each at the ``{\\anN}`` position nearest its region
    and alignment."""
    cues: list[Caption] = []
    for j, para in enumerate(paras):
        text = to_cue_text(para.lines)
        if not text:
            continue
        start, stop = para.start, para.stop
        if stop is None:  # shown until the next caption (SCC without a final clear)
            stop = paras[j + 1].start if j + 1 < len(paras) else start + 5
        an = _placement(para.chain, tdoc, fmt)
        cues.append(
            Caption(
                round(start * 1000),
                max(round(stop * 1000), round(start * 1000)),
                text,
                settings=ALIGNMENT_SETTINGS.get(an, ()),
            )
        )
    return Captions(tuple(cues), format=fmt, path=path)


def _placement(chain: tuple[Any, ...], tdoc: Any, fmt: str) -> int:
    region = next((x.get_region() for x in chain if x.get_region() is not None), None)
    align = next(
        (x.get_style(StyleProperties.TextAlign) for x in chain if x.has_style(StyleProperties.TextAlign)),
        region.get_style(StyleProperties.TextAlign) if region is not None else None,
    )
    col = 1 if align == TextAlignType.center else (2 if align == TextAlignType.end else 0)
    if fmt == "scc" and align in (None, TextAlignType.start):
        col = 1  # the reader cannot tell centred rows from left ones: WebVTT's default, centred
    row = 2  # no region: TTML's default region is the whole root area, text at its top
    if region is not None:
        origin = region.get_style(StyleProperties.Origin)
        extent = region.get_style(StyleProperties.Extent)
        display = region.get_style(StyleProperties.DisplayAlign)
        top = _percent(origin.y if origin is not None else None, tdoc, "y", 0.0)
        height = _percent(extent.height if extent is not None else None, tdoc, "y", 100.0 - top)
        anchor = {DisplayAlignType.after: top + height, DisplayAlignType.center: top + height / 2}.get(
            display, top
        )
        row = 2 if anchor < 40 else (1 if anchor <= 60 else 0)
    return row * 3 + col + 1


def _percent(length: Any, tdoc: Any, axis: str, default: float) -> float:
    if length is None:
        return default
    units = getattr(length.units, "value", str(length.units))
    value = float(length.value)
    if units == "%":
        return value
    if units == "c":
        cells = tdoc.get_cell_resolution()
        return 100.0 * value / float(cells.rows if axis == "y" else cells.columns)
    if units == "px":
        px = tdoc.get_px_resolution()
        return 100.0 * value / float(px.height if axis == "y" else px.width)
    return default
