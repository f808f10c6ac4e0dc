"""The one place that wires the stages together: parse -> repair -> (media sync/align) -> segment -> write.

Every stage is a function from data to data; this package only calls them in order and collects their
findings. ``convert_file`` is a plain function of (path, options) -> result, so the batch runner can ship
it to worker processes or a Dask cluster.

    conversion.py     ConvertOptions, ConvertResult, the output formats
    text_stages.py    convert_file, convert_document, convert_captions: the text pipeline
    rendering.py      render, render_with_findings, result_to_json, as_captions: the last step
    media_stages.py   apply_media: convert --media (turn sync, then the word aligner)
    caption_sync.py   sync_captions, decide_sync: captionkit sync (the search, then the text check)

The media modules load numpy and the speech detectors, so they are not imported here: import them as
``toolkit.pipeline.caption_sync`` and ``toolkit.pipeline.media_stages``.
"""

from __future__ import annotations

from .conversion import DELIVERY, DELIVERY_INPUTS, FORMATS, SPEAKER_STYLES, ConvertOptions, ConvertResult
from .rendering import as_captions, output_format_for, render, render_with_findings, result_to_json
from .text_stages import (
    CLOCK_FROM_MS,
    clock_time_offset,
    convert_captions,
    convert_document,
    convert_file,
    transcript_language,
)

__all__ = [
    "CLOCK_FROM_MS",
    "DELIVERY",
    "DELIVERY_INPUTS",
    "FORMATS",
    "SPEAKER_STYLES",
    "ConvertOptions",
    "ConvertResult",
    "as_captions",
    "clock_time_offset",
    "convert_captions",
    "convert_document",
    "convert_file",
    "output_format_for",
    "render",
    "render_with_findings",
    "result_to_json",
    "transcript_language",
]
