"""The reserve's price products, chunked (basket.treasury.model._dots), against one product per
path and day (issue 12).

``_dots`` reads the (P, T, n) prices a cache-sized chunk of paths at a time and applies each
distinct weight row with one matrix-vector product. The reference is the direct product of
each path's (T, n) prices with each day's own weight row, computed row by row here (the same
BLAS routine, so the same bits are required), for weights with one, a few and many distinct
rows (a time series of rates: the contraction path), and for any chunk size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from basket.treasury import model
from basket.treasury.model import simulate_reserve


def reference(px: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(T, P): path p's prices on day t times day t's weights, one product per path."""
    rows, inverse = np.unique(w, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    out = np.empty((px.shape[1], px.shape[0]))
    for p in range(px.shape[0]):
        if len(rows) > 8:
            out[:, p] = np.einsum("tn,tn->t", px[p], w)
        else:
            per_row = np.stack([px[p] @ r for r in rows])        # (rows, T)
            out[:, p] = per_row[inverse, np.arange(px.shape[1])]
    return out


@pytest.mark.parametrize("chunk_bytes", [1, 40_000, 1 << 21])
def test_chunked_products_match_one_product_per_path(monkeypatch: pytest.MonkeyPatch,
                                                     chunk_bytes: int) -> None:
    rng = np.random.default_rng(5)
    p, t, n = 13, 300, 4
    px = np.exp(rng.normal(0.0, 0.3, (p, t, n))) * np.array([1.0, 1.1, 0.009, 1.3])
    u = np.array([0.5, 0.3, 20.0, 0.1])
    stressed = np.where((np.arange(t) > 100) & (np.arange(t) < 110), 3.0, 1.0)
    weights = [np.tile(u, (t, 1)), u * stressed[:, None],
               u * np.linspace(0.5, 1.5, t)[:, None]]              # one, two, 300 rows
    monkeypatch.setattr(model, "CHUNK_BYTES", chunk_bytes)
    got = model._dots(px, weights)
    for g, w in zip(got, weights):
        assert g.shape == (t, p) and g.flags.c_contiguous
        assert np.array_equal(g, reference(px, w))
    single = model._dots(np.ascontiguousarray(px[4]), weights)
    for s, g in zip(single, got):
        assert np.array_equal(s, g[:, 4])                         # one path: the same bits


def test_zeros_take_no_memory_and_cannot_be_written() -> None:
    dates = pd.bdate_range("2020-01-01", periods=30, name="date")
    px = np.ones((3, 30, 2)) * np.array([1.0, 1.1])
    res = simulate_reserve(px, np.array([0.5, 0.4]), np.array([0.01, 0.0]), dates=dates,
                           currencies=["USD", "EUR"], cost_bps=2.0, scenario="growth:0.2")
    for zeros in (res.payout_usd, res.rebalance_usd):
        assert zeros.shape == (3, 30) and not zeros.any()
        assert zeros.strides == (0, 0) and not zeros.flags.writeable
    paid = simulate_reserve(px, np.array([0.5, 0.4]), np.array([0.05, 0.05]), dates=dates,
                            currencies=["USD", "EUR"], policy="payout", buffer=0.0)
    assert paid.payout_usd.flags.writeable and paid.payout_usd.sum() > 0


@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(1, 12), st.booleans(),
       st.sampled_from([0.0, 1e3, 1e6]))
def test_day_loop_shortcuts_agree_with_the_plain_twin(seed: int, t: int, p: int, payout: bool,
                                                       buffer0: float) -> None:
    """The vectorised day loop skips work whose result it would discard (no path short of
    coins, every path earning, every path fully backed); against the plain-Python twin on
    days that mix gains, losses, runs beyond the reserve and refills."""
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.integers(-6, -2)
    g = rng.normal(0.0, scale, (t, p))
    if seed % 3 == 0:
        g = np.abs(g)                                        # every path earning
    f = np.abs(rng.normal(0.0, scale, (t, p))) * (seed % 4 != 0)
    v = 1.0 + rng.normal(0.0, 0.01, (t, p))
    coins = np.maximum(1e9 + np.cumsum(rng.normal(0.0, 3e8, t) * (seed % 2)), 0.0)
    net = np.diff(np.concatenate([[1e9], coins]))
    vec = model._kernel_numpy(g, f, v, net, coins, 1e9, buffer0, payout)
    for j in range(p):
        one = model._kernel_python(g[:, j].tolist(), f[:, j].tolist(), v[:, j].tolist(),
                                   net.tolist(), coins.tolist(), 1e9, buffer0, payout)
        for a, b in zip(vec, one):
            np.testing.assert_array_equal(a[:, j], b)
