"""The output planner: every output checked before work, never over an input, all or nothing."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basket.errors import OutputError
from basket.outputs import OutputPlan, atomic_write_bytes


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_checks_happen_before_any_work(tmp_path: Path) -> None:
    plan = OutputPlan()
    cases = {
        tmp_path / "x.txt": r"use a \.csv or \.parquet file name",
        tmp_path / "missing" / "x.csv": r"folder .*missing does not exist; create it first",
        tmp_path: r"use a \.csv",
    }
    for path, pattern in cases.items():
        with pytest.raises(OutputError, match=pattern):
            plan.add(path, "table")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(OutputError, match=r"it is a directory; give a file name"):
        plan.add(folder, "table")
    with pytest.raises(OutputError, match=r"use a \.png, \.svg or \.pdf file name"):
        plan.add(tmp_path / "chart.jpg", "figure", "--plot")


def test_an_input_is_never_an_output(tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("date,EUR\n2019-06-18,1.12\n")
    link = tmp_path / "alias.csv"
    link.symlink_to(rates)
    plan = OutputPlan([rates])
    for target in (rates, link, tmp_path / "." / "rates.csv"):
        with pytest.raises(OutputError, match=r"it is an input of this command"):
            plan.add(target, "table")
    assert rates.read_text() == "date,EUR\n2019-06-18,1.12\n"


def test_two_outputs_to_one_file_are_refused(tmp_path: Path) -> None:
    plan = OutputPlan()
    plan.add(tmp_path / "a.png", "figure", "--plot")
    with pytest.raises(OutputError, match=r"--plot already writes that file"):
        plan.add(tmp_path / "a.png", "figure", "--plot")


def test_nothing_is_replaced_when_the_work_fails(tmp_path: Path) -> None:
    old = tmp_path / "values.csv"
    old.write_text("old")
    with pytest.raises(RuntimeError), OutputPlan() as plan:
        plan.add(old, "table")
        plan.add(tmp_path / "chart.png", "figure", "--plot")
        plan.write_text(old, "new")
        raise RuntimeError("the computation failed after staging one file")
    assert old.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["values.csv"]  # no temporaries


def test_a_full_disk_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import basket.outputs as outputs

    old = tmp_path / "values.csv"
    old.write_text("old")
    real = outputs._stage
    calls = []

    def full(target: Path, data: bytes, mode: int) -> Path:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(target, data, mode)

    monkeypatch.setattr(outputs, "_stage", full)
    with pytest.raises(OutputError, match=r"cannot write --plot .*chart\.png: No space left on "
                                          r"device; nothing was written"), OutputPlan() as plan:
        plan.add(old, "table")
        plan.add(tmp_path / "chart.png", "figure", "--plot")
        plan.write_text(old, "new")
        plan.write_bytes(tmp_path / "chart.png", b"png")
    assert old.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["values.csv"]


def test_mode_and_symlink_are_kept(tmp_path: Path) -> None:
    private = tmp_path / "private.csv"
    private.write_text("old")
    os.chmod(private, 0o600)
    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    with OutputPlan() as plan:
        for path in (private, link):
            plan.add(path, "table")
            plan.write_text(path, "new")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert link.is_symlink() and target.read_text() == "new"   # written through the link


def test_new_files_get_the_umask_mode(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "new.csv", b"x")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644


def test_write_needs_a_planned_path(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"was not checked before the work"):
        OutputPlan().write_text(tmp_path / "x.csv", "x")


# ------------------------------------------------------------------ property: nothing changes
FAILURES = ["none", "work", "disk", "bad_suffix", "input", "duplicate"]


@settings(deadline=None, max_examples=60)
@given(
    n=st.integers(1, 4),
    existing=st.lists(st.booleans(), min_size=4, max_size=4),
    failure=st.sampled_from(FAILURES),
    at=st.integers(0, 3),
)
def test_whatever_fails_no_existing_file_changes(
    tmp_path_factory: pytest.TempPathFactory, n: int, existing: list[bool], failure: str, at: int
) -> None:
    import basket.outputs as outputs

    folder = tmp_path_factory.mktemp("plan")
    names = [f"out{i}.csv" for i in range(n)]
    for name, there in zip(names, existing):
        if there:
            (folder / name).write_text(f"old {name}")
    source = folder / "input.csv"
    source.write_text("input")
    before = _snapshot(folder)
    at = min(at, n - 1)
    real = outputs._stage

    def stage(target: Path, data: bytes, mode: int) -> Path:
        if failure == "disk" and target.name == names[at]:
            raise OSError(28, "No space left on device")
        return real(target, data, mode)

    outputs._stage = stage  # restored below; hypothesis examples run one at a time
    try:
        with OutputPlan([source]) as plan:
            paths: list[Any] = []
            for i, name in enumerate(names):
                path = folder / name
                if failure == "bad_suffix" and i == at:
                    path = folder / "out.txt"
                if failure == "input" and i == at:
                    path = source
                if failure == "duplicate" and i == at and i > 0:
                    path = paths[0]
                paths.append(plan.add(path, "table"))
            for path in paths:
                plan.write_text(path, f"new {path.name}")
            if failure == "work":
                raise RuntimeError("the command failed")
    except (OutputError, RuntimeError):
        assert _snapshot(folder) == before
        assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
        return
    finally:
        outputs._stage = real
    after = _snapshot(folder)
    assert failure == "none" or (failure == "duplicate" and at == 0)
    for name in names:
        assert after[name] == f"new {name}".encode()
    assert after["input.csv"] == b"input"
