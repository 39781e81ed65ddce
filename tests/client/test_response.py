"""ClientResponse: attributes, body readers, encodings, payload errors, releasing."""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

import pytest
from multidict import CIMultiDictProxy
from yarl import URL

import aiohttp_client as ac
from aiohttp_http import HttpVersion11, StreamReader
from tests.client.conftest import read_request


async def test_response_attributes(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        url = (asgi_url / "json").with_fragment("frag")
        async with session.get(url) as resp:
            assert resp.version == HttpVersion11
            assert resp.status == 200 and resp.ok
            assert resp.reason == "OK"
            assert resp.method == "GET"
            assert resp.url == asgi_url / "json"
            assert resp.real_url == url
            assert resp.host == "127.0.0.1"
            assert isinstance(resp.headers, CIMultiDictProxy)
            assert (b"content-type", b"application/json") in resp.raw_headers
            assert isinstance(resp.content, StreamReader)
            assert resp.content_type == "application/json"
            assert resp.charset is None
            assert resp.content_length == 12
            assert resp.content_disposition is None
            assert resp.history == ()
            assert resp.request_info.method == "GET"
            assert resp.request_info.url == asgi_url / "json"
            assert resp.request_info.real_url == url
            assert resp.request_info.headers["Host"] == f"127.0.0.1:{asgi_url.port}"
            assert resp.connection is not None or resp.closed
            assert await resp.json() == {"ok": True}
            assert resp.closed and resp.connection is None
            assert "200" in repr(resp)


async def test_not_ok_and_raise_for_status(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        resp = await session.get(asgi_url / "status/503")
        assert not resp.ok
        with pytest.raises(ac.ClientResponseError) as info:
            resp.raise_for_status()
        assert info.value.status == 503
        assert info.value.request_info.url == asgi_url / "status/503"
        assert resp.closed
        ok = await session.get(asgi_url / "status/204")
        ok.raise_for_status()
        assert await ok.read() == b""


async def test_text_uses_charset_then_explicit_encoding(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        params = {"charset": "latin-1", "encode": "latin-1"}
        async with session.get(asgi_url / "bytes", params=params) as resp:
            assert resp.charset == "latin-1"
            assert resp.get_encoding() == "latin-1"
            assert await resp.text() == "h\u00e9llo w\u00f6rld"
        async with session.get(asgi_url / "bytes", params={"encode": "latin-1"}) as resp:
            assert await resp.text(encoding="latin-1") == "h\u00e9llo w\u00f6rld"
            assert await resp.text(encoding="ascii", errors="replace") == "h\ufffdllo w\ufffdrld"


async def test_json_content_type_is_utf8_without_charset(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        params = {"ctype": "application/problem+json", "text": '{"k": "\u00e9"}'}
        async with session.get(asgi_url / "bytes", params=params) as resp:
            await resp.read()
            assert resp.get_encoding() == "utf-8"
            assert await resp.json() == {"k": "\u00e9"}


async def test_fallback_detects_with_chardet(asgi_url: URL) -> None:
    text = "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! " * 20
    async with ac.ClientSession() as session:
        params = {"text": text, "encode": "cp1251"}
        async with session.get(asgi_url / "bytes", params=params) as resp:
            assert resp.charset is None
            assert await resp.text() == text
            assert resp.get_encoding().lower() in ("windows-1251", "cp1251")


async def test_json_refuses_other_content_types_and_can_skip_the_check(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        async with session.get(asgi_url / "bytes", params={"text": "[1]"}) as resp:
            with pytest.raises(ac.ContentTypeError, match="unexpected mimetype: text/plain"):
                await resp.json()
            assert await resp.json(content_type=None) == [1]
            assert await resp.json(content_type="text/plain", loads=lambda s: s) == "[1]"
            assert await resp.json(content_type=None, encoding="ascii") == [1]
        async with session.get(
            asgi_url / "bytes", params={"text": "  ", "ctype": "application/json"}
        ) as resp:
            assert await resp.json() is None


async def test_links_and_content_disposition(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        async with session.get(asgi_url / "links") as resp:
            links = resp.links
            assert links["next"]["url"] == URL("https://example.com/page2")
            assert links["prev"]["url"] == asgi_url / "page1"
            assert links["prev"]["title"] == "first"
        async with session.get(asgi_url / "disposition") as resp:
            disposition = resp.content_disposition
            assert disposition is not None
            assert disposition.type == "attachment"
            assert disposition.filename == "na\u00efve.txt"
            assert disposition.parameters["filename"] == "plain.txt"


async def test_streaming_the_content(asgi_url: URL) -> None:
    async with (
        ac.ClientSession() as session,
        session.get(asgi_url / "stream", params={"n": "5", "size": "1000"}) as resp,
    ):
        chunks = [chunk async for chunk in resp.content.iter_chunked(300)]
    assert b"".join(chunks) == b"x" * 5000


async def test_truncated_content_length_body_raises_payload_error(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf!")
        await writer.drain()

    url = await raw_server(handler)
    async with ac.ClientSession() as session:
        async with session.get(url) as resp:
            with pytest.raises(ac.ClientPayloadError, match="not completed"):
                await resp.read()
        assert not session.connector._conns  # type: ignore[union-attr]


async def test_truncated_chunked_body_raises_payload_error(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        await writer.drain()

    url = await raw_server(handler)
    async with ac.ClientSession() as session, session.get(url) as resp:
        with pytest.raises(ac.ClientPayloadError):
            await resp.text()


async def test_undecodable_gzip_raises_payload_error(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        bad = gzip.compress(b"x" * 100)[:10] + b"garbage!" * 4
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "
            + str(len(bad)).encode()
            + b"\r\n\r\n"
            + bad
        )
        await writer.drain()
        await reader.read()

    url = await raw_server(handler)
    async with ac.ClientSession() as session, session.get(url) as resp:
        with pytest.raises(ac.ClientPayloadError):
            await resp.read()


async def test_garbage_status_line_is_a_response_error(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTZ/9 abc nonsense\r\n\r\n")
        await writer.drain()
        await reader.read()

    url = await raw_server(handler)
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientResponseError) as info:
            await session.get(url)
        assert info.value.status == 400
        assert not session.connector._conns  # type: ignore[union-attr]


async def test_release_before_reading_closes_the_connection(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        resp = await session.get(
            asgi_url / "stream", params={"n": "50", "size": "10000", "delay": "0.01"}
        )
        connection = resp.connection
        assert connection is not None
        protocol = connection.protocol
        await resp.release()
        assert resp.closed and resp.connection is None
        assert protocol is not None and protocol.should_close
        assert not session.connector._conns  # type: ignore[union-attr]


async def test_close_and_wait_for_close(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        resp = await session.get(asgi_url / "json")
        resp.close()
        assert resp.closed
        resp2 = await session.get(asgi_url / "json")
        await resp2.read()
        await resp2.wait_for_close()
        assert resp2.closed


async def test_reused_connection_after_body_is_read(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        async with session.get(asgi_url / "json") as resp:
            await resp.read()
        async with session.get(asgi_url / "json") as resp:
            assert resp.connection is not None or resp.closed
            await resp.read()
        connector = session.connector
        assert connector is not None
        assert sum(len(v) for v in connector._conns.values()) == 1


async def test_head_response_has_no_body(asgi_url: URL) -> None:
    async with ac.ClientSession() as session, session.head(asgi_url / "json") as resp:
        assert resp.status == 200
        assert resp.content_length == 12
        assert await resp.read() == b""


async def test_informational_responses_are_skipped(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody"
        )
        await reader.read()

    url = await raw_server(handler)
    async with ac.ClientSession() as session, session.get(url) as resp:
        assert resp.status == 200
        assert await resp.read() == b"body"


async def test_unexpected_bytes_after_a_response_prevent_reuse(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nzz")
        await reader.read()

    url = await raw_server(handler)
    async with ac.ClientSession() as session:
        async with session.get(url) as resp:
            assert await resp.read() == b"ok"
        for _ in range(100):
            if not session.connector._conns:  # type: ignore[union-attr]
                break
            await asyncio.sleep(0.01)
        idle = session.connector._conns  # type: ignore[union-attr]
        assert all(not p.is_connected() for v in idle.values() for p, _ in v)
