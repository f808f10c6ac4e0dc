"""captionkit: turn real-world transcripts into standard SRT/WebVTT captions timed to the video.

The library in a few calls (see :mod:`toolkit.api`)::

    import toolkit as captionkit

    doc = captionkit.convert("interview.txt")           # transcript or caption file -> captions
    doc.save("interview.srt")
    captionkit.load("film.srt").shift(s=2.5).save("film.vtt")
"""

from __future__ import annotations

import typing as _typing

__version__ = "0.1.0"

from .errors import (
    AlignmentError,
    InputError,
    MediaError,
    NoTimestampsError,
    OutputError,
    ParseError,
    ToolkitError,
)
from .model import Cue, Document, Finding, Severity, Turn, Word
from .profiles import PROFILES, Profile, get_profile

if _typing.TYPE_CHECKING:  # loaded on first use, so that `import toolkit` (and the command line) stays quick
    from .api import Caption, Captions, convert, load, loads

__all__ = [
    "PROFILES",
    "AlignmentError",
    "Caption",
    "Captions",
    "Cue",
    "Document",
    "Finding",
    "InputError",
    "MediaError",
    "NoTimestampsError",
    "OutputError",
    "ParseError",
    "Profile",
    "Severity",
    "ToolkitError",
    "Turn",
    "Word",
    "__version__",
    "convert",
    "get_profile",
    "load",
    "loads",
]

_API = ("Caption", "Captions", "convert", "load", "loads")


def __getattr__(name: str) -> _typing.Any:
    if name in _API:
        from . import api  # lazy: `import toolkit` stays light; the API loads the pipeline on first use

        value = getattr(api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
