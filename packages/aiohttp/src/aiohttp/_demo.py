"""The Quick start demo: our client against our server, in this process, on 127.0.0.1.

It starts the playground of ``aiohttp serve`` (aiohttp-http's low-level
server, :mod:`aiohttp._playground`) on a free loopback port and talks to it
with aiohttp-client's ``ClientSession``: a GET, a JSON POST, a multipart
upload (aiohttp-multipart's ``FormData``, read back by its
``MultipartReader`` on the server), a streamed download with a progress bar,
and a WebSocket echo (aiohttp-ws on both sides). Each step prints one or two
lines; a failing step says why, the others still run, and the demo returns 1.
No network beyond loopback is needed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TextIO

from aiohttp_client import ClientSession, ClientTimeout
from aiohttp_multipart import FormData
from aiohttp_ws import WSMsgType

from . import _playground
from ._info import collect
from ._progress import Progress, format_rate, format_size

__all__ = ["DOWNLOAD_SIZE", "STEPS", "UPLOAD_SIZE", "run"]

#: Bytes of the generated file the demo uploads.
UPLOAD_SIZE: Final = 4 * 2**20
#: Bytes the demo downloads from ``/bytes/{n}``.
DOWNLOAD_SIZE: Final = 32 * 2**20
#: Seconds one step may take before it is reported as failed.
STEP_TIMEOUT: Final = 30.0
#: Seconds the demo waits for each WebSocket echo.
ECHO_TIMEOUT: Final = 5.0
_READ_SIZE: Final = 64 * 1024


class StepFailed(Exception):
    """A step got an answer it did not expect; the message says what."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


@dataclass
class _Context:
    session: ClientSession
    url: str
    out: TextIO


def _preview(value: Any, limit: int = 100) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _get(ctx: _Context) -> str:
    query = {"hello": "world", "n": "42"}
    async with ctx.session.get(f"{ctx.url}/inspect", params=query) as resp:
        _check(resp.status == 200, f"GET /inspect answered {resp.status}")
        seen = await resp.json()
    _check(seen["query"] == query, f"the server saw the query {seen['query']!r}")
    return (
        f"GET /inspect?hello=world&n=42\n"
        f"    -> {resp.status} {resp.content_type}: the server saw {seen['method']} "
        f"{seen['path']}, query {_preview(seen['query'])}, {len(seen['headers'])} headers"
    )


async def _json(ctx: _Context) -> str:
    document = {"package": "aiohttp-client", "numbers": [1, 2, 3], "nested": {"ok": True}}
    async with ctx.session.post(f"{ctx.url}/inspect", json=document) as resp:
        _check(resp.status == 200, f"POST /inspect answered {resp.status}")
        seen = await resp.json()
    _check(seen.get("json") == document, f"the server parsed {seen.get('json')!r}")
    return (
        f"POST /inspect with JSON {_preview(document)} ({seen['body_length']} bytes)\n"
        f"    -> {resp.status}: the server parsed it back, equal to what was sent"
    )


async def _upload(ctx: _Context) -> str:
    data = os.urandom(UPLOAD_SIZE)
    form = FormData()
    form.add_field("title", "demo upload")
    form.add_field("file", data, filename="random.bin", content_type="application/octet-stream")
    start = time.perf_counter()
    async with ctx.session.post(f"{ctx.url}/inspect", data=form) as resp:
        _check(resp.status == 200, f"POST /inspect answered {resp.status}")
        seen = await resp.json()
    elapsed = time.perf_counter() - start
    parts = seen.get("multipart") or {}
    files = parts.get("files") or []
    _check(parts.get("fields") == {"title": "demo upload"}, f"fields seen: {parts.get('fields')}")
    _check(len(files) == 1, f"files seen: {files}")
    got = files[0]
    _check(got["size"] == len(data), f"the server read {got['size']} bytes of {len(data)}")
    _check(got["sha256"] == hashlib.sha256(data).hexdigest(), "the file's sha256 differs")
    return (
        f"POST /inspect multipart/form-data (FormData): field 'title' and file 'random.bin', "
        f"{format_size(len(data))} of random bytes\n"
        f"    -> {resp.status}: the server's MultipartReader read 'title' and "
        f"{got['size']} bytes of '{got['filename']}', sha256 matches, "
        f"{format_rate(seen['body_length'] / elapsed)}"
    )


