"""Shared test configuration: hypothesis profiles, an isolated cache, fixture paths."""

from __future__ import annotations

import os
from pathlib import Path

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
