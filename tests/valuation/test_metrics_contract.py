"""The contract of ``basket.valuation.metrics`` pinned on hand-computed numbers (issue 15).

What is pinned, and where each reference comes from:

* every error message, whole (the CLI prints it as the user's one-line error), and the bounds
  of ``periods_per_year`` (above 0, at most a million) and of the rolling window (>= 2 days,
  exactly ``window`` returns allowed);
* the input types: ``None`` in a list is a missing value (a ``DataError`` about NaN, or a zero
  contribution), float32 inputs give float64 numbers to the last digits (references written
  out by hand on dyadic numbers, which float32 holds exactly), DataFrame results carry their
  names (``volatility``, ``var_0.95``, ``es_0.99``) and a Series keeps its name;
* ``relative_figures`` and ``tracking_error`` against ``statistics.stdev`` (exact rational
  arithmetic, correctly rounded) and the docstring's hand example;
* ``risk_contributions`` and ``basket_metrics``' risk contributions against the Euler formula
  written out with ``numpy.cov``; constituent volatilities and correlations on dates a
  constituent is not quoted against the same formula on the quoted dates only;
* correlations of a one-currency basket with its own currency are +1 or -1 (never beyond),
  and a pegged currency raises no floating-point warning.
"""

from __future__ import annotations

import math
import re
import statistics
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from basket.errors import DataError
from basket.valuation import metrics as m

SQ252 = math.sqrt(252.0)
# four dyadic returns: mean 0.1875, deviations 0.3125 -0.4375 -0.0625 0.1875, squares summing
# to 0.328125, sample variance 0.109375, and 0.109375 * 252 = 27.5625 = 5.25 ** 2
R4 = [0.5, -0.25, 0.125, 0.375]
VOL4 = 5.25


def _raises(msg: str) -> pytest.RaisesContext[DataError]:
    return pytest.raises(DataError, match="^" + re.escape(msg) + "$")


# --- periods_per_year ------------------------------------------------------------------------

def test_periods_per_year_at_most_a_million() -> None:
    assert m.volatility(R4, periods_per_year=1e6) == pytest.approx(math.sqrt(0.109375 * 1e6), rel=1e-14)
    for bad in (1000000.5, 1000001.0, 2e6):
        with _raises(f"periods_per_year is {bad:g}; it must be at most 1e+06"):
            m.volatility(R4, periods_per_year=bad)
    with _raises("periods_per_year is 0; it must be above 0"):
        m.volatility(R4, periods_per_year=0)


# --- log returns -----------------------------------------------------------------------------

def test_log_returns_messages_and_missing_values() -> None:
    with _raises("log returns need values on every date; found NaN (drop or fill it first)"):
        m.log_returns(np.array([1.0, np.nan, 2.0]))
    with _raises("log returns need values on every date; found NaN (drop or fill it first)"):
        m.log_returns([1.0, None, 2.0])                       # None is a missing value
    with _raises("log returns need positive values; found zero or a negative value"):
        m.log_returns(np.array([1.0, 0.0, 2.0]))


def test_log_returns_float32_and_series_name() -> None:
    out = m.log_returns(np.array([1.0, 2.0, 6.0], dtype=np.float32))   # exact in float32
    assert out.dtype == np.float64
    assert out[0] == pytest.approx(math.log(2.0), rel=1e-15)
    assert out[1] == pytest.approx(math.log(3.0), rel=1e-15)
    s = pd.Series([1.0, 2.0, 6.0], index=pd.date_range("2020-01-01", periods=3), name="USD")
    got = m.log_returns(s)
    assert got.name == "USD"
    assert list(got.index) == list(s.index[1:])
    assert got.iloc[1] == pytest.approx(math.log(3.0), rel=1e-15)


# --- volatility ------------------------------------------------------------------------------

