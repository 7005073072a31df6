"""The report as one HTML document: :func:`render_report` (from results) and
:func:`build_report` (from a basket: backtest, stress and outlook computed here).

The document loads nothing from anywhere: figures are embedded as base64 PNG ``data:`` URIs,
the style sheet is inline, and there is no script, so it can be mailed to a colleague and
opened offline. Links to sources are printed as text, never as ``href`` or ``src``
attributes. On a narrow screen (a phone, a 700-pixel window) wide tables scroll sideways inside
the page instead of running off it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import basket.report.markets as markets
import basket.report.scenarios as scenarios
import basket.report.sections as sections
from basket.errors import DataError, SimulationError
from basket.report.blocks import date, e, section

if TYPE_CHECKING:  # pragma: no cover
    from basket.spec import BasketSpec
    from basket.valuation.results import BacktestResult

__all__ = ["COMPARED", "OUTLOOK_PATHS", "SECTIONS", "SPILLOVER_WINDOW", "build_report",
           "render_report"]

SECTIONS: tuple[str, ...] = (
    "summary", "basket", "data", "value", "volatility", "weights", "risk", "drawdowns",
    "returns", "methods",
)
"""Ids of the sections every report has, in order (``stress``, ``simulation``, ``indices`` and
``spillover`` are added, in that order, before ``methods`` when those results are given)."""

COMPARED: tuple[str, ...] = ("libra-2019", "sdr", "dxy")
"""The shipped baskets every report compares its own with (the dollar against each)."""

SPILLOVER_WINDOW = 200
"""Days in each rolling spillover window of the report (Diebold and Yilmaz use 200)."""

OUTLOOK_PATHS = 5_000
"""Paths of the report's Monte Carlo outlook by default: smooth bands, a fraction of a second."""

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
       max-width: 1180px; margin: 2em auto; padding: 0 1.2em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #0072b2; padding-bottom: 0.2em;
     margin-top: 2.2em; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
