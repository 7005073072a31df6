"""The Monte Carlo simulator: closed forms, the engine as a second valuation, reproducibility
across workers, chunks and a Dask cluster, extreme inputs, bad inputs and the CLI.

Reference values never come from the simulator itself:

* the normal method against closed forms: a basket's one-day log-return variance
  ``(w - e_k)' S (w - e_k)`` and a single currency's lognormal law over any horizon, both from
  the window's covariance ``S`` computed here with :func:`numpy.cov`;
* the bootstrap against the moments of the historical returns it resamples;
* every simulated path against :func:`basket.valuation.engine.valuate` (a loop over dates) applied to the
  same simulated prices, and the summary figures against :func:`numpy.quantile` and
  :mod:`basket.valuation.metrics` on those paths;
* the stationary bootstrap's vectorised indices against a plain loop over paths and days.

Statistical checks use a fixed seed and a bound of four standard errors (a false alarm is
about 1 in 16,000 per check).
"""

from __future__ import annotations

import json
import math
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import basket
from basket.cli import app
from basket.errors import DataError, SimulationError, SpecError
from basket.montecarlo import model
from basket.montecarlo.api import resolve_window, simulate
from basket.montecarlo.model import monte_carlo
from basket.montecarlo.resampling import (
    _bootstrap_segment,
    ewma_covariance,
    seed_sequence,
    stationary_bootstrap_indices,
)
from basket.montecarlo.results import SimulationResult, _quantile_sorted, risk_columns
from basket.spec import BasketSpec
from basket.valuation.engine import valuate
from basket.valuation.metrics import expected_shortfall, value_at_risk

SE = 4.0  # standard errors allowed in statistical checks
CODES = ["USD", "EUR", "JPY", "GBP", "CHF"]


# ----------------------------------------------------------------------------- helpers
def make_panel(n_dates: int = 400, seed: int = 42, start: str = "2021-01-04") -> pd.DataFrame:
    """USD per unit: USD at 1.0 and four currencies following a correlated log random walk."""
    rng = np.random.default_rng(seed)
    vols = np.array([0.006, 0.008, 0.007, 0.005])
    corr = np.array([[1.0, 0.3, 0.6, 0.7],
                     [0.3, 1.0, 0.2, 0.4],
                     [0.6, 0.2, 1.0, 0.5],
                     [0.7, 0.4, 0.5, 1.0]])
    steps = rng.multivariate_normal(np.zeros(4), corr * np.outer(vols, vols), n_dates - 1)
    levels = np.array([1.1, 0.009, 1.25, 1.05]) * np.exp(
        np.vstack([np.zeros(4), np.cumsum(steps, axis=0)]))
    idx = pd.bdate_range(start, periods=n_dates, name="date")
    panel = pd.DataFrame(levels, index=idx, columns=CODES[1:])
    panel.insert(0, "USD", 1.0)
    return panel


def weights_spec(weights: dict[str, float], base_date: object, **extra: object) -> BasketSpec:
    return BasketSpec.from_dict(
        {"name": "test", "weights": weights, "base_date": str(pd.Timestamp(base_date).date()),
         **extra})


def log_returns(panel: pd.DataFrame, cols: list[str]) -> np.ndarray:
    return np.diff(np.log(panel.loc[:, cols].to_numpy()), axis=0)


def assert_same(a: SimulationResult, b: SimulationResult) -> None:
    """Bit-identical figures."""
    for name in ("terminal", "risk", "constituents", "start_value"):
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(x.to_numpy(), y.to_numpy()), name
    assert a.fan.keys() == b.fan.keys()
    for k in a.fan:
        pd.testing.assert_frame_equal(a.fan[k], b.fan[k], check_exact=True)
    for k in a.paths:
        pd.testing.assert_frame_equal(a.paths[k], b.paths[k], check_exact=True)


def all_finite(res: SimulationResult) -> bool:
    frames = [res.terminal, res.risk, res.constituents, *res.fan.values()]
    return all(np.isfinite(f.to_numpy(dtype=np.float64)).all() for f in frames)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return make_panel()


@pytest.fixture(scope="module")
def libra_like(panel: pd.DataFrame) -> BasketSpec:
    """Weights fixed at the panel's last date, so the start shares are the weights."""
    return weights_spec({"USD": 0.4, "EUR": 0.3, "JPY": 0.2, "GBP": 0.1}, panel.index[-1])


# ----------------------------------------------------------------------------- closed forms
def test_normal_one_day_basket_volatility_matches_covariance(panel, libra_like) -> None:
    """Closed form: over one day the basket's log return in numeraire k is
    ``log sum_c w_c exp(r_c - r_k) = (w - e_k)'r + O(r^2)``, so its variance is
    ``(w - e_k)' S (w - e_k)``. With zero drift the neglected terms shift the variance by a
    relative O(sigma^2) ~ 1e-4, far below the sampling error 1/sqrt(2N) of a standard
    deviation (0.16% for N = 200,000), so the tolerance is four of those."""
    n = 200_000
    res = monte_carlo(libra_like, panel, n_paths=n, horizon=1, seed=11, drift="zero",
                      fan_paths=100)
    cols = ["USD", "EUR", "JPY", "GBP"]
    cov = np.cov(log_returns(panel, cols), rowvar=False, ddof=1)
    w = np.array([0.4, 0.3, 0.2, 0.1])
    for i, k in enumerate(cols):
        d = w - np.eye(4)[i]
        expected = math.sqrt(d @ cov @ d * 252)
        got = res.risk.loc[k, "horizon_volatility"]
        assert got == pytest.approx(expected, rel=SE / math.sqrt(2 * n)), k
    # the model's covariance is the window's sample covariance
    np.testing.assert_allclose(res.covariance.loc[cols, cols].to_numpy(), cov, rtol=1e-12)


