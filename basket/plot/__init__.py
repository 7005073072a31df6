"""Figures of every result (matplotlib, imported on first use; object-oriented API).

``import basket.plot`` is cheap: matplotlib is imported when a figure is drawn, and a missing
matplotlib raises :class:`PlotDependencyError` naming the pip extra. Every function takes a
result object and returns a :class:`matplotlib.figure.Figure`; ``save_*`` functions write one
to PNG, SVG or PDF atomically.

Modules, one per family of figures: :mod:`~basket.plot.backtest` (values, rolling volatility,
weights, risk contributions), :mod:`~basket.plot.indices` (a currency against several baskets:
Libra, the SDR, the DXY), :mod:`~basket.plot.outlook` (Monte Carlo fans, stress bars),
:mod:`~basket.plot.drawdowns` (the underwater chart), :mod:`~basket.plot.design` (the
optimiser), :mod:`~basket.plot.treasury` (the reserve) and :mod:`~basket.plot.connectedness`
(spillovers); the shared colours, axes, layout and saving live in :mod:`~basket.plot._base`.
"""

from __future__ import annotations

from basket.plot._base import (
    BASKET_COLOR,
    CURRENCY_COLORS,
    PlotDependencyError,
    check_figure_path,
    currency_color,
    figure_bytes,
    save_figure,
)
from basket.plot.backtest import (
    backtest_figure,
    risk_contribution_bars,
    rolling_volatility_chart,
    save_backtest_figure,
    value_chart,
    weights_chart,
)
from basket.plot.connectedness import save_spillover_figure, spillover_figure
from basket.plot.design import optimization_figure
from basket.plot.drawdowns import underwater_chart
from basket.plot.indices import INDEX_COLORS, index_color, indices_figure, save_indices_figure
from basket.plot.outlook import fan_chart, save_simulation_figure, stress_bars
from basket.plot.treasury import reserve_figure, save_reserve_figure

__all__ = [
    "BASKET_COLOR",
    "CURRENCY_COLORS",
    "INDEX_COLORS",
    "PlotDependencyError",
    "backtest_figure",
    "check_figure_path",
    "currency_color",
    "fan_chart",
    "figure_bytes",
    "index_color",
    "indices_figure",
    "optimization_figure",
    "reserve_figure",
    "risk_contribution_bars",
    "rolling_volatility_chart",
    "save_backtest_figure",
    "save_figure",
    "save_indices_figure",
    "save_reserve_figure",
    "save_simulation_figure",
    "save_spillover_figure",
    "spillover_figure",
    "stress_bars",
    "underwater_chart",
    "value_chart",
    "weights_chart",
]


def __dir__() -> list[str]:
    return sorted(__all__)
