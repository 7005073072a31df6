"""The currency-index figure: the numbers drawn, its layout inside the canvas, its errors.

Numbers drawn are checked against references computed here from the comparison's raw levels
(rebased by hand, a pandas rolling standard deviation, numpy's correlation).
"""

from __future__ import annotations

import math
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")
from matplotlib.colors import to_hex

import basket
import basket.plot as plotting
from basket.errors import DataError
from basket.plot import INDEX_COLORS, index_color, indices_figure


@pytest.fixture(scope="module")
def comparison() -> basket.IndexComparison:
    return basket.compare_indices(start="2016-01-04", end="2020-12-31")


def assert_inside_canvas(fig) -> None:
    """Every axes (ticks, labels, legend) and every figure text lies within the figure."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    extents = [ax.get_tightbbox(renderer) for ax in fig.axes]
    extents += [t.get_window_extent(renderer) for t in fig.texts if t.get_text()]
    if fig._suptitle is not None:
        extents.append(fig._suptitle.get_window_extent(renderer))
    for e in extents:
        assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1, (e, box)
        assert box.y0 - 1 <= e.y0 and e.y1 <= box.y1 + 1, (e, box)


def test_figure_draws_the_rebased_levels(comparison: basket.IndexComparison) -> None:
    fig = indices_figure(comparison)
    assert len(fig.axes) == 3
    levels_ax = fig.axes[0]
    lines = [ln for ln in levels_ax.get_lines() if len(ln.get_xdata()) > 2]
    assert len(lines) == 3
    raw = comparison.levels
    for i, (line, name) in enumerate(zip(lines, comparison.names, strict=True)):
        by_hand = raw[name].to_numpy() / raw[name].to_numpy()[0] * 100.0
        np.testing.assert_allclose(line.get_ydata(), by_hand, rtol=1e-12)
        assert to_hex(line.get_color()) == INDEX_COLORS[i]
    labels = [t.get_text() for t in levels_ax.get_legend().get_texts()]
    assert labels[2].startswith("ICE US Dollar Index (DXY) (")
    assert_inside_canvas(fig)


def test_figure_draws_rolling_volatility_and_correlations(
    comparison: basket.IndexComparison,
) -> None:
    fig = indices_figure(comparison, window=126)
    roll_ax, corr_ax = fig.axes[1], fig.axes[2]
    r = np.log(comparison.levels).diff()
    expected = r.rolling(126).std(ddof=1) * math.sqrt(252)
    for line, name in zip(roll_ax.get_lines(), comparison.names, strict=True):
        y = np.asarray(line.get_ydata(), dtype=float)
        ref = expected[name].to_numpy()[-len(y):]
        ok = ~np.isnan(ref)
        np.testing.assert_allclose(y[ok], ref[ok], rtol=1e-9)
    texts = sorted(float(t.get_text()) for t in corr_ax.texts)
    corr = np.corrcoef(r.dropna().to_numpy().T)
    np.testing.assert_allclose(texts, sorted(np.round(corr.ravel(), 2)), atol=1e-9)
    assert [t.get_text() for t in corr_ax.get_xticklabels()] == comparison.names
    assert_inside_canvas(fig)


def test_short_comparison_leaves_the_rolling_panel_out() -> None:
    cmp = basket.compare_indices(start="2020-01-02", end="2020-03-31")
    fig = indices_figure(cmp)
    assert len(fig.axes) == 2
    assert_inside_canvas(fig)


def test_save_indices_figure(comparison: basket.IndexComparison, tmp_path: Path) -> None:
    path = plotting.save_indices_figure(comparison, tmp_path / "indices.png")
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_index_colors_cycle() -> None:
    assert index_color(0) == INDEX_COLORS[0] and index_color(len(INDEX_COLORS) + 1) == INDEX_COLORS[1]


@pytest.mark.parametrize(
    ("obj", "pattern"),
    [
        (types.SimpleNamespace(), "needs an IndexComparison .* has no 'rebased'"),
        (types.SimpleNamespace(rebased=None, levels=pd.DataFrame({"a": [1.0, 2.0]}), table=None,
                               currency="USD", base_date=None), "fewer than three dates"),
    ],
)
def test_figure_errors(obj, pattern: str) -> None:
    with pytest.raises(DataError, match=pattern):
        indices_figure(obj)


def test_backtest_figure_of_an_index_reads_as_a_level() -> None:
    res = basket.backtest("dxy", start="2018-01-02", end="2019-12-31")
    fig = plotting.backtest_figure(res)
    values_ax = fig.axes[0]
    assert values_ax.get_title() == "Index level"
    assert [t.get_text() for t in values_ax.get_legend().get_texts()] == ["level"]
    assert "index level" in fig._suptitle.get_text()
    (line,) = [ln for ln in values_ax.get_lines() if len(ln.get_xdata()) > 2]
    level = res.values["level"].to_numpy()
    np.testing.assert_allclose(line.get_ydata(), level / level[0], rtol=1e-12)
    assert_inside_canvas(fig)
