"""ClientSession options, against the shared uvicorn server and raw servers."""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import re
import warnings
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

import aiohttp_client as ac
from aiohttp_http import HttpVersion10
from tests.client.conftest import keepalive_handler, read_request


def header(echo: dict[str, Any], name: str) -> str | None:
    for key, value in echo["headers"]:
        if key.lower() == name.lower():
            return str(value)
    return None


def body_of(echo: dict[str, Any]) -> bytes:
    return base64.b64decode(echo["body"])


async def test_session_get_as_await_and_as_async_with(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        resp = await session.get(asgi_url / "json")
        assert await resp.json() == {"ok": True}
        resp.release()
        async with session.get(asgi_url / "json") as resp2:
            assert resp2.status == 200
            assert await resp2.json() == {"ok": True}


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "head", "options"])
async def test_each_method_helper_sends_its_method(asgi_url: URL, method: str) -> None:
    async with ac.ClientSession() as session:
        async with getattr(session, method)(asgi_url / "echo") as resp:
            assert resp.status == 200
            assert resp.method == method.upper()
            if method != "head":
                assert (await resp.json())["method"] == method.upper()
        async with session.request(method.upper(), asgi_url / "echo") as resp:
            assert resp.status == 200


async def test_with_statement_raises_type_error() -> None:
    session = ac.ClientSession()
    with pytest.raises(TypeError, match="async with"), session:
        pass
    await session.close()


async def test_unclosed_session_warns_with_its_creation_site() -> None:
    session = ac.ClientSession()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del session
        gc.collect()
    messages = [str(w.message) for w in caught if w.category is ResourceWarning]
    assert any(re.search(r"Unclosed client session.*test_session\.py:\d+", m) for m in messages)


async def test_unclosed_connector_with_connections_warns(raw_server: Any) -> None:
    url = await raw_server(keepalive_handler())
    connector = ac.TCPConnector()
    session = ac.ClientSession(connector=connector, connector_owner=False)
    async with session.get(url) as resp:
        await resp.read()
    await session.close()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del connector, session, resp
        gc.collect()
    messages = [str(w.message) for w in caught if w.category is ResourceWarning]
    assert any(re.search(r"Unclosed connector.*test_session\.py:\d+", m) for m in messages)


async def test_close_closed_and_detach() -> None:
    session = ac.ClientSession()
    connector = session.connector
    assert connector is not None and not session.closed
    session.detach()
    assert session.closed and session.connector is None
    assert not connector.closed
    await connector.close()
    session2 = ac.ClientSession()
    await session2.close()
    await session2.close()  # idempotent
    assert session2.closed
    with pytest.raises(RuntimeError, match="closed"):
        await session2.get("http://127.0.0.1:1/")


async def test_session_properties_reflect_arguments() -> None:
    jar = ac.DummyCookieJar()
    timeout = ac.ClientTimeout(total=12)
    auth = ac.BasicAuth("u", "p")
    async with ac.ClientSession(
        headers={"X-A": "1"},
        cookie_jar=jar,
        timeout=timeout,
        auth=auth,
        version=HttpVersion10,
        raise_for_status=True,
        auto_decompress=False,
        trust_env=True,
        requote_redirect_url=False,
        skip_auto_headers=["User-Agent"],
    ) as session:
        assert session.headers["X-A"] == "1"
        assert session.cookie_jar is jar
        assert session.timeout is timeout
        assert session.auth == auth
        assert session.version == HttpVersion10
        assert session.raise_for_status is True
        assert session.auto_decompress is False
        assert session.trust_env is True
        assert session.requote_redirect_url is False
        assert "User-Agent" in session.skip_auto_headers
        assert session.loop is asyncio.get_running_loop()
        assert session.connector_owner is True


async def test_default_timeout_is_five_minutes_total() -> None:
    async with ac.ClientSession() as session:
        assert session.timeout.total == 300


async def test_session_headers_are_sent_and_request_headers_override(asgi_url: URL) -> None:
    async with (
        ac.ClientSession(headers={"X-Session": "s", "X-Both": "session"}) as session,
        session.get(asgi_url / "echo", headers={"X-Both": "request"}) as resp,
    ):
        echo = await resp.json()
    assert header(echo, "x-session") == "s"
    assert header(echo, "x-both") == "request"


async def test_default_headers(asgi_url: URL) -> None:
    async with ac.ClientSession() as session, session.get(asgi_url / "echo") as resp:
        echo = await resp.json()
    assert header(echo, "host") == f"127.0.0.1:{asgi_url.port}"
    assert header(echo, "accept") == "*/*"
    assert header(
        echo,
        "accept-encoding",
    ).startswith("gzip, deflate")  # type: ignore[union-attr]
    assert header(echo, "user-agent").startswith("aiohttp-client/")  # type: ignore[union-attr]
    assert "Python/" in header(echo, "user-agent")  # type: ignore[operator]