def test_normal_single_currency_is_lognormal_over_the_horizon(panel, libra_like) -> None:
    """Closed form: currency c held alone, valued in k, has log change ~ N(H m, H v) with
    m = mean(r_c - r_k) and v = var(r_c - r_k) over the window, for any horizon H."""
    n, h = 40_000, 60
    res = monte_carlo(libra_like, panel, n_paths=n, horizon=h, seed=5, fan_paths=100)
    r = pd.DataFrame(log_returns(panel, CODES[:4]), columns=CODES[:4])
    for k, c in [("USD", "EUR"), ("EUR", "JPY"), ("GBP", "USD")]:
        d = r[c] - r[k]
        mu, sd = h * d.mean(), math.sqrt(h * d.var(ddof=1))
        row = res.constituents.loc[(k, c)]
        assert row["horizon_volatility"] == pytest.approx(
            sd * math.sqrt(252 / h), rel=SE / math.sqrt(2 * n))
        # sample quantile in log space: se = sqrt(p (1 - p) / N) / phi(z_p) * sd
        for col, z in (("p5", -1.6448536269514722), ("p50", 0.0), ("p95", 1.6448536269514722)):
            p = 0.5 + math.copysign(0.45, z) if z else 0.5
            phi = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
            se = math.sqrt(p * (1 - p) / n) / phi * sd
            assert math.log(row[col]) == pytest.approx(mu + z * sd, abs=SE * se), (k, c, col)
        mean = math.exp(mu + sd * sd / 2)
        se_mean = mean * math.sqrt(math.expm1(sd * sd) / n)
        assert row["mean"] == pytest.approx(mean, abs=SE * se_mean)


def test_ewma_covariance_matches_the_riskmetrics_recursion() -> None:
    """Reference: the recursion S_t = lam S_(t-1) + r_t r_t' with the weights' total tracked the
    same way, S = num / den, written as a plain loop."""
    rng = np.random.default_rng(3)
    r = rng.normal(0.0, 0.01, size=(50, 3))
    lam = 0.94
    num, den = np.zeros((3, 3)), 0.0
    for row in r:
        num = lam * num + np.outer(row, row)
        den = lam * den + 1.0
    np.testing.assert_allclose(ewma_covariance(r, lam), num / den, rtol=1e-12)
    frame = ewma_covariance(pd.DataFrame(r, columns=["a", "b", "c"]))
    assert list(frame.columns) == ["a", "b", "c"]


def test_ewma_option_uses_the_ewma_covariance(panel, libra_like) -> None:
    res = monte_carlo(libra_like, panel, n_paths=200, horizon=3, seed=1, ewma=0.97)
    cols = ["USD", "EUR", "JPY", "GBP"]
    expected = ewma_covariance(log_returns(panel, cols), 0.97)
    np.testing.assert_allclose(res.covariance.loc[cols, cols].to_numpy(), expected, rtol=1e-12,
                               atol=1e-20)
    assert res.ewma == 0.97


def test_bootstrap_reproduces_the_historical_moments(panel, libra_like) -> None:
    """Over one day, the bootstrap draws one historical day's return vector uniformly, so a
    currency c held alone in k has log change r_c - r_k with the window's mean and standard
    deviation (cross-currency moments included), within sampling error."""
    n = 100_000
    res = monte_carlo(libra_like, panel, method="bootstrap", n_paths=n, horizon=1, seed=3,
                      block_length=5, fan_paths=100)
    r = pd.DataFrame(log_returns(panel, CODES[:4]), columns=CODES[:4])
    for k, c in [("USD", "EUR"), ("USD", "JPY"), ("EUR", "GBP"), ("JPY", "USD")]:
        d = (r[c] - r[k]).to_numpy()
        sd = d.std()
        kurt = np.mean((d - d.mean()) ** 4) / sd**4
        row = res.constituents.loc[(k, c)]
        got_sd = row["horizon_volatility"] / math.sqrt(252)
        assert got_sd == pytest.approx(sd, abs=SE * sd * math.sqrt((kurt - 1) / (4 * n)))
        g = np.exp(d)
        assert row["mean"] == pytest.approx(g.mean(), abs=SE * g.std() / math.sqrt(n))


def test_bootstrap_mean_over_a_horizon(panel, libra_like) -> None:
    """Every bootstrap day is a uniform draw from the window, so the expected log change over
    H days is H times the window's mean return; the standard error comes from the paths."""
    n, h = 6000, 20
    res = monte_carlo(libra_like, panel, method="bootstrap", n_paths=n, horizon=h, seed=8,
                      block_length=4, fan_paths=n, keep_paths=n)
    for c in ("EUR", "JPY"):
        change = np.log(res.path_prices[c].iloc[-1] / res.path_prices[c].iloc[0]).to_numpy()
        expected = h * log_returns(panel, [c]).mean()
        assert change.mean() == pytest.approx(expected, abs=SE * change.std() / math.sqrt(n))


