"""Basket specifications: what a basket holds and how it is valued (pure, plus TOML loading).

A basket is stated either by **weights** (fractions of value summing to 1, turned into fixed
currency amounts at the base date: ``units_c = w_c * V0 / P_c(t0)``) or by **amounts** (fixed
currency units, as the IMF's SDR), optionally as a history of **periods**, each with its own
amounts and start date. The seeds shipped in ``seeds/`` are loaded by name with
:func:`load_spec`; any TOML file with the same fields loads by path.

TOML fields
-----------
``name``, ``title``, ``description``, ``[source]`` (``citation``, ``url``);
``weights = {USD = 0.5, ...}`` *or* ``amounts = {...}`` *or* ``[[periods]]`` with ``start`` and
``amounts`` (or ``weights``); ``base_date`` (required with weights), ``base_value`` (default 1),
``base_currency`` (default ``USD``: the base value is in this currency), ``method``
(``arithmetic`` or ``geometric``), ``rebalance`` (default rule, e.g. ``none``, ``quarterly``,
``band:0.05``, ``review:5y``) and ``rounding`` (``none`` or ``imf``).

Currency indices
----------------
The same file states an **index**: one currency (``base_currency``) measured against the basket,
published as a unitless level. It adds ``rises_when`` (``"strengthens"``: the level rises when
the base currency buys more of the basket, as the US Dollar Index does; or ``"weakens"``) and
exactly one of ``constant`` (a scaling factor, ICE's 50.14348112 for the DXY) or ``base_level``
(the level on ``base_date``, e.g. 100). ``base_value`` does not apply to an index, and a
geometric index scaled by a constant has no base date. The level's formula is in
:mod:`basket.valuation.indices`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from basket._spec_fields import (
    _METHODS,
    _RISES_WHEN,
    _ROUNDINGS,
    MAX_AMOUNT,
    MAX_BASE_VALUE,
    MIN_AMOUNT,
    MIN_BASE_VALUE,
    WEIGHT_TOLERANCE,
    _check_weights,
    _currency_map,
    _index_fields,
    _to_date,
)
from basket.currencies import normalize_code
from basket.errors import DataError, SpecError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "MAX_AMOUNT", "MAX_BASE_VALUE", "MIN_AMOUNT", "MIN_BASE_VALUE", "WEIGHT_TOLERANCE",
    "BasketSpec", "Period", "list_seeds", "load_spec",
]


@dataclass(frozen=True)
class Period:
    """One period of an amounts basket: fixed currency amounts from ``start`` on.

    Parameters
    ----------
    start : datetime.date
        First calendar day on which the amounts apply.
    amounts : dict of str to float
        Units of each currency in one unit of the basket.
    """

    start: dt.date
    amounts: Mapping[str, float]


@dataclass(frozen=True)
class BasketSpec:
    """A basket definition (frozen). Build with :meth:`from_dict` or :func:`load_spec`.

    Parameters
    ----------
    name : str
        Short identifier, e.g. ``"libra-2019"``.
    weights : dict of str to float, optional
        Target value shares summing to 1. Exactly one of ``weights`` and ``periods`` is set.
    periods : tuple of Period, optional
        Amounts baskets: fixed amounts per period, sorted by start date.
    base_date : datetime.date, optional
        Weights baskets: the day the weights become amounts. Amounts baskets: the first
        period's start.
    base_value : float, default 1.0
        Value of one unit of the basket on ``base_date``, in ``base_currency``.
    base_currency : str, default "USD"
        Currency of ``base_value``.
    method : {"arithmetic", "geometric"}, default "arithmetic"
        ``arithmetic``: value is the sum of amounts times prices. ``geometric``: a weighted
        geometric index ``V0 * prod (P_c(t) / P_c(t0)) ** w_c``, built as the US Dollar Index.
    rebalance : str, default "none"
        Default rebalancing rule (see :func:`basket.rebalance.parse_rule`).
    rounding : {"none", "imf"}, default "none"
        ``imf``: value as the IMF values the SDR, rounding each currency's USD equivalent and
        the total to six significant digits (decimal, half up).
    title, description : str
        Human-readable text.
    source : dict of str to str
        Where the definition comes from (``citation``, ``url``).
    constant : float, optional
        An index scaled by a constant: ``level = constant * B(t) ** s`` (see the module
        docstring). Exclusive with ``base_level``.
    base_level : float, optional
        An index fixed at ``base_level`` on ``base_date``. Exclusive with ``constant``.
    rises_when : {"strengthens", "weakens"}, optional
        Required for an index: whether its level rises when ``base_currency`` strengthens
        against the basket (the DXY) or weakens.
    """

    name: str
    weights: Mapping[str, float] | None = None
    periods: tuple[Period, ...] | None = None
    base_date: dt.date | None = None
    base_value: float = 1.0
    base_currency: str = "USD"
    method: str = "arithmetic"
    rebalance: str = "none"
    rounding: str = "none"
    title: str = ""
    description: str = ""
    source: Mapping[str, str] = field(default_factory=dict)
    constant: float | None = None
    base_level: float | None = None
    rises_when: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SpecError("a basket needs a non-empty name")
        if (self.weights is None) == (self.periods is None):
            raise SpecError(
                f"basket {self.name!r}: state either weights or amounts/periods, not both or neither"
            )
        if self.method not in _METHODS:
            raise SpecError(
                f"basket {self.name!r}: method {self.method!r} is unknown; use "
                f"{' or '.join(_METHODS)}"
            )
        if self.rounding not in _ROUNDINGS:
            raise SpecError(
                f"basket {self.name!r}: rounding {self.rounding!r} is unknown; use "
                f"{' or '.join(_ROUNDINGS)}"
            )
        if not (isinstance(self.base_value, (int, float)) and math.isfinite(self.base_value)):
            raise SpecError(f"basket {self.name!r}: base_value must be a finite number")
        if not MIN_BASE_VALUE <= self.base_value <= MAX_BASE_VALUE:
            raise SpecError(
                f"basket {self.name!r}: base_value {self.base_value:g} is out of range; give a "
                f"value between {MIN_BASE_VALUE:g} and {MAX_BASE_VALUE:g}, e.g. 1"
            )
        try:
            object.__setattr__(self, "base_currency", normalize_code(self.base_currency))
        except DataError as exc:
            raise SpecError(f"basket {self.name!r}: base_currency: {exc}") from None
        self._check_index()
        if self.weights is not None:
            weights = _currency_map(self.weights, "weights")
            _check_weights(weights, "weights")
            object.__setattr__(self, "weights", weights)
            if self.base_date is not None:
                object.__setattr__(self, "base_date", _to_date(self.base_date, "base_date"))
            elif not self._scaled_geometric:
                raise SpecError(
                    f"basket {self.name!r}: weights need a base_date (the day they become amounts)"
                )
        else:
            if self.method == "geometric":
                raise SpecError(
                    f"basket {self.name!r}: a geometric index needs weights, not amounts"
                )
            periods = tuple(self.periods or ())
            if not periods:
                raise SpecError(f"basket {self.name!r}: periods is empty; give at least one")
            starts = [p.start for p in periods]
            if starts != sorted(starts) or len(set(starts)) != len(starts):
                raise SpecError(f"basket {self.name!r}: period start dates must increase")
            object.__setattr__(self, "periods", periods)
            if self.base_date is None:
                object.__setattr__(self, "base_date", periods[0].start)
            else:
                object.__setattr__(self, "base_date", _to_date(self.base_date, "base_date"))
        if self.rounding == "imf" and self.method != "arithmetic":
            raise SpecError(f"basket {self.name!r}: rounding='imf' applies to arithmetic baskets")
        if self.method == "geometric" and self.rebalance != "none":
            raise SpecError(
                f"basket {self.name!r}: a geometric index has no rebalancing; use rebalance='none'"
            )
        # parse the default rule now so a bad seed fails at load time
        from basket.rebalance import parse_rule

        parse_rule(self.rebalance)

    def _check_index(self) -> None:
        """The index fields: a level set one way, a direction, no base value."""
        name = self.name
        if self.constant is None and self.base_level is None:
            if self.rises_when is not None:
                raise SpecError(
                    f"basket {name!r}: rises_when applies to an index; add constant or base_level, "
                    "or drop rises_when"
                )
            return
        if self.constant is not None and self.base_level is not None:
            raise SpecError(
                f"basket {name!r}: give constant or base_level, not both (constant scales the "
                "index, base_level fixes it on base_date)"
            )
        for key in ("constant", "base_level"):
            value = getattr(self, key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or value <= 0:
                raise SpecError(f"basket {name!r}: {key} = {value!r}; it must be a positive number")
            object.__setattr__(self, key, float(value))
        if self.rises_when is None:
            raise SpecError(
                f"basket {name!r}: an index needs rises_when = 'strengthens' (it rises when "
                f"{self.base_currency} strengthens, as the DXY does) or 'weakens'"
            )
        if self.rises_when not in _RISES_WHEN:
            raise SpecError(
                f"basket {name!r}: rises_when {self.rises_when!r} is unknown; use 'strengthens' "
                "or 'weakens'"
            )
        if self.base_value != 1.0:
            raise SpecError(
                f"basket {name!r}: base_value does not apply to an index (its level is set by "
                "constant or base_level); drop base_value"
            )
        if self.base_level is not None and self.base_date is None:
            raise SpecError(
                f"basket {name!r}: base_level needs base_date (the day the index equals base_level)"
            )
        if self._scaled_geometric and self.base_date is not None:
            raise SpecError(
                f"basket {name!r}: base_date does not apply to a geometric index scaled by "
                "constant; drop base_date, or give base_level instead of constant"
            )

    @property
    def _scaled_geometric(self) -> bool:
        """A geometric index scaled by a constant: the one spec with weights but no base date."""
        return self.constant is not None and self.method == "geometric"

    # ------------------------------------------------------------------ helpers
    @property
    def is_index(self) -> bool:
        """Whether the spec states an index (a level of ``base_currency``), not a basket."""
        return self.constant is not None or self.base_level is not None

    @property
    def currencies(self) -> list[str]:
        """Every currency the basket ever holds, in the order of first appearance."""
        if self.weights is not None:
            return list(self.weights)
        seen: dict[str, None] = {}
        for p in self.periods or ():
            for c in p.amounts:
                seen.setdefault(c, None)
        return list(seen)

    @property
    def kind(self) -> str:
        """``"index"`` for an index, else ``"weights"`` or ``"amounts"``."""
        if self.is_index:
            return "index"
        return "weights" if self.weights is not None else "amounts"

    def period_at(self, day: dt.date) -> Period:
        """Return the amounts period in force on ``day``.

        Raises
        ------
        SpecError
            If the basket states weights, or ``day`` is before its first period.
        """
        if self.periods is None:
            raise SpecError(f"basket {self.name!r} states weights, not amounts")
        current = None
        for p in self.periods:
            if p.start <= day:
                current = p
        if current is None:
            raise SpecError(
                f"basket {self.name!r} starts on {self.periods[0].start}; {day} is before it"
            )
        return current

    def to_dict(self) -> dict[str, Any]:
        """Return the spec as plain data (the TOML fields)."""
        out: dict[str, Any] = {"name": self.name, "title": self.title}
        if self.weights is not None:
            out["weights"] = dict(self.weights)
        else:
            out["periods"] = [
                {"start": p.start.isoformat(), "amounts": dict(p.amounts)} for p in self.periods or ()
            ]
        out.update(
            base_date=self.base_date.isoformat() if self.base_date else None,
            base_value=self.base_value,
            base_currency=self.base_currency,
            method=self.method,
            rebalance=self.rebalance,
            rounding=self.rounding,
            source=dict(self.source),
        )
        if self.is_index:  # an index states its level instead of a base value
            del out["base_value"]
            out.update({k: getattr(self, k) for k in ("constant", "base_level", "rises_when")
                        if getattr(self, k) is not None})
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "spec") -> BasketSpec:
        """Build a spec from TOML-like data, naming the bad field on error.

        Parameters
        ----------
        data : mapping
            The fields described in the module docstring.
        origin : str
            Where the data comes from, for messages.

        Raises
        ------
        SpecError
            Unknown or malformed field, weights not summing to 1, negative or unknown currency,
            missing base date, duplicate codes.

        Examples
        --------
        >>> spec = BasketSpec.from_dict(
        ...     {"name": "duo", "weights": {"USD": 0.5, "EUR": 0.5}, "base_date": "2019-06-18"})
        >>> spec.currencies
        ['USD', 'EUR']
        """
        allowed = {
            "name", "title", "description", "source", "weights", "amounts", "periods",
            "base_date", "base_value", "base_currency", "method", "rebalance", "rounding",
            "constant", "base_level", "rises_when",
        }
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise SpecError(
                f"{origin}: unknown field {unknown[0]!r}; the fields are {', '.join(sorted(allowed))}"
            )
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SpecError(f"{origin}: missing field 'name'")
        kinds = [k for k in ("weights", "amounts", "periods") if k in data]
        if len(kinds) != 1:
            raise SpecError(
                f"{origin}: state exactly one of weights, amounts or [[periods]] (found {kinds or 'none'})"
            )
        index = _index_fields(data, origin)
        weights = None
        periods: tuple[Period, ...] | None = None
        if "weights" in data:
            weights = _currency_map(data["weights"], "weights")
        elif "amounts" in data:
            start = _to_date(data.get("base_date", "1999-01-01"), "base_date")
            periods = (Period(start, _currency_map(data["amounts"], "amounts")),)
        else:
            raw = data["periods"]
            if not isinstance(raw, list) or not raw:
                raise SpecError(f"{origin}: periods must be a non-empty list of [[periods]] tables")
            items = []
            for i, item in enumerate(raw, 1):
                if not isinstance(item, Mapping) or "start" not in item or "amounts" not in item:
                    raise SpecError(f"{origin}: period {i} needs 'start' and 'amounts'")
                extra = sorted(set(item) - {"start", "amounts"})
                if extra:
                    raise SpecError(f"{origin}: period {i} has unknown field {extra[0]!r}")
                items.append(
                    Period(
                        _to_date(item["start"], f"periods[{i}].start"),
                        _currency_map(item["amounts"], f"periods[{i}].amounts"),
                    )
                )
            periods = tuple(items)
        base_date = data.get("base_date")
        scaled = "constant" in data and data.get("method", "arithmetic") == "geometric"
        if weights is not None and base_date is None and not scaled:
            raise SpecError(f"{origin}: missing field 'base_date' (the day the weights become amounts)")
        source = data.get("source", {})
        if not isinstance(source, Mapping):
            raise SpecError(f"{origin}: source must be a table with citation and url")
        base_value = data.get("base_value", 1.0)
        if isinstance(base_value, bool) or not isinstance(base_value, (int, float)):
            raise SpecError(f"{origin}: base_value {base_value!r} is not a number")
        for key in ("method", "rebalance", "rounding", "base_currency", "title", "description"):
            if key in data and not isinstance(data[key], str):
                raise SpecError(f"{origin}: {key} must be a string, got {data[key]!r}")
        return cls(
            name=name.strip(),
            weights=weights,
            periods=periods,
            base_date=_to_date(base_date, "base_date") if base_date is not None else None,
            base_value=float(base_value),
            base_currency=data.get("base_currency", "USD"),
            method=data.get("method", "arithmetic"),
            rebalance=data.get("rebalance", "none"),
            rounding=data.get("rounding", "none"),
            title=data.get("title", ""),
            description=data.get("description", ""),
            source={str(k): str(v) for k, v in source.items()},
            **index,
        )

    def replace(self, **changes: Any) -> BasketSpec:
        """Return a copy with some fields changed (validated again)."""
        import dataclasses

        return dataclasses.replace(self, **changes)


def _seeds_folder() -> Any:
    """The seeds: ``basket.seeds`` when installed, ``seeds/`` beside ``basket/`` in a checkout."""
    try:
        return resources.files("basket.seeds")
    except ModuleNotFoundError:
        local = Path(__file__).resolve().parent.parent / "seeds"
        if local.is_dir():
            return local
        raise SpecError("the seeds/ folder is missing; reinstall libra-basket") from None


@functools.lru_cache(maxsize=1)
def _seed_files() -> dict[str, Any]:
    folder = _seeds_folder()
    return {
        entry.name[: -len(".toml")]: entry
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def list_seeds() -> list[BasketSpec]:
    """Return every basket shipped in ``seeds/``, sorted by name."""
    return [load_spec(name) for name in sorted(_seed_files())]


@functools.lru_cache(maxsize=64)
def _is_seed_name(text: str) -> bool:
    """A seed's name, not a path (no suffix): answered once per text."""
    return text in _seed_files() and not Path(text).expanduser().suffix


