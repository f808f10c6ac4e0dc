"""The repair stage: speakers -> duplicates -> timeline, each step reported as changes and findings.

Its tuning is one :class:`~toolkit.repair.params.RepairParams`, given to :func:`repair` / :func:`analyse`
(:data:`~toolkit.repair.params.DEFAULT_PARAMS` when none is) and passed down to every step: to the speaker
merge directly, to the duplicate search and the timeline with the rate model (:class:`Timing`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..model import Document, Finding, Turn
from ..rules import finding
from ..timecode import format_clock
from ..timing import RateModel, count_words
from .changes import Change, duration_text, short, signed_duration_text
from .duplicates import DuplicateRun, Removal, apply_removals, describe_run, find_duplicates
from .evidence import Timing
from .order import repair_timeline
from .params import DEFAULT_PARAMS, RepairParams
from .sentences import sentence_spans
from .speakers import MERGE_RULES, plan_speakers

__all__ = ["RemovedCopy", "RepairResult", "after_media_end", "analyse", "repair"]


@dataclass(frozen=True, slots=True)
class RemovedCopy:
    """A whole turn that duplicate removal dropped: its line and timestamp, and the line of the copy kept
    (the media stage tries both copies' times against the audio)."""

    line: int
    start_ms: int | None
    kept_line: int


@dataclass(frozen=True, slots=True)
class RepairResult:
    turns: tuple[Turn, ...]  # every turn has start_ms set, non-decreasing; source_start_ms keeps the original
    findings: tuple[Finding, ...]
    changes: tuple[Change, ...]
    removed: tuple[RemovedCopy, ...] = ()  # the whole turns duplicate removal dropped


def repair(
    doc: Document,
    *,
    duration_ms: int | None = None,
    speakers: Mapping[str, str] | None = None,
    params: RepairParams | None = None,
) -> RepairResult:
    """Repair a parsed transcript: merge speaker variants, remove duplicates, put the timeline in order
    (tuned by ``params``, :data:`~toolkit.repair.params.DEFAULT_PARAMS` when not given)."""
    p = params if params is not None else DEFAULT_PARAMS
    path = doc.path
    turns = list(doc.turns)
    if not turns:
        return RepairResult((), (), ())
    whole_seconds = all(t.start_ms is None or t.start_ms % 1000 == 0 for t in turns)
    turns, changes, findings = _merge_speakers(turns, speakers, path, p)
    dups = _remove_duplicates(turns, path, p)
    changes.extend(dups.changes)
    findings.extend(dups.findings)
    findings.extend(dups.jumps)

    result = repair_timeline(dups.turns, dups.timing, path=path, whole_seconds=whole_seconds)
    turns = result.turns
    # a gap the time-base jump already explains is not reported again as implausible
    jump_lines = {f.line for f in dups.jumps}
    next_line = {a.line: b.line for a, b in itertools.pairwise(turns)}
    findings.extend(
        f
        for f in result.findings
        if not (f.code == "T003" and f.line is not None and next_line.get(f.line) in jump_lines)
    )
    changes.extend(result.changes)

    findings.extend(_same_speaker(turns, path))
    if duration_ms is not None:
        findings.extend(after_media_end(turns, duration_ms, path))
    findings.sort(key=lambda f: (f.line or 0, f.code))
    return RepairResult(tuple(turns), tuple(findings), tuple(changes), dups.removed)


def _merge_speakers(
    turns: list[Turn], speakers: Mapping[str, str] | None, path: str, p: RepairParams
) -> tuple[list[Turn], list[Change], list[Finding]]:
    """Step 1: speaker variants merged into one name (P005); the turns renamed, the changes, the findings."""
    changes: list[Change] = []
    findings: list[Finding] = []
    mapping, merges = plan_speakers([(t.speaker, t.line) for t in turns], speakers, p)
    for m in merges:
        changes.append(
            Change(
                "speaker",
                m.lines,
                m.variant,
                None,
                m.reason,
                {"variant": m.variant, "canonical": m.canonical, "rule": m.rule, "count": len(m.lines)},
            )
        )
        findings.append(
            finding(
                "P005",
                f"speaker {m.variant!r} merged into {m.canonical!r} ({MERGE_RULES[m.rule]}; "
                f"{len(m.lines)} turn(s))",
                path=path,
                line=m.lines[0] if m.lines else None,
                variant=m.variant,
                canonical=m.canonical,
                rule=m.rule,
                lines=list(m.lines),
            )
        )
    if mapping:
        turns = [
            replace(t, speaker=mapping[t.speaker]) if t.speaker and t.speaker in mapping else t for t in turns
        ]
    return turns, changes, findings


@dataclass(frozen=True, slots=True)
class _Deduplicated:
    """What step 2 hands on: the turns without the duplicates and the rate model fitted to them, the
    changes and findings (T002), the whole turns dropped, and the time-base jumps the copies show (T005)."""

    turns: list[Turn]
    timing: Timing
    changes: list[Change]
    findings: list[Finding]
    removed: tuple[RemovedCopy, ...]
    jumps: list[Finding]


def _remove_duplicates(turns: list[Turn], path: str, p: RepairParams) -> _Deduplicated:
    """Step 2: duplicate turns, runs and sentences removed; the first copy is kept unless the later one fits
    the timeline clearly better."""
    changes: list[Change] = []
    findings: list[Finding] = []
    timing = Timing(RateModel.fit(turns), p)
    runs, removals, sents = find_duplicates(turns, timing)
    sent_turn = {g: s.turn for g, s in enumerate(sents)}
    removed: list[RemovedCopy] = []
    for r in removals:
        changes.append(_duplicate_change(r, runs[r.run], turns, sent_turn))
        findings.append(_duplicate_finding(changes[-1], r, path))
        if r.whole_turn and changes[-1].kept_line is not None:
            gone = turns[r.turn]
            removed.append(RemovedCopy(gone.line, gone.start_ms, changes[-1].kept_line))
    kept, index = apply_removals(turns, removals, timing)
    timing = Timing(RateModel.fit(kept), p)
    jumps = _timebase_jumps(runs, turns, index, kept, timing, sent_turn, path)
    return _Deduplicated(kept, timing, changes, findings, tuple(removed), jumps)


def after_media_end(turns: Sequence[Turn], duration_ms: int, path: str) -> list[Finding]:
    """T006 for every turn that starts after the end of the media."""
    return [
        finding(
            "T006",
            f"timestamp {format_clock(t.start_ms or 0)} is after the end of the media "
            f"({format_clock(duration_ms)})",
            path=path,
            line=t.line,
            start_ms=t.start_ms,
            duration_ms=duration_ms,
        )
        for t in turns
        if (t.start_ms or 0) > duration_ms
    ]


def analyse(
    doc: Document, *, duration_ms: int | None = None, params: RepairParams | None = None
) -> tuple[Finding, ...]:
    """The findings :func:`repair` reports for ``doc`` (for ``validate``): the same implementation."""
    return repair(doc, duration_ms=duration_ms, params=params).findings


def _duplicate_change(
    r: Removal, run: DuplicateRun, turns: Sequence[Turn], sent_turn: dict[int, int]
) -> Change:
    kept_turns = sorted({k for k, _ in r.kept})
    kept_lines = [turns[k].line for k in kept_turns]
    t = turns[r.turn]
    what = "turn" if r.whole_turn else ("sentence" if len(r.sentences) == 1 else "sentences")
    reason = f"duplicate {what} of line {kept_lines[0]}"
    if r.similarity < 100:
        reason += f" (similarity {r.similarity:.0f})"
    if t.speaker != turns[kept_turns[0]].speaker:
        reason += f", speaker {t.speaker!r}"
    reason += "; " + describe_run(run, turns, sent_turn)
    data = {
        "removed_text": r.text,
        "kept_line": kept_lines[0],
        "kept_lines": kept_lines,
        "kept_text": " ".join(_sentence_text(turns[k].text, s) for k, s in r.kept),
        "whole_turn": r.whole_turn,
        "similarity": round(r.similarity, 1),
        "offset_ms": run.offset_ms,
        "kept_copy": "first" if run.keep_first else "later",
        "cost_keep_first": round(run.cost_keep_first, 3),
        "cost_keep_later": round(run.cost_keep_second, 3),
    }
    return Change("duplicate", (t.line,), r.text, kept_lines[0], reason, data)


def _sentence_text(text: str, index: int) -> str:
    a, b = sentence_spans(text)[index]
    return text[a:b]


def _duplicate_finding(c: Change, r: Removal, path: str) -> Finding:
    msg = f"removed duplicate {short(r.text)!r}, kept line {c.kept_line}: {c.reason.split('; ', 1)[-1]}"
    return finding("T002", msg, path=path, line=c.lines[0], **dict(c.data))


def _timebase_jumps(
    runs: Sequence[DuplicateRun],
    before: Sequence[Turn],
    index: Sequence[int | None],
    after: Sequence[Turn],
    timing: Timing,
    sent_turn: dict[int, int],
    path: str,
) -> list[Finding]:
    """T005 where duplicate copies sit on two time bases and the kept timeline shows the jump (the
    thresholds are ``timing.params``)."""
    p = timing.params
    out: list[Finding] = []
    for run in runs:
        if run.offset_ms is None or abs(run.offset_ms) < p.timebase_min_ms:
            continue
        removed_turns = {sent_turn[g] for g, _, _ in run.removed()}
        kept_turns = {sent_turn[k] for _, k, _ in run.removed()}
        if run.keep_first:  # the jump is after the removed (later) copy
            last_removed = max(removed_turns)
            nxt = next((index[i] for i in range(last_removed + 1, len(index)) if index[i] is not None), None)
            prv = max((x for x in index[: last_removed + 1] if x is not None), default=None)
        else:  # the jump is before the kept (later) copy
            first_kept = min(kept_turns)
            nxt = index[first_kept]
            prv = max((x for x in index[:first_kept] if x is not None), default=None)
        if nxt is None or prv is None:
            continue
        a, b = after[prv], after[nxt]
        if a.start_ms is None or b.start_ms is None:
            continue
        excess = b.start_ms - a.start_ms - timing.expected_ms(a)
        allowed = max(p.timebase_tolerance * abs(run.offset_ms), p.timebase_min_slack_ms)
        if abs(excess - run.offset_ms) > allowed:
            continue
        pairs = ", ".join(
            f"{before[x].line}/{before[y].line} ({duration_text(abs(o))})" for x, y, o in run.offsets
        )
        words = count_words(a.text)
        msg = (
            f"the time base jumps by about {signed_duration_text(run.offset_ms)} between line {a.line} "
            f"({format_clock(a.start_ms)}) and line {b.line} ({format_clock(b.start_ms)}): the duplicated "
            f"turns at lines {pairs} are that far apart, and {a.speaker or 'the speaker'}'s {words} words "
            f"leave {duration_text(max(0, excess))} unaccounted for; the turns from line {b.line} keep "
            f"their times (synchronising with the media settles which base is right)"
        )
        out.append(
            finding(
                "T005",
                msg,
                path=path,
                line=b.line,
                offset_ms=run.offset_ms,
                excess_ms=excess,
                from_line=a.line,
                to_line=b.line,
                corrected=False,
                pairs=[[before[x].line, before[y].line, o] for x, y, o in run.offsets],
            )
        )
    return out


def _same_speaker(turns: Sequence[Turn], path: str) -> list[Finding]:
    out = []
    for a, b in itertools.pairwise(turns):
        if a.speaker is not None and a.speaker == b.speaker:
            out.append(
                finding(
                    "T004",
                    f"{b.speaker} has two turns in a row (lines {a.line} and {b.line})",
                    path=path,
                    line=b.line,
                    speaker=b.speaker,
                    previous_line=a.line,
                )
            )
    return out
