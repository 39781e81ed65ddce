"""The WebSocket client end to end on loopback: ours against aiohttp 3.14 and websockets.

Workloads (every client talks to the same echo server, one connection each,
opened before timing; one op = one round trip: send a message, await its
echo, check its size):

* ``20k small text``: 20,000 sequential round trips of a 42-byte TEXT
  message, no compression (messages per second).
* ``1MiB binary x100``: 100 round trips of a 1 MiB BINARY message of random
  bytes, no compression.
* ``1MiB deflate x30``: 30 round trips of a 1 MiB BINARY message of
  JSON-like text made of random words (deflates to under half), with
  permessage-deflate: the client offers it (``compress=15``) and the server
  accepts with websockets' default parameters (12-bit windows both ways).

The throughput column counts the payload bytes the client sent and received
(2 MiB per round trip), uncompressed.

The server is a ``websockets`` 17.4 echo server (``websockets.asyncio``) run
by the peers' interpreter in a separate process, started in ``make()`` and
stopped when the worker exits, so the CPU time the harness reports is the
client's alone. It accepts messages of any size, never pings, and enables
permessage-deflate the way websockets does by default (a client that does not
offer it gets none). Implementations: ``ours``
(``aiohttp_client.ClientSession.ws_connect``), ``aiohttp-c`` (aiohttp 3.14
with its C extensions), ``aiohttp-py`` (``AIOHTTP_NO_EXTENSIONS=1``),
``websockets`` (its asyncio client, as a reference). Every client runs without
a message size limit and without heartbeats.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import random
import subprocess
from collections.abc import Callable
from typing import Any

from _harness import Case, Target

SMALL_COUNT = 20_000
SMALL_TEXT = '{"type": "tick", "seq": 12345, "ok": true}'
BIG_SIZE = 2**20
BIG_COUNT = 100
DEFLATE_COUNT = 30
NO_EXT = {"AIOHTTP_NO_EXTENSIONS": "1"}

SERVER = r"""
import asyncio, sys
from websockets.asyncio.server import serve

async def echo(ws):
    async for message in ws:
        await ws.send(message)

async def main():
    async with serve(echo, "127.0.0.1", 0, max_size=None, ping_interval=None,
                     compression="deflate") as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


def _start_server() -> str:
    """Start the echo server in another process; return its URL."""
    from peers import peers_python

    proc = subprocess.Popen(
        [str(peers_python()), "-c", SERVER],
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
    return f"ws://127.0.0.1:{port}/"


def _json_words(size: int) -> bytes:
    """``size`` bytes of JSON-like records of random words (seeded, so every run is alike)."""
    rng = random.Random(7)
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10)))
        for _ in range(2000)
    ]
    parts: list[str] = []
    total = 0
    seq = 0
    while total < size:
        words = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(4, 12)))
        record = (
            f'{{"id": {seq}, "user": "{rng.choice(vocabulary)}", '
            f'"score": {rng.random():.6f}, "text": "{words}"}},\n'
        )
        parts.append(record)
        total += len(record)
        seq += 1
    return "".join(parts).encode()[:size]


# A client is three coroutines: connect (returns a connection), send, receive.
Connect = Callable[[str, bool], Any]
Send = Callable[[Any, "str | bytes"], Any]
Receive = Callable[[Any], Any]


def _runner(connect: Connect, send: Send, receive: Receive, workload: str) -> Callable[[], Any]:
    url = _start_server()
    kind, count = WORKLOADS[workload][0], WORKLOADS[workload][1]
    message: str | bytes
    if kind == "small":
        message = SMALL_TEXT
    elif kind == "binary":
        message = os.urandom(BIG_SIZE)
    else:
        message = _json_words(BIG_SIZE)
    size = len(message)
    loop = asyncio.new_event_loop()
    conn, close = loop.run_until_complete(connect(url, kind == "deflate"))
    atexit.register(lambda: loop.run_until_complete(close()))  # runs before the server stops

    async def check_echo() -> None:
        await send(conn, message)
        echo = await receive(conn)
        if echo != message:
            raise AssertionError(f"the echo differs from the {size}-byte message sent")

    loop.run_until_complete(check_echo())

    async def round_trips() -> None:
        for _ in range(count):
            await send(conn, message)
            echo = await receive(conn)
            if len(echo) != size:
                raise AssertionError(f"echo of {len(echo)} bytes, expected {size}")

    return lambda: loop.run_until_complete(round_trips())