p.sub { color: #555; margin-top: 0; }
div.scroll { max-width: 100%; overflow-x: auto; margin: 0.6em 0 1.2em; }
table.frame { border-collapse: collapse; font-size: 0.9em; }
table.frame th, table.frame td { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd;
                                 text-align: right; white-space: nowrap; }
table.frame thead th { border-bottom: 2px solid #999; background: #f4f6fa;
                       white-space: normal; }
table.frame tbody th { text-align: left; }
table.heat td { padding: 0.25em 0.45em; font-variant-numeric: tabular-nums; }
details { margin: 0.4em 0; }
details > summary { cursor: pointer; font-weight: 600; }
figure { margin: 0.8em 0 1.4em; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
dl.spec { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em; }
dl.spec dt { font-weight: 600; }
dl.spec dd { margin: 0; min-width: 0; }
code { background: #f4f4f4; padding: 0 0.25em; word-break: break-all; }
footer { margin-top: 3em; color: #777; font-size: 0.85em; border-top: 1px solid #ddd;
         padding-top: 0.6em; }
@media (max-width: 760px) {
  body { padding: 0 0.6em; margin: 1em auto; }
  table.frame { font-size: 0.82em; }
  table.frame th, table.frame td { padding: 0.2em 0.45em; }
}
@media (max-width: 480px) { dl.spec { grid-template-columns: 1fr; } }
"""

_METHODS = (
    "<ul>"
    "<li>Rates are US dollars per unit of each currency. The basket's value in currency "
    "<em>k</em> is its US-dollar value divided by US dollars per unit of <em>k</em>.</li>"
    "<li>A basket stated by weights becomes fixed currency amounts on its base date: units = "
    "weight × base value ÷ price on the base date. Rebalancing resets the amounts to the "
    "target weights, keeping the value continuous.</li>"
    "<li>Volatility: sample standard deviation (ddof = 1) of daily log returns, times the "
    "square root of the periods a year (252 unless stated). Rolling volatility uses a "
    "trailing window of 252 returns.</li>"
    "<li>Risk contributions: each constituent's share Cov(w<sub>c</sub>R<sub>c</sub>, R) / "
    "Var(R) of the variance of the basket's daily return R (start-of-day weights, simple "
    "returns in the holder's currency) times the basket's volatility, so the contributions "
    "add up to the volatility; for constant weights this is the Euler decomposition "
    "w<sub>c</sub>(Σw)<sub>c</sub> / σ.</li>"
    "<li>Value at risk and expected shortfall: historical, on daily simple returns; in the "
    "outlook, on the simulated value at the horizon.</li>"
    "<li>Drawdown: the value over its running peak, minus one. Calendar returns: from the last "
    "value of one month (year) to the last value of the next.</li>"
    "</ul>"
)


def _page(title: str, sub: str, body: list[str], generated: Any) -> str:
    from basket import __version__

    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="basket {e(__version__)}">\n'
        f"<title>{e(title)}: basket report</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>{e(title)}</h1><p class="sub">{e(sub)}</p></header>\n'
        + "".join(body)
        + f"<footer>Generated on {e(generated)} by basket {e(__version__)} "
        "(distribution libra-basket). Figures are embedded; this file needs no network."
        "</footer>\n</body>\n</html>\n"
    )


def render_report(
    result: BacktestResult,
    *,
    stress: Any = None,
    simulation: Any = None,
    indices: Any = None,
    spillover: Any = None,
    generated: str | dt.date | None = None,
    dpi: int = 110,
    notes: Sequence[str] = (),
) -> str:
    """Render a backtest (and optionally stress and simulation results) as one HTML document.

    Parameters
    ----------
    result : BacktestResult
        What :func:`basket.backtest` returned.
    stress : StressResult, optional
        What :func:`basket.stress` returned (an object with a tidy ``table``); adds a
        ``stress`` section.
    simulation : SimulationResult, optional
        What :func:`basket.simulate` returned (an object with a ``fan`` mapping); adds a
        ``simulation`` section (the fan, the value at the horizon and, when the result has
        them, the horizon VaR and ES).
    indices : IndexComparison, optional
        What :func:`basket.compare_indices` returns; adds an ``indices`` section (a currency
        against Libra, the SDR and the dollar index: chart and table).
    spillover : SpilloverResult, optional
        What :func:`basket.spillover` returns; adds a ``spillover`` section (the spillover
        table and, with rolling figures, the total index through time beside the basket's
        rolling volatility, by stress episode and by year).
    generated : str or datetime.date, optional
        Date printed in the footer (default: today, UTC). Pass one for a reproducible file.
    dpi : int, default 110
        Resolution of the embedded figures.
    notes : sequence of str, optional
        Sentences printed in the data section (what was left out, and why).

    Returns
    -------
    str
        A complete HTML5 document. Every figure is an embedded PNG (``data:`` URI), the style
        sheet is inline, there is no script and no attribute loads anything from a network.
        Sections carry the ids in :data:`SECTIONS` (plus ``stress``, ``simulation``,
        ``indices`` and ``spillover`` when given). Every table sits in a ``div.scroll`` that
        scrolls sideways on a narrow screen.

    Raises
    ------
    DataError
        A stress, simulation, index or spillover result without the expected attributes.
    PlotDependencyError
        matplotlib is not installed.

    See Also
    --------
    build_report : compute the backtest, the stress episodes and the outlook, then render.
    basket.plot : the charts embedded here.

    Examples
    --------
    >>> import basket
    >>> from basket.report import render_report
    >>> res = basket.backtest("libra-2019", start="2019-01-02", end="2019-12-31")
    >>> page = render_report(res, generated="2020-01-01", dpi=40)
    >>> page.startswith("<!DOCTYPE html>") and 'id="returns"' in page
    True
    """
    import basket.plot as plot
    from basket.plot._base import _require_matplotlib

    _require_matplotlib()
    scenarios.check_optional(stress, simulation)
    markets.check_optional(indices, spillover)
    if generated is None:
        generated = dt.datetime.now(dt.timezone.utc).date()
    title = result.spec.title or result.spec.name
    sub = (f"{date(result.start)} to {date(result.end)} · {sections.how(result.rule)} · "
           f"holder currencies {', '.join(result.numeraires)} · source {result.source}")
    body = [
        section("summary", "Key figures", sections.summary(result)),
        section("basket", "The basket", sections.spec_section(result)),
        section("data", "Data", sections.data(result)
                + "".join(f"<p>Note: {e(n)}</p>" for n in notes)),
        section("value", "Value in each currency", sections.value(result, plot, dpi)),
        section("volatility", "Volatility against each constituent",
                sections.volatility(result, plot, dpi)),
        section("weights", "Weights and rebalancing", sections.weights(result, plot, dpi)),
        section("risk", "Which constituents drive the risk", sections.risk(result, plot, dpi)),
        section("drawdowns", "Drawdowns and tail risk", sections.drawdowns(result, plot, dpi)),
        section("returns", "Monthly and yearly returns", sections.returns(result)),
    ]
    if stress is not None:
        body.append(section("stress", "Stress episodes", scenarios.stress(stress, plot, dpi)))
    if simulation is not None:
        body.append(section("simulation", "Monte Carlo outlook",
                            scenarios.simulation(simulation, plot, dpi)))
    if indices is not None:
        body.append(section("indices", "The dollar against Libra, the SDR and the dollar index"
                            if indices.currency == "USD" else
                            f"{indices.currency} against each basket",
                            markets.indices(indices, plot, dpi)))
    if spillover is not None:
        body.append(section("spillover", "Volatility spillovers between the currencies",
                            markets.spillover(spillover, result, plot, dpi)))
    body.append(section("methods", "Methods and conventions", _METHODS))
    return _page(title, sub, body, generated)


def build_report(
    spec: str | BasketSpec = "libra-2019",
    start: Any = None,
    end: Any = None,
    rebalance: str | None = None,
    numeraires: str | Sequence[str] | None = None,
    source: Any = "ecb",
    *,
    stress: bool = True,
    outlook: bool = True,
    indices: bool = True,
    spillover: bool = True,
    n_paths: int = OUTLOOK_PATHS,
    horizon: int = 252,
    seed: int = 0,
    spillover_window: int = SPILLOVER_WINDOW,
    generated: str | dt.date | None = None,
    dpi: int = 110,
) -> str:
    """Backtest a basket, replay the stress episodes, simulate the outlook, set it beside other
    baskets and decompose its spillovers, and render it all.

    What ``basket report`` writes. The backtest is :func:`basket.backtest` with the same
    arguments; the stress section replays every shipped episode the data cover
    (:func:`basket.stress`, same rule and numeraires); the outlook simulates ``n_paths`` paths
    of ``horizon`` business days from the backtest's last date, estimated on the three years
    before it (:func:`basket.simulate`, normal method, historical drift, seeded; in the
    numeraires asked for, by default the constituents held then); the index comparison is the
    US dollar against this basket, Libra, the SDR and the dollar index over the backtest's
    dates (:func:`basket.compare_indices`); the spillovers are the Diebold-Yilmaz
    decomposition of the basket's currencies in US dollars over the same dates, rolling over
    ``spillover_window`` days (:func:`basket.spillover`).

    Parameters
    ----------
    spec, start, end, rebalance, numeraires, source
        As for :func:`basket.backtest`.
    stress : bool, default True
        Add the ``stress`` section. Left out, with a note, when no episode falls within the
        data.
    outlook : bool, default True
        Add the ``simulation`` section. Left out, with a note, when the data are too short to
        estimate it.
    indices : bool, default True
        Add the ``indices`` section. Left out, with a note, when the dates all indices share
        are too few.
    spillover : bool, default True
        Add the ``spillover`` section. Left out, with a note, when the basket has fewer than
        two currencies besides the US dollar or too few dates; the rolling figures are left
        out, with a note, when the dates are fewer than a window needs.
    n_paths : int, default :data:`OUTLOOK_PATHS`
        Simulated paths of the outlook.
    horizon : int, default 252
        Business days simulated.
    seed : int, default 0
        Seed of the outlook, so the same call writes the same report.
    spillover_window : int, default :data:`SPILLOVER_WINDOW`
        Days in each rolling spillover window.
    generated : str or datetime.date, optional
        Date printed in the footer (default: today, UTC).
    dpi : int, default 110
        Resolution of the embedded figures.

    Returns
    -------
    str
        The HTML document of :func:`render_report`.

    Raises
    ------
    SpecError, DataError, DataSourceError, SimulationError
        As :func:`basket.backtest` and :func:`basket.simulate` raise them (a bad ``n_paths``
        or ``horizon``).
    PlotDependencyError
        matplotlib is not installed.

    Examples
    --------
    >>> from basket.report import build_report
    >>> page = build_report("libra-2019", "2019-01-02", "2019-12-31", n_paths=200, horizon=21,
    ...                     generated="2020-01-01", dpi=40)
    >>> all(f'id="{s}"' in page for s in ("stress", "simulation", "indices", "spillover"))
    True
    """
    from basket.design.api import stress as run_stress
    from basket.montecarlo.api import simulate
    from basket.valuation.api import backtest

    res = backtest(spec, start, end, rebalance, numeraires, source)
    st = sim = None
    notes = []
    if stress:
        try:
            st = run_stress(res.spec, numeraires=res.numeraires, rebalance=rebalance,
                            source=source)
        except DataError as exc:  # no episode within the data
            notes.append(f"no stress episodes: {exc}")
    if outlook:
        try:
            sim = simulate(res.spec, n_paths=n_paths, horizon=horizon, seed=seed,
                           window=(None, res.end), rebalance=rebalance,
                           numeraires=numeraires, source=source)
        except SimulationError:
            raise  # a bad option of the caller's
        except DataError as exc:  # too few dates to estimate
            notes.append(f"no Monte Carlo outlook: {exc}")
    cmp = _comparison(res, source, notes) if indices else None
    spill = _spillover(res, source, spillover_window, notes) if spillover else None
    return render_report(res, stress=st, simulation=sim, indices=cmp, spillover=spill,
                         generated=generated, dpi=dpi, notes=notes)


def _comparison(res: BacktestResult, source: Any, notes: list[str]) -> Any:
    """The dollar against this basket and the shipped three, or ``None`` with a note."""
    from basket.valuation.api import compare_indices

    names = [n for n in COMPARED if n != res.spec.name]
    try:
        return compare_indices([res.spec, *names], "USD", res.start, res.end, source)
    except DataError as exc:
        notes.append(f"no index comparison: {exc}")
        return None


def _spillover(res: BacktestResult, source: Any, window: int, notes: list[str]) -> Any:
    """The basket's spillovers in US dollars, rolling when the dates allow, or ``None``."""
    from basket.connectedness.api import spillover

    others = [c for c in res.spec.currencies if c != "USD"]
    if len(others) < 2:
        notes.append(f"no spillover figures: the basket holds {len(others)} currency besides "
                     "USD; connectedness needs two or more")
        return None

    def run(win: int | None) -> Any:
        return spillover(res.spec, "USD", res.start, res.end, window=win, source=source)

    try:
        return run(window)
    except DataError as exc:
        if window is None:
            notes.append(f"no spillover figures: {exc}")
            return None
        try:
            out = run(None)
        except DataError as exc2:
            notes.append(f"no spillover figures: {exc2}")
            return None
        notes.append(f"no rolling spillover figures: {exc}")
        return out
