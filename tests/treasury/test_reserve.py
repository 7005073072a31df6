"""Tests of the reserve simulation: basket.reserve (core), basket.treasury.flows, basket.treasury.api,
basket.plot.treasury and the ``basket reserve`` command.

Reference values are independent of the code under test:

* hand arithmetic in the tests (interest = holding x rate x calendar days / 360, a Friday to
  Monday step accruing 3 days; costs = coins x sum_c units_c x P_c x bp / 1e4);
* closed forms (coverage under a uniform negative rate with no buffer is
  ``prod(1 + r d / 360)``; steady growth of 10% over 365 calendar days multiplies coins by 1.1);
* a second method: ``reference_reserve`` below tracks every currency's securities and cash
  holdings explicitly, in a plain loop, and settles each day's cash the way the module
  docstring states, instead of the core's one-number "backing" recursion;
* the plain-Python kernel against the vectorised one (bit-for-bit).

Tolerances: 1e-12 relative where the arithmetic is exact up to rounding of a few operations,
1e-9 relative against the explicit-holdings reference (hundreds of accumulated additions in a
different order).
"""

from __future__ import annotations

import json
import math
import re
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from basket.cli import app
from basket.errors import DataError, OutputError, SimulationError, SpecError
from basket.treasury.api import episode_run_costs, list_reserve_episodes, reserve
from basket.treasury.files import load_flows, load_rates, load_scenario
from basket.treasury.flows import FlowSchedule, Growth, Run, parse_scenario, scenario_flows
from basket.treasury.inputs import align_rates, parse_costs, parse_rates
from basket.treasury.model import _kernel_numpy, _kernel_python, simulate_reserve
from basket.treasury.results import ReservePaths, ReserveResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reserve"
LIBRA_RATES = "USD=0.01875,EUR=-0.005,JPY=-0.001,GBP=0.0075,SGD=0.0188"
runner = CliRunner()


# ----------------------------------------------------------------------------- helpers
def frame(dates: list[str] | pd.DatetimeIndex, columns: dict[str, list[float] | float]
          ) -> pd.DataFrame:
    idx = pd.DatetimeIndex(dates, name="date")
    return pd.DataFrame({c: np.broadcast_to(np.asarray(v, dtype=float), len(idx)).copy()
                         for c, v in columns.items()}, index=idx)


def reference_reserve(prices: np.ndarray, dates: pd.DatetimeIndex, u: np.ndarray,
                      rs: np.ndarray, rk: np.ndarray, share: float, basis: float,
                      cost: np.ndarray, stress_cost: np.ndarray, stress: np.ndarray,
                      opex_bps: float, coins0: float, mint: np.ndarray, burn: np.ndarray,
                      buffer0: float, policy: str) -> pd.DataFrame:
    """Explicit per-currency holdings, settled as the module docstring states (plain loop)."""
    sec = share * coins0 * u
    cash = (1 - share) * coins0 * u
    n_coins, buf = coins0, buffer0
    rows = []
    for t in range(len(dates)):
        p = prices[t]
        days = 0 if t == 0 else (dates[t] - dates[t - 1]).days
        income_ccy = (sec * rs + cash * rk) * days / basis            # currency units
        income = float(np.sum(income_ccy * p))                        # USD at day t's rate
        held_value = float(np.sum((sec + cash) * p))
        opex = opex_bps / 1e4 * days / basis * held_value
        bps = stress_cost if stress[t] else cost
        value = float(np.sum(u * p))
        trade = (mint[t] + burn[t]) * float(np.sum(u * p * bps / 1e4))
        sec = sec + share * (mint[t] - burn[t]) * u
        cash = cash + (1 - share) * (mint[t] - burn[t]) * u
        n_coins = n_coins + mint[t] - burn[t]
        x = income - opex - trade
        held_value = float(np.sum((sec + cash) * p))
        paid = drawn = unpaid = 0.0
        if held_value < 0:    # redeemed more than the reserve holds: it pays what it has
            unpaid, sec, cash, held_value = -held_value, sec * 0.0, cash * 0.0, 0.0
        if x >= 0:
            restore = min(x, n_coins * value - held_value)
            sec = sec + share * restore / value * u
            cash = cash + (1 - share) * restore / value * u
            rest = x - restore
            if policy == "buffer":
                buf += rest
            else:
                top = min(rest, max(buffer0 - buf, 0.0))
                buf += top
                paid = rest - top
        else:
            drawn = min(-x, buf)
            buf -= drawn
            left = held_value - (-x - drawn)
            if left <= 0:                    # the reserve is exhausted: the rest goes unpaid
                unpaid, sec, cash = unpaid - left, sec * 0.0, cash * 0.0
            else:
                sec, cash = sec * (left / held_value), cash * (left / held_value)
        reserve_usd = float(np.sum((sec + cash) * p))
        rows.append({
            "coins": n_coins, "reserve_usd": reserve_usd, "buffer_usd": buf,
            "coverage": reserve_usd / (n_coins * value) if n_coins > 0 else 1.0,
            "income_usd": income, "opex_usd": opex, "cost_usd": trade, "payout_usd": paid,
            "drawn_usd": drawn, "unpaid_usd": unpaid,
        })
    return pd.DataFrame(rows, index=dates)


@st.composite
def reserve_cases(draw: st.DrawFn, *, max_rows: int = 40) -> dict:
    """A panel (log random walks, weekends and holidays skipped), units, flows and settings."""
    n = draw(st.integers(1, 4))
    t = draw(st.integers(2, max_rows))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    codes = ["USD", "EUR", "JPY", "GBP"][:n]
    days = pd.bdate_range("2019-09-02", periods=2 * t, name="date")
    keep = np.sort(rng.choice(np.arange(1, len(days)), size=t - 1, replace=False))
    dates = pd.DatetimeIndex(days[np.concatenate(([0], keep))], name="date")
    levels = np.array([1.0, 1.1, 0.0093, 1.25])[:n]
    steps = rng.normal(0, draw(st.sampled_from([0.0, 0.005, 0.03])), (t, n))
    prices = levels * np.exp(np.cumsum(steps, axis=0))
    prices[:, 0] = np.where(codes[0] == "USD", 1.0, prices[:, 0])
    units = rng.uniform(0.05, 1.0, n) / levels
    coins0 = draw(st.sampled_from([0.0, 1.0, 1e6, 1e9]))
    mint = np.where(rng.random(t) < 0.4, rng.uniform(0, 2e8, t), 0.0)
    burn = np.zeros(t)
    level = coins0
    for i in range(t):   # burn at most what is outstanding after the day's mint
        if rng.random() < 0.4:
            burn[i] = rng.uniform(0, 1) * (level + mint[i])
        level += mint[i] - burn[i]
    return {"codes": codes, "dates": dates, "prices": prices, "units": units,
            "coins0": coins0, "mint": mint, "burn": burn, "rng": rng}


