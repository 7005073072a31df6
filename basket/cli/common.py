"""What every command shares: the error handler, option help texts, rendering and writing.

The CLI is the only code that prints or exits. A :class:`~basket.errors.BasketError` raised by a
command becomes ``error: <message>`` on stderr and exit code 1; usage errors exit with 2.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, TypeVar

import typer

from basket.errors import BasketError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])

SOURCE_HELP = "FX source: 'ecb' (bundled, offline), 'yahoo' (online, cached) or a CSV file path."
FORMATS = ("table", "json", "csv")


def fail(message: str, code: int = 1) -> typer.Exit:
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


def check_format(fmt: str) -> str:
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}", code=2)
    return fmt


def console() -> Any:
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
    console().print(table)


REBALANCE_HELP = "none, monthly, quarterly, annual, band:0.05 or review:5y (default: the basket's)."


def codes(values: Optional[list[str]]) -> Optional[list[str]]:
    """Accept repeated options and comma lists alike: --numeraire EUR --numeraire JPY,GBP."""
    if not values:
        return None
    out: list[str] = []
    for v in values:
        out.extend(x for x in v.split(",") if x.strip())
    return out


def write_frame(frame: pd.DataFrame, output: Path) -> None:
    """Write a frame to CSV or Parquet by the file's suffix (atomically)."""
    from basket.errors import DataError

    suffix = output.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DataError(f"cannot write {output}: use a .csv or .parquet file name")
    if not output.parent.exists():
        raise DataError(f"cannot write {output}: directory {output.parent} does not exist")
    from basket.data.cache import atomic_write_bytes, atomic_write_text

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


