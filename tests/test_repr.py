"""What Jupyter shows for every result (``_repr_html_``): one number style per kind of figure, and
tables that scroll inside the notebook's column instead of widening it.

Reference values are the results' own figures, formatted here by hand (``f"{x:.2%}"``): the
view must print the number the result holds, as a percent when it is a fraction.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import basket
from basket._repr import cell, frame_html

PERCENT = re.compile(r"^-?\d{1,3}(,\d{3})*\.\d\d%$")
WRAPPER = "max-width:100%;overflow-x:auto"


class Tables(HTMLParser):
    """Every table: whether it sits in a scrolling div, and its rows of cell texts."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.tables: list[dict] = []
        self.cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        style = dict(attrs).get("style") or ""
        if tag == "table":
            wrapped = any(t == "div" and WRAPPER in s for t, s in self.stack)
            self.tables.append({"wrapped": wrapped, "rows": [], "caption": ""})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th", "caption"):
            self.cell = []
        self.stack.append((tag, style))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass
        if tag in ("td", "th") and self.cell is not None and self.tables[-1]["rows"]:
            self.tables[-1]["rows"][-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "caption" and self.cell is not None:
            self.tables[-1]["caption"] = "".join(self.cell).strip()
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def body(self, i: int) -> dict[str, list[str]]:
        """Table ``i`` as {row label: cells}, the header row under key ''."""
        rows = self.tables[i]["rows"]
        return {r[0] if n else "": r[1:] for n, r in enumerate(rows)}


def assert_fits(tables: Tables) -> None:
    assert tables.tables, "no table"
    assert all(t["wrapped"] for t in tables.tables), "a table outside its scrolling wrapper"


@pytest.fixture(scope="module")
def backtest() -> basket.BacktestResult:
    return basket.backtest("libra-2019", start="2018-01-02", end="2019-12-31")


def test_backtest_view_percents_and_width(backtest) -> None:
    tables = Tables(backtest._repr_html_())
    assert_fits(tables)
    head, alone = tables.body(0), tables.body(1)
    assert head[""] == ["volatility", "total_return", "max_drawdown", "worst_day", "var_95",
                        "es_95"]
    for k in backtest.numeraires:
        assert head[k][0] == f"{backtest.metrics.loc[k, 'volatility']:.2%}"
        assert all(PERCENT.match(c) for c in head[k] + alone[k]), (k, head[k], alone[k])
        assert alone[k][1] == f"{backtest.constituent_volatility.loc[k, 'EUR']:.2%}" or k == "EUR"


def test_simulation_view_ratios_and_percents() -> None:
    sim = basket.simulate("libra-2019", n_paths=300, horizon=21, seed=4)
    tables = Tables(sim._repr_html_())
    assert_fits(tables)
    value, risk, alone = tables.body(0), tables.body(1), tables.body(2)
    assert value[""] == ["p5", "p50", "p95", "mean"]
    for k in sim.numeraires:
        assert value[k][1] == f"{sim.terminal.loc[k, 'p50']:.4f}"  # a ratio, not a percent
        assert risk[k][0] == f"{sim.risk.loc[k, 'horizon_var_95']:.2%}"
        assert all(PERCENT.match(c) for c in risk[k] + alone[k]), (k, risk[k], alone[k])


def test_stress_view() -> None:
    st = basket.stress("libra-2019", episodes=["brexit-2016", "covid-dash-for-cash-2020"])
    tables = Tables(st._repr_html_())
    assert_fits(tables)
    change, drawdown = tables.body(0), tables.body(1)
    assert change["brexit-2016"][:2] == ["2016-06-23", "2016-08-04"]
    expected = st.pivot("change").loc["brexit-2016"]
    assert change["brexit-2016"][2:] == [f"{v:.2%}" for v in expected]
    assert all(PERCENT.match(c) for c in drawdown["covid-dash-for-cash-2020"])


def test_optimization_view() -> None:
    opt = basket.optimize(objective="worst", window=("2016-01-01", "2018-12-31"),
                          evaluate=("2019-01-01", "2019-12-31"))
    tables = Tables(opt._repr_html_())
    assert_fits(tables)
    weights, vol = tables.body(0), tables.body(1)
    assert weights["USD"][0] == f"{opt.weights['USD']:.2%}"
    assert all(PERCENT.match(c) for row in list(vol.values())[1:] for c in row)


def test_reserve_view_amounts_counts_dates_and_percents() -> None:
    rates = {"USD": 0.01875, "EUR": -0.005, "JPY": -0.001, "GBP": 0.0075, "SGD": 0.0188}
    res = basket.reserve("libra-2019", start="2019-09-01", end="2020-08-31", rates=rates,
                         coins=1e9, scenario="run:0.3:10d@2020-03-09", cost_bps=1,
                         buffer="0.5%", episodes=True)
    tables = Tables(res._repr_html_())
    assert_fits(tables)
    s = res.summary()
    rows = {r[0]: r[1] for r in tables.tables[0]["rows"]}
    assert rows["first date"] == "2019-09-02" and rows["valuation dates"] == f"{s['dates']}"
    assert rows["coins at the start"] == "1,000,000,000"
    assert rows["lowest coverage with the buffer"] == f"{s['min_coverage_with_buffer']:.2%}"
    assert rows["reserve at the end, USD"] == f"{round(s['reserve_usd_end']):,}"
    assert rows["interest income from EUR, USD"] == f"{round(s['income_EUR_usd']):,}"
    assert not any("e+" in v for v in rows.values())  # no 3e+08
    episodes = tables.body(1)
    first = res.episodes.iloc[0]
    assert episodes[res.episodes.index[0]][episodes[""].index("coin's USD change")] == (
        f"{first['basket_usd_change']:.2%}")
    assert "Libra reserve basket (2019)" in res._repr_html_()


def test_reserve_summary_values_are_typed() -> None:
    idx = pd.bdate_range("2020-03-02", periods=10, name="date")
    fx = pd.DataFrame({"USD": 1.0, "EUR": np.linspace(1.1, 1.12, 10)}, index=idx)
    res = basket.simulate_reserve(fx, {"USD": 0.5, "EUR": 0.45}, {"USD": 0.01, "EUR": -0.005},
                                  scenario="run:0.2:3d@2020-03-05")
    s = res.summary()
    assert isinstance(s, pd.Series) and s.index.name == "figure"
    dates = {"start", "end", "min_coverage_date", "min_coverage_with_buffer_date"}
    counts = {"dates", "days_below_full_backing", "days_below_full_backing_with_buffer"}
    for key, value in s.items():
        assert not isinstance(value, str), key
        if key in dates:
            assert type(value) is pd.Timestamp, key
        elif key in counts:
            assert type(value) is int, key
        else:
            assert type(value) is float, key
    assert s["dates"] == 10 and s["start"] == idx[0]
    assert s["coins_end"] == pytest.approx(1e9 * 0.8, rel=1e-12)  # 20% redeemed, by hand


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [(0.0347, "pct", "3.47%"), (-4e-18, "pct", "0.00%"), (-0.12345, "pct", "-12.35%"),
     (0.961234, "ratio", "0.9612"), (3e8, "usd", "300,000,000"), (-0.4, "usd", "0"),
     (12, "count", "12"), (None, "pct", "–"), (float("nan"), "usd", "–"),
     (pd.NaT, "date", "–"), ("<b>", "text", "&lt;b&gt;")],
)
def test_cell_styles(value, kind, text: str) -> None:
    assert cell(value, kind) == text


def test_frame_html_escapes_and_wraps() -> None:
    frame = pd.DataFrame({"<x>": [0.5]}, index=pd.Index(["a&b"], name="row"))
    text = frame_html(frame, {"<x>": "pct"}, caption="c<1>")
    assert "&lt;x&gt;" in text and "a&amp;b" in text and "c&lt;1&gt;" in text
    assert text.startswith(f'<div style="{WRAPPER}')
