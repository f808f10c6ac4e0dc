"""Telling caption files from transcripts: by extension first, then by content."""

from __future__ import annotations

import re
from pathlib import Path

from ..io import normalise_text

__all__ = ["ensure_normalised", "kind_from_extension", "sniff_kind"]

# what toolkit.io.normalise_text replaces; searching first is much faster than translating every text
_NEEDS_NORMALISING = re.compile("[\r\u00a0\u202f\u2007\u200b\u200c\u200d\u2060\ufeff\u2028\u2029]")


def ensure_normalised(text: str) -> str:
    """``toolkit.io.normalise_text(text)``, skipped when there is nothing to replace (the usual case)."""
    return normalise_text(text) if _NEEDS_NORMALISING.search(text) else text


_TIMING = re.compile(r"^[ \t]*\d[\d:.,]*[ \t]*-->[ \t]*\d")
SNIFF_LINES = 50  # non-blank lines looked at


def kind_from_extension(path: str | Path) -> str | None:
    """``"srt"`` or ``"vtt"`` from the file name, else ``None``."""
    suffix = Path(path).suffix.lower()
    return {".srt": "srt", ".vtt": "vtt"}.get(suffix)


def sniff_kind(text: str) -> str:
    """``"vtt"`` for a ``WEBVTT`` header, ``"srt"`` when cue timing lines appear early, else ``"transcript"``.

    Timing lines that carry a word and follow each other with no cue text between them
    (``00:00:01.230 --> 00:00:01.480 So``) are a word-level transcript export, not SRT.
    """
    seen = 0
    timing = 0
    back_to_back = 0
    previous_was_timing = False
    for line in text.split("\n"):
        stripped = line.strip().lstrip("\ufeff")
        if not stripped:
            previous_was_timing = False
            continue
        if seen == 0 and stripped.startswith("WEBVTT"):
            return "vtt"
        is_timing = bool(_TIMING.match(stripped))
        if is_timing:
            timing += 1
            back_to_back += previous_was_timing
        previous_was_timing = is_timing
        seen += 1
        if seen >= SNIFF_LINES:
            break
    if timing >= 3 and back_to_back >= 0.8 * (timing - 1):
        return "transcript"
    return "srt" if timing else "transcript"
