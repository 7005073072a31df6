"""The basket-design optimiser's contract, pinned to the precision the solvers reach.

What this file pins (``basket.design.optimizer``):

* :func:`validate_bounds`: the long-only defaults, short bounds, the tolerance of the
  feasibility sums, and every error message whole (the CLI prints them as one line);
* ``_start_point``: its documented contract (inside the bounds, summing to ``total``);
* :func:`solve_weights`: every validation message whole, the labels of the result, the
  long-only snapping of tiny weights, the post-solve feasibility check (driven by a fake
  solver), the SLSQP -> trust-constr fallback, a zero or a float32 covariance, and the optimum
  of both methods against independent references, with tolerances a little above what each
  solver reaches on each problem.

References, none of which use the module: a covariance written out below (daily vols and
correlations; ``r_USD = 0`` so USD has a zero row), and

* the equality-constrained quadratic's KKT system solved by hand, over every active set of the
  bounds (an exact QP solver for four weights) for ``single``;
* the Lagrange dual of ``worst`` with two numeraires: ``g(l) = min_w l q_1 + (1 - l) q_2`` is
  concave with ``g'(l) = q_1(w(l)) - q_2(w(l))`` (Danskin), whose root is found by bisection;
* for ``worst`` with the three numeraires equal to the three allowed currencies (an acute
  triangle in the covariance metric), the point equidistant from all three (``q_1 = q_2 = q_3``,
  a 3x3 linear system); with two numeraires inside the basket, their midpoint;
* bisection on the derivative of the ``mean`` objective along a line (nested for two free
  weights; the envelope theorem gives the outer derivative).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.optimize

from basket.design import optimizer
from basket.design.optimizer import WEIGHT_ATOL, solve_weights, validate_bounds
from basket.errors import DataError, SimulationError, SpecError

pytestmark = pytest.mark.timeout(60)

INF = math.inf
CODES = ["USD", "EUR", "JPY", "GBP", "CHF", "SGD"]
VOL = np.array([0.0, 0.0050, 0.0055, 0.0060, 0.0052, 0.0030])
CORR = np.array([
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 1.0, 0.3, 0.6, 0.8, 0.5],
    [0.0, 0.3, 1.0, 0.1, 0.4, 0.45],
    [0.0, 0.6, 0.1, 1.0, 0.5, 0.4],
    [0.0, 0.8, 0.4, 0.5, 1.0, 0.5],
    [0.0, 0.5, 0.45, 0.4, 0.5, 1.0],
])
SIGMA = CORR * np.outer(VOL, VOL)
COV = pd.DataFrame(SIGMA, index=CODES, columns=CODES)
AL = ["USD", "EUR", "JPY", "GBP"]
A3 = ["EUR", "JPY", "GBP"]


def _exact(message: str) -> str:
    return "^" + re.escape(message) + "$"


# ----------------------------------------------------------------------------- references
def _parts(allowed: list[str], k: str) -> tuple[np.ndarray, np.ndarray, float]:
    ia = [CODES.index(c) for c in allowed]
    ik = CODES.index(k)
    return SIGMA[np.ix_(ia, ia)], SIGMA[ia, ik], float(SIGMA[ik, ik])


def _var(allowed: list[str], k: str, w: np.ndarray) -> float:
    a, b, s = _parts(allowed, k)
    return float(w @ a @ w - 2 * w @ b + s)


def _qp(a: np.ndarray, c: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """argmin x'Ax - 2c'x subject to sum(x) = 1, lo <= x <= hi: the KKT system of every
    active set (free / at lo / at hi), keeping the best feasible one (exact for convex QPs)."""
    n = len(c)
    best, best_x = INF, np.full(n, np.nan)
    for assign in itertools.product((0, 1, 2), repeat=n):
        if any((s == 1 and not np.isfinite(lo[i])) or (s == 2 and not np.isfinite(hi[i]))
               for i, s in enumerate(assign)):
            continue
        x = np.zeros(n)
        fixed = [i for i, s in enumerate(assign) if s]
        for i in fixed:
            x[i] = lo[i] if assign[i] == 1 else hi[i]
        free = [i for i in range(n) if not assign[i]]
        rest = 1.0 - x[fixed].sum()
        if free:
            m = len(free)
            kkt = np.zeros((m + 1, m + 1))
            kkt[:m, :m] = a[np.ix_(free, free)]
            kkt[:m, m] = kkt[m, :m] = 1.0
            rhs = np.append(c[free] - a[np.ix_(free, fixed)] @ x[fixed], rest)
            try:
                x[free] = np.linalg.solve(kkt, rhs)[:m]
            except np.linalg.LinAlgError:
                continue
        elif abs(rest) > 1e-12:
            continue
        if (x < lo - 1e-12).any() or (x > hi + 1e-12).any():
            continue
        value = x @ a @ x - 2 * c @ x
        if value < best - 1e-18:
            best, best_x = value, x
    return best_x


def _single(allowed: list[str], k: str, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    a, b, _ = _parts(allowed, k)
    return _qp(a, b, lo, hi)


def _worst2(allowed: list[str], k1: str, k2: str, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    a, b1, _ = _parts(allowed, k1)
    _, b2, _ = _parts(allowed, k2)

    def w_of(lam: float) -> np.ndarray:
        return _qp(a, lam * b1 + (1 - lam) * b2, lo, hi)

    def slope(lam: float) -> float:
        w = w_of(lam)
        return _var(allowed, k1, w) - _var(allowed, k2, w)

    if slope(0.0) <= 0:
        return w_of(0.0)
    if slope(1.0) >= 0:
        return w_of(1.0)
    left, right = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (left + right)
        if mid in (left, right):
            break
        if slope(mid) > 0:
            left = mid
        else:
            right = mid
    return w_of(0.5 * (left + right))


def _equidistant(allowed: list[str]) -> np.ndarray:
    ia = [CODES.index(c) for c in allowed]
    s = SIGMA[np.ix_(ia, ia)]
    m = np.array([-2 * (s[0] - s[1]), -2 * (s[0] - s[2]), np.ones(3)])
    r = np.array([s[1, 1] - s[0, 0], s[2, 2] - s[0, 0], 1.0])
    return np.linalg.solve(m, r)


def _root(fp: Callable[[float], float], left: float, right: float) -> float:
    """The minimiser on [left, right] of a convex function with derivative ``fp``."""
    if fp(left) >= 0:
        return left
    if fp(right) <= 0:
        return right
    for _ in range(200):
        mid = 0.5 * (left + right)
        if mid in (left, right):
            break
        if fp(mid) > 0:
            right = mid
        else:
            left = mid
    return 0.5 * (left + right)


def _mean_grad(allowed: list[str], ks: list[str], w: np.ndarray) -> np.ndarray:
    g = np.zeros(len(w))
    for k in ks:
        a, b, _ = _parts(allowed, k)
        g += (a @ w - b) / math.sqrt(_var(allowed, k, w))
    return g / len(ks)


def _mean_1d(allowed: list[str], ks: list[str], base: np.ndarray, d: np.ndarray, span: float
             ) -> np.ndarray:
    t = _root(lambda t: float(_mean_grad(allowed, ks, base + t * d) @ d), 0.0, span)
    return base + t * d


def _mean_2d(allowed: list[str], ks: list[str]) -> np.ndarray:
    base, d1, d2 = np.array([1.0, 0, 0]), np.array([-1.0, 1, 0]), np.array([-1.0, 0, 1])

    def inner(t1: float) -> np.ndarray:
        p = base + t1 * d1
        t2 = _root(lambda t2: float(_mean_grad(allowed, ks, p + t2 * d2) @ d2), -5.0, 5.0)
        return p + t2 * d2

    t1 = _root(lambda t1: float(_mean_grad(allowed, ks, inner(t1)) @ d1), -5.0, 5.0)
    return inner(t1)


# ----------------------------------------------------------------------------- validate_bounds
def test_validate_bounds_defaults_are_long_only() -> None:
    lo, hi = validate_bounds(["USD", "EUR"])
    assert lo.tolist() == [0.0, 0.0] and hi.tolist() == [1.0, 1.0]
    lo, hi = validate_bounds(["USD", "EUR"], {"usd ": (0.25, 1.5)})
    assert lo.tolist() == [0.25, 0.0] and hi.tolist() == [1.0, 1.0]   # 1.5 capped at 1
    with pytest.raises(SpecError, match=_exact(
            "lower bound -0.1 for USD is negative but the basket is long-only; use "
            "long_only=False (--allow-short) to allow short positions")):
        validate_bounds(["USD", "EUR"], {"USD": (-0.1, None)})


def test_validate_bounds_short() -> None:
    lo, hi = validate_bounds(["USD", "EUR", "JPY"], None, False)
    assert lo.tolist() == [-INF, -INF, -INF] and hi.tolist() == [INF, INF, INF]
    lo, hi = validate_bounds(["USD", "EUR"], {"USD": (-0.5, 1.5), "EUR": (None, 2.0)}, False)
    assert lo.tolist() == [-0.5, -INF] and hi.tolist() == [1.5, 2.0]


def test_validate_bounds_feasibility_tolerance_is_inclusive() -> None:
    # minimums summing to exactly 1 + 1e-12 (the tolerance) are accepted, one ulp more is not
    x = (1.0 + 1e-12) - 0.5
    assert 0.5 + x == 1.0 + 1e-12
    lo, _ = validate_bounds(["USD", "EUR"], {"USD": (0.5, None), "EUR": (x, None)}, False)
    assert lo.sum() == 1.0 + 1e-12
    # maximums summing to exactly 1 - 1e-12 are accepted
    y = (1.0 - 1e-12) - 0.5
    assert 0.5 + y == 1.0 - 1e-12
    _, hi = validate_bounds(["USD", "EUR"], {"USD": (None, 0.5), "EUR": (None, y)})
    assert hi.sum() == 1.0 - 1e-12
    with pytest.raises(SimulationError, match=_exact(
            "infeasible bounds: the maximum weights sum to 0.9 < 1; raise them or allow more "
            "currencies")):
        validate_bounds(["USD", "EUR"], {"USD": (None, 0.5), "EUR": (None, 0.4)})
    with pytest.raises(SimulationError, match=_exact(
            "infeasible bounds: the minimum weights sum to 1.1 > 1; lower them")):
        validate_bounds(["USD", "EUR"], {"USD": (0.5, None), "EUR": (0.6, None)})


@pytest.mark.parametrize(("bounds", "message"), [
    ([("USD", (0.5, None))], "bounds [('USD', (0.5, None))] must be a mapping of currency to "
                             "(lo, hi), e.g. {'USD': (0.5, None)}"),
    ({"CHF": (0.1, None)}, "bound for CHF, which is not an allowed currency; allow it in "
                           "currencies or drop the bound (allowed: USD, EUR, JPY)"),
    ({"USD": (0.1,)}, "bound for USD must be a pair (lo, hi), got (0.1,)"),
    ({"EUR": (0.1, "x")}, "upper bound for EUR is 'x', not a number"),
    ({"EUR": (True, None)}, "lower bound for EUR is True, not a number"),
    ({"EUR": (0.6, 0.5)}, "bounds for EUR are empty: lower 0.6 is above upper 0.5"),
    ({"USD": (0.3, None), "usd": (0.1, None)},      # one currency, two spellings: never merged
     "bounds name USD twice ('USD' and 'usd'); give each currency one bound"),
    ({"eur ": (None, 0.2), "EUR": (None, 0.4)},
     "bounds name EUR twice ('eur ' and 'EUR'); give each currency one bound"),
])
def test_validate_bounds_messages(bounds: Any, message: str) -> None:
    with pytest.raises(SpecError, match=_exact(message)):
        validate_bounds(["USD", "EUR", "JPY"], bounds)


# ----------------------------------------------------------------------------- start point
@pytest.mark.parametrize(("lo", "hi", "total"), [
    ([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], 1.0),
    ([0.7, 0.0, 0.0], [1.0, 1.0, 1.0], 1.0),
    ([0.5, 0.0], [0.6, 0.45], 1.0),
    ([0.1, 0.2, 0.0], [0.3, 0.25, 0.9], 0.8),
    ([0.0, 0.0], [0.3, 0.9], 0.6),
    ([-INF, -INF], [INF, INF], 1.0),
    ([-INF, 0.2, 0.0], [INF, 0.5, 0.3], 1.0),
    ([-INF, 0.8, 0.5], [0.9, 1.0, 0.6], 1.0),
    ([-INF, -INF, 0.2], [0.5, 0.5, 0.3], 1.0),
    ([-INF, -INF, 0.1], [-0.2, 0.3, 0.4], 0.4),
    ([-INF, 0.7, 0.3], [0.6, INF, INF], 1.0),
    ([-0.5, -INF], [0.3, 2.0], 0.7),
    ([-INF, -INF], [-0.1, 0.5], 0.2),
    ([0.3, 0.4], [0.3, 0.4], 0.7),
    ([-INF, -INF], [INF, 0.2], 0.5),
    ([-INF, 0.8], [-0.1, 1.0], 0.5),
    ([-INF, -INF, 0.9], [0.5, 0.5, 1.0], 0.5),
])
def test_start_point_is_feasible(lo: list[float], hi: list[float], total: float) -> None:
    x = optimizer._start_point(np.array(lo), np.array(hi), total)
    assert x.shape == (len(lo),) and np.isfinite(x).all()
    assert x.sum() == pytest.approx(total, abs=1e-12)
    assert (x >= np.array(lo) - 1e-12).all() and (x <= np.array(hi) + 1e-12).all()
    if total == 1.0:
        assert optimizer._start_point(np.array(lo), np.array(hi)).tolist() == x.tolist()


def test_start_point_at_the_feasibility_tolerance() -> None:
    # two unbounded-below weights capped at 0 while the free weights must sum to 5e-13 (the
    # bounds are feasible only within validate_bounds' 1e-12): the start still sums to total
    x = optimizer._start_point(np.array([-INF, -INF]), np.array([0.0, 0.0]), 5e-13)
    assert x.shape == (2,) and x.sum() == pytest.approx(5e-13, abs=1e-15)
    assert (np.abs(x) <= 1e-12).all()
    # and through the solver: such bounds solve (5e-13 USD short of pinned)
    sol = solve_weights(COV, ["USD", "EUR", "JPY"], ["CHF"], "single",
                        {"USD": (1 - 5e-13, 1 - 5e-13), "EUR": (None, 0.0), "JPY": (None, 0.0)},
                        long_only=False)
    assert sol.weights.to_numpy() == pytest.approx([1.0, 0.0, 0.0], abs=1e-9)


# ----------------------------------------------------------------------------- validation
def test_solve_weights_messages() -> None:
    with pytest.raises(SpecError, match=_exact("unknown objective 'max'; use one of single, mean, "
                                               "worst")):
        solve_weights(COV, AL, AL, "max")
    with pytest.raises(SpecError, match=_exact("unknown method 'newton'; use one of slsqp, "
                                               "trust-constr")):
        solve_weights(COV, AL, AL, method="newton")
    with pytest.raises(SpecError, match=_exact("no currency allowed in the basket; allow at "
                                               "least one")):
        solve_weights(COV, [], AL)
    with pytest.raises(SpecError, match=_exact("no numeraire given; name at least one currency "
                                               "to measure in")):
        solve_weights(COV, AL, [])
    with pytest.raises(SpecError, match=_exact(
            "objective 'single' needs exactly one numeraire, got 2 (EUR, JPY); name one, or use "
            "objective 'mean' or 'worst'")):
        solve_weights(COV, AL, ["EUR", "JPY"], "single")
    with pytest.raises(DataError, match=_exact(
            "the covariance has no row for currency NOK, SEK; estimate it over the union of the "
            "basket's currencies and the numeraires")):
        solve_weights(COV, ["USD", "NOK", "SEK"], ["EUR"])
    bad = COV.copy()
    bad.iloc[1, 2] = np.inf
    with pytest.raises(DataError, match=_exact("the covariance has NaN or infinite entries")):
        solve_weights(bad, AL, ["EUR"], "single")


def test_solution_labels() -> None:
    for method in ("slsqp", "trust-constr"):
        sol = solve_weights(COV, A3, A3, "mean", method=method)
        assert sol.method == method
        assert sol.weights.name == "weight" and sol.weights.index.name == "currency"
        assert sol.weights.index.tolist() == A3
        assert sol.volatility.name == "volatility" and sol.volatility.index.name == "numeraire"
        assert sol.volatility.index.tolist() == A3


# ----------------------------------------------------------------------------- optimum
_SH = (np.full(4, -INF), np.full(4, INF))
_LONG = (np.zeros(4), np.ones(4))
_B = {"EUR": (0.25, 0.4), "USD": (0.1, 0.1)}
_B_LO, _B_HI = np.array([0.1, 0.25, 0, 0]), np.array([0.1, 0.4, 1, 1])
_PIN_SHORT = (np.array([-INF, -INF, -INF, 0.3]), np.array([INF, INF, INF, 0.3]))
_PIN = (np.array([0.1, 0, 0, 0]), np.array([0.1, 1, 1, 1]))
_PIN_S = (np.array([0.1, -INF, -INF, -INF]), np.array([0.1, INF, INF, INF]))

# (name, solve_weights keywords, reference thunk, tolerance for slsqp, for trust-constr)
CASES: list[tuple[str, dict[str, Any], Callable[[], np.ndarray], float, float]] = [
    ("single short, numeraire outside",
     {"currencies": AL, "numeraires": ["CHF"], "objective": "single", "long_only": False},
     lambda: _single(AL, "CHF", *_SH), 3e-7, 3e-8),
    ("single long-only interior",
     {"currencies": AL, "numeraires": ["SGD"], "objective": "single"},
     lambda: _single(AL, "SGD", *_LONG), 1e-6, 3e-8),
    ("single with a pin and a binding bound",
     {"currencies": AL, "numeraires": ["CHF"], "objective": "single", "bounds": _B},
     lambda: _single(AL, "CHF", _B_LO, _B_HI), 1e-12, 1e-5),
    ("single short with a pin",
     {"currencies": AL, "numeraires": ["SGD"], "objective": "single", "long_only": False,
      "bounds": {"GBP": (0.3, 0.3)}},
     lambda: _single(AL, "SGD", *_PIN_SHORT), 3e-9, 1e-12),
    ("single, numeraire in the basket",
     {"currencies": A3, "numeraires": ["JPY"], "objective": "single"},
     lambda: np.array([0.0, 1.0, 0.0]), 1e-12, 1e-3),
    ("worst short, numeraires outside",
     {"currencies": AL, "numeraires": ["CHF", "SGD"], "long_only": False},
     lambda: _worst2(AL, "CHF", "SGD", *_SH), 1e-8, 5e-7),
    ("worst, two numeraires inside: their midpoint",
     {"currencies": AL, "numeraires": ["EUR", "JPY"]},
     lambda: np.array([0.0, 0.5, 0.5, 0.0]), 2e-7, 3e-3),
    ("worst with a pin and a binding bound",
     {"currencies": AL, "numeraires": ["USD", "GBP"], "bounds": _B},
     lambda: _worst2(AL, "USD", "GBP", _B_LO, _B_HI), 1e-12, 1e-4),
    ("worst with a pin and a binding upper bound",
     {"currencies": AL, "numeraires": ["CHF", "SGD"], "bounds": _B},
     lambda: _worst2(AL, "CHF", "SGD", _B_LO, _B_HI), 3e-8, 1e-4),
    ("worst with a pin",
     {"currencies": AL, "numeraires": ["JPY", "SGD"], "bounds": {"USD": (0.1, 0.1)}},
     lambda: _worst2(AL, "JPY", "SGD", *_PIN), 1e-10, 1e-4),
    ("worst short with a pin",
     {"currencies": AL, "numeraires": ["JPY", "SGD"], "bounds": {"USD": (0.1, 0.1)},
      "long_only": False},
     lambda: _worst2(AL, "JPY", "SGD", *_PIN_S), 1e-10, 1e-6),
    ("worst, three numeraires = the basket (equidistant point)",
     {"currencies": A3, "numeraires": A3},
     lambda: _equidistant(A3), 1e-12, 3e-7),
    ("worst short, three numeraires = the basket",
     {"currencies": A3, "numeraires": A3, "long_only": False},
     lambda: _equidistant(A3), 1e-12, 1e-4),
    ("mean short, numeraires outside",
     {"currencies": ["USD", "EUR", "JPY"], "numeraires": ["GBP", "CHF", "SGD"], "objective": "mean",
      "long_only": False},
     lambda: _mean_2d(["USD", "EUR", "JPY"], ["GBP", "CHF", "SGD"]), 1e-6, 3e-8),
    ("mean with two pins",
     {"currencies": AL, "numeraires": ["CHF", "SGD", "EUR"], "objective": "mean",
      "bounds": {"USD": (0.3, 0.3), "GBP": (0.2, 0.2)}},
     lambda: _mean_1d(AL, ["CHF", "SGD", "EUR"], np.array([0.3, 0, 0.5, 0.2]),
                      np.array([0, 1.0, -1, 0]), 0.5), 2e-7, 5e-6),
    ("mean, one numeraire in the basket: all of it",
     {"currencies": A3, "numeraires": ["EUR"], "objective": "mean"},
     lambda: np.array([1.0, 0.0, 0.0]), 1e-12, 5e-5),
]


@pytest.mark.parametrize("method", ["slsqp", "trust-constr"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_optimum_against_a_reference(case: tuple[Any, ...], method: str) -> None:
    _, kwargs, reference, tol_slsqp, tol_tc = case
    ref = reference()
    allowed, ks = kwargs["currencies"], kwargs["numeraires"]
    sol = solve_weights(COV, method=method, **kwargs)
    tol = tol_slsqp if method == "slsqp" else tol_tc
    assert np.abs(sol.weights.to_numpy() - ref).max() <= tol
    assert sol.weights.sum() == pytest.approx(1.0, abs=1e-12)
    vols = np.array([math.sqrt(max(_var(allowed, k, ref), 0.0) * 252) for k in ks])
    objective = kwargs.get("objective", "worst")
    best = vols.mean() if objective == "mean" else vols.max()
    # the objective at the optimum is never below the true minimum, and close to it
    assert sol.objective_value >= best * (1 - 1e-12) - 1e-15
    assert sol.objective_value == pytest.approx(best, rel=2e-6, abs=0.1 * tol)


def test_fallback_to_trust_constr_gives_the_same_optimum(monkeypatch: pytest.MonkeyPatch) -> None:
    real = scipy.optimize.minimize
    calls: list[str] = []

    class Failed:
        success, message, status, nit = False, "Positive directional derivative for linesearch", 8, 7

    def fake(*args: Any, **kwargs: Any) -> Any:
        calls.append(str(kwargs.get("method")).lower())
        return Failed() if str(kwargs.get("method")).lower() == "slsqp" else real(*args, **kwargs)

    monkeypatch.setattr(scipy.optimize, "minimize", fake)
    sol = solve_weights(COV, A3, A3, "worst")
    assert calls == ["slsqp", "trust-constr"]
    assert np.abs(sol.weights.to_numpy() - _equidistant(A3)).max() <= 3e-7
    assert sol.method == "slsqp"


# ----------------------------------------------------------------------------- fake solvers
class _Result:
    def __init__(self, x: list[float], success: bool = True, message: str = "ok") -> None:
        self.x, self.success, self.message, self.status, self.nit = np.array(x), success, message, 0, 3


def _fake(monkeypatch: pytest.MonkeyPatch, x: list[float], success: bool = True,
          message: str = "ok") -> None:
    monkeypatch.setattr(scipy.optimize, "minimize",
                        lambda *a, **k: _Result(x, success, message))


OUTSIDE = ("the optimiser stopped outside the constraints; loosen the bounds or try another "
           "objective")


@pytest.mark.parametrize(("x", "bounds", "long_only"), [
    ([0.5, 0.5 - 1e-6, 1e-6], {"JPY": (None, 0.0)}, False),       # above an upper bound
    ([0.5 + 1e-6, 0.5, -1e-6], {"JPY": (0.0, None)}, False),      # below a lower bound
    ([0.45, 0.55, 0.0], {"EUR": (None, 0.5499)}, True),            # above, long-only
    ([0.2, 0.3, 0.5], {"USD": (0.2001, None)}, True),              # below, long-only
])
def test_a_solver_result_outside_the_bounds_is_an_error(monkeypatch: pytest.MonkeyPatch,
                                                        x: list[float], bounds: Any,
                                                        long_only: bool) -> None:
    _fake(monkeypatch, x)
    with pytest.raises(SimulationError, match=_exact(OUTSIDE)):
        solve_weights(COV, ["USD", "EUR", "JPY"], ["CHF"], "single", bounds, long_only=long_only)


@pytest.mark.parametrize(("x", "bound"), [
    ([5e-8, 0.49999995, 0.5], (None, 0.0)),
    ([-1e-7, 0.5000001, 0.5], (0.0, None)),     # exactly lo - 1e-7 (the sum is exactly 1)
    ([1e-7, 0.4999999, 0.5], (None, 0.0)),      # exactly hi + 1e-7
])
def test_a_solver_result_within_1e7_of_a_bound_is_accepted(monkeypatch: pytest.MonkeyPatch,
                                                           x: list[float], bound: Any) -> None:
    assert np.array(x).sum() == 1.0
    _fake(monkeypatch, x)
    sol = solve_weights(COV, ["USD", "EUR", "JPY"], ["CHF"], "single", {"USD": bound},
                        long_only=False)
    assert sol.weights.tolist() == x


def test_a_solver_result_whose_sum_drifts_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # huge offsetting shorts: after normalising, the weights still sum to 1 only within ~1e-8
    x = [3.0e8 + 0.1, -3.0e8 + 0.7, 0.2 + 1e-7]
    w = np.array(x) / np.array(x).sum()
    assert 1e-9 < abs(w.sum() - 1.0) < 1e-6
    _fake(monkeypatch, x)
    with pytest.raises(SimulationError, match=_exact(OUTSIDE)):
        solve_weights(COV, ["USD", "EUR", "JPY"], ["CHF"], "single", long_only=False)


@pytest.mark.parametrize("x", [[0.5, -0.5, 0.0], [np.nan, 0.5, 0.5], [np.inf, 0.0, 0.0]])
def test_a_solver_result_that_cannot_be_normalised_is_an_error(monkeypatch: pytest.MonkeyPatch,
                                                               x: list[float]) -> None:
    # weights summing to 0 (or not finite) would become NaN: refused, never returned
    _fake(monkeypatch, x)
    with pytest.raises(SimulationError, match=_exact(OUTSIDE)):
        solve_weights(COV, ["USD", "EUR", "JPY"], ["CHF"], "single", long_only=False)


def test_tiny_weights_snap_to_zero_long_only(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(monkeypatch, [0.6, 0.4 - 5e-10, 5e-10])
    sol = solve_weights(COV, ["USD", "EUR", "JPY"], ["CHF"], "single")
    assert sol.weights.iloc[2] == 0.0
    assert sol.weights.to_numpy() == pytest.approx([0.6, 0.4, 0.0], rel=1e-9)
    # shorts: the same weight is kept
    sol = solve_weights(COV, ["USD", "EUR", "JPY"], ["CHF"], "single", long_only=False)
    assert sol.weights.iloc[2] == pytest.approx(5e-10, rel=1e-6)


def test_a_weight_pinned_at_the_snapping_threshold_is_kept() -> None:
    # WEIGHT_ATOL is "closer to zero than this": a weight equal to it is not zeroed
    sol = solve_weights(COV, AL, ["EUR", "JPY"], "worst", {"GBP": (WEIGHT_ATOL, WEIGHT_ATOL)})
    assert sol.weights["GBP"] == pytest.approx(WEIGHT_ATOL, rel=1e-6)


def test_did_not_converge_message(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(monkeypatch, [0.2, 0.3, 0.5], success=False, message="Iteration limit reached")
    for method in ("slsqp", "trust-constr"):
        with pytest.raises(SimulationError, match=_exact(
                "the optimiser did not converge (Iteration limit reached); loosen the bounds or "
                "try another objective")):
            solve_weights(COV, ["USD", "EUR", "JPY"], ["CHF"], "mean", method=method)


# ----------------------------------------------------------------------------- covariances
def test_zero_covariance() -> None:
    # every currency pegged to USD: every basket has zero volatility
    zero = pd.DataFrame(0.0, index=CODES, columns=CODES)
    for objective, ks in (("worst", AL), ("mean", AL), ("single", ["CHF"])):
        sol = solve_weights(zero, AL, ks, objective, {"EUR": (0.2, 0.5)})
        assert sol.objective_value == 0.0
        assert sol.volatility.tolist() == [0.0] * len(ks)
        w = sol.weights.to_numpy()
        assert w.sum() == pytest.approx(1.0) and 0.2 - 1e-9 <= w[1] <= 0.5 + 1e-9


@pytest.mark.parametrize("method", ["slsqp", "trust-constr"])
def test_float32_and_object_covariances_are_solved_in_double(method: str) -> None:
    ref = _equidistant(A3)
    for cov in (COV.astype(np.float32).astype(np.float64), COV.astype(np.float32),
                COV.astype(object)):
        sol = solve_weights(cov, A3, A3, "worst", method=method)
        exact = solve_weights(cov.astype(np.float64), A3, A3, "worst", method=method)
        assert sol.weights.tolist() == exact.weights.tolist()
        assert sol.objective_value == exact.objective_value
        assert np.abs(sol.weights.to_numpy() - ref).max() < 1e-4


def test_trust_constr_mean_with_quasi_newton_warnings() -> None:
    # trust-constr's BFGS update warns on these problems; the warnings are silenced, the
    # solve goes on and lands no worse than equal weights
    for allowed in (["USD", "EUR", "JPY", "GBP", "SGD"], ["EUR", "JPY", "GBP", "CHF"]):
        sol = solve_weights(COV, allowed, allowed, "mean", method="trust-constr")
        w = sol.weights.to_numpy()
        vols = [math.sqrt(_var(allowed, k, w) * 252) for k in allowed]
        assert sol.volatility.to_numpy() == pytest.approx(vols, rel=1e-9, abs=1e-12)
        equal = np.full(len(allowed), 1 / len(allowed))
        assert sol.objective_value <= np.mean(
            [math.sqrt(_var(allowed, k, equal) * 252) for k in allowed])
