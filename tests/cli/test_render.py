"""The one renderer: tables never truncate a cell, whatever the terminal's width."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stdout

import numpy as np
import pandas as pd
import pytest

import basket
from basket.cli.render import Table, cell, show
from basket.cli.valuation import backtest_table


def _render(tables: list[Table], width: int | None, wide: bool = False) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        show(tables, width=width, wide=wide)
    return buf.getvalue()


@pytest.fixture(scope="module")
def libra() -> basket.BacktestResult:
    return basket.backtest("libra-2019", start="2015-01-01", end="2019-12-31")


@pytest.mark.parametrize("width", [60, 80, 100, 120])
def test_no_cell_is_truncated_at_any_width(libra: basket.BacktestResult, width: int) -> None:
    table = backtest_table(libra)
    out = _render([table], width)
    assert "…" not in out
    table_lines = [ln for ln in out.splitlines() if ln[:1] in "┏┃┡│└"]
    assert max(len(ln) for ln in table_lines) <= width
    assert max(len(ln) for ln in out.splitlines()) <= width       # notes and legend wrapped
    for k, row in table.frame.iterrows():
        for value in row:
            assert cell(value, "pct") in out, (k, value)          # every figure shown whole


def test_piped_output_keeps_the_full_table(libra: basket.BacktestResult) -> None:
    out = _render([backtest_table(libra)], None)
    header = next(ln for ln in out.splitlines() if "holder in" in ln)
    assert "SGD alone" in header            # one table: every column on one line
    assert sum(1 for ln in out.splitlines() if "holder in" in ln) == 1


def test_split_tables_repeat_the_row_labels(libra: basket.BacktestResult) -> None:
    out = _render([backtest_table(libra)], 80)
    assert sum(1 for ln in out.splitlines() if "holder in" in ln) >= 2
    assert len(re.findall(r"│ JPY ", out)) >= 2


def test_wide_keeps_one_table(libra: basket.BacktestResult) -> None:
    out = _render([backtest_table(libra)], 80, wide=True)
    assert sum(1 for ln in out.splitlines() if "holder in" in ln) == 1


def test_cells() -> None:
    assert cell(-3.9e-18, "pct") == "0.00%" and cell(-0.00001, "pct") == "0.00%"
    assert cell(np.nan, "pct") == "–" and cell(np.inf, "num") == "–" and cell(None, "usd") == "–"
    assert cell(3e8, "usd") == "300,000,000" and cell(-0.4, "usd") == "0"
    assert cell(1234567.0, "count") == "1,234,567"
    assert cell(pd.Timestamp("2020-03-20"), "date") == "2020-03-20"
    assert cell(pd.NaT, "date") == "–"
    assert cell(0.123456789, "price") == "0.12345679"


def test_cli_tables_fit_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the real commands, as a terminal of 80 columns would show them."""
    from typer.testing import CliRunner

    import basket.cli.render as render
    from basket.cli import app

    monkeypatch.setattr(render, "_terminal_width", lambda: 80)
    runner = CliRunner()
    for args in (["backtest"], ["simulate", "--paths", "2000", "--horizon", "20", "--seed", "1"],
                 ["stress", "--episode", "brexit-2016"],
                 ["reserve", "--rates", "USD=0.02,EUR=-0.005,JPY=-0.001,GBP=0.0075,SGD=0.0188",
                  "--end", "2020-06-30"],
                 ["optimize"], ["seeds"], ["currencies"], ["fx", "USD", "EUR", "JPY"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert "…" not in result.stdout, args
        widest = max(len(ln) for ln in result.stdout.splitlines())
        assert widest <= 80, (args, widest)
