"""request() arguments: query, bodies, headers, framing, expect100, TLS settings."""

from __future__ import annotations

import asyncio
import hashlib
import io
import ssl
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from multidict import MultiDict
from yarl import URL

import aiohttp_client as ac
from aiohttp_http import get_payload
from aiohttp_multipart import FormData, MultipartWriter
from tests.client.conftest import ServerThread, asgi_app, read_request
from tests.client.test_session import body_of, header


async def echo(session: ac.ClientSession, url: URL, method: str = "POST", **kw: Any) -> Any:
    async with session.request(method, url / "echo", **kw) as resp:
        assert resp.status == 200
        return await resp.json()


@pytest.mark.parametrize(
    ("params", "query"),
    [
        ({"a": "1", "b": "x y"}, "a=1&b=x+y"),
        (MultiDict([("a", "1"), ("a", "2")]), "a=1&a=2"),
        ([("k", "v"), ("k", "w")], "k=v&k=w"),
        ("raw=1&z=%20", "raw=1&z=%20"),
    ],
)
async def test_params_shapes_end_up_in_the_query(asgi_url: URL, params: Any, query: str) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, "GET", params=params)
    assert got["query"] == query


async def test_params_extend_an_existing_query(asgi_url: URL) -> None:
    async with (
        ac.ClientSession() as session,
        session.get(asgi_url.with_path("/echo").with_query(x="0"), params={"y": "1"}) as r,
    ):
        assert (await r.json())["query"] == "x=0&y=1"


async def test_bytes_and_str_bodies(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data=b"\x00binary")
        assert body_of(got) == b"\x00binary"
        assert header(got, "content-type") == "application/octet-stream"
        assert header(got, "content-length") == "7"
        got = await echo(session, asgi_url, data="t\u00e9xt")
        assert body_of(got) == "t\u00e9xt".encode()
        assert header(got, "content-type") == "text/plain; charset=utf-8"


async def test_dict_and_pairs_bodies_are_urlencoded(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data={"a": "1", "b": "\u00e9"})
        assert body_of(got) == b"a=1&b=%C3%A9"
        assert header(got, "content-type") == "application/x-www-form-urlencoded"
        got = await echo(session, asgi_url, data=[("k", "1"), ("k", "2")])
        assert body_of(got) == b"k=1&k=2"


async def test_formdata_with_a_file_is_multipart(asgi_url: URL) -> None:
    form = FormData()
    form.add_field("field", "value")
    form.add_field("upload", io.BytesIO(b"file-content"), filename="f.bin")
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data=form)
    ctype = header(got, "content-type")
    assert ctype is not None and ctype.startswith("multipart/form-data; boundary=")
    body = body_of(got)
    assert b'name="field"' in body and b"value" in body
    assert b'filename="f.bin"' in body and b"file-content" in body


async def test_multipart_writer_body(asgi_url: URL) -> None:
    with MultipartWriter("mixed") as writer:
        writer.append("part one")
        writer.append_json({"two": 2})
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data=writer)
    assert header(got, "content-type") == f"multipart/mixed; boundary={writer.boundary}"
    assert b"part one" in body_of(got) and b'{"two": 2}' in body_of(got)


async def test_file_object_bodies_are_streamed(asgi_url: URL, tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"z" * 200_000)
    async with ac.ClientSession() as session:
        with path.open("rb") as f:
            got = await echo(session, asgi_url, data=f)
        assert body_of(got) == b"z" * 200_000
        assert header(got, "content-length") == "200000"
        got = await echo(session, asgi_url, data=io.BytesIO(b"from-bytesio"))
        assert body_of(got) == b"from-bytesio"


async def test_async_iterable_body_is_sent_chunked(asgi_url: URL) -> None:
    async def gen() -> AsyncIterator[bytes]:
        for part in (b"one,", b"two,", b"three"):
            yield part

    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data=gen())
    assert body_of(got) == b"one,two,three"
    assert header(got, "transfer-encoding") == "chunked"
    assert header(got, "content-length") is None


async def test_any_payload_is_accepted(asgi_url: URL) -> None:
    payload = get_payload(b"payload-bytes", content_type="application/x-custom")
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data=payload)
    assert body_of(got) == b"payload-bytes"
    assert header(got, "content-type") == "application/x-custom"


