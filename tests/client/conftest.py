"""Servers for the client tests, all on 127.0.0.1 with a port chosen by the OS.

* ``asgi_url``: one uvicorn server (h11) for the whole session, running the
  ASGI app below in a thread of its own; routes cover normal behaviour.
* ``raw_server``: a factory of small raw asyncio servers in the test's loop,
  for byte-exact misbehaviour (truncated bodies, drops, garbage, trickles).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
import uvicorn
from yarl import URL

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(
    send: Send,
    status: int,
    body: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    content_type: bytes | None = b"text/plain; charset=utf-8",
) -> None:
    head = list(headers or [])
    if content_type is not None:
        head.append((b"content-type", content_type))
    head.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


async def asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Routes: /echo, /status/N, /redirect/N?to=, /chain/N, /set-cookie, /gzip,
    /bytes?charset=&ctype=, /json, /slow?delay=, /stream?n=&size=&delay=, /links,
    /disposition, /continue-check."""
    if scope["type"] != "http":
        return
    path: str = scope["path"]
    query = dict(parse_qsl(scope["query_string"].decode()))
    if path == "/echo":
        body = await _read_body(receive)
        payload = {
            "method": scope["method"],
            "path": path,
            "raw_path": scope.get("raw_path", b"").decode(),
            "query": scope["query_string"].decode(),
            "headers": [[k.decode(), v.decode("latin-1")] for k, v in scope["headers"]],
            "body": base64.b64encode(body).decode(),
            "http_version": scope["http_version"],
        }
        await _respond(send, 200, json.dumps(payload).encode(), content_type=b"application/json")
    elif path.startswith("/status/"):
        await _read_body(receive)
        await _respond(send, int(path.rsplit("/", 1)[1]), b"status body")
    elif path.startswith("/redirect/"):
        await _read_body(receive)
        code = int(path.rsplit("/", 1)[1])
        await _respond(send, code, b"moved", headers=[(b"location", query["to"].encode())])
    elif path.startswith("/chain/"):
        n = int(path.rsplit("/", 1)[1])
        target = f"/chain/{n - 1}" if n > 0 else "/echo"
        await _respond(send, 302, b"", headers=[(b"location", target.encode())])
    elif path == "/set-cookie":
        headers = [(b"set-cookie", f"{k}={v}; Path=/".encode()) for k, v in query.items()]
        await _respond(send, 200, b"ok", headers=headers)
    elif path == "/gzip":
        data = gzip.compress(b"compressed payload " * 100)
        await _respond(
            send, 200, data, headers=[(b"content-encoding", b"gzip")], content_type=b"text/plain"
        )
    elif path == "/bytes":
        ctype = query.get("ctype", "text/plain")
        if "charset" in query:
            ctype += f"; charset={query['charset']}"
        data = query.get("text", "h\u00e9llo w\u00f6rld").encode(query.get("encode", "utf-8"))
        await _respond(send, 200, data, content_type=ctype.encode())
    elif path == "/json":
        await _respond(send, 200, b'{"ok": true}', content_type=b"application/json")
    elif path == "/slow":
        await asyncio.sleep(float(query.get("delay", "1")))
        await _respond(send, 200, b"late")
    elif path == "/stream":
        n, size = int(query.get("n", "3")), int(query.get("size", "10"))
        delay = float(query.get("delay", "0"))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(n):
            await send({"type": "http.response.body", "body": b"x" * size, "more_body": True})
            if delay:
                await asyncio.sleep(delay)
        await send({"type": "http.response.body", "body": b""})
    elif path == "/links":
        link = b'<https://example.com/page2>; rel="next", </page1>; rel=prev; title="first"'
        await _respond(send, 200, b"", headers=[(b"link", link)])
    elif path == "/disposition":
        header = b"attachment; filename=\"plain.txt\"; filename*=UTF-8''na%C3%AFve.txt"
        await _respond(send, 200, b"file", headers=[(b"content-disposition", header)])
    else:
        await _respond(send, 404, b"not found")


class ServerThread:
    """A uvicorn server in a daemon thread (its own event loop)."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="error", lifespan="off", http="h11"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> URL:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return URL(f"http://127.0.0.1:{port}")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def asgi_url() -> Iterator[URL]:
    """Base URL of the shared uvicorn server running :func:`asgi_app`."""
    thread = ServerThread(asgi_app)
    url = thread.start()
    yield url
    thread.stop()


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """Read one request head (and a Content-Length body) from a raw connection."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
            return head + await asyncio.wait_for(reader.readexactly(length), 10)
    return head


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[Handler], Awaitable[URL]]]:
    """Start raw asyncio servers: ``url = await raw_server(handler)``."""
    servers: list[asyncio.Server] = []
    writers: list[asyncio.StreamWriter] = []

    async def start(handler: Handler) -> URL:
        async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.append(writer)
            try:
                await handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return URL(f"http://127.0.0.1:{port}")

    yield start
    for writer in writers:
        writer.close()
    for server in servers:
        server.close()
        await asyncio.wait_for(server.wait_closed(), 5)


def canned(body: bytes = b"ok", *, extra: bytes = b"", status: bytes = b"200 OK") -> bytes:
    """A complete keep-alive response with a Content-Length body."""
    return (
        b"HTTP/1.1 "
        + status
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n"
        + extra
        + b"\r\n"
        + body
    )


def keepalive_handler(body: bytes = b"ok") -> Handler:
    """A raw handler answering every request on a connection with ``body``."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            writer.write(canned(body))
            await writer.drain()

    return handler
