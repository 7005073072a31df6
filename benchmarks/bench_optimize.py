"""Speed of the basket-design optimiser (``basket.optimize``'s solver), after the data are loaded.

Run: ``python benchmarks/bench_optimize.py``

1. The full bundled ECB history (1999-2026), the five Libra currencies, objective ``worst``
   across the five constituent numeraires: covariance + solve, and the solve alone, median of
   ``repeat`` runs after a warm-up (the first call imports scipy). Target: under 200 ms.
2. The other objectives and the second solver (trust-constr) on the same data, for scale.
3. Synthetic panels (``default_rng(42)``, correlated log random walks) at several sizes
   (currencies x dates), to show how the solve grows with the number of currencies.
4. ``basket.optimize()`` end to end with its defaults (data loading and the four backtests
   included), for information.

Exit status 1 if the target in (1) is missed.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import basket
from basket.design.estimation import return_covariance
from basket.design.optimizer import solve_weights

LIBRA = ["USD", "EUR", "JPY", "GBP", "SGD"]
TARGET_SECONDS = 0.200


def _median_time(func: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _synthetic(n_currencies: int, n_dates: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    loadings = rng.normal(0.0, 0.004, (n_currencies, 3))
    idio = rng.uniform(0.002, 0.008, n_currencies)
    common = rng.normal(size=(n_dates, 3)) @ loadings.T
    shocks = common + rng.normal(size=(n_dates, n_currencies)) * idio
    shocks[:, 0] = 0.0                                   # the first column plays USD
    prices = np.exp(np.cumsum(shocks, axis=0))
    codes = ["USD", *[f"X{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(1, n_currencies)]]
    idx = pd.bdate_range("2000-01-03", periods=n_dates, name="date")
    return pd.DataFrame(prices, index=idx, columns=codes)


def bench_full_history(repeat: int = 21) -> bool:
    fx = basket.load_fx(LIBRA)
    print(f"data: bundled ECB, {fx.index[0].date()} to {fx.index[-1].date()}, "
          f"{len(fx)} dates x {len(LIBRA)} currencies")

    def solve_all() -> Any:
        return solve_weights(return_covariance(fx), LIBRA, LIBRA, "worst")

    sol = solve_all()                                     # warm-up: imports scipy
    cov = return_covariance(fx)
    t_all = _median_time(solve_all, repeat)
    t_solve = _median_time(lambda: solve_weights(cov, LIBRA, LIBRA, "worst"), repeat)
    t_cov = _median_time(lambda: return_covariance(fx), repeat)
    weights = ", ".join(f"{c} {w:.1%}" for c, w in sol.weights.items())
    print(f"worst case across {len(LIBRA)} numeraires: {weights}; "
          f"max volatility {sol.objective_value:.2%} ({sol.iterations} SLSQP iterations)")
    print(f"  covariance + solve: {t_all * 1e3:.2f} ms  (median of {repeat}; target < "
          f"{TARGET_SECONDS * 1e3:.0f} ms)")
    print(f"  solve alone:        {t_solve * 1e3:.2f} ms")
    print(f"  covariance alone:   {t_cov * 1e3:.2f} ms")
    for objective, ks, method in (("mean", LIBRA, "slsqp"), ("single", ["USD"], "slsqp"),
                                  ("worst", LIBRA, "trust-constr")):
        t = _median_time(lambda o=objective, k=ks, m=method: solve_weights(cov, LIBRA, k, o,
                                                                           method=m), repeat)
        print(f"  {objective:6s} {method:12s}: {t * 1e3:.2f} ms")
    return t_all < TARGET_SECONDS


def bench_sizes(repeat: int = 7) -> None:
    print("synthetic panels (default_rng(42)), objective worst across every currency:")
    base = None
    for n, t in ((5, 1000), (5, 7000), (10, 7000), (20, 7000)):
        fx = _synthetic(n, t)
        codes = list(fx.columns)
        cov = return_covariance(fx)
        solve_weights(cov, codes, codes, "worst")
        secs = _median_time(lambda c=cov, k=codes: solve_weights(c, k, k, "worst"), repeat)
        base = base or secs
        print(f"  {n:2d} currencies x {t} dates: {secs * 1e3:7.2f} ms  ({secs / base:5.1f}x)")


def bench_end_to_end(repeat: int = 5) -> None:
    basket.optimize()
    secs = _median_time(basket.optimize, repeat)
    print(f"basket.optimize() with defaults (load data, solve, 4 backtests): "
          f"{secs * 1e3:.1f} ms (median of {repeat})")


def main() -> int:
    ok = bench_full_history()
    bench_sizes()
    bench_end_to_end()
    print("PASS" if ok else "FAIL: the full-history optimisation missed its target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
