"""Rebalancing rules (pure): when a basket's currency amounts are reset, and to what.

Every rule is a frozen dataclass implementing :class:`RebalanceRule`; :func:`parse_rule` reads
the compact strings the CLI and the seeds use:

=================  ==========================================================================
``none``           fixed amounts, buy and hold (the SDR between reviews; the Libra default)
``monthly``        reset to the target weights on the first trading day of each month,
``quarterly``      ... of each quarter,
``annual``         ... of each year (value-preserving, at that day's rates; the ``bt``
                   convention). A calendar rule also starts the backtest at target weights.
``band:0.05``      reset when any weight leaves ``target ± 0.05`` (absolute); starts at target
``review:5y``      every 5 years, new amounts from the average rates of the 3 months ending on
                   the transition day, scaled so the value is continuous (the SDR method);
                   ``review:5y:6m`` sets a 6-month window. Unlike the calendar and band rules
                   it starts from the basket's own amounts (as the SDR does), not at the target
                   weights, and first re-weights ``N`` years after the first date
=================  ==========================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from basket.errors import SpecError

__all__ = ["Band", "Calendar", "NoRebalance", "RebalanceRule", "Review", "parse_rule"]

RULE_HELP = "none, monthly, quarterly, annual, band:0.05 or review:5y"

MAX_YEARS = 50
"""The longest review period, in years."""


@runtime_checkable
class RebalanceRule(Protocol):
    """A rebalancing rule: its name and the calendar dates it may reset on."""

    @property
    def label(self) -> str: ...

    def calendar_resets(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """Row indices at which the rule resets regardless of prices (may be empty)."""
        ...


@dataclass(frozen=True)
class NoRebalance:
    """Fixed amounts: never reset."""

    @property
    def label(self) -> str:
        return "none"

    def calendar_resets(self, dates: pd.DatetimeIndex) -> np.ndarray:
        return np.zeros(0, dtype=np.intp)


_FREQ = {"monthly": "M", "quarterly": "Q", "annual": "Y"}
_STEP = {"monthly": 1, "quarterly": 3, "annual": 12}


def _month_index(stamps: np.ndarray) -> np.ndarray:
    """Months since March of year 0 for datetime64 values (vectorised civil calendar).

    Howard Hinnant's ``civil_from_days`` on whole days: a few integer operations per date,
    several times faster than pandas' ``.year``/``.month`` accessors.
    """
    unit, count = np.datetime_data(stamps.dtype)
    per_day = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000,
               "us": 86_400_000_000, "ns": 86_400_000_000_000}[unit] // count
    days = stamps.view(np.int64) // per_day + 719468      # days since 0000-03-01
    era = days // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153                     # month counted from March, 0..11
    month = np.where(mp < 10, mp + 3, mp - 9)      # 1..12
    year = yoe + era * 400 + (month <= 2)
    return year * 12 + month - 1


@dataclass(frozen=True)
class Calendar:
    """Reset to target weights on the first trading day of each month, quarter or year.

    Parameters
    ----------
    frequency : {"monthly", "quarterly", "annual"}
    """

    frequency: str

    def __post_init__(self) -> None:
        if self.frequency not in _FREQ:
            raise SpecError(f"unknown calendar frequency {self.frequency!r}; use {RULE_HELP}")

    @property
    def label(self) -> str:
        return self.frequency

    def calendar_resets(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """The first row and every row whose period differs from the previous row's.

        Found from the periods' first days, one binary search each in the sorted dates (a few
        hundred over decades of daily data), not from each date's month: the first row on or
        after a period's first day is the row that starts it. :meth:`resets_by_month` is the
        direct twin.
        """
        if len(dates) == 0:
            return np.zeros(0, dtype=np.intp)
        stamps = dates.to_numpy()
        step = _STEP[self.frequency]
        first, last = stamps[[0, -1]].astype("datetime64[M]")
        months = np.arange(first + 1, last + 1, dtype="datetime64[M]")
        starts = months[months.view(np.int64) % step == 0]       # Jan, Apr, Jul, Oct ...
        rows = np.searchsorted(stamps, starts.astype(stamps.dtype), side="left")
        return np.unique(np.concatenate(([0], rows))).astype(np.intp)

    def resets_by_month(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """:meth:`calendar_resets` from every date's month (the plain twin)."""
        if len(dates) == 0:
            return np.zeros(0, dtype=np.intp)
        months = _month_index(dates.to_numpy())
        key = months // _STEP[self.frequency]
        change = np.empty(len(dates), dtype=bool)
        change[0] = True
        change[1:] = key[1:] != key[:-1]
        return np.flatnonzero(change)


