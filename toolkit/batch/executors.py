"""Where the per-file jobs run: in this process, in a local process pool, or on a Dask cluster.

Every engine takes an iterator of tasks and yields one :class:`FileResult` per task, in completion order,
keeping at most ``2 * workers`` tasks in flight (memory stays flat however many files there are).

The process pool survives its workers: when one dies (``os._exit``, a segfault, the OOM killer), every
task in flight is suspect; each suspect is re-run alone in a fresh one-worker pool, the one that kills
its worker again is reported as failed, and the remaining files go on in a new pool.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from .job import FileResult, FileTask, Outcome, init_worker, remove_stale_temp_files, run_file
from .plan import BatchUsageError

__all__ = ["DaskEngine", "Engine", "InlineEngine", "ProcessEngine", "default_jobs"]

CRASH_MESSAGE = "worker process crashed while converting this file (killed, or exited abruptly)"


class Engine(Protocol):
    name: str
    workers: int

    def run(self, tasks: Iterator[FileTask], stop: threading.Event) -> Iterator[FileResult]:
        """Yield a result per task; once ``stop`` is set, submit nothing more and drain what runs."""
        ...

    def close(self) -> None: ...


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class InlineEngine:
    """``--jobs 1``: convert in this process, one file after the other."""

    name = "inline"
    workers = 1

    def run(self, tasks: Iterator[FileTask], stop: threading.Event) -> Iterator[FileResult]:
        for task in tasks:
            yield run_file(task)
            if stop.is_set():
                return

    def close(self) -> None:
        pass


class ProcessEngine:
    """``--jobs N``: a local ``ProcessPoolExecutor`` of N workers that isolates crashing files."""

    name = "processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.max_in_flight = 2 * workers
        fork = "fork" in multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork" if fork else None)
        self._pool: ProcessPoolExecutor | None = None
        self.crashes = 0

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=self._context, initializer=init_worker)

    def run(self, tasks: Iterator[FileTask], stop: threading.Event) -> Iterator[FileResult]:
        retry: deque[FileTask] = deque()
        pending: dict[Future[FileResult], FileTask] = {}
        self._pool = self._new_pool(self.workers)
        exhausted = stopped = False
        while True:
            broken = False
            if stop.is_set() and not stopped:  # stop: cancel what has not started, let the rest finish
                stopped = exhausted = True
                retry.clear()
                for fut in [f for f in pending if f.cancel()]:
                    del pending[fut]
            while not broken and len(pending) < self.max_in_flight:
                task = retry.popleft() if retry else None if exhausted else next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                try:
                    pending[self._pool.submit(run_file, task)] = task
                except BrokenProcessPool:
                    retry.appendleft(task)
                    broken = True
            if not pending and not broken:
                return  # nothing in flight and nothing left to submit
            if pending:
                done, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                for fut in done:
                    if not isinstance(fut.exception(), BrokenProcessPool):
                        yield _result_of(fut, pending.pop(fut))
                    else:
                        broken = True
            if broken:
                suspects: list[FileTask] = []
                for fut, task in list(pending.items()):
                    if fut.done() and not isinstance(fut.exception(), BrokenProcessPool):
                        yield _result_of(fut, task)
                    else:
                        suspects.append(task)
                pending.clear()
                self._pool.shutdown(wait=True, cancel_futures=True)
                self.crashes += 1
                _clean_output_folders(suspects)  # no worker is alive now: any temp file is stale
                yield from self._isolate(sorted(suspects, key=lambda t: t.index))
                self._pool = self._new_pool(self.workers)

    def _isolate(self, suspects: list[FileTask]) -> Iterator[FileResult]:
        """Re-run each suspect alone; the one that breaks its pool again is the culprit."""
        pool = self._new_pool(1)
        try:
            for task in suspects:
                fut = pool.submit(run_file, task)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    yield FileResult(
                        task.index, task.input, Outcome.FAILED, error=f"{task.input}: {CRASH_MESSAGE}"
                    )
                    pool.shutdown(wait=True)
                    pool = self._new_pool(1)
                except Exception as exc:
                    yield _failure(task, exc)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _clean_output_folders(tasks: list[FileTask]) -> None:
    for folder in sorted({os.path.dirname(out) for task in tasks for _, out in task.outputs}):
        remove_stale_temp_files(Path(folder))


def _result_of(fut: Future[FileResult], task: FileTask) -> FileResult:
    exc = fut.exception()
    return _failure(task, exc) if exc is not None else fut.result()


def _failure(task: FileTask, exc: BaseException) -> FileResult:
    """A task that could not even run (e.g. an unpicklable converter, a lost Dask worker)."""
    name = type(exc).__name__
    if name == "KilledWorker":
        message = f"{task.input}: {CRASH_MESSAGE} (Dask gave up after its retries)"
    else:
        message = f"{task.input}: could not run the job: {name}: {exc}"
    return FileResult(task.index, task.input, Outcome.FAILED, error=message)


class DaskEngine:
    """``--scheduler tcp://host:8786``: submit the jobs to a ``dask.distributed`` cluster.

    Workers need captionkit installed and must see the input and output paths: they get absolute paths,
    which must name the same files on every machine (a shared filesystem mounted at the same place).
    """

    name = "dask"

    def __init__(self, address: str, *, timeout_s: float = 10.0) -> None:
        try:
            import distributed  # lazy: optional (captionkit[dask]), and only for --scheduler
        except ImportError:
            raise BatchUsageError(
                "--scheduler needs dask.distributed; install it with: pip install 'captionkit[dask]'"
            ) from None
        try:
            client_class: Any = distributed.Client
            self._client: Any = client_class(address, timeout=timeout_s, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise BatchUsageError(f"cannot connect to the Dask scheduler at {address}: {exc}") from None
        self._as_completed: Any = distributed.as_completed
        self.address = address
        self.workers = max(1, sum(self._client.nthreads().values()))
        self.max_in_flight = 2 * self.workers

    def run(self, tasks: Iterator[FileTask], stop: threading.Event) -> Iterator[FileResult]:
        pending: dict[str, FileTask] = {}
        completed: Any = self._as_completed(loop=self._client.loop)

        def submit() -> bool:
            task = None if stop.is_set() else next(tasks, None)
            if task is None:
                return False
            key = f"captionkit-{task.index}-{os.urandom(4).hex()}"
            fut = self._client.submit(run_file, _absolute(task), pure=False, key=key)
            pending[fut.key] = task
            completed.add(fut)
            return True

        while len(pending) < self.max_in_flight and submit():
            pass
        for fut in completed:
            task = pending.pop(fut.key)
            try:
                result = fut.result()
                outputs = tuple(out for _, out in task.outputs) if result.outputs else ()
                result = replace(result, input=task.input, outputs=outputs)  # the paths as the user gave them
            except Exception as exc:
                result = _failure(task, exc)
            fut.release()
            yield result
            while len(pending) < self.max_in_flight and submit():
                pass

    def close(self) -> None:
        self._client.close()


def _absolute(task: FileTask) -> FileTask:
    """Workers run in other folders (or on other machines): send them absolute paths."""
    outputs = tuple((fmt, os.path.abspath(out)) for fmt, out in task.outputs)
    return replace(task, input=os.path.abspath(task.input), outputs=outputs)
