"""The per-file job: a plain, picklable function of one task to one small result.

:func:`run_file` is what every engine ships to a worker (the calling process, a local process pool or a
Dask worker). It converts one input with a *converter* (by default :func:`pipeline_converter`, i.e.
``pipeline.convert_file`` + ``pipeline.render``), writes the outputs atomically next to each other and
returns a :class:`FileResult` made of primitives only, so nothing but a few numbers travels back.

Outcomes (``Outcome``):

* ``converted``: every requested output was written.
* ``up-to-date``: ``--skip-existing`` and every output exists and is not older than the input.
* ``skipped``: not a transcript or caption file at all: a media/image/archive/office extension, or binary
  content (NUL bytes that are not UTF-16, control characters); also a caption file that is the output of
  another input of the same run. Skips are not errors.
* ``failed``: a file that should be a transcript but cannot be converted: empty, undecodable, no
  timestamps, a parse error, an output that would overwrite an input, an unexpected exception in a stage,
  or the worker process dying while converting it.
"""

from __future__ import annotations

import enum
import os
import re
import signal
import stat
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, ToolkitError
from ..io import atomic_write_text, temp_owner
from ..model import Finding
from ..pipeline import ConvertOptions, convert_file, render_with_findings

__all__ = [
    "Converted",
    "Converter",
    "FileResult",
    "FileTask",
    "Outcome",
    "looks_binary",
    "pipeline_converter",
    "run_file",
]


class Outcome(enum.StrEnum):
    CONVERTED = "converted"
    UP_TO_DATE = "up-to-date"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Converted:
    """What a converter returns: the text of each requested format, and what the stages found."""

    texts: Mapping[str, str]
    findings: tuple[Finding, ...] = ()
    cues: int | None = None


Converter = Callable[[str, ConvertOptions, tuple[str, ...]], Converted]


def pipeline_converter(path: str, options: ConvertOptions, formats: tuple[str, ...]) -> Converted:
    """The default converter: the full pipeline, rendered to each format."""
    result = convert_file(path, options)
    texts: dict[str, str] = {}
    findings: list[Finding] = []
    for n, fmt in enumerate(formats):  # the findings of the first format, and what another one adds
        texts[fmt], found = render_with_findings(result, fmt)
        if n == 0:
            findings.extend(found)
        else:  # the format-dependent ones: reading speed (labels shown or not), what the format loses
            extra = [f for f in found if f.code in ("C003", "C015")]
            findings.extend(f for f in extra if f not in findings)
    return Converted(texts, tuple(findings), result.cue_count)


@dataclass(frozen=True, slots=True)
class FileTask:
    """One input to convert: ``outputs`` pairs each format with the path to write it to."""

    index: int
    input: str
    outputs: tuple[tuple[str, str], ...]
    options: ConvertOptions
    converter: Converter = pipeline_converter


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome of one input, in primitives (cheap to pickle, small to keep)."""

    index: int
    input: str
    outcome: Outcome
    outputs: tuple[str, ...] = ()
    findings: tuple[tuple[str, str, int], ...] = ()  # (severity, code, count), sorted
    cues: int | None = None
    error: str | None = None  # failed: the error message, ``path:line: message``
    reason: str | None = None  # skipped / up-to-date: why
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.outcome is Outcome.FAILED


# Held while outputs are written, so a worker that must exit (its parent died) never leaves a temp file.
WRITE_LOCK = threading.Lock()


class _Stop:
    """A termination request that arrived while writing: honoured once the outputs are complete."""

    writing = False
    exit_code: int | None = None


def run_file(task: FileTask) -> FileResult:
    """Convert one input and write its outputs; never raises for a problem with the file itself."""
    t0 = time.perf_counter()
    try:
        converted = task.converter(task.input, task.options, tuple(fmt for fmt, _ in task.outputs))
        missing = [fmt for fmt, _ in task.outputs if fmt not in converted.texts]
        if missing:
            raise ToolkitError(f"converter returned no {', '.join(missing)} output", path=task.input)
        with WRITE_LOCK:
            _Stop.writing = True
            try:
                for fmt, out in task.outputs:
                    atomic_write_text(out, converted.texts[fmt], protect=[task.input])
            finally:
                _Stop.writing = False
        if _Stop.exit_code is not None:
            os._exit(_Stop.exit_code)
    except (ToolkitError, OSError, UnicodeError) as exc:
        return _not_converted(task, exc, t0)
    except Exception as exc:  # a bug in a stage must not stop the other files
        return _not_converted(task, exc, t0, internal=True)
    counts = Counter((f.severity.value, f.code) for f in converted.findings)
    return FileResult(
        index=task.index,
        input=task.input,
        outcome=Outcome.CONVERTED,
        outputs=tuple(out for _, out in task.outputs),
        findings=tuple(sorted((sev, code, n) for (sev, code), n in counts.items())),
        cues=converted.cues,
        seconds=time.perf_counter() - t0,
    )


def _not_converted(task: FileTask, exc: BaseException, t0: float, *, internal: bool = False) -> FileResult:
    seconds = time.perf_counter() - t0
    if isinstance(exc, InputError) and _is_special_file(task.input):
        reason = "not a regular file (a pipe, device or socket)"
        return FileResult(task.index, task.input, Outcome.SKIPPED, reason=reason, seconds=seconds)
    if isinstance(exc, InputError) and _is_binary_file(task.input):
        return FileResult(
            task.index, task.input, Outcome.SKIPPED, reason="binary file, not text", seconds=seconds
        )
    if internal:
        message = f"{task.input}: internal error: {type(exc).__name__}: {exc}"
    elif isinstance(exc, ToolkitError):
        message = str(exc) if exc.path else f"{task.input}: {exc}"
    elif isinstance(exc, OSError):
        message = f"{exc.filename or task.input}: {exc.strerror or exc}"
    else:
        message = f"{task.input}: {exc}"
    return FileResult(task.index, task.input, Outcome.FAILED, error=message, seconds=seconds)


def _is_special_file(path: str) -> bool:
    """A named pipe, device or socket (neither a regular file nor a folder): never opened."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _is_binary_file(path: str) -> bool:
    if _is_special_file(path):
        return False  # opening a named pipe would block
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError:
        return False
    return looks_binary(head)


