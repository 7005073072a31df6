"""Mutation testing of the numeric core with mutmut: one module at a time, its own tests only.

Usage (from the repository root, in the venv with ``pip install -e '.[test,mutation]'``)::

    python tools/mutation.py basket/valuation/engine.py      # one module (minutes, 1 worker)
    python tools/mutation.py --changed main                   # the core modules this branch changed
    python tools/mutation.py --again basket/valuation/engine.py   # re-check only the last survivors
    python tools/mutation.py --report                         # the score table of the last runs

Each module runs in its own scratch directory ``.mutation/<module>/`` (git-ignored) with a copy
of ``pyproject.toml`` whose ``[tool.mutmut]`` table names that module and only the tests listed
for it in ``TESTS`` below, so a run touches a few hundred tests instead of the whole suite.
mutmut runs each mutant against the tests that call the mutated function, stopping at the first
failure; a mutant that makes a test hang is stopped by pytest-timeout or mutmut's CPU limit.

Equivalent mutants (a change no test can see because the program's behaviour does not change)
are listed in ``tools/mutation_equivalents.toml``, each with its reason, and matched by the
changed source line (not mutmut's mutant number, which moves when a function changes). The
score is ``(killed + timeout) / (mutants - equivalent)``; mutants that no selected test reaches
count as survivors. The survivors of a run, with their diffs, are in
``.mutation/<module>/survivors.txt``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".mutation"
EQUIVALENTS = ROOT / "tools" / "mutation_equivalents.toml"
LINKED = ("basket", "tests", "fixtures", "seeds")

_ENGINE = ["tests/valuation/test_engine.py", "tests/valuation/test_imf_rounding.py",
           "tests/valuation/test_engine_boundaries.py", "tests/valuation/test_properties.py"]
_SPEC = ["tests/test_spec.py", "tests/test_spec_boundaries.py", "tests/test_spec_errors.py",
         "tests/test_spec_fields.py", "tests/test_spec_contract.py"]
# the tests that exercise each core module (paths relative to the repository root): the
# module's own tests and the property tests that reach it, not every face that calls it
TESTS: dict[str, list[str]] = {
    "basket/valuation/engine.py": [*_ENGINE, *_SPEC],
    "basket/rebalance.py": ["tests/test_rebalance.py", "tests/valuation/test_fast_paths.py",
                            *_ENGINE, *_SPEC],
    "basket/valuation/metrics.py": ["tests/valuation/test_metrics.py",
                                    "tests/valuation/test_risk_contributions.py",
                                    "tests/valuation/test_benchmark.py",
                                    "tests/valuation/test_fast_paths.py",
                                    "tests/valuation/test_metrics_contract.py", *_ENGINE],
    "basket/montecarlo/paths.py": ["tests/montecarlo"],
    "basket/montecarlo/model.py": ["tests/montecarlo"],
    "basket/montecarlo/resampling.py": ["tests/montecarlo"],
    "basket/montecarlo/results.py": ["tests/montecarlo"],
    "basket/design/optimizer.py": ["tests/design"],
    "basket/design/estimation.py": ["tests/design"],
    "basket/treasury/model.py": ["tests/treasury"],
    "basket/treasury/inputs.py": ["tests/treasury"],
    "basket/treasury/flows.py": ["tests/treasury"],
    "basket/data/panel.py": ["tests/data"],
    "basket/data/ecb.py": ["tests/data"],
    "basket/data/csvfile.py": ["tests/data"],
    "basket/spec.py": [*_SPEC, "tests/valuation/test_indices.py", "tests/valuation/test_engine.py"],
    "basket/_spec_fields.py": [*_SPEC, "tests/valuation/test_indices.py"],
}
# mutmut's verdicts (stats.status_by_exit_code), grouped for the score
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}


def default_tests(module: str) -> list[str]:
    """The tests of a module outside ``TESTS``: its wing's folder, else the whole tree."""
    if module in TESTS:
        return TESTS[module]
    parts = Path(module).parts
    wing = ROOT / "tests" / parts[1] if len(parts) > 2 else None
    return [f"tests/{parts[1]}"] if wing is not None and wing.is_dir() else ["tests"]


def workdir(module: str) -> Path:
    return SCRATCH / Path(module).with_suffix("").as_posix().replace("/", ".")


def _toml_list(values: list[str]) -> str:
    return json.dumps(values)


def prepare(module: str, tests: list[str], fresh: bool) -> Path:
    """Create ``.mutation/<module>/`` with links to the sources and a pyproject for the run."""
    work = workdir(module)
    if fresh and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = work / name
        if not link.exists():
            link.symlink_to(ROOT / name)
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    base = tomllib.loads(text)["tool"]["mutmut"]
    # drop the repository's own [tool.mutmut] table and write this run's
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)
    table = {**base, "only_mutate": [module], "pytest_add_cli_args_test_selection": tests}
    lines = ["[tool.mutmut]"]
    for key, value in table.items():
        rendered = _toml_list(value) if isinstance(value, list) else json.dumps(value)
        lines.append(f"{key} = {rendered}")
    (work / "pyproject.toml").write_text(text.rstrip() + "\n\n" + "\n".join(lines) + "\n", "utf-8")
    return work


