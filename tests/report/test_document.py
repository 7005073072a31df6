"""The HTML report: every section present, figures embedded, nothing loaded from outside,
text escaped, figures stated as computed; and the ``basket report`` command."""

from __future__ import annotations

import base64
import re
import types
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")
from typer.testing import CliRunner

import basket
from basket.cli import app
from basket.errors import DataError
from basket.report import SECTIONS, figure_to_data_uri, render_report
from basket.spec import BasketSpec

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """Collects every start tag with its attributes, the section ids and the text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: list[str] = []
        self.text: list[str] = []
        self.depth: dict[str, int] = {}
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "section":
            self.sections.append(str(a.get("id")))
        self.depth[tag] = self.depth.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        self.depth[tag] = self.depth.get(tag, 0) - 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]

    @property
    def plain(self) -> str:
        return " ".join("".join(self.text).split())


@pytest.fixture(scope="module")
def res() -> basket.BacktestResult:
    # over a year, so the rolling-volatility figure is drawn
    return basket.backtest("libra-2019", start="2018-01-02", end="2019-12-31")


@pytest.fixture(scope="module")
def page_text(res) -> str:
    return render_report(res, generated="2020-01-15", dpi=50)


@pytest.fixture(scope="module")
def page(page_text: str) -> Page:
    return Page(page_text)


def assert_self_contained(text: str, page: Page) -> None:
    """Nothing in the document makes a browser fetch anything."""
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "data", "poster", "action", "background"):
            value = attrs.get(name)
            if value is None:
                continue
            assert not re.match(r"\s*(https?:)?//", value), (tag, name, value[:80])
            if name == "src":
                assert value.startswith("data:image/png;base64,"), (tag, value[:40])
    assert not page.all("script") and not page.all("link") and not page.all("iframe")
    styles = re.findall(r"<style>(.*?)</style>", text, flags=re.S)
    for css in styles:
        assert "@import" not in css and "url(" not in css and "@font-face" not in css
    assert not re.search(r"""\s(src|href)\s*=\s*["']?\s*(https?:)?//""", text, flags=re.I)


def test_document_structure(page_text: str, page: Page) -> None:
    assert page_text.startswith("<!DOCTYPE html>")
    assert page.sections == list(SECTIONS)
    void = {"meta", "img", "br", "hr", "link", "input"}
    unbalanced = {t: d for t, d in page.depth.items() if d != 0 and t not in void}
    assert not unbalanced  # every element closed
    (title,) = re.findall(r"<title>(.*?)</title>", page_text)
    assert title == "Libra reserve basket (2019): basket report"
    assert "2018-01-02 to 2019-12-31" in page.plain
    assert "Generated on 2020-01-15" in page.plain
    assert page.all("meta")[0] == {"charset": "utf-8"}


def test_figures_embedded_as_png(page: Page) -> None:
    imgs = page.all("img")
    assert len(imgs) == 5  # value, rolling volatility, weights, risk contributions, underwater
    for img in imgs:
        src = str(img["src"])
        payload = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert payload[:8] == PNG_MAGIC
        assert img.get("alt")


def test_no_external_requests(page_text: str, page: Page) -> None:
    assert_self_contained(page_text, page)
    # the source's address is there, as text
    assert "https://www.reuters.com/" in page.plain


def test_spec_and_data_source_stated(res, page: Page) -> None:
    text = page.plain
    assert "libra-2019" in text and "2019-06-18" in text
    assert "Facebook's letter to Fabio De Masi" in text
    assert "European Central Bank" in text
    assert f"{len(res.values):,} dates" in text
    assert "holder currencies USD, EUR, JPY, GBP, SGD" in text


def test_figures_in_tables_are_the_results(res, page_text: str) -> None:
    # each holder's volatility, as the summary row states it (rounded to 0.01%)
    for k in res.numeraires:
        vol = res.metrics.loc[k, "volatility"]
        assert re.search(rf"<tr><th>{k}</th><td>{vol:.2%}</td>", page_text), k
    # the weights table: target 14.00% for JPY, units at the end 0.5 USD (hand: 0.5 * 1 / 1)
    assert "<tr><th>JPY</th><td>14.00%</td>" in page_text
    assert "<tr><th>USD</th><td>50.00%</td><td>0.5</td>" in page_text
    # no negative zero, no NaN text (outside the base64 figures)
    words = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page_text)
    assert "-0.00%" not in words
    assert not re.search(r"\bnan\b|\bNaT\b", words, flags=re.I)


def test_text_is_escaped() -> None:
    dates = pd.bdate_range("2020-01-01", periods=40, name="date")
    rng = np.random.default_rng(3)
    panel = pd.DataFrame({"USD": 1.0, "EUR": 1.1 * np.exp(np.cumsum(rng.normal(0, 0.004, 40)))},
                         index=dates)
    spec = BasketSpec.from_dict({
        "name": "duo", "title": '<b>Duo</b> & "friends"', "description": "<script>x</script>",
        "weights": {"USD": 0.5, "EUR": 0.5}, "base_date": "2020-01-01",
        "source": {"citation": "a <i>paper</i>", "url": "https://example.org/?a=1&b=<2>"},
    })
    res = basket.backtest(spec, panel=panel)
    text = render_report(res, generated="2020-03-01", dpi=40)
    page = Page(text)
    assert "<b>Duo</b>" not in text and "<script>" not in text and "<i>paper</i>" not in text
    assert "&lt;b&gt;Duo&lt;/b&gt; &amp; &quot;friends&quot;" in text
    assert '<b>Duo</b> & "friends"' in page.plain  # reads correctly once parsed
    assert_self_contained(text, page)
    # shorter than a year: no rolling figure, said so
    assert len(page.all("img")) == 4
    assert "shorter than one year" in page.plain


