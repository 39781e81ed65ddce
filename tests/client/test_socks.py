"""SOCKS4/4a and SOCKS5 client handshakes: sans-IO machines, then real tunnels on 127.0.0.1.

The servers below are minimal SOCKS4a and SOCKS5 (RFC 1928/1929) proxies
written for these tests; they forward to a local echo server.
"""

from __future__ import annotations

import asyncio
import ipaddress
import pickle
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import trustme

from aiohttp_client import (
    BasicAuth,
    ClientConnectionError,
    ConnectionTimeoutError,
    Socks4Handshake,
    Socks4IdentdMismatchError,
    Socks4IdentdUnreachableError,
    Socks4RejectedError,
    Socks5AddressTypeNotSupportedError,
    Socks5CommandNotSupportedError,
    Socks5ConnectionNotAllowedError,
    Socks5ConnectionRefusedError,
    Socks5GeneralFailureError,
    Socks5Handshake,
    Socks5HostUnreachableError,
    Socks5NetworkUnreachableError,
    Socks5TTLExpiredError,
    SocksAuthenticationError,
    SocksError,
    SocksProtocolError,
    SocksReplyError,
    SocksTimeoutError,
    create_socks_connection,
    open_socks_connection,
)

WAIT = 10  # seconds: upper bound of every wait in these tests

# --- sans-IO: SOCKS5 ------------------------------------------------------------------

SUCCESS_V4 = b"\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38"


def test_socks5_no_auth_with_domain_name() -> None:
    hs = Socks5Handshake("example.com", 443)
    assert hs.data_to_send() == b"\x05\x01\x00"
    assert hs.data_to_send() == b""
    hs.receive_data(b"\x05\x00")
    assert hs.data_to_send() == b"\x05\x01\x00\x03\x0bexample.com\x01\xbb"
    established_before = hs.established
    hs.receive_data(SUCCESS_V4)
    assert not established_before
    assert hs.established
    assert hs.bound_address == ("127.0.0.1", 1080)
    assert hs.leftover == b""
    assert hs.receive_eof() == b""


@pytest.mark.parametrize(
    ("host", "encoded"),
    [
        ("10.1.2.3", b"\x01\x0a\x01\x02\x03"),
        ("::1", b"\x04" + ipaddress.IPv6Address("::1").packed),
        ("[2001:db8::1]", b"\x04" + ipaddress.IPv6Address("2001:db8::1").packed),
        ("b\u00fccher.example", b"\x03\x15xn--bcher-kva.example"),
    ],
)
def test_socks5_address_types(host: str, encoded: bytes) -> None:
    hs = Socks5Handshake(host, 80)
    hs.data_to_send()
    hs.receive_data(b"\x05\x00")
    assert hs.data_to_send() == b"\x05\x01\x00" + encoded + b"\x00\x50"


def test_socks5_username_password() -> None:
    hs = Socks5Handshake("h", 1, username="alice", password="s3cret")
    assert hs.data_to_send() == b"\x05\x02\x00\x02"
    hs.receive_data(b"\x05\x02")
    assert hs.data_to_send() == b"\x01\x05alice\x06s3cret"
    hs.receive_data(b"\x01\x00")
    assert hs.data_to_send() == b"\x05\x01\x00\x03\x01h\x00\x01"
    hs.receive_data(SUCCESS_V4)
    assert hs.established


def test_socks5_proxy_may_choose_no_auth_despite_credentials() -> None:
    hs = Socks5Handshake("h", 1, username="alice", password="")
    hs.data_to_send()
    hs.receive_data(b"\x05\x00")
    assert hs.data_to_send().startswith(b"\x05\x01\x00")


@pytest.mark.parametrize(
    "reply",
    [
        b"\x05\x00\x00\x04" + bytes(16) + b"\x00\x50",
        b"\x05\x00\x00\x03\xff" + b"a" * 255 + b"\x00\x50",  # the longest bound name
    ],
)
def test_socks5_reply_address_types_byte_by_byte(reply: bytes) -> None:
    hs = Socks5Handshake("h", 1)
    hs.data_to_send()
    for byte in b"\x05\x00" + reply + b"extra":
        hs.receive_data(bytes([byte]))
    assert hs.established
    assert hs.leftover == b"extra"
    assert hs.bound_address is not None
    assert hs.bound_address[1] == 80


