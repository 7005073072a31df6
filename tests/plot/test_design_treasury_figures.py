"""The optimiser's figure and the reserve figure: what they draw, titles, axes.

Reference values come from the result objects the figures are given (bar lengths are the
weights and volatilities of the table they read), and from hand-written labels.
"""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from matplotlib.colors import to_hex

import basket
import basket.plot as plotting
from basket.plot import BASKET_COLOR, currency_color
from basket.plot.treasury import scenario_text
from basket.treasury.model import simulate_reserve


def optimization_result(benchmark: bool = True, evaluate: bool = True):
    ks = ["USD", "EUR", "JPY"]
    w = pd.Series([0.6, 0.0, 0.4], index=pd.Index(ks, name="currency"))
    bench = pd.Series([0.5, 0.3, 0.2], index=ks)
    cols = {"optimum_model": [0.03, 0.04, 0.05], "optimum_in_sample": [0.031, 0.041, 0.051]}
    if evaluate:
        cols["optimum_out_of_sample"] = [0.032, 0.042, 0.052]
    if benchmark:
        cols["benchmark_model"] = [0.033, 0.043, 0.053]
        cols["benchmark_in_sample"] = [0.034, 0.044, 0.054]
        if evaluate:
            cols["benchmark_out_of_sample"] = [0.035, 0.045, 0.055]
    table = pd.DataFrame({"optimum": w, **({"benchmark": bench} if benchmark else {})})
    return types.SimpleNamespace(
        objective="worst", numeraires=tuple(ks), comparison=pd.DataFrame(cols, index=ks),
        window=(pd.Timestamp("2016-01-04"), pd.Timestamp("2018-12-31")),
        evaluate=(pd.Timestamp("2019-01-02"), pd.Timestamp("2019-12-31")) if evaluate else None,
        benchmark="libra-2019" if benchmark else None, weights_table=lambda: table,
    )


def test_optimization_figure_weights_and_volatilities() -> None:
    res = optimization_result()
    fig = plotting.optimization_figure(res)
    left, right = fig.axes
    # weights: one stacked bar per basket, a segment per currency in its colour
    for code in ("USD", "EUR", "JPY"):
        widths = sorted(p.get_width() for p in left.patches
                        if to_hex(p.get_facecolor()) == currency_color(code))
        expected = res.weights_table().loc[code].to_list()
        assert widths == pytest.approx(sorted(expected))
    ticks = dict(zip([t.get_text() for t in left.get_yticklabels()], left.get_yticks(),
                     strict=True))
    assert set(ticks) == {"optimum", "Libra reserve basket (2019)"}  # the benchmark's title
    assert ticks["optimum"] > ticks["Libra reserve basket (2019)"]  # the optimum on top
    # volatility: four bars per holder, in the order optimum in/out, benchmark in/out
    labels = [t.get_text() for t in fig.legends[1].get_texts()]
    assert labels == ["optimum, in sample", "optimum, out of sample",
                      "Libra reserve basket (2019), in sample",
                      "Libra reserve basket (2019), out of sample"]
    heights = [p.get_height() for p in right.patches]
    expected = np.column_stack([res.comparison[c] for c in (
        "optimum_in_sample", "optimum_out_of_sample", "benchmark_in_sample",
        "benchmark_out_of_sample")]).T.ravel()
    np.testing.assert_allclose(heights, expected)
    assert [t.get_text() for t in right.get_xticklabels()] == ["in USD", "in EUR", "in JPY"]
    solid = [p for p in right.patches if not p.get_hatch()]
    assert {to_hex(p.get_facecolor()) for p in solid} == {BASKET_COLOR, "#9a9a9a"}
    title = " ".join(fig.get_suptitle().split())
    assert "lowest worst-case volatility for holders in USD, EUR, JPY" in title
    assert "out of sample 2019-01-02 to 2019-12-31" in title


def test_optimization_figure_without_benchmark_or_evaluation() -> None:
    fig = plotting.optimization_figure(optimization_result(benchmark=False, evaluate=False))
    left, _right = fig.axes
    assert [t.get_text() for t in left.get_yticklabels()] == ["optimum"]
    assert [t.get_text() for t in fig.legends[1].get_texts()] == ["optimum, in sample"]


def test_optimization_figure_on_a_real_optimum() -> None:
    res = basket.optimize(objective="worst", window=("2016-01-01", "2018-12-31"),
                          evaluate=("2019-01-01", "2019-12-31"))
    fig = plotting.optimization_figure(res)
    right = fig.axes[1]
    assert len(right.patches) == 4 * len(res.numeraires)


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("run:0.3:10d@2020-03-09", "a run of 30% of the coins over 10 days from 2020-03-09"),
        ("run:30%:1d", "a run of 30% of the coins over 1 day"),
        ("growth:0.1", "coins growing 10% a year"),
        ("growth:-0.05", "coins shrinking 5% a year"),
        ("flows:flows.csv", "coin flows from flows.csv"),
        ("something else", "something else"),
    ],
)
def test_scenario_text(label: str, text: str) -> None:
    assert scenario_text(label) == text


def test_reserve_figure_title_dates_and_separate_axes() -> None:
    idx = pd.bdate_range("2020-03-02", periods=30, name="date")
    fx = pd.DataFrame({"USD": 1.0, "EUR": np.linspace(1.1, 1.12, 30)}, index=idx)
    res = simulate_reserve(fx, {"USD": 0.5, "EUR": 0.45}, {"USD": 0.01, "EUR": -0.005},
                           scenario="run:0.2:3d@2020-03-05", cost_bps=5)
    titled = type(res)(**{**res.__dict__, "title": "Two-currency coin"})
    fig = plotting.reserve_figure(titled)
    title = " ".join(fig.get_suptitle().split())
    assert title.startswith("Reserve of Two-currency coin, 2020-03-02 to 2020-04-10")
    assert "a run of 20% of the coins over 3 days from 2020-03-05" in title
    assert fig._suptitle.get_fontweight() == "bold"
    _cov, _buf, _inc, size, right = fig.axes
    assert size.get_ylabel() == "million coins" and right.get_ylabel() == "USD million"
    (coins,) = size.get_lines()
    (value,) = right.get_lines()
    np.testing.assert_allclose(coins.get_ydata(), res.path["coins"] / 1e6)
    np.testing.assert_allclose(value.get_ydata(), res.path["reserve_usd"] / 1e6)
    fig.canvas.draw()
    assert type(size.xaxis.get_major_formatter()).__name__ == "ConciseDateFormatter"
    # the untitled result falls back to its name
    assert plotting.reserve_figure(res).get_suptitle().startswith(f"Reserve of {res.name}")


def test_cli_optimize_plot_writes_every_file(tmp_path) -> None:
    from typer.testing import CliRunner

    from basket.cli import app

    png, svg = tmp_path / "opt.png", tmp_path / "opt.svg"
    args = ["optimize", "--window", "2016-01-01:2018-12-31", "--evaluate", "2019-01-01:2019-12-31"]
    done = CliRunner().invoke(app, [*args, "--plot", str(png), "--plot", str(svg)])
    assert done.exit_code == 0, done.output
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in svg.read_bytes()[:500]
    assert f"wrote chart to {png}" in done.output and f"wrote chart to {svg}" in done.output
    done = CliRunner().invoke(app, [*args, "--plot", str(tmp_path / "no" / "o.png")])
    assert done.exit_code == 1 and "folder" in done.output
