"""Backtest on wide panels: time and peak memory by days x currencies.

Run: ``python benchmarks/bench_scaling.py`` (about three minutes and 10 GB of memory for the
1,000,000-day rows; ``--max-days 100000`` skips them).

Each cell is a fresh Python process that builds a synthetic panel (``default_rng(42)``: USD
and ``n - 1`` currencies as log random walks with 0.6% daily steps, one row per calendar day
from 1900-01-01) and runs ``basket.backtest`` of an equal-weights basket of all ``n``
currencies with ``panel=``: every constituent is a numeraire, so the outputs are three
(days x n) frames (values, units, weights) and four (n x n) tables. Printed per cell: the
median time of the backtest (three runs; one at a million days), and its peak memory above
the process's memory with the panel built (the resident high-water mark, ``VmHWM``, reset
before the call), as a multiple of the panel's size. BLAS runs on one thread
(``OPENBLAS_NUM_THREADS=1`` and friends; ``--threads`` to change): on a shared machine its
threads otherwise wait on each other and the times say more about the neighbours.

Targets (exit 1 when missed): at 100,000 days x 150 currencies the peak is at most 10x the
panel; at 1,000,000 x 150 the backtest completes; 3x the currencies (50 -> 150) costs at most
6x the time at 100,000 and 1,000,000 days.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import string
import subprocess
import sys
import time

DAYS = (10_000, 100_000, 1_000_000)
WIDTHS = (5, 50, 150)


def _codes(n: int) -> list[str]:
    letters = ("".join(c) for c in itertools.product(string.ascii_uppercase, repeat=3))
    return ["USD", *itertools.islice((c for c in letters if c != "USD"), n - 1)]


def _memory() -> tuple[int, int]:
    """This process's resident memory now and its high-water mark, bytes (Linux)."""
    now = peak = 0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return now, peak


def child(days: int, n: int, repeat: int) -> None:
    """One cell: build the panel, run the backtest, print its figures as JSON."""
    import warnings

    import numpy as np
    import pandas as pd

    import basket
    from basket.spec import BasketSpec

    codes = _codes(n)
    steps = np.random.default_rng(42).standard_normal((days, n - 1))
    steps *= 0.006
    np.cumsum(steps, axis=0, out=steps)
    np.exp(steps, out=steps)
    prices = np.empty((days, n))
    prices[:, 0] = 1.0
    prices[:, 1:] = steps
    del steps
    index = pd.date_range("1900-01-01", periods=days, freq="D", name="date", unit="s")
    fx = pd.DataFrame(prices, index=index, columns=codes, copy=False)
    del prices
    spec = BasketSpec.from_dict({"name": "wide", "weights": dict.fromkeys(codes, 1.0 / n),
                                 "base_date": "1900-01-01"})
    warnings.simplefilter("ignore")              # ShortWindowWarning etc. are not timed here
    basket.backtest(spec, panel=fx.iloc[:50])    # imports and first-call costs
    before, _ = _memory()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
        fh.write("5")                            # reset the high-water mark to now
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        res = basket.backtest(spec, panel=fx)
        times.append(time.perf_counter() - t0)
        if i == 0:
            _, peak = _memory()
        del res
    print(json.dumps({"days": days, "n": n, "seconds": statistics.median(times),
                      "panel": int(fx.memory_usage().sum()), "peak": peak - before}))


def run_cell(days: int, n: int, threads: int) -> dict[str, float] | None:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    repeat = 1 if days >= 1_000_000 else 3
    out = subprocess.run([sys.executable, __file__, "--child", str(days), str(n), str(repeat)],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        print(f"  {days:,} x {n}: FAILED\n{out.stderr.strip()[-2000:]}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-days", type=int, default=DAYS[-1])
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    print(f"basket.backtest(panel=...) of an equal-weights basket, every constituent a "
          f"numeraire; BLAS threads {args.threads}")
    print(f"{'days':>10} {'currencies':>10} {'panel MB':>9} {'time s':>9} {'peak MB':>9} "
          f"{'peak/panel':>10}")
    cells: dict[tuple[int, int], dict[str, float] | None] = {}
    for days in (d for d in DAYS if d <= args.max_days):
        for n in WIDTHS:
            fig = cells[days, n] = run_cell(days, n, args.threads)
            if fig is not None:
                print(f"{days:>10,} {n:>10} {fig['panel'] / 1e6:>9.1f} {fig['seconds']:>9.3f} "
                      f"{fig['peak'] / 1e6:>9.1f} {fig['peak'] / fig['panel']:>9.1f}x")
    ok = True
    wide = cells.get((100_000, 150))
    if wide is not None:
        ratio = wide["peak"] / wide["panel"]
        print(f"peak memory at 100,000 x 150: {ratio:.1f}x the panel (target <= 10x)")
        ok &= ratio <= 10
    else:
        ok = False
    if args.max_days >= 1_000_000:
        done = cells.get((1_000_000, 150)) is not None
        print(f"1,000,000 x 150 {'completes' if done else 'FAILED'}")
        ok &= done
    for days in (d for d in (100_000, 1_000_000) if d <= args.max_days):
        a, b = cells.get((days, 50)), cells.get((days, 150))
        if a is None or b is None:
            ok = False
            continue
        growth = b["seconds"] / a["seconds"]
        print(f"time, 150 / 50 currencies at {days:,} days: {growth:.1f}x (target <= 6x)")
        ok &= growth <= 6
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
