"""The generalised forecast-error variance decomposition and the Diebold-Yilmaz table (pure).

Conventions, stated once for the module:

* a VAR(p) ``y_t = c + A_1 y_{t-1} + ... + A_p y_{t-p} + u_t`` with ``Cov(u_t) = Sigma`` has the
  moving-average form ``y_t = mu + sum_{h>=0} Phi_h u_{t-h}``, ``Phi_0 = I`` and
  ``Phi_h = sum_{l=1}^{min(h,p)} A_l Phi_{h-l}`` (:func:`ma_coefficients`);
* the forecast **horizon** ``H`` counts the terms ``h = 0 .. H-1``, as in Diebold and Yilmaz
  (2012) and statsmodels' ``fevd(H)``;
* a **share** ``d_ij`` is the part of variable ``i``'s H-step forecast-error variance due to
  shocks to ``j``: rows are **receivers**, columns **transmitters**, and each row sums to one
  (to 100 in the percent tables);
* **from others** ``F_i = sum_{j != i} d_ij``, **to others** ``T_j = sum_{i != j} d_ij``,
  **net** ``T_i - F_i``, all in percent of one row (Diebold and Yilmaz 2014's
  ``C_{i<-.}``, ``C_{.<-j}``); the **total** index is their mean, ``100/N sum_{i != j} d_ij``.
  Diebold and Yilmaz (2012) divide the directional figures by ``N`` as well; multiply ours by
  ``1/N`` to get theirs.

Every function takes numpy arrays and works on a stack of them (any leading dimensions, e.g.
one per rolling window) unless it says otherwise; :func:`generalized_fevd_python` is the
plain-Python twin of :func:`generalized_fevd`, kept for the test that they agree.

References
----------
Pesaran, M. H. and Y. Shin (1998), "Generalized impulse response analysis in linear multivariate
models", *Economics Letters* 58(1), 17-29.
Diebold, F. X. and K. Yilmaz (2012), "Better to give than to receive: predictive directional
measurement of volatility spillovers", *International Journal of Forecasting* 28(1), 57-66.
Diebold, F. X. and K. Yilmaz (2014), "On the network topology of variance decompositions:
measuring the connectedness of financial firms", *Journal of Econometrics* 182(1), 119-134.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "FROM_OTHERS",
    "NET",
    "TO_OTHERS",
    "connectedness_table",
    "directional",
    "generalized_fevd",
    "generalized_fevd_python",
    "ma_coefficients",
    "total_connectedness",
]

FROM_OTHERS = "from others"
"""Label of the table's column of shares received from the other variables."""
TO_OTHERS = "to others"
"""Label of the table's row of shares transmitted to the other variables."""
NET = "net"
"""Label of the table's row of net transmission (to others minus from others)."""

Array = NDArray[np.float64]


def ma_coefficients(coefs: Array, horizon: int) -> Array:
    """Return the moving-average coefficients ``Phi_0 .. Phi_{H-1}`` of a VAR.

    Parameters
    ----------
    coefs : ndarray, shape (..., p, N, N)
        The lag matrices ``A_1 .. A_p``; ``coefs[..., l, i, j]`` is the effect of variable
        ``j`` at lag ``l + 1`` in the equation of variable ``i`` (statsmodels' ``coefs``).
    horizon : int
        Number of terms ``H`` (at least 1).

    Returns
    -------
    ndarray, shape (..., H, N, N)
        ``Phi_0 = I`` and ``Phi_h = sum_{l=1}^{min(h, p)} A_l Phi_{h-l}``.

    Examples
    --------
    >>> a = np.array([[[0.5, 0.0], [0.2, 0.1]]])
    >>> ma_coefficients(a, 3)[2]
    array([[0.25, 0.  ],
           [0.12, 0.01]])
    """
    a = np.asarray(coefs, dtype=np.float64)
    p, n = a.shape[-3], a.shape[-1]
    lead = a.shape[:-3]
    phi = np.zeros((*lead, horizon, n, n))
    phi[..., 0, :, :] = np.eye(n)
    for h in range(1, horizon):
        acc = np.zeros((*lead, n, n))
        for lag in range(1, min(h, p) + 1):
            acc += a[..., lag - 1, :, :] @ phi[..., h - lag, :, :]
        phi[..., h, :, :] = acc
    return phi


def generalized_fevd(ma: Array, sigma: Array) -> Array:
    """Return the normalised generalised variance decomposition (rows sum to one).

    Parameters
    ----------
    ma : ndarray, shape (..., H, N, N)
        Moving-average coefficients ``Phi_0 .. Phi_{H-1}`` (:func:`ma_coefficients`).
    sigma : ndarray, shape (..., N, N)
        Covariance of the VAR's errors (positive definite).

    Returns
    -------
    ndarray, shape (..., N, N)
        ``d_ij``: the share of variable ``i``'s H-step forecast-error variance due to shocks to
        ``j``; non-negative, each row sums to one.

    Notes
    -----
    Pesaran and Shin's (1998) generalised decomposition, normalised by its row sums as in
    Diebold and Yilmaz (2012)::

        theta_ij = sigma_jj^-1 sum_h (e_i' Phi_h Sigma e_j)^2 / sum_h (e_i' Phi_h Sigma Phi_h' e_i)
        d_ij     = theta_ij / sum_j theta_ij

    ``sigma_jj`` is the error **variance** of equation ``j`` (Diebold and Yilmaz 2012 call it the
    standard deviation, a misprint: only the variance makes the decomposition equal the
    Cholesky one when ``Sigma`` is diagonal, which the tests check against statsmodels). The
    shares do not depend on the order of the variables, nor on their units.

    Examples
    --------
    >>> phi = np.array([np.eye(2)])          # H = 1: only the impact matters
    >>> sigma = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> generalized_fevd(phi, sigma)
    array([[0.8, 0.2],
           [0.2, 0.8]])
    """
    phi = np.asarray(ma, dtype=np.float64)
    s = np.asarray(sigma, dtype=np.float64)
    ps = phi @ s[..., None, :, :]                               # Phi_h Sigma
    variances = np.diagonal(s, axis1=-2, axis2=-1)
    numerator = (ps**2).sum(axis=-3) / variances[..., None, :]
    mse = np.einsum("...hij,...hij->...i", ps, phi)             # diag(sum_h Phi_h Sigma Phi_h')
    theta = numerator / mse[..., :, None]
    out: Array = theta / theta.sum(axis=-1, keepdims=True)
    return out


