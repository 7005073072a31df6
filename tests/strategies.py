"""Hypothesis strategies for ``basket``: ISO codes, FX panels, simplex weights, specs, rules.

Every panel drawn here meets the FX panel contract (:func:`basket.data.panel.validate_panel`):
a ``DatetimeIndex`` named ``date`` of business days (a few dropped as holidays), float64 US
dollars per unit, ``USD`` exactly 1.0 when present, every rate finite and positive.

Prices are bounded log random walks. The steps come from a ``numpy.random.Generator`` seeded by
a drawn integer rather than from one hypothesis draw per cell: a review rule needs more than a
year of rows, and drawing thousands of floats one by one would dominate the suite's runtime.
Hypothesis still draws (and shrinks) the seed, the shape, the start date, each currency's level
and step size, so a failure reproduces from the printed blob.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from basket.data.panel import validate_panel
from basket.spec import WEIGHT_TOLERANCE, BasketSpec

__all__ = [
    "ISO_CODES",
    "LEVELS",
    "Case",
    "bases",
    "cases",
    "code_lists",
    "fx_panels",
    "iso_codes",
    "rules",
    "simplex_weights",
    "specs",
]

LEVELS: dict[str, float] = {
    "EUR": 1.12, "JPY": 0.0092, "GBP": 1.27, "SGD": 0.74, "CHF": 1.01, "CAD": 0.75,
    "AUD": 0.69, "CNY": 0.145, "HKD": 0.128, "SEK": 0.105, "NOK": 0.115, "KRW": 0.00085,
    "INR": 0.0143, "BRL": 0.26, "MXN": 0.052, "ZAR": 0.069, "NZD": 0.65, "DKK": 0.15,
    "PLN": 0.26, "KWD": 3.29,
}
"""Typical US dollars per unit (mid-2019): real codes with realistic magnitudes (1e-4 .. 3)."""

ISO_CODES: tuple[str, ...] = tuple(LEVELS)
"""Real ISO 4217 codes other than USD, used as panel columns."""

STEP_SIZES = (0.0, 0.001, 0.003, 0.006, 0.01, 0.02)
"""Daily log-step scales (0 gives a constant rate); steps are uniform in [-s, s]."""

LOG_BOUND = 1.5
"""The log random walk is clipped to ``log(level) ± LOG_BOUND`` (a factor of about 4.5)."""

CALENDAR_RULES = ("monthly", "quarterly", "annual")


def iso_codes() -> st.SearchStrategy[str]:
    """One real ISO code (not USD)."""
    return st.sampled_from(ISO_CODES)


def code_lists(min_size: int = 1, max_size: int = 5) -> st.SearchStrategy[list[str]]:
    """Distinct real ISO codes (not USD), in a drawn order."""
    return st.lists(iso_codes(), min_size=min_size, max_size=max_size, unique=True)


@st.composite
def fx_panels(
    draw: st.DrawFn,
    codes: Sequence[str] | None = None,
    *,
    min_codes: int = 1,
    max_codes: int = 4,
    min_rows: int = 3,
    max_rows: int = 90,
    usd: bool | None = None,
    holidays: bool = True,
    steps: Sequence[float] = STEP_SIZES,
) -> pd.DataFrame:
    """A valid FX panel: bounded log random walks in USD per unit.

    Parameters
    ----------
    codes : sequence of str, optional
        Non-USD columns to use (default: drawn from :data:`ISO_CODES`).
    min_codes, max_codes : int
        Number of drawn non-USD columns when ``codes`` is not given.
    min_rows, max_rows : int
        Number of dates.
    usd : bool, optional
        Whether a ``USD`` column (exactly 1.0) is present; drawn when ``None``. It is put at a
        drawn position, so USD is not always the first column.
    holidays : bool
        Drop a few business days, so "first trading day" is not always the first weekday.
    steps : sequence of float
        Daily log-step scales to draw from (0 gives a constant rate).
    """
    non_usd = list(codes) if codes is not None else draw(code_lists(min_codes, max_codes))
    with_usd = draw(st.booleans()) if usd is None else usd
    n_rows = draw(st.integers(min_rows, max_rows))
    start = draw(st.dates(dt.date(2000, 1, 3), dt.date(2022, 12, 30)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scales = [draw(st.sampled_from(list(steps))) for _ in non_usd]
    jitter = [draw(st.floats(0.5, 2.0)) for _ in non_usd]

    days = pd.bdate_range(start, periods=n_rows + n_rows // 10 + 1, name="date")
    if holidays:
        keep = np.sort(rng.choice(np.arange(1, len(days)), size=n_rows - 1, replace=False))
        days = days[np.concatenate(([0], keep))]
    else:
        days = days[:n_rows]
    index = pd.DatetimeIndex(days, name="date")

    columns: dict[str, np.ndarray] = {}
    for code, step, factor in zip(non_usd, scales, jitter):
        walk = np.cumsum(rng.uniform(-step, step, n_rows)) if step else np.zeros(n_rows)
        walk = np.clip(walk, -LOG_BOUND, LOG_BOUND)
        columns[code] = LEVELS.get(code, 1.0) * factor * np.exp(walk)
    order = list(non_usd)
    if with_usd:
        order.insert(draw(st.integers(0, len(order))), "USD")
        columns["USD"] = np.ones(n_rows)
    panel = pd.DataFrame(
        {c: np.asarray(columns[c], dtype=np.float64) for c in order}, index=index
    )
    return validate_panel(panel, order)


def _normalise(raw: Sequence[float]) -> list[float]:
    """Scale positive numbers onto the simplex: exact-sum fix-up of the last weight."""
    total = math.fsum(raw)
    weights = [r / total for r in raw]
    weights[-1] = 1.0 - math.fsum(weights[:-1])
    assert weights[-1] > 0.0
    assert abs(math.fsum(weights) - 1.0) <= min(1e-12, WEIGHT_TOLERANCE)
    return weights


@st.composite
def simplex_weights(draw: st.DrawFn, codes: Sequence[str]) -> dict[str, float]:
    """Strictly positive weights on ``codes`` (in that order) summing to 1 within 1e-12."""
    raw = [draw(st.floats(0.02, 1.0, allow_nan=False, allow_infinity=False)) for _ in codes]
    return dict(zip(codes, _normalise(raw)))


def rules(*, review: bool = True) -> st.SearchStrategy[str]:
    """Rebalancing rule strings: none, the calendar rules, ``band:x`` and ``review:1y``."""
    plain = ["none", *CALENDAR_RULES] + (["review:1y"] if review else [])
    band = st.sampled_from([0.01, 0.02, 0.05, 0.1, 0.25]).map(lambda w: f"band:{w:g}")
    return st.one_of(st.sampled_from(plain), band)


def bases() -> st.SearchStrategy[float]:
    """Base values from a thousandth to a million."""
    return st.one_of(
        st.sampled_from([1.0, 100.0]),
        st.floats(1e-3, 1e6, allow_nan=False, allow_infinity=False),
    )


@st.composite
def specs(
    draw: st.DrawFn,
    panel: pd.DataFrame,
    *,
    codes: Sequence[str] | None = None,
    base_currency: str | None = None,
    base_value: float | None = None,
    min_held: int = 1,
) -> BasketSpec:
    """A weights basket on some of ``panel``'s columns with a base date inside the panel.

    Parameters
    ----------
    panel : DataFrame
        The panel the basket is valued on.
    codes : sequence of str, optional
        The constituents (default: a non-empty subset of the panel's columns, in drawn order).
    base_currency, base_value : optional
        Fixed values; drawn from the panel's columns and :func:`bases` when not given.
    min_held : int
        Least number of constituents when they are drawn.
    """
    columns = [str(c) for c in panel.columns]
    held = list(codes) if codes is not None else draw(
        st.lists(st.sampled_from(columns), min_size=min(min_held, len(columns)),
                 max_size=len(columns), unique=True)
    )
    weights = draw(simplex_weights(held))
    base_date = panel.index[draw(st.integers(0, len(panel) - 1))].date()
    return BasketSpec.from_dict(
        {
            "name": "prop",
            "weights": weights,
            "base_date": base_date.isoformat(),
            "base_value": draw(bases()) if base_value is None else base_value,
            "base_currency": draw(st.sampled_from(columns)) if base_currency is None
            else base_currency,
        }
    )


@dataclass(frozen=True)
class Case:
    """A drawn backtest input: the panel, the spec and the rule."""

    panel: pd.DataFrame
    spec: BasketSpec
    rule: str

    @property
    def numeraires(self) -> list[str]:
        """Every column of the panel, in panel order."""
        return [str(c) for c in self.panel.columns]


@st.composite
def cases(
    draw: st.DrawFn,
    rule: st.SearchStrategy[str] | None = None,
    *,
    min_rows: int = 3,
    max_rows: int = 90,
    usd: bool | None = None,
    max_codes: int = 4,
    steps: Sequence[float] = STEP_SIZES,
    min_held: int = 1,
) -> Case:
    """A panel, a weights spec on it and a rebalancing rule.

    A ``review:...`` rule gets more than a year of rows (300 to 420), so at least one review
    happens.
    """
    rule_text = draw(rules() if rule is None else rule)
    if rule_text.startswith("review"):
        min_rows, max_rows = max(min_rows, 300), max(max_rows, 420)
    panel = draw(fx_panels(min_rows=min_rows, max_rows=max_rows, usd=usd, max_codes=max_codes,
                           min_codes=min_held, steps=steps))
    return Case(panel, draw(specs(panel, min_held=min_held)), rule_text)
