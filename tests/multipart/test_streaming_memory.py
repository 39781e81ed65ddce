"""A 1 GiB body, generated on the fly, streams through the reader in bounded memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator

import pytest

from aiohttp_multipart import BodyPartReader, MultipartReader

GIB = 1 << 30
CHUNK = 64 * 1024
BOUNDARY = b"----streaming-test-boundary"
# CR/LF-heavy filler that never contains the delimiter.
PATTERN = b"\r\n--streaming-test\r\n\r\r\n-" + bytes(range(32, 127))
BLOCK = (PATTERN * (CHUNK // len(PATTERN) + 1))[:CHUNK]
PARTS = 4


async def body() -> AsyncIterator[bytes]:
    """PARTS file parts of GIB / PARTS bytes each, 64 KiB at a time."""
    per_part = GIB // PARTS
    for index in range(PARTS):
        yield (
            b"--" + BOUNDARY + b"\r\n"
            b'Content-Disposition: form-data; name="f%d"; filename="big%d.bin"\r\n'
            % (index, index)
            + b"Content-Type: application/octet-stream\r\n\r\n"
        )
        for _ in range(per_part // CHUNK):
            yield BLOCK
        yield b"\r\n"
    yield b"--" + BOUNDARY + b"--\r\n"


@pytest.mark.slow
async def test_one_gib_body_streams_with_small_peak_memory() -> None:
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        reader = MultipartReader(
            {"Content-Type": "multipart/form-data; boundary=" + BOUNDARY.decode()}, body()
        )
        total = 0
        names = []
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            names.append(part.filename)
            while chunk := await part.read_chunk(CHUNK):
                total += len(chunk)
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert total == GIB
    assert names == [f"big{i}.bin" for i in range(PARTS)]
    assert peak < 50 * 1024 * 1024, f"peak memory growth {peak / 2**20:.1f} MiB"