# ----------------------------------------------------------------------------- the bootstrap
def loop_indices(u: np.ndarray, n_obs: int, block_length: float) -> np.ndarray:
    """Plain-Python twin of the stationary bootstrap (one path, one day at a time)."""
    p = 1.0 / block_length
    out = np.empty(u.shape, dtype=np.intp)
    for b in range(u.shape[1]):
        for t in range(u.shape[0]):
            if t == 0:
                out[t, b] = min(int(u[t, b] * n_obs), n_obs - 1)
            elif u[t, b] < p:
                out[t, b] = min(int(u[t, b] * (n_obs / p)), n_obs - 1)
            else:
                out[t, b] = (out[t - 1, b] + 1) % n_obs
    return out


@pytest.mark.parametrize("block_length", [1.0, 3.5, 50.0])
def test_bootstrap_indices_match_a_plain_loop(block_length: float) -> None:
    u = np.random.default_rng(0).random((40, 25))
    expected = loop_indices(u, 17, block_length)
    got = stationary_bootstrap_indices(17, n_paths=25, horizon=40, block_length=block_length,
                                       seed=0)
    np.testing.assert_array_equal(got, expected)
    # drawn in two segments, carrying the last index over: the same indices
    first = _bootstrap_segment(u[:13].copy(), 17, 1.0 / block_length, None)
    second = _bootstrap_segment(u[13:].copy(), 17, 1.0 / block_length, first[-1])
    np.testing.assert_array_equal(np.vstack([first, second]), expected)


def test_bootstrap_indices_are_uniform_with_geometric_blocks() -> None:
    n_obs, block = 50, 8.0
    idx = stationary_bootstrap_indices(n_obs, n_paths=4000, horizon=60, block_length=block,
                                       seed=4)
    counts = np.bincount(idx.ravel(), minlength=n_obs)
    p = 1.0 / n_obs
    expected = idx.size * p
    # paths are independent and a block visits a row at most once (unless it wraps around all
    # 50 rows, rare for a mean length of 8), so a row's count is about binomial; the bound
    # is 4.5 standard errors as it is the largest of 50 rows
    assert np.abs(counts - expected).max() < 4.5 * math.sqrt(expected * (1 - p))
    jumps = (idx[1:] - idx[:-1]) % n_obs != 1
    # a jump lands on the next row with probability 1/n_obs, which then does not count
    rate = (1 / block) * (1 - 1 / n_obs)
    assert jumps.mean() == pytest.approx(rate, abs=SE * math.sqrt(rate / jumps.size))


# ----------------------------------------------------------------------------- the engine as reference
def _engine_values(spec: BasketSpec, res: SimulationResult, path: int, rule: str,
                   base_prices: pd.Series | None) -> dict[str, np.ndarray]:
    """Value one kept path with basket.valuation.engine.valuate, relative to the start, per numeraire."""
    prices = pd.DataFrame({c: f[path] for c, f in res.path_prices.items()})
    for c in spec.currencies:  # a currency the basket no longer holds: unpriced, as in the data
        if c not in prices:
            prices[c] = np.nan
    val = valuate(spec, prices, rule, base_prices)
    out = {}
    for k in res.numeraires:
        v = val.values_usd / prices[k].to_numpy()
        out[k] = v / v[0]
    return out


CASES = [
    ("weights", "none", "normal", 70),
    ("weights", "monthly", "normal", 70),
    ("weights", "band:0.01", "bootstrap", 70),
    ("weights", "review:1y", "normal", 280),
    ("weights", "review:1y:18m", "bootstrap", 270),  # the window reaches back to the start
    ("amounts", "quarterly", "bootstrap", 140),
    ("amounts", "none", "normal", 30),
    ("periods", "monthly", "normal", 50),  # GBP dropped by the period in force at the start
    ("periods", "none", "bootstrap", 20),
    ("geometric", "none", "bootstrap", 30),
]


