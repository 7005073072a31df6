"""``basket spillover`` as a user meets it: exit codes, one-line errors, table/json/csv, --plot.

Figures printed are checked against the API's result for the same arguments (the CLI must
print what :func:`basket.spillover` computes), and the table's rows against 100%.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import basket
from basket.cli import app

runner = CliRunner()
SHORT = ("--start", "2019-01-01", "--end", "2020-12-31", "--lags", "1")


def run(*args: str):
    return runner.invoke(app, ["spillover", *args])


def one_line_error(result, pattern: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    err = result.stderr.strip()
    assert err.startswith("error: "), err
    assert "\n" not in err, "errors are one line"
    assert "Traceback" not in result.output
    assert pattern in err, err


def test_help() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--numeraire", "--window", "--horizon", "--lags", "--measure", "--currencies",
                   "--plot", "--format", "--source"):
        assert option in result.output
    assert "spillover" in runner.invoke(app, ["--help"]).output


def test_table() -> None:
    result = run(*SHORT)
    assert result.exit_code == 0, result.output
    res = basket.spillover(start="2019-01-01", end="2020-12-31", lags=1)
    out = result.stdout
    assert "from others" in out and "to others" in out and "receiver" in out
    assert f"Total connectedness: {res.total:.2f}%." in out
    assert f"{res.table.loc['EUR', 'GBP']:.2f}%" in out
    assert "Lags: fixed by the caller." in out


def test_table_with_window_shows_the_episodes() -> None:
    result = run("--start", "2019-01-01", "--end", "2020-12-31", "--lags", "1", "--window", "100")
    assert result.exit_code == 0, result.output
    assert "Rolling 100-day connectedness" in result.stdout
    assert "covid-dash-for-cash-2020" in result.stdout and "all windows" in result.stdout


def test_json() -> None:
    result = run(*SHORT, "--numeraire", "EUR", "--measure", "volatility", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    res = basket.spillover(numeraire="EUR", start="2019-01-01", end="2020-12-31", lags=1,
                           measure="volatility")
    assert data == json.loads(json.dumps(res.to_dict()))
    assert data["currencies"] == ["USD", "JPY", "GBP", "SGD"]
    for code in data["currencies"]:
        assert sum(data["table"][code][c] for c in data["currencies"]) == pytest.approx(100.0)


def test_csv_table_and_rolling() -> None:
    result = run(*SHORT, "--format", "csv")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), index_col="receiver")
    res = basket.spillover(start="2019-01-01", end="2020-12-31", lags=1)
    pd.testing.assert_frame_equal(table, res.table, check_names=False, rtol=0, atol=0)
    rolled = run(*SHORT, "--window", "120", "--format", "csv", "-c", "EUR,JPY", "-c", "GBP")
    assert rolled.exit_code == 0, rolled.output
    frame = pd.read_csv(io.StringIO(rolled.stdout), index_col="date", parse_dates=True)
    assert list(frame.columns) == ["total", "net_EUR", "net_JPY", "net_GBP"]
    ref = basket.spillover(start="2019-01-01", end="2020-12-31", lags=1, window=120,
                           currencies=["EUR", "JPY", "GBP"])
    pd.testing.assert_frame_equal(frame, ref.to_frame(), check_freq=False, check_names=False,
                                  rtol=0, atol=0)


def test_plot(tmp_path: Path) -> None:
    png, svg = tmp_path / "spill.png", tmp_path / "spill.svg"
    result = run(*SHORT, "--window", "120", "--plot", str(png), "--plot", str(svg),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert f"wrote chart to {png}" in result.stderr
    json.loads(result.stdout)                                     # stdout stays pure JSON


def test_plot_to_a_bad_place_fails_before_work(tmp_path: Path) -> None:
    result = run(*SHORT, "--plot", str(tmp_path / "missing" / "x.png"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize(("args", "pattern"), [
    (("--window", "5"), "window 5 is shorter than a VAR with 1 lag(s) on 4 variables needs"),
    (("-c", "CHF,EUR"), "CHF is not in basket 'libra-2019'"),
    (("--measure", "garch"), "unknown measure 'garch'; use one of returns, volatility"),
    (("--horizon", "0"), "horizon 0 must be a whole number, at least 1"),
    (("--numeraire", "XXX"), "XXX"),
    (("--end", "2019-01-04"), "observations are too few"),
])
def test_errors_are_one_line(args: tuple[str, ...], pattern: str) -> None:
    one_line_error(run(*SHORT, *args), pattern)


def test_lags_zero_and_usage_errors() -> None:
    one_line_error(run("--start", "2019-01-01", "--lags", "0"), "lags 0 must be a whole number")
    usage = run("--window", "abc")
    assert usage.exit_code == 2
    assert usage.stderr.strip().startswith("error: ") and "\n" not in usage.stderr.strip()
    bad_format = run(*SHORT, "--format", "xml")
    assert bad_format.exit_code == 2
