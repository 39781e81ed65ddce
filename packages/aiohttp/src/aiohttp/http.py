"""``aiohttp.http``: the HTTP and WebSocket protocol layer in one namespace.

Names come from aiohttp-http and aiohttp-ws; ``RESPONSES`` (status code ->
(phrase, description), from the standard library) and ``SERVER_SOFTWARE``
are defined here.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler

from aiohttp_http import (
    HttpProcessingError,
    HttpRequestParser,
    HttpResponseParser,
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    RawRequestMessage,
    RawResponseMessage,
    StreamWriter,
)
from aiohttp_ws import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WS_KEY,
    WebSocketError,
    WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMsgType,
    ws_ext_gen,
    ws_ext_parse,
)

from . import __version__

#: Status code -> (reason phrase, description), as the standard library knows them.
RESPONSES: dict[int, tuple[str, str]] = dict(BaseHTTPRequestHandler.responses)

#: The ``Server`` header value aiohttp sends: ``Python/3.x aiohttp/<version>``.
SERVER_SOFTWARE: str = f"Python/{sys.version_info[0]}.{sys.version_info[1]} aiohttp/{__version__}"

__all__ = [
    "RESPONSES",
    "SERVER_SOFTWARE",
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "WS_KEY",
    "HttpProcessingError",
    "HttpRequestParser",
    "HttpResponseParser",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "RawRequestMessage",
    "RawResponseMessage",
    "StreamWriter",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    "WebSocketError",
    "WebSocketReader",
    "WebSocketWriter",
    "ws_ext_gen",
    "ws_ext_parse",
]