def test_amounts_basket_lists_periods() -> None:
    res = basket.backtest("sdr", start="2016-01-04", end="2017-03-31")
    page = Page(render_report(res, generated="2020-01-01", dpi=40))
    assert "Currency amounts in one unit, per period" in page.plain
    assert "2016-10-01" in page.plain and "1.0174" in page.plain  # the CNY amount
    assert "The amounts were reset on 1 date(s): 2016-10-03." in page.plain


def test_optional_stress_and_simulation_sections(res) -> None:
    table = pd.DataFrame({
        "episode": ["GFC"] * 6, "numeraire": ["USD"] * 3 + ["EUR"] * 3,
        "holding": ["basket", "EUR", "USD", "basket", "USD", "EUR"],
        "change": [-0.02, -0.1, 0.0, 0.03, 0.1, 0.0],
        "max_drawdown": [-0.03, -0.12, 0.0, -0.01, -0.02, 0.0],
    })
    fan = {"USD": pd.DataFrame({"p5": [1.0, 0.95], "p50": [1.0, 1.0], "p95": [1.0, 1.06]})}
    text = render_report(res, stress=types.SimpleNamespace(table=table),
                         simulation=types.SimpleNamespace(fan=fan), generated="2020-01-01",
                         dpi=40)
    page = Page(text)
    assert page.sections == [*SECTIONS[:-1], "stress", "simulation", SECTIONS[-1]]
    assert len(page.all("img")) == 7
    assert "GFC / USD" in page.plain
    # a currency held in its own numeraire does not move: blank, never 0.00%
    assert "<tr><th>GFC / USD</th><td>-2.00%</td><td>-10.00%</td><td>–</td></tr>" in text
    assert "<tr><th>GFC / EUR</th><td>3.00%</td><td>–</td><td>10.00%</td></tr>" in text
    assert "<tr><th>USD</th><td>0.95</td><td>1</td><td>1.06</td></tr>" in text
    assert_self_contained(text, page)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"stress": object()}, "stress result has no 'table'"),
     ({"simulation": object()}, "simulation result has no 'fan'"),
     ({"indices": object()}, "index comparison has no 'table' and 'rebased'"),
     ({"spillover": object()}, "spillover result has no 'table'")],
)
def test_bad_optional_results(res, kwargs, pattern: str) -> None:
    with pytest.raises(DataError, match=pattern):
        render_report(res, dpi=30, **kwargs)


def test_figure_to_data_uri_round_trip() -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    uri = figure_to_data_uri(fig, dpi=50)
    data = base64.b64decode(uri.removeprefix("data:image/png;base64,"))
    assert data[:8] == PNG_MAGIC
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (100, 50)


runner = CliRunner()


def test_cli_report_writes_a_self_contained_file(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "libra-2019", "--start", "2019-01-02", "--end",
                                 "2019-12-31", "-n", "USD,EUR", "--rebalance", "quarterly",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote report to {out}" in result.output
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    assert set(SECTIONS) <= set(page.sections)
    assert "holder currencies USD, EUR" in page.plain and "rebalanced: quarterly" in page.plain
    assert_self_contained(text, page)


@pytest.mark.parametrize(
    ("name", "pattern"),
    [("nowhere/report.html", "does not exist"), ("report.pdf", "use a .html or .htm file name")],
)
def test_cli_report_bad_output(tmp_path: Path, name: str, pattern: str) -> None:
    result = runner.invoke(app, ["report", "--output", str(tmp_path / name)])
    assert result.exit_code == 1
    err = result.stderr.strip()
    assert err.startswith("error: cannot write") and pattern in err and "\n" not in err


def test_cli_report_needs_output() -> None:
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 2
    assert "--output" in result.output


def test_cli_report_help() -> None:
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    for option in ("--start", "--end", "--rebalance", "--numeraire", "--source", "--output",
                   "--paths", "--seed", "--no-outlook", "--no-stress", "--no-indices",
                   "--no-spillover"):
        assert option in result.output


def test_cli_report_default_paths_is_the_reports() -> None:
    from basket.report import OUTLOOK_PATHS

    result = runner.invoke(app, ["report", "--help"], terminal_width=200)
    assert re.search(rf"--paths N .*\[default: {OUTLOOK_PATHS}\]", result.output)


def test_cli_report_options_reach_the_report(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "--start", "2019-01-02", "--end", "2019-12-31",
                                 "--paths", "150", "--seed", "3", "--no-stress",
                                 "--no-indices", "--no-spillover", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert Page(text).sections == [*SECTIONS[:-1], "simulation", SECTIONS[-1]]
    assert "150 simulated paths of 252 business days" in text
    result = runner.invoke(app, ["report", "--paths", "0", "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 1 and "paths" in result.stderr and "\n" not in result.stderr.strip()
    assert not (tmp_path / "x.html").exists()
