"""Speed of ``basket.price``: one date, a thousand dates, and the ``basket price`` command cold.

Run: ``python benchmarks/bench_price.py``.

1. ``basket.price("2020-03-20")`` warm in-process (the bundled ECB data already loaded by a
   first call): median of 2,000 calls. Target: at most 0.1 ms. Printed beside the floor, one
   binary search in the dates and one dot product of a row with the amounts on arrays in hand.
2. ``basket.price(dates)`` for 1,000 ISO dates in one call (a Series): median of 200 calls.
   Target: at most 1 ms.
3. ``basket price 2020-03-20`` as a whole process against ``python -c "import pandas"``,
   interleaved, median of the paired ratios. Target: at most 1.6x.

Every check ``price`` makes (ISO dates, the numeraire, the data's range) runs on each call.
Prints the figures; exits 1 when a target is missed.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

import basket


def median_time(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def floor_time() -> float:
    """One searchsorted and one dot product on arrays in hand (what a price needs at least)."""
    fx = basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD"])
    stamps = fx.index.to_numpy()
    prices = np.ascontiguousarray(fx.to_numpy())
    units = basket.backtest("libra-2019", end="2019-12-31").units.iloc[0].to_numpy()
    day = np.datetime64("2020-03-20").astype(stamps.dtype)

    def floor() -> float:
        row = int(stamps.searchsorted(day, side="right")) - 1
        return float(prices[row] @ units)

    return median_time(floor, 2000)


def proc_time(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def cold(repeat: int = 9) -> bool:
    exe = shutil.which("basket")
    if exe is None:
        print("the basket console script is not on PATH: cold start skipped")
        return True
    pandas = [sys.executable, "-c", "import pandas"]
    cmd = [exe, "price", "2020-03-20"]
    proc_time(pandas), proc_time(cmd)             # warm the OS file cache
    ratios, base = [], []
    for _ in range(repeat):
        t_pandas = proc_time(pandas)
        ratios.append(proc_time(cmd) / t_pandas)
        base.append(t_pandas)
    r = statistics.median(ratios)
    print(f"basket price 2020-03-20, whole process: {r:.2f}x python -c 'import pandas' "
          f"({statistics.median(base) * 1e3:.0f} ms; median of {repeat} pairs; target <= 1.6)")
    return r <= 1.6


def main() -> int:
    basket.price("2020-03-20")                    # the first call loads and memoises
    one = median_time(lambda: basket.price("2020-03-20"), 2000)
    floor = floor_time()
    print(f"basket.price('2020-03-20'), warm: {one * 1e6:.1f} us (median of 2,000; target "
          f"<= 100 us); the floor (searchsorted + dot on arrays in hand) {floor * 1e6:.1f} us, "
          f"{one / floor:.0f}x")
    days = list(pd.bdate_range("2000-01-03", periods=1000).strftime("%Y-%m-%d"))
    basket.price(days)
    many = median_time(lambda: basket.price(days), 200)
    print(f"basket.price(1,000 ISO dates) -> Series: {many * 1e3:.3f} ms (median of 200; "
          f"target <= 1 ms)")
    ok = one <= 1e-4 and many <= 1e-3
    ok = cold() and ok
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
