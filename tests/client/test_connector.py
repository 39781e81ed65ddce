"""The connection pool: reuse, limits, fairness, expiry, retries, resolvers, unix sockets."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest
import trustme
from yarl import URL

import aiohttp_client as ac
from tests.client.conftest import canned, keepalive_handler, read_request
from tests.client.test_request import https_url, tls_ca  # noqa: F401 - fixtures


class Counting:
    """A raw keep-alive server that counts connections and requests."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        self.peers: list[str] = []

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.peers.append(writer.get_extra_info("peername")[0])
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            self.requests += 1
            writer.write(canned(b"counted"))
            await writer.drain()


async def get_body(session: ac.ClientSession, url: Any, **kw: Any) -> bytes:
    async with session.get(url, **kw) as resp:
        return await resp.read()


async def test_keepalive_reuses_one_connection(raw_server: Any) -> None:
    server = Counting()
    url = await raw_server(server)
    async with ac.ClientSession() as session:
        for _ in range(5):
            assert await get_body(session, url) == b"counted"
    assert server.connections == 1 and server.requests == 5


async def test_force_close_opens_a_connection_per_request(raw_server: Any) -> None:
    server = Counting()
    url = await raw_server(server)
    connector = ac.TCPConnector(force_close=True)
    assert connector.force_close
    async with ac.ClientSession(connector=connector) as session:
        for _ in range(3):
            assert await get_body(session, url) == b"counted"
    assert server.connections == 3
    with pytest.raises(ValueError, match="keepalive_timeout"):
        ac.TCPConnector(force_close=True, keepalive_timeout=3)


async def test_keepalive_timeout_expires_idle_connections(raw_server: Any) -> None:
    server = Counting()
    url = await raw_server(server)
    connector = ac.TCPConnector(keepalive_timeout=0.05)
    assert connector.keepalive_timeout == 0.05
    async with ac.ClientSession(connector=connector) as session:
        await get_body(session, url)
        for _ in range(200):
            if not connector._conns:
                break
            await asyncio.sleep(0.01)
        assert not connector._conns
        await get_body(session, url)
    assert server.connections == 2


async def test_default_keepalive_timeout_is_aiohttps() -> None:
    connector = ac.TCPConnector()
    assert connector.keepalive_timeout == 15
    assert connector.limit == 100 and connector.limit_per_host == 0
    await connector.close()


async def test_server_closing_idle_connections_is_handled(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(canned(b"once"))
        await writer.drain()
        # keep-alive was announced, but the server closes the idle connection

    url = await raw_server(handler)
    async with ac.ClientSession() as session:
        assert await get_body(session, url) == b"once"
        await asyncio.sleep(0.05)
        assert await get_body(session, url) == b"once"


def reuse_then_drop_handler(counter: list[int]) -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await read_request(reader)
        counter.append(1)
        # A HEAD answer carries no body: bytes after it would keep the connection out of the pool.
        writer.write(canned(b"first")[:-5] if head.startswith(b"HEAD ") else canned(b"first"))
        await writer.drain()
        await read_request(reader)  # the second request on this connection: drop it
        counter.append(2)

    return handler


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD", "OPTIONS"])
async def test_idempotent_request_is_retried_once_on_a_fresh_connection(
    raw_server: Any, method: str
) -> None:
    counter: list[int] = []
    url = await raw_server(reuse_then_drop_handler(counter))
    async with ac.ClientSession() as session:
        async with session.request(method, url) as resp:
            await resp.read()
        async with session.request(method, url) as resp:
            assert resp.status == 200
    assert counter == [1, 2, 1]


async def test_post_on_a_dropped_pooled_connection_fails(raw_server: Any) -> None:
    counter: list[int] = []
    url = await raw_server(reuse_then_drop_handler(counter))
    async with ac.ClientSession() as session:
        async with session.post(url, data=b"x") as resp:
            await resp.read()
        with pytest.raises(ac.ServerDisconnectedError):
            await session.post(url, data=b"y")


async def test_fresh_connection_closed_before_response_is_server_disconnected(
    raw_server: Any,
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    url = await raw_server(handler)
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ServerDisconnectedError):
            await session.get(url)


async def test_drop_mid_response_is_a_payload_error_and_not_pooled(raw_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"a" * 5000)
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.transport.abort()

    url = await raw_server(handler)
    async with ac.ClientSession() as session:
        resp = await session.get(url)
        with pytest.raises(ac.ClientPayloadError):
            await resp.read()
        assert not session.connector._conns  # type: ignore[union-attr]


async def test_connection_refused_is_a_connector_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientConnectorError) as info:
            await session.get(f"http://127.0.0.1:{port}/")
    assert info.value.port == port


async def test_limit_queues_waiters_first_come_first_served(raw_server: Any) -> None:
    url = await raw_server(keepalive_handler())
    connector = ac.TCPConnector(limit=1)
    req = ac.ClientRequest("GET", url)
    first = await connector.connect(req)
    order: list[str] = []

    async def waiter(name: str) -> None:
        conn = await connector.connect(req)
        order.append(name)
        await asyncio.sleep(0)
        conn.release()

    tasks = []
    for name in "abcd":
        tasks.append(asyncio.create_task(waiter(name)))
        for _ in range(20):
            await asyncio.sleep(0)
    assert order == []
    first.release()
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    assert order == ["a", "b", "c", "d"]
    await connector.close()


