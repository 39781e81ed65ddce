"""``aiohttp_ws.set_zlib_backend``: permessage-deflate compresses and inflates through it."""

from __future__ import annotations

import types
import zlib
from collections.abc import Iterator

import pytest

import aiohttp_ws
from aiohttp_ws import (
    DeflateCompressor,
    DeflateDecompressor,
    WebSocketError,
    WebSocketParser,
    WebSocketSerializer,
    WSCloseCode,
    WSMsgType,
    get_zlib_backend,
    set_zlib_backend,
)
from tests._zlib_fake import counting_zlib


@pytest.fixture
def backend() -> Iterator[types.SimpleNamespace]:
    """A counting backend, installed for the test; zlib is restored afterwards."""
    fake = counting_zlib()
    set_zlib_backend(fake)
    yield fake
    set_zlib_backend(zlib)


def test_default_backend_is_zlib() -> None:
    assert get_zlib_backend() is zlib


@pytest.mark.parametrize("notakeover", [False, True])
def test_deflate_round_trip_goes_through_the_backend(
    backend: types.SimpleNamespace, notakeover: bool
) -> None:
    writer = WebSocketSerializer(use_mask=True, compress=15, notakeover=notakeover)
    reader = WebSocketParser(is_server=True, compress=True)
    assert backend.calls == {"compressobj": 1, "decompressobj": 1}
    for _ in range(3):
        messages = reader.feed_data(writer.text("deflate me " * 100))
        assert [(m.type, m.data) for m in messages] == [(WSMsgType.TEXT, "deflate me " * 100)]
    # A per-message override makes a compressor of its own, from the backend too.
    messages = reader.feed_data(writer.binary(b"\x00" * 1000, compress=9))
    assert messages[0].data == b"\x00" * 1000
    assert backend.calls["compressobj"] == 2


def test_flush_modes_come_from_the_backend(backend: types.SimpleNamespace) -> None:
    backend.Z_SYNC_FLUSH = zlib.Z_FULL_FLUSH  # observable: every message stands alone
    compressor = DeflateCompressor()
    first, second = compressor.compress(b"same" * 50), compressor.compress(b"same" * 50)
    assert first == second  # no context was carried over


def test_backend_errors_become_1007() -> None:
    class BackendError(Exception):
        pass

    class Broken:
        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            raise BackendError("corrupt")

    fake = counting_zlib()
    fake.error = BackendError
    fake.decompressobj = lambda *args: Broken()
    set_zlib_backend(fake)
    try:
        decompressor = DeflateDecompressor()
        with pytest.raises(WebSocketError) as info:
            decompressor.decompress(b"\x00", final=True, limit=100)
        assert info.value.code == WSCloseCode.INVALID_TEXT
        assert "corrupt" in str(info.value)
    finally:
        set_zlib_backend(zlib)


def test_default_level_is_the_backends_own() -> None:
    fake = counting_zlib(default_level=2)  # ISA-L-like: refuses -1
    set_zlib_backend(fake)
    try:
        DeflateCompressor().compress(b"x")
        DeflateCompressor(level=3).compress(b"x")
        WebSocketSerializer(use_mask=False, compress=15).text("x")
        assert fake.levels == [2, 3, 2]
    finally:
        set_zlib_backend(zlib)


@pytest.mark.parametrize(
    ("lib", "missing"),
    [
        (types.SimpleNamespace(compressobj=zlib.compressobj), "no decompressobj"),
        (types.SimpleNamespace(decompressobj=zlib.decompressobj), "no compressobj"),
        (object(), "no Z_FULL_FLUSH, no Z_SYNC_FLUSH"),
    ],
)
def test_unsuitable_backend_is_refused_and_nothing_changes(lib: object, missing: str) -> None:
    with pytest.raises(TypeError, match="not a zlib-compatible module: .*" + missing):
        set_zlib_backend(lib)
    assert get_zlib_backend() is zlib


def test_wrong_kinds_of_attributes_are_named() -> None:
    fake = counting_zlib()
    fake.decompressobj = None
    fake.error = "error"
    fake.Z_FULL_FLUSH = 3.0
    with pytest.raises(TypeError) as info:
        set_zlib_backend(fake)
    message = str(info.value)
    assert "decompressobj is not callable" in message
    assert "error is not an exception class" in message
    assert "Z_FULL_FLUSH is not an int" in message


def test_setter_is_exported() -> None:
    assert {"set_zlib_backend", "get_zlib_backend"} <= set(aiohttp_ws.__all__)


@pytest.mark.parametrize("window_bits", [9, 12, 15])
def test_a_real_alternative_backend_interoperates_with_zlib(window_bits: int) -> None:
    isal_zlib = pytest.importorskip("isal.isal_zlib")
    payload = b"isal and zlib agree " * 200
    set_zlib_backend(isal_zlib)
    try:
        isal_writer = WebSocketSerializer(use_mask=True, compress=window_bits)
        isal_reader = WebSocketParser(is_server=False, compress=True, window_bits=window_bits)
    finally:
        set_zlib_backend(zlib)
    zlib_reader = WebSocketParser(is_server=True, compress=True, window_bits=window_bits)
    zlib_writer = WebSocketSerializer(use_mask=False, compress=window_bits)
    for _ in range(2):  # the second message uses the first one's context
        assert zlib_reader.feed_data(isal_writer.binary(payload))[0].data == payload
        assert isal_reader.feed_data(zlib_writer.binary(payload))[0].data == payload
