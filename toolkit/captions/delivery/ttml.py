"""TTML (IMSC 1.1 Text Profile) written and read through ttconv, with the speakers ttconv's model lacks.

Writing builds ttconv's document model (top/middle/bottom regions in the 80 % safe area, ``textAlign``,
``fontStyle``/``fontWeight``/``textDecoration`` spans, ``xml:id`` per paragraph) and lets its IMSC writer
serialise it; the ``ttm:agent`` metadata (one agent per voice, named by ``ttm:name``) is then added to
the XML tree the writer returns, since ttconv's model has none. Reading lets ttconv's IMSC reader build
the model (:mod:`.ttconv_model` turns it into cues) and takes each paragraph's agents from the XML itself.
"""

from __future__ import annotations

import xml.etree.ElementTree as et
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from ttconv import model  # type: ignore[import-untyped]
from ttconv.imsc import config as imsc_config  # type: ignore[import-untyped]
from ttconv.imsc import reader as imsc_reader
from ttconv.imsc import writer as imsc_writer
from ttconv.style_properties import (  # type: ignore[import-untyped]
    CoordinateType,
    DisplayAlignType,
    ExtentType,
    FontStyleType,
    FontWeightType,
    LengthType,
    StyleProperties,
    TextAlignType,
    TextDecorationType,
)

from ...errors import InputError
from ...model import Finding
from ..document import Caption, Captions
from .losses import LossReport, each_cue
from .styled import Style, StyledChars, StyledLine, voices
from .ttconv_model import paragraphs, to_captions

__all__ = ["IMSC_11_TEXT", "dumps_ttml", "loads_ttml"]

IMSC_11_TEXT = "http://www.w3.org/ns/ttml/profile/imsc1.1/text"

_TT_NS = "http://www.w3.org/ns/ttml"
_TTM_NS = "http://www.w3.org/ns/ttml#metadata"
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_READ_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, RuntimeError)

_Pieces = list[tuple[str, str | None]]  # one <p>'s text pieces and the agent name of each


# --- writing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Build:
    """The document being built: ttconv's model, its one ``<div>``, the frame rate of its times (None:
    milliseconds), the regions made so far (by row: 0 bottom, 1 middle, 2 top) and the speakers' agent
    ids (per voice, and per element ``xml:id`` that a voice speaks)."""

    tdoc: Any
    div: Any
    rate: Fraction | None
    regions: dict[int, Any] = field(default_factory=dict)
    agent_of_voice: dict[str, str] = field(default_factory=dict)
    agent_of_element: dict[str, str] = field(default_factory=dict)


def dumps_ttml(doc: Captions, rate: Fraction | None) -> tuple[str, list[Finding]]:
    """``(text, findings)``: the document as IMSC 1.1 Text; with ``rate``, ``ttp:frameRate`` and times in
    frames."""
    report = LossReport(doc, "ttml")
    tdoc = model.ContentDocument()
    tdoc.set_content_profiles({IMSC_11_TEXT})
    body = model.Body(tdoc)
    tdoc.set_body(body)
    build = _Build(tdoc, model.Div(tdoc), rate)
    body.push_child(build.div)
    for k, cue, lines, an in each_cue(doc, report, "region"):
        build.div.push_child(_paragraph(build, k, cue, lines, an))
    config = imsc_config.IMSCWriterConfiguration(
        fps=rate, profile_signaling=imsc_config.ContentProfilesSignaling.CONTENT_PROFILES
    )
    root = imsc_writer.from_model(tdoc, config).getroot()
    et.register_namespace("ttm", _TTM_NS)
    if build.agent_of_voice:
        _add_agents(root, build.agent_of_voice, build.agent_of_element)
    _indent(root)
    text = et.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n", report.findings()


def _paragraph(build: _Build, k: int, cue: Caption, lines: list[StyledLine], an: int) -> Any:
    """Cue ``k`` as a ``<p>`` of styled spans; a voice speaking all of it is the paragraph's agent, else
    each voiced span gets an ``xml:id`` and its own."""
    row, col = divmod(an - 1, 3)
    p = model.P(build.tdoc)
    p.set_id(f"c{k}")
    p.set_begin(_at(cue.start_ms, build.rate))
    p.set_end(_at(cue.end_ms, build.rate))
    p.set_region(_region(build, row))
    p.set_style(
        StyleProperties.TextAlign, (TextAlignType.start, TextAlignType.center, TextAlignType.end)[col]
    )
    names = voices(lines)
    whole = len(names) == 1 and all(st.voice for line in lines for _, st in line)
    for voice in names:
        build.agent_of_voice.setdefault(voice, f"speaker{len(build.agent_of_voice) + 1}")
    if whole:
        build.agent_of_element[f"c{k}"] = build.agent_of_voice[names[0]]
    n = 0
    for li, line in enumerate(lines):
        if li:
            p.push_child(model.Br(build.tdoc))
        for text, st in line:
            span = _span(build.tdoc, st)
            if st.voice and not whole:
                n += 1
                span.set_id(f"c{k}s{n}")
                build.agent_of_element[f"c{k}s{n}"] = build.agent_of_voice[st.voice]
            span.push_child(model.Text(build.tdoc, text))
            p.push_child(span)
    return p


def _span(tdoc: Any, st: Style) -> Any:
    span = model.Span(tdoc)
    if st.italic:
        span.set_style(StyleProperties.FontStyle, FontStyleType.italic)
    if st.bold:
        span.set_style(StyleProperties.FontWeight, FontWeightType.bold)
    if st.underline:
        span.set_style(StyleProperties.TextDecoration, TextDecorationType(underline=True))
    return span


