"""The FX panel a basket needs: loaded from a source, or the user's own (validated) panel.

Every face (``price``, ``backtest``, ``simulate``, ``stress``, ``optimize``, ``reserve``) gets its
data here, so they share one contract: the panel is checked by
:func:`~basket.data.panel.validate_panel` whether it was loaded or passed in, and a weights
basket's **base-date prices** come from the same data (the last quote on or before the base
date, at most a week before it). The base currency of a weights basket is loaded with it even
when the basket does not hold it.

An index (a spec with ``constant`` or ``base_level``) is a level, not a holding: it is loaded
by :func:`index_panel_for` (its basket's currencies and its base currency, with the quotes on
its base date when it is fixed there), and :func:`panel_for` / :func:`load_panel_for` refuse it,
so a face that values holdings (simulation, stress, reserve) never takes a level for a value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from basket.currencies import union_codes
from basket.data import (
    SourceLike,
    SourceOptions,
    check_coverage,
    fetch_aligned,
    fetch_panel,
    memo,
    warn_gaps,
)
from basket.data.panel import validate_panel
from basket.dates import to_timestamp
from basket.errors import DataError, SpecError
from basket.spec import BasketSpec
from basket.valuation.engine import base_date_row

__all__ = [
    "BASE_DATE_TOLERANCE_DAYS", "Loaded", "PriceTable", "currency_panel", "index_panel_for",
    "load_panel_for", "panel_for", "price_table", "spec_key", "validate_holding",
]

BASE_DATE_TOLERANCE_DAYS = 7
"""A weights basket's base-date quote may be at most this many days older than the base date."""


@dataclass(frozen=True)
class Loaded:
    """What a face works on: the panel, the base-date prices and the source's name.

    ``notes`` are the messages of the :class:`~basket.errors.DataGapWarning` s given while it
    was loaded (already given; kept for a face that memoises what it derives from the panel
    and gives them again on later calls).
    """

    panel: pd.DataFrame
    base_prices: pd.Series | None
    source: str
    notes: tuple[str, ...] = ()


def _range(start: Any, end: Any) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    t0, t1 = to_timestamp(start, "start"), to_timestamp(end, "end")
    if t0 is not None and t1 is not None and t0 > t1:
        raise DataError(f"start {t0.date()} is after end {t1.date()}; swap them")
    return t0, t1


def _needs_base_prices(spec: BasketSpec) -> bool:
    """A weights basket fixes its amounts on its base date; an index may be fixed there too."""
    if spec.base_level is not None:
        return True
    return spec.weights is not None and not (spec.constant is not None and spec.method == "geometric")


def validate_holding(spec: BasketSpec, face: str = "valuing holdings") -> BasketSpec:
    """Return ``spec`` if it is a basket one can hold; an index (a level) raises.

    Raises
    ------
    SpecError
        ``spec`` is an index: ``face`` values holdings, not levels.
    """
    if spec.is_index:
        raise SpecError(
            f"{spec.name!r} is an index of {spec.base_currency} (a unitless level), not a basket one "
            f"can hold; {face} needs a basket, so measure the index with basket.backtest"
        )
    return spec


def _base_prices(spec: BasketSpec, panel: pd.DataFrame, where: str) -> pd.Series | None:
    """The quotes in force on a spec's base date (``None`` when nothing is fixed there)."""
    if not _needs_base_prices(spec):
        return None
    base = pd.Timestamp(spec.base_date)
    first = panel.index[0]
    if base < first:
        raise DataError(
            f"basket {spec.name!r} fixes its amounts on its base date {base.date()}, before "
            f"{where} starts ({first.date()}); use data that covers the base date"
        )
    row = base_date_row(pd.DatetimeIndex(panel.index), base)
    if (base - panel.index[row]).days > BASE_DATE_TOLERANCE_DAYS:
        raise DataError(
            f"{where} has no quote within a week before the base date {base.date()} of "
            f"{spec.name!r}; use data that covers the base date"
        )
    return panel.iloc[row]


