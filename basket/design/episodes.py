"""Historical stress episodes: what a basket and each of its currencies did in a crisis (pure).

Conventions, stated once for the module:

* prices are **US dollars per one unit** of each currency (an FX panel); a basket's value in a
  numeraire ``k`` is its USD value divided by ``P_k``, and a currency ``c`` held alone is worth
  ``P_c / P_k`` units of ``k``;
* an episode is an inclusive calendar window ``[start, end]``; its **first date** and **last
  date** are the first and last dates with quotes inside the window;
* ``change`` is the simple return over the window, ``V(last) / V(first) - 1``;
* ``max_drawdown`` is the worst fall from a running peak inside the window,
  ``min_t V(t) / max_{first <= s <= t} V(s) - 1`` (zero or negative): the peak is restarted at
  the window's first date, so an earlier high does not count.

The shipped episodes (``basket/resources/episodes.toml``) are read by :func:`list_episodes`; the
core :func:`stress_table` takes value and price frames and returns a tidy frame, and
:class:`~basket.design.results.StressResult` wraps it for users. :func:`basket.stress` (in
:mod:`basket.design.api`) loads the data and calls the core.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from basket.dates import to_timestamp
from basket.errors import DataError, SimulationError, SpecError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "STRESS_COLUMNS",
    "Episode",
    "custom_window",
    "get_episode",
    "list_episodes",
    "stress_table",
]

STRESS_COLUMNS = [
    "episode", "numeraire", "holding", "first_date", "last_date", "change", "max_drawdown",
]
"""Columns of :attr:`StressResult.table`, in order."""

BASKET = "basket"
"""The ``holding`` label of the basket itself (the other holdings are currency codes)."""

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EPISODE_FIELDS = {"name", "title", "start", "end", "description", "source"}


def _to_date(value: Any, what: str) -> dt.date:
    """An episode's date: a TOML date, a date object or ISO text (see :mod:`basket.dates`)."""
    try:
        ts = to_timestamp(value, what) if value is not None else None
    except DataError as exc:
        raise SpecError(str(exc)) from None
    if ts is None:
        raise SpecError(f"{what} is missing; write it as YYYY-MM-DD")
    day: dt.date = ts.date()
    return day


@dataclass(frozen=True)
class Episode:
    """A named stress window (frozen).

    Parameters
    ----------
    name : str
        Slug such as ``"lehman-2008"`` (lower case, digits and hyphens).
    title : str
        Human-readable title.
    start, end : datetime.date or str
        Inclusive calendar window; ``start`` must not be after ``end``.
    description : str
        What happened, and why the window starts and ends where it does.
    source : dict of str to str
        A public reference: ``citation`` and ``url``.

    Raises
    ------
    SpecError
        A malformed name or date.
    SimulationError
        ``start`` after ``end``.

    Examples
    --------
    >>> ep = Episode("q1-2020", "First quarter 2020", "2020-01-01", "2020-03-31")
    >>> ep.start, ep.end
    (datetime.date(2020, 1, 1), datetime.date(2020, 3, 31))
    """

    name: str
    title: str
    start: dt.date
    end: dt.date
    description: str = ""
    source: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _SLUG.match(self.name):
            raise SpecError(
                f"episode name {self.name!r} is not a slug; use lower-case words joined by "
                "hyphens, e.g. 'lehman-2008'"
            )
        object.__setattr__(self, "start", _to_date(self.start, f"episode {self.name!r} start"))
        object.__setattr__(self, "end", _to_date(self.end, f"episode {self.name!r} end"))
        if self.start > self.end:
            raise SimulationError(
                f"episode {self.name!r} starts {self.start} after it ends {self.end}; swap them"
            )
        object.__setattr__(self, "source", {str(k): str(v) for k, v in self.source.items()})

    def to_dict(self) -> dict[str, Any]:
        """Return the episode as plain data (dates as ISO strings)."""
        return {
            "name": self.name,
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "description": self.description,
            "source": dict(self.source),
        }


