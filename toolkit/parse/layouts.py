"""The transcript layouts captionkit recognises, as data: one :class:`Layout` per shape seen in the wild.

Each layout says which lines start a turn (``starts``: regexes with the groups ``ts`` and optionally
``name`` and ``text``) and which timed lines continue the previous speaker (``same_speaker``). Detection
counts, for every layout, the lines it would read as turn starts and picks the layout with the most
(ties go to the more specific layout, earlier in :data:`LAYOUTS`). Timestamps are matched loosely here
(``00:61:00`` is a turn start) and read by :func:`toolkit.timecode.parse_timestamp`, which says what is
wrong with a malformed one.

Brackets that hold anything besides a timestamp (``[crosstalk 00:42:40]``, ``[T]he``, ``[Putin]``) are
never turn starts: every pattern anchors the timestamp in a bracket of its own or at a fixed place. A
bracketed timestamp may be a range (``[00:00.000 --> 00:04.000]``, as Whisper prints): the second time is
the turn's end. A bare ``[HH:MM:SS]`` inside the text of a speaker layout starts a new turn of the same
speaker (transcripts stamp long turns every 30 s or so); see :mod:`toolkit.parse.classify`.

Speaker labels (``NAME``) are the same in every layout: a name of up to six words (``Dr. Smith``,
``Mr. O'Brien``, ``José Álvarez``, ``Speaker 1``, ``SPEAKER_00``), optionally with a role in one of the
forms of :data:`ROLE_FORMS`: ``Tucker Carlson (Host)``, ``Jane Doe, CEO``. The caption speaker is the
person's name (:func:`split_label`; ``Speaker 1 (Dr. Smith)`` is Dr. Smith) and the parser reports the
part it leaves out as ``P007`` with the lines of its turns, so nothing is dropped silently. A role needs a
name capitalised word by word; the comma form also needs two name words, not starting like a sentence
(``In Moscow, Russia``), and a capitalised role, so that ``Well, sure [00:12:03] yes.`` stays text.

Layouts (name: shape):

* ``name-bracket-time``: ``Name [HH:MM:SS] text``
* ``time-name-colon``: ``[HH:MM:SS] Name: text``, ``[M:SS] Name : text``, ``[a --> b] SPEAKER_00: text``
* ``name-colon-bracket``: ``Name: [HH:MM:SS] text``
* ``name-paren-time``: ``Name (MM:SS):`` then text (or text on the line); ``(MM:SS):`` same speaker
* ``time-name-line``: ``[HH:MM:SS] Name`` then text lines
* ``bracket-name-time-line``: ``[Name] HH:MM:SS`` then text lines (Zoom)
* ``name-colon-time-line``: ``Name: HH:MM:SS`` then text lines
* ``otter``: ``Name  M:SS`` then text lines
* ``word-level``: ``start [end] word`` per line, grouped into sentences
* ``youtube``: a bare ``M:SS`` line, then text
* ``time-text``: ``M:SS text`` (no brackets, no speaker)
* ``inline``: ``[00:00:05] text [00:00:07] text`` (also Whisper's ``[a --> b]  text``)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..text import is_abbreviation

__all__ = [
    "CHAPTER",
    "INLINE_TS",
    "LAYOUTS",
    "LAYOUTS_BY_NAME",
    "NAME",
    "NAME_BARE",
    "ROLE_FORMS",
    "TS",
    "Layout",
    "RoleForm",
    "detect_layout",
    "match_start",
    "plausible_name",
    "reads_as_speech",
    "split_label",
    "starts_like_sentence",
]

# loose: M:SS .. HH:MM:SS:FF, fraction with . or , -- the timecode module decides whether it is a time
TS = r"\d{1,3}(?::\d{1,2}){1,3}(?:[.,]\d{1,3})?"
# up to n + 1 words of letters, digits and name punctuation (no brackets, colons, commas), the first
# starting with a letter; a speaker name has up to six
_WORDS = r"[^\W\d_][\w.'’&\-]*(?:[ \t]+[\w.'’&\-]+){{0,{n}}}"
_NAME_WORDS = _WORDS.format(n=5)


@dataclass(frozen=True, slots=True)
class RoleForm:
    """A way a speaker label adds a role or affiliation to the name (the regex's group ``role``)."""

    name: str
    pattern: str  # what follows the name
    min_name_words: int = 1  # fewer name words: not a label ("Well, Tucker" is a sentence)
    capitalised: bool = False  # every role word capitalised, a number or a connector ("Head of Research")
    no_opener: bool = False  # the name does not start with a sentence opener ("In Moscow, Russia")


# Labels that add a role. The name before it must be capitalised word by word (a strict name); the
# caption label is the name and the role is reported (see :func:`split_label`).
ROLE_FORMS: tuple[RoleForm, ...] = (
    # Tucker Carlson (Host), Sen. Graham (R-SC), Speaker 1 (Dr. Smith)
    RoleForm("paren", r"[ \t]*\((?P<role>[^\W\d_][^()\[\]:\n]{0,39})\)"),
    # Jane Doe, CEO; Mr. O'Brien, Head of Research (a suffix such as "Jr." is part of the name)
    RoleForm(
        "comma", rf",[ \t]*(?P<role>{_WORDS.format(n=4)})", min_name_words=2, capitalised=True, no_opener=True
    ),
)
_ROLE = "|".join(form.pattern.replace("(?P<role>", "(?:") for form in ROLE_FORMS)
# a directory's "Last, First" before an organisation in parentheses (Teams: "Takeshima, Rey (Contoso)");
# without the parentheses "Takeshima, Rey" reads as the comma form (a name and a role) and is refused
_LAST_FIRST = rf",[ \t]*{_WORDS.format(n=1)}(?={ROLE_FORMS[0].pattern.replace('(?P<role>', '(?:')})"
_LAST_FIRST_PART = {"paren": f"(?:{_LAST_FIRST})?", "comma": ""}
# a speaker label: a name, optionally with a role (the whole label is the group ``name``)
NAME = rf"(?P<name>{_NAME_WORDS}(?:{_LAST_FIRST})?(?:{_ROLE})?)"
NAME_BARE = NAME.replace("(?P<name>", "(?:")  # the same label, without the group
_SEP = r"[ \t]*(?:[:\-–—][ \t]*)?"
_WORD_SPEAKER = r"(?:Unknown[ \t]+)?Speaker[ \t]+\d{1,3}"  # Word's Transcribe names speakers so
# an optional end time: "[00:00.000 --> 00:04.000]" (Whisper), "[00:00:05 - 00:00:09]"
_RANGE = rf"(?:[ \t]*(?:-->|[-–—])[ \t]*(?P<end>{TS}))?"
BR = rf"\[(?P<ts>{TS}){_RANGE}\]"  # a timestamp (or range) alone in square brackets


@dataclass(frozen=True, slots=True)
class Layout:
    """A transcript layout: how a turn start looks, with an example for the docs and tests."""

    name: str
    description: str
    example: str
    starts: tuple[re.Pattern[str], ...]
    same_speaker: re.Pattern[str] | None = None  # a timed line that continues the previous speaker
    speakers: bool = True  # False: the layout names no speakers (YouTube copy, inline, word-level)
    header_only: bool = False  # the start line holds no text; the text follows on the next lines
    strict_names: bool = False  # every name word capitalised (layouts whose start could be a sentence)
    text_follows: bool = False  # detection counts a start only when an untimed line follows it


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_BRACKET_SAME = _c(rf"^{BR}[ \t]*(?P<text>.*)$")

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "name-bracket-time",
        "Name [HH:MM:SS] text (pasted show transcripts)",
        "Tucker [00:42:28] So you believe ...",
        (_c(rf"^{NAME}[ \t]*{BR}{_SEP}(?P<text>.*)$"),),
        _BRACKET_SAME,
    ),
    Layout(
        "time-name-colon",
        "[HH:MM:SS] Name: text, also [M:SS] Name : text (exports, diarisation tools)",
        "[00:42:28] Tucker Carlson: So you believe ...",
        (_c(rf"^\[?(?P<ts>{TS}){_RANGE}\]?[ \t]*{NAME}[ \t]*:[ \t]*(?P<text>.*)$"),),
        _BRACKET_SAME,
    ),
    Layout(
        "name-colon-bracket",
        "Name: [HH:MM:SS] text (Sonix)",
        "Tucker Carlson: [00:42:28] So you believe ...",
        (_c(rf"^{NAME}[ \t]*:[ \t]*{BR}{_SEP}(?P<text>.*)$"),),
        _BRACKET_SAME,
    ),
    Layout(
        "name-paren-time",
        "Name (MM:SS): then text lines, or inline text (Rev, Temi); a bare (MM:SS): continues the speaker",
        "Tucker Carlson (42:28):\nSo you believe ...",
        (
            _c(rf"^{NAME}[ \t]*\((?P<ts>{TS})\)[ \t]*:?[ \t]*(?P<text>.*)$"),
            _c(rf"^{NAME}[ \t]*:[ \t]*\((?P<ts>{TS})\)[ \t]*(?P<text>.*)$"),
        ),
        _c(rf"^\((?P<ts>{TS})\)[ \t]*:[ \t]*(?P<text>.*)$"),
    ),
    Layout(
        "time-name-line",
        "[HH:MM:SS] Name alone, then text lines (Descript, Trint, Happy Scribe; Word: HH:MM:SS Speaker N)",
        "[00:42:28] Tucker Carlson\nSo you believe ...",
        (
            _c(rf"^{BR}[ \t]*(?:[-–—][ \t]*)?{NAME}[ \t]*$"),  # "[00:00:00.24] - Speaker 1" (Happy Scribe)
            # "00:00:00 Speaker 1" (Word's Transcribe): without brackets only its own speaker labels, since a
            # YouTube copy's "0:00 Okay" is a time and text ("so let's start" on the next line)
            _c(rf"^(?P<ts>{TS})[ \t]+(?:[-–—][ \t]+)?(?P<name>{_WORD_SPEAKER})[ \t]*$"),
        ),
        _BRACKET_SAME,
        header_only=True,
        strict_names=True,
        text_follows=True,
    ),
    Layout(
        "bracket-name-time-line",
        "[Name] HH:MM:SS on its own line, then text lines (Zoom's saved transcript)",
        "[Tucker Carlson] 10:42:28\nSo you believe ...",
        (_c(rf"^\[{NAME}\][ \t]+(?P<ts>{TS})$"),),
        _c(rf"^(?P<ts>{TS})$"),
        header_only=True,
    ),
    Layout(
        "name-colon-time-line",
        "Name: HH:MM:SS on its own line, then text lines (podcast transcript pages, btctranscripts)",
        "Tucker Carlson: 00:42:28\nSo you believe ...",
        # a space after the colon: "Ann  1:00:00" (Otter, an hour) is not "Ann 1" at "00:00"
        (_c(rf"^{NAME}[ \t]*:[ \t]+(?P<ts>{TS})$"),),
        _c(rf"^(?P<ts>{TS})$"),
        header_only=True,
        strict_names=True,
    ),
    Layout(
        "otter",
        "Name  M:SS on its own line, then text lines (Otter.ai)",
        "Tucker Carlson  42:28\nSo you believe ...",
        (_c(rf"^{NAME}[ \t]+(?P<ts>{TS})$"),),
        _c(rf"^(?P<ts>{TS})$"),
        header_only=True,
        strict_names=True,
    ),
    Layout(
        "word-level",
        "a timestamp (and optionally an end time) and one word per line; words are grouped into sentences",
        "00:00:01.230 00:00:01.480 So",
        (
            _c(
                rf"^[\[(]?(?P<ts>{TS})[\])]?"
                rf"(?:(?:[ \t]*(?:-->|[-–,])[ \t]*|[ \t]+)[\[(]?(?P<end>{TS})[\])]?)?"
                rf"[ \t,]+(?P<text>\S+)$"
            ),
        ),
        speakers=False,
    ),
    Layout(
        "youtube",
        "a bare timestamp line before its text (YouTube 'Show transcript' copy)",
        "42:28\nso you believe the united states is",
        (_c(rf"^[\[(]?(?P<ts>{TS}){_RANGE}[\])]?$"),),
        speakers=False,
        header_only=True,
    ),
    Layout(
        "time-text",
        "a plain timestamp and the text on one line, no speaker (YouTube copy, caption dumps)",
        "0:03 so you believe the united states is",
        (_c(rf"^(?P<ts>{TS}){_RANGE}[ \t]+(?P<text>\S.*)$"),),
        speakers=False,
    ),
    Layout(
        "inline",
        "[HH:MM:SS] timestamps inside running text: [00:00:05] text [00:00:07] text",
        "[00:00:05] So you believe ... [00:00:09] Because ...",
        (),
        speakers=False,
    ),
)
LAYOUTS_BY_NAME: dict[str, Layout] = {lay.name: lay for lay in LAYOUTS}

