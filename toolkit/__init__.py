"""captionkit: turn real-world transcripts into standard SRT/WebVTT captions timed to the video."""

from __future__ import annotations

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

__all__ = [
    "PROFILES",
    "AlignmentError",
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
    "get_profile",
]
