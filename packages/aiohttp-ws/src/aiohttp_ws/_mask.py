"""Payload masking (RFC 6455 §5.3) at C speed, without a per-byte Python loop.

XOR-ing with the repeated 4-byte key is done on big integers: the payload and
the repeated key are read as little-endian integers, XOR-ed, and written back.
Each step is one C loop over the buffer. Large payloads are processed in
blocks of :data:`MASK_BLOCK_SIZE` bytes (a multiple of 4, so the key phase is
the same in every block) against one precomputed key integer, which keeps the
integers cache-sized and builds the key once per frame.
"""

from __future__ import annotations

import os
from typing import Final

__all__ = ["MASK_BLOCK_SIZE", "MaskKeySource", "websocket_mask", "websocket_mask_parts"]

#: Block size of large-payload masking; a multiple of 4.
MASK_BLOCK_SIZE: Final[int] = 65536

_from_bytes = int.from_bytes


def _mask_small(mask: bytes, data: bytes | bytearray | memoryview, n: int) -> bytes:
    key = mask * ((n + 3) >> 2)
    if n & 3:
        key = key[:n]
    return (_from_bytes(data, "little") ^ _from_bytes(key, "little")).to_bytes(n, "little")


def websocket_mask_parts(mask: bytes, data: bytes | bytearray | memoryview) -> list[bytes]:
    """Mask (or unmask) ``data`` with the 4-byte ``mask``; return the result in blocks.

    Joining the blocks gives the masked payload; a writer can hand them to
    ``transport.writelines`` or join them together with the frame header in
    one copy. Raises ``ValueError`` if ``mask`` is not 4 bytes long.
    """
    if len(mask) != 4:
        raise ValueError(f"a masking key is 4 bytes, got {len(mask)}")
    n = len(data)
    if n <= MASK_BLOCK_SIZE:
        return [_mask_small(mask, data, n)] if n else []
    block = MASK_BLOCK_SIZE
    key = _from_bytes(mask * (block >> 2), "little")
    view = memoryview(data).cast("B")
    parts: list[bytes] = []
    append = parts.append
    full = n - n % block
    for off in range(0, full, block):
        append((_from_bytes(view[off : off + block], "little") ^ key).to_bytes(block, "little"))
    if full < n:
        append(_mask_small(mask, view[full:], n - full))
    return parts


def websocket_mask(mask: bytes, data: bytes | bytearray | memoryview) -> bytes:
    """Return ``data`` XOR-ed with the repeated 4-byte ``mask`` (masking is its own inverse).

    Raises ``ValueError`` if ``mask`` is not 4 bytes long.
    """
    n = len(data)
    if n <= MASK_BLOCK_SIZE:
        if len(mask) != 4:
            raise ValueError(f"a masking key is 4 bytes, got {len(mask)}")
        return _mask_small(mask, data, n) if n else b""
    return b"".join(websocket_mask_parts(mask, data))


class MaskKeySource:
    """Fresh, unpredictable 4-byte masking keys (RFC 6455 §5.3).

    Keys come from ``os.urandom``, drawn ``batch`` keys at a time so that a
    writer sending many small frames does not make one system call per
    frame; no key is ever handed out twice.
    """

    __slots__ = ("_batch", "_pool", "_pos")

    def __init__(self, batch: int = 256) -> None:
        if batch < 1:
            raise ValueError(f"batch must be at least 1, got {batch}")
        self._batch = batch
        self._pool = b""
        self._pos = 0

    def __call__(self) -> bytes:
        """Return the next 4-byte key."""
        pos = self._pos
        if pos >= len(self._pool):
            self._pool = os.urandom(4 * self._batch)
            pos = 0
        self._pos = pos + 4
        return self._pool[pos : pos + 4]
