"""Basket design: the weights that make a basket most stable for its holders (pure core).

Conventions, stated once for the module:

* prices are **US dollars per one unit** (an FX panel); ``r_c`` is the daily **log** return of
  ``P_c`` (``r_USD = 0``) and ``Sigma`` their sample covariance (``ddof=1``) over the estimation
  window, extended to every currency that is allowed in the basket or used as a numeraire;
* **constant-weight approximation.** A basket with value weights ``w`` measured in numeraire
  ``k`` has, to first order, the daily log return ``sum_c w_c r_c - r_k = (w - e_k)' r`` with
  ``e_k`` the unit vector of ``k`` (``k`` need not be in the basket), so its model volatility is
  ``vol_k(w) = sqrt((w - e_k)' Sigma (w - e_k) * periods_per_year)``. This is exact for a basket
  rebalanced continuously to ``w`` (a geometric index); a fixed-amounts basket drifts from ``w``,
  so the realised volatility of the actual basket is reported beside the model figure;
* objectives over a set of numeraires ``K``: ``"single"`` minimises ``vol_k`` for one ``k``;
  ``"mean"`` the mean of ``vol_k`` over ``K``; ``"worst"`` the largest ``vol_k``, solved in
  epigraph form ``min t s.t. (w - e_k)' Sigma (w - e_k) <= t`` for every ``k`` (smooth convex
  quadratic constraints, analytic gradients ``2 Sigma (w - e_k)``);
* weights sum to 1; long-only (``w >= 0``) unless asked otherwise; per-currency bounds.

:func:`solve_weights` is the solver (scipy's SLSQP, or trust-constr as a second method); the
covariance and the volatility of given weights are in :mod:`basket.design.estimation`, and
:class:`~basket.design.results.OptimizationResult` is what :func:`basket.optimize` returns. scipy
is imported inside the functions so that ``import basket`` stays light.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from basket.design.estimation import _check_ppy, _lookup
from basket.errors import DataError, SimulationError, SpecError
from basket.valuation.metrics import PERIODS_PER_YEAR

__all__ = [
    "OBJECTIVES",
    "Solution",
    "solve_weights",
    "validate_bounds",
]

Objective = Literal["single", "mean", "worst"]
OBJECTIVES: tuple[str, ...] = ("single", "mean", "worst")
"""The objectives :func:`solve_weights` knows."""

Method = Literal["slsqp", "trust-constr"]
_METHODS = ("slsqp", "trust-constr")

WEIGHT_ATOL = 1e-9
"""Weights closer to zero than this (long-only) are reported as zero."""

_SMOOTH = 1e-12
"""Added to each scaled variance under the square root of the ``mean`` objective, so the
gradient stays finite where a numeraire's volatility is zero (100% in that currency)."""