def test_volatility_by_hand_for_each_input_type() -> None:
    assert isinstance(m.volatility(R4), float)
    assert m.volatility(R4) == pytest.approx(VOL4, rel=1e-15)
    f32 = m.volatility(np.array(R4, dtype=np.float32))
    assert isinstance(f32, float) and f32 == pytest.approx(VOL4, rel=1e-14)
    two = np.array([R4, [2 * x for x in R4]], dtype=np.float32).T      # (4, 2), float32
    for arr in (two, np.asfortranarray(two), two.astype(np.float64)):
        got = m.volatility(arr)
        assert isinstance(got, np.ndarray) and got.dtype == np.float64
        assert got == pytest.approx([VOL4, 2 * VOL4], rel=1e-14)
    df = pd.DataFrame(two, columns=["a", "b"])
    got = m.volatility(df)
    assert isinstance(got, pd.Series) and got.name == "volatility"
    assert list(got.index) == ["a", "b"]
    assert got.to_numpy() == pytest.approx([VOL4, 2 * VOL4], rel=1e-14)


def test_volatility_messages() -> None:
    with _raises("volatility needs a series of returns, not a single number"):
        m.volatility(0.01)
    with _raises("volatility needs a return on every date; found NaN (drop or fill it first)"):
        m.volatility([0.01, np.nan, 0.02])
    with _raises("volatility needs a return on every date; found NaN (drop or fill it first)"):
        m.volatility([0.01, None, 0.02])
    with _raises("volatility needs at least two returns (three dates); widen the range"):
        m.volatility([0.01])


def test_volatility_by_numeraire_subset_and_periods() -> None:
    idx = pd.date_range("2020-01-01", periods=3)
    values = pd.Series([1.0, 2.0, 2.0], index=idx)
    panel = pd.DataFrame({"A": [1.0, 1.0, 2.0], "B": [1.0, 1.0, 1.0]}, index=idx)
    # in A: 1, 2, 1 -> log returns ln2, -ln2: sample std ln2 * sqrt(2)
    got = m.volatility_by_numeraire(values, panel, numeraires=["A"], periods_per_year=4)
    assert list(got.index) == ["A"]
    assert got["A"] == pytest.approx(math.log(2.0) * math.sqrt(2.0) * 2.0, rel=1e-14)
    # in B: ln2, 0: sample std ln2 / sqrt(2)
    both = m.volatility_by_numeraire(values, panel, periods_per_year=4)
    assert list(both.index) == ["A", "B"]
    assert both["B"] == pytest.approx(math.log(2.0) / math.sqrt(2.0) * 2.0, rel=1e-14)


# --- tracking error and relative figures -----------------------------------------------------

def test_tracking_error_types_and_periods() -> None:
    a = [0.5, -0.25, 0.125, 0.375]
    b = [0.25, 0.25, 0.25, 0.25]                               # a - b shifts R4: same volatility
    assert m.tracking_error(a, b) == pytest.approx(VOL4, rel=1e-15)
    assert m.tracking_error(a, b, periods_per_year=7) == pytest.approx(VOL4 / 6.0, rel=1e-15)
    dec = [Decimal("0.5"), Decimal("-0.25"), Decimal("0.125"), Decimal("0.375")]
    assert m.tracking_error(dec, b) == pytest.approx(VOL4, rel=1e-15)    # Decimal read as float
    assert m.tracking_error(b, dec) == pytest.approx(VOL4, rel=1e-15)
    for x, y in (([0.1, None, 0.2], [0.0, 0.0, 0.0]), ([0.0, 0.0, 0.0], [0.1, None, 0.2])):
        with _raises("volatility needs a return on every date; found NaN (drop or fill it first)"):
            m.tracking_error(x, y)


