"""The ``basket`` Typer application: the root command, ``--version`` and the entry point.

Commands live in one module per group (:mod:`basket.cli.data`, :mod:`basket.cli.valuation`,
:mod:`basket.cli.design`, :mod:`basket.cli.montecarlo`, :mod:`basket.cli.treasury`) and register
themselves on :data:`app` when :mod:`basket.cli` imports them. Heavy modules (pandas, rich,
matplotlib) are imported inside the commands so that ``basket --help`` starts fast.

Every error is one line on stderr: ``error: <message>``. Errors of ``basket`` itself exit with
1; usage errors that click detects (an unknown option, a missing argument, a value of the wrong
type) exit with 2, with the command's ``--help`` named for the fix.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from basket.cli.startup import install as _startup_hooks

_startup_hooks()  # option values without pydantic (~0.1 s), commands built when used (~25 ms)


def _warnings_as_lines() -> None:
    """Show basket's own warnings as one ``warning: <message>`` line on stderr (not Python's
    ``file:line: Category: message`` form); other warnings keep the default display."""
    import warnings

    from basket.errors import BasketWarning

    default = warnings.showwarning

    def show(message: Any, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        if issubclass(category, BasketWarning):
            typer.echo(f"warning: {message}", err=True)
        else:
            default(message, category, filename, lineno, file, line)

    warnings.showwarning = show


class BasketGroup(TyperGroup):
    """The root group: click's multi-line usage errors become one ``error:`` line."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        _warnings_as_lines()
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.TyperException as exc:  # click's errors: usage, bad values, missing files
            message = " ".join(exc.format_message().split())
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                message += f" (see '{ctx.command_path} --help')"
            typer.echo(f"error: {message}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """A command whose arguments show their metavar (``BASKET``, ``DATE...``) without the
        Python type typer adds (``<str>``, ``<list[str]>``): the help names what to type."""
        cmd = super().get_command(ctx, cmd_name)
        for param in getattr(cmd, "params", ()):
            if getattr(param, "param_type_name", "") == "argument" and param.metavar:
                param.display_type_rich = _no_type
        return cmd


def _no_type(ctx: Any) -> None:
    return None


app = typer.Typer(
    name="basket",
    cls=BasketGroup,
    help=(
        "Model currency-basket stablecoins such as Facebook's 2019 Libra "
        "(USD 50%, EUR 18%, JPY 14%, GBP 11%, SGD 7%): value, volatility for a holder in each "
        "currency, rebalancing, simulation. Runs offline on the ECB reference rates bundled "
        "with the package."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: typer's rich help imports ~70 ms of modules
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        from basket import __version__

        typer.echo(f"basket {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """Model currency-basket stablecoins such as Facebook's 2019 Libra."""


def main() -> None:
    """Console-script entry point."""
    _without_pyarrow(sys.argv[1:])
    app()


def _without_pyarrow(args: Sequence[str]) -> None:
    """Keep pandas from importing pyarrow (~90 ms of every command) unless an argument names
    a ``.parquet`` file, the one thing the CLI needs it for.

    pandas imports pyarrow whenever it is installed, for its string columns, and falls back
    to Python strings without it; the numbers are the same. A console process only (the
    entry point): ``import basket`` and a notebook are left alone. ``table_bytes`` lets
    pyarrow in again should a parquet file be asked for all the same.
    """
    if "pyarrow" in sys.modules or "pandas" in sys.modules:
        return
    if any(".parquet" in str(a).lower() for a in args):
        return
    sys.modules["pyarrow"] = None  # type: ignore[assignment]  # import pyarrow -> ImportError
