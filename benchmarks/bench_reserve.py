"""Speed and memory of the reserve simulation: one ten-year path, and 10,000 FX paths at once.

Run: ``python benchmarks/bench_reserve.py`` (add ``--paths 2000`` for a quicker run).

1. One ten-year daily path (2,520 business days, the five Libra currencies) with flows
   (10% a year growth plus a 30% run over 10 days), transaction costs (stressed on run days),
   operating costs, a buffer and constant rates, through the pandas entry point
   ``basket.simulate_reserve``. Target: well under 50 ms (median of 50 runs).
2. The same over P simulated FX paths, an array of shape (P, 2520, 5), vectorised across paths
   (the day loop runs once; each step works on arrays of P). Synthetic paths: daily log returns
   drawn from ``numpy.random.default_rng(42)`` with realistic volatilities (USD fixed at 1).
   Reported at several sizes as time per path (median of 5 calls; the first call is shown
   apart, since touching ~2 GB of fresh memory costs more than the arithmetic on some
   machines), compared as ratios with (a) the single-path kernel called P times and (b) the
   largest size, so the scaling is visible.

   Target: 10,000 paths in at most 2 s (median of 5; on a virtual machine that hands freed
   memory back to its host, a call may pay for touching its 1.6 GB of results afresh).
3. The peak memory of one 10,000-path call in a fresh process: the resident high-water mark
   (``VmHWM``, reset before the call) above the process's memory with the FX array built, as
   a multiple of the array (the results are eight (P, T) arrays, 1.6x it). Target: at most 2x.

The per-path results of the vectorised run are checked bit-for-bit against single-path runs on
a few paths before any timing is reported. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from basket.treasury.model import simulate_reserve

CODES = ["USD", "EUR", "JPY", "GBP", "SGD"]
LEVELS = np.array([1.0, 1.12, 0.0093, 1.25, 0.73])          # USD per unit, mid-2019
DAILY_VOL = np.array([0.0, 0.0050, 0.0055, 0.0060, 0.0030])  # log-return std a day
WEIGHTS = np.array([0.50, 0.18, 0.14, 0.11, 0.07])           # Libra 2019
RATES = {"USD": 0.01875, "EUR": -0.005, "JPY": -0.001, "GBP": 0.0075, "SGD": 0.0188}
T = 2520                                                    # ten years of business days


def _median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def synthetic_paths(n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """(P, T, 5) USD per unit: log random walks from the mid-2019 levels, USD fixed at 1."""
    steps = rng.standard_normal((n_paths, T, len(CODES)), dtype=np.float64)
    steps *= DAILY_VOL
    steps[:, 0, :] = 0.0
    np.cumsum(steps, axis=1, out=steps)
    np.exp(steps, out=steps)
    steps *= LEVELS
    return steps


OPTIONS = dict(
    coins=1e9, scenario=["growth:0.10", "run:0.3:10d@2015-03-09"], cost_bps=1.0,
    stress_cost_bps=10.0, opex_bps=5.0, buffer=2e6, securities_share=0.8,
)


def _memory() -> tuple[int, int]:
    """This process's resident memory and its high-water mark, bytes (Linux)."""
    now = peak = 0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return now, peak


def memory_child(n_paths: int) -> None:
    """In a fresh process: one call on ``n_paths`` paths, its peak memory above the input."""
    fx = synthetic_paths(n_paths, np.random.default_rng(42))
    dates = pd.bdate_range("2010-01-04", periods=T, name="date")
    simulate_reserve(fx[:2], WEIGHTS / LEVELS, RATES, dates=dates, currencies=CODES, **OPTIONS)
    before, _ = _memory()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
        fh.write("5")                                   # reset the high-water mark
    out = simulate_reserve(fx, WEIGHTS / LEVELS, RATES, dates=dates, currencies=CODES, **OPTIONS)
    _, peak = _memory()
    print(json.dumps({"input": fx.nbytes, "peak": peak - before, "n": out.n_paths}))


