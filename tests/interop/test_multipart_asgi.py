"""Interop: our reader inside a real ASGI server (uvicorn), fed by httpx uploads."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import uvicorn

from aiohttp_multipart import MultipartError, MultipartReader

pytestmark = pytest.mark.interop


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A raw ASGI app that parses multipart uploads with the ASGI receive adapter."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            pass
        return
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    status = 200
    try:
        reader = MultipartReader(headers, receive, max_field_size=1 << 16)
        result: dict[str, Any] = {}
        async for part in reader:
            if part.filename is None:  # type: ignore[union-attr]
                result[part.name] = await part.text()  # type: ignore[union-attr]
            else:
                size = 0
                while chunk := await part.read_chunk(65536):  # type: ignore[union-attr]
                    size += len(chunk)
                result[part.name] = [part.filename, size]  # type: ignore[union-attr]
        body = json.dumps(result).encode()
    except MultipartError as exc:
        status, body = 400, type(exc).__name__.encode()
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def test_uploads_through_uvicorn_are_parsed_with_the_asgi_adapter() -> None:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.05)
        assert server.started
        port = server.servers[0].sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}/"
        big = bytes(range(256)) * 8192  # 2 MiB, many chunks
        async with httpx.AsyncClient(timeout=20) as client:
            response = await client.post(
                url,
                data={"title": "report", "note": "ça va"},
                files=[("doc", ("big.bin", big, "application/octet-stream"))],
            )
            assert response.status_code == 200
            assert response.json() == {
                "title": "report",
                "note": "ça va",
                "doc": ["big.bin", len(big)],
            }
            bad = await client.post(
                url,
                content=b"--x\r\nA: b\r\n\r\nno closing boundary",
                headers={"Content-Type": "multipart/form-data; boundary=x"},
            )
            assert (bad.status_code, bad.text) == (400, "IncompleteBody")
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
