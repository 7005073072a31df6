"""Command on volatility spillovers: ``basket spillover`` (Diebold-Yilmaz connectedness)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from basket.cli.app import app
from basket.cli.common import (
    BASKET_HELP,
    codes,
    figure_bytes,
    format_option,
    handle_errors,
    plan_outputs,
    source_options,
    spec_input,
    wide_option,
)
from basket.cli.render import Table, emit_csv, emit_json, show

if TYPE_CHECKING:  # pragma: no cover
    from basket.connectedness.results import SpilloverResult

TABLE_LEGEND = {
    "a row": "the receiver: the shares of its forecast-error variance due to shocks to each "
             "column's currency (they sum to 100%)",
    "from others": "the row's shares off the diagonal, summed",
    "to others": "the column's shares in the other rows, summed; the corner is the total "
                 "index (the mean of 'from others')",
    "net": "to others minus from others: above zero a net transmitter of shocks",
}
ROLLING_LEGEND = {
    "windows": "rolling windows ending in the period",
    "total": "mean total connectedness index",
    "net XXX": "mean net connectedness of that currency",
}


def spillover_table(res: SpilloverResult) -> Table:
    """The spillover table (fractions shown as percent), with its legend and notes."""
    frame = res.table / 100.0
    title = f"{res.describe()}, source {res.source}"
    notes = [f"Total connectedness: {res.total:.2f}%. Lags: {res.lag_selection}."]
    return Table(frame, title, "receiver", styles=dict.fromkeys(frame.columns, "pct"),
                 legend=TABLE_LEGEND, notes=notes)


def rolling_table(res: SpilloverResult) -> Table:
    """Mean rolling connectedness over all windows, in each stress episode, and the last."""
    import pandas as pd

    from basket.design.episodes import list_episodes

    summary = res.rolling_summary({e.name: (e.start, e.end) for e in list_episodes()})
    figures = summary.drop(columns=["first", "last"])
    frame = figures.copy()
    for c in frame.columns[1:]:
        frame[c] = frame[c] / 100.0
    labels = {c: c.replace("net_", "net ") for c in frame.columns}
    assert res.rolling is not None
    r = res.rolling
    def day(value: Any) -> str:
        return str(pd.Timestamp(value).date())

    title = (f"Rolling {res.window}-day connectedness, {day(r.index[0])} to "
             f"{day(r.index[-1])} ({len(r)} windows), by stress episode")
    notes = [f"Highest total {r.max():.2f}% on {day(r.idxmax())}, lowest {r.min():.2f}% on "
             f"{day(r.idxmin())}."]
    return Table(frame, title, "period",
                 styles={"windows": "count", **dict.fromkeys(frame.columns[1:], "pct")},
                 labels=labels, legend=ROLLING_LEGEND, notes=notes)


@app.command()
@handle_errors
@source_options
def spillover(
    spec: str = typer.Argument("libra-2019", help=BASKET_HELP, metavar="BASKET"),
    numeraire: str = typer.Option("USD", "--numeraire", "-n", metavar="CODE",
                                  help="Currency the returns are measured in (left out of the "
                                       "variables)."),
    window: Optional[int] = typer.Option(
        None, "--window", "-w", metavar="DAYS",
        help="Rolling window in daily returns (e.g. 200): the index through time."),
    horizon: int = typer.Option(10, "--horizon", metavar="DAYS",
                                help="Forecast horizon of the variance decomposition."),
    lags: Optional[int] = typer.Option(
        None, "--lags", metavar="N",
        help="VAR order (default: Schwarz's BIC over 0 to 10 lags, at least 1)."),
    measure: str = typer.Option(
        "returns", "--measure", "-m", metavar="returns|volatility",
        help="returns (daily log returns) or volatility (their absolute values)."),
    start: Optional[str] = typer.Option(None, "--start", metavar="YYYY-MM-DD",
        help="First date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", metavar="YYYY-MM-DD", help="Last date, YYYY-MM-DD."),
    currencies: Optional[list[str]] = typer.Option(
        None, "--currencies", "-c", metavar="CODE",
        help="Some of the basket's currencies (repeat, or comma list); default all."),
    plot: Optional[list[Path]] = typer.Option(
        None, "--plot", metavar="FILE", help="Save a chart to FILE.png, .svg or .pdf (repeat for several "
                             "files): the rolling index and net transmitters with --window, "
                             "else the net bars and the table."),
    source: Any = None,
    fmt: str = format_option("; csv: the table, or with --window the rolling index and net "
                             "per currency by date"),
    wide: bool = wide_option(),
) -> None:
    """Which currencies' shocks move the others: Diebold-Yilmaz connectedness of a basket."""
    from basket.connectedness.api import spillover as run

    with plan_outputs(source, spec_input(spec)) as plan:
        figs = [plan.add(p, "figure", "--plot") for p in plot or ()]
        res = run(spec, numeraire, start, end, lags, horizon, window, measure, source,
                  currencies=codes(currencies))
        if figs:
            from basket.plot import spillover_figure

            fig = spillover_figure(res)
            for f in figs:
                plan.write_bytes(f, figure_bytes(fig, f))
    if fmt == "json":
        emit_json(res.to_dict())
    elif fmt == "csv":
        if res.rolling is not None:
            emit_csv(res.to_frame(), index_label="date")
        else:
            emit_csv(res.table, index_label="receiver")
    else:
        tables = [spillover_table(res)]
        if res.rolling is not None:
            tables.append(rolling_table(res))
        show(tables, wide=wide)
    for f in figs:
        typer.echo(f"wrote chart to {f}", err=fmt != "table")