def flows_of(case: dict) -> FlowSchedule:
    return FlowSchedule(pd.Series(case["mint"], index=case["dates"]),
                        pd.Series(case["burn"], index=case["dates"]))


def panel_of(case: dict) -> pd.DataFrame:
    return pd.DataFrame(case["prices"], index=case["dates"], columns=case["codes"])


def independent_coverage(res: ReserveResult, panel: pd.DataFrame, units: np.ndarray
                         ) -> np.ndarray:
    """Coverage from the holdings and the FX rates, not from the core's coverage column."""
    held = (res.securities + res.cash).to_numpy() * panel[res.securities.columns].to_numpy()
    owed = res.path["coins"].to_numpy() * (panel[res.securities.columns].to_numpy() @ units)
    return np.where(owed > 0, held.sum(axis=1) / np.where(owed > 0, owed, 1.0), 1.0)


# ----------------------------------------------------------------------------- hand computations
def test_income_accrues_calendar_days_act360_hand_computation() -> None:
    # Friday 2019-09-06 -> Monday 09-09 (3 calendar days) -> Tuesday 09-10 (1 day).
    fx = frame(["2019-09-06", "2019-09-09", "2019-09-10"],
               {"USD": 1.0, "EUR": [1.10, 1.12, 1.11], "JPY": [0.0093, 0.0094, 0.0092]})
    units = {"USD": 0.5, "EUR": 0.2, "JPY": 15.0}
    rates = {"USD": 0.02, "EUR": -0.005, "JPY": -0.001}
    cash = {"USD": 0.01, "EUR": -0.006, "JPY": -0.002}
    res = simulate_reserve(fx, units, rates, cash_rates=cash, coins=1e9, securities_share=0.8)
    inc = res.income
    # Monday: holdings 1e9 * units, 80% at the securities rate, 20% at the cash rate, 3/360,
    # converted at Monday's rate.
    assert inc.loc["2019-09-09", "EUR"] == pytest.approx(
        1e9 * 0.2 * (0.8 * -0.005 + 0.2 * -0.006) * 3 / 360 * 1.12, rel=1e-12)
    assert inc.loc["2019-09-09", "JPY"] == pytest.approx(
        1e9 * 15.0 * (0.8 * -0.001 + 0.2 * -0.002) * 3 / 360 * 0.0094, rel=1e-12)
    assert inc.loc["2019-09-10", "USD"] == pytest.approx(
        1e9 * 0.5 * (0.8 * 0.02 + 0.2 * 0.01) * 1 / 360, rel=1e-12)
    assert (inc.loc["2019-09-06"] == 0).all()          # nothing accrues on the first date
    # the day's total is the sum of the currencies; cumulative income is its running sum
    assert np.allclose(res.path["income_usd"], inc.sum(axis=1), rtol=1e-12, atol=0)
    assert res.path["cum_income_usd"].iloc[-1] == pytest.approx(inc.to_numpy().sum(), rel=1e-12)
    # act/365 scales every accrual by 360/365
    res365 = simulate_reserve(fx, units, rates, cash_rates=cash, day_count="act/365")
    assert np.allclose(res365.income.to_numpy(), inc.to_numpy() * 360 / 365, rtol=1e-12, atol=0)
    assert res.settings["day_count"] == "act/360"
    assert res.settings["cash_rates"] == cash


@given(case=reserve_cases(), rate=st.floats(-0.01, 0.05))
def test_income_equals_rate_holdings_days_over_360_for_constant_rates(case: dict,
                                                                      rate: float) -> None:
    panel = panel_of(case)
    rates = dict.fromkeys(case["codes"], rate)
    units = dict(zip(case["codes"], case["units"]))
    # a buffer larger than any loss keeps the holdings constant (it absorbs negative income)
    res = simulate_reserve(panel, units, rates, coins=case["coins0"] or 1.0, buffer=1e15)
    days = np.diff(case["dates"].to_numpy()).astype("timedelta64[D]").astype(float)
    coins = case["coins0"] or 1.0
    expected = coins * case["units"] * rate * days[:, None] / 360 * case["prices"][1:]
    np.testing.assert_allclose(res.income.to_numpy()[1:], expected, rtol=1e-12, atol=1e-300)


def test_uniform_negative_rate_without_buffer_erodes_coverage_closed_form() -> None:
    # Every currency at -0.5%, no buffer, no flows: each day the reserve pays
    # r x days / 360 of itself, so coverage = prod(1 + r d / 360) (independent of FX).
    dates = pd.date_range("2019-09-02", "2020-08-31", freq="D", name="date")
    rng = np.random.default_rng(7)
    fx = frame(dates, {"USD": 1.0, "EUR": 1.1 * np.exp(np.cumsum(rng.normal(0, 0.004,
                                                                             len(dates))))})
    res = simulate_reserve(fx, {"USD": 0.5, "EUR": 0.45}, {"USD": -0.005, "EUR": -0.005})
    expected = (1 - 0.005 / 360) ** np.arange(len(dates))
    np.testing.assert_allclose(res.path["coverage"], expected, rtol=1e-12)
    s = res.summary()
    assert s["days_below_full_backing"] == len(dates) - 1
    assert s["min_coverage_date"] == dates[-1]
    assert s["min_coverage"] == pytest.approx((1 - 0.005 / 360) ** (len(dates) - 1), rel=1e-12)
    # the buffer is empty throughout and nothing was paid out
    assert (res.path["buffer_usd"] == 0).all() and res.path["payout_usd"].sum() == 0


