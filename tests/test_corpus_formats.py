"""Every caption file the project holds (W3C cases, real exports, samples) converts to every output
format without an internal error, and each output reads back with as many cues as it was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.captions import Captions, decode_caption_bytes, load
from toolkit.captions.delivery import dumps_delivery, loads_delivery
from toolkit.errors import ToolkitError

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    [
        *(ROOT / "tests" / "fixtures" / "wpt_webvtt").glob("*.vtt"),
        *(ROOT / "tests" / "fixtures" / "captions").glob("*.vtt"),
        *(ROOT / "tests" / "fixtures" / "transcripts_real").glob("*.srt"),
        *(ROOT / "tests" / "fixtures" / "transcripts_real").glob("*.vtt"),
        *(ROOT / "samples" / "layouts").glob("*.srt"),
        *(ROOT / "samples" / "layouts").glob("*.vtt"),
    ]
)


def _shown(doc: Captions) -> int:
    return sum(1 for c in doc.cues if c.plain.strip() and c.end_ms > c.start_ms)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_caption_file_goes_to_every_format(path: Path) -> None:
    try:
        doc = load(path, lenient=True)
    except ToolkitError:
        pytest.skip("not a caption file a user could convert (said so in one line)")
    shown = _shown(doc)
    for fmt in ("srt", "vtt"):
        text = doc.to_string(fmt)
        decoded, _ = decode_caption_bytes(text.encode("utf-8")) if text.strip() else ("", "utf-8")
        if shown:
            from toolkit.captions import loads

            assert _shown(loads(decoded, fmt)) == shown
    for fmt in ("ttml", "ass", "ssa", "scc"):
        text, findings = dumps_delivery(doc, fmt)
        assert all(f.code == "C015" for f in findings)
        if shown and fmt != "scc":  # SCC splits cues over 4 rows into several captions (reported)
            assert _shown(loads_delivery(text, fmt)) == shown
