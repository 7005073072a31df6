"""Results of a reserve simulation: :class:`ReservePaths` (numpy), :class:`ReserveResult` (pandas).

:func:`basket.treasury.model.simulate_reserve` returns a :class:`ReservePaths` for array input
(one path or many simulated ones at once) and a :class:`ReserveResult` for an FX panel; both are
frozen.

Conventions, stated once for the module (the model is described in :mod:`basket.treasury.model`):
amounts are US dollars unless a name says otherwise; ``backing`` is the reserve measured in coins
(it holds ``backing x units_c`` of each currency ``c``); **coverage** is the reserve's value over
the coins' value, ``backing / coins`` (1 when no coins are outstanding), and ``coverage with
buffer`` adds the capital buffer to the reserve. A day counts as *below full backing* when its
coverage is under ``1 - BACKING_TOLERANCE``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from basket._json import to_jsonable as _json

__all__ = ["BACKING_TOLERANCE", "ReservePaths", "ReserveResult"]

BACKING_TOLERANCE = 1e-12
"""A day counts as below full backing when coverage < 1 - this (relative)."""


@dataclass(frozen=True)
class ReservePaths:
    """The reserve on one path (arrays of shape (T,)) or many (shape (P, T)): numpy only.

    Attributes
    ----------
    dates : pandas.DatetimeIndex
    currencies : tuple of str
    coins, mint, burn : ndarray, shape (T,)
        Coins outstanding after each day's flows; coins minted and burned that day.
    stress : ndarray of bool, shape (T,)
        Run days (stressed transaction costs).
    basket_usd : ndarray
        Value of one coin in USD.
    backing : ndarray
        The reserve in coins: it holds ``backing x units_c`` of each currency.
    buffer_usd : ndarray
        Capital buffer (USD) after each day.
    income_usd, opex_usd, cost_usd, rebalance_usd, payout_usd, drawn_usd, unpaid_usd : ndarray
        That day's interest income (negative with negative rates), operating costs, transaction
        costs, payment to follow a change in the basket's amounts, payout, draw on the buffer and
        redemptions or costs the reserve could not pay.
    settings : dict
        Every assumption used (rates, costs, policy, day count...).
    """

    dates: pd.DatetimeIndex
    currencies: tuple[str, ...]
    coins: np.ndarray
    mint: np.ndarray
    burn: np.ndarray
    stress: np.ndarray
    basket_usd: np.ndarray
    backing: np.ndarray
    buffer_usd: np.ndarray
    income_usd: np.ndarray
    opex_usd: np.ndarray
    cost_usd: np.ndarray
    rebalance_usd: np.ndarray
    payout_usd: np.ndarray
    drawn_usd: np.ndarray
    unpaid_usd: np.ndarray
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_paths(self) -> int | None:
        """Number of paths, or ``None`` for a single path."""
        return None if self.backing.ndim == 1 else int(self.backing.shape[0])

    @property
    def reserve_usd(self) -> np.ndarray:
        """Reserve value in USD (``backing x basket_usd``), without the buffer."""
        value: np.ndarray = self.backing * self.basket_usd
        return value

    @property
    def coverage(self) -> np.ndarray:
        """Reserve value / (coins x coin value): ``backing / coins`` (1 with no coins)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.coins > 0, self.backing / np.where(self.coins > 0, self.coins, 1),
                            1.0)

    @property
    def coverage_with_buffer(self) -> np.ndarray:
        """(Reserve + buffer) / (coins x coin value) (1 with no coins)."""
        owed = self.coins * self.basket_usd
        safe = np.where(owed > 0, owed, 1.0)
        return np.where(owed > 0, (self.reserve_usd + self.buffer_usd) / safe, 1.0)

    def path_summary(self) -> dict[str, Any]:
        """Per-path figures: arrays of shape (P,) (floats for a single path).

        Keys: ``min_coverage``, ``min_coverage_row``, ``days_below_full_backing``,
        ``min_coverage_with_buffer``, ``buffer_used_usd`` (total drawn), ``buffer_end_usd``,
        ``income_usd``, ``opex_usd``, ``cost_usd``, ``payout_usd``, ``unpaid_usd``.
        """
        cov = self.coverage
        out: dict[str, Any] = {
            "min_coverage": cov.min(axis=-1),
            "min_coverage_row": cov.argmin(axis=-1),
            "days_below_full_backing": (cov < 1.0 - BACKING_TOLERANCE).sum(axis=-1),
            "min_coverage_with_buffer": self.coverage_with_buffer.min(axis=-1),
            "buffer_used_usd": self.drawn_usd.sum(axis=-1),
            "buffer_end_usd": self.buffer_usd[..., -1],
        }
        for key in ("income_usd", "opex_usd", "cost_usd", "payout_usd", "unpaid_usd"):
            out[key] = getattr(self, key).sum(axis=-1)
        if self.n_paths is None:
            return {k: (int(v) if k in ("min_coverage_row", "days_below_full_backing")
                        else float(v)) for k, v in out.items()}
        return out


