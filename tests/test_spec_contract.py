"""The contract of :mod:`basket.spec` beyond the messages of the seeds: normalisation on direct
construction, the field each date is named by, text fields passed through, where the seeds are
found, and how a seed or file that cannot be read or parsed is reported.

References: the module and class docstrings (a spec is frozen with normalised codes, floats,
``datetime.date`` days and a tuple of periods; ``base_currency`` defaults to USD; ``title`` and
``description`` default to empty text), ``pyproject.toml`` (the top-level ``seeds/`` folder
ships as the ``basket.seeds`` package, a checkout reads ``seeds/`` beside ``basket/``), and the
house rule that every refusal is one whole line naming the field, the value and the fix. Every
expected value below is written out by hand. The seeds folder is faked with ``tmp_path`` and
``monkeypatch`` (the real ``seeds/`` is never touched); the seed caches are cleared around each
test that fakes it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

import basket.spec as spec_module
from basket.errors import SpecError
from basket.spec import BasketSpec, Period, load_spec

MINI = b'name = "mini"\ntitle = "Mini"\nweights = {USD = 0.5, EUR = 0.5}\nbase_date = 2019-06-18\n'
FIELDS = ("amounts, base_currency, base_date, base_level, base_value, constant, description, "
          "method, name, periods, rebalance, rises_when, rounding, source, title, weights")


def _refused(message: str) -> Any:
    return pytest.raises(SpecError, match="^" + re.escape(message) + "$")


def _clear_seed_caches() -> None:
    spec_module._seed_files.cache_clear()
    spec_module._is_seed_name.cache_clear()
    spec_module._load_seed.cache_clear()


@pytest.fixture
def fresh_seeds() -> Iterator[None]:
    """Seed lookups start from nothing and leave nothing behind for the real seeds."""
    _clear_seed_caches()
    yield
    _clear_seed_caches()


def _checkout_seeds(monkeypatch: pytest.MonkeyPatch, root: Path, files: dict[str, bytes | None]) -> Path:
    """A checkout at ``root``: ``basket.seeds`` is not installed and ``seeds/`` sits beside
    ``basket/``. A file given as ``None`` is made a directory (a seed that cannot be read)."""
    monkeypatch.setitem(sys.modules, "basket.seeds", None)  # import -> ModuleNotFoundError
    (root / "basket").mkdir(parents=True)
    monkeypatch.setattr(spec_module, "__file__", str(root / "basket" / "spec.py"))
    seeds = root / "seeds"
    if files:
        seeds.mkdir()
    for name, payload in files.items():
        if payload is None:
            (seeds / name).mkdir()
        else:
            (seeds / name).write_bytes(payload)
    return seeds


# ------------------------------------------------------------------ direct construction
def test_weights_spec_built_directly_is_normalised() -> None:
    """A spec built without from_dict still holds upper-case codes, float weights in a plain
    dict, and the calendar day of its base date."""
    spec = BasketSpec(name="w", weights=MappingProxyType({" usd ": 1}),
                      base_date=dt.datetime(2019, 6, 18, 23, 30), base_currency=" jpy ")
    assert spec.weights == {"USD": 1.0}
    assert type(spec.weights) is dict
    assert type(spec.weights["USD"]) is float
    assert type(spec.base_date) is dt.date
    assert spec.base_date == dt.date(2019, 6, 18)
    assert spec.base_currency == "JPY"
    assert spec.to_dict()["base_currency"] == "JPY"


def test_weights_spec_base_date_as_text() -> None:
    spec = BasketSpec(name="w", weights={"USD": 0.5, "EUR": 0.5}, base_date="2019-06-18")
    assert spec.base_date == dt.date(2019, 6, 18)
    assert spec.to_dict()["base_date"] == "2019-06-18"


def test_amounts_spec_built_directly_is_normalised() -> None:
    """Periods given as a list are kept as a tuple; a base date given as text is a day."""
    first = Period(dt.date(2020, 1, 2), {"EUR": 0.5})
    second = Period(dt.date(2021, 1, 4), {"EUR": 0.4, "JPY": 10.0})
    spec = BasketSpec(name="a", periods=[first, second], base_date="2020-01-02")  # type: ignore[arg-type]
    assert spec.periods == (first, second)
    assert type(spec.periods) is tuple
    assert type(spec.base_date) is dt.date
    assert spec.base_date == dt.date(2020, 1, 2)
    later = BasketSpec(name="a", periods=(first,), base_date=dt.datetime(2020, 3, 5, 8, 0))
    assert type(later.base_date) is dt.date
    assert later.base_date == dt.date(2020, 3, 5)


@pytest.mark.parametrize("kind", ["weights", "periods"])
@pytest.mark.parametrize(("value", "message"), [
    ("2019-06-31", "base_date '2019-06-31' is not a date (no such day); check the month and day"),
    ("18/06/2019", "base_date '18/06/2019' is not a date; write it as YYYY-MM-DD, e.g. 2019-06-18"),
    (dt.date(1850, 1, 1), "base_date 1850-01-01 is out of range; use a year between 1900 and 2200"),
])
def test_bad_base_date_built_directly_names_the_field(kind: str, value: Any, message: str) -> None:
    body: dict[str, Any] = (
        {"weights": {"USD": 1.0}} if kind == "weights"
        else {"periods": (Period(dt.date(2020, 1, 2), {"EUR": 1.0}),)}
    )
    with _refused(message):
        BasketSpec(name="x", base_date=value, **body)


# ------------------------------------------------------------------ from_dict
@pytest.mark.parametrize(("data", "message"), [
    ({"name": "a", "amounts": {"EUR": 1.0}, "base_date": "2020-13-01"},
     "base_date '2020-13-01' is not a date (no such day); check the month and day"),
    ({"name": "a", "amounts": {"EUR": 1.0}, "base_date": 20200102},
     "base_date 20200102 is not a date; write it as YYYY-MM-DD, e.g. 2019-06-18"),
    ({"name": "p", "periods": [{"start": "2020-01-02", "amounts": {"EUR": 1.0}},
                               {"start": "2021-01-32", "amounts": {"EUR": 1.0}}]},
     "periods[2].start '2021-01-32' is not a date (no such day); check the month and day"),
    ({"name": "p", "periods": [{"start": "2020-01-02", "amounts": {"EUR": 1.0}},
                               {"start": "2021-01-04", "amounts": {"EUR": -1}}]},
     "periods[2].amounts.EUR = -1; it must be positive (long only)"),
    ({"name": "p", "periods": [{"start": "2020-01-02", "amounts": []}]},
     "periods[1].amounts must be a table of currency = number, e.g. {USD = 0.5}"),
])
def test_from_dict_names_the_bad_date_or_amounts(data: dict[str, Any], message: str) -> None:
    with _refused(message):
        BasketSpec.from_dict(data)


@pytest.mark.parametrize("data", [
    # geometric without a constant: a base date is still needed
    {"name": "g", "method": "geometric", "weights": {"EUR": 0.5, "JPY": 0.5}},
    {"name": "g", "method": "geometric", "weights": {"EUR": 0.5, "JPY": 0.5}, "base_level": 100.0,
     "rises_when": "strengthens", "base_date": None},
    # a constant on an arithmetic index: a base date is still needed
    {"name": "c", "weights": {"EUR": 0.5, "JPY": 0.5}, "constant": 2.0, "rises_when": "weakens"},
    {"name": "c", "method": "arithmetic", "weights": {"EUR": 0.5, "JPY": 0.5}, "constant": 2.0,
     "rises_when": "weakens"},
])
def test_only_a_geometric_index_scaled_by_a_constant_skips_base_date(data: dict[str, Any]) -> None:
    with _refused("spec: missing field 'base_date' (the day the weights become amounts)"):
        BasketSpec.from_dict(data)


def test_scaled_geometric_index_needs_no_base_date() -> None:
    spec = BasketSpec.from_dict({"name": "g", "method": "geometric", "weights": {"EUR": 0.5, "JPY": 0.5},
                                 "constant": 2.0, "rises_when": "strengthens"})
    assert spec.base_date is None
    assert spec.constant == 2.0


def test_text_fields_pass_through_and_default_to_empty() -> None:
    base = {"name": " duo ", "weights": {"USD": 0.5, "EUR": 0.5}, "base_date": "2019-06-18"}
    spec = BasketSpec.from_dict({**base, "title": "Duo basket", "description": "Half USD, half EUR."})
    assert (spec.name, spec.title, spec.description) == ("duo", "Duo basket", "Half USD, half EUR.")
    bare = BasketSpec.from_dict(base)
    assert (bare.title, bare.description, bare.base_currency) == ("", "", "USD")
    assert bare.to_dict()["title"] == ""


# ------------------------------------------------------------------ where the seeds are
def test_installed_seeds_package_is_the_seeds_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_seeds: None) -> None:
    """Installed, the seeds are the files of the ``basket.seeds`` package."""
    package = tmp_path / "installed_seeds"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mini.toml").write_bytes(MINI)
    module_spec = importlib.util.spec_from_file_location(
        "basket.seeds", package / "__init__.py", submodule_search_locations=[str(package)])
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, "basket.seeds", module)
    folder = spec_module._seeds_folder()
    assert sorted(entry.name for entry in folder.iterdir()) == ["__init__.py", "mini.toml"]
    assert load_spec("mini").title == "Mini"
    with _refused("unknown basket 'libra-2019'; use one of mini or a .toml path"):
        load_spec("libra-2019")


def test_checkout_reads_seeds_beside_the_package(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_seeds: None) -> None:
    seeds = _checkout_seeds(monkeypatch, tmp_path / "repo", {"mini.toml": MINI, "notes.md": b"x"})
    assert Path(spec_module._seeds_folder()).resolve() == seeds.resolve()
    assert load_spec("mini").weights == {"USD": 0.5, "EUR": 0.5}
    assert [s.name for s in spec_module.list_seeds()] == ["mini"]


def test_missing_seeds_folder_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_seeds: None) -> None:
    _checkout_seeds(monkeypatch, tmp_path / "repo", {})
    with _refused("the seeds/ folder is missing; reinstall libra-basket"):
        spec_module._seeds_folder()
    with _refused("the seeds/ folder is missing; reinstall libra-basket"):
        load_spec("libra-2019")


def test_unreadable_or_malformed_seed_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_seeds: None) -> None:
    _checkout_seeds(monkeypatch, tmp_path / "repo", {
        "broken.toml": None,
        "odd.toml": MINI + b'colour = "red"\n',
        "latin.toml": b'name = "latin"\n# ok\ntitle = "caf\xe9"\n',
    })
    with _refused("cannot read seed 'broken' (Is a directory); give a .toml file"):
        load_spec("broken")
    with _refused(f"seed 'odd': unknown field 'colour'; the fields are {FIELDS}"):
        load_spec("odd")
    with _refused("seed 'latin' line 3 is not UTF-8 text (invalid continuation byte); save the "
                  "file as UTF-8"):
        load_spec("latin")


def test_three_letter_names_get_a_code_style_hint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_seeds: None) -> None:
    """A three-letter name is matched as a currency code (upper case); other lengths are not."""
    _checkout_seeds(monkeypatch, tmp_path / "repo", {"SDR.toml": MINI, "libra-2019.toml": MINI})
    with _refused("unknown basket 'sdx' (did you mean 'SDR'?); use one of SDR, libra-2019 or a "
                  ".toml path"):
        load_spec("sdx")
    for text in ("sd", "sdrx"):
        with _refused(f"unknown basket {text!r}; use one of SDR, libra-2019 or a .toml path"):
            load_spec(text)


# ------------------------------------------------------------------ files by path
class _FailingPath:
    """A path whose read fails with an OSError that has no strerror."""

    def read_bytes(self) -> bytes:
        raise OSError("disk unplugged")


def test_read_error_without_strerror_shows_the_error() -> None:
    with _refused("cannot read basket.toml (disk unplugged); give a .toml file"):
        spec_module._read_toml_text(_FailingPath(), "basket.toml")


def test_read_error_shows_strerror_only(tmp_path: Path) -> None:
    with _refused("cannot read here.toml (Is a directory); give a .toml file"):
        spec_module._read_toml_text(tmp_path, "here.toml")


def test_toml_path_that_is_a_directory(tmp_path: Path) -> None:
    folder = tmp_path / "basket.toml"
    folder.mkdir()
    with _refused(f"cannot read basket file {str(folder)!r}: it is a directory; give a .toml file"):
        load_spec(folder)


def test_file_errors_name_the_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_bytes(MINI + b'colour = "red"\n')
    with _refused(f"{path}: unknown field 'colour'; the fields are {FIELDS}"):
        load_spec(path)
    path.write_bytes(b'name = "x"\n\n\n\ntitle = "\xff"\n')
    with _refused(f"{path} line 5 is not UTF-8 text (invalid start byte); save the file as UTF-8"):
        load_spec(str(path))
    path.write_bytes(b'name = "x"\nweights = {USD = 1.0}\n')
    with _refused(f"{path}: missing field 'base_date' (the day the weights become amounts)"):
        load_spec(path)


@pytest.mark.parametrize(("typed", "seed"), [("SDR", "sdr"), ("DXY", "dxy"), ("Libra-2019", "libra-2019"),
                                             ("libra2019", "libra-2019")])
def test_a_seed_name_in_the_wrong_case_gets_the_real_name_as_a_hint(typed: str, seed: str) -> None:
    # the shipped seeds are lower-case slugs; the hint must name the one the user meant
    with pytest.raises(SpecError, match=r"^" + re.escape(f"unknown basket {typed!r} (did you mean "
                                                         f"{seed!r}?); use one of ")):
        load_spec(typed)