@dataclass(frozen=True)
class Band:
    """Reset when any weight leaves ``target ± width`` (absolute weight units).

    Parameters
    ----------
    width : float
        Tolerance band, e.g. ``0.05`` for five percentage points. Must be in (0, 1).
    """

    width: float

    def __post_init__(self) -> None:
        if not (0.0 < self.width < 1.0):
            raise SpecError(f"band width {self.width!r} must be between 0 and 1, e.g. band:0.05")

    @property
    def label(self) -> str:
        return f"band:{self.width:g}"

    def calendar_resets(self, dates: pd.DatetimeIndex) -> np.ndarray:
        return np.zeros(1 if len(dates) else 0, dtype=np.intp)


@dataclass(frozen=True)
class Review:
    """SDR-style review: new amounts every ``years`` years from window-average rates.

    At each transition day T (the first trading day on or after each ``years``-year
    anniversary of the start), amounts ``a_i = k * w_i / xbar_i`` where ``xbar_i`` is the
    average of currency i's USD price over the ``window_months`` months ending on T, and ``k``
    makes the value on T equal to the old amounts' value on T. Until the first review the
    basket holds its own amounts (for a weights basket, those fixed on its base date), as the
    SDR does between reviews; calendar and band rules instead start at the target weights.

    Parameters
    ----------
    years : int
        Years between reviews (the IMF reviews every 5).
    window_months : int, default 3
        Averaging window (the IMF uses the three months ending on the transition day).
    """

    years: int
    window_months: int = 3

    def __post_init__(self) -> None:
        years, months = self.years, self.window_months
        if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
            raise SpecError(f"review period {years!r} must be a whole number of years from 1 to "
                            f"{MAX_YEARS}, e.g. review:5y")
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
            raise SpecError(f"review window {months!r} must be a whole number of months from 1 to "
                            "120, e.g. review:5y:3m")

    @property
    def label(self) -> str:
        suffix = "" if self.window_months == 3 else f":{self.window_months}m"
        return f"review:{self.years}y{suffix}"

    def calendar_resets(self, dates: pd.DatetimeIndex) -> np.ndarray:
        if len(dates) == 0:
            return np.zeros(0, dtype=np.intp)
        first = dates[0]
        out = []
        k = 1
        while True:
            anniversary = first + pd.DateOffset(years=self.years * k)
            if anniversary > dates[-1]:
                break
            out.append(int(dates.searchsorted(anniversary)))
            k += 1
        return np.asarray(sorted(set(out)), dtype=np.intp)

    def window_start(self, day: pd.Timestamp) -> pd.Timestamp:
        """First calendar day of the averaging window ending on ``day``."""
        return day - pd.DateOffset(months=self.window_months) + pd.Timedelta(days=1)


_BAND = re.compile(r"^band:(?P<w>[0-9]*\.?[0-9]+(?:e-?[0-9]+)?)(?P<pct>%?)$")
_REVIEW = re.compile(r"^review:(?P<y>[0-9]+)y?(?::(?P<m>[0-9]+)m)?$")


def parse_rule(rule: str | RebalanceRule | None) -> RebalanceRule:
    """Parse a rebalancing rule string (``none``, ``quarterly``, ``band:0.05``, ``review:5y``).

    Parameters
    ----------
    rule : str, RebalanceRule or None
        ``None`` means ``"none"``; a rule object is returned as is.

    Returns
    -------
    RebalanceRule

    Raises
    ------
    SpecError
        If the string is not a known rule.

    Examples
    --------
    >>> parse_rule("band:0.05")
    Band(width=0.05)
    >>> parse_rule("review:5y")
    Review(years=5, window_months=3)
    """
    if rule is None:
        return NoRebalance()
    if isinstance(rule, (NoRebalance, Calendar, Band, Review)):
        return rule
    if not isinstance(rule, str):
        raise SpecError(f"rebalancing rule {rule!r} is not a string; use {RULE_HELP}")
    text = rule.strip().lower()
    if text in ("none", "buy-and-hold", "hold"):
        return NoRebalance()
    if text in ("annually", "yearly"):
        text = "annual"
    if text in _FREQ:
        return Calendar(text)
    m = _BAND.match(text)
    if m:
        width = float(m.group("w")) / (100.0 if m.group("pct") else 1.0)
        return Band(width)
    m = _REVIEW.match(text)
    if m:
        return Review(int(m.group("y")), int(m.group("m") or 3))
    raise SpecError(f"unknown rebalancing rule {rule!r}; use {RULE_HELP}")