INLINE_TS = _c(rf"{BR}")
# chapter lists from show notes: "(00:00) Intro", "1:02:15 - Sanctions" -- not speech
CHAPTER = _c(rf"^(?:\((?P<ts>{TS})\)[ \t]+[^:\s]|(?P<ts2>{TS})[ \t]+[-–—][ \t]+[^\d\s])")

_HAS_COLON_DIGIT = re.compile(r"\d:\d")


_PARTICLES = frozenset({"de", "van", "von", "da", "del", "der", "la", "le", "bin", "al", "el", "di", "du"})
_CONNECTORS = _PARTICLES | {"of", "the", "and", "for", "at", "on", "to", "in", "&"}  # inside a role
# words that start sentences but not names ("In Moscow, Russia [00:12:03] the talks ..." is a sentence;
# "An", "So", "My", "Oh", "No" are left out: they are also given names or surnames)
_OPENERS = frozenset(
    {
        "a",
        "and",
        "as",
        "at",
        "but",
        "for",
        "he",
        "i",
        "if",
        "in",
        "it",
        "look",
        "now",
        "of",
        "ok",
        "okay",
        "on",
        "our",
        "she",
        "thank",
        "thanks",
        "that",
        "the",
        "then",
        "they",
        "this",
        "to",
        "we",
        "well",
        "what",
        "when",
        "yes",
        "you",
    }
)
# a short line of speech that reads like a name line (capitalised): not a speaker's name
_INTERJECTIONS = frozenset(
    [
        "yeah",
        "yep",
        "yup",
        "right",
        "good",
        "great",
        "hello",
        "hi",
        "hey",
        "oh",
        "ah",
        "uh",
        "um",
        "goodbye",
        "bye",
        "sure",
        "no",
        "nope",
        "please",
        "sorry",
        "wow",
        "hmm",
        "okay",
        "ok",
        "thanks",
        "thank",
        "yes",
        "alright",
        "indeed",
        "exactly",
        "absolutely",
        "really",
        "question",
        "done",
        "job",
        "morning",
        "night",
        "day",
        "me",
        "darling",
        "there",
    ]
)


