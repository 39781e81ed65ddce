"""``aiohttp.parsers``: the older generator-based parsing pipeline (deprecated).

Importing this module warns: new code parses with the sans-IO parsers of
aiohttp-http (``aiohttp_http.HttpRequestParser``, ``HttpResponseParser``)
and reads with ``aiohttp_http.StreamReader``.

Theory of operation
-------------------
A *parser* is a generator function ``parser(out, buf)``: ``out`` is a
:class:`DataQueue` it sends results to with ``out.feed_data(item)``, ``buf``
a :class:`ParserBuffer` it reads from with ``data = yield from buf.read(n)``
(or ``readsome``, ``readuntil``, ``wait``, ``waituntil``, ``skip``,
``skipuntil``). Each of those generators consumes buffered bytes at once
when there are enough and otherwise yields, suspending the parser until the
next ``send(data)`` appends bytes to the buffer.

:class:`StreamParser` owns the buffer: ``out = stream.set_parser(parser)``
starts a parser on it, ``stream.feed_data(data)`` sends bytes into the
current parser (or buffers them when there is none), ``feed_eof()`` throws
:class:`EofStream` into the parser: a parser that catches it and returns
ends cleanly (``out`` gets EOF), one that lets it escape was cut short and
``out`` gets ``eof_exc_class()``. A parser that returns on its own ends its
output; bytes after what it consumed stay in the buffer for the next parser.
:class:`StreamProtocol` is the asyncio protocol that feeds a StreamParser
from a transport.

Limits: a :class:`ParserBuffer` holds at most ``limit`` bytes
(``DEFAULT_LIMIT``), and ``readuntil``/``waituntil`` take a ``limit`` on the
size of what they return; either is raised as
:class:`aiohttp_http.LineTooLong` (what ``aiohttp.errors.LineLimitExceededParserError``
names) into the parser, and so set on its output.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Generator
from typing import Any, Final

import aiohttp_http
from aiohttp_http import DataQueue, EofStream, LineTooLong

warnings.warn(
    "aiohttp.parsers is deprecated; use aiohttp_http.HttpRequestParser / "
    "HttpResponseParser (sans-IO) and aiohttp_http.StreamReader",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "DEFAULT_LIMIT",
    "DataQueue",
    "EofStream",
    "Parser",
    "ParserBuffer",
    "StreamParser",
    "StreamProtocol",
    "StreamWriter",
]

#: Default cap of a :class:`ParserBuffer` and of :class:`StreamParser`'s buffer, in bytes.
DEFAULT_LIMIT: Final = 2**16

#: What a ``buf.read()``-style generator is: yields for more data, returns the bytes.
BufferOp = Generator[None, bytes, bytes]
#: A parser: a generator function taking the output queue and the buffer.
Parser = Callable[[Any, "ParserBuffer"], Generator[Any, bytes, Any]]


class ParserBuffer:
    """The bytes a parser reads from, with generator helpers (``yield from buf.read(n)``).

    Args:
        args: initial data (like ``bytearray(*args)``).
        limit: the most bytes the buffer may hold (``None``: no cap). Feeding
            beyond it raises :class:`aiohttp_http.LineTooLong`.

    Every helper is a generator: it returns at once when the buffer holds
    enough, else yields; the value sent back in is appended to the buffer.
    """

    __slots__ = ("_data", "limit")

    def __init__(self, *args: Any, limit: int | None = DEFAULT_LIMIT) -> None:
        self._data = bytearray(*args)
        self.limit = limit
        self._check(len(self._data))

    def _check(self, size: int) -> None:
        if self.limit is not None and size > self.limit:
            raise LineTooLong("parser buffer", self.limit, size)

    def feed_data(self, data: bytes | bytearray | memoryview) -> None:
        """Append ``data``.

        Raises:
            aiohttp_http.LineTooLong: the buffer would exceed ``limit``.
        """
        if data:
            self._check(len(self._data) + len(data))
            self._data += data

    def _more(self) -> Generator[None, bytes, None]:
        data = yield
        self.feed_data(data)

    def read(self, size: int) -> BufferOp:
        """Return exactly ``size`` bytes, consuming them."""
        if size < 0:
            raise ValueError(f"size must not be negative, got {size}")
        self._check(size)
        while len(self._data) < size:
            yield from self._more()
        data = bytes(self._data[:size])
        del self._data[:size]
        return data

    def readsome(self, size: int | None = None) -> BufferOp:
        """Return up to ``size`` buffered bytes (all of them when None), waiting for at least one."""
        while not self._data:
            yield from self._more()
        if size is None or size >= len(self._data):
            data = bytes(self._data)
            self._data.clear()
            return data
        data = bytes(self._data[:size])
        del self._data[:size]
        return data

    def _find(self, stop: bytes, limit: int | None) -> Generator[None, bytes, int]:
        """Index just past the first ``stop``, waiting for it; bounded by ``limit``."""
        if not stop:
            raise ValueError("stop must not be empty")
        start = 0
        while True:
            pos = self._data.find(stop, start)
            if pos >= 0:
                end = pos + len(stop)
                if limit is not None and end > limit:
                    raise LineTooLong("line", limit, end)
                return end
            if limit is not None and len(self._data) > limit:
                raise LineTooLong("line", limit, len(self._data))
            start = max(0, len(self._data) - len(stop) + 1)
            yield from self._more()

    def readuntil(self, stop: bytes, limit: int | None = None) -> BufferOp:
        """Return the bytes up to and including ``stop``, consuming them.

        Raises:
            aiohttp_http.LineTooLong: more than ``limit`` bytes before the end of ``stop``.
        """
        end = yield from self._find(stop, limit)
        data = bytes(self._data[:end])
        del self._data[:end]
        return data

    def wait(self, size: int) -> BufferOp:
        """Return the first ``size`` bytes without consuming them."""
        self._check(size)
        while len(self._data) < size:
            yield from self._more()
        return bytes(self._data[:size])

    def waituntil(self, stop: bytes, limit: int | None = None) -> BufferOp:
        """Return the bytes up to and including ``stop`` without consuming them.

        Raises:
            aiohttp_http.LineTooLong: more than ``limit`` bytes before the end of ``stop``.
        """
        end = yield from self._find(stop, limit)
        return bytes(self._data[:end])

    def skip(self, size: int) -> Generator[None, bytes, None]:
        """Drop ``size`` bytes (waiting for them)."""
        while len(self._data) < size:
            size -= len(self._data)
            self._data.clear()
            yield from self._more()
        del self._data[:size]

    def skipuntil(self, stop: bytes) -> Generator[None, bytes, None]:
        """Drop everything up to and including ``stop`` (waiting for it; only a possible partial ``stop`` is kept meanwhile)."""
        if not stop:
            raise ValueError("stop must not be empty")
        while True:
            pos = self._data.find(stop)
            if pos >= 0:
                del self._data[: pos + len(stop)]
                return
            # Keep only what could be the start of ``stop``.
            keep = len(stop) - 1
            if len(self._data) > keep:
                del self._data[: len(self._data) - keep]
            yield from self._more()

    def __len__(self) -> int:
        return len(self._data)

    def __bytes__(self) -> bytes:
        return bytes(self._data)

    def __repr__(self) -> str:
        return f"<ParserBuffer {bytes(self._data)[:40]!r} ({len(self._data)} bytes)>"


class StreamParser:
    """Feeds incoming bytes to the current parser; buffers them when there is none.

    Args:
        loop: the event loop of the output queues (default: the running loop).
        buf: the :class:`ParserBuffer` to use (default: a new one with ``limit``).
        limit: the buffer's cap in bytes.
        eof_exc_class: set on the output when the stream ends in the middle
            of an item (the parser let :class:`EofStream` escape).
    """

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        buf: ParserBuffer | None = None,
        limit: int = DEFAULT_LIMIT,
        eof_exc_class: type[BaseException] = RuntimeError,
    ) -> None:
        self._loop = loop
        self._buffer = buf if buf is not None else ParserBuffer(limit=limit)
        self._eof = False
        self._exception: BaseException | None = None
        self._eof_exc_class = eof_exc_class
        self._parser: Generator[Any, bytes, Any] | None = None
        self._output: Any = None

    @property
    def buffer(self) -> ParserBuffer:
        """The buffer parsers read from."""
        return self._buffer

    @property
    def output(self) -> Any:
        """The current parser's output queue, or None."""
        return self._output

    def at_eof(self) -> bool:
        """True once :meth:`feed_eof` was called."""
        return self._eof

    def exception(self) -> BaseException | None:
        """The exception given to :meth:`set_exception`, if any."""
        return self._exception

    def set_exception(self, exc: BaseException) -> None:
        """Fail the stream: the current output (and any set later) gets ``exc``."""
        self._exception = exc
        if self._output is not None:
            self._output.set_exception(exc)
            self._output = None
            self._parser = None

    def _loop_or_running(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    def set_parser(self, parser: Parser, output: Any = None) -> Any:
        """Start ``parser(output, buffer)`` on the buffered bytes; return ``output``.

        ``output`` defaults to a new :class:`DataQueue`. A parser already set
        is ended first (see :meth:`unset_parser`).
        """
        if output is None:
            output = DataQueue(self._loop_or_running())
        if self._exception is not None:
            output.set_exception(self._exception)
            return output
        if self._parser is not None:
            self.unset_parser()
        generator = parser(output, self._buffer)
        self._parser = generator
        self._output = output
        try:
            next(generator)  # runs on what is buffered until it needs more
        except StopIteration:
            self._finish()
        except Exception as exc:  # the parser's own error goes to its reader
            self._fail(exc)
        else:
            if self._eof:
                self.unset_parser()
        return output

    def _finish(self) -> None:
        output = self._output
        self._parser = None
        self._output = None
        if output is not None:
            output.feed_eof()

    def _fail(self, exc: BaseException) -> None:
        output = self._output
        self._parser = None
        self._output = None
        if output is not None:
            output.set_exception(exc)

    def unset_parser(self) -> None:
        """End the current parser: throw :class:`EofStream` into it, then end its output."""
        parser = self._parser
        if parser is None:
            return
        try:
            parser.throw(EofStream())
        except (StopIteration, EofStream):
            self._finish()
        except Exception as exc:
            self._fail(exc)
        else:
            parser.close()  # it ignored the EOF and asked for more: there is none
            self._finish()

    def feed_data(self, data: bytes) -> None:
        """Send ``data`` to the current parser, or buffer it when there is none."""
        if not data:
            return
        parser = self._parser
        if parser is None:
            try:
                self._buffer.feed_data(data)
            except LineTooLong as exc:
                self.set_exception(exc)
            return
        try:
            parser.send(data)
        except StopIteration:
            self._finish()
        except Exception as exc:
            self._fail(exc)

    def feed_eof(self) -> None:
        """The input ended: throw :class:`EofStream` into the parser and end its output.

        A parser that lets EofStream escape was cut short: its output gets
        ``eof_exc_class()``.
        """
        self._eof = True
        parser = self._parser
        if parser is None:
            return
        try:
            parser.throw(EofStream())
        except StopIteration:
            self._finish()
        except EofStream:
            self._fail(self._eof_exc_class())
        except Exception as exc:
            self._fail(exc)
        else:
            parser.close()
            self._fail(self._eof_exc_class())


class StreamWriter:
    """Write side of a :class:`StreamProtocol` connection (transport writes, drain)."""

    def __init__(
        self,
        transport: asyncio.Transport,
        protocol: aiohttp_http.BaseProtocol,
        reader: StreamParser | None,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.transport = transport
        self._protocol = protocol
        self._reader = reader
        self._loop = loop
        self._drainer = aiohttp_http.StreamWriter(protocol, loop)

    def write(self, data: bytes) -> None:
        """Write ``data`` to the transport."""
        self.transport.write(data)

    def writelines(self, data: list[bytes]) -> None:
        """Write each of ``data``."""
        self.transport.writelines(data)

    def write_eof(self) -> None:
        """Half-close the connection."""
        self.transport.write_eof()

    def can_write_eof(self) -> bool:
        """Whether the transport supports :meth:`write_eof`."""
        return self.transport.can_write_eof()

    def close(self) -> None:
        """Close the transport."""
        self.transport.close()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The transport's extra info ``name``."""
        return self.transport.get_extra_info(name, default)

    async def drain(self) -> None:
        """Wait until the transport accepts more data.

        Raises:
            BaseException: the reader's exception, if it failed.
            ConnectionResetError: the connection is lost.
        """
        if self._reader is not None:
            exc = self._reader.exception()
            if exc is not None:
                raise exc
        await self._drainer.drain()


class StreamProtocol(aiohttp_http.BaseProtocol):
    """An asyncio protocol feeding a :class:`StreamParser` (``self.reader``).

    Args:
        loop: the event loop (default: the running loop).
        disconnect_error: the exception class a parser's output gets when the
            connection ends in the middle of an item.
        kwargs: further :class:`StreamParser` arguments (``limit``).

    ``self.writer`` is a :class:`StreamWriter` once connected.
    """

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        disconnect_error: type[BaseException] = RuntimeError,
        **kwargs: Any,
    ) -> None:
        if loop is None:
            loop = asyncio.get_event_loop()
        super().__init__(loop)
        self.reader = StreamParser(loop=loop, eof_exc_class=disconnect_error, **kwargs)
        self.writer: StreamWriter | None = None

    def is_connected(self) -> bool:
        """True while the transport is open."""
        return self.transport is not None and not self.transport.is_closing()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Remember the transport and make the writer."""
        super().connection_made(transport)
        assert isinstance(transport, asyncio.Transport)
        self.writer = StreamWriter(transport, self, self.reader, self._loop)

    def connection_lost(self, exc: BaseException | None) -> None:
        """End the reader (EOF, or ``exc``) and forget the writer."""
        super().connection_lost(exc)
        self.writer = None
        if exc is None:
            self.reader.feed_eof()
        else:
            self.reader.set_exception(exc)

    def data_received(self, data: bytes) -> None:
        """Feed ``data`` to the reader."""
        self.reader.feed_data(data)

    def eof_received(self) -> bool:
        """Feed EOF to the reader; close the transport."""
        self.reader.feed_eof()
        return False
