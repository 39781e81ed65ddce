"""aiohttp-ws: a dependency-free WebSocket protocol engine (RFC 6455, RFC 7692).

The sans-IO core (:class:`WebSocketParser`, :class:`WebSocketSerializer`,
permessage-deflate, handshake helpers) imports no asyncio; the asyncio
adapters (:class:`WebSocketReader`, :class:`WebSocketWriter`,
:class:`WebSocketDataQueue`, :class:`FlowControlProtocol`) sit on top of it.
"""

from __future__ import annotations

# --- asyncio adapters -----------------------------------------------------
from ._asyncio import (
    DEFAULT_HEAD_LIMIT,
    DEFAULT_QUEUE_LIMIT,
    DEFAULT_WRITE_LIMIT,
    FlowControlProtocol,
    WebSocketDataQueue,
    WebSocketReader,
    WebSocketWriter,
)

# --- sans-IO engine -------------------------------------------------------
from ._deflate import (
    DEFAULT_COMPRESS_LEVEL,
    DEFLATE_TRAILER,
    DeflateCompressor,
    DeflateDecompressor,
    PerMessageDeflate,
    parse_extensions,
    ws_ext_gen,
    ws_ext_parse,
)
from ._handshake import (
    ClientHandshake,
    Headers,
    ServerHandshake,
    accept_key,
    client_request_headers,
    generate_key,
    select_subprotocol,
    validate_upgrade_request,
    validate_upgrade_response,
    verify_accept,
)
from ._mask import MASK_BLOCK_SIZE, MaskKeySource, websocket_mask, websocket_mask_parts
from ._models import (
    DEFAULT_MAX_FRAME_SIZE,
    DEFAULT_MAX_MSG_SIZE,
    MAX_CLOSE_REASON_SIZE,
    MAX_CONTROL_PAYLOAD_SIZE,
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WS_KEY,
    WebSocketError,
    WSCloseCode,
    WSHandshakeError,
    WSMessage,
    WSMessageDecodeText,
    WSMessageNoDecodeText,
    WSMessageTextBytes,
    WSMsgType,
    is_valid_close_code,
)
from ._reader import WebSocketParser
from ._writer import WebSocketSerializer
from ._zlib_backend import get_zlib_backend, set_zlib_backend

__version__ = "1.0.0"

__all__ = [
    "DEFAULT_COMPRESS_LEVEL",
    "DEFAULT_HEAD_LIMIT",
    "DEFAULT_MAX_FRAME_SIZE",
    "DEFAULT_MAX_MSG_SIZE",
    "DEFAULT_QUEUE_LIMIT",
    "DEFAULT_WRITE_LIMIT",
    "DEFLATE_TRAILER",
    "MASK_BLOCK_SIZE",
    "MAX_CLOSE_REASON_SIZE",
    "MAX_CONTROL_PAYLOAD_SIZE",
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "WS_KEY",
    "ClientHandshake",
    "DeflateCompressor",
    "DeflateDecompressor",
    "FlowControlProtocol",
    "Headers",
    "MaskKeySource",
    "PerMessageDeflate",
    "ServerHandshake",
    "WSCloseCode",
    "WSHandshakeError",
    "WSMessage",
    "WSMessageDecodeText",
    "WSMessageNoDecodeText",
    "WSMessageTextBytes",
    "WSMsgType",
    "WebSocketDataQueue",
    "WebSocketError",
    "WebSocketParser",
    "WebSocketReader",
    "WebSocketSerializer",
    "WebSocketWriter",
    "__version__",
    "accept_key",
    "client_request_headers",
    "generate_key",
    "get_zlib_backend",
    "is_valid_close_code",
    "parse_extensions",
    "select_subprotocol",
    "set_zlib_backend",
    "validate_upgrade_request",
    "validate_upgrade_response",
    "verify_accept",
    "websocket_mask",
    "websocket_mask_parts",
    "ws_ext_gen",
    "ws_ext_parse",
]