def generalized_fevd_python(ma: Array, sigma: Array) -> Array:
    """Plain-Python twin of :func:`generalized_fevd` for one VAR (loops, no vectorisation).

    Parameters
    ----------
    ma : array-like, shape (H, N, N)
    sigma : array-like, shape (N, N)

    Returns
    -------
    ndarray, shape (N, N)
        The same shares as :func:`generalized_fevd`, computed term by term.
    """
    phi = np.asarray(ma, dtype=np.float64).tolist()
    s = np.asarray(sigma, dtype=np.float64).tolist()
    horizon, n = len(phi), len(s)
    theta = [[0.0] * n for _ in range(n)]
    for i in range(n):
        mse = 0.0
        for h in range(horizon):
            row = [sum(phi[h][i][k] * s[k][j] for k in range(n)) for j in range(n)]
            mse += sum(row[j] * phi[h][i][j] for j in range(n))
            for j in range(n):
                theta[i][j] += row[j] ** 2 / s[j][j]
        for j in range(n):
            theta[i][j] /= mse
    out = [[theta[i][j] / sum(theta[i]) for j in range(n)] for i in range(n)]
    return np.array(out, dtype=np.float64)


def directional(shares: Array) -> tuple[Array, Array]:
    """Return ``(to_others, from_others)`` in percent: column and row sums off the diagonal.

    Parameters
    ----------
    shares : ndarray, shape (..., N, N)
        Normalised shares (rows sum to one), rows receivers, columns transmitters.

    Returns
    -------
    (ndarray, ndarray), each of shape (..., N)
        ``100 * sum_{i != j} d_ij`` over receivers ``i`` for each transmitter ``j``, and over
        transmitters for each receiver.

    Examples
    --------
    >>> to, fr = directional(np.array([[0.9, 0.1], [0.3, 0.7]]))
    >>> to.round(12), fr.round(12)
    (array([30., 10.]), array([10., 30.]))
    """
    d = np.asarray(shares, dtype=np.float64)
    off = d * (1.0 - np.eye(d.shape[-1]))
    return 100.0 * off.sum(axis=-2), 100.0 * off.sum(axis=-1)


def total_connectedness(shares: Array) -> Array:
    """Return the total connectedness index in percent, ``100/N sum_{i != j} d_ij``.

    Parameters
    ----------
    shares : ndarray, shape (..., N, N)

    Returns
    -------
    ndarray, shape (...)
        A 0-d array for one matrix (``float()`` it), one value per matrix of a stack.

    Examples
    --------
    >>> float(total_connectedness(np.array([[0.9, 0.1], [0.3, 0.7]])))
    20.0
    """
    d = np.asarray(shares, dtype=np.float64)
    n = d.shape[-1]
    off = d * (1.0 - np.eye(n))
    out: Array = 100.0 * off.sum(axis=(-2, -1)) / n
    return out


def connectedness_table(shares: Array, names: Sequence[str]) -> pd.DataFrame:
    """Return the Diebold-Yilmaz spillover table in percent, with its margins.

    Parameters
    ----------
    shares : ndarray, shape (N, N)
        Normalised shares of one VAR (rows sum to one).
    names : sequence of str
        The ``N`` variable names, in the order of the rows.

    Returns
    -------
    pandas.DataFrame
        Rows: the receivers, then ``"to others"`` and ``"net"``; columns: the transmitters,
        then ``"from others"``. A receiver's row sums to 100 over the transmitters. The
        ``"to others"`` row holds each column's sum off the diagonal, ``"net"`` is ``to others``
        minus ``from others``; the corner (``"to others"``, ``"from others"``) holds the total
        connectedness index (the mean of the ``"from others"`` column) and the other corner is
        NaN.

    Examples
    --------
    >>> t = connectedness_table(np.array([[0.9, 0.1], [0.3, 0.7]]), ["EUR", "JPY"])
    >>> t.round(6)  # doctest: +NORMALIZE_WHITESPACE
    transmitter   EUR   JPY  from others
    receiver
    EUR          90.0  10.0         10.0
    JPY          30.0  70.0         30.0
    to others    30.0  10.0         20.0
    net          20.0 -20.0          NaN
    """
    d = np.asarray(shares, dtype=np.float64)
    codes = [str(c) for c in names]
    to, fr = directional(d)
    body = np.column_stack([100.0 * d, fr])
    margin_to = np.append(to, float(total_connectedness(d)))
    margin_net = np.append(to - fr, np.nan)
    values = np.vstack([body, margin_to, margin_net])
    index = pd.Index([*codes, TO_OTHERS, NET], name="receiver")
    columns = pd.Index([*codes, FROM_OTHERS], name="transmitter")
    return pd.DataFrame(values, index=index, columns=columns)
