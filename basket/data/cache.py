"""The on-disk cache: where it lives and how files are written atomically (IO).

The cache directory is ``$BASKET_CACHE_DIR`` when set, else the user cache directory given by
:mod:`platformdirs` (``~/.cache/basket`` on Linux). Every write goes to a temporary file in the
same directory and is moved into place with :func:`os.replace`, so a reader never sees a
half-written file, even if the process is killed mid-write.
"""

from __future__ import annotations

import os
from pathlib import Path

from basket.errors import DataSourceError
from basket.outputs import atomic_write_bytes, atomic_write_text

__all__ = ["atomic_write_bytes", "atomic_write_text", "cache_dir"]


def cache_dir(*parts: str) -> Path:
    """Return (and create) the cache directory, or a sub-directory of it.

    Parameters
    ----------
    *parts : str
        Sub-directory names, e.g. ``"yahoo"``.

    Returns
    -------
    pathlib.Path
        An existing directory.

    Raises
    ------
    DataSourceError
        If the directory cannot be created.
    """
    root = os.environ.get("BASKET_CACHE_DIR")
    if root:
        base = Path(root)
    else:
        import platformdirs

        base = Path(platformdirs.user_cache_dir("basket", appauthor=False))
    path = base.joinpath(*parts)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataSourceError(
            f"cannot create the cache directory {path} ({exc.strerror}); "
            "set BASKET_CACHE_DIR to a writable directory"
        ) from exc
    return path
