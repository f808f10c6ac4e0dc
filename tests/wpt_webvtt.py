"""The W3C web-platform-tests WebVTT file-parsing cases, run through a parser (shared by the test and
``bench/bench_wpt_webvtt.py``).

Each case in ``tests/fixtures/wpt_webvtt/expectations.json`` lists what the browser test asserts about
the cues of ``NAME.vtt``: their count, ids, text, times and the ``VTTCue`` layout attributes. A parser is
given as a function from the file's bytes to a list of cue dicts with the same keys; a key the parser
cannot say is left out (and then that expectation fails).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "wpt_webvtt"
CueDicts = list[dict[str, Any]]
Parser = Callable[[bytes], CueDicts]


def cases() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((FIXTURES / "expectations.json").read_text(encoding="utf-8"))
    return {name: case for name, case in data.items() if case.get("count") is not None}


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, float | int) and not isinstance(want, bool) and isinstance(got, float | int):
        return math.isclose(float(want), float(got), rel_tol=1e-9, abs_tol=1e-9)
    return bool(want == got)


def check_case(case: dict[str, Any], cues: CueDicts) -> list[str]:
    """What the parser got wrong in one case (empty: the case passes)."""
    problems: list[str] = []
    if len(cues) != case["count"]:
        problems.append(f"{len(cues)} cues, expected {case['count']}")
        return problems
    bad = set(case.get("known_inconsistent_cue_indexes", ()))
    for want in case.get("cues") or ():
        k = want["index"]
        if k in bad:
            continue
        got = cues[k]
        for key, value in want.items():
            if key == "index":
                continue
            if key == "region":
                problems.extend(_check_region(k, value, got.get("region"), cues))
            elif key not in got:
                problems.append(f"cue {k}: {key} not given")
            elif not _same(value, got[key]):
                problems.append(f"cue {k}: {key} is {got[key]!r}, expected {value!r}")
    return problems


def _check_region(k: int, want: Any, got: Any, cues: CueDicts) -> list[str]:
    # a region is given as (identity, properties dict) or None
    if want is None:
        return [] if got is None else [f"cue {k}: region should be null"]
    if got is None:
        return [f"cue {k}: region is null"]
    ident, props = got
    out: list[str] = []
    for key, value in want.items():
        if key == "not_null":
            continue
        if key == "same_as_cue":
            other = cues[value].get("region")
            if other is None or other[0] != ident:
                out.append(f"cue {k}: region not the one of cue {value}")
        elif key == "not_same_as_cue":
            other = cues[value].get("region")
            if other is not None and other[0] == ident:
                out.append(f"cue {k}: region is the one of cue {value}")
        elif key not in props or not _same(value, props[key]):
            out.append(f"cue {k}: region.{key} is {props.get(key)!r}, expected {value!r}")
    return out


def assertions(case: dict[str, Any]) -> int:
    """How many things the case asserts (the count, and each asserted attribute)."""
    bad = set(case.get("known_inconsistent_cue_indexes", ()))
    n = 1
    for want in case.get("cues") or ():
        if want["index"] not in bad:
            n += sum(1 for key in want if key != "index")
    return n


def run(parser: Parser) -> dict[str, list[str]]:
    """Per case, the problems (an exception counts as a failed case)."""
    out: dict[str, list[str]] = {}
    for name, case in cases().items():
        data = (FIXTURES / f"{name}.vtt").read_bytes()
        try:
            cues = parser(data)
        except Exception as exc:  # a parser that raises fails the case
            out[name] = [f"raised {type(exc).__name__}: {exc}"]
            continue
        out[name] = check_case(case, cues)
    return out


def captionkit_parser(data: bytes) -> CueDicts:
    """captionkit's reader, strict (as a browser reads)."""
    from toolkit.captions import cue_box, parse_webvtt
    from toolkit.captions.webvtt import parse_region

    doc = parse_webvtt(data.decode("utf-8", errors="replace"))
    regions = [(b.line, parse_region(b.text.partition("\n")[2])) for b in doc.blocks if b.kind == "REGION"]
    ids = tuple(r.id for _, r in regions)
    out: CueDicts = []
    for cue in doc.cues:
        box = cue_box(cue.settings, ids)
        region: Any = None
        if box.region is not None:
            at = max(i for i, (_, r) in enumerate(regions) if r.id == box.region)
            r = regions[at][1]
            region = (
                at,
                {
                    "id": r.id,
                    "width": r.width,
                    "lines": r.lines,
                    "regionAnchorX": r.region_anchor[0],
                    "regionAnchorY": r.region_anchor[1],
                    "viewportAnchorX": r.viewport_anchor[0],
                    "viewportAnchorY": r.viewport_anchor[1],
                    "scroll": r.scroll,
                },
            )
        out.append(
            {
                "id": cue.identifier,
                "text": cue.text,
                "startTime": cue.start_ms / 1000,
                "endTime": cue.end_ms / 1000,
                "vertical": box.vertical,
                "snapToLines": box.snap_to_lines,
                "line": box.line,
                "lineAlign": box.line_align,
                "position": box.position,
                "positionAlign": box.position_align,
                "size": box.size,
                "align": box.align,
                "region": region,
            }
        )
    return out