def starts_like_sentence(name: str) -> bool:
    """Whether ``name``'s first word opens sentences, not names ("The Cut List", "In Moscow")."""
    words = name.split()
    return bool(words) and words[0].strip(",.!?").lower() in _OPENERS


def reads_as_speech(name: str) -> bool:
    """Whether a capitalised short line is speech ("Thank You", "Yes", "Good Question", "Well Done"), not
    a name: every word a sentence opener or an everyday word of speech ("He Jiankui", "Oh Jung-se",
    "Um Jung-hwa" are names)."""
    words = [w.strip(",.!?").lower() for w in name.split()]
    return bool(words) and all(w in _OPENERS or w in _INTERJECTIONS for w in words)


_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})  # "Martin Luther King, Jr." is a name, not a role
_LABELS = tuple(
    (form, re.compile(rf"^(?P<name>{_NAME_WORDS}{_LAST_FIRST_PART[form.name]}){form.pattern}$"))
    for form in ROLE_FORMS
)
# a generic label, not a person: with a person's name as its role ("Speaker 1 (Dr. Smith)"), the name is
# the speaker and the generic label is what is reported
_PLACEHOLDER = re.compile(
    r"^(?:(?:unknown|unidentified)[ \t]+)?(?:speaker|spk|participant|voice)(?:[ \t_-]*\w{1,3})?$|"
    r"^(?:host|co-host|guest|interviewer|interviewee|moderator|narrator|reporter|presenter|caller|"
    r"audience(?:[ \t]+member)?)$",
    re.IGNORECASE,
)