# --- implementations ---------------------------------------------------------------------


def _ours(workload: str) -> Callable[[], Any]:
    import aiohttp_client
    from aiohttp_ws import WSMsgType

    async def connect(url: str, deflate: bool) -> Any:
        session = aiohttp_client.ClientSession()
        ws = await session.ws_connect(url, compress=15 if deflate else 0, max_msg_size=0)
        if deflate and not ws.compress:
            raise AssertionError("permessage-deflate was not negotiated")

        async def close() -> None:
            await ws.close()
            await session.close()

        return ws, close

    async def send(ws: Any, message: str | bytes) -> None:
        if isinstance(message, str):
            await ws.send_str(message)
        else:
            await ws.send_bytes(message)

    async def receive(ws: Any) -> str | bytes:
        msg = await ws.receive()
        if msg.type is not WSMsgType.TEXT and msg.type is not WSMsgType.BINARY:
            raise AssertionError(f"unexpected message {msg.type!r}: {msg.data!r}")
        return msg.data

    return _runner(connect, send, receive, workload)


def _aiohttp(workload: str) -> Callable[[], Any]:
    import aiohttp

    async def connect(url: str, deflate: bool) -> Any:
        session = aiohttp.ClientSession()
        ws = await session.ws_connect(url, compress=15 if deflate else 0, max_msg_size=0)
        if deflate and not ws.compress:
            raise AssertionError("permessage-deflate was not negotiated")

        async def close() -> None:
            await ws.close()
            await session.close()

        return ws, close

    async def send(ws: Any, message: str | bytes) -> None:
        if isinstance(message, str):
            await ws.send_str(message)
        else:
            await ws.send_bytes(message)

    async def receive(ws: Any) -> str | bytes:
        msg = await ws.receive()
        if msg.type is not aiohttp.WSMsgType.TEXT and msg.type is not aiohttp.WSMsgType.BINARY:
            raise AssertionError(f"unexpected message {msg.type!r}: {msg.data!r}")
        return msg.data

    return _runner(connect, send, receive, workload)


def _websockets(workload: str) -> Callable[[], Any]:
    from websockets.asyncio.client import connect as ws_connect

    async def connect(url: str, deflate: bool) -> Any:
        ws = await ws_connect(
            url, max_size=None, ping_interval=None, compression="deflate" if deflate else None
        )
        if deflate and not ws.protocol.extensions:
            raise AssertionError("permessage-deflate was not negotiated")
        return ws, ws.close

    async def send(ws: Any, message: str | bytes) -> None:
        await ws.send(message)

    async def receive(ws: Any) -> str | bytes:
        return await ws.recv()

    return _runner(connect, send, receive, workload)


#: name: (kind, round trips, repeat)
WORKLOADS = {
    "20k small text": ("small", SMALL_COUNT, 5),
    "1MiB binary x100": ("binary", BIG_COUNT, 5),
    "1MiB deflate x30": ("deflate", DEFLATE_COUNT, 5),
}


def cases() -> list[Case]:
    result: list[Case] = []
    for name, (kind, count, repeat) in WORKLOADS.items():
        nbytes = 0 if kind == "small" else 2 * BIG_SIZE * count
        common: dict[str, Any] = {"ops": count, "nbytes": nbytes, "repeat": repeat}
        result += [
            Case(name, "ours", "ours", lambda w=name: _ours(w), **common),
            Case(name, "aiohttp-c", "peers", lambda w=name: _aiohttp(w), **common),
            Case(name, "aiohttp-py", "peers", lambda w=name: _aiohttp(w), env=NO_EXT, **common),
            Case(name, "websockets", "peers", lambda w=name: _websockets(w), **common),
        ]
    return result


TARGETS = [
    Target(name, "aiohttp-c", 1.0, metric=metric)
    for name in WORKLOADS
    for metric in ("wall", "cpu")
]
