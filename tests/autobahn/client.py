"""Our WebSocket client against ``wstest -m fuzzingserver`` (Autobahn|Testsuite).

Usage (``run.py client`` starts the fuzzing server and runs this for you)::

    python tests/autobahn/client.py ws://127.0.0.1:9001 [--agent aiohttp-packages] [--engine]

Asks the fuzzing server for its case count (``/getCaseCount``), runs every
case (``/runCase?case=N&agent=...``) echoing each TEXT and BINARY message
back, then asks it to write its reports (``/updateReports?agent=...``).

Cases connect with ``aiohttp_client.ClientSession.ws_connect`` (what an
application writes: :func:`connect_session`); ``--engine`` connects with
aiohttp_ws's handshake helpers and asyncio adapters directly
(:func:`connect_engine`), to tell engine problems from client ones.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import traceback
from collections.abc import AsyncIterator
from urllib.parse import quote, urlsplit

from session import EchoWebSocket, WebSocketSession, echo

from aiohttp_ws import (
    FlowControlProtocol,
    PerMessageDeflate,
    WSMsgType,
    client_request_headers,
    generate_key,
    validate_upgrade_response,
)

DEFAULT_AGENT = "aiohttp-packages"
#: Bound on the TCP connect and on the HTTP upgrade answer.
HANDSHAKE_TIMEOUT = 10.0
#: Bound on one case; autobahn's own case timeouts go up to 480 s (12.x/13.x).
CASE_TIMEOUT = 600.0


def parse_response_head(head: bytes) -> tuple[int, list[tuple[str, str]]]:
    """The status code and header pairs of an HTTP/1.1 response head.

    Raises ``ValueError`` naming the malformed line.
    """
    status_line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    version, _, rest = status_line.partition(" ")
    code = rest[:3]
    if version != "HTTP/1.1" or not code.isdigit():
        raise ValueError(f"bad status line {status_line[:80]!r}")
    headers = []
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise ValueError(f"bad header line {line[:80]!r}")
        headers.append((name, value.strip(" \t")))
    return int(code), headers


@contextlib.asynccontextmanager
async def connect_engine(url: str) -> AsyncIterator[EchoWebSocket]:
    """Open a client WebSocket to ``url`` (``ws://`` only) on the engine directly.

    Offers permessage-deflate with ``client_max_window_bits`` (the server may
    then restrict either window and ask for no context takeover, which cases
    13.x do) and accepts messages of any size.
    """
    parts = urlsplit(url)
    if parts.scheme != "ws" or not parts.hostname:
        raise ValueError(f"expected a ws:// URL, got {url!r}")
    host, port = parts.hostname, parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    loop = asyncio.get_running_loop()
    transport, protocol = await asyncio.wait_for(
        loop.create_connection(FlowControlProtocol, host, port), HANDSHAKE_TIMEOUT
    )
    try:
        key = generate_key()
        offer = PerMessageDeflate(client_max_window_bits_offered=True)
        lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [f"{name}: {value}" for name, value in client_request_headers(key, deflate=offer)]
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        head = await asyncio.wait_for(protocol.read_head(), HANDSHAKE_TIMEOUT)
        status, headers = parse_response_head(head)
        agreed = validate_upgrade_response(status, headers, key=key, deflate=offer).deflate
    except BaseException:
        transport.close()
        raise
    ws = WebSocketSession(protocol, transport, is_server=False, deflate=agreed, max_msg_size=0)
    try:
        yield ws
    finally:
        await ws.close()


@contextlib.asynccontextmanager
async def connect_session(url: str) -> AsyncIterator[EchoWebSocket]:
    """Open a client WebSocket to ``url`` with ``aiohttp_client.ClientSession.ws_connect``.

    What an application writes: permessage-deflate offered (``compress=15``)
    and no message size limit, as conformance runs do.
    """
    from aiohttp_client import ClientSession, ClientWSTimeout

    async with (
        ClientSession() as session,
        session.ws_connect(
            url, compress=15, max_msg_size=0, timeout=ClientWSTimeout(ws_close=10.0)
        ) as ws,
    ):
        yield ws


#: How cases connect: ``connect_session`` unless ``--engine`` is given.
connect = connect_session


async def case_count(base: str) -> int:
    """Ask the fuzzing server how many cases it runs."""
    async with connect(f"{base}/getCaseCount") as ws:
        message = await ws.receive()
        if message.type != WSMsgType.TEXT:
            raise RuntimeError(f"/getCaseCount answered {message.type.name}, not TEXT")
        return int(message.data)


async def run_case(base: str, case: int, agent: str) -> None:
    """Run one case: echo until the fuzzing server ends the connection."""
    async with connect(f"{base}/runCase?case={case}&agent={quote(agent)}") as ws:
        await echo(ws)


async def update_reports(base: str, agent: str) -> None:
    """Ask the fuzzing server to write its reports for ``agent``."""
    async with connect(f"{base}/updateReports?agent={quote(agent)}") as ws:
        while (await ws.receive()).type in (WSMsgType.TEXT, WSMsgType.BINARY):
            pass


async def run(base: str, agent: str, *, case_timeout: float = CASE_TIMEOUT) -> int:
    """Run every case and update the reports; return the number of cases that raised."""
    count = await case_count(base)
    print(f"fuzzing server at {base} has {count} cases; agent {agent!r}", flush=True)
    errors = 0
    started = time.monotonic()
    for case in range(1, count + 1):
        try:
            await asyncio.wait_for(run_case(base, case, agent), case_timeout)
        except Exception:
            # The fuzzing server scores the case; we keep going and tell.
            errors += 1
            print(f"case {case}: our client raised:", file=sys.stderr)
            traceback.print_exc()
        if case % 50 == 0 or case == count:
            elapsed = time.monotonic() - started
            print(f"  {case}/{count} cases run ({elapsed:.0f} s)", flush=True)
    await update_reports(base, agent)
    print("reports updated", flush=True)
    return errors


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("url", help="the fuzzing server, e.g. ws://127.0.0.1:9001")
    parser.add_argument("--agent", default=DEFAULT_AGENT, help="name in the reports")
    parser.add_argument("--case-timeout", type=float, default=CASE_TIMEOUT, metavar="SECONDS")
    parser.add_argument(
        "--engine",
        action="store_true",
        help="use the engine directly, not ClientSession.ws_connect",
    )
    args = parser.parse_args(argv)
    global connect
    connect = connect_engine if args.engine else connect_session
    errors = asyncio.run(run(args.url.rstrip("/"), args.agent, case_timeout=args.case_timeout))
    if errors:
        print(f"{errors} case(s) raised in our client (see above)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