@functools.lru_cache(maxsize=32)
def _load_seed(name: str) -> BasketSpec:
    raw = _read_toml_text(_seed_files()[name], f"seed {name!r}")
    return _parse(raw, f"seed {name!r}")


def _read_toml_text(path: Any, origin: str) -> str:
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read {origin} ({exc.strerror or exc}); give a .toml file") from None
    try:
        return str(payload.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = payload[: exc.start].count(b"\n") + 1
        raise SpecError(f"{origin} line {line} is not UTF-8 text ({exc.reason}); save the file "
                        "as UTF-8") from None


def _parse(raw: str, origin: str) -> BasketSpec:
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{origin} is not valid TOML: {exc}") from None
    return BasketSpec.from_dict(data, origin=origin)


def load_spec(name_or_path: str | Path | BasketSpec) -> BasketSpec:
    """Load a basket by seed name (``"libra-2019"``, ``"sdr"``) or from a TOML file path.

    Parameters
    ----------
    name_or_path : str, Path or BasketSpec
        A seed name, a path to a ``.toml`` file, or a spec (returned as is).

    Returns
    -------
    BasketSpec

    Raises
    ------
    SpecError
        Unknown seed, unreadable file, invalid TOML, or a malformed field (named).

    Examples
    --------
    >>> spec = load_spec("libra-2019")
    >>> spec.weights
    {'USD': 0.5, 'EUR': 0.18, 'JPY': 0.14, 'GBP': 0.11, 'SGD': 0.07}
    >>> str(spec.base_date)
    '2019-06-18'
    """
    if isinstance(name_or_path, BasketSpec):
        return name_or_path
    text = str(name_or_path)
    if _is_seed_name(text):
        return _load_seed(text)  # specs are frozen, so a seed is parsed once and shared
    seeds = _seed_files()
    path = Path(text).expanduser()
    if path.suffix.lower() == ".toml" or path.is_file():
        if path.is_dir():
            raise SpecError(f"cannot read basket file {text!r}: it is a directory; give a .toml "
                            "file")
        if not path.is_file():
            raise SpecError(f"basket file {text!r} does not exist; give a .toml path or a seed name")
        raw = _read_toml_text(path, str(path))
        origin = str(path)
    else:
        from basket.currencies import suggest

        hint = suggest(text, seeds) if len(text) == 3 else ""
        import difflib

        # seed names are lower-case slugs: "SDR" or "Libra-2019" is a case away from one
        close = difflib.get_close_matches(text.strip().lower(), list(seeds), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else hint
        raise SpecError(
            f"unknown basket {text!r}{hint}; use one of {', '.join(sorted(seeds))} or a .toml path"
        )
    return _parse(raw, origin)
