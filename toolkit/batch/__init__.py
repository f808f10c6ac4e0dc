"""Batch conversion: many inputs, in parallel (local processes or a Dask cluster), mirrored outputs.

``run_batch(paths, BatchOptions(out_dir=...))`` is what ``captionkit convert --out-dir`` calls. The
modules, in the order a batch goes through them:

* :mod:`.plan`: find the inputs (files, folders, globs), map them to outputs, decide skips and conflicts.
* :mod:`.job`: the per-file job, ``run_file(FileTask) -> FileResult`` (picklable, primitives only).
* :mod:`.engines`: run the jobs in-process, in a crash-tolerant process pool, or on Dask.
* :mod:`.report`: totals, the progress line, the JSON report (input order), the summary.
* :mod:`.runner`: ``run_batch`` and ``convert_batch`` wiring the above.
"""

from __future__ import annotations

from .job import Converted, Converter, FileResult, FileTask, Outcome, pipeline_converter, run_file
from .plan import NOT_TRANSCRIPT_EXTENSIONS, BatchUsageError
from .runner import BatchOptions, BatchSummary, convert_batch, run_batch

__all__ = [
    "NOT_TRANSCRIPT_EXTENSIONS",
    "BatchOptions",
    "BatchSummary",
    "BatchUsageError",
    "Converted",
    "Converter",
    "FileResult",
    "FileTask",
    "Outcome",
    "convert_batch",
    "pipeline_converter",
    "run_batch",
    "run_file",
]
