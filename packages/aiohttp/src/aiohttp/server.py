"""``aiohttp.server``: the older documents' low-level server protocol (deprecated).

Importing this module warns: new code uses :class:`aiohttp_http.Server` (or
:func:`aiohttp_http.serve`) with a handler taking an
:class:`aiohttp_http.BaseRequest` and returning an :class:`aiohttp_http.Response`.

:class:`ServerHttpProtocol` still works: subclass it, override
``async handle_request(message, payload)`` and write the answer with
``aiohttp.protocol.Response(self.writer, status)``; it runs on aiohttp-http's
server (parsing, limits, keep-alive, pipelining), see :mod:`aiohttp._server_legacy`.
"""

from __future__ import annotations

import warnings

from aiohttp_http import RawRequestMessage, StreamReader

from ._server_legacy import ServerHttpProtocol, access_logger, server_logger
from ._server_legacy_protocol import Response

warnings.warn(
    "aiohttp.server is deprecated; use aiohttp_http.Server (or aiohttp_http.serve) "
    "with a handler returning aiohttp_http.Response",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "RawRequestMessage",
    "Response",
    "ServerHttpProtocol",
    "StreamReader",
    "access_logger",
    "server_logger",
]
