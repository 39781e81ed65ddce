"""Deprecated aliases: one warning helper and the PEP 562 ``__getattr__`` built on it.

A legacy name is looked up lazily so that every use of it (``module.Name`` or
``from module import Name``) warns, and the warning names the replacement.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any


def warn_deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Emit a :class:`DeprecationWarning` saying that ``old`` is replaced by ``new``."""
    warnings.warn(f"{old} is deprecated, use {new} instead", DeprecationWarning, stacklevel)


def deprecated_getattr(
    module: str,
    aliases: Mapping[str, tuple[Callable[[], Any], str]],
    *,
    stacklevel: int = 4,
) -> Callable[[str], Any]:
    """Build the function a module ``__getattr__`` delegates to: ``aliases``, with a warning.

    Args:
        module: the dotted name of the module, used in the warning and the error.
        aliases: legacy name -> (a function returning the object, the replacement's name).
        stacklevel: points the warning at the user's code; the default fits a module
            ``__getattr__`` that calls the returned function.

    Raises (from the returned function):
        AttributeError: for a name that is not a legacy alias.
    """

    def getattr_(name: str) -> Any:
        try:
            load, replacement = aliases[name]
        except KeyError:
            raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
        warn_deprecated(f"{module}.{name}", replacement, stacklevel=stacklevel)
        return load()

    return getattr_
