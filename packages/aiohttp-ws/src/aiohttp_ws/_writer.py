"""Sans-IO WebSocket writer: messages in, frame bytes out (RFC 6455 §5, RFC 7692).

A client masks every frame with a fresh key from :class:`MaskKeySource`
(``os.urandom`` in batches); a server never masks. permessage-deflate
compresses the whole message, then the result is optionally split into
frames of at most ``max_frame_size`` payload bytes; only the first frame
carries RSV1 and the opcode.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from struct import Struct
from typing import Final

from ._deflate import DEFAULT_COMPRESS_LEVEL, DeflateCompressor
from ._mask import TRANSLATE_MIN_SIZE, websocket_mask_blocks
from ._models import (
    DEFAULT_MAX_FRAME_SIZE,
    MAX_CLOSE_REASON_SIZE,
    MAX_CONTROL_PAYLOAD_SIZE,
    WSCloseCode,
    WSMsgType,
    is_valid_close_code,
)

__all__ = ["WebSocketSerializer"]

_PACK_HEAD: Final = Struct("!BB").pack
_PACK_HEAD16: Final = Struct("!BBH").pack
_PACK_HEAD64: Final = Struct("!BBQ").pack
_PACK_HEAD_KEY: Final = Struct("!BB4s").pack
#: Masking keys drawn from os.urandom per system call.
_KEY_BATCH: Final[int] = 256
_PACK_CODE: Final = Struct("!H").pack
_from_bytes = int.from_bytes
_DATA_OPCODES: Final = frozenset({WSMsgType.CONTINUATION, WSMsgType.TEXT, WSMsgType.BINARY})
_CONTROL_OPCODES: Final = frozenset({WSMsgType.PING, WSMsgType.PONG, WSMsgType.CLOSE})


def _header(b0: int, mask_bit: int, n: int) -> bytes:
    if n < 126:
        return _PACK_HEAD(b0, mask_bit | n)
    if n < 65536:
        return _PACK_HEAD16(b0, mask_bit | 126, n)
    return _PACK_HEAD64(b0, mask_bit | 127, n)


class WebSocketSerializer:
    """Builds WebSocket frames; returns ``bytes`` ready to write to a transport.

    Args:
        use_mask: mask every frame (a client must, a server must not).
        compress: permessage-deflate window bits for this side (8–15), or 0
            when compression was not negotiated.
        notakeover: compress every message without context takeover.
        level: compression level (``-1``: the zlib backend's default).
        max_frame_size: split messages with a larger payload into frames of
            at most this many bytes (0, the default, never splits).
        mask_key: callable returning a fresh 4-byte key per frame (for
            tests); by default keys come from ``os.urandom``, drawn 256 keys
            per system call, never reused.

    Raises ``ValueError`` for a bad window size or control payload.
    """

    def __init__(
        self,
        *,
        use_mask: bool,
        compress: int = 0,
        notakeover: bool = False,
        level: int = DEFAULT_COMPRESS_LEVEL,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        mask_key: Callable[[], bytes] | None = None,
    ) -> None:
        if max_frame_size < 0:
            raise ValueError(f"max_frame_size must be >= 0, got {max_frame_size}")
        self.use_mask = use_mask
        self.compress = compress
        self.notakeover = notakeover
        self.level = level
        self.max_frame_size = max_frame_size
        self._mask_key = mask_key
        self._keys: Iterator[bytes] = iter(())
        self._compressor = (
            DeflateCompressor(window_bits=compress, no_context_takeover=notakeover, level=level)
            if compress
            else None
        )
        # Small masked uncompressed messages take a shortcut in message().
        self._fast = use_mask and not compress and mask_key is None

    def _next_key(self) -> bytes:
        key = next(self._keys, None)
        if key is None:
            source = self._mask_key
            if source is not None:
                return source()
            pool = os.urandom(4 * _KEY_BATCH)
            self._keys = iter([pool[i : i + 4] for i in range(0, len(pool), 4)])
            key = next(self._keys)
        return key

    def frame(
        self,
        payload: bytes | bytearray | memoryview,
        opcode: int,
        *,
        fin: bool = True,
        rsv1: bool = False,
    ) -> bytes:
        """One raw frame with ``payload`` (not compressed here), masked if ``use_mask``."""
        n = len(payload)
        b0 = opcode | (0x80 if fin else 0) | (0x40 if rsv1 else 0)
        if not self.use_mask:
            if not n:
                return _PACK_HEAD(b0, 0)
            return _header(b0, 0, n) + payload
        key = self._next_key()
        if n > TRANSLATE_MIN_SIZE:
            return b"".join((_header(b0, 0x80, n), key, *websocket_mask_blocks(key, payload)))
        if not n:
            return _PACK_HEAD(b0, 0x80) + key
        rep = key * ((n + 3) >> 2)
        if n & 3:
            rep = rep[:n]
        masked = (_from_bytes(payload, "little") ^ _from_bytes(rep, "little")).to_bytes(n, "little")
        if n < 126:
            return _PACK_HEAD_KEY(b0, 0x80 | n, key) + masked
        return _header(b0, 0x80, n) + key + masked

    def message(
        self,
        payload: bytes | bytearray | memoryview | str,
        opcode: int = WSMsgType.BINARY,
        *,
        compress: int | None = None,
    ) -> bytes:
        """The frames of one TEXT/BINARY message, or of one control frame.

        ``str`` payloads are UTF-8 encoded. ``compress`` overrides the
        writer's setting for this message: 0 sends it uncompressed, another
        window size compresses it alone (no context takeover). Raises
        ``ValueError`` for an unknown opcode or a control payload over 125
        bytes.
        """
        if (
            type(payload) is bytes
            and compress is None
            and self._fast
            and (opcode == 1 or opcode == 2)
            and len(payload) < 126
        ):
            # The common case: a small masked message without compression.
            n = len(payload)
            key = next(self._keys, None) or self._next_key()
            if not n:
                return _PACK_HEAD(0x80 | opcode, 0x80) + key
            rep = key * ((n + 3) >> 2)
            if n & 3:
                rep = rep[:n]
            return _PACK_HEAD_KEY(0x80 | opcode, 0x80 | n, key) + (
                _from_bytes(payload, "little") ^ _from_bytes(rep, "little")
            ).to_bytes(n, "little")
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        if opcode in _CONTROL_OPCODES:
            if len(payload) > MAX_CONTROL_PAYLOAD_SIZE:
                raise ValueError(
                    f"control frame payload is {len(payload)} bytes, at most 125 allowed"
                )
            return self.frame(payload, opcode)
        if opcode not in _DATA_OPCODES or opcode == WSMsgType.CONTINUATION:
            raise ValueError(f"cannot send a message with opcode {opcode!r}")
        compressor = self._compressor
        if compress is not None and compress != self.compress:
            compressor = (
                DeflateCompressor(window_bits=compress, no_context_takeover=True, level=self.level)
                if compress
                else None
            )
        rsv1 = compressor is not None
        if compressor is not None:
            payload = compressor.compress(payload)
        limit = self.max_frame_size
        if not limit or len(payload) <= limit:
            return self.frame(payload, opcode, rsv1=rsv1)
        view = memoryview(payload)
        last = len(payload) - limit
        frame = self.frame
        return b"".join(
            [
                frame(
                    view[off : off + limit],
                    opcode if off == 0 else WSMsgType.CONTINUATION,
                    fin=off >= last,
                    rsv1=rsv1 and off == 0,
                )
                for off in range(0, len(payload), limit)
            ]
        )

    def text(self, data: str, *, compress: int | None = None) -> bytes:
        """A TEXT message."""
        return self.message(data.encode("utf-8"), WSMsgType.TEXT, compress=compress)

    def binary(self, data: bytes | bytearray | memoryview, *, compress: int | None = None) -> bytes:
        """A BINARY message."""
        return self.message(data, WSMsgType.BINARY, compress=compress)

    def ping(self, data: bytes = b"") -> bytes:
        """A PING frame; raises ``ValueError`` above 125 bytes."""
        return self.message(data, WSMsgType.PING)

    def pong(self, data: bytes = b"") -> bytes:
        """A PONG frame; raises ``ValueError`` above 125 bytes."""
        return self.message(data, WSMsgType.PONG)

    def close(self, code: int | None = WSCloseCode.OK, reason: bytes | str = b"") -> bytes:
        """A CLOSE frame with ``code`` and ``reason`` (at most 123 bytes of UTF-8).

        ``code=None`` sends an empty close frame (no reason allowed). Raises
        ``ValueError`` for a code that may not be sent (RFC 6455 §7.4) or a
        reason that is too long.
        """
        if isinstance(reason, str):
            reason = reason.encode("utf-8")
        if code is None:
            if reason:
                raise ValueError("a close reason requires a close code")
            return self.frame(b"", WSMsgType.CLOSE)
        if not is_valid_close_code(code):
            raise ValueError(f"close code {code} may not be sent")
        if len(reason) > MAX_CLOSE_REASON_SIZE:
            raise ValueError(f"close reason is {len(reason)} bytes, at most 123 allowed")
        return self.frame(_PACK_CODE(code) + reason, WSMsgType.CLOSE)
