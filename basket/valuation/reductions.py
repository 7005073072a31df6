"""Exact reductions behind the backtest metrics (pure numpy): the same numbers as the direct
computation, bit for bit, in less time or memory.

* :func:`row_sum`: ``a.sum(axis=1)`` for a few columns without numpy's per-row cost;
* :func:`identical_columns`: which columns of two arrays are equal on every row, without the
  (rows x columns x columns) comparison;
* :func:`_tail_risk`: historical VaR and expected shortfall from one partition instead of a
  full sort (:func:`_tail_risk_sorted` is the sorted twin).

Each is checked against its direct form in ``tests/valuation/test_fast_paths.py``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["identical_columns", "row_sum"]


def _sorted_quantiles(xs: np.ndarray, levels: tuple[float, ...]) -> np.ndarray:
    m = xs.shape[0]
    pos = np.asarray(levels) * (m - 1)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, m - 1)
    frac = (pos - lo)[:, None]
    return xs[lo] + (xs[hi] - xs[lo]) * frac


def row_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` of a (rows, n) array, the same bits, without numpy's per-row cost.

    Below 8 columns numpy adds a row's numbers one after the other, left to right (its
    pairwise summation starts at 8), so adding whole columns in that order gives the same
    result; from 8 columns on, numpy's own sum is used (and its per-row cost is amortised).
    ``tests/valuation/test_metrics.py`` checks the two agree bit for bit.
    """
    n = a.shape[1]
    if n == 0 or n >= 8:
        return a.sum(axis=1)
    out = a[:, 0].copy()
    for j in range(1, n):
        out += a[:, j]
    return out


def identical_columns(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``same[i, j]``: column ``i`` of ``a`` equals column ``j`` of ``b`` on every row.

    The answer of ``np.all(a[:, :, None] == b[:, None, :], axis=0)`` (NaN equals nothing)
    without its (rows, i, j) temporary: columns are compared on a few sampled rows first, and
    only the pairs that agree there are compared in full, so the memory is one column and the
    time about one pass over the candidates (for a panel, each currency and itself).
    """
    t = a.shape[0]
    if t == 0:
        return np.ones((a.shape[1], b.shape[1]), dtype=bool)  # all() of nothing
    rows = np.unique(np.linspace(0, t - 1, num=min(t, 16)).astype(np.intp))
    fa, fb = a[rows].T, b[rows].T                             # (i, s), (j, s)
    cand = np.all(fa[:, None, :] == fb[None, :, :], axis=2)   # (i, j), tiny
    same = np.zeros((a.shape[1], b.shape[1]), dtype=bool)
    if a is b:                                                # a column and itself: equal
        np.fill_diagonal(cand, False)                         # unless it holds a NaN
        np.fill_diagonal(same, ~np.isnan(a).any(axis=0))
    ci, cj = np.nonzero(cand)
    step = max(1, (1 << 20) // t)                             # ~8 MB of columns at a time
    for s0 in range(0, len(ci), step):
        i, j = ci[s0: s0 + step], cj[s0: s0 + step]
        same[i, j] = np.all(a[:, i] == b[:, j], axis=0)
    return same


def _tail_risk(losses: np.ndarray, levels: tuple[float, ...],
               in_place: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Historical VaR and ES of each column of ``losses`` (m, K) at ``levels``, each (L, K).

    ``VaR = quantile(losses, a)`` (linear interpolation) and ``ES`` the mean of the losses at
    or above it, computed as from a full sort (:func:`_tail_risk_sorted`, the reference) but
    from one partition at the lowest order statistic the quantiles need: only the tail above
    it is sorted, which is the full sort's tail exactly, so each ES averages the same numbers
    in the same order (the same bits). When a loss below that tail equals a VaR (ties), the
    full sort is used.
    """
    m = losses.shape[0]
    pos = np.asarray(levels) * (m - 1)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, m - 1)
    start = int(lo.min())
    if in_place:                                              # the caller's own array
        losses.partition(start, axis=0)
        part = losses
    else:
        part = np.partition(losses, start, axis=0)           # one pass (several kth are slow)
    tail = np.sort(part[start:], axis=0)                      # = the full sort's rows start..
    frac = (pos - lo)[:, None]
    a, b = tail[lo - start], tail[hi - start]
    var = a + (b - a) * frac                                  # as _sorted_quantiles
    if start > 0 and not (part[:start].max(axis=0) < var).all():
        return _tail_risk_sorted(part, levels)                # the same numbers, sorted
    es = np.empty_like(var)
    for j in range(var.shape[0]):                             # mean of the losses >= VaR
        for k in range(var.shape[1]):
            col = tail[np.searchsorted(tail[:, k], var[j, k], side="left"):, k]
            es[j, k] = np.add.reduce(col) / col.shape[0]      # = col.mean()
    return var, es


def _tail_risk_sorted(losses: np.ndarray, levels: tuple[float, ...]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_tail_risk` from a full sort of each column (the plain twin)."""
    ls = np.sort(losses, axis=0)
    var = _sorted_quantiles(ls, levels)
    es = np.empty_like(var)
    for j in range(var.shape[0]):
        for k in range(var.shape[1]):
            es[j, k] = ls[np.searchsorted(ls[:, k], var[j, k], side="left"):, k].mean()
    return var, es
