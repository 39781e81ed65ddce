"""The playground app: an echo, inspect and static-file server for trying clients by hand.

It runs on aiohttp-http's low-level server (:func:`aiohttp_http.Server`) and
is what ``aiohttp serve`` serves and what ``aiohttp demo`` talks to. There is
no router: :meth:`Playground.__call__` looks at the first path segment.

==========================  ==================================================
route                       answer
==========================  ==================================================
``/``, ``/inspect``         JSON describing the request (multipart and JSON
                            bodies parsed)
``/echo``                   the request body, with the request's Content-Type
``/ws``                     WebSocket echo of text and binary messages
``/status/{code}``          that status (200..599)
``/delay/{seconds}``        ``/inspect`` after a pause of at most 60 s
``/bytes/{n}``              ``n`` bytes (at most 1 GiB) with Content-Length,
                            byte ``i`` being ``i % 256``
``/redirect/{n}``           ``302`` to ``/redirect/{n-1}``; ``/redirect/0``
                            answers as ``/inspect``
``/static/...``             files under the ``static_dir`` (GET, HEAD, one
                            byte range, directory listings)
==========================  ==================================================
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import mimetypes
import os
import re
import time
from collections.abc import Callable, Iterable
from email.utils import formatdate
from pathlib import Path
from typing import IO, Any, Final
from urllib.parse import parse_qsl, quote

from aiohttp_client import WebSocketResponse
from aiohttp_http import (
    BaseRequest,
    HttpBadRequest,
    HttpProcessingError,
    Response,
    Server,
    StreamResponse,
)
from aiohttp_multipart import BodyPartReader, MultipartError, MultipartReader
from aiohttp_ws import WSCloseCode, WSMsgType

__all__ = [
    "MAX_BYTES",
    "MAX_DELAY",
    "MAX_REDIRECTS",
    "Playground",
    "expected_bytes",
    "start",
    "stop",
]

#: Largest ``n`` of ``/bytes/{n}``.
MAX_BYTES: Final = 2**30
#: Longest pause of ``/delay/{seconds}``.
MAX_DELAY: Final = 60.0
#: Largest ``n`` of ``/redirect/{n}``.
MAX_REDIRECTS: Final = 100
#: Seconds a WebSocket close waits for the client's CLOSE frame.
WS_CLOSE_TIMEOUT: Final = 3.0
#: Size of the pieces ``/bytes`` and ``/static`` write.
CHUNK_SIZE: Final = 256 * 1024

# Byte i of every /bytes body is i % 256; a chunk starting at a multiple of
# 256 is a prefix of this block (one extra period lets any offset slice it).
_PATTERN: Final = bytes(range(256)) * (CHUNK_SIZE // 256 + 1)

# RFC 9110 §14.1.2: int-range or suffix-range, ASCII digits only.
_RANGE_RE: Final = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.ASCII | re.IGNORECASE)
_INT_RE: Final = re.compile(r"[0-9]{1,12}")
_SECONDS_RE: Final = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,6})?")
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
_ROUTES: Final = (
    "/ or /inspect",
    "/echo",
    "/ws",
    "/status/{code}",
    "/delay/{seconds}",
    "/bytes/{n}",
    "/redirect/{n}",
    "/static/...",
)


def expected_bytes(offset: int, size: int) -> bytes:
    """The ``size`` bytes of a ``/bytes`` body starting at ``offset`` (for checking a download).

    Raises:
        ValueError: ``size`` is over :data:`CHUNK_SIZE`.
    """
    if size > CHUNK_SIZE:
        raise ValueError(f"size {size} is over {CHUNK_SIZE}")
    start = offset % 256
    return _PATTERN[start : start + size]


def _multi(pairs: Iterable[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Name → value, or → list of values for a repeated name (as httpbin shows them)."""
    result: dict[str, str | list[str]] = {}
    for name, value in pairs:
        seen = result.get(name)
        if seen is None:
            result[name] = value
        elif isinstance(seen, list):
            seen.append(value)
        else:
            result[name] = [seen, value]
    return result


def _text(status: int, message: str, **headers: str) -> Response:
    return Response(status=status, text=message + "\n", headers=headers or None)


def _json(data: Any, status: int = 200) -> Response:
    return Response(
        status=status, text=json.dumps(data, indent=2) + "\n", content_type="application/json"
    )


def _failure_status(exc: BaseException) -> int | str:
    """The status the server answers a handler exception with, for the log ("-": cancelled)."""
    if isinstance(exc, HttpProcessingError):
        return exc.code if 400 <= exc.code < 600 else 400
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return 408
    if isinstance(exc, asyncio.CancelledError):
        return "-"
    return 500


