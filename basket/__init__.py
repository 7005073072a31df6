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
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("libra-basket")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

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
}

__all__ = ["__version__", *_EXPORTS, "plot"]

if TYPE_CHECKING:  # pragma: no cover - static view of the lazy exports
    from . import plotting as plot
    from .api import backtest, price
    from .data import load_fx, validate_panel
    from .results import BacktestResult
    from .spec import BasketSpec, list_seeds, load_spec
    from .errors import (
        BasketError,
        DataError,
        DataGapWarning,
        DataQualityWarning,
        DataSourceError,
        SimulationError,
        SpecError,
    )


def __getattr__(name: str) -> Any:
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
