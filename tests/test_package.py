"""Package hygiene: the pure core imports no IO library, the CLI starts light, seeds ship."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import basket

PURE = ["basket.valuation.engine", "basket.valuation.metrics", "basket.spec", "basket.valuation.rebalance", "basket.valuation.results",
        "basket.treasury.results"]
OPTIONAL_PURE = ["basket.montecarlo.model", "basket.montecarlo.resampling", "basket.montecarlo.results",
                 "basket.montecarlo.executor", "basket.reserve", "basket.stress", "basket.optimize"]
FORBIDDEN = ["typer", "rich", "yfinance", "matplotlib", "basket.data", "basket.cli", "urllib.request"]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        check=True, capture_output=True, text=True,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", PURE + OPTIONAL_PURE)
def test_pure_core_imports_no_io(module: str) -> None:
    try:
        __import__(module)
    except ModuleNotFoundError:
        pytest.skip(f"{module} not present")
    loaded = _modules_after(f"import {module}")
    assert not [m for m in FORBIDDEN if m in loaded], module


def test_import_basket_is_light() -> None:
    loaded = _modules_after("import basket")
    assert "pandas" not in loaded and "typer" not in loaded


def test_cli_help_does_not_import_pandas() -> None:
    loaded = _modules_after("import basket.cli")
    assert "pandas" not in loaded and "numpy" not in loaded


def test_python_dash_m() -> None:
    out = subprocess.run([sys.executable, "-m", "basket", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == f"basket {basket.__version__}"


def test_public_api_resolves() -> None:
    for name in basket.__all__:
        assert getattr(basket, name) is not None, name


def test_tests_cannot_reach_the_network() -> None:
    import socket

    with pytest.raises(OSError, match="tried to reach the network"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
