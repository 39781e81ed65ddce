"""Connector and session arguments of the older documents: each warns, each still works."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
from yarl import URL

import aiohttp_client as ac
from tests.client.proxy_server import Servers, start_origin


class CountingResolver(ac.AbstractResolver):
    """Resolves every name to 127.0.0.1 and counts the calls; ``hang`` never answers."""

    def __init__(self, *, hang: bool = False) -> None:
        self.calls = 0
        self.hang = hang

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ac.ResolveResult]:
        self.calls += 1
        if self.hang:
            await asyncio.Event().wait()
        return [
            ac.ResolveResult(
                hostname=host, host="127.0.0.1", port=port, family=socket.AF_INET, proto=0, flags=0
            )
        ]

    async def close(self) -> None:
        pass


@pytest.fixture
async def origin() -> AsyncIterator[URL]:
    servers = Servers()
    url = await start_origin(servers)
    yield url.with_host("svc.test")
    await servers.close()


async def get(session: ac.ClientSession, url: URL) -> None:
    async with session.get(url) as resp:
        assert resp.status == 200
        await resp.read()


# --- TCPConnector(resolve=...) -----------------------------------------------------------


async def test_resolve_false_warns_and_disables_the_dns_cache(origin: URL) -> None:
    resolver = CountingResolver()
    with pytest.warns(DeprecationWarning, match="use use_dns_cache instead"):
        connector = ac.TCPConnector(resolve=False, resolver=resolver, force_close=True)
    assert connector.use_dns_cache is False
    async with ac.ClientSession(connector=connector) as session:
        for _ in range(3):
            await get(session, origin)
    assert resolver.calls == 3


async def test_resolve_true_warns_and_caches(origin: URL) -> None:
    resolver = CountingResolver()
    with pytest.warns(DeprecationWarning, match="use use_dns_cache instead"):
        connector = ac.TCPConnector(resolve=True, resolver=resolver, force_close=True)
    async with ac.ClientSession(connector=connector) as session:
        for _ in range(3):
            await get(session, origin)
    assert resolver.calls == 1


async def test_resolve_must_agree_with_use_dns_cache() -> None:
    with (
        pytest.warns(DeprecationWarning, match="use_dns_cache"),
        pytest.raises(ValueError, match="use_dns_cache must agree with resolve"),
    ):
        ac.TCPConnector(resolve=True, use_dns_cache=False)


# --- resolved_hosts, clear_resolved_hosts() ----------------------------------------------


async def test_resolved_hosts_shows_the_cached_addresses(origin: URL) -> None:
    connector = ac.TCPConnector(resolver=CountingResolver(), force_close=True)
    async with ac.ClientSession(connector=connector) as session:
        with pytest.warns(DeprecationWarning, match=r"use TCPConnector\.cached_hosts"):
            assert dict(connector.resolved_hosts) == {}
        await get(session, origin)
        with pytest.warns(DeprecationWarning, match=r"use TCPConnector\.cached_hosts"):
            hosts = connector.resolved_hosts
    key = ("svc.test", origin.port or 0)
    assert list(hosts) == [key]
    [address] = hosts[key]
    assert address["hostname"] == "svc.test"
    assert address["host"] == "127.0.0.1"
    assert address["port"] == origin.port
    assert address["family"] == socket.AF_INET
    with pytest.raises(TypeError):
        hosts[key] = []  # type: ignore[index]  # a read-only mapping


async def test_clear_resolved_hosts_empties_the_cache(origin: URL) -> None:
    resolver = CountingResolver()
    connector = ac.TCPConnector(resolver=resolver, force_close=True)
    other = origin.with_port((origin.port or 0) + 1)
    async with ac.ClientSession(connector=connector) as session:
        await get(session, origin)
        connector._cached_hosts.add(("svc.test", other.port or 0), [])
        with pytest.warns(DeprecationWarning, match=r"use TCPConnector\.clear_dns_cache\(\)"):
            connector.clear_resolved_hosts("svc.test", origin.port)
        assert list(connector.cached_hosts) == [("svc.test", other.port)]
        with pytest.warns(DeprecationWarning, match=r"clear_dns_cache"):
            connector.clear_resolved_hosts()
        assert not connector.cached_hosts
        await get(session, origin)
        assert resolver.calls == 2
        with (
            pytest.warns(DeprecationWarning, match="clear_dns_cache"),
            pytest.raises(ValueError, match="both host and port"),
        ):
            connector.clear_resolved_hosts("svc.test")


# --- the older read-only properties -----------------------------------------------------


async def test_older_properties_warn_and_answer() -> None:
    digest = bytes(range(32))
    plain = ac.TCPConnector(use_dns_cache=False)
    with pytest.warns(DeprecationWarning, match="ssl="):
        pinned = ac.TCPConnector(fingerprint=digest)
    context = ssl.create_default_context()
    try:
        with pytest.warns(DeprecationWarning, match=r"use TCPConnector\.use_dns_cache"):
            assert plain.dns_cache is False
        with pytest.warns(DeprecationWarning, match=r"use TCPConnector\.use_dns_cache"):
            assert plain.resolve is False
        with pytest.warns(DeprecationWarning, match="use the ssl argument"):
            assert plain.verify_ssl is True
        with pytest.warns(DeprecationWarning, match="use the ssl argument"):
            assert pinned.verify_ssl is False
        with pytest.warns(DeprecationWarning, match="use the ssl argument"):
            assert plain.ssl_context.verify_mode == ssl.CERT_REQUIRED
        with pytest.warns(DeprecationWarning, match="use the ssl argument"):
            assert plain.fingerprint is None
        with pytest.warns(DeprecationWarning, match=r"use the ssl argument \(a Fingerprint\)"):
            assert pinned.fingerprint == digest
        mine = ac.TCPConnector(ssl=context)
        with pytest.warns(DeprecationWarning, match="use the ssl argument"):
            assert mine.ssl_context is context
        with pytest.warns(DeprecationWarning, match="use the ssl argument"):
            assert mine.verify_ssl is True
        await mine.close()
    finally:
        await plain.close()
        await pinned.close()


# --- conn_timeout ------------------------------------------------------------------------


async def test_conn_timeout_bounds_opening_a_connection() -> None:
    resolver = CountingResolver(hang=True)
    with pytest.warns(DeprecationWarning, match=r"use ClientSession\(timeout=ClientTimeout"):
        connector = ac.TCPConnector(conn_timeout=0.2, resolver=resolver)
    # The session's own (longer) connect timeout does not lift the connector's bound.
    timeout = ac.ClientTimeout(total=30, connect=30)
    async with ac.ClientSession(connector=connector, timeout=timeout) as session:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(ac.ConnectionTimeoutError, match=r"conn_timeout=0\.2s"):
            await asyncio.wait_for(session.get("http://hangs.test/"), 10)
        assert loop.time() - started < 5
    assert resolver.calls == 1
    assert connector._in_use == 0  # the slot was given back


async def test_conn_timeout_lets_quick_connections_through(origin: URL) -> None:
    with pytest.warns(DeprecationWarning, match="conn_timeout"):
        connector = ac.TCPConnector(conn_timeout=5, resolver=CountingResolver())
    async with ac.ClientSession(connector=connector) as session:
        await get(session, origin)
        await get(session, origin)


async def test_conn_timeout_error_is_a_timeout_error() -> None:
    with pytest.warns(DeprecationWarning, match="conn_timeout"):
        connector = ac.TCPConnector(conn_timeout=0.05, resolver=CountingResolver(hang=True))
    async with ac.ClientSession(connector=connector) as session:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(session.get("http://hangs.test/"), 10)


async def test_conn_timeout_zero_or_negative() -> None:
    with pytest.warns(DeprecationWarning, match="conn_timeout"):
        connector = ac.TCPConnector(conn_timeout=0)
    assert connector._conn_timeout is None  # 0 means no bound, as documented
    await connector.close()
    with pytest.raises(ValueError, match="conn_timeout"):
        ac.TCPConnector(conn_timeout=-1)


async def test_unix_connector_accepts_conn_timeout(tmp_path: Any) -> None:
    with pytest.warns(DeprecationWarning, match="conn_timeout"):
        connector = ac.UnixConnector(str(tmp_path / "sock"), conn_timeout=1)
    await connector.close()


# --- share_cookies and unknown arguments --------------------------------------------------


async def test_share_cookies_false_is_ignored_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="use the cookie_jar of a ClientSession"):
        connector = ac.TCPConnector(share_cookies=False)
    await connector.close()


async def test_share_cookies_true_is_refused() -> None:
    with pytest.raises(ValueError, match="connectors hold no cookies"):
        ac.TCPConnector(share_cookies=True)


async def test_unknown_connector_arguments_are_still_type_errors() -> None:
    with pytest.raises(TypeError):
        ac.TCPConnector(no_such_argument=1)
    with pytest.raises(TypeError):
        ac.BaseConnector(resolve=True)  # type: ignore[call-arg]


def test_warnings_point_at_the_code_that_made_the_connector() -> None:
    async def make() -> None:
        with pytest.warns(DeprecationWarning, match="deprecated") as record:
            connector = ac.TCPConnector(resolve=True, conn_timeout=1, verify_ssl=False)
        await connector.close()
        assert {w.filename for w in record} == {__file__}

    asyncio.run(make())


# --- ClientSession(request_class=..., response_class=..., ws_response_class=...) ----------


class RecordingRequest(ac.ClientRequest):
    made: ClassVar[list[RecordingRequest]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        RecordingRequest.made.append(self)


class MyResponse(ac.ClientResponse):
    pass


async def test_request_and_response_classes_are_used(origin: URL) -> None:
    connector = ac.TCPConnector(resolver=CountingResolver())
    async with (
        ac.ClientSession(
            connector=connector, request_class=RecordingRequest, response_class=MyResponse
        ) as session,
        session.get(origin) as resp,
    ):
        assert isinstance(resp, MyResponse)
        await resp.read()
    assert RecordingRequest.made and RecordingRequest.made[-1].url.host == "svc.test"


async def test_classes_that_cannot_be_used_are_refused() -> None:
    with pytest.raises(TypeError, match="response_class must be a subclass of ClientResponse"):
        ac.ClientSession(response_class=dict)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="request_class must be a subclass of ClientRequest"):
        ac.ClientSession(request_class=object)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ws_response_class must be a subclass"):
        ac.ClientSession(ws_response_class=ac.ClientResponse)  # type: ignore[arg-type]


async def test_ws_response_class_client_websocket_response_is_accepted() -> None:
    async with ac.ClientSession(ws_response_class=ac.ClientWebSocketResponse) as session:
        assert not session.closed
