"""Contract of the reserve model (basket.treasury.model): hand-computed days, both day-loop
kernels, edge values of the settlement, the shape of the results and every validation message.

References, all independent of the code under test:

* a four-day-and-one reserve worked out by hand below (interest = holding x rate x calendar
  days / 360 at the previous date's rate, operating cost = value x bp x days / 360, trading cost
  = coins traded x sum_c u_c P_c bp_c / 1e4, settlement as the module docstring states), run
  through the plain-Python kernel (one path: a DataFrame or a (T, n) array) and the vectorised
  kernel ((P, T, n) array) alike;
* the module docstring's settlement rules on edge values: income exactly equal to the shortfall
  restores *exactly* full backing, a redemption of everything leaves nothing unpaid, no amount
  that is never negative is ever reported as ``-0.0`` (``-0.0`` prints as ``-0`` in the CLI's
  CSV and JSON, i.e. as a negative amount);
* the ``_dots`` docstring: a weight with at most 8 distinct rows is one matrix-vector product
  per row, more than 8 one contraction; the same product done here path by path;
* the messages are the one-line errors the CLI prints, matched whole.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from basket.errors import DataError, SpecError
from basket.treasury import model
from basket.treasury.flows import FlowSchedule, Run
from basket.treasury.model import _kernel_numpy, _kernel_python, simulate_reserve
from basket.treasury.results import ReservePaths, ReserveResult

# ----------------------------------------------------------------------------- the hand case
DATES = pd.DatetimeIndex(["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07", "2020-01-08"])
"""Thursday, Friday, Monday (3 calendar days after Friday), Tuesday, Wednesday."""
EUR = [1.25, 1.25, 1.5, 1.0, 1.0]          # USD per euro; USD is 1
UNITS = {"USD": 0.5, "EUR": 0.4}           # coin value V = 1.0, 1.0, 1.1, 0.9, 0.9
RATES = {"USD": 0.09, "EUR": -0.01}        # securities
CASH = {"USD": 0.0, "EUR": -0.01}          # cash: blended USD rate 0.8 x 0.09 = 0.072
COSTS = {"USD": 1.0, "EUR": 3.0}
STRESS = {"USD": 50.0, "EUR": 100.0}


def hand_case(policy: str) -> dict[str, list[float]]:
    """The reserve of the hand case, day by day, written out (coins0 1000, buffer 0.25 USD,
    opex 36 bp, 100 coins minted on Friday, a one-day run of 25% on Tuesday)."""
    b0 = 0.25
    # per coin backed: interest (u_c x blended_c x P_c(t) x days / 360) less opex
    # (V_t x 36e-4 x days / 360), the previous date's amounts and rates
    g1 = (0.5 * 0.072 * 1.0 + 0.4 * -0.01 * 1.25 - 1.0 * 0.0036) * 1 / 360
    g2 = (0.5 * 0.072 * 1.0 + 0.4 * -0.01 * 1.5 - 1.1 * 0.0036) * 3 / 360
    g3 = (0.5 * 0.072 * 1.0 + 0.4 * -0.01 * 1.0 - 0.9 * 0.0036) * 1 / 360
    f1 = 100 * (0.5 * 1.0 * 1.0 + 0.4 * 1.25 * 3.0) / 1e4      # mint 100 at 1 / 3 bp: 0.02
    f3 = 275 * (0.5 * 1.0 * 50.0 + 0.4 * 1.0 * 100.0) / 1e4    # burn 275 at stress bp: 1.7875
    income = [0.0, 1000 * 0.031 / 360, 1100 * 0.03 * 3 / 360, 1100 * 0.032 / 360]
    opex = [0.0, 1000 * 1.0 * 0.0036 / 360, 1100 * 1.1 * 0.0036 * 3 / 360,
            1100 * 0.9 * 0.0036 / 360]
    # day 0: nothing accrues. Day 1: a gain, fully backed after the mint.
    x1 = 1000 * g1 - f1
    x2 = 1100 * g2                                                # day 2: a gain
    if policy == "buffer":
        paid = [0.0, 0.0, 0.0, 0.0, 0.0]
        b2 = b0 + x1 + x2
    else:                            # the buffer is at its initial level: gains are paid out
        paid = [0.0, x1, x2, 0.0, 0.0]
        b2 = b0
    x3 = 1100 * g3 - f3                                           # day 3: a loss
    drawn3 = b2                                                   # empties the buffer
    a3 = 825 - (-x3 - drawn3) / 0.9                               # the rest shrinks the reserve
    x4 = a3 * g3                                                  # day 4: income below the gap
    assert 0 < x4 < (825 - a3) * 0.9
    a4 = a3 + x4 / 0.9
    income.append(a3 * 0.032 / 360)
    opex.append(a3 * 0.9 * 0.0036 / 360)
    return {
        "coins": [1000.0, 1100.0, 1100.0, 825.0, 825.0],
        "backing": [1000.0, 1100.0, 1100.0, a3, a4],
        "buffer_usd": [b0, b2 - x2 if policy == "buffer" else b0, b2, 0.0, 0.0],
        "income_usd": income, "opex_usd": opex,
        "cost_usd": [0.0, f1, 0.0, f3, 0.0],
        "payout_usd": paid, "drawn_usd": [0.0, 0.0, 0.0, drawn3, 0.0],
        "unpaid_usd": [0.0] * 5,
        "eur_income": [0.0, 1000 * 0.4 * -0.01 * 1.25 / 360, 1100 * 0.4 * -0.01 * 1.5 * 3 / 360,
                       1100 * 0.4 * -0.01 * 1.0 / 360, a3 * 0.4 * -0.01 / 360],
    }


def hand_prices() -> pd.DataFrame:
    return pd.DataFrame({"USD": 1.0, "EUR": EUR}, index=DATES)


def run_hand(prices: object, policy: str, **kw: object) -> ReserveResult | ReservePaths:
    flows = [FlowSchedule(pd.Series([100.0], index=DATES[1:2]), pd.Series([], dtype=float,
                                                                          index=DATES[:0])),
             Run(0.25, 1, DATES[3])]
    return simulate_reserve(prices, UNITS, RATES, cash_rates=CASH, coins=1000.0, buffer=0.25,
                            opex_bps=36.0, cost_bps=COSTS, stress_cost_bps=STRESS,
                            scenario=flows, policy=policy, **kw)  # type: ignore[arg-type]


def assert_hand(p: ReservePaths, want: dict[str, list[float]], path: int | None) -> None:
    for key in ("coins", "backing", "buffer_usd", "income_usd", "opex_usd", "cost_usd",
                "payout_usd", "drawn_usd", "unpaid_usd"):
        got = getattr(p, key) if path is None or key == "coins" else getattr(p, key)[path]
        np.testing.assert_allclose(got, want[key], rtol=1e-12, atol=1e-15, err_msg=key)
        assert not np.signbit(got).any(), key                     # no -0.0 either
    value = [1.0, 1.0, 1.1, 0.9, 0.9]
    basket = p.basket_usd if path is None else p.basket_usd[path]
    np.testing.assert_allclose(basket, value, rtol=1e-15)
    np.testing.assert_allclose(p.reserve_usd if path is None else p.reserve_usd[path],
                               np.multiply(want["backing"], value), rtol=1e-12)


@pytest.mark.parametrize("policy", ["buffer", "payout"])
def test_both_kernels_reproduce_the_hand_computed_reserve(policy: str) -> None:
    want = hand_case(policy)
    res = run_hand(hand_prices(), policy)                          # one path: plain Python
    assert isinstance(res, ReserveResult)
    path = res.path
    for key in ("coins", "buffer_usd", "income_usd", "opex_usd", "cost_usd", "payout_usd",
                "drawn_usd", "unpaid_usd"):
        np.testing.assert_allclose(path[key], want[key], rtol=1e-12, atol=1e-15, err_msg=key)
        assert not np.signbit(path[key].to_numpy()).any(), key
    np.testing.assert_allclose(path["coverage"], np.divide(want["backing"], want["coins"]),
                               rtol=1e-12)
    np.testing.assert_allclose(res.income["EUR"], want["eur_income"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.income.sum(axis=1), want["income_usd"], rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(res.securities["EUR"], 0.8 * 0.4 * np.array(want["backing"]),
                               rtol=1e-12)
    np.testing.assert_allclose(res.cash["USD"], 0.2 * 0.5 * np.array(want["backing"]),
                               rtol=1e-12)
    px = hand_prices().to_numpy()
    one = run_hand(px, policy, dates=DATES, currencies=["USD", "EUR"])   # (T, n): plain Python
    assert isinstance(one, ReservePaths) and one.n_paths is None
    assert one.dates.equals(DATES) and one.currencies == ("USD", "EUR")
    assert_hand(one, want, None)
    many = run_hand(np.stack([px, px]), policy, dates=DATES, currencies=["USD", "EUR"])
    assert isinstance(many, ReservePaths) and many.n_paths == 2   # (P, T, n): vectorised
    assert many.dates.equals(DATES)
    for j in range(2):
        assert_hand(many, want, j)


# ----------------------------------------------------------------------------- settlement edges
def test_no_never_negative_amount_is_reported_as_minus_zero() -> None:
    # zero rates and costs: every day's net cash is exactly 0 (first day: nothing accrues)
    idx = pd.bdate_range("2020-01-02", periods=4)
    fx = pd.DataFrame({"USD": 1.0, "EUR": 1.1}, index=idx)
    flat = {"USD": 0.0, "EUR": 0.0}
    burn_all = FlowSchedule(pd.Series([], dtype=float, index=idx[:0]),
                            pd.Series([1e6], index=idx[2:3]))          # every coin redeemed
    for policy in ("buffer", "payout"):
        res = simulate_reserve(fx, UNITS, flat, coins=1e6, buffer=5.0, policy=policy,
                               scenario=burn_all)
        path = res.path
        assert path["coins"].tolist() == [1e6, 1e6, 0.0, 0.0]
        assert path["coverage"].tolist() == [1.0] * 4
        for key in ("buffer_usd", "drawn_usd", "payout_usd", "unpaid_usd", "reserve_usd"):
            col = path[key].to_numpy()
            assert not np.signbit(col).any(), (policy, key)
        assert path["buffer_usd"].tolist() == [5.0] * 4
        assert path["drawn_usd"].tolist() == [0.0] * 4
        cube = simulate_reserve(np.stack([fx.to_numpy()] * 3), UNITS, flat, dates=idx,
                                coins=1e6, buffer=5.0, policy=policy, scenario=burn_all)
        for key in ("buffer_usd", "drawn_usd", "payout_usd", "unpaid_usd", "backing"):
            assert not np.signbit(getattr(cube, key)).any(), (policy, key)


@pytest.mark.parametrize("payout", [False, True])
def test_redeeming_beyond_some_paths_reserve_leaves_the_others_whole(payout: bool) -> None:
    # 10 coins, no buffer. Day 0 (v = 1): path A loses 2 USD, B nothing, C 0.5 USD, so their
    # backing is 8, 10 and 9.5 coins. Day 1 (v = 2): 9.5 coins redeemed, nothing earned.
    g = np.array([[-0.2, 0.0, -0.05], [0.0, 0.0, 0.0]])
    f = np.zeros((2, 3))
    v = np.array([[1.0] * 3, [2.0] * 3])
    net, coins = np.array([0.0, -9.5]), np.array([10.0, 0.5])
    want_a = [[8.0, 10.0, 9.5], [0.0, 0.5, 0.0]]
    want_unpaid = [[0.0, 0.0, 0.0], [1.5 * 2.0, 0.0, 0.0]]     # A owes 1.5 coins at 2 USD
    a, b, paid, drawn, unpaid = _kernel_numpy(g, f, v, net, coins, 10.0, 0.0, payout)
    assert a.tolist() == want_a and unpaid.tolist() == want_unpaid
    assert b.tolist() == [[0.0] * 3] * 2 and paid.tolist() == [[0.0] * 3] * 2
    for arr in (a, b, paid, drawn, unpaid):
        assert not np.signbit(arr).any()
    for j in range(3):
        one = _kernel_python(g[:, j].tolist(), f[:, j].tolist(), v[:, j].tolist(),
                             net.tolist(), coins.tolist(), 10.0, 0.0, payout)
        assert one[0].tolist() == [row[j] for row in want_a]
        assert one[4].tolist() == [row[j] for row in want_unpaid]
        for arr in one:
            assert not np.signbit(arr).any()


@pytest.mark.parametrize("payout", [False, True])
def test_income_exactly_equal_to_the_shortfall_restores_exactly_full_backing(payout: bool
                                                                               ) -> None:
    # Day 0 loses 753.1 USD at v = 1 (no buffer): backing 246.9 coins of 1000. Day 1 earns
    # exactly the shortfall (1000 - 246.9) x v: backing is 1000 again, exactly (coverage 1).
    a1 = 1000.0 - 753.1
    vt = 1.4486
    gap = (1000.0 - a1) * vt
    g1 = gap / a1
    assert a1 * g1 == gap                                   # the day's income is the gap, exactly
    g = [-0.7531, g1]
    args = ([0.0, 0.0], [1.0, vt], [0.0, 0.0], [1000.0, 1000.0], 1000.0, 0.0, payout)
    py = _kernel_python(g, *args)  # type: ignore[arg-type]
    assert py[0].tolist() == [a1, 1000.0]
    assert py[1].tolist() == [0.0, 0.0] and py[2].tolist() == [0.0, 0.0]
    vec = _kernel_numpy(np.array(g)[:, None], *(np.array(x)[:, None] for x in args[:2]),
                        *(np.array(x) for x in args[2:4]), *args[4:])  # type: ignore[misc]
    assert vec[0][:, 0].tolist() == [a1, 1000.0]
    assert vec[1][:, 0].tolist() == [0.0, 0.0] and vec[2][:, 0].tolist() == [0.0, 0.0]


# ----------------------------------------------------------------------------- changing amounts
def test_changing_amounts_on_many_paths_settle_on_the_previous_backing() -> None:
    # Amounts change on days 1 and 2; 100 coins minted on day 1; zero rates; 10 bp to trade.
    idx = pd.DatetimeIndex(["2020-01-02", "2020-01-03", "2020-01-06"])
    units = pd.DataFrame({"USD": [0.5, 0.4, 0.3], "EUR": [0.4, 0.5, 0.6]}, index=idx)
    px = np.array([[1.0, 1.25], [1.0, 1.5], [1.0, 1.0]])
    mint = FlowSchedule(pd.Series([100.0], index=idx[1:2]), pd.Series([], dtype=float,
                                                                      index=idx[:0]))
    kw = {"dates": idx, "currencies": ["USD", "EUR"], "coins": 1000.0, "buffer": 100.0,
          "cost_bps": 10.0, "scenario": mint}
    # rebalancing: backing carried x (value at the new amounts - at the old ones), today's FX
    reb = [0.0, 1000 * ((0.4 + 0.5 * 1.5) - (0.5 + 0.4 * 1.5)), 1100 * ((0.3 + 0.6) - (0.4 + 0.5))]
    trade = [0.0, 1000 * (0.1 * 1.0 + 0.1 * 1.5) * 1e-3 + 100 * (0.4 + 0.5 * 1.5) * 1e-3,
             1100 * (0.1 * 1.0 + 0.1 * 1.0) * 1e-3]
    buffer = np.cumsum([100.0, -reb[1] - trade[1], -reb[2] - trade[2]])
    one = simulate_reserve(px, units, {"USD": 0.0, "EUR": 0.0}, **kw)  # type: ignore[arg-type]
    many = simulate_reserve(np.stack([px, px]), units, {"USD": 0.0, "EUR": 0.0},
                            **kw)  # type: ignore[arg-type]
    for got in (one.rebalance_usd, *many.rebalance_usd):
        np.testing.assert_allclose(got, reb, rtol=1e-12, atol=1e-12)
    for got in (one.cost_usd, *many.cost_usd):
        np.testing.assert_allclose(got, trade, rtol=1e-12)
    for got in (one.buffer_usd, *many.buffer_usd):
        np.testing.assert_allclose(got, buffer, rtol=1e-12)
    assert many.rebalance_usd.shape == (2, 3) and many.cost_usd.shape == (2, 3)
    assert one.backing.tolist() == [1000.0, 1100.0, 1100.0]


# ----------------------------------------------------------------------------- _dots
def per_path_products(px: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(T, P) by the documented plan, one path at a time: a weight with at most 8 distinct rows
    is one matrix-vector product per distinct row, with more it is one contraction."""
    rows = np.unique(w, axis=0)
    out = np.empty((px.shape[1], px.shape[0]))
    for p in range(px.shape[0]):
        if len(rows) > 8:
            out[:, p] = np.einsum("tn,tn->t", px[p], w)
        else:
            for r in rows:
                days = np.flatnonzero((w == r).all(axis=1))
                out[days, p] = (px[p] @ r)[days]
    return out


