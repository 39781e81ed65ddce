"""``aiohttp.ProxyConnector`` and the older connector arguments, through real local proxies."""

from __future__ import annotations

import asyncio
import base64
import json
import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from yarl import URL

import aiohttp
import aiohttp.connector
import aiohttp_client
from tests.client.proxy_server import (
    TLS,
    Servers,
    make_tls,
    start_http_proxy,
    start_origin,
    start_socks5_proxy,
)

REPLACEMENT = (
    r"use aiohttp\.ClientSession\(proxy=\.\.\., proxy_auth=\.\.\.\) or the proxy= argument"
)


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    pool = Servers()
    yield pool
    await pool.close()


@pytest.fixture(scope="module")
def tls() -> TLS:
    return make_tls()


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def proxy_connector_class() -> Any:
    with pytest.warns(DeprecationWarning, match=REPLACEMENT) as record:
        cls = aiohttp.ProxyConnector
    assert "aiohttp.ProxyConnector is deprecated" in str(record[0].message)
    return cls


def make(proxy: Any, **kwargs: Any) -> Any:
    cls = proxy_connector_class()
    with pytest.warns(DeprecationWarning, match=REPLACEMENT) as record:
        connector = cls(proxy, **kwargs)
    assert "ProxyConnector is deprecated" in str(record[0].message)
    return connector


async def fetch(session: aiohttp.ClientSession, url: Any, **kwargs: Any) -> dict[str, Any]:
    async with session.get(url, **kwargs) as resp:
        assert resp.status == 200, resp.status
        data: dict[str, Any] = json.loads(await resp.read())
        return data


# --- the names ---------------------------------------------------------------------------


def test_proxy_connector_is_a_deprecated_alias_outside_all() -> None:
    cls = proxy_connector_class()
    assert issubclass(cls, aiohttp.TCPConnector)
    assert issubclass(cls, aiohttp_client.TCPConnector)
    assert "ProxyConnector" not in aiohttp.__all__
    assert "ProxyConnector" not in aiohttp.connector.__all__
    with pytest.warns(DeprecationWarning, match=REPLACEMENT) as record:
        assert aiohttp.connector.ProxyConnector is cls
    assert "aiohttp.connector.ProxyConnector is deprecated" in str(record[0].message)
    with pytest.warns(DeprecationWarning, match=REPLACEMENT):
        from aiohttp import ProxyConnector  # noqa: F401
    with pytest.raises(AttributeError):
        aiohttp.connector.NoSuchConnector  # noqa: B018


async def test_proxy_connector_properties_and_defaults() -> None:
    auth = aiohttp.BasicAuth("user", "pw")
    connector = make("http://proxy.test:3128", proxy_auth=auth)
    try:
        assert connector.proxy == "http://proxy.test:3128"
        assert connector.proxy_auth is auth
        assert connector.force_close  # the older documents: no keep-alive by default
        assert isinstance(connector, aiohttp.TCPConnector)
        assert isinstance(connector, aiohttp_client.SupportsDefaultProxy)
        assert "proxy.test:3128" in repr(connector)
    finally:
        await connector.close()
    keeping = make(URL("http://u:secret@proxy.test:3128"), keepalive_timeout=5)
    try:
        assert not keeping.force_close
        assert keeping.keepalive_timeout == 5
        assert "secret" not in repr(keeping)
    finally:
        await keeping.close()


@pytest.mark.parametrize(
    ("proxy", "kwargs", "message"),
    [
        ("ftp://proxy.test", {}, "Unsupported proxy scheme 'ftp'"),
        ("http://", {}, "has no host"),
        ("http://proxy.test:99999", {}, "Port"),
        ("http://proxy.test", {"proxy_auth": ("user", "pw")}, "proxy_auth must be"),
    ],
)
async def test_proxy_connector_refuses_bad_arguments(
    proxy: str, kwargs: dict[str, Any], message: str
) -> None:
    cls = proxy_connector_class()
    with (
        pytest.warns(DeprecationWarning, match=REPLACEMENT),
        pytest.raises(ValueError, match=message),
    ):
        cls(proxy, **kwargs)


# --- requests through the proxy -------------------------------------------------------


