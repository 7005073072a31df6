"""Speed and memory of the Monte Carlo simulator (``python benchmarks/bench_simulate.py``).

Prints figures, compared as ratios measured in the same run (not a timed test):

* the normal method, 100,000 paths x 252 days x 5 random currencies (plus USD, which is
  constant), against the time numpy itself needs to draw every path's daily normals in the
  simulator's block layout with its default generator: for each block of 1,000 paths a PCG64
  Generator from its own SeedSequence, then ``standard_normal(out=...)`` into
  ``(5, 64, 1000)`` segments (target: <= 1.2x). Under rule ``none`` the simulator draws only
  the fan paths (the first 10,000) day by day and each other path's horizon sum directly
  (exact in distribution); the figure is also given against numpy drawing just those numbers,
  the simulator's own overhead;
* the bit generators and precisions one could draw with instead (SFC64, Philox, float32),
  timed on the same block layout, for the record;
* the stationary bootstrap, 2 thread workers, a quarterly and a band rule, against the same
  reference;
* the peak memory of a 1,000,000-path run in a fresh subprocess, asserted below 1 GiB: the
  process's resident high-water mark, ``VmHWM`` in ``/proc/self/status`` (else ``ru_maxrss``;
  on Linux a child's ``ru_maxrss`` can inherit its parent's peak across ``exec``, so the
  memory run also goes first).

Exits 1 when a target is missed.

Data are synthetic (``default_rng(42)``): three years of correlated daily log returns for
EUR, JPY, GBP, SGD and CHF against USD, and a basket of those five with equal weights.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

PATHS = 100_000
DAYS = 252
CODES = ["EUR", "JPY", "GBP", "SGD", "CHF"]
GIB = 1 << 30


def synthetic_panel(n_dates: int = 780, seed: int = 42) -> pd.DataFrame:
    """USD per unit for USD and five currencies, a correlated log random walk."""
    rng = np.random.default_rng(seed)
    vols = np.array([0.006, 0.007, 0.006, 0.003, 0.006])
    corr = np.full((5, 5), 0.5) + 0.5 * np.eye(5)
    cov = corr * np.outer(vols, vols)
    steps = rng.multivariate_normal(np.zeros(5), cov, size=n_dates - 1)
    start = np.array([1.1, 0.007, 1.27, 0.74, 1.1])
    levels = start * np.exp(np.vstack([np.zeros(5), np.cumsum(steps, axis=0)]))
    idx = pd.bdate_range("2021-01-04", periods=n_dates, name="date")
    panel = pd.DataFrame(levels, index=idx, columns=CODES)
    panel.insert(0, "USD", 1.0)
    return panel


def synthetic_spec() -> Any:
    from basket.spec import BasketSpec

    return BasketSpec.from_dict(
        {"name": "five", "weights": {c: 0.2 for c in CODES}, "base_date": "2021-01-04"}
    )


def best_of(repeats: int, fn: Any) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def block_draw(bitgen: Any = np.random.PCG64, dtype: Any = np.float64,
               daily_paths: int = PATHS, summed_paths: int = 0) -> None:
    """numpy drawing normals in the simulator's block layout: ``daily_paths`` day by day
    (``(5, 64, 1000)`` segments), ``summed_paths`` once each (their horizon sums)."""
    blocks = -(-max(daily_paths, 1) // 1000) if not summed_paths else PATHS // 1000
    buf = np.empty((len(CODES), 64, 1000), dtype=dtype)
    for b in range(blocks):
        rng = np.random.Generator(bitgen(np.random.SeedSequence(12345, spawn_key=(b,))))
        n_daily = min(1000, max(0, daily_paths - b * 1000))
        if n_daily:
            for t0 in range(0, DAYS, 64):
                s = min(64, DAYS - t0)
                out = buf if (s, n_daily) == (64, 1000) else np.empty((len(CODES), s, n_daily),
                                                                       dtype=dtype)
                rng.standard_normal(out=out, dtype=dtype)
        if summed_paths and n_daily < 1000:
            rng.standard_normal((len(CODES), 1000 - n_daily), dtype=dtype)


def reference_draw() -> None:
    block_draw()


def run(method: str, paths: int = PATHS, **kw: Any) -> Any:
    from basket.montecarlo.model import monte_carlo

    return monte_carlo(synthetic_spec(), synthetic_panel(), n_paths=paths, horizon=DAYS,
                       method=method, seed=1, **kw)


def peak_rss() -> int:
    """This process's peak resident memory in bytes."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def memory_child(paths: int) -> None:
    """Run in a subprocess: a large simulation, then print its peak RSS in bytes as JSON."""
    before = peak_rss()
    t0 = time.perf_counter()
    res = run("normal", paths=paths)
    elapsed = time.perf_counter() - t0
    print(json.dumps({"peak": peak_rss(), "before": before, "seconds": elapsed,
                      "p50": float(res.terminal.iloc[0, 3])}))


