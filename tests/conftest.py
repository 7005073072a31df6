"""Shared test configuration: hypothesis profiles, an isolated cache, fixture paths."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

settings.register_profile(
    "ci",
    deadline=None,
    print_blob=True,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=150)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty cache directory: no test reads a user's cache."""
    path = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("BASKET_CACHE_DIR", str(path))
    return path


@pytest.fixture
def fixtures_dir() -> Path:
    """The repository's fixtures/ folder."""
    return FIXTURES


_LOOPBACK = ("localhost", "::1", "0.0.0.0")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that opens a TCP connection beyond this machine (loopback stays allowed
    for the Dask LocalCluster and the notebook kernel)."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock: socket.socket, address: Any) -> None:
        # a UDP connect sends nothing (Dask uses one to find the local address): TCP only
        if sock.type != socket.SOCK_STREAM:
            return
        if isinstance(address, tuple) and address:
            host = str(address[0])
            if not (host.startswith("127.") or host in _LOOPBACK):
                raise OSError(f"a test tried to reach the network ({address!r}); mock it")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under mutation testing (``tools/mutation.py`` sets ``BASKET_MUTATION``), run the
    hand-computed tests before the property tests: a mutant is usually killed by the first,
    so it is not kept waiting for hypothesis. The order of a normal run is unchanged."""
    if os.environ.get("BASKET_MUTATION"):
        items.sort(key=lambda item: bool(getattr(getattr(item, "obj", None),
                                                 "is_hypothesis_test", False)))
