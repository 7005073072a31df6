"""Every per-numeraire figure of the simulator in numeraires whose price is far from 1 (JPY at
about 0.009 USD, GBP at about 1.3), where an inverted conversion (``V * P_k`` for ``V / P_k``)
or a numeraire mixed up with a holding cannot hide.

References, independent of ``basket.montecarlo``:

* deterministic paths (each currency drifts by a constant daily factor, so the window's
  returns never vary and every path is the same): every figure is arithmetic by hand,
  ``V_k(d) / V_k(0) = sum_c a_c g_c**d / g_k**d`` with ``a`` the start value shares;
* random paths: the kept paths' simulated prices revalued by hand in each numeraire, and the
  start value by hand from the last row of the window.

Tolerances: 1e-12 relative (a few hundred float operations on values near 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from basket.montecarlo.model import monte_carlo
from basket.montecarlo.results import risk_columns
from basket.spec import BasketSpec

P0 = {"USD": 1.0, "EUR": 1.1, "JPY": 0.009, "GBP": 1.3}
GROWTH = {"USD": 1.0, "EUR": 1.002, "JPY": 0.997, "GBP": 1.0005}
N_DAYS, HORIZON = 40, 15


def _drifting_panel() -> pd.DataFrame:
    idx = pd.bdate_range("2023-03-01", periods=N_DAYS, name="date")
    i = np.arange(N_DAYS)
    return pd.DataFrame({c: P0[c] * GROWTH[c] ** i for c in P0}, index=idx)


def _spec(panel: pd.DataFrame) -> BasketSpec:
    return BasketSpec.from_dict({"name": "trio", "base_date": str(panel.index[5].date()),
                                 "base_value": 2.0,
                                 "weights": {"USD": 0.5, "EUR": 0.3, "JPY": 0.2}})


def _by_hand(panel: pd.DataFrame) -> tuple[dict[str, float], dict[str, float]]:
    """Units fixed on the base date, start value shares and the start value in USD."""
    base, last = panel.iloc[5], panel.iloc[-1]
    w = {"USD": 0.5, "EUR": 0.3, "JPY": 0.2}
    units = {c: w[c] * 2.0 / base[c] for c in w}
    held = {c: units[c] * last[c] for c in w}
    v0 = sum(held.values())
    return {c: h / v0 for c, h in held.items()}, {"USD": v0}


@pytest.mark.parametrize("method", ["normal", "bootstrap"])
def test_deterministic_paths_in_every_numeraire(method: str) -> None:
    panel = _drifting_panel()
    shares, v0 = _by_hand(panel)
    asked = ["JPY", "GBP", "USD", "EUR"]
    res = monte_carlo(_spec(panel), panel, numeraires=asked, n_paths=50, horizon=HORIZON,
                      method=method, seed=3, keep_paths=2, fan_paths=5)
    last = panel.iloc[-1]
    assert res.numeraires == asked
    # start value: the USD value of one unit divided by USD per unit of k
    for k in asked:
        assert res.start_value[k] == pytest.approx(v0["USD"] / last[k], rel=1e-12), k
    assert res.start_value["JPY"] > 100 * res.start_value["USD"], "a yen is worth far less"

    def rel(k: str, d: int) -> float:
        return sum(a * GROWTH[c] ** d for c, a in shares.items()) / GROWTH[k] ** d

    for k in asked:
        expected = rel(k, HORIZON)
        np.testing.assert_allclose(res.terminal.loc[k].to_numpy(), expected, rtol=1e-12,
                                   err_msg=k)
        risk = res.risk.loc[k]
        assert risk["horizon_var_95"] == pytest.approx(1.0 - expected, rel=1e-9, abs=1e-13)
        assert risk["horizon_es_99"] == pytest.approx(1.0 - expected, rel=1e-9, abs=1e-13)
        assert risk["prob_move_gt_5pct"] == float(abs(expected - 1.0) > 0.05)
        assert risk["horizon_volatility"] == pytest.approx(0.0, abs=1e-12)
        fan = res.fan[k]
        days = np.arange(HORIZON + 1)
        np.testing.assert_allclose(fan["p50"].to_numpy(), [rel(k, d) for d in days],
                                   rtol=1e-12, err_msg=k)
        np.testing.assert_allclose(res.paths[k][1].to_numpy(), [rel(k, d) for d in days],
                                   rtol=1e-12, err_msg=k)
        for c in shares:
            alone = res.constituents.loc[(k, c)]
            assert alone["p50"] == pytest.approx((GROWTH[c] / GROWTH[k]) ** HORIZON, rel=1e-12)
    # the yen loses 0.3% a day against the dollar: the basket gains in yen, loses in euros
    assert res.terminal.loc["JPY", "mean"] > 1.0 > res.terminal.loc["EUR", "mean"]
    for c in asked:
        np.testing.assert_allclose(res.path_prices[c][0].to_numpy(),
                                   last[c] * GROWTH[c] ** np.arange(HORIZON + 1), rtol=1e-12)


def test_random_paths_revalued_by_hand_in_yen() -> None:
    rng = np.random.default_rng(11)
    idx = pd.bdate_range("2023-03-01", periods=120, name="date")
    steps = rng.normal(0.0, 0.006, size=(120, 3))
    panel = pd.DataFrame({"USD": 1.0, "EUR": 1.1 * np.exp(np.cumsum(steps[:, 0])),
                          "JPY": 0.009 * np.exp(np.cumsum(steps[:, 1])),
                          "GBP": 1.3 * np.exp(np.cumsum(steps[:, 2]))}, index=idx)
    spec = BasketSpec.from_dict({"name": "amt", "base_date": "2023-03-01",
                                 "amounts": {"USD": 0.4, "EUR": 0.3, "JPY": 30.0}})
    n = 30
    res = monte_carlo(spec, panel, numeraires=["JPY", "GBP"], n_paths=n, horizon=10, seed=5,
                      fan_paths=n, keep_paths=n, rebalance="none")
    last = panel.iloc[-1]
    v0 = 0.4 * last["USD"] + 0.3 * last["EUR"] + 30.0 * last["JPY"]
    assert res.start_value["JPY"] == pytest.approx(v0 / last["JPY"], rel=1e-12)
    assert res.start_value["GBP"] == pytest.approx(v0 / last["GBP"], rel=1e-12)
    units = {"USD": 0.4, "EUR": 0.3, "JPY": 30.0}
    for k in ("JPY", "GBP"):
        for path in range(n):
            usd = sum(u * res.path_prices[c][path].to_numpy() for c, u in units.items())
            in_k = usd / res.path_prices[k][path].to_numpy()
            np.testing.assert_allclose(res.paths[k][path].to_numpy(), in_k / in_k[0], rtol=1e-12)
        terminal = np.sort(res.paths[k].iloc[-1].to_numpy())
        np.testing.assert_allclose(res.terminal.loc[k, ["p5", "p50", "p95"]].to_numpy(),
                                   np.quantile(terminal, [0.05, 0.5, 0.95]), rtol=1e-12)
        assert res.terminal.loc[k, "mean"] == pytest.approx(terminal.mean(), rel=1e-12)
        losses = 1.0 - terminal
        var95 = np.quantile(losses, 0.95)
        assert res.risk.loc[k, "horizon_var_95"] == pytest.approx(var95, rel=1e-12)
        assert res.risk.loc[k, "horizon_es_95"] == pytest.approx(
            losses[losses >= var95].mean(), rel=1e-12)
        scale = np.sqrt(252 / 10)
        assert res.risk.loc[k, "horizon_volatility"] == pytest.approx(
            np.log(terminal).std(ddof=1) * scale, rel=1e-9)
        for c in units:
            alone = res.path_prices[c].iloc[-1] / res.path_prices[c].iloc[0] / (
                res.path_prices[k].iloc[-1] / res.path_prices[k].iloc[0])
            assert res.constituents.loc[(k, c), "mean"] == pytest.approx(alone.mean(), rel=1e-12)
    assert set(res.risk.columns) == set(risk_columns(0.05))


def test_numeraire_not_held_is_simulated_with_the_holdings() -> None:
    """GBP is only a numeraire: its path moves the value in GBP, not the USD value."""
    panel = _drifting_panel()
    res = monte_carlo(_spec(panel), panel, numeraires=["GBP", "USD"], n_paths=20,
                      horizon=HORIZON, seed=1)
    assert res.holdings == ["USD", "EUR", "JPY"]
    ratio = res.terminal.loc["USD", "p50"] / res.terminal.loc["GBP", "p50"]
    assert ratio == pytest.approx(GROWTH["GBP"] ** HORIZON, rel=1e-12)
    assert res.covariance.index.tolist() == ["USD", "EUR", "JPY", "GBP"]
