"""Every figure lies inside its canvas, and percent ticks show the decimals they need.

Constrained layout keeps titles and legends inside a figure vertically but lets them run off
its sides; a single panel used to lose the ends of its title and legend (issue 11). Each figure
function is drawn here for several panel counts, on an Agg canvas, and the tight bounding box
of everything drawn must lie within the figure's own box.
"""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import basket
import basket.plot as plotting
from basket.plot._base import _percent_axis, tick_decimals
from basket.spec import BasketSpec
from basket.treasury.model import simulate_reserve

CODES = ("USD", "EUR", "JPY", "GBP", "SGD", "CHF")
LONG_TITLE = "A deliberately long basket title that cannot fit on one narrow figure (2019 draft)"


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """Six currencies, 400 business days of seeded log random walks (USD per unit)."""
    rng = np.random.default_rng(11)
    dates = pd.bdate_range("2019-01-01", periods=400, name="date")
    steps = rng.normal(0.0, 0.005, (len(dates), len(CODES) - 1))
    prices = np.exp(np.cumsum(steps, axis=0)) * [1.1, 0.009, 1.3, 0.74, 1.02]
    return pd.DataFrame(np.column_stack([np.ones(len(dates)), prices]), index=dates,
                        columns=list(CODES))


@pytest.fixture(scope="module")
def res(panel: pd.DataFrame) -> basket.BacktestResult:
    spec = BasketSpec.from_dict({
        "name": "six", "title": LONG_TITLE, "base_date": "2019-01-01",
        "weights": {"USD": 0.4, "EUR": 0.2, "JPY": 0.15, "GBP": 0.1, "SGD": 0.1, "CHF": 0.05},
    })
    return basket.backtest(spec, panel=panel, rebalance="quarterly")


@pytest.fixture(scope="module")
def sim(res: basket.BacktestResult, panel: pd.DataFrame):
    return basket.simulate(res.spec, panel=panel, n_paths=300, horizon=60, seed=1)


@pytest.fixture(scope="module")
def stressed(panel: pd.DataFrame):
    rows = []
    for e in ("first episode, a long name", "second"):
        for k in CODES:
            for h in ("basket", *CODES):
                rows.append({"episode": e, "numeraire": k, "holding": h, "change": -0.03,
                             "max_drawdown": -0.05})
    return types.SimpleNamespace(table=pd.DataFrame(rows), title=LONG_TITLE)


@pytest.fixture(scope="module")
def reserve(panel: pd.DataFrame, res: basket.BacktestResult):
    units = res.units.iloc[0]
    rates = {"USD": 0.02, "EUR": -0.005, "JPY": -0.001, "GBP": 0.0075, "SGD": 0.018,
             "CHF": -0.0075}
    out = simulate_reserve(panel, units, rates, scenario=["run:0.3:10d@2019-06-03",
                                                          "growth:0.1"], cost_bps=2)
    return out


def optimization_result():
    """A stand-in for OptimizationResult with every column the figure reads."""
    ks = list(CODES)
    w = pd.Series([0.3, 0.0, 0.4, 0.2, 0.1, 0.0], index=pd.Index(ks, name="currency"))
    bench = pd.Series([0.5, 0.18, 0.14, 0.11, 0.07, 0.0], index=ks)
    comp = pd.DataFrame({f"{who}_{when}": np.linspace(0.02, 0.06, len(ks)) * (1 + j)
                         for j, (who, when) in enumerate(
                             [(a, b) for a in ("optimum", "benchmark")
                              for b in ("model", "in_sample", "out_of_sample")])}, index=ks)
    return types.SimpleNamespace(
        weights=w, objective="worst", numeraires=tuple(ks), comparison=comp,
        window=(pd.Timestamp("2016-01-04"), pd.Timestamp("2018-12-31")),
        evaluate=(pd.Timestamp("2019-01-02"), pd.Timestamp("2019-12-31")),
        benchmark="libra-2019", benchmark_weights=bench,
        weights_table=lambda: pd.DataFrame({"optimum": w, "benchmark": bench}),
    )


def assert_inside(fig: Figure) -> None:
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    tight = fig.get_tightbbox(renderer)  # inches, like fig.bbox_inches
    box = fig.bbox_inches
    tol = 1e-6
    assert tight.x0 >= box.x0 - tol and tight.y0 >= box.y0 - tol, (tight, box)
    assert tight.x1 <= box.x1 + tol and tight.y1 <= box.y1 + tol, (tight, box)
    assert isinstance(fig.canvas, FigureCanvasAgg)