def test_relative_figures_by_hand() -> None:
    v = np.array([[1.0], [1.01], [1.0], [1.02]])
    b = np.array([[1.0], [1.00], [1.0], [1.01]])
    out = m.relative_figures(v, b, 1)
    d = [0.01, 1.0 / 1.01 - 1.0, 1.02 - 1.01]
    assert out["tracking_error"].dtype == np.float64 and out["tracking_error"].shape == (1,)
    assert out["tracking_error"][0] == pytest.approx(statistics.stdev(d), rel=1e-13)
    assert out["active_return"][0] == pytest.approx(sum(d) / 3, rel=1e-12)
    assert round(float(out["tracking_error"][0]), 6) == 0.01149            # the docstring's


def test_relative_figures_last_digits_and_periods() -> None:
    """Daily differences of a few percent, annualised with 12 periods, to the last digits."""
    a = np.array([[100.0, 7.0], [103.7, 7.3], [101.9, 7.1], [104.3, 7.45], [102.2, 7.2]])
    b = np.array([[50.0, 3.0], [51.1, 3.1], [50.3, 3.05], [51.9, 3.2], [51.0, 3.1]])
    out = m.relative_figures(a, b, 12)
    for k in range(2):
        d = [a[t, k] / a[t - 1, k] - b[t, k] / b[t - 1, k] for t in range(1, 5)]
        assert out["tracking_error"][k] == pytest.approx(statistics.stdev(d) * math.sqrt(12), rel=2e-15)
        assert out["active_return"][k] == pytest.approx(statistics.fmean(d) * 12, rel=1e-13)


def test_relative_figures_to_the_last_digit() -> None:
    """Within two units in the last place of the correctly rounded sample deviation
    (``statistics.stdev`` works in exact rationals): no digits lost to a shift of ``d``."""
    rng = np.random.default_rng(11)
    for _ in range(20):
        a = np.exp(np.cumsum(rng.normal(0.0, 0.01, (30, 3)), axis=0))
        b = np.exp(np.cumsum(rng.normal(0.0, 0.01, (30, 3)), axis=0))
        got = m.relative_figures(a, b, 12)["tracking_error"]
        for k in range(3):
            d = [float(a[t, k] / a[t - 1, k] - b[t, k] / b[t - 1, k]) for t in range(1, 30)]
            assert got[k] == pytest.approx(statistics.stdev(d) * math.sqrt(12), rel=5e-16, abs=0.0)


def test_relative_figures_float32_and_missing() -> None:
    a32 = np.array([[1.0], [3.0], [7.0], [5.0]], dtype=np.float32)    # 7/3 and 5/7 are inexact
    b = np.ones((4, 1))
    d = [3.0 - 1.0, 7.0 / 3.0 - 1.0, 5.0 / 7.0 - 1.0]
    for x, y, sign in ((a32, b, 1.0), (b, a32, -1.0)):
        out = m.relative_figures(x, y, 1)
        assert out["tracking_error"][0] == pytest.approx(statistics.stdev(d), rel=1e-14)
        assert out["active_return"][0] == pytest.approx(sign * sum(d) / 3, rel=1e-14)
    gap = [[1.0], [None], [1.1], [1.2]]
    for x, y in ((gap, b), (b, gap)):
        with _raises("volatility needs a return on every date; found NaN (drop or fill it first)"):
            m.relative_figures(x, y, 1)


def test_relative_figures_shape_message() -> None:
    msg = "a basket and its benchmark need the same numeraires on the same three or more dates"
    ok = np.ones((4, 2))
    for a, b in ((ok, np.ones((4, 3))), (np.ones((2, 2)), np.ones((2, 2))),
                 (np.ones(4), np.ones(4)), (np.ones((4, 2, 1)), np.ones((4, 2, 1)))):
        with _raises(msg):
            m.relative_figures(a, b)


# --- value at risk, expected shortfall -------------------------------------------------------

def test_var_es_messages_and_one_return() -> None:
    assert m.value_at_risk([-0.03]) == pytest.approx(0.03, rel=1e-15)
    assert m.expected_shortfall([-0.03], level=0.99) == pytest.approx(0.03, rel=1e-15)
    with _raises("value at risk needs a series of returns, not a single number"):
        m.value_at_risk(0.01)
    with _raises("value at risk needs a return on every date; found NaN (drop or fill it first)"):
        m.value_at_risk([0.01, np.nan])
    with _raises("value at risk needs a return on every date; found NaN (drop or fill it first)"):
        m.expected_shortfall([0.01, None])
    with _raises("value at risk needs at least one return"):
        m.value_at_risk([])


