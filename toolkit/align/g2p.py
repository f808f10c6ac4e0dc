"""Pronunciations (ARPAbet) for words missing from the dictionary, by letter-to-sound rules.

Names such as Lavrov, Zelensky, Donbas or Navalny are not in the CMU dictionary. The aligner needs a
plausible phone sequence, not a perfect one: a vowel of the wrong colour costs a few milliseconds, a
missing word costs the whole turn. So this is a small greedy longest-match rule set over letter groups,
written for names and foreign words read the English way, with no data file and no external program.

    >>> g2p("lavrov")
    'L AE V R AA V'

Short all-consonant words (acronyms such as "NSA") are spelled letter by letter.
"""

from __future__ import annotations

import re

VOWELS = frozenset("aeiouy")

# Letter names, for spelling acronyms.
LETTER_NAMES: dict[str, str] = {
    "a": "EY", "b": "B IY", "c": "S IY", "d": "D IY", "e": "IY", "f": "EH F", "g": "JH IY", "h": "EY CH",
    "i": "AY", "j": "JH EY", "k": "K EY", "l": "EH L", "m": "EH M", "n": "EH N", "o": "OW", "p": "P IY",
    "q": "K Y UW", "r": "AA R", "s": "EH S", "t": "T IY", "u": "Y UW", "v": "V IY", "w": "D AH B AH L Y UW",
    "x": "EH K S", "y": "W AY", "z": "Z IY",
}  # fmt: skip

# Letter groups, longest first within each start letter (the matcher tries lengths 4..1).
GROUPS: dict[str, str] = {
    # consonant groups
    "tsch": "CH", "sch": "SH", "tch": "CH", "shch": "SH CH", "zh": "ZH", "kh": "K", "ch": "CH", "sh": "SH",
    "th": "TH", "ph": "F", "gh": "G", "ck": "K", "ng": "NG", "qu": "K W", "wh": "W", "ts": "T S", "tz": "T S",
    "dzh": "JH", "dj": "JH", "x": "K S", "j": "JH", "q": "K", "c": "K", "w": "W", "b": "B", "d": "D",
    "f": "F", "g": "G", "h": "HH", "k": "K", "l": "L", "m": "M", "n": "N", "p": "P", "r": "R", "s": "S",
    "t": "T", "v": "V", "z": "Z",
    # vowel groups
    "iya": "IY AH", "ya": "Y AA", "yu": "Y UW", "yo": "Y OW", "ye": "Y EH",
    "eau": "OW", "ee": "IY", "ea": "IY", "oo": "UW", "ou": "AW", "ow": "OW", "oi": "OY", "oy": "OY",
    "ai": "AY", "ay": "EY", "ei": "EY", "ey": "EY", "ie": "IY", "au": "AW", "aw": "AO", "ia": "IY AH",
    "io": "IY OW", "ue": "UW", "ui": "UW IY", "er": "ER", "ir": "ER", "ur": "ER",
    "a": "AE", "e": "EH", "i": "IH", "o": "AA", "u": "UW", "y": "IY",
}  # fmt: skip

_PHONES = (
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH"
)
VALID_PHONES = frozenset(_PHONES.split())


def spell(word: str) -> str:
    """The letter names of ``word`` ("nsa" -> "EH N EH S EY")."""
    return " ".join(LETTER_NAMES[c] for c in word.lower() if c in LETTER_NAMES)


def g2p(word: str) -> str:
    """An ARPAbet pronunciation of ``word`` (lower-case letters and apostrophes)."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        raise ValueError(f"no letters to pronounce in {word!r}")
    if len(w) <= 5 and not (set(w) & VOWELS):
        return spell(w)
    phones: list[str] = []
    i = 0
    n = len(w)
    while i < n:
        # silent final e after a consonant ("kate"), and doubled consonants read once
        if w[i] == "e" and i == n - 1 and n > 3 and w[i - 1] not in VOWELS:
            break
        if i > 0 and w[i] == w[i - 1] and w[i] not in VOWELS:
            i += 1
            continue
        if w[i] == "c" and i + 1 < n and w[i + 1] in "eiy":
            phones.append("S")
            i += 1
            continue
        if w[i] == "y" and i == 0 and n > 1:
            phones.append("Y")
            i += 1
            continue
        if w.startswith(("kn", "wr", "ps"), i) and i == 0:
            i += 1
            continue
        for size in (4, 3, 2, 1):
            group = w[i : i + size]
            if len(group) == size and group in GROUPS:
                if group in ("er", "ir", "ur") and i + 2 < n and w[i + 2] in VOWELS:
                    continue  # "era", "iron": vowel + r + vowel, not ER
                phones.extend(GROUPS[group].split())
                i += size
                break
        else:
            i += 1  # a letter with no rule (cannot happen for a-z)
    if not any(p[0] in "AEIOU" for p in phones):
        phones.append("AH")
    return " ".join(phones)
