"""The house rules of the package layout, checked on the source (see the README's code map).

* Dependencies point one way: cli -> report -> plot -> montecarlo/design/treasury -> valuation
  -> spec -> rebalance -> shared ground (errors, currencies, dates, outputs, typing); data/ sits
  beside the core and only the faces (``api``/``loading`` modules) and the cli may import it.
* No import cycle between modules.
* The pure core never imports an IO or UI library, and ``import basket`` loads nothing heavy.
* No module over 600 lines, no function body over 80 lines (docstring excluded).
* No module shares its name with a public function of its package, and ``dir(basket)`` shows
  only the public API.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import basket

ROOT = Path(__file__).resolve().parents[1] / "basket"

# layer of each top-level part of the package; a module may import its own part or a lower layer
LAYERS = {
    "_typing": 0, "_lazy": 0, "_json": 0, "_repr": 0, "_checks": 0.5, "_frames": 0.5,
    "errors": 0,
    "_spec_fields": 1.5,
    "currencies": 1, "dates": 1, "outputs": 1,
    "data": 2,
    "rebalance": 3,
    "spec": 4,
    "valuation": 5,
    "montecarlo": 6, "design": 6, "treasury": 6, "connectedness": 6,
    "plot": 7, "report": 8,
    "cli": 9, "__main__": 10,
}
# imports across wings of the same layer, each with its reason
SIDEWAYS = {
    ("treasury.api", "design.episodes"): "the reserve prices a run in each shipped episode",
}
# modules allowed to use data/ (the faces, and the treasury's file reader, which shares the
# CSV reader's row check)
DATA_USERS = ("valuation.api", "valuation.loading", "montecarlo.api", "design.api",
              "treasury.api", "treasury.files", "connectedness.api", "cli.")
PURE = [
    "basket.spec", "basket.rebalance", "basket.currencies", "basket.dates", "basket.errors",
    "basket._frames",
    "basket.valuation.engine", "basket.valuation.metrics", "basket.valuation.reductions",
    "basket.rebalance",
    "basket.valuation.results", "basket.valuation.indices", "basket.montecarlo.model",
    "basket.montecarlo.paths",
    "basket.montecarlo.resampling", "basket.montecarlo.results", "basket.montecarlo.executor",
    "basket.design.episodes", "basket.design.estimation", "basket.design.optimizer",
    "basket.design.results", "basket.treasury.model", "basket.treasury.flows",
    "basket.treasury.inputs", "basket.treasury.results",
    "basket.connectedness.decomposition", "basket.connectedness.estimation",
    "basket.connectedness.results", "basket.connectedness.variables",
    "basket.valuation.periods", "basket._repr",
]
FORBIDDEN = ["typer", "rich", "yfinance", "matplotlib", "basket.data", "basket.cli",
             "urllib.request", "requests"]


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """Modules of ``basket`` imported by a file (relative to ``basket``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.If) and top_level_only:
            continue  # TYPE_CHECKING blocks
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "basket":
                found.update(a.name for a in node.names)
            elif node.module.startswith("basket."):
                found.add(node.module[len("basket."):])
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("basket."):
                    found.add(a.name[len("basket."):])
    return found


def _part(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m))
def test_dependencies_point_one_way(module: str) -> None:
    own = _part(module)
    for target in _imports(MODULES[module], top_level_only=False):
        part = _part(target)
        if part == own or part not in LAYERS:
            continue
        if (module, target) in SIDEWAYS:
            continue
        assert LAYERS[part] < LAYERS[own], f"{module} imports {target}: against the layers"
        if part == "data":
            assert module.startswith(DATA_USERS), f"{module} loads data; only faces may"


def test_no_import_cycles() -> None:
    graph = {m: {t for t in _imports(p, top_level_only=True) if t in MODULES}
             for m, p in MODULES.items()}
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for t in graph[m]:
            if state.get(t) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, m, t]))
            if t not in state:
                visit(t, [*trail, m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        check=True, capture_output=True, text=True,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_pure_core_imports_no_io_or_ui() -> None:
    loaded = _loaded_after("import " + ", ".join(PURE))
    assert not [m for m in FORBIDDEN if m in loaded]


def test_import_basket_is_light() -> None:
    loaded = _loaded_after("import basket")
    assert not [m for m in ("pandas", "numpy", "typer", "rich", "matplotlib", "statsmodels")
                if m in loaded]


def test_statsmodels_is_imported_only_to_fit() -> None:
    loaded = _loaded_after("import basket.connectedness.api, basket.cli.connectedness")
    assert "statsmodels" not in loaded


def test_cli_import_does_not_load_pandas() -> None:
    loaded = _loaded_after("import basket.cli")
    assert "pandas" not in loaded and "numpy" not in loaded


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_and_function_sizes(module: str) -> None:
    path = MODULES[module]
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= 600, f"{module} has {text.count(chr(10))} lines; split it"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            first = body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str) and len(body) > 1):
                first = body[1]
            length = (node.end_lineno or 0) - first.lineno + 1
            assert length <= 80, f"{module}.{node.name} has a {length}-line body; split it"


def test_no_module_shadows_a_public_name() -> None:
    for package in ["basket", *(f"basket.{w}" for w in
                                ("valuation", "montecarlo", "design", "treasury", "connectedness",
                                 "plot"))]:
        mod = __import__(package, fromlist=["__all__"])
        folder = ROOT.joinpath(*package.split(".")[1:])
        submodules = {p.stem for p in folder.glob("*.py")} | {
            p.name for p in folder.iterdir() if (p / "__init__.py").exists()}
        clash = sorted(set(mod.__all__) & submodules - {"plot"})
        assert not clash, f"{package}: modules named like public functions: {clash}"


def test_dir_shows_the_public_api_only() -> None:
    names = dir(basket)
    assert names == sorted(basket.__all__)
    for private in ("sys", "importlib", "types", "Any", "TYPE_CHECKING", "attach"):
        assert private not in names


def test_public_names_are_functions_after_any_import_order() -> None:
    code = (
        "import basket.design.api, basket.treasury.api, basket.montecarlo.api, "
        "basket.valuation.api, basket.connectedness.api\nimport basket\n"
        "assert all(callable(getattr(basket, n)) for n in "
        "('price', 'backtest', 'simulate', 'stress', 'optimize', 'reserve', 'load_fx', "
        "'spillover'))\n"
        "import basket.plot\nassert callable(basket.plot.backtest_figure)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