def test_var_es_float32_and_names() -> None:
    r = np.array([-0.5, 0.0, 0.25, 0.375, 0.125], dtype=np.float32)
    # losses 0.5 0 -0.25 -0.375 -0.125; sorted -0.375 -0.25 -0.125 0 0.5; level 0.9: position
    # 3.6 -> 0 + 0.6 * 0.5 = 0.3 (not a float32 number)
    var = m.value_at_risk(r, level=0.9)
    assert isinstance(var, float) and var == pytest.approx(0.3, rel=1e-15)
    df = pd.DataFrame({"a": [-0.5, 0.0, 0.25, 0.375, 0.125], "b": [0.0, -0.25, 0.5, 0.5, 0.5]})
    v = m.value_at_risk(df, level=0.95)
    assert isinstance(v, pd.Series) and v.name == "var_0.95" and list(v.index) == ["a", "b"]
    # b: losses sorted -0.5 -0.5 -0.5 0 0.25; position 3.8 -> 0 + 0.8 * 0.25 = 0.2
    assert v.to_numpy() == pytest.approx([0.4, 0.2], rel=1e-14)
    es = m.expected_shortfall(df, level=0.5)
    assert isinstance(es, pd.Series) and es.name == "es_0.5"
    # a: VaR_0.5 = -0.125, losses >= it: 0.5 0 -0.125 -> mean 0.125; b: VaR_0.5 = -0.5,
    # every loss counts -> mean (0.25 - 1.5) / 5 = -0.25 (a column-wide VaR would differ)
    assert es.to_numpy() == pytest.approx([0.125, -0.25], rel=1e-14)
    arr = m.expected_shortfall(df.to_numpy(), level=0.5)
    assert isinstance(arr, np.ndarray) and arr == pytest.approx([0.125, -0.25], rel=1e-14)


# --- drawdown, rolling volatility ------------------------------------------------------------

def test_max_drawdown_float32_and_message() -> None:
    idx = pd.date_range("2020-01-01", periods=4)
    dd = m.max_drawdown(pd.Series([1.0, 3.0, 1.0, 3.0], index=idx, dtype=np.float32))
    assert dd["depth"] == pytest.approx(-2.0 / 3.0, rel=1e-15)
    assert (dd["peak"], dd["trough"], dd["recovery"]) == (idx[1], idx[2], idx[3])
    with _raises("a drawdown needs at least one value"):
        m.max_drawdown(pd.Series([], dtype=float))


def test_rolling_volatility_window_bounds() -> None:
    idx = pd.date_range("2020-01-01", periods=3)
    s = pd.Series([1.0, 2.0, 1.0], index=idx)                 # returns ln2, -ln2
    out = m.rolling_volatility(s, window=2, periods_per_year=4)
    assert list(out.index) == [idx[2]]
    assert out.iloc[0] == pytest.approx(math.log(2.0) * math.sqrt(2.0) * 2.0, rel=1e-14)
    for bad in (1, 2.0):
        with _raises(f"rolling window {bad!r} must be a whole number of days >= 2"):
            m.rolling_volatility(s, window=bad)               # type: ignore[arg-type]
    with _raises("a 3-day rolling volatility needs more than 3 dates"):
        m.rolling_volatility(s, window=3)


# --- risk contributions ----------------------------------------------------------------------

def _euler(x: np.ndarray, vol: float) -> np.ndarray:
    """``cov(x_c, sum x) / var(sum x) * vol`` with numpy.cov (a second method)."""
    total = x.sum(axis=1)
    return np.array([np.cov(x[:, c], total)[0, 1] for c in range(x.shape[1])]) / np.var(total, ddof=1) * vol