def test_products_follow_the_documented_plan_for_a_five_currency_basket() -> None:
    rng = np.random.default_rng(11)
    p, t, n = 3, 40, 5
    px = np.exp(rng.normal(0.0, 0.3, (p, t, n))) * np.array([1.0, 1.1, 0.009, 1.3, 0.7])
    u = rng.uniform(0.1, 30.0, n)
    scales = [np.ones(t), 1.0 + (np.arange(t) % 8) / 7.0, 1.0 + (np.arange(t) % 9) / 7.0]
    weights = [u * s[:, None] for s in scales]                    # 1, 8 and 9 distinct rows
    assert [len(np.unique(w, axis=0)) for w in weights] == [1, 8, 9]
    got = model._dots(px, weights)
    for g, w in zip(got, weights):
        assert g.shape == (t, p)
        assert np.array_equal(g, per_path_products(px, w))
    single = model._dots(np.ascontiguousarray(px[1]), weights)
    for s, w in zip(single, weights):
        assert np.array_equal(s, per_path_products(px[1:2], w)[:, 0])


# ----------------------------------------------------------------------------- results
def test_result_frames_are_labelled_and_valued_in_each_numeraire() -> None:
    idx = pd.DatetimeIndex(["2020-01-02", "2020-01-03"], name="Date")
    fx = pd.DataFrame({"USD": 1.0, "EUR": 1.25, "JPY": [0.008, 0.01],
                       "GBP": pd.Series([1.25, 1.6], index=idx, dtype=object)}, index=idx)
    res = simulate_reserve(fx, UNITS, {"USD": 0.0, "EUR": 0.0}, coins=1000.0,
                           numeraires=["eur", "JPY", "GBP"])
    assert res.path.index.name == "date" and res.income.index.name == "date"
    for frame in (res.securities, res.cash, res.income):
        assert frame.columns.name == "currency" and list(frame.columns) == ["USD", "EUR"]
    rv = res.reserve_value
    assert rv.columns.name == "numeraire" and list(rv.columns) == ["EUR", "JPY", "GBP"]
    assert (rv.dtypes == np.float64).all()
    # the reserve is 1000 coins x 1 USD: 800 euros, 125,000 then 100,000 yen, 800 / 625 pounds
    np.testing.assert_allclose(rv["EUR"], [800.0, 800.0], rtol=1e-15)
    np.testing.assert_allclose(rv["JPY"], [125_000.0, 100_000.0], rtol=1e-15)
    np.testing.assert_allclose(rv["GBP"], [800.0, 625.0], rtol=1e-15)
    assert res.securities.loc["2020-01-03", "EUR"] == pytest.approx(0.8 * 1000 * 0.4, rel=1e-15)


