"""The ``basket`` Typer application: the root command, ``--version`` and the entry point.

Commands live in one module per group (:mod:`basket.cli.data`, :mod:`basket.cli.valuation`,
:mod:`basket.cli.design`, :mod:`basket.cli.montecarlo`, :mod:`basket.cli.treasury`) and register
themselves on :data:`app` when :mod:`basket.cli` imports them. Heavy modules (pandas, rich,
matplotlib) are imported inside the commands so that ``basket --help`` starts fast.
"""

from __future__ import annotations

import typer

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
    app()

