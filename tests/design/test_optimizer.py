"""Basket design optimiser: closed form, a second solver, a brute-force grid, consistency with
the backtest, bounds, every error path and the CLI.

References, all independent of :mod:`basket.design.optimizer`:

* closed form: with returns measured in a numeraire ``k`` outside the allowed set,
  ``x_c = r_c - r_k`` and the minimum-variance weights summing to one are
  ``w = S^-1 1 / (1' S^-1 1)`` with ``S = cov(x)``; ``S`` is computed here from the ECB rates
  (``np.cov`` of the return differences), not from the library's covariance;
* a brute-force grid over the 3-currency simplex (step 0.002) for the long-only problems;
* scipy's trust-constr as a second solver beside SLSQP;
* :func:`basket.backtest` for the realised volatility of the benchmark (Libra), and a
  geometric index (constant weights, exact log returns ``w' r``) for the model volatility.
"""

from __future__ import annotations

import json
import math
from io import StringIO
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import basket
from basket.cli import app
from basket.dates import parse_range
from basket.design.api import optimize as run_optimize
from basket.design.api import parse_bounds
from basket.design.estimation import (
    fixed_amount_volatility,
    model_volatility,
    return_covariance,
)
from basket.design.optimizer import solve_weights, validate_bounds
from basket.design.results import OptimizationResult
from basket.errors import DataError, SimulationError, SpecError
from basket.spec import BasketSpec

LIBRA = ["USD", "EUR", "JPY", "GBP", "SGD"]
WINDOW = ("2015-01-01", "2019-12-31")
PPY = 252
runner = CliRunner()


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return basket.load_fx([*LIBRA, "CHF"], *WINDOW)


@pytest.fixture(scope="module")
def cov(panel: pd.DataFrame) -> pd.DataFrame:
    return return_covariance(panel)


@pytest.fixture(scope="module")
def libra_result() -> OptimizationResult:
    return run_optimize(window=("2016-01-01", "2018-12-31"), evaluate=("2019-01-01", "2019-12-31"))


def _closed_form(panel: pd.DataFrame, allowed: list[str], k: str) -> tuple[np.ndarray, float]:
    r = np.diff(np.log(panel.to_numpy()), axis=0)
    cols = list(panel.columns)
    x = r[:, [cols.index(c) for c in allowed]] - r[:, [cols.index(k)]]
    s = np.cov(x, rowvar=False, ddof=1)
    y = np.linalg.solve(s, np.ones(len(allowed)))
    return y / y.sum(), math.sqrt(PPY / y.sum())


# ----------------------------------------------------------------------------- closed form
@pytest.mark.parametrize("method", ["slsqp", "trust-constr"])
def test_unconstrained_single_matches_closed_form(panel: pd.DataFrame, cov: pd.DataFrame,
                                                  method: str) -> None:
    w, vol = _closed_form(panel, LIBRA, "CHF")
    sol = solve_weights(cov, LIBRA, ["CHF"], "single", long_only=False, method=method)
    # tolerance: the solvers stop at ftol/gtol ~1e-12-1e-14 on a quadratic; weights to 1e-6
    np.testing.assert_allclose(sol.weights.to_numpy(), w, atol=1e-6)
    assert sol.objective_value == pytest.approx(vol, rel=1e-9)
    assert (w < 0).any()  # the test really is unconstrained: the closed form shorts a currency


def test_public_optimize_matches_closed_form(panel: pd.DataFrame) -> None:
    w, vol = _closed_form(panel, LIBRA, "CHF")
    res = run_optimize(numeraires="CHF", objective="single", long_only=False, window=WINDOW,
                       benchmark=None)
    np.testing.assert_allclose(res.weights.to_numpy(), w, atol=1e-6)
    assert res.objective_value == pytest.approx(vol, rel=1e-9)
    assert res.comparison.loc["CHF", "optimum_model"] == pytest.approx(vol, rel=1e-9)
    assert any("short" in n for n in res.notes)
    assert not res.comparison.isna().any().any()
    with pytest.raises(SpecError, match=r"the optimum is short EUR|the optimum is short USD"):
        res.to_spec()


def test_numeraire_inside_the_allowed_set_gives_all_of_it(cov: pd.DataFrame) -> None:
    sol = solve_weights(cov, LIBRA, ["JPY"], "single", long_only=False)
    np.testing.assert_allclose(sol.weights.to_numpy(), [0, 0, 1, 0, 0], atol=1e-6)
    assert sol.objective_value == pytest.approx(0.0, abs=1e-7)


