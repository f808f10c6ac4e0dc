"""``run_batch``: plan the inputs, run the jobs on an engine, keep score, report.

Exit codes: 0 every input converted (or up to date, or skipped as not a transcript), 1 some failed,
2 usage error (nothing found, ``--out-dir`` is a file, Dask missing or unreachable, ...), 130 stopped by
Ctrl-C or SIGTERM (files being converted finish, outputs written so far are complete, the report is
written; ``--skip-existing`` finishes the rest).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

from .. import __version__
from ..io import is_terminal
from ..pipeline import FORMATS, ConvertOptions
from .executors import DaskEngine, Engine, InlineEngine, ProcessEngine, default_jobs
from .job import Converter, FileResult, pipeline_converter
from .plan import REPORT_JSON_START, BatchUsageError, discover, make_plan, written_by_us
from .tally import Progress, Spool, Tally, write_report

__all__ = ["BatchOptions", "BatchSummary", "convert_batch", "run_batch"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True, slots=True)
class BatchOptions:
    out_dir: str
    formats: tuple[str, ...] = ("srt",)
    convert: ConvertOptions = field(default_factory=ConvertOptions)
    jobs: int | None = None  # None: one per CPU; 1: in this process
    skip_existing: bool = False
    report_path: str | None = None
    quiet: bool = False
    scheduler: str | None = None  # a Dask scheduler address: tcp://host:8786
    converter: Converter = pipeline_converter  # the per-file conversion (must be importable by workers)


@dataclass(frozen=True, slots=True)
class BatchSummary:
    totals: dict[str, object]
    failed: int
    interrupted: bool
    engine: str
    workers: int

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_FAILED if self.failed else EXIT_OK


def run_batch(paths: Sequence[str], options: BatchOptions, *, stderr: IO[str] | None = None) -> int:
    """Convert many files; print progress and a summary on ``stderr``; return the exit code."""
    stream = stderr if stderr is not None else sys.stderr
    try:
        return convert_batch(paths, options, stderr=stream).exit_code
    except BatchUsageError as exc:
        stream.write(f"Error: {exc}\n")
        return EXIT_USAGE


def convert_batch(
    paths: Sequence[str], options: BatchOptions, *, stderr: IO[str] | None = None
) -> BatchSummary:
    """The library entry point: like :func:`run_batch` but returns the totals; raises BatchUsageError."""
    stream = stderr if stderr is not None else sys.stderr
    formats = _check(options)
    inputs = discover(paths, options.out_dir)
    if options.report_path is not None:
        report_real = os.path.realpath(options.report_path)
        if any(os.path.realpath(p) == report_real for p in paths):
            raise BatchUsageError(f"--report {options.report_path} is one of the inputs")
        found = [inp for inp in inputs if inp.real == report_real]
        if found and not written_by_us(found[0].path, REPORT_JSON_START):
            raise BatchUsageError(
                f"--report {options.report_path} would overwrite an input ({found[0].path})"
            )
        # found in an input folder: the report of an earlier run, not an input of this one
        inputs = [inp for inp in inputs if inp.real != report_real]
        if not inputs:
            raise BatchUsageError(f"no input files found in {', '.join(paths)}")
    plan = make_plan(inputs, options.out_dir, formats)
    if options.report_path is not None and os.path.realpath(options.report_path) in plan.claimed:
        raise BatchUsageError(f"--report {options.report_path} is also an output of this run")
    engine = _engine(options, todo=len(inputs) - len(plan.decided))
    tally = Tally(total=len(inputs))
    spool = Spool(len(inputs))
    progress = Progress(stream, tally, live=not options.quiet and is_terminal(stream))

    def record(result: FileResult) -> None:
        spool.add(result)
        tally.add(result)
        progress.update()

    stop = threading.Event()
    restore = _graceful_stop(stop)
    try:
        tasks = plan.tasks(
            options.convert, options.converter, skip_existing=options.skip_existing, emit=record
        )
        try:
            for result in engine.run(tasks, stop):
                record(result)
        except KeyboardInterrupt:  # a second Ctrl-C: stop now
            stop.set()
        finally:
            try:
                engine.close()
            except KeyboardInterrupt:
                stop.set()
        interrupted = stop.is_set()
        progress.clear()
        if options.report_path is not None:
            header = {
                "captionkit": __version__,
                "out_dir": options.out_dir,
                "formats": list(formats),
                "engine": engine.name,
                "workers": engine.workers,
                "skip_existing": options.skip_existing,
                "interrupted": interrupted,
                "totals": tally.to_json(),
            }
            write_report(options.report_path, header, spool)
        if not options.quiet:
            for entry in spool.entries():
                if entry["outcome"] == "failed":
                    stream.write(f"{entry['error']}\n")
        summary = tally.summary(interrupted=interrupted)
        if options.report_path is not None:
            summary += f"; report: {options.report_path}"
        stream.write(summary + "\n")
        stream.flush()
    finally:
        spool.close()
        restore()
    return BatchSummary(tally.to_json(), tally.failed, interrupted, engine.name, engine.workers)


def _check(options: BatchOptions) -> tuple[str, ...]:
    if os.path.exists(options.out_dir) and not os.path.isdir(options.out_dir):
        raise BatchUsageError(f"--out-dir {options.out_dir} exists and is not a folder")
    if options.report_path is not None and os.path.isdir(options.report_path):
        raise BatchUsageError(f"--report {options.report_path} is a folder")
    formats = tuple(dict.fromkeys(f.lower().lstrip(".") for f in options.formats))
    if not formats:
        raise BatchUsageError("no output format given")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise BatchUsageError(f"unknown output format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    if options.jobs is not None and options.jobs < 1:
        raise BatchUsageError("--jobs must be at least 1")
    return formats


def _engine(options: BatchOptions, *, todo: int) -> Engine:
    if options.scheduler:
        return DaskEngine(options.scheduler)
    jobs = options.jobs if options.jobs is not None else default_jobs()
    if jobs <= 1 or todo == 0:
        return InlineEngine()
    if options.converter is pipeline_converter:
        _preload_stages()
    return ProcessEngine(min(jobs, todo))


def _preload_stages() -> None:
    """Import the pipeline stages once before forking, so every worker starts with them loaded (the
    pipeline itself imports them on first use; a stage that cannot be imported is reported per file by the
    job)."""
    with contextlib.suppress(ImportError):
        from .. import formats, parse, repair, segment, timing  # noqa: F401  (lazy: only before a fork)


def _graceful_stop(stop: threading.Event) -> Callable[[], None]:
    """While the batch runs, the first Ctrl-C or SIGTERM sets ``stop``: nothing new starts, the files being
    converted finish, the report is written. A second one raises KeyboardInterrupt. Handlers are only
    set from the main thread; returns the function that puts the previous ones back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore
