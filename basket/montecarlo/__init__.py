"""Monte Carlo: simulated FX paths and the basket's value along them, in every numeraire.

Modules (dependencies point down the list; only :mod:`~basket.montecarlo.api` loads data):

* :mod:`~basket.montecarlo.resampling` - seeds, the stationary bootstrap, EWMA covariance;
* :mod:`~basket.montecarlo.executor` - where blocks run: here, threads, processes or Dask;
* :mod:`~basket.montecarlo.results` - :class:`SimulationResult` and its statistics;
* :mod:`~basket.montecarlo.paths` - the path kernel: one seeded block of paths, valued daily;
* :mod:`~basket.montecarlo.model` - :func:`monte_carlo`: estimation, the plan, the summary;
* :mod:`~basket.montecarlo.api` - the face: :func:`simulate`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basket._lazy import attach

_EXPORTS = {
    "simulate": "basket.montecarlo.api",
    "monte_carlo": "basket.montecarlo.model",
    "SimulationResult": "basket.montecarlo.results",
}
__all__ = list(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from basket.montecarlo.api import simulate
    from basket.montecarlo.model import monte_carlo
    from basket.montecarlo.results import SimulationResult

__getattr__, __dir__ = attach(__name__, _EXPORTS, globals())