def memory_run(n_paths: int) -> bool:
    out = subprocess.run([sys.executable, __file__, "--child", str(n_paths)],
                         capture_output=True, text=True, check=True)
    fig = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = fig["peak"] / fig["input"]
    print(f"{n_paths} paths, fresh process: peak memory {fig['peak'] / 1e9:.2f} GB above the FX "
          f"array's {fig['input'] / 1e9:.2f} GB: {ratio:.2f}x (target <= 2x)")
    return ratio <= 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=10_000, help="largest number of paths")
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        memory_child(args.child)
        return
    ok = memory_run(args.paths)
    rng = np.random.default_rng(42)
    dates = pd.bdate_range("2010-01-04", periods=T, name="date")
    units = WEIGHTS / LEVELS
    options = OPTIONS

    # 1. one historical-style path through the pandas entry point
    one = synthetic_paths(1, rng)[0]
    panel = pd.DataFrame(one, index=dates, columns=CODES)
    udict = dict(zip(CODES, units))
    res = simulate_reserve(panel, udict, RATES, **options)
    ms = _median_ms(lambda: simulate_reserve(panel, udict, RATES, **options), 50)
    print(f"one path, {T} days x {len(CODES)} currencies, growth + run + costs, pandas in/out: "
          f"{ms:.1f} ms (median of 50; target well under 50 ms)")
    ms_core = _median_ms(lambda: simulate_reserve(one, units, RATES, dates=dates,
                                                  currencies=CODES, **options), 50)
    print(f"  same path as a (T, n) array (ReservePaths out): {ms_core:.1f} ms")
    s = res.summary()
    print(f"  min coverage {s['min_coverage']:.6f}, buffer used ${s['buffer_used_usd']:,.0f}, "
          f"income EUR ${s['income_EUR_usd']:,.0f}, JPY ${s['income_JPY_usd']:,.0f}")

    # 2. many simulated paths, vectorised across paths
    def run(fx: np.ndarray) -> object:
        return simulate_reserve(fx, units, RATES, dates=dates, currencies=CODES, **options)

    sizes = sorted({max(1, args.paths // 10), args.paths})
    per_path = {}
    loop_ms = float("nan")
    for p in sizes:
        fx = synthetic_paths(p, rng)
        if p == sizes[0]:   # bit-for-bit check against single-path runs
            many = run(fx)
            for i in range(3):
                single = run(fx[i])
                assert np.array_equal(many.backing[i], single.backing)
                assert np.array_equal(many.buffer_usd[i], single.buffer_usd)
            loop_ms = _median_ms(functools.partial(run, fx[0].copy()), 10)
            del many
        t0 = time.perf_counter()
        out = run(fx)
        cold = time.perf_counter() - t0
        summ = out.path_summary()
        del out
        sec = _median_ms(functools.partial(run, fx), 5) / 1e3
        per_path[p] = sec / p
        q = np.percentile(summ["buffer_end_usd"], [1, 50, 99]) / 1e6
        print(f"{p:>6} paths x {T} days x {len(CODES)} currencies (FX array {fx.nbytes / 1e9:.2f} "
              f"GB): {sec:.2f} s ({sec / p * 1e3:.3f} ms a path; median of 5), first call "
              f"{cold:.2f} s (fresh memory); final buffer 1/50/99%: ${q[0]:.1f}m "
              f"${q[1]:.1f}m ${q[2]:.1f}m")
        del fx
    big = sizes[-1]
    print(f"vectorised vs calling the single-path kernel {big} times "
          f"({loop_ms:.1f} ms each): {loop_ms / (per_path[big] * 1e3):.1f}x faster")
    if len(sizes) > 1:
        print(f"time per path at {sizes[0]} paths / at {big} paths: "
              f"{per_path[sizes[0]] / per_path[big]:.2f} (1.0 = linear scaling)")
    if big >= 10_000:
        hit = per_path[big] * 10_000 <= 2.0
        print(f"10,000 paths: {per_path[big] * 10_000:.2f} s (target <= 2 s)")
        ok &= hit
    print("targets met" if ok else "TARGET MISSED")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
