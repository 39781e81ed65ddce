"""Opening TCP connections: TLS contexts, address ordering and Happy Eyeballs (RFC 8305)."""

from __future__ import annotations

import asyncio
import functools
import ssl as ssl_module
from collections import deque
from collections.abc import Awaitable, Callable

from ._abc import ResolveResult
from ._client_proto import ResponseHandler
from ._exceptions import ConnectionTimeoutError
from ._fingerprint import Fingerprint
from ._timeouts import timeout_after

__all__ = [
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
) -> ResponseHandler:
    """Connect to one of ``addrs`` (raced when ``happy_eyeballs_delay`` is set).

    Each attempt (TCP and TLS) is bounded by ``sock_connect``; ``label``
    (``host:port``) names the destination in the timeout message.

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
            return proto

        return run

    attempts = [attempt(addr) for addr in addrs]
    if happy_eyeballs_delay is not None and len(attempts) > 1:
        return await race_attempts(attempts, happy_eyeballs_delay)
    return await sequential_attempts(attempts)