def test_payout_policy_pays_income_above_the_initial_buffer() -> None:
    fx = frame(pd.date_range("2020-01-01", periods=30, freq="D"), {"USD": 1.0, "GBP": 1.3})
    res = simulate_reserve(fx, {"USD": 0.6, "GBP": 0.4 / 1.3}, {"USD": 0.02, "GBP": 0.0075},
                           coins=1e8, buffer=1e6, policy="payout")
    daily = 1e8 * (0.6 * 0.02 + 0.4 * 0.0075) / 360          # USD a day, prices constant
    assert (res.path["buffer_usd"] == 1e6).all()
    assert res.path["payout_usd"].sum() == pytest.approx(29 * daily, rel=1e-12)
    assert res.summary()["payout_usd"] == pytest.approx(29 * daily, rel=1e-12)


def test_opex_and_transaction_costs_hand_computation() -> None:
    fx = frame(["2020-03-06", "2020-03-09"], {"USD": 1.0, "EUR": [1.10, 1.14]})
    units = {"USD": 0.5, "EUR": 0.45}
    flows = FlowSchedule(pd.Series([0.0, 2e7], index=pd.to_datetime(["2020-03-06",
                                                                      "2020-03-09"])),
                         pd.Series([0.0, 5e7], index=pd.to_datetime(["2020-03-06",
                                                                     "2020-03-09"])))
    res = simulate_reserve(fx, units, {"USD": 0.0, "EUR": 0.0}, coins=1e9, scenario=flows,
                           cost_bps={"USD": 1.0, "EUR": 3.0}, opex_bps=20.0, buffer=1e7)
    value_mon = 0.5 + 0.45 * 1.14
    opex = 20e-4 * 3 / 360 * 1e9 * value_mon           # on the holdings carried from Friday
    trade = (2e7 + 5e7) * (0.5 * 1e-4 + 0.45 * 1.14 * 3e-4)
    row = res.path.loc["2020-03-09"]
    assert row["opex_usd"] == pytest.approx(opex, rel=1e-12)
    assert row["cost_usd"] == pytest.approx(trade, rel=1e-12)
    assert row["buffer_usd"] == pytest.approx(1e7 - opex - trade, rel=1e-12)
    assert row["coins"] == 1e9 + 2e7 - 5e7
    assert row["coverage"] == 1.0


def test_changing_amounts_are_followed_and_settled_with_the_buffer() -> None:
    # Day 2 the basket's amounts change (e.g. an SDR review); the reserve trades to them.
    fx = frame(["2020-01-02", "2020-01-03"], {"USD": 1.0, "EUR": [1.1, 1.2]})
    units = frame(["2020-01-02", "2020-01-03"], {"USD": [0.5, 0.4], "EUR": [0.4, 0.5]})
    res = simulate_reserve(fx, units, {"USD": 0.0, "EUR": 0.0}, coins=1e6, buffer=1e6,
                           cost_bps=10.0)
    old, new = 0.5 + 0.4 * 1.2, 0.4 + 0.5 * 1.2
    traded = 0.1 * 1.0 + 0.1 * 1.2
    row = res.path.loc["2020-01-03"]
    assert row["rebalance_usd"] == pytest.approx(1e6 * (new - old), rel=1e-12)
    assert row["cost_usd"] == pytest.approx(1e6 * traded * 10e-4, rel=1e-12)
    assert row["buffer_usd"] == pytest.approx(1e6 - 1e6 * (new - old) - 1e6 * traded * 1e-3,
                                              rel=1e-12)
    assert res.securities.loc["2020-01-03", "EUR"] == pytest.approx(0.8 * 1e6 * 0.5, rel=1e-12)


# ----------------------------------------------------------------------------- conservation
@given(case=reserve_cases())
def test_zero_costs_zero_rates_keep_coverage_exactly_one(case: dict) -> None:
    panel = panel_of(case)
    units = case["units"]
    res = simulate_reserve(panel, dict(zip(case["codes"], units)),
                           dict.fromkeys(case["codes"], 0.0), coins=case["coins0"],
                           scenario=flows_of(case))
    np.testing.assert_allclose(independent_coverage(res, panel, units), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.path["coverage_with_buffer"], 1.0, rtol=0, atol=1e-12)
    assert res.summary()["days_below_full_backing"] == 0
    assert not res.to_frame().isna().any().any()
    # the same on simulated paths (P, T, n): every path stays fully backed
    rng = case["rng"]
    paths = case["prices"] * np.exp(rng.normal(0, 0.02, (3, *case["prices"].shape)))
    out = simulate_reserve(paths, units, np.zeros(len(units)), dates=case["dates"],
                           currencies=case["codes"], coins=case["coins0"],
                           scenario=flows_of(case))
    assert isinstance(out, ReservePaths) and out.n_paths == 3
    np.testing.assert_allclose(out.coverage, 1.0, rtol=0, atol=1e-12)


@given(case=reserve_cases(max_rows=10), m=st.floats(1.0, 1e9), bps=st.floats(0.0, 50.0),
       day=st.integers(0, 9))
def test_mint_then_burn_same_day_returns_reserve_less_costs(case: dict, m: float, bps: float,
                                                            day: int) -> None:
    panel = panel_of(case)
    day = min(day, len(panel) - 1)
    units = dict(zip(case["codes"], case["units"]))
    when = pd.Series([m], index=[panel.index[day]])
    flows = FlowSchedule(when, when.copy())
    zero = dict.fromkeys(case["codes"], 0.0)
    base = simulate_reserve(panel, units, zero, coins=1e9, buffer=1e9)
    res = simulate_reserve(panel, units, zero, coins=1e9, buffer=1e9, scenario=flows,
                           cost_bps=bps)
    cost = 2 * m * float(case["units"] @ (case["prices"][day] * bps / 1e4))
    # holdings are where they were; the buffer paid the costs of both trades
    np.testing.assert_allclose(res.securities, base.securities, rtol=1e-12)
    np.testing.assert_allclose(res.cash, base.cash, rtol=1e-12)
    assert res.path["buffer_usd"].iloc[-1] == pytest.approx(1e9 - cost, rel=1e-12)
    assert res.path["cost_usd"].sum() == pytest.approx(cost, rel=1e-12)
    # without a buffer the reserve itself pays: its value falls by exactly the costs
    bare = simulate_reserve(panel, units, zero, coins=1e9, scenario=flows, cost_bps=bps)
    drop = base.path["reserve_usd"].iloc[day] - bare.path["reserve_usd"].iloc[day]
    assert drop == pytest.approx(cost, rel=1e-9, abs=1e-6)


