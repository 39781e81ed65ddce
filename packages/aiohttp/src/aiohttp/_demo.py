"""The Quick start demo: each installed package at work, in this process.

Every step uses only the public names of the package it shows and prints one
readable line; a failing step prints what went wrong and the demo exits 1.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TextIO

from aiohttp_http import (
    BodyCompressor,
    ChunkedEncoder,
    Data,
    HttpResponseParser,
    RawResponseMessage,
    serialize_headers,
)
from aiohttp_multipart import BodyPartReader, FormData, MultipartReader, MultipartWriter
from aiohttp_ws import WebSocketParser, WebSocketSerializer, WSMsgType

from ._info import collect


def _http() -> str:
    body = b"The quick brown fox jumps over the lazy dog.\n" * 2000
    compressor, encoder = BodyCompressor("gzip"), ChunkedEncoder()
    wire = serialize_headers(
        "HTTP/1.1 200 OK",
        {"Content-Type": "text/plain", "Content-Encoding": "gzip", "Transfer-Encoding": "chunked"},
    )
    wire += encoder.encode(compressor.compress(body)) + encoder.encode(compressor.flush())
    wire += encoder.finish()
    parser = HttpResponseParser()
    events = [e for i in range(0, len(wire), 100) for e in parser.feed_data(wire[i : i + 100])]
    head = events[0]
    assert isinstance(head, RawResponseMessage)
    got = b"".join(e.data for e in events if isinstance(e, Data))
    assert got == body
    return (
        f"aiohttp-http: wrote a chunked gzip response ({len(wire)} bytes on the wire), parsed it "
        f"back in 100-byte pieces: {head.code} {head.reason}, {len(got)} bytes decoded"
    )


def _ws() -> str:
    client = WebSocketSerializer(use_mask=True, compress=15)
    server = WebSocketParser(is_server=True, compress=True)
    texts = [f"message {i}: " + "ping " * i for i in range(50)]
    wire = b"".join(client.text(t) for t in texts) + client.close(1000, "done")
    messages = server.feed_data(wire)
    assert [m.data for m in messages if m.type == WSMsgType.TEXT] == texts
    assert messages[-1].type == WSMsgType.CLOSE
    raw = sum(len(t.encode()) for t in texts)
    return (
        f"aiohttp-ws: {len(texts)} masked, deflated text frames ({raw} bytes of text, "
        f"{len(wire)} on the wire) read back by a server-side parser, then close 1000"
    )


def _multipart() -> str:
    async def run() -> str:
        form = FormData()
        form.add_field("name", "demo")
        form.add_field("upload", b"\x00" * 100_000, filename="zeros.bin")
        payload = form()
        assert isinstance(payload, MultipartWriter)
        body = b"".join([chunk async for chunk in payload.serialize()])
        reader = MultipartReader({"Content-Type": payload.content_type}, body)
        sizes = []
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            sizes.append((part.name, len(await part.read())))
        assert sizes == [("name", 4), ("upload", 100_000)], sizes
        return (
            f"aiohttp-multipart: a form with a field and a 100 kB file ({len(body)} bytes) "
            f"read back part by part: {sizes}"
        )

    return asyncio.run(run())


STEPS: list[Callable[[], str]] = [_http, _ws, _multipart]


def run(out: TextIO) -> int:
    """Run the demo steps, printing one line each; return 0 when every step succeeded."""
    missing = [info.name for info in collect() if info.version is None]
    if missing:
        print(f"demo: not installed: {', '.join(missing)}", file=out)
        return 1
    status = 0
    for step in STEPS:
        start = time.perf_counter()
        try:
            line = step()
        except Exception as exc:  # a demo reports every failure as one line
            print(f"demo: {step.__name__.strip('_')} failed: {exc!r}", file=out)
            status = 1
            continue
        print(f"demo: {line} ({(time.perf_counter() - start) * 1000:.0f} ms)", file=out)
    return status
