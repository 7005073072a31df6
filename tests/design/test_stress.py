"""Historical stress episodes: the shipped list, hand-computed changes, drawdowns, errors, CLI.

Reference values are computed here from ``basket.load_fx`` (the bundled ECB reference rates)
on an episode's first and last dates, independently of the backtest and of the stress core.
Tolerance: 1e-12 relative (the same float arithmetic in a different order).
"""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import basket
from basket.cli import app
from basket.design.api import stress as run_stress
from basket.design.episodes import (
    STRESS_COLUMNS,
    Episode,
    custom_window,
    get_episode,
    list_episodes,
    stress_table,
)
from basket.errors import DataError, SimulationError, SpecError
from basket.valuation.metrics import max_drawdown

LIBRA = {"USD": 0.50, "EUR": 0.18, "JPY": 0.14, "GBP": 0.11, "SGD": 0.07}
SHIPPED = ["lehman-2008", "euro-crisis-2010", "brexit-2016", "covid-dash-for-cash-2020",
           "dollar-surge-2022"]

runner = CliRunner()


@pytest.fixture(scope="module")
def everything() -> basket.StressResult:
    """Every shipped episode for Libra, in every constituent (valued once for the module)."""
    return run_stress("libra-2019")


def _row(table: pd.DataFrame, episode: str, numeraire: str, holding: str) -> pd.Series:
    sub = table[(table.episode == episode) & (table.numeraire == numeraire)
                & (table.holding == holding)]
    assert len(sub) == 1
    return sub.iloc[0]


# ----------------------------------------------------------------------------- shipped episodes
def test_shipped_episodes_are_complete_and_sourced() -> None:
    eps = list_episodes()
    assert [e.name for e in eps] == SHIPPED
    for e in eps:
        assert e.title and len(e.description) > 100, e.name
        assert e.source["citation"].strip(), e.name
        assert e.source["url"].startswith("https://"), e.name
        assert e.start < e.end
        assert "Starts on" in e.description  # each says why the window starts where it does
    starts = [e.start for e in eps]
    assert starts == sorted(starts)


def test_episodes_ship_in_the_package_data() -> None:
    from importlib import resources

    entry = resources.files("basket").joinpath("resources", "episodes.toml")
    assert entry.is_file()


def test_get_episode_and_typo() -> None:
    assert get_episode("Brexit-2016").end.isoformat() == "2016-08-04"
    with pytest.raises(SimulationError,
                       match=r"unknown episode 'lehman'.*did you mean 'lehman-2008'"):
        get_episode("lehman")


def test_broken_episode_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import importlib

    core = importlib.import_module("basket.design.episodes")
    bad = tmp_path / "episodes.toml"
    bad.write_text('[[episode]]\nname = "x-1"\ntitle = "X"\nstart = 2020-01-01\n')
    monkeypatch.setattr(core, "_episodes_file", lambda: bad)
    with pytest.raises(SpecError, match="episode 1: missing field 'description'"):
        list_episodes()
    bad.write_text('title = "no episodes"\n')
    with pytest.raises(SpecError, match=r"no \[\[episode\]\] tables"):
        list_episodes()


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"name": "Lehman 2008"}, SpecError, "not a slug"),
        ({"start": "2020-13-01"}, SpecError, "is not a date"),
        ({"start": 20200101}, SpecError, "is not a date"),
        ({"start": "2020-02-01", "end": "2020-01-01"}, SimulationError, "after it ends"),
    ],
)
def test_episode_validation(kwargs: dict[str, Any], error: type, pattern: str) -> None:
    args = {"name": "ok-1", "title": "T", "start": "2020-01-01", "end": "2020-01-31", **kwargs}
    with pytest.raises(error, match=pattern):
        Episode(**args)


def test_custom_window_start_after_end() -> None:
    with pytest.raises(SimulationError, match="start 2020-02-01 is after end 2020-01-01"):
        custom_window("2020-02-01", "2020-01-01")


# ----------------------------------------------------------------------------- hand computations
@pytest.mark.parametrize("episode", SHIPPED)
def test_jpy_alone_in_usd_and_eur_by_hand(everything: Any, episode: str) -> None:
    ep = get_episode(episode)
    fx = basket.load_fx(["USD", "EUR", "JPY"], ep.start, ep.end)
    first, last = fx.index[0], fx.index[-1]
    row = _row(everything.table, episode, "USD", "JPY")
    assert row.first_date == first and row.last_date == last
    expected = fx.at[last, "JPY"] / fx.at[first, "JPY"] - 1.0
    assert row.change == pytest.approx(expected, rel=1e-12)
    in_eur = (fx.at[last, "JPY"] / fx.at[last, "EUR"]) / (fx.at[first, "JPY"] / fx.at[first, "EUR"])
    assert _row(everything.table, episode, "EUR", "JPY").change == pytest.approx(
        in_eur - 1.0, rel=1e-12)