@pytest.mark.parametrize(("kind", "rule", "method", "horizon"), CASES)
def test_paths_agree_with_the_engine(panel, kind, rule, method, horizon) -> None:
    """Each kept path, valued by the engine's date loop on the same simulated prices, matches
    the vectorised valuation (1e-12: rounding of a few hundred multiplications)."""
    base = panel.index[100]  # weights fixed a while before the start: they have drifted
    if kind == "weights":
        spec = weights_spec({"USD": 0.4, "EUR": 0.3, "JPY": 0.2, "GBP": 0.1}, base)
    elif kind == "geometric":
        spec = weights_spec({"USD": 0.5, "EUR": 0.3, "JPY": 0.2}, base, method="geometric")
    elif kind == "amounts":
        spec = BasketSpec.from_dict({"name": "amt", "amounts": {"USD": 0.5, "EUR": 0.3,
                                                                "JPY": 40.0},
                                     "base_date": str(panel.index[0].date())})
    else:
        spec = BasketSpec.from_dict({"name": "periods", "periods": [
            {"start": str(panel.index[0].date()),
             "amounts": {"USD": 0.4, "EUR": 0.2, "JPY": 20.0, "GBP": 0.1}},
            {"start": str(panel.index[200].date()),
             "amounts": {"USD": 0.5, "EUR": 0.3, "JPY": 25.0}},
        ]})
    base_prices = panel.loc[base] if spec.weights is not None else None
    window = panel.iloc[150:]
    n = 40
    res = monte_carlo(spec, window, base_prices, numeraires=["USD", "EUR", "CHF"], n_paths=n,
                      horizon=horizon, method=method, rebalance=rule, seed=2, fan_paths=n,
                      keep_paths=n)
    assert len(res.paths["USD"]) == horizon + 1
    if kind == "periods":
        assert res.holdings == ["USD", "EUR", "JPY"]
    for path in range(n):
        ref = _engine_values(spec, res, path, rule, base_prices)
        for k in res.numeraires:
            np.testing.assert_allclose(res.paths[k][path].to_numpy(), ref[k], rtol=1e-12,
                                       atol=0, err_msg=f"path {path} in {k}")


def test_figures_agree_with_numpy_and_metrics_on_the_paths(panel, libra_like) -> None:
    """With every path kept, the horizon figures equal numpy.quantile and basket.valuation.metrics on
    the paths' last values, and the fan bands numpy.quantile per day."""
    n, h = 500, 30
    res = monte_carlo(libra_like, panel, n_paths=n, horizon=h, seed=9, fan_paths=n,
                      keep_paths=n, rebalance="band:0.02", move=0.01)
    q = np.array(res.percentiles) / 100
    for k in res.numeraires:
        paths = res.paths[k].to_numpy()
        last = paths[-1]
        np.testing.assert_allclose(res.terminal.loc[k].iloc[:-1], np.quantile(last, q),
                                   rtol=1e-12)
        assert res.terminal.loc[k, "mean"] == pytest.approx(last.mean(), rel=1e-12)
        simple = last - 1.0
        risk = res.risk.loc[k]
        assert risk["horizon_var_95"] == pytest.approx(value_at_risk(simple, 0.95), rel=1e-9, abs=1e-15)
        assert risk["horizon_es_95"] == pytest.approx(expected_shortfall(simple, 0.95), rel=1e-9)
        assert risk["horizon_var_99"] == pytest.approx(value_at_risk(simple, 0.99), rel=1e-9, abs=1e-15)
        assert risk["horizon_es_99"] == pytest.approx(expected_shortfall(simple, 0.99), rel=1e-9)
        assert risk["prob_move_gt_1pct"] == np.mean(np.abs(simple) > 0.01)
        assert risk["horizon_volatility"] == pytest.approx(
            np.log(last).std(ddof=1) * math.sqrt(252 / h), rel=1e-9)
        np.testing.assert_allclose(res.fan[k].to_numpy(), np.quantile(paths, q, axis=1).T,
                                   rtol=1e-12)
    # each constituent held alone: its price relative to the numeraire's
    for (k, c), row in res.constituents.iterrows():
        rel = (res.path_prices[c].iloc[-1] / res.path_prices[c].iloc[0]) / (
            res.path_prices[k].iloc[-1] / res.path_prices[k].iloc[0])
        np.testing.assert_allclose(row.iloc[: len(q)], np.quantile(rel, q), rtol=1e-12)


