"""Argument checks shared by the public faces: a wrong type or an implausible value becomes a
:class:`~basket.errors.BasketError` naming the field, what is expected and the fix.

The bounds are documented where they are used (each names its field in the message). They are
wide enough for any real basket, and narrow enough that float64 arithmetic on them stays
finite: an amount of 1e308 or a cost of 1e306 basis points is a typo, not a scenario.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from basket.errors import BasketError, SpecError

__all__ = ["check_choice", "check_flag", "check_int", "check_number", "require_finite"]


def check_number(value: Any, what: str, *, minimum: float | None = None,
                 maximum: float | None = None, above: float | None = None,
                 error: type[BasketError] = SpecError) -> float:
    """Return ``value`` as a float if it is a finite real number within the bounds.

    Parameters
    ----------
    value : object
        The user's value.
    what : str
        The field's name in messages.
    minimum, maximum : float, optional
        Inclusive bounds.
    above : float, optional
        Exclusive lower bound.
    error : type, default SpecError
        The error raised.

    Raises
    ------
    SpecError (or ``error``)
        Not a number (``None``, a string, a bool), not finite, or out of bounds.

    Examples
    --------
    >>> check_number(2, "cost_bps", minimum=0, maximum=10_000)
    2.0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise error(f"{what} {value!r} is not a number; give a number such as 0.05")
    v = float(value)
    if not math.isfinite(v):
        raise error(f"{what} {value!r} is not a finite number")
    if minimum is not None and v < minimum:
        raise error(f"{what} is {v:g}; it must be at least {minimum:g}")
    if above is not None and v <= above:
        raise error(f"{what} is {v:g}; it must be above {above:g}")
    if maximum is not None and v > maximum:
        raise error(f"{what} is {v:g}; it must be at most {maximum:g}")
    return v


def check_int(value: Any, what: str, minimum: int, maximum: int | None = None,
              error: type[BasketError] = SpecError) -> int:
    """Return ``value`` as an int if it is a whole number within ``[minimum, maximum]``.

    Examples
    --------
    >>> check_int(252, "horizon", 1, 13_050)
    252
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise error(f"{what} {value!r} is not a whole number")
    v = int(value)
    if v < minimum or (maximum is not None and v > maximum):
        span = f"{minimum:,} to {maximum:,}" if maximum is not None else f"at least {minimum:,}"
        raise error(f"{what} {v:,} is out of range; give {span}")
    return v


def check_flag(value: Any, what: str) -> bool:
    """Return ``value`` if it is a bool (``True``/``False``), else raise SpecError."""
    if not isinstance(value, (bool, np.bool_)):
        raise SpecError(f"{what} {value!r} must be True or False")
    return bool(value)


def check_choice(value: Any, what: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise SpecError listing them."""
    if not isinstance(value, str) or value not in choices:
        raise SpecError(f"unknown {what} {value!r}; use one of {', '.join(choices)}")
    return value


def require_finite(values: Any, what: str) -> None:
    """Raise :class:`~basket.errors.DataError` if a result figure is NaN or infinite.

    The last line of defence behind the input bounds: a figure a user sees is a number or the
    command fails, naming the figure (a DataFrame: its column and row).
    """
    import pandas as pd

    from basket.errors import DataError

    arr = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if not bad.any():
        return
    where = ""
    if isinstance(values, pd.DataFrame):
        r, c = np.argwhere(bad)[0]
        where = f" ({values.columns[c]}, {_label(values.index[r])})"
    elif isinstance(values, pd.Series):
        (r,) = np.argwhere(bad)[0]
        where = f" ({_label(values.index[r])})"
    raise DataError(
        f"the {what} came out {arr[bad][0]!r}{where}: the inputs are beyond what float64 "
        "arithmetic can carry; check the rates, amounts and options for an extreme value"
    )


def _label(value: Any) -> str:
    return str(value.date()) if hasattr(value, "date") and callable(value.date) else str(value)
