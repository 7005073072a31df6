"""Commands on basket design: ``basket stress`` and ``basket optimize``."""

from __future__ import annotations

import json
import sys
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
)

STRESS_NOTE = (
    "change: simple return from the window's first to its last date; max dd: worst fall from a "
    "running peak inside the window; a currency row is that currency held alone."
)


@app.command()
@handle_errors
def stress(
    spec: str = typer.Argument("libra-2019", help="Seed name (see 'basket seeds') or TOML path."),
    episode: Optional[list[str]] = typer.Option(
        None, "--episode", "-e", help="Shipped episode (repeat, or comma list); default all."
    ),
    start: Optional[str] = typer.Option(
        None, "--start", help="Custom window instead of episodes: first date, YYYY-MM-DD."
    ),
    end: Optional[str] = typer.Option(None, "--end", help="Custom window: last date, YYYY-MM-DD."),
    numeraire: Optional[list[str]] = typer.Option(
        None, "--numeraire", "-n", help="Currency to measure in (repeat, or comma list)."
    ),
    rebalance: Optional[str] = typer.Option(None, "--rebalance", "-r", help=REBALANCE_HELP),
    source: str = typer.Option("ecb", "--source", "-s", help=SOURCE_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
    show_list: bool = typer.Option(
        False, "--list", help="List the shipped stress episodes and exit."
    ),
) -> None:
    """Replay historical stress episodes: the basket's and each currency's change and drawdown."""
    fmt = check_format(fmt)
    import pandas as pd

    if show_list:
        from basket.design.episodes import list_episodes

        shipped = list_episodes()
        if fmt == "json":
            sys.stdout.write(json.dumps([e.to_dict() for e in shipped], indent=2) + "\n")
            return
        frame = pd.DataFrame(
            {
                "title": [e.title for e in shipped],
                "start": [e.start.isoformat() for e in shipped],
                "end": [e.end.isoformat() for e in shipped],
                "source": [e.source.get("citation", "") for e in shipped],
                "url": [e.source.get("url", "") for e in shipped],
                "description": [e.description for e in shipped],
            },
            index=pd.Index([e.name for e in shipped], name="episode"),
        )
        if fmt == "table":
            frame = frame.loc[:, ["title", "start", "end"]]
        render_frame(frame, fmt, title="Stress episodes (basket stress --episode NAME)",
                     index_label="episode")
        return
    from basket.design.api import stress as run

    names = codes(episode)
    res = run(spec, names, start, end, codes(numeraire), rebalance, source)
    if fmt == "json":
        sys.stdout.write(json.dumps(res.to_dict(), indent=2) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(res.table.to_csv(index=False, date_format="%Y-%m-%d"))
        return
    holdings = list(dict.fromkeys(res.table["holding"]))
    typer.echo(f"Stress of {res.basket} (rebalance {res.rule}, source {res.source})")
    for ep in res.episodes:
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
        typer.echo(f"\n{ep.name}: {ep.title} ({first} to {last})")
        render_frame(frame, "table", float_format="{:.2%}", index_label="holding")
    typer.echo(STRESS_NOTE)
    if res.skipped:
        typer.echo(f"skipped (outside the data): {', '.join(res.skipped)}")


@app.command()
@handle_errors
def optimize(
    numeraire: Optional[list[str]] = typer.Option(
        None, "--numeraire", "-n",
        help="Holder currency (repeat, or comma list); default the allowed currencies.",
    ),
    objective: str = typer.Option(
        "worst", "--objective", help="single (one numeraire), mean or worst (across numeraires)."
    ),
    currencies: Optional[list[str]] = typer.Option(
        None, "--currencies", "-c",
        help="Currencies allowed, comma list (default: the Libra 2019 constituents).",
    ),
    bounds: Optional[list[str]] = typer.Option(
        None, "--bounds", "-b", help="Weight bounds CODE=LO:HI (repeat), e.g. USD=0.5:1."
    ),
    window: Optional[str] = typer.Option(
        None, "--window",
        help="Estimation START:END, either side optional (default: the 3 years before the "
             "last year of data).",
    ),
    evaluate: Optional[str] = typer.Option(
        None, "--evaluate",
        help="Out-of-sample START:END (default: the last year of data, or the year after "
             "--window).",
    ),
    benchmark: str = typer.Option(
        "libra-2019", "--benchmark", help="Basket to compare with (seed or TOML), or 'none'."
    ),
    allow_short: bool = typer.Option(False, "--allow-short", help="Allow negative weights."),
    source: str = typer.Option("ecb", "--source", "-s", help=SOURCE_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """Find the basket weights with the lowest volatility for holders in the numeraires."""
    fmt = check_format(fmt)
    from basket.design.api import optimize as run
    from basket.design.api import parse_bounds

    res = run(
        numeraires=codes(numeraire),
        objective=objective,
        currencies=codes(currencies),
        bounds=parse_bounds(bounds),
        window=window,
        evaluate=evaluate,
        benchmark=None if benchmark.strip().lower() == "none" else benchmark,
        source=source,
        long_only=not allow_short,
    )
    if fmt == "json":
        sys.stdout.write(json.dumps(res.to_dict(), indent=2) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(res.to_frame().to_csv(index=False, float_format="%.10g"))
        return
    ev = (
        f"; out of sample {res.evaluate[0].date()} to {res.evaluate[1].date()}"
        if res.evaluate else ""
    )
    render_frame(
        res.weights_table(), "table", float_format="{:.2%}", index_label="currency",
        title=f"Weights: {res.objective} volatility across {', '.join(res.numeraires)}, "
              f"estimated {res.window[0].date()} to {res.window[1].date()}{ev}",
    )
    table = res.summary()
    table.columns = [c.replace("_", " ") for c in table.columns]
    render_frame(table, "table", float_format="{:.2%}", index_label="holder in",
                 title=f"Annualised volatility (objective value {res.objective_value:.2%})")
    typer.echo(
        "model: constant-weight approximation on the estimation covariance; in/out of sample: "
        "realised volatility of the fixed-amounts basket (daily log returns)."
    )
    for note in res.notes:
        typer.echo(f"note: {note}")


