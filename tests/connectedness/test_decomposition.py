"""The generalised variance decomposition and the Diebold-Yilmaz table (pure core).

References, each independent of :mod:`basket.connectedness.decomposition`:

* a two-variable VAR(1) worked by hand below (exact fractions; tolerance 1e-12 for rounding);
* the plain-Python twin (loops) against the vectorised kernel, on random stable VARs drawn by
  hypothesis (1e-12 relative: the same sums in another order);
* statsmodels 0.14+: ``VARResults.ma_rep`` for the moving-average recursion, and
  ``VARResults.fevd`` (the Cholesky, orthogonalised decomposition) which equals the generalised
  one when the error covariance is diagonal (1e-12: rounding only).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from basket.connectedness.decomposition import (
    connectedness_table,
    directional,
    generalized_fevd,
    generalized_fevd_python,
    ma_coefficients,
    total_connectedness,
)


# --------------------------------------------------------------------------- random VARs
@st.composite
def var_processes(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    """A stable VAR(p): lag matrices (p, N, N) scaled to spectral radius < 1, an SPD Sigma, H."""
    n = draw(st.integers(2, 5))
    p = draw(st.integers(1, 3))
    horizon = draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    coefs = rng.normal(0.0, 0.3, (p, n, n))
    companion = np.zeros((n * p, n * p))
    companion[:n] = np.concatenate(list(coefs), axis=1)
    companion[n:, :-n] = np.eye(n * (p - 1))
    radius = max(abs(np.linalg.eigvals(companion)))
    if radius >= 0.95:
        coefs = coefs * (0.9 / radius) ** np.arange(1, p + 1)[:, None, None]
    root = rng.normal(size=(n, n)) * rng.uniform(0.2, 3.0, n)
    sigma = root @ root.T + 0.05 * np.eye(n)
    return coefs, sigma, horizon


# --------------------------------------------------------------------------- by hand
A_HAND = np.array([[[0.5, 0.5], [0.0, 0.0]]])
SIGMA_HAND = np.array([[1.0, 0.5], [0.5, 1.0]])


def test_two_variables_by_hand() -> None:
    # Provenance: worked by hand. Phi_0 = I, Phi_1 = A; A Sigma = [[.75, .75], [0, 0]].
    # Row 1: sum_h (Phi_h Sigma)_1j^2 = 1 + .5625 = 1.5625 (j=1), .25 + .5625 = .8125 (j=2);
    #        shares 1.5625/2.375 = 25/38 and .8125/2.375 = 13/38 (the MSE and sigma_jj = 1 cancel).
    # Row 2: Phi_1 row is zero, so the impact decides: 1/(1 + .25) = 4/5 own, 1/5 from 1.
    shares = generalized_fevd(ma_coefficients(A_HAND, 2), SIGMA_HAND)
    expected = np.array([[25 / 38, 13 / 38], [1 / 5, 4 / 5]])
    np.testing.assert_allclose(shares, expected, rtol=1e-12, atol=0)
    table = connectedness_table(shares, ["EUR", "JPY"])
    # to others: column sums off the diagonal; net = to - from; total = mean of from.
    np.testing.assert_allclose(table.loc["to others", ["EUR", "JPY"]], [20.0, 1300 / 38],
                               rtol=1e-12)
    np.testing.assert_allclose(table["from others"].iloc[:2], [1300 / 38, 20.0], rtol=1e-12)
    np.testing.assert_allclose(table.loc["net", ["EUR", "JPY"]],
                               [20.0 - 1300 / 38, 1300 / 38 - 20.0], rtol=1e-12)
    assert table.loc["to others", "from others"] == pytest.approx(10300 / 380, rel=1e-12)
    assert np.isnan(table.loc["net", "from others"])
    assert float(total_connectedness(shares)) == pytest.approx(10300 / 380, rel=1e-12)


def test_ma_recursion_by_hand() -> None:
    # Provenance: by hand, VAR(2) on one variable: phi_h = a1 phi_{h-1} + a2 phi_{h-2}.
    a = np.array([[[0.5]], [[0.2]]])
    got = ma_coefficients(a, 4)[:, 0, 0]
    np.testing.assert_allclose(got, [1.0, 0.5, 0.45, 0.325], rtol=1e-15)


def test_impact_only_horizon_one_is_squared_correlation() -> None:
    # Provenance: with H = 1, theta_ij = Sigma_ij^2 / (Sigma_ii Sigma_jj) = rho_ij^2.
    sigma = np.array([[4.0, 1.2, -0.6], [1.2, 1.0, 0.3], [-0.6, 0.3, 2.25]])
    sd = np.sqrt(np.diag(sigma))
    rho2 = (sigma / np.outer(sd, sd)) ** 2
    expected = rho2 / rho2.sum(axis=1, keepdims=True)
    got = generalized_fevd(ma_coefficients(np.zeros((1, 3, 3)), 1), sigma)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# --------------------------------------------------------------------------- twin and batches
@given(var_processes())
def test_plain_python_twin_agrees(case: tuple[np.ndarray, np.ndarray, int]) -> None:
    coefs, sigma, horizon = case
    ma = ma_coefficients(coefs, horizon)
    np.testing.assert_allclose(generalized_fevd(ma, sigma), generalized_fevd_python(ma, sigma),
                               rtol=1e-12, atol=1e-15)


@given(var_processes())
def test_shares_are_non_negative_and_rows_sum_to_one(case: tuple[np.ndarray, np.ndarray, int]
                                                      ) -> None:
    coefs, sigma, horizon = case
    shares = generalized_fevd(ma_coefficients(coefs, horizon), sigma)
    assert (shares >= 0).all()
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=1e-13)
    table = connectedness_table(shares, [f"V{i}" for i in range(len(sigma))])
    body = table.iloc[:-2, :-1]
    np.testing.assert_allclose(body.sum(axis=1), 100.0, rtol=1e-13)
    np.testing.assert_allclose(table.loc["net"].iloc[:-1].sum(), 0.0, atol=1e-10)
    assert 0.0 <= float(total_connectedness(shares)) < 100.0


@given(var_processes(), st.randoms(use_true_random=False))
def test_permuting_variables_permutes_the_table(case: tuple[np.ndarray, np.ndarray, int],
                                                random: object) -> None:
    coefs, sigma, horizon = case
    n = len(sigma)
    order = list(range(n))
    random.shuffle(order)  # type: ignore[attr-defined]
    perm = np.eye(n)[order]                    # y' = P y: A' = P A P', Sigma' = P Sigma P'
    shares = generalized_fevd(ma_coefficients(coefs, horizon), sigma)
    shares_p = generalized_fevd(ma_coefficients(perm @ coefs @ perm.T, horizon),
                                perm @ sigma @ perm.T)
    np.testing.assert_allclose(shares_p, shares[np.ix_(order, order)], rtol=1e-10, atol=1e-14)
    assert float(total_connectedness(shares_p)) == pytest.approx(
        float(total_connectedness(shares)), rel=1e-12)


@given(var_processes(), st.integers(0, 2**32 - 1))
def test_units_do_not_matter(case: tuple[np.ndarray, np.ndarray, int], seed: int) -> None:
    # Metamorphic: rescale each variable (y' = D y): A' = D A D^-1, Sigma' = D Sigma D.
    coefs, sigma, horizon = case
    d = np.diag(np.random.default_rng(seed).uniform(0.01, 100.0, len(sigma)))
    shares = generalized_fevd(ma_coefficients(coefs, horizon), sigma)
    scaled = generalized_fevd(ma_coefficients(d @ coefs @ np.linalg.inv(d), horizon),
                              d @ sigma @ d)
    np.testing.assert_allclose(scaled, shares, rtol=1e-9, atol=1e-13)


def test_a_stack_equals_one_by_one() -> None:
    rng = np.random.default_rng(3)
    coefs = rng.normal(0, 0.2, (6, 2, 3, 3))
    roots = rng.normal(size=(6, 3, 3))
    sigma = roots @ roots.transpose(0, 2, 1) + 0.1 * np.eye(3)
    stacked = generalized_fevd(ma_coefficients(coefs, 10), sigma)
    for k in range(6):
        np.testing.assert_array_equal(
            stacked[k], generalized_fevd(ma_coefficients(coefs[k], 10), sigma[k]))
    to, fr = directional(stacked)
    assert to.shape == fr.shape == (6, 3)
    assert total_connectedness(stacked).shape == (6,)


def test_inputs_are_not_mutated() -> None:
    coefs = A_HAND.copy()
    sigma = SIGMA_HAND.copy()
    ma = ma_coefficients(coefs, 5)
    ma_before = ma.copy()
    generalized_fevd(ma, sigma)
    generalized_fevd_python(ma, sigma)
    np.testing.assert_array_equal(coefs, A_HAND)
    np.testing.assert_array_equal(sigma, SIGMA_HAND)
    np.testing.assert_array_equal(ma, ma_before)


# --------------------------------------------------------------------------- statsmodels
@pytest.fixture(scope="module")
def fitted() -> object:
    from statsmodels.tsa.api import VAR

    rng = np.random.default_rng(11)
    y = rng.normal(size=(600, 3)) + 0.3 * np.roll(rng.normal(size=(600, 3)), 1, axis=0)
    return VAR(y).fit(3, trend="c")


def test_ma_coefficients_equal_statsmodels(fitted: object) -> None:
    ours = ma_coefficients(fitted.coefs, 12)  # type: ignore[attr-defined]
    np.testing.assert_allclose(ours, fitted.ma_rep(11), rtol=1e-12, atol=1e-15)  # type: ignore[attr-defined]


def test_diagonal_covariance_equals_statsmodels_cholesky_fevd(fitted: object) -> None:
    """With a diagonal Sigma the generalised and the orthogonalised decompositions coincide."""
    from statsmodels.tsa.vector_ar.var_model import VARResults

    f = fitted
    diagonal = np.diag(np.diag(f.sigma_u))  # type: ignore[attr-defined]
    res = VARResults(f.endog, f.endog_lagged, f.params, diagonal, f.k_ar,  # type: ignore[attr-defined]
                     model=f.model, names=f.names)  # type: ignore[attr-defined]
    cholesky = res.fevd(10).decomp[:, -1, :]          # equation x component, at h = 0..9
    ours = generalized_fevd(ma_coefficients(f.coefs, 10), diagonal)  # type: ignore[attr-defined]
    np.testing.assert_allclose(ours, cholesky, rtol=1e-12, atol=1e-15)
    # and with the estimated (non-diagonal) covariance they differ: the test has teeth
    general = generalized_fevd(ma_coefficients(f.coefs, 10), f.sigma_u)  # type: ignore[attr-defined]
    assert np.abs(general - f.fevd(10).decomp[:, -1, :]).max() > 1e-3  # type: ignore[attr-defined]


def test_table_layout() -> None:
    shares = generalized_fevd(ma_coefficients(A_HAND, 3), SIGMA_HAND)
    table = connectedness_table(shares, ["EUR", "JPY"])
    assert list(table.index) == ["EUR", "JPY", "to others", "net"]
    assert list(table.columns) == ["EUR", "JPY", "from others"]
    assert table.index.name == "receiver" and table.columns.name == "transmitter"
    assert isinstance(table, pd.DataFrame) and (table.dtypes == np.float64).all()
