"""Lazy exports for package faces (PEP 562), so importing a package loads nothing heavy.

A face lists ``name -> module`` once; :func:`attach` returns the module-level ``__getattr__``
and ``__dir__`` that import the defining module on first access and cache the value in the
package's namespace. Static tools see the same names through an ``if TYPE_CHECKING`` block in
the face.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def attach(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for a package that re-exports names lazily.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping of str to str
        Public name -> absolute name of the module that defines it.
    namespace : dict
        The package's ``globals()``; a resolved name is stored there, so ``__getattr__`` runs
        once per name.

    Returns
    -------
    (callable, callable)
        ``__getattr__(name)`` and ``__dir__()``; ``__dir__`` lists exactly the public names.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(namespace.get("__all__", exports))

    return __getattr__, __dir__