def load_results(module: str) -> dict[str, int | None]:
    meta = workdir(module) / "mutants" / (module + ".meta")
    if not meta.exists():
        return {}
    return json.loads(meta.read_text("utf-8"))["exit_code_by_key"]


def function_of(name: str, module: str) -> str:
    """``basket.x.y.xǁClassǁmeth__mutmut_3`` -> ``Class.meth``; ``...x_func__mutmut_2`` -> ``func``."""
    tail = name[len(Path(module).with_suffix("").as_posix().replace("/", ".")) + 1:]
    tail = re.sub(r"__mutmut_\d+$", "", tail)
    if tail.startswith("xǁ"):
        return ".".join(p for p in tail[2:].split("ǁ") if p)
    return tail[2:] if tail.startswith("x_") else tail


def diffs(module: str, names: list[str]) -> dict[str, str]:
    """The unified diff of each mutant, computed by mutmut in the module's scratch directory."""
    if not names:
        return {}
    code = (
        "import json, sys\n"
        "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
        "path, names = sys.argv[1], json.loads(sys.stdin.read())\n"
        "print(json.dumps({n: get_diff_for_mutant(n, path=path) for n in names}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, module], cwd=workdir(module), check=True,
                         input=json.dumps(names), capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def changed_lines(diff: str) -> tuple[str, str]:
    """The removed and the added lines of a diff, stripped, each joined by newlines."""
    body = [ln for ln in diff.splitlines() if not ln.startswith(("---", "+++", "@@"))]
    minus = "\n".join(ln[1:].strip() for ln in body if ln.startswith("-"))
    plus = "\n".join(ln[1:].strip() for ln in body if ln.startswith("+"))
    return minus, plus


def load_equivalents() -> list[dict[str, Any]]:
    if not EQUIVALENTS.exists():
        return []
    entries = tomllib.loads(EQUIVALENTS.read_text("utf-8")).get("equivalent", [])
    for e in entries:
        missing = {"module", "function", "original", "mutants", "reason"} - set(e)
        if missing or not str(e["reason"]).strip():
            raise SystemExit(f"{EQUIVALENTS.name}: entry {e} lacks {sorted(missing) or 'a reason'}")
    return entries


def is_equivalent(entry: dict[str, Any], module: str, function: str, diff: str) -> bool:
    """Whether a mutant's diff is one of the entry's (same function, same changed lines)."""
    minus, plus = changed_lines(diff)
    return (entry["module"] == module and entry["function"] == function
            and entry["original"].strip() == minus
            and plus in [m.strip() for m in entry["mutants"]])


def open_mutants(module: str) -> list[str]:
    """The last run's mutants that were not detected and are not marked equivalent."""
    from mutmut.stats import status_by_exit_code

    names = [n for n, c in load_results(module).items() if status_by_exit_code[c] not in DETECTED]
    entries = [e for e in load_equivalents() if e["module"] == module]
    found = diffs(module, names)
    return [n for n in names
            if not any(is_equivalent(e, module, function_of(n, module), found[n]) for e in entries)]


def source_digest(module: str) -> str:
    return hashlib.sha256((ROOT / module).read_bytes()).hexdigest()


def summarize(module: str, kept: dict[str, int | None] | None = None) -> dict[str, object]:
    """Classify the last run's mutants, write survivors.txt and summary.json, return the row.

    ``kept``: with ``--again``, the verdicts of the previous run for the mutants not re-run
    (mutmut forgets them when the tests change; the module's source is the same)."""
    sys.path.insert(0, str(ROOT))
    from mutmut.stats import status_by_exit_code

    results = {**load_results(module), **(kept or {})}
    status = {n: status_by_exit_code[c] for n, c in results.items()}
    open_names = [n for n, s in status.items() if s not in DETECTED]
    mutant_diffs = diffs(module, open_names)
    entries = [e for e in load_equivalents() if e["module"] == module]
    used: set[int] = set()
    equivalent, survivors = [], []
    for name in open_names:
        function = function_of(name, module)
        hit = next((i for i, e in enumerate(entries)
                    if is_equivalent(e, module, function, mutant_diffs[name])), None)
        if hit is None:
            survivors.append(name)
        else:
            used.add(hit)
            equivalent.append(name)
    counts = {k: sum(1 for s in status.values() if s == k)
              for k in ("killed", "timeout", "survived", "no tests", "not checked")}
    if counts["not checked"]:
        print(f"warning: {counts['not checked']} mutants of {module} were not checked (a changed "
              "test selection resets mutmut's results): run it without --again", file=sys.stderr)
    detected = sum(1 for s in status.values() if s in DETECTED)
    scored = len(status) - len(equivalent)
    row = {
        "module": module, "mutants": len(status), "killed": counts["killed"],
        "timeout": counts["timeout"], "equivalent": len(equivalent),
        "survived": len(survivors), "no_tests": sum(1 for n in survivors if status[n] == "no tests"),
        "score": detected / scored if scored else 1.0,
        "unused_equivalents": [f"{entries[i]['function']}: {entries[i]['original']}"
                               for i in range(len(entries)) if i not in used],
        "source_sha256": source_digest(module),
    }
    work = workdir(module)
    with open(work / "survivors.txt", "w", encoding="utf-8") as fh:
        for name in survivors:
            fh.write(f"# {name}: {status[name]}\n{mutant_diffs[name]}\n\n")
    (work / "summary.json").write_text(json.dumps(row, indent=1), "utf-8")
    return row


def format_row(row: dict[str, object]) -> str:
    return (f"| `{row['module']}` | {row['mutants']} | {row['killed']} | {row['timeout']} | "
            f"{row['survived']} ({row['no_tests']} unreached) | {row['equivalent']} | "
            f"{100 * float(row['score']):.1f}% |")


HEADER = ("| module | mutants | killed | timeout | survived | equivalent | score |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")


def run(module: str, tests: list[str], workers: int, again: bool) -> dict[str, object]:
    if not (ROOT / module).is_file():
        raise SystemExit(f"no such module {module!r}; give a path such as basket/valuation/engine.py")
    names: list[str] = []
    kept: dict[str, int | None] = {}
    if again:
        summary = workdir(module) / "summary.json"
        last = json.loads(summary.read_text("utf-8")) if summary.exists() else {}
        if not last or last.get("source_sha256", source_digest(module)) != source_digest(module):
            raise SystemExit(f"{module} changed since its last run (or never ran): run it without "
                             "--again, the mutants are new")
        names = open_mutants(module)
        kept = {n: c for n, c in load_results(module).items() if n not in names}
        if not names:
            print(f"{module}: nothing left to re-check")
            return summarize(module, kept)
    work = prepare(module, tests, fresh=not again)
    if again:  # refresh the copied tests and fixtures so new tests are seen
        for name in ("tests", "fixtures"):
            shutil.rmtree(work / "mutants" / name, ignore_errors=True)
    print(f"{module}: mutmut with {' '.join(tests)} ({workers} worker{'s' * (workers > 1)})",
          flush=True)
    with open(work / "run.log", "w", encoding="utf-8") as log:
        proc = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(workers),
                               *names], cwd=work, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "PYTHONHASHSEED": "0", "BASKET_MUTATION": "1"})
    if proc.returncode:
        tail = (work / "run.log").read_text("utf-8", errors="replace")[-2000:]
        raise SystemExit(f"mutmut failed on {module} (exit {proc.returncode}):\n{tail}")
    row = summarize(module, kept)
    print(HEADER + "\n" + format_row(row))
    if row["unused_equivalents"]:
        print(f"note: {len(row['unused_equivalents'])} equivalent entries matched no open mutant "
              f"(killed now, or the line changed): {row['unused_equivalents']}")
    print(f"survivors with their diffs: {work / 'survivors.txt'}")
    return row