async def test_session_skip_auto_headers(asgi_url: URL) -> None:
    async with (
        ac.ClientSession(skip_auto_headers=["User-Agent", "Accept-Encoding"]) as session,
        session.get(asgi_url / "echo") as resp,
    ):
        echo = await resp.json()
    assert header(echo, "user-agent") is None
    assert header(echo, "accept-encoding") is None
    assert header(echo, "accept") == "*/*"


async def test_session_auth_sends_basic_credentials(asgi_url: URL) -> None:
    async with (
        ac.ClientSession(auth=ac.BasicAuth("alice", "secret")) as session,
        session.get(asgi_url / "echo") as resp,
    ):
        echo = await resp.json()
    assert header(echo, "authorization") == ac.BasicAuth("alice", "secret").encode()


async def test_auth_and_authorization_header_together_are_refused(asgi_url: URL) -> None:
    async with ac.ClientSession(auth=ac.BasicAuth("a", "b")) as session:
        with pytest.raises(ValueError, match="AUTHORIZATION"):
            await session.get(asgi_url / "echo", headers={"Authorization": "Bearer x"})


async def test_json_serialize_is_used_for_json_bodies(asgi_url: URL) -> None:
    def dumps(obj: Any) -> str:
        return "CUSTOM" + json.dumps(obj)

    async with (
        ac.ClientSession(json_serialize=dumps) as session,
        session.post(asgi_url / "echo", json={"a": 1}) as resp,
    ):
        echo = await resp.json()
    assert body_of(echo) == b'CUSTOM{"a": 1}'
    assert header(echo, "content-type") == "application/json"


async def test_version_10_is_sent(asgi_url: URL) -> None:
    async with (
        ac.ClientSession(version=HttpVersion10) as session,
        session.get(asgi_url / "echo") as resp,
    ):
        echo = await resp.json()
    assert echo["http_version"] == "1.0"


async def test_session_cookies_and_jar_round_trip(asgi_url: URL) -> None:
    # unsafe=True: the jar refuses cookies from IP addresses otherwise (aiohttp's rule).
    jar = ac.CookieJar(unsafe=True)
    async with ac.ClientSession(cookies={"initial": "1"}, cookie_jar=jar) as session:
        async with session.get(asgi_url / "set-cookie", params={"fromserver": "2"}) as resp:
            assert resp.cookies["fromserver"].value == "2"
        async with session.get(asgi_url / "echo") as resp:
            echo = await resp.json()
        assert len(session.cookie_jar) == 2
    cookie = SimpleCookie(header(echo, "cookie"))
    assert cookie["initial"].value == "1"
    assert cookie["fromserver"].value == "2"


async def test_dummy_cookie_jar_stores_nothing(asgi_url: URL) -> None:
    async with ac.ClientSession(cookie_jar=ac.DummyCookieJar(), cookies={"x": "1"}) as session:
        async with session.get(asgi_url / "set-cookie", params={"a": "1"}) as resp:
            assert resp.cookies["a"].value == "1"
            await resp.read()
        assert len(session.cookie_jar) == 0
        async with session.get(asgi_url / "echo") as resp:
            echo = await resp.json()
    assert header(echo, "cookie") is None


async def test_raise_for_status_session_true_and_request_override(asgi_url: URL) -> None:
    async with ac.ClientSession(raise_for_status=True) as session:
        with pytest.raises(ac.ClientResponseError) as info:
            await session.get(asgi_url / "status/404")
        assert info.value.status == 404
        async with session.get(asgi_url / "status/404", raise_for_status=False) as resp:
            assert resp.status == 404
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientResponseError):
            await session.get(asgi_url / "status/500", raise_for_status=True)


async def test_raise_for_status_async_callable_is_awaited(asgi_url: URL) -> None:
    seen: list[int] = []

    async def check(resp: ac.ClientResponse) -> None:
        seen.append(resp.status)
        if resp.status == 418:
            raise RuntimeError("teapot")

    async with ac.ClientSession(raise_for_status=check) as session:
        async with session.get(asgi_url / "status/200") as resp:
            assert resp.status == 200
        with pytest.raises(RuntimeError, match="teapot"):
            await session.get(asgi_url / "status/418")
    assert seen == [200, 418]


async def test_connector_owner_false_keeps_the_connector_open() -> None:
    connector = ac.TCPConnector()
    async with ac.ClientSession(connector=connector, connector_owner=False):
        pass
    assert not connector.closed
    async with ac.ClientSession(connector=connector):
        pass
    assert connector.closed


async def test_auto_decompress_false_returns_the_raw_gzip(asgi_url: URL) -> None:
    async with (
        ac.ClientSession(auto_decompress=False) as session,
        session.get(asgi_url / "gzip") as resp,
    ):
        raw = await resp.read()
    assert raw[:2] == b"\x1f\x8b"
    async with ac.ClientSession() as session, session.get(asgi_url / "gzip") as resp:
        assert await resp.read() == b"compressed payload " * 100