def test_quantile_of_sorted_equals_numpy() -> None:
    rng = np.random.default_rng(1)
    for n in (1, 2, 7, 1000):
        x = np.sort(rng.normal(size=(3, n)), axis=-1)
        q = np.array([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
        np.testing.assert_array_equal(_quantile_sorted(x, q), np.quantile(x, q, axis=1).T)


# ----------------------------------------------------------------------------- extreme inputs
def test_one_path(panel, libra_like) -> None:
    res = monte_carlo(libra_like, panel, n_paths=1, horizon=5, seed=1)
    assert all_finite(res)
    t = res.terminal.drop(columns="mean")
    assert (t.to_numpy() == t.to_numpy()[:, :1]).all()  # every percentile is the one value
    assert (res.risk["horizon_volatility"] == 0.0).all()
    assert (res.risk["horizon_var_95"] == res.risk["horizon_es_95"]).all()


def test_one_day(panel, libra_like) -> None:
    res = monte_carlo(libra_like, panel, n_paths=300, horizon=1, seed=1)
    assert all_finite(res)
    assert list(res.dates) == [panel.index[-1] + pd.offsets.BDay(1)]
    assert list(res.fan["EUR"].index) == [panel.index[-1], res.dates[0]]
    assert (res.fan["EUR"].iloc[0] == 1.0).all()


@pytest.mark.parametrize("method", ["normal", "bootstrap"])
@pytest.mark.parametrize("rule", ["none", "band:0.05"])
def test_single_currency_basket_is_constant_in_its_own_currency(panel, method, rule) -> None:
    spec = weights_spec({"EUR": 1.0}, panel.index[-1])
    res = monte_carlo(spec, panel, numeraires=["EUR", "USD"], n_paths=1500, horizon=40,
                      method=method, rebalance=rule, seed=4, fan_paths=300)
    assert (res.terminal.loc["EUR"] == 1.0).all()
    assert (res.risk.loc["EUR"] == 0.0).all()
    assert (res.fan["EUR"].to_numpy() == 1.0).all()
    alone = res.constituents.loc[("EUR", "EUR")]
    assert (alone[risk_columns(res.move)] == 0.0).all() and (alone.drop(risk_columns(res.move)) == 1.0).all()
    assert res.risk.loc["USD", "horizon_volatility"] > 0.01


@pytest.mark.parametrize("method", ["normal", "bootstrap"])
def test_zero_covariance_gives_a_deterministic_path(method) -> None:
    idx = pd.bdate_range("2022-01-03", periods=30, name="date")
    flat = pd.DataFrame({"USD": 1.0, "EUR": 1.1, "JPY": 0.009}, index=idx)
    spec = weights_spec({"USD": 0.5, "EUR": 0.3, "JPY": 0.2}, idx[0])
    res = monte_carlo(spec, flat, n_paths=1200, horizon=25, method=method, seed=1)
    assert (res.terminal.to_numpy() == 1.0).all()
    assert (res.risk.to_numpy() == 0.0).all()
    assert (res.constituents.drop(columns=["mean", *risk_columns(res.move)]).to_numpy() == 1.0).all()
    assert all((f.to_numpy() == 1.0).all() for f in res.fan.values())
    assert (res.covariance.to_numpy() == 0.0).all()
    # a constant drift: EUR gains exactly log(1.001) a day, so every path is the same
    trend = flat.copy()
    trend["EUR"] = 1.1 * 1.001 ** np.arange(30)
    res = monte_carlo(spec, trend, n_paths=1200, horizon=25, method=method, seed=1)
    row = res.constituents.loc[("USD", "EUR")]
    assert row["p1"] == pytest.approx(1.001**25, rel=1e-12)
    assert row["p99"] == pytest.approx(1.001**25, rel=1e-12)
    assert row["horizon_volatility"] == pytest.approx(0.0, abs=1e-12)


def test_fan_grid_when_the_fan_budget_is_exceeded(panel, libra_like, monkeypatch) -> None:
    monkeypatch.setattr(model, "FAN_BUDGET", 5000)
    res = monte_carlo(libra_like, panel, n_paths=200, horizon=50, seed=1, fan_paths=200,
                      numeraires=["USD"])
    fan = res.fan["USD"]
    stride = math.ceil(51 * 200 / 5000)
    assert len(fan) == len(range(0, 51, stride)) + 1  # every stride-th day and the horizon
    assert fan.index[0] == res.start and fan.index[-1] == res.dates[-1]


# ----------------------------------------------------------------------------- reproducibility
RUN = dict(n_paths=4500, horizon=30, seed=21, rebalance="band:0.02", fan_paths=1500,
           keep_paths=20)


@pytest.fixture(scope="module")
def reference(panel, libra_like) -> SimulationResult:
    return monte_carlo(libra_like, panel, **RUN)


def test_same_seed_is_bit_identical_and_other_seeds_differ(panel, libra_like, reference):
    assert_same(reference, monte_carlo(libra_like, panel, **RUN))
    other = monte_carlo(libra_like, panel, **{**RUN, "seed": 22})
    assert not np.array_equal(other.terminal.to_numpy(), reference.terminal.to_numpy())


@pytest.mark.parametrize("options", [
    dict(workers=2),
    dict(workers=2, chunk_paths=3000),
    dict(workers=3, chunk_paths=1000),
    dict(chunk_paths=2500),
])
def test_workers_and_chunks_do_not_change_results(panel, libra_like, reference, options):
    assert_same(reference, monte_carlo(libra_like, panel, **RUN, **options))


def test_bootstrap_is_identical_across_workers(panel, libra_like) -> None:
    run = dict(n_paths=2500, horizon=70, seed=3, method="bootstrap", fan_paths=1200)
    one = monte_carlo(libra_like, panel, **run)
    assert_same(one, monte_carlo(libra_like, panel, **run, workers=2))


def test_process_workers_are_identical(panel, libra_like, reference) -> None:
    assert_same(reference, monte_carlo(libra_like, panel, **RUN, workers=2, executor="process"))


def test_dask_local_cluster_is_identical(panel, libra_like, reference) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(processes=False, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        assert_same(reference, monte_carlo(libra_like, panel, **RUN, scheduler=client))
        by_address = monte_carlo(libra_like, panel, **RUN, scheduler=cluster.scheduler_address,
                                 chunk_paths=2000)
        assert_same(reference, by_address)


def test_seed_as_int_sequence_and_generator(panel, libra_like) -> None:
    run = dict(n_paths=1200, horizon=10, fan_paths=500)
    a = monte_carlo(libra_like, panel, seed=5, **run)
    assert_same(a, monte_carlo(libra_like, panel, seed=np.random.SeedSequence(5), **run))
    seq = np.random.SeedSequence(99)
    assert_same(monte_carlo(libra_like, panel, seed=seq, **run),
                monte_carlo(libra_like, panel, seed=seq, **run))  # not spawned from
    g1 = monte_carlo(libra_like, panel, seed=np.random.default_rng(7), **run)
    g2 = monte_carlo(libra_like, panel, seed=np.random.default_rng(7), **run)
    assert_same(g1, g2)
    again = np.random.SeedSequence(list(g1.seed_entropy), spawn_key=g1.seed_spawn_key)
    assert_same(g1, monte_carlo(libra_like, panel, seed=again, **run))
    gen = np.random.default_rng(7)
    first = monte_carlo(libra_like, panel, seed=gen, **run)
    second = monte_carlo(libra_like, panel, seed=gen, **run)  # the generator advanced
    assert not np.array_equal(first.terminal.to_numpy(), second.terminal.to_numpy())
    fresh = monte_carlo(libra_like, panel, seed=None, **run)
    assert_same(fresh, monte_carlo(libra_like, panel, seed=fresh.seed_entropy, **run))


def test_progress_reports_every_path(panel, libra_like) -> None:
    seen: list[tuple[int, int]] = []
    monte_carlo(libra_like, panel, n_paths=3500, horizon=3, seed=1,
                progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3500, 3500)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# ----------------------------------------------------------------------------- the result
def test_result_object(reference) -> None:
    res = reference
    assert res.terminal.columns.tolist() == ["p1", "p5", "p25", "p50", "p75", "p95", "p99",
                                             "mean"]
    assert res.risk.columns.tolist() == ["horizon_var_95", "horizon_es_95", "horizon_var_99",
                                         "horizon_es_99", "prob_move_gt_5pct",
                                         "horizon_volatility"]
    assert res.numeraires == ["USD", "EUR", "JPY", "GBP"]
    assert res.constituents.index.names == ["numeraire", "holding"]
    assert len(res.constituents) == 16
    assert len(res.dates) == 30 and res.dates[0] > res.start
    assert set(res.fan) == set(res.numeraires)
    summary = res.summary()
    assert summary.columns.tolist()[:3] == ["p5", "p50", "p95"]
    assert summary.columns.tolist()[-4:] == ["vol_USD", "vol_EUR", "vol_JPY", "vol_GBP"]
    assert summary.loc["EUR", "vol_EUR"] == 0.0
    data = json.loads(json.dumps(res.to_dict()))
    assert data["paths"] == 4500 and data["rebalance"] == "band:0.02"
    assert data["terminal"]["EUR"]["p50"] == res.terminal.loc["EUR", "p50"]
    assert data["constituents"]["USD"]["JPY"]["horizon_var_95"] == res.constituents.loc[
        ("USD", "JPY"), "horizon_var_95"]
    assert len(data["fan"]["USD"]["dates"]) == 31
    assert "<table" in res._repr_html_() and "Monte Carlo" in res._repr_html_()
    assert "paths=4500" in repr(res)
    with pytest.raises(AttributeError):
        res.n_paths = 3  # type: ignore[misc]
    # the start value: one unit of the basket at the start, in each numeraire
    assert res.start_value["USD"] == pytest.approx(1.0)


# ----------------------------------------------------------------------------- bad inputs
BAD = [
    (dict(horizon=0), SimulationError, "horizon 0 days must be at least 1"),
    (dict(horizon=-3), SimulationError, "horizon -3 days"),
    (dict(horizon=2.5), SimulationError, "horizon 2.5 must be a whole number"),
    (dict(n_paths=0), SimulationError, "number of paths 0"),
    (dict(n_paths=-10), SimulationError, "number of paths -10"),
    (dict(method="garch"), SimulationError, "unknown method 'garch'"),
    (dict(method="bootstrap", block_length=0.5), SimulationError, "block length 0.5"),
    (dict(method="bootstrap", block_length=float("nan")), SimulationError, "block length nan"),
    (dict(block_length=5), SimulationError, "block length applies to method='bootstrap'"),
    (dict(ewma=1.2), SimulationError, "EWMA lambda 1.2"),
    (dict(method="bootstrap", ewma=0.94), SimulationError, "EWMA covariance applies"),
    (dict(drift="up"), SimulationError, "unknown drift 'up'"),
    (dict(move=0), SimulationError, "move 0"),
    (dict(workers=0), SimulationError, "workers 0"),
    (dict(executor="gpu"), SimulationError, "unknown executor 'gpu'"),
    (dict(scheduler="tcp://x:1", workers=2), SimulationError, "leave workers=1"),
    (dict(fan_paths=0), SimulationError, "fan_paths 0"),
    (dict(fan_paths=10, keep_paths=20), SimulationError, "keep_paths 20 exceeds"),
    (dict(percentiles=(50, 50)), SimulationError, "must be distinct"),
    (dict(percentiles=(0, 50)), SimulationError, "numbers in \\(0, 100\\)"),
    (dict(seed=-1), SimulationError, "seed -1 is negative"),
    (dict(seed="abc"), SimulationError, "seed 'abc' is not an int"),
    (dict(rebalance="weekly"), SpecError, "unknown rebalancing rule 'weekly'"),
    (dict(numeraires=["NOK"]), DataError, "no rates for numeraire NOK"),
    (dict(chunk_paths=0), SimulationError, "chunk_paths 0"),
]


@pytest.mark.parametrize(("options", "error", "match"), BAD)
def test_bad_options(panel, libra_like, options, error, match) -> None:
    with pytest.raises(error, match=match):
        monte_carlo(libra_like, panel, **{"n_paths": 10, "horizon": 2, **options})


def test_bad_panels(panel, libra_like) -> None:
    with pytest.raises(DataError, match="it needs at least three"):
        monte_carlo(libra_like, panel.iloc[:2], n_paths=10, horizon=2)
    holed = panel.copy()
    holed.iloc[5, 2] = np.nan
    with pytest.raises(DataError, match="JPY has no rate on some dates of the window"):
        monte_carlo(libra_like, holed, n_paths=10, horizon=2)
    with pytest.raises(DataError, match="no column for GBP"):
        monte_carlo(libra_like, panel.drop(columns="GBP"), n_paths=10, horizon=2)
    with pytest.raises(DataError, match="sorted and unique"):
        monte_carlo(libra_like, panel.iloc[::-1], n_paths=10, horizon=2)
    late = weights_spec({"USD": 0.5, "EUR": 0.5}, "2019-01-02")
    with pytest.raises(DataError, match="before the panel starts"):
        monte_carlo(late, panel, n_paths=10, horizon=2)
    geo = weights_spec({"USD": 0.5, "EUR": 0.5}, panel.index[0], method="geometric")
    with pytest.raises(SpecError, match="geometric index is implicitly rebalanced"):
        monte_carlo(geo, panel, n_paths=10, horizon=2, rebalance="monthly")


def test_bad_bootstrap_index_arguments() -> None:
    with pytest.raises(SimulationError, match="block length 0"):
        stationary_bootstrap_indices(10, 2, 3, 0)
    with pytest.raises(SimulationError, match="n_obs 0"):
        stationary_bootstrap_indices(0, 2, 3, 2.0)
    with pytest.raises(SimulationError, match="EWMA lambda 0"):
        ewma_covariance(np.ones((3, 2)), 0.0)
    assert seed_sequence(np.int64(3)).entropy == 3


def test_unreachable_scheduler(panel, libra_like) -> None:
    pytest.importorskip("distributed")
    with pytest.raises(SimulationError, match="cannot reach the Dask scheduler at 'nope://x'"):
        monte_carlo(libra_like, panel, n_paths=10, horizon=2, scheduler="nope://x")
    with pytest.raises(SimulationError, match=r"neither a distributed\.Client"):
        monte_carlo(libra_like, panel, n_paths=10, horizon=2, scheduler=42)


# ----------------------------------------------------------------------------- simulate() on ECB data
def test_simulate_on_the_bundled_data() -> None:
    res = basket.simulate("libra-2019", n_paths=1500, horizon=21, seed=1, method="bootstrap",
                          numeraires="USD,EUR,CHF")
    assert isinstance(res, basket.SimulationResult)
    assert res.source == "ecb"
    assert res.numeraires == ["USD", "EUR", "CHF"]
    assert res.holdings == ["USD", "EUR", "JPY", "GBP", "SGD"]
    # default window: the last three years up to the last date of the data
    fx = basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD", "CHF"])
    assert res.start == fx.index[-1]
    assert res.window[0] >= res.start - pd.DateOffset(years=3)
    assert res.window[0] - (res.start - pd.DateOffset(years=3)) < pd.Timedelta(days=5)
    assert res.start_value["USD"] == pytest.approx(basket.price(res.start.date()), rel=1e-12)
    same = simulate("libra-2019", n_paths=1500, horizon=21, seed=1, method="bootstrap",
                    numeraires=["USD", "EUR", "CHF"], panel=fx)
    assert_same(res, same)


def test_resolve_window() -> None:
    idx = pd.bdate_range("2015-01-01", "2024-12-31")
    assert resolve_window("2019-03-01:", idx) == (pd.Timestamp("2019-03-01"), idx[-1])
    assert resolve_window(":2020-06-30", idx) == (pd.Timestamp("2017-06-30"),
                                                pd.Timestamp("2020-06-30"))
    assert resolve_window((None, "2016-01-01"), idx) == (idx[0], pd.Timestamp("2016-01-01"))
    for window, match in [
        ("2010-01-01:2016-01-01", "window start 2010-01-01 is before the data"),
        ("2019-01-01:2030-01-01", "window end 2030-01-01 is after the data"),
        ("2020-01-01:2019-01-01", "start 2020-01-01 is after end 2019-01-01"),
        ("2020", "is not START:END"),
        ("2020-13-45:", "window start '2020-13-45' is not a date"),
        (42, "must be 'START:END'"),
    ]:
        with pytest.raises(DataError, match=match):
            resolve_window(window, idx)


def test_simulate_window_outside_the_data() -> None:
    with pytest.raises(DataError, match="before the data"):
        simulate(n_paths=10, horizon=2, window="1990-01-01:2000-01-01")
    with pytest.raises(SimulationError, match="horizon 0"):
        simulate(n_paths=10, horizon=0)


# ----------------------------------------------------------------------------- the CLI
runner = CliRunner()


def one_line_error(result, pattern: str) -> None:
    assert result.exit_code == 1, result.output
    err = result.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert pattern in err, err


def test_cli_table_json_csv() -> None:
    args = ["simulate", "--paths", "1200", "--horizon", "10", "--seed", "3"]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "1,200 paths x 10 days" in table.stdout and "seed 3" in table.stdout
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    direct = simulate(n_paths=1200, horizon=10, seed=3)
    assert data["terminal"]["EUR"]["p5"] == direct.terminal.loc["EUR", "p5"]
    csv = runner.invoke(app, [*args, "--format", "csv", "-n", "USD,EUR"])
    assert csv.exit_code == 0
    header = csv.stdout.splitlines()[0].split(",")
    assert header[:4] == ["numeraire", "basket", "method", "rebalance"]
    assert {"p5", "p50", "p95", "horizon_var_95", "horizon_es_95",
            "horizon_volatility_EUR"} <= set(header)
    assert len(csv.stdout.splitlines()) == 3


def test_cli_bootstrap_options() -> None:
    result = runner.invoke(app, ["simulate", "--paths", "1000", "--horizon", "5", "--method",
                                 "bootstrap", "--block-length", "4", "--window",
                                 "2020-01-01:2022-12-30", "--rebalance", "quarterly",
                                 "--move", "0.02", "--format", "json", "--workers", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["window"]["start"] == "2020-01-02" and data["block_length"] == 4.0
    assert data["rebalance"] == "quarterly" and data["move"] == 0.02


@pytest.mark.parametrize(("args", "pattern"), [
    (["--paths", "0"], "number of paths 0"),
    (["--paths", "-5"], "number of paths -5"),
    (["--horizon", "0"], "horizon 0 days must be at least 1"),
    (["--method", "garch"], "unknown method 'garch'"),
    (["--method", "bootstrap", "--block-length", "0.5"], "block length 0.5"),
    (["--window", "1990-01-01:2000-01-01"], "window start 1990-01-01 is before the data"),
    (["--ewma", "2"], "EWMA lambda 2.0"),
    (["--seed", "-4"], "seed -4 is negative"),
    (["--numeraire", "XYZ"], "XYZ"),
])
def test_cli_errors(args: list[str], pattern: str) -> None:
    one_line_error(runner.invoke(app, ["simulate", "--paths", "100", "--horizon", "2", *args]),
                   pattern)


def test_cli_bad_format_is_a_usage_error() -> None:
    result = runner.invoke(app, ["simulate", "--format", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of table, json, csv" in result.stderr


def test_cli_plot_not_available(monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    result = runner.invoke(app, ["simulate", "--paths", "100", "--horizon", "2", "--plot",
                                 str(tmp_path / "fan.png")])
    one_line_error(result, "pip install 'libra-basket[plot]'")
    assert not (tmp_path / "fan.png").exists()


def test_cli_plot(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "fan.png"
    result = runner.invoke(app, ["simulate", "--paths", "300", "--horizon", "5", "--seed", "1",
                                 "-n", "USD,EUR", "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000


def test_cli_scheduler_gives_the_same_figures() -> None:
    distributed = pytest.importorskip("distributed")
    args = ["simulate", "--paths", "2500", "--horizon", "5", "--seed", "8", "--format", "json"]
    local = json.loads(runner.invoke(app, args).stdout)
    with distributed.LocalCluster(processes=False, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        result = runner.invoke(app, [*args, "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == local


def test_an_early_numeraire_moving_the_start_is_said() -> None:
    """BGN's ECB quotes end 2025-12-31: holding it as a numeraire moves the start back; say so."""
    from basket.errors import DataGapWarning

    with pytest.warns(DataGapWarning, match=r"starts on 2025-12-31, the last date BGN is quoted, "
                                             r"not on 2026-10-30"):
        res = simulate(n_paths=100, horizon=2, numeraires=["USD", "BGN"], seed=1)
    assert res.start == pd.Timestamp("2025-12-31")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataGapWarning)
        assert simulate(n_paths=100, horizon=2, numeraires=["USD", "EUR"], seed=1).start == \
            pd.Timestamp("2026-10-30")


def test_a_late_numeraire_needs_no_data_before_its_first_quote() -> None:
    """CNY's ECB quotes start 2005-04-01: the SDR (from 1999) still simulates in CNY, on the
    same window and figures as with the panel cut at CNY's first quote by hand."""
    res = simulate("sdr", n_paths=200, horizon=5, numeraires=["USD", "CNY"], seed=3)
    assert res.numeraires == ["USD", "CNY"]
    fx = basket.load_fx(["USD", "EUR", "JPY", "GBP", "CNY"], start="2005-04-01")
    ref = simulate("sdr", n_paths=200, horizon=5, numeraires=["USD", "CNY"], seed=3, panel=fx)
    assert res.window == ref.window
    pd.testing.assert_frame_equal(res.risk, ref.risk)
    # a window starting before the first quote is refused, naming the date
    with pytest.raises(DataError, match=r"window starts on 2004-01-02, before the source quotes "
                                        r"every numeraire asked for \(USD, CNY all from "
                                        r"2005-04-01\)"):
        simulate("sdr", n_paths=100, horizon=5, numeraires=["USD", "CNY"],
                 window="2004-01-02:2006-01-02")
    late = simulate("sdr", n_paths=100, horizon=5, numeraires=["USD", "CNY"], seed=3,
                    window="2006-01-02:2008-01-02")
    assert late.window == (pd.Timestamp("2006-01-02"), pd.Timestamp("2008-01-02"))
