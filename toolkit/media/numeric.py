"""Order statistics that give numpy's values bit for bit without its first-call cost.

``np.median`` and ``np.percentile`` import ``numpy.ma`` the first time they run (a masked-array check),
about 10 ms of the start of ``captionkit sync``; these use ``np.partition`` directly. Tested against
numpy on random input (tests/test_media.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["median", "percentile"]


def percentile(values: np.ndarray | Sequence[float], q: float) -> float:
    """``np.percentile(values, q)`` with the default (linear) method; ``values`` must not be empty."""
    a = np.asarray(values, dtype=np.float64).ravel()
    n = len(a)
    if n == 0:
        raise ValueError("percentile of no values")
    virtual = q / 100 * (n - 1)
    lo = math.floor(virtual)
    hi = min(lo + 1, n - 1)
    part = np.partition(a, [lo, hi]) if n > 1 else a
    low, high = float(part[lo]), float(part[hi])
    t = virtual - lo
    diff = high - low
    return high - diff * (1 - t) if t >= 0.5 else low + diff * t  # numpy's _lerp, both branches


def median(values: np.ndarray | Sequence[float]) -> float:
    """``np.median(values)``; ``values`` must not be empty."""
    a = np.asarray(values, dtype=np.float64).ravel()
    n = len(a)
    if n == 0:
        raise ValueError("median of no values")
    half = n // 2
    if n % 2:
        return float(np.partition(a, half)[half])
    part = np.partition(a, [half - 1, half])
    return (float(part[half - 1]) + float(part[half])) / 2
