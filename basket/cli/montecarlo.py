"""The Monte Carlo command: ``basket simulate``."""

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
from basket.cli.render import Table, emit_csv, emit_json, show

if TYPE_CHECKING:  # pragma: no cover
    from basket.montecarlo.results import SimulationResult

SIMULATE_LABELS = {"horizon_var_95": "VaR 95", "horizon_es_95": "ES 95",
                   "horizon_volatility": "vol"}
SIMULATE_LEGEND = {
    "p5, p50, p95": "percentiles of the value at the horizon relative to the start (100% = "
                    "unchanged)",
    "VaR 95, ES 95": "loss over the whole horizon as a share of the start value (95%)",
    "P(move)": "probability that the value moves by more than the threshold either way",
    "vol": "annualized volatility of the horizon's log change (ddof 1)",
    "XXX alone": "volatility of that currency held alone, measured in the holder's currency",
}


def simulate_table(res: SimulationResult, seed: Any) -> Table:
    """The headline table of a simulation, with short labels and a legend."""
    frame = res.summary()
    move = [c for c in frame.columns if c.startswith("prob_move_gt_")]
    labels = {c: SIMULATE_LABELS.get(c, c) for c in frame.columns}
    labels.update({c: "P(move)" for c in move})
    labels.update({c: c.removeprefix("vol_") + " alone" for c in frame.columns
                   if c.startswith("vol_")})
    entropy = res.seed_entropy if seed is None else seed
    title = (f"{res.spec.title or res.spec.name}: {res.method}, rebalance {res.rule}, "
             f"{res.n_paths:,} paths x {res.horizon} days from {res.start.date()} (window "
             f"{res.window[0].date()} to {res.window[1].date()}, drift {res.drift}, source "
             f"{res.source}, seed {entropy})")
    legend = dict(SIMULATE_LEGEND)
    legend["P(move)"] = legend["P(move)"].replace("the threshold", f"{res.move:.0%}")
    notes = [f"Annualized with {res.periods_per_year:g} periods a year.",
             *(f"note: {n}" for n in res.notes)]
    return Table(frame, title, "holder in", styles=dict.fromkeys(frame.columns, "pct"),
                 labels=labels, legend=legend, notes=notes)


def _run(spec: str, kwargs: dict[str, Any], paths: int, horizon: int) -> Any:
    """Run the simulation, with a progress bar on a terminal for long runs."""
    from rich.console import Console

    from basket.montecarlo.api import simulate as run

    err = Console(stderr=True)
    if not (err.is_terminal and paths * horizon >= 2_000_000):
        return run(spec, **kwargs)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("simulating"), BarColumn(), TextColumn("{task.completed:,} paths"),
                  TimeRemainingColumn(), console=err, transient=True) as bar:
        task = bar.add_task("simulate", total=paths)
        return run(spec, **kwargs, progress=lambda done, total: bar.update(task, completed=done))


@app.command()
@handle_errors
@source_options
def simulate(
    spec: str = typer.Argument("libra-2019", help=BASKET_HELP, metavar="BASKET"),
    paths: int = typer.Option(10_000, "--paths", metavar="N", help="Number of simulated paths."),
    horizon: int = typer.Option(252, "--horizon", metavar="DAYS", help="Business days to simulate."),
    method: str = typer.Option("normal", "--method", "-m", metavar="normal|bootstrap",
                               help="Normal returns or a stationary block bootstrap."),
    drift: str = typer.Option(
        "historical", "--drift", metavar="historical|zero",
        help="Daily drift: historical (the estimation window's mean) or zero."),
    seed: Optional[int] = typer.Option(
        None, "--seed", metavar="N", help="Integer seed; the same seed gives the same figures."),
    window: Optional[str] = typer.Option(
        None, "--window", metavar="START:END",
        help="Estimation window, either side optional (default: the last 3 years)."),
    rebalance: Optional[str] = typer.Option(None, "--rebalance", "-r", help=REBALANCE_HELP,
                                            metavar="RULE"),
    block_length: Optional[float] = typer.Option(
        None, "--block-length", metavar="DAYS",
        help="Bootstrap: mean block length in days (default 10)."),
    ewma: Optional[float] = typer.Option(
        None, "--ewma", metavar="LAMBDA",
        help="Normal: EWMA covariance with this decay (RiskMetrics: 0.94)."),
    move: float = typer.Option(0.05, "--move", metavar="FRACTION",
        help="Threshold of P(move), e.g. 0.05 for 5%."),
    numeraire: Optional[list[str]] = typer.Option(None, "--numeraire", "-n",
                                                  help=NUMERAIRE_HELP, metavar="CODE"),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", metavar="ADDRESS",
        help="Run on a Dask cluster, e.g. tcp://host:8786 (default: $DASK_SCHEDULER_ADDRESS "
             "if set, else this machine)."),
    workers: int = typer.Option(1, "--workers", metavar="N", help="Threads on this machine."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", metavar="FILE",
        help="Write the daily percentile bands per numeraire to FILE.csv or FILE.parquet."),
    plot: Optional[list[Path]] = typer.Option(
        None, "--plot", metavar="FILE", help="Save the fan chart to FILE.png, .svg or .pdf (repeat for "
                             "several files)."),
    source: Any = None,
    fmt: str = format_option("; json holds every figure and the daily bands, csv the horizon "
                             "figures per numeraire (the bands: --output)"),
    wide: bool = wide_option(),
) -> None:
    """Monte Carlo: simulate FX paths and the basket's value at the horizon in each numeraire."""
    import os

    kwargs: dict[str, Any] = dict(
        n_paths=paths, horizon=horizon, method=method, seed=seed, window=window,
        rebalance=rebalance, numeraires=codes(numeraire), block_length=block_length,
        ewma=ewma, drift=drift, move=move, source=source, workers=workers,
        scheduler=scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None,
    )
    with plan_outputs(source, spec_input(spec)) as plan:
        out = plan.add(output, "table", "--output") if output is not None else None
        figs = [plan.add(p, "figure", "--plot") for p in plot or ()]
        res = _run(spec, kwargs, paths, horizon)
        if out is not None:
            plan.write_bytes(out, table_bytes(res.fan_frame(), out))
        if figs:
            from basket.plot import fan_chart

            fig = fan_chart(res)
            for f in figs:
                plan.write_bytes(f, figure_bytes(fig, f))
    fmt = fmt.lower()
    if fmt == "json":
        emit_json(res.to_dict())
    elif fmt == "csv":
        emit_csv(res.figures(), index_label="numeraire")
    else:
        show([simulate_table(res, seed)], wide=wide)
    if out is not None:
        typer.echo(f"wrote the fan bands to {out}", err=fmt != "table")
    for f in figs:
        typer.echo(f"wrote chart to {f}", err=fmt != "table")
