"""Volatility spillovers: which currency's shocks move the others (Diebold-Yilmaz connectedness).

Modules (dependencies point down the list; only :mod:`~basket.connectedness.api` loads data):

* :mod:`~basket.connectedness.decomposition` - MA coefficients, the generalised variance
  decomposition of Pesaran and Shin, the Diebold-Yilmaz table, total/to/from/net (pure);
* :mod:`~basket.connectedness.results` - :class:`SpilloverResult`;
* :mod:`~basket.connectedness.variables` - the currencies' returns (or absolute returns) in a
  numeraire, and the checks that a sample identifies the VAR (pure);
* :mod:`~basket.connectedness.estimation` - the lag choice, statsmodels' VAR for the full fit
  and a batched least-squares fit for rolling windows, :func:`estimate_spillover` (pure);
* :mod:`~basket.connectedness.api` - the face: :func:`spillover`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basket._lazy import attach

_EXPORTS = {
    "spillover": "basket.connectedness.api",
    "estimate_spillover": "basket.connectedness.estimation",
    "SpilloverResult": "basket.connectedness.results",
}
__all__ = list(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from basket.connectedness.api import spillover
    from basket.connectedness.estimation import estimate_spillover
    from basket.connectedness.results import SpilloverResult

__getattr__, __dir__ = attach(__name__, _EXPORTS, globals())
