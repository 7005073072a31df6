"""Valuation: what a basket is worth, day by day, in every numeraire, and how risky it is.

Modules (dependencies point down the list; only :mod:`~basket.valuation.api` loads data):

* :mod:`~basket.valuation.engine` - weights to amounts, daily values, IMF rounding (pure);
* :mod:`~basket.valuation.metrics` - volatility, drawdown, VaR/ES, risk contributions (pure);
* :mod:`~basket.valuation.results` - :class:`BacktestResult`;
* :mod:`~basket.valuation.loading` - the FX panel a spec needs (the wing's data boundary);
* :mod:`~basket.valuation.api` - the face: :func:`price` and :func:`backtest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basket._lazy import attach

_EXPORTS = {
    "backtest": "basket.valuation.api",
    "price": "basket.valuation.api",
    "price_detail": "basket.valuation.api",
    "BacktestResult": "basket.valuation.results",
}
__all__ = list(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from basket.valuation.api import backtest, price, price_detail
    from basket.valuation.results import BacktestResult

__getattr__, __dir__ = attach(__name__, _EXPORTS, globals())
