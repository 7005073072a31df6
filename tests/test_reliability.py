"""One regression test per class of failure the reliability audit found (issue 10).

Each test is named after its class and reproduces the audit's example end to end; the wider
catalogues are ``tests/cli/test_bad_inputs.py`` (CLI) and ``tests/test_misuse.py`` (API), and
the cache and refresh cases live with their sources in ``tests/data/``.
"""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import basket
from basket.cli import app
from basket.errors import DataError, OutputError, ShortWindowWarning, SimulationError, SpecError

RATES = {"USD": 0.02, "EUR": -0.005, "JPY": -0.001, "GBP": 0.0075, "SGD": 0.0188}
runner = CliRunner()


def _one_line_error(result: object, pattern: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output  # type: ignore[attr-defined]
    err = result.stderr.strip()  # type: ignore[attr-defined]
    assert err.startswith("error: ") and "\n" not in err, err
    assert pattern in err, err


# ------------------------------------------------------------ data loss, wrong numbers (exit 0)
def test_regression_a_bad_panel_never_loses_a_currency() -> None:
    """simulate dropped a currency whose base-date rate was not positive; now every face
    validates its panel with the same contract."""
    fx = basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD"], "2019-06-03", "2019-12-31").copy()
    fx.loc["2019-06-18", "SGD"] = 0.0
    for call in (lambda: basket.simulate(panel=fx, n_paths=10, horizon=2),
                 lambda: basket.backtest(panel=fx),
                 lambda: basket.reserve(panel=fx, rates=RATES, episodes=False)):
        with pytest.raises(DataError, match=r"rate for SGD on 2019-06-18 is 0\.0; rates must be "
                                            r"positive"):
            call()


def test_regression_a_run_outside_the_simulation_is_refused() -> None:
    with pytest.raises(SimulationError, match=r"starts before the first date 2019-09-02"):
        basket.reserve(start="2019-09-02", end="2019-12-31", rates=RATES, episodes=False,
                       scenario="run:0.3:10d@2019-01-15")
    with pytest.raises(SimulationError, match=r"starts after the last date"):
        basket.reserve(start="2019-09-02", end="2019-12-31", rates=RATES, episodes=False,
                       scenario="run:0.3:10d@2020-06-01")


@pytest.mark.parametrize("text", ["01/02/2020", "13/02/2020", "2020-03-20T00:00+09:00"])
def test_regression_dates_are_never_guessed(text: str) -> None:
    _one_line_error(runner.invoke(app, ["price", text]), f"date '{text}' is not a date")


def test_regression_an_output_never_overwrites_an_input(tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("date,EUR\n2019-06-18,1.12\n2019-06-19,1.13\n")
    before = rates.read_bytes()
    _one_line_error(runner.invoke(app, ["fx", "USD", "EUR", "-s", str(rates), "-o", str(rates)]),
                    "it is an input of this command")
    assert rates.read_bytes() == before
    values = tmp_path / "values.csv"
    values.write_text("precious")
    result = runner.invoke(app, ["backtest", "--start", "2019-06-18", "--end", "2019-12-31",
                                 "-o", str(values), "--plot", str(tmp_path / "no" / "x.png")])
    _one_line_error(result, "folder")
    assert values.read_text() == "precious"            # checked before any work: untouched


@pytest.mark.parametrize(("args", "pattern"), [
    (["reserve", "--coins", "1e308"], "coins is 1e+308"),
    (["reserve", "--cost-bps", "1e306"], "cost_bps is 1e+306"),
    (["reserve", "--scenario", "growth:1e300"], "growth rate 1e+300"),
])
def test_regression_non_finite_results_are_refused(args: list[str], pattern: str) -> None:
    rates = ",".join(f"{k}={v}" for k, v in RATES.items())
    _one_line_error(runner.invoke(app, [*args, "--rates", rates, "--no-episodes"]), pattern)


def test_regression_extreme_specs_and_rates_are_refused(tmp_path: Path) -> None:
    spec = tmp_path / "huge.toml"
    spec.write_text('name = "huge"\namounts = { USD = 1e308, EUR = 1 }\nbase_date = 2019-06-18\n')
    _one_line_error(runner.invoke(app, ["backtest", str(spec)]), "amounts.USD = 1e+308")
    tiny = tmp_path / "tiny.toml"
    tiny.write_text('name = "tiny"\nweights = { USD = 0.5, EUR = 0.5 }\nbase_date = 2019-06-18\n'
                    'base_value = 5e-324\n')
    _one_line_error(runner.invoke(app, ["backtest", str(tiny)]), "base_value 4.94066e-324")
    wild = tmp_path / "wild.csv"
    wild.write_text("date,EUR,JPY\n2020-01-02,1e-300,1e300\n2020-01-03,1e-300,1e300\n"
                    "2020-01-06,1e-300,1e300\n")
    _one_line_error(runner.invoke(app, ["fx", "EUR", "JPY", "-s", str(wild)]),
                    "is 1e-300 USD per unit, outside 1e-12 to 1e+12")


# ------------------------------------------------------------ tracebacks -> one-line errors
def test_regression_output_paths_that_cannot_be_written(tmp_path: Path) -> None:
    _one_line_error(runner.invoke(app, ["backtest", "-o", str(tmp_path)]), "use a .csv")
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    _one_line_error(runner.invoke(app, ["backtest", "-o", str(folder)]), "it is a directory")
    if os.geteuid() != 0:  # root writes anywhere; the check is for everyone else
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        _one_line_error(runner.invoke(app, ["backtest", "-o", str(locked / "v.csv")]),
                        "is read-only")


def test_regression_spec_and_argument_tracebacks(tmp_path: Path) -> None:
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    _one_line_error(runner.invoke(app, ["backtest", str(latin)]), "is not UTF-8 text")
    _one_line_error(runner.invoke(app, ["backtest", "-r", "review:9999y"]), "review period 9999")
    _one_line_error(runner.invoke(app, ["backtest", "--start", "-2019-01-01"]),
                    "start '-2019-01-01' is not a date")
    _one_line_error(runner.invoke(app, ["simulate", "--horizon", "1000000000"]),
                    "more than 13,050 business days")
    _one_line_error(runner.invoke(app, ["simulate", "--paths", "10000000000"]),
                    "at most 37,149,549 paths fit in the 4 GiB budget")


@pytest.mark.parametrize("call", [
    lambda: basket.price(None), lambda: basket.price(float("nan")),
    lambda: basket.price(20200320), lambda: basket.price("2020-03-20", numeraire=3),
    lambda: basket.price("2020-03-20", numeraire=["EUR", "JPY"]), lambda: basket.load_fx(None),
    lambda: basket.load_fx(["EUR"], fill="ffill", fill_limit="5"),
    lambda: basket.reserve(rates=RATES, cost_bps=None, episodes=False),
])
def test_regression_api_misuse_raises_our_errors(call: object) -> None:
    with pytest.raises(basket.BasketError):
        call()  # type: ignore[operator]


def test_regression_a_path_is_a_source() -> None:
    path = Path(__file__).resolve().parents[1] / "fixtures" / "csv" / "libra_2019_wide.csv"
    assert basket.load_fx(["USD", "EUR"], source=path).shape[1] == 2


# ------------------------------------------------------------ features that did not work
def test_regression_base_currency_outside_the_basket() -> None:
    """A USD/EUR basket worth 100 yen on its base date: the yen is loaded with the basket."""
    spec = basket.BasketSpec.from_dict({
        "name": "duo-in-yen", "weights": {"USD": 0.5, "EUR": 0.5}, "base_date": "2019-06-18",
        "base_value": 100.0, "base_currency": "JPY"})
    value = basket.price("2019-06-18", numeraire="JPY", basket=spec)
    assert value == pytest.approx(100.0, rel=1e-12)
    fx = basket.load_fx(["USD", "EUR", "JPY"], "2019-06-18", "2019-06-18")
    usd = basket.price("2019-06-18", basket=spec)     # 100 yen in dollars, by hand
    assert usd == pytest.approx(100.0 * fx.iloc[0]["JPY"], rel=1e-12)


def test_regression_messages_name_the_real_cause(tmp_path: Path) -> None:
    old = basket.BasketSpec.from_dict({"name": "old", "weights": {"USD": 0.5, "EUR": 0.5},
                                       "base_date": "1995-01-02"})
    with pytest.raises(DataError, match=r"base date 1995-01-02, before the data of source 'ecb' "
                                        r"starts \(1999-01-04\)") as err:
        basket.backtest(old, start="2019-01-01")
    assert "--start" not in str(err.value)
    one = tmp_path / "one.csv"
    one.write_text("date,EUR\n2019-06-18,1.12\n")
    spec = basket.BasketSpec.from_dict({"name": "e", "weights": {"USD": 0.5, "EUR": 0.5},
                                        "base_date": "2019-06-18"})
    with pytest.raises(DataError, match=r"only 1 date\(s\) from 2019-06-18 to 2019-06-18") as err:
        basket.backtest(spec, source=one)
    assert "None" not in str(err.value)
    short = tmp_path / "short.csv"
    basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD"], "2018-06-01", "2019-06-20").to_csv(short)
    with pytest.raises(DataError, match=r"too short for the default windows"):
        basket.optimize(source=short)


def test_regression_rewritten_files_keep_mode_and_link(tmp_path: Path) -> None:
    private = tmp_path / "values.csv"
    private.write_text("old")
    os.chmod(private, 0o600)
    real = tmp_path / "real.png"
    real.write_bytes(b"old")
    link = tmp_path / "chart.png"
    link.symlink_to(real)
    result = runner.invoke(app, ["backtest", "--start", "2019-06-18", "--end", "2019-12-31",
                                 "-o", str(private), "--plot", str(link)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert link.is_symlink() and real.read_bytes()[:4] == b"\x89PNG"


def test_regression_options_are_never_ignored(tmp_path: Path) -> None:
    csv = tmp_path / "r.csv"
    csv.write_text("date,EUR\n2019-06-18,1.12\n2019-06-19,1.13\n")
    _one_line_error(runner.invoke(app, ["fx", "EUR", "--quote", "units_per_usd"]),
                    "applies to CSV files, not source 'ecb'", code=2)
    _one_line_error(runner.invoke(app, ["fx", "EUR", "-s", str(csv), "--refresh"]),
                    "refresh applies to the 'ecb' and 'yahoo' sources", code=2)
    _one_line_error(runner.invoke(app, ["backtest", "--fill-limit", "3"]),
                    "fill_limit applies with fill='ffill'", code=2)


def test_regression_short_windows_say_so() -> None:
    with pytest.warns(ShortWindowWarning, match=r"only 3 dates"):
        res = basket.backtest(start="2020-03-16", end="2020-03-18", numeraires="USD")
    assert np.isfinite(res.metrics["annualized_return"]).all()
    with warnings.catch_warnings():
        warnings.simplefilter("always", ShortWindowWarning)    # the suite ignores it elsewhere
        result = runner.invoke(app, ["backtest", "--start", "2020-03-16", "--end",
                                     "2020-03-18"])
    assert result.exit_code == 0
    warnings_shown = [ln for ln in result.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warnings_shown) == 1 and "only 3 dates" in warnings_shown[0]


def test_regression_costs_are_bounded_like_rates() -> None:
    with pytest.raises(SpecError, match=r"cost_bps is 20000; it must be at most 10000"):
        basket.reserve(rates=RATES, cost_bps=20_000, episodes=False)
    with pytest.raises(OutputError):
        basket.plot.save_figure(object(), "chart.gif")  # type: ignore[arg-type]


def test_regression_whole_file_not_parsed_for_one_column(tmp_path: Path) -> None:
    """A wide file read for one currency parses one column (the others may even be bad)."""
    n = 400
    dates = pd.bdate_range("2019-01-01", periods=n).strftime("%Y-%m-%d")
    wide = pd.DataFrame({f"X{chr(65 + i // 26)}{chr(65 + i % 26)}": "oops" for i in range(20)},
                        index=dates)
    wide["EUR"] = np.linspace(1.1, 1.2, n)
    path = tmp_path / "wide.csv"
    wide.rename_axis("date").to_csv(path)
    assert basket.load_fx(["EUR"], source=path)["EUR"].iloc[-1] == pytest.approx(1.2)
