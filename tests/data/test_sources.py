"""The one source option set: every option checked once, none ignored without a word."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import basket
from basket.data import SourceOptions, get_source, load_fx
from basket.errors import DataError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "csv"


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"source": "ecb", "quote": "units_per_usd"},
     r"^quote 'units_per_usd' applies to CSV files, not source 'ecb'; drop it$"),
    ({"source": "yahoo", "quote": "units_per_usd"}, r"applies to CSV files, not source 'yahoo'"),
    ({"source": "rates.csv", "refresh": True},
     r"^refresh applies to the 'ecb' and 'yahoo' sources, not 'rates.csv'; drop it$"),
    ({"source": "ecb", "fill_limit": 3}, r"fill_limit applies with fill='ffill'"),
    ({"source": "ecb", "fill": "bfill"}, r"unknown fill rule 'bfill'; use 'none' or 'ffill'"),
    ({"source": "ecb", "fill": "ffill", "fill_limit": "5"}, r"fill_limit '5' is not a whole "),
    ({"source": "ecb", "fill": "ffill", "fill_limit": True}, r"fill_limit True is not a whole"),
    ({"source": "ecb", "fill": "ffill", "fill_limit": -1}, r"fill_limit -1 days is outside 0"),
    ({"source": "ecb", "fill": "ffill", "fill_limit": 10**6}, r"is outside 0 to 366"),
    ({"source": "rates.csv", "quote": "usd"}, r"unknown quote 'usd' for 'rates.csv'; use one of "
                                              r"'usd_per_unit', 'units_per_usd', 'units_per_eur'"),
    ({"source": "ecb", "refresh": "yes"}, r"refresh 'yes' must be True or False"),
    ({"source": "bloomberg"}, r"unknown FX source 'bloomberg'; use 'ecb'"),
    ({"source": 42}, r"FX source 42 is not a name, a file path or a source object"),
    ({"source": None}, r"FX source None is not a name"),
])
def test_options_that_do_not_apply_are_refused(kwargs: dict[str, object], pattern: str) -> None:
    with pytest.raises(DataError, match=pattern):
        SourceOptions(**kwargs)  # type: ignore[arg-type]


def test_the_same_rules_through_load_fx() -> None:
    with pytest.raises(DataError, match=r"applies to CSV files"):
        load_fx(["EUR"], quote="units_per_usd")
    with pytest.raises(DataError, match=r"in the SourceOptions or as arguments, not both"):
        load_fx(["EUR"], source=SourceOptions("ecb"), fill="ffill")
    with pytest.raises(DataError, match=r"fill_limit applies with fill='ffill'"):
        load_fx(["EUR"], fill_limit=3)


def test_a_path_is_a_source_everywhere() -> None:
    path = FIXTURES / "libra_2019_wide.csv"
    by_str = load_fx(["USD", "EUR"], source=str(path))
    by_path = load_fx(["USD", "EUR"], source=path)
    pd.testing.assert_frame_equal(by_path, by_str)
    assert SourceOptions(path).kind == "csv" and SourceOptions(path).path == path
    res = basket.backtest("libra-2019", numeraires="USD", source=path)
    assert res.source == str(path)
    assert get_source(path).name == path.name


def test_options_reach_the_alignment() -> None:
    """fill and fill_limit given once in SourceOptions change what every face loads."""
    path = FIXTURES / "libra_2019_wide.csv"
    plain = load_fx(["USD", "EUR"], source=SourceOptions(path))
    assert plain.attrs["filled_quotes"] == 0
    opts = SourceOptions(path, fill="ffill", fill_limit=4)
    assert opts.limit == 4 and SourceOptions("ecb", fill="ffill").limit == 5
    assert load_fx(["USD", "EUR"], source=opts).attrs["source"] == path.name
