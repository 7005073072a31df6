"""The reserve command: ``basket reserve``."""

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
    table_bytes,
    wide_option,
)
from basket.cli.render import Table, emit_csv, emit_json, show

if TYPE_CHECKING:  # pragma: no cover
    from basket.treasury.results import ReserveResult

RESERVE_SCENARIO_HELP = (
    "Coin flows: growth:0.10 (10%/yr), run:0.3:10d@2020-03-09 (30% redeemed over 10 days), "
    "flows:FILE.csv (date,coins or date,mint,burn); repeat to combine."
)

# summary key -> (label for people, cell style)
SUMMARY_ROWS: dict[str, tuple[str, str]] = {
    "start": ("first date", "date"),
    "end": ("last date", "date"),
    "dates": ("valuation dates", "count"),
    "coins_start": ("coins at the start", "count"),
    "coins_end": ("coins at the end", "count"),
    "reserve_usd_end": ("reserve at the end, USD", "usd"),
    "min_coverage": ("lowest coverage", "pct"),
    "min_coverage_date": ("  on", "date"),
    "days_below_full_backing": ("days below full backing", "count"),
    "min_coverage_with_buffer": ("lowest coverage with the buffer", "pct"),
    "min_coverage_with_buffer_date": ("  on", "date"),
    "days_below_full_backing_with_buffer": ("days below full backing with the buffer", "count"),
    "buffer_start_usd": ("buffer at the start, USD", "usd"),
    "buffer_end_usd": ("buffer at the end, USD", "usd"),
    "buffer_used_usd": ("buffer drawn, USD", "usd"),
    "income_usd": ("interest income, USD", "usd"),
    "opex_usd": ("operating costs, USD", "usd"),
    "cost_usd": ("transaction costs, USD", "usd"),
    "payout_usd": ("paid out, USD", "usd"),
    "unpaid_usd": ("unpaid redemptions, USD", "usd"),
}

EPISODE_LABELS = {
    "first_date": "first", "last_date": "last", "run": "run", "redeemed_coins": "coins out",
    "redeemed_usd": "paid out USD", "cost_usd": "cost USD", "cost_bps": "cost bp",
    "income_usd": "income USD", "buffer_used_usd": "buffer USD", "min_coverage": "min cov",
    "min_coverage_with_buffer": "min cov+buf", "coverage_end": "cov end",
    "basket_usd_change": "coin change",
}
EPISODE_STYLES = {
    "first_date": "date", "last_date": "date", "run": "text", "redeemed_coins": "count",
    "redeemed_usd": "usd", "cost_usd": "usd", "cost_bps": "num", "income_usd": "usd",
    "buffer_used_usd": "usd", "min_coverage": "pct", "min_coverage_with_buffer": "pct",
    "coverage_end": "pct", "basket_usd_change": "pct",
}
EPISODE_LEGEND = {
    "coins out, paid out USD": "coins redeemed in the run and what they were paid",
    "cost": "transaction costs, in USD and in basis points of the reserve at the start",
    "min cov, cov end": "lowest and last coverage (reserve / coins x coin value); +buf: "
                        "counting the capital buffer",
    "coin change": "the coin's USD value from the episode's first to its last date",
}


def reserve_tables(res: ReserveResult) -> list[Table]:
    """The reserve's headline figures (one per row) and the run in each crisis episode."""
    import pandas as pd

    from basket.cli.render import cell

    s = res.summary()
    labels, values = [], []
    for key, value in s.items():
        label, style = SUMMARY_ROWS.get(
            key, (f"income from {key[7:-4]}, USD", "usd") if key.startswith("income_")
            else (key.replace("_", " "), "num"))
        labels.append(label)
        values.append(cell(value, style))
    st = res.settings
    flows = ", ".join(st.get("scenario", ())) or "no flows"
    title = (f"Reserve of {res.title or res.name}, {res.start.date()} to {res.end.date()}: "
             f"{flows}; securities {st['securities_share']:.0%}, policy {st['policy']}, "
             f"{st['day_count']}")
    tables = [Table(pd.DataFrame({"value": values}, index=pd.Index(labels)), title, "figure",
                    styles={"value": "cell"})]
    if not res.episodes.empty:
        ep = res.episodes.drop(columns=["title"])
        tables.append(Table(ep, "A run in each crisis episode (same settings)", "episode",
                            styles=EPISODE_STYLES, labels=EPISODE_LABELS, legend=EPISODE_LEGEND))
    tables[-1] = Table(
        tables[-1].frame, tables[-1].title, tables[-1].index_label, tables[-1].styles,
        tables[-1].labels, tables[-1].legend,
        notes=["Coverage: reserve value / (coins x coin value). Interest accrues over the "
               "calendar days between valuation dates.", *(f"note: {n}" for n in res.notes)])
    return tables