def test_jpy_alone_drawdown_by_plain_loop(everything: Any) -> None:
    ep = get_episode("dollar-surge-2022")
    jpy = basket.load_fx(["USD", "JPY"], ep.start, ep.end)["JPY"].tolist()
    peak, worst = jpy[0], 0.0
    for v in jpy:  # a plain loop, the definition
        peak = max(peak, v)
        worst = min(worst, v / peak - 1.0)
    row = _row(everything.table, "dollar-surge-2022", "USD", "JPY")
    assert row.max_drawdown == pytest.approx(worst, rel=1e-12)
    assert worst < -0.2  # the yen lost more than a fifth against the dollar


@pytest.mark.parametrize(("episode", "numeraire"), [("lehman-2008", "USD"), ("brexit-2016", "GBP")])
def test_libra_change_by_hand(everything: Any, episode: str, numeraire: str) -> None:
    """Libra's amounts fixed at 2019-06-18 (1 USD), valued on the window's first/last dates."""
    ep = get_episode(episode)
    codes = list(LIBRA)
    base = basket.load_fx(codes, "2019-06-18", "2019-06-18").iloc[0]
    units = {c: LIBRA[c] / base[c] for c in codes}
    fx = basket.load_fx(codes, ep.start, ep.end)
    first, last = fx.index[0], fx.index[-1]

    def value(day: pd.Timestamp) -> float:
        return sum(units[c] * fx.at[day, c] for c in codes) / fx.at[day, numeraire]

    row = _row(everything.table, episode, numeraire, "basket")
    assert row.change == pytest.approx(value(last) / value(first) - 1.0, rel=1e-12)


def test_basket_drawdown_matches_metrics_on_the_slice(everything: Any) -> None:
    ep = get_episode("euro-crisis-2010")
    res = basket.backtest("libra-2019", ep.start, ep.end, numeraires=["JPY"])
    expected = max_drawdown(res.values["JPY"])["depth"]
    assert _row(everything.table, ep.name, "JPY", "basket").max_drawdown == pytest.approx(
        expected, rel=1e-12)


def test_slicing_one_valuation_equals_valuing_each_episode(everything: Any) -> None:
    alone = run_stress("libra-2019", episodes=["covid-dash-for-cash-2020"])
    mine = everything.table[everything.table.episode == "covid-dash-for-cash-2020"]
    pd.testing.assert_frame_equal(alone.table.reset_index(drop=True),
                                  mine.reset_index(drop=True), rtol=1e-12)


def test_table_shape_and_invariants(everything: Any) -> None:
    t = everything.table
    assert list(t.columns) == STRESS_COLUMNS
    assert len(t) == len(SHIPPED) * 5 * 6  # episodes x numeraires x (basket + 5 currencies)
    assert not t.isna().any().any()
    assert (t.max_drawdown <= 0).all()
    assert (t.max_drawdown >= -1).all()
    same = t[t.numeraire == t.holding]  # a currency against itself does not move
    assert (same.change == 0).all() and (same.max_drawdown == 0).all()
    # the change can never be below the worst drawdown
    assert (t.change >= t.max_drawdown - 1e-15).all()


def test_pivot_summary_dict_html(everything: Any) -> None:
    piv = everything.pivot("change", "GBP")
    assert list(piv.index) == SHIPPED and list(piv.columns) == list(LIBRA)
    assert piv.loc["brexit-2016", "USD"] < -0.1
    summ = everything.summary()
    assert list(summ.columns[:2]) == ["first_date", "last_date"]
    assert "change_JPY" in summ.columns and "max_drawdown_JPY" in summ.columns
    data = json.loads(json.dumps(everything.to_dict()))
    assert [e["name"] for e in data["episodes"]] == SHIPPED
    assert data["episodes"][0]["first_date"] == "2008-09-12"
    assert len(data["rows"]) == len(everything.table)
    html = everything._repr_html_()
    assert "lehman-2008" in html and "McGuire" in html
    assert "StressResult(basket='libra-2019'" in repr(everything)


def test_pivot_errors(everything: Any) -> None:
    with pytest.raises(SpecError, match="pivot value 'vol' is unknown"):
        everything.pivot("vol")
    with pytest.raises(SpecError, match="holding 'CHF' is not in the table"):
        everything.pivot("change", "CHF")


