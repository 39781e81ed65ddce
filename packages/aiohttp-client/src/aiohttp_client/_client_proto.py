"""The client connection protocol: feeds a sans-IO response parser into body streams.

Theory of operation: one :class:`ResponseHandler` lives as long as its TCP
(or unix) connection and serves one request at a time. Before a request is
sent, :meth:`ResponseHandler.begin_request` queues its method on the parser
and arms the state; bytes from the transport go to an
:class:`aiohttp_http.HttpResponseParser`, whose events are routed:

* a final response head → a new :class:`aiohttp_http.StreamReader` body and
  the ``(message, body)`` pair handed to :meth:`read_head`;
* ``100 Continue`` → wakes a request waiting to send its body (``expect100``);
  other 1xx heads are skipped;
* ``Data`` → the body stream (flow control pauses the transport);
* ``EndOfMessage`` → EOF of the body; the connection may be reused;
* ``Upgraded`` (after a ``101``) → the body ends, the bytes that followed the
  head are held and reading pauses until the new protocol's user takes the
  connection over with :meth:`ResponseHandler.take_upgraded` (or closes it).

Any parse error, a timeout or a lost connection fails whatever is waiting
(head or body) and marks the connection not reusable. The only states in
which a connection may return to the pool are checked by :attr:`reusable`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp_http import (
    DEFAULT_MAX_FIELD_SIZE,
    DEFAULT_MAX_LINE_SIZE,
    BadHttpMessage,
    BaseProtocol,
    BaseTimerContext,
    Data,
    EndOfMessage,
    HttpProcessingError,
    HttpResponseParser,
    RawResponseMessage,
    StreamReader,
    Upgraded,
)

from ._exceptions import (
    ClientOSError,
    ClientPayloadError,
    ServerDisconnectedError,
    SocketTimeoutError,
)

__all__ = ["ResponseHandler"]

_NO_BODY_STATUSES = frozenset({204, 304})


class ResponseHandler(BaseProtocol):
    """The asyncio protocol of one client connection (aiohttp's ``ResponseHandler``).

    Args:
        loop: the event loop.
    """

    __slots__ = (
        "_body",
        "_closed",
        "_continue",
        "_exception",
        "_head",
        "_head_waiter",
        "_last_data",
        "_parser",
        "_parser_key",
        "_read_bufsize",
        "_read_timeout",
        "_read_timer",
        "_read_until_eof",
        "_received",
        "_should_close",
        "_timer",
        "_upgraded_tail",
        "in_use",
        "writing",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._parser: HttpResponseParser | None = None
        self._parser_key: tuple[Any, ...] | None = None
        self._body: StreamReader | None = None
        self._head: tuple[RawResponseMessage, StreamReader] | None = None
        self._head_waiter: asyncio.Future[tuple[RawResponseMessage, StreamReader]] | None = None
        self._continue: asyncio.Future[bool] | None = None
        self._exception: BaseException | None = None
        self._should_close = False
        self._received = False
        self._read_timeout: float | None = None
        self._read_timer: asyncio.TimerHandle | None = None
        self._last_data = 0.0
        self._read_bufsize = 2**18
        self._read_until_eof = True
        self._timer: BaseTimerContext | None = None
        self._upgraded_tail: bytes | None = None
        self._closed: asyncio.Future[None] | None = None
        #: True while a request owns the connection (no response complete yet).
        self.in_use = False
        #: True while a task still streams the request body.
        self.writing = False

    # --- state -----------------------------------------------------------------------

    @property
    def should_close(self) -> bool:
        """Whether the connection must be closed rather than reused."""
        return (
            self._should_close
            or self.in_use
            or self.writing
            or self._exception is not None
            or self._upgraded_tail is not None
            or self.transport is None
            # Bytes beyond the response (the start of an unasked-for one): desynchronised.
            or (self._parser is not None and self._parser.buffered_size > 0)
        )

    @property
    def reusable(self) -> bool:
        """True when the last response is complete and keep-alive is allowed."""
        return not self.should_close and not self.transport.is_closing()  # type: ignore[union-attr]

    @property
    def received_any(self) -> bool:
        """Whether any byte arrived since the current request began."""
        return self._received

    @property
    def upgraded_tail(self) -> bytes | None:
        """The bytes after a ``101`` head (the new protocol's), or ``None``."""
        return self._upgraded_tail

    def take_upgraded(self) -> bytes:
        """Hand the connection over after a ``101``: return the bytes that followed the head.

        The caller moves the transport to its own protocol (``set_protocol``)
        and resumes reading; this handler keeps only the connection's
        lifecycle (:attr:`closed`) and is never reused.

        Raises:
            RuntimeError: the connection did not switch protocols.
        """
        tail = self._upgraded_tail
        if tail is None:
            raise RuntimeError("the connection did not switch protocols")
        self._upgraded_tail = b""
        self._parser = None
        return tail

    def is_connected(self) -> bool:
        """True while the transport is open."""
        return self.transport is not None and not self.transport.is_closing()

    @property
    def closed(self) -> asyncio.Future[None]:
        """A future resolved once the connection is lost."""
        if self._closed is None:
            self._closed = self._loop.create_future()
            if self._connection_lost:
                self._closed.set_result(None)
        return self._closed

    def force_close(self) -> None:
        """Mark the connection not reusable."""
        self._should_close = True

    def close(self) -> None:
        """Close the transport (buffered output is still flushed)."""
        self._should_close = True
        transport = self.transport
        if transport is not None:
            transport.close()

    def abort(self) -> None:
        """Close the transport at once, discarding buffered output."""
        self._should_close = True
        transport = self.transport
        if transport is not None:
            transport.abort()

    # --- request lifecycle -----------------------------------------------------------

    def begin_request(
        self,
        method: str,
        read_until_eof: bool = True,
        auto_decompress: bool = True,
        read_bufsize: int = 2**18,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
        read_timeout: float | None = None,
        timer: BaseTimerContext | None = None,
        expect100: bool = False,
    ) -> None:
        """Prepare for the response to a request about to be sent.

        Args:
            method: the request method (a response to ``HEAD`` has no body).
            read_until_eof: read a body without framing until the connection
                closes; when false such a body is taken as empty.
            auto_decompress: decode ``Content-Encoding`` bodies.
            read_bufsize: flow-control limit of the body stream.
            max_line_size, max_field_size: head limits of the parser.
            read_timeout: ``sock_read``: the longest wait for data, armed by
                :meth:`start_read_timeout`.
            timer: the total-timeout timer the body stream enters on waits.
            expect100: the request waits for ``100 Continue``.
        """
        key = (auto_decompress, max_line_size, max_field_size)
        if self._parser is None or key != self._parser_key:
            self._parser = HttpResponseParser(
                lenient=True,
                auto_decompress=auto_decompress,
                max_line_size=max_line_size,
                max_field_size=max_field_size,
            )
            self._parser_key = key
        self._parser.expect_response(method)
        self.in_use = True
        self.writing = False
        self._received = False
        self._head = None
        self._exception = None
        self._read_until_eof = read_until_eof
        self._read_bufsize = read_bufsize
        self._read_timeout = read_timeout or None
        self._timer = timer
        self._continue = self._loop.create_future() if expect100 else None

    def start_read_timeout(self) -> None:
        """Arm the ``sock_read`` timer (after the request was sent)."""
        if self._read_timeout is not None and self.in_use and not self._reading_paused:
            self._last_data = self._loop.time()
            self._arm_read_timer(self._last_data + self._read_timeout)

    def _arm_read_timer(self, when: float) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
        self._read_timer = self._loop.call_at(when, self._on_read_timer)

    def _drop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _on_read_timer(self) -> None:
        self._read_timer = None
        timeout = self._read_timeout
        if timeout is None or not self.in_use or self._reading_paused:
            return
        deadline = self._last_data + timeout
        if deadline > self._loop.time():
            # Data arrived since the timer was armed: wait for the rest of the period.
            self._arm_read_timer(deadline)
            return
        self.set_exception(SocketTimeoutError(f"Timeout on reading data from socket ({timeout}s)"))
        self.abort()

    def pause_reading(self) -> None:
        """Pause the transport; the read timeout does not run while paused."""
        super().pause_reading()
        self._drop_read_timer()

    def resume_reading(self) -> None:
        """Resume the transport and re-arm the read timeout."""
        super().resume_reading()
        if self._read_timeout is not None and self.in_use:
            self.start_read_timeout()

    async def wait_continue(self) -> bool:
        """Wait for ``100 Continue``: ``True`` to send the body, ``False`` when a final
        response came first (the body must not be sent).

        Raises:
            whatever failed the connection meanwhile.
        """
        assert self._continue is not None
        return await asyncio.shield(self._continue)

    async def read_head(self) -> tuple[RawResponseMessage, StreamReader]:
        """Wait for the final response head; return it with its body stream.

        Raises:
            HttpProcessingError: the head is malformed.
            ServerDisconnectedError: the connection closed before the head.
            ClientOSError: the connection failed with an OS error.
            SocketTimeoutError: ``sock_read`` expired.
        """
        if self._head is not None:
            head, self._head = self._head, None
            return head
        if self._exception is not None:
            raise self._exception
        waiter: asyncio.Future[tuple[RawResponseMessage, StreamReader]]
        waiter = self._head_waiter = self._loop.create_future()
        try:
            # The total timer is entered by the caller around the whole request.
            return await waiter
        finally:
            self._head_waiter = None

    def set_exception(self, exc: BaseException, cause: BaseException | None = None) -> None:
        """Fail what waits on this connection (head, ``100 Continue`` or body); never reuse it."""
        if cause is not None and exc.__cause__ is None:
            exc.__cause__ = cause
        self._should_close = True
        self._drop_read_timer()
        if self._exception is None:
            self._exception = exc
        waiter = self._head_waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
            self._head_waiter = None
        cont = self._continue
        if cont is not None and not cont.done():
            cont.set_exception(exc)
            cont.exception()  # retrieved: a waiter may be gone
        body = self._body
        if body is not None:
            self._body = None
            if isinstance(exc, HttpProcessingError):
                exc = ClientPayloadError(f"Response payload is not completed: {exc}")
            body.set_exception(exc)

    # --- asyncio callbacks -----------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        """Parse ``data`` and route the events (see the module docstring)."""
        tail = self._upgraded_tail
        if tail is not None:
            # The new protocol's bytes, held until its user takes the connection over
            # (reading is paused meanwhile, so at most a read's worth lands here).
            self._upgraded_tail = tail + data
            return
        parser = self._parser
        if parser is None or not self.in_use:
            # Bytes on an idle connection: it cannot be trusted any more.
            self.close()
            return
        self._received = True
        if self._read_timeout is not None:
            self._last_data = self._loop.time()
        try:
            events = parser.feed_data(data)
        except BadHttpMessage as exc:
            self._fail_parse(exc)
            return
        pending: BadHttpMessage | None = None
        if events and type(events[-1]) is not Upgraded:
            # The parser returns the events completed before an error and raises the
            # error on its next call: ask now, so nothing waits for bytes that never come.
            try:
                parser.feed_data(b"")
            except BadHttpMessage as exc:
                pending = exc
                self._should_close = True
        body = self._body
        for event in events:
            if type(event) is Data:
                if body is not None:
                    body.feed_data(event.data)
            elif type(event) is EndOfMessage:
                if body is not None:
                    self._end_body(body)
                    body = None
            elif type(event) is RawResponseMessage:
                body = self._on_head(event)
            elif type(event) is Upgraded:
                if body is not None:
                    self._end_body(body)
                    body = None
                # Hold the rest for the new protocol, and read nothing more until its
                # user takes the connection over (take_upgraded) or releases it.
                self._upgraded_tail = event.tail
                self.pause_reading()
        if pending is not None:
            self._fail_parse(pending)

    def _fail_parse(self, exc: BadHttpMessage) -> None:
        self.set_exception(exc)
        self.abort()

    def _on_head(self, message: RawResponseMessage) -> StreamReader | None:
        if not self.in_use:
            # A response nobody asked for (after the last one ended): desynchronised.
            self.close()
            return None
        code = message.code
        if code < 200 and code != 101:
            if code == 100 and self._continue is not None and not self._continue.done():
                self._continue.set_result(True)
            return None  # other informational responses are skipped (RFC 9110 §15.2)
        cont = self._continue
        if cont is not None and not cont.done():
            cont.set_result(False)  # a final answer came first: do not send the body
        if message.should_close:
            self._should_close = True
        body = StreamReader(self, self._read_bufsize, timer=self._timer, loop=self._loop)
        self._body = body
        if (
            not self._read_until_eof
            and not message.chunked
            and "Content-Length" not in message.headers
            and code not in _NO_BODY_STATUSES
            and code != 101
        ):
            # A body delimited by the connection's close is refused as asked: take it as
            # empty and never reuse the connection (its next bytes are that body).
            self._should_close = True
            self._end_body(body)
        head = (message, body)
        waiter = self._head_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(head)
            self._head_waiter = None
        else:
            self._head = head
        return self._body

    def _end_body(self, body: StreamReader) -> None:
        self._body = None
        self.in_use = False
        self._drop_read_timer()
        if self._reading_paused:
            # The stream keeps what it buffered; the connection must read again when reused.
            super().resume_reading()
        body.feed_eof()

    def eof_received(self) -> bool:
        """The peer closed its side: let the transport close (``connection_lost`` follows)."""
        self._should_close = True
        return False

    def connection_lost(self, exc: BaseException | None) -> None:
        """Finish a body read until close, or fail what is still waiting."""
        super().connection_lost(exc)
        self._should_close = True
        self._drop_read_timer()
        parser = self._parser
        if parser is not None and self.in_use:
            try:
                events = parser.feed_eof()
            except BadHttpMessage as parse_exc:
                detail = f"Response payload is not completed: {parse_exc}"
                if exc is not None:
                    detail += f". {exc!r}"
                if self._body is not None:
                    self.set_exception(ClientPayloadError(detail), parse_exc)
                events = []
            for event in events:
                if type(event) is EndOfMessage and self._body is not None:
                    self._end_body(self._body)
        if self.in_use or self._head_waiter is not None:
            if isinstance(exc, OSError):
                error: BaseException = ClientOSError(*exc.args)
                error.__cause__ = exc
            else:
                error = ServerDisconnectedError()
            self.set_exception(error)
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)
