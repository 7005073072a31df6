"""The VAR behind connectedness: against the truth, against statsmodels, and bad input.

References, each independent of the code under test:

* **the truth**: a VAR(1) simulated here with known coefficients ``A`` and error covariance
  ``Sigma``; its connectedness is computed in this file from the textbook formula (Pesaran and
  Shin 1998, normalised as in Diebold and Yilmaz 2012) with ``A^h`` as matrix powers and loops;
* **statsmodels** ``VAR(window).fit(p)`` on a window, against the batched rolling solve;
* log returns recomputed with pandas from the panel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import basket
from basket.connectedness.estimation import estimate_spillover, fit_var, rolling_var, select_lags
from basket.connectedness.variables import currency_variables, min_observations
from basket.errors import DataError, SpecError

# --------------------------------------------------------------------------- the truth
A_TRUE = np.array([[0.30, 0.15, -0.10], [0.20, 0.25, 0.10], [-0.05, 0.30, 0.20]])
SIGMA_TRUE = np.array([[1.0, 0.4, 0.2], [0.4, 1.5, -0.3], [0.2, -0.3, 0.8]])
N_SIM = 100_000


def textbook_shares(a: np.ndarray, sigma: np.ndarray, horizon: int) -> np.ndarray:
    """Diebold-Yilmaz (2012) eq. (2)-(3) for a VAR(1), written out term by term, in percent."""
    n = len(sigma)
    theta = np.zeros((n, n))
    for i in range(n):
        mse = 0.0
        for h in range(horizon):
            ah = np.linalg.matrix_power(a, h)
            mse += ah[i] @ sigma @ ah[i]
            for j in range(n):
                theta[i, j] += (ah[i] @ sigma[:, j]) ** 2 / sigma[j, j]
        theta[i] /= mse
    return 100.0 * theta / theta.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    rng = np.random.default_rng(20120101)
    shocks = rng.multivariate_normal(np.zeros(3), SIGMA_TRUE, size=N_SIM + 500)
    y = np.zeros_like(shocks)
    for t in range(1, len(y)):
        y[t] = A_TRUE @ y[t - 1] + shocks[t]
    return pd.DataFrame(y[500:], columns=["EUR", "JPY", "GBP"])


def test_against_the_truth(simulated: pd.DataFrame) -> None:
    # Tolerance: with 100,000 draws the sampling error of a share is about 0.1-0.2 points
    # (20 seeds: the largest of the nine pairwise errors averaged 0.28, at most 0.62; the total's
    # error had a standard deviation of 0.14). 1.0 point pairwise and 0.6 for the total are
    # over four standard errors, yet far below the shares' differences.
    truth = textbook_shares(A_TRUE, SIGMA_TRUE, 10)
    total_truth = (truth.sum() - np.trace(truth)) / 3
    res = estimate_spillover(simulated, horizon=10)
    assert res.lags == 1, res.lag_selection                 # BIC finds the true order
    np.testing.assert_allclose(res.shares.to_numpy(), truth, atol=1.0)
    assert res.total == pytest.approx(total_truth, abs=0.6)
    net_truth = truth.sum(axis=0) - truth.sum(axis=1)
    np.testing.assert_allclose(res.net.to_numpy(), net_truth, atol=1.5)


def test_permuting_currencies_permutes_the_table(simulated: pd.DataFrame) -> None:
    sample = simulated.iloc[:3000]
    res = estimate_spillover(sample, lags=2)
    order = ["GBP", "EUR", "JPY"]
    perm = estimate_spillover(sample[order], lags=2)
    pd.testing.assert_frame_equal(perm.shares, res.shares.loc[order, order], rtol=1e-9)
    assert perm.total == pytest.approx(res.total, rel=1e-12)
    pd.testing.assert_series_equal(perm.net, res.net[order], rtol=1e-9, atol=1e-9)


# --------------------------------------------------------------------------- rolling
@pytest.fixture(scope="module")
def libra_returns() -> pd.DataFrame:
    fx = basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD"], "2015-01-01", "2018-12-31")
    return currency_variables(fx, ["EUR", "JPY", "GBP", "SGD"], "USD")


@pytest.mark.parametrize("lags", [1, 3])
def test_rolling_least_squares_equals_statsmodels_on_each_window(libra_returns: pd.DataFrame,
                                                                 lags: int) -> None:
    # Reference: statsmodels' VAR fitted afresh on the window. Tolerance 1e-9 relative: the
    # batched solve uses centred normal equations, statsmodels a least-squares solve.
    values = libra_returns.to_numpy()
    window = 200
    rv = rolling_var(values, lags, window)
    assert rv.coefs.shape == (len(values) - window + 1, lags, 4, 4)
    for k in (0, 311, len(values) - window):
        fit = fit_var(values[k:k + window], lags)
        np.testing.assert_allclose(rv.coefs[k], fit.coefs, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(rv.intercept[k], fit.intercept, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(rv.sigma[k], fit.sigma, rtol=1e-9, atol=1e-18)


def test_rolling_index_equals_a_full_fit_on_the_window(libra_returns: pd.DataFrame) -> None:
    window = 150
    res = estimate_spillover(libra_returns, lags=2, window=window)
    assert res.rolling is not None and res.rolling_net is not None
    assert len(res.rolling) == len(libra_returns) - window + 1
    assert res.rolling.index[0] == libra_returns.index[window - 1]
    for k in (0, 500, len(libra_returns) - window):
        part = libra_returns.iloc[k:k + window]
        alone = estimate_spillover(part, lags=2)
        assert res.rolling.loc[part.index[-1]] == pytest.approx(alone.total, rel=1e-9)
        np.testing.assert_allclose(res.rolling_net.loc[part.index[-1]], alone.net, atol=1e-8)


# --------------------------------------------------------------------------- variables
def test_variables_are_log_returns_in_the_numeraire() -> None:
    fx = basket.load_fx(["USD", "EUR", "JPY"], "2019-06-18", "2019-06-28")
    got = currency_variables(fx, ["USD", "JPY"], "EUR")
    expected = np.log(fx[["USD", "JPY"]].div(fx["EUR"], axis=0)).diff().iloc[1:]
    pd.testing.assert_frame_equal(got, expected, rtol=1e-12, check_names=False)
    vol = currency_variables(fx, ["USD", "JPY"], "EUR", "volatility")
    pd.testing.assert_frame_equal(vol, expected.abs(), rtol=1e-12, check_names=False)
    with pytest.raises(SpecError, match="unknown measure 'garch'; use one of returns, volatility"):
        currency_variables(fx, ["USD"], "EUR", "garch")


def test_integer_index_and_no_mutation(simulated: pd.DataFrame) -> None:
    sample = simulated.iloc[:400].reset_index(drop=True)
    before = sample.copy()
    res = estimate_spillover(sample, lags=1, window=100)
    pd.testing.assert_frame_equal(sample, before)
    assert res.start == 0 and res.end == 399
    assert res.rolling is not None and list(res.rolling.index[:2]) == [99, 100]


def test_lag_choice_is_stated() -> None:
    rng = np.random.default_rng(5)
    noise = pd.DataFrame(rng.normal(size=(300, 3)), columns=list("abc"))
    res = estimate_spillover(noise)
    assert res.lags == 1
    assert res.lag_selection == ("BIC (Schwarz) over 0 to 10 lags on the full sample (it chose "
                                 "0; raised to 1, the smallest VAR)")
    short = noise.iloc[:30].to_numpy()                       # (30 - 1 - 3) // 4 = 6 lags at most
    assert select_lags(short)[1].startswith("BIC (Schwarz) over 0 to 6 lags")
    assert estimate_spillover(noise, lags=2).lag_selection == "fixed by the caller"


# --------------------------------------------------------------------------- bad input
def frame(n: int = 60, k: int = 3, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2020-01-01", periods=n, name="date")
    return pd.DataFrame(rng.normal(size=(n, k)), index=idx, columns=["EUR", "JPY", "GBP"][:k])


def test_too_few_observations_for_the_lags() -> None:
    assert min_observations(3, 4) == 20
    with pytest.raises(DataError, match=r"^19 observations are too few for a VAR with 4 lag\(s\) "
                                        r"on 3 variables \(it needs 20\); widen the date range"):
        estimate_spillover(frame(19), lags=4)
    estimate_spillover(frame(20), lags=4)                  # the least that works
    with pytest.raises(DataError, match=r"^7 observations are too few for a VAR with 1 lag\(s\) on 3 "
                                        r"variables \(it needs 8\)"):
        estimate_spillover(frame(7))
    with pytest.raises(DataError, match=r"^7 observations are too few for a VAR on 3 variables: "
                                        r"even one lag needs 8"):
        select_lags(frame(7).to_numpy())


def test_window_shorter_than_the_lags_need() -> None:
    with pytest.raises(SpecError, match=r"^window 15 is shorter than a VAR with 4 lag\(s\) on 3 "
                                        r"variables needs \(20 observations\); use window >= 20"):
        estimate_spillover(frame(), lags=4, window=15)
    with pytest.raises(DataError, match=r"^window 61 is longer than the 60 observations"):
        estimate_spillover(frame(), lags=1, window=61)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"lags": 0}, "lags 0 must be a whole number, at least 1"),
    ({"lags": True}, "lags True must be a whole number, at least 1"),
    ({"lags": 1.5}, "lags 1.5 must be a whole number, at least 1"),
    ({"horizon": 0}, "horizon 0 must be a whole number, at least 1"),
    ({"window": 1}, "window 1 must be a whole number, at least 2"),
])
def test_bad_options(kwargs: dict, message: str) -> None:
    with pytest.raises(SpecError, match=f"^{message}$"):
        estimate_spillover(frame(), **kwargs)


def test_singular_covariance() -> None:
    twins = frame()
    twins["GBP"] = twins["EUR"]
    with pytest.raises(DataError, match=r"^EUR and GBP move together exactly from 2020-01-01 to "
                                        r"2020-03-24 \(correlation 1.0000000000; pegged to each "
                                        r"other\?\): the covariance is singular"):
        estimate_spillover(twins, lags=1)
    flat = frame()
    flat["JPY"] = 1e-17 * np.sin(np.arange(60))             # rounding noise around zero
    with pytest.raises(DataError, match=r"^JPY does not move against the numeraire from "
                                        r"2020-01-01 to 2020-03-24 \(pegged to it\?\)"):
        estimate_spillover(flat, lags=1)


def test_singular_covariance_in_one_rolling_window() -> None:
    data = frame(120)
    data.iloc[40:80, 1] = 0.0                               # JPY stands still for 40 days
    # a window's 40 regression rows (targets, or the first lag) can fall inside the standstill
    with pytest.raises(DataError, match=r"^JPY does not move against the numeraire from "
                                        r"2020-02-26 to 2020-04-21 \(the regression rows of a "
                                        r"rolling window\)"):
        estimate_spillover(data, lags=1, window=41)
    estimate_spillover(data, lags=1, window=42)             # every 41-row stretch moves
    with pytest.raises(DataError, match=r"^JPY does not move .* \(the regression rows"):
        estimate_spillover(data, lags=2, window=42)


def test_exact_fits_and_collinear_lags() -> None:
    trend = frame(80)
    trend["EUR"] = np.arange(80.0)                          # y_t = y_(t-1) + 1
    with pytest.raises(DataError, match=r"^EUR is predicted exactly by the lags over 2020-01-01 "
                                        r"to 2020-04-21: R\^2 = 1 \(a trend"):
        estimate_spillover(trend, lags=1)
    with pytest.raises(DataError, match=r"^the lagged variables are collinear over 2020-01-01 to "
                                        r"2020-04-21: a variable follows an exact linear rule"):
        estimate_spillover(trend, lags=2)                   # y_(t-1) - y_(t-2) = 1
    echo = frame(80)
    echo["GBP"] = echo["EUR"] + 0.5 * echo["JPY"].shift(1).fillna(0.0)
    with pytest.raises(DataError, match=r"^the VAR's errors of EUR and GBP are collinear over "
                                        r"2020-01-01 to 2020-04-21"):
        estimate_spillover(echo, lags=1)
    late = frame(80)
    late.iloc[40:, 0] = np.arange(40.0)
    with pytest.raises(DataError, match="^the lagged variables are collinear over 2020-02-26 to "
                                        r"2020-04-21 \(a rolling window\)"):
        estimate_spillover(late, lags=2, window=40)
    with pytest.raises(DataError, match=r"collinear over observations 40 to 79 \(a rolling"):
        rolling_var(late.to_numpy(), 2, 40)
    with pytest.raises(DataError, match=r"^EUR is predicted exactly by the lags over 2020-02-26 "
                                        r"to 2020-04-21 \(a rolling window\)"):
        estimate_spillover(late, lags=1, window=40)


def test_not_a_frame_nan_one_variable() -> None:
    with pytest.raises(DataError, match=r"must be a pandas DataFrame .* got ndarray"):
        estimate_spillover(frame().to_numpy())
    with pytest.raises(DataError, match=r"at least two variables, got 1 \(EUR\)"):
        estimate_spillover(frame()[["EUR"]])
    holes = frame()
    holes.iloc[5, 2] = np.nan
    with pytest.raises(DataError, match=r"^variable GBP is NaN or infinite at 2020-01-08"):
        estimate_spillover(holes)