async def _download(ctx: _Context) -> str:
    # The bar goes where a person looks: the demo's stream on a terminal, else stderr.
    bar_stream = ctx.out if _isatty(ctx.out) else sys.stderr
    start = time.perf_counter()
    async with ctx.session.get(f"{ctx.url}/bytes/{DOWNLOAD_SIZE}") as resp:
        _check(resp.status == 200, f"GET /bytes answered {resp.status}")
        total = resp.content_length
        received = chunks = 0
        first_bad: int | None = None
        progress = Progress(bar_stream, total, label="demo: download")
        try:
            async for chunk in resp.content.iter_chunked(_READ_SIZE):
                if first_bad is None and chunk != _playground.expected_bytes(received, len(chunk)):
                    first_bad = received
                received += len(chunk)
                chunks += 1
                progress.update(len(chunk))
        finally:
            progress.finish()
    elapsed = time.perf_counter() - start
    _check(received == DOWNLOAD_SIZE, f"received {received} bytes of {DOWNLOAD_SIZE}")
    _check(first_bad is None, f"the content differs from the pattern at byte {first_bad}")
    return (
        f"GET /bytes/{DOWNLOAD_SIZE}, read in pieces of at most {_READ_SIZE // 1024} KiB\n"
        f"    -> {resp.status}, Content-Length {total}: {format_size(received)} in {chunks} "
        f"reads, content checked, {format_rate(received / elapsed)}"
    )


async def _websocket(ctx: _Context) -> str:
    texts = ["hello", "ünïcödé ✓", "ping " * 200]
    binaries = [bytes(range(256)), os.urandom(64 * 1024)]
    async with ctx.session.ws_connect(f"{ctx.url}/ws", compress=15) as ws:
        deflate = bool(ws.compress)
        for text in texts:
            await ws.send_str(text)
            msg = await ws.receive(timeout=ECHO_TIMEOUT)
            _check(msg.type is WSMsgType.TEXT and msg.data == text, f"echo of a text: {msg!r:.80}")
        for blob in binaries:
            await ws.send_bytes(blob)
            msg = await ws.receive(timeout=ECHO_TIMEOUT)
            _check(msg.type is WSMsgType.BINARY and msg.data == blob, f"echo of bytes: {msg!r:.80}")
        await ws.close()
    sent = sum(len(t.encode()) for t in texts) + sum(len(b) for b in binaries)
    return (
        f"ws_connect /ws ({'permessage-deflate' if deflate else 'uncompressed'}), "
        f"sent {len(texts)} text and {len(binaries)} binary messages ({format_size(sent)})\n"
        f"    -> each echoed back unchanged; closed with {ws.close_code}"
    )


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


#: The steps, in order: (name, coroutine function).
STEPS: Final[list[tuple[str, Callable[[_Context], Awaitable[str]]]]] = [
    ("get", _get),
    ("json", _json),
    ("upload", _upload),
    ("download", _download),
    ("websocket", _websocket),
]


def _say(out: TextIO, line: str) -> None:
    print(f"demo: {line}", file=out, flush=True)


async def _run(out: TextIO) -> int:
    try:
        server, port = await _playground.start("127.0.0.1", 0)
    except OSError as exc:
        _say(out, f"server failed: cannot listen on 127.0.0.1: {exc}")
        return 1
    url = f"http://127.0.0.1:{port}"
    _say(out, f"server: the `aiohttp serve` playground (aiohttp-http's server) on {url}")
    status = 0
    try:
        timeout = ClientTimeout(total=STEP_TIMEOUT)
        async with ClientSession(timeout=timeout) as session:
            ctx = _Context(session, url, out)
            for name, step in STEPS:
                start = time.perf_counter()
                try:
                    line = await asyncio.wait_for(step(ctx), STEP_TIMEOUT)
                except asyncio.TimeoutError:
                    _say(out, f"{name} failed: no answer within {STEP_TIMEOUT:g} s")
                    status = 1
                    continue
                except Exception as exc:  # a demo reports every failure as one line
                    reason = str(exc) if isinstance(exc, StepFailed) else repr(exc)
                    _say(out, f"{name} failed: {reason}")
                    status = 1
                    continue
                elapsed = (time.perf_counter() - start) * 1000
                _say(out, f"{name}: {line} ({elapsed:.0f} ms)")
    finally:
        await _playground.stop(server, timeout=2.0)
    return status


def run(out: TextIO) -> int:
    """Run the demo, printing its lines to ``out``; return 0 when every step succeeded, else 1."""
    missing = [info.name for info in collect() if info.version is None]
    if missing:
        print(f"demo: not installed: {', '.join(missing)}", file=out)
        return 1
    return asyncio.run(_run(out))
