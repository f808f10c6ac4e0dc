"""Speaker labels a transcript writes without a timestamp: ``**Name:**``, ``Name:`` and labels in captions.

Read around the line reader (:mod:`toolkit.parse.classify`): before it, :func:`bold_labels` and
:func:`plain_labels` find the lines a file opens with an explicit label (a turn each, even without a
time) and :func:`unbold` drops the Markdown emphasis; after it, :func:`split_inline_labels` cuts the turns
of a layout without names where a label opens a sentence inside lower-case broadcast captions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..captions.labels import is_callout
from .layouts import NAME_BARE, Layout, plausible_name, reads_as_speech, split_label, starts_like_sentence
from .turn_drafts import TurnDraft

__all__ = [
    "MAX_LABELLED_SPEAKERS",
    "MIN_BOLD_LABELS",
    "MIN_INLINE_LABELS",
    "bold_labels",
    "paragraph_labels",
    "plain_labels",
    "split_inline_labels",
    "time_line_headers",
    "unbold",
    "unbold_lines",
]

_BOLD_START = re.compile(r"^(\s*)(\*\*|__)([^*_\n]{1,80}?)\2")
# "**Name:**" or "**Name**:" opening a paragraph; with MIN_BOLD_LABELS of them a file labels its turns so
_BOLD_LABEL = re.compile(r"^\s*(?:\*\*|__)(?P<name>[^*_:\n]{1,48}?)(?::(?:\*\*|__)|(?:\*\*|__):)\s")
MIN_BOLD_LABELS = 3


_PLAIN_LABEL = re.compile(rf"^(?P<name>{NAME_BARE})[ \t]*:[ \t]+\S")
_HEADER = re.compile(rf"^(?P<name>{NAME_BARE}):?$")
HEADER_SHARE = 0.6  # the share of a layout's time lines that must have a name line above them
MAX_LABELLED_SPEAKERS = 12


# "the presiding officer: ...", "mr. schumer: ..." inside lower-case broadcast captions (the Congressional
# Record's own labels): a role of a legislature, a court or a hearing, or a title and a surname, opening a
# sentence; "to the senate:" in a clerk's reading is not one
_INLINE_LABEL = re.compile(
    r"(?:^|(?<=[.?!] )|(?<=[.?!]\" )|(?<=>> ))(?P<label>(?:the )?(?:presiding officer|speaker pro tempore|"
    r"acting president pro tempore|president pro tempore|chaplain|clerk|chair|chairman|chairwoman|"
    r"ranking member|majority leader|minority leader|moderator|witness)"
    r"|(?:mr|mrs|ms|dr|sen|rep|senator|representative)\.? [a-z][a-z'\-]{1,30}): ",
    re.IGNORECASE,
)
MIN_INLINE_LABELS = 2


def bold_labels(lines: Sequence[str]) -> dict[int, str]:
    """``**Name:** text`` paragraphs (Markdown show notes), by 1-based line: explicit labels, a turn each
    even without a time, when the file holds :data:`MIN_BOLD_LABELS` of them or more."""
    bold = {i + 1: m["name"].strip() for i, ln in enumerate(lines) if (m := _BOLD_LABEL.match(ln))}
    return bold if len(bold) >= MIN_BOLD_LABELS else {}


def split_inline_labels(drafts: list[TurnDraft]) -> tuple[list[TurnDraft], bool]:
    """Turns cut where a speaker label opens a sentence inside the text; the cuts carry no time of
    their own, and the turns after them keep the last speaker named. Used only for layouts without
    speaker names, and only when the file holds :data:`MIN_INLINE_LABELS` such labels or more."""
    found = sum(len(_INLINE_LABEL.findall(" ".join(draft.parts))) for draft in drafts)
    if found < MIN_INLINE_LABELS:
        return drafts, False
    out: list[TurnDraft] = []
    for draft in drafts:
        text = " ".join(p.strip() for p in draft.parts if p.strip())
        labels = list(_INLINE_LABEL.finditer(text))
        if not labels:
            draft.same_speaker = True
            out.append(draft)
            continue
        head = text[: labels[0].start()].strip()
        timed = draft.ts
        if head:
            first = TurnDraft(draft.line, draft.ts, None, same_speaker=True, end_ts=None)
            first.parts.append(head)
            out.append(first)
            timed = None
        for k, m in enumerate(labels):
            stop = labels[k + 1].start() if k + 1 < len(labels) else len(text)
            cut = TurnDraft(draft.line, timed if k == 0 else None, m["label"].strip())
            cut.parts.append(text[m.end() : stop].strip())
            out.append(cut)
    return out, True


def plain_labels(
    lines: Sequence[str], *, known: frozenset[str] | None = None, first_turn: int = 0
) -> dict[int, str]:
    """``Name: text`` lines, when the file is written that way: at least :data:`MIN_BOLD_LABELS` of them,
    every name capitalised word by word, two names or more used twice or more, at most
    :data:`MAX_LABELLED_SPEAKERS` names, and such lines make up at least a third of the non-blank lines
    (so a quote in an article does not make its speaker a label).

    ``known``: the speakers a layout with names of its own stamped; then a label is a turn only when it
    names one of them (or one's surname), or a speaker never stamped by a full or one name used twice or
    more ("Colin Pratt:", "Lavrov:"), its text starting a sentence ("Mom: the harbour ..." is a quote),
    not a callout ("Note:", "Step One:") nor speech ("Q:" stays text: one letter is no name); and only
    after ``first_turn`` (the line of the first stamped turn: a page's "Video: ..." above the transcript
    is page text)."""
    found: dict[int, str] = {}
    lower: set[int] = set()  # label lines whose text goes on in lower case ("Mom: the harbour was ...")
    for i, ln in enumerate(lines):
        m = _PLAIN_LABEL.match(ln)
        if m is None or not plausible_name(name := m["name"].strip(), strict=True):
            continue
        found[i + 1] = name
        if ln[m.end() - 1].islower():  # the pattern ends on the text's first character
            lower.add(i + 1)
    if known is not None:
        uses = Counter(found.values())
        surnames = {n.split()[-1].casefold() for n in known if len(n.split()) > 1}
        found = {
            line: name
            for line, name in found.items()
            if line > first_turn
            and (
                name in known
                or name.casefold() in surnames  # "SCIUTTO:" after "JIM SCIUTTO, CNN ANCHOR [00:00:00]"
                or (
                    uses[name] >= 2
                    and line not in lower
                    and not is_callout(name)
                    and (_full_name(name) or _one_name(name))
                )
            )
        }
        # a transcript already: its own stamped turns are the evidence the share rules below look for
        return found if len(set(found.values())) <= MAX_LABELLED_SPEAKERS else {}
    names = _people(list(found.values()))  # "JIM SCIUTTO, CNN ANCHOR" is later "SCIUTTO"
    text_lines = sum(1 for ln in lines if ln.strip())
    if (
        len(found) < MIN_BOLD_LABELS
        or not 2 <= len(set(names)) <= MAX_LABELLED_SPEAKERS
        or sum(1 for name in set(names) if names.count(name) >= 2) < 2
        or len(found) * 3 < text_lines
    ):
        return {}
    return found


def paragraph_labels(lines: Sequence[str]) -> dict[int, str]:
    """``Name: text`` opening paragraphs (lines parted by blank ones) of a short file, which
    :func:`plain_labels` wants more of: the labels of a transcript without timestamps read for ``convert
    --media`` (:func:`~toolkit.parse.transcript.parse_untimed`). A name capitalised word by word that is no
    callout ("Note:"), at most :data:`MAX_LABELLED_SPEAKERS` names, and at least half the paragraphs from
    the first label on opened by one (the others continue a turn; paragraphs before the first label are
    a page's title); else empty."""
    found: dict[int, str] = {}
    paragraphs = 0
    opens = True
    for i, ln in enumerate(lines):
        if opens and ln.strip():
            m = _PLAIN_LABEL.match(ln)
            name = m["name"].strip() if m else ""
            if m and plausible_name(name, strict=True) and not is_callout(name):
                found[i + 1] = name
            if found:
                paragraphs += 1
        opens = not ln.strip()
    if not found or len(found) * 2 < paragraphs or len(set(found.values())) > MAX_LABELLED_SPEAKERS:
        return {}
    return found


def time_line_headers(lines: Sequence[str], layout: Layout) -> tuple[set[int], dict[int, str]]:
    """Name lines above or below the time lines of a layout whose turn starts are a time alone on its line:
    Otter's web copy (``Sidney Buckner``, ``0:00``, then the text) or DaVinci Resolve's transcript
    (``[00:00:03:18 - 00:00:08:08]``, ``Joe``, then the text), each on its own line. Returns the name
    lines (1-based, to leave out of the text) and ``{line: name}`` marks for
    :func:`~toolkit.parse.word_level.with_headers` (a mark names the turns after its line).

    Taken only when the file is written that way (:func:`_headers_hold`): a name line in the same place
    at :data:`HEADER_SHARE` of the time lines, two people or more, mostly named twice or more, no line that
    reads as speech ("Thank You", "Oh Darling"): YouTube's chapter titles and a segment's short lines are
    text."""
    filled = [i for i, raw in enumerate(lines) if raw.strip()]
    is_time = [any(p.match(lines[i].strip()) for p in layout.starts) for i in filled]
    times = [k for k, t in enumerate(is_time) if t]
    above: dict[int, str] = {}
    below: dict[int, str] = {}
    previous = -1  # the index (in ``filled``) of the time line before
    for k in times:
        # above: the line before the time line, after the previous turn's own text (in a YouTube copy the
        # line before a time line is the previous segment's text, which may be "Hello")
        own_line = previous < 0 or k - 1 - previous >= 2
        if k > 0 and own_line and not is_time[k - 1] and (name := _header_name(lines[filled[k - 1]])):
            above[filled[k - 1] + 1] = name
        previous = k
        # below: the line right after the time line, with text after it (else the name is the text)
        text_after = k + 2 < len(filled) and not is_time[k + 1] and not is_time[k + 2]
        if text_after and filled[k + 1] == filled[k] + 1 and (name := _header_name(lines[filled[k + 1]])):
            below[filled[k] + 1] = name  # keyed by the time line; the name line is the next one
    if _headers_hold(above, len(times)):
        return set(above), dict(above)
    if _headers_hold(below, len(times)):
        return {line + 1 for line in below}, {line - 1: name for line, name in below.items()}
    return set(), {}


def _header_name(raw: str) -> str | None:
    m = _HEADER.match(raw.strip())
    name = m["name"] if m else None
    if not name or not plausible_name(name, strict=True) or reads_as_speech(name) or is_callout(name):
        return None  # ("Chapter One" above its time is a title)
    return name


def _headers_hold(found: dict[int, str], time_lines: int) -> bool:
    """Name lines make a file's headers when they sit at :data:`HEADER_SHARE` of its time lines, name at
    most :data:`MAX_LABELLED_SPEAKERS` people, and either two people or more, most of the lines naming
    someone named again, or only people's full names."""
    uses = Counter(found.values())
    if not found or len(found) < HEADER_SHARE * time_lines or len(uses) > MAX_LABELLED_SPEAKERS:
        return False
    repeated = sum(n for n in uses.values() if n >= 2)
    # two people or more, mostly named again; or every line a person's full name (one lecturer, a host
    # and callers who speak once): a refrain is speech, chapter titles are under a few times only
    return (len(uses) >= 2 and repeated > len(found) / 2) or all(_full_name(n) for n in uses)


def _one_name(name: str) -> bool:
    """A speaker called by one name ("Lavrov") or a placeholder ("Speaker 2"): not a callout ("Note"),
    speech, a letter ("Q") or a numbered thing ("Room 101")."""
    if _PLACEHOLDER_LABEL.fullmatch(name):
        return True
    letters = name.replace("'", "").replace("’", "").replace("-", "")  # "O'Brien", "Jean-Luc"
    return len(name) > 1 and letters.isalpha() and not is_callout(name) and not reads_as_speech(name)


_PLACEHOLDER_LABEL = re.compile(r"(?:Speaker|Participant|Caller|Guest)[ \t]*\d{1,3}")


def _full_name(name: str) -> bool:
    """Two to four words of letters, a name: "Colin Pratt", not "Step One", "Thank You", "The Cut List"."""
    words = split_label(name)[0].split()
    return (
        2 <= len(words) <= 4
        and all(w.replace("'", "").replace("-", "").replace(".", "").isalpha() for w in words)
        and not reads_as_speech(name)
        and not starts_like_sentence(name)
        and not is_callout(name)
    )


def _people(labels: list[str]) -> list[str]:
    """Who each label names, for counting: its name without the role, and a one-word name as the one
    longer name that ends with it (a broadcast transcript introduces ``JIM SCIUTTO, CNN ANCHOR`` once,
    then writes ``SCIUTTO``; ``Ann Lee`` and ``Bob Lee`` stay two people)."""
    names = [split_label(label)[0].casefold() for label in labels]
    by_last: dict[str, set[str]] = {}
    for name in names:
        if len(name.split()) > 1:
            by_last.setdefault(name.split()[-1], set()).add(name)
    return [next(iter(by_last[n])) if len(by_last.get(n, ())) == 1 else n for n in names]


def unbold_lines(lines: Sequence[str]) -> list[str]:
    """``lines`` with Markdown emphasis at a line start removed (:func:`unbold`)."""
    return [unbold(ln) if ln.lstrip().startswith(("**", "__")) else ln for ln in lines]


def unbold(line: str) -> str:
    """``**Tucker** [00:00:01] text`` -> ``Tucker [00:00:01] text`` (Markdown emphasis at a line start)."""
    return _BOLD_START.sub(r"\1\3", line, count=1)
