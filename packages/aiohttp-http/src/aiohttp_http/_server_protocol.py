"""The per-connection protocol of the low-level server: :class:`RequestHandler`.

Theory of operation
-------------------
``data_received`` feeds the sans-IO :class:`~aiohttp_http.HttpRequestParser`
and turns its events into requests: a request head becomes a
:class:`BaseRequest` appended to a queue, body pieces are fed to that
request's :class:`~aiohttp_http.StreamReader`. One task per connection takes
requests from the queue *in order*, runs the handler and writes its response,
so pipelined requests are parsed ahead but answered strictly in order. The
queue is bounded (``max_pipelined_requests``): above it reading pauses.

Connection states and what bounds them::

    idle (no request)      --keepalive_timeout--> closed
    partial head received  --head_timeout-------> 408, closed
    handler waits for body --read_timeout-------> TimeoutError in the handler (408)
    response waits to send --write_timeout------> connection aborted
    bad request head       --------------------> 400/413/414/431 + Connection: close,
                                                 FIN, discard input for lingering_timeout
    upgrade request        -- handler calls request.upgrade() --> UpgradedConnection
                           -- handler declines --> a fresh parser resumes on the tail

Every exit closes the transport; nothing waits without a bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import TYPE_CHECKING, Any, NamedTuple

from . import hdrs
from ._exceptions import BadHttpMessage, BodyTooLarge, HttpProcessingError
from ._message import Data, EndOfMessage, RawRequestMessage, Upgraded
from ._protocol import BaseProtocol
from ._server_errors import error_response, error_status
from ._server_request import BaseRequest, ContinueStreamReader, ReadTimeout
from ._server_response import Response, StreamResponse
from ._server_upgrade import UpgradedConnection
from ._streams import EMPTY_PAYLOAD, StreamReader

if TYPE_CHECKING:
    from ._parser import Event, HttpRequestParser
    from ._server import Server

__all__ = ["RequestHandler", "ServerHttpProtocol"]

server_logger = logging.getLogger("aiohttp_http.server")

_IDLE, _HEAD = 1, 2  # what the connection timer guards
_CLOSE, _KEEP, _DRAIN, _SEND_ASYNC = range(4)  # what follows a response


class _Failure(NamedTuple):
    """The handler failed before a response was started: answer ``status``."""

    status: int
    message: str


class _BodyTimeout(TimeoutError):
    """A body read waited longer than ``read_timeout`` (answered 408)."""


class RequestHandler(BaseProtocol):
    """The asyncio protocol of one server connection (see the module docstring).

    Created by :class:`Server` (its protocol factory); the settings
    (handler, limits, timeouts) are the server's.
    """

    def __init__(self, server: Server, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._server = server
        self._parser: HttpRequestParser | None = None
        self._queue: deque[BaseRequest] = deque()
        self._payload: StreamReader | None = None  # the body being fed
        self._task: asyncio.Task[None] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._current: BaseRequest | None = None
        self._closing = False
        self._parse_error: BadHttpMessage | None = None
        self._upgrade_buf: bytearray | None = None
        self._upgraded: UpgradedConnection | None = None
        self._peer_eof = False
        self._lingering = False
        self._detached = False
        self._timer: asyncio.TimerHandle | None = None
        self._timer_kind = 0  # what the timer guards now; 0: nothing (a pending handle is ignored)
        self._deadline = 0.0
        self._linger_timer: asyncio.TimerHandle | None = None
        self._shutdown = False
        self._error_due = False  # a bad head is answered after the queued requests
        self._response_failed = False

    # -- state -----------------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop."""
        return self._loop

    @property
    def closing(self) -> bool:
        """True once the connection takes no more requests."""
        return self._closing

    def keep_alive_possible(self) -> bool:
        """Whether the response being sent may keep the connection open."""
        if self._shutdown:
            return False
        return not self._closing or bool(self._queue) or self._error_due

    @property
    def busy(self) -> bool:
        """True while a request is being handled or queued."""
        return self._current is not None or bool(self._queue)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The transport's extra info ``name`` (``peername``, ``sslcontext``...)."""
        transport = self.transport
        return default if transport is None else transport.get_extra_info(name, default)

    # -- asyncio.Protocol ------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Register with the server and start the idle timer."""
        super().connection_made(transport)
        self._parser = self._server._make_parser()
        self._server._register(self)
        if self._server.closing:
            self._closing = True
            transport.close()
            return
        self._arm(_IDLE, self._server.keepalive_timeout)

    def data_received(self, data: bytes) -> None:
        """Parse ``data``; queue complete request heads, feed body pieces."""
        if self._lingering or self._detached:
            return
        if self._upgrade_buf is not None:
            upgraded = self._upgraded
            if upgraded is not None:
                upgraded.reader.feed_data(data)
            else:
                self._upgrade_buf += data
                if len(self._upgrade_buf) > self._server.read_limit:
                    self.pause_reading()
            return
        parser = self._parser
        if parser is None or self._parse_error is not None:
            return
        if self._timer_kind == _IDLE:
            self._timer_kind = 0
        error: BadHttpMessage | None = None
        events: list[Event] = []
        try:
            events = parser.feed_data(data)
            if events and type(events[-1]) is not Upgraded:
                # A bad message after good ones is raised by the next call: ask now.
                more = parser.feed_data(b"")
                if more:
                    events += more
        except BadHttpMessage as exc:
            error = exc
        n = len(events)
        if n == 2 and error is None and type(events[1]) is EndOfMessage:
            head = events[0]
            if type(head) is RawRequestMessage:
                # The common case: one complete request without a body.
                error = self._on_message(head, True)
                if error is not None:
                    self._on_parse_error(error)
                return
        i = 0
        while i < n:
            event = events[i]
            kind = type(event)
            if kind is Data:
                payload = self._payload
                if payload is not None:
                    payload.feed_data(event.data)  # type: ignore[union-attr]
            elif kind is RawRequestMessage:
                i += 1
                empty = i < n and type(events[i]) is EndOfMessage
                too_large = self._on_message(event, empty)  # type: ignore[arg-type]
                if too_large is not None:
                    error = too_large
                    break
                continue
            elif kind is EndOfMessage:
                payload = self._payload
                if payload is not None:
                    self._payload = None
                    payload.feed_eof()
            else:  # Upgraded
                payload, self._payload = self._payload, None
                if payload is not None:
                    payload.feed_eof()
                self._upgrade_buf = bytearray(event.tail)  # type: ignore[union-attr]
            i += 1
        if error is not None:
            self._on_parse_error(error)
        elif (
            self._payload is None
            and self._timer_kind == 0
            and self._current is None
            and not self._queue
            and self._upgrade_buf is None
        ):
            # Part of a head arrived on an idle connection: bound the rest.
            self._arm(_HEAD, self._server.head_timeout)

    def eof_received(self) -> bool:
        """The peer half-closed: finish the requests received, then close."""
        self._peer_eof = True
        if self._upgraded is not None:
            self._upgraded.reader.feed_eof()
            return True
        if self._upgrade_buf is not None:
            return True
        if self._lingering:
            return False
        self._closing = True
        parser = self._parser
        if parser is not None and self._parse_error is None:
            try:
                parser.feed_eof()
            except BadHttpMessage as exc:
                payload, self._payload = self._payload, None
                if payload is not None:
                    payload.set_exception(exc)
        if self.busy:
            self._wake()
            return True  # keep the write side open for the responses
        return False

    def connection_lost(self, exc: BaseException | None) -> None:
        """Fail pending body reads, stop the task's wait, forget the connection."""
        super().connection_lost(exc)
        self._closing = True
        self._disarm()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
            self._linger_timer = None
        error = ConnectionResetError("connection lost")
        for payload in (self._payload, *(r.content for r in self._queue)):
            if payload is not None and not payload.is_eof():
                payload.set_exception(error, exc)
        self._payload = None
        current = self._current
        if current is not None and not current.content.is_eof():
            current.content.set_exception(error, exc)
        if self._upgraded is not None:
            if exc is None:
                self._upgraded.reader.feed_eof()
            else:
                self._upgraded.reader.set_exception(error, exc)
        self._queue.clear()
        self._wake()
        self._maybe_forget()

    def resume_reading(self) -> None:
        """Resume reading unless the request queue or the upgrade buffer is full."""
        if len(self._queue) >= self._server.max_pipelined_requests:
            return
        buf = self._upgrade_buf
        if buf is not None and self._upgraded is None and len(buf) > self._server.read_limit:
            return
        super().resume_reading()

    async def _drain_helper(self) -> None:
        """Wait while writing is paused, at most ``write_timeout`` (then abort)."""
        timeout = self._server.write_timeout
        if timeout is None or not self._paused:
            await super()._drain_helper()
            return
        try:
            await asyncio.wait_for(super()._drain_helper(), timeout)
        except asyncio.TimeoutError:
            self.abort()
            raise ConnectionResetError(
                f"peer did not read the response for {timeout} seconds"
            ) from None

    # -- parsing -> requests ---------------------------------------------------

    def _on_message(self, message: RawRequestMessage, empty: bool) -> BadHttpMessage | None:
        server = self._server
        if self._timer_kind == _HEAD:
            self._timer_kind = 0
        if not empty and server.max_body_size is not None and not message.chunked:
            length = message.headers.get(hdrs.CONTENT_LENGTH, "0").partition(",")[0]
            if int(length) > server.max_body_size:
                return BodyTooLarge(
                    f"Content-Length {length} exceeds max_body_size of {server.max_body_size}"
                )
        if empty:
            request = BaseRequest(message, EMPTY_PAYLOAD, self)
        else:
            timer = (
                ReadTimeout(self._loop, server.read_timeout, _BodyTimeout)
                if server.read_timeout is not None
                else None
            )
            expect = message.headers.get(hdrs.EXPECT)
            if (
                expect is not None
                and expect.lower() == "100-continue"
                and message.version >= (1, 1)
            ):
                reader = ContinueStreamReader(self, server.read_limit, timer=timer, loop=self._loop)
                request = BaseRequest(message, reader, self, expect_continue=True)
                reader._on_first_read = request._send_continue
                payload: StreamReader = reader
            else:
                payload = StreamReader(self, server.read_limit, timer=timer, loop=self._loop)
                request = BaseRequest(message, payload, self)
            self._payload = payload
        self._queue.append(request)
        if len(self._queue) >= server.max_pipelined_requests:
            self.pause_reading()
        if self._task is None:
            self._task = self._loop.create_task(self._run())
        else:
            self._wake()
        return None

    def _on_parse_error(self, exc: BadHttpMessage) -> None:
        self._parse_error = exc
        self._closing = True
        payload, self._payload = self._payload, None
        if payload is not None:
            # The error is in the body of a request a handler owns: its reads raise.
            payload.set_exception(exc)
            return
        if self._current is None and not self._queue:
            self._send_error(error_status(exc), str(exc))
        else:
            self._error_due = True
            self._wake()  # answered after the queued requests, in order

    # -- timers ----------------------------------------------------------------

    def _arm(self, kind: int, timeout: float | None) -> None:
        """Guard the connection state ``kind`` for ``timeout`` seconds.

        One timer handle is reused: re-arming only moves the deadline, and a
        handle firing before the deadline re-schedules itself, so the hot path
        (a request on a kept-alive connection) creates and cancels no timers.
        """
        if timeout is None:
            self._timer_kind = 0
            return
        deadline = self._loop.time() + timeout
        self._timer_kind = kind
        self._deadline = deadline
        timer = self._timer
        if timer is None or timer.when() > deadline:
            if timer is not None:
                timer.cancel()
            self._timer = self._loop.call_at(deadline, self._on_timer)

    def _disarm(self) -> None:
        """Stop guarding and drop the timer handle."""
        self._timer_kind = 0
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        kind = self._timer_kind
        if kind == 0:
            return
        if self._loop.time() < self._deadline:
            self._timer = self._loop.call_at(self._deadline, self._on_timer)
            return
        self._timer_kind = 0
        if self._current is not None or self._queue or self._upgraded is not None:
            return  # busy: the idle timer is armed again when it is done
        if kind == _HEAD:
            self._send_error(408, "the request head was not received in time")
        else:
            self.close()

    # -- the request loop ------------------------------------------------------

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _run(self) -> None:
        """Answer queued requests in order until the connection closes."""
        try:
            while True:
                if not self._queue:
                    if self._closing or self.transport is None:
                        break
                    if self._timer_kind == 0:
                        self._arm(_IDLE, self._server.keepalive_timeout)
                    self._waiter = self._loop.create_future()
                    try:
                        await self._waiter
                    finally:
                        self._waiter = None
                    continue
                request = self._queue.popleft()
                if self._reading_paused and len(self._queue) < self._server.max_pipelined_requests:
                    self.resume_reading()
                self._current = request
                try:
                    response = await self._call_handler(request)
                    if self._upgraded is not None:
                        keep = False
                        if not self._upgraded.switched:
                            self.close()
                    elif isinstance(response, _Failure):
                        keep = self._fail(request, response)
                    else:
                        after = self._respond_at_once(request, response)
                        if after == _SEND_ASYNC:
                            after = await self._respond(request, response)
                        if after == _DRAIN:
                            keep = await self._drain_unread(request)
                        else:
                            keep = after == _KEEP
                finally:
                    self._current = None
                if not keep:
                    self._closing = True
                    break
            error = self._parse_error
            if (
                self._error_due
                and error is not None
                and not self._response_failed
                and self._upgraded is None
                and not self._shutdown
            ):
                self._send_error(error_status(error), str(error))
                return
            if self._upgraded is None:
                self._linger()  # FIN first: a peer still sending must not get RST
            else:
                self.close()
        except asyncio.CancelledError:
            self.abort()
            raise
        finally:
            self._task = None
            self._maybe_forget()

    async def _call_handler(self, request: BaseRequest) -> StreamResponse | _Failure:
        """Run the handler; map its exception to the status that answers it."""
        self._server.requests_count += 1
        try:
            response: object = await self._server.handler(request)
        except asyncio.CancelledError:
            raise
        except HttpProcessingError as exc:
            status = error_status(exc) if isinstance(exc, BadHttpMessage) else exc.code or 500
            return _Failure(status, str(exc))
        except _BodyTimeout as exc:
            return _Failure(408, str(exc))
        except Exception:
            server_logger.exception(
                "Error handling request %s %s", request.method, request.raw_path
            )
            return _Failure(500, "")
        if not isinstance(response, StreamResponse):
            server_logger.error(
                "Handler returned %s, not a response, for %s %s",
                type(response).__name__,
                request.method,
                request.raw_path,
            )
            return _Failure(500, "")
        return response

    def _fail(self, request: BaseRequest, failure: _Failure) -> bool:
        """Answer a failed handler: its status, or cut the message if the head is out."""
        self._response_failed = True
        if request._response is not None:
            # The head is sent: the only way to signal failure is to cut the message.
            self.abort()
        else:
            self._write_if_open(error_response(failure.status, failure.message))
        return False

    def _respond_at_once(self, request: BaseRequest, response: StreamResponse) -> int:
        """Answer without waiting when possible: ``_KEEP``, ``_CLOSE``, ``_DRAIN`` or ``_SEND_ASYNC``."""
        started = request._response
        if started is not None and started is not response:
            # The handler prepared one response and returned another.
            self._response_failed = True
            self.abort()
            return _CLOSE
        if type(response) is not Response or not response._sendable_at_once():
            return _SEND_ASYNC
        transport = self.transport
        if transport is None or transport.is_closing():
            self._response_failed = True
            return _CLOSE
        try:
            data = response._head_and_body(request)
        except Exception:
            server_logger.exception("Error sending the response to %s", request.raw_path)
            self._response_failed = True
            self._write_if_open(error_response(500))
            return _CLOSE
        transport.write(data)
        return self._after_response(request, response)

    async def _respond(self, request: BaseRequest, response: StreamResponse) -> int:
        """Send a streamed response: ``_KEEP``, ``_CLOSE`` or ``_DRAIN``."""
        try:
            await response._send(request)
        except (ConnectionError, asyncio.TimeoutError):
            self._response_failed = True
            self.abort()
            return _CLOSE
        except Exception:
            server_logger.exception("Error sending the response to %s", request.raw_path)
            self._response_failed = True
            if response.prepared:
                self.abort()
            else:
                self._write_if_open(error_response(500))
            return _CLOSE
        return self._after_response(request, response)

    def _after_response(self, request: BaseRequest, response: StreamResponse) -> int:
        """What follows a sent response: ``_KEEP``, ``_CLOSE``, or ``_DRAIN`` an unread body."""
        if not response._keep_alive or self._shutdown:
            return _CLOSE
        content = request.content
        if content is not EMPTY_PAYLOAD and not content.at_eof():
            return _DRAIN
        if self._upgrade_buf is not None:
            self._restart_parser()
        return _KEEP

    async def _drain_unread(self, request: BaseRequest) -> bool:
        """Discard the unread body (bounded) to keep the connection; False to close it."""
        if not await self._discard(request.content):
            return False
        if self._upgrade_buf is not None:
            self._restart_parser()
        return True

    async def _discard(self, content: StreamReader) -> bool:
        """Read and drop an unread body up to ``max_discard_size``; False to close instead."""
        left = self._server.max_discard_size
        try:
            while True:
                chunk = await content.readany()
                if not chunk:
                    return True
                left -= len(chunk)
                if left < 0:
                    return False
        except Exception:
            return False

    def _restart_parser(self) -> None:
        """The handler declined an upgrade: go on with HTTP/1.1 on the tail (RFC 9110 §7.8)."""
        tail = bytes(self._upgrade_buf or b"")
        self._upgrade_buf = None
        self._parser = self._server._make_parser()
        self.resume_reading()
        if tail:
            self.data_received(tail)
        if self._peer_eof:
            self.eof_received()

    # -- writing, closing --------------------------------------------------------

    def write_head(self, data: bytes) -> None:
        """Write raw bytes of a response.

        Raises:
            ConnectionResetError: the connection is closed or closing.
        """
        transport = self.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("connection closed")
        transport.write(data)

    def _write_if_open(self, data: bytes) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.write(data)

    def _send_error(self, status: int, message: str) -> None:
        """Answer ``status`` with ``Connection: close``, then close (lingering)."""
        self._closing = True
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        transport.write(error_response(status, message))
        self._linger()

    def _linger(self) -> None:
        """Send FIN and discard input for ``lingering_timeout`` so the peer reads the answer."""
        transport = self.transport
        if transport is None or self._detached or transport.is_closing():
            return
        self._lingering = True
        self._disarm()
        if self._peer_eof or not transport.can_write_eof():
            transport.close()
            return
        try:
            transport.write_eof()
        except (OSError, RuntimeError):
            transport.close()
            return
        self.resume_reading()
        self._linger_timer = self._loop.call_later(self._server.lingering_timeout, transport.close)

    def close(self) -> None:
        """Close the connection once pending writes are flushed (not after a protocol switch)."""
        self._closing = True
        if self.transport is not None and not self._detached:
            self.transport.close()

    def abort(self) -> None:
        """Close the connection at once, dropping pending writes (not after a protocol switch)."""
        self._closing = True
        if self.transport is not None and not self._detached:
            self.transport.abort()

    # -- server integration ------------------------------------------------------

    def begin_shutdown(self) -> None:
        """Take no more requests; close now if idle, else after the current response."""
        self._shutdown = True
        self._closing = True
        idle = self._current is None and not self._queue and self._upgraded is None
        if idle and (self._task is None or self._waiter is not None):
            self.close()
        self._wake()

    def force_close(self) -> None:
        """Cancel the handler and abort the connection (shutdown timeout)."""
        if self._task is not None:
            self._task.cancel()
        self.abort()

    @property
    def finished(self) -> bool:
        """True when the connection is closed and its handler task is done."""
        return self._detached or (self._connection_lost and self._task is None)

    def _maybe_forget(self) -> None:
        if self.finished:
            self._server._unregister(self)

    def _detach(self) -> None:
        """The connection moved to another protocol: stop reading and tracking it."""
        self._detached = True
        self._disarm()
        self._maybe_forget()

    async def upgrade_connection(
        self, request: BaseRequest, response: StreamResponse
    ) -> UpgradedConnection:
        """Send ``response``'s head and hand the connection to the handler (see BaseRequest)."""
        if request is not self._current:
            raise RuntimeError("upgrade() must be called by the handler of the request")
        content = request.content
        if not content.at_eof() and not await self._discard(content):
            raise ValueError("request body too large to discard before upgrading")
        transport = self.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("connection closed")
        self.write_head(response._upgrade_head(request))
        buf = self._upgrade_buf
        if buf is None:
            raise RuntimeError("the parser did not hand the connection off")
        tail = bytes(buf)
        reader = StreamReader(self, self._server.read_limit, loop=self._loop)
        if tail:
            reader.feed_data(tail)
        if self._peer_eof:
            reader.feed_eof()
        self._upgraded = UpgradedConnection(self, transport, tail, reader)
        self._disarm()
        self.resume_reading()
        return self._upgraded


#: aiohttp 3.x's older name of the server protocol.
ServerHttpProtocol = RequestHandler
