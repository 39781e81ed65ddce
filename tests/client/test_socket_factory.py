"""``TCPConnector(socket_factory=...)``: the factory makes every socket the connector dials."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import trustme
from yarl import URL

import aiohttp_client as ac
from tests.client.conftest import keepalive_handler
from tests.client.test_connector import Counting, FakeResolver, get_body
from tests.client.test_request import https_url, tls_ca  # noqa: F401 - fixtures


class KeepaliveFactory:
    """A socket factory that turns SO_KEEPALIVE on and records what it was given."""

    def __init__(self) -> None:
        self.calls: list[ac.AddrInfoType] = []
        self.sockets: list[socket.socket] = []

    def __call__(self, addr_info: ac.AddrInfoType) -> socket.socket:
        self.calls.append(addr_info)
        family, type_, proto, _, _ = addr_info
        sock = socket.socket(family, type_, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        self.sockets.append(sock)
        return sock


def keepalive_of(conn: ac.Connection) -> int:
    assert conn.transport is not None
    sock = conn.transport.get_extra_info("socket")
    return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE))


async def test_factory_makes_the_socket_and_its_options_stick(raw_server: Any) -> None:
    url = await raw_server(keepalive_handler(b"factory"))
    factory = KeepaliveFactory()
    typed: ac.SocketFactoryType = factory
    connector = ac.TCPConnector(socket_factory=typed)
    async with ac.ClientSession(connector=connector) as session:
        assert await get_body(session, url) == b"factory"
        assert await get_body(session, url / "again") == b"factory"  # pooled: no new socket
    assert len(factory.calls) == 1
    family, type_, proto, canonname, sockaddr = factory.calls[0]
    assert (family, type_, canonname) == (socket.AF_INET, socket.SOCK_STREAM, "")
    assert isinstance(proto, int)
    assert sockaddr == ("127.0.0.1", url.port)

    connector = ac.TCPConnector(socket_factory=factory)
    conn = await connector.connect(ac.ClientRequest("GET", url))
    assert keepalive_of(conn) == 1
    conn.close()
    await connector.close()
    default = ac.TCPConnector()
    conn = await default.connect(ac.ClientRequest("GET", url))
    assert keepalive_of(conn) == 0  # the option comes from the factory, not by default
    conn.close()
    await default.close()


async def test_factory_sockets_are_bound_to_local_addr(raw_server: Any) -> None:
    server = Counting()
    url = await raw_server(server)
    factory = KeepaliveFactory()
    connector = ac.TCPConnector(socket_factory=factory, local_addr=("127.0.0.2", 0))
    async with ac.ClientSession(connector=connector) as session:
        assert await get_body(session, url) == b"counted"
    assert server.peers == ["127.0.0.2"]
    assert len(factory.calls) == 1


async def test_factory_takes_part_in_happy_eyeballs(raw_server: Any) -> None:
    url = await raw_server(Counting())
    factory = KeepaliveFactory()
    # Nothing listens on 127.0.0.3 (the server is bound to 127.0.0.1): refused at once.
    hosts = [("127.0.0.3", socket.AF_INET), ("127.0.0.1", socket.AF_INET)]
    for delay in (0.05, None):
        factory.calls.clear()
        connector = ac.TCPConnector(
            resolver=FakeResolver(url.port or 0, hosts),
            socket_factory=factory,
            happy_eyeballs_delay=delay,
        )
        async with ac.ClientSession(connector=connector) as session:
            assert await get_body(session, url.with_host("svc.test")) == b"counted"
        assert [info[4][0] for info in factory.calls] == ["127.0.0.3", "127.0.0.1"]
    # The refused attempt's socket was closed, not leaked.
    assert all(sock.fileno() == -1 for sock in factory.sockets[::2])


async def test_failed_connection_is_a_connector_error_and_closes_the_socket() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    factory = KeepaliveFactory()
    connector = ac.TCPConnector(socket_factory=factory)
    async with ac.ClientSession(connector=connector) as session:
        with pytest.raises(ac.ClientConnectorError) as info:
            await session.get(f"http://127.0.0.1:{port}/")
    assert isinstance(info.value.os_error, ConnectionRefusedError)
    assert len(factory.sockets) == 1 and factory.sockets[0].fileno() == -1


async def test_slow_connect_times_out_and_closes_the_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()

    async def black_hole(sock: socket.socket, address: Any) -> None:
        await asyncio.sleep(30)

    monkeypatch.setattr(loop, "sock_connect", black_hole)
    factory = KeepaliveFactory()
    connector = ac.TCPConnector(socket_factory=factory)
    timeout = ac.ClientTimeout(sock_connect=0.05)
    async with ac.ClientSession(connector=connector, timeout=timeout) as session:
        with pytest.raises(ac.ConnectionTimeoutError):
            await session.get("http://127.0.0.1:9/")
    assert factory.sockets[0].fileno() == -1


async def test_factory_must_return_a_stream_socket() -> None:
    def not_a_socket(addr_info: ac.AddrInfoType) -> socket.socket:
        return "nope"  # type: ignore[return-value]

    datagrams: list[socket.socket] = []

    def datagram(addr_info: ac.AddrInfoType) -> socket.socket:
        datagrams.append(socket.socket(addr_info[0], socket.SOCK_DGRAM))
        return datagrams[-1]

    for factory, error in ((not_a_socket, TypeError), (datagram, ValueError)):
        connector = ac.TCPConnector(socket_factory=factory)
        async with ac.ClientSession(connector=connector) as session:
            with pytest.raises(error, match="socket_factory returned"):
                await session.get("http://127.0.0.1:9/")
    assert datagrams[0].fileno() == -1


async def test_factory_sockets_carry_tls(
    https_url: URL,  # noqa: F811
    tls_ca: trustme.CA,  # noqa: F811
) -> None:
    factory = KeepaliveFactory()
    connector = ac.TCPConnector(socket_factory=factory, ssl=False)
    conn = await connector.connect(ac.ClientRequest("GET", https_url / "json"))
    assert conn.transport is not None and conn.transport.get_extra_info("sslcontext")
    assert keepalive_of(conn) == 1
    conn.close()
    async with (
        ac.ClientSession(connector=connector) as session,
        session.get(https_url / "json") as resp,
    ):
        assert await resp.json() == {"ok": True}
    assert len(factory.calls) == 2
