"""WebVTT writer: webvtt-py captions with escaped text, voice spans and optional word timestamp tags."""

from __future__ import annotations

from collections.abc import Sequence

import webvtt

from ..model import Cue, Word
from ..timecode import format_vtt
from ._common import finish, is_dialogue, ordered

_NO_SETTINGS = webvtt.CueSettings()


def escape_vtt(text: str) -> str:
    """Escape cue text for WebVTT: ``&``, ``<`` and ``>`` (so ``-->`` cannot appear)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _voice(name: str) -> str:
    # an annotation may not contain a line break or '>'; '&' and '<' are escaped as in text
    return escape_vtt(" ".join(name.split()))


def _timed_line(line: str, words: list[Word], first: bool, start_ms: int, end_ms: int) -> str:
    """``line`` with a ``<hh:mm:ss.ttt>`` tag before each word but the cue's first, inside the cue."""
    parts: list[str] = []
    for x, tok in enumerate(line.split(" ")):
        w = words[x]
        if (x > 0 or not first) and start_ms < w.start_ms < end_ms:
            parts.append(f"<{format_vtt(w.start_ms)}>{escape_vtt(tok)}")
        else:
            parts.append(escape_vtt(tok))
    return " ".join(parts)


def vtt_payload(cue: Cue, *, word_timestamps: bool = False) -> str:
    """The cue text as written in WebVTT: escaped, with ``<v Name>`` spans and dialogue dashes."""
    return "\n".join(vtt_lines(cue, word_timestamps=word_timestamps))


def vtt_lines(cue: Cue, *, word_timestamps: bool = False) -> list[str]:
    """The payload lines of :func:`vtt_payload`."""
    speakers = cue.speakers or (None,) * len(cue.lines)
    dialogue = is_dialogue(cue)
    timed = word_timestamps and bool(cue.words)
    tokens_per_line = [len(line.split(" ")) for line in cue.lines] if timed else []
    timed = timed and len(cue.words) == sum(tokens_per_line)
    if timed:
        last = -1
        for w in cue.words:
            if w.start_ms <= last:
                timed = False
                break
            last = w.start_ms
    out: list[str] = []
    pos = 0
    for x, (line, spk) in enumerate(zip(cue.lines, speakers, strict=True)):
        if timed:
            n = tokens_per_line[x]
            body = _timed_line(line, list(cue.words[pos : pos + n]), x == 0, cue.start_ms, cue.end_ms)
            pos += n
        else:
            body = escape_vtt(line)
        if dialogue:
            body = "-" + body
        new_voice = spk is not None and (x == 0 or spk != speakers[x - 1])
        if new_voice:
            body = f"<v {_voice(spk)}>" + body  # type: ignore[arg-type]
        closes = spk is not None and (x + 1 == len(cue.lines) or speakers[x + 1] != spk)
        if closes and (dialogue or len(set(speakers)) > 1):
            body += "</v>"
        out.append(body)
    return out


def write_vtt(cues: Sequence[Cue], *, word_timestamps: bool = False) -> str:
    """WebVTT text for ``cues``: a ``WEBVTT`` header, ``HH:MM:SS.mmm`` times, cues sorted, LF, final newline.

    With ``word_timestamps``, cues that carry aligned ``words`` get a timestamp tag before each word after
    the first.
    """
    cues = ordered(cues)
    doc = webvtt.WebVTT()
    for cue in cues:
        doc.captions.append(
            webvtt.Caption(
                start=format_vtt(cue.start_ms),
                end=format_vtt(cue.end_ms),
                text=vtt_lines(cue, word_timestamps=word_timestamps),  # a list: no re-splitting
                settings=_NO_SETTINGS,  # copied; parsing "" for every cue costs more than the rest
            )
        )
    return finish(doc.content)