def test_custom_window_and_one_sided() -> None:
    res = run_stress("libra-2019", start="2020-03-01", end="2020-03-31", numeraires="USD")
    assert [e.name for e in res.episodes] == ["custom"]
    row = _row(res.table, "custom", "USD", "EUR")
    fx = basket.load_fx(["USD", "EUR"], "2020-03-01", "2020-03-31")
    assert row.first_date == fx.index[0] and row.last_date == fx.index[-1]
    assert row.change == pytest.approx(fx.EUR.iloc[-1] / fx.EUR.iloc[0] - 1, rel=1e-12)
    tail = run_stress("libra-2019", start="2026-10-01", numeraires="USD")
    last = basket.load_fx(["USD"]).index[-1]
    assert tail.table.last_date.iloc[0] == last


def test_amounts_basket_and_rebalancing() -> None:
    res = run_stress("sdr", episodes="covid-dash-for-cash-2020", numeraires=["USD", "CNY"])
    assert set(res.table.holding) == {"basket", "USD", "EUR", "JPY", "GBP", "CNY"}
    assert not res.table.isna().any().any()
    q = run_stress("libra-2019", episodes="euro-crisis-2010", numeraires="USD",
                   rebalance="quarterly")
    assert q.rule == "quarterly"
    none = run_stress("libra-2019", episodes="euro-crisis-2010", numeraires="USD")
    a = _row(q.table, "euro-crisis-2010", "USD", "basket").change
    b = _row(none.table, "euro-crisis-2010", "USD", "basket").change
    assert a != b  # the rule is applied


# ----------------------------------------------------------------------------- errors
def test_episodes_and_window_together() -> None:
    with pytest.raises(SimulationError, match="not both"):
        run_stress(episodes="brexit-2016", start="2020-01-01")


def test_custom_window_start_after_end_api() -> None:
    with pytest.raises(SimulationError, match="start 2020-02-01 is after end 2020-01-01"):
        run_stress(start="2020-02-01", end="2020-01-01")


def test_episode_outside_the_data() -> None:
    # RUB has ECB quotes until 2022-03-01 only
    with pytest.raises(DataError, match=r"episode 'dollar-surge-2022' .* is outside the data"):
        run_stress(episodes="dollar-surge-2022", numeraires=["USD", "RUB"])
    with pytest.raises(DataError, match=r"window .* is outside the data"):
        run_stress(start="1990-01-01", end="1990-06-30")


def test_default_set_skips_what_the_data_do_not_cover() -> None:
    res = run_stress(numeraires=["USD", "RUB"])
    assert res.skipped == ("dollar-surge-2022",)
    assert "dollar-surge-2022" not in set(res.table.episode)


class _TinySource:
    """An in-memory source covering January 2023 only (for the 'nothing covered' path)."""

    name = "tiny"

    def __init__(self) -> None:
        idx = pd.bdate_range("2023-01-02", "2023-01-31", name="date")
        self.frame = pd.DataFrame({c: np.full(len(idx), 1.0) for c in LIBRA}, index=idx)

    def available(self) -> pd.DataFrame:
        return pd.DataFrame({"first": self.frame.index[0], "last": self.frame.index[-1],
                             "quotes": len(self.frame)}, index=pd.Index(list(LIBRA)))

    def fetch(self, codes: Any, start: Any, end: Any) -> pd.DataFrame:
        return self.frame.loc[start:end, list(codes)]


def test_no_shipped_episode_in_the_data() -> None:
    with pytest.raises(DataError, match="no shipped episode lies inside the data of source 'tiny'"):
        run_stress(source=_TinySource())  # type: ignore[arg-type]


def test_empty_episode_list_and_unknown_episode() -> None:
    with pytest.raises(SimulationError, match="no episode given"):
        run_stress(episodes=[])
    with pytest.raises(SimulationError, match="unknown episode 'gfc'"):
        run_stress(episodes=["gfc"])


def test_core_errors() -> None:
    idx = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-03"], name="date")
    fx = pd.DataFrame({"USD": 1.0, "EUR": [1.0, 1.1, 1.2]}, index=idx)
    v = pd.DataFrame({"USD": [1.0, 1.0, 1.1]}, index=idx)
    short = Episode("short", "S", "2020-01-03", "2020-01-05")
    with pytest.raises(DataError, match=r"episode 'short' .* has 1 date"):
        stress_table(v, fx, [short])
    whole = Episode("whole", "W", "2020-01-01", "2020-01-03")
    with pytest.raises(DataError, match="no column for JPY"):
        stress_table(v, fx, [whole], holdings=["JPY"])
    with pytest.raises(DataError, match="no row for 2020-01-03"):
        stress_table(v, fx.iloc[:2], [whole])
    with pytest.raises(DataError, match="DatetimeIndex"):
        stress_table(v.reset_index(drop=True), fx, [whole])