def test_socks5_leftover_in_the_same_chunk_and_after() -> None:
    hs = Socks5Handshake("h", 1)
    hs.receive_data(b"\x05\x00")
    hs.receive_data(SUCCESS_V4 + b"HTTP/1.1")
    hs.receive_data(b" 200")
    assert hs.leftover == b"HTTP/1.1 200"


REPLY_ERRORS = [
    (0x01, Socks5GeneralFailureError),
    (0x02, Socks5ConnectionNotAllowedError),
    (0x03, Socks5NetworkUnreachableError),
    (0x04, Socks5HostUnreachableError),
    (0x05, Socks5ConnectionRefusedError),
    (0x06, Socks5TTLExpiredError),
    (0x07, Socks5CommandNotSupportedError),
    (0x08, Socks5AddressTypeNotSupportedError),
    (0x09, SocksReplyError),
    (0xFF, SocksReplyError),
]


@pytest.mark.parametrize(("code", "error"), REPLY_ERRORS)
def test_socks5_every_reply_code_has_its_exception(code: int, error: type[SocksReplyError]) -> None:
    hs = Socks5Handshake("h", 1)
    hs.receive_data(b"\x05\x00")
    with pytest.raises(error) as info:
        hs.receive_data(bytes([5, code]))  # raised before the rest of the reply
    assert type(info.value) is error
    assert info.value.code == code
    assert f"{code:#04x}" in str(info.value)
    assert isinstance(info.value, ClientConnectionError)
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is error
    assert copy.code == code
    with pytest.raises(RuntimeError, match="already failed"):
        hs.receive_data(b"\x00")


@pytest.mark.parametrize(
    ("chunks", "error", "message"),
    [
        ([b"\x04\x00"], SocksProtocolError, "version 0x04"),
        ([b"\x05\xff"], SocksAuthenticationError, "none of the offered"),
        ([b"\x05\x02"], SocksProtocolError, "not offered"),
        ([b"\x05\x80"], SocksProtocolError, "not offered"),
        ([b"\x05\x00\x05"], SocksProtocolError, "sent 1 unexpected bytes"),
        ([b"\x05\x00", b"\x04\x00"], SocksProtocolError, "version 0x04"),
        ([b"\x05\x00", b"\x05\x00\x01\x01"], SocksProtocolError, "reserved byte"),
        ([b"\x05\x00", b"\x05\x00\x00\x02"], SocksProtocolError, "unknown address type"),
        ([b"\x05\x00", b"\x05\x00\x00\x03\x00"], SocksProtocolError, "empty bound host"),
    ],
)
def test_socks5_hostile_replies(chunks: list[bytes], error: type[SocksError], message: str) -> None:
    hs = Socks5Handshake("h", 1)
    for chunk in chunks[:-1]:
        hs.receive_data(chunk)
    with pytest.raises(error, match=message):
        hs.receive_data(chunks[-1])


def test_socks5_auth_refused() -> None:
    hs = Socks5Handshake("h", 1, username="u", password="bad")
    hs.receive_data(b"\x05\x02")
    with pytest.raises(SocksAuthenticationError, match="refused the user name"):
        hs.receive_data(b"\x01\x01")


def test_socks5_auth_reply_with_wrong_version() -> None:
    hs = Socks5Handshake("h", 1, username="u", password="p")
    hs.receive_data(b"\x05\x02")
    with pytest.raises(SocksProtocolError, match="version 0x05, expected 0x01"):
        hs.receive_data(b"\x05\x00")


