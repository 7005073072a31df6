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

__all__ = ["BACKING_TOLERANCE", "EPISODE_KINDS", "SUMMARY_KINDS", "ReservePaths", "ReserveResult"]

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
        """Headline figures, one per row, each a plain Python value of its own type.

        Returns
        -------
        pandas.Series
            Indexed by figure name (``name`` the basket). A Series holding numbers and dates
            has dtype ``object``, but no value is a string: dates are :class:`pandas.Timestamp`
            (``start``, ``end``, ``min_coverage_date``, ``min_coverage_with_buffer_date``),
            counts are ``int`` (``dates``, ``days_below_full_backing``,
            ``days_below_full_backing_with_buffer``), everything else is a ``float``: coins
            (``coins_start``, ``coins_end``), coverage as a fraction (``min_coverage``,
            ``min_coverage_with_buffer``; 1.0 is fully backed) and US-dollar amounts, named
            ``*_usd`` (``reserve_usd_end``, ``buffer_start_usd``, ``buffer_end_usd``,
            ``buffer_used_usd`` (total drawn), the totals ``income_usd``, ``opex_usd``,
            ``cost_usd``, ``payout_usd``, ``unpaid_usd``, and each currency's income
            ``income_EUR_usd``...). Read one figure as ``s["min_coverage"]``; :data:`SUMMARY_KINDS`
            says how each is shown (the notebook view, :meth:`_repr_html_`).

        Notes
        -----
        A Series rather than a one-row DataFrame, so that a figure is a scalar (``s["key"]``)
        and ``s.items()`` walks the figures, as the command line and :meth:`to_dict` do.
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
            "min_coverage_date": pd.Timestamp(cov.idxmin()),
            "days_below_full_backing": int((cov < 1.0 - BACKING_TOLERANCE).sum()),
            "min_coverage_with_buffer": float(cwb.min()),
            "min_coverage_with_buffer_date": pd.Timestamp(cwb.idxmin()),
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
        figures = pd.Series(out, dtype=object, name=self.name)
        figures.index.name = "figure"
        return figures

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
        from basket._repr import frame_html, title_html

        s = self.summary()
        body = _summary_table(s)
        if not self.episodes.empty:
            ep = self.episodes.drop(columns=[c for c in ("title",) if c in self.episodes])
            kinds = {_EPISODE_LABELS.get(c, c): EPISODE_KINDS.get(c, "num") for c in ep.columns}
            body += frame_html(ep.rename(columns=_EPISODE_LABELS), kinds,  # type: ignore[arg-type]
                               index_label="episode",
                               caption="A run in each crisis episode (same settings)")
        flows = ", ".join(self.settings.get("scenario", ()) or ["no flows"])
        return str(title_html(f"Reserve of {self.title or self.name}, {self.start.date()} to "
                              f"{self.end.date()} ({flows})") + body)


SUMMARY_KINDS: Mapping[str, str] = {
    "start": "date", "end": "date", "dates": "count", "coins_start": "count",
    "coins_end": "count", "min_coverage": "pct", "min_coverage_date": "date",
    "days_below_full_backing": "count", "min_coverage_with_buffer": "pct",
    "min_coverage_with_buffer_date": "date", "days_below_full_backing_with_buffer": "count",
}
"""How each figure of :meth:`ReserveResult.summary` is shown: the rest are USD amounts."""

EPISODE_KINDS: Mapping[str, str] = {
    "first_date": "date", "last_date": "date", "run": "text", "redeemed_coins": "count",
    "redeemed_usd": "usd", "cost_usd": "usd", "cost_bps": "num", "income_usd": "usd",
    "buffer_used_usd": "usd", "min_coverage": "pct", "min_coverage_with_buffer": "pct",
    "coverage_end": "pct", "basket_usd_change": "pct",
}
"""How each column of :attr:`ReserveResult.episodes` is shown."""

_EPISODE_LABELS = {
    "first_date": "first", "last_date": "last", "redeemed_coins": "coins out",
    "redeemed_usd": "paid out, USD", "cost_usd": "cost, USD", "cost_bps": "cost, bp",
    "income_usd": "income, USD", "buffer_used_usd": "buffer drawn, USD",
    "min_coverage": "lowest coverage", "min_coverage_with_buffer": "lowest with buffer",
    "coverage_end": "coverage at the end", "basket_usd_change": "coin's USD change",
}

_SUMMARY_LABELS = {
    "start": "first date", "end": "last date", "dates": "valuation dates",
    "coins_start": "coins at the start", "coins_end": "coins at the end",
    "reserve_usd_end": "reserve at the end, USD", "min_coverage": "lowest coverage",
    "min_coverage_date": "lowest coverage on", "days_below_full_backing":
    "days below full backing", "min_coverage_with_buffer": "lowest coverage with the buffer",
    "min_coverage_with_buffer_date": "lowest coverage with the buffer on",
    "days_below_full_backing_with_buffer": "days below full backing with the buffer",
    "buffer_start_usd": "buffer at the start, USD", "buffer_end_usd": "buffer at the end, USD",
    "buffer_used_usd": "buffer drawn, USD", "income_usd": "interest income, USD",
    "opex_usd": "operating costs, USD", "cost_usd": "transaction costs, USD",
    "payout_usd": "paid out, USD", "unpaid_usd": "unpaid redemptions, USD",
}


def _label(key: str) -> str:
    if key in _SUMMARY_LABELS:
        return _SUMMARY_LABELS[key]
    if key.startswith("income_") and key.endswith("_usd"):
        return f"interest income from {key[len('income_'):-len('_usd')]}, USD"
    return key.replace("_", " ")


def _summary_table(summary: pd.Series) -> str:
    """The summary as label / value rows, each value in its own style."""
    import html

    from basket._repr import cell

    cells = "".join(
        f'<tr><th style="text-align:left">{html.escape(_label(str(key)))}</th>'
        f'<td style="text-align:right;white-space:nowrap;padding:0.15em 0.6em">'
        f"{cell(value, SUMMARY_KINDS.get(str(key), 'usd'))}</td></tr>"  # type: ignore[arg-type]
        for key, value in summary.items()
    )
    return ('<div style="max-width:100%;overflow-x:auto;margin:0.3em 0 0.8em"><table>'
            f"<tbody>{cells}</tbody></table></div>")