# ----------------------------------------------------------------------------- second solver
def _grid(step: float = 0.002) -> np.ndarray:
    n = round(1 / step)
    i, j = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    keep = i + j <= n
    a, b = i[keep] * step, j[keep] * step
    return np.column_stack([a, b, 1.0 - a - b])


def _ternary(g, lo: float, hi: float) -> float:
    """The minimiser of a convex function of one variable on [lo, hi] (to 1e-12)."""
    while hi - lo > 1e-12:
        m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if g(m1) <= g(m2):
            hi = m2
        else:
            lo = m1
    return (lo + hi) / 2


def _nested_ternary(f) -> np.ndarray:
    """The minimiser of a convex ``f(a, b)`` over the simplex ``a, b >= 0, a + b <= 1``."""
    def inner(a: float) -> float:
        return _ternary(lambda b: f(a, b), 0.0, 1.0 - a)

    a = _ternary(lambda a: f(a, inner(a)), 0.0, 1.0)
    b = inner(a)
    return np.array([a, b, 1.0 - a - b])


@pytest.mark.timeout(60)
@pytest.mark.parametrize("objective", ["worst", "mean"])
def test_long_only_three_currencies_against_a_grid(panel: pd.DataFrame, objective: str) -> None:
    allowed, ks = ["EUR", "JPY", "GBP"], ["USD", "EUR", "JPY", "GBP", "SGD"]
    r = np.diff(np.log(panel.to_numpy()), axis=0)
    cols = list(panel.columns)
    ra = r[:, [cols.index(c) for c in allowed]]
    grid = _grid(0.001)
    vols = np.empty((len(grid), len(ks)))
    covs = []
    for j, k in enumerate(ks):
        # Var(ra w - rk) expanded with np.cov of the raw returns (not the library's covariance)
        rk = r[:, cols.index(k)]
        c = np.cov(np.column_stack([ra, rk]), rowvar=False, ddof=1)
        covs.append(c)
        var = np.einsum("gi,ij,gj->g", grid, c[:3, :3], grid) - 2 * grid @ c[:3, 3] + c[3, 3]
        vols[:, j] = np.sqrt(np.maximum(var, 0.0) * PPY)
    score = vols.max(axis=1) if objective == "worst" else vols.mean(axis=1)
    best = int(np.argmin(score))
    # the definition, at the grid's best point: std of the constant-weight return in each k
    direct = [(ra @ grid[best] - r[:, cols.index(k)]).std(ddof=1) * math.sqrt(PPY) for k in ks]
    np.testing.assert_allclose(vols[best], direct, rtol=1e-10)
    cov = return_covariance(panel)
    sol = solve_weights(cov, allowed, ks, objective)
    other = solve_weights(cov, allowed, ks, objective, method="trust-constr")
    # the grid's best is an upper bound; the optimum lies within a grid step of it
    assert sol.objective_value <= score[best] + 1e-12
    assert sol.objective_value >= score[best] - 1e-4
    # the exact optimum by nested ternary searches (the objective is convex, so its minimum
    # over b for a fixed a is convex in a): a and b = the first two weights
    def f(a: float, b: float) -> float:
        p = np.array([a, b, 1.0 - a - b])
        v = [math.sqrt(max(p @ cs[:3, :3] @ p - 2 * p @ cs[:3, 3] + cs[3, 3], 0.0) * PPY)
             for cs in covs]
        return max(v) if objective == "worst" else sum(v) / len(v)

    top = _nested_ternary(f)
    # tolerances: SLSQP stops at ftol 1e-13 on a problem of scale 1 (weights to ~1e-6);
    # trust-constr's interior point stays off active bounds by its barrier (~1e-4)
    np.testing.assert_allclose(sol.weights.to_numpy(), top, atol=2e-6)
    assert other.objective_value == pytest.approx(sol.objective_value, rel=2e-5)
    np.testing.assert_allclose(other.weights.to_numpy(), top, atol=5e-4)


def test_five_currency_worst_case_two_solvers(cov: pd.DataFrame) -> None:
    a = solve_weights(cov, LIBRA, LIBRA, "worst")
    b = solve_weights(cov, LIBRA, LIBRA, "worst", method="trust-constr")
    # tolerance: trust-constr's interior point stops at its barrier tolerance (1e-8 scaled)
    assert b.objective_value == pytest.approx(a.objective_value, rel=2e-5)
    np.testing.assert_allclose(a.weights.to_numpy(), b.weights.to_numpy(), atol=5e-4)
    # at a minimax optimum several numeraires tie at the worst volatility
    top = a.volatility.max()
    assert (a.volatility > top * (1 - 1e-6)).sum() >= 2


