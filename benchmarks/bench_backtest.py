"""Backtest speed against `bt`, and cold-start time of the CLI.

Run: ``python benchmarks/bench_backtest.py`` (``pip install 'libra-basket[bench]'`` for bt).

1. The quarterly-rebalanced Libra portfolio over the full bundled ECB history, valued by `bt`
   (integer_positions=False, no commissions) and by ``basket.backtest`` (values, realised
   weights and the metrics in the five constituent numeraires), on the same panel, alternating
   runs in one process. The two value curves must agree to 1e-12 (bt prepends a row dated the
   day before the start: dropped). Target: basket at least 100x faster.
2. Cold start, whole processes, interleaved: ``basket --help`` against ``python -c "import
   pandas"`` (target: at most half) and ``basket backtest`` (target: at most 2.5x).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

import basket

LIBRA = {"USD": 0.50, "EUR": 0.18, "JPY": 0.14, "GBP": 0.11, "SGD": 0.07}


def _median_time(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_vs_bt(repeat: int = 7) -> bool:
    fx = basket.load_fx(list(LIBRA))
    ours = basket.backtest(panel=fx, rebalance="quarterly")
    t_ours = _median_time(lambda: basket.backtest(panel=fx, rebalance="quarterly"), 50)
    print(f"basket.backtest, {len(fx)} dates x 5 currencies, quarterly, 5 numeraires: "
          f"{t_ours * 1e3:.2f} ms (median of 50)")
    try:
        import bt
    except ImportError:
        print("bt not installed (pip install 'libra-basket[bench]'): comparison skipped")
        return True

    def run_bt():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            strategy = bt.Strategy("libra", [
                bt.algos.RunQuarterly(), bt.algos.SelectAll(),
                bt.algos.WeighSpecified(**LIBRA), bt.algos.Rebalance()])
            test = bt.Backtest(strategy, fx, integer_positions=False,
                               commissions=lambda q, p: 0.0, progress_bar=False)
            return bt.run(test)

    res = run_bt()
    curve = res.prices["libra"].iloc[1:]          # bt prepends the day before the start
    a = curve.to_numpy() / curve.iloc[0]
    b = ours.values["USD"].to_numpy() / ours.values["USD"].iloc[0]
    assert curve.index.equals(ours.values.index), "bt and basket value different dates"
    diff = float(np.max(np.abs(a / b - 1.0)))
    ratios = []
    for _ in range(repeat):                        # alternate A B A B: drift cancels in ratios
        tb = _median_time(run_bt, 1)
        to = _median_time(lambda: basket.backtest(panel=fx, rebalance="quarterly"), 20)
        ratios.append(tb / to)
    t_bt = _median_time(run_bt, 3)
    ratio = statistics.median(ratios)
    print(f"bt {bt.__version__}: {t_bt * 1e3:.1f} ms; curves agree to {diff:.1e} (relative)")
    print(f"speed-up over bt: {ratio:.0f}x (median of {repeat} paired runs; target >= 100x)")
    return diff <= 1e-12 and ratio >= 100


def _proc_time(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def bench_cold_start(repeat: int = 7) -> bool:
    exe = shutil.which("basket")
    if exe is None:
        print("the basket console script is not on PATH: cold start skipped")
        return True
    pandas = [sys.executable, "-c", "import pandas"]
    help_cmd = [exe, "--help"]
    run_cmd = [exe, "backtest"]
    for cmd in (pandas, help_cmd, run_cmd):       # warm the OS file cache
        _proc_time(cmd)
    t = {"pandas": [], "help": [], "backtest": []}
    for _ in range(repeat):
        t["pandas"].append(_proc_time(pandas))
        t["help"].append(_proc_time(help_cmd))
        t["backtest"].append(_proc_time(run_cmd))
    med = {k: statistics.median(v) for k, v in t.items()}
    r_help = med["help"] / med["pandas"]
    r_run = med["backtest"] / med["pandas"]
    print(f"python -c 'import pandas': {med['pandas'] * 1e3:.0f} ms; basket --help: "
          f"{med['help'] * 1e3:.0f} ms ({r_help:.2f}x, target <= 0.5); basket backtest: "
          f"{med['backtest'] * 1e3:.0f} ms ({r_run:.2f}x, target <= 2.5)")
    return r_help <= 0.5 and r_run <= 2.5


def main() -> int:
    ok = bench_vs_bt()
    ok = bench_cold_start() and ok
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
