"""The CEA-608 character set: what an SCC caption can show, and the nearest for what it cannot.

CEA-608 has standard characters (one byte), special ones (0x11 0x3X) and extended ones (0x12/0x13
0x2X-0x3X) that a decoder draws over the character sent just before them, so each extended character is
sent after a standard stand-in (``naïve``: ``i`` then ``ï``) and a decoder without it still shows a
letter. Any other character is written as the nearest the set has (``“`` as ``"``, ``Œ`` as ``OE``,
an accented letter without its accent, else ``?``), and the SCC writer (:mod:`.scc`) reports each one.
The tables come from pycaption (its SCC constants), so this module loads only when SCC is written.
"""

from __future__ import annotations

import functools
import unicodedata

from pycaption.scc.constants import (  # type: ignore[import-untyped]
    CHARACTER_TO_CODE,
    SPECIAL_OR_EXTENDED_CHAR_TO_CODE,
)

__all__ = ["cea608_cell"]

_TYPOGRAPHIC = {
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "–": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "−": "-",
    "—": "--",
    "―": "--",
    "…": "...",
}
_LETTERS = {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
            "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "€": "EUR", "×": "x", "·": "."}  # fmt: skip
_FALLBACK = {"*": ".", "{": "(", "}": ")", "\\": "/", "^": "'", "_": "-", "~": "-", "|": "!", "¦": "!",
             "©": "c", "℠": "s", "•": ".", "«": '"', "»": '"', "¥": "Y", "¤": "o", "ß": "s",
             "┌": "+", "┐": "+", "└": "+", "┘": "+"}  # fmt: skip

_STANDARD = frozenset(CHARACTER_TO_CODE)
_SPECIAL = frozenset(c for c, code in SPECIAL_OR_EXTENDED_CHAR_TO_CODE.items() if code[:2] in ("91", "19"))
_EXTENDED = frozenset(c for c, code in SPECIAL_OR_EXTENDED_CHAR_TO_CODE.items() if code[:2] in ("92", "13"))


def cea608_cell(ch: str) -> tuple[str, str]:
    """``(sent, shown)``: the characters to send for ``ch`` (an extended one after its standard stand-in)
    and what a viewer sees (``shown != ch``: a replacement to report)."""
    if ch in _STANDARD or ch in _SPECIAL:
        return ch, ch
    if ch in _EXTENDED and ch not in _TYPOGRAPHIC:
        return _fallback(ch) + ch, ch
    shown = _nearest(ch)
    sent = "".join(_fallback(c) + c if c in _EXTENDED else c for c in shown)
    return sent, shown


def _fallback(ch: str) -> str:
    """The standard character sent before an extended one (what a decoder without it shows)."""
    if ch in _FALLBACK:
        return _FALLBACK[ch]
    base = unicodedata.normalize("NFKD", ch)[:1]
    return base if base in _STANDARD else " "


@functools.cache
def _nearest(ch: str) -> str:
    """What CEA-608 shows for a character outside its set (``""``: nothing, for a zero-width one)."""
    if ch in _TYPOGRAPHIC:
        return _TYPOGRAPHIC[ch]
    if ch in _LETTERS:
        return _LETTERS[ch]
    if unicodedata.category(ch) == "Cf":
        return ""  # zero width: joiners, bidi marks, soft hyphen
    if ch.isspace():
        return " "
    decomposed = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    ok = decomposed and all(c in _STANDARD or c in _SPECIAL or c in _EXTENDED for c in decomposed)
    return decomposed if ok else "?"
