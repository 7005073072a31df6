"""API misuse: a wrong type or value for any argument of a public function is a BasketError.

A generated catalogue crosses each public face with the bad values a caller plausibly passes
(``None``, NaN, a number where a date or a code belongs, a list where one code belongs, a
string where a number belongs, ...). Every call must raise a :class:`basket.BasketError` with a
one-line message, never a bare ``TypeError``, ``AttributeError`` or ``KeyError``, and never
return a NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import basket
from basket.errors import BasketError

RATES = {"USD": 0.02, "EUR": -0.005, "JPY": -0.001, "GBP": 0.0075, "SGD": 0.0188}
NAN = float("nan")

BAD_DATES = [NAN, 20200320, 3.5, True, "01/02/2020", "2020-03-20T00:00+09:00", [1, 2], object()]
BAD_CODE_LISTS = [123, 3.5, {"EUR": 1}, ["EURO"], ["USD", "USD"], [], [None], b"EUR"]
BAD_NUMBERS = [None, "5", NAN, math.inf, -math.inf, True, [1], object()]

CATALOGUE: list[tuple[str, Callable[[], Any]]] = []


def case(name: str, call: Callable[[], Any]) -> None:
    CATALOGUE.append((name, call))


for i, v in enumerate([None, *BAD_DATES]):
    case(f"price-when-{i}", lambda v=v: basket.price(v))
    case(f"backtest-start-{i}", lambda v=v: basket.backtest(start=v) if v is not None else
         basket.backtest(start="1990-01-01"))
    case(f"load_fx-end-{i}", lambda v=v: basket.load_fx(["EUR"], end=v) if v is not None else
         basket.load_fx(["EUR"], end="1990-01-01"))
    case(f"reserve-start-{i}", lambda v=v: basket.reserve(start=v, rates=RATES, episodes=False)
         if v is not None else basket.reserve(start="1990-01-01", rates=RATES))
for i, v in enumerate([None, ["EUR", "JPY"], 3, "EURO", ""]):
    case(f"price-numeraire-{i}", lambda v=v: basket.price("2020-03-20", numeraire=v))
for i, v in enumerate(BAD_CODE_LISTS):
    case(f"load_fx-codes-{i}", lambda v=v: basket.load_fx(v))
    case(f"backtest-numeraires-{i}", lambda v=v: basket.backtest(numeraires=v))
    case(f"simulate-numeraires-{i}", lambda v=v: basket.simulate(numeraires=v, n_paths=10,
                                                                  horizon=2))
case("load_fx-None", lambda: basket.load_fx(None))
for i, v in enumerate(["5", 5.5, True, -1, 10**6]):
    case(f"load_fx-fill_limit-{i}", lambda v=v: basket.load_fx(["EUR"], fill="ffill",
                                                                fill_limit=v))
for i, v in enumerate([None, 5, 3.5, ["ecb"], "bloomberg", Path("/nonexistent/rates.csv")]):
    case(f"backtest-source-{i}", lambda v=v: basket.backtest(source=v))
for i, v in enumerate([None, 5, "weekly", "band:2", "review:9999y", ["none"]]):
    case(f"backtest-rebalance-{i}", lambda v=v: basket.backtest(rebalance=v) if v is not None
         else basket.backtest(rebalance="bogus"))
for i, v in enumerate([None, 5, "nope", Path("/nonexistent.toml"), ["libra-2019"]]):
    case(f"backtest-spec-{i}", lambda v=v: basket.backtest(v))
for i, v in enumerate(BAD_NUMBERS):
    case(f"backtest-ppy-{i}", lambda v=v: basket.backtest(periods_per_year=v))
    case(f"simulate-paths-{i}", lambda v=v: basket.simulate(n_paths=v, horizon=2))
    case(f"simulate-horizon-{i}", lambda v=v: basket.simulate(n_paths=10, horizon=v))
    case(f"simulate-move-{i}", lambda v=v: basket.simulate(n_paths=10, horizon=2, move=v))
    case(f"reserve-coins-{i}", lambda v=v: basket.reserve(rates=RATES, coins=v, episodes=False))
    case(f"reserve-cost-{i}", lambda v=v: basket.reserve(rates=RATES, cost_bps=v,
                                                         episodes=False))
    case(f"reserve-share-{i}", lambda v=v: basket.reserve(rates=RATES, securities_share=v,
                                                          episodes=False))
    case(f"reserve-opex-{i}", lambda v=v: basket.reserve(rates=RATES, opex_bps=v,
                                                         episodes=False))
for i, v in enumerate([1e308, 1e306, -1, 10**16]):
    case(f"reserve-coins-big-{i}", lambda v=v: basket.reserve(rates=RATES, coins=v,
                                                              episodes=False))
    case(f"reserve-cost-big-{i}", lambda v=v: basket.reserve(rates=RATES, cost_bps=v,
                                                             episodes=False))
for i, v in enumerate([None, "fast", 5, ["slsqp"]]):
    case(f"optimize-objective-{i}", lambda v=v: basket.optimize(objective=v))
for i, v in enumerate(["yes", None, 1]):
    case(f"optimize-long_only-{i}", lambda v=v: basket.optimize(long_only=v))
for i, v in enumerate(["USD", {"USD": 0.5}, {"USD": ("a", 1)}, {"XYZ": (0, 1)}]):
    case(f"optimize-bounds-{i}", lambda v=v: basket.optimize(bounds=v))
for i, v in enumerate([5, "2019", ("2019-01-01",), ("x", "y")]):
    case(f"optimize-window-{i}", lambda v=v: basket.optimize(window=v))
for i, v in enumerate([5, "lehman", [None], ["lehman-2008", 5]]):
    case(f"stress-episodes-{i}", lambda v=v: basket.stress(episodes=v))
for i, v in enumerate([None, "EUR=abc", {"EUR": "x"}, {"EUR": NAN}, 5, ["EUR"]]):
    case(f"reserve-rates-{i}", lambda v=v: basket.reserve(rates=v, episodes=False))
for i, v in enumerate(["keep", None, 5]):
    case(f"reserve-policy-{i}", lambda v=v: basket.reserve(rates=RATES, policy=v,
                                                           episodes=False))
for i, v in enumerate(["run:2:10d", "growth:1e300", 5, "bogus", ["run:0.3:0d"]]):
    case(f"reserve-scenario-{i}", lambda v=v: basket.reserve(rates=RATES, scenario=v,
                                                             episodes=False))
for i, v in enumerate([5, "panel", pd.DataFrame({"EUR": [1.1]}), pd.DataFrame()]):
    case(f"backtest-panel-{i}", lambda v=v: basket.backtest(panel=v))
    case(f"simulate-panel-{i}", lambda v=v: basket.simulate(panel=v, n_paths=10, horizon=2))
    case(f"price-panel-{i}", lambda v=v: basket.price("2020-03-20", panel=v))
for i, v in enumerate([-1, "7", 3.5, None]):
    case(f"simulate-seed-{i}", lambda v=v: basket.simulate(seed=v, n_paths=10, horizon=2)
         if v is not None else basket.simulate(seed=object(), n_paths=10, horizon=2))


def _bad_panel() -> pd.DataFrame:
    """A valid-looking panel with a non-positive rate on the base date of Libra."""
    fx = basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD"], "2019-06-03", "2019-09-30").copy()
    fx.loc["2019-06-18", "SGD"] = -0.73
    return fx


for name, face in [("backtest", lambda p: basket.backtest(panel=p)),
                   ("price", lambda p: basket.price("2019-07-01", panel=p)),
                   ("simulate", lambda p: basket.simulate(panel=p, n_paths=10, horizon=2)),
                   ("stress", lambda p: basket.stress(panel=p, start="2019-06-03",
                                                      end="2019-09-30")),
                   ("optimize", lambda p: basket.optimize(panel=p,
                                                          window=("2019-06-03", "2019-08-30"))),
                   ("reserve", lambda p: basket.reserve(panel=p, rates=RATES, episodes=False))]:
    case(f"{name}-nonpositive-base-rate", lambda face=face: face(_bad_panel()))


@pytest.mark.parametrize(("name", "call"), CATALOGUE, ids=[n for n, _ in CATALOGUE])
def test_misuse_is_a_basket_error(name: str, call: Callable[[], Any]) -> None:
    try:
        out = call()
    except BasketError as exc:
        message = str(exc)
        assert message and "\n" not in message, message
        return
    # a few "bad" values are legitimate (e.g. a list of one code); they must give numbers
    assert out is not None, name
    values = getattr(out, "values", out)
    arr = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values,
                     dtype=object)
    assert not any(isinstance(x, float) and not math.isfinite(x) for x in arr.ravel()), name


def test_the_catalogue_reaches_every_face() -> None:
    names = {n.split("-")[0] for n, _ in CATALOGUE}
    assert {"price", "backtest", "load_fx", "simulate", "stress", "optimize", "reserve"} <= names
    assert len(CATALOGUE) > 200
