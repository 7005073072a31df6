"""Commands on one basket's value: ``backtest``, ``price``, ``seeds`` and ``report``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from basket.cli.app import app
from basket.cli.common import (
    REBALANCE_HELP,
    SOURCE_HELP,
    check_format,
    codes,
    handle_errors,
    render_frame,
    write_frame,
)


@app.command()
@handle_errors
def backtest(
    spec: str = typer.Argument("libra-2019", help="Seed name (see 'basket seeds') or TOML path."),
    start: Optional[str] = typer.Option(None, "--start", help="First date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", help="Last date, YYYY-MM-DD."),
    rebalance: Optional[str] = typer.Option(None, "--rebalance", "-r", help=REBALANCE_HELP),
    numeraire: Optional[list[str]] = typer.Option(
        None, "--numeraire", "-n", help="Currency to measure in (repeat, or comma list)."
    ),
    source: str = typer.Option("ecb", "--source", "-s", help=SOURCE_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write the daily values (one column per numeraire) to CSV."
    ),
    plot: Optional[Path] = typer.Option(
        None, "--plot", help="Save a four-panel chart to FILE.png (or .svg, .pdf)."
    ),
) -> None:
    """Backtest a basket: daily value in each numeraire and its risk against each constituent."""
    fmt = check_format(fmt)
    from basket.valuation.api import backtest as run

    res = run(spec, start, end, rebalance, codes(numeraire), source)
    if output is not None:
        write_frame(res.values, output)
    if plot is not None:
        from basket.plot.backtest import save_backtest_figure

        save_backtest_figure(res, plot)
    if fmt == "json":
        sys.stdout.write(json.dumps(res.to_dict(), indent=2) + "\n")
    elif fmt == "csv":
        render_frame(res.summary(), "csv", index_label="numeraire")
    else:
        title = (
            f"{res.spec.title or res.spec.name}, rebalance {res.rule}, "
            f"{res.start.date()} to {res.end.date()} ({len(res.values)} dates, source {res.source})"
        )
        table = res.summary()
        table.columns = [c.replace("_", " ") for c in table.columns]
        render_frame(table, "table", title=title, float_format="{:.2%}", index_label="holder in")
        typer.echo(
            "volatility: annualised, daily log returns; 'vol XXX': that currency held alone, "
            "measured in the holder's currency."
        )
    if output is not None:
        typer.echo(f"wrote {len(res.values)} rows to {output}", err=fmt != "table")
    if plot is not None:
        typer.echo(f"wrote chart to {plot}", err=fmt != "table")


@app.command()
@handle_errors
def price(
    date: list[str] = typer.Argument(..., help="Date(s), YYYY-MM-DD."),
    numeraire: str = typer.Option("USD", "--in", help="Currency to express the value in."),
    basket: str = typer.Option("libra-2019", "--basket", "-b", help="Seed name or TOML path."),
    source: str = typer.Option("ecb", "--source", "-s", help=SOURCE_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """The value of one unit of a basket on a date (the last quote on or before it)."""
    fmt = check_format(fmt)
    from basket.valuation.api import price_detail

    detail = price_detail(date, numeraire, basket, source)
    detail = detail.rename(columns={"value": f"value_{numeraire.upper()}"})
    detail.index = detail.index.strftime("%Y-%m-%d")
    detail["date_used"] = detail["date_used"].dt.strftime("%Y-%m-%d")
    render_frame(detail, fmt, title=f"One unit of {basket}", float_format="{:.8g}",
                 index_label="date")


@app.command()
@handle_errors
def seeds(fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv.")) -> None:
    """List the baskets shipped with basket, with their composition and sources."""
    fmt = check_format(fmt)
    import pandas as pd

    from basket.spec import list_seeds

    rows = {}
    for s in list_seeds():
        if s.weights is not None:
            comp = ", ".join(f"{c} {w:.0%}" for c, w in s.weights.items())
        else:
            last = (s.periods or ())[-1]
            comp = "amounts: " + ", ".join(f"{c} {a:g}" for c, a in last.amounts.items())
            comp += f" (from {last.start}; {len(s.periods or ())} periods)"
        rows[s.name] = {
            "title": s.title,
            "composition": comp,
            "base_date": str(s.base_date),
            "rebalance": s.rebalance,
            "source": s.source.get("citation", "").split("\n")[0][:160],
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "basket"
    if fmt == "table":
        frame = frame.drop(columns=["source"])
    render_frame(frame, fmt, title="Baskets", index_label="basket")


@app.command()
@handle_errors
def report(
    spec: str = typer.Argument("libra-2019", help="Seed name (see 'basket seeds') or TOML path."),
    start: Optional[str] = typer.Option(None, "--start", help="First date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", help="Last date, YYYY-MM-DD."),
    rebalance: Optional[str] = typer.Option(None, "--rebalance", "-r", help=REBALANCE_HELP),
    numeraire: Optional[list[str]] = typer.Option(
        None, "--numeraire", "-n", help="Currency to measure in (repeat, or comma list)."
    ),
    source: str = typer.Option("ecb", "--source", "-s", help=SOURCE_HELP),
    output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
) -> None:
    """Write a self-contained HTML report of a backtest (figures embedded; mail it as is)."""
    from basket.errors import DataError

    if output.suffix.lower() not in (".html", ".htm"):
        raise DataError(f"cannot write {output}: use a .html file name")
    if not output.parent.exists():
        raise DataError(f"cannot write {output}: directory {output.parent} does not exist")
    from basket.data.cache import atomic_write_text
    from basket.report import render_report
    from basket.valuation.api import backtest as run

    res = run(spec, start, end, rebalance, codes(numeraire), source)
    page = render_report(res)
    atomic_write_text(output, page)
    typer.echo(f"wrote report to {output} ({len(page.encode('utf-8')) / 1e6:.1f} MB)")


