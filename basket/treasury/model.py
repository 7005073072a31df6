"""The reserve behind a basket coin (pure numpy/pandas): holdings, income, flows, coverage.

A basket stablecoin is backed by a reserve of bank deposits (*cash*) and short-dated government
securities in the basket's currencies; authorised resellers mint and burn coins at the basket's
value. This module simulates that reserve day by day, on one historical FX path or on many
simulated ones at once, and answers the questions regulators asked of Libra in 2019: what a run
does to the reserve, and what negative euro and yen rates cost it.

Conventions, stated once for the module
---------------------------------------
* Prices are **US dollars per one unit** of each currency (an FX panel). ``units`` are the
  currency amounts in one coin (the basket's amounts); a coin is worth ``V_t = sum_c u_c P_c(t)``.
* **Holdings track the basket.** The reserve holds ``A_t * u_c`` of each currency ``c``, where
  ``A_t`` (the *backing*, in coins) equals the coins outstanding ``N_t`` while the reserve is
  whole; ``securities_share`` of each holding is in securities, the rest in cash. Securities are
  3-month bills carried at par plus accrued yield (no price risk). The **coverage ratio** is
  ``reserve value / (coins x V_t) = A_t / N_t``, so exchange rates never move it: only income,
  costs and runs do. Coverage is 1 when no coins are outstanding (nothing is owed).
* **Order of events on a valuation day** ``t``: (1) interest accrues on the holdings carried from
  the previous valuation date over the *calendar* days between the two dates (a Monday earns
  Saturday and Sunday), at the rate in force on that previous date, with the day count
  ``act/360`` (default) or ``act/365``; income in currency ``c`` is converted to USD at day
  ``t``'s rate; (2) operating costs accrue, ``opex_bps`` a year of the reserve's USD value, same
  day count; (3) if the basket's amounts changed, the reserve trades to the new amounts (the
  value difference and the trading cost are settled with the buffer); (4) coins are minted, then
  burned, at ``V_t``: the reserve buys or sells ``dN * u_c`` of every currency and pays
  ``cost_bps_c`` of the traded value (``stress_cost_bps_c`` on the days of a run).
* **Settlement (stated policy).** The day's net cash ``x`` (income minus operating and trading
  costs) settles as follows. ``x >= 0`` first restores the reserve to full backing if it is short,
  then goes to the capital buffer (``policy="buffer"``), or tops the buffer up to its initial
  level and pays the rest out (``policy="payout"``). ``x < 0`` is paid from the buffer; once the
  buffer is empty, the remainder is taken from the reserve itself (every holding shrinks in
  proportion), and coverage falls below 1. The buffer is held in US dollars and earns nothing.
* **Redemptions.** Flows may never burn more coins than are outstanding (after the day's mint):
  :func:`~basket.treasury.flows.scenario_flows` raises :class:`~basket.errors.SimulationError`
  before anything is simulated. A redemption larger than the *reserve* (possible only once
  coverage is below 1, i.e. after losses have emptied the buffer) is paid with everything the
  reserve holds; the rest is recorded in ``unpaid_usd``, the coins are burned all the same, and
  the backing stops at zero. The day's net cash settles after the flows, as above: income left
  over then starts to restore the backing of the coins still outstanding. A cost the reserve
  cannot pay (e.g. the last coins redeemed with no buffer left for the trading cost, which is
  charged on the whole day's flows) is recorded in ``unpaid_usd`` too. Holdings, the buffer and
  ``unpaid_usd`` are never negative.

All rates are annual decimals (``-0.005`` is -0.50% a year) given by the user; no rate is ever
assumed: a missing rate raises :class:`~basket.errors.DataError`.

References
----------
Libra Association, "The Libra Reserve" (2019) and "Libra White Paper v2.0" (April 2020), section
"Reserve": at least 80% of the reserve in government securities of at most 3 months' maturity,
the rest in cash, plus a capital buffer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from basket.currencies import normalize_code
from basket.errors import DataError, SpecError
from basket.treasury.flows import ScenarioLike, _check_number, scenario_flows
from basket.treasury.inputs import MAX_BPS, align_rates, per_currency
from basket.treasury.results import ReservePaths, ReserveResult

if TYPE_CHECKING:  # pragma: no cover
    from basket._typing import FloatArray

__all__ = ["DAY_COUNTS", "MAX_COINS", "MAX_USD", "POLICIES", "simulate_reserve"]

MAX_COINS = 1e15
"""The most coins accepted (a thousand trillion: more than all the money in the world)."""

MAX_USD = 1e15
"""The largest USD amount accepted for the capital buffer."""

DayCount = Literal["act/360", "act/365"]
Policy = Literal["buffer", "payout"]

DAY_COUNTS: dict[str, float] = {"act/360": 360.0, "act/365": 365.0}
"""Day-count conventions: calendar days between dates over this many days a year."""

POLICIES: tuple[str, ...] = ("buffer", "payout")
"""What happens to net income: kept in the buffer, or paid out above the initial buffer."""

# ----------------------------------------------------------------------------- kernels
CHUNK_BYTES = 1 << 21
"""Prices of this many bytes (2 MiB, a few paths' whole history) are multiplied at a time:
they stay in cache while every weight row is applied to them."""


def _dots(px: np.ndarray, weights: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``sum_c px[..., t, c] * w[t, c]`` for each (T, n) ``w``, time first: (T,) or (T, P).

    ``px`` is (T, n) or (P, T, n), C-contiguous. Its rows are read once, a cache-sized chunk of
    paths at a time: each distinct weight row is one BLAS matrix-vector product on the chunk
    (a weight whose rows repeat, constant amounts or rates and a few stressed days, needs a few
    products, not one per day), and each result is written once, time-major, for the day
    loop. A weight with more than 8 distinct rows (rates as a time series) is one contraction
    per chunk instead. The numbers are those of a product per path, whatever the chunk.
    """
    t, n = px.shape[-2:]
    plans = []
    for w in weights:
        rows, inverse = np.unique(w, axis=0, return_inverse=True)
        plans.append((rows, inverse.reshape(-1)) if len(rows) <= 8 else (None, w))
    single = px.ndim == 2
    block3 = px[None] if single else px
    n_paths = block3.shape[0]
    outs = [np.empty((t, n_paths)) for _ in weights]
    chunk = max(1, CHUNK_BYTES // (t * n * px.itemsize))
    for p0 in range(0, n_paths, chunk):
        block = block3[p0: p0 + chunk]
        for out, (rows, key) in zip(outs, plans):
            _dot_rows(block, rows, key, out[:, p0: p0 + chunk])
    return [out[:, 0] for out in outs] if single else outs


def _dot_rows(block: np.ndarray, rows: np.ndarray | None, key: np.ndarray,
              out: np.ndarray) -> None:
    """One chunk of :func:`_dots` for one weight, into ``out`` (T, paths of the chunk)."""
    if rows is None:                                     # ``key`` is the weight itself
        out[:] = np.einsum("t...n,tn->t...", block.transpose(1, 0, 2), key)
        return
    counts = np.bincount(key, minlength=len(rows))
    base = int(np.argmax(counts))                        # the most frequent row: every day,
    out[:] = (block @ rows[base]).T
    for j in np.flatnonzero(counts):
        if j != base:                                    # then the days of each other row
            days = np.flatnonzero(key == j)
            out[days] = (block[:, days] @ rows[j]).T


def _kernel_python(g: list[float], f: list[float], v: list[float], net: list[float],
                   coins: list[float], coins0: float, buffer0: float,
                   payout_policy: bool) -> tuple[np.ndarray, ...]:
    """One path, plain Python floats (the reference twin of :func:`_kernel_numpy`)."""
    t = len(g)
    a_out, b_out, p_out, d_out, u_out = (np.empty(t) for _ in range(5))
    a, b = coins0, buffer0
    for i in range(t):
        vt, n = v[i], coins[i]
        x = a * g[i] - f[i]
        a = a + net[i]
        unpaid = 0.0
        if a < 0.0:
            unpaid = -a * vt
            a = 0.0
        paid = drawn = 0.0
        if x >= 0.0:
            gap = (n - a) * vt
            if x >= gap:
                a = n
                rest = x - gap
            else:
                a = a + x / vt
                rest = 0.0
            if payout_policy:
                top = min(rest, max(buffer0 - b, 0.0))
                b = b + top
                paid = rest - top
            else:
                b = b + rest
        else:
            drawn = min(-x, b)
            b = b - drawn
            a = a - (-x - drawn) / vt
            if a < 0.0:
                unpaid += -a * vt
                a = 0.0
        a_out[i], b_out[i], p_out[i], d_out[i], u_out[i] = a, b, paid, drawn, unpaid
    return a_out, b_out, p_out, d_out, u_out


def _kernel_numpy(g: np.ndarray, f: np.ndarray, v: np.ndarray, net: np.ndarray,
                  coins: np.ndarray, coins0: float, buffer0: float,
                  payout_policy: bool) -> tuple[np.ndarray, ...]:
    """Many paths at once: ``g``, ``f``, ``v`` are (T, P); the loop runs over days only."""
    t, p = g.shape
    a_out, b_out, d_out, u_out = (np.empty((t, p)) for _ in range(4))
    # nothing is paid out under policy "buffer": zeros that take no memory (read-only)
    p_out = np.empty((t, p)) if payout_policy else np.broadcast_to(np.float64(0.0), (t, p))
    a = np.full(p, coins0)
    b = np.full(p, buffer0)
    zero = np.zeros(p)
    for i in range(t):
        vt, n = v[i], float(coins[i])
        x = a * g[i] - f[i]
        a = a + net[i]
        # Each shortcut below skips work whose result the full step would throw away (most
        # days: no path short of coins, every path earning and fully backed): the same numbers.
        if np.signbit(a).any():                  # some path redeems beyond its reserve
            unpaid = np.where(a < 0.0, -a * vt, 0.0)
            a = np.maximum(a, 0.0)
        else:
            unpaid = zero
        pos = x >= 0.0
        gap = (n - a) * vt
        fill = x >= gap
        if fill.all():
            a_pos, rest = np.full(p, n), x - gap
        else:
            a_pos = np.where(fill, n, a + x / vt)
            rest = np.where(fill, x - gap, 0.0)
        gains = bool(pos.all())
        drawn = zero if gains else np.where(pos, zero, np.minimum(-x, b))
        if payout_policy:
            top = np.minimum(rest, np.maximum(buffer0 - b, 0.0))
            paid = rest - top if gains else np.where(pos, rest - top, 0.0)
            b = b + top if gains else np.where(pos, b + top, b - drawn)
        else:
            paid = zero
            b = b + rest if gains else np.where(pos, b + rest, b - drawn)
        a = a_pos if gains else np.where(pos, a_pos, a - (-x - drawn) / vt)
        if np.signbit(a).any():
            unpaid = unpaid + np.where(a < 0.0, -a * vt, 0.0)
            a = np.maximum(a, 0.0)
        a_out[i], b_out[i], d_out[i], u_out[i] = a, b, drawn, unpaid
        if payout_policy:
            p_out[i] = paid
    return a_out, b_out, p_out, d_out, u_out


# ----------------------------------------------------------------------------- the simulation
def _units_array(units: Any, currencies: list[str] | None, dates: pd.DatetimeIndex
                 ) -> tuple[np.ndarray, list[str]]:
    t = len(dates)
    if isinstance(units, pd.DataFrame):
        cur = [normalize_code(str(c)) for c in units.columns] if currencies is None else currencies
        frame = units.set_axis([normalize_code(str(c)) for c in units.columns], axis=1)
        if len(frame) != t or not frame.index.equals(dates):
            raise SpecError("units: a DataFrame of units must be indexed by the valuation dates")
        arr = frame.loc[:, cur].to_numpy(dtype=np.float64)
    elif isinstance(units, (Mapping, pd.Series)):
        given = {normalize_code(str(k)): v for k, v in units.items()}
        cur = list(given) if currencies is None else currencies
        missing = [c for c in cur if c not in given]
        if missing:
            raise SpecError(f"units: no amount for {', '.join(missing)}")
        arr = np.array([_check_number(given[c], f"units of {c}") for c in cur])
    else:
        arr = np.asarray(units, dtype=np.float64)
        if currencies is None:
            raise SpecError("units given as an array need currencies=[...] to name them")
        cur = currencies
    if arr.shape not in ((len(cur),), (t, len(cur))):
        raise SpecError(f"units must have shape ({len(cur)},) or ({t}, {len(cur)})")
    u = np.broadcast_to(arr, (t, len(cur))).astype(np.float64)
    if not np.isfinite(u).all() or (u < 0).any() or (u.sum(axis=1) <= 0).any():
        raise SpecError("units must be finite, >= 0, and not all zero on any date")
    return u, cur


def _check_prices(prices: np.ndarray, currencies: Sequence[str]) -> None:
    low, high = prices.min(), prices.max()           # NaN propagates into both
    if low > 0 and high < np.inf:
        return
    bad = ~(np.isfinite(prices) & (prices > 0))
    if bad.any():
        k = int(np.argwhere(bad)[0][-1])
        raise DataError(f"FX rates for {currencies[k]} must be positive and finite (USD per unit)")


def simulate_reserve(
    prices: pd.DataFrame | FloatArray,
    units: Mapping[str, float] | pd.Series | pd.DataFrame | FloatArray,
    rates: Mapping[str, float] | pd.Series | pd.DataFrame | FloatArray,
    *,
    cash_rates: Mapping[str, float] | pd.Series | pd.DataFrame | FloatArray | None = None,
    dates: Any = None,
    currencies: Sequence[str] | None = None,
    coins: float = 1e9,
    scenario: ScenarioLike | Sequence[ScenarioLike] | None = None,
    securities_share: float = 0.8,
    cost_bps: float | Mapping[str, float] | FloatArray = 0.0,
    stress_cost_bps: float | Mapping[str, float] | FloatArray | None = None,
    opex_bps: float = 0.0,
    buffer: float = 0.0,
    policy: Policy = "buffer",
    day_count: DayCount = "act/360",
    numeraires: Sequence[str] | None = None,
    name: str = "basket",
) -> ReserveResult | ReservePaths:
    """Simulate a basket coin's reserve day by day (see the module docstring for the model).

    Parameters
    ----------
    prices : pandas.DataFrame or ndarray
        USD per unit. A DataFrame (one historical path; a DatetimeIndex of valuation dates, a
        column per currency, extra numeraire columns allowed) gives a :class:`ReserveResult`.
        An ndarray of shape (T, n) or (P, T, n) (P simulated paths, columns in ``currencies``
        order) gives :class:`ReservePaths`, vectorised across paths; it needs ``dates``.
    units : mapping, Series, DataFrame or ndarray
        Currency amounts in one coin: constants, or per date (T, n) for a basket whose amounts
        change (the reserve then trades to follow them).
    rates : mapping, Series, DataFrame or ndarray
        Annual yield of each currency's securities, decimals, may be negative; constants or a
        time series (see :func:`align_rates`). Every currency needs one; none is assumed.
    cash_rates : same as ``rates``, optional
        Annual rate on each currency's cash (bank deposits). Default: the securities' rates
        (stated in ``settings``).
    dates : DatetimeIndex-like, optional
        Valuation dates for ndarray ``prices`` (length T). Ignored for a DataFrame.
    currencies : sequence of str, optional
        The basket's currencies, in column order. Default: the order of ``units``.
    coins : float, default 1e9
        Coins outstanding before the first date, fully backed.
    scenario : str, scenario object or a sequence of them, optional
        Coin flows: ``"growth:0.10"``, ``"run:0.3:10d@2020-03-09"``, :class:`Growth`,
        :class:`Run`, :class:`FlowSchedule`. Default: no flows.
    securities_share : float, default 0.8
        Share of each holding in securities (Libra 2020: at least 80%), the rest in cash.
    cost_bps : float, mapping or ndarray, default 0
        Transaction cost per currency, basis points of the value traded (>= 0).
    stress_cost_bps : float, mapping or ndarray, optional
        Cost on run days; default ``cost_bps``.
    opex_bps : float, default 0
        Operating costs, basis points a year of the reserve's value.
    buffer : float, default 0
        Initial capital buffer in USD.
    policy : {"buffer", "payout"}, default "buffer"
        Net income kept in the buffer, or paid out above the initial buffer.
    day_count : {"act/360", "act/365"}, default "act/360"
        Interest and operating costs accrue calendar days / 360 (or 365).
    numeraires : sequence of str, optional
        DataFrame input: currencies to value the reserve in (default: the basket's).
    name : str, default "basket"
        Label for reports.

    Returns
    -------
    ReserveResult or ReservePaths
        By the type of ``prices``.

    Raises
    ------
    SpecError
        A negative cost, a share outside [0, 1], an unknown policy or day count.
    DataError
        A missing rate, a rate for a currency outside the basket, FX rates not positive.
    SimulationError
        Flows that redeem more coins than are outstanding, a run that does not fit the dates.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.DatetimeIndex(["2019-09-06", "2019-09-09"], name="date")  # Friday, Monday
    >>> fx = pd.DataFrame({"USD": [1.0, 1.0], "EUR": [1.10, 1.10]}, index=idx)
    >>> res = simulate_reserve(fx, {"USD": 0.5, "EUR": 0.5 / 1.10},
    ...                        {"USD": 0.018, "EUR": -0.005}, coins=1e9)
    >>> round(float(res.income.loc["2019-09-09", "EUR"]), 2)   # $5e8 x -0.5% x 3/360
    -20833.33
    >>> float(res.path["coverage"].min())
    1.0
    """
    if policy not in POLICIES:
        raise SpecError(f"unknown policy {policy!r}; use one of {', '.join(POLICIES)}")
    if day_count not in DAY_COUNTS:
        raise SpecError(f"unknown day count {day_count!r}; use one of {', '.join(DAY_COUNTS)}")
    share = _check_number(securities_share, "securities_share", minimum=0.0, maximum=1.0)
    opex = _check_number(opex_bps, "opex_bps", minimum=0.0, maximum=MAX_BPS)
    buffer0 = _check_number(buffer, "buffer (USD)", minimum=0.0, maximum=MAX_USD)
    coins0 = _check_number(coins, "coins", minimum=0.0, maximum=MAX_COINS)
    idx, u, cur, px = _market(prices, units, dates, currencies)
    t = len(idx)
    rs = align_rates(rates, idx, cur, "rates")
    rk = rs if cash_rates is None else align_rates(cash_rates, idx, cur, "cash rates")
    cost = per_currency(cost_bps, cur, t, "cost_bps")
    scost = cost if stress_cost_bps is None else per_currency(stress_cost_bps, cur, t,
                                                               "stress_cost_bps")
    flows = scenario_flows(scenario, idx, coins0)
    cost_t = np.where(flows.stress[:, None], scost, cost)
    days = np.zeros(t)
    days[1:] = np.diff(idx.to_numpy()).astype("timedelta64[D]").astype(np.float64)
    accrual = days / DAY_COUNTS[day_count]
    u_prev = np.vstack([u[:1], u[:-1]])
    blended = share * np.vstack([rs[:1], rs[:-1]]) + (1.0 - share) * np.vstack([rk[:1], rk[:-1]])
    pc = _per_coin(px, u, u_prev, blended, accrual, opex, cost_t, flows)
    net = flows.mint - flows.burn
    if px.ndim == 2:
        a, b, paid, drawn, unpaid = _kernel_python(
            pc.net_income.tolist(), pc.flow_cost.tolist(), pc.value.tolist(), net.tolist(),
            flows.coins.tolist(), coins0, buffer0, policy == "payout")
    else:
        a, b, paid, drawn, unpaid = _kernel_numpy(pc.net_income, pc.flow_cost, pc.value, net,
                                                  flows.coins, coins0, buffer0,
                                                  policy == "payout")
    income, opex_paid, cost_paid, rebalance = _paid(pc, a, coins0)
    settings = {
        "coins": coins0,
        "securities_share": share,
        "cost_bps": {c: float(cost[0, i]) for i, c in enumerate(cur)},
        "stress_cost_bps": {c: float(scost[0, i]) for i, c in enumerate(cur)},
        "opex_bps": opex,
        "buffer_usd": buffer0,
        "policy": policy,
        "day_count": day_count,
        "rates": _describe_rates(rs, cur),
        "cash_rates": "same as rates" if cash_rates is None else _describe_rates(rk, cur),
        "scenario": list(flows.labels),
        "accrual": "calendar days between valuation dates, at the previous date's rate",
    }
    paths = ReservePaths(
        dates=idx, currencies=tuple(cur), coins=flows.coins, mint=flows.mint, burn=flows.burn,
        stress=flows.stress,
        basket_usd=pc.value.T,    # (P, T) views of the time-major arrays
        backing=a.T, buffer_usd=b.T, income_usd=income.T, opex_usd=opex_paid.T,
        cost_usd=cost_paid.T, rebalance_usd=rebalance.T, payout_usd=paid.T, drawn_usd=drawn.T,
        unpaid_usd=unpaid.T, settings=settings,
    )
    if not isinstance(prices, pd.DataFrame):
        return paths
    a_prev = np.concatenate([[coins0], a[:-1]])
    per_ccy = a_prev[:, None] * u_prev * blended * accrual[:, None] * px
    return _to_result(paths, prices, u, per_ccy, share, numeraires, name)


def _market(prices: Any, units: Any, dates: Any, currencies: Sequence[str] | None
            ) -> tuple[pd.DatetimeIndex, np.ndarray, list[str], np.ndarray]:
    """Valuation dates, units (T, n), currencies and prices ((T, n) or (P, T, n)), checked."""
    cur = [normalize_code(c) for c in currencies] if currencies is not None else None
    if isinstance(prices, pd.DataFrame):
        if not isinstance(prices.index, pd.DatetimeIndex):
            raise DataError("prices need a DatetimeIndex of valuation dates")
        idx = pd.DatetimeIndex(prices.index)
    else:
        if dates is None:
            raise SpecError("prices given as an array need dates=[...] (one per row)")
        idx = pd.DatetimeIndex(pd.to_datetime(dates))
    if len(idx) == 0:
        raise DataError("no valuation dates; widen the date range")
    if not idx.is_monotonic_increasing or not idx.is_unique:
        raise DataError("valuation dates must be sorted and unique")
    if idx.tz is not None:
        raise DataError("valuation dates must be tz-naive calendar dates")
    u, cur = _units_array(units, cur, idx)
    t, n = u.shape
    if isinstance(prices, pd.DataFrame):
        missing = [c for c in cur if c not in prices.columns]
        if missing:
            raise DataError(f"the FX panel has no column for {', '.join(missing)}")
        px = prices.loc[:, cur].to_numpy(dtype=np.float64)
    else:
        px = np.asarray(prices, dtype=np.float64)
        if px.ndim not in (2, 3) or px.shape[-2:] != (t, n):
            raise DataError(f"prices must have shape ({t}, {n}) or (P, {t}, {n}); got {px.shape}")
    _check_prices(px, cur)
    return idx, u, cur, px


@dataclass(frozen=True)
class _PerCoin:
    """Each day's amounts for one coin backed, USD, time-major: (T,) or (T, P)."""

    value: np.ndarray         # V_t, the coin's value
    income: np.ndarray        # interest on the holdings carried from the day before
    carried: np.ndarray       # the day before's amounts at today's rates
    opex_rate: np.ndarray     # operating cost = carried x this
    flow_cost: np.ndarray     # trading cost of the day's mints and burns (per coin traded)
    net_income: np.ndarray    # income - operating cost (- rebalancing value and cost)
    rebalance_cost: np.ndarray | None   # trading cost of following changed amounts


def _per_coin(px: np.ndarray, u: np.ndarray, u_prev: np.ndarray, blended: np.ndarray,
              accrual: np.ndarray, opex: float, cost_t: np.ndarray, flows: Any) -> _PerCoin:
    """What one coin's backing earns and costs each day (the model's steps 1 to 3)."""
    def col(v: np.ndarray) -> np.ndarray:
        """A per-day vector shaped to multiply (T,) or (T, P) arrays."""
        return v if px.ndim == 2 else v[:, None]

    constant_units = bool((u == u[:1]).all())
    weights = [u, u_prev * blended, u * cost_t / 1e4]
    if not constant_units:
        weights += [u_prev, np.abs(u - u_prev) * cost_t / 1e4]
    value, y, f, *changing = _dots(px, weights)       # one pass over the prices
    y *= col(accrual)
    carried = value if constant_units else changing[0]
    opex_rate = col(accrual * opex / 1e4)
    f *= col(flows.mint + flows.burn)
    g = np.multiply(carried, opex_rate)
    np.subtract(y, g, out=g)
    rc = None
    if not constant_units:
        rc = changing[1]
        g -= value - carried
        g -= rc
    return _PerCoin(value, y, carried, opex_rate, f, g, rc)


def _paid(pc: _PerCoin, a: np.ndarray, coins0: float
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Income, operating cost, trading cost and rebalancing value on the backing carried from
    the day before (in place on the per-coin arrays: few big arrays)."""
    income = pc.income
    income[0] *= coins0
    income[1:] *= a[:-1]
    # the day loop has read the net income: its memory holds the operating cost now
    opex_paid = np.multiply(pc.carried, pc.opex_rate, out=pc.net_income)
    opex_paid[0] *= coins0
    opex_paid[1:] *= a[:-1]
    if pc.rebalance_cost is None:      # constant amounts: no rebalancing, zeros without memory
        return income, opex_paid, pc.flow_cost, np.broadcast_to(np.float64(0.0), a.shape)
    a_prev = np.concatenate([np.full((1, *a.shape[1:]), coins0), a[:-1]], axis=0)
    return (income, opex_paid, pc.flow_cost + a_prev * pc.rebalance_cost,
            a_prev * (pc.value - pc.carried))


def _describe_rates(r: np.ndarray, cur: Sequence[str]) -> Any:
    if (r == r[:1]).all():
        return {c: float(r[0, i]) for i, c in enumerate(cur)}
    return "time series"


def _to_result(p: ReservePaths, prices: pd.DataFrame, u: np.ndarray, per_ccy: np.ndarray,
               share: float, numeraires: Sequence[str] | None, name: str) -> ReserveResult:
    idx = pd.DatetimeIndex(prices.index, name="date")
    cur = list(p.currencies)
    nums = [normalize_code(c) for c in numeraires] if numeraires is not None else cur
    missing = [k for k in nums if k not in prices.columns]
    if missing:
        raise DataError(f"the FX panel has no rates for numeraire {', '.join(missing)}")
    pk = prices.loc[:, nums].to_numpy(dtype=np.float64)
    _check_prices(pk, nums)
    reserve = p.reserve_usd
    path = pd.DataFrame(
        {
            "coins": p.coins, "mint": p.mint, "burn": p.burn, "stress": p.stress,
            "basket_usd": p.basket_usd, "reserve_usd": reserve, "buffer_usd": p.buffer_usd,
            "coverage": p.coverage, "coverage_with_buffer": p.coverage_with_buffer,
            "income_usd": p.income_usd, "opex_usd": p.opex_usd, "cost_usd": p.cost_usd,
            "rebalance_usd": p.rebalance_usd, "payout_usd": p.payout_usd,
            "drawn_usd": p.drawn_usd, "unpaid_usd": p.unpaid_usd,
            "cum_income_usd": np.cumsum(p.income_usd), "cum_opex_usd": np.cumsum(p.opex_usd),
            "cum_cost_usd": np.cumsum(p.cost_usd), "cum_payout_usd": np.cumsum(p.payout_usd),
        },
        index=idx,
    )
    held = p.backing[:, None] * u
    ccy = pd.Index(cur, name="currency")
    return ReserveResult(
        name=name,
        path=path,
        reserve_value=pd.DataFrame(reserve[:, None] / pk, index=idx,
                                   columns=pd.Index(nums, name="numeraire")),
        securities=pd.DataFrame(share * held, index=idx, columns=ccy),
        cash=pd.DataFrame((1.0 - share) * held, index=idx, columns=ccy),
        income=pd.DataFrame(per_ccy, index=idx, columns=ccy),
        settings=p.settings,
    )
