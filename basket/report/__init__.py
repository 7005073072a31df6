"""A self-contained HTML report of a basket: one file to mail, opened offline.

:func:`build_report` computes what goes in (the backtest, the stress episodes, a Monte Carlo
outlook, the dollar against other baskets, the volatility spillovers) and
:func:`render_report` renders results as one HTML document; the CLI (``basket report
--output report.html``) writes it. Modules: :mod:`~basket.report.document` (the two
functions, the page and its style), :mod:`~basket.report.sections` (the backtest's sections),
:mod:`~basket.report.scenarios` (stress and outlook), :mod:`~basket.report.markets` (index
comparison and spillovers), :mod:`~basket.report.blocks` (tables,
number formats, heat maps, embedded figures).

Conventions are those of :mod:`basket.valuation.metrics` and :mod:`basket.valuation.periods`:
volatility is annualized from daily log returns; one-day value at risk and expected shortfall
are historical, positive loss fractions; the outlook's are losses over its horizon.
"""

from __future__ import annotations

from basket.report.blocks import figure_to_data_uri
from basket.report.document import (
    COMPARED,
    OUTLOOK_PATHS,
    SECTIONS,
    SPILLOVER_WINDOW,
    build_report,
    render_report,
)

__all__ = ["COMPARED", "OUTLOOK_PATHS", "SECTIONS", "SPILLOVER_WINDOW", "build_report",
           "figure_to_data_uri", "render_report"]
