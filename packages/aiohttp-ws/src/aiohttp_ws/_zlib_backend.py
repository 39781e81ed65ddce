"""The zlib-compatible module behind permessage-deflate.

The standard library's :mod:`zlib` by default; :func:`set_zlib_backend` swaps
in a drop-in replacement such as ``zlib_ng.zlib_ng`` or ``isal.isal_zlib``
(aiohttp 3.12's ``set_zlib_backend``). :class:`DeflateCompressor` and
:class:`DeflateDecompressor` ask :func:`get_zlib_backend` when they are
created, so the choice applies to connections set up afterwards.

aiohttp-http has its own setter with the same checks: this package depends on
the standard library only and so cannot share it (aiohttp-client's
``set_zlib_backend`` sets both). Level ``-1`` (``zlib.Z_DEFAULT_COMPRESSION``)
means "the backend's default level" and is translated to the backend's own
``Z_DEFAULT_COMPRESSION`` (ISA-L, for one, has levels 0 to 3 only).
"""

from __future__ import annotations

import zlib
from typing import Any, Final

__all__ = [
    "ZLIB_BACKEND_ATTRIBUTES",
    "backend_level",
    "check_zlib_backend",
    "get_zlib_backend",
    "set_zlib_backend",
]

#: What a backend must offer: the two stream factories, the error class, and the
#: constants passed to them (the same list as aiohttp-http's).
ZLIB_BACKEND_ATTRIBUTES: Final[tuple[str, ...]] = (
    "compressobj",
    "decompressobj",
    "error",
    "DEFLATED",
    "MAX_WBITS",
    "Z_DEFAULT_COMPRESSION",
    "Z_FINISH",
    "Z_FULL_FLUSH",
    "Z_SYNC_FLUSH",
)

_backend: Any = zlib


def check_zlib_backend(lib: object) -> None:
    """Check that ``lib`` can stand in for :mod:`zlib`.

    Raises:
        TypeError: naming every attribute of :data:`ZLIB_BACKEND_ATTRIBUTES` that
            ``lib`` lacks, is not callable (``compressobj``, ``decompressobj``),
            is not an exception class (``error``) or is not an ``int`` (constants).
    """
    problems: list[str] = []
    for name in ZLIB_BACKEND_ATTRIBUTES:
        if not hasattr(lib, name):
            problems.append(f"no {name}")
            continue
        value = getattr(lib, name)
        if name in ("compressobj", "decompressobj"):
            if not callable(value):
                problems.append(f"{name} is not callable")
        elif name == "error":
            if not (isinstance(value, type) and issubclass(value, Exception)):
                problems.append("error is not an exception class")
        elif not isinstance(value, int):
            problems.append(f"{name} is not an int")
    if problems:
        label = getattr(lib, "__name__", type(lib).__name__)
        raise TypeError(f"{label!r} is not a zlib-compatible module: {', '.join(problems)}")


def set_zlib_backend(lib: object) -> None:
    """Use ``lib`` (a zlib-compatible module) for permessage-deflate.

    Applies to every :class:`DeflateCompressor` and :class:`DeflateDecompressor`
    created afterwards (so to :class:`WebSocketSerializer`,
    :class:`WebSocketParser` and the asyncio adapters of new connections).
    ``set_zlib_backend(zlib)`` restores the default.

    Raises:
        TypeError: ``lib`` is not zlib-compatible (see :func:`check_zlib_backend`);
            the current backend is kept.
    """
    global _backend
    check_zlib_backend(lib)
    _backend = lib


def get_zlib_backend() -> Any:
    """The zlib-compatible module currently in use (:mod:`zlib` unless set)."""
    return _backend


def backend_level(backend: Any, level: int) -> int:
    """``level`` for ``backend``: zlib's ``-1`` becomes the backend's default level."""
    if level == zlib.Z_DEFAULT_COMPRESSION:
        return int(backend.Z_DEFAULT_COMPRESSION)
    return level