# ----------------------------------------------------------------------------- constraints
def test_bounds_respected_and_sum_to_one(cov: pd.DataFrame) -> None:
    bounds = {"USD": (0.5, None), "JPY": (None, 0.2), "GBP": (0.05, 0.15)}
    for objective, ks in (("worst", LIBRA), ("mean", LIBRA), ("single", ["EUR"])):
        sol = solve_weights(cov, LIBRA, ks, objective, bounds)
        w = sol.weights
        assert w.sum() == pytest.approx(1.0, abs=1e-12)
        assert (w >= -1e-12).all()
        assert w["USD"] >= 0.5 - 1e-9 and w["JPY"] <= 0.2 + 1e-9
        assert 0.05 - 1e-9 <= w["GBP"] <= 0.15 + 1e-9


@given(
    lows=st.lists(st.floats(0.0, 0.3), min_size=5, max_size=5),
    spans=st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
    objective=st.sampled_from(["worst", "mean"]),
)
def test_random_feasible_bounds(cov: pd.DataFrame, lows: list[float], spans: list[float],
                                objective: str) -> None:
    highs = [min(1.0, lo + s) for lo, s in zip(lows, spans)]
    if sum(lows) > 1 or sum(highs) < 1:
        with pytest.raises(SimulationError, match="infeasible bounds"):
            validate_bounds(LIBRA, dict(zip(LIBRA, zip(lows, highs))))
        return
    sol = solve_weights(cov, LIBRA, LIBRA, objective, dict(zip(LIBRA, zip(lows, highs))))
    w = sol.weights.to_numpy()
    assert abs(w.sum() - 1.0) < 1e-12
    assert (w >= np.array(lows) - 1e-7).all() and (w <= np.array(highs) + 1e-7).all()
    # a feasible point (the solver's own start) is never better than the optimum
    vols = model_volatility(sol.weights, cov, LIBRA, PPY)
    agg = vols.max() if objective == "worst" else vols.mean()
    assert sol.objective_value == pytest.approx(agg, rel=1e-12)


def test_model_volatility_matches_the_definition(panel: pd.DataFrame, cov: pd.DataFrame) -> None:
    w = pd.Series({"USD": 0.5, "EUR": 0.18, "JPY": 0.14, "GBP": 0.11, "SGD": 0.07})
    r = np.diff(np.log(panel.to_numpy()), axis=0)
    cols = list(panel.columns)
    mine = model_volatility(w, cov, ["CHF", "USD"], PPY)
    for k in ("CHF", "USD"):
        series = r[:, [cols.index(c) for c in w.index]] @ w.to_numpy() - r[:, cols.index(k)]
        assert mine[k] == pytest.approx(series.std(ddof=1) * math.sqrt(PPY), rel=1e-10)


# ----------------------------------------------------------------------------- consistency
def test_benchmark_equals_backtest(libra_result: OptimizationResult) -> None:
    res = libra_result
    ins = basket.backtest("libra-2019", res.window[0], res.window[1]).metrics["volatility"]
    out = basket.backtest("libra-2019", *res.evaluate).metrics["volatility"]  # type: ignore[misc]
    np.testing.assert_allclose(res.comparison["benchmark_in_sample"], ins, rtol=1e-12)
    np.testing.assert_allclose(res.comparison["benchmark_out_of_sample"], out, rtol=1e-12)


def test_benchmark_model_equals_a_geometric_index(libra_result: OptimizationResult) -> None:
    """Constant weights are exactly a geometric index: its realized volatility is the model's.

    Like with like: the benchmark's model uses the weights Libra actually holds on the window's
    first date (its fixed amounts have drifted from the 2019 targets), read here from a plain
    backtest of Libra.
    """
    res = libra_result
    held = basket.backtest("libra-2019", res.window[0], res.window[1]).weights.iloc[0]
    pd.testing.assert_series_equal(res.benchmark_weights, held[held > 0].rename("weight"),
                                   check_names=False, rtol=1e-15)
    assert abs(held["USD"] - 0.5) > 1e-5            # drifted: not the 2019 target weights
    spec = BasketSpec(name="libra-held", weights={str(c): float(w) for c, w in held.items()},
                      base_date=res.window[0].date(), method="geometric")
    geo = basket.backtest(spec, res.window[0], res.window[1]).metrics["volatility"]
    np.testing.assert_allclose(res.comparison["benchmark_model"], geo, rtol=1e-10)


