"""The command line, as a user meets it: exit codes, one-line errors, real figures."""

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
    assert err.startswith("error: "), err
    assert "\n" not in err, "errors are one line"
    assert "Traceback" not in result.output
    assert pattern in err, err


def test_help_lists_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for cmd in ("backtest", "price", "seeds", "fx", "currencies"):
        assert cmd in result.output


@pytest.mark.parametrize("cmd", ["backtest", "price", "seeds", "fx", "currencies"])
def test_subcommand_help(cmd: str) -> None:
    result = run(cmd, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"basket {basket.__version__}"


def test_fx_summary_and_output(tmp_path: Path) -> None:
    out = tmp_path / "fx.csv"
    result = run("fx", "USD", "EUR", "JPY", "--start", "2019-06-18", "--end", "2019-06-21",
                 "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "2019-06-18 to 2019-06-21, 4 dates" in result.output
    frame = pd.read_csv(out, index_col="date", parse_dates=True)
    expected = basket.load_fx(["USD", "EUR", "JPY"], "2019-06-18", "2019-06-21")
    pd.testing.assert_frame_equal(frame, expected, check_freq=False, rtol=0, atol=0)


def test_fx_parquet(tmp_path: Path) -> None:
    out = tmp_path / "fx.parquet"
    result = run("fx", "EUR", "--start", "2020-01-01", "--end", "2020-01-10", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(out)) == 7


def test_fx_misspelled_currency() -> None:
    one_line_error(run("fx", "USD", "EUX"), "unknown currency 'EUX' for source 'ecb' (did you mean 'EUR'?)")


def test_fx_bad_output_suffix(tmp_path: Path) -> None:
    one_line_error(run("fx", "EUR", "--output", str(tmp_path / "x.xlsx")), "use a .csv or .parquet")


def test_fx_csv_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("date,EUR\n2020-01-02,1.12\n2020-01-03,abc\n")
    result = run("fx", "EUR", "--source", str(path))
    one_line_error(result, "rates.csv")
    assert "line 3" in result.stderr


def test_currencies_lists_coverage() -> None:
    result = run("currencies", "--format", "csv")
    assert result.exit_code == 0
    frame = pd.read_csv(pd.io.common.StringIO(result.output), index_col="currency")
    assert frame.loc["EUR", "first"] == "1999-01-04"
    # the coverage of the bundled file: 7,126 ECB dates, the pound quoted on every one, the
    # Cyprus pound until it joined the euro (2007-12-31)
    assert frame.loc["GBP", "quotes"] == frame.loc["USD", "quotes"] == 7126
    assert frame.loc["CYP", "last"] == "2007-12-31"
    assert "Date" not in frame.index and frame.index.str.fullmatch("[A-Z]{3}").all()


def test_backtest_default_table() -> None:
    """The table's figures, recomputed from the rates: Libra's fixed amounts (weights times 1 USD
    over the 2019-06-18 rates), its value in each holder's currency, then the volatility
    (std of daily log returns, ddof 1, x sqrt(252)), the total return and each currency alone;
    compared as printed (two decimals of a percentage)."""
    import numpy as np

    result = run("backtest")
    assert result.exit_code == 0, result.output
    assert "Libra reserve basket (2019)" in result.output
    assert "1999-01-04 to 2026-10-30 (7126 dates, source ecb)" in result.output
    codes = ["USD", "EUR", "JPY", "GBP", "SGD"]
    rows = {}
    for line in result.output.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if cells and cells[0] in codes and len(cells) == 12:
            rows[cells[0]] = cells[1:]
    assert list(rows) == codes
    fx = basket.load_fx(codes)
    weights = {"USD": 0.5, "EUR": 0.18, "JPY": 0.14, "GBP": 0.11, "SGD": 0.07}
    usd = sum(w / fx.loc["2019-06-18", c] * fx[c] for c, w in weights.items())

    def pct(x: float) -> str:
        return f"{100 * x:.2f}%"

    for k in codes:
        v = usd / fx[k]
        r = np.diff(np.log(v.to_numpy()))
        assert rows[k][0] == pct(r.std(ddof=1) * np.sqrt(252)), k          # vol
        assert rows[k][1] == pct(v.iloc[-1] / v.iloc[0] - 1), k           # total
        for j, c in enumerate(codes):
            alone = np.diff(np.log((fx[c] / fx[k]).to_numpy()))
            assert rows[k][6 + j] == pct(alone.std(ddof=1) * np.sqrt(252)), (k, c)


def test_backtest_json_matches_api() -> None:
    result = run("backtest", "--format", "json", "--start", "2015-01-01",
                 "--rebalance", "quarterly")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    res = basket.backtest(start="2015-01-01", rebalance="quarterly")
    assert set(data["metrics"]) == {"USD", "EUR", "JPY", "GBP", "SGD"}
    for k in data["metrics"]:
        for field in ("volatility", "max_drawdown", "total_return"):
            assert data["metrics"][k][field] == pytest.approx(res.metrics.loc[k, field], rel=1e-12)
    assert data["rebalance"] == "quarterly"


def test_backtest_output_values(tmp_path: Path) -> None:
    out = tmp_path / "values.csv"
    result = run("backtest", "--numeraire", "EUR,CHF", "--output", str(out), "--format", "csv")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, index_col="date", parse_dates=True)
    assert list(frame.columns) == ["EUR", "CHF"]
    # one Libra is 1 USD at the base date, so 1 / (USD per EUR) euros: ECB 2019-06-18 USD 1.1187
    assert frame.loc["2019-06-18", "EUR"] == pytest.approx(1 / 1.1187, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backtest", "nonexistent"], "unknown basket 'nonexistent'"),
        (["backtest", "--rebalance", "weekly"], "unknown rebalancing rule 'weekly'"),
        (["backtest", "--start", "1980-01-01"], "start 1980-01-01 is before that"),
        (["backtest", "--end", "2099-01-01"], "end 2099-01-01 is after that"),
        (["backtest", "--start", "2020-01-10", "--end", "2020-01-01"], "is after end"),
        (["backtest", "--numeraire", "XXX"], "unknown currency 'XXX'"),
        (["price", "1990-01-01"], "before the data"),
        (["price", "not-a-date"], "is not a date"),
    ],
)
def test_bad_input_is_one_line(args: list[str], message: str) -> None:
    one_line_error(run(*args), message)


