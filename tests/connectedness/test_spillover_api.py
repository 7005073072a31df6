"""basket.spillover, the face: data, variables, options, errors and the result's views.

References: the variables are recomputed here with pandas from the panel (log of the cross
rate, differenced) and fed to the engine; margins are recomputed from the table; JSON is
round-tripped through the standard library.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import basket
from basket.connectedness import SpilloverResult, estimate_spillover
from basket.errors import BasketError, DataError, SpecError
from basket.spec import BasketSpec

LIBRA = ["USD", "EUR", "JPY", "GBP", "SGD"]


@pytest.fixture(scope="module")
def rolling() -> SpilloverResult:
    return basket.spillover(start="2007-01-01", end="2010-12-31", lags=1, window=200)


@pytest.fixture(scope="module")
def trio() -> BasketSpec:
    return BasketSpec.from_dict({"name": "trio", "weights": {"EUR": 0.4, "DKK": 0.3, "JPY": 0.3},
                                 "base_date": "2020-01-02"})


def pegged_panel(seed: int = 1) -> pd.DataFrame:
    """EUR and JPY random walks; DKK tracks EUR exactly at 7.46 kroner a euro."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2020-01-01", periods=300, name="date")
    eur = 1.1 * np.exp(np.cumsum(rng.normal(0, 0.005, 300)))
    jpy = 0.009 * np.exp(np.cumsum(rng.normal(0, 0.006, 300)))
    return pd.DataFrame({"USD": 1.0, "EUR": eur, "JPY": jpy, "DKK": eur / 7.46}, index=idx)


def test_defaults_on_the_bundled_data() -> None:
    res = basket.spillover(start="2016-01-01", end="2019-12-31")
    assert res.currencies == ("EUR", "JPY", "GBP", "SGD")          # USD, the numeraire, left out
    assert res.numeraire == "USD" and res.basket == "libra-2019" and res.source == "ecb"
    assert res.measure == "returns" and res.variable == "daily log return in USD"
    assert res.lag_selection.startswith("BIC (Schwarz) over 0 to 10 lags on the full sample")
    assert res.horizon == 10 and res.window is None and res.rolling is None
    assert res.start == pd.Timestamp("2016-01-05")                 # the first return
    np.testing.assert_allclose(res.shares.sum(axis=1), 100.0, rtol=1e-13)
    assert (res.shares.to_numpy() >= 0).all()


def test_variables_are_recomputed_independently() -> None:
    fx = basket.load_fx(LIBRA, "2018-01-01", "2019-12-31")
    cross = fx[["USD", "JPY", "GBP", "SGD"]].div(fx["EUR"], axis=0)
    returns = np.log(cross).diff().iloc[1:]
    reference = estimate_spillover(returns, lags=2, horizon=5)
    res = basket.spillover(numeraire="eur", start="2018-01-01", end="2019-12-31", lags=2,
                           horizon=5)
    assert res.currencies == ("USD", "JPY", "GBP", "SGD")
    pd.testing.assert_frame_equal(res.table, reference.table, rtol=1e-10, atol=1e-10)
    vol = basket.spillover(numeraire="EUR", start="2018-01-01", end="2019-12-31", lags=2,
                           horizon=5, measure="volatility")
    reference_vol = estimate_spillover(returns.abs(), lags=2, horizon=5)
    assert vol.total == pytest.approx(reference_vol.total, rel=1e-10)
    assert vol.variable == "absolute daily log return (a volatility proxy) in EUR"


def test_currencies_subset_and_numeraire_outside_the_basket() -> None:
    res = basket.spillover(currencies=["jpy", "USD", "GBP"], start="2019-01-01",
                           end="2019-12-31", lags=1)
    assert res.currencies == ("JPY", "GBP")                         # the numeraire dropped
    chf = basket.spillover(numeraire="CHF", start="2019-01-01", end="2019-12-31", lags=1)
    assert chf.currencies == ("USD", "EUR", "JPY", "GBP", "SGD")


def test_a_user_panel_and_a_spec(trio: BasketSpec) -> None:
    panel = pegged_panel()
    panel["DKK"] *= np.exp(np.random.default_rng(2).normal(0, 1e-3, len(panel)))  # now it floats
    res = basket.spillover(trio, panel=panel, lags=1, window=100)
    assert res.source == "panel" and res.currencies == ("EUR", "DKK", "JPY")
    assert res.rolling is not None and len(res.rolling) == 299 - 100 + 1


