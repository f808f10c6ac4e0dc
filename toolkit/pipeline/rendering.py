"""The pipeline's last step: a :class:`~.conversion.ConvertResult` written as SRT, WebVTT, JSON or a
delivery format, with the findings that hold for that format.

The top of the text pipeline in :mod:`toolkit.pipeline`: caption files go back out through
:mod:`toolkit.captions` (lossless), a transcript's cues through the writers of :mod:`toolkit.formats`,
the delivery formats through :mod:`toolkit.captions.delivery`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..captions import Caption, Captions, dumps, voices
from ..model import Finding
from .conversion import DELIVERY, FORMATS, ConvertResult

__all__ = ["as_captions", "output_format_for", "render", "render_with_findings", "result_to_json"]


def render(result: ConvertResult, fmt: str) -> str:
    """The result as SRT, WebVTT or JSON text."""
    if fmt in DELIVERY:
        return render_with_findings(result, fmt)[0]
    if result.captions is not None and fmt in ("srt", "vtt"):
        return dumps(result.captions, fmt, speaker_style=result.options.speaker_style)[0]
    from ..formats import write_srt, write_vtt  # lazy: pysrt and webvtt-py (~11 ms) for a transcript's cues

    if fmt == "srt":
        return write_srt(result.cues, speaker_style=result.options.speaker_style)
    if fmt == "vtt":
        return write_vtt(result.cues, word_timestamps=result.options.word_timestamps)
    if fmt == "json":
        return json.dumps(result_to_json(result), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown output format {fmt!r}; choose from {', '.join(FORMATS)}")


def render_with_findings(result: ConvertResult, fmt: str) -> tuple[str, tuple[Finding, ...]]:
    """:func:`render`, and the result's findings as they hold for that format: what a caption document
    loses in it (``C015``); the reading speed counted with the speaker labels only where the format
    shows them (SRT labels; WebVTT voices are not displayed)."""
    if fmt in DELIVERY:
        from ..captions.delivery import dumps_delivery  # lazy: TTML/SCC/ASS only (~7 ms)

        style = result.options.speaker_style
        text, lost = dumps_delivery(as_captions(result), fmt, fps=result.options.fps, speaker_style=style)
        return text, (*result.findings, *lost)
    if result.captions is not None and fmt in ("srt", "vtt"):
        text, lost = dumps(result.captions, fmt, speaker_style=result.options.speaker_style)
        return text, (*result.findings, *lost)
    text = render(result, fmt)
    labels = fmt == "srt" and result.options.speaker_style != "none"
    if labels or not result.cues or not any(c.speakers for c in result.cues):
        return text, result.findings
    from ..segment import check_cues  # lazy: a caption file's conversion skips the segmenter (~30 ms)

    speed = [
        f
        for f in check_cues(result.cues, result.options.profile, path=result.path, labels=False)
        if f.code == "C003"
    ]
    kept = [f for f in result.findings if f.code != "C003"]  # the segmenter's, counted with the labels
    return text, tuple(sorted((*kept, *speed), key=lambda f: (f.line or 0, f.cue or 0)))


def result_to_json(result: ConvertResult) -> dict[str, Any]:
    o = result.options
    return {
        "version": __version__,
        "source": {
            "path": result.document.path,
            "kind": result.document.kind,
            "layout": result.document.layout,
            "layout_confidence": result.document.layout_confidence,
            "encoding": result.document.encoding,
        },
        "profile": {
            "name": o.profile.name,
            "max_chars_per_line": o.profile.max_chars_per_line,
            "max_lines": o.profile.max_lines,
            "max_cps": o.profile.max_cps,
            "min_duration_ms": o.profile.min_duration_ms,
            "max_duration_ms": o.profile.max_duration_ms,
            "min_gap_ms": o.profile.min_gap_ms,
        },
        "meta": result.meta,
        "cues": _caption_cues_json(result.captions) if result.captions is not None else _cues_json(result),
        "turns": [
            {
                "index": i,
                "speaker": t.speaker,
                "start_ms": t.start_ms,
                "end_ms": t.end_ms,
                "source_start_ms": t.source_start_ms,
                "line": t.line,
                "text": t.text,
            }
            for i, t in enumerate(result.turns)
        ],
        "findings": [f.to_json() for f in result.findings],
    }


def _cues_json(result: ConvertResult) -> list[dict[str, Any]]:
    return [
        {
            "index": i,
            "start_ms": c.start_ms,
            "end_ms": c.end_ms,
            "speaker": c.speaker,
            "speakers": list(c.speakers),
            "text": c.text,
            "lines": list(c.lines),
            "turn": c.turn,
            "line": c.line,
            **(
                {"words": [{"text": w.text, "start_ms": w.start_ms, "end_ms": w.end_ms} for w in c.words]}
                if c.words
                else {}
            ),
        }
        for i, c in enumerate(result.cues, start=1)
    ]


def _caption_cues_json(captions: Captions) -> list[dict[str, Any]]:
    return [
        {
            "index": i,
            "start_ms": c.start_ms,
            "end_ms": c.end_ms,
            "speaker": c.speaker,
            "speakers": list(dict.fromkeys(voices(c.text))),  # every voice of the cue, as for a transcript's
            "text": c.plain.replace("\n", " "),
            "lines": list(c.lines),
            "markup": c.text,
            "identifier": c.identifier,
            "settings": dict(c.settings),
            "line": c.line,
        }
        for i, c in enumerate(captions.cues, start=1)
    ]


def output_format_for(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".xml", ".dfxp"):
        return "ttml"
    if suffix.lstrip(".") not in FORMATS:
        raise ValueError(
            f"cannot tell the output format from {path!r}; use .srt, .vtt, .json, .ttml, .scc, .ass or .ssa, "
            "or pass --to"
        )
    return suffix.lstrip(".")


def as_captions(result: ConvertResult) -> Captions:
    """The result as a caption document: a caption file's own, or the cues made from a transcript
    (speakers as WebVTT voices, word times as timestamp tags when asked for)."""
    if result.captions is not None:
        return replace(result.captions, findings=result.findings)
    from ..formats.vtt import vtt_lines  # lazy: pysrt and webvtt-py (~11 ms) for a transcript's cues

    timed = result.options.word_timestamps
    cues = tuple(
        Caption(c.start_ms, c.end_ms, "\n".join(vtt_lines(c, word_timestamps=timed)), line=c.line)
        for c in result.cues
    )
    encoding = result.document.encoding
    return Captions(cues, format="vtt", path=result.path, encoding=encoding, findings=result.findings)
