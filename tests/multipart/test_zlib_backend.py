"""Part encodings go through aiohttp-http's zlib backend (``aiohttp_http.set_zlib_backend``)."""

from __future__ import annotations

import gzip
import types
import zlib
from collections.abc import Iterator

import pytest

from aiohttp_http import set_zlib_backend
from aiohttp_multipart import DecodeError, MultipartPayloadWriter, PartDecoder
from tests._zlib_fake import counting_zlib


@pytest.fixture
def backend() -> Iterator[types.SimpleNamespace]:
    fake = counting_zlib()
    set_zlib_backend(fake)
    yield fake
    set_zlib_backend(zlib)


@pytest.mark.parametrize(
    ("encoding", "encoded"),
    [
        ("gzip", gzip.compress(b"part " * 100)),
        ("deflate", zlib.compress(b"part " * 100)),
        ("deflate", zlib.compress(b"part " * 100)[2:-4]),  # raw deflate: a second engine
    ],
)
def test_part_decoding_uses_the_backend(
    backend: types.SimpleNamespace, encoding: str, encoded: bytes
) -> None:
    decoder = PartDecoder(None, encoding, max_size=10_000)
    assert decoder.feed(encoded) + decoder.flush() == b"part " * 100
    assert backend.calls["decompressobj"] >= 1


def test_backend_errors_become_decode_errors() -> None:
    class BackendError(Exception):
        pass

    class Broken:
        eof = False
        unconsumed_tail = b""

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            raise BackendError("broken")

    fake = counting_zlib()
    fake.error = BackendError
    fake.decompressobj = lambda *args: Broken()
    set_zlib_backend(fake)
    try:
        with pytest.raises(DecodeError, match="broken"):
            PartDecoder(None, "gzip", max_size=100).feed(b"\x1f\x8b\x08\x00")
    finally:
        set_zlib_backend(zlib)


class Sink:
    def __init__(self) -> None:
        self.data = bytearray()

    async def write(self, data: bytes) -> None:
        self.data += data


async def test_part_compression_uses_the_backend(backend: types.SimpleNamespace) -> None:
    sink = Sink()
    writer = MultipartPayloadWriter(sink)
    writer.enable_compression("gzip")
    await writer.write(b"compressed part " * 50)
    await writer.write_eof()
    assert gzip.decompress(bytes(sink.data)) == b"compressed part " * 50
    assert backend.calls["compressobj"] == 1