def test_optimum_realised_two_ways(libra_result: OptimizationResult) -> None:
    res = libra_result
    fx = basket.load_fx(LIBRA, res.window[0], res.window[1])
    direct = fixed_amount_volatility(res.weights, fx, LIBRA, PPY)
    np.testing.assert_allclose(res.comparison["optimum_in_sample"], direct, rtol=1e-10)
    spec = res.to_spec("mine")
    assert spec.base_date == res.window[0].date()
    # the spec holds the optimum's own weights, the zero ones left out
    held = res.weights[res.weights > 0]
    assert list(spec.weights) == list(held.index)  # type: ignore[arg-type]
    np.testing.assert_allclose(list(spec.weights.values()), held.to_numpy(),  # type: ignore[union-attr]
                               rtol=1e-15)
    out = basket.backtest(spec, *res.evaluate,  # type: ignore[misc]
                          numeraires=LIBRA).metrics["volatility"]
    np.testing.assert_allclose(res.comparison["optimum_out_of_sample"], out, rtol=1e-12)


def test_result_views(libra_result: OptimizationResult) -> None:
    res = libra_result
    assert list(res.comparison.columns) == [
        "optimum_model", "benchmark_model", "optimum_in_sample", "benchmark_in_sample",
        "optimum_out_of_sample", "benchmark_out_of_sample",
    ]
    assert list(res.comparison.index) == LIBRA
    assert res.objective_value == pytest.approx(res.comparison["optimum_model"].max(), rel=1e-12)
    # the optimum beats the benchmark on its own objective, in sample
    assert res.comparison["optimum_model"].max() <= res.comparison["benchmark_model"].max()
    summ = res.summary()
    assert list(summ.index[-2:]) == ["mean", "worst"]
    wt = res.weights_table()
    # the weights Libra's fixed 2019 amounts held on the window's first day, by hand from the
    # ECB rates of 2019-06-18 and 2016-01-04: w_c(t) = units_c P_c(t) / sum units P(t)
    fx = basket.load_fx(LIBRA)
    units = pd.Series({"USD": 0.5, "EUR": 0.18, "JPY": 0.14, "GBP": 0.11, "SGD": 0.07}) / \
        fx.loc["2019-06-18"]
    held = units * fx.loc[res.window[0]]
    np.testing.assert_allclose(wt.loc[LIBRA, "benchmark"].to_numpy(),
                               (held / held.sum()).to_numpy(), rtol=1e-12)
    pd.testing.assert_series_equal(wt["optimum"], res.weights.rename("optimum"),
                                   check_names=False)
    data = json.loads(json.dumps(res.to_dict()))
    assert data["benchmark"] == "libra-2019" and set(data["comparison"]) == set(LIBRA)
    tidy = res.to_frame()
    assert set(tidy.quantity) == {"weight", "vol_model", "vol_in_sample", "vol_out_of_sample"}
    assert not tidy.value.isna().any()
    assert "Basket design" in res._repr_html_() and "OptimizationResult(" in repr(res)


def test_default_windows() -> None:
    res = run_optimize(currencies=["USD", "EUR", "JPY"], benchmark=None)
    idx = basket.load_fx(["USD", "EUR", "JPY"]).index
    last = idx[-1]
    e0 = idx[idx >= last - pd.DateOffset(years=1) + pd.Timedelta(days=1)][0]
    assert res.evaluate == (e0, last)
    est = idx[(idx >= e0 - pd.DateOffset(years=3)) & (idx < e0)]
    assert res.window == (est[0], est[-1])


def test_window_only_evaluates_the_following_year() -> None:
    res = run_optimize(currencies=["USD", "EUR"], window=("2018-01-01", "2018-12-31"),
                       benchmark=None)
    assert res.evaluate is not None
    assert res.evaluate[0] > res.window[1]
    assert res.evaluate[1] <= pd.Timestamp("2019-12-31")
    tail = run_optimize(currencies=["USD", "EUR"], window=("2024-01-01", None), benchmark=None)
    assert tail.evaluate is None and "optimum_out_of_sample" not in tail.comparison
    assert any("no out-of-sample" in n for n in tail.notes)


