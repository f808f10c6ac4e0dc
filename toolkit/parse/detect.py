"""Telling caption files from transcripts: by extension first, then by content."""

from __future__ import annotations

import re
from pathlib import Path

from ..captions.scan import SNIFF_LINES, sniff_kind
from ..io import normalise_text

__all__ = ["SNIFF_LINES", "ensure_normalised", "kind_from_extension", "sniff_kind"]

# what toolkit.io.normalise_text replaces; searching first is much faster than translating every text
_NEEDS_NORMALISING = re.compile("[\r\u00a0\u202f\u2007\u200b\u200c\u200d\u2060\ufeff\u2028\u2029]")


def ensure_normalised(text: str) -> str:
    """``toolkit.io.normalise_text(text)``, skipped when there is nothing to replace (the usual case)."""
    return normalise_text(text) if _NEEDS_NORMALISING.search(text) else text


def kind_from_extension(path: str | Path) -> str | None:
    """``"srt"`` or ``"vtt"`` from the file name, else ``None``."""
    suffix = Path(path).suffix.lower()
    return {".srt": "srt", ".vtt": "vtt"}.get(suffix)