def test_core_leaves_out_unheld_holdings_and_does_not_mutate() -> None:
    idx = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-03"], name="date")
    fx = pd.DataFrame({"USD": 1.0, "EUR": [1.0, 0.8, 0.9], "CNY": [np.nan, 0.14, 0.15]},
                      index=idx)
    v = pd.DataFrame({"USD": [1.0, 0.9, 0.95]}, index=idx)
    before = fx.copy()
    t = stress_table(v, fx, [Episode("all", "A", "2020-01-01", "2020-01-03"),
                             Episode("late", "L", "2020-01-02", "2020-01-03")],
                     holdings=["EUR", "CNY"])
    assert list(t[t.episode == "all"].holding) == ["basket", "EUR"]  # CNY unquoted on day 1
    assert list(t[t.episode == "late"].holding) == ["basket", "EUR", "CNY"]
    assert _row(t, "late", "USD", "CNY").change == pytest.approx(0.15 / 0.14 - 1, rel=1e-12)
    pd.testing.assert_frame_equal(fx, before)


def test_package_names_are_the_functions() -> None:
    """``basket.stress``/``basket.optimize`` stay callable whatever is imported first."""
    code = (
        "import sys\n"
        "import basket.design.episodes, basket.design.optimizer, basket.design.api\n"
        "from basket.design.optimizer import solve_weights\n"
        "import basket\n"
        "assert callable(basket.stress) and callable(basket.optimize), type(basket.stress)\n"
        "assert basket.stress.__module__ == 'basket.design.api'\n"
        "assert 'scipy' not in sys.modules, 'scipy must be imported lazily'\n"
        "from basket import OptimizationResult, StressResult, list_episodes, optimize, stress\n"
        "assert stress is basket.stress and optimize is basket.optimize\n"
        "assert sys.modules['basket.design.episodes'].list_episodes is list_episodes\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# ----------------------------------------------------------------------------- CLI
def _one_line_error(result: Any, pattern: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    err = result.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert pattern in err, err
    assert "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_cli_list(fmt: str) -> None:
    result = runner.invoke(app, ["stress", "--list", "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.stdout)
        assert [d["name"] for d in data] == SHIPPED
        assert all(d["url"] for d in data)
    elif fmt == "csv":
        frame = pd.read_csv(StringIO(result.stdout), index_col="name")
        assert list(frame.index) == SHIPPED and "url" in frame.columns
    else:
        for name in SHIPPED:
            assert name in result.stdout


def test_cli_stress_table() -> None:
    result = runner.invoke(app, ["stress", "--episode", "brexit-2016", "-n", "USD,GBP"])
    assert result.exit_code == 0, result.output
    assert "brexit-2016" in result.stdout and "2016-06-23 to 2016-08-04" in result.stdout
    assert "-11.48%" in result.stdout  # GBP held alone, in USD (see the hand check)
    assert "max dd" in result.stdout


def test_cli_stress_json_and_csv_match_the_api() -> None:
    api = run_stress("libra-2019", episodes=["covid-dash-for-cash-2020"], numeraires=["JPY"])
    js = runner.invoke(app, ["stress", "libra-2019", "-e", "covid-dash-for-cash-2020",
                             "-n", "JPY", "-f", "json"])
    assert js.exit_code == 0, js.output
    assert json.loads(js.stdout) == json.loads(json.dumps(api.to_dict()))
    cs = runner.invoke(app, ["stress", "-e", "covid-dash-for-cash-2020", "-n", "JPY", "-f",
                             "csv"])
    assert cs.exit_code == 0, cs.output
    frame = pd.read_csv(StringIO(cs.stdout), parse_dates=["first_date", "last_date"])
    assert list(frame.columns) == STRESS_COLUMNS
    np.testing.assert_allclose(frame.change, api.table.change, rtol=1e-15)


def test_cli_custom_window() -> None:
    result = runner.invoke(app, ["stress", "--start", "2020-03-01", "--end", "2020-03-31",
                                 "-n", "USD", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["episodes"][0]["name"] == "custom"


@pytest.mark.parametrize(
    ("args", "pattern", "code"),
    [
        (["--episode", "nope"], "unknown episode 'nope'", 1),
        (["--start", "2020-02-01", "--end", "2020-01-01"], "is after end", 1),
        (["--episode", "brexit-2016", "--start", "2020-01-01"], "not both", 1),
        (["-e", "dollar-surge-2022", "-n", "RUB"], "outside the data", 1),
        (["--format", "xml"], "'xml' is not one of table, json, csv", 2),
        (["no-such-basket"], "unknown basket 'no-such-basket'", 1),
    ],
)
def test_cli_stress_errors(args: list[str], pattern: str, code: int) -> None:
    _one_line_error(runner.invoke(app, ["stress", *args]), pattern, code)


def test_cli_stress_help() -> None:
    result = runner.invoke(app, ["stress", "--help"])
    assert result.exit_code == 0 and "--list" in result.output
