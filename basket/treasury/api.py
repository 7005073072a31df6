"""The reserve simulation for users: load the FX data, the rates and the flows, then simulate.

:func:`reserve` values a basket (a seed or a TOML file) on the bundled ECB rates (or any
source), reads the interest rates and coin flows the user gives (constants, or CSV files),
calls the pure core :func:`basket.reserve.simulate_reserve`, and adds what a run would have
cost in each crisis episode :mod:`basket.stress` ships.

Files
-----
*Rates* (``--rates-file``): annual rates as decimals (``-0.005``) or percent (``-0.5%``), in the
same layouts as FX files: *wide* ``date,USD,EUR,JPY,...`` (an empty cell: no new rate that day)
or *long* ``date,currency,rate``. A rate applies from its date until the next one. Every
currency of the basket needs a rate on or before the first simulated date; none is assumed.

*Flows* (``--scenario flows:FILE.csv``): coins per date, either net ``date,coins`` (positive
minted, negative burned) or gross ``date,mint,burn`` (both >= 0). A flow dated on a day without
an FX quote is applied on the next quoted date; a date outside the simulated range is an error.

Dates are ISO ``YYYY-MM-DD``. Errors name the file, the line (the header is line 1) and the fix.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import importlib
import io
import math
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .api import load_panel_for
from .currencies import normalize_code, normalize_codes
from .data import FXSource, to_timestamp
from .data.csvfile import _fit
from .engine import base_date_row, valuate
from .errors import DataError, SimulationError, SpecError
from .reserve import (
    FlowSchedule,
    ReserveResult,
    Run,
    parse_rates,
    parse_scenario,
    simulate_reserve,
)
from .reserve_flows import ScenarioLike
from .spec import BasketSpec, load_spec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "DEFAULT_EPISODE_RUN",
    "episode_run_costs",
    "list_reserve_episodes",
    "load_flows",
    "load_rates",
    "load_scenario",
    "parse_costs",
    "reserve",
]

DEFAULT_EPISODE_RUN = Run(0.3, 10)
"""The run tried in each crisis episode when the scenario has none: 30% over 10 days."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?")


