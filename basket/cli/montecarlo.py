"""The Monte Carlo command: ``basket simulate``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

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
from basket.errors import BasketError

SIMULATE_NOTE = (
    "p5/p50/p95: value at the horizon relative to the start (100% = unchanged); var/es: loss "
    "at the horizon as a share of the start value; prob move gt x: P(|change| > {move:.0%}); "
    "volatility: annualised from the horizon's log change; 'vol XXX': that currency held alone."
)


@app.command()
@handle_errors
def simulate(
    spec: str = typer.Argument("libra-2019", help="Seed name (see 'basket seeds') or TOML path."),
    paths: int = typer.Option(10_000, "--paths", help="Number of simulated paths."),
    horizon: int = typer.Option(252, "--horizon", help="Business days to simulate."),
    method: str = typer.Option("normal", "--method", "-m", help="normal or bootstrap."),
    seed: Optional[int] = typer.Option(
        None, "--seed", help="Integer seed; the same seed gives the same figures."
    ),
    window: Optional[str] = typer.Option(
        None, "--window",
        help="Estimation window START:END, either side optional (default: the last 3 years).",
    ),
    rebalance: Optional[str] = typer.Option(None, "--rebalance", "-r", help=REBALANCE_HELP),
    block_length: Optional[float] = typer.Option(
        None, "--block-length", help="Bootstrap: mean block length in days (default 10)."
    ),
    ewma: Optional[float] = typer.Option(
        None, "--ewma", help="Normal: EWMA covariance with this lambda (RiskMetrics: 0.94)."
    ),
    move: float = typer.Option(0.05, "--move", help="Threshold of 'prob move', e.g. 0.05."),
    numeraire: Optional[list[str]] = typer.Option(
        None, "--numeraire", "-n", help="Currency to measure in (repeat, or comma list)."
    ),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Run on a Dask cluster: its scheduler, e.g. tcp://host:8786."
    ),
    workers: int = typer.Option(1, "--workers", help="Threads on this machine."),
    source: str = typer.Option("ecb", "--source", "-s", help=SOURCE_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Save the fan chart to FILE.png."),
) -> None:
    """Monte Carlo: simulate FX paths and the basket's value at the horizon in each numeraire."""
    fmt = check_format(fmt)
    from rich.console import Console

    from basket.montecarlo.api import simulate as run

    kwargs: dict[str, Any] = dict(
        n_paths=paths, horizon=horizon, method=method, seed=seed, window=window,
        rebalance=rebalance, numeraires=codes(numeraire), block_length=block_length,
        ewma=ewma, move=move, source=source, workers=workers, scheduler=scheduler,
    )
    err = Console(stderr=True)
    if err.is_terminal and paths * horizon >= 2_000_000:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("simulating"), BarColumn(), TextColumn("{task.completed:,} paths"),
                      TimeRemainingColumn(), console=err, transient=True) as bar:
            task = bar.add_task("simulate", total=paths)
            res = run(spec, **kwargs,
                      progress=lambda done, total: bar.update(task, completed=done))
    else:
        res = run(spec, **kwargs)
    if plot is not None:
        try:
            from basket.plot import save_simulation_figure
        except ImportError as exc:
            raise BasketError(f"plotting not available ({exc}); pip install "
                              "'libra-basket[plot]'") from None
        save_simulation_figure(res, plot)
    if fmt == "json":
        sys.stdout.write(json.dumps(res.to_dict(), indent=2) + "\n")
    elif fmt == "csv":
        render_frame(res.summary(), "csv", index_label="numeraire")
    else:
        entropy = res.seed_entropy
        title = (
            f"{res.spec.title or res.spec.name}: {res.method}, rebalance {res.rule}, "
            f"{res.n_paths:,} paths x {res.horizon} days from {res.start.date()} "
            f"(window {res.window[0].date()} to {res.window[1].date()}, source {res.source}, "
            f"seed {entropy if seed is None else seed})"
        )
        table = res.summary()
        table.columns = [c.replace("_", " ") for c in table.columns]
        render_frame(table, "table", title=title, float_format="{:.2%}", index_label="holder in")
        typer.echo(SIMULATE_NOTE.format(move=res.move))
        for note in res.notes:
            typer.echo(f"note: {note}")
    if plot is not None:
        typer.echo(f"wrote chart to {plot}", err=fmt != "table")