def _parse_int(text: str, low: int, high: int) -> int:
    """Plain ASCII digits within ``low..high`` (no sign, ``_`` or spaces); else ``ValueError``."""
    if _INT_RE.fullmatch(text) is None or not low <= int(text) <= high:
        raise ValueError(text)
    return int(text)


def _parse_seconds(text: str, high: float) -> float:
    """Decimal seconds (``1``, ``0.25``) within ``0..high``; else ``ValueError``."""
    if _SECONDS_RE.fullmatch(text) is None or not 0 <= float(text) <= high:
        raise ValueError(text)
    return float(text)


class Playground:
    """The request handler of ``aiohttp serve`` (a :data:`aiohttp_http.Handler`).

    Args:
        static_dir: the directory served under ``/static/``; None answers 404 there.
        log: called with one access-log line per request (None: no log).

    It remembers the open WebSockets so that :func:`stop` can close them
    before the server shuts down.
    """

    def __init__(
        self, *, static_dir: str | Path | None = None, log: Callable[[str], None] | None = None
    ) -> None:
        self.static_dir = Path(static_dir).resolve() if static_dir is not None else None
        self.log = log
        self.websockets: set[WebSocketResponse] = set()

    async def __call__(self, request: BaseRequest) -> StreamResponse:
        """Answer ``request``, then log one line when a log is set."""
        if self.log is None:
            return await self._route(request)
        started = time.perf_counter()
        try:
            response = await self._route(request)
        except BaseException as exc:
            self._log(request, _failure_status(exc), 0, started)
            raise
        body = response.body if isinstance(response, Response) else None
        size = len(body) if isinstance(body, bytes) else response.body_length
        self._log(request, response.status, size, started)
        return response

    def _log(self, request: BaseRequest, status: int | str, size: int, started: float) -> None:
        assert self.log is not None
        version = request.version
        elapsed = (time.perf_counter() - started) * 1000
        self.log(
            f'{request.remote or "-"} "{request.method} {request.raw_path} '
            f'HTTP/{version.major}.{version.minor}" {status} {size} {elapsed:.1f}ms'
        )

    async def close_websockets(self, code: int = WSCloseCode.GOING_AWAY) -> None:
        """Close every open WebSocket with ``code`` (each bounded by :data:`WS_CLOSE_TIMEOUT`)."""
        sockets = list(self.websockets)
        if sockets:
            await asyncio.gather(
                *(ws.close(code=code, message=b"server shutdown") for ws in sockets),
                return_exceptions=True,
            )

    # -- routing -----------------------------------------------------------------

    async def _route(self, request: BaseRequest) -> StreamResponse:
        path = request.path
        if path in ("/", "/inspect"):
            return _json(await self._describe(request))
        if path == "/echo":
            return await self._echo(request)
        if path == "/ws":
            return await self._websocket(request)
        if path == "/static" or path.startswith("/static/"):
            return await self._static(request, path[len("/static") :])
        route, _, arg = path[1:].partition("/")
        try:
            if route == "status":
                return self._status(_parse_int(arg, 200, 599))
            if route == "delay":
                delay = _parse_seconds(arg, MAX_DELAY)
                await asyncio.sleep(delay)
                return _json({"delay": delay, **await self._describe(request)})
            if route == "bytes":
                return await self._bytes(request, _parse_int(arg, 0, MAX_BYTES))
            if route == "redirect":
                n = _parse_int(arg, 0, MAX_REDIRECTS)
                if n == 0:
                    return _json(await self._describe(request))
                return _text(302, f"redirecting, {n} to go", Location=f"/redirect/{n - 1}")
        except ValueError:
            return _text(400, self._bad_argument(route, arg))
        return _text(404, f"no route for {path!r}; routes: " + ", ".join(_ROUTES))

    @staticmethod
    def _bad_argument(route: str, arg: str) -> str:
        bounds = {
            "status": "a status code in 200..599",
            "delay": f"seconds in 0..{MAX_DELAY:g}",
            "bytes": f"a byte count in 0..{MAX_BYTES}",
            "redirect": f"a count in 0..{MAX_REDIRECTS}",
        }
        return f"/{route}/ expects {bounds[route]}, got {arg[:40]!r}"

    # -- /inspect ------------------------------------------------------------------

    async def _describe(self, request: BaseRequest) -> dict[str, Any]:
        """The request as JSON-ready data; multipart, JSON and urlencoded bodies parsed."""
        version = request.version
        info: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "raw_path": request.raw_path,
            "query": _multi(parse_qsl(request.query_string, keep_blank_values=True)),
            "http_version": f"{version.major}.{version.minor}",
            "remote": request.remote,
            "headers": _multi(request.headers.items()),
        }
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            fields: list[tuple[str, str]] = []
            files: list[dict[str, Any]] = []
            try:
                reader = MultipartReader(request.headers, request.content)
                await self._read_multipart(reader, fields, files, None)
            except MultipartError as exc:
                raise HttpBadRequest(f"multipart body: {exc}") from exc
            info["body_length"] = request.content.total_bytes
            info["multipart"] = {"fields": _multi(fields), "files": files}
            return info
        body = await request.read()
        info["body_length"] = len(body)
        if ctype == "application/json" or ctype.endswith("+json"):
            try:
                info["json"] = json.loads(body.decode(request.charset or "utf-8"))
            except (ValueError, LookupError) as exc:
                info["json_error"] = str(exc)
        elif ctype == "application/x-www-form-urlencoded":
            text = body.decode(request.charset or "utf-8", "replace")
            info["form"] = _multi(parse_qsl(text, keep_blank_values=True))
        return info

    async def _read_multipart(
        self,
        reader: MultipartReader,
        fields: list[tuple[str, str]],
        files: list[dict[str, Any]],
        outer_name: str | None,
    ) -> None:
        async for part in reader:
            if isinstance(part, MultipartReader):  # multipart/mixed inside form-data
                await self._read_multipart(part, fields, files, outer_name)
                continue
            assert isinstance(part, BodyPartReader)
            name = part.name or outer_name or ""
            if part.filename is None and outer_name is None:
                fields.append((name, await part.text()))
                continue
            digest, size = hashlib.sha256(), 0
            while chunk := await part.read_chunk(CHUNK_SIZE):
                digest.update(chunk)
                size += len(chunk)
            files.append(
                {
                    "field": name,
                    "filename": part.filename,
                    "content_type": part.headers.get("Content-Type", "text/plain"),
                    "size": size,
                    "sha256": digest.hexdigest(),
                }
            )

    # -- /echo, /status, /bytes -------------------------------------------------------

    @staticmethod
    async def _echo(request: BaseRequest) -> Response:
        # The whole body is read first (bounded by the server's max_body_size): a
        # client that sends everything before reading could not take a streamed echo.
        body = await request.read()
        ctype = request.headers.get("Content-Type", "application/octet-stream")
        return Response(body=body, headers={"Content-Type": ctype})

    @staticmethod
    def _status(code: int) -> Response:
        response = _text(code, f"{code}")
        if code in _REDIRECT_STATUSES:
            response.headers["Location"] = "/inspect"
        return response

    @staticmethod
    async def _bytes(request: BaseRequest, n: int) -> StreamResponse:
        response = StreamResponse(headers={"Content-Type": "application/octet-stream"})
        response.content_length = n
        await response.prepare(request)
        if request.method != "HEAD":
            full = _PATTERN[:CHUNK_SIZE]
            sent = 0
            try:
                while sent < n:
                    size = min(CHUNK_SIZE, n - sent)
                    await response.write(full if size == CHUNK_SIZE else full[:size])
                    sent += size
            except ConnectionResetError:
                return response  # the client stopped reading: no traceback, the server aborts
        await response.write_eof()
        return response

    # -- /ws -----------------------------------------------------------------------------

    async def _websocket(self, request: BaseRequest) -> StreamResponse:
        ws = WebSocketResponse(timeout=WS_CLOSE_TIMEOUT)
        try:
            await ws.prepare(request)
        except HttpBadRequest as exc:
            return _text(400, f"/ws expects a WebSocket upgrade: {exc.message}")
        self.websockets.add(ws)
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await ws.send_str(msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await ws.send_bytes(msg.data)
        except ConnectionResetError:
            pass  # the client went away while we echoed
        finally:
            self.websockets.discard(ws)
        return ws

    # -- /static --------------------------------------------------------------------------

    async def _static(self, request: BaseRequest, rel: str) -> StreamResponse:
        root = self.static_dir
        if root is None:
            return _text(404, "no static directory (start with --static DIR)")
        if request.method not in ("GET", "HEAD"):
            return _text(405, f"{request.method} not allowed on /static", Allow="GET, HEAD")
        if not rel:
            return _text(301, "see /static/", Location="/static/")
        parts = [p for p in rel.split("/") if p]
        # request.path is percent-decoded: %2e%2e and %2f arrive here as .. and /.
        if any(p in (".", "..") or "\\" in p or "\x00" in p for p in parts):
            return _text(403, "forbidden path")
        # File system calls run in a thread so that a slow disk never stalls the loop.
        found = await asyncio.to_thread(_find, root, parts, request.path, rel.endswith("/"))
        if isinstance(found, Response):
            return found
        return await _send_file(request, *found)


def _find(
    root: Path, parts: list[str], url_path: str, slash: bool
) -> Response | tuple[Path, os.stat_result]:
    """The file at ``root/parts`` and its stat, or the answer: 403, 404, 301, a listing."""
    try:
        resolved = root.joinpath(*parts).resolve()
        if resolved != root and root not in resolved.parents:  # a symlink out of the root
            return _text(403, "forbidden path")
        if resolved.is_dir():
            if not slash:
                return _text(301, "see the directory", Location=quote(url_path) + "/")
            return _listing(url_path, resolved)
        stat = resolved.stat()
    except PermissionError:
        return _text(403, "permission denied")
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return _text(404, "not found")
    if not resolved.is_file():
        return _text(404, "not found")
    return resolved, stat


def _listing(url_path: str, directory: Path) -> Response:
    """An HTML index of ``directory`` (directories first, then files, by name)."""
    entries = sorted(directory.iterdir(), key=lambda p: (not p.is_dir(), p.name))
    title = html.escape(url_path)
    lines = [f"<!doctype html><title>{title}</title><h1>{title}</h1><ul>"]
    if url_path != "/static/":
        lines.append('<li><a href="../">../</a></li>')
    for entry in entries:
        name = entry.name + ("/" if entry.is_dir() else "")
        lines.append(f'<li><a href="{quote(name)}">{html.escape(name)}</a></li>')
    lines.append("</ul>")
    return Response(text="\n".join(lines) + "\n", content_type="text/html")


class _RangeNotSatisfiable(Exception):
    """The Range starts beyond the end of the file (answered 416)."""


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The ``(first, last)`` of a single ``bytes`` range (RFC 9110 §14.1.2), or None.

    None when there is no usable Range: the whole file is sent (a server may
    ignore a Range it does not support, RFC 9110 §14.2).

    Raises:
        _RangeNotSatisfiable: the range lies beyond the end of the file.
    """
    if header is None:
        return None
    match = _RANGE_RE.fullmatch(header.strip())
    if match is None:
        return None  # other units, multiple ranges, bad syntax: the whole file
    first_text, last_text = match.groups()
    if not first_text:  # a suffix range: the last N bytes
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise _RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None  # invalid: ignored, RFC 9110 §14.1.1
    if first >= size:
        raise _RangeNotSatisfiable
    return first, min(last, size - 1)


async def _send_file(request: BaseRequest, path: Path, stat: os.stat_result) -> StreamResponse:
    size = stat.st_size
    ctype, encoding = mimetypes.guess_type(path.name)
    headers = {
        "Content-Type": "application/octet-stream" if encoding or not ctype else ctype,
        "Accept-Ranges": "bytes",
        "Last-Modified": formatdate(stat.st_mtime, usegmt=True),
    }
    try:
        wanted = _byte_range(request.headers.get("Range"), size)
    except _RangeNotSatisfiable:
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status=416, text="range not satisfiable\n", headers=headers)
    first, last = (0, size - 1) if wanted is None else wanted
    response = StreamResponse(status=200 if wanted is None else 206, headers=headers)
    if wanted is not None:
        response.headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    response.content_length = last - first + 1 if size else 0
    await response.prepare(request)
    if request.method != "HEAD" and size:
        # File reads run in a thread so that a slow disk never stalls the loop.
        file: IO[bytes] = await asyncio.to_thread(path.open, "rb")
        try:
            await asyncio.to_thread(file.seek, first)
            remaining = last - first + 1
            while remaining > 0:
                chunk = await asyncio.to_thread(file.read, min(CHUNK_SIZE, remaining))
                if not chunk:
                    break  # the file shrank: the short body makes write_eof raise
                remaining -= len(chunk)
                await response.write(chunk)
        except ConnectionResetError:
            return response  # the client stopped reading: no traceback, the server aborts
        finally:
            await asyncio.to_thread(file.close)
    await response.write_eof()
    return response


async def start(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    static_dir: str | Path | None = None,
    log: Callable[[str], None] | None = None,
    **settings: Any,
) -> tuple[Server, int]:
    """Start the playground on ``host:port`` (0: a free port); return the server and its port.

    ``settings`` are :class:`aiohttp_http.Server`'s parameters. Stop it with
    :func:`stop`. Raises ``OSError`` when the address cannot be bound.
    """
    server = Server(Playground(static_dir=static_dir, log=log), **settings)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(server, host, port)
    server.attach(listener)
    return server, server.port


async def stop(server: Server, timeout: float = 5.0) -> None:
    """Close the open WebSockets (1001), then shut ``server`` down gracefully within ``timeout``."""
    handler = server.handler
    if isinstance(handler, Playground):
        await handler.close_websockets()
    await server.shutdown(timeout)
