"""``aiohttp.http_websocket``: the WebSocket protocol engine (from aiohttp-ws).

``WebSocketReader`` and ``WebSocketWriter`` are aiohttp-ws's asyncio adapters;
their constructors are documented in that package (``WebSocketReader(queue,
max_msg_size, compress=True, ...)``, ``WebSocketWriter(protocol, transport,
*, use_mask=False, ...)``).
"""

from __future__ import annotations

from aiohttp_ws import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WS_KEY,
    WebSocketError,
    WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSHandshakeError,
    WSMessage,
    WSMsgType,
    ws_ext_gen,
    ws_ext_parse,
)

__all__ = [
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "WS_KEY",
    "WSCloseCode",
    "WSHandshakeError",
    "WSMessage",
    "WSMsgType",
    "WebSocketError",
    "WebSocketReader",
    "WebSocketWriter",
    "ws_ext_gen",
    "ws_ext_parse",
]