def memory_run(paths: int) -> None:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(paths)],
        capture_output=True, text=True, check=True,
    )
    fig = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{paths:,} paths x {DAYS} days x {len(CODES)} currencies, normal: "
          f"peak memory {fig['peak'] / 2**20:,.0f} MiB (after imports and data: "
          f"{fig['before'] / 2**20:,.0f} MiB), {fig['seconds']:.1f} s")
    assert fig["peak"] < GIB, f"peak memory {fig['peak'] / 2**20:.0f} MiB exceeds 1 GiB"
    print("  peak memory < 1 GiB: ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-paths", type=int, default=1_000_000)
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        memory_child(args.child)
        return

    memory_run(args.memory_paths)
    run("normal", paths=2000)  # warm up imports and caches
    print(f"{PATHS:,} paths x {DAYS} days x {len(CODES)} random currencies (+ USD)")
    ref = best_of(args.repeats, reference_draw)
    print(f"  numpy, every path's daily normals, block layout, PCG64:  {ref:7.3f} s")
    for name, bitgen, dtype in (("SFC64", np.random.SFC64, np.float64),
                                ("Philox", np.random.Philox, np.float64),
                                ("PCG64 float32", np.random.PCG64, np.float32)):
        t = best_of(args.repeats, lambda bg=bitgen, dt=dtype: block_draw(bg, dt))
        print(f"    (the same with {name}: {t:7.3f} s, {t / ref:4.2f}x)")
    own = best_of(args.repeats, lambda: block_draw(daily_paths=10_000, summed_paths=PATHS))
    normal = best_of(args.repeats, lambda: run("normal"))
    ok = normal / ref <= 1.2
    print(f"  simulate, method normal:     {normal:7.3f} s   ratio {normal / ref:5.2f}x "
          f"(target <= 1.2x){'' if ok else '  <-- MISSED'}; against numpy drawing the same "
          f"numbers (10,000 fan paths daily, the rest's horizon sums, {own:.3f} s): "
          f"{normal / own:4.2f}x")
    boot = best_of(args.repeats, lambda: run("bootstrap"))
    print(f"  simulate, method bootstrap:  {boot:7.3f} s   ratio {boot / ref:5.2f}x")
    two = best_of(args.repeats, lambda: run("normal", workers=2))
    print(f"  simulate, normal, 2 threads: {two:7.3f} s   ratio {two / ref:5.2f}x "
          f"(speed-up {normal / two:4.2f}x over 1 worker)")
    quarterly = best_of(1, lambda: run("normal", rebalance="quarterly"))
    print(f"  simulate, normal, quarterly: {quarterly:7.3f} s   ratio {quarterly / ref:5.2f}x")
    band = best_of(1, lambda: run("normal", rebalance="band:0.02"))
    print(f"  simulate, normal, band:0.02: {band:7.3f} s   ratio {band / ref:5.2f}x")
    print("targets met" if ok else "TARGET MISSED")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
