"""Sans-IO WebSocket reader: bytes in, complete messages out (RFC 6455 §5, RFC 7692).

Theory of operation. :meth:`WebSocketParser.feed_data` takes bytes split
anywhere and returns every message they complete. A frame header is
validated as soon as it is complete, before any of its payload is kept, so
a bad opcode, an oversized control frame or a message above the size limit
is refused without buffering it. Fewer than 14 bytes of an incomplete header
are kept in a small tail. The payload of a data frame is unmasked,
decompressed and UTF-8 checked piece by piece as it arrives, so an invalid
byte is reported as soon as it is received, even inside a large frame; the
pieces of a message are joined once, when it completes. The first error is
raised as :class:`WebSocketError` carrying the close code to send, and the
parser stays failed: every later call raises the same error.

The common case (an unfragmented, uncompressed text or binary frame) takes a
short path through one loop with the hot names in local variables.
"""

from __future__ import annotations

import codecs
from struct import Struct
from typing import Any, Final

from ._deflate import DeflateDecompressor
from ._mask import websocket_mask
from ._models import (
    DEFAULT_MAX_MSG_SIZE,
    MAX_CONTROL_PAYLOAD_SIZE,
    WebSocketError,
    WSCloseCode,
    WSMessage,
    WSMessageNoDecodeText,
    WSMessageTextBytes,
    WSMsgType,
    close_code_value,
    is_valid_close_code,
)

__all__ = ["WebSocketParser"]

_UNPACK_LEN16: Final = Struct("!H").unpack_from
_UNPACK_LEN64: Final = Struct("!Q").unpack_from
_UNPACK_CODE: Final = Struct("!H").unpack_from
_new_message = tuple.__new__
_from_bytes = int.from_bytes
_Utf8Decoder = codecs.getincrementaldecoder("utf-8")

_TEXT: Final = WSMsgType.TEXT
_BINARY: Final = WSMsgType.BINARY
_PING: Final = WSMsgType.PING
_PONG: Final = WSMsgType.PONG
_CLOSE: Final = WSMsgType.CLOSE
_PROTOCOL_ERROR: Final = WSCloseCode.PROTOCOL_ERROR
_RESERVED_OPCODES: Final = frozenset({3, 4, 5, 6, 7, 11, 12, 13, 14, 15})

# Compressed frames are buffered before inflating; allow deflate's worst-case
# expansion of incompressible data (5 bytes per 64 KiB stored block) on top of
# the message limit.
_COMPRESSED_SLACK_SHIFT: Final[int] = 8
_COMPRESSED_SLACK_BYTES: Final[int] = 1024