def test_weights_not_summing_to_one(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\nbase_date = 2019-06-18\nweights = { USD = 0.5, EUR = 0.4 }\n')
    one_line_error(run("backtest", str(path)), "weights sum to 0.9, not 1")


def test_unknown_format_is_usage_error() -> None:
    result = run("backtest", "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of table, json, csv" in result.stderr


def test_price_command() -> None:
    result = run("price", "2019-06-22", "--in", "EUR", "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["date"] == "2019-06-22" and row["date_used"] == "2019-06-21"
    assert row["value_EUR"] == pytest.approx(basket.price("2019-06-21", "EUR"))


def test_seeds_command() -> None:
    result = run("seeds", "--format", "json")
    assert result.exit_code == 0
    data = {d["name"]: d for d in json.loads(result.stdout)}   # an array of records
    assert "libra-2019" in data and "sdr" in data
    assert "Spiegel" in data["libra-2019"]["source"]


def test_shell_completion_is_available(monkeypatch: pytest.MonkeyPatch) -> None:
    # name the shell rather than detect it from the parent process (a CI runner may have none)
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = run("--show-completion", "bash")
    assert result.exit_code == 0, result.output
    assert "_basket_completion" in result.stdout and "COMP_WORDS" in result.stdout


def test_help_shows_what_to_type_not_python_types() -> None:
    from basket.cli.app import app as typer_app

    names = ["currencies", "fx", "backtest", "price", "indices", "seeds", "report", "stress",
             "optimize", "simulate", "reserve", "spillover"]
    for name in names:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "<str>" not in result.stdout and "<list[" not in result.stdout, name
        assert "<int>" not in result.stdout and "<float>" not in result.stdout, name
        assert "<path>" not in result.stdout, name
    assert typer_app.info.name == "basket"
    rebalance = run("backtest", "--help").stdout
    assert "none|monthly|quarterly|annual|band:W|review:Ny" in " ".join(rebalance.split())


def test_one_spelling_of_annualized() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in [*root.joinpath("basket").rglob("*.py"), root / "README.md"]:
        text = path.read_text(encoding="utf-8")
        assert "nnualis" not in text, path
