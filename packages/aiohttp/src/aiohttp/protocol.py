"""``aiohttp.protocol``: the older documents' HTTP message names and writers (deprecated).

Importing this module warns. ``HttpVersion``, ``HttpVersion10``,
``HttpVersion11``, ``RawRequestMessage`` and ``RawResponseMessage`` are
aiohttp-http's own objects. ``Request`` and ``Response`` are message writers
over aiohttp-http's serialisers: ``resp = Response(transport, 200)``,
``resp.add_header(...)``, ``resp.send_headers()``, ``resp.write(data)``,
``await resp.write_eof()``. New code uses ``aiohttp_http.serialize_response_head``
/ ``serialize_request_head`` with ``ChunkedEncoder``, or the server's
``aiohttp_http.StreamResponse``.
"""

from __future__ import annotations

import warnings

from aiohttp_http import (
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    RawRequestMessage,
    RawResponseMessage,
)

from ._server_legacy_protocol import HttpMessage, Request, Response

warnings.warn(
    "aiohttp.protocol is deprecated; use aiohttp_http (HttpVersion, RawRequestMessage, "
    "serialize_response_head, serialize_request_head, ChunkedEncoder, StreamResponse)",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "HttpMessage",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "RawRequestMessage",
    "RawResponseMessage",
    "Request",
    "Response",
]
