"""SimulationResult.price_paths: the kept paths' prices as one array, handed to the reserve.

Reference: the per-currency frames of ``path_prices`` (the result's own record of the kept
paths), and the reserve's coverage identity (a reserve holding the basket's amounts is always
fully backed, whatever the prices: tests/treasury/test_reserve.py proves it by hand).
"""

from __future__ import annotations

import numpy as np
import pytest

import basket
from basket.errors import SimulationError


@pytest.fixture(scope="module")
def sim():
    return basket.simulate("libra-2019", n_paths=64, horizon=10, keep_paths=7, seed=11,
                           numeraires=["USD", "EUR", "CHF"], method="bootstrap")


def test_shape_order_and_values(sim) -> None:
    prices, dates, currencies = sim.price_paths()
    assert currencies == ("USD", "EUR", "JPY", "GBP", "SGD")  # the holdings, not CHF
    assert prices.shape == (7, 11, 5) and prices.dtype == np.float64
    assert len(dates) == 11 and dates[0] == sim.start and dates[1:].equals(sim.dates)
    for j, c in enumerate(currencies):
        np.testing.assert_array_equal(prices[:, :, j], sim.path_prices[c].to_numpy().T)
    np.testing.assert_array_equal(prices[:, :, 0], 1.0)  # USD per USD
    chosen = sim.price_paths(["chf", "EUR"])
    assert chosen.currencies == ("CHF", "EUR")
    np.testing.assert_array_equal(chosen.prices[:, :, 1], prices[:, :, 1])


def test_paths_feed_the_reserve(sim) -> None:
    prices, dates, currencies = sim.price_paths()
    units = basket.backtest("libra-2019").units.iloc[-1][list(currencies)]
    rates = dict.fromkeys(currencies, 0.0)
    paths = basket.simulate_reserve(prices, units, rates, dates=dates, coins=1e6)
    assert paths.n_paths == 7
    np.testing.assert_allclose(paths.coverage, 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(paths.basket_usd, prices @ units.to_numpy(), rtol=1e-12)


def test_errors(sim) -> None:
    none_kept = basket.simulate("libra-2019", n_paths=10, horizon=3, seed=1)
    with pytest.raises(SimulationError, match="keep_paths=N"):
        none_kept.price_paths()
    with pytest.raises(SimulationError, match="currency NOK was not simulated; choose from USD"):
        sim.price_paths(["USD", "NOK"])
    with pytest.raises(SimulationError, match="was not simulated"):
        sim.price_paths([])
