"""The CLI's fast option coercion (basket.cli.startup) against typer's own (pydantic) coercion.

For every parameter of every command and a catalogue of values (valid, odd and invalid), the
hook's answer must equal typer's: the same value of the same type, or the same error message.
The reference is typer itself (``typer._coercion.build_runtime_param``, the function the hook
stands in front of), so a new typer or pydantic that coerces differently fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer import _coercion, core

from basket.cli import app

COMMAND = typer.main.get_command(app)
PARAMS = [(name, p) for name, cmd in COMMAND.commands.items() for p in cmd.params]

VALUES: dict[Any, list[Any]] = {
    str: ["abc", "", " x ", "2020-03-20", "é", 5],
    int: ["0", "-5", "007", "+5", " 5", "5 ", "1_000", "1e3", "5.0", "abc", "", "-",
          "99999999999999999999", "١٢", 5, -3, True, 2.0],
    float: ["1", "1.5", "-.5", ".5", "5.", "1e-3", "1E+3", "inf", "nan", "-0", "1_0", " 2",
            "1.2.3", "abc", "", "0x10", 3, 2.5, True, 10**20],
    bool: [True, False, None, "yes", 1],
    Path: ["out.csv", "", "a b.png", "/", "~/x.png", "dir/sub/f.parquet", 7],
}


def outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        out = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # the message is what the user sees
        return "error", (type(exc).__name__, str(exc))
    return "value", (type(out).__name__, repr(out), [type(v).__name__ for v in out]
                     if isinstance(out, list) else None)   # repr: nan equals nan


def leaf(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    return args[0] if args else annotation


@pytest.mark.parametrize(("command", "param"), PARAMS, ids=[f"{c}-{p.name}" for c, p in PARAMS])
def test_fast_coercion_equals_typers(command: str, param: Any, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out.csv").write_text("x")
    descriptor = param.type_descriptor
    fast = core.build_runtime_param(descriptor)
    real = _coercion.build_runtime_param(descriptor)
    assert getattr(core.build_runtime_param, "_basket_fast", False), "the hook is installed"
    ctx = COMMAND.commands[command].make_context(command, [], resilient_parsing=True)
    values = VALUES[leaf(descriptor.annotation) if leaf(descriptor.annotation) in VALUES
                    else Path]
    if getattr(descriptor.annotation, "__origin__", None) is list:
        values = [[v] for v in values] + [values[:2], tuple(values[:3]), values[0], []]
    for value in values:
        assert outcome(fast, value, param, ctx) == outcome(real, value, param, ctx), value




def test_bad_values_keep_typers_message() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["simulate", "--paths", "many"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: Invalid value for '--paths': Input should be a "
                                    "valid integer")
