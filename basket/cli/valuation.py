"""Commands on one basket's value: ``backtest``, ``price``, ``indices``, ``seeds``, ``report``.

An index (the ``dxy`` seed, or any TOML with ``constant`` or ``base_level``) is priced and
backtested by its level: ``price`` prints a ``level`` column and refuses ``--in``, ``backtest``
has one row, ``level``, beside each bilateral rate "alone" (e.g. EUR per USD for the DXY).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from basket.cli.app import app
from basket.cli.common import (
    BASKET_HELP,
    NUMERAIRE_HELP,
    REBALANCE_HELP,
    codes,
    figure_bytes,
    format_option,
    handle_errors,
    plan_outputs,
    source_options,
    spec_input,
    table_bytes,
    wide_option,
)
from basket.cli.data import emit_records
from basket.cli.render import Table, emit_csv, emit_json, show

if TYPE_CHECKING:  # pragma: no cover
    from basket.valuation.results import BacktestResult

BACKTEST_LABELS = {
    "volatility": "vol", "total_return": "total", "max_drawdown": "max dd",
    "worst_day": "worst day", "var_95": "VaR 95", "es_95": "ES 95", "tracking_error": "TE",
}
BACKTEST_LEGEND = {
    "vol": "annualized volatility of daily log returns",
    "total": "total return over the period",
    "max dd": "largest fall from a running peak",
    "worst day": "worst one-day simple return",
    "VaR 95, ES 95": "one-day historical value at risk and expected shortfall at 95%, as losses",
    "XXX alone": "volatility of that currency held alone, measured in the holder's currency",
}
INDEX_LEGEND = {
    **{k: v for k, v in BACKTEST_LEGEND.items() if k != "XXX alone"},
    "level": "the index level itself (unitless), not a value in a currency",
    "XXX alone": "volatility of that bilateral rate, quoted as the index quotes it",
}
INDICES_LABELS = {
    "start": "first", "end": "last", "change": "change", "annualized_change": "per year",
    "volatility": "vol", "max_drawdown": "max dd",
}
INDICES_LEGEND = {
    "first, last": "each index's level on the first and last common date",
    "change": "last / first - 1: the currency's gain against that basket",
    "per year": "the change, annualized",
    "vol": "annualized volatility of daily log changes (the basket's, for a holder of the currency)",
    "max dd": "largest fall from a running peak",
    "corr X": "correlation of daily log changes with index X",
}


def backtest_table(res: BacktestResult) -> Table:
    """The headline table of a backtest, with short labels and a legend."""
    frame = res.summary()
    labels = {c: BACKTEST_LABELS.get(c, c.removeprefix("vol_") + " alone") for c in frame.columns}
    title = (f"{res.spec.title or res.spec.name}: rebalance {res.rule}, {res.start.date()} to "
             f"{res.end.date()} ({len(res.values)} dates, source {res.source})")
    notes = [f"Annualized with {res.periods_per_year:g} periods a year.",
             *(f"note: {n}" for n in res.notes)]
    index = res.spec.is_index
    legend = dict(INDEX_LEGEND if index else BACKTEST_LEGEND)
    if res.benchmark is not None:
        legend = {**{k: v for k, v in legend.items() if k != "XXX alone"},
                  "TE": f"tracking error against {res.benchmark}: annualized volatility of the "
                        "daily simple-return difference (nearly the same for every holder)",
                  "XXX alone": legend["XXX alone"]}
    return Table(frame, title, "index" if index else "holder in",
                 styles=dict.fromkeys(frame.columns, "pct"), labels=labels,
                 legend=legend, notes=notes)


@app.command()
@handle_errors
@source_options
def backtest(
    spec: str = typer.Argument("libra-2019", help=BASKET_HELP, metavar="BASKET"),
    start: Optional[str] = typer.Option(None, "--start", metavar="YYYY-MM-DD",
        help="First date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", metavar="YYYY-MM-DD", help="Last date, YYYY-MM-DD."),
    rebalance: Optional[str] = typer.Option(None, "--rebalance", "-r", help=REBALANCE_HELP,
                                            metavar="RULE"),
    numeraire: Optional[list[str]] = typer.Option(None, "--numeraire", "-n",
                                                  help=NUMERAIRE_HELP, metavar="CODE"),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write the daily values (one column per numeraire) to "
                                     "FILE.csv or FILE.parquet."),
    plot: Optional[list[Path]] = typer.Option(
        None, "--plot", metavar="FILE", help="Save a four-panel chart to FILE.png, .svg or .pdf (repeat for "
                             "several files)."),
    benchmark: Optional[str] = typer.Option(
        None, "--benchmark", metavar="BASKET",
        help="Measure the tracking error and active return against this basket (e.g. sdr)."),
    source: Any = None,
    fmt: str = format_option("; json and csv hold every figure per numeraire (the daily values: "
                             "--output)"),
    wide: bool = wide_option(),
) -> None:
    """Backtest a basket: daily value in each numeraire and its risk against each constituent."""
    from basket.valuation.api import backtest as run

    with plan_outputs(source, spec_input(spec)) as plan:
        out = plan.add(output, "table", "--output") if output is not None else None
        figs = [plan.add(p, "figure", "--plot") for p in plot or ()]
        res = run(spec, start, end, rebalance, codes(numeraire), source, benchmark=benchmark)
        if out is not None:
            plan.write_bytes(out, table_bytes(res.values, out))
        if figs:
            from basket.plot import backtest_figure

            fig = backtest_figure(res)
            for f in figs:
                plan.write_bytes(f, figure_bytes(fig, f))
    fmt = fmt.lower()
    if fmt == "json":
        emit_json(res.to_dict())
    elif fmt == "csv":
        emit_csv(res.figures(), index_label="numeraire")
    else:
        show([backtest_table(res)], wide=wide)
    if out is not None:
        typer.echo(f"wrote {len(res.values)} rows to {out}", err=fmt != "table")
    for f in figs:
        typer.echo(f"wrote chart to {f}", err=fmt != "table")


@app.command()
@handle_errors
@source_options
def price(
    date: list[str] = typer.Argument(..., help="Date(s), YYYY-MM-DD.", metavar="DATE..."),
    numeraire: Optional[str] = typer.Option(
        None, "--numeraire", "--in", "-n", metavar="CODE",
        help="Currency to express the value in (default USD; an index has none: it is a level)."),
    basket: str = typer.Option("libra-2019", "--basket", "-b", help=BASKET_HELP,
                               metavar="BASKET"),
    source: Any = None,
    fmt: str = format_option(),
    wide: bool = wide_option(),
) -> None:
    """The value of one unit of a basket on a date (the last quote on or before it)."""
    from basket.spec import load_spec
    from basket.valuation.api import price_detail

    spec = load_spec(basket)
    detail = price_detail(date, numeraire, spec, source)
    k = "USD" if numeraire is None else str(numeraire).strip().upper()
    column = "level" if spec.is_index else f"value_{k}"
    detail = detail.rename(columns={"value": column})
    detail.index = detail.index.strftime("%Y-%m-%d")
    detail["date_used"] = detail["date_used"].dt.strftime("%Y-%m-%d")
    fmt = fmt.lower()
    if fmt == "json":
        from basket._json import to_jsonable

        emit_json([{"date": d, **to_jsonable(dict(row))} for d, row in detail.iterrows()])
    elif fmt == "csv":
        emit_csv(detail, index_label="date")
    else:
        title = (f"{spec.title or spec.name}, level" if spec.is_index
                 else f"One unit of {spec.title or spec.name}, in {k}")
        show([Table(detail, title, "date", styles={column: "price"})], wide=wide)


@app.command()
@handle_errors
@source_options
def indices(
    baskets: Optional[list[str]] = typer.Argument(
        None, metavar="[BASKET]...",
        help="Baskets to measure the currency against (default: libra-2019 sdr dxy)."),
    currency: str = typer.Option("USD", "--currency", "-c", metavar="CODE",
                                 help="The currency measured (the holder's currency)."),
    start: Optional[str] = typer.Option(None, "--start", metavar="YYYY-MM-DD",
        help="First date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", metavar="YYYY-MM-DD", help="Last date, YYYY-MM-DD."),
    base_date: Optional[str] = typer.Option(
        None, "--base-date", metavar="YYYY-MM-DD",
            help="Date on which every index is 100 (default: the first date)."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write the rebased levels to FILE.csv or FILE.parquet."),
    plot: Optional[list[Path]] = typer.Option(
        None, "--plot", metavar="FILE",
            help="Save the levels, rolling volatility and correlations to FILE.png, "
                             ".svg or .pdf (repeat for several files)."),
    source: Any = None,
    fmt: str = format_option(),
    wide: bool = wide_option(),
) -> None:
    """A currency against several baskets: its index on each, volatility and correlations."""
    from basket.valuation.api import compare_indices

    names = codes(baskets) or ["libra-2019", "sdr", "dxy"]
    with plan_outputs(source, *[spec_input(b) for b in names]) as plan:
        out = plan.add(output, "table", "--output") if output is not None else None
        figs = [plan.add(p, "figure", "--plot") for p in plot or ()]
        cmp = compare_indices(names, currency, start, end, source, base_date=base_date)
        if out is not None:
            plan.write_bytes(out, table_bytes(cmp.rebased, out))
        if figs:
            from basket.plot import indices_figure

            fig = indices_figure(cmp)
            for f in figs:
                plan.write_bytes(f, figure_bytes(fig, f))
    fmt = fmt.lower()
    if fmt == "json":
        emit_json(cmp.to_dict())
    elif fmt == "csv":
        emit_csv(cmp.table, index_label="index")
    else:
        show([indices_table(cmp)], wide=wide)
    if out is not None:
        typer.echo(f"wrote {len(cmp.rebased)} rows to {out}", err=fmt != "table")
    for f in figs:
        typer.echo(f"wrote chart to {f}", err=fmt != "table")


def indices_table(cmp: Any) -> Table:
    """The comparison table of :func:`basket.compare_indices`, short labels and a legend."""
    frame = cmp.table
    labels = {c: INDICES_LABELS.get(c, c.replace("corr_", "corr ")) for c in frame.columns}
    styles = {c: "num" if c in ("start", "end") or c.startswith("corr_") else "pct"
              for c in frame.columns}
    title = (f"{cmp.currency} against each basket, {cmp.start.date()} to {cmp.end.date()} "
             f"({len(cmp.levels)} common dates, source {cmp.source})")
    notes = [f"Annualized with {cmp.periods_per_year:g} periods a year; an index rises when "
             f"the {cmp.currency} buys more of its basket."]
    return Table(frame, title, "index", styles=styles, labels=labels, legend=INDICES_LEGEND,
                 notes=notes)


def _composition(s: Any) -> str:
    if s.is_index:
        scale = (f"scaled by {s.constant:.10g}" if s.constant is not None
                 else f"{s.base_level:g} on {s.base_date}")
        basket = (", ".join(f"{c} {w:.1%}" for c, w in s.weights.items())
                  if s.weights is not None else f"{len(s.periods or ())} amounts periods")
        return (f"{s.base_currency} index, rises as {s.base_currency} {s.rises_when}, {scale}; "
                f"{s.method} basket: {basket}")
    if s.weights is not None:
        return ", ".join(f"{c} {w:.0%}" for c, w in s.weights.items())
    last = (s.periods or ())[-1]
    comp = ", ".join(f"{c} {a:g}" for c, a in last.amounts.items())
    return f"{comp} (from {last.start}; {len(s.periods or ())} periods)"


@app.command()
@handle_errors
def seeds(fmt: str = format_option(), wide: bool = wide_option()) -> None:
    """List the baskets shipped with basket, with their composition and sources."""
    import pandas as pd

    from basket.spec import list_seeds

    records = [
        {"name": s.name, "title": s.title, "kind": s.kind, "composition": _composition(s),
         "base_date": s.base_date, "rebalance": s.rebalance,
         "source": " ".join(s.source.get("citation", "").split()),
         "url": s.source.get("url", "")}
        for s in list_seeds()
    ]
    frame = pd.DataFrame.from_records(records, index="name")[["title", "kind", "base_date"]]
    emit_records(records, fmt.lower(), Table(
        frame, "Baskets shipped with basket ('basket seeds --format json' for composition and "
               "sources)", "name", styles={"base_date": "date"}), wide)


@app.command()
@handle_errors
@source_options
def report(
    spec: str = typer.Argument("libra-2019", help=BASKET_HELP, metavar="BASKET"),
    output: Path = typer.Option(..., "--output", "-o", metavar="FILE", help="The HTML file to write."),
    start: Optional[str] = typer.Option(None, "--start", metavar="YYYY-MM-DD",
        help="First date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", metavar="YYYY-MM-DD", help="Last date, YYYY-MM-DD."),
    rebalance: Optional[str] = typer.Option(None, "--rebalance", "-r", help=REBALANCE_HELP,
                                            metavar="RULE"),
    numeraire: Optional[list[str]] = typer.Option(None, "--numeraire", "-n",
                                                  help=NUMERAIRE_HELP, metavar="CODE"),
    paths: int = typer.Option(5000, "--paths", metavar="N",  # report.OUTLOOK_PATHS (lazy)
                              help="Simulated paths of the Monte Carlo outlook."),
    seed: int = typer.Option(0, "--seed", metavar="N",
                             help="Seed of the outlook (same seed, same report)."),
    outlook: bool = typer.Option(True, "--outlook/--no-outlook",
                                 help="Include the Monte Carlo outlook (fan, horizon VaR/ES)."),
    stress: bool = typer.Option(True, "--stress/--no-stress",
                                help="Include the historical stress episodes."),
    indices: bool = typer.Option(True, "--indices/--no-indices",
                                 help="Include the dollar against Libra, the SDR and the DXY."),
    spillover: bool = typer.Option(True, "--spillover/--no-spillover",
                                   help="Include the Diebold-Yilmaz volatility spillovers."),
    source: Any = None,
) -> None:
    """Write a self-contained HTML report of a basket (figures embedded; mail it as is).

    It holds the backtest (value, volatility, risk, drawdowns, monthly and yearly returns),
    the stress episodes, a Monte Carlo outlook, the dollar against Libra, the SDR and the
    dollar index, and the volatility spillovers between the basket's currencies.
    """
    from basket.report import build_report

    with plan_outputs(source, spec_input(spec)) as plan:
        out = plan.add(output, "report", "--output")
        page = build_report(spec, start, end, rebalance, codes(numeraire), source,
                            stress=stress, outlook=outlook, indices=indices,
                            spillover=spillover, n_paths=paths, seed=seed)
        plan.write_text(out, page)
    typer.echo(f"wrote report to {out} ({len(page.encode('utf-8')) / 1e6:.1f} MB)")
