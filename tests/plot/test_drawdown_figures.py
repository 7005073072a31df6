"""The underwater chart: the drawdown curve per numeraire and the deepest episodes numbered.

Reference: the drawdown is recomputed here by hand (value over its running maximum, minus 1)
with pandas' ``cummax``, independently of basket.valuation.periods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

import basket
import basket.plot as plotting
from basket.errors import DataError
from basket.plot import currency_color
from basket.spec import BasketSpec


@pytest.fixture(scope="module")
def res() -> basket.BacktestResult:
    dates = pd.bdate_range("2020-01-01", periods=250, name="date")
    rng = np.random.default_rng(5)
    panel = pd.DataFrame({"USD": 1.0,
                          "EUR": 1.1 * np.exp(np.cumsum(rng.normal(0, 0.006, len(dates)))),
                          "JPY": 0.009 * np.exp(np.cumsum(rng.normal(0, 0.007, len(dates))))},
                         index=dates)
    spec = BasketSpec.from_dict({"name": "trio", "title": "Trio basket", "base_date": "2020-01-01",
                                 "weights": {"USD": 0.5, "EUR": 0.3, "JPY": 0.2}})
    return basket.backtest(spec, panel=panel)


def test_underwater_chart_draws_each_drawdown(res) -> None:
    fig = plotting.underwater_chart(res, top=3)
    axes = [ax for ax in fig.axes if ax.axison]
    assert len(axes) == 3
    for ax, k in zip(axes, res.numeraires, strict=True):
        v = res.values[k]
        by_hand = (v / v.cummax() - 1).to_numpy()
        (line,) = [ln for ln in ax.get_lines() if ln.get_color() == currency_color(k)]
        np.testing.assert_allclose(line.get_ydata(), by_hand, rtol=0, atol=1e-15)
        numbers = [t.get_text() for t in ax.texts]
        assert numbers == ["1", "2", "3"][:len(numbers)] and len(numbers) <= 3
        deepest = ax.texts[0].xy[1]
        assert deepest == pytest.approx(by_hand.min(), abs=1e-15)
        assert ax.get_title() == f"held in {k} (deepest {by_hand.min():.1%})"
    assert fig.get_suptitle().startswith("Trio basket: drawdown from the running peak")


def test_underwater_chart_errors(res) -> None:
    with pytest.raises(DataError, match="numeraire CHF not in the result"):
        plotting.underwater_chart(res, "CHF")
    with pytest.raises(DataError, match="whole number of episodes"):
        plotting.underwater_chart(res, top=0)