def test_object_and_float32_panels_give_the_float64_numbers() -> None:
    # the hand prices are exact in float32; an object column is what mixed-type reads give
    ref = run_hand(hand_prices(), "buffer")
    for panel in (hand_prices().astype(object), hand_prices().astype(np.float32)):
        got = run_hand(panel, "buffer")
        for name in ("path", "income", "securities", "cash", "reserve_value"):
            pd.testing.assert_frame_equal(getattr(got, name), getattr(ref, name),
                                          check_exact=True)
    arrays = run_hand(hand_prices().to_numpy(), "buffer", dates=DATES)
    for px in (hand_prices().astype(object).to_numpy(), hand_prices().to_numpy(np.float32)):
        paths = run_hand(px, "buffer", dates=DATES)
        for key in ("basket_usd", "backing", "buffer_usd", "income_usd", "cost_usd"):
            assert getattr(paths, key).dtype == np.float64
            np.testing.assert_allclose(getattr(paths, key), getattr(arrays, key), rtol=1e-15)


def test_a_single_valuation_date_is_a_valid_run_with_its_settings() -> None:
    fx = pd.DataFrame({"USD": [1.0], "EUR": [1.25]}, index=pd.DatetimeIndex(["2020-01-02"]))
    res = simulate_reserve(fx, UNITS, {"USD": 0.02, "EUR": -0.005}, coins=10.0,
                           cost_bps={"USD": 1.0, "EUR": 2.0}, stress_cost_bps=4.0)
    assert res.path["coins"].tolist() == [10.0] and res.path["coverage"].tolist() == [1.0]
    assert res.settings == {
        "coins": 10.0, "securities_share": 0.8,
        "cost_bps": {"USD": 1.0, "EUR": 2.0}, "stress_cost_bps": {"USD": 4.0, "EUR": 4.0},
        "opex_bps": 0.0, "buffer_usd": 0.0, "policy": "buffer", "day_count": "act/360",
        "rates": {"USD": 0.02, "EUR": -0.005}, "cash_rates": "same as rates", "scenario": [],
        "accrual": "calendar days between valuation dates, at the previous date's rate",
    }