def load_panel_for(
    spec: BasketSpec,
    start: Any = None,
    end: Any = None,
    numeraires: Sequence[str] = (),
    source: SourceLike = "ecb",
) -> tuple[pd.DataFrame, pd.Series | None]:
    """Load the FX panel a basket needs, and its base-date prices.

    For a weights basket the panel covers the basket's currencies, its base currency and the
    numeraires from ``start`` to ``end``, and the base-date prices come from the same source.
    For an amounts basket with periods, each period is loaded with its own currencies (plus the
    numeraires) and the pieces are stacked, so a currency is NaN on dates when the basket does
    not hold it.

    Parameters
    ----------
    spec : BasketSpec
    start, end : date-like, optional
        Inclusive range; by default all the data the source has for the basket.
    numeraires : sequence of str
        Extra currencies to load.
    source : str, path-like, FXSource or SourceOptions, default "ecb"

    Returns
    -------
    (panel, base_prices)
        ``base_prices`` is ``None`` for an amounts basket.

    Raises
    ------
    DataError
        A range outside the data, a base date the data does not cover, an unknown currency.
    SpecError
        An index: it is loaded by :func:`index_panel_for`.
    """
    validate_holding(spec)
    panel, base_prices, _ = _load(spec, start, end, numeraires, source)
    return panel, base_prices


def spec_key(spec: BasketSpec) -> tuple[Any, ...]:
    """Every field of a spec that its data or its values depend on, as a hashable key.

    Built from the fields themselves on each call (a few microseconds), so a spec whose
    ``weights`` dict was changed in place gets a new key rather than a stale memo entry.
    """
    weights = None if spec.weights is None else tuple(spec.weights.items())
    periods = None if spec.periods is None else tuple(
        (p.start, tuple(p.amounts.items())) for p in spec.periods)
    return (spec.name, weights, periods, spec.base_date, spec.base_value, spec.base_currency,
            spec.method, spec.rebalance, spec.rounding, spec.constant, spec.base_level,
            spec.rises_when)


def _load(spec: BasketSpec, start: Any, end: Any, numeraires: Sequence[str],
          source: SourceLike) -> tuple[pd.DataFrame, pd.Series | None, tuple[str, ...]]:
    """:func:`load_panel_for` for any spec with a base date or amounts (indices included),
    with the messages of the warnings it gave.

    Memoised per source version, spec, range, numeraires and alignment rule
    (:mod:`basket.data.memo`): a second call reads, checks and aligns nothing again, gets
    frames of its own and the same warnings.
    """
    opts = SourceOptions.of(source)
    src = opts.open()
    t0, t1 = _range(start, end)
    version = memo.source_version(src)
    key = None
    if version is not None:
        key = (version, spec_key(spec), t0, t1, tuple(numeraires), opts.fill, opts.limit)
        hit = memo.LOADED.get(key)
        if hit is not None:
            warn_gaps(hit[2], stacklevel=4)
            return memo.share(hit[0]), memo.share(hit[1]), hit[2]
    notes: list[str] = []
    try:
        panel, base_prices = _load_fresh(spec, t0, t1, numeraires, src, opts, notes)
    except DataError:
        warn_gaps(notes, stacklevel=4)      # what was dropped before the failure, as before
        raise
    if key is not None:
        memo.LOADED.put(key, (panel, base_prices, tuple(notes)), memo.nbytes(panel, base_prices))
    warn_gaps(notes, stacklevel=4)
    return memo.share(panel), memo.share(base_prices), tuple(notes)


