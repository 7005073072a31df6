"""Commands on basket design: ``basket stress`` and ``basket optimize``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

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
    wide_option,
)
from basket.cli.data import emit_records
from basket.cli.render import Table, emit_csv, emit_json, show

STRESS_LEGEND = {
    "change": "simple return from the window's first to its last date",
    "max dd": "worst fall from a running peak inside the window",
    "a currency row": "that currency held alone",
}


def _list_episodes(fmt: str, wide: bool) -> None:
    import pandas as pd

    from basket.design.episodes import list_episodes

    records = [
        {"name": e.name, "title": e.title, "start": e.start, "end": e.end,
         "description": " ".join(e.description.split()),
         "source": " ".join(e.source.get("citation", "").split()),
         "url": e.source.get("url", "")}
        for e in list_episodes()
    ]
    frame = pd.DataFrame.from_records(records, index="name")[["title", "start", "end"]]
    emit_records(records, fmt, Table(frame, "Stress episodes (basket stress --episode NAME)",
                                     "name", styles={"start": "date", "end": "date"}), wide)


@app.command()
@handle_errors
@source_options
def stress(
    spec: str = typer.Argument("libra-2019", help=BASKET_HELP, metavar="BASKET"),
    episode: Optional[list[str]] = typer.Option(
        None, "--episode", "-e", help="Shipped episode (repeat, or comma list); default all.",
        metavar="NAME"),
    start: Optional[str] = typer.Option(
        None, "--start", metavar="YYYY-MM-DD",
            help="Custom window instead of episodes: first date, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", metavar="YYYY-MM-DD",
        help="Custom window: last date, YYYY-MM-DD."),
    numeraire: Optional[list[str]] = typer.Option(None, "--numeraire", "-n",
                                                  help=NUMERAIRE_HELP, metavar="CODE"),
    rebalance: Optional[str] = typer.Option(None, "--rebalance", "-r", help=REBALANCE_HELP,
                                            metavar="RULE"),
    plot: Optional[list[Path]] = typer.Option(
        None, "--plot", metavar="FILE",
            help="Save the episodes as bars to FILE.png, .svg or .pdf (repeat for "
                             "several files)."),
    show_list: bool = typer.Option(False, "--list", help="List the shipped episodes and exit."),
    source: Any = None,
    fmt: str = format_option("; json and csv hold the same rows (one per episode, numeraire "
                             "and holding; json adds each episode's source)"),
    wide: bool = wide_option(),
) -> None:
    """Replay historical stress episodes: the basket's and each currency's change and drawdown."""
    fmt = fmt.lower()
    if show_list:
        _list_episodes(fmt, wide)
        return
    from basket.design.api import stress as run

    with plan_outputs(source, spec_input(spec)) as plan:
        figs = [plan.add(p, "figure", "--plot") for p in plot or ()]
        res = run(spec, codes(episode), start, end, codes(numeraire), rebalance, source)
        if figs:
            from basket.plot import stress_bars

            fig = stress_bars(res)
            for f in figs:
                plan.write_bytes(f, figure_bytes(fig, f))
    if fmt == "json":
        emit_json(res.to_dict())
    elif fmt == "csv":
        emit_csv(res.table, index=False)
    else:
        show(_stress_tables(res), wide=wide, notes=[
            *(f"skipped (outside the data): {', '.join(res.skipped)}" for _ in res.skipped[:1])])
    for f in figs:
        typer.echo(f"wrote chart to {f}", err=fmt != "table")


def _stress_tables(res: Any) -> list[Table]:
    """One table per episode: rows the basket and each currency held alone."""
    import pandas as pd

    holdings = list(dict.fromkeys(res.table["holding"]))
    tables = []
    for n, ep in enumerate(res.episodes):
        sub = res.table[res.table["episode"] == ep.name]
        if sub.empty:
            continue
        columns = {}
        for k in res.numeraires:
            in_k = sub[sub["numeraire"] == k].set_index("holding")
            columns[f"{k} change"] = in_k["change"]
            columns[f"{k} max dd"] = in_k["max_drawdown"]
        frame = pd.DataFrame(columns).reindex([h for h in holdings if h in sub["holding"].values])
        first, last = sub["first_date"].iloc[0].date(), sub["last_date"].iloc[0].date()
        head = (f"Stress of {res.title or res.basket} (rebalance {res.rule}, source "
                f"{res.source}). " if n == 0 else "")
        last_one = n == len(res.episodes) - 1
        tables.append(Table(
            frame, f"{head}{ep.name}: {ep.title} ({first} to {last})", "holding",
            styles=dict.fromkeys(frame.columns, "pct"),
            legend=STRESS_LEGEND if last_one else {},
        ))
    return tables


OPTIMIZE_LABELS = {
    "optimum_model": "opt model", "benchmark_model": "bench model",
    "optimum_in_sample": "opt in", "benchmark_in_sample": "bench in",
    "optimum_out_of_sample": "opt out", "benchmark_out_of_sample": "bench out",
}
OPTIMIZE_LEGEND = {
    "model": "constant-weight approximation on the estimation window's covariance",
    "in, out": "realised volatility of the fixed-amounts basket in and out of sample (daily "
               "log returns, annualized)",
    "opt, bench": "the optimal weights and the benchmark basket",
}


@app.command()
@handle_errors
@source_options
def optimize(
    numeraire: Optional[list[str]] = typer.Option(
        None, "--numeraire", "-n", metavar="CODE",
        help="Holder currency (repeat, or comma list); default the allowed currencies."),
    objective: str = typer.Option(
        "worst", "--objective", metavar="single|mean|worst",
        help="single (one numeraire), mean or worst (across numeraires)."),
    currencies: Optional[list[str]] = typer.Option(
        None, "--currencies", "-c", metavar="CODE",
        help="Currencies allowed, comma list (default: the Libra 2019 constituents)."),
    bounds: Optional[list[str]] = typer.Option(
        None, "--bounds", "-b", metavar="CODE=LO:HI",
        help="Weight bounds (repeat), e.g. USD=0.5:1."),
    window: Optional[str] = typer.Option(
        None, "--window", metavar="START:END",
        help="Estimation window, either side optional (default: the 3 years before the last "
             "year of data)."),
    evaluate: Optional[str] = typer.Option(
        None, "--evaluate", metavar="START:END",
        help="Out-of-sample window (default: the last year of data, or the year after "
             "--window)."),
    benchmark: str = typer.Option(
        "libra-2019", "--benchmark", metavar="BASKET",
        help="Basket to compare with (seed or TOML), or 'none'."),
    allow_short: bool = typer.Option(False, "--allow-short", help="Allow negative weights."),
    plot: Optional[list[Path]] = typer.Option(
        None, "--plot", metavar="FILE", help="Save the weights and volatilities to FILE.png, .svg or .pdf "
                             "(repeat for several files)."),
    source: Any = None,
    fmt: str = format_option(),
    wide: bool = wide_option(),
) -> None:
    """Find the basket weights with the lowest volatility for holders in the numeraires."""
    from basket.design.api import optimize as run
    from basket.design.api import parse_bounds

    bench = None if benchmark.strip().lower() == "none" else benchmark
    with plan_outputs(source, spec_input(bench) if bench else None) as plan:
        figs = [plan.add(p, "figure", "--plot") for p in plot or ()]
        res = run(
            numeraires=codes(numeraire), objective=objective, currencies=codes(currencies),
            bounds=parse_bounds(bounds), window=window, evaluate=evaluate, benchmark=bench,
            source=source, long_only=not allow_short,
        )
        if figs:
            from basket.plot import optimization_figure

            fig = optimization_figure(res)
            for f in figs:
                plan.write_bytes(f, figure_bytes(fig, f))
    fmt = fmt.lower()
    if fmt != "table":
        if fmt == "json":
            emit_json(res.to_dict())
        else:
            emit_csv(res.to_frame(), index=False)
        for f in figs:
            typer.echo(f"wrote chart to {f}", err=True)
        return
    ev = (f"; out of sample {res.evaluate[0].date()} to {res.evaluate[1].date()}"
          if res.evaluate else "")
    weights = res.weights_table()
    summary = res.summary()
    show([
        Table(weights, f"Weights: {res.objective} volatility across {', '.join(res.numeraires)}, "
                       f"estimated {res.window[0].date()} to {res.window[1].date()}{ev}",
              "currency", styles=dict.fromkeys(weights.columns, "pct")),
        Table(summary, f"Annualized volatility (objective value {res.objective_value:.2%})",
              "holder in", styles=dict.fromkeys(summary.columns, "pct"),
              labels=OPTIMIZE_LABELS, legend=OPTIMIZE_LEGEND,
              notes=[f"note: {n}" for n in res.notes]),
    ], wide=wide)
    for f in figs:
        typer.echo(f"wrote chart to {f}")
