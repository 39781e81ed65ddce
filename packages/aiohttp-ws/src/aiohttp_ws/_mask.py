"""Payload masking (RFC 6455 §5.3) at C speed, without a per-byte Python loop.

Small payloads (up to :data:`TRANSLATE_MIN_SIZE` bytes) are XOR-ed with the
repeated 4-byte key on big integers: the payload and the repeated key are read
as little-endian integers, XOR-ed, and written back, each step one C loop.
Larger payloads are copied in blocks of :data:`MASK_BLOCK_SIZE` bytes (a
multiple of 4, so every block starts on key byte 0, and small enough to stay in
the CPU cache) and each block is masked in place, one key byte ("lane") at a
time: the bytes at positions ``i, i+4, i+8, ...`` are sliced out, mapped
through a 256-byte XOR table with ``bytes.translate`` and assigned back. Those
strided C loops are about twice as fast per byte as the integer conversions.
"""

from __future__ import annotations

import os
from typing import Final

__all__ = ["MASK_BLOCK_SIZE", "MaskKeySource", "websocket_mask", "websocket_mask_parts"]

#: Block size of large-payload masking; a multiple of 4.
MASK_BLOCK_SIZE: Final[int] = 65536
#: Payloads above this many bytes are masked with ``bytes.translate``, smaller
#: ones on integers (the crossover measured on CPython 3.11 is about 1.5 KiB).
TRANSLATE_MIN_SIZE: Final[int] = 2048

_from_bytes = int.from_bytes
_IDENTITY: Final[int] = _from_bytes(bytes(range(256)), "little")
#: ``_XOR_TABLES[k]`` maps every byte ``b`` to ``b ^ k`` (a ``bytes.translate`` table).
_XOR_TABLES: Final[tuple[bytes, ...]] = tuple(
    (_IDENTITY ^ _from_bytes(bytes((k,)) * 256, "little")).to_bytes(256, "little")
    for k in range(256)
)


def _mask_small(mask: bytes, data: bytes | bytearray | memoryview, n: int) -> bytes:
    key = mask * ((n + 3) >> 2)
    if n & 3:
        key = key[:n]
    return (_from_bytes(data, "little") ^ _from_bytes(key, "little")).to_bytes(n, "little")


def websocket_mask_blocks(mask: bytes, data: bytes | bytearray | memoryview) -> list[bytearray]:
    """``data`` (over :data:`TRANSLATE_MIN_SIZE` bytes) masked, in blocks to join.

    Each block is a cache-sized copy masked in place: the bytes of each key
    byte's lane are sliced out, translated and assigned back. Joining the
    blocks (with a frame header) is then the only large allocation per frame:
    each further one costs page faults on fresh memory.
    """
    t0, t1, t2, t3 = (_XOR_TABLES[k] for k in mask)
    view = memoryview(data).cast("B")
    block = MASK_BLOCK_SIZE
    blocks: list[bytearray] = []
    append = blocks.append
    lane0, lane1, lane2, lane3 = (
        slice(0, None, 4),
        slice(1, None, 4),
        slice(2, None, 4),
        slice(3, None, 4),
    )
    for off in range(0, len(view), block):
        buf = bytearray(view[off : off + block])  # every block starts on key byte 0
        buf[lane0] = buf[lane0].translate(t0)
        buf[lane1] = buf[lane1].translate(t1)
        buf[lane2] = buf[lane2].translate(t2)
        buf[lane3] = buf[lane3].translate(t3)
        append(buf)
    return blocks


def websocket_mask_parts(mask: bytes, data: bytes | bytearray | memoryview) -> list[bytes]:
    """Mask (or unmask) ``data`` with the 4-byte ``mask``; return the result in blocks.

    Joining the blocks gives the masked payload; a writer can hand them to
    ``transport.writelines`` or join them together with the frame header in
    one copy. Raises ``ValueError`` if ``mask`` is not 4 bytes long.
    """
    if len(mask) != 4:
        raise ValueError(f"a masking key is 4 bytes, got {len(mask)}")
    n = len(data)
    if n <= TRANSLATE_MIN_SIZE:
        return [_mask_small(mask, data, n)] if n else []
    return [bytes(block) for block in websocket_mask_blocks(mask, data)]


def websocket_mask(mask: bytes, data: bytes | bytearray | memoryview) -> bytes:
    """Return ``data`` XOR-ed with the repeated 4-byte ``mask`` (masking is its own inverse).

    Raises ``ValueError`` if ``mask`` is not 4 bytes long.
    """
    if len(mask) != 4:
        raise ValueError(f"a masking key is 4 bytes, got {len(mask)}")
    n = len(data)
    if n <= TRANSLATE_MIN_SIZE:
        return _mask_small(mask, data, n) if n else b""
    return b"".join(websocket_mask_blocks(mask, data))


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
