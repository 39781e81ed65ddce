"""``SupportsDefaultProxy``: a connector that names the proxy of the sessions built on it."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from yarl import URL

import aiohttp_client as ac
from tests.client.proxy_server import Servers, start_http_proxy, start_origin


class ProxiedConnector(ac.TCPConnector):
    """The smallest implementation of the protocol: two read-only properties."""

    def __init__(
        self, proxy: ac.StrOrURL | None, proxy_auth: ac.BasicAuth | None = None, **kw: Any
    ) -> None:
        super().__init__(**kw)
        self._proxy = proxy
        self._proxy_auth = proxy_auth

    @property
    def default_proxy(self) -> ac.StrOrURL | None:
        return self._proxy

    @property
    def default_proxy_auth(self) -> ac.BasicAuth | None:
        return self._proxy_auth


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    pool = Servers()
    yield pool
    await pool.close()


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


async def fetch(session: ac.ClientSession, url: URL, **kwargs: Any) -> dict[str, Any]:
    async with session.get(url, **kwargs) as resp:
        assert resp.status == 200, resp.status
        data: dict[str, Any] = json.loads(await resp.read())
        return data


async def test_only_connectors_with_both_properties_support_a_default_proxy() -> None:
    plain = ac.TCPConnector()
    proxied = ProxiedConnector(None)
    try:
        assert not isinstance(plain, ac.SupportsDefaultProxy)
        assert isinstance(proxied, ac.SupportsDefaultProxy)
    finally:
        await plain.close()
        await proxied.close()


async def test_session_sends_every_request_through_the_connector_proxy(
    servers: Servers,
) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers, auth=("user", "pw"))
    connector = ProxiedConnector(proxy, ac.BasicAuth("user", "pw"))
    async with ac.ClientSession(connector=connector) as session:
        seen = await fetch(session, origin / "one")
        await fetch(session, origin / "two")
    assert [(m, t) for m, t, _ in log.requests] == [
        ("GET", f"{origin}/one"),
        ("GET", f"{origin}/two"),
    ]
    assert all(h["proxy-authorization"] == basic("user", "pw") for _, _, h in log.requests)
    assert seen["target"] == "/one"
    assert "proxy-authorization" not in seen["headers"]


async def test_module_level_request_uses_the_connector_proxy(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers)
    connector = ProxiedConnector(str(proxy), force_close=True)
    try:
        async with ac.request("GET", origin / "x", connector=connector) as resp:
            assert resp.status == 200
            await resp.read()
    finally:
        await connector.close()
    assert log.requests[0][:2] == ("GET", f"{origin}/x")


async def test_a_connector_without_a_proxy_connects_directly(servers: Servers) -> None:
    origin = await start_origin(servers)
    async with ac.ClientSession(connector=ProxiedConnector(None)) as session:
        seen = await fetch(session, origin / "direct")
    assert seen["target"] == "/direct"


async def test_session_and_request_proxies_win_over_the_connector_proxy(
    servers: Servers,
) -> None:
    origin = await start_origin(servers)
    connector_proxy, connector_log = await start_http_proxy(servers)
    session_proxy, session_log = await start_http_proxy(servers)
    request_proxy, request_log = await start_http_proxy(servers)
    async with ac.ClientSession(
        connector=ProxiedConnector(connector_proxy), proxy=session_proxy
    ) as session:
        await fetch(session, origin / "session")
        await fetch(session, origin / "request", proxy=request_proxy)
    assert connector_log.requests == []
    assert [t for _, t, _ in session_log.requests] == [f"{origin}/session"]
    assert [t for _, t, _ in request_log.requests] == [f"{origin}/request"]


async def test_session_proxy_auth_goes_with_the_connector_proxy(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers, auth=("s", "p"))
    connector = ProxiedConnector(proxy, ac.BasicAuth("wrong", "x"))
    async with ac.ClientSession(connector=connector, proxy_auth=ac.BasicAuth("s", "p")) as session:
        await fetch(session, origin)
    assert log.requests[0][2]["proxy-authorization"] == basic("s", "p")
