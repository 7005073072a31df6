"""Every file ``basket`` writes for a user goes through one planner: checked first, written last.

The rules, stated once:

* **before any work**, :meth:`OutputPlan.add` checks each path a command will write: a known
  suffix for its kind (tables ``.csv``/``.parquet``, figures ``.png``/``.svg``/``.pdf``,
  reports ``.html``/``.htm``), an existing folder that can be written, not a directory, not a
  read-only file, not an input of the same command and not another output of it;
* a path that is a **symlink** is written through to its target (the link stays); an existing
  file keeps its **mode** (0600 stays 0600); a new file gets the mode ``open()`` would give it;
* **all or nothing**: writes are staged in temporary files beside their targets and moved into
  place together by :meth:`OutputPlan.commit`. If the command fails (an exception inside the
  ``with`` block, a full disk while staging), no existing file is replaced and no temporary file
  is left behind.

Failures raise :class:`~basket.errors.OutputError` with one line naming the file, the problem
and the fix. :func:`atomic_write_bytes` is the primitive for a single file (also used by the
cache).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

from basket.errors import OutputError

__all__ = ["KINDS", "OutputKind", "OutputPlan", "atomic_write_bytes", "atomic_write_text"]

OutputKind = Literal["table", "figure", "report"]

KINDS: dict[str, tuple[str, ...]] = {
    "table": (".csv", ".parquet"),
    "figure": (".png", ".svg", ".pdf"),
    "report": (".html", ".htm"),
}
"""The file suffixes each kind of output may use."""


def _default_mode() -> int:
    """0666 less the process umask: the mode ``open(path, "w")`` gives a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def _stage(target: Path, data: bytes, mode: int) -> Path:
    """Write ``data`` to a new temporary file beside ``target`` (flushed to disk) and return it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return Path(tmp)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file, then :func:`os.replace`.

    A reader never sees a half-written file, even if the process is killed mid-write. An
    existing file keeps its mode; a symlink is written through to its target.

    Parameters
    ----------
    path : str or path-like
        Destination; its folder must exist.
    data : bytes
        Content.

    Raises
    ------
    OSError
        As the operating system raises it (callers turn it into their own error).
    """
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = _default_mode()
    tmp = _stage(target, data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


@dataclass(frozen=True)
class _Output:
    option: str      # how the user named it: "--output", "--plot", "path"
    given: Path      # the path as given
    target: Path     # where the bytes go (a symlink resolved)
    kind: str


class OutputPlan:
    """Check every output of a command before it runs, then write them all or none.

    Parameters
    ----------
    inputs : iterable of path-like, optional
        Files the command reads (a CSV source, a spec, a rates file); no output may be one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with OutputPlan() as plan:
    ...     out = plan.add(folder / "values.csv", "table")
    ...     plan.write_text(out, "date,USD\\n2019-06-18,1.0\\n")
    >>> (folder / "values.csv").read_text().splitlines()[0]
    'date,USD'
    """

    def __init__(self, inputs: Iterable[str | os.PathLike[str] | None] = ()) -> None:
        self._inputs = [Path(p) for p in inputs if p is not None]
        self._outputs: dict[Path, _Output] = {}
        self._staged: dict[Path, tuple[Path, Path]] = {}   # given -> (temporary, target)

    # ------------------------------------------------------------------ checks
    def add(self, path: str | os.PathLike[str], kind: OutputKind, option: str = "--output") -> Path:
        """Check that ``path`` can receive an output of ``kind``; return it as a Path.

        Parameters
        ----------
        path : str or path-like
            The file to write.
        kind : {"table", "figure", "report"}
            What goes there; sets the allowed suffixes (:data:`KINDS`).
        option : str, default "--output"
            The option that named it, for messages.

        Returns
        -------
        pathlib.Path

        Raises
        ------
        OutputError
            A wrong suffix, a directory, a missing or read-only folder, a read-only file, an
            input of the command, or a path given twice.
        """
        given = Path(path)
        suffixes = KINDS[kind]
        if given.suffix.lower() not in suffixes:
            names = ", ".join(suffixes[:-1]) + " or " + suffixes[-1]
            raise OutputError(f"cannot write {option} {given}: use a {names} file name")
        target = Path(os.path.realpath(given))
        if target.is_dir():
            raise OutputError(f"cannot write {option} {given}: it is a directory; give a file name")
        folder = target.parent
        if not folder.is_dir():
            raise OutputError(
                f"cannot write {option} {given}: folder {folder} does not exist; create it first"
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(
                f"cannot write {option} {given}: folder {folder} is read-only; pick another folder"
            )
        if target.exists() and not os.access(target, os.W_OK):
            raise OutputError(
                f"cannot write {option} {given}: the file is read-only; pick another name"
            )
        for src in self._inputs:
            if self._same(src, target):
                raise OutputError(
                    f"cannot write {option} {given}: it is an input of this command "
                    f"({src}); write to another file"
                )
        for other in self._outputs.values():
            if other.target == target:
                raise OutputError(
                    f"cannot write {option} {given}: {other.option} already writes that file; "
                    "give each output its own name"
                )
        self._outputs[given] = _Output(option, given, target, kind)
        return given

    @staticmethod
    def _same(a: Path, b: Path) -> bool:
        try:
            return a.exists() and b.exists() and os.path.samefile(a, b)
        except OSError:
            return False

    # ------------------------------------------------------------------ writing
    def write_bytes(self, path: str | os.PathLike[str], data: bytes) -> None:
        """Stage ``data`` for ``path`` (which :meth:`add` accepted); nothing is replaced yet.

        Raises
        ------
        OutputError
            ``path`` was not planned, or the data cannot be written (a full disk); every file
            staged so far is discarded.
        """
        given = Path(path)
        out = self._outputs.get(given)
        if out is None:
            raise OutputError(f"{given} was not checked before the work; add it to the plan first")
        try:
            mode = stat.S_IMODE(out.target.stat().st_mode)
        except FileNotFoundError:
            mode = _default_mode()
        except OSError as exc:
            self.discard()
            raise OutputError(f"cannot write {out.option} {given}: {_reason(exc)}") from None
        old = self._staged.pop(given, None)
        if old is not None:
            old[0].unlink(missing_ok=True)
        try:
            tmp = _stage(out.target, data, mode)
        except OSError as exc:
            self.discard()
            raise OutputError(
                f"cannot write {out.option} {given}: {_reason(exc)}; nothing was written"
            ) from None
        self._staged[given] = (tmp, out.target)

    def write_text(self, path: str | os.PathLike[str], text: str) -> None:
        """Stage UTF-8 ``text`` for ``path``; see :meth:`write_bytes`."""
        self.write_bytes(path, text.encode("utf-8"))

    def commit(self) -> list[Path]:
        """Move every staged file into place; return the paths written (as given)."""
        done = []
        try:
            for given, (tmp, target) in list(self._staged.items()):
                os.replace(tmp, target)
                del self._staged[given]
                done.append(given)
        except OSError as exc:
            self.discard()
            raise OutputError(f"cannot write {target}: {_reason(exc)}") from None
        return done

    def discard(self) -> None:
        """Delete every staged temporary file; no target is touched."""
        for tmp, _ in self._staged.values():
            tmp.unlink(missing_ok=True)
        self._staged.clear()

    def __enter__(self) -> OutputPlan:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
