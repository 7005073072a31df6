"""``basket simulate`` on a Dask cluster named by ``DASK_SCHEDULER_ADDRESS`` (no ``--scheduler``).

The test starts its own LocalCluster (no network beyond this machine), points the variable at
it, and checks that the run went there (the scheduler saw the chunks), gives the same figures
as a run in this process, that ``--scheduler`` wins over the variable, and that an address
nobody answers is a one-line error.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from basket.cli import app

runner = CliRunner()
ARGS = ["simulate", "--paths", "2500", "--horizon", "5", "--seed", "8", "--format", "json"]


def ran_chunks(cluster: object) -> float:
    """Seconds the cluster's workers spent computing simulation chunks."""
    prefix = cluster.scheduler.task_prefixes.get("run_chunk")  # type: ignore[attr-defined]
    return 0.0 if prefix is None else float(prefix.all_durations.get("compute", 0.0))


def test_the_environment_variable_sends_the_run_to_the_cluster(
        monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    local = runner.invoke(app, ARGS)
    assert local.exit_code == 0, local.output
    with distributed.LocalCluster(processes=False, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        assert ran_chunks(cluster) == 0
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
        remote = runner.invoke(app, ARGS)
        assert remote.exit_code == 0, remote.output
        assert ran_chunks(cluster) > 0                   # the chunks ran on the cluster
    assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_the_flag_wins_over_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:9")   # nobody listens
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        result = runner.invoke(app, [*ARGS, "--scheduler", cluster.scheduler_address])
        assert result.exit_code == 0, result.output
        assert ran_chunks(cluster) > 0


def test_an_unreachable_address_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    import dask

    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:9")
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = runner.invoke(app, ARGS)
    assert result.exit_code == 1
    err = result.stderr.strip()
    assert err.startswith("error: cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'")
    assert "\n" not in err
