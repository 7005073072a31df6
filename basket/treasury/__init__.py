"""Treasury: the reserve behind a basket coin - holdings, income, costs, flows, coverage.

Modules (dependencies point down the list; only :mod:`~basket.treasury.api` loads data):

* :mod:`~basket.treasury.flows` - coin flows: growth, runs, schedules (pure);
* :mod:`~basket.treasury.inputs` - interest rates and costs per currency and date (pure);
* :mod:`~basket.treasury.results` - :class:`ReservePaths` and :class:`ReserveResult`;
* :mod:`~basket.treasury.model` - :func:`simulate_reserve`, the day-by-day reserve (pure);
* :mod:`~basket.treasury.files` - rates and flows CSV files (input at the edge);
* :mod:`~basket.treasury.api` - the face: :func:`reserve`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basket._lazy import attach

_EXPORTS = {
    "reserve": "basket.treasury.api",
    "simulate_reserve": "basket.treasury.model",
    "ReserveResult": "basket.treasury.results",
    "ReservePaths": "basket.treasury.results",
}
__all__ = list(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from basket.treasury.api import reserve
    from basket.treasury.model import simulate_reserve
    from basket.treasury.results import ReservePaths, ReserveResult

__getattr__, __dir__ = attach(__name__, _EXPORTS, globals())
