"""A hostile user's catalogue of bad inputs, run through the CLI the way the audit ran it.

Every probe must end in a clean one-line ``error: ...`` (exit 1 for basket's errors, 2 for usage
errors) or succeed; never a traceback, and never a NaN or an infinity in what is printed. The
catalogue is generated: each kind of bad value (dates, codes, numbers, choices, files, CSV and
TOML contents, option mismatches, outputs, extremes) is crossed with every command and option
that takes it, so a new command or option is probed as soon as it joins a list below. A few
probes also run as real processes under the audit's limits (a 120 s timeout, 6 GB of memory).
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from basket.cli import app

RATES = "USD=0.02,EUR=-0.005,JPY=-0.001,GBP=0.0075,SGD=0.0188"
FAST = {
    "backtest": ["backtest", "--start", "2019-06-18", "--end", "2019-12-31"],
    "price": ["price", "2020-03-20"],
    "fx": ["fx", "USD", "EUR", "--start", "2019-06-18", "--end", "2019-07-31"],
    "stress": ["stress", "--episode", "brexit-2016"],
    "optimize": ["optimize", "--window", "2017-01-01:2018-12-31", "--evaluate",
                 "2019-01-01:2019-06-30"],
    "simulate": ["simulate", "--paths", "1000", "--horizon", "5", "--seed", "1"],
    "reserve": ["reserve", "--rates", RATES, "--end", "2019-12-31", "--no-episodes"],
    "report": ["report", "--start", "2019-06-18", "--end", "2019-12-31"],
    "currencies": ["currencies"],
    "spillover": ["spillover", "--start", "2015-01-01", "--end", "2019-12-31", "--lags", "1"],
    "indices": ["indices", "--start", "2015-01-01", "--end", "2019-12-31"],
}
DATED = ["backtest", "fx", "reserve", "report", "spillover", "indices"]   # with --start/--end
SOURCED = list(FAST)                                        # every command that loads rates

BAD_DATES = ["01/02/2020", "13/02/2020", "2020-03-20T00:00+09:00", "-2019-01-01", "2020-02-30",
             "9999-01-01", "", "nan", "today", "2019-6-1"]
BAD_CODES = ["EURO", "eu", "123", "EUX", "usd,usd", ""]
BAD_NUMBERS = ["nan", "inf", "-inf", "abc", "", "1e400"]
NUMERIC_OPTIONS = {
    "simulate": {"--paths": ["0", "-5", "10000000000", "1.5"], "--horizon": ["0", "1000000000"],
                 "--move": ["0", "-0.1"], "--block-length": ["0.5"], "--ewma": ["1.5", "0"],
                 "--workers": ["0"]},
    "reserve": {"--coins": ["-1", "1e308", "1e16"], "--securities-share": ["1.5", "-0.1"],
                "--cost-bps": ["-1", "1e306", "USD=1e306"], "--opex-bps": ["-1", "1e306"],
                "--buffer": ["-5", "1e308", "abc%"]},
}
BAD_CHOICES = [
    ("simulate", ["--method", "garch"]), ("simulate", ["--drift", "up"]),
    ("optimize", ["--objective", "best"]), ("reserve", ["--policy", "keep"]),
    ("reserve", ["--day-count", "30/360"]), ("backtest", ["--rebalance", "weekly"]),
    ("backtest", ["--rebalance", "band:1.5"]), ("backtest", ["--rebalance", "review:9999y"]),
    ("backtest", ["--rebalance", "review:0y"]), ("backtest", ["--rebalance", "review:5y:0m"]),
    ("simulate", ["--rebalance", "review:9999y"]), ("stress", ["--episode", "lehman"]),
    ("optimize", ["--bounds", "USD=2:3"]), ("optimize", ["--bounds", "XYZ=0:1"]),
    ("optimize", ["--bounds", "USD"]), ("optimize", ["--window", "2019"]),
    ("optimize", ["--window", "2019-01-01:2018-01-01"]), ("simulate", ["--window", "x:y"]),
    ("reserve", ["--scenario", "run:2:10d"]), ("reserve", ["--scenario", "run:0.3:0d"]),
    ("reserve", ["--scenario", "run:0.3:10d@1990-01-01"]),
    ("reserve", ["--scenario", "run:0.3:10d@2019-05-01"]),
    ("reserve", ["--scenario", "growth:1e300"]), ("reserve", ["--scenario", "bogus:1"]),
    ("reserve", ["--scenario", "flows:missing.csv"]), ("reserve", ["--rates", "EUR=abc"]),
    ("reserve", ["--rates-file", "missing.csv"]),
    ("spillover", ["--lags", "-1"]), ("spillover", ["--horizon", "0"]),
    ("spillover", ["--window", "3"]), ("spillover", ["--measure", "garch"]),
    ("spillover", ["--numeraire", "EUX"]), ("spillover", ["--currencies", "EUR,XXX"]),
    ("spillover", ["--lags", "5000"]), ("indices", ["--currency", "EURO"]),
    ("indices", ["libra-2019", "nope"]), ("indices", ["--base-date", "1990-01-01"]),
]
MISMATCHES = [["--quote", "units_per_usd"], ["--fill-limit", "3"], ["--fill", "bfill"],
              ["--fill", "ffill", "--fill-limit", "-1"], ["--source", "bloomberg"],
              ["--source", "missing.csv"]]

BAD_CSVS = {
    "month_first": "date,EUR\n01/02/2020,1.1\n",
    "comma_decimal": 'date,EUR\n2020-01-02,"1,1"\n',
    "negative": "date,EUR\n2020-01-02,-1.1\n2020-01-03,1.1\n",
    "zero": "date,EUR\n2020-01-02,0\n",
    "tiny": "date,EUR\n2020-01-02,1e-300\n2020-01-03,1e-300\n2020-01-06,1e-300\n",
    "huge": "date,EUR\n2020-01-02,1e300\n2020-01-03,1e300\n2020-01-06,1e300\n",
    "twice": "date,EUR\n2020-01-02,1.1\n2020-01-02,1.2\n",
    "no_header": "2020-01-02,1.1\n2020-01-03,1.2\n",
    "empty": "",
    "header_only": "date,EUR\n",
    "ragged": "date,EUR\n2020-01-02,1.1,9\n",
    "usd_not_one": "date,USD,EUR\n2020-01-02,2,1.1\n",
    "one_date": "date,EUR\n2020-01-02,1.1\n",
}
BAD_TOMLS = {
    "weights_not_one": 'name="x"\nweights={USD=0.5,EUR=0.6}\nbase_date=2019-06-18\n',
    "negative": 'name="x"\nweights={USD=1.5,EUR=-0.5}\nbase_date=2019-06-18\n',
    "huge_amount": 'name="x"\namounts={USD=1e308,EUR=1}\nbase_date=2019-06-18\n',
    "tiny_base": 'name="x"\nweights={USD=0.5,EUR=0.5}\nbase_date=2019-06-18\nbase_value=5e-324\n',
    "bad_method": 'name="x"\nweights={USD=0.5,EUR=0.5}\nbase_date=2019-06-18\nmethod="mean"\n',
    "bad_rule": 'name="x"\nweights={USD=0.5,EUR=0.5}\nbase_date=2019-06-18\n'
                'rebalance="review:9999y"\n',
    "day_first": 'name="x"\nweights={USD=0.5,EUR=0.5}\nbase_date="18/06/2019"\n',
    "bad_code": 'name="x"\nweights={USD=0.5,EURO=0.5}\nbase_date=2019-06-18\n',
    "not_toml": 'name = \n[[\n',
    "unknown_field": 'name="x"\nweights={USD=1}\nbase_date=2019-06-18\ncolour="red"\n',
    "base_before_data": 'name="x"\nweights={USD=0.5,EUR=0.5}\nbase_date=1950-01-02\n',
}


def _probes(tmp: Path) -> dict[str, list[str]]:
    """Every probe, by name: the arguments of one CLI run."""
    out: dict[str, list[str]] = {}
    for cmd in DATED:
        for i, d in enumerate(BAD_DATES):
            out[f"{cmd}-start-{i}"] = [*FAST[cmd], "--start", d]
            out[f"{cmd}-end-{i}"] = [*FAST[cmd], "--end", d]
    for i, d in enumerate(BAD_DATES):
        out[f"price-date-{i}"] = ["price", d]
    for i, code in enumerate(BAD_CODES):
        out[f"price-numeraire-{i}"] = ["price", "2020-03-20", "--numeraire", code]
        out[f"backtest-numeraire-{i}"] = [*FAST["backtest"], "-n", code]
        out[f"fx-code-{i}"] = ["fx", code]
        out[f"simulate-numeraire-{i}"] = [*FAST["simulate"], "-n", code]
    for cmd, options in NUMERIC_OPTIONS.items():
        for opt, values in options.items():
            for i, v in enumerate([*values, *BAD_NUMBERS]):
                out[f"{cmd}{opt}-{i}"] = [*FAST[cmd], opt, v]
    for i, (cmd, extra) in enumerate(BAD_CHOICES):
        out[f"choice-{cmd}-{i}"] = [*FAST[cmd], *extra]
    no_rates = [a for a in FAST["reserve"] if a not in ("--rates", RATES)]
    for i, rates in enumerate(["EUR=5", "USD=1e308,EUR=0,JPY=0,GBP=0,SGD=0", "USD=nan",
                               "USD=0.02", "USD:0.02", ""]):
        out[f"rates-{i}"] = [*no_rates, "--rates", rates]
    for cmd in SOURCED:
        for i, extra in enumerate(MISMATCHES):
            out[f"source-{cmd}-{i}"] = [*FAST[cmd], *extra]
    for name, text in BAD_CSVS.items():
        path = tmp / f"{name}.csv"
        path.write_bytes(text.encode("utf-8"))
        out[f"csv-{name}-fx"] = ["fx", "EUR", "--source", str(path)]
        out[f"csv-{name}-backtest"] = ["backtest", "--source", str(path), "-n", "USD"]
    latin = tmp / "latin.csv"
    latin.write_bytes(b"date,EUR\n2020-01-02,1.1\xe9\n")
    out["csv-latin1"] = ["fx", "EUR", "--source", str(latin)]
    out["csv-directory"] = ["fx", "EUR", "--source", str(tmp)]
    out["csv-refresh"] = ["fx", "EUR", "--source", str(tmp / "negative.csv"), "--refresh"]
    for name, text in BAD_TOMLS.items():
        path = tmp / f"{name}.toml"
        path.write_text(text)
        out[f"toml-{name}-backtest"] = ["backtest", str(path)]
        out[f"toml-{name}-price"] = ["price", "2020-03-20", "--basket", str(path)]
    latin_toml = tmp / "latin.toml"
    latin_toml.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    out["toml-latin1"] = ["backtest", str(latin_toml)]
    out["toml-missing"] = ["backtest", str(tmp / "nope.toml")]
    out["toml-seed-typo"] = ["backtest", "libra-2020"]
    # outputs
    rates = tmp / "rates.csv"
    rates.write_text("date,EUR\n2019-06-18,1.12\n2019-06-19,1.13\n2019-06-20,1.14\n")
    out["out-is-input"] = ["fx", "USD", "EUR", "-s", str(rates), "-o", str(rates)]
    out["out-directory"] = [*FAST["backtest"], "-o", str(tmp)]
    out["out-missing-folder"] = [*FAST["backtest"], "-o", str(tmp / "no" / "v.csv")]
    out["out-bad-suffix"] = [*FAST["backtest"], "-o", str(tmp / "v.txt")]
    out["plot-missing-folder"] = [*FAST["backtest"], "-o", str(tmp / "v.csv"), "--plot",
                                  str(tmp / "no" / "x.png")]
    out["plot-twice"] = [*FAST["backtest"], "--plot", str(tmp / "a.png"), "--plot",
                         str(tmp / "a.png")]
    out["plot-bad-suffix"] = [*FAST["simulate"], "--plot", str(tmp / "a.gif")]
    out["report-no-output"] = FAST["report"]
    out["report-pdf"] = [*FAST["report"], "-o", str(tmp / "r.pdf")]
    out["reserve-plot-gif"] = [*FAST["reserve"], "--plot", str(tmp / "r.gif")]
    # usage
    out["usage-unknown-option"] = [*FAST["backtest"], "--bogus"]
    out["usage-format"] = [*FAST["backtest"], "--format", "xml"]
    out["usage-no-args-fx"] = ["fx"]
    out["usage-unknown-command"] = ["backtset"]
    return out


NAN = re.compile(r"(?<![A-Za-z])(nan|inf|-inf|infinity)(?![A-Za-z])", re.IGNORECASE)


def _problem(result: Any) -> str | None:
    """What is wrong with a probe's run, or None: a traceback, a stray stderr line, an exit
    code other than 0/1/2, not exactly one error line, or NaN/inf in a successful output (an
    error line may quote the bad value the user typed)."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"raised {result.exception!r}"
    err_lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    if any("Traceback" in ln for ln in err_lines):
        return "traceback"
    stray = [ln for ln in err_lines if not ln.startswith(("error: ", "warning: ", "wrote "))]
    if stray:
        return f"stray stderr line {stray[0]!r}"
    if result.exit_code == 0:
        found = NAN.search(result.stdout)
        return f"printed {found.group(0)!r}" if found else None
    if result.exit_code not in (1, 2):
        return f"exit code {result.exit_code}"
    errors = [ln for ln in err_lines if ln.startswith("error: ")]
    return None if len(errors) == 1 else f"{len(errors)} error lines"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    tmp = tmp_path_factory.mktemp("bad")
    return tmp, _probes(tmp)