class WebSocketParser:
    """Incremental RFC 6455 frame parser and message assembler.

    Args:
        is_server: ``True`` on a server (every frame must be masked),
            ``False`` on a client (masked frames are refused), ``None`` to
            accept both (aiohttp 3.x behaviour).
        max_msg_size: largest message (after reassembly and decompression)
            accepted, in bytes; larger ones fail with 1009. 0 disables the
            limit. Defaults to :data:`DEFAULT_MAX_MSG_SIZE`.
        compress: permessage-deflate was negotiated, so RSV1 marks a
            compressed message.
        window_bits: the peer's negotiated compression window (8–15).
        decode_text: deliver TEXT as ``str`` (default) or, when ``False``,
            as validated UTF-8 ``bytes`` in a :class:`WSMessageTextBytes`.

    Errors are :class:`WebSocketError` whose ``code`` is 1002 (protocol
    error), 1007 (invalid UTF-8 or deflate data) or 1009 (too big).
    """

    def __init__(
        self,
        *,
        is_server: bool | None,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        compress: bool = False,
        window_bits: int = 15,
        decode_text: bool = True,
    ) -> None:
        if max_msg_size < 0:
            raise ValueError(f"max_msg_size must be >= 0, got {max_msg_size}")
        self.is_server = is_server
        self.max_msg_size = max_msg_size
        self.compress = compress
        self.decode_text = decode_text
        # Which values of the MASK bit are acceptable, indexed by the bit.
        self._mask_ok = (is_server is not True, is_server is not False)
        self._decompressor = DeflateDecompressor(window_bits=window_bits) if compress else None
        # Unlimited still stops below 2**63, so a length with the top bit set is checked.
        self._limit = max_msg_size or (1 << 63) - 1
        self._compressed_limit = (
            self._limit + (self._limit >> _COMPRESSED_SLACK_SHIFT) + _COMPRESSED_SLACK_BYTES
        )
        self._exc: WebSocketError | None = None
        self._closed = False
        self._fed = 0
        self._tail = b""
        # A frame whose header is parsed but whose payload is incomplete.
        self._pending = False
        self._pending_head: tuple[int, bytes | None, int] = (0, None, 0)
        self._pending_chunks: list[bytes] = []  # control frames only
        self._pending_need = 0
        self._pending_got = 0
        # A fragmented message in progress (-1: none).
        self._msg_opcode = -1
        self._msg_compressed = False
        self._msg_parts: list[Any] = []
        self._msg_size = 0
        self._msg_wire_size = 0
        self._decoder: codecs.IncrementalDecoder | None = None

    @property
    def exception(self) -> WebSocketError | None:
        """The error that failed this parser, or ``None``."""
        return self._exc

    @property
    def closed(self) -> bool:
        """Whether a Close frame was received (any further frame is an error)."""
        return self._closed

    def feed_data(self, data: bytes | bytearray | memoryview) -> list[WSMessageNoDecodeText]:
        """Parse ``data`` and return the messages it completes, in order.

        Control frames (PING, PONG, CLOSE) are returned as soon as they are
        complete, even between the fragments of a message. Raises
        :class:`WebSocketError` at the first bad frame; its ``messages`` are
        the messages this call completed before that frame. Once raised,
        every later call raises it again (with ``messages`` empty).
        """
        if self._exc is not None:
            self._exc.messages = []
            raise self._exc
        if type(data) is not bytes:
            data = bytes(data)
        out: list[WSMessageNoDecodeText] = []
        try:
            self._feed(data, out)
        except WebSocketError as exc:
            exc.messages = out
            self._exc = exc
            raise
        return out

    def feed_eof(self) -> None:
        """Signal the end of the stream.

        Raises :class:`WebSocketError` with 1006 (abnormal closure, never
        sent on the wire) if the stream stops inside a frame or a message.
        """
        if self._exc is not None:
            raise self._exc
        if self._pending or self._tail or self._msg_opcode >= 0:
            where = "a frame" if self._pending or self._tail else "a fragmented message"
            self._exc = WebSocketError(
                WSCloseCode.ABNORMAL_CLOSURE,
                f"stream ended inside {where} at byte {self._fed}",
            )
            raise self._exc

    def _fail(self, code: int, what: str, offset: int) -> WebSocketError:
        return WebSocketError(code, f"{what} (frame at byte {offset})")

    def _feed(self, data: bytes, out: list[WSMessageNoDecodeText]) -> None:
        self._fed += len(data)
        pos = 0
        if self._pending:
            need = self._pending_need
            complete = len(data) >= need
            chunk = data[:need] if need < len(data) else data
            b0, mask, offset = self._pending_head
            if b0 & 0x08:  # a control frame: at most 125 bytes, kept until complete
                self._pending_chunks.append(chunk)
                if complete:
                    payload = b"".join(self._pending_chunks)
                    self._pending_chunks = []
                    if mask is not None:
                        payload = websocket_mask(mask, payload)
                    out.append(self._control(b0 & 0x0F, payload, offset))
            else:
                fin = complete and b0 & 0x80
                self._stream(chunk, mask, bool(fin), offset)
                if fin:
                    self._finish(out)
            if not complete:
                self._pending_need = need - len(data)
                return
            self._pending = False
            if need == len(data):
                return
            pos = need
        if self._tail:
            data = self._tail + (data[pos:] if pos else data)
            pos = 0
            self._tail = b""

        end = len(data)
        base = self._fed - end
        mask_ok = self._mask_ok
        limit = self._limit
        frame = self._frame
        append = out.append
        text_type = self.decode_text
        while True:
            avail = end - pos
            if avail < 2:
                break
            b0 = data[pos]
            b1 = data[pos + 1]
            length = b1 & 0x7F
            if length < 126:
                hlen = 2
            elif length == 126:
                if avail < 4:
                    break
                length = _UNPACK_LEN16(data, pos + 2)[0]
                hlen = 4
            else:
                if avail < 10:
                    break
                length = _UNPACK_LEN64(data, pos + 2)[0]
                hlen = 10
            mask = None
            if b1 & 0x80:
                if avail < hlen + 4:
                    break
                mask = data[pos + hlen : pos + hlen + 4]
                hlen += 4
            if not (
                (b0 == 0x81 or b0 == 0x82)
                and self._msg_opcode < 0
                and mask_ok[b1 >> 7]
                and length <= limit
                and not self._closed
            ):
                self._check_header(b0, b1, length, base + pos)
            start = pos + hlen
            stop = start + length
            if stop > end:
                # Incomplete payload: data frames are consumed piece by piece (unmasked,
                # inflated and UTF-8 checked as they arrive), control frames are kept.
                self._pending = True
                self._pending_head = (b0, mask, base + pos)
                self._pending_need = stop - end
                self._pending_got = 0
                if b0 & 0x08:
                    self._pending_chunks = [data[start:]]
                else:
                    if b0 & 0x0F:
                        self._start_message(b0)
                    self._stream(data[start:], mask, False, base + pos)
                pos = end
                break
            payload = data[start:stop]
            if mask is not None and length:
                key = mask * ((length + 3) >> 2)
                if length & 3:
                    key = key[:length]
                payload = (_from_bytes(payload, "little") ^ _from_bytes(key, "little")).to_bytes(
                    length, "little"
                )
            if b0 == 0x81 and self._msg_opcode < 0:
                try:
                    text = payload.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise self._fail(
                        WSCloseCode.INVALID_TEXT,
                        f"invalid UTF-8 at byte {exc.start} of a text message",
                        base + pos,
                    ) from None
                if text_type:
                    append(_new_message(WSMessage, (_TEXT, text, "")))
                else:
                    append(_new_message(WSMessageTextBytes, (_TEXT, payload, "")))
            elif b0 == 0x82 and self._msg_opcode < 0:
                append(_new_message(WSMessage, (_BINARY, payload, "")))
            else:
                frame(out, b0, payload, base + pos)
            pos = stop
        if pos < end:
            self._tail = data[pos:]

    def _check_header(self, b0: int, b1: int, length: int, offset: int) -> None:
        """Validate a frame header before its payload is read; raise on any violation."""
        fail = self._fail
        opcode = b0 & 0x0F
        if self._closed:
            raise fail(_PROTOCOL_ERROR, "frame received after a close frame", offset)
        if length >> 63:
            raise fail(_PROTOCOL_ERROR, "64-bit payload length with the top bit set", offset)
        if opcode in _RESERVED_OPCODES:
            raise fail(_PROTOCOL_ERROR, f"reserved opcode {opcode:#x}", offset)
        if b0 & 0x30:
            raise fail(_PROTOCOL_ERROR, f"reserved bits RSV2/RSV3 set ({b0 & 0x70:#05b})", offset)
        if not self._mask_ok[b1 >> 7]:
            if self.is_server:
                raise fail(_PROTOCOL_ERROR, "unmasked frame from a client", offset)
            raise fail(_PROTOCOL_ERROR, "masked frame from a server", offset)
        rsv1 = b0 & 0x40
        if opcode >= 8:
            if not b0 & 0x80:
                raise fail(
                    _PROTOCOL_ERROR, f"fragmented control frame (opcode {opcode:#x})", offset
                )
            if length > MAX_CONTROL_PAYLOAD_SIZE:
                raise fail(
                    _PROTOCOL_ERROR, f"control frame payload of {length} bytes (max 125)", offset
                )
            if rsv1:
                raise fail(_PROTOCOL_ERROR, "RSV1 set on a control frame", offset)
            return
        if opcode == 0:
            if self._msg_opcode < 0:
                raise fail(_PROTOCOL_ERROR, "continuation frame with nothing to continue", offset)
            if rsv1:
                raise fail(_PROTOCOL_ERROR, "RSV1 set on a continuation frame", offset)
            compressed = self._msg_compressed
            size = self._msg_wire_size if compressed else self._msg_size
        else:
            if self._msg_opcode >= 0:
                raise fail(_PROTOCOL_ERROR, "new data frame inside a fragmented message", offset)
            if rsv1 and not self.compress:
                raise fail(_PROTOCOL_ERROR, "RSV1 set but no extension negotiated", offset)
            compressed = bool(rsv1)
            size = 0
        limit = self._compressed_limit if compressed else self._limit
        if size + length > limit:
            raise fail(
                WSCloseCode.MESSAGE_TOO_BIG,
                f"message of at least {size + length} bytes exceeds the limit of "
                f"{self.max_msg_size} bytes",
                offset,
            )

    def _frame(
        self, out: list[WSMessageNoDecodeText], b0: int, payload: bytes, offset: int
    ) -> None:
        """Handle one complete, already validated and unmasked frame."""
        opcode = b0 & 0x0F
        if opcode >= 8:
            out.append(self._control(opcode, payload, offset))
            return
        if opcode:
            self._start_message(b0)
        fin = bool(b0 & 0x80)
        self._add(payload, fin, offset)
        if fin:
            self._finish(out)

    def _start_message(self, b0: int) -> None:
        opcode = b0 & 0x0F
        self._msg_opcode = opcode
        self._msg_compressed = bool(b0 & 0x40)
        self._msg_parts = []
        self._msg_size = 0
        self._msg_wire_size = 0
        self._decoder = _Utf8Decoder() if opcode == 1 else None

    def _stream(self, chunk: bytes, mask: bytes | None, final: bool, offset: int) -> None:
        """Add a piece of a data frame's payload, unmasking it at its key phase."""
        if mask is not None:
            phase = self._pending_got & 3
            if phase:
                mask = mask[phase:] + mask[:phase]
            self._pending_got += len(chunk)
            chunk = websocket_mask(mask, chunk)
        self._add(chunk, final, offset)

    def _add(self, payload: bytes, final: bool, offset: int) -> None:
        """Inflate and UTF-8 check payload bytes of the current message, then keep them."""
        msg_start = self._msg_size
        self._msg_wire_size += len(payload)
        if self._msg_compressed:
            assert self._decompressor is not None
            remaining = self._limit - self._msg_size if self.max_msg_size else None
            payload = self._decompressor.decompress(payload, final=final, limit=remaining)
        self._msg_size += len(payload)
        decoder = self._decoder
        if decoder is not None:
            try:
                text = decoder.decode(payload, final)
            except UnicodeDecodeError as exc:
                raise self._fail(
                    WSCloseCode.INVALID_TEXT,
                    f"invalid UTF-8 at byte {msg_start + exc.start} of a text message",
                    offset,
                ) from None
            self._msg_parts.append(text if self.decode_text else payload)
        else:
            self._msg_parts.append(payload)

    def _finish(self, out: list[WSMessageNoDecodeText]) -> None:
        """Deliver the message whose final frame was just added."""
        parts = self._msg_parts
        self._msg_parts = []
        self._msg_opcode = -1
        if self._decoder is not None:
            self._decoder = None
            if self.decode_text:
                out.append(_new_message(WSMessage, (_TEXT, "".join(parts), "")))
            else:
                data = b"".join(parts) if len(parts) != 1 else parts[0]
                out.append(_new_message(WSMessageTextBytes, (_TEXT, data, "")))
        else:
            data = b"".join(parts) if len(parts) != 1 else parts[0]
            out.append(_new_message(WSMessage, (_BINARY, data, "")))

    def _control(self, opcode: int, payload: bytes, offset: int) -> WSMessage:
        if opcode == 0x9:
            return _new_message(WSMessage, (_PING, payload, ""))
        if opcode == 0xA:
            return _new_message(WSMessage, (_PONG, payload, ""))
        self._closed = True
        if not payload:
            return _new_message(WSMessage, (_CLOSE, 0, ""))
        if len(payload) == 1:
            raise self._fail(_PROTOCOL_ERROR, "close frame with a 1-byte payload", offset)
        code = _UNPACK_CODE(payload)[0]
        if not is_valid_close_code(code):
            raise self._fail(_PROTOCOL_ERROR, f"invalid close code {code}", offset)
        try:
            reason = payload[2:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self._fail(
                WSCloseCode.INVALID_TEXT,
                f"invalid UTF-8 at byte {exc.start} of the close reason",
                offset,
            ) from None
        return _new_message(WSMessage, (_CLOSE, close_code_value(code), reason))
