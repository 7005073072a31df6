"""The ``basket`` command line (typer): the only code that prints or exits.

:data:`app` is the Typer application; importing this package registers every command group on
it, in the order ``basket --help`` lists them. :func:`main` is the console-script entry point
(``basket``, ``python -m basket``).
"""

from __future__ import annotations

import importlib

from basket.cli.app import app, main

for _group in ("data", "valuation", "design", "montecarlo", "treasury", "connectedness"):
    importlib.import_module(f"basket.cli.{_group}")

__all__ = ["app", "main"]
