"""WebVTT writer: webvtt-py captions with escaped text, voice spans and optional word timestamp tags."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import webvtt

from ..markup import escape_vtt
from ..model import Cue, Word
from ..timecode import format_vtt
from ._common import all_lines, finish, is_dialogue, ordered

__all__ = ["escape_vtt", "vtt_lines", "vtt_payload", "write_vtt"]

_NO_SETTINGS = webvtt.CueSettings()


@lru_cache(maxsize=256)
def _voice(name: str) -> str:
    # an annotation may not contain a line break or '>'; '&' and '<' are escaped as in text. A name
    # ending in '-' would make '-->' with the tag's own '>': a space closes it (parsers strip it again)
    voice = escape_vtt(" ".join(name.split()))
    return voice + " " if voice.endswith("-") else voice


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
    if not (word_timestamps and cue.words) and len(set(cue.speakers)) < 2:  # the common case, quickly
        plain = [escape_vtt(line) for line in cue.lines]
        if cue.speakers and cue.speakers[0] is not None:
            plain[0] = f"<v {_voice(cue.speakers[0])}>{plain[0]}"
        return plain
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
            body = f"<v {_voice(spk)}>" + body
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
    text = all_lines(cues)
    # without word timestamps and with no line that needs escape_vtt, each cue takes the quick path
    plain = not word_timestamps and not ("&" in text or "<" in text or ">" in text)
    doc = webvtt.WebVTT()
    doc.captions.extend(
        _Caption(
            format_vtt(c.start_ms),
            format_vtt(c.end_ms),
            _plain_lines(c) if plain else vtt_lines(c, word_timestamps=word_timestamps),
        )
        for c in cues
    )
    return finish(doc.content)


def _plain_lines(cue: Cue) -> list[str]:
    """:func:`vtt_lines` of a cue whose lines need no escaping and no word timestamps (the common case)."""
    speakers = cue.speakers
    if not speakers:
        return list(cue.lines)
    if speakers.count(speakers[0]) != len(speakers):
        return vtt_lines(cue)
    lines = list(cue.lines)
    if speakers[0] is not None:
        lines[0] = f"<v {_voice(speakers[0])}>{lines[0]}"
    return lines


class _Caption(webvtt.Caption):
    """A webvtt-py caption holding our timestamp text and lines, written by webvtt-py's serialiser.

    ``webvtt.Caption()`` parses both timestamps back from text and builds a fresh ``CueSettings`` (six
    validated setters) for every cue, most of the writer's cost; our cues have no settings, and their
    times are :func:`toolkit.timecode.format_vtt` text, which the W3C grammar accepts as it is.
    """

    def __init__(self, start: str, end: str, lines: list[str]) -> None:  # no super().__init__: see above
        self._start, self._end = start, end
        self.identifier = None
        self.lines = lines
        self.comments = []

    @property
    def start(self) -> str:
        return self._start

    @start.setter
    def start(self, value: str) -> None:
        self._start = value

    @property
    def end(self) -> str:
        return self._end

    @end.setter
    def end(self, value: str) -> None:
        self._end = value

    @property
    def settings(self) -> webvtt.CueSettings:
        return _NO_SETTINGS  # shared, and never changed: these captions live only inside write_vtt

    @settings.setter
    def settings(self, value: object) -> None:
        raise TypeError("captionkit writes WebVTT cues without settings")