def _load_fresh(spec: BasketSpec, t0: pd.Timestamp | None, t1: pd.Timestamp | None,
                numeraires: Sequence[str], src: Any, opts: SourceOptions, notes: list[str]
                ) -> tuple[pd.DataFrame, pd.Series | None]:
    """What :func:`_load` memoises: the panel and the base-date prices (the alignment's
    warnings go to ``notes``)."""
    if spec.weights is not None:
        codes = union_codes(spec.currencies, [spec.base_currency], numeraires)
        base = pd.Timestamp(spec.base_date)
        lo = None if t0 is None else min(t0, base)
        hi = None if t1 is None else max(t1, base)
        first, _ = check_coverage(src, union_codes(spec.currencies, [spec.base_currency]),
                                  None, None)
        if first is not None and base < first - pd.Timedelta(days=BASE_DATE_TOLERANCE_DAYS):
            raise DataError(
                f"basket {spec.name!r} fixes its amounts on its base date {base.date()}, before "
                f"the data of source {src.name!r} starts ({first.date()}); use data that covers "
                "the base date"
            )
        wide, wide_notes = fetch_aligned(src, codes, lo, hi, opts)
        notes.extend(wide_notes)
        base_prices = _base_prices(spec, wide, f"the data of source {src.name!r}")
        panel = wide.loc[t0:t1]
        if panel.empty:
            raise DataError(
                f"no FX data between {_day(t0)} and {_day(t1)} in source {src.name!r}; "
                "widen the date range"
            )
        return panel, base_prices
    return _load_periods(spec, t0, t1, numeraires, src, opts, notes), None


def _day(ts: pd.Timestamp | None) -> str:
    return "the first date" if ts is None else str(ts.date())


def _load_periods(spec: BasketSpec, t0: pd.Timestamp | None, t1: pd.Timestamp | None,
                  numeraires: Sequence[str], src: Any, opts: SourceOptions,
                  notes: list[str]) -> pd.DataFrame:
    """An amounts basket's panel: each period with its own currencies, stacked (the
    alignment's warnings go to ``notes``, not yet given)."""
    periods = spec.periods or ()
    first = pd.Timestamp(periods[0].start)
    if t0 is not None and t0 < first:
        raise DataError(
            f"basket {spec.name!r} starts on {first.date()}; pick --start on or after it"
        )
    pieces = []
    cov = src.available()
    for i, p in enumerate(periods):
        p_lo = pd.Timestamp(p.start)
        p_hi = (
            pd.Timestamp(periods[i + 1].start) - pd.Timedelta(days=1)
            if i + 1 < len(periods) else None
        )
        lo = p_lo if t0 is None else max(p_lo, t0)
        hi = p_hi if t1 is None else (t1 if p_hi is None else min(p_hi, t1))
        if hi is not None and lo > hi:
            continue
        codes = union_codes(p.amounts, numeraires)
        last = cov.loc[[c for c in codes if c in cov.index], "last"].min()
        if hi is None and pd.notna(last) and lo > last:
            continue
        piece, piece_notes = fetch_aligned(src, codes, lo, hi, opts)
        pieces.append(piece)
        notes.extend(piece_notes)
    if not pieces:
        raise DataError(
            f"no FX data for basket {spec.name!r} between {_day(t0)} and "
            f"{'the last date' if t1 is None else t1.date()} in source {src.name!r}; "
            "widen the date range"
        )
    return pd.concat(pieces, axis=0).reindex(columns=union_codes(spec.currencies, numeraires))


def panel_for(
    spec: BasketSpec,
    start: Any = None,
    end: Any = None,
    numeraires: Sequence[str] = (),
    source: SourceLike = "ecb",
    panel: pd.DataFrame | None = None,
) -> Loaded:
    """The data a face works on: ``panel`` if given (validated), else loaded from ``source``.

    Parameters
    ----------
    spec : BasketSpec
    start, end : date-like, optional
        Inclusive range.
    numeraires : sequence of str
        Extra currencies the face needs.
    source : str, path-like, FXSource or SourceOptions, default "ecb"
        Ignored when ``panel`` is given.
    panel : pandas.DataFrame, optional
        The user's FX panel, USD per unit; it must meet the panel contract
        (:func:`~basket.data.panel.validate_panel`), and for a weights basket cover its base
        date.

    Returns
    -------
    Loaded
        The panel sliced to ``start``..``end``, the base-date prices, the source's name.

    Raises
    ------
    DataError
        A panel breaking the contract (not a DataFrame, NaN, a non-positive rate...), a range
        outside the data, a base date the data does not cover.
    SpecError
        An index: it is loaded by :func:`index_panel_for`.
    """
    validate_holding(spec)
    if panel is None:
        opts = SourceOptions.of(source)
        fx, base_prices, notes = _load(spec, start, end, numeraires, opts)
        return Loaded(fx, base_prices, opts.name, notes)
    validate_panel(panel)
    if panel.empty:
        raise DataError("the FX panel is empty; give a panel with at least three dates")
    t0, t1 = _range(start, end)
    base_prices = _base_prices(spec, panel, "the panel")
    fx = panel if t0 is None and t1 is None else panel.loc[t0:t1]
    if fx.empty:
        raise DataError(
            f"the panel has no date between {_day(t0)} and "
            f"{'its last date' if t1 is None else t1.date()}; widen the date range"
        )
    return Loaded(fx, base_prices, "panel")