def test_settings_record_every_assumption() -> None:
    res = run_hand(hand_prices(), "payout", day_count="act/365", securities_share=0.9)
    assert res.settings == {
        "coins": 1000.0, "securities_share": 0.9, "cost_bps": COSTS, "stress_cost_bps": STRESS,
        "opex_bps": 36.0, "buffer_usd": 0.25, "policy": "payout", "day_count": "act/365",
        "rates": RATES, "cash_rates": CASH, "scenario": ["flows", "run:0.25:1d@2020-01-07"],
        "accrual": "calendar days between valuation dates, at the previous date's rate",
    }
    # costs per date: the first date's are recorded
    cost = np.array([[1.0, 2.0]] + [[5.0, 6.0]] * 4)
    px = hand_prices().to_numpy()
    p = simulate_reserve(px, UNITS, RATES, dates=DATES, cost_bps=cost, stress_cost_bps=cost * 2)
    assert p.settings["cost_bps"] == {"USD": 1.0, "EUR": 2.0}
    assert p.settings["stress_cost_bps"] == {"USD": 2.0, "EUR": 4.0}


def test_currencies_name_the_array_columns_whatever_the_order_of_the_units() -> None:
    px = hand_prices().to_numpy()                                 # columns USD, EUR
    units_df = pd.DataFrame({"EUR": 0.4, "USD": 0.5}, index=DATES)
    for units in ({"EUR": 0.4, "USD": 0.5}, units_df):
        p = simulate_reserve(px, units, RATES, dates=DATES, currencies=["usd", "eur"])
        assert p.currencies == ("USD", "EUR")
        np.testing.assert_allclose(p.basket_usd, [1.0, 1.0, 1.1, 0.9, 0.9], rtol=1e-15)
    ok = simulate_reserve(hand_prices(), {"USD": 1.0, "EUR": 0.0}, RATES)   # a zero amount
    np.testing.assert_allclose(ok.path["basket_usd"], 1.0, rtol=0)


