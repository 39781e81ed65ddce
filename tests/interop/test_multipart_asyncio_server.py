"""Interop: a plain asyncio server parsing uploads sent by httpx over 127.0.0.1."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from aiohttp_multipart import MultipartError, MultipartReader

pytestmark = pytest.mark.interop


class ContentLengthBody:
    """A byte source reading exactly ``length`` bytes from an asyncio stream."""

    def __init__(self, stream: asyncio.StreamReader, length: int) -> None:
        self.stream = stream
        self.left = length

    async def read_some(self) -> bytes:
        if self.left <= 0:
            return b""
        data = await self.stream.read(min(self.left, 65536))
        if not data:
            return b""
        self.left -= len(data)
        return data


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:-2]
    headers = dict(line.split(": ", 1) for line in lines)
    length = int(next(v for k, v in headers.items() if k.lower() == "content-length"))
    try:
        names = []
        async for part in MultipartReader(headers, ContentLengthBody(reader, length)):
            data = await part.read()  # type: ignore[union-attr]
            names.append(f"{part.name}={len(data)}")  # type: ignore[union-attr]
        status, text = "200 OK", ",".join(names)
    except MultipartError as exc:
        status, text = "400 Bad Request", type(exc).__name__
    writer.write(
        f"HTTP/1.1 {status}\r\nContent-Length: {len(text)}\r\nConnection: close\r\n\r\n"
        f"{text}".encode()
    )
    await writer.drain()
    writer.close()


async def test_plain_asyncio_server_reads_httpx_uploads() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(timeout=20) as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/",
                data={"a": "1"},
                files={"f": ("f.bin", b"\r\n--" * 100_000, "application/octet-stream")},
            )
            assert (response.status_code, response.text) == (200, "a=1,f=400000")
            truncated = await client.post(
                f"http://127.0.0.1:{port}/",
                content=b"--x\r\n\r\ndata",
                headers={"Content-Type": "multipart/form-data; boundary=x"},
            )
            assert (truncated.status_code, truncated.text) == (400, "IncompleteBody")
    finally:
        server.close()
        await asyncio.wait_for(server.wait_closed(), 10)
