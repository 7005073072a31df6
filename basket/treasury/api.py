"""The treasury wing's face: :func:`reserve` loads the data, the rates and the flows, then simulates.

:func:`reserve` values a basket (a seed or a TOML file) on the bundled ECB rates (or any
source), reads the interest rates and coin flows the user gives (constants, or CSV files: see
:mod:`basket.treasury.files`), calls the pure core
:func:`basket.treasury.model.simulate_reserve`, and adds what a run would have cost in each
crisis episode that :mod:`basket.design.episodes` ships.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from basket._checks import require_finite
from basket.currencies import normalize_code, normalize_codes
from basket.data import SourceLike, SourceOptions
from basket.dates import to_timestamp
from basket.design.episodes import list_episodes
from basket.errors import DataError, SimulationError, SpecError
from basket.spec import BasketSpec, load_spec
from basket.treasury.files import load_rates, load_scenario
from basket.treasury.flows import Run, ScenarioLike, parse_scenario
from basket.treasury.inputs import parse_costs, parse_rates
from basket.treasury.model import simulate_reserve
from basket.treasury.results import ReserveResult
from basket.valuation.engine import valuate
from basket.valuation.loading import load_panel_for, panel_for

__all__ = [
    "DEFAULT_EPISODE_RUN",
    "episode_run_costs",
    "list_reserve_episodes",
    "reserve",
]

DEFAULT_EPISODE_RUN = Run(0.3, 10)
"""The run tried in each crisis episode when the scenario has none: 30% over 10 days."""

# ----------------------------------------------------------------------------- episodes
def list_reserve_episodes() -> list[tuple[str, str, pd.Timestamp, pd.Timestamp]]:
    """The crisis episodes shipped with ``basket`` as (name, title, start, end), oldest first.

    Examples
    --------
    >>> names = [e[0] for e in list_reserve_episodes()]
    >>> "covid-dash-for-cash-2020" in names
    True
    """
    return [(e.name, e.title, pd.Timestamp(e.start), pd.Timestamp(e.end))
            for e in list_episodes()]


def episode_run_costs(
    spec: str | BasketSpec,
    run: Run | str | None = None,
    *,
    episodes: Sequence[tuple[str, str, Any, Any]] | None = None,
    source: SourceLike = "ecb",
    **options: Any,
) -> tuple[pd.DataFrame, list[str]]:
    """What a run would have cost the reserve in each crisis episode.

    For each episode the reserve starts fully backed on the episode's first date with the
    same settings as the main simulation (``options``: rates, costs, buffer...), the run
    starts on that date, and the simulation runs to the episode's last date.

    Parameters
    ----------
    spec : str or BasketSpec
        The basket.
    run : Run or str, optional
        The run to try; default :data:`DEFAULT_EPISODE_RUN` (its start date is replaced by each
        episode's start).
    episodes : sequence of (name, title, start, end), optional
        Default :func:`list_reserve_episodes`.
    source : str or FXSource, default "ecb"
    **options
        Passed to :func:`basket.treasury.model.simulate_reserve` (``rates`` required). A ``buffer``
        given as ``"2%"`` is that share of the episode's initial reserve.

    Returns
    -------
    (pandas.DataFrame, list of str)
        One row per episode simulated, indexed by name: ``title``, ``first_date``,
        ``last_date``, ``run``, ``redeemed_coins``, ``redeemed_usd``, ``cost_usd`` (transaction
        costs), ``cost_bps`` (of the reserve at the start), ``income_usd``,
        ``buffer_used_usd``, ``min_coverage``, ``min_coverage_with_buffer``, ``coverage_end``,
        ``basket_usd_change``; and notes on episodes skipped (outside the data, rates not
        covering them, a run longer than the episode).
    """
    spec = load_spec(spec)
    base = parse_scenario(run) if run is not None else DEFAULT_EPISODE_RUN
    if not isinstance(base, Run):
        raise SpecError(f"episode run {run!r} is not a run; write e.g. run:0.3:10d")
    eps = list(list_reserve_episodes() if episodes is None else episodes)
    notes: list[str] = []
    rows: dict[str, dict[str, Any]] = {}
    for name, title, start, end in eps:
        t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
        try:
            fx, base_prices = load_panel_for(spec, t0, t1, (), source)
            res = _simulate(spec, fx, base_prices, dataclasses.replace(base, start=t0), **options)
        except (DataError, SimulationError) as exc:
            # outside the data, rates not covering the episode, a run longer than it
            notes.append(f"episode {name} skipped: {exc}")
            continue
        p, s = res.path, res.summary()
        run_days = p["stress"].to_numpy()
        reserve0 = float(s["coins_start"] * p["basket_usd"].iloc[0])
        cost = float(p["cost_usd"].sum())
        rows[name] = {
            "title": title,
            "first_date": p.index[0],
            "last_date": p.index[-1],
            "run": dataclasses.replace(base, start=None).label,
            "redeemed_coins": float(p["burn"].sum()),
            "redeemed_usd": float((p["burn"] * p["basket_usd"])[run_days].sum()),
            "cost_usd": cost,
            "cost_bps": cost / reserve0 * 1e4 if reserve0 > 0 else 0.0,
            "income_usd": float(p["income_usd"].sum()),
            "buffer_used_usd": s["buffer_used_usd"],
            "min_coverage": s["min_coverage"],
            "min_coverage_with_buffer": s["min_coverage_with_buffer"],
            "coverage_end": float(p["coverage"].iloc[-1]),
            "basket_usd_change": float(p["basket_usd"].iloc[-1] / p["basket_usd"].iloc[0] - 1),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "episode"
    return frame, notes


# ----------------------------------------------------------------------------- main entry
def _buffer_usd(buffer: float | str, reserve0: float) -> float:
    if isinstance(buffer, str):
        t = buffer.strip()
        try:
            if t.endswith("%"):
                return float(t[:-1]) / 100.0 * reserve0
            return float(t)
        except ValueError:
            raise SpecError(
                f"buffer {buffer!r} is not a USD amount (5e7) or a share of the reserve (2%)"
            ) from None
    return float(buffer)


def _simulate(spec: BasketSpec, fx: pd.DataFrame, base_prices: pd.Series | None,
              scenario: Any, *, rates: Any, buffer: float | str = 0.0, coins: float = 1e9,
              numeraires: Sequence[str] | None = None, **options: Any) -> ReserveResult:
    """Value the basket on ``fx`` and simulate its reserve (the shared core of the API)."""
    if len(fx) < 2:
        raise DataError(f"only {len(fx)} date(s) in the range; a reserve path needs at least two")
    val = valuate(spec, fx, None, base_prices)
    held = [i for i, c in enumerate(val.currencies) if (val.units[:, i] != 0).any()]
    cur = [val.currencies[i] for i in held]
    units = val.units[:, held]
    # an amounts basket with periods has no quote for a currency on dates it does not hold;
    # those prices multiply zero amounts (today and the day before), so any number will do
    px = fx.loc[:, cur].to_numpy(dtype=np.float64)
    idle = np.isnan(px) & (units == 0) & (np.vstack([units[:1], units[:-1]]) == 0)
    if idle.any():
        px = np.where(idle, 1.0, px)
    frame = fx.copy()
    frame.loc[:, cur] = px
    if numeraires is None:
        numeraires = [c for c in cur if not fx[c].isna().any()]
    if isinstance(rates, Mapping):
        rates = {k: v for k, v in rates.items() if normalize_code(str(k)) in cur or
                 normalize_code(str(k)) not in val.currencies}
    value0 = float(val.values_usd[0])
    res = simulate_reserve(
        frame, pd.DataFrame(units, index=val.dates, columns=cur), rates, coins=coins,
        scenario=scenario, buffer=_buffer_usd(buffer, _check_coins(coins) * value0),
        numeraires=numeraires, name=spec.name, **options,
    )
    assert isinstance(res, ReserveResult)  # a DataFrame in gives a ReserveResult
    require_finite(res.path.select_dtypes("number"), "reserve path")
    return dataclasses.replace(res, title=spec.title)


def _check_coins(coins: Any) -> float:
    if isinstance(coins, bool) or not isinstance(coins, (int, float)) or not math.isfinite(
            coins) or coins < 0:
        raise SpecError(f"coins {coins!r} must be a finite number >= 0")
    return float(coins)


def reserve(
    spec: str | BasketSpec = "libra-2019",
    start: Any = None,
    end: Any = None,
    *,
    rates: Mapping[str, float] | str | pd.DataFrame | None = None,
    rates_file: str | os.PathLike[str] | None = None,
    cash_rates: Mapping[str, float] | str | pd.DataFrame | None = None,
    scenario: str | ScenarioLike | Sequence[str | ScenarioLike] | None = None,
    coins: float = 1e9,
    securities_share: float = 0.8,
    cost_bps: float | str | Mapping[str, float] = 0.0,
    stress_cost_bps: float | str | Mapping[str, float] | None = None,
    opex_bps: float = 0.0,
    buffer: float | str = 0.0,
    policy: str = "buffer",
    day_count: str = "act/360",
    numeraires: Sequence[str] | str | None = None,
    source: SourceLike = "ecb",
    episodes: bool = True,
    episode_run: Run | str | None = None,
    panel: pd.DataFrame | None = None,
) -> ReserveResult:
    """Simulate the reserve behind a basket coin on historical FX rates.

    Parameters
    ----------
    spec : str or BasketSpec, default "libra-2019"
        Seed name, TOML path or spec.
    start, end : date-like, optional
        Inclusive range; default from the basket's base date (its launch) to the last quote.
    rates : mapping, str or DataFrame
        Annual yield on each currency's securities, decimals: ``{"EUR": -0.005, ...}``,
        ``"EUR=-0.005,JPY=-0.1%,..."`` or a date-indexed DataFrame. Give this or ``rates_file``.
    rates_file : path, optional
        A CSV file of rates (see the module docstring).
    cash_rates : mapping, str or DataFrame, optional
        Rates on cash (bank deposits); default: the securities' rates.
    scenario : str, scenario or a sequence of them, optional
        ``growth:0.10``, ``run:0.3:10d@2020-03-09``, ``flows:FILE.csv``; default no flows.
    coins : float, default 1e9
        Coins outstanding on the first date.
    securities_share : float, default 0.8
        Share of the reserve in securities (the Libra 2020 floor), the rest cash.
    cost_bps, stress_cost_bps : float, str or mapping
        Transaction costs in basis points of the value traded, one number or per currency
        (``"USD=1,EUR=2"``); ``stress_cost_bps`` applies on run days (default ``cost_bps``).
    opex_bps : float, default 0
        Operating costs, basis points a year of the reserve.
    buffer : float or str, default 0
        Initial capital buffer: USD (``5e7``) or a share of the initial reserve (``"2%"``).
    policy : {"buffer", "payout"}, default "buffer"
    day_count : {"act/360", "act/365"}, default "act/360"
    numeraires : sequence of str or str, optional
        Currencies to report the reserve's value in; default the basket's.
    source : str or FXSource, default "ecb"
    episodes : bool, default True
        Also price a run in each crisis episode (:func:`episode_run_costs`).
    episode_run : Run or str, optional
        The run tried in each episode; default the scenario's first run, else
        :data:`DEFAULT_EPISODE_RUN`.
    panel : pandas.DataFrame, optional
        Use this FX panel (USD per unit) instead of loading one.

    Returns
    -------
    ReserveResult

    Raises
    ------
    SpecError
        Bad options (negative cost, unknown policy...), rates given twice or not at all.
    DataError
        A missing rate, a rate for a currency outside the basket, a bad rates or flows file.
    SimulationError
        A run larger than the coins outstanding.

    Examples
    --------
    >>> res = reserve("libra-2019", "2019-09-02", "2019-12-31", episodes=False,
    ...               rates="USD=0.01875,EUR=-0.005,JPY=-0.001,GBP=0.0075,SGD=0.0188")
    >>> float(res.summary()["min_coverage"])
    1.0
    >>> bool(res.income["EUR"].sum() < 0)
    True
    """
    spec = load_spec(spec)
    if panel is None:
        source = SourceOptions.of(source).opened()  # read once: the run and every episode
    if (rates is None) == (rates_file is None):
        raise SpecError(
            "give the interest rates once: rates (e.g. 'EUR=-0.005,JPY=-0.001,...') or "
            "rates_file (a CSV file), not both or neither"
        )
    if rates_file is not None:
        rates = load_rates(rates_file)
    if isinstance(rates, str):
        rates = parse_rates(rates)
    if isinstance(cash_rates, str):
        cash_rates = parse_rates(cash_rates, "cash rates")
    if scenario is None:
        items: list[Any] = []
    elif isinstance(scenario, str) or not isinstance(scenario, Sequence):
        items = [scenario]
    else:
        items = list(scenario)
    scenarios = [s for s in (load_scenario(x) for x in items) if s is not None]
    asked = normalize_codes(numeraires) if numeraires is not None else None
    t0 = to_timestamp(start, "start")
    if t0 is None:
        t0 = pd.Timestamp(spec.base_date)
    t1 = to_timestamp(end, "end")
    options: dict[str, Any] = dict(
        rates=rates, cash_rates=cash_rates, coins=coins, securities_share=securities_share,
        cost_bps=parse_costs(cost_bps), opex_bps=opex_bps, buffer=buffer, policy=policy,
        day_count=day_count,
        stress_cost_bps=None if stress_cost_bps is None else parse_costs(stress_cost_bps,
                                                                          "stress_cost_bps"),
    )
    data = panel_for(spec, t0, t1, asked or (), source, panel)
    res = _simulate(spec, data.panel, data.base_prices, scenarios, numeraires=asked, **options)
    if not episodes:
        return res
    run = episode_run if episode_run is not None else next(
        (s for s in scenarios if isinstance(s, Run)), DEFAULT_EPISODE_RUN)
    if panel is not None:
        return dataclasses.replace(res, notes=(*res.notes, "episodes need a source, not a panel"))
    table, notes = episode_run_costs(spec, run, source=source, **options)
    return dataclasses.replace(res, episodes=table, notes=(*res.notes, *notes))