# ----------------------------------------------------------------------------- messages
def raises(error: type[Exception], message: str) -> pytest.RaisesContext:  # type: ignore[type-arg]
    return pytest.raises(error, match="^" + re.escape(message) + "$")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"policy": "keep"}, SpecError, "unknown policy 'keep'; use one of buffer, payout"),
        ({"day_count": "30/360"}, SpecError,
         "unknown day count '30/360'; use one of act/360, act/365"),
        ({"securities_share": -0.1}, SpecError, "securities_share is -0.1; it must be >= 0"),
        ({"opex_bps": -1.0}, SpecError, "opex_bps is -1; it must be >= 0"),
        ({"opex_bps": 10_001.0}, SpecError, "opex_bps is 10001; it must be <= 10000"),
        ({"opex_bps": "1"}, SpecError, "opex_bps '1' is not a number"),
        ({"buffer": -1.0}, SpecError, "buffer (USD) is -1; it must be >= 0"),
        ({"buffer": 2e15}, SpecError, "buffer (USD) is 2e+15; it must be <= 1e+15"),
        ({"buffer": "1"}, SpecError, "buffer (USD) '1' is not a number"),
        ({"coins": 2e15}, SpecError, "coins is 2e+15; it must be <= 1e+15"),
        ({"stress_cost_bps": -1.0}, SpecError,
         "stress_cost_bps is -1 bp; costs must be >= 0 basis points"),
        ({"cash_rates": {"USD": 0.0}}, DataError,
         "cash rates: no rate for EUR; give one for every currency of the basket (a missing rate "
         "is not taken as zero)"),
        ({"rates": {"USD": 0.0}}, DataError,
         "rates: no rate for EUR; give one for every currency of the basket (a missing rate is "
         "not taken as zero)"),
        ({"numeraires": ["CHF", "NOK"]}, DataError,
         "the FX panel has no rates for numeraire CHF, NOK"),
        ({"numeraires": ["JPY"], "prices": hand_prices().assign(JPY=0.0)}, DataError,
         "FX rates for JPY must be positive and finite (USD per unit)"),
    ],
)
def test_bad_options_raise_the_whole_message(kwargs: dict, error: type[Exception],
                                             message: str) -> None:
    args = {"prices": hand_prices(), "units": UNITS, "rates": RATES, **kwargs}
    with raises(error, message):
        simulate_reserve(**args)


