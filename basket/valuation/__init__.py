"""Valuation: what a basket is worth, day by day, in every numeraire, and how risky it is.

Modules (dependencies point down the list; only :mod:`~basket.valuation.api` loads data):

* :mod:`~basket.valuation.engine` - weights to amounts, daily values, IMF rounding (pure);
* :mod:`~basket.valuation.metrics` - volatility, drawdown, VaR/ES, risk contributions (pure);
* :mod:`~basket.valuation.results` - :class:`BacktestResult`, :class:`IndexComparison`;
* :mod:`~basket.valuation.indices` - currency indices: levels, :func:`index_of`, comparison (pure);
* :mod:`~basket.valuation.loading` - the FX panel a spec needs (the wing's data boundary);
* :mod:`~basket.valuation.api` - the face: :func:`price`, :func:`backtest`, :func:`compare_indices`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basket._lazy import attach

_EXPORTS = {
    "backtest": "basket.valuation.api",
    "price": "basket.valuation.api",
    "price_detail": "basket.valuation.api",
    "compare_indices": "basket.valuation.api",
    "index_of": "basket.valuation.indices",
    "BacktestResult": "basket.valuation.results",
    "IndexComparison": "basket.valuation.results",
}
__all__ = list(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from basket.valuation.api import backtest, compare_indices, price, price_detail
    from basket.valuation.indices import index_of
    from basket.valuation.results import BacktestResult, IndexComparison

__getattr__, __dir__ = attach(__name__, _EXPORTS, globals())
