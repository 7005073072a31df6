"""ISO 4217 currency codes: normalisation, validation and suggestions (pure)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from basket.errors import DataError

__all__ = ["normalize_code", "normalize_codes", "suggest", "union_codes"]

_CODE = re.compile(r"^[A-Z]{3}$")


def suggest(code: str, choices: Iterable[str]) -> str:
    """Return a ``" (did you mean 'EUR'?)"`` hint for a mistyped code, or ``""``.

    Parameters
    ----------
    code : str
        The code the user typed.
    choices : iterable of str
        The valid codes.

    Returns
    -------
    str
        A hint to append to an error message, empty when nothing is close.
    """
    match = difflib.get_close_matches(code.upper(), sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def normalize_code(code: object) -> str:
    """Return ``code`` as an upper-case three-letter ISO code.

    Parameters
    ----------
    code : object
        A currency code such as ``"eur"`` or ``" USD "``.

    Returns
    -------
    str
        The upper-case code.

    Raises
    ------
    DataError
        If ``code`` is not a string of three letters.

    Examples
    --------
    >>> normalize_code(" eur ")
    'EUR'
    """
    if not isinstance(code, str):
        raise DataError(f"currency code {code!r} is not a string; use ISO codes such as 'EUR'")
    text = code.strip().upper()
    if not _CODE.match(text):
        raise DataError(f"currency code {code!r} is not three letters; use ISO codes such as 'EUR'")
    return text


def normalize_codes(codes: str | Sequence[str]) -> list[str]:
    """Normalise a code or a sequence of codes, rejecting duplicates and empty input.

    Parameters
    ----------
    codes : str or sequence of str
        One code, a comma-separated string (``"USD,EUR"``) or a sequence of codes.

    Returns
    -------
    list of str
        Upper-case codes in the order given.

    Raises
    ------
    DataError
        If a code is malformed, repeated, or no code is given.

    Examples
    --------
    >>> normalize_codes("usd, eur")
    ['USD', 'EUR']
    """
    if isinstance(codes, str):
        items: list[object] = [c for c in codes.split(",") if c.strip()]
    elif isinstance(codes, (list, tuple)) or (
            hasattr(codes, "__iter__") and not isinstance(codes, (bytes, dict))):
        items = list(codes)
    else:
        raise DataError(
            f"currencies {codes!r} are not ISO codes; give a code such as 'EUR', a list of "
            "codes or a comma list 'USD,EUR'"
        )
    if not items:
        raise DataError("no currency given; name at least one ISO code such as 'USD'")
    out = [normalize_code(c) for c in items]
    seen: set[str] = set()
    for c in out:
        if c in seen:
            raise DataError(f"currency {c!r} is listed twice; name each currency once")
        seen.add(c)
    return out


def union_codes(*groups: Iterable[str]) -> list[str]:
    """Every code of the groups once, in order of first appearance.

    Examples
    --------
    >>> union_codes(["USD", "EUR"], ["JPY", "USD"])
    ['USD', 'EUR', 'JPY']
    """
    return list(dict.fromkeys(c for g in groups for c in g))
