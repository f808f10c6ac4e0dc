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

from ..model import Finding
from ..rules import finding
from ..timecode import TimecodeError, parse_caption_time
from .document import Block, Caption, Captions
from .webvtt_syntax import (
    LENIENT_TIMING,
    CueBox,
    Region,
    cue_box,
    parse_region,
    parse_timing,
    read_timestamp,
    split_settings,
)

__all__ = ["CueBox", "Region", "cue_box", "parse_region", "parse_webvtt", "read_timestamp"]


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
            self.cues.append(Caption(start, end, "\n".join(buffer), ident, split_settings(settings), at))
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
        m = LENIENT_TIMING.match(line)
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
