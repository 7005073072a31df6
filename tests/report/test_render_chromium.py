"""The report in a real browser: at 700 pixels wide nothing runs off the page.

Skipped cleanly when ``chromium`` (or ``chromium-browser``) is not on PATH; the structural tests
in test_build.py always run. A copy of the report gets a small measuring script (the report
itself has none) that records, once laid out at 700 CSS pixels, the page's scroll width and,
for every table of the key figures, its own width and its scrolling wrapper's; Chromium's
``--dump-dom`` prints the document with the figures. A screenshot at the same width is taken
too, and must be a 700-pixel-wide PNG.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from basket.report import build_report

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(BROWSER is None, reason="chromium is not installed")
WIDTH = 700

MEASURE = """
<script>
window.addEventListener("load", () => {
  const page = document.documentElement;
  const tables = [...document.querySelectorAll("#summary table")].map((t) => {
    const box = t.parentElement;
    return {table: t.scrollWidth, box: box.clientWidth, scroll: box.scrollWidth,
            overflow: getComputedStyle(box).overflowX,
            right: box.getBoundingClientRect().right};
  });
  const all = [...document.querySelectorAll("table")].map(
      (t) => t.parentElement.getBoundingClientRect().right);
  document.body.setAttribute("data-measure", JSON.stringify(
      {viewport: window.innerWidth, page: page.scrollWidth, tables: tables,
       widest_box: Math.max(...all)}));
});
</script>
"""


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    return subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--disable-extensions", f"--window-size={WIDTH},1200", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    text = build_report("libra-2019", "2018-01-02", "2020-12-31", n_paths=200, horizon=21,
                        generated="2021-01-04", dpi=40)
    path = folder / "report.html"
    path.write_text(text, encoding="utf-8")
    return path


def test_key_figures_fit_the_page_at_700_pixels(report: Path, tmp_path: Path) -> None:
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
                     encoding="utf-8")
    done = _chromium("--virtual-time-budget=5000", "--dump-dom", probe.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-measure="([^"]+)"', done.stdout)
    assert found, done.stdout[-2000:]
    m = json.loads(found.group(1).replace("&quot;", '"'))
    assert m["viewport"] == WIDTH
    assert m["page"] <= m["viewport"], m  # nothing makes the page scroll sideways
    assert m["widest_box"] <= m["viewport"] + 0.5, m
    assert len(m["tables"]) == 2
    for t in m["tables"]:
        assert t["right"] <= m["viewport"] + 0.5, t
        # the table fits its wrapper, or the wrapper scrolls it inside the page
        assert t["table"] <= t["box"] or t["overflow"] == "auto", t


def test_screenshot_at_700_pixels(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = _chromium(f"--screenshot={shot}", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == WIDTH
    assert len(data) > 20_000  # a page was drawn, not a blank one
