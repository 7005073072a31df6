"""Backtest speed against `bt` and `vectorbt`, the way users call it, and cold start of the CLI.

Run: ``python benchmarks/bench_backtest.py`` (``pip install 'libra-basket[bench]'`` adds bt and
vectorbt; ``--quick`` for fewer pairs).

1. ``basket.backtest("libra-2019", rebalance="quarterly")`` **by name**, the data cached in the
   process (the second and later calls), against the same quarterly-rebalanced Libra portfolio
   over the full bundled ECB history in `bt` (integer_positions=False, no commissions) and in
   `vectorbt` (``Portfolio.from_orders`` with target percents on the rebalancing days, cash
   shared, fractional sizes; its numba compilation is done by a first call, not timed). The
   peers get the panel ready-made; basket loads it by name. Each ratio is the median of
   paired runs, A B A B, in one process. The value curves must agree to 1e-12 (relative, each
   divided by its first value; bt prepends a row dated the day before the start: dropped).
   Targets: at least 100x bt and 10x vectorbt. Calls are timed with the garbage collector off,
   as :mod:`timeit` times them, for both sides.
2. The same for buy and hold: ``basket.backtest("libra-2019")`` (fixed amounts), against bt
   (``RunOnce``) and vectorbt (one order) buying the basket's first-day value weights, which
   gives the same amounts. Same targets.
3. ``basket.backtest(panel=fx, rebalance="quarterly")`` on a panel in hand, for reference.
4. Cold start, whole processes, interleaved: ``basket --help`` and ``basket backtest`` against
   ``python -c "import pandas"``. Targets: at most 0.25x and 1.3x.

Prints every figure; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import basket

LIBRA = {"USD": 0.50, "EUR": 0.18, "JPY": 0.14, "GBP": 0.11, "SGD": 0.07}


def median_time(func: Callable[[], Any], repeat: int) -> float:
    """Median seconds of ``repeat`` calls, with the garbage collector off while timing (as
    :mod:`timeit` does: a collection triggered by one side would otherwise walk the other
    side's objects, bt's and vectorbt's many, and be charged to whoever runs then)."""
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            func()
            times.append(time.perf_counter() - t0)
    finally:
        gc.enable()
    return statistics.median(times)


def paired_ratio(peer: Callable[[], Any], ours: Callable[[], Any], pairs: int,
                 inner: int = 20) -> tuple[float, float, float]:
    """Median over A B A B pairs of peer time / our time; also both medians (seconds)."""
    ratios, tp, to = [], [], []
    for _ in range(pairs):
        a = median_time(peer, 1)
        b = median_time(ours, inner)
        ratios.append(a / b)
        tp.append(a)
        to.append(b)
    return statistics.median(ratios), statistics.median(tp), statistics.median(to)


def curve_gap(curve: pd.Series, values: pd.Series) -> float:
    """Largest relative difference of two value curves, each divided by its first value."""
    if not curve.index.equals(values.index):
        raise AssertionError("the two backtests value different dates")
    a = curve.to_numpy() / curve.iloc[0]
    b = values.to_numpy() / values.iloc[0]
    return float(np.max(np.abs(a / b - 1.0)))


def bt_runner(fx: pd.DataFrame, weights: dict[str, float], once: bool) -> Callable[[], pd.Series]:
    import bt

    def run() -> pd.Series:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            when = bt.algos.RunOnce() if once else bt.algos.RunQuarterly()
            strategy = bt.Strategy("libra", [when, bt.algos.SelectAll(),
                                             bt.algos.WeighSpecified(**weights),
                                             bt.algos.Rebalance()])
            test = bt.Backtest(strategy, fx, integer_positions=False,
                               commissions=lambda q, p: 0.0, progress_bar=False)
            res = bt.run(test)
        return res.prices["libra"].iloc[1:]       # bt prepends the day before the start

    return run


def vbt_runner(fx: pd.DataFrame, weights: dict[str, float],
               days: pd.DatetimeIndex) -> Callable[[], pd.Series]:
    import vectorbt as vbt

    size = pd.DataFrame(np.nan, index=fx.index, columns=fx.columns)
    size.loc[days] = np.array([weights[c] for c in fx.columns])

    def run() -> pd.Series:
        pf = vbt.Portfolio.from_orders(fx, size=size, size_type="targetpercent", group_by=True,
                                       cash_sharing=True, call_seq="auto", init_cash=1.0,
                                       freq="D")
        return pf.value()

    return run


def compare(label: str, ours: Callable[[], basket.BacktestResult], weights: dict[str, float],
            fx: pd.DataFrame, once: bool, pairs: int) -> bool:
    res = ours()                                       # the first call loads and memoises
    t_ours = median_time(ours, 50)
    print(f"{label}: basket.backtest by name, data cached: {t_ours * 1e3:.2f} ms (median of 50)")
    ok = True
    try:
        import bt
    except ImportError:
        print("  bt not installed (pip install 'libra-basket[bench]'): skipped")
    else:
        run = bt_runner(fx, weights, once)
        gap = curve_gap(run(), res.values["USD"])
        ratio, t_peer, t_us = paired_ratio(run, ours, pairs)
        hit = gap <= 1e-12 and ratio >= 100
        print(f"  bt {bt.__version__}: {t_peer * 1e3:.1f} ms vs {t_us * 1e3:.2f} ms: {ratio:.0f}x "
              f"(median of {pairs} pairs; target >= 100x); curves agree to {gap:.1e} "
              f"{'' if hit else '  <-- MISSED'}")
        ok &= hit
    try:
        import vectorbt as vbt
    except ImportError:
        print("  vectorbt not installed (pip install 'libra-basket[bench]'): skipped")
    else:
        days = fx.index[:1] if once else res.rebalance_dates
        run = vbt_runner(fx, weights, days)
        gap = curve_gap(run(), res.values["USD"])     # the first call compiles (numba)
        ratio, t_peer, t_us = paired_ratio(run, ours, pairs)
        hit = gap <= 1e-12 and ratio >= 10
        print(f"  vectorbt {vbt.__version__}: {t_peer * 1e3:.1f} ms vs {t_us * 1e3:.2f} ms: "
              f"{ratio:.1f}x (median of {pairs} pairs, compiled; target >= 10x); curves agree "
              f"to {gap:.1e}{'' if hit else '  <-- MISSED'}")
        ok &= hit
    return ok


def proc_time(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def bench_cold_start(repeat: int) -> bool:
    exe = shutil.which("basket")
    if exe is None:
        print("the basket console script is not on PATH: cold start skipped")
        return True
    cmds = {"pandas": [sys.executable, "-c", "import pandas"], "help": [exe, "--help"],
            "backtest": [exe, "backtest"]}
    for cmd in cmds.values():                         # warm the OS file cache
        proc_time(cmd)
    ratios: dict[str, list[float]] = {"help": [], "backtest": []}
    base = []
    for _ in range(repeat):
        for name in ratios:
            t_pandas = proc_time(cmds["pandas"])
            ratios[name].append(proc_time(cmds[name]) / t_pandas)
            base.append(t_pandas)
    r_help, r_run = (statistics.median(ratios[k]) for k in ("help", "backtest"))
    print(f"cold start, whole process, against python -c 'import pandas' "
          f"({statistics.median(base) * 1e3:.0f} ms; median ratio of {repeat} pairs each): "
          f"basket --help {r_help:.2f}x (target <= 0.25), basket backtest {r_run:.2f}x "
          f"(target <= 1.3)")
    return r_help <= 0.25 and r_run <= 1.3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer pairs")
    args = parser.parse_args()
    pairs = 3 if args.quick else 9
    fx = basket.load_fx(list(LIBRA))
    ok = compare("quarterly Libra", lambda: basket.backtest("libra-2019", rebalance="quarterly"),
                 LIBRA, fx, once=False, pairs=pairs)
    hold = basket.backtest("libra-2019")
    first = {c: float(w) for c, w in hold.weights.iloc[0].items()}
    ok &= compare("buy-and-hold Libra", lambda: basket.backtest("libra-2019"), first, fx,
                  once=True, pairs=pairs)
    t_panel = median_time(lambda: basket.backtest(panel=fx, rebalance="quarterly"), 50)
    print(f"basket.backtest(panel=fx, rebalance='quarterly'), {len(fx)} dates: "
          f"{t_panel * 1e3:.2f} ms (median of 50)")
    ok &= bench_cold_start(5 if args.quick else 9)
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