async def test_json_argument_and_data_together_are_refused(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, json=[1, "two"])
        assert body_of(got) == b'[1, "two"]'
        with pytest.raises(ValueError, match="data and json"):
            await session.post(asgi_url / "echo", data=b"x", json={})


async def test_post_without_body_sends_content_length_zero(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, "POST")
        assert header(got, "content-length") == "0"
        got = await echo(session, asgi_url, "GET")
        assert header(got, "content-length") is None


async def test_request_headers_skip_auto_headers_and_content_type(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        got = await echo(
            session,
            asgi_url,
            data=b"x",
            headers={"X-Custom": "1", "Content-Type": "application/vnd.mine"},
            skip_auto_headers=["Accept"],
        )
    assert header(got, "x-custom") == "1"
    assert header(got, "content-type") == "application/vnd.mine"
    assert header(got, "accept") is None
    assert header(got, "user-agent") is not None


async def test_skip_auto_headers_can_drop_the_payload_content_type(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data=b"x", skip_auto_headers=["Content-Type"])
    assert header(got, "content-type") is None


async def test_request_auth_and_url_credentials(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, "GET", auth=ac.BasicAuth("r", "q"))
        assert header(got, "authorization") == ac.BasicAuth("r", "q").encode()
        with_creds = asgi_url.with_user("urluser").with_password("urlpass")
        got = await echo(session, with_creds, "GET")
        assert header(got, "authorization") == ac.BasicAuth("urluser", "urlpass").encode()


async def test_request_cookies_are_sent_with_jar_cookies(asgi_url: URL) -> None:
    async with ac.ClientSession(cookies={"jar": "j"}) as session:
        got = await echo(session, asgi_url, "GET", cookies={"req": "r"})
        assert header(got, "cookie") in ("jar=j; req=r", "req=r; jar=j")
        got = await echo(session, asgi_url, "GET")
        assert header(got, "cookie") == "jar=j"


async def test_compress_deflates_the_body(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data=b"a" * 10_000, compress=True)
        assert header(got, "content-encoding") == "deflate"
        assert header(got, "transfer-encoding") == "chunked"
        assert zlib.decompress(body_of(got)) == b"a" * 10_000
        got = await echo(session, asgi_url, data=b"b" * 100, compress="gzip")
        assert header(got, "content-encoding") == "gzip"
        assert zlib.decompress(body_of(got), 31) == b"b" * 100
        with pytest.raises(ValueError, match="Content-Encoding"):
            await session.post(
                asgi_url / "echo", data=b"x", compress=True, headers={"Content-Encoding": "br"}
            )


async def test_chunked_forces_chunked_framing(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data=b"hello", chunked=True)
        assert header(got, "transfer-encoding") == "chunked"
        assert header(got, "content-length") is None
        assert body_of(got) == b"hello"
        with pytest.raises(ValueError, match="Content-Length"):
            await session.post(
                asgi_url / "echo", data=b"x", chunked=True, headers={"Content-Length": "1"}
            )


async def test_expect100_waits_for_continue_before_the_body(raw_server: Any) -> None:
    early: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"expect: 100-continue" in head.lower()
        try:
            early.append(await asyncio.wait_for(reader.read(1), 0.3))
        except asyncio.TimeoutError:
            pass
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await reader.readexactly(5)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + body)
        await reader.read()

    url = await raw_server(handler)
    async with (
        ac.ClientSession(expect100_timeout=10) as session,
        session.post(url, data=b"hello", expect100=True) as resp,
    ):
        assert await resp.read() == b"hello"
    assert early == []


async def test_expect100_final_status_first_means_no_body_and_no_reuse(raw_server: Any) -> None:
    after: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 2\r\n\r\nno")
        after.append(await asyncio.wait_for(reader.read(), 10))

    url = await raw_server(handler)
    async with ac.ClientSession(expect100_timeout=10) as session:
        async with session.post(url, data=b"secret-body", expect100=True) as resp:
            assert resp.status == 417
            assert await resp.read() == b"no"
        for _ in range(100):
            if after:
                break
            await asyncio.sleep(0.02)
    assert after == [b""]  # the connection was closed without the body


async def test_expect100_sends_the_body_after_its_timeout(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = await asyncio.wait_for(reader.readexactly(5), 10)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + body)

    url = await raw_server(handler)
    async with (
        ac.ClientSession(expect100_timeout=0.05) as session,
        session.put(url, data=b"later", expect100=True) as resp,
    ):
        assert await resp.read() == b"later"


