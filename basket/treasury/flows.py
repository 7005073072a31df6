"""Coin flows for the reserve simulation (pure): steady growth, runs, explicit schedules.

A *scenario* says how many coins are minted and burned on each valuation date;
:func:`scenario_flows` turns one or several scenarios into daily arrays for
:func:`basket.treasury.model.simulate_reserve`. Scenarios read from strings with :func:`parse_scenario`:

=============================  ================================================================
``growth:0.10``                coins outstanding grow 10% a year (compounded by calendar day)
``run:0.3:10d@2020-03-09``     30% of the coins outstanding before 2020-03-09 redeemed in equal
                               parts over 10 valuation days from that date (``30%`` also works)
``run:0.3:10d``                the same from the first date
``none``                       no flows
=============================  ================================================================

A schedule read from a file (``flows:FILE.csv``) is a :class:`FlowSchedule`, built by
:func:`basket.treasury.files.load_flows`. Coins are whole units of the basket coin.

No day may burn more coins than are outstanding after that day's mint: :func:`scenario_flows`
raises :class:`~basket.errors.SimulationError` naming the date (a :class:`Run` redeems at most
100%). A redemption the *reserve* cannot fully pay (coverage below 1) is not an error; the
simulation records the shortfall as unpaid (see :mod:`basket.treasury.model`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from basket.dates import to_timestamp
from basket.errors import DataError, SimulationError, SpecError

__all__ = [
    "FlowSchedule",
    "Flows",
    "Growth",
    "Run",
    "Scenario",
    "parse_scenario",
    "scenario_flows",
]


MAX_GROWTH = 10.0
"""The fastest growth accepted: 1,000% a year."""


def _check_number(value: Any, what: str, *, minimum: float | None = None,
                  maximum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise SpecError(f"{what} {value!r} is not a number")
    v = float(value)
    if not math.isfinite(v):
        raise SpecError(f"{what} {value!r} is not a finite number")
    if minimum is not None and v < minimum:
        raise SpecError(f"{what} is {v:g}; it must be >= {minimum:g}")
    if maximum is not None and v > maximum:
        raise SpecError(f"{what} is {v:g}; it must be <= {maximum:g}")
    return v


# ----------------------------------------------------------------------------- scenarios
@runtime_checkable
class Scenario(Protocol):
    """A source of coin flows: a label and the day's mint, burn and stress flag."""

    @property
    def label(self) -> str: ...

    def day_flows(self, row: int, days: int, coins_before: float) -> tuple[float, float, bool]:
        """Coins minted and burned on row ``row`` (``days`` calendar days after the previous
        valuation date, 0 on the first) given the coins outstanding before it, and whether the
        day is stressed."""
        ...


@dataclass(frozen=True)
class Growth:
    """Steady growth of the coins outstanding: ``rate`` a year, compounded by calendar day.

    On each valuation day ``(1 + rate) ** (days / 365) - 1`` of the coins outstanding the day
    before is minted (burned when ``rate < 0``).

    Parameters
    ----------
    rate : float
        Annual growth as a decimal (``0.10`` is 10% a year); above -1.
    """

    rate: float

    def __post_init__(self) -> None:
        r = self.rate
        ok = isinstance(r, (int, float)) and not isinstance(r, bool) and math.isfinite(r)
        if not ok or r <= -1 or r > MAX_GROWTH:
            raise SpecError(f"growth rate {r!r} must be above -1 and at most {MAX_GROWTH:g} "
                            "(0.10 = 10% a year)")

    @property
    def label(self) -> str:
        return f"growth:{self.rate:g}"

    def day_flows(self, row: int, days: int, coins_before: float) -> tuple[float, float, bool]:
        """Coins minted and burned on ``row``, ``days`` calendar days after the previous date."""
        change = coins_before * ((1.0 + self.rate) ** (days / 365.0) - 1.0)
        return (change, 0.0, False) if change >= 0 else (0.0, -change, False)


