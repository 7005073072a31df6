"""The Monte Carlo on a Dask cluster: 1,000,000 paths on a 2-worker LocalCluster against in-process.

Run: ``python benchmarks/bench_dask.py`` (needs ``pip install 'libra-basket[dask]'``;
``--paths 200000`` for a quicker run).

A ``distributed.LocalCluster`` of two worker processes (one thread each) stands in for a real
cluster: the same scheduler, the same pickling of the plan and of each chunk's results over
TCP. ``basket.simulate`` runs the Libra basket on the bundled ECB data (1,000,000 paths, 252
days, normal method, seed 7), once in this process and once with ``scheduler=`` the cluster's
address, interleaved, three times each; printed: the medians, the overhead (cluster / in-process)
and the cluster's start-up time apart. The two results must be identical, bit for bit (exit 1
otherwise): the blocks' streams do not depend on where they run.

On a real cluster, start ``dask scheduler`` on one machine and ``dask worker tcp://HOST:8786``
on each of the others, then pass ``--scheduler tcp://HOST:8786`` to ``basket simulate`` (or set
``DASK_SCHEDULER_ADDRESS``); the README shows the commands.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def same(a, b) -> bool:
    """Bit-identical figures: horizon percentiles, risk, fan and constituents."""
    pairs = [(a.terminal, b.terminal), (a.risk, b.risk), (a.constituents, b.constituents)]
    pairs += [(a.fan[k], b.fan[k]) for k in a.fan]
    return all(np.array_equal(x.to_numpy(), y.to_numpy()) for x, y in pairs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        import distributed
    except ImportError:
        print("dask.distributed is not installed: pip install 'libra-basket[dask]'")
        return 1
    import basket

    run = dict(n_paths=args.paths, horizon=252, seed=7)
    basket.simulate(n_paths=2000, horizon=252, seed=7)          # load and memoise the data
    t0 = time.perf_counter()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        startup = time.perf_counter() - t0
        address = cluster.scheduler_address
        basket.simulate(n_paths=2000, horizon=21, seed=1, scheduler=address)   # warm workers
        local_t, dask_t = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            local = basket.simulate(**run)
            local_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            remote = basket.simulate(**run, scheduler=address)
            dask_t.append(time.perf_counter() - t0)
    ok = same(local, remote)
    a, b = statistics.median(local_t), statistics.median(dask_t)
    print(f"{args.paths:,} paths x 252 days, Libra on the ECB data, normal, seed 7")
    print(f"  in-process: {a:.2f} s; 2-worker LocalCluster (processes): {b:.2f} s; overhead "
          f"{b / a:.2f}x (medians of {args.repeat}, interleaved); cluster start-up "
          f"{startup:.1f} s apart")
    print(f"  results bit-identical: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
