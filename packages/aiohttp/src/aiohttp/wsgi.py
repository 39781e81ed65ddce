"""``aiohttp.wsgi``: serve a WSGI application (PEP 3333) with the older server protocol (deprecated).

Importing this module warns: new code serves WSGI applications with a WSGI
server, or ports them to a handler of :class:`aiohttp_http.Server`.

``loop.create_server(lambda: WSGIServerHttpProtocol(app), "127.0.0.1", 8080)``
serves ``app``. The application runs in a thread of the loop's default
executor (or ``executor``), so it may block. ``wsgi.input`` is:

* ``readpayload=False`` (default): a file-like object reading the request
  body as it arrives (each read waits on the event loop, at most
  ``io_timeout`` seconds);
* ``readpayload=True``: an :class:`io.BytesIO` of the whole body, read before
  the application is called (bounded by the server's ``max_body_size``).

The response head is sent when the application yields its first non-empty
body chunk (or returns); without a ``Content-Length`` the body is sent
chunked on HTTP/1.1 and delimited by closing the connection on HTTP/1.0.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import sys
import warnings
from collections.abc import Callable, Coroutine, Iterable, Iterator
from types import TracebackType
from typing import Any, Final, TypeVar
from urllib.parse import unquote

import aiohttp_http

from ._server_legacy import ServerHttpProtocol
from ._server_legacy_protocol import Response

warnings.warn(
    "aiohttp.wsgi is deprecated; serve WSGI applications with a WSGI server, "
    "or port them to a handler of aiohttp_http.Server",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["DEFAULT_IO_TIMEOUT", "WSGIServerHttpProtocol"]

#: Seconds the application's thread waits for one body read or one write on the loop.
DEFAULT_IO_TIMEOUT: Final = 60.0

_T = TypeVar("_T")
_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
StartResponse = Callable[..., Callable[[bytes], None]]
WSGIApplication = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _call_on_loop(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, _T], timeout: float
) -> _T:
    """Run ``coro`` on ``loop`` from the application's thread and wait for it (bounded).

    Raises:
        TimeoutError: it took longer than ``timeout`` seconds (it is cancelled).
    """
    future = asyncio.run_coroutine_threadsafe(coro, loop)
    try:
        return future.result(timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise TimeoutError(f"WSGI I/O did not complete within {timeout} seconds") from None


class WSGIInput(io.RawIOBase):
    """``wsgi.input`` for ``readpayload=False``: blocking reads of the streamed request body.

    Args:
        payload: the request body stream.
        loop: the event loop the stream lives on.
        timeout: seconds each read may wait.
    """

    def __init__(
        self, payload: aiohttp_http.StreamReader, loop: asyncio.AbstractEventLoop, timeout: float
    ) -> None:
        super().__init__()
        self._payload = payload
        self._loop = loop
        self._timeout = timeout
        self._buffer = b""

    def readable(self) -> bool:
        """Always True."""
        return True

    async def _read(self, size: int) -> bytes:
        if size < 0:
            return await self._payload.read()
        parts: list[bytes] = []
        while size > 0:
            chunk = await self._payload.read(size)
            if not chunk:
                break
            parts.append(chunk)
            size -= len(chunk)
        return b"".join(parts)

    def read(self, size: int | None = -1) -> bytes:
        """Read ``size`` bytes (fewer only at the end of the body); all when negative or None."""
        if size is None or size < 0:
            data = self._buffer + _call_on_loop(self._loop, self._read(-1), self._timeout)
            self._buffer = b""
            return data
        if len(self._buffer) >= size:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
            return data
        need = size - len(self._buffer)
        data = self._buffer + _call_on_loop(self._loop, self._read(need), self._timeout)
        self._buffer = b""
        return data

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer``; return the number of bytes read."""
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        """Read one line (up to and including ``\\n``), at most ``size`` bytes when given."""
        limit = -1 if size is None else size
        while b"\n" not in self._buffer and (limit < 0 or len(self._buffer) < limit):
            chunk = _call_on_loop(self._loop, self._payload.readany(), self._timeout)
            if not chunk:
                break
            self._buffer += chunk
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        if limit >= 0:
            end = min(end, limit)
        line, self._buffer = self._buffer[:end], self._buffer[end:]
        return line

    def readlines(self, hint: int = -1) -> list[bytes]:
        """Read lines until the end (or until ``hint`` bytes were read)."""
        lines: list[bytes] = []
        total = 0
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                return lines

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class _WSGIExchange:
    """One request/response of the application: ``start_response``, ``write``, the body."""

    def __init__(
        self,
        protocol: WSGIServerHttpProtocol,
        message: aiohttp_http.RawRequestMessage,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._protocol = protocol
        self._message = message
        self._loop = loop
        self._status: tuple[int, str] | None = None
        self._headers: list[tuple[str, str]] = []
        self.response: Response | None = None

    @property
    def headers_sent(self) -> bool:
        return self.response is not None

    def start_response(
        self,
        status: str,
        headers: list[tuple[str, str]],
        exc_info: _ExcInfo | None = None,
    ) -> Callable[[bytes], None]:
        """PEP 3333 ``start_response``: record the status and headers; return ``write``.

        Raises:
            BaseException: ``exc_info``'s exception when the head was already sent.
            ValueError: a malformed status.
            RuntimeError: called twice without ``exc_info``.
        """
        if exc_info is not None:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self._status is not None:
            raise RuntimeError("start_response() called twice without exc_info")
        code, _, reason = status.partition(" ")
        if len(code) != 3 or not code.isdigit():
            raise ValueError(f"malformed WSGI status {status!r}")
        self._status = (int(code), reason.strip())
        self._headers = [(str(n), str(v)) for n, v in headers]
        return self.write

    async def _send(self, data: bytes, eof: bool) -> None:
        response = self.response
        if response is None:
            if self._status is None:
                raise RuntimeError("the WSGI application did not call start_response()")
            code, reason = self._status
            response = Response(
                self._protocol.writer, code, http_version=self._message.version, reason=reason
            )
            response.add_headers(*self._headers)
            response.send_headers()
            self.response = response
        if data:
            await response.write(data)
        if eof:
            await response.write_eof()

    def write(self, data: bytes) -> None:
        """PEP 3333 ``write``: send body bytes now (the head first)."""
        _call_on_loop(self._loop, self._send(bytes(data), False), self._protocol.io_timeout)

    def run(self, environ: dict[str, Any]) -> None:
        """Call the application and send its body (runs in the executor's thread)."""
        result = self._protocol.wsgi(environ, self.start_response)
        try:
            for chunk in result:
                if chunk:
                    self.write(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        timeout = self._protocol.io_timeout
        _call_on_loop(self._loop, self._send(b"", True), timeout)


class WSGIServerHttpProtocol(ServerHttpProtocol):
    """Serve the WSGI application ``app`` (see the module docstring).

    Args:
        app: the WSGI application.
        readpayload: read the whole body into a ``BytesIO`` before calling the
            application, instead of streaming it.
        is_ssl: the connection is HTTPS (``wsgi.url_scheme``).
        args, kw: :class:`~aiohttp.server.ServerHttpProtocol`'s arguments;
            also ``executor`` (a :class:`concurrent.futures.Executor`, default
            the loop's) and ``io_timeout`` (:data:`DEFAULT_IO_TIMEOUT`).

    An application error before the head is sent is answered 500; after it,
    the connection is cut (the message cannot be completed).
    """

    SCRIPT_NAME = ""

    def __init__(
        self,
        app: WSGIApplication,
        readpayload: bool = False,
        is_ssl: bool = False,
        *args: Any,
        executor: concurrent.futures.Executor | None = None,
        io_timeout: float = DEFAULT_IO_TIMEOUT,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.wsgi = app
        self.readpayload = readpayload
        self.is_ssl = is_ssl
        self.executor = executor
        self.io_timeout = io_timeout

    def create_wsgi_environ(
        self, message: aiohttp_http.RawRequestMessage, payload: aiohttp_http.StreamReader
    ) -> dict[str, Any]:
        """Build the PEP 3333 environ of a request (``wsgi.input`` streams ``payload``)."""
        loop = asyncio.get_running_loop()
        target = message.path
        if "://" in target:  # absolute-form: keep the path and query
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        path, _, query = target.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": message.method,
            "SCRIPT_NAME": self.SCRIPT_NAME,
            "PATH_INFO": unquote(path, encoding="latin-1"),
            "QUERY_STRING": query,
            "RAW_URI": message.path,
            "REQUEST_URI": message.path,
            "SERVER_PROTOCOL": f"HTTP/{message.version.major}.{message.version.minor}",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https" if self.is_ssl else "http",
            "wsgi.input": WSGIInput(payload, loop, self.io_timeout),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in message.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE" or key == "CONTENT_LENGTH":
                environ[key] = value
                continue
            key = "HTTP_" + key
            if key in environ:
                environ[key] += "," + value
            else:
                environ[key] = value
        transport = self.transport
        sockname = transport.get_extra_info("sockname") if transport else None
        peername = transport.get_extra_info("peername") if transport else None
        if isinstance(sockname, (tuple, list)) and len(sockname) >= 2:
            environ["SERVER_NAME"], environ["SERVER_PORT"] = str(sockname[0]), str(sockname[1])
        else:
            host, _, port = message.headers.get("Host", "localhost").rpartition(":")
            environ["SERVER_NAME"] = host or port
            environ["SERVER_PORT"] = port if host else ("443" if self.is_ssl else "80")
        if isinstance(peername, (tuple, list)) and len(peername) >= 2:
            environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = str(peername[0]), str(peername[1])
        else:
            environ["REMOTE_ADDR"] = "127.0.0.1" if peername is None else str(peername)
        return environ

    async def handle_request(
        self, message: aiohttp_http.RawRequestMessage, payload: aiohttp_http.StreamReader
    ) -> None:
        """Run the application in the executor and send its response."""
        loop = asyncio.get_running_loop()
        environ = self.create_wsgi_environ(message, payload)
        if self.readpayload:
            environ["wsgi.input"] = io.BytesIO(await payload.read())
        self._environ = environ
        exchange = _WSGIExchange(self, message, loop)
        await loop.run_in_executor(self.executor, exchange.run, environ)