@pytest.mark.parametrize("received", [[b""], [b"\x05"], [b"\x05\x00", b"\x05\x00\x00\x01\x7f\x00"]])
def test_socks5_truncated_answers_fail_at_eof(received: list[bytes]) -> None:
    hs = Socks5Handshake("h", 1)
    for chunk in received:
        hs.receive_data(chunk)
    with pytest.raises(SocksProtocolError, match="closed the connection"):
        hs.receive_eof()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"host": "a" * 256, "port": 80}, "255"),
        ({"host": "", "port": 80}, "empty"),
        ({"host": "a\x00b", "port": 80}, "NUL"),
        ({"host": "h", "port": 0}, "port"),
        ({"host": "h", "port": 65536}, "port"),
        ({"host": "h", "port": True}, "port"),
        ({"host": "h", "port": 1, "username": "", "password": "p"}, "must not be empty"),
        ({"host": "h", "port": 1, "username": "u" * 256, "password": "p"}, "255"),
        ({"host": "h", "port": 1, "username": "u", "password": "p" * 256}, "255"),
    ],
)
def test_socks5_refuses_what_it_cannot_send(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Socks5Handshake(**kwargs)  # type: ignore[arg-type]


# --- sans-IO: SOCKS4 / SOCKS4a --------------------------------------------------------


def test_socks4_with_an_ipv4_address() -> None:
    hs = Socks4Handshake("10.0.0.1", 8080, user_id="bob")
    assert hs.data_to_send() == b"\x04\x01\x1f\x90\x0a\x00\x00\x01bob\x00"
    hs.receive_data(b"\x00\x5a\x00\x00\x00\x00\x00\x00rest")
    assert hs.established
    assert hs.leftover == b"rest"


def test_socks4a_sends_the_host_name() -> None:
    hs = Socks4Handshake("example.com", 80)
    assert hs.data_to_send() == b"\x04\x01\x00\x50\x00\x00\x00\x01\x00example.com\x00"
    for byte in b"\x00\x5a\x00\x50\x00\x00\x00\x00":
        assert not hs.established
        hs.receive_data(bytes([byte]))
    assert hs.established


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (0x5B, Socks4RejectedError),
        (0x5C, Socks4IdentdUnreachableError),
        (0x5D, Socks4IdentdMismatchError),
        (0x01, SocksReplyError),
    ],
)
def test_socks4_reply_codes(code: int, error: type[SocksReplyError]) -> None:
    hs = Socks4Handshake("10.0.0.1", 80)
    with pytest.raises(error) as info:
        hs.receive_data(bytes([0, code]) + bytes(6))
    assert type(info.value) is error
    assert info.value.code == code


def test_socks4_hostile_replies() -> None:
    hs = Socks4Handshake("10.0.0.1", 80)
    with pytest.raises(SocksProtocolError, match="version 0x05"):
        hs.receive_data(b"\x05\x00\x00\x00\x00\x00\x00\x00")
    truncated = Socks4Handshake("10.0.0.1", 80)
    truncated.receive_data(b"\x00\x5a\x00")
    with pytest.raises(SocksProtocolError, match="3 of the 8 bytes"):
        truncated.receive_eof()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"host": "::1", "port": 80}, "IPv6"),
        ({"host": "example.com", "port": 80, "remote_dns": False}, "needs an IPv4"),
        ({"host": "10.0.0.1", "port": 80, "user_id": "a\x00"}, "NUL"),
        ({"host": "10.0.0.1", "port": 80, "user_id": "u" * 300}, "limit is 255"),
        ({"host": "10.0.0.1", "port": 80, "user_id": "uu", "max_user_id": 1}, "limit is 1"),
    ],
)
def test_socks4_refuses_what_it_cannot_send(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Socks4Handshake(**kwargs)  # type: ignore[arg-type]


def test_socks_timeout_error_is_a_connection_timeout() -> None:
    assert issubclass(SocksTimeoutError, ConnectionTimeoutError)
    assert issubclass(SocksTimeoutError, asyncio.TimeoutError)
    assert issubclass(SocksTimeoutError, SocksError)


# --- test servers ---------------------------------------------------------------------


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


@dataclass
class ProxyLog:
    """What the test proxy received: destinations and credentials."""

    destinations: list[tuple[str, int]] = field(default_factory=list)
    credentials: list[tuple[bytes, bytes]] = field(default_factory=list)
    user_ids: list[bytes] = field(default_factory=list)


def socks5_proxy(log: ProxyLog, users: dict[bytes, bytes] | None = None) -> Handler:
    """A SOCKS5 proxy (RFC 1928 CONNECT, RFC 1929 auth when ``users`` is given)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        assert version == 5
        wanted = 2 if users is not None else 0
        if wanted not in methods:
            writer.write(b"\x05\xff")
            return
        writer.write(bytes([5, wanted]))
        if users is not None:
            _, ulen = await reader.readexactly(2)
            user = await reader.readexactly(ulen)
            password = await reader.readexactly((await reader.readexactly(1))[0])
            log.credentials.append((user, password))
            if users.get(user) != password:
                writer.write(b"\x01\x01")
                return
            writer.write(b"\x01\x00")
        _, _, _, atyp = await reader.readexactly(4)
        if atyp == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif atyp == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        else:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        log.destinations.append((host, port))
        target = "127.0.0.1" if host == "echo.test" else host
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(target, port), WAIT
            )
        except OSError:
            writer.write(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
            return
        writer.write(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00")
        back = asyncio.ensure_future(_pipe(up_reader, writer))
        await _pipe(reader, up_writer)
        await asyncio.wait_for(back, WAIT)

    return handler


def socks4_proxy(log: ProxyLog) -> Handler:
    """A SOCKS4/4a proxy (CONNECT only; ``echo.test`` resolves to 127.0.0.1)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readexactly(8)
        _, _, port = struct.unpack("!BBH", head[:4])
        user = (await reader.readuntil(b"\x00"))[:-1]
        log.user_ids.append(user)
        if head[4:7] == b"\x00\x00\x00" and head[7] != 0:
            host = (await reader.readuntil(b"\x00"))[:-1].decode()
        else:
            host = str(ipaddress.IPv4Address(head[4:8]))
        log.destinations.append((host, port))
        target = "127.0.0.1" if host == "echo.test" else host
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(target, port), WAIT
            )
        except OSError:
            writer.write(b"\x00\x5b" + bytes(6))
            return
        writer.write(b"\x00\x5a" + bytes(6))
        back = asyncio.ensure_future(_pipe(up_reader, writer))
        await _pipe(reader, up_writer)
        await asyncio.wait_for(back, WAIT)

    return handler


