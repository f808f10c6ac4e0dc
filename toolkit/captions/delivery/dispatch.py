"""The delivery formats' entry points: a format named or guessed, then handed to its module.

:func:`dumps_delivery` and :func:`loads_delivery` check what every format shares (the speaker style, the
format's name, ``fps``), keep ttconv's per-caption warnings out of the terminal, and import the one
format module they need only then: each loads its library (ttconv, pycaption, pysubs2), which a
conversion to SRT or WebVTT never pays for. The format table itself is :mod:`toolkit.captions.kinds`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from ...markup import speaker_label
from ...model import Finding
from .. import decode_caption_bytes
from ..document import Captions
from ..kinds import DELIVERY_FORMATS, EXTENSIONS, READ_FORMATS

__all__ = ["delivery_format_for", "dumps_delivery", "frame_rate", "loads_delivery"]


def delivery_format_for(path: str, fmt: str | None = None) -> str:
    """The delivery format named by ``fmt`` or by the file's extension (``.ttml .xml .dfxp .scc .ass .ssa
    .stl``)."""
    if fmt is not None:
        if fmt not in READ_FORMATS:
            raise ValueError(f"unknown delivery format {fmt!r}; choose from {', '.join(READ_FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValueError(f"cannot tell the delivery format from {path!r}; use {', '.join(EXTENSIONS)}")
    return EXTENSIONS[suffix]


def frame_rate(fps: float) -> Fraction:
    """29.97 -> 30000/1001, 23.976 -> 24000/1001, 25 -> 25."""
    rate = Fraction(fps).limit_denominator(1001)
    if rate <= 0:
        raise ValueError("fps must be positive")
    return rate


def dumps_delivery(
    doc: Captions, fmt: str, *, fps: float | None = None, speaker_style: str = "upper"
) -> tuple[str, list[Finding]]:
    """``(text, findings)``: the document written as ``fmt`` (one of :data:`DELIVERY_FORMATS`); the
    findings (``C015``) name the cues whose content the format could not carry as it was.

    ``fps`` counts frames: SCC is 29.97 drop-frame (the only rate CEA-608 has; ``None`` or 29.97); TTML
    with ``fps`` writes ``ttp:frameRate`` and times in frames. ``speaker_style`` is how SCC (which has no
    speaker field) and a second speaker in one ASS/SSA event show a voice: ``upper``, ``name``,
    ``bracket`` or ``none``. ASS and SSA count centiseconds and take no ``fps``.
    """
    speaker_label("x", speaker_style)  # validates the style
    with _quiet_ttconv():
        if fmt == "ttml":
            from .ttml import dumps_ttml  # lazy: ttconv's IMSC reader and writer cost ~60 ms at start-up

            return dumps_ttml(doc, frame_rate(fps) if fps is not None else None)
        if fmt == "scc":
            from .scc import dumps_scc  # lazy: pycaption and ttconv cost ~300 ms at start-up

            return dumps_scc(doc, fps, speaker_style)
    if fmt in ("ass", "ssa"):
        from .ass import dumps_ass  # lazy: pysubs2 costs ~40 ms at start-up

        return dumps_ass(doc, fmt, speaker_style)
    raise ValueError(f"unknown delivery format {fmt!r}; choose from {', '.join(DELIVERY_FORMATS)}")


def loads_delivery(
    data: str | bytes, fmt: str, *, path: str = "<input>", fps: float | None = None
) -> Captions:
    """Read a delivery file (``fmt`` one of :data:`READ_FORMATS`) into a :class:`Captions` document.

    EBU STL is binary: give it as bytes. ``fps`` rounds every cue time to that frame rate's frames.
    """
    if fmt not in READ_FORMATS:
        raise ValueError(f"unknown delivery format {fmt!r}; choose from {', '.join(READ_FORMATS)}")
    with _quiet_ttconv():
        doc = _read(data, fmt, path)
    if fps is None:
        return doc
    rate = frame_rate(fps)
    return doc.map(lambda c: replace(c, start_ms=_snap(c.start_ms, rate), end_ms=_snap(c.end_ms, rate)))


def _read(data: str | bytes, fmt: str, path: str) -> Captions:
    if fmt == "stl":
        if isinstance(data, str):
            raise ValueError("EBU STL is a binary format: give its bytes")
        from .stl import loads_stl  # lazy: ttconv's STL reader costs ~50 ms at start-up

        return loads_stl(data, path)
    if fmt == "ttml":
        from .ttml import loads_ttml  # lazy: ttconv's IMSC reader and writer cost ~60 ms at start-up

        return loads_ttml(data, path)
    text = data if isinstance(data, str) else decode_caption_bytes(data, path=path)[0]
    if fmt == "scc":
        from .scc_read import loads_scc  # lazy: ttconv's SCC reader costs ~50 ms at start-up

        return loads_scc(text, path)
    from .ass import loads_ass  # lazy: pysubs2 costs ~40 ms at start-up

    return loads_ass(text, fmt, path)


def _snap(ms: int, rate: Fraction) -> int:
    """A time rounded to the nearest frame at ``rate``."""
    return round(round(ms * rate / 1000) * 1000 / rate)


@contextlib.contextmanager
def _quiet_ttconv() -> Iterator[None]:
    """ttconv logs a warning per caption for what it guesses (an SCC caption's alignment, a merged
    region); the findings say what matters, so its warnings stay out of the user's terminal meanwhile."""
    logger = logging.getLogger("ttconv")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
