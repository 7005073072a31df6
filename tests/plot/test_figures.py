"""Charts (basket.plot): shapes, numbers drawn, colours, saving, CLI --plot, errors.

Numbers drawn are checked against references computed here from the hand-made FX panel (the
ratio of two rates, a pandas rolling standard deviation), not from the plotting code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import basket  # noqa: E402
import basket.plot as plotting  # noqa: E402
from basket.cli import app  # noqa: E402
from basket.errors import BasketError, DataError, OutputError  # noqa: E402
from basket.plot import (  # noqa: E402
    BASKET_COLOR,
    CURRENCY_COLORS,
    PlotDependencyError,
    currency_color,
)
from basket.spec import BasketSpec  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
N_DATES = 300


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """Three currencies, 300 business days of bounded log random walks (USD per unit)."""
    dates = pd.bdate_range("2020-01-01", periods=N_DATES, name="date")
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "USD": 1.0,
            "EUR": 1.1 * np.exp(np.cumsum(rng.normal(0, 0.005, N_DATES))),
            "JPY": 0.009 * np.exp(np.cumsum(rng.normal(0, 0.006, N_DATES))),
        },
        index=dates,
    )


@pytest.fixture(scope="module")
def spec() -> BasketSpec:
    return BasketSpec.from_dict(
        {"name": "trio", "title": "Trio basket", "weights": {"USD": 0.5, "EUR": 0.3, "JPY": 0.2},
         "base_date": "2020-01-01"}
    )


@pytest.fixture(scope="module")
def res(spec: BasketSpec, panel: pd.DataFrame) -> basket.BacktestResult:
    return basket.backtest(spec, panel=panel)


@pytest.fixture(scope="module")
def res_monthly(spec: BasketSpec, panel: pd.DataFrame) -> basket.BacktestResult:
    return basket.backtest(spec, panel=panel, rebalance="monthly")


def fan_result(ks: tuple[str, ...] = ("USD", "EUR", "JPY"), dates: bool = True):
    """A stand-in for SimulationResult: ``fan`` maps numeraire -> percentile bands."""
    n = 20
    index = pd.bdate_range("2021-03-01", periods=n) if dates else pd.RangeIndex(1, n + 1)
    t = np.arange(1, n + 1) / 252
    fan = {}
    for i, k in enumerate(ks):
        s = 0.05 * (i + 1) * np.sqrt(t)
        fan[k] = pd.DataFrame(
            {"p5": 1 - 1.64 * s, "p25": 1 - 0.67 * s, "p50": np.ones(n), "p75": 1 + 0.67 * s,
             "p95": 1 + 1.64 * s},
            index=index,
        )
    return types.SimpleNamespace(fan=fan, terminal=None, n_paths=500, horizon=n,
                                 spec=types.SimpleNamespace(name="trio", title="Trio basket"))


def stress_result():
    """A stand-in for StressResult: a tidy table (episode, numeraire, holding, change, mdd)."""
    rows = []
    for e, base in (("GFC 2008", -0.04), ("COVID 2020", 0.02)):
        for j, k in enumerate(("USD", "EUR")):
            for h, extra in (("basket", 0.0), ("USD", 0.01), ("EUR", -0.02), ("JPY", 0.03)):
                change = 0.0 if h == k else base + extra + 0.001 * j
                rows.append({"episode": e, "numeraire": k, "holding": h, "change": change,
                             "max_drawdown": -abs(change) - 0.01})
    return types.SimpleNamespace(table=pd.DataFrame(rows))


def visible_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.axison]


def line_by_color(ax, color: str):
    found = [ln for ln in ax.get_lines() if to_hex(ln.get_color()) == to_hex(color)]
    assert len(found) == 1, [to_hex(ln.get_color()) for ln in ax.get_lines()]
    return found[0]


# --------------------------------------------------------------------------- module basics
def test_basket_plot_is_the_plotting_module() -> None:
    assert basket.plot is plotting
    assert "plot" in basket.__all__


def test_importing_plot_module_does_not_import_matplotlib_or_pyplot() -> None:
    code = (
        "import sys, basket\nfrom basket import plot as p\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at module level'\n"
        "fig = p.fan_chart(__import__('types').SimpleNamespace(fan={'USD': __import__('pandas')"
        ".DataFrame({'p5': [1.0, 0.9], 'p50': [1.0, 1.0], 'p95': [1.0, 1.1]})}))\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot state used'\n"
        "print(p.currency_color('XQZ'))\n"
    )
    outs = set()
    for seed in ("1", "2"):  # a colour must not depend on Python's salted str hash
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("MPLBACKEND", None)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, check=False, timeout=120)
        assert done.returncode == 0, done.stderr
        outs.add(done.stdout.strip())
    assert len(outs) == 1


def test_currency_color_known_and_fallback() -> None:
    assert currency_color("usd") == CURRENCY_COLORS["USD"] == currency_color(" USD ")
    libra = ["USD", "EUR", "JPY", "GBP", "SGD"]
    assert len({currency_color(c) for c in libra}) == 5, "Libra's currencies need 5 colours"
    assert BASKET_COLOR not in {currency_color(c) for c in libra}
    other = currency_color("XQZ")
    assert other == currency_color("xqz")
    assert to_hex(other) == other  # a valid colour
    with pytest.raises(TypeError):
        CURRENCY_COLORS["USD"] = "#000000"  # type: ignore[index]


def test_missing_matplotlib_names_the_extra(res, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(PlotDependencyError, match=r"pip install 'libra-basket\[plot\]'") as info:
        plotting.value_chart(res)
    assert isinstance(info.value, ImportError) and isinstance(info.value, BasketError)


# --------------------------------------------------------------------------- value chart
def test_value_chart_panels_lines_and_numbers(res, panel: pd.DataFrame) -> None:
    fig = plotting.value_chart(res)
    assert isinstance(fig, Figure)
    axes = visible_axes(fig)
    assert len(axes) == len(fig.axes) == 3  # one panel per numeraire, in one row
    assert [ax.get_title() for ax in axes] == [
        f"held in {k} (basket volatility {res.metrics.loc[k, 'volatility']:.1%})"
        for k in ("USD", "EUR", "JPY")
    ]
    title = fig.get_suptitle()
    assert "Trio basket" in title and "2020-01-01 to 2021-02-23" in title
    for ax, k in zip(axes, ["USD", "EUR", "JPY"], strict=True):
        # reference line at 1, two constituents held alone, the basket
        assert len(ax.get_lines()) == 4
        basket_line = line_by_color(ax, BASKET_COLOR)
        v = res.values[k].to_numpy()
        np.testing.assert_allclose(basket_line.get_ydata(), v / v[0], rtol=1e-12)
        for c in ("USD", "EUR", "JPY"):
            if c == k:
                continue
            # reference: the ratio of the two rates from the panel, indexed to 1
            ratio = (panel[c] / panel[k]).to_numpy()
            drawn = line_by_color(ax, currency_color(c)).get_ydata()
            np.testing.assert_allclose(drawn, ratio / ratio[0], rtol=1e-10)
        assert type(ax.xaxis.get_major_formatter()).__name__ == "ConciseDateFormatter"
    (legend,) = fig.legends  # below the row of panels, constituents in the basket's order
    assert [t.get_text() for t in legend.get_texts()] == [
        "basket", "USD held alone", "EUR held alone", "JPY held alone"]


def test_value_chart_legend_fills_the_spare_panel() -> None:
    res = basket.backtest("libra-2019", start="2019-01-02", end="2019-12-31")
    fig = plotting.value_chart(res)
    assert len(fig.axes) == 6 and len(visible_axes(fig)) == 5 and not fig.legends
    texts = [t.get_text() for t in fig.axes[5].get_legend().get_texts()]
    assert texts[0] == "basket" and len(texts) == 6


def test_value_chart_single_panel(res) -> None:
    fig = plotting.value_chart(res, ["EUR", "jpy"], constituents=False)
    (ax,) = fig.axes
    labels = [ln.get_label() for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert labels == ["in EUR", "in JPY"]
    for k in ("EUR", "JPY"):
        line = line_by_color(ax, currency_color(k))
        assert line.get_ydata()[0] == pytest.approx(1.0)


def test_value_chart_constituent_entering_later_starts_on_the_basket() -> None:
    res = basket.backtest("sdr", start="2016-09-01", end="2016-11-30")
    fig = plotting.value_chart(res, "USD")
    ax = visible_axes(fig)[0]
    cny = line_by_color(ax, currency_color("CNY")).get_ydata()
    v = res.values["USD"].to_numpy()
    first = int(np.argmax(np.isfinite(cny)))
    assert first > 0 and np.isnan(cny[:first]).all()
    assert res.values.index[first] == pd.Timestamp("2016-10-03")
    assert cny[first] == pytest.approx(v[first] / v[0], rel=1e-12)


def test_unknown_numeraire_is_an_error(res) -> None:
    with pytest.raises(DataError, match=r"numeraire GBP not in the result; choose from USD"):
        plotting.value_chart(res, ["GBP"])
    with pytest.raises(DataError, match="no numeraire chosen"):
        plotting.risk_contribution_bars(res, [])


# --------------------------------------------------------------------------- rolling volatility
def test_rolling_volatility_matches_pandas(res) -> None:
    fig = plotting.rolling_volatility_chart(res, window=60)
    (ax,) = fig.axes
    assert len(ax.get_lines()) == 3
    for k in res.numeraires:
        line = line_by_color(ax, currency_color(k))
        # reference: pandas rolling standard deviation of log returns
        ref = np.log(res.values[k]).diff().rolling(60).std() * np.sqrt(252)
        ref = ref.dropna().to_numpy()
        drawn = np.asarray(line.get_ydata(), dtype=float)
        drawn = drawn[np.isfinite(drawn)]
        np.testing.assert_allclose(drawn, ref, rtol=1e-9)
        assert f"in {k} (whole period" in line.get_label()
    assert ax.get_ylim()[0] == 0


def test_rolling_volatility_constituents_panels(res) -> None:
    fig = plotting.rolling_volatility_chart(res, window=60, constituents=True)
    axes = visible_axes(fig)
    assert len(axes) == 3
    for ax in axes:
        assert len(ax.get_lines()) == 3  # basket + two constituents held alone
        line_by_color(ax, BASKET_COLOR)
    top = max(np.nanmax(ln.get_ydata()) for ax in axes for ln in ax.get_lines())
    assert axes[0].get_ylim()[1] >= top  # shared y axis shows every line


@pytest.mark.parametrize(
    ("window", "pattern"),
    [(1, "at least 2"), (2.5, "whole number"), (N_DATES, "needs more than 300 dates")],
)
def test_rolling_volatility_bad_window(res, window, pattern: str) -> None:
    with pytest.raises(DataError, match=pattern):
        plotting.rolling_volatility_chart(res, window=window)


# --------------------------------------------------------------------------- weights
def test_weights_chart_lines_targets_and_resets(res_monthly) -> None:
    fig = plotting.weights_chart(res_monthly)
    (ax,) = fig.axes
    for c in ("USD", "EUR", "JPY"):
        lines = [ln for ln in ax.get_lines() if to_hex(ln.get_color()) == currency_color(c)]
        assert len(lines) == 2  # realised weight and the dashed target
        realised = next(ln for ln in lines if ln.get_label() == c)
        np.testing.assert_allclose(realised.get_ydata(), res_monthly.weights[c].to_numpy())
        target = next(ln for ln in lines if ln.get_label() != c)
        assert set(np.asarray(target.get_ydata(), dtype=float)) == {
            dict(res_monthly.spec.weights)[c]
        }
    n = len(res_monthly.rebalance_dates)
    assert n == 14
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"rebalancing ({n} dates)" in labels
    assert "base date 2020-01-01" in labels
    resets = [ln for ln in ax.get_lines() if to_hex(ln.get_color()) == "#777777"]
    assert len(resets) == n


def test_weights_chart_many_resets_drawn_as_rug() -> None:
    res = basket.backtest("libra-2019", start="2010-01-04", end="2019-12-31",
                          rebalance="monthly")
    fig = plotting.weights_chart(res)
    (ax,) = fig.axes
    assert len(ax.collections) == 1  # one scatter rug, not 100+ vertical lines
    assert len(ax.collections[0].get_offsets()) == len(res.rebalance_dates) > 24


def test_weights_chart_amounts_basket_hides_unheld_currency() -> None:
    res = basket.backtest("sdr", start="2016-09-01", end="2016-11-30")
    (ax,) = plotting.weights_chart(res).axes
    cny = np.asarray(line_by_color(ax, currency_color("CNY")).get_ydata(), dtype=float)
    assert np.isnan(cny[: res.values.index.get_loc(pd.Timestamp("2016-10-03"))]).all()
    assert "new amounts (1 dates)" in [t.get_text() for t in ax.get_legend().get_texts()]


# --------------------------------------------------------------------------- contributions
def test_risk_contribution_bars_stack_to_volatility(res) -> None:
    fig = plotting.risk_contribution_bars(res)
    (ax,) = fig.axes
    assert len(ax.patches) == 9  # 3 numeraires x 3 constituents
    by_color: dict[str, list] = {}
    for p in ax.patches:
        by_color.setdefault(to_hex(p.get_facecolor()), []).append(p)
    assert set(by_color) == {currency_color(c) for c in ("USD", "EUR", "JPY")}
    for i, k in enumerate(res.numeraires):
        heights = [p.get_height() for p in ax.patches
                   if abs(p.get_x() + p.get_width() / 2 - i) < 1e-9]
        assert sum(heights) == pytest.approx(res.metrics.loc[k, "volatility"], rel=1e-9)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["in USD", "in EUR", "in JPY"]
    (diamonds,) = ax.collections
    np.testing.assert_allclose(diamonds.get_offsets()[:, 1], res.metrics["volatility"])


# --------------------------------------------------------------------------- fan and stress
@pytest.mark.parametrize("dates", [True, False])
def test_fan_chart_bands_and_median(dates: bool) -> None:
    sim = fan_result(dates=dates)
    fig = plotting.fan_chart(sim)
    axes = visible_axes(fig)
    assert len(axes) == 3
    for ax, k in zip(axes, ("USD", "EUR", "JPY"), strict=True):
        assert len(ax.collections) == 2  # p5-p95 and p25-p75
        assert {to_hex(c.get_facecolor()[0][:3]) for c in ax.collections} == {currency_color(k)}
        median = line_by_color(ax, currency_color(k))
        np.testing.assert_allclose(median.get_ydata(), sim.fan[k]["p50"].to_numpy())
        assert ax.get_legend() is None  # one legend for the figure
        assert ax.get_title() == f"held in {k}"
    (legend,) = fig.legends  # three panels fill the row: the legend goes below
    assert [t.get_text() for t in legend.get_texts()] == ["p5–p95", "p25–p75", "median"]
    assert "Trio basket" in fig.get_suptitle() and "500 paths" in fig.get_suptitle()
    assert axes[0].get_ylabel() == "value (start = 1)"


def test_fan_chart_title_legend_in_the_spare_panel_and_thinned_bands() -> None:
    """Five fans: the legend fills the sixth panel; a long fan is drawn through at most
    MAX_FAN_POINTS dates, the start and the horizon included, each a computed percentile."""
    sim = fan_result(("USD", "EUR", "JPY", "GBP", "SGD"))
    n = 253
    index = pd.bdate_range("2026-10-30", periods=n)
    sim.fan = {k: pd.DataFrame({"p5": np.linspace(1, 0.9, n), "p50": np.linspace(1, 1.01, n),
                                "p95": np.linspace(1, 1.1, n)}, index=index) for k in sim.fan}
    sim.method, sim.start, sim.n_paths, sim.fan_paths = "bootstrap", index[0], 20_000, 10_000
    fig = plotting.fan_chart(sim)
    assert len(fig.axes) == 6 and not fig.axes[5].axison
    spare_legend = fig.axes[5].get_legend()
    assert [t.get_text() for t in spare_legend.get_texts()] == ["p5–p95", "median"]
    title = " ".join(fig.get_suptitle().split())
    assert "block bootstrap from 2026-10-30" in title and "bands from the first 10,000" in title
    median = line_by_color(fig.axes[0], currency_color("USD"))
    x = median.get_xdata()
    assert len(x) <= plotting.outlook.MAX_FAN_POINTS
    assert pd.Timestamp(x[0]) == index[0] and pd.Timestamp(x[-1]) == index[-1]
    drawn = pd.Series(median.get_ydata(), index=pd.DatetimeIndex(x))
    np.testing.assert_allclose(drawn, sim.fan["USD"]["p50"].loc[drawn.index], rtol=0, atol=0)


@pytest.mark.parametrize(
    ("sim", "pattern"),
    [
        (types.SimpleNamespace(), "non-empty 'fan' mapping"),
        (types.SimpleNamespace(fan={}), "non-empty 'fan' mapping"),
        (types.SimpleNamespace(fan={"USD": pd.DataFrame()}), "the fan for USD is empty"),
        (types.SimpleNamespace(fan={"USD": pd.DataFrame({"low": [1.0]})}),
         "fan column 'low' is not a percentile"),
    ],
)
def test_fan_chart_errors(sim, pattern: str) -> None:
    with pytest.raises(DataError, match=pattern):
        plotting.fan_chart(sim)


def test_stress_bars_groups_and_values() -> None:
    st = stress_result()
    fig = plotting.stress_bars(st)
    axes = visible_axes(fig)
    assert len(axes) == 2
    fig.canvas.draw()
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["GFC 2008", "COVID 2020"]
    assert axes[0].yaxis_inverted()  # the first episode on top
    for ax, k in zip(axes, ("USD", "EUR"), strict=True):
        assert len(ax.patches) == 2 * 4  # 2 episodes x 4 holdings
        sub = st.table[st.table["numeraire"] == k]
        for h in ("basket", "USD", "EUR", "JPY"):
            color = BASKET_COLOR if h == "basket" else currency_color(h)
            widths = [p.get_width() for p in ax.patches if to_hex(p.get_facecolor()) == color]
            expected = sub[sub["holding"] == h]["change"].to_list()
            assert widths == pytest.approx(expected)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["basket", "USD", "EUR", "JPY"]
    fig = plotting.stress_bars(st, value="max_drawdown", numeraires="EUR")
    (ax,) = visible_axes(fig)
    assert all(p.get_width() < 0 for p in ax.patches)


@pytest.mark.parametrize(
    ("result", "kwargs", "pattern"),
    [
        (types.SimpleNamespace(), {}, "needs a result with a 'table'"),
        (types.SimpleNamespace(table=pd.DataFrame({"episode": []})), {}, "lacks column"),
        (stress_result(), {"value": "drawdown"}, "value 'drawdown' is unknown"),
        (types.SimpleNamespace(table=stress_result().table.iloc[:0]), {}, "table is empty"),
        (stress_result(), {"numeraires": ["JPY"]}, "numeraire JPY not in the result"),
    ],
)
def test_stress_bars_errors(result, kwargs, pattern: str) -> None:
    with pytest.raises(DataError, match=pattern):
        plotting.stress_bars(result, **kwargs)


# --------------------------------------------------------------------------- consistency
def test_same_currency_same_colour_in_every_figure(res) -> None:
    seen: dict[str, set[str]] = {}

    def note(label: str, color) -> None:
        code = label.replace("in ", "").split(" ")[0]
        if code in ("USD", "EUR", "JPY"):
            seen.setdefault(code, set()).add(to_hex(color))

    for fig in (plotting.value_chart(res, constituents=False),
                plotting.rolling_volatility_chart(res, window=60),
                plotting.weights_chart(res), plotting.backtest_figure(res, window=60)):
        for ax in fig.axes:
            for ln in ax.get_lines():
                note(ln.get_label(), ln.get_color())
    for p in plotting.risk_contribution_bars(res).axes[0].patches:
        note(p.get_label(), p.get_facecolor())
    for ax in plotting.stress_bars(stress_result()).axes:
        for p in ax.patches:
            for code in ("USD", "EUR", "JPY"):
                if to_hex(p.get_facecolor()) == currency_color(code):
                    note(code, p.get_facecolor())
    assert {k: len(v) for k, v in seen.items()} == {"USD": 1, "EUR": 1, "JPY": 1}
    assert all(v == {currency_color(k)} for k, v in seen.items())


# --------------------------------------------------------------------------- summary figure
def test_backtest_figure_four_panels(res) -> None:
    fig = plotting.backtest_figure(res, window=60)
    assert len(fig.axes) == 4
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "Basket value by holder currency"
    assert titles[1] == "Rolling 60-day volatility of the basket"
    assert titles[2].startswith("Realized weights")
    assert titles[3] == "Risk contributions by constituent"
    assert fig.get_suptitle() == "Trio basket · 2020-01-01 to 2021-02-23 · fixed amounts · source panel"
    w, h = fig.get_size_inches()
    assert w / h == pytest.approx(15 / 9)


def test_backtest_figure_drops_rolling_panel_when_too_short(res) -> None:
    fig = plotting.backtest_figure(res, window=N_DATES)  # 300 dates: no 300-return window
    assert len(fig.axes) == 3
    assert "Rolling" not in " ".join(ax.get_title() for ax in fig.axes)


# --------------------------------------------------------------------------- saving and CLI
@pytest.mark.parametrize(("suffix", "magic"), [(".png", PNG_MAGIC), (".svg", b"<?xml"),
                                               (".pdf", b"%PDF")])
def test_save_backtest_figure_formats(res, tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = plotting.save_backtest_figure(res, tmp_path / f"chart{suffix}", dpi=40)
    assert out == tmp_path / f"chart{suffix}"
    assert out.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [f"chart{suffix}"]  # no temp file left


def test_save_simulation_figure(tmp_path: Path) -> None:
    out = plotting.save_simulation_figure(fan_result(), tmp_path / "fan.png", dpi=40)
    assert out.read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize(
    ("name", "pattern"),
    [("missing/chart.png", r"folder .*missing does not exist"),
     ("chart.jpg", r"use a \.png, \.svg or \.pdf file name")],
)
def test_save_errors(res, tmp_path: Path, name: str, pattern: str) -> None:
    with pytest.raises(OutputError, match=pattern):
        plotting.save_backtest_figure(res, tmp_path / name)
    with pytest.raises(OutputError, match=pattern):
        plotting.save_simulation_figure(fan_result(), tmp_path / name)
    with pytest.raises(OutputError, match=pattern):
        plotting.save_figure(plotting.weights_chart(res), tmp_path / name)


runner = CliRunner()


def test_cli_backtest_plot_writes_png(tmp_path: Path) -> None:
    out = tmp_path / "libra.png"
    result = runner.invoke(app, ["backtest", "--start", "2018-01-02", "--end", "2019-12-31",
                                 "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote chart to {out}" in result.output
    data = out.read_bytes()
    assert data[:8] == PNG_MAGIC
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (2250, 1350)  # 15 x 9 inches at 150 dpi: slide-sized


def test_cli_backtest_plot_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "libra.png"
    result = runner.invoke(app, ["backtest", "--start", "2019-01-02", "--end", "2019-03-29",
                                 "--plot", str(out)])
    assert result.exit_code == 1
    err = result.stderr.strip()
    assert err.startswith("error: cannot write") and "does not exist" in err
    assert "\n" not in err and not out.parent.exists()