def scripted(*steps: tuple[int, bytes], then_wait: bool = False) -> Handler:
    """A hostile proxy: for each ``(n, answer)`` read ``n`` bytes and send ``answer``;
    then close (or wait for the client to close)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for size, answer in steps:
            await reader.readexactly(size)
            writer.write(answer)
            await writer.drain()
        if then_wait:
            await reader.read()

    return handler


# socks5h to example.com:80: a 3-byte greeting, then an 18-byte CONNECT request.
GREETING, REQUEST = 3, 18


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
StartServer = Callable[..., Awaitable[int]]


@pytest.fixture
async def serve() -> AsyncIterator[StartServer]:
    """Start servers on 127.0.0.1: ``port = await serve(handler, ssl=None)``."""
    servers: list[asyncio.Server] = []
    tasks: set[asyncio.Task[Any]] = set()

    async def start(handler: Handler, ssl: ssl.SSLContext | None = None) -> int:
        async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                await handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(wrapped, "127.0.0.1", 0, ssl=ssl)
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    for task in tasks:
        task.cancel()
    for server in servers:
        server.close()
        await asyncio.wait_for(server.wait_closed(), WAIT)


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


async def _roundtrip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(b"ping through the tunnel")
    await writer.drain()
    data = await asyncio.wait_for(reader.readexactly(23), WAIT)
    writer.close()
    return data


# --- end to end -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "host", "expected_destination"),
    [
        ("socks5", "localhost", "127.0.0.1"),  # resolved locally, sent as an address
        ("socks5h", "echo.test", "echo.test"),  # sent as a name
        ("socks5", "127.0.0.1", "127.0.0.1"),
    ],
)
async def test_socks5_tunnel(
    serve: StartServer, scheme: str, host: str, expected_destination: str
) -> None:
    echo_port = await serve(echo)
    log = ProxyLog()
    proxy_port = await serve(socks5_proxy(log))
    reader, writer = await open_socks_connection(
        f"{scheme}://127.0.0.1:{proxy_port}", host, echo_port, timeout=WAIT
    )
    assert await _roundtrip(reader, writer) == b"ping through the tunnel"
    assert log.destinations == [(expected_destination, echo_port)]


async def test_socks5_tunnel_with_credentials_from_the_url_and_from_proxy_auth(
    serve: StartServer,
) -> None:
    echo_port = await serve(echo)
    log = ProxyLog()
    proxy_port = await serve(socks5_proxy(log, users={b"alice": b"s3cret"}))
    url = f"socks5h://alice:s3cret@127.0.0.1:{proxy_port}"
    reader, writer = await open_socks_connection(url, "echo.test", echo_port, timeout=WAIT)
    assert await _roundtrip(reader, writer) == b"ping through the tunnel"
    reader, writer = await open_socks_connection(
        f"socks5h://127.0.0.1:{proxy_port}",
        "echo.test",
        echo_port,
        proxy_auth=BasicAuth("alice", "s3cret"),
        timeout=WAIT,
    )
    assert await _roundtrip(reader, writer) == b"ping through the tunnel"
    assert log.credentials == [(b"alice", b"s3cret")] * 2


async def test_socks5_wrong_password_is_refused(serve: StartServer) -> None:
    proxy_port = await serve(socks5_proxy(ProxyLog(), users={b"alice": b"s3cret"}))
    with pytest.raises(SocksAuthenticationError, match="refused the user name"):
        await open_socks_connection(
            f"socks5h://alice:wrong@127.0.0.1:{proxy_port}", "echo.test", 1, timeout=WAIT
        )
    with pytest.raises(SocksAuthenticationError, match="none of the offered"):
        await open_socks_connection(f"socks5h://127.0.0.1:{proxy_port}", "x", 1, timeout=WAIT)


async def test_socks5_destination_refused(serve: StartServer) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    proxy_port = await serve(socks5_proxy(ProxyLog()))
    with pytest.raises(Socks5ConnectionRefusedError) as info:
        await open_socks_connection(
            f"socks5://127.0.0.1:{proxy_port}", "127.0.0.1", closed_port, timeout=WAIT
        )
    assert info.value.code == 5


@pytest.mark.parametrize(
    ("steps", "error", "message"),
    [
        ([(GREETING, b"\x04\x00")], SocksProtocolError, "version 0x04"),
        ([(GREETING, b"\x05")], SocksProtocolError, "closed the connection"),
        (
            [(GREETING, b"\x05\x00"), (REQUEST, b"\x05\x00\x00\x01\x7f")],
            SocksProtocolError,
            "closed the connection",
        ),
        ([(GREETING, b"\x05\x00\x05\x00")], SocksProtocolError, "2 unexpected bytes"),
        (
            [(GREETING, b"\x05\x00"), (REQUEST, b"\x05\x01")],
            Socks5GeneralFailureError,
            "general SOCKS server failure",
        ),
        ([(GREETING, b"HTTP/1.1 400 Bad Request\r\n\r\n")], SocksProtocolError, "version 0x48"),
    ],
)
async def test_hostile_socks5_proxies(
    serve: StartServer, steps: list[tuple[int, bytes]], error: type[SocksError], message: str
) -> None:
    proxy_port = await serve(scripted(*steps))
    with pytest.raises(error, match=message):
        await open_socks_connection(
            f"socks5h://127.0.0.1:{proxy_port}", "example.com", 80, timeout=WAIT
        )


async def test_huge_reply_domain_is_read_exactly(serve: StartServer) -> None:
    reply = b"\x05\x00\x00\x03\xff" + b"n" * 255 + b"\x00\x50" + b"early"
    proxy_port = await serve(scripted((GREETING, b"\x05\x00"), (REQUEST, reply), then_wait=True))
    reader, writer = await open_socks_connection(
        f"socks5h://127.0.0.1:{proxy_port}", "example.com", 80, timeout=WAIT
    )
    assert await asyncio.wait_for(reader.readexactly(5), WAIT) == b"early"
    writer.close()


async def test_silent_proxy_times_out(serve: StartServer) -> None:
    proxy_port = await serve(scripted((GREETING, b""), then_wait=True))
    with pytest.raises(SocksTimeoutError, match=r"through SOCKS proxy 127\.0\.0\.1"):
        await open_socks_connection(
            f"socks5h://127.0.0.1:{proxy_port}", "example.com", 80, timeout=0.2
        )


async def test_socks4a_and_socks4_tunnels(serve: StartServer) -> None:
    echo_port = await serve(echo)
    log = ProxyLog()
    proxy_port = await serve(socks4_proxy(log))
    reader, writer = await open_socks_connection(
        f"socks4a://bob@127.0.0.1:{proxy_port}", "echo.test", echo_port, timeout=WAIT
    )
    assert await _roundtrip(reader, writer) == b"ping through the tunnel"
    reader, writer = await open_socks_connection(
        f"socks4://127.0.0.1:{proxy_port}", "localhost", echo_port, timeout=WAIT
    )
    assert await _roundtrip(reader, writer) == b"ping through the tunnel"
    assert log.destinations == [("echo.test", echo_port), ("127.0.0.1", echo_port)]
    assert log.user_ids == [b"bob", b""]


async def test_socks4_rejection(serve: StartServer) -> None:
    proxy_port = await serve(scripted((9, b"\x00\x5b" + bytes(6))))
    with pytest.raises(Socks4RejectedError):
        await open_socks_connection(
            f"socks4://127.0.0.1:{proxy_port}", "10.0.0.1", 80, timeout=WAIT
        )


async def test_tls_through_the_tunnel(serve: StartServer) -> None:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("echo.test").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    echo_port = await serve(echo, ssl=server_ctx)
    proxy_port = await serve(socks5_proxy(ProxyLog()))
    reader, writer = await open_socks_connection(
        f"socks5h://127.0.0.1:{proxy_port}", "echo.test", echo_port, ssl=client_ctx, timeout=WAIT
    )
    assert writer.get_extra_info("sslcontext") is client_ctx
    assert await _roundtrip(reader, writer) == b"ping through the tunnel"
    with pytest.raises(ssl.SSLCertVerificationError):
        await open_socks_connection(
            f"socks5h://127.0.0.1:{proxy_port}",
            "echo.test",
            echo_port,
            ssl=client_ctx,
            server_hostname="other.test",
            timeout=WAIT,
        )


async def test_create_socks_connection_hands_over_leftover_and_a_connected_socket(
    serve: StartServer,
) -> None:
    proxy_port = await serve(
        scripted((GREETING, b"\x05\x00"), (REQUEST, SUCCESS_V4 + b"hello"), then_wait=True)
    )
    received: list[bytes] = []
    made: list[asyncio.BaseTransport] = []
    got_data = asyncio.get_running_loop().create_future()

    class App(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            made.append(transport)

        def data_received(self, data: bytes) -> None:
            received.append(data)
            if not got_data.done():
                got_data.set_result(None)

    sock = socket.create_connection(("127.0.0.1", proxy_port), timeout=WAIT)
    sock.setblocking(False)
    transport, protocol = await create_socks_connection(
        App, "socks5h://proxy.invalid", "example.com", 80, sock=sock, timeout=WAIT
    )
    await asyncio.wait_for(got_data, WAIT)
    assert isinstance(protocol, App)
    assert made == [transport]
    assert b"".join(received) == b"hello"
    transport.close()


async def test_buffered_protocol_receives_the_leftover(serve: StartServer) -> None:
    proxy_port = await serve(
        scripted((GREETING, b"\x05\x00"), (REQUEST, SUCCESS_V4 + b"abcdef"), then_wait=True)
    )
    chunks: list[bytes] = []

    class App(asyncio.BufferedProtocol):
        def __init__(self) -> None:
            self.buffer = bytearray(4)

        def get_buffer(self, sizehint: int) -> bytearray:
            return self.buffer

        def buffer_updated(self, nbytes: int) -> None:
            chunks.append(bytes(self.buffer[:nbytes]))

    transport, _ = await create_socks_connection(
        App, f"socks5h://127.0.0.1:{proxy_port}", "example.com", 80, timeout=WAIT
    )
    assert b"".join(chunks) == b"abcdef"
    transport.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:1080", "Unsupported SOCKS proxy scheme 'http'"),
        ("socks5://", "has no host"),
        ("socks5://h:99999", "Malformed SOCKS proxy URL"),
    ],
)
async def test_bad_proxy_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await create_socks_connection(asyncio.Protocol, url, "example.com", 80)


async def test_connection_errors_to_the_proxy_are_oserrors() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(OSError) as info:
        await open_socks_connection(f"socks5://127.0.0.1:{port}", "127.0.0.1", 80, timeout=WAIT)
    assert not isinstance(info.value, SocksError)


async def test_local_resolution_uses_the_given_resolver(serve: StartServer) -> None:
    echo_port = await serve(echo)
    log = ProxyLog()
    proxy_port = await serve(socks5_proxy(log))
    asked: list[tuple[str, int, int]] = []

    class Resolver:
        async def resolve(
            self, host: str, port: int = 0, family: int = 0
        ) -> list[dict[str, object]]:
            asked.append((host, port, family))
            return [
                {
                    "hostname": host,
                    "host": "127.0.0.1",
                    "port": port,
                    "family": family,
                    "proto": 0,
                    "flags": 0,
                }
            ]

        async def close(self) -> None:
            return None

    reader, writer = await open_socks_connection(
        f"socks5://127.0.0.1:{proxy_port}",
        "my.service",
        echo_port,
        resolver=Resolver(),  # type: ignore[arg-type]
        timeout=WAIT,
    )
    assert await _roundtrip(reader, writer) == b"ping through the tunnel"
    assert asked == [("my.service", echo_port, socket.AF_UNSPEC)]
    assert log.destinations == [("127.0.0.1", echo_port)]