# ----------------------------------------------------------------------------- CSV files
def _records(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    """Non-blank CSV records of a file as (line, stripped cells), and the file's name."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"file {str(path)!r} does not exist; check the path") from None
    except OSError as exc:
        raise DataError(f"cannot read {str(path)!r} ({exc}); check the path") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: not UTF-8 text ({exc.reason}); save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out = []
    end = 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            cells = [c.strip() for c in row]
            if any(cells):
                out.append((start, cells))
    except csv.Error as exc:
        raise DataError(f"{name} line {reader.line_num}: not valid CSV ({exc})") from None
    if not out:
        raise DataError(f"{name} line 1: the file is empty; write a header and one row per date")
    return out, name


def _date(text: str, name: str, line: int) -> pd.Timestamp:
    ok = _DATE.fullmatch(text) is not None
    if ok:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            ok = False
    if not ok:
        raise DataError(
            f"{name} line {line}: date {text!r} is not an ISO date; write YYYY-MM-DD, "
            "e.g. 2019-09-02"
        )
    return pd.Timestamp(day)


def _number(text: str, name: str, line: int, what: str, *, percent: bool = False) -> float:
    if not _NUMBER.fullmatch(text) or (text.endswith("%") and not percent):
        hint = " or percent such as -0.5%" if percent else ""
        raise DataError(
            f"{name} line {line}: {what} {text!r} is not a number; write a decimal such as "
            f"-0.005{hint}"
        )
    return round(float(text[:-1]) / 100.0, 15) if text.endswith("%") else float(text)


def load_rates(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV file of annual interest rates per currency (see the module docstring).

    Parameters
    ----------
    path : str or path-like
        Wide ``date,USD,EUR,...`` or long ``date,currency,rate``; decimals or percent.

    Returns
    -------
    pandas.DataFrame
        Rates as decimals, a sorted unique DatetimeIndex named ``date``, one column per
        currency in the file's order, NaN where a date has no new rate.

    Raises
    ------
    DataError
        A missing file, a bad date or number, a duplicate date, a malformed header; the
        message names the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "rates.csv"
    >>> _ = p.write_text("date,EUR,JPY\\n2019-09-02,-0.4%,-0.001\\n2019-09-18,-0.5%,\\n")
    >>> load_rates(p)  # doctest: +NORMALIZE_WHITESPACE
                  EUR    JPY
    date
    2019-09-02 -0.004 -0.001
    2019-09-18 -0.005    NaN
    """
    records, name = _records(Path(path))
    (header_line, header), rows = records[0], records[1:]
    lower = [h.lower() for h in header]
    data: dict[pd.Timestamp, dict[str, float]] = {}
    seen: dict[tuple[pd.Timestamp, str], int] = {}
    codes: list[str] = []
    if sorted(lower) == ["currency", "date", "rate"]:
        i_d, i_c, i_r = (lower.index(k) for k in ("date", "currency", "rate"))
        for line, cells in rows:
            cells = _fit(cells, len(header), line, name, empty="")
            day = _date(cells[i_d], name, line)
            code = _code(cells[i_c], name, line)
            if code not in codes:
                codes.append(code)
            if not cells[i_r]:
                continue
            if (day, code) in seen:
                raise DataError(
                    f"{name} line {line}: {code} on {day.date()} already has a rate on line "
                    f"{seen[day, code]}; keep one"
                )
            seen[day, code] = line
            data.setdefault(day, {})[code] = _number(cells[i_r], name, line, f"{code} rate",
                                                     percent=True)
    else:
        if lower.count("date") != 1:
            raise DataError(
                f"{name} line {header_line}: the header needs one 'date' column, e.g. "
                "'date,USD,EUR,JPY' (wide) or 'date,currency,rate' (long)"
            )
        i_d = lower.index("date")
        cols = [(i, _code(h, name, header_line)) for i, h in enumerate(header) if i != i_d]
        codes = [c for _, c in cols]
        if len(set(codes)) != len(codes):
            raise DataError(f"{name} line {header_line}: a currency has two columns; keep one")
        lines: dict[pd.Timestamp, int] = {}
        for line, cells in rows:
            cells = _fit(cells, len(header), line, name, empty="")
            day = _date(cells[i_d], name, line)
            if day in lines:
                raise DataError(
                    f"{name} line {line}: date {day.date()} already has a row on line "
                    f"{lines[day]}; keep one row per date"
                )
            lines[day] = line
            row = data.setdefault(day, {})
            for i, code in cols:
                if cells[i]:
                    row[code] = _number(cells[i], name, line, f"{code} rate", percent=True)
    if not data:
        raise DataError(f"{name} line {header_line}: no rates after the header; add rows")
    frame = pd.DataFrame.from_dict(data, orient="index").reindex(columns=codes).sort_index()
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    return frame.astype(np.float64)


def _code(text: str, name: str, line: int) -> str:
    try:
        return normalize_code(text)
    except DataError as exc:
        raise DataError(f"{name} line {line}: {exc}") from None


def load_flows(path: str | os.PathLike[str]) -> FlowSchedule:
    """Read a CSV file of daily coin flows: ``date,coins`` (net) or ``date,mint,burn``.

    Raises
    ------
    DataError
        A missing file, a bad date or number, a duplicate date, a negative mint or burn, or
        another header; the message names the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "flows.csv"
    >>> _ = p.write_text("date,coins\\n2020-03-09,-1e8\\n2020-03-10,5e7\\n")
    >>> s = load_flows(p)
    >>> s.label, s.burn.tolist(), s.mint.tolist()
    ('flows:flows.csv', [100000000.0, 0.0], [0.0, 50000000.0])
    """
    p = Path(path)
    records, name = _records(p)
    (header_line, header), rows = records[0], records[1:]
    lower = [h.lower() for h in header]
    if sorted(lower) == ["coins", "date"]:
        kinds = ["coins"]
    elif sorted(lower) == ["burn", "date", "mint"]:
        kinds = ["mint", "burn"]
    else:
        raise DataError(
            f"{name} line {header_line}: header {','.join(header)!r} is not 'date,coins' (net "
            "coins, + minted, - burned) or 'date,mint,burn'"
        )
    pos = {k: lower.index(k) for k in ["date", *kinds]}
    days: list[pd.Timestamp] = []
    mint: list[float] = []
    burn: list[float] = []
    lines: dict[pd.Timestamp, int] = {}
    for line, cells in rows:
        cells = _fit(cells, len(header), line, name, empty="")
        day = _date(cells[pos["date"]], name, line)
        if day in lines:
            raise DataError(
                f"{name} line {line}: date {day.date()} already has a row on line {lines[day]}; "
                "keep one row per date"
            )
        lines[day] = line
        values = {k: _number(cells[pos[k]] or "0", name, line, k) for k in kinds}
        for k, v in values.items():
            if not math.isfinite(v) or (k != "coins" and v < 0):
                raise DataError(f"{name} line {line}: {k} {cells[pos[k]]!r} must be a finite "
                                f"number{'' if k == 'coins' else ' >= 0'}")
        days.append(day)
        if kinds == ["coins"]:
            mint.append(max(values["coins"], 0.0))
            burn.append(max(-values["coins"], 0.0))
        else:
            mint.append(values["mint"])
            burn.append(values["burn"])
    if not days:
        raise DataError(f"{name} line {header_line}: no flows after the header; add rows")
    idx = pd.DatetimeIndex(days, name="date")
    order = np.argsort(idx.to_numpy(), kind="stable")
    return FlowSchedule(
        pd.Series(np.asarray(mint)[order], index=idx[order]),
        pd.Series(np.asarray(burn)[order], index=idx[order]),
        f"flows:{p.name}",
    )


def load_scenario(text: str | ScenarioLike) -> ScenarioLike | None:
    """Like :func:`basket.reserve.parse_scenario`, also reading ``flows:FILE.csv``.

    Examples
    --------
    >>> load_scenario("growth:10%")
    Growth(rate=0.1)
    """
    if isinstance(text, str) and text.strip().lower().startswith("flows:"):
        return load_flows(text.strip()[len("flows:"):])
    return parse_scenario(text)


def parse_costs(text: str | float | Mapping[str, float], what: str = "cost_bps"
                ) -> float | dict[str, float]:
    """Read basis points: one number for every currency (``"2"``) or ``"USD=1,EUR=2,..."``.

    Raises
    ------
    SpecError
        Not a number or CODE=NUMBER list.

    Examples
    --------
    >>> parse_costs("2.5"), parse_costs("USD=1,EUR=2")
    (2.5, {'USD': 1.0, 'EUR': 2.0})
    """
    if not isinstance(text, str):
        return dict(text) if isinstance(text, Mapping) else float(text)
    t = text.strip()
    if "=" not in t:
        try:
            return float(t)
        except ValueError:
            raise SpecError(
                f"{what} {text!r} is not a number of basis points or CODE=BPS list, e.g. 2 or "
                "USD=1,EUR=2"
            ) from None
    out: dict[str, float] = {}
    for item in (x.strip() for x in t.split(",") if x.strip()):
        key, _, value = item.partition("=")
        try:
            out[normalize_code(key.strip())] = float(value)
        except (ValueError, DataError):
            raise SpecError(f"{what}: {item!r} is not CODE=BPS, e.g. EUR=2") from None
    return out


# ----------------------------------------------------------------------------- episodes
def list_reserve_episodes() -> list[tuple[str, str, pd.Timestamp, pd.Timestamp]]:
    """The crisis episodes known to :mod:`basket.stress`: (name, title, start, end).

    Uses ``basket.stress.list_episodes()`` when that module is available, otherwise reads
    ``basket/resources/episodes.toml`` (``[[episode]]`` tables with ``name``, ``title``,
    ``start`` and ``end``) if it is installed; an empty list otherwise.

    Examples
    --------
    >>> names = [e[0] for e in list_reserve_episodes()]
    >>> "covid-dash-for-cash-2020" in names
    True
    """
    try:
        module = importlib.import_module("basket.stress")
        items = module.list_episodes()
        return [(e.name, e.title, pd.Timestamp(e.start), pd.Timestamp(e.end)) for e in items]
    except (ImportError, AttributeError):  # pragma: no cover - stress module not installed
        pass
    from importlib import resources

    try:
        raw = resources.files("basket").joinpath("resources").joinpath(
            "episodes.toml").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover
        return []
    out = []
    for item in tomllib.loads(raw).get("episode", []):  # pragma: no cover - fallback
        out.append((str(item["name"]), str(item.get("title", item["name"])),
                    pd.Timestamp(item["start"]), pd.Timestamp(item["end"])))
    return sorted(out, key=lambda e: (e[2], e[3]))  # pragma: no cover


def episode_run_costs(
    spec: str | BasketSpec,
    run: Run | str | None = None,
    *,
    episodes: Sequence[tuple[str, str, Any, Any]] | None = None,
    source: str | FXSource = "ecb",
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
        Passed to :func:`basket.reserve.simulate_reserve` (``rates`` required). A ``buffer``
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
    return res


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
    source: str | FXSource = "ecb",
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
    if panel is not None:
        from .data.panel import validate_panel

        validate_panel(panel)
        base_prices = (panel.iloc[base_date_row(panel.index, pd.Timestamp(spec.base_date))]
                       if spec.weights is not None else None)
        fx = panel.loc[t0:t1]
    else:
        fx, base_prices = load_panel_for(spec, t0, t1, asked or (), source)
    res = _simulate(spec, fx, base_prices, scenarios, numeraires=asked, **options)
    if not episodes:
        return res
    run = episode_run if episode_run is not None else next(
        (s for s in scenarios if isinstance(s, Run)), DEFAULT_EPISODE_RUN)
    if panel is not None:
        return dataclasses.replace(res, notes=(*res.notes, "episodes need a source, not a panel"))
    table, notes = episode_run_costs(spec, run, source=source, **options)
    return dataclasses.replace(res, episodes=table, notes=(*res.notes, *notes))
