"""Basket design: historical stress episodes and the weights most stable for holders.

Modules (dependencies point down the list; only :mod:`~basket.design.api` loads data):

* :mod:`~basket.design.episodes` - the shipped crisis windows and :func:`stress_table` (pure);
* :mod:`~basket.design.estimation` - covariance, model and realised volatility of weights (pure);
* :mod:`~basket.design.optimizer` - bounds and the solvers, :func:`solve_weights` (pure);
* :mod:`~basket.design.results` - :class:`StressResult` and :class:`OptimizationResult`;
* :mod:`~basket.design.api` - the face: :func:`stress` and :func:`optimize`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basket._lazy import attach

_EXPORTS = {
    "stress": "basket.design.api",
    "optimize": "basket.design.api",
    "list_episodes": "basket.design.episodes",
    "StressResult": "basket.design.results",
    "OptimizationResult": "basket.design.results",
}
__all__ = list(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from basket.design.api import optimize, stress
    from basket.design.episodes import list_episodes
    from basket.design.results import OptimizationResult, StressResult

__getattr__, __dir__ = attach(__name__, _EXPORTS, globals())
