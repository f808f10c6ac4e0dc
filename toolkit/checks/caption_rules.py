"""The caption checks: one function per ``C`` rule, over the raw blocks of an SRT or WebVTT file.

Each check takes the blocks as scanned (times as written plus leniently parsed, payload lines as written)
and a :class:`CaptionContext`, and yields :class:`~toolkit.model.Finding` values. The rule table
(:data:`toolkit.rules.RULES`) names these functions (:data:`CHECKS`); :func:`check_captions` runs the
selected ones. What a check reads, and how characters are counted, is in :mod:`.cue_view`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..captions import Captions
from ..model import Finding, Severity
from ..profiles import Profile
from ..rules import RULES, finding
from ..timecode import format_clock, format_srt, format_vtt, is_strict_srt, is_strict_vtt
from . import limits
from .cue_view import SPACES, VTT_ENTITY, VTT_TAG, BlockLike, CaptionContext, shown_cues, visible_text

__all__ = [
    "CHECKS",
    "BlockLike",
    "CaptionContext",
    "check_captions",
    "check_document",
    "visible_text",
]

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_WEBVTT_HEADER = re.compile(r"^WEBVTT(?:[ \t]|$)")


def _ms(ms: int) -> str:
    return format_clock(ms)


def _timed(blocks: Sequence[BlockLike]) -> Iterator[tuple[int, BlockLike, int, int]]:
    """``(cue number, block, start, end)`` for blocks whose two times were read."""
    for n, b in enumerate(blocks, start=1):
        if b.start_ms is not None and b.end_ms is not None:
            yield n, b, b.start_ms, b.end_ms


# --- the checks, one per rule -------------------------------------------------------------------------


def check_line_length(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C001: a line longer than the profile's characters per line."""
    return limits.check_line_length(shown_cues(blocks, ctx), ctx.profile, ctx.path)