def test_amounts_benchmark_uses_value_shares() -> None:
    res = run_optimize(currencies=["USD", "EUR", "JPY", "GBP"], numeraires=["USD", "EUR"],
                       benchmark="sdr", window=("2017-01-01", "2018-12-31"))
    bw = res.benchmark_weights
    assert bw is not None and bw.sum() == pytest.approx(1.0, rel=1e-12)
    assert "CNY" in bw.index  # held by the SDR since 2016-10-01
    assert not res.comparison.isna().any().any()


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"objective": "minimax"}, SpecError, "unknown objective 'minimax'"),
        ({"objective": "single"}, SpecError, "'single' needs exactly one numeraire, got 5"),
        ({"bounds": {"CHF": (0.1, 0.2)}}, SpecError, "bound for CHF, which is not an allowed"),
        ({"bounds": {"USD": (0.6, None), "EUR": (0.5, None)}}, SimulationError,
         r"minimum weights sum to 1\.1 > 1"),
        ({"bounds": {c: (None, 0.1) for c in LIBRA}}, SimulationError,
         r"maximum weights sum to 0\.5 < 1"),
        ({"bounds": {"USD": (0.6, 0.4)}}, SpecError, "lower 0.6 is above upper 0.4"),
        ({"bounds": {"USD": (-0.1, None)}}, SpecError, "negative but the basket is long-only"),
        ({"bounds": {"USD": ("a", None)}}, SpecError, "lower bound for USD is 'a', not a number"),
        ({"bounds": {"USD": 0.5}}, SpecError, "must be a pair"),
        ({"window": ("1990-01-01", "1995-12-31")}, SimulationError,
         "estimation window 1990-01-01 to 1995-12-31 is outside the data"),
        ({"window": ("2020-01-01", "2019-01-01")}, DataError, "start 2020-01-01 is after"),
        ({"window": ("2020-01-04", "2020-01-05")}, SimulationError, "needs at least three"),
        ({"window": "2019"}, DataError, "estimation window '2019' is not START:END"),
        ({"window": ("01/02/2019", None)}, DataError, "is not a date; write it as YYYY-MM-DD"),
        ({"window": WINDOW, "evaluate": ("2030-01-01", "2031-01-01")}, SimulationError,
         "evaluation window 2030-01-01 to 2031-01-01 is outside the data"),
        ({"benchmark": "no-such"}, SpecError, "unknown basket 'no-such'"),
        ({"currencies": ["USD", "USD"]}, DataError, "listed twice"),
    ],
)
def test_optimize_errors(kwargs: dict[str, Any], error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        run_optimize(**kwargs)


def test_core_errors(cov: pd.DataFrame, panel: pd.DataFrame) -> None:
    with pytest.raises(SpecError, match="unknown method 'newton'"):
        solve_weights(cov, LIBRA, LIBRA, method="newton")
    with pytest.raises(SpecError, match="unknown objective 'max'"):
        solve_weights(cov, LIBRA, LIBRA, "max")
    with pytest.raises(SpecError, match="no currency allowed"):
        solve_weights(cov, [], LIBRA)
    with pytest.raises(SpecError, match="no numeraire given"):
        solve_weights(cov, LIBRA, [])
    with pytest.raises(DataError, match="no row for numeraire CAD"):
        solve_weights(cov, LIBRA, ["CAD"])
    with pytest.raises(SpecError, match="periods_per_year is 0; it must be above 0"):
        solve_weights(cov, LIBRA, LIBRA, periods_per_year=0)
    with pytest.raises(DataError, match="at least three dates"):
        return_covariance(panel.iloc[:2])
    with pytest.raises(DataError, match="positive with no NaN"):
        return_covariance(panel.assign(EUR=np.nan))
    nan_cov = cov.copy()
    nan_cov.iloc[0, 0] = np.nan
    with pytest.raises(DataError, match="NaN or infinite"):
        solve_weights(nan_cov, LIBRA, LIBRA)
    idx = pd.date_range("2020-01-01", periods=3)
    doubling = pd.DataFrame({"USD": 1.0, "EUR": [1.0, 1.5, 2.0]}, index=idx)
    with pytest.raises(DataError, match="falls to zero or below"):
        fixed_amount_volatility({"USD": 2.0, "EUR": -1.0}, doubling, ["USD"])
    with pytest.raises(DataError, match="at least three dates"):
        fixed_amount_volatility({"USD": 1.0}, panel.iloc[:2], ["USD"])


def test_solver_failure_is_a_simulation_error(cov: pd.DataFrame,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.optimize

    class Failed:
        success, message, status, nit = False, "Iteration limit reached", 9, 1000
        x = np.full(6, 0.2)

    monkeypatch.setattr(scipy.optimize, "minimize", lambda *a, **k: Failed())
    with pytest.raises(SimulationError, match=r"did not converge .Iteration limit reached."):
        solve_weights(cov, LIBRA, LIBRA, "worst")
    with pytest.raises(SimulationError, match="did not converge"):
        solve_weights(cov, LIBRA, LIBRA, "mean", method="trust-constr")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("USD=0.5:1", {"USD": (0.5, 1.0)}), ("jpy=:0.2", {"JPY": (None, 0.2)}),
     ("GBP=0.1", {"GBP": (0.1, 0.1)}), ("USD=0.5:,EUR=:0.3", {"USD": (0.5, None),
                                                               "EUR": (None, 0.3)})],
)
def test_parse_bounds(text: str, expected: dict[str, Any]) -> None:
    assert parse_bounds([text]) == expected


