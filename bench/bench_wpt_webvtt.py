"""WebVTT conformance: the W3C web-platform-tests file-parsing cases through captionkit, webvtt-py and
pysubs2, in one run.

    .venv/bin/python bench/bench_wpt_webvtt.py

Prints, per parser, the cases passed whole and the assertions met (a cue count, and each cue attribute
the browser test checks: id, text, times, line, position, size, align, region...). A parser that has no
notion of an attribute (pysubs2 keeps no cue settings) fails those assertions.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import wpt_webvtt  # noqa: E402


def webvtt_py(data: bytes) -> list[dict[str, Any]]:
    import webvtt

    with tempfile.NamedTemporaryFile(suffix=".vtt") as f:
        f.write(data)
        f.flush()
        doc = webvtt.read(f.name)
    out = []
    for c in doc.captions:
        cue: dict[str, Any] = {
            "id": c.identifier or "",
            "text": c.raw_text if hasattr(c, "raw_text") else c.text,
            "startTime": c.start_in_seconds,
            "endTime": c.end_in_seconds,
        }
        s = getattr(c, "settings", None)
        if s is not None:
            for key, attr in (
                ("vertical", "vertical"),
                ("line", "line"),
                ("position", "position"),
                ("size", "size"),
                ("align", "align"),
            ):
                value = getattr(s, attr, None)
                if value is not None:
                    cue[key] = value
        out.append(cue)
    return out


def pysubs2_parser(data: bytes) -> list[dict[str, Any]]:
    import pysubs2

    subs = pysubs2.SSAFile.from_string(data.decode("utf-8", errors="replace"), format_="vtt")
    return [
        {"text": e.text.replace("\\N", "\n"), "startTime": e.start / 1000, "endTime": e.end / 1000}
        for e in subs
    ]


def main() -> None:
    cases = wpt_webvtt.cases()
    total = sum(wpt_webvtt.assertions(c) for c in cases.values())
    print(f"{len(cases)} W3C web-platform-tests WebVTT file-parsing cases, {total} assertions")
    for name, parser in (
        ("captionkit", wpt_webvtt.captionkit_parser),
        ("webvtt-py", webvtt_py),
        ("pysubs2", pysubs2_parser),
    ):
        results = wpt_webvtt.run(parser)
        passed = sum(1 for v in results.values() if not v)
        failed = 0
        for k, problems in results.items():
            whole = problems and ("cues, expected" in problems[0] or problems[0].startswith("raised"))
            failed += wpt_webvtt.assertions(cases[k]) if whole else len(problems)
        print(f"{name:11s} cases {passed}/{len(cases)}  assertions {total - failed}/{total}")


if __name__ == "__main__":
    main()
