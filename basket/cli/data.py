"""Commands on FX data: ``basket currencies`` and ``basket fx``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from basket.cli.app import app
from basket.cli.common import (
    SOURCE_HELP,
    check_format,
    handle_errors,
    render_frame,
    write_frame,
)


@app.command()
@handle_errors
def currencies(
    source: str = typer.Option("ecb", "--source", "-s", help=SOURCE_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """List the currencies a source has, with the dates each one covers."""
    fmt = check_format(fmt)
    from basket.data import get_source

    table = get_source(source).available()
    render_frame(table, fmt, title=f"Currencies in source {source!r}", index_label="currency")


@app.command()
@handle_errors
def fx(
    codes: list[str] = typer.Argument(..., help="ISO codes, e.g. USD EUR JPY GBP SGD."),
    start: Optional[str] = typer.Option(None, "--start", help="First date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", help="Last date, YYYY-MM-DD."),
    source: str = typer.Option("ecb", "--source", "-s", help=SOURCE_HELP),
    fill: str = typer.Option(
        "none", "--fill", help="Date alignment: 'none' (common dates) or 'ffill' (carry forward)."
    ),
    fill_limit: int = typer.Option(5, "--fill-limit", help="Max days a quote is carried forward."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write the panel to FILE.csv or FILE.parquet."
    ),
    refresh: bool = typer.Option(False, "--refresh", help="ecb: download the latest history first."),
    quote: str = typer.Option(
        "usd_per_unit",
        "--quote",
        help="CSV files: usd_per_unit, units_per_usd or units_per_eur.",
    ),
) -> None:
    """Load FX rates (US dollars per unit) and print a summary; optionally write the panel."""
    from basket.data import load_fx

    panel = load_fx(
        codes, start, end, source, fill=fill, fill_limit=fill_limit, refresh=refresh, quote=quote
    )
    if output is not None:
        write_frame(panel, output)
    import pandas as pd

    summary = pd.DataFrame(
        {
            "first": panel.iloc[0],
            "last": panel.iloc[-1],
            "min": panel.min(),
            "max": panel.max(),
        }
    )
    title = (
        f"USD per unit, source {panel.attrs.get('source', source)!r}: "
        f"{panel.index[0].date()} to {panel.index[-1].date()}, {len(panel)} dates"
    )
    render_frame(summary, "table", title=title, index_label="currency")
    if output is not None:
        typer.echo(f"wrote {len(panel)} rows to {output}")


