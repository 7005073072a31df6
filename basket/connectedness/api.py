"""The connectedness wing's face: :func:`spillover` (load the rates, build the variables, fit).

The pure core lives in :mod:`basket.connectedness.decomposition` (the generalised variance
decomposition and the table), :mod:`basket.connectedness.variables` (the returns and the
checks that a sample identifies the VAR) and :mod:`basket.connectedness.estimation` (the lag
choice, the full statsmodels fit and the batched rolling fit); this module loads the FX
panel through :func:`basket.valuation.loading.currency_panel` (bundled ECB rates by default).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from basket.connectedness.estimation import estimate_spillover
from basket.connectedness.results import SpilloverResult
from basket.connectedness.variables import MEASURES, currency_variables
from basket.currencies import normalize_code, normalize_codes, union_codes
from basket.errors import SpecError
from basket.spec import BasketSpec, load_spec
from basket.valuation.loading import currency_panel

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from basket.data import SourceLike

__all__ = ["spillover"]


def _variables(spec: BasketSpec, numeraire: str, currencies: str | Sequence[str] | None
               ) -> list[str]:
    """The currencies to decompose: the basket's (or a chosen subset), without the numeraire."""
    held = list(spec.currencies)
    if currencies is None:
        chosen = held
    else:
        chosen = normalize_codes(currencies)
        outside = [c for c in chosen if c not in held]
        if outside:
            raise SpecError(
                f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not in basket "
                f"{spec.name!r} ({', '.join(held)}); choose currencies among them or use "
                "another basket"
            )
    out = [c for c in chosen if c != numeraire]
    if len(out) < 2:
        raise SpecError(
            f"connectedness needs at least two currencies besides the numeraire {numeraire}, "
            f"got {', '.join(out) or 'none'}; add currencies or pick another numeraire"
        )
    return out


def spillover(
    basket: str | BasketSpec = "libra-2019",
    numeraire: str = "USD",
    start: Any = None,
    end: Any = None,
    lags: int | None = None,
    horizon: int = 10,
    window: int | None = None,
    measure: str = "returns",
    source: SourceLike = "ecb",
    panel: pd.DataFrame | None = None,
    currencies: str | Sequence[str] | None = None,
) -> SpilloverResult:
    """Measure which of a basket's currencies transmit shocks to the others (Diebold-Yilmaz).

    A VAR is fitted to the daily log returns of the basket's currencies measured in
    ``numeraire`` (or to their absolute values, a volatility proxy); the generalised
    forecast-error variance decomposition of Pesaran and Shin splits each currency's
    ``horizon``-day forecast-error variance into the parts due to shocks to each currency,
    which gives the spillover table, the total connectedness index and each currency's net
    transmission. With ``window``, the same on every rolling window shows how it changes
    through time (in a crisis, for instance).

    Parameters
    ----------
    basket : str or BasketSpec, default "libra-2019"
        Seed name, TOML path or spec; its currencies are the variables.
    numeraire : str, default "USD"
        The currency the returns are measured in; it is left out of the variables (its own
        return is zero).
    start, end : date-like, optional
        Inclusive range of the FX rates (ISO ``YYYY-MM-DD``); by default all the dates every
        currency is quoted on. The first return is dated on the second date.
    lags : int, optional
        The VAR's order. By default chosen on the full sample by the Bayesian (Schwarz)
        information criterion over 0 to 10 lags, and at least 1 (the result says which).
    horizon : int, default 10
        Forecast horizon of the decomposition, in trading days.
    window : int, optional
        Rolling window, in daily observations (e.g. 200); the lag order is the full sample's.
    measure : {"returns", "volatility"}, default "returns"
        ``returns``: daily log returns; ``volatility``: absolute daily log returns.
    source : str, path-like, FXSource or SourceOptions, default "ecb"
        FX source (bundled ECB rates by default); ignored when ``panel`` is given.
    panel : pandas.DataFrame, optional
        Your own FX panel, USD per unit, with a column for each variable and the numeraire.
    currencies : str or sequence of str, optional
        A subset of the basket's currencies to use instead of all of them.

    Returns
    -------
    SpilloverResult
        ``.table`` (percent; rows receivers, columns transmitters; rows sum to 100, with "from
        others", "to others" and "net" margins), ``.total``, ``.net``; with ``window``,
        ``.rolling`` and ``.rolling_net``.

    Raises
    ------
    SpecError
        An unknown basket or measure, a currency not in the basket, fewer than two currencies
        besides the numeraire, ``lags``/``horizon``/``window`` out of range, a window shorter
        than the VAR needs.
    DataError
        An unknown code, a range outside the data, too few observations for the lags, a window
        longer than the data, a singular covariance (a currency pegged to the numeraire or to
        another currency).

    See Also
    --------
    basket.connectedness.estimate_spillover : the same on variables you built yourself.
    basket.plot.spillover_figure : the rolling index and the net transmitters, drawn.

    Notes
    -----
    The share of receiver ``i``'s forecast-error variance due to transmitter ``j`` is
    ``d_ij = theta_ij / sum_j theta_ij`` with
    ``theta_ij = sigma_jj^-1 sum_{h<H} (e_i' Phi_h Sigma e_j)^2 / sum_{h<H} e_i' Phi_h Sigma Phi_h' e_i``
    (``Phi_h`` the VAR's moving-average coefficients, ``Sigma`` its error covariance). The total
    index is ``100/N sum_{i != j} d_ij``; "to others", "from others" and "net" are column sums,
    row sums and their difference off the diagonal, in percent of one row (divide by ``N`` for
    Diebold and Yilmaz's 2012 directional figures). See
    :mod:`basket.connectedness.decomposition`.

    References
    ----------
    Diebold, F. X. and K. Yilmaz (2012), "Better to give than to receive: predictive
    directional measurement of volatility spillovers", *International Journal of Forecasting*
    28(1), 57-66. Pesaran, M. H. and Y. Shin (1998), "Generalized impulse response analysis in
    linear multivariate models", *Economics Letters* 58(1), 17-29. Giudici, P., T. Leach and
    P. Pagnottoni (2021), "Libra or Librae? Basket based stablecoins to mitigate foreign
    exchange volatility spillovers", *Finance Research Letters*.

    Examples
    --------
    >>> res = spillover("libra-2019", start="2019-01-01", end="2019-12-31", lags=1)
    >>> res.currencies
    ('EUR', 'JPY', 'GBP', 'SGD')
    >>> res.shares.sum(axis=1).round(10).tolist()
    [100.0, 100.0, 100.0, 100.0]
    >>> round(res.total, 2)
    32.81
    """
    spec = load_spec(basket)
    k = normalize_code(numeraire)
    if measure not in MEASURES:
        raise SpecError(f"unknown measure {measure!r}; use one of {', '.join(MEASURES)}")
    codes = _variables(spec, k, currencies)
    data = currency_panel(union_codes(codes, [k]), start, end, source, panel)
    variables = currency_variables(data.panel, codes, k, measure)
    res = estimate_spillover(variables, lags=lags, horizon=horizon, window=window)
    return dataclasses.replace(
        res, measure=measure, variable=f"{MEASURES[measure]} in {k}", numeraire=k,
        basket=spec.name, title=spec.title or spec.name, source=data.source,
    )
