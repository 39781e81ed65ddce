"""Stand-in zlib backends for the ``set_zlib_backend`` tests of every package."""

from __future__ import annotations

import types
import zlib
from collections import Counter
from typing import Any

#: What every package requires of a backend (kept in step with their ZLIB_BACKEND_ATTRIBUTES).
CONSTANTS = (
    "DEFLATED",
    "MAX_WBITS",
    "Z_DEFAULT_COMPRESSION",
    "Z_FINISH",
    "Z_FULL_FLUSH",
    "Z_SYNC_FLUSH",
)


def counting_zlib(*, default_level: int = zlib.Z_DEFAULT_COMPRESSION) -> types.SimpleNamespace:
    """A backend wrapping :mod:`zlib` that counts calls in its ``calls`` Counter.

    It records the arguments of ``compressobj`` in ``levels``; with
    ``default_level`` other than ``-1`` it behaves like ISA-L, refusing ``-1``.
    """
    calls: Counter[str] = Counter()
    levels: list[int] = []

    def compressobj(level: int = default_level, *args: Any, **kwargs: Any) -> Any:
        calls["compressobj"] += 1
        levels.append(level)
        if default_level != zlib.Z_DEFAULT_COMPRESSION and level == zlib.Z_DEFAULT_COMPRESSION:
            raise ValueError("Invalid compression level: -1")
        return zlib.compressobj(level, *args, **kwargs)

    def decompressobj(*args: Any, **kwargs: Any) -> Any:
        calls["decompressobj"] += 1
        return zlib.decompressobj(*args, **kwargs)

    backend = types.SimpleNamespace(
        __name__="counting_zlib",
        compressobj=compressobj,
        decompressobj=decompressobj,
        error=zlib.error,
        calls=calls,
        levels=levels,
        **{name: getattr(zlib, name) for name in CONSTANTS},
    )
    backend.Z_DEFAULT_COMPRESSION = default_level
    return backend
