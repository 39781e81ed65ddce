"""Wire constants, message types and exceptions shared by the whole engine.

Everything here is plain data: the opcodes and close codes of RFC 6455, the
message tuple handed to applications, the limits with their defaults, and the
two exception types (``WebSocketError`` for a broken stream, ``WSHandshakeError``
for a refused opening handshake).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import IntEnum
from typing import Any, Final, NamedTuple
from warnings import warn

__all__ = [
    "DEFAULT_MAX_FRAME_SIZE",
    "DEFAULT_MAX_MSG_SIZE",
    "MAX_CLOSE_REASON_SIZE",
    "MAX_CONTROL_PAYLOAD_SIZE",
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "WS_KEY",
    "WSCloseCode",
    "WSHandshakeError",
    "WSMessage",
    "WSMessageDecodeText",
    "WSMessageNoDecodeText",
    "WSMessageTextBytes",
    "WSMsgType",
    "WebSocketError",
    "is_valid_close_code",
]

#: The GUID of RFC 6455 §1.3 appended to Sec-WebSocket-Key before hashing.
WS_KEY: Final[bytes] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

#: Default cap on one reassembled (and decompressed) message: 4 MiB, as aiohttp.
DEFAULT_MAX_MSG_SIZE: Final[int] = 4 * 1024 * 1024

#: Default size above which the writer splits a message into frames: 0 = never.
DEFAULT_MAX_FRAME_SIZE: Final[int] = 0

#: RFC 6455 §5.5: control frames carry at most 125 payload bytes.
MAX_CONTROL_PAYLOAD_SIZE: Final[int] = 125

#: RFC 6455 §5.5.1: the 2-byte code leaves 123 bytes for the close reason.
MAX_CLOSE_REASON_SIZE: Final[int] = MAX_CONTROL_PAYLOAD_SIZE - 2


class WSCloseCode(IntEnum):
    """Close codes of RFC 6455 §7.4.1 and the IANA registry.

    The lower-case names of the older aiohttp documents (``ok``,
    ``going_away``, ...) are aliases of the upper-case members: iterating the
    enum yields each code once.
    """

    OK = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    ABNORMAL_CLOSURE = 1006
    INVALID_TEXT = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    MANDATORY_EXTENSION = 1010
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    BAD_GATEWAY = 1014

    ok = OK
    going_away = GOING_AWAY
    protocol_error = PROTOCOL_ERROR
    unsupported_data = UNSUPPORTED_DATA
    abnormal_closure = ABNORMAL_CLOSURE
    invalid_text = INVALID_TEXT
    policy_violation = POLICY_VIOLATION
    message_too_big = MESSAGE_TOO_BIG
    mandatory_extension = MANDATORY_EXTENSION
    internal_error = INTERNAL_ERROR
    service_restart = SERVICE_RESTART
    try_again_later = TRY_AGAIN_LATER
    bad_gateway = BAD_GATEWAY


class WSMsgType(IntEnum):
    """Types of :class:`WSMessage`: the RFC 6455 opcodes plus three local states.

    ``CLOSING``, ``CLOSED`` and ``ERROR`` never appear on the wire; they tell
    an application that the connection is closing, closed, or failed.
    """

    CONTINUATION = 0x0
    TEXT = 0x1
    BINARY = 0x2
    PING = 0x9
    PONG = 0xA
    CLOSE = 0x8
    CLOSING = 0x100
    CLOSED = 0x101
    ERROR = 0x102

    continuation = CONTINUATION
    text = TEXT
    binary = BINARY
    ping = PING
    pong = PONG
    close = CLOSE
    closing = CLOSING
    closed = CLOSED
    error = ERROR


class WSMessage(NamedTuple):
    """One WebSocket message as delivered to the application.

    ``data`` is a ``str`` for TEXT, ``bytes`` for BINARY, PING and PONG, the
    close code (an ``int``, a :class:`WSCloseCode` when the code is a known
    one, 0 when the peer sent none) for CLOSE, and the exception for ERROR.
    ``extra`` is the close reason for CLOSE and ``None`` or ``""`` otherwise.
    """

    type: WSMsgType
    data: Any
    extra: str | None

    def json(self, *, loads: Callable[[Any], Any] = json.loads) -> Any:
        """Decode ``data`` as JSON with ``loads``; raises whatever ``loads`` raises."""
        return loads(self.data)

    @property
    def tp(self) -> WSMsgType:
        """Deprecated alias of :attr:`type`; emits ``DeprecationWarning``."""
        warn("WSMessage.tp is deprecated, use WSMessage.type", DeprecationWarning, stacklevel=2)
        return self.type


class WSMessageTextBytes(NamedTuple):
    """A TEXT message whose ``data`` is the validated UTF-8 ``bytes``, not decoded.

    Produced instead of :class:`WSMessage` for TEXT when a parser is created
    with ``decode_text=False``.
    """

    type: WSMsgType
    data: Any
    extra: str | None

    def json(self, *, loads: Callable[[Any], Any] = json.loads) -> Any:
        """Decode ``data`` as JSON with ``loads``; raises whatever ``loads`` raises."""
        return loads(self.data)


#: What a parser with ``decode_text=True`` produces.
WSMessageDecodeText = WSMessage
#: What a parser with ``decode_text=False`` produces.
WSMessageNoDecodeText = WSMessage | WSMessageTextBytes

#: The message returned once the connection is closed.
WS_CLOSED_MESSAGE: Final[WSMessage] = WSMessage(WSMsgType.CLOSED, None, None)
#: The message returned while the closing handshake is in progress.
WS_CLOSING_MESSAGE: Final[WSMessage] = WSMessage(WSMsgType.CLOSING, None, None)


class WebSocketError(Exception):
    """The peer broke RFC 6455/7692, or a local limit was exceeded.

    ``code`` is the close code to send to the peer before dropping the
    connection (1002 protocol error, 1007 invalid text, 1009 too big, ...);
    ``str(exc)`` says what was wrong and where. When raised by
    :meth:`WebSocketParser.feed_data`, ``messages`` holds the messages that
    the same call completed before the error (deliver them, then close).
    """

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.messages: list[Any] = []
        super().__init__(code, message)

    def __str__(self) -> str:
        return str(self.args[1])


class WSHandshakeError(Exception):
    """The opening handshake (or its extension negotiation) was refused.

    The message names the offending header and value.
    """


_KNOWN_CODES: Final[dict[int, WSCloseCode]] = {int(c): c for c in WSCloseCode}


def is_valid_close_code(code: int) -> bool:
    """Whether ``code`` may appear in a Close frame (RFC 6455 §7.4, IANA registry).

    1000–1003 and 1007–1014 are assigned; 3000–4999 are for libraries and
    applications. Everything else (below 1000, 1004–1006, 1015, the
    unassigned 1016–2999 and 5000 and above) is refused.
    """
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


def close_code_value(code: int) -> int:
    """``code`` as a :class:`WSCloseCode` when it is a known one, else the ``int``."""
    return _KNOWN_CODES.get(code, code)
