"""Test servers for proxies and TLS, all on 127.0.0.1 with OS-chosen ports (not collected).

* :func:`start_origin`: a keep-alive HTTP (or HTTPS) origin that answers every
  request with JSON describing what it received (target and headers), and
  ``/redirect?to=URL`` with a 302.
* :func:`start_http_proxy`: a forwarding HTTP proxy: absolute-form requests
  are forwarded (Content-Length bodies, keep-alive), ``CONNECT`` opens a
  tunnel; optional Basic auth (``407`` without the right
  ``Proxy-Authorization``), a mode refusing ``CONNECT`` with a given status,
  and TLS on the proxy's own port (an ``https://`` proxy).
* :func:`start_socks5_proxy`: a SOCKS5 proxy (RFC 1928 CONNECT, optional
  RFC 1929 username/password).

Every wait is bounded; everything is closed by :class:`Servers`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import json
import ssl
import struct
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from yarl import URL

WAIT = 10.0


@dataclass
class ProxyLog:
    """What a proxy saw: one entry per request or tunnel."""

    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    connections: int = 0


class Servers:
    """Owns started servers and their connections; ``await servers.close()`` ends them."""

    def __init__(self) -> None:
        self._servers: list[asyncio.Server] = []
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self, handler: Any, *, ssl_context: ssl.SSLContext | None = None) -> int:
        async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._writers.append(writer)
            try:
                await handler(reader, writer)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ssl.SSLError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(wrapped, "127.0.0.1", 0, ssl=ssl_context)
        self._servers.append(server)
        port: int = server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        for writer in self._writers:
            writer.close()
        for server in self._servers:
            server.close()
        for server in self._servers:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 5)


@dataclass
class TLS:
    """Certificates made with trustme: a CA, server contexts and a trusting client context."""

    ca: Any
    server: ssl.SSLContext  # certificate for 127.0.0.1 and localhost
    localhost_only: ssl.SSLContext  # certificate for localhost only
    client: ssl.SSLContext  # trusts the CA
    der: bytes  # DER form of the server certificate


def make_tls() -> TLS:
    """Make a fresh CA and contexts (trustme)."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server)
    localhost_only = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(localhost_only)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    return TLS(ca, server, localhost_only, client, der)


async def read_head(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes]:
    """Read a request head and its Content-Length body: ``(method, target, headers, body)``."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = b""
    if "content-length" in headers:
        body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), WAIT)
    return method, target, headers, body


def response(status: int, body: bytes = b"", extra: str = "") -> bytes:
    """A keep-alive response with a Content-Length body."""
    reason = {200: "OK", 302: "Found", 403: "Forbidden", 407: "Proxy Authentication Required"}
    return (
        f"HTTP/1.1 {status} {reason.get(status, 'Status')}\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    ).encode("latin-1") + body


async def start_origin(servers: Servers, *, ssl_context: ssl.SSLContext | None = None) -> URL:
    """Start an origin answering JSON ``{"target", "headers", "body"}``; returns its base URL."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                method, target, headers, body = await read_head(reader)
            except asyncio.IncompleteReadError:
                return
            path = urlsplit(target)
            if path.path == "/redirect":
                location = dict(parse_qsl(path.query))["to"]
                writer.write(response(302, b"", f"Location: {location}\r\n"))
            else:
                data = json.dumps(
                    {"method": method, "target": target, "headers": headers, "body": body.decode()}
                ).encode()
                writer.write(response(200, data, "Content-Type: application/json\r\n"))
            await writer.drain()

    port = await servers.start(handler, ssl_context=ssl_context)
    scheme = "https" if ssl_context is not None else "http"
    return URL(f"{scheme}://127.0.0.1:{port}")


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (OSError, ssl.SSLError):
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            if writer.can_write_eof():
                writer.write_eof()
            else:
                writer.close()


async def _forward(
    writer: asyncio.StreamWriter, method: str, target: str, headers: dict[str, str], body: bytes
) -> bool:
    """Forward an absolute-form request; return False when the client must be closed."""
    url = urlsplit(target)
    up_reader, up_writer = await asyncio.wait_for(
        asyncio.open_connection(url.hostname, url.port or 80), WAIT
    )
    try:
        path = url.path + (f"?{url.query}" if url.query else "")
        lines = [f"{method} {path or '/'} HTTP/1.1"]
        lines += [
            f"{name}: {value}"
            for name, value in headers.items()
            if name not in ("proxy-authorization", "proxy-connection", "connection")
        ]
        up_writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await up_writer.drain()
        head = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), WAIT)
        length = None
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if length is None:
            writer.write(head + await asyncio.wait_for(up_reader.read(), WAIT))
            return False
        writer.write(head + await asyncio.wait_for(up_reader.readexactly(length), WAIT))
        await writer.drain()
        return True
    finally:
        up_writer.close()


