"""Text normalisation for the aligner only: what a speaker says for each word the transcript writes.

The captions keep the transcript's text; this module only tells the acoustic aligner what to listen for.
:func:`normalize` splits a turn's text at whitespace into *original words* and gives each the spoken tokens
it stands for, so an aligned token maps back to the word it came from::

    >>> [(t.text, t.spoken) for t in normalize("In 2022, $5 billion.")]  # doctest: +NORMALIZE_WHITESPACE
    [('In', ('in',)), ('2022,', ('twenty', 'twenty', 'two')), ('$5', ('five',)),
     ('billion.', ('billion', 'dollars'))]

A word can expand to several tokens ("2022" -> three) or to none (``[applause]``, a dash); the Word the
aligner returns keeps the original text with the span of all its tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from num2words import num2words

# Abbreviations said as a word (keys lower-case, without the final dot).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "mr": ("mister",),
    "mrs": ("missus",),
    "ms": ("miz",),
    "dr": ("doctor",),
    "prof": ("professor",),
    "st": ("saint",),
    "gen": ("general",),
    "sen": ("senator",),
    "rep": ("representative",),
    "gov": ("governor",),
    "pres": ("president",),
    "jr": ("junior",),
    "sr": ("senior",),
    "vs": ("versus",),
    "etc": ("etcetera",),
    "approx": ("approximately",),
    "no": ("number",),  # only with a following digit, see _expand
    "jan": ("january",),
    "feb": ("february",),
    "mar": ("march",),
    "apr": ("april",),
    "aug": ("august",),
    "sept": ("september",),
    "sep": ("september",),
    "oct": ("october",),
    "nov": ("november",),
    "dec": ("december",),
    "e.g": ("for", "example"),
    "i.e": ("that", "is"),
}
SCALES = frozenset({"thousand", "million", "billion", "trillion", "hundred"})
CURRENCIES: dict[str, tuple[str, str]] = {
    "$": ("dollar", "dollars"),
    "€": ("euro", "euros"),
    "£": ("pound", "pounds"),
}

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"', "„": '"'})
_DASHES = re.compile(r"[‐‑‒–—―]")
_NUMBER = re.compile(
    r"^(?P<cur>[$€£])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?P<suf>%|s|'s|st|nd|rd|th|k|m|bn)?$",
    re.IGNORECASE,
)
_INITIALS = re.compile(r"^(?:[a-z]\.){2,}$", re.IGNORECASE)  # U.S. U.N. e.g. (handled earlier)
_LETTERS_DIGITS = re.compile(r"^([a-z]+)(\d+)$|^(\d+)([a-z]+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Token:
    """One original word of the transcript and the spoken tokens (lower-case) the aligner listens for."""

    index: int  # position among the whitespace-separated words of the text
    text: str  # the word as written
    spoken: tuple[str, ...]


def normalize(text: str) -> list[Token]:
    """Split ``text`` at whitespace and give each word its spoken form (possibly empty)."""
    words = text.split()
    out: list[Token] = []
    silent = _annotations(words)
    carry: tuple[str, ...] = ()  # "dollars" waiting for a scale word ("$5 billion")
    for i, word in enumerate(words):
        if i in silent:
            out.append(Token(i, word, ()))
            continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        spoken, pending = _expand(word, nxt)
        if carry:
            if spoken and spoken[-1] in SCALES:
                spoken = (*spoken, *carry)
            elif out:
                prev = out[-1]
                out[-1] = Token(prev.index, prev.text, (*prev.spoken, *carry))
            carry = ()
        carry = pending
        out.append(Token(i, word, spoken))
    if carry and out:
        prev = out[-1]
        out[-1] = Token(prev.index, prev.text, (*prev.spoken, *carry))
    return out


MAX_PAREN_ANNOTATION_WORDS = 3  # "(laughs)", "(inaudible 00:12)", "(both talking)": longer (...) is speech


def _annotations(words: Sequence[str]) -> set[int]:
    """Indices of the words inside annotations, which are not spoken: every ``[...]`` (transcripts'
    convention for ``[applause]``, ``[crosstalk]``), and a ``(...)`` of at most
    ``MAX_PAREN_ANNOTATION_WORDS`` words (``(laughs)``); a longer parenthesis is read aloud ("dated
    (which also was printed at Maintz in 1462) imitates")."""
    out: set[int] = set()
    i = 0
    while i < len(words):
        w = words[i]
        if not w.startswith(("[", "(")):
            i += 1
            continue
        square = w.startswith("[")
        depth, j = 0, i
        while j < len(words):
            depth += words[j].count("[") + words[j].count("(") - words[j].count("]") - words[j].count(")")
            if depth <= 0:
                break
            j += 1
        j = min(j, len(words) - 1)
        if square or j - i + 1 <= MAX_PAREN_ANNOTATION_WORDS:
            out.update(range(i, j + 1))
        i = j + 1
    return out


def spoken_words(text: str) -> list[str]:
    """All spoken tokens of ``text`` in order (what ``set_align_text`` gets)."""
    return [s for t in normalize(text) for s in t.spoken]


def _expand(word: str, nxt: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Spoken tokens for one written word, plus tokens to append after a following scale word."""
    w = _DASHES.sub("-", word.translate(_QUOTES)).strip('"*_#~^|<>{}')
    w = w.strip(',;:!?…()[]"')
    if not w:
        return (), ()
    if w.endswith(".") and not _INITIALS.match(w):
        key = w[:-1].lower()
        if key in ABBREVIATIONS and (key != "no" or re.match(r"^\d", nxt)):
            return ABBREVIATIONS[key], ()
        w = w.rstrip(".")
    key = w.lower().rstrip(".")
    if key in ABBREVIATIONS and "." in w:
        return ABBREVIATIONS[key], ()
    if _INITIALS.match(w):  # U.S., U.N., D.C.
        return tuple(c.lower() for c in w if c.isalpha()), ()
    w = w.strip(".'")
    if not w:
        return (), ()
    if w == "&":
        return ("and",), ()
    m = _NUMBER.match(w)
    if m:
        return _number(m, nxt)
    if "-" in w or "/" in w:  # G-20, COVID-19, well-known, 9/11
        parts = [p for p in re.split(r"[-/]+", w) if p]
        out: list[str] = []
        pending: tuple[str, ...] = ()
        for p in parts:
            s, pending = _expand(p, nxt)
            out.extend(s)
        return tuple(out), pending
    m2 = _LETTERS_DIGITS.match(w)
    if m2:  # G20, 5G
        a, b = (m2.group(1), m2.group(2)) if m2.group(1) else (m2.group(3), m2.group(4))
        sa, _ = _expand(a, "")
        sb, _ = _expand(b, "")
        return (*sa, *sb), ()
    if w.isupper() and w.isalpha() and len(w) >= 2 and (len(w) <= 3 or not set(w) & set("AEIOUY")):
        return (".".join(w.lower()) + ".",), ()  # an acronym "n.s.a.": the engine spells it unless known
    cleaned = re.sub(r"[^a-z']", " ", w.lower().replace("%", " percent "))
    return tuple(t.strip("'") for t in cleaned.split() if t.strip("'")), ()


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.sub(r"[^a-z']", " ", text.lower()).split())


def _number(m: re.Match[str], nxt: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    digits = m.group("int").replace(",", "")
    frac = m.group("frac")
    suf = (m.group("suf") or "").lower()
    cur = m.group("cur")
    value = int(digits)
    pending: tuple[str, ...] = ()
    if frac:
        spoken = _words(num2words(float(digits + frac)))
    elif suf in ("st", "nd", "rd", "th"):
        spoken = _words(num2words(value, to="ordinal"))
    elif suf in ("s", "'s") and value >= 10:  # 1990s, 80s
        spoken = _plural(_year_or_cardinal(digits, value))
    elif cur is None and "," not in m.group("int") and len(digits) == 4 and _is_year_like(value, nxt):
        spoken = _words(num2words(value, to="year"))
    else:
        spoken = _words(num2words(value))
    if suf == "%":
        spoken = (*spoken, "percent")
    elif suf == "k":
        spoken = (*spoken, "thousand")
    elif suf == "m":
        spoken = (*spoken, "million")
    elif suf == "bn":
        spoken = (*spoken, "billion")
    if cur:
        unit = CURRENCIES[cur][0 if value == 1 and not frac else 1]
        scale = nxt.strip(".,;:!?").lower()
        if scale in SCALES or suf in ("k", "m", "bn"):
            if suf in ("k", "m", "bn"):
                spoken = (*spoken, unit)
            else:
                pending = (unit,)
        else:
            spoken = (*spoken, unit)
    return spoken, pending


def _is_year_like(value: int, nxt: str) -> bool:
    unit = nxt.strip(".,;:!?").lower()
    if unit in SCALES or unit in {"people", "dollars", "soldiers", "troops", "times", "percent"}:
        return False
    return 1100 <= value <= 2099


def _year_or_cardinal(digits: str, value: int) -> tuple[str, ...]:
    if len(digits) == 4:
        return _words(num2words(value, to="year"))
    return _words(num2words(value))


def _plural(spoken: tuple[str, ...]) -> tuple[str, ...]:
    if not spoken:
        return spoken
    last = spoken[-1]
    if last.endswith("y"):
        last = last[:-1] + "ies"
    elif last.endswith(("x", "s")):
        last += "es"
    else:
        last += "s"
    return (*spoken[:-1], last)
