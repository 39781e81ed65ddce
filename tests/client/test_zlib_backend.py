"""``aiohttp_client.set_zlib_backend`` (aiohttp's ``set_zlib_backend``): one switch for all zlib use.

It sets aiohttp-http's backend (body decoding and compression, multipart part
encodings) and aiohttp-ws's (permessage-deflate) together.
"""

from __future__ import annotations

import gzip
import types
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from yarl import URL

import aiohttp_client as ac
import aiohttp_http
import aiohttp_ws
from aiohttp_ws import PerMessageDeflate
from tests._zlib_fake import counting_zlib
from tests.client.test_request import body_of, echo, header
from tests.client.test_websocket import PairFactory, ws_pair  # noqa: F401 - fixture


@pytest.fixture
def backend() -> Iterator[types.SimpleNamespace]:
    """A counting backend, installed for the test; zlib is restored afterwards."""
    fake = counting_zlib()
    ac.set_zlib_backend(fake)
    yield fake
    ac.set_zlib_backend(zlib)


def test_sets_the_backend_of_http_and_ws(backend: types.SimpleNamespace) -> None:
    assert aiohttp_http.get_zlib_backend() is backend
    assert aiohttp_ws.get_zlib_backend() is backend
    ac.set_zlib_backend(zlib)
    assert aiohttp_http.get_zlib_backend() is zlib
    assert aiohttp_ws.get_zlib_backend() is zlib


async def test_session_bodies_compress_and_decode_through_the_backend(
    backend: types.SimpleNamespace, asgi_url: URL
) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data=b"up " * 1000, compress="gzip")
        assert header(got, "content-encoding") == "gzip"
        assert gzip.decompress(body_of(got)) == b"up " * 1000
        assert backend.calls["compressobj"] == 1
        async with session.get(asgi_url / "gzip") as resp:
            assert await resp.read() == b"compressed payload " * 100
        assert backend.calls["decompressobj"] == 1


async def test_websocket_deflate_goes_through_the_backend(
    backend: types.SimpleNamespace,
    ws_pair: PairFactory,  # noqa: F811
) -> None:
    client, server = await ws_pair(deflate=PerMessageDeflate())
    assert backend.calls == {"compressobj": 2, "decompressobj": 2}  # one each per side
    await client.send_str("deflated " * 100)
    assert await server.receive_str() == "deflated " * 100


def test_unsuitable_backend_changes_nothing() -> None:
    with pytest.raises(TypeError, match="no decompressobj"):
        ac.set_zlib_backend(types.SimpleNamespace(compressobj=zlib.compressobj))
    assert aiohttp_http.get_zlib_backend() is zlib
    assert aiohttp_ws.get_zlib_backend() is zlib


def test_a_refusal_by_the_ws_side_restores_the_http_side(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(lib: object) -> None:
        raise TypeError("refused")

    monkeypatch.setattr(aiohttp_ws, "set_zlib_backend", refuse)
    with pytest.raises(TypeError, match="refused"):
        ac.set_zlib_backend(counting_zlib())
    assert aiohttp_http.get_zlib_backend() is zlib


async def test_a_real_alternative_backend_end_to_end(
    asgi_url: URL,
    ws_pair: PairFactory,  # noqa: F811
) -> None:
    isal_zlib: Any = pytest.importorskip("isal.isal_zlib")
    ac.set_zlib_backend(isal_zlib)
    try:
        async with ac.ClientSession() as session:
            got = await echo(session, asgi_url, data=b"isal " * 1000, compress=True)
            assert zlib.decompress(body_of(got)) == b"isal " * 1000
            async with session.get(asgi_url / "gzip") as resp:
                assert await resp.read() == b"compressed payload " * 100
        client, server = await ws_pair(deflate=PerMessageDeflate(client_no_context_takeover=True))
        for _ in range(2):
            await client.send_str("over isal " * 100)
            assert await server.receive_str() == "over isal " * 100
            await server.send_bytes(b"back " * 100)
            assert await client.receive_bytes() == b"back " * 100
    finally:
        ac.set_zlib_backend(zlib)
