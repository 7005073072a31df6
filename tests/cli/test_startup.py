"""What a ``basket`` process imports at start-up (the console entry point, run for real).

``basket.cli.main`` keeps pyarrow out unless an argument names a ``.parquet`` file, and the
option values of a plain command are coerced without pydantic (``basket.cli.startup``). Each
check runs a fresh interpreter, as a user's shell does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

CODE = """
import json, sys
from basket.cli import main
sys.argv = ["basket", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
mods = sorted(m for m in sys.modules if m.split(".")[0] in ("pyarrow", "pydantic")
              and sys.modules[m] is not None)
print(json.dumps(mods), file=sys.stderr)
"""


def run(*args: str) -> tuple[str, list[str]]:
    out = subprocess.run([sys.executable, "-c", CODE, json.dumps(list(args))],
                         capture_output=True, text=True, check=True)
    return out.stdout, json.loads(out.stderr.strip().splitlines()[-1])


def test_price_imports_neither_pyarrow_nor_pydantic() -> None:
    stdout, mods = run("price", "2020-03-20", "--in", "EUR", "-f", "json")
    assert mods == []
    assert json.loads(stdout)[0]["value_EUR"] == 0.914327507700101   # as basket.price gives


def test_backtest_csv_is_the_same_without_pyarrow(tmp_path: Path) -> None:
    stdout, mods = run("backtest", "--rebalance", "quarterly", "-f", "csv")
    assert mods == []
    from typer.testing import CliRunner

    from basket.cli import app

    inproc = CliRunner().invoke(app, ["backtest", "--rebalance", "quarterly", "-f", "csv"])
    assert stdout == inproc.stdout                      # pyarrow loaded here: same output


def test_a_parquet_output_still_works(tmp_path: Path) -> None:
    target = tmp_path / "values.parquet"
    _, mods = run("backtest", "--end", "2019-12-31", "--output", str(target), "-f", "json")
    assert "pyarrow" in mods
    frame = pd.read_parquet(target)
    assert list(frame.columns) == ["USD", "EUR", "JPY", "GBP", "SGD"]
    assert len(frame) > 5000


def test_commands_built_when_used_are_typers_own() -> None:
    """Each lazily built command answers as the command typer builds (its ``made()``): the
    same attributes, help, listing line and parameters, and the root ``--help`` lists them."""
    import typer.main
    from typer.testing import CliRunner

    from basket.cli import app

    group = typer.main.get_command(app)
    attrs = ("name", "help", "short_help", "epilog", "hidden", "deprecated", "options_metavar",
             "add_help_option", "no_args_is_help", "context_settings", "rich_help_panel",
             "rich_markup_mode")
    for name, lazy in group.commands.items():
        assert type(lazy).__name__ == "LazyCommand", name
        assert lazy._made is None, f"{name} was built before use"
        real = lazy.made()
        assert type(real) is not type(lazy)
        for attr in attrs:
            assert getattr(lazy, attr) == getattr(real, attr), (name, attr)
        assert lazy.get_short_help_str(80) == real.get_short_help_str(80)
        assert [p.name for p in lazy.params] == [p.name for p in real.params]
        assert lazy.callback is real.callback
        ctx = lazy.make_context(name, [], resilient_parsing=True)
        assert lazy.get_help(ctx) == real.get_help(ctx)
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in group.commands:
        assert f"  {name}" in result.stdout