@dataclass(frozen=True)
class ReserveResult:
    """What :func:`basket.reserve` and :func:`~basket.treasury.model.simulate_reserve` (a panel) return.

    Attributes
    ----------
    name : str
        The basket simulated.
    path : pandas.DataFrame
        One row per valuation date: ``coins``, ``mint``, ``burn``, ``stress``, ``basket_usd``,
        ``reserve_usd``, ``buffer_usd``, ``coverage``, ``coverage_with_buffer``, the day's
        ``income_usd``, ``opex_usd``, ``cost_usd``, ``rebalance_usd``, ``payout_usd``,
        ``drawn_usd``, ``unpaid_usd`` and the cumulative ``cum_income_usd``, ``cum_opex_usd``,
        ``cum_cost_usd``, ``cum_payout_usd``.
    reserve_value : pandas.DataFrame
        Reserve value (without the buffer) in each numeraire: USD, euros for ``EUR``...
    securities, cash : pandas.DataFrame
        Holdings in units of each currency after each day.
    income : pandas.DataFrame
        Each currency's interest income on each date, in USD (negative with negative rates).
    settings : dict
        Every assumption: rates, costs, share, policy, day count, scenarios.
    episodes : pandas.DataFrame
        What a run would have cost in each known crisis episode (empty unless computed by
        :func:`basket.reserve`).
    notes : tuple of str
        Caveats (skipped episodes...).
    title : str
        The basket's title for people (empty: use ``name``).
    """

    name: str
    path: pd.DataFrame
    reserve_value: pd.DataFrame
    securities: pd.DataFrame
    cash: pd.DataFrame
    income: pd.DataFrame
    settings: Mapping[str, Any] = field(default_factory=dict)
    episodes: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: tuple[str, ...] = ()
    title: str = ""

    @property
    def start(self) -> pd.Timestamp:
        """First date simulated."""
        return pd.Timestamp(self.path.index[0])

    @property
    def end(self) -> pd.Timestamp:
        """Last date simulated."""
        return pd.Timestamp(self.path.index[-1])

    def to_frame(self) -> pd.DataFrame:
        """The daily path with the reserve in each numeraire (``reserve_in_EUR``...), a copy."""
        return pd.concat([self.path, self.reserve_value.add_prefix("reserve_in_")], axis=1)

    def summary(self) -> pd.Series:
        """Headline figures, one per row (object Series: numbers and dates).

        ``min_coverage`` and its date, ``days_below_full_backing``, the same with the buffer,
        ``buffer_start_usd``/``buffer_end_usd``/``buffer_used_usd`` (total drawn), the totals
        of income, operating and transaction costs, payout and unpaid redemptions, and each
        currency's income (``income_EUR_usd``...).
        """
        p = self.path
        cov, cwb = p["coverage"], p["coverage_with_buffer"]
        buffer0 = float(self.settings.get("buffer_usd", p["buffer_usd"].iloc[0]))
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "dates": len(p),
            "coins_start": float(p["coins"].iloc[0] + p["burn"].iloc[0] - p["mint"].iloc[0]),
            "coins_end": float(p["coins"].iloc[-1]),
            "reserve_usd_end": float(p["reserve_usd"].iloc[-1]),
            "min_coverage": float(cov.min()),
            "min_coverage_date": cov.idxmin(),
            "days_below_full_backing": int((cov < 1.0 - BACKING_TOLERANCE).sum()),
            "min_coverage_with_buffer": float(cwb.min()),
            "min_coverage_with_buffer_date": cwb.idxmin(),
            "days_below_full_backing_with_buffer": int((cwb < 1.0 - BACKING_TOLERANCE).sum()),
            "buffer_start_usd": buffer0,
            "buffer_end_usd": float(p["buffer_usd"].iloc[-1]),
            "buffer_used_usd": float(p["drawn_usd"].sum()),
            "income_usd": float(p["income_usd"].sum()),
            "opex_usd": float(p["opex_usd"].sum()),
            "cost_usd": float(p["cost_usd"].sum()),
            "payout_usd": float(p["payout_usd"].sum()),
            "unpaid_usd": float(p["unpaid_usd"].sum()),
        }
        for c, v in self.income.sum().items():
            out[f"income_{c}_usd"] = float(v)
        return pd.Series(out, dtype=object, name=self.name)

    def figures(self) -> pd.DataFrame:
        """What :meth:`to_dict` holds, as one tidy frame (what ``--format csv`` prints).

        Columns ``part`` (``summary``, ``setting``, ``episode`` or ``note``), ``episode`` (its
        name on episode rows), ``figure`` and ``value``; settings that are tables (rates,
        costs) are JSON text.
        """
        import json

        rows: list[tuple[str, str, str, Any]] = []
        for k, v in self.summary().items():
            rows.append(("summary", "", str(k), _json(v)))
        for k, v in self.settings.items():
            value = _json(v)
            if isinstance(value, (dict, list)):
                value = json.dumps(value, sort_keys=True)
            rows.append(("setting", "", str(k), value))
        if not self.episodes.empty:
            for name, row in self.episodes.iterrows():
                for k, v in row.items():
                    rows.append(("episode", str(name), str(k), _json(v)))
        for note in self.notes:
            rows.append(("note", "", "note", note))
        return pd.DataFrame(rows, columns=["part", "episode", "figure", "value"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``basket``, ``settings``, ``summary``, ``episodes`` and ``notes``."""
        eps = {}
        if not self.episodes.empty:
            for name, row in self.episodes.iterrows():
                eps[str(name)] = {str(k): _json(v) for k, v in row.items()}
        return {
            "basket": self.name,
            "settings": _json(dict(self.settings)),
            "summary": {k: _json(v) for k, v in self.summary().items()},
            "episodes": eps,
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"ReserveResult(basket={self.name!r}, {self.start.date()}..{self.end.date()}, "
            f"min_coverage={s['min_coverage']:.6g}, buffer_end_usd={s['buffer_end_usd']:.6g})"
        )

    def _repr_html_(self) -> str:
        head = (f"<h4>Reserve of {self.name}, {self.start.date()} to {self.end.date()} "
                f"({', '.join(self.settings.get('scenario', ()) or ['no flows'])})</h4>")
        body = self.summary().to_frame("value").to_html()
        if not self.episodes.empty:
            body += "<h5>A run in each crisis episode</h5>" + self.episodes.to_html(
                float_format=lambda x: f"{x:.6g}")
        return head + str(body)

