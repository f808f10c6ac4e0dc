"""A small fixed-seed run of the fuzz harness (bench/fuzz.py: the long run and its figures are in the
README): generated and mutated transcripts, SRT and WebVTT files, broken encodings and huge values, each
converted under a time limit; no exception outside the ToolkitError family, valid cues, no word lost,
plain JSON, outputs without errors when captionkit's own validate reads them back."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location("fuzz", Path(__file__).parent.parent / "bench" / "fuzz.py")
assert _SPEC is not None and _SPEC.loader is not None
fuzz = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fuzz)


def test_fixed_seed_fuzz_run_finds_no_problem() -> None:
    seen: list[tuple[str, str, bytes]] = []
    found = fuzz.run(0, 300, 20.0, lambda problem, suffix, data: seen.append((problem, suffix, data[:200])))
    assert found == {}, seen[:3]