def check_line_count(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C002: more lines than the profile allows."""
    return limits.check_line_count(shown_cues(blocks, ctx), ctx.profile, ctx.path)


def check_reading_speed(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C003: characters per second above the profile's reading speed."""
    return limits.check_reading_speed(shown_cues(blocks, ctx), ctx.profile, ctx.path)


def check_too_short(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C004: shown for less than the profile's minimum duration."""
    return limits.check_too_short(shown_cues(blocks, ctx), ctx.profile, ctx.path)


def check_too_long(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C005: shown for longer than the profile's maximum duration."""
    return limits.check_too_long(shown_cues(blocks, ctx), ctx.profile, ctx.path)


@dataclass(frozen=True, slots=True)
class _Pair:
    """A timed cue with the one before it in file order and the shown cue with the latest end so far."""

    n: int
    block: BlockLike
    start: int
    prev_n: int
    prev_start: int
    latest_n: int  # 0 when no earlier cue was shown
    latest_end: int  # -1 when no earlier cue was shown


def _pairs(blocks: Sequence[BlockLike]) -> Iterator[_Pair]:
    prev: tuple[int, int] | None = None  # (cue, start) of the previous timed cue in file order
    latest = (0, -1)  # (cue, end) with the latest end among shown cues
    for n, b, start, end in _timed(blocks):
        if prev is not None:
            yield _Pair(n, b, start, prev[0], prev[1], latest[0], latest[1])
        prev = (n, start)
        if end > start and end > latest[1]:
            latest = (n, end)


def check_gap(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C006: a gap under the minimum between a cue and the next (:func:`toolkit.checks.limits.check_gaps`)."""
    return limits.check_gaps(shown_cues(blocks, ctx), ctx.profile, ctx.path)


def check_overlap(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C007: a cue starts before an earlier cue has ended (starts going backwards are C008)."""
    for p in _pairs(blocks):
        if p.latest_end < 0 or p.start < p.prev_start:
            continue
        if p.start < p.latest_end:
            overlap = p.latest_end - p.start
            # WebVTT shows overlapping cues together (positioned captions, sound descriptions): legal
            legal = ctx.kind == "vtt"
            yield finding(
                "C007",
                f"cue {p.n} starts at {_ms(p.start)}, {overlap} ms before cue {p.latest_n} ends "
                f"({_ms(p.latest_end)})" + ("; WebVTT shows both at once" if legal else ""),
                severity=Severity.INFO if legal else None,
                path=ctx.path,
                line=p.block.line,
                cue=p.n,
                start_ms=p.start,
                overlap_ms=overlap,
                other_cue=p.latest_n,
                other_end_ms=p.latest_end,
            )


def check_start_backwards(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C008: a cue starts before the previous cue's start."""
    for p in _pairs(blocks):
        if p.start < p.prev_start:
            yield finding(
                "C008",
                f"cue {p.n} starts at {_ms(p.start)}, before cue {p.prev_n} ({_ms(p.prev_start)})",
                path=ctx.path,
                line=p.block.line,
                cue=p.n,
                start_ms=p.start,
                previous_start_ms=p.prev_start,
                previous_cue=p.prev_n,
                backwards_ms=p.prev_start - p.start,
            )


def check_end_after_start(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C009: a cue ends at or before its start."""
    for n, b, start, end in _timed(blocks):
        if end <= start:
            what = "at" if end == start else "before"
            yield finding(
                "C009",
                f"cue {n} ends {what} its start ({b.start_text} --> {b.end_text})",
                path=ctx.path,
                line=b.line,
                cue=n,
                start_ms=start,
                end_ms=end,
            )


def check_empty(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C010: a cue with no visible text."""
    for n, b in enumerate(blocks, start=1):
        if not any(visible_text(raw, ctx.text_kind).strip() for raw in b.lines):
            yield finding("C010", f"cue {n} has no text", path=ctx.path, line=b.line, cue=n)


def check_timestamp_syntax(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C011: a cue time not written as the format requires; a WebVTT file without its WEBVTT line."""
    if ctx.kind == "vtt" and ctx.first_line is not None and not _WEBVTT_HEADER.match(ctx.first_line):
        yield finding(
            "C011",
            "a WebVTT file must start with a WEBVTT line",
            path=ctx.path,
            line=1,
            first_line=ctx.first_line[:80],
        )
    strict = is_strict_vtt if ctx.kind == "vtt" else is_strict_srt
    form = "[hh:]mm:ss.ttt" if ctx.kind == "vtt" else "hh:mm:ss,mmm"
    for n, b in enumerate(blocks, start=1):
        bad = list(dict.fromkeys(t for t in (b.start_text, b.end_text) if not strict(t)))
        if bad:
            shown = " and ".join(repr(t) for t in bad)
            verb = "is not a valid time" if len(bad) == 1 else "are not valid times"
            yield finding(
                "C011",
                f"cue {n}: {shown} {verb} in {ctx.kind.upper()} ({form})",
                path=ctx.path,
                line=b.line,
                cue=n,
                times=bad,
                expected=form,
            )


_SRT_TAG_LIKE = re.compile(r"</?([A-Za-z][\w-]*)[^<>]*>")
_SRT_TAGS = frozenset({"i", "b", "u", "s", "font"})


def _srt_markup(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """SRT has no escaping: text shaped like a tag other than the few players apply is hidden by them."""
    for n, b in enumerate(blocks, start=1):
        for i, raw in enumerate(b.lines, start=1):
            if "<" not in raw:
                continue
            odd = [m[0] for m in _SRT_TAG_LIKE.finditer(raw) if m[1].lower() not in _SRT_TAGS]
            if odd:
                yield finding(
                    "C012",
                    f"cue {n}: {', '.join(repr(t) for t in odd[:3])} in line {i} reads as markup: "
                    "players hide it (captionkit writes such text with a word joiner after the '<')",
                    severity=Severity.WARNING,
                    path=ctx.path,
                    line=b.line + i,
                    cue=n,
                    markup=odd,
                    cue_line=i,
                )


def check_markup(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C012: a bare ``&`` (not an entity) or ``<`` (not a tag) in WebVTT cue text; in SRT, text shaped
    like a tag players do not apply (``<Who>``), which they hide."""
    if ctx.text_kind == "srt":
        yield from _srt_markup(blocks, ctx)
        return
    if ctx.text_kind != "vtt":
        return
    for n, b in enumerate(blocks, start=1):
        for i, raw in enumerate(b.lines, start=1):
            if "&" not in raw and "<" not in raw:
                continue
            rest = VTT_TAG.sub("", raw)
            rest = VTT_ENTITY.sub("", rest)
            bare = sorted({ch for ch in rest if ch in "&<"})
            if bare:
                shown = " and ".join(repr(ch) for ch in bare)
                escapes = " and ".join({"&": "&amp;", "<": "&lt;"}[ch] for ch in bare)
                # a bare '<' opens a tag and hides text; a bare '&' is shown as it is by every browser
                hidden = ""
                if "<" in bare:  # what the tag it opens swallows: shown by no player, carried by no writer
                    swallowed = _swallowed(raw)
                    hidden = f" (it hides {swallowed[:40]!r}{'...' if len(swallowed) > 40 else ''})"
                yield finding(
                    "C012",
                    f"cue {n}: bare {shown} in line {i}{hidden}; write {escapes}",
                    severity=None if "<" in bare else Severity.INFO,
                    path=ctx.path,
                    line=b.line + i,
                    cue=n,
                    characters=bare,
                    cue_line=i,
                )


def _swallowed(raw: str) -> str:
    """The text a bare ``<`` of a WebVTT cue line takes into a tag: from it to the next ``>`` (the spec's
    tokenizer), or to the line's end."""
    tags = {m.start() for m in VTT_TAG.finditer(raw)}
    at = next((i for i, ch in enumerate(raw) if ch == "<" and i not in tags), raw.find("<"))
    close = raw.find(">", at)
    return raw[at : close + 1] if close >= 0 else raw[at:]


def _voice(b: BlockLike) -> str:
    for raw in b.lines:
        m = _VOICE.search(raw)
        if m:
            return m[1].strip().casefold()
    return ""


def _normal(b: BlockLike, kind: str) -> str:
    return SPACES.sub(" ", " ".join(visible_text(raw, kind) for raw in b.lines)).strip().casefold()


def check_repeated(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C013: a cue carries the same text as the cue before it (case, tags and spacing ignored).

    Two speakers saying the same words (``<v Tucker>No.`` then ``<v Lavrov>No.``; in SRT the speaker label
    is part of the text) is an echo, not a repeat.
    """
    prev = ("", "")
    for n, b in enumerate(blocks, start=1):
        text = _normal(b, ctx.text_kind)
        key = (_voice(b), text)
        if text and key == prev:
            yield finding(
                "C013",
                f"cue {n} repeats the text of cue {n - 1}",
                path=ctx.path,
                line=b.line,
                cue=n,
                previous_cue=n - 1,
                text=text[:80],
            )
        prev = key


def check_past_end(blocks: Sequence[BlockLike], ctx: CaptionContext) -> Iterator[Finding]:
    """C014: a cue that ends after the end of the media (needs the media duration)."""
    if ctx.duration_ms is None:
        return
    media_end = ctx.duration_ms
    for n, b, start, end in _timed(blocks):
        last = max(start, end)
        if last > media_end:
            if start >= media_end:
                msg = f"cue {n} starts at {_ms(start)}, after the media ends ({_ms(media_end)})"
            else:
                msg = (
                    f"cue {n} ends at {_ms(last)}, {last - media_end} ms after the media ends "
                    f"({_ms(media_end)})"
                )
            yield finding(
                "C014",
                msg,
                path=ctx.path,
                line=b.line,
                cue=n,
                start_ms=start,
                end_ms=end,
                duration_ms=media_end,
                past_ms=last - media_end,
            )


CaptionCheck = Callable[[Sequence[BlockLike], CaptionContext], Iterable[Finding]]
# the functions the rule table's ``check`` column names (toolkit.rules.Rule.check), by name
CHECKS: dict[str, CaptionCheck] = {
    check.__name__: check
    for check in (
        check_line_length,
        check_line_count,
        check_reading_speed,
        check_too_short,
        check_too_long,
        check_gap,
        check_overlap,
        check_start_backwards,
        check_end_after_start,
        check_empty,
        check_timestamp_syntax,
        check_markup,
        check_repeated,
        check_past_end,
    )
}


def check_captions(
    blocks: Sequence[BlockLike], ctx: CaptionContext, *, codes: Sequence[str] | None = None
) -> list[Finding]:
    """Run the caption checks of the rule table (all ``C`` rules, or only ``codes``), sorted by line."""
    out: list[Finding] = []
    for rule in RULES:
        if rule.applies_to != "captions" or rule.check is None:
            continue
        if codes is not None and rule.code not in codes:
            continue
        out.extend(CHECKS[rule.check](blocks, ctx))
    out.sort(key=lambda f: (f.line or 0, f.code, f.cue or 0))
    return out


class _CueBlock:
    """A caption-document cue seen as a scanned block (what the checks read); times as text on demand."""

    __slots__ = ("_format", "end_ms", "line", "lines", "start_ms")

    def __init__(self, line: int, start_ms: int, end_ms: int, lines: tuple[str, ...], fmt: str) -> None:
        self.line, self.start_ms, self.end_ms, self.lines, self._format = line, start_ms, end_ms, lines, fmt

    @property
    def start_text(self) -> str:
        return (format_vtt if self._format == "vtt" else format_srt)(self.start_ms)

    @property
    def end_text(self) -> str:
        return (format_vtt if self._format == "vtt" else format_srt)(self.end_ms)


def check_document(
    captions: Captions,
    *,
    profile: Profile,
    duration_ms: int | None = None,
    codes: Sequence[str] | None = None,
) -> list[Finding]:
    """The caption checks (``C`` rules) on a caption document, with its own cue numbers and lines."""
    fmt = captions.format
    blocks = [
        _CueBlock(c.line or 0, c.start_ms, c.end_ms, tuple(c.text.split("\n")), fmt) for c in captions.cues
    ]
    ctx = CaptionContext(
        path=captions.path or "<input>",
        kind=captions.format,
        profile=profile,
        duration_ms=duration_ms,
        syntax="vtt",
    )
    return check_captions(blocks, ctx, codes=codes)