# ----------------------------------------------------------------------------- second method
@given(case=reserve_cases(), policy=st.sampled_from(["buffer", "payout"]),
       buffer=st.sampled_from([0.0, 1e3, 1e6]), opex=st.floats(0.0, 50.0),
       share=st.floats(0.0, 1.0))
def test_core_matches_explicit_holdings_reference(case: dict, policy: str, buffer: float,
                                                  opex: float, share: float) -> None:
    rng = case["rng"]
    n = len(case["codes"])
    rs = rng.uniform(-0.01, 0.03, n)
    rk = rng.uniform(-0.01, 0.03, n)
    cost = rng.uniform(0, 20, n)
    scost = cost + rng.uniform(0, 50, n)
    stress = rng.random(len(case["dates"])) < 0.3
    ref = reference_reserve(case["prices"], case["dates"], case["units"], rs, rk, share, 360.0,
                            cost, scost, stress, opex, case["coins0"], case["mint"],
                            case["burn"], buffer, policy)
    # stress days come from a run; emulate them with per-day cost arrays instead
    cost_t = np.where(stress[:, None], scost, cost)
    res = simulate_reserve(panel_of(case), dict(zip(case["codes"], case["units"])), rs,
                           cash_rates=rk, coins=case["coins0"], scenario=flows_of(case),
                           securities_share=share, cost_bps=cost_t, opex_bps=opex,
                           buffer=buffer, policy=policy)
    scale = max(1.0, float(ref["reserve_usd"].abs().max()))
    for col in ("coins", "reserve_usd", "buffer_usd", "income_usd", "opex_usd", "cost_usd",
                "payout_usd", "drawn_usd", "unpaid_usd"):
        np.testing.assert_allclose(res.path[col], ref[col], rtol=1e-9, atol=1e-9 * scale,
                                   err_msg=col)
    np.testing.assert_allclose(res.path["coverage"], ref["coverage"], rtol=1e-9, atol=1e-12)
    # the documented invariants, on both sides: nothing held, owed or kept is ever negative
    for out in (res.path, ref):
        for col in ("reserve_usd", "buffer_usd", "unpaid_usd", "drawn_usd", "payout_usd"):
            assert (out[col] >= 0).all(), col
    assert (res.securities.to_numpy() >= 0).all() and (res.cash.to_numpy() >= 0).all()


def test_redemption_above_the_reserve_pays_what_it_holds_rest_unpaid() -> None:
    # hand computation, USD only at 1.0, 3.6% a year (1e-4 a calendar day), no buffer:
    # Mon: 100 coins + 100 minted at a 1% cost: the reserve holds 199 for 200 coins;
    # Tue: 199.5 burned: it pays its 199, 0.5 unpaid, then the day's income 199 x 1e-4 starts
    #      to back the 0.5 coins left; Wed: 10 minted and fully backed, plus a day's income.
    dates = pd.bdate_range("2020-03-02", periods=3, name="date")
    flows = FlowSchedule(pd.Series([100.0, 0.0, 10.0], index=dates),
                         pd.Series([0.0, 199.5, 0.0], index=dates))
    res = simulate_reserve(frame(dates, {"USD": 1.0}), {"USD": 1.0}, {"USD": 0.036},
                           coins=100.0, scenario=flows, cost_bps=np.array([[100.0], [0], [0]]))
    path = res.path
    income = 199 * 1e-4
    assert path["coins"].tolist() == pytest.approx([200.0, 0.5, 10.5], rel=1e-12)
    assert path["unpaid_usd"].tolist() == pytest.approx([0.0, 0.5, 0.0], rel=1e-12, abs=1e-12)
    assert path["reserve_usd"].tolist() == pytest.approx(
        [199.0, income, income * (1 + 1e-4) + 10.0], rel=1e-12)
    assert path["coverage"].tolist() == pytest.approx(
        [199 / 200, income / 0.5, (income * (1 + 1e-4) + 10.0) / 10.5], rel=1e-12)
    assert (path["buffer_usd"] == 0).all() and (path["drawn_usd"] == 0).all()
    assert res.securities.loc["2020-03-03", "USD"] == pytest.approx(0.8 * income, rel=1e-12)
    assert res.summary()["unpaid_usd"] == pytest.approx(0.5, rel=1e-12)


@given(case=reserve_cases(), payout=st.booleans())
def test_vectorised_kernel_equals_plain_python_kernel(case: dict, payout: bool) -> None:
    rng = case["rng"]
    t = len(case["dates"])
    g = rng.normal(0, 1e-4, (t, 4))
    f = rng.uniform(0, 1e3, (t, 4))
    v = rng.uniform(0.5, 2.0, (t, 4))
    net = case["mint"] - case["burn"]
    coins = case["coins0"] + np.cumsum(net)
    vec = _kernel_numpy(g, f, v, net, coins, case["coins0"], 1e3, payout)
    for j in range(4):
        one = _kernel_python(g[:, j].tolist(), f[:, j].tolist(), v[:, j].tolist(), net.tolist(),
                             coins.tolist(), case["coins0"], 1e3, payout)
        for a, b in zip(vec, one):
            np.testing.assert_array_equal(a[:, j], b)