async def test_read_bufsize_sets_the_stream_limits(asgi_url: URL) -> None:
    async with ac.ClientSession(read_bufsize=1024) as session:
        async with session.get(asgi_url / "json") as resp:
            assert resp.content.get_read_buffer_limits() == (1024, 2048)
        async with session.get(asgi_url / "json", read_bufsize=4096) as resp:
            assert resp.content.get_read_buffer_limits() == (4096, 8192)


async def test_requote_redirect_url_false_keeps_location_bytes(raw_server: Any) -> None:
    targets: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await read_request(reader)
            target = head.split(b" ")[1]
            targets.append(target)
            if target == b"/start":
                writer.write(
                    b"HTTP/1.1 302 Found\r\nLocation: /a%2Fb%7e\r\nContent-Length: 0\r\n\r\n"
                )
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    url = await raw_server(handler)
    async with ac.ClientSession() as session:
        async with session.get(url / "start") as resp:
            assert resp.status == 200
        session.requote_redirect_url = False
        async with session.get(url / "start") as resp:
            assert resp.status == 200
    assert targets[1] == b"/a%2Fb~"
    assert targets[3] == b"/a%2Fb%7e"


async def test_trust_env_uses_netrc_credentials(
    asgi_url: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login netuser password netpass\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    async with ac.ClientSession(trust_env=True) as session, session.get(asgi_url / "echo") as resp:
        echo = await resp.json()
    assert header(echo, "authorization") == ac.BasicAuth("netuser", "netpass").encode()
    async with ac.ClientSession() as session, session.get(asgi_url / "echo") as resp:
        assert header(await resp.json(), "authorization") is None


async def test_base_url_joins_relative_urls(asgi_url: URL) -> None:
    async with ac.ClientSession(base_url=asgi_url) as session:
        async with session.get("/echo", params={"q": "1"}) as resp:
            echo = await resp.json()
        assert session.base_url == asgi_url
    assert echo["path"] == "/echo"
    assert echo["query"] == "q=1"
    with pytest.raises(ValueError, match="absolute"):
        ac.ClientSession(base_url="/relative")


async def test_fallback_charset_resolver_is_used_without_charset(asgi_url: URL) -> None:
    calls: list[bytes] = []

    def resolver(resp: ac.ClientResponse, body: bytes) -> str:
        calls.append(body)
        return "latin-1"

    async with (
        ac.ClientSession(fallback_charset_resolver=resolver) as session,
        session.get(asgi_url / "bytes", params={"encode": "utf-8"}) as resp,
    ):
        text = await resp.text()
    assert calls and text == "h\u00e9llo w\u00f6rld".encode().decode("latin-1")


async def test_max_line_size_and_max_field_size_limit_the_head(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(
                b"HTTP/1.1 200 OK\r\nX-Big: " + b"v" * 300 + b"\r\nContent-Length: 0\r\n\r\n"
            )

    url = await raw_server(handler)
    async with ac.ClientSession(max_field_size=100) as session:
        with pytest.raises(ac.ClientResponseError) as info:
            await session.get(url)
        assert info.value.status == 400
        async with session.get(url, max_field_size=1000) as resp:
            assert resp.headers["X-Big"] == "v" * 300
    async with ac.ClientSession(max_line_size=10) as session:
        with pytest.raises(ac.ClientResponseError):
            await session.get(url)


async def test_deprecated_read_and_conn_timeout_map_to_client_timeout() -> None:
    with pytest.warns(DeprecationWarning, match="read_timeout and conn_timeout"):
        session = ac.ClientSession(read_timeout=7, conn_timeout=3)
    assert session.timeout == ac.ClientTimeout(total=7, connect=3)
    await session.close()


async def test_module_level_request_closes_its_session(asgi_url: URL) -> None:
    async with ac.request("GET", asgi_url / "json") as resp:
        assert await resp.json() == {"ok": True}
        connector = resp.connection
    assert connector is None  # body read: connection released (and closed, force_close)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gc.collect()


async def test_module_level_request_with_shared_connector(asgi_url: URL) -> None:
    connector = ac.TCPConnector()
    async with ac.request("POST", asgi_url / "echo", data=b"x", connector=connector) as resp:
        assert body_of(await resp.json()) == b"x"
    assert not connector.closed
    await connector.close()


async def test_unreachable_proxy_raises_client_proxy_connection_error(asgi_url: URL) -> None:
    import socket

    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientProxyConnectionError):
            await session.get(asgi_url, proxy=proxy)
    async with ac.ClientSession(proxy=proxy) as session:
        with pytest.raises(ac.ClientProxyConnectionError):
            await session.get(asgi_url)