@dataclass(frozen=True)
class Run:
    """A run: ``fraction`` of the coins outstanding redeemed evenly over ``days`` valuation days.

    Parameters
    ----------
    fraction : float
        Share of the coins outstanding before the run's first day, in (0, 1].
    days : int
        Number of valuation days the redemptions are spread over (equal amounts).
    start : date-like, optional
        First day of the run (the first valuation date on or after it); default: the first date.

    Examples
    --------
    >>> Run(0.3, 10, "2020-03-09").label
    'run:0.3:10d@2020-03-09'
    """

    fraction: float
    days: int = 1
    start: pd.Timestamp | None = None

    def __post_init__(self) -> None:
        f = self.fraction
        if not (isinstance(f, (int, float)) and math.isfinite(f)) or f <= 0:
            raise SpecError(f"run fraction {f!r} must be positive (0.3 = 30% of the coins)")
        if f > 1:
            raise SimulationError(
                f"a run of {f:.0%} redeems more coins than are outstanding; at most 1 (100%)"
            )
        d = self.days
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
            raise SpecError(f"run length {self.days!r} must be a whole number of days >= 1")
        if self.start is not None:
            try:
                ts = to_timestamp(self.start, "run start")
            except DataError as exc:
                raise SpecError(str(exc)) from None
            object.__setattr__(self, "start", ts)

    @property
    def label(self) -> str:
        at = f"@{self.start.date()}" if self.start is not None else ""
        return f"run:{self.fraction:g}:{self.days}d{at}"

    def rows(self, dates: pd.DatetimeIndex) -> tuple[int, int]:
        """First row of the run and the row after its last day.

        Raises
        ------
        SimulationError
            If the run starts before the first or after the last date (a run is never moved),
            or does not fit before the last date.
        """
        if self.start is not None and self.start < dates[0]:
            raise SimulationError(
                f"{self.label} starts before the first date {dates[0].date()} of the simulation; "
                "pick a start inside it or an earlier --start"
            )
        first = 0 if self.start is None else int(dates.searchsorted(self.start))
        if first >= len(dates):
            raise SimulationError(
                f"{self.label} starts after the last date {dates[-1].date()}; pick an earlier "
                "start or a later end"
            )
        if first + self.days > len(dates):
            raise SimulationError(
                f"{self.label} needs {self.days} valuation days from {dates[first].date()} but "
                f"only {len(dates) - first} remain; pick a later end or a shorter run"
            )
        return first, first + self.days