async def start_http_proxy(
    servers: Servers,
    *,
    auth: tuple[str, str] | None = None,
    refuse_connect: int | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[URL, ProxyLog]:
    """Start a forwarding HTTP proxy; returns its URL (``https://`` with TLS) and its log."""
    log = ProxyLog()
    expected = None
    if auth is not None:
        expected = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        log.connections += 1
        while True:
            try:
                method, target, headers, body = await read_head(reader)
            except asyncio.IncompleteReadError:
                return
            log.requests.append((method, target, headers))
            if expected is not None and headers.get("proxy-authorization") != expected:
                writer.write(response(407, b"", 'Proxy-Authenticate: Basic realm="proxy"\r\n'))
                await writer.drain()
                continue
            if method == "CONNECT":
                if refuse_connect is not None:
                    writer.write(response(refuse_connect, b"no", "X-Proxy-Reason: refused\r\n"))
                    await writer.drain()
                    return
                host, _, port = target.rpartition(":")
                up_reader, up_writer = await asyncio.wait_for(
                    asyncio.open_connection(host.strip("[]"), int(port)), WAIT
                )
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
                up_writer.close()
                return
            if not await _forward(writer, method, target, headers, body):
                return

    port = await servers.start(handler, ssl_context=ssl_context)
    scheme = "https" if ssl_context is not None else "http"
    return URL(f"{scheme}://127.0.0.1:{port}"), log


async def _socks4(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, log: ProxyLog
) -> None:
    port_hi, port_lo, *ip = await asyncio.wait_for(reader.readexactly(6), WAIT)
    user = await asyncio.wait_for(reader.readuntil(b"\x00"), WAIT)
    host = ".".join(str(b) for b in ip)
    if ip[:3] == [0, 0, 0] and ip[3]:  # SOCKS4a: the name follows
        host = (await asyncio.wait_for(reader.readuntil(b"\x00"), WAIT))[:-1].decode()
    port = port_hi * 256 + port_lo
    log.requests.append(("CONNECT", f"{host}:{port}", {"user": user[:-1].decode()}))
    up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(host, port), WAIT)
    writer.write(b"\x00\x5a\x00\x00\x00\x00\x00\x00")
    await writer.drain()
    await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
    up_writer.close()


async def start_socks5_proxy(
    servers: Servers, *, users: dict[str, str] | None = None
) -> tuple[URL, ProxyLog]:
    """Start a SOCKS proxy (CONNECT only): SOCKS5, or SOCKS4/4a when the client speaks it.

    ``users`` requires RFC 1929 credentials from SOCKS5 clients.
    """
    log = ProxyLog()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        log.connections += 1
        version, count = await asyncio.wait_for(reader.readexactly(2), WAIT)
        if version == 4:
            await _socks4(reader, writer, log)
            return
        methods = await asyncio.wait_for(reader.readexactly(count), WAIT)
        if users is not None:
            if 2 not in methods:
                writer.write(b"\x05\xff")
                return
            writer.write(b"\x05\x02")
            _, ulen = await asyncio.wait_for(reader.readexactly(2), WAIT)
            user = (await reader.readexactly(ulen)).decode()
            plen = (await reader.readexactly(1))[0]
            password = (await reader.readexactly(plen)).decode()
            if users.get(user) != password:
                writer.write(b"\x01\x01")
                return
            writer.write(b"\x01\x00")
        else:
            writer.write(b"\x05\x00")
        _, _cmd, _, atyp = await asyncio.wait_for(reader.readexactly(4), WAIT)
        if atyp == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif atyp == 3:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        else:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        log.requests.append(("CONNECT", f"{host}:{port}", {}))
        try:
            up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(host, port), WAIT)
        except OSError:
            writer.write(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
            return
        writer.write(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00")
        await writer.drain()
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        up_writer.close()

    port = await servers.start(handler)
    return URL(f"socks5://127.0.0.1:{port}"), log