def looks_binary(head: bytes) -> bool:
    """True for content that is no text in any encoding we read (UTF-8/16, cp1252)."""
    if not head:
        return False
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        half = len(head) / 2
        utf16 = (odd > 0.3 * half and even < 0.05 * half) or (even > 0.3 * half and odd < 0.05 * half)
        return not utf16
    control = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f\v")
    return control > 2


_TEMP_NAME = re.compile(
    r"\.(?P<name>.+\.(?:srt|vtt|json))\.[A-Za-z0-9_]{8}\.(?P<host>[A-Za-z0-9_]+)-(?P<pid>\d+)\.tmp"
)
STALE_TEMP_S = 6 * 3600  # a temp file this old is left over, whoever wrote it (another host's, a reused pid)


def remove_stale_temp_files(folder: Path) -> int:
    """Remove temp files that a writer killed mid-write (SIGKILL) left in an output folder.

    Only names of the shape ``.<name>.<srt|vtt|json>.XXXXXXXX.<host>-<pid>.tmp`` that ``atomic_path``
    creates are touched, and only when their writer is gone: a process of this host that no longer runs,
    or a file older than ``STALE_TEMP_S``. Another run writing into the same folder now (a second batch, a
    Dask worker on a shared disk) keeps its files. Called before the first task writing to ``folder``.
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    host = temp_owner().rsplit("-", 1)[0]
    now = time.time()
    for entry in entries:
        m = _TEMP_NAME.fullmatch(entry.name) if entry.name.endswith(".tmp") else None
        if m is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_S
            if old or (m["host"] == host and not _alive(int(m["pid"]))):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # no permission to signal it: it runs
        return True
    return True


# --- worker processes ------------------------------------------------------------------------------


def init_worker() -> None:
    """Initializer of local pool workers.

    Ctrl-C is for the parent to handle (it lets running files finish, then stops), so workers ignore
    SIGINT. SIGTERM (sent by the pool to the other workers when one died) exits between writes. A watchdog
    thread notices when the parent died (SIGKILL, crash) and exits the worker, but only between two
    writes, so an orphaned worker neither lingers nor leaves a temp file behind.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), name="captionkit-watchdog", daemon=True).start()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """The pool terminates its workers when one of them died. Exit at once, or right after the write in
    progress: an exception would be caught by the pool's worker loop (which then waits forever), and a
    bare exit in the middle of a write would leave a temp file."""
    if _Stop.writing:
        _Stop.exit_code = 128 + signum
    else:
        os._exit(128 + signum)


def _watch_parent(parent: int, poll_s: float = 0.2) -> None:
    while True:
        time.sleep(poll_s)
        if os.getppid() != parent:
            with WRITE_LOCK:
                os._exit(3)
