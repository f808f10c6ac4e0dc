"""Validation: lint transcripts and SRT/WebVTT files against the rule table, like a linter.

Transcripts get the parser's findings plus :func:`toolkit.repair.analyse` (the same implementation
``convert`` uses); caption files get the parser's leniency notes plus the caption checks of
:data:`toolkit.rules.RULES`, run on the raw blocks so that syntax is checked as written.

    >>> from toolkit.profiles import get_profile
    >>> report = validate_paths(["talk.srt"], profile=get_profile("netflix"))  # doctest: +SKIP
    >>> report.exit_code(strict=False)  # doctest: +SKIP

JSON schema (``captionkit validate --format json``; ``version`` changes only when a field's meaning does)::

    {
      "version": 1,                        # schema version (integer)
      "captionkit": "0.1.0",               # tool version
      "profile": {"name": "netflix", "max_chars_per_line": 42, "max_lines": 2, "max_cps": 20.0,
                  "min_duration_ms": 833, "max_duration_ms": 7000, "min_gap_ms": 83},
      "duration_ms": 4877000,              # --duration, or null
      "files": [
        {
          "path": "interview.txt",
          "kind": "transcript",            # "transcript" | "srt" | "vtt" | null (unreadable)
          "error": null,                   # or why the file could not be checked (then one P000 finding)
          "counts": {"error": 0, "warning": 3, "info": 1},
          "findings": [
            {
              "code": "T003",              # see --list-rules
              "severity": "warning",       # "error" | "warning" | "info"
              "path": "interview.txt",
              "line": 123,                 # 1-based line in the file (0 = the file as a whole)
              "cue": null,                 # 1-based cue number in a caption file, else null
              "message": "...",
              "data": {"words": 612}       # the numbers behind the message; keys depend on the code
            }
          ]
        }
      ],
      "counts": {"error": 0, "warning": 3, "info": 1, "files": 1, "unreadable": 0}
    }

Exit codes of the command: 0 no errors (warnings allowed), 1 errors (or warnings with ``--strict``), 2 a
usage error or a file that could not be read or parsed (the other files are still checked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..checks.caption_rules import BlockLike, CaptionContext, check_captions, check_document, visible_text
from ..io import STDIN
from .render import format_text
from .results import SCHEMA_VERSION, FileReport, ValidationReport
from .selection import is_selected, parse_codes

if TYPE_CHECKING:
    from .files import (
        expand_paths,
        media_checker,
        validate_captions,
        validate_document,
        validate_file,
        validate_paths,
        validate_text,
    )

__all__ = [
    "SCHEMA_VERSION",
    "STDIN",
    "BlockLike",
    "CaptionContext",
    "FileReport",
    "ValidationReport",
    "check_captions",
    "check_document",
    "expand_paths",
    "format_text",
    "is_selected",
    "media_checker",
    "parse_codes",
    "validate_captions",
    "validate_document",
    "validate_file",
    "validate_paths",
    "validate_text",
    "visible_text",
]

# loaded on first use: validate.files imports the transcript parser and repair (25 ms), which a caption
# conversion (the pipeline reads only .captions) never needs
_FILES = (
    "expand_paths",
    "media_checker",
    "validate_captions",
    "validate_document",
    "validate_file",
    "validate_paths",
    "validate_text",
)


def __getattr__(name: str) -> Any:
    if name in _FILES:
        from . import files  # lazy: see _FILES

        value = getattr(files, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
