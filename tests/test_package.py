"""Package hygiene: the version, ``python -m basket``, the public API and the network guard."""

from __future__ import annotations

import subprocess
import sys

import pytest

import basket


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
