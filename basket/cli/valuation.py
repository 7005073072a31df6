"""Commands on one basket's value: ``backtest``, ``price``, ``seeds`` and ``report``."""

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
    "worst_day": "worst day", "var_95": "VaR 95", "es_95": "ES 95",
}
BACKTEST_LEGEND = {
    "vol": "annualised volatility of daily log returns",
    "total": "total return over the period",
    "max dd": "largest fall from a running peak",
    "worst day": "worst one-day simple return",
    "VaR 95, ES 95": "one-day historical value at risk and expected shortfall at 95%, as losses",
    "XXX alone": "volatility of that currency held alone, measured in the holder's currency",
}


def backtest_table(res: BacktestResult) -> Table:
    """The headline table of a backtest, with short labels and a legend."""
    frame = res.summary()
    labels = {c: BACKTEST_LABELS.get(c, c.removeprefix("vol_") + " alone") for c in frame.columns}
    title = (f"{res.spec.title or res.spec.name}: rebalance {res.rule}, {res.start.date()} to "
             f"{res.end.date()} ({len(res.values)} dates, source {res.source})")
    notes = [f"Annualised with {res.periods_per_year:g} periods a year."]
    return Table(frame, title, "holder in", styles=dict.fromkeys(frame.columns, "pct"),
                 labels=labels, legend=BACKTEST_LEGEND, notes=notes)


@app.command()
@handle_errors
@source_options
def backtest(
    spec: str = typer.Argument("libra-2019", help=BASKET_HELP, metavar="BASKET"),
    start: Optional[str] = typer.Option(None, "--start", help="First date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", help="Last date, YYYY-MM-DD."),
    rebalance: Optional[str] = typer.Option(None, "--rebalance", "-r", help=REBALANCE_HELP,
                                            metavar="RULE"),
    numeraire: Optional[list[str]] = typer.Option(None, "--numeraire", "-n",
                                                  help=NUMERAIRE_HELP, metavar="CODE"),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write the daily values (one column per numeraire) to "
                                     "FILE.csv or FILE.parquet."),
    plot: Optional[list[Path]] = typer.Option(
        None, "--plot", help="Save a four-panel chart to FILE.png, .svg or .pdf (repeat for "
                             "several files)."),
    source: Any = None,
    fmt: str = format_option(),
    wide: bool = wide_option(),
) -> None:
    """Backtest a basket: daily value in each numeraire and its risk against each constituent."""
    from basket.valuation.api import backtest as run

    with plan_outputs(source, spec_input(spec)) as plan:
        out = plan.add(output, "table", "--output") if output is not None else None
        figs = [plan.add(p, "figure", "--plot") for p in plot or ()]
        res = run(spec, start, end, rebalance, codes(numeraire), source)
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
    numeraire: str = typer.Option("USD", "--numeraire", "--in", "-n",
                                  help="Currency to express the value in.", metavar="CODE"),
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
    k = str(numeraire).strip().upper()
    detail = detail.rename(columns={"value": f"value_{k}"})
    detail.index = detail.index.strftime("%Y-%m-%d")
    detail["date_used"] = detail["date_used"].dt.strftime("%Y-%m-%d")
    fmt = fmt.lower()
    if fmt == "json":
        from basket._json import to_jsonable

        emit_json([{"date": d, **to_jsonable(dict(row))} for d, row in detail.iterrows()])
    elif fmt == "csv":
        emit_csv(detail, index_label="date")
    else:
        show([Table(detail, f"One unit of {spec.title or spec.name}, in {k}", "date",
                    styles={f"value_{k}": "price"})], wide=wide)


def _composition(s: Any) -> str:
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
    output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
    start: Optional[str] = typer.Option(None, "--start", help="First date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", help="Last date, YYYY-MM-DD."),
    rebalance: Optional[str] = typer.Option(None, "--rebalance", "-r", help=REBALANCE_HELP,
                                            metavar="RULE"),
    numeraire: Optional[list[str]] = typer.Option(None, "--numeraire", "-n",
                                                  help=NUMERAIRE_HELP, metavar="CODE"),
    source: Any = None,
) -> None:
    """Write a self-contained HTML report of a backtest (figures embedded; mail it as is)."""
    from basket.report import render_report
    from basket.valuation.api import backtest as run

    with plan_outputs(source, spec_input(spec)) as plan:
        out = plan.add(output, "report", "--output")
        res = run(spec, start, end, rebalance, codes(numeraire), source)
        page = render_report(res)
        plan.write_text(out, page)
    typer.echo(f"wrote report to {out} ({len(page.encode('utf-8')) / 1e6:.1f} MB)")