def _plausible_words(name: str, *, strict: bool) -> bool:
    words = name.split()
    if not words or len(words) > 6 or len(name) > 48 or not name[0].isalpha():
        return False
    last = words[-1]
    if last.endswith(".") and not is_abbreviation(last) and len(last) > 2:
        return False
    if strict:
        return all(w[0].isupper() or w[0].isdigit() or w in _PARTICLES for w in words)
    return name[0].isupper() or len(words) == 1


def _label_parts(label: str) -> tuple[RoleForm, str, str] | None:
    """The role form, name and role of a label that adds a role, as written."""
    for form, pattern in _LABELS:
        m = pattern.match(label)
        if m is not None:
            return form, m["name"].strip(), m["role"].strip()
    return None


def plausible_name(name: str, *, strict: bool = False) -> bool:
    """Does this speaker label look like a name rather than the start of a sentence?

    At most six words and 48 characters, starting with a letter; capitalised unless it is a single word;
    not ending in a full stop unless it is an abbreviation or an initial (``Dr.``, ``J.``). ``strict``:
    every word capitalised, a number (``Speaker 1``) or a particle (``van``, ``de``). A label with a role
    (a row of :data:`ROLE_FORMS`: ``Tucker Carlson (Host)``, ``Jane Doe, CEO``) needs a strict name of the
    form's minimum length and a role of at most six words (capitalised ones, and a name that does not start
    like a sentence, for the forms that say so).
    """
    parts = _label_parts(name)
    if parts is None:
        return _plausible_words(name, strict=strict)
    form, base, role = parts
    words = role.split()
    names = base.split()
    if len(names) < form.min_name_words or len(words) > 6 or len(role) > 40:
        return False
    if (form.no_opener or "," in base) and names[0].rstrip(",").lower() in _OPENERS:
        return False  # "Well, sure (laughs)" opens a sentence; "Takeshima, Rey (Contoso)" is a name
    if form.capitalised and not all(w[0].isupper() or w[0].isdigit() or w in _CONNECTORS for w in words):
        return False
    return _plausible_words(base, strict=True)