def index_panel_for(
    spec: BasketSpec,
    start: Any = None,
    end: Any = None,
    source: SourceLike = "ecb",
    panel: pd.DataFrame | None = None,
) -> Loaded:
    """The data an index is valued on: its basket's currencies and its base currency.

    Parameters
    ----------
    spec : BasketSpec
        An index (``spec.is_index``).
    start, end : date-like, optional
        Inclusive range; by default all the data the source has for the index.
    source : str, path-like, FXSource or SourceOptions, default "ecb"
        Ignored when ``panel`` is given.
    panel : pandas.DataFrame, optional
        The user's FX panel (USD per unit, meeting the panel contract).

    Returns
    -------
    Loaded
        The panel (the basket's currencies, then the base currency), the quotes in force on
        the base date when the index or its amounts are fixed there (else ``None``), the source.

    Raises
    ------
    DataError
        A range outside the data, a base date the data does not cover, an unknown currency.
    """
    codes = union_codes(spec.currencies, [spec.base_currency])
    if panel is not None:
        missing = [c for c in codes if c not in getattr(panel, "columns", ())]
        if missing:
            raise DataError(f"the FX panel has no column for {', '.join(missing)}")
        validate_panel(panel)
        if panel.empty:
            raise DataError("the FX panel is empty; give a panel with at least three dates")
        t0, t1 = _range(start, end)
        fx = panel.loc[t0:t1, codes]
        if fx.empty:
            raise DataError(f"the panel has no date between {_day(t0)} and {_day(t1)}; widen the range")
        return Loaded(fx, _base_prices(spec, panel, "the panel"), "panel")
    opts = SourceOptions.of(source)
    if spec.weights is not None and _needs_base_prices(spec):
        fx, base_prices, noted = _load(spec, start, end, [spec.base_currency], opts)
        return Loaded(fx.loc[:, codes], base_prices, opts.name, noted)
    src = opts.open()
    t0, t1 = _range(start, end)
    if spec.weights is not None:  # a geometric index scaled by a constant: nothing is fixed
        fx, noted = fetch_aligned(src, codes, t0, t1, opts)
        warn_gaps(noted)
        return Loaded(fx, None, opts.name, noted)
    notes: list[str] = []
    try:
        fx = _load_periods(spec, t0, t1, [spec.base_currency], src, opts, notes).loc[:, codes]
    finally:
        warn_gaps(notes)
    if spec.base_level is None:
        return Loaded(fx, None, opts.name, tuple(notes))
    base = pd.Timestamp(spec.base_date)
    held = union_codes(spec.period_at(base.date()).amounts, [spec.base_currency])
    try:
        near, near_notes = fetch_aligned(src, held, None, base, opts)  # quotes to the base date
    except DataError:
        raise DataError(
            f"{spec.name!r} is fixed on its base date {base.date()}, before source {src.name!r} "
            f"quotes {', '.join(held)}; pick a later base_date"
        ) from None
    warn_gaps(near_notes)
    return Loaded(fx, _base_prices(spec, near, f"the data of source {src.name!r}"), opts.name,
                  (*notes, *near_notes))


