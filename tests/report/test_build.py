"""build_report: the whole report from a basket (backtest, stress, outlook), structurally.

Always runs (no browser needed): every section is there, nothing is fetched from outside, every
table sits in a sideways-scrolling wrapper, and the drawdown, calendar-return, stress and
outlook tables print the figures of the functions that compute them (independently checked in
tests/valuation/test_periods.py and the stress and simulation tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from test_document import Page, assert_self_contained  # tests/report/test_document.py

import basket
from basket.errors import SimulationError
from basket.report import SECTIONS, build_report
from basket.valuation.periods import drawdown_episodes, monthly_returns, yearly_returns

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ARGS = {"spec": "libra-2019", "start": "2018-01-02", "end": "2020-12-31"}


@pytest.fixture(scope="module")
def text() -> str:
    return build_report(**ARGS, n_paths=400, horizon=42, generated="2021-01-04", dpi=40)


@pytest.fixture(scope="module")
def page(text: str) -> Page:
    return Page(text)


@pytest.fixture(scope="module")
def res() -> basket.BacktestResult:
    return basket.backtest(ARGS["spec"], ARGS["start"], ARGS["end"])


def test_every_section_and_no_external_request(text: str, page: Page) -> None:
    assert page.sections == [*SECTIONS[:-1], "stress", "simulation", "indices", "spillover",
                             SECTIONS[-1]]
    assert_self_contained(text, page)
    # value, rolling, weights, risk, underwater, stress, fan, indices, spillover
    assert len(page.all("img")) == 9
    assert "Generated on 2021-01-04" in page.plain


def test_every_table_scrolls_inside_the_page(text: str) -> None:
    tables = re.findall(r'(<div class="scroll">)?<table class="([^"]+)">', text)
    assert len(tables) >= 20
    assert all(wrapper for wrapper, _ in tables), "a table outside its scroll wrapper"
    assert "div.scroll { max-width: 100%; overflow-x: auto;" in text
    # the key figures come as two narrow tables, not one wide one
    summary = re.search(r'<section id="summary">(.*?)</section>', text, flags=re.S).group(1)
    heads = re.findall(r"<thead><tr>(.*?)</tr></thead>", summary)
    assert [len(re.findall("<th>", h)) for h in heads] == [7, 6]


def test_worst_drawdowns_per_numeraire(res, text: str, page: Page) -> None:
    section = re.search(r'<section id="drawdowns">(.*?)</section>', text, flags=re.S).group(1)
    blocks = re.findall(r"<details( open)?><summary>Held in (\w+)</summary>(.*?)</details>",
                        section, flags=re.S)
    assert [k for _, k, _ in blocks] == res.numeraires
    assert [bool(o) for o, _, _ in blocks] == [True] + [False] * (len(blocks) - 1)
    for _, k, body in blocks:
        ep = drawdown_episodes(res.values[k], top=5)
        rows = re.findall(r"<tr><th>(\d)</th>(.*?)</tr>", body)
        assert len(rows) == len(ep)
        for (_rank, cells), (_, row) in zip(rows, ep.iterrows(), strict=True):
            cell = re.findall(r"<td>(.*?)</td>", cells)
            assert cell[0] == row["peak"].date().isoformat()
            assert cell[1] == row["trough"].date().isoformat()
            assert cell[2] == ("–" if row["recovery"] is pd.NaT
                               else row["recovery"].date().isoformat())
            assert cell[3] == f"{row['depth']:.2%}"
            assert cell[6] == f"{row['days']:,}"


def test_calendar_returns_are_the_periods_functions(res, text: str) -> None:
    section = re.search(r'<section id="returns">(.*?)</section>', text, flags=re.S).group(1)
    yearly = {k: yearly_returns(res.values[k]) for k in res.numeraires}
    for year in (2018, 2019, 2020):
        row = re.search(rf"<tr><th>{year}</th>(.*?)</tr>", section).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells == [f"{yearly[k][year]:.2%}" for k in res.numeraires]
    usd = monthly_returns(res.values["USD"])
    heat = re.search(r"<summary>Held in USD</summary>(.*?)</details>", section, flags=re.S)
    march_2020 = re.search(r"<tr><th>2020</th>(.*?)</tr>", heat.group(1)).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", march_2020)
    assert cells[2] == f"{usd.loc[2020, 'Mar']:.1%}"
    assert cells[12] == f"{yearly['USD'][2020]:.1%}"  # the year column
    # losses tinted orange, gains blue
    styles = re.findall(r'<td style="background:#([0-9a-f]{6})">(-?)', heat.group(1))
    assert styles and all((int(c[4:6], 16) < int(c[0:2], 16)) == bool(minus)
                          for c, minus in styles)


def test_stress_and_outlook_tables_state_the_results(res, text: str) -> None:
    # the shipped episodes are replayed on all the data the source has, whatever the period
    assert "lehman-2008" in text and "dollar-surge-2022" in text
    st = basket.stress(ARGS["spec"], numeraires=res.numeraires)
    row = st.table.query("episode == 'brexit-2016' and numeraire == 'USD'").set_index("holding")
    expected = "".join(f"<td>{row.loc[h, 'change']:.2%}</td>" if h != "USD" else "<td>–</td>"
                       for h in ("basket", *res.spec.currencies))
    assert f"<tr><th>brexit-2016 / USD</th>{expected}</tr>" in text
    sim = basket.simulate(ARGS["spec"], n_paths=400, horizon=42, seed=0,
                          window=(None, res.end), numeraires=res.numeraires)
    assert f"starting on {res.end.date()}" in text
    for k in res.numeraires:
        assert f"<tr><th>{k}</th><td>{sim.risk.loc[k, 'horizon_var_95']:.2%}</td>" in text
        assert f"<td>{sim.terminal.loc[k, 'p50']:.4f}</td>" in text


def test_report_of_a_short_file_leaves_out_the_stress_with_a_note() -> None:
    csv = FIXTURES / "csv" / "libra_2019_wide.csv"
    text = build_report("libra-2019", source=str(csv), n_paths=100, horizon=5,
                        generated="2020-01-01", dpi=30)
    page = Page(text)
    assert "stress" not in page.sections and "simulation" in page.sections
    assert "Note: no stress episodes: no shipped episode lies inside" in page.plain


def test_options_switch_sections_off_and_bad_options_are_errors() -> None:
    text = build_report(**ARGS, stress=False, outlook=False, indices=False, spillover=False,
                        generated="2021-01-04", dpi=30)
    assert Page(text).sections == list(SECTIONS)
    with pytest.raises(SimulationError, match="paths"):
        build_report(**ARGS, stress=False, n_paths=0, dpi=30)


def test_amounts_basket_with_a_late_currency_gets_its_outlook() -> None:
    """The SDR holds CNY, quoted by the ECB from 2005 only: the outlook still runs (its
    three-year window, 2017-06 to 2020-06, lies after the renminbi joined in 2016-10)."""
    text = build_report("sdr", "2019-01-02", "2020-06-30", n_paths=100, horizon=5,
                        generated="2020-07-01", dpi=30)
    page = Page(text)
    assert {"stress", "simulation"} <= set(page.sections)
    assert "Note:" not in page.plain
    assert "IMF Special Drawing Right (SDR)" in page.plain


def _section(text: str, sid: str) -> str:
    return re.search(rf'<section id="{sid}">(.*?)</section>', text, flags=re.S).group(1)


def test_indices_section_states_the_comparison(text: str) -> None:
    """The dollar against Libra, the SDR and the DXY: the table prints compare_indices' figures
    (checked against hand computations and published DXY closes in tests/valuation)."""
    section = _section(text, "indices")
    cmp = basket.compare_indices(["libra-2019", "sdr", "dxy"], "USD", ARGS["start"], ARGS["end"])
    for name, row in cmp.table.iterrows():
        cells = re.findall(r"<td>(.*?)</td>",
                           re.search(rf"<tr><th>{name}</th>(.*?)</tr>", section).group(1))
        assert cells[0] == f"{row['start']:.6g}" and cells[1] == f"{row['end']:.6g}"
        assert cells[2:6] == [f"{row[c]:.2%}" for c in
                              ("change", "annualized_change", "volatility", "max_drawdown")]
        assert cells[6:] == [f"{row[f'corr_{n}']:.4f}" for n in cmp.names]
    assert "ICE US Dollar Index (DXY)</b> (dxy): The US dollar measured against a geometric" in section
    assert section.count("It holds USD itself") == 2  # Libra and the SDR, not the DXY
    assert f"rebased to 100 on {cmp.base_date.date()}" in section


def test_spillover_section_states_the_decomposition(res, text: str) -> None:
    section = _section(text, "spillover")
    sp = basket.spillover("libra-2019", "USD", res.start, res.end, window=200)
    assert f"Total connectedness: {sp.total:.1f}%" in section
    for receiver, row in sp.table.iterrows():
        cells = re.findall(r"<td>(.*?)</td>",
                           re.search(rf"<tr><th>{receiver}</th>(.*?)</tr>", section).group(1))
        assert cells == ["–" if pd.isna(v) else f"{v:.1f}" for v in row]
    # the rolling index by year, beside the basket's rolling volatility in USD
    total = sp.rolling
    vol = res.rolling_volatility()["USD"].dropna()
    for year in sorted(set(total.index.year)):
        cells = re.findall(r"<td>(.*?)</td>",
                           re.search(rf"<tr><th>{year}</th>(.*?)</tr>", section).group(1))
        within = total[total.index.year == year]
        assert cells[:3] == [f"{within.mean():.1f}", f"{within.min():.1f}",
                             f"{within.max():.1f}"]
        assert cells[3] == f"{vol[vol.index.year == year].mean():.2%}"
    # the stress episodes the windows reach (2020's dash for cash within 2018-2020)
    assert "March 2020 dash for cash (COVID-19)" in section
    assert sp.lag_selection in section


def test_short_data_keep_the_static_spillover_with_a_note() -> None:
    text = build_report("libra-2019", "2019-01-02", "2019-06-28", stress=False, outlook=False,
                        indices=False, generated="2019-07-01", dpi=30)
    page = Page(text)
    assert "spillover" in page.sections
    assert "Note: no rolling spillover figures:" in page.plain
    section = _section(text, "spillover")
    assert "Total connectedness:" in section and "<img" not in section


def test_basket_of_one_currency_besides_the_dollar_has_no_spillover(tmp_path: Path) -> None:
    toml = tmp_path / "duo.toml"
    toml.write_text('name = "duo"\nbase_date = "2019-01-02"\n\n[weights]\nUSD = 0.5\n'
                    'EUR = 0.5\n', encoding="utf-8")
    text = build_report(str(toml), "2019-01-02", "2019-12-31", stress=False, outlook=False,
                        generated="2020-01-01", dpi=30)
    page = Page(text)
    assert "spillover" not in page.sections and "indices" in page.sections
    assert "Note: no spillover figures:" in page.plain
