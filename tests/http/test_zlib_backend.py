"""``aiohttp_http.set_zlib_backend``: every deflate/gzip stream of aiohttp-http uses the backend."""

from __future__ import annotations

import gzip
import types
import zlib
from collections.abc import Iterator

import pytest

import aiohttp_http
from aiohttp_http import (
    BodyCompressor,
    ContentDecoder,
    ContentEncodingError,
    Data,
    HttpResponseParser,
    get_zlib_backend,
    set_zlib_backend,
)
from tests._zlib_fake import counting_zlib
from tests.http.test_stream_writer import bounded, make_writer


@pytest.fixture
def backend() -> Iterator[types.SimpleNamespace]:
    """A counting backend, installed for the test; zlib is restored afterwards."""
    fake = counting_zlib()
    set_zlib_backend(fake)
    yield fake
    set_zlib_backend(zlib)


def test_default_backend_is_zlib() -> None:
    assert get_zlib_backend() is zlib


def test_gzip_and_deflate_decoding_use_the_backend(backend: types.SimpleNamespace) -> None:
    body = b"decode me " * 500
    decoder = ContentDecoder("gzip")
    assert b"".join(decoder.decompress(gzip.compress(body)) + decoder.finish()) == body
    for encoded in (zlib.compress(body), zlib.compress(body)[2:-4]):  # zlib-wrapped, raw
        decoder = ContentDecoder("deflate")
        assert b"".join(decoder.decompress(encoded) + decoder.finish()) == body
    assert backend.calls["decompressobj"] == 3


def test_response_parser_decodes_through_the_backend(backend: types.SimpleNamespace) -> None:
    body = gzip.compress(b"payload " * 100)
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
    events = HttpResponseParser().feed_data(head + body)
    assert b"".join(e.data for e in events if isinstance(e, Data)) == b"payload " * 100
    assert backend.calls["decompressobj"] == 1


def test_backend_errors_become_content_encoding_errors() -> None:
    class BackendError(Exception):
        pass

    class Broken:
        eof = False
        unused_data = b""
        unconsumed_tail = b""

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            raise BackendError("bad stream")

    fake = counting_zlib()
    fake.error = BackendError
    fake.decompressobj = lambda *args: Broken()
    set_zlib_backend(fake)
    try:
        decoder = ContentDecoder("gzip")
        with pytest.raises(ContentEncodingError, match="bad stream"):
            decoder.decompress(b"\x1f\x8b...")
    finally:
        set_zlib_backend(zlib)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_body_compressor_uses_the_backend(backend: types.SimpleNamespace, encoding: str) -> None:
    compressor = BodyCompressor(encoding)
    data = compressor.compress(b"squeeze " * 300) + compressor.flush()
    wbits = 31 if encoding == "gzip" else 15
    assert zlib.decompress(data, wbits) == b"squeeze " * 300
    assert backend.calls["compressobj"] == 1


def test_default_level_is_the_backends_own() -> None:
    # An ISA-L-like backend: levels 0-3, default 2, refuses zlib's -1.
    fake = counting_zlib(default_level=2)
    set_zlib_backend(fake)
    try:
        BodyCompressor("gzip").flush()
        BodyCompressor("gzip", level=1).flush()
        assert fake.levels == [2, 1]
    finally:
        set_zlib_backend(zlib)


async def test_stream_writer_compression_uses_the_backend(
    backend: types.SimpleNamespace,
) -> None:
    writer, transport, _ = make_writer()
    writer.enable_compression("gzip")
    await bounded(writer.write(b"streamed " * 200))
    await bounded(writer.write_eof())
    assert gzip.decompress(bytes(transport.data)) == b"streamed " * 200
    assert backend.calls["compressobj"] == 1


def test_streams_keep_the_backend_they_started_with(backend: types.SimpleNamespace) -> None:
    decoder = ContentDecoder("gzip")
    encoded = gzip.compress(b"x" * 1000)
    pieces = decoder.decompress(encoded[:10])
    set_zlib_backend(zlib)
    pieces += decoder.decompress(encoded[10:]) + decoder.finish()
    assert b"".join(pieces) == b"x" * 1000
    assert backend.calls["decompressobj"] == 1


@pytest.mark.parametrize(
    ("lib", "missing"),
    [
        (types.SimpleNamespace(compressobj=zlib.compressobj), "no decompressobj"),
        (types.SimpleNamespace(), "no compressobj, no decompressobj, no error, no DEFLATED"),
        (object(), "no Z_SYNC_FLUSH"),
    ],
)
def test_unsuitable_backend_is_refused_and_nothing_changes(lib: object, missing: str) -> None:
    with pytest.raises(TypeError, match="not a zlib-compatible module: .*" + missing):
        set_zlib_backend(lib)
    assert get_zlib_backend() is zlib


def test_wrong_kinds_of_attributes_are_named() -> None:
    fake = counting_zlib()
    fake.compressobj = "not callable"
    fake.error = ValueError("an instance")
    fake.MAX_WBITS = "15"
    with pytest.raises(TypeError) as info:
        set_zlib_backend(fake)
    message = str(info.value)
    assert "'counting_zlib' is not a zlib-compatible module" in message
    assert "compressobj is not callable" in message
    assert "error is not an exception class" in message
    assert "MAX_WBITS is not an int" in message
    assert get_zlib_backend() is zlib


def test_setter_is_exported() -> None:
    assert {"set_zlib_backend", "get_zlib_backend"} <= set(aiohttp_http.__all__)


def test_a_real_alternative_backend_round_trips() -> None:
    isal_zlib = pytest.importorskip("isal.isal_zlib")
    set_zlib_backend(isal_zlib)
    try:
        compressor = BodyCompressor("gzip")  # level -1 becomes ISA-L's default
        data = compressor.compress(b"isal " * 1000) + compressor.flush()
        assert gzip.decompress(data) == b"isal " * 1000
        for encoding, encoded in (
            ("gzip", gzip.compress(b"one") + gzip.compress(b"two")),  # multi-member
            ("deflate", zlib.compress(b"wrapped " * 100)),
            ("deflate", zlib.compress(b"raw " * 100)[2:-4]),
        ):
            decoder = ContentDecoder(encoding)
            decoded = b"".join(decoder.decompress(encoded) + decoder.finish())
            assert decoded in (b"onetwo", b"wrapped " * 100, b"raw " * 100)
        with pytest.raises(ContentEncodingError):
            ContentDecoder("gzip").decompress(b"\x1f\x8b\x08\x00garbage-garbage-garbage")
    finally:
        set_zlib_backend(zlib)
