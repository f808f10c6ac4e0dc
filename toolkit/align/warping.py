"""Dynamic time warping: the cheapest monotone path between two feature sequences (step 4 of
:mod:`toolkit.align.dtw`'s method), with numpy only.

:func:`dtw_path` runs two passes: frames averaged ``factor`` at a time in a wide band, then full
resolution within ``radius`` frames of that path, each pass one :func:`band_path` (one numpy pass per row:
the row's recurrence is a running minimum). Knows nothing of audio: the features come from
:mod:`toolkit.align.acoustic_features`, and the eSpeak aligner (:mod:`toolkit.align.dtw`) reads word
times off the path. Its settings (the passes' defaults, the bounds of the first pass) are fields of
:class:`~toolkit.align.voiced_tuning.VoicedParams`.
"""

from __future__ import annotations

import numpy as np

from .voiced_tuning import DEFAULT_PARAMS, VoicedParams

__all__ = ["band_path", "diagonal_band", "dtw_path", "unit_rows"]


def band_path(
    x: np.ndarray,
    y: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    metric: str = "euclidean",
    penalty: float = 0.0,
    gates: tuple[np.ndarray, np.ndarray, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cheapest path from (0, 0) to (n-1, m-1) through the cells ``lo[i] <= j < hi[i]`` of row ``i``
    (``lo`` and ``hi`` non-decreasing, ``lo[0] == 0``, ``hi[-1] == m``). Local cost: Euclidean distance,
    or with ``metric="cosine"`` 1 - x.y (rows of unit length); ``gates`` = (row mask, column mask, cost)
    caps the cost of the cells in a masked row and a masked column. Steps: (1,1) at twice the local cost,
    (1,0) and (0,1) at the local cost plus ``penalty``. Returns the path's rows, columns and local costs.

    One numpy pass per row: with ``A[j] = min(D[i-1,j-1] + 2c, D[i-1,j] + c)`` the row is
    ``D[j] = min(A[j], D[j-1] + c[j]) = P[j] + cummin(A - P)[j]`` (``P`` the prefix sum of the row's costs),
    so the only sequential step is a running minimum."""
    from_up, from_left, costs = _accumulate(x, y, lo, hi, metric, penalty, gates)
    ri, rj = _backtrack(from_up, from_left, lo, len(x), len(y))
    return ri, rj, costs[ri, rj - lo[ri]].astype(np.float64)


def _accumulate(
    x: np.ndarray,
    y: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    metric: str,
    penalty: float,
    gates: tuple[np.ndarray, np.ndarray, float] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The forward pass of :func:`band_path`: per band cell (row ``i``, column ``lo[i] + k``) the step the
    cheapest path took into it (``from_up``, else ``from_left``, else diagonal) and its local cost."""
    n, m = len(x), len(y)
    width = int((hi - lo).max())
    from_up = np.zeros((n, width), dtype=bool)  # D came from (i-1, j) rather than (i-1, j-1) ...
    from_left = np.zeros((n, width), dtype=bool)  # ... unless it came from (i, j-1)
    costs = np.zeros((n, width), dtype=np.float32)
    yy = np.einsum("ij,ij->i", y, y)
    prev = np.full(m + 2, np.inf)  # D of the previous row at index j + 1 (index 0: the j = -1 sentinel)
    row = np.full(m + 2, np.inf)
    chunk = 64  # rows whose distances are computed together (one matrix product over their columns)
    for c0 in range(0, n, chunk):
        c1 = min(n, c0 + chunk)
        a, b = int(lo[c0]), int(hi[c1 - 1])
        dist = _distances(x[c0:c1], y, yy, a, b, metric)
        if gates is not None:  # cells (pause row, gate column) cost at most the gate cost
            rows, cols = np.flatnonzero(gates[0][c0:c1]), np.flatnonzero(gates[1][a:b])
            if len(rows) and len(cols):
                cell = np.ix_(rows, cols)
                dist[cell] = np.minimum(dist[cell], gates[2])
        prefix = np.cumsum(dist + penalty, axis=1)
        for i in range(c0, c1):
            j0, j1 = int(lo[i]), int(hi[i])
            w = j1 - j0
            c = dist[i - c0, j0 - a : j1 - a]
            p = prefix[i - c0, j0 - a : j1 - a]
            costs[i, :w] = c
            if i == 0:
                row[j0 + 1 : j1 + 1] = p - p[0] + c[0]
                from_left[0, 1:w] = True
            else:
                up = prev[j0 + 1 : j1 + 1] + c
                up += penalty
                best = prev[j0:j1] + c
                best += c
                np.less(up, best, out=from_up[i, :w])
                np.minimum(best, up, out=best)
                best -= p
                cm = np.minimum.accumulate(best)
                np.greater(best, cm, out=from_left[i, :w])  # exact: the running minimum came from the left
                np.add(cm, p, out=row[j0 + 1 : j1 + 1])
            row[j0] = np.inf  # D[i, j0-1]: outside the band (earlier columns are never read again)
            nxt = int(hi[i + 1]) if i + 1 < n else j1
            row[j1 + 1 : nxt + 2] = np.inf
            prev, row = row, prev
    return from_up, from_left, costs


def _distances(xc: np.ndarray, y: np.ndarray, yy: np.ndarray, a: int, b: int, metric: str) -> np.ndarray:
    """Local costs of the rows ``xc`` against the columns ``y[a:b]`` (``yy``: the squared norms of ``y``)."""
    if metric == "cosine":
        out: np.ndarray = 1.0 - xc @ y[a:b].T
        return out
    d2 = np.einsum("ij,ij->i", xc, xc)[:, None] + yy[None, a:b] - 2.0 * (xc @ y[a:b].T)
    dist: np.ndarray = np.sqrt(np.maximum(d2, 0.0, out=d2), out=d2)
    return dist


def _backtrack(
    from_up: np.ndarray, from_left: np.ndarray, lo: np.ndarray, n: int, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """The path's rows and columns, from (n-1, m-1) back to (0, 0) along the steps the forward pass took."""
    i, j = n - 1, m - 1
    pi: list[int] = []
    pj: list[int] = []
    while True:
        pi.append(i)
        pj.append(j)
        if i == 0 and j == 0:
            break
        k = j - int(lo[i])
        if i == 0 or from_left[i, k]:
            j -= 1
        elif from_up[i, k]:
            i -= 1
        else:
            i -= 1
            j -= 1
    return np.array(pi[::-1]), np.array(pj[::-1])


def diagonal_band(n: int, m: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """A Sakoe-Chiba band of +-``radius`` columns around the diagonal of an n x m matrix."""
    centre = np.arange(n) * ((m - 1) / max(1, n - 1))
    lo = np.clip(np.floor(centre - radius), 0, m - 1).astype(np.int64)
    hi = np.clip(np.ceil(centre + radius) + 1, 1, m).astype(np.int64)
    return _monotone(lo, hi, m)


def _monotone(lo: np.ndarray, hi: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    lo = np.minimum.accumulate(lo[::-1])[::-1].copy()
    hi = np.maximum.accumulate(hi)
    lo[0] = 0
    hi[-1] = m
    hi = np.maximum(hi, lo + 1)
    return lo, np.maximum.accumulate(hi)


def dtw_path(
    x: np.ndarray,
    y: np.ndarray,
    *,
    factor: int | None = None,
    radius: int | None = None,
    coarse_band: int | None = None,
    metric: str = "euclidean",
    penalty: float = 0.0,
    gates: tuple[np.ndarray, np.ndarray, float] | None = None,
    params: VoicedParams | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`band_path` of ``x`` against ``y`` in two passes: on frames averaged ``factor`` at a time
    inside a wide band (``coarse_band`` coarse frames; by default the whole matrix up to 1,000 coarse
    frames, 40 s at 10 ms frames, a third of it beyond), then at full resolution within ``radius`` frames
    of the coarse path. Exact DTW when the best path stays in the band; the cost is about rows x
    (2 radius + slope) cells instead of rows x columns. A first pass that would exceed ``max_cells``
    cells averages twice as many frames (and widens ``radius``) until it does not. ``factor``,
    ``radius``, ``max_cells`` and the default band come from ``params`` (``coarse``, ``radius``, ...)
    unless given."""
    p = params if params is not None else DEFAULT_PARAMS
    factor = factor if factor is not None else p.coarse
    radius = radius if radius is not None else p.radius
    n, m = len(x), len(y)
    if n == 0 or m == 0:
        raise ValueError("empty sequence")
    if metric == "cosine":
        x, y = unit_rows(x), unit_rows(y)
    while (
        factor > 1
        and (n // factor) * min(m // factor, 2 * _coarse_band(n // factor, m // factor, p) + 1) > p.max_cells
    ):
        factor *= 2  # a long window: coarser first pass, so its matrix stays under max_cells cells
        radius = max(radius, 3 * factor)
    if factor <= 1 or min(n, m) < 4 * factor:
        lo, hi = diagonal_band(n, m, max(n, m))
        return band_path(x, y, lo, hi, metric=metric, penalty=penalty, gates=gates)
    xc, yc = _pool(x, factor), _pool(y, factor)
    if metric == "cosine":
        xc, yc = unit_rows(xc), unit_rows(yc)
    nc, mc = len(xc), len(yc)
    band = coarse_band if coarse_band is not None else _coarse_band(nc, mc, p)
    lo_c, hi_c = diagonal_band(nc, mc, band)
    coarse_gates = None
    if gates is not None:
        coarse_gates = (_pool_any(gates[0], factor, all_of=True), _pool_any(gates[1], factor), gates[2])
    ci, cj, _ = band_path(xc, yc, lo_c, hi_c, metric=metric, penalty=penalty * factor, gates=coarse_gates)
    # the coarse path's column range per coarse row, widened by ``radius`` fine frames
    cmin = np.full(nc, mc, dtype=np.int64)
    cmax = np.zeros(nc, dtype=np.int64)
    np.minimum.at(cmin, ci, cj)
    np.maximum.at(cmax, ci, cj)
    rows = np.arange(n) // factor
    rows = np.minimum(rows, nc - 1)
    lo = np.clip(cmin[rows] * factor - radius, 0, m - 1)
    hi = np.clip((cmax[rows] + 1) * factor + radius, 1, m)
    lo, hi = _monotone(lo, hi, m)
    return band_path(x, y, lo, hi, metric=metric, penalty=penalty, gates=gates)


def _coarse_band(nc: int, mc: int, p: VoicedParams) -> int:
    """The first pass's band: the whole matrix up to 1000 coarse frames, a third of it beyond."""
    return max(p.coarse_band_min, mc // p.coarse_band_div, abs(nc - mc) + p.coarse_band_slack)


def _pool_any(mask: np.ndarray, factor: int, *, all_of: bool = False) -> np.ndarray:
    """``mask`` pooled like :func:`_pool`: a coarse frame is True when any (or all) of its frames are."""
    n = -(-len(mask) // factor)
    padded = np.zeros(n * factor, dtype=bool)
    padded[: len(mask)] = mask
    if all_of and len(mask) % factor:
        padded[len(mask) :] = True
    blocks = padded.reshape(n, factor)
    out: np.ndarray = np.asarray(blocks.all(axis=1) if all_of else blocks.any(axis=1), dtype=bool)
    return out


def unit_rows(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-9)
    return out


def _pool(x: np.ndarray, factor: int) -> np.ndarray:
    n = len(x) // factor * factor
    out: np.ndarray = x[:n].reshape(-1, factor, x.shape[1]).mean(axis=1)
    if n < len(x):
        out = np.vstack([out, x[n:].mean(axis=0, keepdims=True)])
    return out