def test_paths_agree_with_single_path_runs() -> None:
    rng = np.random.default_rng(42)
    dates = pd.bdate_range("2020-01-01", periods=60, name="date")
    base = np.array([1.0, 1.1, 0.0093])
    paths = base * np.exp(np.cumsum(rng.normal(0, 0.01, (5, 60, 3)), axis=1))
    paths[..., 0] = 1.0
    kw = dict(dates=dates, currencies=["USD", "EUR", "JPY"], coins=1e9, buffer=1e4,
              scenario=["growth:0.2", "run:0.5:5d@2020-02-03"], cost_bps=5.0,
              stress_cost_bps=40.0, opex_bps=10.0)
    units = np.array([0.5, 0.3, 20.0])
    rates = np.array([0.01, -0.005, -0.001])
    many = simulate_reserve(paths, units, rates, **kw)
    assert many.backing.shape == (5, 60) and many.coins.shape == (60,)
    for i in range(5):
        one = simulate_reserve(paths[i], units, rates, **kw)
        assert one.n_paths is None
        np.testing.assert_array_equal(many.backing[i], one.backing)
        np.testing.assert_array_equal(many.buffer_usd[i], one.buffer_usd)
        np.testing.assert_array_equal(many.cost_usd[i], one.cost_usd)
    summary = many.path_summary()
    assert summary["min_coverage"].shape == (5,)
    assert (summary["days_below_full_backing"] > 0).all()   # 40 bp on a 50% run empties 1e4
    single = simulate_reserve(paths[0], units, rates, **kw).path_summary()
    assert single["buffer_used_usd"] == pytest.approx(float(summary["buffer_used_usd"][0]))
    # inputs are not mutated
    before = paths.copy()
    simulate_reserve(paths, units, rates, **kw)
    np.testing.assert_array_equal(before, paths)


# ----------------------------------------------------------------------------- scenarios
def test_run_redeems_share_of_coins_evenly_with_stressed_costs() -> None:
    dates = pd.bdate_range("2020-03-02", periods=20, name="date")
    fx = frame(dates, {"USD": 1.0, "EUR": 1.1})
    res = simulate_reserve(fx, {"USD": 0.5, "EUR": 0.45}, {"USD": 0.0, "EUR": 0.0},
                           coins=1e9, scenario="run:0.3:10d@2020-03-07",   # a Saturday
                           cost_bps=1.0, stress_cost_bps=25.0, buffer=1e8)
    burn = res.path["burn"]
    assert burn.index[burn > 0][0] == pd.Timestamp("2020-03-09")            # next Monday
    assert burn[burn > 0].tolist() == pytest.approx([3e7] * 10, rel=1e-12)
    assert res.path["coins"].iloc[-1] == pytest.approx(7e8, rel=1e-12)
    assert res.path["stress"].sum() == 10
    value = 0.5 + 0.45 * 1.1
    assert res.path["cost_usd"].sum() == pytest.approx(3e8 * value * 25e-4, rel=1e-12)
    assert res.settings["scenario"] == ["run:0.3:10d@2020-03-07"]


def test_growth_of_ten_percent_a_year_compounds_by_calendar_day() -> None:
    dates = pd.date_range("2019-01-01", "2020-01-01", freq="W-TUE", name="date")
    dates = dates.append(pd.DatetimeIndex(["2020-01-01"])).unique().sort_values()
    dates = pd.DatetimeIndex([pd.Timestamp("2019-01-01"), *dates[dates > "2019-01-01"]],
                             name="date")
    f = scenario_flows(Growth(0.10), dates, 1e9)
    assert f.coins[-1] == pytest.approx(1.1e9, rel=1e-12)             # 365 days later
    assert (f.burn == 0).all() and f.mint[0] == 0
    shrink = scenario_flows("growth:-10%", dates, 1e9)
    assert shrink.coins[-1] == pytest.approx(0.9e9, rel=1e-12)


def test_flows_combine_growth_run_and_schedule() -> None:
    dates = pd.bdate_range("2020-03-02", periods=10, name="date")
    sched = FlowSchedule.from_net(pd.Series([5.0, -3.0], index=pd.to_datetime(
        ["2020-03-07", "2020-03-13"])))          # Saturday -> Monday 03-09; Friday 03-13
    f = scenario_flows([sched, "run:0.5:2d@2020-03-10"], dates, 100.0)
    assert f.mint.tolist() == [0, 0, 0, 0, 0, 5.0, 0, 0, 0, 0]
    # the run takes half of the 105 coins outstanding before 03-10, over two days
    assert f.burn[6:8].tolist() == [26.25, 26.25] and f.burn[9] == 3.0
    assert f.coins[-1] == pytest.approx(100 + 5 - 52.5 - 3)
    assert f.labels == ("flows", "run:0.5:2d@2020-03-10")


def test_parse_scenario_and_rates() -> None:
    assert parse_scenario("run:30%:10d@2020-03-09") == Run(0.3, 10, pd.Timestamp("2020-03-09"))
    assert parse_scenario("RUN:0.3:10") == Run(0.3, 10)
    assert parse_scenario("none") is None
    assert parse_scenario(Growth(0.1)) == Growth(0.1)
    assert parse_rates("EUR=-0.5%, jpy=-0.001") == {"EUR": -0.005, "JPY": -0.001}
    assert parse_costs("USD=1, EUR=2.5") == {"USD": 1.0, "EUR": 2.5}
    assert parse_costs(3) == 3.0
    dates = pd.to_datetime(["2019-09-16", "2019-09-17", "2019-09-18", "2019-09-19"])
    series = pd.DataFrame({"EUR": [-0.004, np.nan, -0.005], "USD": [0.02, 0.019, np.nan]},
                          index=pd.to_datetime(["2019-09-01", "2019-09-17", "2019-09-18"]))
    out = align_rates(series, pd.DatetimeIndex(dates), ["USD", "EUR"])
    assert out.tolist() == [[0.02, -0.004], [0.019, -0.004], [0.019, -0.005], [0.019, -0.005]]