def test_options_are_checked_before_the_market_data() -> None:
    bad_panel = pd.DataFrame({"USD": [1.0, 1.0]})                 # no DatetimeIndex either
    with raises(SpecError, "coins is -5; it must be >= 0"):
        simulate_reserve(bad_panel, UNITS, RATES, coins=-5.0)
    with raises(SpecError, "securities_share is -0.1; it must be >= 0"):
        simulate_reserve(bad_panel, UNITS, RATES, securities_share=-0.1)


@pytest.mark.parametrize(
    ("bad", "where", "currency"),
    [(0.0, (2, 1), "EUR"), (-1.0, (3, 1), "EUR"), (np.inf, (1, 1), "EUR"),
     (np.nan, (4, 1), "EUR"), (0.0, (2, 0), "USD"), (np.inf, (0, 0), "USD")],
)
def test_fx_rates_must_be_positive_and_finite(bad: float, where: tuple[int, int],
                                              currency: str) -> None:
    message = f"FX rates for {currency} must be positive and finite (USD per unit)"
    panel = pd.DataFrame({"USD": 1.0, "EUR": [0.5, 0.8, 0.9, 0.6, 0.7]}, index=DATES)
    panel.iloc[where] = bad
    with raises(DataError, message):
        simulate_reserve(panel, UNITS, RATES)
    cube = np.stack([np.ones((5, 2)) * [1.0, 0.9], panel.to_numpy()])   # path 1 is the bad one
    # an object array is what ``to_numpy()`` gives of a panel read with mixed types
    for px in (panel.to_numpy(), cube, panel.astype(object).to_numpy(), cube.astype(object)):
        with raises(DataError, message):
            simulate_reserve(px, UNITS, RATES, dates=DATES, currencies=["USD", "EUR"])


