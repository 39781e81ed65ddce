"""Opening TCP connections: TLS contexts, address ordering and Happy Eyeballs (RFC 8305).

Each attempt normally lets ``loop.create_connection`` make and connect the
socket. With a ``socket_factory`` (``TCPConnector(socket_factory=...)``) the
factory makes the socket for the attempt's address instead; we bind it to
``local_addr``, connect it with ``loop.sock_connect`` (non-blocking, so the
race and the timeouts work as usual) and hand it to ``create_connection(sock=...)``.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl as ssl_module
from collections import deque
from collections.abc import Awaitable, Callable

from ._abc import ResolveResult
from ._client_proto import ResponseHandler
from ._exceptions import ConnectionTimeoutError
from ._fingerprint import Fingerprint
from ._timeouts import timeout_after
from ._typedefs import AddrInfoType, SocketFactoryType

__all__ = [
    "connect_socket",
    "dial",
    "interleave_families",
    "race_attempts",
    "sequential_attempts",
    "ssl_context_for",
]

Attempt = Callable[[], Awaitable[ResponseHandler]]


@functools.cache
def _default_ssl_context(verified: bool) -> ssl_module.SSLContext:
    if verified:
        return ssl_module.create_default_context()
    context = ssl_module.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl_module.CERT_NONE
    return context


def ssl_context_for(setting: object) -> ssl_module.SSLContext:
    """The :class:`ssl.SSLContext` for a request's ``ssl`` setting.

    ``True``/``None``: the default verified context; ``False`` or a
    :class:`Fingerprint`: no chain verification; a context: itself.
    """
    if isinstance(setting, ssl_module.SSLContext):
        return setting
    if setting is False or isinstance(setting, Fingerprint):
        return _default_ssl_context(False)
    return _default_ssl_context(True)


def interleave_families(addrs: list[ResolveResult], first_family_count: int) -> list[ResolveResult]:
    """Order addresses alternating families (RFC 8305 §4), ``first_family_count`` of the first."""
    if first_family_count < 1 or len(addrs) < 2:
        return addrs
    by_family: dict[int, deque[ResolveResult]] = {}
    for addr in addrs:
        by_family.setdefault(addr["family"], deque()).append(addr)
    queues = list(by_family.values())
    ordered: list[ResolveResult] = []
    first = queues[0]
    ordered.extend(first.popleft() for _ in range(min(first_family_count - 1, len(first))))
    while any(queues):
        ordered.extend(queue.popleft() for queue in queues if queue)
    return ordered


async def sequential_attempts(
    attempts: list[Callable[[], Awaitable[ResponseHandler]]],
) -> ResponseHandler:
    """Try the attempts one after the other; return the first connection made.

    Raises:
        the last attempt's error (``OSError`` or :class:`ConnectionTimeoutError`); a TLS
        error at once.
    """
    last: BaseException | None = None
    for run in attempts:
        try:
            return await run()
        except (OSError, ConnectionTimeoutError) as exc:
            if isinstance(exc, ssl_module.SSLError):
                raise
            last = exc
    assert last is not None
    raise last


async def race_attempts(
    attempts: list[Callable[[], Awaitable[ResponseHandler]]], delay: float
) -> ResponseHandler:
    """Happy Eyeballs (RFC 8305): start the next attempt every ``delay`` seconds or as soon
    as one fails; the first success wins and the others are cancelled (or closed)."""
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Task[ResponseHandler]] = set()
    errors: list[BaseException] = []
    remaining = list(attempts)
    try:
        while remaining or pending:
            if remaining:
                pending.add(loop.create_task(remaining.pop(0)()))  # type: ignore[arg-type]
            done, _ = await asyncio.wait(
                pending,
                timeout=delay if remaining else None,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for task in done:
                pending.discard(task)
                exc = task.exception()
                if exc is None:
                    return task.result()
                if isinstance(exc, ssl_module.SSLError):
                    raise exc
                errors.append(exc)
    finally:
        for task in pending:
            task.cancel()
            task.add_done_callback(_close_loser)
    raise errors[-1]


def _close_loser(task: asyncio.Task[ResponseHandler]) -> None:
    if not task.cancelled() and task.exception() is None:
        task.result().close()


async def _stream_addrinfo(
    loop: asyncio.AbstractEventLoop, host: str, port: int, family: int, proto: int, flags: int
) -> AddrInfoType:
    """The first ``getaddrinfo`` result of a stream socket to ``host:port``.

    Resolved hosts are numeric, answered without a lookup; any other name goes
    through the loop's resolver thread.
    """
    try:
        infos = socket.getaddrinfo(
            host,
            port,
            family,
            socket.SOCK_STREAM,
            proto,
            flags | socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
        )
    except socket.gaierror:
        infos = await loop.getaddrinfo(
            host, port, family=family, type=socket.SOCK_STREAM, proto=proto, flags=flags
        )
    if not infos:
        raise OSError(f"getaddrinfo({host!r}, {port}) returned no address")
    return infos[0]


async def connect_socket(
    socket_factory: SocketFactoryType,
    addr: ResolveResult,
    local_addr: tuple[str, int] | None = None,
) -> socket.socket:
    """Make a socket for ``addr`` with ``socket_factory``, bind it, connect it.

    The factory gets the address as a ``getaddrinfo`` tuple
    (:data:`AddrInfoType`) and returns an unconnected stream socket.

    Raises:
        OSError: binding or connecting failed (the socket is closed).
        TypeError: the factory returned no socket; ValueError: not a stream socket.
    """
    loop = asyncio.get_running_loop()
    info = await _stream_addrinfo(
        loop, addr["host"], addr["port"], addr["family"], addr["proto"], addr["flags"]
    )
    sock = socket_factory(info)
    if not isinstance(sock, socket.socket):
        raise TypeError(f"socket_factory returned {type(sock).__name__}, not a socket.socket")
    try:
        if sock.type != socket.SOCK_STREAM:
            raise ValueError(f"socket_factory returned a {sock.type!r} socket, not SOCK_STREAM")
        sock.setblocking(False)
        if local_addr is not None:
            local = await _stream_addrinfo(loop, *local_addr, info[0], info[2], 0)
            sock.bind(local[4])
        await loop.sock_connect(sock, info[4])
    except BaseException:
        sock.close()
        raise
    return sock


async def dial(
    factory: Callable[[], ResponseHandler],
    addrs: list[ResolveResult],
    *,
    ssl_context: ssl_module.SSLContext | None,
    server_hostname: str | None,
    local_addr: tuple[str, int] | None,
    sock_connect: float | None,
    ceil_threshold: float,
    happy_eyeballs_delay: float | None,
    label: str,
    socket_factory: SocketFactoryType | None = None,
) -> ResponseHandler:
    """Connect to one of ``addrs`` (raced when ``happy_eyeballs_delay`` is set).

    Each attempt (TCP and TLS) is bounded by ``sock_connect``; ``label``
    (``host:port``) names the destination in the timeout message. With
    ``socket_factory`` each attempt's socket is made by it (:func:`connect_socket`).

    Raises:
        OSError, ssl.SSLError: the last attempt's error (a TLS error at once).
        ConnectionTimeoutError: ``sock_connect`` expired on the last attempt.
    """
    loop = asyncio.get_running_loop()

    def attempt(addr: ResolveResult) -> Attempt:
        async def run() -> ResponseHandler:
            async with timeout_after(
                sock_connect,
                exc_type=ConnectionTimeoutError,
                message=f"Connection timeout to host {label}",
                ceil_threshold=ceil_threshold,
            ):
                if socket_factory is None:
                    _, proto = await loop.create_connection(
                        factory,
                        addr["host"],
                        addr["port"],
                        ssl=ssl_context,
                        family=addr["family"],
                        proto=addr["proto"],
                        flags=addr["flags"],
                        server_hostname=server_hostname,
                        local_addr=local_addr,
                    )
                else:
                    sock = await connect_socket(socket_factory, addr, local_addr)
                    try:
                        _, proto = await loop.create_connection(
                            factory, sock=sock, ssl=ssl_context, server_hostname=server_hostname
                        )
                    except BaseException:
                        sock.close()  # a no-op when the transport closed it already
                        raise
            return proto

        return run

    attempts = [attempt(addr) for addr in addrs]
    if happy_eyeballs_delay is not None and len(attempts) > 1:
        return await race_attempts(attempts, happy_eyeballs_delay)
    return await sequential_attempts(attempts)