def _region(build: _Build, row: int) -> Any:
    """The region of a row (0 bottom, 1 middle, 2 top), made on first use: the safe area (80 %), text at
    its edge."""
    if row not in build.regions:
        r = model.Region(("bottom", "middle", "top")[row], build.tdoc)
        pct = LengthType.Units.pct
        r.set_style(StyleProperties.Origin, CoordinateType(LengthType(10, pct), LengthType(10, pct)))
        r.set_style(StyleProperties.Extent, ExtentType(LengthType(80, pct), LengthType(80, pct)))
        r.set_style(
            StyleProperties.DisplayAlign,
            (DisplayAlignType.after, DisplayAlignType.center, DisplayAlignType.before)[row],
        )
        build.tdoc.put_region(r)
        build.regions[row] = r
    return build.regions[row]


def _at(ms: int, rate: Fraction | None) -> Fraction:
    if rate is None:
        return Fraction(ms, 1000)
    return Fraction(round(ms * rate / 1000)) / rate


def _add_agents(root: et.Element, agent_of_voice: dict[str, str], agent_of_element: dict[str, str]) -> None:
    """``<ttm:agent>`` in ``<head>`` for each voice, and ``ttm:agent`` on the elements they speak."""
    head = root.find(f"{{{_TT_NS}}}head")
    if head is None:
        head = et.Element(f"{{{_TT_NS}}}head")
        root.insert(0, head)
    for position, (voice, aid) in enumerate(agent_of_voice.items()):
        agent = et.Element(f"{{{_TTM_NS}}}agent", {_XML_ID: aid, "type": "person"})
        et.SubElement(agent, f"{{{_TTM_NS}}}name", {"type": "full"}).text = voice
        head.insert(position, agent)  # Metadata.class elements come first in <head>
    for el in root.iter():
        ref = agent_of_element.get(el.get(_XML_ID) or "")
        if ref:
            el.set(f"{{{_TTM_NS}}}agent", ref)


def _indent(el: et.Element, depth: int = 0) -> None:
    """Line breaks between the block elements, none inside ``<p>`` (where white space is text)."""
    if el.tag == f"{{{_TT_NS}}}p" or len(el) == 0:
        return
    pad = "\n" + "  " * (depth + 1)
    if not (el.text or "").strip():
        el.text = pad
    for child in el:
        _indent(child, depth + 1)
        if not (child.tail or "").strip():
            child.tail = pad
    if not (el[-1].tail or "").strip():
        el[-1].tail = "\n" + "  " * depth


# --- reading ---------------------------------------------------------------------------------------------


def loads_ttml(data: str | bytes, path: str) -> Captions:
    try:
        root = et.fromstring(data)
    except et.ParseError as exc:
        raise InputError(f"not XML: {exc}", path=path) from None
    try:
        tdoc = imsc_reader.to_model(et.ElementTree(root))
    except _READ_ERRORS as exc:
        raise InputError(f"cannot read TTML: {exc}", path=path) from None
    if tdoc is None:
        raise InputError("not a TTML document", path=path)
    paras = paragraphs(tdoc)
    agents = _ttml_agents(root)
    if len(agents) == len(paras):
        for para, pieces in zip(paras, agents, strict=True):
            _apply_agents(para.lines, pieces)
    return to_captions(paras, tdoc, "ttml", path)


def _ttml_agents(root: et.Element) -> list[_Pieces]:
    """Per ``<p>`` of the body, in document order: its text pieces and the ``ttm:agent`` name of each."""
    names: dict[str, str] = {}
    for agent in root.iter(f"{{{_TTM_NS}}}agent"):
        aid = agent.get(_XML_ID)
        if not aid:
            continue
        name = agent.find(f"{{{_TTM_NS}}}name")
        names[aid] = (name.text or "").strip() if name is not None and (name.text or "").strip() else aid
    per_p: list[_Pieces] = []
    body = root.find(f"{{{_TT_NS}}}body")
    if body is not None:
        _walk_blocks(body, _agent_of(body, names, None), names, per_p)
    return per_p


def _agent_of(el: et.Element, names: dict[str, str], inherited: str | None) -> str | None:
    ref = (el.get(f"{{{_TTM_NS}}}agent") or "").split()
    return names.get(ref[0], ref[0]) if ref else inherited


def _walk_blocks(el: et.Element, agent: str | None, names: dict[str, str], per_p: list[_Pieces]) -> None:
    for child in el:
        if child.tag == f"{{{_TT_NS}}}p":
            out: _Pieces = []
            _text_pieces(child, _agent_of(child, names, agent), names, out)
            per_p.append(out)
        elif child.tag in (f"{{{_TT_NS}}}div", f"{{{_TT_NS}}}body"):
            _walk_blocks(child, _agent_of(child, names, agent), names, per_p)


def _text_pieces(el: et.Element, agent: str | None, names: dict[str, str], out: _Pieces) -> None:
    if el.text:
        out.append((el.text, agent))
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag.startswith(f"{{{_TT_NS}}}") and not tag.endswith("}metadata"):
            _text_pieces(child, _agent_of(child, names, agent), names, out)
        if child.tail:
            out.append((child.tail, agent))


def _apply_agents(lines: list[StyledChars], pieces: _Pieces) -> None:
    """Give each shown character the ``ttm:agent`` of the XML text it came from (matched on the text
    without white space, which the reader may have collapsed)."""
    xml = [(c, agent) for text, agent in pieces for c in text if not c.isspace()]
    shown = [c for line in lines for c, _ in line if not c.isspace()]
    if [c for c, _ in xml] != shown:
        return
    k = 0
    for line in lines:
        for j, (c, st) in enumerate(line):
            if not c.isspace():
                line[j] = (c, replace(st, voice=xml[k][1]))
                k += 1