def test_market_data_messages() -> None:
    px = hand_prices()
    with raises(DataError, "prices need a DatetimeIndex of valuation dates"):
        simulate_reserve(px.reset_index(drop=True), UNITS, RATES)
    with raises(SpecError, "prices given as an array need dates=[...] (one per row)"):
        simulate_reserve(px.to_numpy(), UNITS, RATES, currencies=["USD", "EUR"])
    with raises(DataError, "no valuation dates; widen the date range"):
        simulate_reserve(px.iloc[:0], UNITS, RATES)
    with raises(DataError, "valuation dates must be sorted and unique"):
        simulate_reserve(px.iloc[[1, 0, 2]], UNITS, RATES)
    with raises(DataError, "valuation dates must be sorted and unique"):
        simulate_reserve(px.iloc[[0, 1, 1]], UNITS, RATES)
    with raises(DataError, "valuation dates must be tz-naive calendar dates"):
        simulate_reserve(px.tz_localize("UTC"), UNITS, RATES)
    with raises(DataError, "the FX panel has no column for GBP, JPY"):
        simulate_reserve(px, {**UNITS, "GBP": 0.1, "JPY": 10.0}, RATES)
    with raises(DataError, "prices must have shape (5, 2) or (P, 5, 2); got (4, 2)"):
        simulate_reserve(px.to_numpy()[:4], UNITS, RATES, dates=DATES)
    with raises(DataError, "prices must have shape (5, 2) or (P, 5, 2); got (5, 2, 1)"):
        simulate_reserve(px.to_numpy()[:, :, None], UNITS, RATES, dates=DATES)


