"""Commands on FX data: ``basket currencies`` and ``basket fx``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from basket.cli.app import app
from basket.cli.common import (
    format_option,
    handle_errors,
    plan_outputs,
    source_options,
    table_bytes,
    wide_option,
)
from basket.cli.render import Table, emit_csv, emit_json, show


def emit_records(records: list[dict[str, Any]], fmt: str, table: Table, wide: bool) -> None:
    """A list command's output: JSON an array of records, CSV the same fields, or a table."""
    if fmt == "json":
        from basket._json import to_jsonable

        emit_json([to_jsonable(r) for r in records])
    elif fmt == "csv":
        import pandas as pd

        emit_csv(pd.DataFrame.from_records(records), index=False)
    else:
        show([table], wide=wide)


@app.command()
@handle_errors
@source_options
def currencies(
    source: Any = None,
    fmt: str = format_option(),
    wide: bool = wide_option(),
) -> None:
    """List the currencies a source has, with the dates each one covers."""
    table = source.open().available()
    records = [{"currency": str(c), **{str(k): v for k, v in row.items()}}
               for c, row in table.iterrows()]
    emit_records(records, fmt.lower(), Table(table, f"Currencies in source {source.name!r}",
                                             "currency"), wide)


@app.command()
@handle_errors
@source_options
def fx(
    codes: list[str] = typer.Argument(..., help="ISO codes, e.g. USD EUR JPY GBP SGD.",
                                      metavar="CODE..."),
    start: Optional[str] = typer.Option(None, "--start", metavar="YYYY-MM-DD",
        help="First date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", metavar="YYYY-MM-DD", help="Last date, YYYY-MM-DD."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write the panel to FILE.csv or FILE.parquet."
    ),
    source: Any = None,
    fmt: str = format_option(": the summary per currency"),
    wide: bool = wide_option(),
) -> None:
    """Load FX rates (US dollars per unit) and summarise them; optionally write the panel."""
    import pandas as pd

    from basket.data import load_fx

    with plan_outputs(source) as plan:
        out = plan.add(output, "table", "--output") if output is not None else None
        panel = load_fx(codes, start, end, source)
        if out is not None:
            plan.write_bytes(out, table_bytes(panel, out))
    summary = pd.DataFrame(
        {"first": panel.iloc[0], "last": panel.iloc[-1], "min": panel.min(), "max": panel.max()}
    )
    summary.index.name = "currency"
    span = f"{panel.index[0].date()} to {panel.index[-1].date()}"
    fmt = fmt.lower()
    if fmt == "json":
        from basket._json import to_jsonable

        emit_json(to_jsonable({
            "source": panel.attrs.get("source", source.name), "start": panel.index[0],
            "end": panel.index[-1], "dates": len(panel), "units": "USD per unit",
            "currencies": {str(c): dict(row) for c, row in summary.iterrows()},
        }))
    elif fmt == "csv":
        emit_csv(summary)
    else:
        title = (f"USD per unit, source {panel.attrs.get('source', source.name)!r}: {span}, "
                 f"{len(panel)} dates")
        show([Table(summary, title, "currency", styles=dict.fromkeys(summary.columns, "price"))],
             wide=wide)
    if out is not None:
        typer.echo(f"wrote {len(panel)} rows to {out}", err=fmt != "table")