def split_label(label: str) -> tuple[str, str | None]:
    """A speaker label as (the person's name, what the label adds to it, or ``None``).

    ``Tucker Carlson (Host)`` -> ``("Tucker Carlson", "Host")``, ``Jane Doe, CEO`` -> ``("Jane Doe", "CEO")``.
    A generic label (``Speaker 1``, ``Host``) with a name as its role swaps:
    ``Speaker 1 (Dr. Smith)`` -> ``("Dr. Smith", "Speaker 1")``. ``Martin Luther King, Jr.`` has no role.
    """
    parts = _label_parts(label)
    if parts is None or parts[2].rstrip(".").lower() in _SUFFIXES:
        return label, None
    _form, base, role = parts
    if _PLACEHOLDER.match(base) and not _PLACEHOLDER.match(role) and _plausible_words(role, strict=True):
        return role, base
    return base, role


def match_start(layout: Layout, line: str) -> re.Match[str] | None:
    """The match of a (named) turn start of ``layout`` on a stripped line, if the name is plausible."""
    for pattern in layout.starts:
        m = pattern.match(line)
        if m is None:
            continue
        name = m.groupdict().get("name")
        if name is None or plausible_name(name.strip(), strict=layout.strict_names):
            return m
    return None


_WITH_STARTS = tuple(lay for lay in LAYOUTS if lay.starts)


_STARTS_TIMED = re.compile(rf"^[\[(]?{TS}")


def _text_follows(lines: Sequence[str], k: int) -> bool:
    """The next non-blank line after ``k`` exists and does not start with a timestamp."""
    for raw in lines[k + 1 :]:
        line = raw.strip()
        if line:
            return not _STARTS_TIMED.match(line)
    return False


def detect_layout(
    lines: Sequence[str], *, record: dict[str, dict[str, re.Match[str] | None]] | None = None
) -> tuple[Layout | None, dict[str, int]]:
    """The layout with the most turn-start lines (ties to the more specific one) and all the counts.

    ``record``, when given, receives ``match_start(layout, line)`` per layout name and stripped line tried
    (so that the parser need not match those lines again).
    """
    counts = {lay.name: 0 for lay in LAYOUTS}
    seen: list[dict[str, re.Match[str] | None]] | None = None
    if record is not None:
        seen = [record.setdefault(lay.name, {}) for lay in _WITH_STARTS]
    for k, raw in enumerate(lines):
        line = raw.strip()
        if not _HAS_COLON_DIGIT.search(line) or CHAPTER.match(line):
            continue  # no timestamp, or a chapter title: not a turn start in any layout
        matched = False
        for j, lay in enumerate(_WITH_STARTS):
            m = match_start(lay, line)
            if seen is not None:
                seen[j][line] = m
            if m:
                matched = True
                if not lay.text_follows or _text_follows(lines, k):
                    counts[lay.name] += 1
        if not matched and INLINE_TS.search(line):
            counts["inline"] += 1  # a bare [timestamp] that no other layout reads as a turn start
    best: Layout | None = None
    for lay in LAYOUTS:
        if counts[lay.name] > (counts[best.name] if best else 0):
            best = lay
    return best, counts
