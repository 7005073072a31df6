"""Start-up hooks of the ``basket`` command: work typer would do for nothing, not done.

**Option values without pydantic.** Typer (>= 0.29) turns every command-line value into its
annotated type through a pydantic ``TypeAdapter`` built for each parameter of the command run
(``typer._adapters``). Importing pydantic and building the adapters costs about 0.1 s of every
``basket`` command, more than the command's own work for ``basket price``. Every option of
``basket`` is a plain ``str``, ``int``, ``float``, ``bool``, ``Path`` or a list of them, so
:func:`install` gives typer a coercion that handles the values whose result is certain and
identical to pydantic's (a ``str`` as it is, an ``int`` written ``-?[0-9]+``, a decimal
``float``, a flag's ``bool``, a ``Path`` checked by typer's own path function) and hands every
other value, and so every error message, to typer's own adapter, built only then.
``tests/cli/test_coercion.py`` checks the two agree on a catalogue of values for every parameter
of every command.

**Commands built when used.** Typer turns every command function into a click command, its
parameters read from the function's signature and annotations, before it parses the command line
(about 25 ms for basket's twelve commands); ``basket backtest`` needs one of them and ``basket
--help`` only their names and first lines. :func:`install` makes each command's parameters and
callback on first use; its name, help and flags are typer's own, at once.
``tests/cli/test_coercion.py`` checks every command's help and attributes against typer's.

If typer's internals differ from what this expects, :func:`install` leaves typer as it is.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

__all__ = ["install"]

_INT = re.compile(r"-?[0-9]{1,18}")
_FLOAT = re.compile(r"-?(?:[0-9]{1,300}(?:\.[0-9]{0,300})?|\.[0-9]{1,300})(?:[eE][+-]?[0-9]{1,3})?")
_MISS = object()


def _leaf(annotation: Any, info: Any, value: Any, param: Any, ctx: Any,
          path_check: Any) -> Any:
    """The coerced value when it is certain, else :data:`_MISS`."""
    kind = type(value)
    if annotation is str:
        return value if kind is str else _MISS
    if annotation is bool:                     # flags arrive as bools (``--help``: None)
        return value if kind is bool else _MISS
    if annotation is int:
        if kind is int:
            return value
        return int(value) if kind is str and _INT.fullmatch(value) else _MISS
    if annotation is float:
        if kind is float:
            return value
        if kind is int and abs(value) < 2**53:
            return float(value)
        return float(value) if kind is str and _FLOAT.fullmatch(value) else _MISS
    if isinstance(annotation, type) and issubclass(annotation, Path):
        if kind is not str or not value or "\0" in value:
            return _MISS
        path_type = info.path_type or annotation
        if path_type is not annotation:
            return _MISS
        try:
            return path_check(annotation(value), info, path_type=path_type, param=param,
                              ctx=ctx)
        except Exception:  # the adapter raises its own message
            return _MISS
    return _MISS


def _leaf_type(annotation: Any) -> Any:
    """The item type of ``list[X]``, or the annotation itself."""
    return get_args(annotation)[0] if get_origin(annotation) is list else annotation


def _supported(descriptor: Any) -> bool:
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None:
        return False
    if info.min is not None or info.max is not None or info.clamp:
        return False
    if get_origin(descriptor.annotation) not in (None, list):
        return False
    leaf = _leaf_type(descriptor.annotation)
    return leaf in (str, int, float, bool) or (isinstance(leaf, type) and issubclass(leaf, Path))


def install() -> bool:
    """Install both hooks; ``True`` when both are in place."""
    return _install_coercion() & _install_lazy_commands()


def _install_lazy_commands() -> bool:
    """Build each command's parameters and callback on first use (see the module docstring)."""
    try:
        from typer import main
        from typer.core import TyperCommand

        real = main.get_command_from_info
        name_of = main.get_command_name
    except (ImportError, AttributeError):  # pragma: no cover - another typer
        return False
    if getattr(real, "_basket_lazy", False):
        return True

    class LazyCommand(TyperCommand):
        """A typer command whose parameters and callback are made on first use."""

        def __init__(self, make: Any, **kwargs: Any) -> None:
            self._make, self._made = make, None
            super().__init__(**kwargs)

        def made(self) -> Any:
            if self._made is None:
                self._made = self._make()
            return self._made

        @property  # type: ignore[override]
        def params(self) -> Any:
            return self.made().params

        @params.setter
        def params(self, value: Any) -> None:   # click's __init__ sets it: the made one counts
            pass

        @property  # type: ignore[override]
        def callback(self) -> Any:
            return self.made().callback

        @callback.setter
        def callback(self, value: Any) -> None:
            pass

    def get_command_from_info(command_info: Any, **kwargs: Any) -> Any:
        callback = command_info.callback
        if command_info.cls not in (None, TyperCommand) or callback is None:
            return real(command_info=command_info, **kwargs)
        help_text = (inspect.getdoc(callback) if command_info.help is None
                     else inspect.cleandoc(command_info.help))
        return LazyCommand(
            lambda: real(command_info=command_info, **kwargs),
            name=command_info.name or name_of(callback.__name__),
            context_settings=command_info.context_settings, help=help_text,
            epilog=command_info.epilog, short_help=command_info.short_help,
            options_metavar=command_info.options_metavar,
            add_help_option=command_info.add_help_option,
            no_args_is_help=command_info.no_args_is_help, hidden=command_info.hidden,
            deprecated=command_info.deprecated, rich_markup_mode=kwargs["rich_markup_mode"],
            rich_help_panel=command_info.rich_help_panel,
        )

    get_command_from_info._basket_lazy = True  # type: ignore[attr-defined]
    main.get_command_from_info = get_command_from_info
    return True


def _install_coercion() -> bool:
    """Give typer the fast coercion for the parameters it supports; ``True`` when installed."""
    try:
        from typer import _coercion, core
        from typer._param_types import coerce_cli_path

        real_build = _coercion.build_runtime_param
        base = _coercion.RuntimeParam
        if getattr(core.build_runtime_param, "_basket_fast", False):
            return True
        if core.build_runtime_param is not real_build:
            return False
    except (ImportError, AttributeError):  # pragma: no cover - another typer
        return False

    @dataclass(frozen=True)
    class FastParam(base):  # type: ignore[misc, valid-type]
        """Coerce plain values directly; anything else through typer's own adapter."""

        descriptor: Any = None
        cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

        def real(self) -> Any:
            rp = self.cache.get("real")
            if rp is None:
                rp = self.cache["real"] = real_build(self.descriptor)
            return rp

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            leaf = _leaf_type(self.annotation)
            if leaf is self.annotation:
                out = _leaf(leaf, self.parameter_info, value, param, ctx, coerce_cli_path)
            elif isinstance(value, (list, tuple)):
                items = [_leaf(leaf, self.parameter_info, v, param, ctx, coerce_cli_path)
                         for v in value]
                out = _MISS if any(v is _MISS for v in items) else items
            else:
                out = _MISS
            if out is _MISS:
                return self.real()._coerce_value(value, param=param, ctx=ctx)
            return out

    def build(descriptor: Any) -> Any:
        if _supported(descriptor):
            return FastParam(parameter_info=descriptor.parameter_info,
                             annotation=descriptor.annotation, descriptor=descriptor)
        return real_build(descriptor)

    build._basket_fast = True  # type: ignore[attr-defined]
    core.build_runtime_param = build
    return True
