"""basket: model currency-basket stablecoins such as Facebook's 2019 Libra.

The public API, imported lazily so that ``basket --help`` starts fast:

* :func:`load_fx` - an FX panel, US dollars per unit of each currency (bundled ECB data by default)
* :func:`load_spec`, :class:`BasketSpec` - basket definitions (``seeds/``: ``libra-2019``, ``sdr``, ...)
* :func:`price` - the value of one unit of a basket on a date, in any currency
* :func:`backtest` - daily values per numeraire, realised weights and risk metrics
* :func:`index_of`, :func:`compare_indices` - currency indices (the DXY, the Libra index of the
  dollar): one currency against a basket, as a level
* :func:`simulate`, :func:`stress`, :func:`optimize` - Monte Carlo, stress episodes, design search
* :func:`reserve`, :func:`simulate_reserve` - the reserve behind a basket coin
* :func:`spillover` - which currency's shocks move the others (Diebold-Yilmaz connectedness)
* :mod:`basket.plot` - matplotlib figures of every result

Every rate is US dollars per one unit of the currency named by the column. The code map is in
the README: one subpackage ("wing") per capability, each with one public face.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from basket._lazy import attach

# public name -> module that defines it (resolved on first access, PEP 562)
_EXPORTS: dict[str, str] = {
    "BasketError": "basket.errors",
    "DataError": "basket.errors",
    "DataSourceError": "basket.errors",
    "OutputError": "basket.errors",
    "SpecError": "basket.errors",
    "ShortWindowWarning": "basket.errors",
    "SimulationError": "basket.errors",
    "CacheWarning": "basket.errors",
    "DataGapWarning": "basket.errors",
    "DataQualityWarning": "basket.errors",
    "load_fx": "basket.data",
    "validate_panel": "basket.data",
    "BasketSpec": "basket.spec",
    "load_spec": "basket.spec",
    "list_seeds": "basket.spec",
    "price": "basket.valuation.api",
    "backtest": "basket.valuation.api",
    "BacktestResult": "basket.valuation.results",
    "compare_indices": "basket.valuation.api",
    "index_of": "basket.valuation.indices",
    "IndexComparison": "basket.valuation.results",
    "simulate": "basket.montecarlo.api",
    "SimulationResult": "basket.montecarlo.results",
    "stress": "basket.design.api",
    "optimize": "basket.design.api",
    "list_episodes": "basket.design.episodes",
    "StressResult": "basket.design.results",
    "OptimizationResult": "basket.design.results",
    "reserve": "basket.treasury.api",
    "simulate_reserve": "basket.treasury.model",
    "ReserveResult": "basket.treasury.results",
    "ReservePaths": "basket.treasury.results",
    "spillover": "basket.connectedness.api",
    "SpilloverResult": "basket.connectedness.results",
}

__all__ = ["__version__", "plot", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover - static view of the lazy exports
    from basket import plot
    from basket.connectedness.api import spillover
    from basket.connectedness.results import SpilloverResult
    from basket.data import load_fx, validate_panel
    from basket.design.api import optimize, stress
    from basket.design.episodes import list_episodes
    from basket.design.results import OptimizationResult, StressResult
    from basket.errors import (
        BasketError,
        CacheWarning,
        DataError,
        DataGapWarning,
        DataQualityWarning,
        DataSourceError,
        OutputError,
        ShortWindowWarning,
        SimulationError,
        SpecError,
    )
    from basket.montecarlo.api import simulate
    from basket.montecarlo.results import SimulationResult
    from basket.spec import BasketSpec, list_seeds, load_spec
    from basket.treasury.api import reserve
    from basket.treasury.model import simulate_reserve
    from basket.treasury.results import ReservePaths, ReserveResult
    from basket.valuation.api import backtest, compare_indices, price
    from basket.valuation.indices import index_of
    from basket.valuation.results import BacktestResult, IndexComparison

_getattr, __dir__ = attach(__name__, _EXPORTS, globals())


def _version() -> str:
    # importlib.metadata costs ~15 ms at import: resolved on first access of __version__
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("libra-basket")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "0.0.0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()["__version__"] = value = _version()
        return value
    if name == "plot":  # the figures subpackage (matplotlib itself is imported on first use)
        import importlib

        module = importlib.import_module("basket.plot")
        return module
    return _getattr(name)