# ----------------------------------------------------------------------------- files
def test_load_rates_wide_percent_and_long_layouts() -> None:
    wide = load_rates(FIXTURES / "rates_policy_2019_2020.csv")
    assert list(wide.columns) == ["USD", "EUR", "JPY", "GBP", "SGD"]
    assert wide.loc["2019-09-18", "EUR"] == -0.005 and math.isnan(wide.loc["2019-09-18", "USD"])
    assert wide.loc["2020-03-16", "USD"] == 0.00125
    long = load_rates(FIXTURES / "rates_long.csv")
    assert long.iloc[0].to_dict() == parse_rates(LIBRA_RATES)


def test_load_flows_net_and_gross() -> None:
    net = load_flows(FIXTURES / "flows_net.csv")
    assert net.label == "flows:flows_net.csv"
    assert net.burn.sum() == 2.7e8 and net.mint.sum() == 3e7
    gross = load_flows(FIXTURES / "flows_gross.csv")
    assert gross.mint.tolist() == [1e7, 0, 5e6] and gross.burn.tolist() == [6e7, 1e8, 0]
    assert isinstance(load_scenario(f"flows:{FIXTURES / 'flows_net.csv'}"), FlowSchedule)


def test_rates_file_applies_each_rate_from_its_date() -> None:
    """EUR -0.40% accrues on 09-17 -> 09-18 (rate in force on 09-17), -0.50% from 09-18.

    Reference: holdings = coins x units_EUR with units_EUR = 0.18 / P_EUR(2019-06-18), priced
    from the raw ECB panel loaded here (load_fx), not from the simulation.
    """
    from basket.data import load_fx

    res = reserve("libra-2019", "2019-09-16", "2019-09-20", episodes=False,
                  rates_file=FIXTURES / "rates_policy_2019_2020.csv")
    base = load_fx(["EUR"], "2019-06-18", "2019-06-18").iloc[0, 0]
    fx = load_fx(["EUR"], "2019-09-16", "2019-09-20")["EUR"]
    u_eur = 0.18 / base
    assert res.income.loc["2019-09-18", "EUR"] == pytest.approx(
        1e9 * u_eur * -0.004 / 360 * fx["2019-09-18"], rel=1e-12)
    assert res.income.loc["2019-09-19", "EUR"] == pytest.approx(
        1e9 * u_eur * -0.005 / 360 * fx["2019-09-19"], rel=1e-12)
    assert res.income.loc["2019-09-20", "USD"] == pytest.approx(1e9 * 0.5 * 0.01875 / 360,
                                                                rel=1e-12)
    assert res.settings["rates"] == "time series"


def test_reserve_api_libra_late_2019_negative_contributions() -> None:
    res = reserve("libra-2019", "2019-09-02", "2020-06-30", rates=LIBRA_RATES,
                  scenario=f"flows:{FIXTURES / 'flows_net.csv'}", episodes=False)
    assert res.path.index[-1] == pd.Timestamp("2020-06-30")
    # the Saturday flow of the file is applied on Monday 2020-03-16 with that day's +3e7
    assert res.path.loc["2020-03-16", "mint"] == 3e7 and res.path.loc["2020-03-16", "burn"] == 2e7
    inc = res.income.sum()
    assert inc["EUR"] < 0 and inc["JPY"] < 0 and inc["USD"] > 0
    assert res.summary()["min_coverage"] == 1.0
    assert list(res.reserve_value.columns) == ["USD", "EUR", "JPY", "GBP", "SGD"]
    np.testing.assert_allclose(res.reserve_value["USD"], res.path["reserve_usd"], rtol=1e-15)
    assert "EUR" in res._repr_html_() or "Reserve" in res._repr_html_()


def test_episode_run_costs_bounded_by_stress_cost_times_run() -> None:
    # With zero rates, the run's cost is 30% x 25 bp of the reserve, scaled by the coin's value
    # on the run days relative to the first day: bounded by the min and max of that ratio.
    eps = [("covid-dash-for-cash-2020", "March 2020", "2020-03-06", "2020-03-23"),
           ("before-the-data", "1990", "1990-01-01", "1990-02-01")]
    table, notes = episode_run_costs(
        "libra-2019", "run:0.3:10d", episodes=eps, rates=dict.fromkeys(
            ["USD", "EUR", "JPY", "GBP", "SGD"], 0.0), stress_cost_bps=25.0)
    assert list(table.index) == ["covid-dash-for-cash-2020"]
    assert any("before-the-data skipped" in n for n in notes)
    row = table.loc["covid-dash-for-cash-2020"]
    res = reserve("libra-2019", "2020-03-06", "2020-03-23", rates=LIBRA_RATES, episodes=False)
    ratio = res.path["basket_usd"].iloc[:10] / res.path["basket_usd"].iloc[0]
    assert 0.3 * 25 * ratio.min() <= row["cost_bps"] <= 0.3 * 25 * ratio.max()
    assert row["min_coverage"] < 1.0 and row["buffer_used_usd"] == 0.0   # no buffer: reserve pays
    assert row["redeemed_coins"] == pytest.approx(3e8)
    shipped = [e[0] for e in list_reserve_episodes()]
    assert "lehman-2008" in shipped


def test_reserve_result_to_dict_is_json_and_has_no_nan() -> None:
    fx = frame(pd.bdate_range("2020-03-02", periods=6), {"USD": 1.0, "EUR": 1.1})
    res = simulate_reserve(fx, {"USD": 0.5, "EUR": 0.45}, {"USD": 0.01, "EUR": -0.005},
                           scenario="run:1:2d@2020-03-03", buffer=10.0)
    assert res.path["coins"].iloc[-1] == 0 and not res.to_frame().isna().any().any()
    assert (res.path.loc["2020-03-04":, "coverage"] == 1.0).all()   # nothing owed
    payload = json.loads(json.dumps(res.to_dict()))
    assert payload["summary"]["min_coverage_date"] == "2020-03-02"
    assert payload["settings"]["policy"] == "buffer"
    assert "ReserveResult(basket='basket'" in repr(res)


# ----------------------------------------------------------------------------- error paths
def _fx() -> pd.DataFrame:
    return frame(pd.bdate_range("2020-03-02", periods=5), {"USD": 1.0, "EUR": 1.1})


