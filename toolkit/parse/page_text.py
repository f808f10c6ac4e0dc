"""The transcript told from the page text around it (``P001``): the step after the line reader.

:func:`separate_page_text` takes the line items of :mod:`toolkit.parse.classify` and returns the turn
drafts of the transcript, with a ``P001`` finding for each range of lines it drops.

Everything before the first turn start is page text (an article may quote the interview, as the seed's
does: without a turn-start timestamp it is not a turn). After the LAST turn start, the turn's own
paragraph (and, for layouts whose start line holds no text, the next paragraph) is speech; a paragraph
holding a timestamp of its own or opened by a known speaker's label (``Tucker: ...``, a turn the
transcript did not stamp) is transcript too; other paragraphs continue the turn only when

* the body of the transcript shows that turns do run over several paragraphs (at least one untimed
  paragraph sits between two turn starts): without that evidence a paragraph after the last turn is
  page text, since a transcript that never splits a turn does not start doing so at its end; and
* the paragraph reads like speech: three or more words ending in sentence punctuation, or 15 or more
  words, and no page-chrome marker (a URL, ``©``, "comments", "share", "subscribe", "suggested", ...)
  in a paragraph under 25 words.

The first paragraph that fails ends the transcript; it and everything after it is reported as one
dropped range. Chapter lines (``(MM:SS) Title``) are never speech and are dropped with ``P001`` too.
"""

from __future__ import annotations

import re

from ..model import Finding
from ..rules import finding
from ..text import reads_as_sentence_end
from .classify import LineItem
from .turn_drafts import TurnDraft

__all__ = ["dropped_finding", "separate_page_text"]

_CHROME = re.compile(
    r"https?://|www\.|©|\bcopyright\b|all rights reserved|transcribed by|\bcomments?\b|\bsubscribe|"
    r"\bshare\b|newsletter|sign up|\blog ?in\b|suggested|related (?:posts|articles|stories|products)|"
    r"\btags?:|posted (?:in|on|by)|leave a (?:reply|comment)|read more|advertisement|\bcookies?\b|"
    r"textile|click (?:here|play)",
    re.IGNORECASE,
)
_SPEECH = ("text", "mark")  # the kinds of item that can continue the last turn


def separate_page_text(items: list[LineItem], *, path: str) -> tuple[list[TurnDraft], list[Finding]]:
    """The turn drafts of the transcript in ``items`` (which hold at least one turn start) and a ``P001``
    finding for the page text before it, for each run of chapter lines and for the page text after it."""
    starts = [k for k, it in enumerate(items) if it.kind == "start"]
    first, last = starts[0], starts[-1]
    findings: list[Finding] = []
    lead_text = [it for it in items[:first] if it.kind in ("text", "chapter", "mark")]
    if lead_text:
        last_line = max(lead_text[-1].line, items[first].line - 1)
        findings.append(
            _dropped(path, lead_text, lead_text[0].line, last_line, "page text before the transcript")
        )
    drafts, continuations = _read_body(items[first : last + 1], path=path, findings=findings)
    dropped = _read_tail(items[last + 1 :], drafts, body_continues_paragraphs=continuations > 0)
    if dropped:
        findings.append(
            _dropped(path, dropped, dropped[0].line, dropped[-1].line, "page text after the transcript")
        )
    return drafts, findings


def _read_body(body: list[LineItem], *, path: str, findings: list[Finding]) -> tuple[list[TurnDraft], int]:
    """The drafts from the first turn start to the last (text continues the current turn) and how many
    paragraphs continue a turn after a blank line; each run of chapter lines is reported to ``findings``."""
    drafts: list[TurnDraft] = []
    continuations = 0
    blank_since_text = False
    chapter_run: list[LineItem] = []
    for it in body:
        if it.kind != "chapter" and chapter_run:
            findings.append(_chapter_finding(path, chapter_run))
            chapter_run = []
        if it.kind in ("start", "mark"):
            assert it.draft is not None
            drafts.append(it.draft)
            blank_since_text = False
        elif it.kind == "blank":
            blank_since_text = True
        elif it.kind == "chapter":
            chapter_run.append(it)
        else:
            draft = drafts[-1]
            if blank_since_text and draft.has_text:
                continuations += 1
            draft.parts.append(it.text)
            blank_since_text = False
    if chapter_run:
        findings.append(_chapter_finding(path, chapter_run))
    return drafts, continuations


