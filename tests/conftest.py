"""Shared fixtures."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Callable, Iterator

import pytest


@pytest.fixture
def reap() -> Iterator[Callable[[subprocess.Popen[bytes] | subprocess.Popen[str]], None]]:
    """Register a process started with ``start_new_session=True``; its whole process group is killed when
    the test ends, so a failing assertion never leaves a run (or its workers) going."""
    procs: list[subprocess.Popen[bytes] | subprocess.Popen[str]] = []
    yield procs.append
    for proc in procs:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.wait()