U2 = {"USD": 0.5, "EUR": 0.45}
R2 = {"USD": 0.01, "EUR": -0.005}


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"scenario": "run:1.3:2d"}, SimulationError, "redeems more coins than are outstanding"),
        ({"scenario": Run(0.2, 9)}, SimulationError, "needs 9 valuation days"),
        ({"scenario": "run:0.2:1d@2021-01-01"}, SimulationError, "starts after the last date"),
        ({"cost_bps": -1.0}, SpecError, r"cost_bps is -1 bp; costs must be >= 0 basis points"),
        ({"cost_bps": {"USD": 1.0, "EUR": -2.0}}, SpecError,
         r"cost_bps for EUR is -2 bp; costs must be between 0 and 10,000 basis points"),
        ({"stress_cost_bps": {"USD": 1.0}}, SpecError, "no value for EUR"),
        ({"policy": "keep"}, SpecError, "unknown policy 'keep'"),
        ({"day_count": "30/360"}, SpecError, "unknown day count '30/360'"),
        ({"securities_share": 1.2}, SpecError, "securities_share is 1.2; it must be <= 1"),
        ({"coins": -5.0}, SpecError, "coins is -5; it must be >= 0"),
        ({"scenario": "panic"}, SpecError, "unknown scenario 'panic'"),
        ({"scenario": "growth:abc"}, SpecError, "growth rate 'abc' is not a number"),
        ({"numeraires": ["CHF"]}, DataError, "no rates for numeraire CHF"),
    ],
)
def test_bad_options_raise_one_line_errors(kwargs: dict, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern) as info:
        simulate_reserve(_fx(), U2, R2, **kwargs)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("rates", "pattern"),
    [
        ({"USD": 0.01, "EUR": -0.005, "CHF": 0.0}, r"CHF is not in the basket \(USD, EUR\)"),
        ({"USD": 0.01}, r"no rate for EUR; .*not taken as zero"),
        ({"USD": 0.01, "EUR": -0.5}, r"EUR rate -0.5 is outside -0.1 to 1 a year; rates are decimals"),
        ({"USD": 0.01, "EUR": float("nan")}, "NaN or infinite"),
        (pd.DataFrame({"USD": [0.01], "EUR": [0.0]}, index=pd.to_datetime(["2020-03-04"])),
         r"no USD rate on or before 2020-03-02 \(its first is 2020-03-04\)"),
        (np.array([0.01]), r"shape \(2,\) or \(5, 2\)"),
    ],
)
def test_bad_rates_raise_data_errors(rates: object, pattern: str) -> None:
    with pytest.raises(DataError, match=pattern):
        simulate_reserve(_fx(), U2, rates)


def test_flows_burning_more_than_outstanding_raise() -> None:
    dates = pd.bdate_range("2020-03-02", periods=5)
    with pytest.raises(SimulationError, match="flows on 2020-03-03 burn more coins than are"):
        scenario_flows(FlowSchedule.from_net(pd.Series([-1.0], index=[dates[1]])), dates, 0.5)
    # through the public function too: a schedule burning more than is outstanding after the
    # day's mint is refused with one line, not simulated as an unpaid redemption
    over = FlowSchedule(pd.Series([5.0], index=[dates[2]]), pd.Series([105.5], index=[dates[2]]))
    pattern = (r"flows on 2020-03-04 burn more coins than are outstanding "
               r"\(105\.5 burned, 105 outstanding after the day's mint\)")
    with pytest.raises(SimulationError, match=pattern) as info:
        simulate_reserve(frame(dates, {"USD": 1.0}), {"USD": 1.0}, {"USD": 0.0}, coins=100.0,
                         scenario=over)
    assert "\n" not in str(info.value)
    with pytest.raises(SimulationError, match="at most 1"):
        Run(1.01, 3)
    with pytest.raises(SpecError, match="whole number of days"):
        Run(0.5, 0)
    with pytest.raises(SpecError, match="run start 'soon' is not a date"):
        Run(0.5, 2, "soon")


def test_flows_outside_the_dates_raise() -> None:
    sched = FlowSchedule.from_net(pd.Series([-1.0], index=pd.to_datetime(["2021-01-04"])),
                                  "flows:late.csv")
    with pytest.raises(DataError, match=r"flows:late\.csv: a flow on 2021-01-04 is outside"):
        simulate_reserve(_fx(), U2, R2, scenario=sched)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("date,coins\n2020-03-09,-5\n2020-13-01,-1\n",
         r"flows.csv line 3: date '2020-13-01' is not an ISO date"),
        ("date,coins\n03/09/2020,-5\n", r"line 2: date '03/09/2020' is not an ISO date"),
        ("date,coins\n2020-03-09,-5\n2020-03-09,1\n", r"line 3: date 2020-03-09 already has"),
        ("date,coins\n2020-03-09,lots\n", r"line 2: coins 'lots' is not a number"),
        ("date,mint,burn\n2020-03-09,1,-5\n", r"line 2: burn '-5' must be a finite number >= 0"),
        ("day,coins\n2020-03-09,1\n", r"line 1: header 'day,coins' is not 'date,coins'"),
        ("date,coins\n", r"line 1: no flows after the header"),
        ("", r"line 1: the file is empty"),
        ("date,coins\n2020-03-09,1,2\n", r"line 2: 3 fields but the header has 2"),
    ],
)
def test_bad_flows_files(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "flows.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=pattern):
        load_flows(path)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("date,EUR\n2019-09-31,-0.5%\n", r"rates.csv line 2: date '2019-09-31' is not an ISO"),
        ("date,EUR\n2019-09-02,minus\n", r"line 2: EUR rate 'minus' is not a number"),
        ("date,EUR\n2019-09-02,1\n2019-09-02,2\n", r"line 3: date 2019-09-02 already has a row"),
        ("date,EUX1\n2019-09-02,1\n", r"line 1: "),
        ("EUR,JPY\n-0.1,0\n", r"line 1: the header needs one 'date' column"),
        ("date,currency,rate\n2019-09-02,EUR,1\n2019-09-02,EUR,2\n",
         r"line 3: EUR on 2019-09-02 already has a rate on line 2"),
    ],
)
def test_bad_rates_files(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=pattern):
        load_rates(path)


