"""``aiohttp.connector``: the connection pool and its connectors (from aiohttp-client).

The older documents' ``ProxyConnector`` is served too, with a
:class:`DeprecationWarning` naming its replacement (it is not in ``__all__``).
"""

from __future__ import annotations

from typing import Any

from aiohttp_client import (
    AddrInfoType,
    BaseConnector,
    Connection,
    NamedPipeConnector,
    SocketFactoryType,
    TCPConnector,
    UnixConnector,
)

from . import _legacy_connector
from ._deprecation import deprecated_getattr

__all__ = [
    "AddrInfoType",
    "BaseConnector",
    "Connection",
    "NamedPipeConnector",
    "SocketFactoryType",
    "TCPConnector",
    "UnixConnector",
]

_getattr = deprecated_getattr(
    __name__,
    {"ProxyConnector": (lambda: _legacy_connector.ProxyConnector, _legacy_connector.REPLACEMENT)},
)


def __getattr__(name: str) -> Any:
    """Serve ``ProxyConnector`` with a :class:`DeprecationWarning`."""
    return _getattr(name)