def test_pegged_currencies_are_a_clear_error(trio: BasketSpec) -> None:
    with pytest.raises(DataError, match=r"^EUR and DKK move together exactly from 2020-01-02 to "
                                        r"2021-02-23 \(correlation 1.0000000000; pegged to each "
                                        r"other\?\)"):
        basket.spillover(trio, panel=pegged_panel(), lags=1)
    # in euros the krone stands still (the euro itself is left out as the numeraire)
    with pytest.raises(DataError, match=r"^DKK does not move against the numeraire from "
                                        r"2020-01-02 to 2021-02-23 \(pegged to it\?\): its "
                                        r"covariance is singular; leave it out with currencies= "
                                        r"or pick another numeraire$"):
        basket.spillover(trio, numeraire="EUR", panel=pegged_panel(), lags=1)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"currencies": ["EUR", "CHF"]}, SpecError,
     r"^CHF is not in basket 'libra-2019' \(USD, EUR, JPY, GBP, SGD\); choose currencies "
     r"among them or use another basket$"),
    ({"currencies": ["EUR", "USD"]}, SpecError,
     r"^connectedness needs at least two currencies besides the numeraire USD, got EUR"),
    ({"measure": "garch"}, SpecError, r"^unknown measure 'garch'; use one of returns, volatility$"),
    ({"numeraire": "EURO"}, DataError, r"currency code 'EURO' is not three letters"),
    ({"lags": 0}, SpecError, r"^lags 0 must be a whole number, at least 1$"),
    ({"horizon": "10"}, SpecError, r"^horizon '10' must be a whole number, at least 1$"),
    ({"window": 5, "lags": 1}, SpecError, r"^window 5 is shorter than a VAR with 1 lag\(s\)"),
    ({"start": "2019-12-20", "end": "2019-12-31", "lags": 1}, DataError,
     r"^5 observations are too few for a VAR with 1 lag\(s\) on 4 variables \(it needs 10\)"),
    ({"start": "2019-12-31", "end": "2019-01-01"}, DataError,
     r"^start 2019-12-31 is after end 2019-01-01; swap them$"),
    ({"start": "31/12/2019"}, DataError, r"start"),
    ({"basket": "libra-2091"}, SpecError, r"libra-2091"),
])
def test_bad_input_is_one_clear_line(kwargs: dict, error: type, message: str) -> None:
    args = {"start": "2019-01-01", "end": "2019-12-31", **kwargs}
    with pytest.raises(error, match=message) as info:
        basket.spillover(**args)
    assert isinstance(info.value, BasketError)
    assert "\n" not in str(info.value)


def test_a_panel_without_a_column(trio: BasketSpec) -> None:
    with pytest.raises(DataError, match=r"^the panel has no column for GBP; add it, or choose "
                                        r"currencies among USD, EUR, JPY, DKK$"):
        basket.spillover(panel=pegged_panel(), currencies=["EUR", "GBP", "JPY"])


# --------------------------------------------------------------------------- the result
def test_margins_and_views(rolling: SpilloverResult) -> None:
    t = rolling.table
    codes = list(rolling.currencies)
    shares = t.loc[codes, codes]
    off = shares.to_numpy() * (1 - np.eye(len(codes)))
    np.testing.assert_allclose(t.loc[codes, "from others"], off.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(t.loc["to others", codes], off.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(rolling.net, off.sum(axis=0) - off.sum(axis=1), rtol=1e-12)
    assert rolling.total == pytest.approx(off.sum() / len(codes), rel=1e-12)
    assert t.loc["to others", "from others"] == pytest.approx(rolling.total, rel=1e-12)
    pairwise = rolling.net_pairwise()
    np.testing.assert_allclose(pairwise + pairwise.T, 0.0, atol=1e-12)
    np.testing.assert_allclose(pairwise.sum(axis=1), rolling.net, rtol=1e-10, atol=1e-10)
    summary = rolling.summary()
    assert list(summary.columns) == ["own", "from_others", "to_others", "net"]
    np.testing.assert_allclose(summary["own"] + summary["from_others"], 100.0, rtol=1e-13)


def test_rolling_figures(rolling: SpilloverResult) -> None:
    assert rolling.rolling is not None and rolling.rolling_net is not None
    assert rolling.window == 200
    np.testing.assert_allclose(rolling.rolling_net.sum(axis=1), 0.0, atol=1e-10)
    frame = rolling.to_frame()
    assert list(frame.columns) == ["total", "net_EUR", "net_JPY", "net_GBP", "net_SGD"]
    assert frame.index.name == "date" and len(frame) == len(rolling.rolling)
    periods = {"lehman-2008": ("2008-09-12", "2009-03-09"), "never": ("1990-01-01", "1990-12-31")}
    summary = rolling.rolling_summary(periods)
    assert list(summary.index) == ["all windows", "lehman-2008", "last"]
    inside = rolling.rolling.loc["2008-09-12":"2009-03-09"]
    assert summary.loc["lehman-2008", "windows"] == len(inside)
    assert summary.loc["lehman-2008", "total"] == pytest.approx(inside.mean(), rel=1e-12)
    assert summary.loc["last", "total"] == rolling.rolling.iloc[-1]


def test_full_sample_frame_and_no_rolling_summary() -> None:
    res = basket.spillover(start="2019-01-01", end="2019-12-31", lags=1)
    frame = res.to_frame()
    assert len(frame) == 1 and frame.index[0] == res.end
    assert frame.iloc[0]["total"] == res.total
    with pytest.raises(DataError, match=r"^this result has no rolling figures; run "
                                        r"basket\.spillover with window="):
        res.rolling_summary()


def test_to_dict_is_json(rolling: SpilloverResult) -> None:
    data = json.loads(json.dumps(rolling.to_dict(), allow_nan=False))
    assert data["currencies"] == ["EUR", "JPY", "GBP", "SGD"]
    assert data["table"]["net"]["from others"] is None               # the empty corner
    assert data["table"]["EUR"]["JPY"] == rolling.table.loc["EUR", "JPY"]
    assert len(data["rolling"]["dates"]) == len(data["rolling"]["net"]["JPY"])
    assert data["rolling"]["dates"][0] == str(rolling.rolling.index[0].date())
    assert data["lags"] == 1 and data["window"] == 200 and data["measure"] == "returns"


def test_repr_and_html(rolling: SpilloverResult) -> None:
    assert repr(rolling).startswith("SpilloverResult(currencies=['EUR', 'JPY', 'GBP', 'SGD']")
    page = rolling._repr_html_()
    assert "<table" in page and "from others" in page and "Rolling 200-observation" in page
    assert "Libra" in page


def test_frozen(rolling: SpilloverResult) -> None:
    with pytest.raises(AttributeError):
        rolling.total = 0.0  # type: ignore[misc]
