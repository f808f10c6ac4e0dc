"""Text made safe for each caption format: the one place that knows what is markup where.

WebVTT has escapes (``&amp; &lt; &gt;``); SRT has none, so text that players would read as markup
(``<b>``, ``<Who>``, ``{\\an8}``, ``-->``) gets a WORD JOINER (U+2060: zero width, invisible) after its
first character, which keeps every character as written and visible. Speaker labels are written here
too. Writers and the caption-document converter import from this module only (it imports nothing
heavy, so a caption conversion starts fast).
"""

from __future__ import annotations

import re

__all__ = ["JOINER", "SPEAKER_STYLES", "escape_vtt", "speaker_label", "srt_text", "unescape"]

SPEAKER_STYLES = ("upper", "name", "bracket", "none")
JOINER = "\u2060"  # WORD JOINER: zero width, invisible, and it breaks up what players read as markup
_MARKUP = re.compile(r"(<)(?=/?[A-Za-z])|(\{)(?=\\)|(--)(?=>)")


def escape_vtt(text: str) -> str:
    """Escape cue text for WebVTT: ``&``, ``<`` and ``>`` (so ``-->`` cannot appear)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """WebVTT/HTML character references decoded (``html`` and its entity table load only when needed)."""
    if "&" not in text:
        return text
    import html  # lazy: html's entity table (2,231 names) only for text with a reference

    return html.unescape(text)


def srt_text(line: str) -> str:
    """A text line made safe for SRT, which has no escaping: ``<i>``, ``<Who>``, ``{\\an8}`` in a transcript
    are words, not tags players should apply, and ``-->`` would read as a timing line to some parsers. A
    word joiner after the ``<``, ``{`` or ``--`` keeps every character as written and visible."""
    return _MARKUP.sub(lambda m: m.group(0) + JOINER, line)


def speaker_label(speaker: str | None, style: str) -> str:
    """The label written before a speaker's text: ``TUCKER: ``, ``Tucker: ``, ``[Tucker] `` or nothing."""
    if style not in SPEAKER_STYLES:
        raise ValueError(f"unknown speaker style {style!r}; choose from {', '.join(SPEAKER_STYLES)}")
    if not speaker or style == "none":
        return ""
    if style == "upper":
        return f"{srt_text(speaker.upper())}: "
    if style == "name":
        return f"{srt_text(speaker)}: "
    return f"[{srt_text(speaker)}] "
