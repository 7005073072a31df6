"""Type aliases shared across ``basket`` (no runtime behaviour)."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd
    from numpy.typing import NDArray

    FloatArray = NDArray[np.float64]
    FXPanel = pd.DataFrame
    DateLike = str | _dt.date | np.datetime64 | pd.Timestamp
else:
    FloatArray = np.ndarray
    FXPanel = "pandas.DataFrame"
    DateLike = str | _dt.date | np.datetime64

CurrencyCode = str
"""An upper-case ISO 4217 code such as ``"EUR"``."""

SeedLike = int | np.random.SeedSequence | np.random.Generator | None
"""Anything :func:`numpy.random.default_rng` accepts."""

SourceName = Literal["ecb", "yahoo"]
Fill = Literal["none", "ffill"]
Quote = Literal["usd_per_unit", "units_per_usd", "units_per_eur"]
Method = Literal["arithmetic", "geometric"]
Rounding = Literal["none", "imf"]
