"""The ``basket`` command line (typer). The only module that prints or exits.

Each command parses its options, calls the pure core, and renders the result with rich (tables),
JSON or CSV. A :class:`~basket.errors.BasketError` becomes ``error: <message>`` on stderr and
exit code 1; usage errors exit with 2. Heavy modules (pandas, rich, matplotlib) are imported
inside the commands so that ``basket --help`` starts fast.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, TypeVar

import typer

from .errors import BasketError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="basket",
    help=(
        "Model currency-basket stablecoins such as Facebook's 2019 Libra "
        "(USD 50%, EUR 18%, JPY 14%, GBP 11%, SGD 7%): value, volatility for a holder in each "
        "currency, rebalancing, simulation. Runs offline on the ECB reference rates bundled "
        "with the package."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: typer's rich help imports ~70 ms of modules
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SOURCE_HELP = "FX source: 'ecb' (bundled, offline), 'yahoo' (online, cached) or a CSV file path."
FORMATS = ("table", "json", "csv")


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn a BasketError raised by a command into a one-line message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BasketError as exc:
            raise _fail(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def _check_format(fmt: str) -> str:
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise _fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}", code=2)
    return fmt


def _console() -> Any:
    from rich.console import Console

    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console = Console(soft_wrap=False, width=200)
    return console


def render_frame(
    frame: pd.DataFrame,
    fmt: str,
    *,
    title: str | None = None,
    float_format: str = "{:.6g}",
    index_label: str | None = None,
) -> None:
    """Print a DataFrame as a rich table, JSON records keyed by the index, or CSV."""
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index_label=index_label))
        return
    if fmt == "json":
        sys.stdout.write(frame.to_json(orient="index", date_format="iso", indent=2) + "\n")
        return
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column(index_label or str(frame.index.name or ""), style="bold")
    for col in frame.columns:
        numeric = frame[col].dtype.kind in "fiu"
        table.add_column(str(col), justify="right" if numeric else "left")
    for idx, row in frame.iterrows():
        label = idx.date().isoformat() if hasattr(idx, "date") and callable(idx.date) else str(idx)
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append(float_format.format(v))
            elif hasattr(v, "date") and callable(v.date):
                cells.append("" if v != v else v.date().isoformat())
            else:
                cells.append(str(v))
        table.add_row(label, *cells)
    _console().print(table)


def _version_callback(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"basket {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """Model currency-basket stablecoins such as Facebook's 2019 Libra."""


@app.command()
@handle_errors
def currencies(
    source: str = typer.Option("ecb", "--source", "-s", help=SOURCE_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """List the currencies a source has, with the dates each one covers."""
    fmt = _check_format(fmt)
    from .data import get_source

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
    from .data import load_fx

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


REBALANCE_HELP = "none, monthly, quarterly, annual, band:0.05 or review:5y (default: the basket's)."


def _codes(values: Optional[list[str]]) -> Optional[list[str]]:
    """Accept repeated options and comma lists alike: --numeraire EUR --numeraire JPY,GBP."""
    if not values:
        return None
    out: list[str] = []
    for v in values:
        out.extend(x for x in v.split(",") if x.strip())
    return out


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
    fmt = _check_format(fmt)
    from .api import backtest as run

    res = run(spec, start, end, rebalance, _codes(numeraire), source)
    if output is not None:
        write_frame(res.values, output)
    if plot is not None:
        from .plotting import save_backtest_figure

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
    fmt = _check_format(fmt)
    from .api import price_detail

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
    fmt = _check_format(fmt)
    import pandas as pd

    from .spec import list_seeds

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
    from .errors import DataError

    if output.suffix.lower() not in (".html", ".htm"):
        raise DataError(f"cannot write {output}: use a .html file name")
    if not output.parent.exists():
        raise DataError(f"cannot write {output}: directory {output.parent} does not exist")
    from .api import backtest as run
    from .data.cache import atomic_write_text
    from .report import render_report

    res = run(spec, start, end, rebalance, _codes(numeraire), source)
    page = render_report(res)
    atomic_write_text(output, page)
    typer.echo(f"wrote report to {output} ({len(page.encode('utf-8')) / 1e6:.1f} MB)")


def write_frame(frame: pd.DataFrame, output: Path) -> None:
    """Write a frame to CSV or Parquet by the file's suffix (atomically)."""
    from .errors import DataError

    suffix = output.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DataError(f"cannot write {output}: use a .csv or .parquet file name")
    if not output.parent.exists():
        raise DataError(f"cannot write {output}: directory {output.parent} does not exist")
    from .data.cache import atomic_write_bytes, atomic_write_text

    if suffix == ".csv":
        # shortest repr that reads back to the same double
        atomic_write_text(output, frame.to_csv(float_format=lambda x: repr(float(x))))
    else:
        try:
            import io

            buf = io.BytesIO()
            frame.to_parquet(buf)
        except ImportError as exc:
            raise DataError(
                "writing parquet needs pyarrow: pip install 'libra-basket[parquet]', or use .csv"
            ) from exc
        atomic_write_bytes(output, buf.getvalue())


# ----------------------------------------------------------------------------- stress, optimize
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
    fmt = _check_format(fmt)
    import pandas as pd

    if show_list:
        from .stress import list_episodes

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
    from .design_api import stress as run

    names = _codes(episode)
    res = run(spec, names, start, end, _codes(numeraire), rebalance, source)
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
    fmt = _check_format(fmt)
    from .design_api import optimize as run
    from .design_api import parse_bounds, parse_window

    res = run(
        numeraires=_codes(numeraire),
        objective=objective,
        currencies=_codes(currencies),
        bounds=parse_bounds(bounds),
        window=parse_window(window, "--window") if window is not None else None,
        evaluate=parse_window(evaluate, "--evaluate") if evaluate is not None else None,
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
    fmt = _check_format(fmt)
    from .reserve_api import reserve as run

    if plot is not None:
        from .reserve_plot import check_figure_path

        check_figure_path(plot)       # fail before the simulation, not after
    res = run(
        spec, start, end,
        rates=",".join(rates) if rates else None,
        rates_file=rates_file,
        cash_rates=",".join(cash_rates) if cash_rates else None,
        scenario=scenario or None, coins=coins, securities_share=securities_share,
        cost_bps=cost_bps, stress_cost_bps=stress_cost_bps, opex_bps=opex_bps,
        buffer=buffer, policy=policy, day_count=day_count, numeraires=_codes(numeraire),
        source=source, episodes=episodes,
    )
    if output is not None:
        write_frame(res.to_frame(), output)
    if plot is not None:
        from .reserve_plot import save_reserve_figure

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
    fmt = _check_format(fmt)
    from rich.console import Console

    from .sim_api import simulate as run

    kwargs: dict[str, Any] = dict(
        n_paths=paths, horizon=horizon, method=method, seed=seed, window=window,
        rebalance=rebalance, numeraires=_codes(numeraire), block_length=block_length,
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
            from .plotting import save_simulation_figure
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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