def custom_window(start: Any, end: Any, name: str = "custom") -> Episode:
    """Return an :class:`Episode` for a user-chosen window.

    Parameters
    ----------
    start, end : date-like
        Inclusive window.
    name : str, default "custom"
        Slug used in the ``episode`` column.

    Raises
    ------
    SimulationError
        If ``start`` is after ``end``.

    Examples
    --------
    >>> custom_window("2020-03-01", "2020-03-31").title
    'Custom window 2020-03-01 to 2020-03-31'
    """
    s = _to_date(start, "start")
    e = _to_date(end, "end")
    if s > e:
        raise SimulationError(f"custom window: start {s} is after end {e}; swap them")
    return Episode(name, f"Custom window {s} to {e}", s, e, "A window chosen by the user.")


def _episodes_file() -> Any:
    return resources.files("basket").joinpath("resources").joinpath("episodes.toml")


def list_episodes() -> list[Episode]:
    """Return the stress episodes shipped with ``basket``, in chronological order.

    Returns
    -------
    list of Episode

    Raises
    ------
    SpecError
        If the shipped file is missing or malformed (a broken installation).

    Examples
    --------
    >>> [e.name for e in list_episodes()][:2]
    ['lehman-2008', 'euro-crisis-2010']
    """
    entry = _episodes_file()
    try:
        raw = tomllib.loads(entry.read_text(encoding="utf-8"))
    except FileNotFoundError:  # pragma: no cover - broken installation
        raise SpecError(
            "basket/resources/episodes.toml is missing; reinstall libra-basket"
        ) from None
    items = raw.get("episode")
    if not isinstance(items, list) or not items:
        raise SpecError("episodes.toml has no [[episode]] tables")
    out = []
    for i, item in enumerate(items, 1):
        extra = sorted(set(item) - _EPISODE_FIELDS)
        missing = sorted(_EPISODE_FIELDS - set(item))
        if extra or missing:
            what = f"unknown field {extra[0]!r}" if extra else f"missing field {missing[0]!r}"
            raise SpecError(f"episodes.toml, episode {i}: {what}")
        out.append(Episode(**item))
    names = [e.name for e in out]
    if len(set(names)) != len(names):
        raise SpecError("episodes.toml names an episode twice")
    return sorted(out, key=lambda e: (e.start, e.end))


