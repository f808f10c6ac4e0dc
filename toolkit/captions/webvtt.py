"""A WebVTT reader that follows the W3C parsing algorithm (https://w3c.github.io/webvtt/#file-parsing).

The algorithm is the one browsers run, step by step: the signature check, the header block, blocks
collected line by line (an arrow line on a block's first or second line starts a cue; any later arrow
line starts the next block, blank line or not), cue timings parsed by the spec's timestamp rules, cue
settings, STYLE and REGION blocks only before the first cue. What a browser would silently drop (a
block whose timing line cannot be read, stray text, a STYLE block after the cues) is reported as a
``P006`` finding with its line and text, so nothing leaves without a word. NOTE blocks, STYLE, REGION
and the header are kept as written, so a WebVTT file is written back as it came.

``lenient=True`` keeps what browsers drop but a person can read (``00:00:01,000`` with a comma, a file
without the ``WEBVTT`` line), each with a finding that says browsers will not show it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..model import Finding
from ..rules import finding
from ..timecode import TimecodeError, parse_caption_time
from .model import Block, Caption, Captions

__all__ = ["CueBox", "Region", "cue_box", "parse_region", "parse_webvtt", "read_timestamp"]

_WS = " \t\n\f\r"  # ASCII whitespace
_LENIENT_TIMING = re.compile(r"^[ \t]*(\S+?)[ \t]*-->[ \t]*(\S+)(?:[ \t]+(.*?))?[ \t]*$")
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
                lines = int(value)
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


def cue_box(settings: tuple[tuple[str, str], ...], regions: tuple[str, ...] = ()) -> CueBox:
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


def _settings(text: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for token in _split_ws(text):
        if ":" not in token:
            continue
        name, value = token.split(":", 1)
        if name and value:
            out.append((name, value))
    return tuple(out)


def _keyword_block(first: str, word: str) -> bool:
    return first.startswith(word) and first[len(word) :].strip(" \t") == ""


class _Reader:
    def __init__(self, lines: list[str], path: str, lenient: bool) -> None:
        self.lines = lines
        self.path = path
        self.lenient = lenient
        self.i = 0
        self.cues: list[Caption] = []
        self.blocks: list[Block] = []
        self.findings: list[Finding] = []
        self.regions: list[str] = []
        self.seen_cue = False
        self.dropped: list[tuple[int, str, str]] = []  # (line, why, text)

    def block(self, in_header: bool) -> list[str]:
        """Collect one block (the spec's "collect a WebVTT block"); the header lines when ``in_header``."""
        lines = self.lines
        n = len(lines)
        first_line = self.i + 1
        line_count = 0
        prev = self.i
        buffer: list[str] = []
        seen_arrow = False
        cue: tuple[int, int, str, str, int] | None = None  # start, end, settings, id, timing line
        failed: tuple[int, str] | None = None
        kind: str | None = None
        kind_line = ""
        while True:
            line = lines[self.i]
            self.i += 1
            line_count += 1
            eof = self.i >= n
            if "-->" in line:
                if not in_header and (line_count == 1 or (line_count == 2 and not seen_arrow)):
                    seen_arrow = True
                    prev = self.i
                    timing = parse_timing(line)
                    if timing is None and self.lenient:
                        timing = self._lenient_timing(line)
                    if timing is None:
                        cue, failed = None, (self.i, line)
                    else:
                        cue = (timing[0], timing[1], timing[2], "\n".join(buffer), self.i)
                        buffer = []
                        self.seen_cue = True
                else:
                    self.i = prev
                    break
            elif line == "":
                break
            else:
                if not in_header and line_count == 2 and not self.seen_cue and len(buffer) == 1:
                    if _keyword_block(buffer[0], "STYLE"):
                        kind, kind_line, buffer = "STYLE", buffer[0], []
                    elif _keyword_block(buffer[0], "REGION"):
                        kind, kind_line, buffer = "REGION", buffer[0], []
                buffer.append(line)
                prev = self.i
            if eof:
                break
        if in_header:
            return buffer
        if cue is not None:
            start, end, settings, ident, at = cue
            self.cues.append(Caption(start, end, "\n".join(buffer), ident, _settings(settings), at))
        elif kind == "STYLE":
            self.blocks.append(Block("STYLE", "\n".join([kind_line, *buffer]), len(self.cues), first_line))
        elif kind == "REGION":
            body = "\n".join(buffer)
            self.regions.append(parse_region(body).id)
            self.blocks.append(Block("REGION", "\n".join([kind_line, *buffer]), len(self.cues), first_line))
        elif failed is not None:
            at, timing_line = failed
            self.dropped.append(
                (at, f"the timing line {timing_line.strip()!r} cannot be read", "\n".join(buffer))
            )
        elif buffer:
            head = buffer[0]
            if head.startswith("NOTE") and (len(head) == 4 or head[4] in " \t"):
                self.blocks.append(Block("NOTE", "\n".join(buffer), len(self.cues), first_line))
            elif self.seen_cue and (_keyword_block(head, "STYLE") or _keyword_block(head, "REGION")):
                word = head.split()[0]
                self.blocks.append(Block(word, "\n".join(buffer), len(self.cues), first_line))
                self.findings.append(
                    finding(
                        "P006",
                        f"a {word} block after the first cue is ignored by browsers; kept where it is",
                        path=self.path,
                        line=first_line,
                    )
                )
            else:
                self.dropped.append((first_line, "text outside any cue", "\n".join(buffer)))
        return []

    def _lenient_timing(self, line: str) -> tuple[int, int, str] | None:
        m = _LENIENT_TIMING.match(line)
        if not m:
            return None
        try:
            start, end = parse_caption_time(m[1]), parse_caption_time(m[2])
        except TimecodeError:
            return None
        self.findings.append(
            finding(
                "P006",
                f"cue time {line.strip()!r} is not WebVTT syntax: browsers drop this cue; read leniently",
                path=self.path,
                line=self.i,
            )
        )
        return start, end, m[3] or ""

    def skip_blank(self) -> None:
        while self.i < len(self.lines) and self.lines[self.i] == "":
            self.i += 1


def parse_webvtt(
    text: str, *, path: str = "<input>", encoding: str = "utf-8", lenient: bool = False
) -> Captions:
    """Read WebVTT ``text`` as a browser does; what a browser drops is reported (see module doc).

    A text without the ``WEBVTT`` signature is read anyway, with an error finding: browsers load no cue
    from it.
    """
    text = text.replace("\0", "\ufffd")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    reader = _Reader(lines, path, lenient)
    header_parts: list[str] = []
    signed = text.startswith("WEBVTT") and (len(text) == 6 or text[6] in " \t\n")
    if signed or text.startswith("WEBVTT"):
        header_parts.append(lines[0][6:])
        reader.i = 1
        if reader.i < len(lines) and lines[reader.i] != "":
            header_parts.extend(reader.block(in_header=True))
    if not signed:
        reader.findings.append(
            finding(
                "P006",
                "the file does not start with the line WEBVTT: browsers show none of its cues; read anyway",
                path=path,
                line=1,
                severity=None,
            )
        )
    while True:
        reader.skip_blank()
        if reader.i >= len(lines):
            break
        reader.block(in_header=False)
    for line_no, why, body in reader.dropped:
        if not body.strip():
            message = f"{why}; browsers ignore it"
        else:
            message = f"{why}; browsers do not show this text: {body!r}"
        reader.findings.append(finding("P006", message, path=path, line=line_no, text=body))
    reader.findings.sort(key=lambda f: f.line or 0)
    return Captions(
        cues=tuple(reader.cues),
        format="vtt",
        header="\n".join(header_parts),
        blocks=tuple(reader.blocks),
        path=path,
        encoding=encoding,
        findings=tuple(reader.findings),
    )
