"""Speed of Diebold-Yilmaz connectedness (``basket.spillover``), rolling over the ECB history.

Run: ``python benchmarks/bench_spillover.py``

1. The full bundled ECB history (1999-2026, about 7,100 dates), the four non-dollar Libra
   currencies in USD, a 200-day rolling window, horizon 10: ``basket.spillover`` end to end
   (data loading, the full statsmodels fit, every window), median of ``repeat`` warm runs, with
   the lag order fixed (1) and chosen by BIC (the default). Target: under 3 s warm (a shared machine).
2. The same as a whole process (``python -c "import basket; basket.spillover(window=200)"``),
   statsmodels' import included. Target: under 8 s.
3. The rolling kernel (batched least squares + decomposition) against refitting statsmodels'
   ``VAR`` on each window, on the first 300 windows: time per window, the speed-up, and the
   largest difference of the total index between the two.
4. The vectorised decomposition against its plain-Python twin, per window.
5. Synthetic panels (``default_rng(42)``) with more variables and lags, for scale.

Exit status 1 if a target in (1) or (2) is missed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import basket
from basket.connectedness.decomposition import (
    generalized_fevd,
    generalized_fevd_python,
    ma_coefficients,
    total_connectedness,
)
from basket.connectedness.estimation import estimate_spillover, rolling_var
from basket.connectedness.variables import currency_variables

TARGET_WARM = 3.0
TARGET_PROCESS = 8.0
WINDOW, HORIZON = 200, 10


def _median_time(func: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_full_history(repeat: int = 5) -> bool:
    res = basket.spillover(window=WINDOW)                         # warm-up: imports statsmodels
    print(f"data: bundled ECB, {res.start.date()} to {res.end.date()}, {res.n_obs} returns x "
          f"{len(res.currencies)} currencies ({', '.join(res.currencies)}) in USD; window "
          f"{WINDOW}, horizon {HORIZON}: {len(res.rolling)} windows")
    ok = True
    for lags, label in ((1, "lags fixed at 1"), (None, "lags by BIC (default)")):
        secs = _median_time(lambda p=lags: basket.spillover(lags=p, window=WINDOW), repeat)
        ok &= secs < TARGET_WARM
        print(f"  basket.spillover, {label:22s}: {secs:6.3f} s  (median of {repeat}; target < "
              f"{TARGET_WARM:g} s)")
    print(f"  full-sample total {res.total:.2f}%, rolling total {res.rolling.min():.1f}% to "
          f"{res.rolling.max():.1f}%, lags {res.lags} ({res.lag_selection})")
    return ok


def bench_process() -> bool:
    code = "import basket; basket.spillover(window=200)"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    secs = time.perf_counter() - t0
    print(f"whole process, '{code}': {secs:.2f} s (target < {TARGET_PROCESS:g} s; statsmodels' "
          "import included)")
    return secs < TARGET_PROCESS


def bench_kernel_vs_statsmodels(n_windows: int = 300) -> None:
    from statsmodels.tsa.api import VAR

    fx = basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD"])
    values = currency_variables(fx, ["EUR", "JPY", "GBP", "SGD"], "USD").to_numpy()
    n_all = len(values) - WINDOW + 1

    def kernel() -> np.ndarray:
        rv = rolling_var(values, 1, WINDOW)
        return total_connectedness(generalized_fevd(ma_coefficients(rv.coefs, HORIZON),
                                                    rv.sigma))

    def refit() -> np.ndarray:
        out = np.empty(n_windows)
        for k in range(n_windows):
            fit = VAR(values[k:k + WINDOW]).fit(1, trend="c")
            out[k] = total_connectedness(generalized_fevd(fit.ma_rep(HORIZON - 1), fit.sigma_u))
        return out

    ours = kernel()
    t_kernel = _median_time(kernel, 5) / n_all
    t_refit = _median_time(refit, 3) / n_windows
    diff = np.abs(ours[:n_windows] - refit()).max()
    print(f"rolling kernel: {t_kernel * 1e6:7.1f} us a window (all {n_all}); statsmodels refit "
          f"per window: {t_refit * 1e6:7.1f} us ({n_windows} windows): {t_refit / t_kernel:.0f}x; "
          f"largest difference of the total index {diff:.1e} points")


def bench_twin(n_windows: int = 200) -> None:
    rng = np.random.default_rng(42)
    coefs = rng.normal(0, 0.1, (n_windows, 1, 4, 4))
    roots = rng.normal(size=(n_windows, 4, 4))
    sigma = roots @ roots.transpose(0, 2, 1) + 0.1 * np.eye(4)
    ma = ma_coefficients(coefs, HORIZON)
    t_vec = _median_time(lambda: generalized_fevd(ma, sigma), 7) / n_windows
    t_py = _median_time(lambda: [generalized_fevd_python(ma[k], sigma[k])
                                 for k in range(n_windows)], 3) / n_windows
    diff = max(np.abs(generalized_fevd(ma[k], sigma[k]) - generalized_fevd_python(ma[k], sigma[k])
                      ).max() for k in range(n_windows))
    print(f"decomposition, 4 variables, H={HORIZON}: vectorised {t_vec * 1e6:.1f} us a window, "
          f"plain-Python twin {t_py * 1e6:.0f} us ({t_py / t_vec:.0f}x); they differ by {diff:.1e}")


def _synthetic(n_variables: int, n_dates: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    loadings = rng.normal(0.0, 0.004, (n_variables, 2))
    shocks = rng.normal(size=(n_dates, 2)) @ loadings.T
    shocks += rng.normal(size=(n_dates, n_variables)) * rng.uniform(0.002, 0.008, n_variables)
    return pd.DataFrame(shocks, columns=[f"X{i:02d}" for i in range(n_variables)])


def bench_sizes(repeat: int = 3) -> None:
    print(f"synthetic returns (default_rng(42)), {WINDOW}-day window, horizon {HORIZON}:")
    base = None
    for n, lags in ((4, 1), (4, 3), (8, 1), (8, 3), (12, 2)):
        data = _synthetic(n, 7000)
        secs = _median_time(lambda d=data, p=lags: estimate_spillover(d, lags=p, window=WINDOW),
                            repeat)
        base = base or secs
        print(f"  {n:2d} variables, {lags} lag(s), 7000 dates: {secs:6.3f} s ({secs / base:4.1f}x)")


def main() -> int:
    ok = bench_full_history()
    ok &= bench_process()
    bench_kernel_vs_statsmodels()
    bench_twin()
    bench_sizes()
    print("PASS" if ok else "FAIL: a connectedness target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
