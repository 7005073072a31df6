"""Rule ``none`` under the normal method: paths beyond the fan drawn as horizon sums (issue 12).

A block's paths beyond the fan paths need only their log price change at the horizon; each
currency's sum of ``horizon`` daily standard normals is drawn directly as ``sqrt(horizon)`` times
one standard normal. Checked here: the results stay bit-identical whatever the workers, chunks
or executor (threads, processes, a Dask LocalCluster started by the test); the horizon values
of those paths have the model's distribution (mean ``horizon * mu`` and covariance ``horizon *
Sigma`` of the log changes, within a few standard errors, against the window's own estimates);
and the fan paths, followed day by day, end where the horizon figures of the same paths say.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from basket.montecarlo.model import monte_carlo
from basket.montecarlo.paths import BLOCK_PATHS
from basket.spec import BasketSpec

SE = 4.0
CODES = ["USD", "EUR", "JPY", "GBP"]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    vols = np.array([0.006, 0.008, 0.005])
    corr = np.array([[1.0, 0.4, 0.6], [0.4, 1.0, 0.3], [0.6, 0.3, 1.0]])
    steps = rng.multivariate_normal(np.full(3, 1e-4), corr * np.outer(vols, vols), 299)
    levels = np.array([1.1, 0.009, 1.25]) * np.exp(np.vstack([np.zeros(3), np.cumsum(steps, 0)]))
    idx = pd.bdate_range("2021-01-04", periods=300, name="date")
    out = pd.DataFrame(levels, index=idx, columns=CODES[1:])
    out.insert(0, "USD", 1.0)
    return out


@pytest.fixture(scope="module")
def spec(panel: pd.DataFrame) -> BasketSpec:
    return BasketSpec.from_dict({"name": "three", "weights": {"USD": 0.4, "EUR": 0.3,
                                                              "JPY": 0.2, "GBP": 0.1},
                                 "base_date": str(panel.index[0].date())})


RUN = dict(n_paths=5500, horizon=40, seed=5, fan_paths=1500, keep_paths=10)


def same(a, b) -> None:
    for name in ("terminal", "risk", "constituents"):
        assert np.array_equal(getattr(a, name).to_numpy(), getattr(b, name).to_numpy()), name
    for k in a.fan:
        assert np.array_equal(a.fan[k].to_numpy(), b.fan[k].to_numpy()), k
    for k in a.paths:
        assert np.array_equal(a.paths[k].to_numpy(), b.paths[k].to_numpy()), k


@pytest.mark.parametrize("options", [dict(workers=2), dict(workers=3, chunk_paths=2000),
                                     dict(chunk_paths=1000), dict(workers=2, executor="process")])
def test_identical_across_workers_and_chunks(panel, spec, options) -> None:
    same(monte_carlo(spec, panel, **RUN), monte_carlo(spec, panel, **RUN, **options))


def test_identical_on_a_dask_cluster(panel, spec) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(processes=False, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        same(monte_carlo(spec, panel, **RUN),
             monte_carlo(spec, panel, **RUN, scheduler=cluster.scheduler_address))


def test_horizon_sums_have_the_models_distribution(panel, spec) -> None:
    """EUR's horizon value in USD: its log is normal with mean h*mu and variance h*s^2 (the
    window's daily log-return mean and variance, ddof 1). The 50th and 97.5th percentiles of
    20,000 paths, 90% drawn as horizon sums, within SE standard errors of the normal ones
    (sd of a sample quantile: sqrt(q(1-q)/n) / density)."""
    n, h = 20_000, 60
    res = monte_carlo(spec, panel, numeraires=["USD"], n_paths=n, horizon=h, seed=3,
                      fan_paths=2000, drift="historical", percentiles=(50, 97.5))
    r = np.diff(np.log(panel["EUR"].to_numpy()))
    mu, sd = r.mean() * h, r.std(ddof=1) * math.sqrt(h)
    row = res.constituents.loc[("USD", "EUR")]
    for q, col in ((0.5, "p50"), (0.975, "p97.5")):
        z = {0.5: 0.0, 0.975: 1.959963984540054}[q]
        density = math.exp(-z * z / 2) / math.sqrt(2 * math.pi) / sd
        se = math.sqrt(q * (1 - q) / n) / density
        assert math.log(row[col]) == pytest.approx(mu + z * sd, abs=SE * se), col
    assert row["horizon_volatility"] == pytest.approx(sd * math.sqrt(252 / h),
                                                      rel=SE / math.sqrt(2 * n))


def test_fan_paths_end_at_their_horizon_values(panel, spec) -> None:
    """With every path in the fan the day-by-day paths are all there is: the fan's last row
    and the horizon percentiles are the same numbers (the same draws, summed two ways)."""
    n = 3 * BLOCK_PATHS
    res = monte_carlo(spec, panel, n_paths=n, horizon=25, seed=9, fan_paths=n)
    for k in res.numeraires:
        last = res.fan[k].iloc[-1].to_numpy()
        np.testing.assert_allclose(last, res.terminal.loc[k, ["p1", "p5", "p25", "p50", "p75",
                                                              "p95", "p99"]].to_numpy(),
                                   rtol=1e-12)
