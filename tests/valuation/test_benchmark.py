"""backtest(..., benchmark=): tracking error and active return against another basket.

The reference is computed here from the two baskets' own backtests with pandas: daily simple
returns in each numeraire on the dates both are valued, their difference, its sample standard
deviation and mean, annualized with 252.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import basket
from basket.cli import app
from basket.errors import DataError, SpecError

ARGS = {"start": "2016-10-03", "end": "2020-12-31", "numeraires": ["USD", "EUR", "JPY"]}


@pytest.fixture(scope="module")
def against_sdr() -> basket.BacktestResult:
    return basket.backtest("libra-2019", **ARGS, benchmark="sdr")


def test_tracking_error_is_the_volatility_of_the_return_difference(against_sdr) -> None:
    libra = basket.backtest("libra-2019", **ARGS)
    sdr = basket.backtest("sdr", **ARGS)
    dates = libra.values.index.intersection(sdr.values.index)
    diff = (libra.values.loc[dates].pct_change() - sdr.values.loc[dates].pct_change()).dropna()
    expected_te = diff.std(ddof=1) * math.sqrt(252)
    expected_active = diff.mean() * 252
    pd.testing.assert_series_equal(against_sdr.metrics["tracking_error"], expected_te,
                                   check_names=False, rtol=1e-12)
    pd.testing.assert_series_equal(against_sdr.metrics["active_return"], expected_active,
                                   check_names=False, rtol=1e-12)
    # every other figure is the plain backtest's
    pd.testing.assert_frame_equal(against_sdr.metrics.drop(columns=["tracking_error",
                                                                    "active_return"]),
                                  libra.metrics)
    assert against_sdr.benchmark == "sdr" and libra.benchmark is None
    assert any("against IMF Special Drawing Right" in n for n in against_sdr.notes)


def test_the_numeraire_barely_moves_the_figure(against_sdr) -> None:
    """In currency k both returns are the dollar ones over 1 + r_k: the tracking error of a
    pair of baskets is nearly one number (exactly one for log returns)."""
    te = against_sdr.metrics["tracking_error"]
    assert 0.005 < te.min() and te.max() / te.min() - 1 < 0.01


def test_benchmark_carried_by_every_format(against_sdr) -> None:
    d = against_sdr.to_dict()
    assert d["benchmark"] == "sdr"
    assert d["metrics"]["JPY"]["tracking_error"] == against_sdr.metrics.at["JPY", "tracking_error"]
    fig = against_sdr.figures()
    assert {"benchmark", "tracking_error", "active_return"} <= set(fig.columns)
    assert "tracking_error" in against_sdr.summary().columns
    assert "tracking_error" not in basket.backtest("libra-2019", **ARGS).summary().columns


def test_against_itself_is_zero() -> None:
    res = basket.backtest("sdr", **ARGS, benchmark="sdr")
    assert (res.metrics["tracking_error"] == 0.0).all()
    assert (res.metrics["active_return"] == 0.0).all()


@pytest.mark.parametrize(
    ("spec", "bench", "pattern"),
    [("libra-2019", "dxy", r"benchmark 'dxy' is an index"),
     ("dxy", "sdr", r"basket 'dxy' is an index"),
     ("libra-2019", "nope", r"unknown")],
)
def test_bad_benchmarks(spec: str, bench: str, pattern: str) -> None:
    with pytest.raises(SpecError, match=pattern):
        basket.backtest(spec, start="2019-01-02", end="2019-12-31", benchmark=bench)


def test_benchmark_outside_a_users_panel() -> None:
    fx = basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD"], "2019-01-02", "2019-12-31")
    with pytest.raises(DataError, match="CNY"):
        basket.backtest("libra-2019", panel=fx, benchmark="sdr")


def test_cli_benchmark() -> None:
    runner = CliRunner()
    args = ["backtest", "--start", "2019-01-02", "--end", "2019-12-31", "-n", "USD,EUR",
            "--benchmark", "sdr"]
    table = runner.invoke(app, args, terminal_width=80)
    assert table.exit_code == 0, table.output
    assert "TE" in table.stdout and "tracking error against sdr" in table.stdout
    out = runner.invoke(app, [*args, "--format", "json"])
    data = json.loads(out.stdout)
    res = basket.backtest("libra-2019", "2019-01-02", "2019-12-31", numeraires=["USD", "EUR"],
                          benchmark="sdr")
    assert data["benchmark"] == "sdr"
    assert np.isclose(data["metrics"]["EUR"]["tracking_error"],
                      res.metrics.at["EUR", "tracking_error"], rtol=1e-15)
    bad = runner.invoke(app, ["backtest", "--benchmark", "dxy"])
    assert bad.exit_code == 1 and bad.stderr.startswith("error: benchmark 'dxy' is an index")