async def test_cancelled_waiter_does_not_lose_the_slot(raw_server: Any) -> None:
    url = await raw_server(keepalive_handler())
    connector = ac.TCPConnector(limit=1)
    req = ac.ClientRequest("GET", url)
    first = await connector.connect(req)
    doomed = asyncio.create_task(connector.connect(req))
    await asyncio.sleep(0.01)
    doomed.cancel()
    first.release()
    with pytest.raises(asyncio.CancelledError):
        await doomed
    conn = await asyncio.wait_for(connector.connect(req), 5)
    conn.release()
    await connector.close()


async def test_limit_per_host_lets_other_hosts_through(raw_server: Any) -> None:
    url = await raw_server(keepalive_handler())
    connector = ac.TCPConnector(limit_per_host=1)
    held = await connector.connect(ac.ClientRequest("GET", url))
    same_host = asyncio.create_task(connector.connect(ac.ClientRequest("GET", url)))
    other = ac.ClientRequest("GET", url.with_host("localhost"))
    other_conn = await asyncio.wait_for(connector.connect(other), 5)
    await asyncio.sleep(0.01)
    assert not same_host.done()
    held.release()
    conn = await asyncio.wait_for(same_host, 5)
    conn.release()
    other_conn.release()
    await connector.close()


async def test_closed_connector_refuses_and_fails_waiters(raw_server: Any) -> None:
    url = await raw_server(keepalive_handler())
    connector = ac.TCPConnector(limit=1)
    req = ac.ClientRequest("GET", url)
    held = await connector.connect(req)
    waiting = asyncio.create_task(connector.connect(req))
    await asyncio.sleep(0.01)
    await connector.close()
    assert connector.closed
    with pytest.raises(ac.ClientConnectionError, match="closed"):
        await waiting
    with pytest.raises(ac.ClientConnectionError, match="closed"):
        await connector.connect(req)
    held.release()


class FakeResolver(ac.AbstractResolver):
    def __init__(self, port: int, hosts: list[tuple[str, int]] | None = None) -> None:
        self.port = port
        self.calls: list[tuple[str, int]] = []
        self.hosts = hosts or [("127.0.0.1", socket.AF_INET)]

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ac.ResolveResult]:
        self.calls.append((host, family))
        if host.endswith(".invalid"):
            raise OSError(None, f"DNS lookup failed for {host!r}")
        return [
            ac.ResolveResult(hostname=host, host=h, port=port, family=f, proto=0, flags=0)
            for h, f in self.hosts
        ]

    async def close(self) -> None:
        pass


async def test_custom_resolver_and_dns_cache(raw_server: Any) -> None:
    url = await raw_server(Counting())
    resolver = FakeResolver(url.port or 0)
    connector = ac.TCPConnector(resolver=resolver, force_close=True)
    async with ac.ClientSession(connector=connector) as session:
        for _ in range(3):
            assert await get_body(session, url.with_host("svc.test")) == b"counted"
        assert len(resolver.calls) == 1
        assert ("svc.test", url.port) in connector.cached_hosts
        connector.clear_dns_cache("svc.test", url.port)
        await get_body(session, url.with_host("svc.test"))
        assert len(resolver.calls) == 2
        connector.clear_dns_cache()
        assert not connector.cached_hosts


async def test_use_dns_cache_false_resolves_every_time(raw_server: Any) -> None:
    url = await raw_server(Counting())
    resolver = FakeResolver(url.port or 0)
    connector = ac.TCPConnector(resolver=resolver, use_dns_cache=False, force_close=True)
    async with ac.ClientSession(connector=connector) as session:
        for _ in range(3):
            await get_body(session, url.with_host("svc.test"))
    assert len(resolver.calls) == 3


async def test_ttl_dns_cache_expires_entries(raw_server: Any) -> None:
    url = await raw_server(Counting())
    resolver = FakeResolver(url.port or 0)
    connector = ac.TCPConnector(resolver=resolver, ttl_dns_cache=0.05, force_close=True)
    async with ac.ClientSession(connector=connector) as session:
        await get_body(session, url.with_host("svc.test"))
        await get_body(session, url.with_host("svc.test"))
        assert len(resolver.calls) == 1
        await asyncio.sleep(0.1)
        await get_body(session, url.with_host("svc.test"))
    assert len(resolver.calls) == 2


async def test_dns_failure_is_a_dns_connector_error() -> None:
    connector = ac.TCPConnector(resolver=FakeResolver(80))
    async with ac.ClientSession(connector=connector) as session:
        with pytest.raises(ac.ClientConnectorDNSError):
            await session.get("http://nowhere.invalid/")


async def test_family_is_passed_to_the_resolver(raw_server: Any) -> None:
    url = await raw_server(Counting())
    resolver = FakeResolver(url.port or 0)
    connector = ac.TCPConnector(resolver=resolver, family=socket.AF_INET)
    assert connector.family == socket.AF_INET
    async with ac.ClientSession(connector=connector) as session:
        await get_body(session, url.with_host("svc.test"))
    assert resolver.calls == [("svc.test", socket.AF_INET)]


