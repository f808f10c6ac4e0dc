"""Tokens: the units a caption line is made of and may break between, and how they join into a line.

A token is a whitespace-separated word, or a whole bracketed annotation such as ``[crosstalk 00:42:40]``
(never split inside); in Chinese and Japanese, a character (or a word, given a word segmenter), with
closing punctuation kept with the unit before it (:func:`tokenize_cjk`). The first step of line breaking:
:mod:`.costs` scores the places between tokens, :mod:`.lines` lays them out; the segmenter
(:mod:`toolkit.segment`) cuts turns into cues along the same tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

__all__ = ["is_annotation", "join_tokens", "tokenize", "tokenize_cjk"]

MAX_BRACKET_TOKENS = 8  # an opening bracket closed within this many words is one token
MAX_BRACKET_CHARS = 40


def tokenize(text: str) -> list[str]:
    """Whitespace-separated words, with a bracketed annotation (``[crosstalk 00:42:40]``) kept as one token.

    ``" ".join(tokenize(t)).split() == t.split()`` always holds: tokens only regroup words.
    """
    words = text.split()
    if "[" not in text:
        return words
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        if "[" in w and "]" not in w[w.rindex("[") :]:
            end = None
            size = len(w)
            for k in range(i + 1, min(n, i + MAX_BRACKET_TOKENS)):
                size += 1 + len(words[k])
                if size > MAX_BRACKET_CHARS or "[" in words[k]:
                    break
                if "]" in words[k]:
                    end = k
                    break
            if end is not None:
                out.append(" ".join(words[i : end + 1]))
                i = end + 1
                continue
        out.append(w)
        i += 1
    return out


def is_annotation(token: str) -> bool:
    """A bracketed annotation that is not spoken, e.g. ``[crosstalk 00:42:40]`` (not ``[Putin]``)."""
    return token.startswith("[") and token.rstrip(".,;:!?").endswith("]") and " " in token


def join_tokens(tokens: Sequence[str], sep: int = 1) -> str:
    """Tokens as a line: joined by spaces, or (``sep=0``) by nothing, as Chinese and Japanese are written
    (a CJK token carries the space that followed it in the text, if any: dropped at a line's ends)."""
    return " ".join(tokens) if sep else "".join(tokens).strip()


# Chinese and Japanese: line breaks go between characters (no spaces), never before closing punctuation
# nor after opening punctuation (Netflix's Chinese and Japanese guides; JIS X 4051 kinsoku shori)
_CJK_CLOSING = frozenset(
    "。，、；：！？…‥・」』）】》〉〕］｝”’%％)]}.,;:!?"  # punctuation
    "ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜"  # small kana, the long-vowel and iteration marks
)
_CJK_OPENING = frozenset("「『（【《〈〔［｛“‘([{")


def _cjk_char(ch: str) -> bool:
    o = ord(ch)
    return 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or o >= 0x20000


def tokenize_cjk(text: str, words: Callable[[str], Iterable[str]] | None = None) -> list[str]:
    """Chinese or Japanese text as the units a line may break between: one character each, a run of
    Latin letters or digits (``iPhone``, ``2023``) kept whole, closing punctuation and small kana joined
    to the unit before, opening punctuation to the unit after. ``words``, when given, splits a run of
    text into words (a word segmenter, e.g. jieba's for Chinese): the characters of one word are then one
    unit, so no line breaks inside a word. A space of the text stays at the end of the unit before it, so
    ``"".join(tokenize_cjk(t))`` is ``t`` with its whitespace runs made single spaces and its ends
    stripped."""
    units: list[str] = []
    pending = ""  # opening punctuation waiting for the unit it opens
    for chunk in text.split():
        i, n = 0, len(chunk)
        first = len(units)
        inside = _inside_words(chunk, words) if words is not None else None
        while i < n:
            ch = chunk[i]
            if ch in _CJK_OPENING:
                pending += ch
                i += 1
                continue
            closing = ch in _CJK_CLOSING and units
            if not pending and (closing or (inside is not None and inside[i] and len(units) > first)):
                units[-1] += ch
                i += 1
                continue
            j = i + 1
            if not _cjk_char(ch) and ch.isalnum():
                while j < n and not _cjk_char(chunk[j]) and (chunk[j].isalnum() or chunk[j] in "'’-.%"):
                    j += 1
                while j > i + 1 and chunk[j - 1] in ".-":  # a sentence's full stop is punctuation
                    j -= 1
            units.append(pending + chunk[i:j])
            pending = ""
            i = j
        if pending:  # opening punctuation at the end of a chunk: keep it with what came before
            if units:
                units[-1] += pending
            else:
                units.append(pending)
            pending = ""
        if units:
            units[-1] += " "
    if units:
        units[-1] = units[-1].rstrip()
    return units


def _inside_words(chunk: str, words: Callable[[str], Iterable[str]]) -> list[bool] | None:
    """Per character of ``chunk``: whether it continues a word of the segmenter's (``None`` when the
    segmenter's words are not the chunk's characters)."""
    inside = [False] * len(chunk)
    at = 0
    for w in words(chunk):
        if not w or chunk[at : at + len(w)] != w:
            return None
        for k in range(at + 1, at + len(w)):
            inside[k] = True
        at += len(w)
    return inside if at == len(chunk) else None