def test_missing_files_and_rates_given_twice() -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_rates("no/such/rates.csv")
    with pytest.raises(SpecError, match="not both or neither"):
        reserve("libra-2019", rates=LIBRA_RATES, rates_file=FIXTURES / "rates_long.csv")
    with pytest.raises(SpecError, match="not both or neither"):
        reserve("libra-2019")
    with pytest.raises(DataError, match="is not CODE=RATE"):
        parse_rates("EUR-0.005")
    with pytest.raises(SpecError, match="is not a USD amount"):
        reserve("libra-2019", "2019-09-02", "2019-09-30", rates=LIBRA_RATES, buffer="lots",
                episodes=False)
    with pytest.raises(SpecError, match="not a number of basis points"):
        parse_costs("cheap")


# ----------------------------------------------------------------------------- purity and plots
def test_core_module_imports_no_io_or_ui() -> None:
    import subprocess

    code = ("import sys, basket.treasury.model, basket.treasury.flows; "
            "print([m for m in ('basket.data', 'basket.cli', 'typer', 'rich', 'yfinance', "
            "'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_package_exports_the_reserve_function() -> None:
    import basket

    assert callable(basket.reserve) and basket.reserve.__module__ == "basket.treasury.api"
    assert basket.simulate_reserve is simulate_reserve
    assert basket.ReserveResult is ReserveResult


def test_save_reserve_figure(tmp_path: Path) -> None:
    from basket.plot.treasury import save_reserve_figure

    res = simulate_reserve(_fx(), U2, R2, scenario="run:0.2:2d", cost_bps=5)
    out = save_reserve_figure(res, tmp_path / "reserve.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(OutputError, match=r"use a \.png, \.svg or \.pdf file name"):
        save_reserve_figure(res, tmp_path / "reserve.gif")


# ----------------------------------------------------------------------------- CLI
def cli(*args: str):
    return runner.invoke(app, ["reserve", *args])


def one_line_error(result, pattern: str) -> None:
    assert result.exit_code == 1, result.output
    err = result.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert "Traceback" not in result.output
    assert re.search(pattern, err), err


def test_cli_help() -> None:
    result = runner.invoke(app, ["reserve", "--help"])
    assert result.exit_code == 0
    for option in ("--rates", "--rates-file", "--scenario", "--coins", "--securities-share",
                   "--cost-bps", "--opex-bps", "--policy", "--day-count", "--plot"):
        assert option in result.output


def test_cli_table_json_csv_and_plot(tmp_path: Path) -> None:
    args = ["--rates", LIBRA_RATES, "--start", "2019-09-02", "--end", "2020-03-31",
            "--scenario", "run:0.3:10d@2020-03-09", "--cost-bps", "1", "--stress-cost-bps", "10",
            "--buffer", "0.5%"]
    table = cli(*args, "--no-episodes", "--plot", str(tmp_path / "r.png"))
    assert table.exit_code == 0, table.output
    assert "lowest coverage" in table.output and "income from EUR, USD" in table.output
    assert (tmp_path / "r.png").exists()
    js = cli(*args, "--format", "json")
    assert js.exit_code == 0, js.output
    payload = json.loads(js.stdout)
    assert payload["summary"]["coins_end"] == pytest.approx(7e8)
    assert "covid-dash-for-cash-2020" in payload["episodes"]
    csv_out = cli(*args, "--no-episodes", "--format", "csv", "--output", str(tmp_path / "p.csv"))
    assert csv_out.exit_code == 0, csv_out.output
    daily = pd.read_csv(tmp_path / "p.csv", index_col=0, parse_dates=True)
    assert daily["burn"].sum() == pytest.approx(3e8)
    assert "reserve_in_JPY" in daily.columns
    # csv carries what json carries: summary, settings, episodes and notes in one tidy frame
    tidy = pd.read_csv(StringIO(csv_out.stdout), keep_default_na=False)
    assert list(tidy.columns) == ["part", "episode", "figure", "value"]
    summary = tidy[tidy.part == "summary"].set_index("figure")["value"]
    assert float(summary["coins_end"]) == pytest.approx(payload["summary"]["coins_end"])
    assert set(tidy.part) >= {"summary", "setting"}


def test_cli_rates_file_and_flows_file() -> None:
    result = cli("--rates-file", str(FIXTURES / "rates_policy_2019_2020.csv"), "--start",
                 "2019-09-02", "--end", "2020-03-31", "--scenario",
                 f"flows:{FIXTURES / 'flows_net.csv'}", "--no-episodes", "--format", "json",
                 "--policy", "payout", "--day-count", "act/365")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["settings"]["day_count"] == "act/365"
    assert payload["settings"]["scenario"] == ["flows:flows_net.csv"]


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["--rates", LIBRA_RATES, "--scenario", "run:1.3:10d"], "redeems more coins"),
        (["--rates", LIBRA_RATES, "--cost-bps", "-1"], "cost_bps is -1; it must be at least 0"),
        (["--rates", LIBRA_RATES + ",CHF=0"], "CHF is not in the basket"),
        (["--rates", "USD=0.01"], "no rate for EUR, JPY, GBP, SGD"),
        (["--rates", LIBRA_RATES, "--scenario", f"flows:{FIXTURES / 'flows_bad_date.csv'}"],
         r"flows_bad_date.csv line 3: date '2020-13-01' is not an ISO date"),
        (["--rates", LIBRA_RATES, "--policy", "hoard"], "unknown policy 'hoard'"),
        (["--rates", LIBRA_RATES, "--plot", "chart.gif"], r"use a .png, .svg or .pdf file name"),
        ([], "not both or neither"),
    ],
)
def test_cli_errors_exit_nonzero_with_one_line(args: list[str], pattern: str) -> None:
    result = cli(*args, "--start", "2019-09-02", "--end", "2019-12-31", "--no-episodes")
    one_line_error(result, pattern)


def test_cli_bad_format_is_a_usage_error() -> None:
    result = cli("--rates", LIBRA_RATES, "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of table, json, csv" in result.stderr
