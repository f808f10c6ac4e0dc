"""Shared fixtures."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Callable, Iterator

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed set of examples (HYPOTHESIS_PROFILE=ci in .ci/run), so a red build
# always reproduces; local runs draw new examples each time and keep failures in .hypothesis/.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


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


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def group_alive() -> Callable[[int], bool]:
    """Is any process of a process group (``start_new_session=True``) still running?"""
    return _group_alive
