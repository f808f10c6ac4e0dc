"""Score the transcript parser against real transcript exports.

Reads every fixture listed in ``tests/fixtures/transcripts_real/expectations.json``, parses it with
:func:`toolkit.parse.read_document` and compares the turns (speaker, start_ms, text, per turn, in order)
with the expectation written by hand for that file. Prints, per file, OK or FAIL with the first
difference; per layout family the share of files exactly right; the overall share; and any exporter or
page artefact (listed per file in the expectations) found in a parsed turn's text.

A second score merges consecutive turns of the same speaker on both sides before comparing (text joined
with a space, start of the first turn), so a parser that splits or joins a speaker's paragraphs
differently from the file's own units is not penalised there.

Run from the repository root::

    .venv/bin/python bench/bench_transcripts.py            # report
    .venv/bin/python bench/bench_transcripts.py --json     # machine-readable result
    .venv/bin/python bench/bench_transcripts.py -k teams   # only fixtures whose name contains "teams"

The script never fails on a parser error: a :class:`toolkit.errors.ToolkitError` makes that file FAIL
with the error message. Exit status is 0 whatever the score (this is a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from toolkit.errors import ToolkitError  # noqa: E402
from toolkit.parse import read_document  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "transcripts_real"
EXPECTATIONS = FIXTURES / "expectations.json"

Turn = dict[str, Any]  # {"speaker": str | None, "start_ms": int | None, "text": str}


@dataclass
class FileResult:
    name: str
    layout: str
    ok: bool = False
    merged_ok: bool = False
    error: str | None = None
    first_difference: str | None = None
    merged_first_difference: str | None = None
    expected_turns: int = 0
    parsed_turns: int = 0
    parsed_layout: str | None = None
    artefacts_found: list[dict[str, Any]] = field(default_factory=list)


def _short(value: Any, width: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def merge_same_speaker(turns: list[Turn]) -> list[Turn]:
    """Consecutive turns with the same speaker become one: texts joined by a space, the first start."""
    merged: list[Turn] = []
    for turn in turns:
        if merged and merged[-1]["speaker"] == turn["speaker"]:
            last = merged[-1]
            last["text"] = " ".join(part for part in (last["text"], turn["text"]) if part)
        else:
            merged.append(dict(turn))
    return merged


def _text_difference(want: str, got: str) -> str:
    """Where two texts part: a window around the first differing character (both sides)."""
    if not isinstance(want, str) or not isinstance(got, str):
        return f"expected {_short(want)}, got {_short(got)}"
    at = next(
        (i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b), min(len(want), len(got))
    )
    lo = max(0, at - 25)
    head = "..." if lo else ""
    return (
        f"at char {at}: expected {head}{want[lo : at + 35]!r}, got {head}{got[lo : at + 35]!r}"
        f" (lengths {len(want)}/{len(got)})"
    )


def first_difference(expected: list[Turn], parsed: list[Turn]) -> str | None:
    """None when the lists are equal, else a one-line description of the first difference."""
    for index, (want, got) in enumerate(zip(expected, parsed, strict=False)):
        for key in ("speaker", "start_ms", "text"):
            if want[key] != got[key]:
                detail = (
                    _text_difference(want[key], got[key])
                    if key == "text"
                    else f"expected {_short(want[key])}, got {_short(got[key])}"
                )
                where = f" (line {got['line']})" if got.get("line") else ""
                return f"turn {index + 1} {key}: {detail}{where}"
    if len(expected) != len(parsed):
        if len(parsed) < len(expected):
            missing = expected[len(parsed)]
            return (
                f"{len(parsed)} turns parsed, {len(expected)} expected; first missing: "
                f"{_short(missing['speaker'])} {missing['start_ms']} {_short(missing['text'], 60)}"
            )
        extra = parsed[len(expected)]
        return (
            f"{len(parsed)} turns parsed, {len(expected)} expected; first extra: "
            f"{_short(extra['speaker'])} {extra['start_ms']} {_short(extra['text'], 60)}"
        )
    return None


def parse_file(path: Path) -> tuple[list[Turn], str | None]:
    document = read_document(path)
    turns = [
        {"speaker": t.speaker, "start_ms": t.start_ms, "text": t.text, "line": t.line} for t in document.turns
    ]
    return turns, getattr(document, "layout", None)


def score_file(name: str, spec: dict[str, Any]) -> FileResult:
    result = FileResult(name=name, layout=spec["layout"], expected_turns=len(spec["turns"]))
    expected: list[Turn] = [
        {"speaker": t["speaker"], "start_ms": t["start_ms"], "text": t["text"]} for t in spec["turns"]
    ]
    try:
        parsed, parsed_layout = parse_file(FIXTURES / name)
    except ToolkitError as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        result.first_difference = result.merged_first_difference = result.error
        return result
    result.parsed_turns = len(parsed)
    result.parsed_layout = parsed_layout
    result.first_difference = first_difference(expected, parsed)
    result.ok = result.first_difference is None
    plain = [{k: t[k] for k in ("speaker", "start_ms", "text")} for t in parsed]
    result.merged_first_difference = first_difference(merge_same_speaker(expected), merge_same_speaker(plain))
    result.merged_ok = result.merged_first_difference is None
    for artefact in spec.get("artefacts", []):
        for index, turn in enumerate(parsed):
            if artefact and artefact in (turn["text"] or ""):
                result.artefacts_found.append({"artefact": artefact, "turn": index + 1, "line": turn["line"]})
                break
    return result


def load_expectations() -> dict[str, dict[str, Any]]:
    with EXPECTATIONS.open(encoding="utf-8") as handle:
        data: dict[str, dict[str, Any]] = json.load(handle)
    return data


def summarise(results: list[FileResult]) -> dict[str, Any]:
    by_layout: dict[str, list[FileResult]] = defaultdict(list)
    for r in results:
        by_layout[r.layout].append(r)
    total = len(results) or 1
    return {
        "files": len(results),
        "ok": sum(r.ok for r in results),
        "ok_share": sum(r.ok for r in results) / total,
        "merged_ok": sum(r.merged_ok for r in results),
        "merged_ok_share": sum(r.merged_ok for r in results) / total,
        "errors": sum(r.error is not None for r in results),
        "files_with_artefacts": sum(bool(r.artefacts_found) for r in results),
        "layouts": {
            layout: {
                "files": len(rs),
                "ok": sum(r.ok for r in rs),
                "ok_share": sum(r.ok for r in rs) / len(rs),
                "merged_ok": sum(r.merged_ok for r in rs),
                "merged_ok_share": sum(r.merged_ok for r in rs) / len(rs),
            }
            for layout, rs in sorted(by_layout.items())
        },
    }


def print_report(results: list[FileResult], summary: dict[str, Any]) -> None:
    print(f"Real transcript exports: {summary['files']} files in {FIXTURES.relative_to(ROOT)}")
    print()
    print("== per file (exact turns) ==")
    width = max((len(r.name) for r in results), default=10)
    for r in results:
        status = "OK  " if r.ok else "FAIL"
        counts = f"{r.parsed_turns}/{r.expected_turns} turns"
        line = f"{status} {r.name:<{width}}  [{r.layout}] {counts}"
        if not r.ok:
            line += f"  {r.first_difference}"
        print(line)
    print()
    print("== per layout family ==")
    lw = max((len(k) for k in summary["layouts"]), default=10)
    for layout, s in summary["layouts"].items():
        print(
            f"{layout:<{lw}}  exact {s['ok']}/{s['files']} ({s['ok_share']:.0%})"
            f"   merged {s['merged_ok']}/{s['files']} ({s['merged_ok_share']:.0%})"
        )
    print()
    print(
        f"OVERALL exact: {summary['ok']}/{summary['files']} files right ({summary['ok_share']:.1%}); "
        f"{summary['errors']} raised a ToolkitError"
    )
    print()
    print("== artefacts found in parsed turn text ==")
    found = [r for r in results if r.artefacts_found]
    if not found:
        print("none")
    for r in found:
        items = ", ".join(
            f"{a['artefact']!r} (turn {a['turn']}, line {a['line']})" for a in r.artefacts_found
        )
        print(f"{r.name}: {items}")
    print()
    print("== second score: consecutive same-speaker turns merged on both sides ==")
    for r in results:
        if not r.merged_ok:
            print(f"FAIL {r.name:<{width}}  {r.merged_first_difference}")
    merged, files, share = summary["merged_ok"], summary["files"], summary["merged_ok_share"]
    print(f"OVERALL merged: {merged}/{files} files right ({share:.1%})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print a machine-readable result")
    parser.add_argument("-k", metavar="TEXT", help="only fixtures whose file name contains TEXT")
    args = parser.parse_args(argv)

    expectations = load_expectations()
    names = sorted(n for n in expectations if not args.k or args.k in n)
    results = [score_file(name, expectations[name]) for name in names]
    summary = summarise(results)
    if args.json:
        payload = {
            "summary": summary,
            "files": [
                {
                    "name": r.name,
                    "layout": r.layout,
                    "ok": r.ok,
                    "merged_ok": r.merged_ok,
                    "error": r.error,
                    "first_difference": r.first_difference,
                    "merged_first_difference": r.merged_first_difference,
                    "expected_turns": r.expected_turns,
                    "parsed_turns": r.parsed_turns,
                    "parsed_layout": r.parsed_layout,
                    "artefacts_found": r.artefacts_found,
                }
                for r in results
            ],
        }
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print_report(results, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