def test_units_messages() -> None:
    px = hand_prices()
    frame = pd.DataFrame({"USD": 0.5, "EUR": 0.4}, index=DATES)
    shifted = frame.set_axis(DATES + pd.Timedelta(days=1))
    every = "units must be finite, >= 0, and not all zero on any date"
    with raises(SpecError, "units: a DataFrame of units must be indexed by the valuation dates"):
        simulate_reserve(px, shifted, RATES)
    with raises(SpecError, "units: a DataFrame of units must be indexed by the valuation dates"):
        simulate_reserve(px, frame.iloc[:4], RATES)
    with raises(SpecError, "units: no amount for EUR, JPY"):
        simulate_reserve(px, {"USD": 1.0}, RATES, currencies=["USD", "EUR", "JPY"])
    with raises(SpecError, "units of EUR 'x' is not a number"):
        simulate_reserve(px, {"USD": 1.0, "EUR": "x"}, RATES)
    with raises(SpecError, "units given as an array need currencies=[...] to name them"):
        simulate_reserve(px, np.array([0.5, 0.4]), RATES)
    with raises(SpecError, "units must have shape (2,) or (5, 2)"):
        simulate_reserve(px, np.array([0.5, 0.4, 0.1]), RATES, currencies=["USD", "EUR"])
    for units in ({"USD": 1.0, "EUR": -0.1}, np.array([1.0, np.nan]), np.array([np.inf, 0.4]),
                  {"USD": 0.0, "EUR": 0.0}, frame.assign(EUR=[0.4, 0.4, np.nan, 0.4, 0.4]),
                  frame.assign(USD=[0.5, 0.0, 0.5, 0.5, 0.5], EUR=[0.4, 0.0, 0.4, 0.4, 0.4])):
        with raises(SpecError, every):
            simulate_reserve(px, units, RATES, currencies=["USD", "EUR"])
