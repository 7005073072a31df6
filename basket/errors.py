"""Exception and warning classes of ``basket``.

Every error the library raises on purpose is a :class:`BasketError`. Each one also derives from
the builtin type a caller would naturally catch (``ValueError`` for bad input, ``OSError`` for a
source that cannot be reached), so ``except ValueError`` keeps working. Messages are one line:
the bad value, what was expected, and the fix.
"""

from __future__ import annotations

__all__ = [
    "BasketError",
    "BasketWarning",
    "CacheWarning",
    "DataError",
    "DataGapWarning",
    "DataQualityWarning",
    "DataSourceError",
    "OutputError",
    "ShortWindowWarning",
    "SimulationError",
    "SpecError",
]


class BasketError(Exception):
    """Base class of every error raised by ``basket``."""


class SpecError(BasketError, ValueError):
    """A basket specification, rebalancing rule or option is malformed."""


class DataError(BasketError, ValueError):
    """FX data is missing, malformed or outside the source's coverage."""


class DataSourceError(BasketError, OSError):
    """An FX source could not be reached or answered with nothing usable."""


class OutputError(BasketError, OSError):
    """An output file cannot be written where asked (a directory, a missing or read-only folder,
    an input of the same command, a full disk)."""


class SimulationError(BasketError, ValueError):
    """A simulation, stress or optimisation request cannot be carried out as asked."""


class BasketWarning(UserWarning):
    """Base class of the warnings ``basket`` emits for recoverable data conditions."""


class DataGapWarning(BasketWarning):
    """Dates were dropped (or filled) because a currency had no quote on them."""


class CacheWarning(BasketWarning):
    """The on-disk cache could not be read or written; the data is used without it."""


class ShortWindowWarning(BasketWarning):
    """A figure was annualized from too few dates to mean much."""


class DataQualityWarning(BasketWarning):
    """Quotes were discarded as implausible (non-positive, or a one-day spike that reverts)."""