@app.command()
@handle_errors
@source_options
def reserve(
    spec: str = typer.Argument("libra-2019", help=BASKET_HELP, metavar="BASKET"),
    rates: Optional[list[str]] = typer.Option(
        None, "--rates", metavar="CODE=RATE,...",
        help="Annual rate per currency, decimals or %: USD=0.01875,EUR=-0.005,JPY=-0.1%,..."),
    rates_file: Optional[Path] = typer.Option(
        None, "--rates-file", metavar="FILE", help="CSV of rates: date,USD,EUR,... or date,currency,rate."),
    cash_rates: Optional[list[str]] = typer.Option(
        None, "--cash-rates", metavar="CODE=RATE,...",
        help="Rates on cash deposits (default: the --rates)."),
    scenario: Optional[list[str]] = typer.Option(None, "--scenario", help=RESERVE_SCENARIO_HELP,
                                                 metavar="SCENARIO"),
    start: Optional[str] = typer.Option(
        None, "--start", metavar="YYYY-MM-DD",
            help="First date, YYYY-MM-DD (default: the basket's base date)."),
    end: Optional[str] = typer.Option(None, "--end", metavar="YYYY-MM-DD", help="Last date, YYYY-MM-DD."),
    coins: float = typer.Option(1e9, "--coins", metavar="N", help="Coins outstanding on the first date."),
    securities_share: float = typer.Option(
        0.8, "--securities-share", metavar="FRACTION",
            help="Share of the reserve in securities (rest in cash)."),
    cost_bps: str = typer.Option(
        "0", "--cost-bps", metavar="BP|CODE=BP,...",
        help="Transaction cost, bp of value traded: 2 or USD=1,EUR=2,..."),
    stress_cost_bps: Optional[str] = typer.Option(
        None, "--stress-cost-bps", metavar="BP|CODE=BP,...",
        help="Transaction cost on run days (default: --cost-bps)."),
    opex_bps: float = typer.Option(0.0, "--opex-bps", metavar="BP", help="Operating costs, bp a year."),
    buffer: str = typer.Option(
        "0", "--buffer", metavar="USD|PCT%",
        help="Initial capital buffer: USD (5e7) or share of the reserve (2%)."),
    policy: str = typer.Option(
        "buffer", "--policy", metavar="buffer|payout",
        help="Net income: kept in the buffer, or paid out above the initial buffer."),
    day_count: str = typer.Option("act/360", "--day-count", metavar="act/360|act/365",
                                  help="Day count of interest and operating costs."),
    numeraire: Optional[list[str]] = typer.Option(
        None, "--numeraire", "-n", metavar="CODE",
        help="Currencies to value the reserve in (default: the basket's)."),
    episodes: bool = typer.Option(
        True, "--episodes/--no-episodes", help="Also price a run in each crisis episode."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write the daily path to FILE.csv or FILE.parquet."),
    plot: Optional[list[Path]] = typer.Option(
        None, "--plot", metavar="FILE", help="Save a chart to FILE.png, .svg or .pdf (repeat for several "
                             "files)."),
    source: Any = None,
    fmt: str = format_option(": the summary and episodes (the daily path: --output)"),
    wide: bool = wide_option(),
) -> None:
    """Simulate the reserve behind a basket coin: income, costs, runs, coverage, buffer."""
    from basket.treasury.api import reserve as run

    flows = [s.strip()[len("flows:"):] for s in scenario or ()
             if s.strip().lower().startswith("flows:")]
    with plan_outputs(source, spec_input(spec), rates_file, *flows) as plan:
        out = plan.add(output, "table", "--output") if output is not None else None
        figs = [plan.add(p, "figure", "--plot") for p in plot or ()]
        res = run(
            spec, start, end,
            rates=",".join(rates) if rates else None, rates_file=rates_file,
            cash_rates=",".join(cash_rates) if cash_rates else None,
            scenario=scenario or None, coins=coins, securities_share=securities_share,
            cost_bps=cost_bps, stress_cost_bps=stress_cost_bps, opex_bps=opex_bps,
            buffer=buffer, policy=policy, day_count=day_count, numeraires=codes(numeraire),
            source=source, episodes=episodes,
        )
        if out is not None:
            plan.write_bytes(out, table_bytes(res.to_frame(), out))
        if figs:
            from basket.plot import reserve_figure

            fig = reserve_figure(res)
            for f in figs:
                plan.write_bytes(f, figure_bytes(fig, f))
    fmt = fmt.lower()
    if fmt == "json":
        emit_json(res.to_dict())
    elif fmt == "csv":
        emit_csv(res.figures(), index=False)
    else:
        show(reserve_tables(res), wide=wide)
    if out is not None:
        typer.echo(f"wrote {len(res.path)} rows to {out}", err=fmt != "table")
    for f in figs:
        typer.echo(f"wrote chart to {f}", err=fmt != "table")