async def test_expect100_against_uvicorn(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        got = await echo(session, asgi_url, data=b"continue-body", expect100=True)
    assert body_of(got) == b"continue-body"
    assert header(got, "expect") == "100-continue"


async def test_read_until_eof_false_treats_unframed_body_as_empty(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n\r\nuntil-close")
        await writer.drain()
        await asyncio.sleep(0.2)

    url = await raw_server(handler)
    async with ac.ClientSession() as session:
        async with session.get(url, read_until_eof=False) as resp:
            assert await resp.read() == b""
        async with session.get(url) as resp:
            assert await resp.read() == b"until-close"


async def test_timeout_number_is_a_total_timeout(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        with pytest.raises(asyncio.TimeoutError):
            await session.get(asgi_url / "slow", params={"delay": "3"}, timeout=0.2)


async def test_invalid_urls_are_refused() -> None:
    async with ac.ClientSession() as session:
        with pytest.raises(ac.NonHttpUrlClientError):
            await session.get("ftp://127.0.0.1/file")
        with pytest.raises(ac.InvalidUrlClientError):
            await session.get("http:///nohost")


async def test_header_injection_is_refused(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        with pytest.raises(ValueError, match="X-Bad"):
            await session.get(asgi_url / "echo", headers={"X-Bad": "a\r\nInjected: 1"})


# --- TLS ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def https_url(tls_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    cert = tls_ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    cert.private_key_pem.write_to_path(str(key_file))
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    thread = ServerThread(asgi_app)
    thread.server.config.ssl_keyfile = str(key_file)
    thread.server.config.ssl_certfile = str(cert_file)
    url = thread.start()
    yield url.with_scheme("https")
    thread.stop()


async def test_https_with_a_trusting_context(https_url: URL, tls_ca: trustme.CA) -> None:
    context = ssl.create_default_context()
    tls_ca.configure_trust(context)
    async with ac.ClientSession() as session:
        async with session.get(https_url / "json", ssl=context) as resp:
            assert await resp.json() == {"ok": True}
        async with session.get(
            https_url.with_host("localhost") / "json", ssl=context, server_hostname="localhost"
        ) as resp:
            assert resp.status == 200


async def test_https_default_verification_refuses_an_unknown_ca(https_url: URL) -> None:
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientConnectorCertificateError):
            await session.get(https_url / "json")
        with pytest.raises(ac.ClientConnectorCertificateError):
            await session.get(https_url / "json", ssl=None)
        async with session.get(https_url / "json", ssl=False) as resp:
            assert resp.status == 200


async def test_https_fingerprint_pinning(https_url: URL, tls_ca: trustme.CA) -> None:
    async with ac.ClientSession() as session:
        async with session.get(https_url / "json", ssl=False) as resp:
            transport = resp.connection.transport if resp.connection else None
            await resp.read()
        del transport
    cert = tls_ca.issue_cert("127.0.0.1")  # any other certificate
    wrong = hashlib.sha256(cert.cert_chain_pems[0].bytes()).digest()
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ServerFingerprintMismatch):
            await session.get(https_url / "json", ssl=ac.Fingerprint(wrong))


async def test_https_connector_ssl_default(https_url: URL) -> None:
    async with (
        ac.ClientSession(connector=ac.TCPConnector(ssl=False)) as session,
        session.get(https_url / "json") as resp,
    ):
        assert resp.status == 200


async def test_request_auto_decompress_overrides_the_session(asgi_url: URL) -> None:
    async with (
        ac.ClientSession() as session,
        session.get(asgi_url / "gzip", auto_decompress=False) as resp,
    ):
        assert (await resp.read())[:2] == b"\x1f\x8b"
    async with (
        ac.ClientSession(auto_decompress=False) as session,
        session.get(asgi_url / "gzip", auto_decompress=True) as resp,
    ):
        assert await resp.read() == b"compressed payload " * 100


async def test_request_max_field_size_overrides_the_session(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(
                b"HTTP/1.1 200 OK\r\nX-Long: " + b"v" * 200 + b"\r\nContent-Length: 0\r\n\r\n"
            )

    url = await raw_server(handler)
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientResponseError):
            await session.get(url, max_field_size=50)
        with pytest.raises(ac.ClientResponseError):
            await session.get(url, max_line_size=5)
        async with session.get(url) as resp:
            assert len(resp.headers["X-Long"]) == 200