def test_catalogue_is_large_and_covers_every_command(
    catalogue: tuple[Path, dict[str, list[str]]]
) -> None:
    _, probes = catalogue
    assert len(probes) > 300
    commands = {args[0] for args in probes.values()}
    assert set(FAST) <= commands


def test_every_bad_input_is_a_one_line_error(catalogue: tuple[Path, dict[str, list[str]]]) -> None:
    tmp, probes = catalogue
    runner = CliRunner()
    rates_before = (tmp / "rates.csv").read_bytes()
    failures = []
    for name, args in probes.items():
        result = runner.invoke(app, args)
        problem = _problem(result)
        if problem:
            failures.append(f"{name} ({' '.join(args)}): {problem}")
    assert not failures, "\n".join(failures[:20])
    assert (tmp / "rates.csv").read_bytes() == rates_before        # an input is never written
    assert not (tmp / "v.csv").exists()                             # nothing half done


@pytest.mark.parametrize(("args", "pattern"), [
    (["simulate", "--paths", "10000000000", "--horizon", "5"], r"fit in the 4 GiB budget"),
    (["simulate", "--horizon", "1000000000", "--paths", "100"], r"more than 13,050 business"),
    (["reserve", "--rates", RATES, "--coins", "1e308", "--no-episodes"], r"coins is 1e\+308"),
    (["reserve", "--rates", RATES, "--cost-bps", "1e306", "--no-episodes"], r"cost_bps is 1e"),
])
def test_audit_limits_as_real_processes(args: list[str], pattern: str) -> None:
    """As the audit ran them: a separate process, 6 GB of address space, 120 seconds."""
    limit = 6 * 2**30

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    preexec: Callable[[], None] | None = cap if sys.platform.startswith("linux") else None
    done = subprocess.run([sys.executable, "-m", "basket", *args], capture_output=True,
                          text=True, timeout=120, preexec_fn=preexec, check=False)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert re.search(pattern, lines[0]), lines[0]
