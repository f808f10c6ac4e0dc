"""Exceptions raised by captionkit.

Every error a user can cause derives from :class:`ToolkitError` and carries the place it happened, so
the CLI prints ``path:line: message`` and never a traceback::

    ToolkitError                  base; .path, .line, .snippet
    ├── ParseError                transcript / caption text that cannot be read
    │   └── NoTimestampsError     a file with no timestamps at all
    ├── InputError                unreadable input: missing, binary, empty, undecodable
    ├── MediaError                ffmpeg / probing / decoding failures (carries ffmpeg's own message)
    ├── AlignmentError            forced alignment could not run at all
    └── OutputError               an output could not be written (inputs are never overwritten)
"""

from __future__ import annotations

from pathlib import Path


class ToolkitError(Exception):
    """Base class: a user-facing error with an optional file and 1-based line."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        snippet: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.snippet = snippet

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            path = one_line(self.path)  # a file name may hold a newline: the message stays one line
            where = f"{path}:{self.line}: " if self.line is not None else f"{path}: "
        text = f"{where}{one_line(self.message)}"
        if self.snippet:
            text += f" ({self.snippet!r})"
        return text


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters written as escapes."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


class ParseError(ToolkitError):
    """Text that cannot be read as a transcript or caption file."""


class NoTimestampsError(ParseError):
    """A file in which no timestamp at all was found."""


class InputError(ToolkitError):
    """An input that cannot be read: missing, a directory, binary, empty or undecodable."""


class MediaError(ToolkitError):
    """ffmpeg could not be found, or failed on a media file."""


class AlignmentError(ToolkitError):
    """Forced alignment could not run."""


class OutputError(ToolkitError):
    """An output file could not be written, or would overwrite an input."""