def changed_modules(base: str) -> list[str]:
    """The Python files under basket/ that differ from the merge base with ``base``."""
    merge_base = subprocess.run(["git", "merge-base", base, "HEAD"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.strip()
    out = subprocess.run(["git", "diff", "--name-only", merge_base, "--", "basket"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout.split()
    return [p for p in out if p.endswith(".py") and (ROOT / p).is_file()
            and not p.endswith("__init__.py")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="module paths, e.g. basket/valuation/engine.py")
    parser.add_argument("--changed", metavar="BASE", help="run the modules changed since BASE")
    parser.add_argument("--core", action="store_true", help="run every core module in TESTS")
    parser.add_argument("--tests", nargs="+", help="override the test selection")
    parser.add_argument("--workers", type=int, default=1, help="parallel mutants (default 1)")
    parser.add_argument("--again", action="store_true",
                        help="re-check only the mutants the last run did not kill")
    parser.add_argument("--report", action="store_true", help="print the table of the last runs")
    args = parser.parse_args(argv)
    if args.report:
        print(HEADER)
        for module in TESTS:
            summary = workdir(module) / "summary.json"
            if summary.exists():
                print(format_row(json.loads(summary.read_text("utf-8"))))
        return 0
    modules = list(args.modules)
    if args.changed:
        modules += changed_modules(args.changed)
    if args.core:
        modules += list(TESTS)
    if not modules:
        parser.error("name a module, --changed BASE, --core or --report")
    rows = [run(m, args.tests or default_tests(m), args.workers, args.again)
            for m in dict.fromkeys(modules)]
    if len(rows) > 1:
        print("\n" + HEADER + "\n" + "\n".join(format_row(r) for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