@dataclass(frozen=True)
class FlowSchedule:
    """Explicit daily flows in coins: ``mint`` and ``burn`` Series indexed by date (>= 0).

    A flow dated on a day without a valuation (a weekend) is applied on the next valuation date.

    Parameters
    ----------
    mint, burn : pandas.Series
        Coins minted and burned per date; a DatetimeIndex, non-negative finite values.
    label : str, default "flows"
        Name used in reports (e.g. ``"flows:my_flows.csv"``).
    """

    mint: pd.Series
    burn: pd.Series
    label: str = "flows"

    @classmethod
    def from_net(cls, net: pd.Series, label: str = "flows") -> FlowSchedule:
        """Build from net flows (positive: minted, negative: burned).

        Examples
        --------
        >>> import pandas as pd
        >>> s = FlowSchedule.from_net(pd.Series([5.0, -2.0], index=pd.to_datetime(
        ...     ["2020-01-02", "2020-01-03"])))
        >>> s.mint.tolist(), s.burn.tolist()
        ([5.0, 0.0], [0.0, 2.0])
        """
        values = pd.Series(net, dtype=np.float64)
        return cls(values.clip(lower=0.0), (-values).clip(lower=0.0), label)

    def on(self, dates: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
        """Mint and burn on each valuation date (weekend flows moved to the next date)."""
        out = []
        for name, s in (("mint", self.mint), ("burn", self.burn)):
            if not isinstance(s.index, pd.DatetimeIndex):
                raise DataError(f"{self.label}: {name} flows need a DatetimeIndex of dates")
            v = s.to_numpy(dtype=np.float64)
            if len(v) and not (np.isfinite(v).all() and (v >= 0).all()):
                raise DataError(f"{self.label}: {name} flows must be finite and >= 0 coins")
            idx = s.index.normalize()
            if len(idx) and (idx.min() < dates[0] or idx.max() > dates[-1]):
                bad = idx.min() if idx.min() < dates[0] else idx.max()
                raise DataError(
                    f"{self.label}: a flow on {bad.date()} is outside the simulated dates "
                    f"{dates[0].date()} to {dates[-1].date()}; widen --start/--end or trim them"
                )
            rows = dates.searchsorted(idx)
            arr = np.zeros(len(dates))
            np.add.at(arr, rows, v)
            out.append(arr)
        return out[0], out[1]


ScenarioLike = str | Growth | Run | FlowSchedule | Scenario

_RUN = re.compile(r"run:([^:@]+):(\d+)d?(?:@(.+))?", re.IGNORECASE | re.ASCII)
_GROWTH = re.compile(r"growth:(.+)", re.IGNORECASE)
SCENARIO_HELP = "growth:0.10, run:0.3:10d@2020-03-09, run:0.3:10d, flows:FILE.csv or none"


def _fraction(text: str, what: str) -> float:
    t = text.strip()
    try:
        return float(t[:-1]) / 100.0 if t.endswith("%") else float(t)
    except ValueError:
        raise SpecError(f"{what} {text!r} is not a number; write 0.3 or 30%") from None


def parse_scenario(text: str | ScenarioLike) -> Growth | Run | FlowSchedule | Scenario | None:
    """Read a scenario string: ``growth:0.10``, ``run:0.3:10d@2020-03-09`` or ``none``.

    ``flows:FILE.csv`` reads a file and is handled by :func:`basket.treasury.files.load_scenario`.

    Raises
    ------
    SpecError
        An unknown or malformed scenario, naming the forms accepted.

    Examples
    --------
    >>> parse_scenario("run:30%:10d@2020-03-09")
    Run(fraction=0.3, days=10, start=Timestamp('2020-03-09 00:00:00'))
    >>> parse_scenario("growth:0.10")
    Growth(rate=0.1)
    """
    if not isinstance(text, str):
        return text
    t = text.strip()
    if t.lower() in ("", "none"):
        return None
    m = _RUN.fullmatch(t)
    if m:
        return Run(_fraction(m.group(1), "run fraction"), int(m.group(2)), m.group(3))
    m = _GROWTH.fullmatch(t)
    if m:
        return Growth(_fraction(m.group(1), "growth rate"))
    if t.lower().startswith("flows:"):
        raise SpecError(f"scenario {t!r} reads a file; use basket.treasury.files.load_scenario")
    raise SpecError(f"unknown scenario {t!r}; use {SCENARIO_HELP}")


@dataclass(frozen=True)
class Flows:
    """Daily coin flows on the valuation dates (what :func:`scenario_flows` returns).

    Attributes
    ----------
    coins : ndarray, shape (T,)
        Coins outstanding after each day's flows.
    mint, burn : ndarray, shape (T,)
        Coins minted and burned on each date (>= 0).
    stress : ndarray of bool, shape (T,)
        Days of a run (stressed transaction costs apply).
    labels : tuple of str
        The scenarios' labels.
    """

    coins: np.ndarray
    mint: np.ndarray
    burn: np.ndarray
    stress: np.ndarray
    labels: tuple[str, ...] = ()


def _as_scenarios(scenario: ScenarioLike | Sequence[ScenarioLike] | None) -> list[Any]:
    if scenario is None:
        return []
    items = [scenario] if isinstance(scenario, (str, Growth, Run, FlowSchedule)) else list(
        scenario)  # type: ignore[arg-type]
    out = []
    for s in items:
        parsed = parse_scenario(s)
        if parsed is not None:
            out.append(parsed)
    return out


def scenario_flows(
    scenario: ScenarioLike | Sequence[ScenarioLike] | None,
    dates: pd.DatetimeIndex,
    coins: float,
) -> Flows:
    """Turn scenarios into daily mint and burn on the valuation dates.

    Scenarios add up. Each day, a :class:`Growth` mints in proportion to the coins outstanding
    the day before (after every scenario's flows), a :class:`Run` burns a fixed amount per day
    (its fraction of the coins outstanding just before its first day, over its days), and a
    :class:`FlowSchedule` adds its own numbers.

    Parameters
    ----------
    scenario : str, scenario object, a sequence of them, or None
        See :func:`parse_scenario`. ``None``: no flows.
    dates : pandas.DatetimeIndex
        The valuation dates.
    coins : float
        Coins outstanding before the first date.

    Returns
    -------
    Flows

    Raises
    ------
    SimulationError
        A run that does not fit in the dates, or flows that burn more coins than are outstanding.

    Examples
    --------
    >>> import pandas as pd
    >>> dates = pd.bdate_range("2020-03-09", periods=4)
    >>> f = scenario_flows("run:0.5:2d@2020-03-10", dates, 100.0)
    >>> f.burn.tolist(), f.coins.tolist()
    ([0.0, 25.0, 25.0, 0.0], [100.0, 75.0, 50.0, 50.0])
    """
    dates = pd.DatetimeIndex(dates)
    t = len(dates)
    _check_number(coins, "coins", minimum=0.0)
    items = _as_scenarios(scenario)
    mint, burn = np.zeros(t), np.zeros(t)
    stress = np.zeros(t, dtype=bool)
    runs: list[tuple[Run, int, int]] = []
    growth: list[Growth] = []
    for s in items:
        if isinstance(s, FlowSchedule):
            add_mint, add_burn = s.on(dates)
            mint += add_mint
            burn += add_burn
        elif isinstance(s, Run):
            lo, hi = s.rows(dates)
            runs.append((s, lo, hi))
            stress[lo:hi] = True
        elif isinstance(s, Growth):
            growth.append(s)
        elif isinstance(s, Scenario):
            growth.append(s)  # type: ignore[arg-type]  # any object with day_flows
        else:
            raise SpecError(f"unknown scenario {s!r}; use {SCENARIO_HELP}")
    per_day = [0.0] * len(runs)
    gaps = [0, *np.diff(dates.to_numpy()).astype("timedelta64[D]").astype(np.int64).tolist()]
    level = float(coins)
    out = np.empty(t)
    for row in range(t):
        m, b = float(mint[row]), float(burn[row])
        for s in growth:
            gm, gb, gs = s.day_flows(row, gaps[row], level)
            m, b = m + gm, b + gb
            stress[row] |= gs
        for i, (run, lo, hi) in enumerate(runs):
            if row == lo:
                per_day[i] = run.fraction * level / run.days
            if lo <= row < hi:
                b += per_day[i]
        mint[row], burn[row] = m, b
        level = level + (m - b)
        if level < -1e-9 * max(1.0, float(coins)):
            raise SimulationError(
                f"flows on {dates[row].date()} burn more coins than are outstanding "
                f"({b:.6g} burned, {level + b:.6g} outstanding after the day's mint); "
                "scale the run or the flows"
            )
        level = max(level, 0.0)
        out[row] = level
    return Flows(out, mint, burn, stress, tuple(s.label for s in items))