@pytest.mark.parametrize(("text", "pattern"), [
    ("USD0.5", "write CODE=LO:HI"), ("USD=a:1", "'a' is not a number"),
    ("USD=0:1:2", "write CODE=LO:HI"), ("=0.5", "write CODE=LO:HI"),
])
def test_parse_bounds_errors(text: str, pattern: str) -> None:
    with pytest.raises(SpecError, match=pattern):
        parse_bounds([text])


def test_parse_range() -> None:
    assert parse_range(":2020-12-31") == (None, pd.Timestamp("2020-12-31"))
    assert parse_range("2019-01-01:2020-01-01") == (pd.Timestamp("2019-01-01"),
                                                    pd.Timestamp("2020-01-01"))
    assert parse_range(None) == (None, None)
    with pytest.raises(DataError, match="is not START:END"):
        parse_range("2020-01-01")


# ----------------------------------------------------------------------------- CLI
def _one_line_error(result: Any, pattern: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    err = result.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert pattern in err, err
    assert "Traceback" not in result.output


def test_cli_optimize_table() -> None:
    result = runner.invoke(app, ["optimize", "--bounds", "USD=0.5:1", "--window",
                                 "2015-01-01:2019-12-31"])
    assert result.exit_code == 0, result.output
    assert "optimum" in result.stdout and "benchmark" in result.stdout
    assert "50.00%" in result.stdout and "worst" in result.stdout


def test_cli_optimize_json_matches_the_api() -> None:
    args = ["optimize", "-n", "USD", "-n", "EUR", "--objective", "mean", "--currencies",
            "USD,EUR,JPY", "--window", "2017-01-01:2018-12-31", "--evaluate", "2019-01-01:",
            "--benchmark", "none", "-f", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    api = run_optimize(["USD", "EUR"], "mean", ["USD", "EUR", "JPY"],
                       window=("2017-01-01", "2018-12-31"), evaluate=("2019-01-01", None),
                       benchmark=None)
    assert json.loads(result.stdout) == json.loads(json.dumps(api.to_dict()))


def test_cli_optimize_csv_and_short() -> None:
    result = runner.invoke(app, ["optimize", "-n", "CHF", "--objective", "single",
                                 "--allow-short", "--window", "2015-01-01:2019-12-31",
                                 "-f", "csv"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(StringIO(result.stdout))
    assert list(frame.columns) == ["quantity", "basket", "code", "value"]
    weights = frame[(frame.quantity == "weight") & (frame.basket == "optimum")]["value"]
    assert (weights < 0).any() and weights.sum() == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize(
    ("args", "pattern", "code"),
    [
        (["--objective", "bogus"], "unknown objective 'bogus'", 1),
        (["--bounds", "USD=0.8:1", "--bounds", "JPY=0.5:1"], "infeasible bounds", 1),
        (["--bounds", "CHF=0.1:0.2"], "bound for CHF, which is not an allowed currency", 1),
        (["--bounds", "USD"], "write CODE=LO:HI", 1),
        (["--window", "1990-01-01:1991-01-01"], "outside the data", 1),
        (["--window", "2020"], "estimation window '2020' is not START:END", 1),
        (["--objective", "single"], "needs exactly one numeraire", 1),
        (["--format", "xml"], "'xml' is not one of table, json, csv", 2),
    ],
)
def test_cli_optimize_errors(args: list[str], pattern: str, code: int) -> None:
    _one_line_error(runner.invoke(app, ["optimize", *args]), pattern, code)


def test_cli_optimize_help() -> None:
    result = runner.invoke(app, ["optimize", "--help"])
    assert result.exit_code == 0 and "--bounds" in result.output