async def test_session_sends_every_request_through_the_proxy(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers, auth=("user", "pw"))
    connector = make(str(proxy), proxy_auth=aiohttp.BasicAuth("user", "pw"))
    async with aiohttp.ClientSession(connector=connector) as session:
        seen = await fetch(session, origin / "a")
        async with session.post(origin / "b", data=b"body") as resp:
            posted = json.loads(await resp.read())
    assert [(m, t) for m, t, _ in log.requests] == [
        ("GET", f"{origin}/a"),
        ("POST", f"{origin}/b"),
    ]
    for _, _, headers in log.requests:
        assert headers["proxy-authorization"] == basic("user", "pw")
    assert seen["target"] == "/a"
    assert posted["body"] == "body"
    assert "proxy-authorization" not in seen["headers"]
    assert log.connections == 2  # force_close: a connection per request


async def test_credentials_in_the_proxy_url_reach_the_proxy(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers, auth=("alice", "s3cret"))
    connector = make(proxy.with_user("alice").with_password("s3cret"))
    async with aiohttp.ClientSession(connector=connector) as session:
        await fetch(session, origin)
    assert log.requests[0][2]["proxy-authorization"] == basic("alice", "s3cret")


async def test_https_target_goes_through_a_connect_tunnel(servers: Servers, tls: TLS) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    proxy, log = await start_http_proxy(servers)
    connector = make(proxy, ssl=tls.client)  # TCPConnector arguments pass through
    async with aiohttp.ClientSession(connector=connector) as session:
        seen = await fetch(session, origin / "secret")
    assert log.requests[0][:2] == ("CONNECT", f"127.0.0.1:{origin.port}")
    assert seen["target"] == "/secret"


async def test_a_request_proxy_still_wins(servers: Servers) -> None:
    origin = await start_origin(servers)
    connector_proxy, connector_log = await start_http_proxy(servers)
    other, other_log = await start_http_proxy(servers)
    async with aiohttp.ClientSession(connector=make(connector_proxy)) as session:
        await fetch(session, origin, proxy=other)
    assert connector_log.requests == []
    assert len(other_log.requests) == 1


async def test_module_level_get_goes_through_the_proxy(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers)
    connector = make(proxy)
    try:
        with pytest.warns(DeprecationWarning, match=r"aiohttp\.ClientSession\.get\(\)"):
            get = aiohttp.get
        resp = await asyncio.wait_for(get(origin / "old", connector=connector), 10)
        assert resp.status == 200
        assert json.loads(await resp.read())["target"] == "/old"
    finally:
        await connector.close()
    assert log.requests[0][:2] == ("GET", f"{origin}/old")


async def _echo(connection: ServerConnection) -> None:
    async for message in connection:
        await connection.send(message)


async def test_websockets_go_through_the_proxy(servers: Servers) -> None:
    proxy, log = await start_socks5_proxy(servers)
    async with serve(_echo, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        url = f"ws://127.0.0.1:{port}/"
        connector = make(proxy)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            session.ws_connect(url) as ws,
        ):
            await ws.send_str("through the session")
            message = await asyncio.wait_for(ws.receive(), 10)
            assert message.data == "through the session"
        connector = make(proxy)
        try:
            with pytest.warns(DeprecationWarning, match=r"ClientSession\.ws_connect\(\)"):
                ws_connect = aiohttp.ws_connect
            async with ws_connect(url, connector=connector) as ws:
                await ws.send_str("through aiohttp.ws_connect")
                message = await asyncio.wait_for(ws.receive(), 10)
                assert message.data == "through aiohttp.ws_connect"
        finally:
            await connector.close()
    assert [target for _, target, _ in log.requests] == [f"127.0.0.1:{port}"] * 2


# --- TCPConnector's older arguments through the umbrella ---------------------------------


async def test_tcp_connector_older_arguments_warn_with_their_replacement() -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        connector = aiohttp.TCPConnector(
            resolve=False, conn_timeout=5, share_cookies=False, verify_ssl=False
        )
    messages = sorted(str(w.message) for w in record if w.category is DeprecationWarning)
    assert len(messages) == 4
    assert any("use use_dns_cache instead" in m for m in messages)
    assert any("ClientTimeout(connect=...)" in m for m in messages)
    assert any("cookie_jar of a ClientSession" in m for m in messages)
    assert any("use ssl=" in m for m in messages)
    try:
        assert connector.use_dns_cache is False
        with pytest.warns(DeprecationWarning, match=r"TCPConnector\.cached_hosts"):
            assert dict(connector.resolved_hosts) == {}
        with pytest.warns(DeprecationWarning, match=r"TCPConnector\.clear_dns_cache\(\)"):
            connector.clear_resolved_hosts()
    finally:
        await connector.close()
