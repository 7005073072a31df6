"""The reserve command: ``basket reserve``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from basket.cli.app import app
from basket.cli.common import (
    SOURCE_HELP,
    check_format,
    codes,
    handle_errors,
    render_frame,
    write_frame,
)

RESERVE_SCENARIO_HELP = (
    "Coin flows: growth:0.10 (10%/yr), run:0.3:10d@2020-03-09 (30% redeemed over 10 days), "
    "flows:FILE.csv (date,coins or date,mint,burn); repeat to combine."
)


@app.command()
@handle_errors
def reserve(
    spec: str = typer.Argument("libra-2019", help="Seed name (see 'basket seeds') or TOML path."),
    rates: Optional[list[str]] = typer.Option(
        None, "--rates",
        help="Annual rate per currency, decimals or %: USD=0.01875,EUR=-0.005,JPY=-0.1%,...",
    ),
    rates_file: Optional[Path] = typer.Option(
        None, "--rates-file", help="CSV of rates: date,USD,EUR,... or date,currency,rate."
    ),
    cash_rates: Optional[list[str]] = typer.Option(
        None, "--cash-rates", help="Rates on cash deposits (default: the --rates)."
    ),
    scenario: Optional[list[str]] = typer.Option(None, "--scenario", help=RESERVE_SCENARIO_HELP),
    start: Optional[str] = typer.Option(
        None, "--start", help="First date, YYYY-MM-DD (default: the basket's base date)."
    ),
    end: Optional[str] = typer.Option(None, "--end", help="Last date, YYYY-MM-DD."),
    coins: float = typer.Option(1e9, "--coins", help="Coins outstanding on the first date."),
    securities_share: float = typer.Option(
        0.8, "--securities-share", help="Share of the reserve in securities (rest in cash)."
    ),
    cost_bps: str = typer.Option(
        "0", "--cost-bps", help="Transaction cost, bp of value traded: 2 or USD=1,EUR=2,..."
    ),
    stress_cost_bps: Optional[str] = typer.Option(
        None, "--stress-cost-bps", help="Transaction cost on run days (default: --cost-bps)."
    ),
    opex_bps: float = typer.Option(0.0, "--opex-bps", help="Operating costs, bp a year."),
    buffer: str = typer.Option(
        "0", "--buffer", help="Initial capital buffer: USD (5e7) or share of the reserve (2%)."
    ),
    policy: str = typer.Option(
        "buffer", "--policy", help="Net income: 'buffer' (kept) or 'payout' (above the buffer)."
    ),
    day_count: str = typer.Option("act/360", "--day-count", help="act/360 or act/365."),
    numeraire: Optional[list[str]] = typer.Option(
        None, "--numeraire", "-n", help="Currencies to value the reserve in (default: basket's)."
    ),
    source: str = typer.Option("ecb", "--source", "-s", help=SOURCE_HELP),
    episodes: bool = typer.Option(
        True, "--episodes/--no-episodes", help="Also price a run in each crisis episode."
    ),
    fmt: str = typer.Option(
        "table", "--format", "-f", help="table (summary), json (summary) or csv (daily path)."
    ),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write the daily path to FILE.csv or FILE.parquet."
    ),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Save a chart to FILE.png."),
) -> None:
    """Simulate the reserve behind a basket coin: income, costs, runs, coverage, buffer."""
    fmt = check_format(fmt)
    from basket.treasury.api import reserve as run

    if plot is not None:
        from basket.plot.treasury import check_figure_path

        check_figure_path(plot)       # fail before the simulation, not after
    res = run(
        spec, start, end,
        rates=",".join(rates) if rates else None,
        rates_file=rates_file,
        cash_rates=",".join(cash_rates) if cash_rates else None,
        scenario=scenario or None, coins=coins, securities_share=securities_share,
        cost_bps=cost_bps, stress_cost_bps=stress_cost_bps, opex_bps=opex_bps,
        buffer=buffer, policy=policy, day_count=day_count, numeraires=codes(numeraire),
        source=source, episodes=episodes,
    )
    if output is not None:
        write_frame(res.to_frame(), output)
    if plot is not None:
        from basket.plot.treasury import save_reserve_figure

        save_reserve_figure(res, plot)
    if fmt == "json":
        sys.stdout.write(json.dumps(res.to_dict(), indent=2) + "\n")
    elif fmt == "csv":
        render_frame(res.to_frame(), "csv", index_label="date")
    else:
        import pandas as pd

        s = res.summary()
        cells = {
            k: (v.date().isoformat() if isinstance(v, pd.Timestamp) else
                f"{v:.6%}" if "coverage" in k and not k.endswith("date") else
                f"{v:,.0f}" if isinstance(v, float) else str(v))
            for k, v in s.items()
        }
        table = pd.DataFrame({"value": pd.Series(cells)})
        st = res.settings
        title = (
            f"Reserve of {res.name}, {res.start.date()} to {res.end.date()}: "
            f"{', '.join(st.get('scenario', ())) or 'no flows'}; securities "
            f"{st['securities_share']:.0%}, policy {st['policy']}, {st['day_count']}"
        )
        render_frame(table, "table", title=title, index_label="figure")
        if not res.episodes.empty:
            ep = res.episodes.drop(columns=["title"])
            render_frame(ep, "table", title="A run in each crisis episode (same settings)",
                         float_format="{:,.6g}", index_label="episode")
        typer.echo(
            "coverage: reserve value / (coins x coin value); USD amounts; rates accrue calendar "
            "days between valuation dates."
        )
        for note in res.notes:
            typer.echo(f"note: {note}")
    if output is not None:
        typer.echo(f"wrote {len(res.path)} rows to {output}", err=fmt != "table")
    if plot is not None:
        typer.echo(f"wrote chart to {plot}", err=fmt != "table")


