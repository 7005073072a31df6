"""The sections of the report that set the basket among other measures of money: the dollar
against Libra, the SDR and the dollar index (:func:`basket.compare_indices`), and the
volatility spillovers between the basket's currencies (:func:`basket.spillover`).

Each takes the result (or any object with the attributes read here) and returns the HTML of one
section's body.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from basket.errors import DataError
from basket.report.blocks import date, details, e, figure, fixed, num, pct, table

_INDEX_LABELS = {
    "start": "level at start", "end": "level at end", "change": "change",
    "annualized_change": "annualized change", "volatility": "volatility (annualized)",
    "max_drawdown": "max drawdown",
}


def check_optional(indices: Any, spillover: Any) -> None:
    """Refuse an index comparison or a spillover result without what the sections read."""
    if indices is not None and not (
        isinstance(getattr(indices, "table", None), pd.DataFrame)
        and isinstance(getattr(indices, "rebased", None), pd.DataFrame)
    ):
        raise DataError("the index comparison has no 'table' and 'rebased' DataFrames; pass "
                        "what basket.compare_indices() returns")
    if spillover is not None and not isinstance(getattr(spillover, "table", None),
                                                pd.DataFrame):
        raise DataError("the spillover result has no 'table' DataFrame; pass what "
                        "basket.spillover() returns")


def _measures(cmp: Any) -> str:
    """One line per index: its own description, and whether it holds the currency itself."""
    rows = []
    for spec in getattr(cmp, "specs", ()):
        what = " ".join(str(spec.description or "").split())
        if cmp.currency in spec.currencies:
            what += (f" It holds {cmp.currency} itself, so {cmp.currency} moves less against it "
                     "than against a basket without it.")
        rows.append(f"<li><b>{e(spec.title or spec.name)}</b> ({e(spec.name)}): {e(what)}</li>")
    return f"<ul>{''.join(rows)}</ul>" if rows else ""


def indices(cmp: Any, plot: Any, dpi: int) -> str:
    """The currency against each basket: what each measures, the chart, the table."""
    cur = e(cmp.currency)
    parts = [
        f"<p>Each line is the value of one {cur} in a basket (how many units of the basket one "
        f"{cur} buys; for a published index, its level), rebased to 100 on "
        f"{date(cmp.base_date)}. A rise means {cur} strengthened against that basket. The "
        f"value of {cur} in Libra is the view of a holder who thinks in Libra.</p>",
        _measures(cmp),
        figure(plot.indices_figure(cmp), f"{cmp.currency} against each basket",
               f"{cmp.currency} against each basket (100 on {date(cmp.base_date)}), its "
               "rolling volatility and the correlation of daily changes.", dpi),
    ]
    frame = cmp.table.rename(columns=lambda c: _INDEX_LABELS.get(
        str(c), str(c).replace("corr_", "correlation with ")))
    fmt = {label: (num if key in ("start", "end") else pct)
           for key, label in _INDEX_LABELS.items()}
    fmt.update({c: fixed for c in frame.columns if str(c).startswith("correlation with ")})
    parts.append(f"<h3>{cur} against each basket, {date(cmp.start)} to {date(cmp.end)}</h3>")
    parts.append(table(frame, fmt, index_label="index"))
    parts.append("<p>Changes and volatility from daily log changes of each index, annualized "
                 f"with {num(cmp.periods_per_year)} days a year; correlations of daily log "
                 "changes on the dates all indices share.</p>")
    return "".join(parts)


def _share(x: Any) -> str:
    """A share already in percent (``39.6`` -> ``39.6``); missing -> ``–``."""
    return fixed(x, 1)


def _episodes(res: Any) -> str:
    """Mean rolling figures in each shipped stress episode the windows reach."""
    from basket.design.episodes import list_episodes

    summary = getattr(res, "rolling_summary", None)
    if not callable(summary):
        return ""
    frame = summary({ep.title: (ep.start, ep.end) for ep in list_episodes()})
    keep = [c for c in frame.columns if c == "total" or str(c).startswith("net_")]
    if frame.empty or not keep:
        return ""
    frame = frame[keep].rename(columns=lambda c: "total" if c == "total"
                               else f"net {str(c)[4:]}")
    return ("<h3>The rolling index in the stress episodes</h3>"
            + table(frame, _share, index_label="windows ending in")
            + "<p>Means over the windows that end within each period (percent).</p>")


def _by_year(res: Any, backtest: Any) -> pd.DataFrame:
    """The rolling total index by calendar year, beside the basket's rolling volatility."""
    total = res.rolling["total"] if isinstance(res.rolling, pd.DataFrame) else res.rolling
    grouped = total.groupby(total.index.year)
    out = pd.DataFrame({"mean": grouped.mean(), "low": grouped.min(), "high": grouped.max()})
    if backtest is not None and res.numeraire in getattr(backtest, "numeraires", ()):
        vol = backtest.rolling_volatility()[res.numeraire].dropna()
        out[f"basket volatility in {res.numeraire}"] = vol.groupby(vol.index.year).mean()
    out.index = pd.Index([str(y) for y in out.index], name="year")
    return out


def spillover(res: Any, backtest: Any, plot: Any, dpi: int) -> str:
    """The spillover table, the total index and, with rolling figures, the index through time
    beside the basket's rolling volatility."""
    describe = getattr(res, "describe", None)
    parts = [f"<p>{e(describe())}.</p>" if callable(describe) else ""]
    parts.append(
        "<p>Diebold and Yilmaz (2012) connectedness: a VAR on the currencies' daily changes "
        "and the generalized forecast-error variance decomposition of Pesaran and Shin "
        "(1998), which does not depend on the order of the variables. Row <em>i</em>, column "
        "<em>j</em>: the share of the forecast-error variance of currency <em>i</em> "
        "(receiver) that comes from shocks to currency <em>j</em> (transmitter), in percent; "
        "each row sums to 100. Net: given to others minus received from them.</p>")
    parts.append(f"<p><b>Total connectedness: {_share(res.total)}%</b> of the forecast-error "
                 "variance comes from other currencies.</p>")
    parts.append(table(res.table, _share, index_label="receiver \\ transmitter"))
    rolling = getattr(res, "rolling", None)
    if rolling is not None:
        parts.append(figure(
            plot.spillover_figure(res, backtest),
            "rolling total connectedness",
            f"Total connectedness over a trailing window of {res.window} days, each "
            "currency's net transmission and the basket's rolling volatility; shipped stress "
            "episodes shaded.", dpi))
        parts.append(_episodes(res))
        years = _by_year(res, backtest)
        fmt = {c: (pct if c.startswith("basket volatility") else _share) for c in years.columns}
        parts.append(details(
            "The rolling total index by year (2008, 2015 and 2020 among them)",
            table(years, fmt, index_label="year")
            + "<p>Mean, low and high of the rolling total index (percent) within each year; "
              "the basket's rolling volatility (annualized) averaged over the same year.</p>",
            open_=True))
    notes = [*getattr(res, "notes", ())]
    selection = getattr(res, "lag_selection", None)
    if selection:
        notes.append(str(selection))
    if notes:
        parts.append(f"<p>Notes: {e('; '.join(notes))}.</p>")
    return "".join(parts)