def _read_tail(
    tail: list[LineItem], drafts: list[TurnDraft], *, body_continues_paragraphs: bool
) -> list[LineItem]:
    """Take what follows the last turn start into ``drafts`` as far as it is speech (see the module doc);
    the items left out are returned."""
    paragraphs = _paragraphs(tail)
    last_start = drafts[-1]
    dropped: list[LineItem] = []
    going = True
    if tail and tail[0].kind != "blank" and paragraphs:
        going = _accept(paragraphs.pop(0), drafts, dropped)
    if going and not last_start.has_text and paragraphs:
        going = _accept(paragraphs.pop(0), drafts, dropped)
    for k, par in enumerate(paragraphs):
        rest = paragraphs[k:]
        # a paragraph holding a timestamp of its own ("... the talks [00:22:42] which ...") is transcript,
        # and so is one a known speaker's label opens ("Tucker: So you believe ..." in a transcript that
        # stamps only some turns)
        marked = any(
            it.kind == "mark" and it.draft is not None and (it.draft.ts or it.draft.speaker) for it in par
        )
        if going and (
            marked or (body_continues_paragraphs and _speech_like(" ".join(it.text for it in par)))
        ):
            if _accept(par, drafts, dropped):
                continue
            rest = paragraphs[k + 1 :]  # _accept() dropped the rest of this paragraph
        for p in rest:
            dropped.extend(p)
        break
    return dropped


def _accept(par: list[LineItem], drafts: list[TurnDraft], dropped: list[LineItem]) -> bool:
    """Take a paragraph's lines into the last turn (a mark opens a new one) up to a chrome line, which
    and what follows it go to ``dropped``; False when one was met."""
    for n, it in enumerate(par):
        if it.kind not in _SPEECH or (drafts[-1].has_text and _is_chrome_line(it.text)):
            dropped.extend(par[n:])
            return False
        if it.kind == "mark" and it.draft is not None:
            drafts.append(it.draft)
        else:
            drafts[-1].parts.append(it.text)
    return True


def _is_chrome_line(text: str) -> bool:
    """A short line with a page-chrome marker ("Share this article", "Transcribed by https://...")."""
    return len(text.split()) < 12 and bool(_CHROME.search(text))


def _speech_like(text: str) -> bool:
    words = len(text.split())
    if words < 25 and _CHROME.search(text):
        return False
    return (words >= 3 and reads_as_sentence_end(text)) or words >= 15


def _chapter_finding(path: str, run: list[LineItem]) -> Finding:
    return _dropped(path, run, run[0].line, run[-1].line, "chapter list")


def _dropped(path: str, items: list[LineItem], first_line: int, last_line: int, where: str) -> Finding:
    text = "\n".join(it.text for it in items if it.kind in ("text", "chapter", "mark"))
    return dropped_finding(path, first_line, last_line, where, text)


def dropped_finding(path: str, first_line: int, last_line: int, where: str, text: str) -> Finding:
    """``P001``: lines ``first_line``-``last_line`` (their ``text``) are page text ``where``, dropped."""
    return finding(
        "P001",
        f"{where}: lines {first_line}-{last_line} are not transcript turns and were dropped",
        path=path,
        line=first_line,
        first_line=first_line,
        last_line=last_line,
        text=text,
    )


def _paragraphs(items: list[LineItem]) -> list[list[LineItem]]:
    """``items`` split at blank lines, blank items left out."""
    out: list[list[LineItem]] = []
    cur: list[LineItem] = []
    for it in items:
        if it.kind == "blank":
            if cur:
                out.append(cur)
                cur = []
        else:
            cur.append(it)
    if cur:
        out.append(cur)
    return out
