"""The fields of a basket specification, checked one by one (pure; used by :mod:`basket.spec`).

Each helper raises :class:`~basket.errors.SpecError` naming the field, the value and the fix;
the bounds are the plausible ranges of a real basket (an amount of 1e308 is a typo).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from basket.currencies import normalize_code
from basket.dates import to_timestamp
from basket.errors import DataError, SpecError

__all__ = ["MAX_AMOUNT", "MAX_BASE_VALUE", "MIN_AMOUNT", "MIN_BASE_VALUE", "WEIGHT_TOLERANCE"]

WEIGHT_TOLERANCE = 1e-9
"""Weights must sum to 1 within this absolute tolerance."""

MIN_AMOUNT, MAX_AMOUNT = 1e-9, 1e9
"""Plausible currency amounts in one unit of a basket (the SDR holds 0.08 GBP to 13.5 JPY)."""

MIN_BASE_VALUE, MAX_BASE_VALUE = 1e-9, 1e12
"""Plausible values of one unit of a basket on its base date, in its base currency."""

_METHODS = ("arithmetic", "geometric")
_ROUNDINGS = ("none", "imf")
_RISES_WHEN = ("strengthens", "weakens")


def _to_date(value: Any, field_name: str) -> dt.date:
    """A spec's date: a TOML date, a date object or ISO text (see :mod:`basket.dates`)."""
    try:
        ts = to_timestamp(value, field_name) if value is not None else None
    except DataError as exc:
        raise SpecError(str(exc)) from None
    if ts is None:
        raise SpecError(f"{field_name} is missing; write it as YYYY-MM-DD")
    day: dt.date = ts.date()
    return day


def _currency_map(raw: Any, field_name: str, *, positive: bool = True) -> dict[str, float]:
    if not isinstance(raw, Mapping) or not raw:
        raise SpecError(f"{field_name} must be a table of currency = number, e.g. {{USD = 0.5}}")
    out: dict[str, float] = {}
    for key, value in raw.items():
        try:
            code = normalize_code(key)
        except DataError as exc:
            raise SpecError(f"{field_name}: {exc}") from None
        if code in out:
            raise SpecError(f"{field_name} lists {code} twice; name each currency once")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f"{field_name}.{code} = {value!r} is not a number")
        number = float(value)
        if not math.isfinite(number):
            raise SpecError(f"{field_name}.{code} = {value!r} is not a finite number")
        if number < 0 or (positive and number == 0):
            raise SpecError(f"{field_name}.{code} = {value!r}; it must be positive (long only)")
        if field_name != "weights" and not MIN_AMOUNT <= number <= MAX_AMOUNT:
            raise SpecError(
                f"{field_name}.{code} = {value!r} is out of range; amounts are between "
                f"{MIN_AMOUNT:g} and {MAX_AMOUNT:g} units of the currency"
            )
        out[code] = number
    return out


def _check_weights(weights: Mapping[str, float], field_name: str) -> None:
    total = math.fsum(weights.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise SpecError(
            f"{field_name} sum to {total:.10g}, not 1; rescale them so they add up to 1"
        )



def _index_fields(data: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """The index fields of TOML-like data, type-checked (their rules are in ``__post_init__``)."""
    out: dict[str, Any] = {}
    for key in ("constant", "base_level"):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SpecError(f"{origin}: {key} {value!r} is not a number")
            out[key] = float(value)
    if "rises_when" in data:
        if not isinstance(data["rises_when"], str):
            raise SpecError(f"{origin}: rises_when must be a string, got {data['rises_when']!r}")
        out["rises_when"] = data["rises_when"]
    if out.keys() & {"constant", "base_level"}:
        if "base_value" in data:
            raise SpecError(
                f"{origin}: base_value does not apply to an index (its level is set by constant "
                "or base_level); drop base_value"
            )
        if "base_level" in out and "base_date" not in data:
            raise SpecError(
                f"{origin}: base_level needs base_date (the day the index equals base_level)"
            )
    return out