async def test_local_addr_binds_the_client_socket(raw_server: Any) -> None:
    server = Counting()
    url = await raw_server(server)
    connector = ac.TCPConnector(local_addr=("127.0.0.2", 0))
    async with ac.ClientSession(connector=connector) as session:
        await get_body(session, url)
    assert server.peers == ["127.0.0.2"]


async def test_happy_eyeballs_starts_the_next_address_while_one_hangs(
    raw_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await raw_server(Counting())
    loop = asyncio.get_running_loop()
    real = loop.create_connection
    in_flight = {"now": 0, "max": 0}

    async def fake(*args: Any, **kwargs: Any) -> Any:
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        try:
            if args[1] == "127.0.0.3":
                await asyncio.sleep(30)  # a black hole
            return await real(*args, **kwargs)
        finally:
            in_flight["now"] -= 1

    monkeypatch.setattr(loop, "create_connection", fake)
    hosts = [("127.0.0.3", socket.AF_INET), ("127.0.0.1", socket.AF_INET)]
    resolver = FakeResolver(url.port or 0, hosts)
    connector = ac.TCPConnector(resolver=resolver, happy_eyeballs_delay=0.05)
    async with ac.ClientSession(connector=connector) as session:
        assert await get_body(session, url.with_host("svc.test")) == b"counted"
    assert in_flight["max"] == 2

    in_flight["max"] = 0
    connector = ac.TCPConnector(resolver=resolver, happy_eyeballs_delay=None)
    timeout = ac.ClientTimeout(sock_connect=0.1)
    async with ac.ClientSession(connector=connector, timeout=timeout) as session:
        assert await get_body(session, url.with_host("svc.test")) == b"counted"
    assert in_flight["max"] == 1


async def test_interleave_orders_address_families(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    tried: list[str] = []

    async def fake(*args: Any, **kwargs: Any) -> Any:
        tried.append(args[1])
        raise ConnectionRefusedError(111, "refused")

    monkeypatch.setattr(loop, "create_connection", fake)
    hosts = [("::1", socket.AF_INET6), ("::2", socket.AF_INET6), ("127.0.0.9", socket.AF_INET)]
    for interleave, expected in (
        (1, ["::1", "127.0.0.9", "::2"]),
        (2, ["::1", "::2", "127.0.0.9"]),
    ):
        tried.clear()
        connector = ac.TCPConnector(
            resolver=FakeResolver(80, hosts), interleave=interleave, happy_eyeballs_delay=None
        )
        async with ac.ClientSession(connector=connector) as session:
            with pytest.raises(ac.ClientConnectorError):
                await session.get("http://svc.test/")
        assert tried == expected


async def test_unix_connector(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    inner = keepalive_handler(b"via-unix")

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await inner(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_unix_server(handler, path)
    connector = ac.UnixConnector(path)
    assert connector.path == path
    async with ac.ClientSession(connector=connector) as session:
        assert await get_body(session, "http://any-host/x") == b"via-unix"
        assert await get_body(session, "http://any-host/y") == b"via-unix"
    server.close()
    await asyncio.wait_for(server.wait_closed(), 5)
    connector = ac.UnixConnector(str(tmp_path / "missing.sock"))
    async with ac.ClientSession(connector=connector) as session:
        with pytest.raises(ac.UnixClientConnectorError):
            await session.get("http://any-host/")


async def test_enable_cleanup_closed_schedules_aborts_of_tls_transports(
    https_url: URL,  # noqa: F811
    tls_ca: trustme.CA,  # noqa: F811
) -> None:
    connector = ac.TCPConnector(enable_cleanup_closed=True, ssl=False)
    async with ac.ClientSession(connector=connector) as session:
        async with session.get(https_url / "stream", params={"n": "20", "delay": "0.05"}) as resp:
            await resp.content.readany()
        assert connector._cleanup_closed_handles
    default = ac.TCPConnector(ssl=False)
    async with ac.ClientSession(connector=default) as session:
        async with session.get(https_url / "stream", params={"n": "20", "delay": "0.05"}) as resp:
            await resp.content.readany()
        assert not default._cleanup_closed_handles


async def test_connection_object_api(raw_server: Any) -> None:
    url = await raw_server(keepalive_handler())
    connector = ac.TCPConnector()
    conn = await connector.connect(ac.ClientRequest("GET", url))
    assert conn.loop is asyncio.get_running_loop()
    assert conn.transport is not None and conn.protocol is not None
    assert not conn.closed
    released: list[bool] = []
    conn.add_callback(lambda: released.append(True))
    conn.close()
    assert conn.closed and conn.transport is None and released == [True]
    await connector.close()


async def test_base_connector_cannot_open_connections() -> None:
    connector = ac.BaseConnector()
    with pytest.raises(ac.ClientConnectionError, match="cannot open"):
        await connector.connect(ac.ClientRequest("GET", URL("http://127.0.0.1/")))
    await connector.close()
