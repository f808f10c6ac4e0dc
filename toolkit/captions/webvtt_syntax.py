"""WebVTT's syntax below the document: timestamps, the timing line, cue settings and regions.

The pieces of the W3C WebVTT parsing rules that do not need the caption model: the WebVTT reader
(:mod:`toolkit.captions.webvtt`) builds cues with them, and the writers (:mod:`toolkit.captions.write`)
and delivery formats read a cue's box and the file's regions with them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

_WS = " \t\n\f\r"  # ASCII whitespace
LENIENT_TIMING = re.compile(r"^[ \t]*(\S+?)[ \t]*-->[ \t]*(\S+)(?:[ \t]+(.*?))?[ \t]*$")
_PERCENT = re.compile(r"^\d+(?:\.\d+)?%$")
_FLOAT = re.compile(r"^-?\d+(?:\.\d+)?$")


def read_timestamp(text: str, pos: int) -> tuple[int, int] | None:
    """The spec's "collect a WebVTT timestamp" at ``pos``: ``(milliseconds, new position)`` or ``None``."""
    n = len(text)

    def digits(p: int) -> tuple[str, int]:
        q = p
        while q < n and "0" <= text[q] <= "9":
            q += 1
        return text[p:q], q

    if pos >= n or not ("0" <= text[pos] <= "9"):
        return None
    s1, pos = digits(pos)
    if len(s1) > 9:  # a billion hours: no recording's time (and int() refuses 4,300 digits)
        return None
    v1 = int(s1)
    hours_first = len(s1) != 2 or v1 > 59
    if pos >= n or text[pos] != ":":
        return None
    s2, pos = digits(pos + 1)
    if len(s2) != 2:
        return None
    v2 = int(s2)
    if hours_first or (pos < n and text[pos] == ":"):
        if pos >= n or text[pos] != ":":
            return None
        s3, pos = digits(pos + 1)
        if len(s3) != 2:
            return None
        v3 = int(s3)
    else:
        v1, v2, v3 = 0, v1, v2
    if pos >= n or text[pos] != ".":
        return None
    s4, pos = digits(pos + 1)
    if len(s4) != 3:
        return None
    if v2 > 59 or v3 > 59:
        return None
    return ((v1 * 60 + v2) * 60 + v3) * 1000 + int(s4), pos


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def parse_timing(line: str) -> tuple[int, int, str] | None:
    """The spec's cue timings: ``(start, end, settings text)``, or ``None`` when a browser rejects them."""
    pos = _skip_ws(line, 0)
    got = read_timestamp(line, pos)
    if got is None:
        return None
    start, pos = got
    pos = _skip_ws(line, pos)
    if line[pos : pos + 3] != "-->":
        return None
    pos = _skip_ws(line, pos + 3)
    got = read_timestamp(line, pos)
    if got is None:
        return None
    end, pos = got
    return start, end, line[pos:]


def _split_ws(text: str) -> list[str]:
    return [t for t in re.split(r"[ \t\n\f\r]+", text) if t]


def _percentage(value: str) -> float | None:
    if not _PERCENT.match(value):
        return None
    number = float(value[:-1])
    return number if 0 <= number <= 100 else None


@dataclass(frozen=True, slots=True)
class Region:
    """A WebVTT region's settings, as the spec's region settings parser reads them."""

    id: str = ""
    width: float = 100.0
    lines: int = 3
    region_anchor: tuple[float, float] = (0.0, 100.0)
    viewport_anchor: tuple[float, float] = (0.0, 100.0)
    scroll: str = ""


def parse_region(text: str) -> Region:
    """The spec's "collect WebVTT region settings" on a REGION block's body."""
    rid, width, lines, ranchor, vanchor, scroll = "", 100.0, 3, (0.0, 100.0), (0.0, 100.0), ""
    for setting in _split_ws(text):
        if ":" not in setting:
            continue
        name, value = setting.split(":", 1)
        if not name or not value:
            continue
        if name == "id":
            rid = value
        elif name == "width":
            pct = _percentage(value)
            if pct is not None:
                width = pct
        elif name == "lines":
            if value.isascii() and value.isdigit():
                lines = int(value) if len(value) <= 9 else 10**9  # "lines:" and 5,000 digits: very many
        elif name in ("regionanchor", "viewportanchor"):
            if "," not in value:
                continue
            x_text, y_text = value.split(",", 1)
            x, y = _percentage(x_text), _percentage(y_text)
            if x is None or y is None:
                continue
            if name == "regionanchor":
                ranchor = (x, y)
            else:
                vanchor = (x, y)
        elif name == "scroll" and value == "up":
            scroll = "up"
    return Region(rid, width, lines, ranchor, vanchor, scroll)


@dataclass(frozen=True, slots=True)
class CueBox:
    """A cue's layout as the spec's cue settings parser leaves it (the DOM ``VTTCue`` attributes)."""

    region: str | None = None
    vertical: str = ""
    line: float | str = "auto"
    snap_to_lines: bool = True
    line_align: str = "start"
    position: float | str = "auto"
    position_align: str = "auto"
    size: float = 100.0
    align: str = "center"


def _line_setting(value: str) -> tuple[float, bool, str] | None:
    linepos, _, rest = value.partition(",")
    linealign = rest if "," in value else None
    if not any(ch.isdigit() for ch in linepos):
        return None
    if linepos.endswith("%"):
        number = _percentage(linepos)
        if number is None:
            return None
        snap = False
    else:
        if not _FLOAT.match(linepos):
            return None
        number = float(linepos)
        if not math.isfinite(number):
            return None
        snap = True
    # an alignment word that is not start/center/end is ignored, the number kept (the browser tests)
    align = linealign if linealign in ("start", "center", "end") else "start"
    return number, snap, align


def cue_box(settings: tuple[tuple[str, str], ...], regions: AbstractSet[str] = frozenset()) -> CueBox:
    """The layout the settings give, by the spec's rules: invalid values are ignored as browsers do.

    ``regions`` are the ids of the file's regions (a ``region:`` naming no region is ignored).
    """
    box = CueBox()
    region: str | None = None
    vertical, line, snap, line_align = "", box.line, True, "start"
    position, position_align, size, align = box.position, "auto", 100.0, "center"
    for name, value in settings:
        if name == "region":
            region = value if value in regions else None
        elif name == "vertical":
            if value in ("rl", "lr"):
                vertical = value
        elif name == "line":
            got = _line_setting(value)
            if got is not None:
                line, snap, line_align = got
        elif name == "position":
            colpos, colalign = value.split(",", 1) if "," in value else (value, None)
            number = _percentage(colpos)
            if number is None:
                continue
            if colalign in ("line-left", "center", "line-right"):
                position_align = colalign  # another word is ignored, the number kept
            position = number
        elif name == "size":
            number = _percentage(value)
            if number is not None:
                size = number
        elif name == "align" and value in ("start", "center", "end", "left", "right"):
            align = value
    if line != "auto" or size != 100.0 or vertical:
        region = None
    return CueBox(region, vertical, line, snap, line_align, position, position_align, size, align)


def split_settings(text: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for token in _split_ws(text):
        if ":" not in token:
            continue
        name, value = token.split(":", 1)
        if name and value:
            out.append((name, value))
    return tuple(out)