# ----------------------------------------------------------------------------- constraints
def validate_bounds(
    currencies: Sequence[str],
    bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
    long_only: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Check per-currency bounds and return the effective ``(lo, hi)`` arrays.

    Parameters
    ----------
    currencies : sequence of str
        The currencies allowed in the basket.
    bounds : dict of str to (lo, hi), optional
        Weight bounds by currency; ``None`` on either side means no bound beyond long-only.
    long_only : bool, default True
        Weights at least 0 (and so at most 1).

    Returns
    -------
    (lo, hi) : tuple of ndarray
        One entry per allowed currency (``-inf``/``inf`` where unbounded).

    Raises
    ------
    SpecError
        A bound for a currency that is not allowed, a non-number, ``lo > hi``, or a negative
        lower bound under ``long_only``.
    SimulationError
        Infeasible bounds: minimums summing above 1 or maximums below 1.

    Examples
    --------
    >>> lo, hi = validate_bounds(["USD", "EUR"], {"USD": (0.5, None)})
    >>> lo.tolist(), hi.tolist()
    ([0.5, 0.0], [1.0, 1.0])
    """
    codes = list(currencies)
    n = len(codes)
    lo = np.full(n, 0.0 if long_only else -np.inf)
    hi = np.full(n, 1.0 if long_only else np.inf)
    if bounds is not None and not isinstance(bounds, Mapping):
        raise SpecError(f"bounds {bounds!r} must be a mapping of currency to (lo, hi), e.g. "
                        "{'USD': (0.5, None)}")
    seen: dict[str, object] = {}
    for key, pair in (bounds or {}).items():
        code = str(key).strip().upper()
        if code in seen:
            raise SpecError(f"bounds name {code} twice ({seen[code]!r} and {key!r}); give each "
                            "currency one bound")
        seen[code] = key
        if code not in codes:
            raise SpecError(
                f"bound for {code}, which is not an allowed currency; allow it in currencies "
                f"or drop the bound (allowed: {', '.join(codes)})"
            )
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise SpecError(f"bound for {code} must be a pair (lo, hi), got {pair!r}")
        i = codes.index(code)
        for side, value in zip(("lower", "upper"), pair):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(
                value
            ):
                raise SpecError(f"{side} bound for {code} is {value!r}, not a number")
            if side == "lower":
                if long_only and value < 0:
                    raise SpecError(
                        f"lower bound {value:g} for {code} is negative but the basket is "
                        "long-only; use long_only=False (--allow-short) to allow short positions"
                    )
                lo[i] = max(lo[i], float(value)) if long_only else float(value)
            else:
                hi[i] = min(hi[i], float(value)) if long_only else float(value)
        if lo[i] > hi[i]:
            raise SpecError(
                f"bounds for {code} are empty: lower {lo[i]:g} is above upper {hi[i]:g}"
            )
    if lo.sum() > 1.0 + 1e-12:
        raise SimulationError(
            f"infeasible bounds: the minimum weights sum to {lo.sum():.4g} > 1; lower them"
        )
    if hi.sum() < 1.0 - 1e-12:
        raise SimulationError(
            f"infeasible bounds: the maximum weights sum to {hi.sum():.4g} < 1; raise them "
            "or allow more currencies"
        )
    return lo, hi


def _start_point(lo: np.ndarray, hi: np.ndarray, total: float = 1.0) -> np.ndarray:
    """A point inside the bounds whose entries sum to ``total`` (bounds assumed feasible)."""
    n = len(lo)
    base = np.where(np.isfinite(lo), lo, np.minimum(0.0, np.where(np.isfinite(hi), hi, 0.0)))
    room = total - float(base.sum())
    span = np.where(np.isfinite(hi), hi - base, np.inf)
    if room <= 0:
        # only unbounded-below entries can go lower
        down = ~np.isfinite(lo)
        if down.any():
            base[down] += room / int(down.sum())
        return base
    if np.isinf(span).any():
        return base + np.where(np.isinf(span), room / int(np.isinf(span).sum()), 0.0)
    if span.sum() <= 0:
        return np.full(n, total / n)
    return base + span * min(1.0, room / float(span.sum()))


# ----------------------------------------------------------------------------- solver
@dataclass(frozen=True)
class Solution:
    """Raw result of :func:`solve_weights`.

    Attributes
    ----------
    weights : pandas.Series
        Optimal weights by allowed currency (summing to 1), named ``"weight"``.
    objective_value : float
        The objective at the optimum: an annualized model volatility (``single``: ``vol_k``;
        ``mean``: mean ``vol_k``; ``worst``: max ``vol_k``).
    volatility : pandas.Series
        Model volatility in each numeraire at the optimum.
    method : str
        ``"slsqp"`` or ``"trust-constr"``.
    iterations : int
    """

    weights: pd.Series
    objective_value: float
    volatility: pd.Series
    method: str
    iterations: int


def _objective_value(vol: np.ndarray, objective: str) -> float:
    if objective == "mean":
        return float(vol.mean())
    return float(vol.max())


def solve_weights(
    cov: pd.DataFrame,
    currencies: Sequence[str],
    numeraires: Sequence[str],
    objective: str = "worst",
    bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
    *,
    long_only: bool = True,
    periods_per_year: float = PERIODS_PER_YEAR,
    method: str = "slsqp",
) -> Solution:
    """Find the weights with the lowest model volatility for holders in the numeraires.

    Parameters
    ----------
    cov : pandas.DataFrame
        Daily log-return covariance (:func:`return_covariance`) over the union of the allowed
        currencies and the numeraires.
    currencies : sequence of str
        Currencies the basket may hold.
    numeraires : sequence of str
        Currencies its holders measure it in (any currency of ``cov``).
    objective : {"single", "mean", "worst"}, default "worst"
        ``single``: ``vol_k`` for one numeraire; ``mean``: the mean of ``vol_k``; ``worst``:
        the largest ``vol_k`` (epigraph form).
    bounds : dict of str to (lo, hi), optional
        Weight bounds per allowed currency (see :func:`validate_bounds`).
    long_only : bool, default True
        No short positions.
    periods_per_year : float, default 252
        Annualization of the reported volatilities.
    method : {"slsqp", "trust-constr"}, default "slsqp"
        scipy solver; trust-constr is slower and serves as a second opinion.

    Returns
    -------
    Solution

    Raises
    ------
    SpecError
        Unknown objective or method, ``single`` with other than one numeraire, no currency,
        malformed bounds.
    SimulationError
        Infeasible bounds, or a solver that does not converge.
    DataError
        A currency or numeraire missing from ``cov``, or a covariance with NaN.

    Notes
    -----
    The covariance is annualized and rescaled by its largest diagonal entry before solving, so
    the objective is of order one; the reported figures are in annual volatility units. The
    gradient of ``(w - e_k)' Sigma (w - e_k)`` is ``2 Sigma (w - e_k)``, restricted to the
    allowed currencies.

    Examples
    --------
    >>> import pandas as pd
    >>> cov = pd.DataFrame([[1e-4, 0.0], [0.0, 1e-4]], index=["EUR", "JPY"],
    ...                    columns=["EUR", "JPY"])
    >>> sol = solve_weights(cov, ["EUR", "JPY"], ["EUR", "JPY"], "worst")
    >>> sol.weights.round(6).tolist()
    [0.5, 0.5]
    """
    if objective not in OBJECTIVES:
        raise SpecError(f"unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}")
    if method not in _METHODS:
        raise SpecError(f"unknown method {method!r}; use one of {', '.join(_METHODS)}")
    codes = [str(c) for c in currencies]
    ks = [str(k) for k in numeraires]
    if not codes:
        raise SpecError("no currency allowed in the basket; allow at least one")
    if not ks:
        raise SpecError("no numeraire given; name at least one currency to measure in")
    if objective == "single" and len(ks) != 1:
        raise SpecError(
            f"objective 'single' needs exactly one numeraire, got {len(ks)} ({', '.join(ks)}); "
            "name one, or use objective 'mean' or 'worst'"
        )
    ppy = _check_ppy(periods_per_year)
    lo, hi = validate_bounds(codes, bounds, long_only)
    a, b, q0, scale = _scaled_quadratics(cov, codes, ks, ppy)
    w, iterations = _solve_free(objective, method, a, b, q0, lo, hi)
    if long_only:
        w = np.where(np.abs(w) < WEIGHT_ATOL, 0.0, w)
        w = np.maximum(w, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = w / w.sum()
    tol = 1e-7
    if (not np.isfinite(w).all() or (w < lo - tol).any() or (w > hi + tol).any()
            or abs(w.sum() - 1.0) > 1e-9):
        raise SimulationError(
            "the optimiser stopped outside the constraints; loosen the bounds or try another "
            "objective"
        )
    q_full = w @ a @ w - 2.0 * (w @ b) + q0
    vol = np.sqrt(np.maximum(q_full, 0.0) * scale)
    if objective == "single":
        value = float(vol[0])
    else:
        value = _objective_value(vol, objective)
    return Solution(
        weights=pd.Series(w, index=pd.Index(codes, name="currency"), name="weight"),
        objective_value=value,
        volatility=pd.Series(vol, index=pd.Index(ks, name="numeraire"), name="volatility"),
        method=method,
        iterations=int(iterations),
    )


def _scaled_quadratics(cov: pd.DataFrame, codes: list[str], ks: list[str], ppy: float
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The variance of ``w`` in numeraire ``k`` is ``(w'Aw - 2 w'b_k + q_k) * scale``.

    The annualized covariance is divided by its largest diagonal entry so the solvers work
    on numbers near one. Returns ``A`` (n, n), ``b`` (n, K), ``q`` (K,) and ``scale``.
    """
    iw = _lookup(cov, codes, "currency")
    ik = _lookup(cov, ks, "numeraire")
    c = cov.to_numpy(dtype=np.float64) * ppy
    if not np.isfinite(c).all():
        raise DataError("the covariance has NaN or infinite entries")
    scale = float(np.max(np.diag(c)))
    scale = scale if scale > 0 else 1.0
    c = c / scale
    return c[np.ix_(iw, iw)], c[np.ix_(iw, ik)], c[ik, ik], scale


def _solve_free(objective: str, method: str, a: np.ndarray, b: np.ndarray, q0: np.ndarray,
                lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, int]:
    """Optimal weights and the solver's iterations; pinned weights (lo == hi) are constants."""
    free = lo < hi
    pinned = np.where(free, 0.0, lo)
    nf = int(free.sum())
    if nf == 0:
        return pinned, 0
    af = a[np.ix_(free, free)]
    shift = a[free] @ pinned                 # (nf,): cross terms with the pinned weights
    bf = b[free] - shift[:, None]            # (nf, K)
    qf = q0 - 2.0 * (pinned @ b) + pinned @ a @ pinned
    target = 1.0 - float(pinned.sum())

    def variances(x: np.ndarray) -> np.ndarray:
        return np.asarray(x @ af @ x - 2.0 * (x @ bf) + qf)

    def var_grads(x: np.ndarray) -> np.ndarray:
        return np.asarray(2.0 * (af @ x)[:, None] - 2.0 * bf)     # (nf, K)

    problem = _Problem(objective, variances, var_grads, af, nf, len(q0), target,
                       lo[free], hi[free])
    if method == "slsqp":
        try:
            x, iterations = _solve_slsqp(problem)
        except SimulationError:
            # SLSQP can stall at its precision limit; trust-constr is slower but robust
            x, iterations = _solve_trust_constr(problem)
    else:
        x, iterations = _solve_trust_constr(problem)
    w = pinned.copy()
    w[free] = x[:nf]
    return w, iterations


@dataclass(frozen=True)
class _Problem:
    """The reduced problem handed to a scipy solver (free weights only, scaled units)."""

    objective: str
    variances: Any          # x -> (K,) scaled variances
    var_grads: Any          # x -> (n, K) their gradients
    a: np.ndarray           # (n, n) Hessian / 2 of every variance
    n: int
    nk: int
    target: float           # the free weights sum to this
    lo: np.ndarray
    hi: np.ndarray

    def start(self) -> np.ndarray:
        return _start_point(self.lo, self.hi, self.target)


def _fail(message: str) -> SimulationError:
    return SimulationError(
        f"the optimiser did not converge ({message}); loosen the bounds or try another "
        "objective"
    )


def _solve_slsqp(p: _Problem) -> tuple[np.ndarray, int]:
    from scipy.optimize import minimize

    n, ones = p.n, np.ones(p.n)
    options = {"ftol": 1e-13, "maxiter": 1000}
    bounds = list(zip(p.lo, p.hi))
    w0 = p.start()
    if p.objective == "worst":
        grad = np.zeros(n + 1)
        grad[-1] = 1.0
        cons = [
            {"type": "eq", "fun": lambda x: np.array([x[:n] @ ones - p.target]),
             "jac": lambda x: np.append(ones, 0.0)[None, :]},
            {"type": "ineq", "fun": lambda x: x[-1] - p.variances(x[:n]),
             "jac": lambda x: np.hstack([-p.var_grads(x[:n]).T, np.ones((p.nk, 1))])},
        ]
        x0 = np.append(w0, float(p.variances(w0).max()) * 1.01 + 1e-12)
        res = minimize(lambda x: float(x[-1]), x0, jac=lambda x: grad, method="SLSQP",
                       bounds=[*bounds, (0.0, None)], constraints=cons, options=options)
    else:
        f, g = _smooth_objective(p.objective, p.variances, p.var_grads)
        cons = [{"type": "eq", "fun": lambda x: np.array([x @ ones - p.target]),
                 "jac": lambda x: ones[None, :]}]
        res = minimize(f, w0, jac=g, method="SLSQP", bounds=bounds, constraints=cons,
                       options=options)
    if not res.success:
        raise _fail(str(res.message))
    return np.asarray(res.x, dtype=np.float64), int(res.nit)


def _smooth_objective(objective: str, variances: Any, var_grads: Any) -> tuple[Any, Any]:
    if objective == "single":
        def f(w: np.ndarray) -> float:
            return float(variances(w)[0])

        def g(w: np.ndarray) -> np.ndarray:
            return np.asarray(var_grads(w)[:, 0])

        return f, g

    def fm(w: np.ndarray) -> float:
        return float(np.sqrt(np.maximum(variances(w), 0.0) + _SMOOTH).mean())

    def gm(w: np.ndarray) -> np.ndarray:
        s = np.sqrt(np.maximum(variances(w), 0.0) + _SMOOTH)
        return np.asarray((var_grads(w) / (2.0 * s)).mean(axis=1))

    return fm, gm


def _solve_trust_constr(p: _Problem) -> tuple[np.ndarray, int]:
    from scipy.optimize import BFGS, Bounds, LinearConstraint, NonlinearConstraint, minimize

    n = p.n
    options = {"gtol": 1e-12, "xtol": 1e-14, "maxiter": 5000}
    w0 = p.start()
    if p.objective == "worst":
        hess_q = np.zeros((n + 1, n + 1))
        hess_q[:n, :n] = 2.0 * p.a
        nonlinear = NonlinearConstraint(
            lambda x: x[-1] - p.variances(x[:n]),
            0.0,
            np.inf,
            jac=lambda x: np.hstack([-p.var_grads(x[:n]).T, np.ones((p.nk, 1))]),
            hess=lambda x, v: -float(np.sum(v)) * hess_q,
        )
        linear = LinearConstraint(np.append(np.ones(n), 0.0)[None, :], p.target, p.target)
        x0 = np.append(w0, float(p.variances(w0).max()) * 1.01 + 1e-12)
        box = Bounds(np.append(p.lo, 0.0), np.append(p.hi, np.inf))
        grad = np.zeros(n + 1)
        grad[-1] = 1.0
        zero = np.zeros((n + 1, n + 1))
        with warnings.catch_warnings():
            # trust-constr warns when a quasi-Newton update is skipped; the result is checked
            warnings.simplefilter("ignore", UserWarning)
            res = minimize(lambda x: float(x[-1]), x0, jac=lambda x: grad,
                           hess=lambda x: zero, method="trust-constr",
                           constraints=[linear, nonlinear], bounds=box, options=options)
    else:
        f, g = _smooth_objective(p.objective, p.variances, p.var_grads)
        hess: Any = (lambda w: 2.0 * p.a) if p.objective == "single" else BFGS()
        linear = LinearConstraint(np.ones(n)[None, :], p.target, p.target)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            res = minimize(f, w0, jac=g, hess=hess, method="trust-constr",
                           constraints=[linear], bounds=Bounds(p.lo, p.hi), options=options)
    if not res.success:
        raise _fail(str(res.message))
    return np.asarray(res.x, dtype=np.float64), int(res.nit)
