"""Indices on the command line: ``price --basket dxy``, ``backtest dxy``, ``indices``, ``seeds``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import basket
from basket.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def one_line_error(result, pattern: str) -> None:
    assert result.exit_code == 1, result.output
    err = result.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert pattern in err, err


def test_price_prints_the_dxy_level() -> None:
    result = run("price", "2022-09-27", "--basket", "dxy")
    assert result.exit_code == 0, result.output
    assert "ICE US Dollar Index (DXY), level" in result.stdout
    assert "113.5847" in result.stdout          # 8 significant digits of the ECB-fixing level
    result = run("price", "2022-09-27", "--basket", "dxy", "--format", "json")
    rows = json.loads(result.stdout)
    assert rows[0]["level"] == pytest.approx(basket.price("2022-09-27", basket="dxy"), rel=1e-15)


def test_price_of_an_index_refuses_in() -> None:
    result = run("price", "2022-09-27", "--basket", "dxy", "--in", "EUR")
    one_line_error(result, "a numeraire does not apply; drop numeraire 'EUR'")


def test_price_of_a_basket_still_defaults_to_usd() -> None:
    result = run("price", "2019-06-18", "--format", "csv")
    assert result.exit_code == 0 and "value_USD" in result.stdout


def test_backtest_dxy_reports_the_level() -> None:
    result = run("backtest", "dxy", "--start", "2015-01-02", "--end", "2019-12-31")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "ICE US Dollar Index (DXY)" in out and "level" in out and "EUR alone" in out
    assert "the index level itself (unitless)" in out
    result = run("backtest", "dxy", "--start", "2015-01-02", "--end", "2019-12-31",
                 "--format", "json")
    data = json.loads(result.stdout)
    assert list(data["metrics"]) == ["level"]
    ref = basket.backtest("dxy", start="2015-01-02", end="2019-12-31")
    assert data["metrics"]["level"]["volatility"] == pytest.approx(
        float(ref.metrics.loc["level", "volatility"]), rel=1e-12)
    one_line_error(run("backtest", "dxy", "-n", "EUR"), "a numeraire does not apply")


def test_indices_command_table_json_csv_and_files(tmp_path: Path) -> None:
    result = run("indices", "--start", "2019-06-18", "--end", "2020-12-31")
    assert result.exit_code == 0, result.output
    for word in ("libra-2019", "sdr", "dxy", "corr dxy", "the currency's gain against that basket"):
        assert word in result.stdout
    data = json.loads(run("indices", "sdr", "dxy", "--start", "2019-06-18", "--format",
                          "json").stdout)
    assert list(data["indices"]) == ["sdr", "dxy"] and data["currency"] == "USD"
    csv = run("indices", "--currency", "EUR", "--start", "2019-06-18", "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("index,start,end,change")
    out, png = tmp_path / "levels.csv", tmp_path / "indices.png"
    result = run("indices", "--start", "2019-06-18", "--base-date", "2020-01-02",
                 "--output", str(out), "--plot", str(png))
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, index_col=0, parse_dates=True)
    assert list(frame.columns) == ["libra-2019", "sdr", "dxy"]
    assert frame.loc["2020-01-02"].tolist() == pytest.approx([100.0, 100.0, 100.0], rel=1e-15)
    assert png.read_bytes().startswith(b"\x89PNG")


def test_indices_command_errors() -> None:
    one_line_error(run("indices", "sdr", "sdr"), "basket 'sdr' is given twice")
    one_line_error(run("indices", "--currency", "EURO"), "EURO")


def test_seeds_lists_the_dxy_as_an_index() -> None:
    result = run("seeds", "--format", "json")
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["dxy"]["kind"] == "index"
    assert rows["dxy"]["composition"] == (
        "USD index, rises as USD strengthens, scaled by 50.14348112; geometric basket: "
        "EUR 57.6%, JPY 13.6%, GBP 11.9%, CAD 9.1%, SEK 4.2%, CHF 3.6%")


def test_indices_help() -> None:
    result = run("indices", "--help")
    assert result.exit_code == 0 and "--currency" in result.stdout