def currency_panel(
    codes: Sequence[str],
    start: Any = None,
    end: Any = None,
    source: SourceLike = "ecb",
    panel: pd.DataFrame | None = None,
) -> Loaded:
    """The FX panel of some currencies (no basket valuation, so no base date): loaded or given.

    For faces that study a basket's currencies rather than value the basket
    (:func:`basket.spillover`): ``codes`` are loaded from ``source`` over ``start``..``end``
    (by default the dates every code is quoted on), or taken from the user's ``panel``, which is
    validated like every panel and must hold a column for each code.

    Parameters
    ----------
    codes : sequence of str
        Upper-case ISO codes; the panel's columns follow this order.
    start, end : date-like, optional
        Inclusive range.
    source : str, path-like, FXSource or SourceOptions, default "ecb"
        Ignored when ``panel`` is given.
    panel : pandas.DataFrame, optional
        The user's FX panel, USD per unit (:func:`~basket.data.panel.validate_panel`).

    Returns
    -------
    Loaded
        The panel (columns ``codes``), no base prices, the source's name.

    Raises
    ------
    DataError
        A panel breaking the contract or missing a code, a range outside the data, an unknown
        currency.
    """
    t0, t1 = _range(start, end)
    if panel is None:
        opts = SourceOptions.of(source)
        src = opts.open()
        return Loaded(fetch_panel(src, list(codes), t0, t1, opts), None, opts.name)
    validate_panel(panel)
    missing = [c for c in codes if c not in panel.columns]
    if missing:
        raise DataError(
            f"the panel has no column for {', '.join(missing)}; add it, or choose currencies "
            f"among {', '.join(str(c) for c in panel.columns)}"
        )
    fx = panel.loc[t0:t1, list(codes)]
    if fx.empty:
        raise DataError(
            f"the panel has no date between {_day(t0)} and "
            f"{'its last date' if t1 is None else t1.date()}; widen the date range"
        )
    return Loaded(fx, None, "panel")


# ----------------------------------------------------------------------------- price tables
@dataclass(frozen=True)
class PriceTable:
    """A basket's price on every date of its memoised panel: what :func:`basket.price` reads.

    Attributes
    ----------
    dates : pandas.DatetimeIndex
        The panel's dates.
    stamps : ndarray of datetime64
        The same dates as a numpy array (searched directly).
    values : ndarray
        The price on each date (read-only).
    source : str
        The source's name.
    notes : tuple of str
        The warnings loading the panel gave (given again with every price read from it).
    """

    dates: pd.DatetimeIndex
    stamps: np.ndarray
    values: np.ndarray
    source: str
    notes: tuple[str, ...]

    @property
    def ticks(self) -> np.ndarray:
        """The dates as integers in their own unit (:attr:`unit`), searched by
        :func:`basket.price`."""
        return self.stamps.view(np.int64)

    @property
    def unit(self) -> str:
        """The dates' unit (``"us"`` for pandas 3's parsed dates)."""
        return np.datetime_data(self.stamps.dtype)[0]


def price_table(spec: BasketSpec, numeraire: str | None, source: SourceLike,
                prices: Callable[[Loaded], np.ndarray]) -> PriceTable | None:
    """The price of ``spec`` in ``numeraire`` on every date its source gives, memoised.

    ``prices(loaded)`` values the basket on every row of the panel loaded as
    :func:`basket.price` loads it (:func:`index_panel_for` for an index, ``numeraire`` ``None``;
    else :func:`panel_for` with the numeraire). The table is kept per source version, spec,
    numeraire and alignment rule (:mod:`basket.data.memo`); ``None`` when the source has no
    version, or ``refresh`` asks for a download now (nothing is memoised then). Loading errors
    propagate and nothing is kept.
    """
    opts = SourceOptions.of(source)
    if opts.refresh:
        return None
    version = memo.source_version(opts.open())
    if version is None:
        return None
    key = ("price", version, spec_key(spec), numeraire, opts.fill, opts.limit)
    table: PriceTable | None = memo.DERIVED.get(key)
    if table is not None:
        warn_gaps(table.notes, stacklevel=4)
        return table
    if numeraire is None:
        data = index_panel_for(spec, None, None, opts)
    else:
        data = panel_for(spec, None, None, [numeraire], opts)
    values = np.array(prices(data), dtype=np.float64)
    values.flags.writeable = False
    dates = pd.DatetimeIndex(data.panel.index)
    stamps = dates.to_numpy().copy()
    stamps.flags.writeable = False
    table = PriceTable(dates, stamps, values, data.source, data.notes)
    memo.DERIVED.put(key, table, stamps.nbytes + values.nbytes)
    return table
