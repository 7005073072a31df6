"""basket.plot.spillover_figure: panels, the numbers drawn, shaded episodes, the canvas, errors.

The numbers drawn are compared with the result's own figures and with a pandas rolling
standard deviation of the basket's values recomputed here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")

import basket  # noqa: E402
from basket.errors import DataError  # noqa: E402
from basket.plot import save_spillover_figure, spillover_figure  # noqa: E402


@pytest.fixture(scope="module")
def rolling() -> basket.SpilloverResult:
    return basket.spillover(start="2019-06-01", end="2021-06-30", lags=1, window=150)


@pytest.fixture(scope="module")
def static() -> basket.SpilloverResult:
    return basket.spillover(start="2019-06-01", end="2021-06-30", lags=1)


@pytest.fixture(scope="module")
def libra() -> basket.BacktestResult:
    return basket.backtest("libra-2019", start="2019-06-01", end="2021-06-30", numeraires=["USD"])


def inside_canvas(fig) -> None:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    tight = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    box = fig.bbox
    assert tight.x0 >= box.x0 - 1 and tight.y0 >= box.y0 - 1, (tight, box)
    assert tight.x1 <= box.x1 + 1 and tight.y1 <= box.y1 + 1, (tight, box)


def test_rolling_panels_draw_the_result(rolling: basket.SpilloverResult) -> None:
    fig = spillover_figure(rolling)
    ax_total, ax_net = fig.axes
    total_line = ax_total.get_lines()[0]
    np.testing.assert_allclose(total_line.get_ydata(), rolling.rolling.to_numpy() / 100.0)
    assert ax_total.get_lines()[1].get_ydata()[0] == pytest.approx(rolling.total / 100.0)
    labels = [line.get_label() for line in ax_net.get_lines()]
    assert labels[:4] == ["EUR", "JPY", "GBP", "SGD"]
    jpy = ax_net.get_lines()[1]
    np.testing.assert_allclose(jpy.get_ydata(), rolling.rolling_net["JPY"].to_numpy() / 100.0)
    inside_canvas(fig)


def test_episodes_are_shaded(rolling: basket.SpilloverResult) -> None:
    fig = spillover_figure(rolling)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["covid-dash-for-cash-2020"]              # the only one in 2020-2021
    span = [p for p in fig.axes[0].patches if p.get_label() == "stress episodes"]
    assert len(span) == 1
    x0, x1 = span[0].get_x(), span[0].get_x() + span[0].get_width()   # a Rectangle
    as_num = matplotlib.dates.date2num
    assert (x0, x1) == (as_num(pd.Timestamp("2020-03-06")), as_num(pd.Timestamp("2020-03-23")))


def test_volatility_beside_the_index(rolling: basket.SpilloverResult,
                                     libra: basket.BacktestResult) -> None:
    fig = spillover_figure(rolling, libra)
    assert len(fig.axes) == 3
    vol_line = fig.axes[2].get_lines()[0]
    values = libra.values["USD"]
    expected = np.log(values).diff().rolling(150).std() * np.sqrt(252)
    expected = expected.loc[rolling.rolling.index[0]:rolling.rolling.index[-1]]
    np.testing.assert_allclose(vol_line.get_ydata(), expected.to_numpy(), rtol=1e-10)
    inside_canvas(fig)


def test_static_figure(static: basket.SpilloverResult) -> None:
    fig = spillover_figure(static)
    ax_net, ax_map = fig.axes[:2]
    widths = [bar.get_width() for bar in ax_net.patches]
    np.testing.assert_allclose(widths, static.net.to_numpy())
    np.testing.assert_allclose(ax_map.get_images()[0].get_array(), static.shares.to_numpy())
    assert len(ax_map.texts) == 16
    inside_canvas(fig)


def test_long_titles_and_many_currencies_stay_inside() -> None:
    res = basket.spillover("sdr", numeraire="CHF", start="2017-01-01", end="2019-12-31",
                           lags=1, window=100, measure="volatility")
    inside_canvas(spillover_figure(res))
    inside_canvas(spillover_figure(basket.spillover("sdr", numeraire="CHF", start="2017-01-01",
                                                    end="2019-12-31", lags=1)))


def test_errors(static: basket.SpilloverResult, rolling: basket.SpilloverResult,
                libra: basket.BacktestResult) -> None:
    with pytest.raises(DataError, match=r"^the basket's volatility is drawn beside the rolling "
                                        r"index only; run basket\.spillover with window="):
        spillover_figure(static, libra)
    eur = basket.backtest("libra-2019", start="2019-06-01", end="2021-06-30", numeraires=["EUR"])
    with pytest.raises(DataError, match=r"^the backtest has no values in USD \(it has EUR\)"):
        spillover_figure(rolling, eur)
    with pytest.raises(DataError, match=r"needs what basket\.spillover"):
        spillover_figure(libra)  # type: ignore[arg-type]


def test_save(rolling: basket.SpilloverResult, tmp_path: Path) -> None:
    out = save_spillover_figure(rolling, tmp_path / "spill.png")
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
