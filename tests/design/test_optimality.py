"""The optimiser's optimum against references that share none of its code, under pinned
(``lo == hi``) and bounded weights, where the pinned weights enter the reduced problem through
a cross term that a sign error would silently corrupt.

References:

* the model volatility of any weights, from ``np.cov`` of the raw ECB log returns of
  ``[allowed currencies, numeraire]`` (not :func:`basket.design.estimation.return_covariance`):
  ``vol_k(w)^2 / 252 = w'S w - 2 w's_k + s_kk``;
* nested ternary searches (the objectives are convex, and the minimum over one weight of a
  convex function is convex in the others), for ``worst`` and ``mean``;
* the closed form of the equality-constrained quadratic (``single``, shorts allowed): with the
  pinned weights ``p`` fixed, the free weights ``x`` minimise ``x'A x - 2 x'(a - B p)`` subject
  to ``1'x = 1 - 1'p``, so ``x = A^-1 (a - B p) + lam A^-1 1`` (Lagrange);
* scipy's trust-constr beside SLSQP.

Every solver call has a timeout: a broken solver must fail, not hang the suite.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import basket
from basket.design.estimation import return_covariance
from basket.design.optimizer import solve_weights

PPY = 252
ALLOWED = ["USD", "EUR", "JPY", "GBP"]
KS = ["USD", "EUR", "JPY", "GBP", "SGD"]
PINNED = {"GBP": (0.11, 0.11), "USD": (0.4, 0.7)}
pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD", "CHF"], "2015-01-01", "2019-12-31")


@pytest.fixture(scope="module")
def cov(panel: pd.DataFrame) -> pd.DataFrame:
    return return_covariance(panel)


def _covs(panel: pd.DataFrame, allowed: list[str], ks: list[str]) -> list[np.ndarray]:
    """``np.cov`` of the raw log returns of ``[allowed..., k]`` for each numeraire ``k``."""
    r = np.diff(np.log(panel.to_numpy()), axis=0)
    cols = list(panel.columns)
    ra = r[:, [cols.index(c) for c in allowed]]
    return [np.cov(np.column_stack([ra, r[:, cols.index(k)]]), rowvar=False, ddof=1) for k in ks]


def _vols(panel: pd.DataFrame | list[np.ndarray], allowed: list[str], ks: list[str],
          w: np.ndarray) -> np.ndarray:
    """Model volatility of weights ``w`` (G, n) in each numeraire (G, K), from raw returns."""
    covs = _covs(panel, allowed, ks) if isinstance(panel, pd.DataFrame) else panel
    n = len(allowed)
    out = np.empty((len(w), len(ks)))
    for j, c in enumerate(covs):
        var = np.einsum("gi,ij,gj->g", w, c[:n, :n], w) - 2 * w @ c[:n, n] + c[n, n]
        out[:, j] = np.sqrt(np.maximum(var, 0.0) * PPY)
    return out


def _ternary(g, lo: float, hi: float) -> float:
    """The minimiser of a convex function of one variable on [lo, hi] (to 1e-12)."""
    while hi - lo > 1e-12:
        m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if g(m1) <= g(m2):
            hi = m2
        else:
            lo = m1
    return (lo + hi) / 2


def _optimum(score, lo: np.ndarray, hi: np.ndarray, pinned: dict[int, float]) -> np.ndarray:
    """Minimise a convex ``score`` over weights summing to 1 within [lo, hi], with three free
    weights (the last one the remainder) and the others pinned: nested ternary searches (the
    minimum over the second weight is a convex function of the first)."""
    n = len(lo)
    i, j, k = [x for x in range(n) if x not in pinned]
    total = 1.0 - sum(pinned.values())

    def weights(a: float, b: float) -> np.ndarray:
        w = np.zeros(n)
        for x, v in pinned.items():
            w[x] = v
        w[i], w[j], w[k] = a, b, total - a - b
        return w

    def b_range(a: float) -> tuple[float, float]:
        # lo_j <= b <= hi_j and lo_k <= total - a - b <= hi_k
        return max(lo[j], total - a - hi[k]), min(hi[j], total - a - lo[k])

    def inner(a: float) -> float:
        return _ternary(lambda b: float(score(weights(a, b)[None])[0]), *b_range(a))

    a_lo = max(lo[i], total - hi[j] - hi[k])
    a_hi = min(hi[i], total - lo[j] - lo[k])
    a = _ternary(lambda a: float(score(weights(a, inner(a))[None])[0]), a_lo, a_hi)
    return weights(a, inner(a))


def _bounds(allowed: list[str], bounds: dict[str, tuple[float, float]]) -> tuple[np.ndarray, ...]:
    lo = np.array([bounds.get(c, (0.0, 1.0))[0] for c in allowed])
    hi = np.array([bounds.get(c, (0.0, 1.0))[1] for c in allowed])
    return lo, hi


_REFERENCE: dict[str, tuple[np.ndarray, float]] = {}


def _reference(panel: pd.DataFrame, objective: str) -> tuple[np.ndarray, float]:
    """The optimum of ``objective`` over ALLOWED / KS under PINNED, once per objective."""
    if objective not in _REFERENCE:
        covs = _covs(panel, ALLOWED, KS)

        def score(w: np.ndarray) -> np.ndarray:
            v = _vols(covs, ALLOWED, KS, w)
            return v.max(axis=1) if objective == "worst" else v.mean(axis=1)

        lo, hi = _bounds(ALLOWED, PINNED)
        ref = _optimum(score, lo, hi, {ALLOWED.index("GBP"): 0.11})
        _REFERENCE[objective] = ref, float(score(ref[None, :])[0])
    return _REFERENCE[objective]


@pytest.mark.parametrize("objective", ["worst", "mean"])
@pytest.mark.parametrize("method", ["slsqp", "trust-constr"])
def test_pinned_and_bounded_optimum_against_a_reference(panel: pd.DataFrame, cov: pd.DataFrame,
                                                           objective: str, method: str) -> None:
    ref, ref_value = _reference(panel, objective)
    sol = solve_weights(cov, ALLOWED, KS, objective, PINNED, method=method)
    w = sol.weights.to_numpy()
    assert w[ALLOWED.index("GBP")] == pytest.approx(0.11, abs=1e-12)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    # the reported figures are the model volatilities of the weights it returns
    np.testing.assert_allclose(sol.volatility.to_numpy(), _vols(panel, ALLOWED, KS, w[None])[0],
                               rtol=1e-9)
    # never worse than the reference optimum, and no better than the grid can reach.
    # Tolerances: SLSQP stops at ftol 1e-13 on a problem of scale 1, so 1e-9 on the value and
    # 2e-6 on the weights; trust-constr's interior point stays off an active bound by its
    # barrier (1e-8 on the scaled problem): 2e-5 on the value, 2e-4 on the weights
    rel, atol = (1e-9, 2e-6) if method == "slsqp" else (2e-5, 2e-4)
    assert sol.objective_value <= ref_value * (1 + rel)
    assert sol.objective_value >= ref_value * (1 - 1e-9)
    np.testing.assert_allclose(w, ref, atol=atol)


def test_a_bound_that_binds_is_met_exactly(panel: pd.DataFrame, cov: pd.DataFrame) -> None:
    free = solve_weights(cov, ALLOWED, KS, "worst", {"GBP": (0.11, 0.11)})
    assert free.weights["USD"] < 0.4, "without the bound the optimum holds less USD"
    sol = solve_weights(cov, ALLOWED, KS, "worst", PINNED)
    assert sol.weights["USD"] == pytest.approx(0.4, abs=1e-9)
    assert sol.objective_value > free.objective_value


@pytest.mark.parametrize("method", ["slsqp", "trust-constr"])
@pytest.mark.parametrize("pin", [0.3, 0.0, 0.65])
def test_single_with_a_pinned_weight_matches_the_closed_form(panel: pd.DataFrame,
                                                             cov: pd.DataFrame, method: str,
                                                             pin: float) -> None:
    allowed = ["USD", "EUR", "JPY", "GBP", "SGD"]
    r = np.diff(np.log(panel.to_numpy()), axis=0)
    cols = list(panel.columns)
    c = np.cov(np.column_stack([r[:, [cols.index(x) for x in allowed]], r[:, cols.index("CHF")]]),
               rowvar=False, ddof=1)
    s, sk = c[:5, :5], c[:5, 5]
    p = np.zeros(5)
    p[1] = pin                                              # EUR pinned
    f = [0, 2, 3, 4]
    a = s[np.ix_(f, f)]
    rhs = sk[f] - s[np.ix_(f, [1])] @ p[[1]]
    # KKT system of min x'Ax - 2x'rhs s.t. 1'x = 1 - pin (A is singular: r_USD = 0)
    kkt = np.zeros((5, 5))
    kkt[:4, :4], kkt[:4, 4], kkt[4, :4] = 2 * a, 1.0, 1.0
    x = np.linalg.solve(kkt, np.append(2 * rhs, 1.0 - pin))
    w = p.copy()
    w[f] = x[:4]
    vol = math.sqrt((w @ s @ w - 2 * w @ sk + c[5, 5]) * PPY)
    sol = solve_weights(cov, allowed, ["CHF"], "single", {"EUR": (pin, pin)}, long_only=False,
                        method=method)
    # tolerance: SLSQP's ftol 1e-13 on the scaled variance pins the weights to about 1e-6
    np.testing.assert_allclose(sol.weights.to_numpy(), w, atol=1e-6)
    assert sol.objective_value == pytest.approx(vol, rel=1e-10)
    assert sol.weights["EUR"] == pytest.approx(pin, abs=1e-15)


def test_every_weight_pinned(panel: pd.DataFrame, cov: pd.DataFrame) -> None:
    pins = {"USD": (0.5, 0.5), "EUR": (0.2, 0.2), "JPY": (0.2, 0.2), "GBP": (0.1, 0.1)}
    sol = solve_weights(cov, ALLOWED, KS, "mean", pins)
    w = np.array([0.5, 0.2, 0.2, 0.1])
    np.testing.assert_allclose(sol.weights.to_numpy(), w, rtol=1e-15)
    vols = _vols(panel, ALLOWED, KS, w[None])[0]
    np.testing.assert_allclose(sol.volatility.to_numpy(), vols, rtol=1e-10)
    assert sol.objective_value == pytest.approx(vols.mean(), rel=1e-10)
    assert sol.iterations == 0
    worst = solve_weights(cov, ALLOWED, KS, "worst", pins)
    assert worst.objective_value == pytest.approx(vols.max(), rel=1e-10)


def test_optimum_beats_every_feasible_point_of_a_coarse_grid(panel: pd.DataFrame,
                                                            cov: pd.DataFrame) -> None:
    """Five currencies, one pinned and one capped: no point of a 0.02 grid does better."""
    allowed = ["USD", "EUR", "JPY", "GBP", "SGD"]
    bounds = {"SGD": (0.07, 0.07), "JPY": (0.0, 0.1)}
    sol = solve_weights(cov, allowed, KS, "worst", bounds)
    steps = np.arange(0, 0.93 + 1e-9, 0.02)
    u, e, j = (x.ravel() for x in np.meshgrid(steps, steps, steps, indexing="ij"))
    g = 0.93 - u - e - j
    ok = (g >= -1e-12) & (j <= 0.1 + 1e-12)
    w = np.column_stack([u[ok], e[ok], j[ok], g[ok], np.full(ok.sum(), 0.07)])
    best = _vols(panel, allowed, KS, w).max(axis=1).min()
    assert sol.objective_value <= best
    assert sol.weights["SGD"] == pytest.approx(0.07, abs=1e-15) and sol.weights["JPY"] <= 0.1 + 1e-12
