"""The currency palette stays distinct, also for readers with colour-vision deficiency.

Independent reference: colour-vision deficiency is simulated with the matrices of Machado,
Oliveira and Fernandes (2009), "A physiologically-based model for simulation of color vision
deficiency", IEEE TVCG 15(6), severity 1.0 (dichromacy), applied to linear sRGB; differences
are CIEDE2000 (Sharma, Wu and Dalal 2005, "The CIEDE2000 color-difference formula:
implementation notes, supplementary test data, and mathematical observations", Color Research
and Application 30(1)), checked here against pairs of their published test data. A CIEDE2000
difference near 1 is just noticeable; 10 or more tells two lines in a chart apart at a glance.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from basket.plot import BASKET_COLOR, CURRENCY_COLORS, currency_color

# Machado et al. (2009), Table 1, severity 1.0
CVD = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
# the seven colours the palette promises to keep apart under every simulation
SAFE = ("USD", "EUR", "JPY", "GBP", "SGD", "CNY", "CHF")


def linear_rgb(hex_color: str) -> np.ndarray:
    c = np.array([int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb: np.ndarray) -> tuple[float, float, float]:
    """CIELAB (D65) of linear sRGB (IEC 61966-2-1 matrix)."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(rgb, 0.0, 1.0)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1), after Sharma et al. (2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dlp, dcp = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    dhp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lbp, cbp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbp = (h1p + h2p) / 2
    else:
        hbp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hbp - 30)) + 0.24 * math.cos(math.radians(2 * hbp))
         + 0.32 * math.cos(math.radians(3 * hbp + 6)) - 0.20 * math.cos(math.radians(4 * hbp - 63)))
    dtheta = 30 * math.exp(-(((hbp - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cbp ** 7 / (cbp ** 7 + 25 ** 7))
    sl = 1 + 0.015 * (lbp - 50) ** 2 / math.sqrt(20 + (lbp - 50) ** 2)
    sc, sh = 1 + 0.045 * cbp, 1 + 0.015 * cbp * t
    rt = -math.sin(math.radians(2 * dtheta)) * rc
    return math.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhp / sh) ** 2
                     + rt * (dcp / sc) * (dhp / sh))


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma et al. (2005), Table 1, pairs 1, 7, 17 and 25 (published to 4 decimals)
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected: float) -> None:
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)  # 4 published decimals


def differences(codes, vision: str) -> list[tuple[float, str, str]]:
    m = CVD[vision]
    seen = {c: lab(m @ linear_rgb(currency_color(c))) for c in codes}
    return sorted((ciede2000(seen[a], seen[b]), a, b) for a, b in itertools.combinations(codes, 2))


@pytest.mark.parametrize("vision", sorted(CVD))
def test_the_seven_main_currencies_stay_apart_in_every_vision(vision: str) -> None:
    worst = differences(SAFE, vision)[0]
    assert worst[0] >= 12.0, worst


def test_every_named_currency_is_distinct_in_normal_vision() -> None:
    worst = differences(list(CURRENCY_COLORS), "normal")[0]
    assert worst[0] >= 11.0, worst
    assert len(set(CURRENCY_COLORS.values())) == len(CURRENCY_COLORS)


def test_issue_11_amber_and_orange_are_now_far_apart() -> None:
    """EUR and CNY were amber #e8a000 and orange #d95f02: CIEDE2000 22 in normal vision and 12
    with deuteranopia, two oranges side by side. Now they differ by over 50 for every reader."""
    for vision in CVD:
        m = CVD[vision]
        d = ciede2000(lab(m @ linear_rgb(currency_color("EUR"))),
                      lab(m @ linear_rgb(currency_color("CNY"))))
        assert d >= 50.0, (vision, d)


@pytest.mark.parametrize("vision", sorted(CVD))
def test_no_currency_looks_like_the_basket_or_the_background(vision: str) -> None:
    m = CVD[vision]
    black, white = lab(m @ linear_rgb(BASKET_COLOR)), lab(m @ linear_rgb("#ffffff"))
    for code in CURRENCY_COLORS:
        seen = lab(m @ linear_rgb(currency_color(code)))
        assert ciede2000(seen, black) >= 20.0, code
        assert ciede2000(seen, white) >= 20.0, code