def get_episode(name: str) -> Episode:
    """Return a shipped episode by name.

    Raises
    ------
    SimulationError
        If no shipped episode has that name (with the closest name and the list).

    Examples
    --------
    >>> get_episode("brexit-2016").start
    datetime.date(2016, 6, 23)
    """
    shipped = {e.name: e for e in list_episodes()}
    key = str(name).strip().lower()
    if key in shipped:
        return shipped[key]
    close = difflib.get_close_matches(key, list(shipped), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise SimulationError(
        f"unknown episode {name!r}{hint}; use one of {', '.join(shipped)} "
        "(see 'basket stress --list') or a custom start/end"
    )


def _window_rows(index: pd.DatetimeIndex, episode: Episode) -> tuple[int, int]:
    lo = int(index.searchsorted(pd.Timestamp(episode.start), side="left"))
    hi = int(index.searchsorted(pd.Timestamp(episode.end), side="right"))
    if hi - lo < 2:
        raise DataError(
            f"episode {episode.name!r} ({episode.start} to {episode.end}) has {max(hi - lo, 0)} "
            "date(s) with quotes; it needs two, pick a longer window or another source"
        )
    return lo, hi


def stress_table(
    values: pd.DataFrame,
    panel: pd.DataFrame,
    episodes: Sequence[Episode],
    holdings: Sequence[str] = (),
) -> pd.DataFrame:
    """Change and worst drawdown of a basket and of each currency held alone, per episode.

    Parameters
    ----------
    values : pandas.DataFrame
        The basket's value per date (rows, a DatetimeIndex) in each numeraire (columns), as in
        :attr:`basket.BacktestResult.values`. No NaN.
    panel : pandas.DataFrame
        USD per unit on (at least) the same dates, with a column for every holding and every
        numeraire. A holding may be NaN on dates it is not quoted or not held; it is then left
        out of the episodes where that happens.
    episodes : sequence of Episode
        The windows, in the order the rows should follow.
    holdings : sequence of str, optional
        Currencies to report held alone, beside the basket (e.g. its constituents).

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per (episode, numeraire, holding), columns :data:`STRESS_COLUMNS`:
        ``holding`` is ``"basket"`` or a currency code, ``first_date``/``last_date`` are the
        window's first and last dates with quotes, ``change`` is the simple return between them
        and ``max_drawdown`` (<= 0) the worst fall from a running peak inside the window.

    Raises
    ------
    DataError
        If a numeraire or holding has no column in ``panel``, ``panel`` lacks a date of
        ``values``, or an episode has fewer than two dates.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-03"], name="date")
    >>> fx = pd.DataFrame({"USD": [1.0, 1.0, 1.0], "EUR": [1.0, 0.8, 0.9]}, index=idx)
    >>> v = pd.DataFrame({"USD": [1.0, 0.9, 0.95]}, index=idx)
    >>> ep = Episode("all", "All", "2020-01-01", "2020-01-03")
    >>> t = stress_table(v, fx, [ep], holdings=["EUR"])
    >>> t[["holding", "change", "max_drawdown"]].round(6)
      holding  change  max_drawdown
    0  basket   -0.05          -0.1
    1     EUR   -0.10          -0.2
    """
    if not isinstance(values.index, pd.DatetimeIndex):
        raise DataError("stress values need a DatetimeIndex of dates")
    numeraires = [str(k) for k in values.columns]
    holdings = list(holdings)
    missing = [c for c in dict.fromkeys([*numeraires, *holdings]) if c not in panel.columns]
    if missing:
        raise DataError(f"the FX panel has no column for {', '.join(missing)}")
    index = pd.DatetimeIndex(values.index)
    absent = index.difference(panel.index)
    if len(absent):
        raise DataError(f"the FX panel has no row for {absent[0].date()}, a date of the values")
    prices = panel.reindex(index)
    v = values.to_numpy(dtype=np.float64)                             # (T, K)
    pk = prices.loc[:, numeraires].to_numpy(dtype=np.float64)         # (T, K)
    ph = prices.loc[:, holdings].to_numpy(dtype=np.float64)           # (T, H)
    if np.isnan(v).any() or np.isnan(pk).any():
        raise DataError("the basket values and numeraire prices must have no NaN")
    labels = [BASKET, *holdings]
    rows: list[dict[str, Any]] = []
    for ep in episodes:
        lo, hi = _window_rows(index, ep)
        # every holding in every numeraire: (T_e, 1 + H, K)
        alone = ph[lo:hi, :, None] / pk[lo:hi, None, :]
        both = np.concatenate([v[lo:hi, None, :], alone], axis=1)
        ok = ~np.isnan(both).any(axis=0)                               # (1 + H, K)
        with np.errstate(invalid="ignore"):
            change = both[-1] / both[0] - 1.0
            drawdown = (both / np.maximum.accumulate(both, axis=0) - 1.0).min(axis=0)
        first, last = index[lo], index[hi - 1]
        for j, k in enumerate(numeraires):
            for i, label in enumerate(labels):
                if not ok[i, j]:
                    continue
                rows.append({
                    "episode": ep.name,
                    "numeraire": k,
                    "holding": label,
                    "first_date": first,
                    "last_date": last,
                    "change": float(change[i, j]),
                    "max_drawdown": min(float(drawdown[i, j]), 0.0),
                })
    table = pd.DataFrame(rows, columns=STRESS_COLUMNS)
    for col in ("change", "max_drawdown"):
        table[col] = table[col].astype(np.float64)
    for col in ("first_date", "last_date"):
        table[col] = pd.to_datetime(table[col])
    return table
