"""The aligner interface: one engine (pocketsphinx today; a CTC model or another language later).

An engine force-aligns a fixed sequence of spoken tokens (the output of :mod:`toolkit.align.normalize`)
to one window of 16-bit mono audio and returns, per token, where it is spoken, in milliseconds from the
start of the window. It returns ``None`` when it cannot align the text to that audio at all; the caller
then tries another window or falls back to the rate model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True, slots=True)
class TokenTiming:
    """Where one spoken token is in the window, with the engine's per-frame log acoustic score: 0 is the
    best any path could do there, more negative is a worse fit (engines without scores give 0)."""

    start_ms: int
    end_ms: int
    score: float = 0.0


@runtime_checkable
class Aligner(Protocol):
    """What :func:`toolkit.align.align_turns` needs from an alignment engine."""

    name: str
    sample_rate: int

    def phone_count(self, token: str) -> int:
        """How many phones the engine will use for ``token`` (drives duration checks)."""
        ...

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        """Token timings for ``tokens`` spoken in ``audio`` (int16 mono), or ``None`` if it cannot align."""
        ...
