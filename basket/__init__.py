"""basket: model currency-basket stablecoins such as Facebook's 2019 Libra.

The public API, imported lazily so that ``basket --help`` starts fast:

* :func:`load_fx` - an FX panel, US dollars per unit of each currency (bundled ECB data by default)
* :func:`load_spec`, :class:`BasketSpec` - basket definitions (``seeds/``: ``libra-2019``, ``sdr``, ...)
* :func:`price` - the value of one unit of a basket on a date, in any currency
* :func:`backtest` - daily values per numeraire, realised weights and risk metrics
* :func:`simulate`, :func:`stress`, :func:`optimize` - Monte Carlo, stress episodes, design search

Every rate is US dollars per one unit of the currency named by the column.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any


def _version() -> str:
    # importlib.metadata costs ~15 ms at import: resolved on first access of __version__
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("libra-basket")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "0.0.0+unknown"


# public name -> module that defines it (resolved on first access, PEP 562)
_EXPORTS: dict[str, str] = {
    "BasketError": "errors",
    "DataError": "errors",
    "DataSourceError": "errors",
    "SpecError": "errors",
    "SimulationError": "errors",
    "DataGapWarning": "errors",
    "DataQualityWarning": "errors",
    "load_fx": "data",
    "validate_panel": "data",
    "BasketSpec": "spec",
    "load_spec": "spec",
    "list_seeds": "spec",
    "price": "api",
    "backtest": "api",
    "BacktestResult": "results",
    "simulate": "sim_api",
    "SimulationResult": "simulation",
    # basket.stress / basket.optimize are functions of design_api; the core submodules of the
    # same names import by full name (from basket.optimize import ...), see _Package below
    "stress": "design_api",
    "optimize": "design_api",
    "StressResult": "design_api",
    "OptimizationResult": "design_api",
    "list_episodes": "design_api",
    # basket.reserve is the function of reserve_api; the pure core basket/reserve.py imports by
    # full name (from basket.reserve import simulate_reserve), see _Package below
    "reserve": "reserve_api",
    "simulate_reserve": "reserve",
    "ReserveResult": "reserve",
    "ReservePaths": "reserve",
}

__all__ = ["__version__", *_EXPORTS, "plot"]

if TYPE_CHECKING:  # pragma: no cover - static view of the lazy exports
    from . import plotting as plot
    from .api import backtest, price
    from .data import load_fx, validate_panel
    from .design_api import OptimizationResult, StressResult, list_episodes, optimize, stress
    from .errors import (
        BasketError,
        DataError,
        DataGapWarning,
        DataQualityWarning,
        DataSourceError,
        SimulationError,
        SpecError,
    )
    from .reserve import ReservePaths, ReserveResult, simulate_reserve
    from .reserve_api import reserve
    from .results import BacktestResult
    from .sim_api import simulate
    from .simulation import SimulationResult
    from .spec import BasketSpec, list_seeds, load_spec


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()["__version__"] = value = _version()
        return value
    if name == "plot":  # basket.plot: the charts module (matplotlib is imported on first use)
        plot = importlib.import_module(".plotting", __name__)
        globals()["plot"] = plot
        return plot
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'basket' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package's module type: an export keeps its name over a same-named submodule.

    Importing a submodule binds it as an attribute of the package (``basket.stress`` would
    become the module ``basket/stress.py`` and hide the function ``basket.stress``). That
    binding is skipped for exported names defined elsewhere; the submodule stays importable by
    its full name (``from basket.stress import list_episodes``, ``importlib.import_module``).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if (isinstance(value, types.ModuleType) and _EXPORTS.get(name, name) != name
                and value.__name__ == f"{__name__}.{name}"):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
