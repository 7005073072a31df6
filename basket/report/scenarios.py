"""The sections of the report on what may happen: historical stress episodes, the Monte Carlo
outlook.

Each takes the result of :func:`basket.stress` or :func:`basket.simulate` (or any object with
the attributes read here) and returns the HTML of one section's body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from basket.errors import DataError
from basket.report.blocks import date, e, figure, fixed, num, table

_RISK_LABELS = {
    "horizon_var_95": "VaR 95%", "horizon_es_95": "ES 95%", "horizon_var_99": "VaR 99%",
    "horizon_es_99": "ES 99%", "horizon_volatility": "volatility",
}
_METHODS = {"normal": "multivariate normal daily log returns",
            "bootstrap": "a stationary block bootstrap of historical daily returns"}


def check_optional(stress: Any, simulation: Any) -> None:
    """Refuse a stress or simulation result without what the sections read."""
    if stress is not None and not isinstance(getattr(stress, "table", None), pd.DataFrame):
        raise DataError("the stress result has no 'table' DataFrame; pass what basket.stress() "
                        "returns")
    if simulation is not None:
        fans = getattr(simulation, "fan", None)
        if not isinstance(fans, Mapping) or not fans:
            raise DataError("the simulation result has no 'fan' mapping; pass what "
                            "basket.simulate() returns")


def _pivot(table: pd.DataFrame, value: str) -> pd.DataFrame:
    """Rows ``episode / numeraire``, columns the holdings; a currency held in itself is blank."""
    table = table.assign(**{value: table[value].where(table["holding"] != table["numeraire"])})
    wide = table.pivot_table(index=["episode", "numeraire"], columns="holding", values=value,
                             aggfunc="first", sort=False, dropna=False)
    wide.index = [f"{ep} / {k}" for ep, k in wide.index]
    wide.columns = [str(c) for c in wide.columns]
    if "basket" in wide.columns:
        wide = wide[["basket", *[c for c in wide.columns if c != "basket"]]]
    return wide


def stress(res: Any, plot: Any, dpi: int) -> str:
    """The stress episodes: bars, then the change and the drawdown in each."""
    table_ = res.table
    parts = [figure(plot.stress_bars(res), "stress episodes",
                    "Change of the basket and of each currency held alone over each "
                    "historical stress episode, per holder currency.", dpi)]
    episodes = getattr(res, "episodes", ())
    if episodes:
        rows = [f"<li><b>{e(ep.name)}</b>: {e(ep.title)} ({e(ep.start)} to {e(ep.end)})</li>"
                for ep in episodes]
        parts.append(f"<ul>{''.join(rows)}</ul>")
    if {"episode", "numeraire", "holding", "change"} <= set(table_.columns):
        parts.append("<h3>Change over each episode</h3>")
        parts.append(table(_pivot(table_, "change"), index_label="episode / holder in"))
    if {"episode", "numeraire", "holding", "max_drawdown"} <= set(table_.columns):
        parts.append("<h3>Deepest fall within each episode</h3>")
        parts.append(table(_pivot(table_, "max_drawdown"), index_label="episode / holder in"))
    skipped = getattr(res, "skipped", ())
    if skipped:
        parts.append(f"<p>Left out (outside the data): {e(', '.join(skipped))}.</p>")
    return "".join(parts)


def _setup(sim: Any) -> str:
    bits = []
    n_paths, horizon = getattr(sim, "n_paths", None), getattr(sim, "horizon", None)
    if isinstance(n_paths, int) and isinstance(horizon, int):
        bits.append(f"{n_paths:,} simulated paths of {horizon} business days")
    method = getattr(sim, "method", None)
    if method:
        bits.append(f"drawn from {_METHODS.get(method, method)}")
    window = getattr(sim, "window", None)
    if window is not None:
        bits.append(f"estimated on {date(window[0])} to {date(window[1])}")
    start = getattr(sim, "start", None)
    if start is not None:
        bits.append(f"starting on {date(start)}")
    return f"<p>{e('; '.join(bits))}.</p>" if bits else ""


def simulation(sim: Any, plot: Any, dpi: int) -> str:
    """The Monte Carlo outlook: the fan, the value at the horizon and the horizon risk."""
    parts = [_setup(sim), figure(plot.fan_chart(sim), "Monte Carlo fan chart",
                                 "Percentile bands of the simulated basket value in each holder "
                                 "currency, relative to the start.", dpi)]
    last = pd.DataFrame({str(k): f.iloc[-1] for k, f in sim.fan.items()}).T
    terminal = getattr(sim, "terminal", None)
    if isinstance(terminal, pd.DataFrame):
        last = terminal.loc[:, [c for c in terminal.columns if c != "mean"]]
        parts.append("<h3>Value at the horizon, relative to the start (all paths)</h3>")
        parts.append(table(last, fixed, index_label="holder in"))
    else:
        parts.append("<h3>Percentiles of the value at the horizon</h3>")
        parts.append(table(last, num, index_label="holder in"))
    risk = getattr(sim, "risk", None)
    if isinstance(risk, pd.DataFrame):
        frame = risk.rename(columns=lambda c: _RISK_LABELS.get(
            c, c.replace("prob_move_gt_", "P(|move| > ").replace("pct", "%)")))
        parts.append("<h3>Risk over the whole horizon</h3>")
        parts.append("<p>VaR and ES: losses at the horizon as positive fractions of the start "
                     "value (not one-day figures); P(|move| &gt; x): the share of paths ending "
                     "more than x away from the start; volatility: of the log value at the "
                     "horizon, annualized.</p>")
        parts.append(table(frame, index_label="holder in"))
    notes = getattr(sim, "notes", ())
    if notes:
        parts.append(f"<p>Notes: {e('; '.join(notes))}.</p>")
    return "".join(parts)
