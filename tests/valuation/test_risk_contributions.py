"""Risk contributions of a drifting basket against an independent start-of-day computation.

"Contributions sum to the volatility" holds for any weights, so it cannot tell start-of-day
weights from end-of-day ones (a look-ahead). The reference here is computed from the backtest's
own published ``weights`` (after each day's close) and the raw rates with plain pandas:

* the holdings that earn day ``t``'s return are those after the close of ``t-1``, so
  ``x_{t,c} = w_{t-1,c} * R_{t,c,k}`` with ``R_{t,c,k} = (P_c(t)/P_k(t)) / (P_c(t-1)/P_k(t-1)) - 1``
  the simple return of currency ``c`` measured in ``k``, and the basket's simple return in ``k``
  is exactly ``sum_c x_{t,c}`` (checked below against the published values);
* the contribution of ``c`` is ``Cov(x_c, R) / Var(R)`` times the basket's volatility in ``k``
  (``basket.valuation.metrics.risk_contributions``' documented definition, with ``ddof`` the
  same in both moments so it cancels).

Tolerance: 1e-9 relative (sums of a few hundred products, in another order).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import basket
from basket.valuation.metrics import risk_contributions

CASES = [("none", "2019-01-01", "2020-12-31"), ("quarterly", "2008-01-01", "2009-12-31"),
         ("band:0.02", "2015-01-01", "2016-12-31")]


def _reference(res: basket.BacktestResult, prices: pd.DataFrame, shift: int = 1) -> pd.DataFrame:
    """Contributions per numeraire (rows) and currency (columns); ``shift=0`` would be the
    look-ahead (end-of-day weights)."""
    out = {}
    w = res.weights
    for k in res.numeraires:
        in_k = prices[w.columns].div(prices[k], axis=0)
        r = in_k / in_k.shift(1) - 1.0
        held = w.shift(shift)
        x = (held * r).iloc[1:]
        total = x.sum(axis=1)
        if shift == 1:  # the decomposition is exact: sum_c x_c is the basket's return in k
            v = res.values[k]
            np.testing.assert_allclose(total.to_numpy(),
                                       (v / v.shift(1) - 1.0).iloc[1:].to_numpy(),
                                       rtol=1e-9, atol=1e-15)
        cov = ((x - x.mean()).mul(total - total.mean(), axis=0)).sum()
        var = ((total - total.mean()) ** 2).sum()
        out[k] = cov / var * res.metrics.loc[k, "volatility"]
    return pd.DataFrame(out).T


@pytest.mark.parametrize(("rule", "start", "end"), CASES)
def test_contributions_use_start_of_day_weights(rule: str, start: str, end: str) -> None:
    res = basket.backtest("libra-2019", start=start, end=end, rebalance=rule)
    prices = basket.load_fx(list(dict.fromkeys([*res.weights.columns, *res.numeraires])),
                            start, end)
    expected = _reference(res, prices)
    got = res.risk_contribution.loc[expected.index, expected.columns]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1), res.metrics["volatility"], rtol=1e-12)
    # the test discriminates: end-of-day weights give other contributions
    lookahead = _reference(res, prices, shift=0)
    assert np.abs(lookahead.to_numpy() - expected.to_numpy()).max() > 1e-5


def test_weights_drift_in_the_window() -> None:
    """The buy-and-hold case above really drifts (else the two weightings would agree)."""
    res = basket.backtest("libra-2019", start="2019-01-01", end="2020-12-31")
    spread = res.weights.max() - res.weights.min()
    assert spread["USD"] > 0.02


def test_contributions_in_a_numeraire_outside_the_basket() -> None:
    res = basket.backtest("libra-2019", start="2019-01-01", end="2020-12-31",
                          numeraires=["CHF", "JPY"])
    prices = basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD", "CHF"], "2019-01-01",
                            "2020-12-31")
    expected = _reference(res, prices)
    got = res.risk_contribution.loc[expected.index, expected.columns]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-12)


def test_risk_contributions_function_with_time_varying_weights() -> None:
    """The pure function against the same plain formula, weights changing every day."""
    rng = np.random.default_rng(3)
    r = rng.normal(0.0, 0.01, (300, 3))
    w = rng.dirichlet([5.0, 3.0, 2.0], size=300)
    x = w * r
    total = x.sum(axis=1)
    vol = total.std(ddof=1) * np.sqrt(252.0)
    share = np.array([np.cov(x[:, c], total, ddof=1)[0, 1] for c in range(3)]) / total.var(ddof=1)
    np.testing.assert_allclose(risk_contributions(w, r), share * vol, rtol=1e-10)
    np.testing.assert_allclose(risk_contributions(w, r, volatility_total=2.0), share * 2.0,
                               rtol=1e-10)
    np.testing.assert_allclose(risk_contributions(w, r, periods_per_year=12.0),
                               share * total.std(ddof=1) * np.sqrt(12.0), rtol=1e-10)
    # an unheld (NaN-priced) currency contributes nothing
    r_nan = r.copy()
    r_nan[:, 2] = np.nan
    w0 = w.copy()
    w0[:, 2] = 0.0
    got = risk_contributions(w0, r_nan)
    assert got[2] == 0.0 and np.isfinite(got).all()
    assert risk_contributions(w, np.zeros_like(r)).tolist() == [0.0, 0.0, 0.0]