FIGURES = {
    "value_chart": lambda r, ks: plotting.value_chart(r["res"], ks),
    "value_chart_single": lambda r, ks: plotting.value_chart(r["res"], ks, constituents=False),
    "rolling_volatility_chart": lambda r, ks: plotting.rolling_volatility_chart(
        r["res"], 60, ks),
    "rolling_volatility_chart_constituents": lambda r, ks: plotting.rolling_volatility_chart(
        r["res"], 60, ks, constituents=True),
    "risk_contribution_bars": lambda r, ks: plotting.risk_contribution_bars(r["res"], ks),
    "backtest_figure": lambda r, ks: plotting.backtest_figure(r["res"], ks, window=60),
    "fan_chart": lambda r, ks: plotting.fan_chart(r["sim"], ks),
    "stress_bars": lambda r, ks: plotting.stress_bars(r["stressed"], numeraires=ks),
    "underwater_chart": lambda r, ks: plotting.underwater_chart(r["res"], ks),
}


@pytest.mark.parametrize("n", [1, 2, 5])
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_lies_inside_its_canvas(name: str, n: int, res, sim, stressed) -> None:
    results = {"res": res, "sim": sim, "stressed": stressed}
    assert_inside(FIGURES[name](results, list(CODES[:n])))


@pytest.mark.parametrize("name", ["weights_chart", "reserve_figure", "optimization_figure"])
def test_single_layout_figures_lie_inside_their_canvas(name: str, res, reserve) -> None:
    fig = {"weights_chart": lambda: plotting.weights_chart(res),
           "reserve_figure": lambda: plotting.reserve_figure(reserve),
           "optimization_figure": lambda: plotting.optimization_figure(
               optimization_result())}[name]()
    assert_inside(fig)


def test_the_4_6_inch_cases_of_the_issue_on_ecb_data() -> None:
    """The four single-panel figures issue 11 found clipped, on the bundled data."""
    res = basket.backtest("libra-2019", start="2017-01-02", end="2019-12-31")
    sim = basket.simulate("libra-2019", n_paths=200, horizon=21, seed=3)
    st = basket.stress("libra-2019", episodes=["brexit-2016", "covid-dash-for-cash-2020"])
    for fig in (plotting.value_chart(res, "USD"),
                plotting.rolling_volatility_chart(res, numeraires="USD", constituents=True),
                plotting.fan_chart(sim, "USD"), plotting.stress_bars(st, numeraires="USD")):
        assert_inside(fig)
        assert fig._suptitle.get_fontweight() == "bold"
        assert "Libra reserve basket (2019)" in " ".join(fig.get_suptitle().split())
        assert "libra-2019" not in fig.get_suptitle()


# --------------------------------------------------------------------------- percent ticks
@pytest.mark.parametrize(
    ("values", "decimals"),
    [
        ([0.0, 0.025, 0.05, 0.075], 1),          # 2.5% apart: 0.0% 2.5% 5.0% 7.5%
        ([0.0, 0.05, 0.10, 0.15], 0),            # 5% apart
        ([1.0, 1.0025, 1.005, 1.0075], 2),       # 0.25% apart, near 100%
        ([-0.02, -0.01, 0.0, 0.01], 0),
        ([0.0, 0.001, 0.002], 1),
        ([0.1234567], 4),                        # capped at four decimals
        ([], 0),
        ([float("nan"), 0.05], 0),
    ],
)
def test_tick_decimals_by_hand(values: list[float], decimals: int) -> None:
    assert tick_decimals(values) == decimals


def test_percent_ticks_on_an_axis_show_the_spacing() -> None:
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0.0, 0.075])
    ax.set_yticks([0.0, 0.025, 0.05, 0.075])
    _percent_axis(ax)
    fig.canvas.draw()
    labels = [t.get_text().replace("\N{MINUS SIGN}", "-") for t in ax.get_yticklabels()]
    assert labels == ["0.0%", "2.5%", "5.0%", "7.5%"]
    ax.set_yticks([-0.05, 0.0, 0.05])
    fig.canvas.draw()
    labels = [t.get_text().replace("\N{MINUS SIGN}", "-") for t in ax.get_yticklabels()]
    assert labels == ["-5%", "0%", "5%"]  # and never "-0%"


def test_indices_and_spillover_figures_lie_inside_their_canvas() -> None:
    """The figures of the currency-index and spillover wings follow the same rule."""
    cmp = basket.compare_indices(start="2015-01-01", end="2019-12-31")
    assert_inside(plotting.indices_figure(cmp))
    spill = basket.spillover(start="2015-01-01", end="2019-12-31", lags=1)
    assert_inside(plotting.spillover_figure(spill))
    rolling = basket.spillover(start="2015-01-01", end="2019-12-31", lags=1, window=200)
    res = basket.backtest("libra-2019", start="2015-01-01", end="2019-12-31")
    assert_inside(plotting.spillover_figure(rolling, res))
