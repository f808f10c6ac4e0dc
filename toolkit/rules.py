"""The catalogue of finding codes: one table for the code, the CLI, the README and the tests.

Every stage reports problems as :class:`~toolkit.model.Finding` values built with :func:`finding`, so a
code's severity and meaning are defined once, here. ``P`` = parsing, ``T`` = transcript timing and
repair, ``C`` = caption layout and timing, ``M`` = checks against the media, ``A`` = word alignment.

The ``check`` column names the function that implements a rule when the rule is a standalone check (the
caption rules, in :mod:`toolkit.checks.caption_rules`); parser, repair and media rules are found by those
stages and have no standalone check. The same table prints the README's rule list and
``captionkit validate --list-rules``::

    python -m toolkit.rules --markdown     # the README block, with its markers
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .model import Finding, Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

CHECKS_MODULE = "toolkit.checks.caption_rules"


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    name: str
    description: str
    applies_to: str  # "transcript", "captions", "both", "media"
    # the function of CHECKS_MODULE that checks the rule, where it is a standalone check (named, not
    # imported: the checks build their findings from this table, so the table cannot import them)
    check: str | None = None


RULES: tuple[Rule, ...] = (
    # parsing
    Rule(
        "P000",
        E,
        "unreadable-file",
        "The file could not be read or parsed (missing, binary, empty, no timestamps); nothing was checked.",
        "both",
    ),
    Rule(
        "P001",
        I,
        "page-text-dropped",
        "Page text before or after the transcript was dropped (line range given).",
        "transcript",
    ),
    Rule(
        "P002",
        I,
        "encoding-fallback",
        "The file was not UTF-8; the encoding used to read it is named.",
        "both",
    ),
    Rule("P003", E, "malformed-timestamp", "A timestamp that cannot be a time, e.g. [00:61:00].", "both"),
    Rule(
        "P004",
        W,
        "turn-without-timestamp",
        "A speaker turn has no timestamp; its start was estimated.",
        "transcript",
    ),
    Rule(
        "P005",
        I,
        "speaker-variants",
        "One speaker is written several ways; the variants were merged.",
        "transcript",
    ),
    Rule(
        "P006",
        W,
        "caption-syntax-repaired",
        "A caption file needed lenient reading (missing index, bad separator, ...).",
        "captions",
    ),
    Rule(
        "P007",
        I,
        "speaker-role",
        "A speaker label adds a role (Tucker Carlson (Host), Jane Doe, CEO): captions name the person; "
        "the role left out is given.",
        "transcript",
    ),
    Rule(
        "P008",
        I,
        "rolling-captions-merged",
        "Rolling auto-captions (YouTube): each line kept once with its word timestamps; the repeated lines "
        "and the 10 ms bridging cues merged are counted.",
        "captions",
    ),
    Rule(
        "P009",
        I,
        "exporter-artefact",
        "Text that is nobody's speech was removed: recogniser marker tokens ([SPEAKER_TURN], "
        "[BLANK_AUDIO]), break markers (Break: [00:18:28]), Markdown headings; listed with their lines.",
        "both",
    ),
    Rule(
        "P010",
        I,
        "language",
        "The transcript's language, given with --language or detected from its text (with the detector's confidence).",
        "transcript",
    ),
    # transcript timing and repair
    Rule(
        "T001",
        E,
        "timestamp-backwards",
        "A turn's timestamp is earlier than the one before it.",
        "transcript",
    ),
    Rule(
        "T002",
        W,
        "duplicate",
        "A duplicated turn, run of turns or sentence; the copy removed is reported.",
        "transcript",
    ),
    Rule(
        "T003",
        W,
        "implausible-rate",
        "The time to the next turn does not fit the words spoken at the speaker's rate.",
        "transcript",
    ),
    Rule("T004", I, "same-speaker-twice", "The same speaker has two turns in a row.", "transcript"),
    Rule(
        "T005", W, "time-base-jump", "A run of turns is shifted by a constant against the rest.", "transcript"
    ),
    Rule("T006", E, "past-media-end", "A timestamp lies after the end of the media.", "transcript"),
    Rule(
        "T007",
        W,
        "timestamp-reestimated",
        "A turn's timestamp was replaced by an estimate (reason given).",
        "transcript",
    ),
    Rule(
        "T008",
        W,
        "block-moved",
        "A block of turns pasted out of order was moved to where its timestamps belong.",
        "transcript",
    ),
    # captions
    Rule(
        "T009",
        I,
        "clock-time-offset",
        "The timestamps are clock times or a broadcast time base (the first an hour or more in): the "
        "captions start at 0 and the offset taken off is given.",
        "transcript",
    ),
    Rule(
        "C001",
        W,
        "line-too-long",
        "A line has more characters than the profile allows (tags not counted).",
        "captions",
        "check_line_length",
    ),
    Rule(
        "C002",
        W,
        "too-many-lines",
        "A cue has more lines than the profile allows.",
        "captions",
        "check_line_count",
    ),
    Rule(
        "C003",
        W,
        "reading-speed",
        "Characters per second above the profile's reading speed (spaces and punctuation counted, tags not).",
        "captions",
        "check_reading_speed",
    ),
    Rule(
        "C004",
        W,
        "too-short",
        "A cue is shown for less than the profile's minimum duration.",
        "captions",
        "check_too_short",
    ),
    Rule(
        "C005",
        W,
        "too-long",
        "A cue is shown for longer than the profile's maximum duration.",
        "captions",
        "check_too_long",
    ),
    Rule(
        "C006",
        W,
        "gap-too-small",
        "The gap to the next cue is under the profile's minimum (a gap of 0 included, as in Subtitle Edit).",
        "captions",
        "check_gap",
    ),
    Rule(
        "C007",
        E,
        "overlap",
        "A cue starts before an earlier cue ends.",
        "captions",
        "check_overlap",
    ),
    Rule(
        "C008",
        E,
        "start-backwards",
        "A cue starts before the previous cue's start.",
        "captions",
        "check_start_backwards",
    ),
    Rule(
        "C009",
        E,
        "end-not-after-start",
        "A cue ends at or before its start.",
        "captions",
        "check_end_after_start",
    ),
    Rule("C010", E, "empty-cue", "A cue has no visible text.", "captions", "check_empty"),
    Rule(
        "C011",
        E,
        "timestamp-syntax",
        "A cue time is not valid for the format (comma in VTT, missing hours in SRT, 2-digit ms, ...), "
        "or a WebVTT file does not start with WEBVTT.",
        "captions",
        "check_timestamp_syntax",
    ),
    Rule(
        "C012",
        E,
        "unescaped-markup",
        "A bare < in WebVTT cue text (a bare & is a note: browsers show it); in SRT, text shaped like a "
        "tag players do not apply (<Who>), which they hide.",
        "captions",
        "check_markup",
    ),
    Rule(
        "C013",
        W,
        "repeated-text",
        "Consecutive cues carry the same text.",
        "captions",
        "check_repeated",
    ),
    Rule(
        "C014",
        E,
        "past-media-end",
        "A cue lies after the end of the media.",
        "captions",
        "check_past_end",
    ),
    Rule(
        "C015",
        W,
        "not-in-target-format",
        "A caption conversion: what the target format cannot carry (voices in SRT, cue settings, classes, "
        "word timestamps, STYLE/NOTE blocks) was mapped to the nearest equivalent or left out; the cues "
        "are named.",
        "captions",
    ),
    Rule(
        "C016",
        W,
        "delivery-profile",
        "A delivery file outside its format's profile: a TTML document without an IMSC profile "
        "designator, or with images in a text profile (SCC's 32 columns and 4 rows are C001/C002).",
        "captions",
    ),
    # against the media
    Rule("M001", W, "timestamp-in-silence", "No speech near a turn's timestamp.", "media"),
    Rule(
        "M002",
        W,
        "speech-without-text",
        "A stretch of speech has no transcript text (missing content).",
        "media",
    ),
    Rule("M003", W, "text-without-speech", "Transcript text falls where the audio has no speech.", "media"),
    Rule("M004", I, "offset-detected", "The text is offset against the audio by a constant.", "media"),
    Rule(
        "M005",
        W,
        "jump-detected",
        "The offset against the audio changes at a point (a cut or a chunk boundary).",
        "media",
    ),
    Rule(
        "M006",
        W,
        "sync-low-confidence",
        "Synchronisation was not confident; the original timing was kept.",
        "media",
    ),
    Rule(
        "M007",
        W,
        "media-damaged",
        "ffmpeg reported damage in the media (a truncated or corrupt file); timing near it is uncertain.",
        "media",
    ),
    Rule(
        "M008",
        I,
        "untimed-transcript-placed",
        "The transcript has no timestamps: it starts where its first words are found in the audio (or, when "
        "they fit nowhere, where speech is first heard), and its turns are aligned one after another.",
        "media",
    ),
    Rule(
        "M009",
        W,
        "untimed-transcript-doubtful",
        "The transcript has no timestamps, and its first words fit the audio nowhere, or not clearly better "
        "in one place than in another (another recording's transcript, media without speech): where it "
        "starts is a guess.",
        "media",
    ),
    # word alignment
    Rule(
        "A001",
        W,
        "alignment-fallback",
        "Forced alignment failed for a turn, or for a chunk of a long one; its sentences start at speech onsets (where no speech is heard, they share the time), its words are timed by the rate model (in other languages: the turn keeps its turn-sync timing).",
        "media",
    ),
    Rule(
        "A002",
        I,
        "alignment-recovered",
        "Audio not in the transcript (music, an interjection) was detected and skipped.",
        "media",
    ),
    Rule(
        "A003",
        W,
        "no-aligner-for-language",
        "No word aligner for the transcript's language (pocketsphinx's model is English and eSpeak NG has no voice for it): turns were timed by turn sync and speech onsets, as --align sync does.",
        "media",
    ),
)

RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}


def finding(
    code: str,
    message: str,
    *,
    path: str | None = None,
    line: int | None = None,
    cue: int | None = None,
    severity: Severity | None = None,
    **data: Any,
) -> Finding:
    """Build a finding for a catalogued code; ``data`` holds the numbers behind the message."""
    rule = RULES_BY_CODE[code]  # KeyError = a code that is not in the table: a programming error
    return Finding(
        code=code,
        severity=severity or rule.severity,
        message=message,
        path=path,
        line=line,
        cue=cue,
        data=data,
    )


def encoding_finding(encoding: str, path: str) -> Finding:
    """``P002``: the file was not UTF-8 (or only in part), and what it was read as."""
    return finding("P002", f"the file is not UTF-8; it was read as {encoding}", path=path, encoding=encoding)


def _rules(codes: Sequence[str] | None) -> list[Rule]:
    return [r for r in RULES if codes is None or r.code in codes]


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|")


def rules_markdown(codes: Sequence[str] | None = None) -> str:
    """The rule table in Markdown (the README's block between ``<!-- rules:start -->`` and ``<!-- rules:end -->``)."""
    rows = ["| code | severity | name | applies to | description |", "|---|---|---|---|---|"]
    for r in _rules(codes):
        rows.append(
            f"| {r.code} | {r.severity.value} | {r.name} | {r.applies_to} | {_escape_cell(r.description)} |"
        )
    return "\n".join(rows) + "\n"


def rules_text(codes: Sequence[str] | None = None) -> str:
    """The rule table as aligned plain text, one rule a line."""
    rules = _rules(codes)
    width = max((len(r.name) for r in rules), default=0)
    return "".join(
        f"{r.code}  {r.severity.value:<7}  {r.name:<{width}}  {r.applies_to:<10}  {r.description}\n"
        for r in rules
    )


def rules_json(codes: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The rule table as JSON-ready dicts (``check`` is the implementing function, or null)."""
    return [
        {
            "code": r.code,
            "severity": r.severity.value,
            "name": r.name,
            "applies_to": r.applies_to,
            "description": r.description,
            "check": f"{CHECKS_MODULE}.{r.check}" if r.check else None,
        }
        for r in _rules(codes)
    ]


README_START = "<!-- rules:start -->"
README_END = "<!-- rules:end -->"


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m toolkit.rules [--markdown | --json]``: print the rule table."""
    import argparse  # lazy: only `python -m toolkit.rules` needs these, and every process imports the table
    import json  # lazy: as argparse

    parser = argparse.ArgumentParser(prog="python -m toolkit.rules", description="Print the rule table.")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--markdown", action="store_true", help="the README block, with its markers")
    group.add_argument("--json", action="store_true", help="a JSON list")
    args = parser.parse_args(argv)
    if args.markdown:
        print(f"{README_START}\n{rules_markdown()}{README_END}")
    elif args.json:
        print(json.dumps(rules_json(), indent=2))
    else:
        print(rules_text(), end="")


if __name__ == "__main__":
    main()
