"""The HTTP client end to end on loopback: ours against aiohttp 3.14 and httpx.

Workloads (the same canned server for every implementation):

* ``10k sequential GETs``: 10,000 GETs one after the other over one keep-alive
  connection; 13-byte body.
* ``10k GETs c=64``: 10,000 GETs from 64 concurrent tasks sharing one
  session/client (pool of up to 64 connections).
* ``256MiB download``: one GET streaming a 256 MiB Content-Length body,
  consumed chunk by chunk as it arrives (throughput and peak memory growth).

The server is a raw asyncio server in a separate process (started in
``make()``, stopped when the worker exits), so the CPU time the harness
reports is the client's alone. Implementations: ``ours``
(``aiohttp_client.ClientSession``), ``aiohttp-c`` (aiohttp 3.14 with its C
extensions), ``aiohttp-py`` (``AIOHTTP_NO_EXTENSIONS=1``), ``httpx``
(``httpx.AsyncClient``). Every implementation runs with its default timeouts.
"""

from __future__ import annotations

import asyncio
import atexit
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from _harness import Case, Target

SEQUENTIAL = 10_000
CONCURRENT = 10_000
CONCURRENCY = 64
BIG_SIZE = 256 * 2**20
NO_EXT = {"AIOHTTP_NO_EXTENSIONS": "1"}

SERVER = r"""
import asyncio, sys
SMALL = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!"
BIG_SIZE = int(sys.argv[1])
BLOCK = b"x" * 2**20

class Canned(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        transport.set_write_buffer_limits(high=2**22)
        self.buf = b""
        self.paused = False
        self.remaining = 0

    def data_received(self, data):
        buf = self.buf + data if self.buf else data
        out = []
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            big = buf.startswith(b"GET /big")
            buf = buf[end + 4:]
            if big:
                if out:
                    self.transport.write(b"".join(out))
                    out = []
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % BIG_SIZE)
                self.remaining = BIG_SIZE
                self.pump()
            else:
                out.append(SMALL)
        self.buf = buf
        if out:
            self.transport.write(b"".join(out))

    def pump(self):
        while self.remaining and not self.paused:
            n = min(len(BLOCK), self.remaining)
            self.transport.write(BLOCK if n == len(BLOCK) else BLOCK[:n])
            self.remaining -= n

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        self.pump()

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Canned, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


def _start_server() -> str:
    """Start the canned server in another process; return its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(BIG_SIZE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    port = int(proc.stdout.readline())

    def stop() -> None:
        assert proc.stdin is not None
        proc.stdin.close()  # the server exits at EOF of its stdin
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()

    atexit.register(stop)
    return f"http://127.0.0.1:{port}"


def _runner(
    open_client: Callable[[], Any],
    one_get: Callable[[Any, str], Any],
    download: Callable[[Any, str], Any],
    workload: str,
) -> Callable[[], Any]:
    base = _start_server()
    loop = asyncio.new_event_loop()
    client = loop.run_until_complete(open_client())
    small, big = base + "/small", base + "/big"

    async def sequential() -> None:
        for _ in range(SEQUENTIAL):
            await one_get(client, small)

    async def concurrent() -> None:
        per_task = CONCURRENT // CONCURRENCY
        extra = CONCURRENT - per_task * CONCURRENCY

        async def worker(n: int) -> None:
            for _ in range(n):
                await one_get(client, small)

        await asyncio.gather(
            *(worker(per_task + (1 if i < extra else 0)) for i in range(CONCURRENCY))
        )

    async def fetch_big() -> None:
        got = await download(client, big)
        if got != BIG_SIZE:
            raise AssertionError(f"downloaded {got} bytes, expected {BIG_SIZE}")

    job = {"sequential": sequential, "concurrent": concurrent, "download": fetch_big}[workload]
    return lambda: loop.run_until_complete(job())


# --- implementations ---------------------------------------------------------------------


def _ours(workload: str) -> Callable[[], Any]:
    import aiohttp_client

    async def open_client() -> Any:
        return aiohttp_client.ClientSession()

    async def one_get(session: Any, url: str) -> None:
        async with session.get(url) as resp:
            await resp.read()

    async def download(session: Any, url: str) -> int:
        total = 0
        async with session.get(url) as resp:
            async for chunk in resp.content.iter_any():
                total += len(chunk)
        return total

    return _runner(open_client, one_get, download, workload)


def _aiohttp(workload: str) -> Callable[[], Any]:
    import aiohttp

    async def open_client() -> Any:
        return aiohttp.ClientSession()

    async def one_get(session: Any, url: str) -> None:
        async with session.get(url) as resp:
            await resp.read()

    async def download(session: Any, url: str) -> int:
        total = 0
        async with session.get(url) as resp:
            async for chunk in resp.content.iter_any():
                total += len(chunk)
        return total

    return _runner(open_client, one_get, download, workload)


def _httpx(workload: str) -> Callable[[], Any]:
    import httpx

    async def open_client() -> Any:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        return httpx.AsyncClient(limits=limits)

    async def one_get(client: Any, url: str) -> None:
        resp = await client.get(url)
        _ = resp.content

    async def download(client: Any, url: str) -> int:
        total = 0
        async with client.stream("GET", url) as resp:
            async for chunk in resp.aiter_raw():
                total += len(chunk)
        return total

    return _runner(open_client, one_get, download, workload)


WORKLOADS = {
    "10k sequential GETs": ("sequential", SEQUENTIAL, 0, 5),
    "10k GETs c=64": ("concurrent", CONCURRENT, 0, 5),
    "256MiB download": ("download", 1, BIG_SIZE, 3),
}


def cases() -> list[Case]:
    result: list[Case] = []
    for name, (kind, ops, nbytes, repeat) in WORKLOADS.items():
        common: dict[str, Any] = {"ops": ops, "nbytes": nbytes, "repeat": repeat}
        result += [
            Case(name, "ours", "ours", lambda k=kind: _ours(k), **common),
            Case(name, "aiohttp-c", "peers", lambda k=kind: _aiohttp(k), **common),
            Case(name, "aiohttp-py", "peers", lambda k=kind: _aiohttp(k), env=NO_EXT, **common),
            Case(name, "httpx", "peers", lambda k=kind: _httpx(k), **common),
        ]
    return result


TARGETS = [
    Target("10k sequential GETs", "aiohttp-c", 1.0, metric="cpu"),
    Target("10k GETs c=64", "aiohttp-c", 1.0, metric="cpu"),
    Target("10k sequential GETs", "httpx", 3.0, metric="cpu"),
    Target("10k GETs c=64", "httpx", 3.0, metric="cpu"),
    Target("256MiB download", "aiohttp-c", 0.9, metric="wall"),
]