def test_risk_contributions_missing_and_object_inputs() -> None:
    w = [[0.5, 0.5], [0.5, None], [0.5, 0.5], [0.5, 0.5]]    # None: not held that day
    r = [[0.01, 0.02], [-0.02, 0.5], [0.03, -0.01], [0.0, 0.01]]
    x = np.array([[0.005, 0.01], [-0.01, 0.0], [0.015, -0.005], [0.0, 0.005]])
    want = _euler(x, 0.2)
    assert m.risk_contributions(w, r, 0.2) == pytest.approx(want, rel=1e-12)
    wt = [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]
    rt = [[0.01, 0.02], [-0.02, None], [0.03, -0.01], [0.0, 0.01]]
    assert m.risk_contributions(wt, rt, 0.2) == pytest.approx(want, rel=1e-12)
    # the default total: the annualized volatility of the basket's return
    want_vol = statistics.stdev(list(x.sum(axis=1))) * SQ252
    got = m.risk_contributions(w, r)
    assert got.sum() == pytest.approx(want_vol, rel=1e-12)
    assert got == pytest.approx(_euler(x, want_vol), rel=1e-12)


def test_risk_contributions_with_a_large_mean() -> None:
    """Returns far from zero (a leveraged position): the covariances are centred on both sides."""
    rng = np.random.default_rng(7)
    w = np.full((50, 3), 1.0 / 3.0)
    r = 3.0 + rng.normal(0.0, 1e-3, (50, 3))
    got = m.risk_contributions(w, r, 1.0)
    assert got == pytest.approx(_euler(w * r, 1.0), rel=1e-9)


# --- basket_metrics --------------------------------------------------------------------------

