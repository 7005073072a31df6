"""What every command shares: the error handler, the source option set, outputs and help texts.

The CLI is the only code that prints or exits. A :class:`~basket.errors.BasketError` raised by a
command becomes ``error: <message>`` on stderr and exit code 1; a usage error (an option that
does not apply, an unknown ``--format``) exits with 2. Both are one line.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, TypeVar

import typer

from basket.errors import BasketError, DataError, OutputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from basket.data import SourceOptions
    from basket.outputs import OutputPlan

F = TypeVar("F", bound=Callable[..., Any])

SOURCE_HELP = "FX source: ecb (bundled, offline), yahoo (online, cached) or a CSV file path."
REBALANCE_HELP = "none|monthly|quarterly|annual|band:W|review:Ny (default: the basket's own)."
BASKET_HELP = "Seed name (see 'basket seeds') or the path of a TOML basket file."
NUMERAIRE_HELP = "Currency to measure in; repeat or give a comma list (default: the basket's)."


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: <message>`` on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn a BasketError raised by a command into a one-line message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BasketError as exc:
            raise fail(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def codes(values: Optional[list[str]]) -> Optional[list[str]]:
    """Accept repeated options and comma lists alike: --numeraire EUR --numeraire JPY,GBP."""
    if not values:
        return None
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


# ----------------------------------------------------------------------------- source options
def _option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=annotation)


_SOURCE_PARAMS = [
    _option("source", str, typer.Option("ecb", "--source", "-s", help=SOURCE_HELP,
                                         metavar="ecb|yahoo|FILE.csv")),
    _option("quote", Optional[str], typer.Option(
        None, "--quote", metavar="usd_per_unit|units_per_usd|units_per_eur",
        help="CSV files only: what the file's numbers are (default usd_per_unit).")),
    _option("fill", str, typer.Option(
        "none", "--fill", metavar="none|ffill",
        help="Date alignment: none (dates every currency quotes) or ffill (carry quotes "
             "forward).")),
    _option("fill_limit", Optional[int], typer.Option(
        None, "--fill-limit", metavar="DAYS",
        help="With --fill ffill: the oldest quote carried forward, in days (default 5).")),
    _option("refresh", bool, typer.Option(
        False, "--refresh",
        help="ecb: download the latest ECB history first; yahoo: download again (online).")),
]


def source_options(func: F) -> F:
    """Give a command the one source option set; it receives ``source`` as SourceOptions.

    Adds ``--source``, ``--quote``, ``--fill``, ``--fill-limit`` and ``--refresh`` to the
    command's signature (so every command that loads rates takes the same options with the same
    help) and validates them before the command runs: an option that does not apply to the
    source is a usage error (exit 2).
    """
    sig = inspect.signature(func)
    kept = [p for p in sig.parameters.values() if p.name != "source"]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from basket.data import SourceOptions

        given = {p.name: kwargs.pop(p.name) for p in _SOURCE_PARAMS}
        try:
            opts = SourceOptions(given["source"], quote=given["quote"], fill=given["fill"],
                                 fill_limit=given["fill_limit"], refresh=given["refresh"])
        except DataError as exc:
            raise fail(str(exc), code=2) from None
        if opts.name != "yahoo":
            return func(*args, source=opts, **kwargs)
        from basket.data.yahoo import download_progress

        with download_progress(download_bar):
            return func(*args, source=opts, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*kept, *_SOURCE_PARAMS])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {
        **{k: v for k, v in func.__annotations__.items() if k != "source"},
        **{p.name: p.annotation for p in _SOURCE_PARAMS},
    }
    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def download_bar(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on standard error for ``total`` downloads, shown on a terminal only."""
    from rich.console import Console

    err = Console(stderr=True)
    if not err.is_terminal:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("downloading from Yahoo Finance"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task("yahoo", total=total)
        yield lambda: bar.advance(task)


# ----------------------------------------------------------------------------- outputs
def plan_outputs(source: SourceOptions | None = None, *inputs: Any) -> OutputPlan:
    """An output plan that refuses to overwrite the command's inputs (the CSV source, files)."""
    from basket.outputs import OutputPlan

    files = [source.path if source is not None else None, *inputs]
    return OutputPlan([f for f in files if f is not None and Path(str(f)).exists()])


def spec_input(spec: str) -> Path | None:
    """The spec argument as an input file, when it names one."""
    path = Path(spec).expanduser()
    return path if path.is_file() else None


def table_bytes(frame: pd.DataFrame, path: Path) -> bytes:
    """A frame as the bytes of a .csv (shortest round-trip floats) or .parquet file."""
    if path.suffix.lower() == ".csv":
        return frame.to_csv(float_format=lambda x: repr(float(x))).encode("utf-8")
    buf = io.BytesIO()
    if "pyarrow" in sys.modules and sys.modules["pyarrow"] is None:
        del sys.modules["pyarrow"]            # kept out at start-up (app._without_pyarrow)
    try:
        frame.to_parquet(buf)
    except ImportError:
        raise OutputError(
            f"writing {path} needs pyarrow: pip install 'libra-basket[parquet]', or use .csv"
        ) from None
    return buf.getvalue()


def figure_bytes(fig: Any, path: Path) -> bytes:
    """A matplotlib figure rendered for ``path``'s suffix (.png, .svg or .pdf)."""
    from basket.plot import figure_bytes as render

    return render(fig, path)


# ----------------------------------------------------------------------------- shared options
def _check_format(value: str) -> str:
    from basket.cli.render import FORMATS

    fmt = str(value).strip().lower()
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(FORMATS)}")
    return fmt


def format_option(what: str = "") -> Any:
    """``--format table|json|csv`` (one declaration for every command that prints figures)."""
    return typer.Option(
        "table", "--format", "-f", metavar="table|json|csv", callback=_check_format,
        help=f"table (for people), json or csv (for programs){what}.",
    )


def wide_option() -> Any:
    """``--wide``: keep each table whole on a narrow terminal."""
    return typer.Option(
        False, "--wide", help="On a terminal, print each table whole instead of splitting it "
                              "to the terminal's width.")