def _prices(seed: int, t: int = 20, n: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.exp(np.cumsum(rng.normal(0.0, 0.01, (t, n)), axis=0))


def test_basket_metrics_message() -> None:
    p = np.ones((2, 2))
    with _raises("a backtest needs at least three dates for volatility; widen the range"):
        m.basket_metrics(p, p, p, np.full((2, 2), 0.5))


@pytest.mark.parametrize("with_gap", [False, True])
def test_one_currency_basket_correlations_are_plus_or_minus_one(with_gap: bool) -> None:
    """Held alone, currency 0 is perfectly correlated with the basket in every other numeraire;
    a basket short of it (value P_k / P_0) is perfectly anti-correlated. Never beyond +-1."""
    for seed in range(12):
        p = _prices(seed)
        if with_gap:                                         # a currency quoted part-time
            p = np.concatenate([p, _prices(seed + 100, n=1)], axis=1)
            p[:5, 3] = np.nan
        w = np.zeros_like(p)
        w[:, 0] = 1.0
        k = p[:, :3]
        for values, sign in ((p[:, [0]] / k, 1.0), (k / p[:, [0]], -1.0)):
            corr = m.basket_metrics(values, p, k, w)["correlation"]
            got = corr[0, 1:]
            assert np.all(np.abs(got) <= 1.0), got
            assert got == pytest.approx([sign, sign], abs=1e-12)


def test_pegged_currency_raises_no_warning() -> None:
    """A currency pegged to the numeraire (P_c = P_k / 7.8) moves with it up to round-off."""
    for seed in range(12):
        p = _prices(seed)
        p[:, 2] = p[:, 1] / 7.8
        w = np.tile([0.5, 0.3, 0.2], (20, 1))
        values = (p @ np.array([0.5, 0.3, 0.2]))[:, None] / p
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = m.basket_metrics(values, p, p, w)
        assert np.isfinite(out["volatility"]).all()


def test_constituent_figures_on_quoted_dates_only() -> None:
    """A currency not quoted on the first days: its volatility and correlation use only the
    dates it is quoted on (the written-out formula on those rows)."""
    p = _prices(3, t=12, n=3)
    p[:4, 2] = np.nan                                        # quoted from row 4 on
    k = p[:, :2]                                             # numeraires: the first two
    w = np.tile([0.6, 0.4, 0.0], (12, 1))
    values = (p[:, :2] @ np.array([0.6, 0.4]))[:, None] / k
    out = m.basket_metrics(values, p, k, w, periods_per_year=252)
    r = np.diff(np.log(values), axis=0)
    lc = np.diff(np.log(p), axis=0)
    lk = np.diff(np.log(k), axis=0)
    for c in range(3):
        for j in range(2):
            x = lc[:, c] - lk[:, j]
            ok = ~np.isnan(x)
            xs, rs = list(x[ok]), list(r[ok, j])
            if c == j:
                assert out["constituent_volatility"][c, j] == 0.0
                assert np.isnan(out["correlation"][c, j])
                continue
            assert out["constituent_volatility"][c, j] == pytest.approx(statistics.stdev(xs) * SQ252,
                                                                        rel=1e-10)
            assert out["correlation"][c, j] == pytest.approx(np.corrcoef(xs, rs)[0, 1], rel=1e-10)


def _contrib_reference(p: np.ndarray, k: np.ndarray, w: np.ndarray, vol: np.ndarray) -> np.ndarray:
    """Euler contributions from start-of-day weights and simple returns in each numeraire,
    NaN (a currency not held) counting as a zero position."""
    gc = p[1:] / p[:-1]
    gk = k[1:] / k[:-1]
    out = np.zeros((p.shape[1], k.shape[1]))
    for j in range(k.shape[1]):
        x = w[:-1] * (gc / gk[:, [j]] - 1.0)
        x = np.where(np.isnan(x), 0.0, x)
        out[:, j] = _euler(x, vol[j])
    return out


def test_risk_contributions_with_a_currency_held_part_time() -> None:
    p = _prices(5, t=15, n=3)
    p[:6, 2] = np.nan                                        # not quoted, not held
    w = np.tile([0.5, 0.3, 0.2], (15, 1))
    w[:6] = [0.6, 0.4, 0.0]
    k = p[:, :2]
    values = np.cumprod(np.r_[1.0, 1.0 + (w[:-1] * np.nan_to_num(p[1:] / p[:-1] - 1.0)).sum(axis=1)])
    values = values[:, None] * (k[0] / k)
    out = m.basket_metrics(values, p, k, w)
    want = _contrib_reference(p, k, w, out["volatility"])
    assert np.isfinite(out["risk_contribution"]).all()
    assert out["risk_contribution"] == pytest.approx(want, rel=1e-9, abs=1e-15)


def test_risk_contribution_of_a_basket_standing_still_is_zero() -> None:
    """Two currencies whose USD moves cancel exactly: in USD (numeraire 0, constant) the basket
    stands still and nothing contributes there (0, not an undefined share)."""
    g = [1.0, 1.25, 1.0, 0.75, 1.0, 1.5]
    for n, n_k in ((3, 1), (20, 10), (10, 20), (40, 40)):
        rng = np.random.default_rng(n)
        p = np.exp(np.cumsum(rng.normal(0.0, 0.01, (7, n)), axis=0))
        p[0] = 1.0
        for t, x in enumerate(g):
            p[t + 1, 0] = p[t, 0] * x
            p[t + 1, 1] = p[t, 1] * (2.0 - x)
        k = np.exp(np.cumsum(rng.normal(0.0, 0.01, (7, n_k)), axis=0))
        k[:, 0] = 1.0
        w = np.zeros((7, n))
        w[:, :2] = 0.5                                       # start-of-day weights, as given
        values = np.ones((7, 1)) / k                         # one USD held, in each numeraire
        out = m.basket_metrics(values, p, k, w)
        assert np.array_equal(out["risk_contribution"][:, 0], np.zeros(n))
        share = m._contributions(p, k, w)                     # the shares themselves
        assert np.array_equal(share[:, 0], np.zeros(n))
        assert np.isfinite(share).all()
