"""The WebSocket connection shared by the client and the server side.

Theory of operation: once the opening handshake is done, the transport is
moved to an :class:`aiohttp_ws.FlowControlProtocol`; incoming bytes go
through an :class:`aiohttp_ws.WebSocketReader` into a bounded message queue,
and frames go out through an :class:`aiohttp_ws.WebSocketWriter`.
:class:`WebSocketConnection` drives that pair the way aiohttp 3.x's
``ClientWebSocketResponse`` and ``web.WebSocketResponse`` do:

* :meth:`~WebSocketConnection.receive` hands data messages to the
  application and handles control messages itself: a PING is answered
  (``autoping``), a PONG is swallowed, a CLOSE is answered and the transport
  closed (``autoclose``). Afterwards it returns ``WS_CLOSED_MESSAGE``; a
  protocol error or a lost connection gives one ``ERROR`` message whose data
  is also :meth:`~WebSocketConnection.exception`.
* :meth:`~WebSocketConnection.close` runs the closing handshake (RFC 6455
  §7.1.2): send a Close frame, wait (bounded) for the peer's, close the
  transport.
* ``heartbeat``: after ``heartbeat`` seconds without incoming data a PING is
  sent; without any answer within ``heartbeat / 2`` seconds the connection is
  dropped with close code 1006 and a :class:`ServerTimeoutError`.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Callable
from typing import Any, Final

from aiohttp_ws import (
    DEFAULT_MAX_MSG_SIZE,
    MAX_CLOSE_REASON_SIZE,
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    FlowControlProtocol,
    PerMessageDeflate,
    WebSocketDataQueue,
    WebSocketError,
    WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMessageNoDecodeText,
    WSMsgType,
    is_valid_close_code,
)

from ._exceptions import ClientConnectionResetError, ServerTimeoutError, WSMessageTypeError
from ._timeouts import timeout_after

__all__ = ["DEFAULT_WS_QUEUE_LIMIT", "WebSocketConnection"]

#: Queued incoming bytes above which reading from the peer pauses (64 KiB).
DEFAULT_WS_QUEUE_LIMIT: Final[int] = 2**16
#: zlib level of outgoing permessage-deflate messages: the fastest, as in aiohttp 3.x's
#: ``WebSocketWriter`` (level 6 takes about twice the CPU for 4-10 % less output on JSON).
WS_COMPRESS_LEVEL: Final[int] = zlib.Z_BEST_SPEED

JSONEncoder = Callable[[Any], str]
JSONDecoder = Callable[[str], Any]

# Message types receive() must look at before handing them over.
_CONTROL_TYPES: Final = frozenset(
    {WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.PING, WSMsgType.PONG}
)


class _NotifyingQueue(WebSocketDataQueue):
    """A message queue that reports every incoming message (the heartbeat's liveness signal)."""

    def __init__(
        self, protocol: FlowControlProtocol, limit: int, on_message: Callable[[], None]
    ) -> None:
        super().__init__(protocol, limit)
        self._on_message = on_message

    def feed_data(self, message: WSMessageNoDecodeText, size: int) -> None:
        """Queue ``message`` and notify the connection."""
        super().feed_data(message, size)
        self._on_message()


class WebSocketConnection:
    """One WebSocket connection after the opening handshake (client or server side).

    Made by :meth:`ClientSession.ws_connect` (as a
    :class:`ClientWebSocketResponse`) or by :meth:`WebSocketResponse.prepare`;
    :meth:`start` binds a fresh instance to an upgraded transport.

    Args:
        autoclose: answer the peer's CLOSE and close the transport inside
            :meth:`receive` (otherwise call :meth:`close` yourself).
        autoping: answer PINGs and swallow PONGs inside :meth:`receive`.
        heartbeat: seconds without incoming data after which a PING is sent
            (``None``: never); no answer within half of it drops the
            connection (1006, :class:`ServerTimeoutError`).
        receive_timeout: default bound of :meth:`receive` in seconds (``None``:
            wait forever).
        close_timeout: bound in seconds of the wait for the peer's CLOSE in
            :meth:`close` (``None``: wait forever).
    """

    def __init__(
        self,
        *,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: float | None = None,
        receive_timeout: float | None = None,
        close_timeout: float | None = 10.0,
    ) -> None:
        if heartbeat is not None and heartbeat <= 0:
            raise ValueError(f"heartbeat must be > 0 seconds or None, got {heartbeat!r}")
        self._autoclose = autoclose
        self._autoping = autoping
        self._heartbeat = heartbeat
        self._pong_heartbeat = heartbeat / 2.0 if heartbeat is not None else None
        self._receive_timeout = receive_timeout
        self._close_timeout = close_timeout
        self._ws_transport: asyncio.Transport | None = None
        self._ws_queue: WebSocketDataQueue | None = None
        self._ws_writer: WebSocketWriter | None = None
        self._release_cb: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ws_protocol: str | None = None
        self._compress = 0
        self._notakeover = False
        self._closed = False
        self._closing = False
        self._close_code: int | None = None
        self._exception: BaseException | None = None
        self._waiting = False
        self._close_wait: asyncio.Future[None] | None = None
        self._heartbeat_when = 0.0
        self._heartbeat_cb: asyncio.TimerHandle | None = None
        self._pong_cb: asyncio.TimerHandle | None = None
        self._ping_task: asyncio.Task[None] | None = None

    # --- binding ---------------------------------------------------------------------

    def start(
        self,
        flow: FlowControlProtocol,
        *,
        is_server: bool,
        protocol: str | None = None,
        deflate: PerMessageDeflate | None = None,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        release: Callable[[], None] | None = None,
        queue_limit: int = DEFAULT_WS_QUEUE_LIMIT,
    ) -> None:
        """Run the connection over ``flow``, a protocol already bound to its transport.

        Bytes ``flow`` received before (kept for its ``read_head()``) are
        parsed first.

        Args:
            flow: the transport's protocol (``connection_made`` already called).
            is_server: our role: a server reads masked frames and writes
                unmasked ones, a client the reverse.
            protocol: the agreed subprotocol.
            deflate: the agreed permessage-deflate parameters (``None``: off).
            max_msg_size: the largest incoming message; a larger one fails
                with close code 1009 (0: no limit).
            release: closes the transport (default ``transport.close()``).
            queue_limit: incoming bytes queued before reading pauses.

        Raises:
            RuntimeError: already started, or ``flow`` has no transport.
        """
        if self._ws_transport is not None:
            raise RuntimeError("the WebSocket connection is already started")
        transport = flow.transport
        if transport is None:
            raise RuntimeError("the protocol is not connected to a transport")
        bits, notakeover, peer_bits = (
            deflate.for_role(is_server=is_server) if deflate is not None else (0, False, 15)
        )
        self._loop = asyncio.get_running_loop()
        self._ws_transport = transport
        self._ws_protocol = protocol
        self._compress = bits
        self._notakeover = notakeover
        self._release_cb = release
        self._ws_queue = _NotifyingQueue(flow, queue_limit, self._on_incoming)
        self._ws_writer = WebSocketWriter(
            flow,
            transport,
            use_mask=not is_server,
            compress=bits,
            notakeover=notakeover,
            level=WS_COMPRESS_LEVEL,
        )
        reader = WebSocketReader(
            self._ws_queue,
            max_msg_size,
            compress=deflate is not None,
            is_server=is_server,
            window_bits=peer_bits,
        )
        flow.attach(reader)
        self._reset_heartbeat()

    # --- properties ------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran or the connection is gone."""
        return self._closed

    @property
    def close_code(self) -> int | None:
        """The close code: the peer's, ours, or 1006 for a dropped connection; else ``None``."""
        return self._close_code

    @property
    def protocol(self) -> str | None:
        """The agreed subprotocol, or ``None``."""
        return self._ws_protocol

    @property
    def compress(self) -> int:
        """Our permessage-deflate window bits (9–15), or 0 when compression is off."""
        return self._compress

    @property
    def client_notakeover(self) -> bool:
        """True when we compress without context takeover."""
        return self._notakeover

    def exception(self) -> BaseException | None:
        """The error that ended the connection, if any."""
        return self._exception

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """``transport.get_extra_info(name, default)`` (``default`` once disconnected)."""
        transport = self._ws_transport
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    # --- heartbeat -------------------------------------------------------------------

    def _on_incoming(self) -> None:
        if self._heartbeat is not None and not self._closed:
            self._reset_heartbeat()

    def _reset_heartbeat(self) -> None:
        heartbeat = self._heartbeat
        loop = self._loop
        if heartbeat is None or loop is None:
            return
        self._cancel_pong_timer()
        self._heartbeat_when = loop.time() + heartbeat
        if self._heartbeat_cb is None:
            self._heartbeat_cb = loop.call_at(self._heartbeat_when, self._send_heartbeat)

    def _cancel_pong_timer(self) -> None:
        if self._pong_cb is not None:
            self._pong_cb.cancel()
            self._pong_cb = None

    def _cancel_heartbeat(self) -> None:
        self._cancel_pong_timer()
        if self._heartbeat_cb is not None:
            self._heartbeat_cb.cancel()
            self._heartbeat_cb = None

    def _send_heartbeat(self) -> None:
        self._heartbeat_cb = None
        loop = self._loop
        writer = self._ws_writer
        if loop is None or writer is None or self._closed or self._pong_heartbeat is None:
            return
        now = loop.time()
        if now < self._heartbeat_when:
            # Data arrived since the timer was armed: wait for the rest of the period.
            self._heartbeat_cb = loop.call_at(self._heartbeat_when, self._send_heartbeat)
            return
        self._cancel_pong_timer()
        self._pong_cb = loop.call_at(now + self._pong_heartbeat, self._pong_not_received)
        if self._ping_task is None or self._ping_task.done():
            self._ping_task = loop.create_task(writer.ping())
            self._ping_task.add_done_callback(self._ping_sent)

    def _ping_sent(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._drop(ClientConnectionResetError(f"cannot send the heartbeat PING: {exc!r}"))

    def _pong_not_received(self) -> None:
        self._pong_cb = None
        self._drop(ServerTimeoutError(f"No PONG received after {self._pong_heartbeat} seconds"))

    def _drop(self, exc: BaseException) -> None:
        """Drop the connection at once (1006) and report ``exc`` to a waiting receive()."""
        if self._closed:
            return
        waiting = self._waiting and not self._closing
        self._set_closed()
        self._close_code = WSCloseCode.ABNORMAL_CLOSURE
        self._exception = exc
        self._release()
        if waiting and self._ws_queue is not None:
            self._ws_queue.feed_data(WSMessage(WSMsgType.ERROR, exc, None), 0)

    # --- state -----------------------------------------------------------------------

    def _set_closing(self) -> None:
        self._closing = True
        self._cancel_heartbeat()

    def _set_closed(self) -> None:
        self._closing = True
        self._closed = True
        self._cancel_heartbeat()

    def _release(self) -> None:
        """Close the transport (through the owner's callback, e.g. the client connection)."""
        self._cancel_heartbeat()
        task = self._ping_task
        if task is not None and not task.done():
            task.cancel()
        release, self._release_cb = self._release_cb, None
        if release is not None:
            release()
        elif self._ws_transport is not None:
            self._ws_transport.close()

    def _require_writer(self) -> WebSocketWriter:
        writer = self._ws_writer
        if writer is None:
            raise RuntimeError("the WebSocket connection is not started")
        return writer

    # --- sending ---------------------------------------------------------------------

    async def send_frame(
        self, message: bytes | bytearray | memoryview, opcode: int, compress: int | None = None
    ) -> None:
        """Send one message or control frame with ``opcode`` (``compress`` overrides per message).

        Raises:
            ClientConnectionResetError: the connection is closing or closed.
            RuntimeError: the connection was never started.
            ValueError: a control payload over 125 bytes, or an unknown opcode.
        """
        writer = self._require_writer()
        if self._closed and opcode != WSMsgType.CLOSE:
            raise ClientConnectionResetError("Cannot write to closing transport")
        try:
            await writer.send_frame(bytes(message), opcode, compress)
        except ConnectionResetError as exc:
            if isinstance(exc, ClientConnectionResetError):
                raise
            raise ClientConnectionResetError(
                str(exc) or "Cannot write to closing transport"
            ) from exc

    async def ping(self, message: bytes | str = b"") -> None:
        """Send a PING (``str`` is UTF-8 encoded); see :meth:`send_frame` for errors."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        await self.send_frame(message, WSMsgType.PING)

    async def pong(self, message: bytes | str = b"") -> None:
        """Send a PONG (``str`` is UTF-8 encoded); see :meth:`send_frame` for errors."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        await self.send_frame(message, WSMsgType.PONG)

    async def send_str(self, data: str, compress: int | None = None) -> None:
        """Send ``data`` as a TEXT message.

        Raises:
            TypeError: ``data`` is not a ``str``.
            ClientConnectionResetError: the connection is closing or closed.
        """
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        await self.send_frame(data.encode("utf-8"), WSMsgType.TEXT, compress)

    async def send_bytes(
        self, data: bytes | bytearray | memoryview, compress: int | None = None
    ) -> None:
        """Send ``data`` as a BINARY message.

        Raises:
            TypeError: ``data`` is not bytes, bytearray or memoryview.
            ClientConnectionResetError: the connection is closing or closed.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        await self.send_frame(data, WSMsgType.BINARY, compress)

    async def send_json(
        self, data: Any, compress: int | None = None, *, dumps: JSONEncoder = json.dumps
    ) -> None:
        """Send ``dumps(data)`` as a TEXT message.

        Raises:
            TypeError: ``dumps`` did not return a ``str`` (or ``data`` is not serialisable).
            ValueError: from ``dumps``.
            ClientConnectionResetError: the connection is closing or closed.
        """
        await self.send_str(dumps(data), compress=compress)

    # --- closing ---------------------------------------------------------------------

    async def close(self, *, code: int = WSCloseCode.OK, message: bytes | str = b"") -> bool:
        """Run the closing handshake: send CLOSE, wait for the peer's, close the transport.

        A :meth:`receive` waiting in another task is woken first (it returns
        ``CLOSING``). The wait for the peer's CLOSE is bounded by the close
        timeout; when it expires the transport is closed anyway (1006).

        Args:
            code: the close code to send (1000–1003, 1007–1014, 3000–4999).
            message: the reason (at most 123 bytes UTF-8 encoded).

        Returns:
            True if this call closed the connection, False if it was already closed.

        Raises:
            ValueError: a code that may not be sent, or a reason too long.
        """
        reason = message.encode("utf-8") if isinstance(message, str) else bytes(message)
        if not is_valid_close_code(code):
            raise ValueError(f"close code {code} may not be sent (RFC 6455 §7.4)")
        if len(reason) > MAX_CLOSE_REASON_SIZE:
            raise ValueError(f"close reason is {len(reason)} bytes, at most 123 allowed")
        queue = self._ws_queue
        if self._waiting and not self._closing and queue is not None and self._loop is not None:
            # Break the receive() of another task first; it returns CLOSING.
            self._close_wait = wait = self._loop.create_future()
            self._set_closing()
            queue.feed_data(WS_CLOSING_MESSAGE, 0)
            try:
                async with timeout_after(self._close_timeout):
                    await wait
            except asyncio.TimeoutError:
                pass
        if self._closed:
            return False
        writer = self._require_writer()
        self._set_closed()
        try:
            await writer.close(code, reason)
        except asyncio.CancelledError:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._release()
            raise
        except Exception as exc:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._exception = exc
            self._release()
            return True
        if self._close_code is not None or queue is None:
            # The peer's CLOSE (or the error that ends us) already came.
            self._release()
            return True
        try:
            # One deadline for the whole wait: data the peer still sends does not extend it.
            async with timeout_after(self._close_timeout):
                while True:
                    msg = await queue.read()
                    if msg.type is WSMsgType.CLOSE:
                        self._close_code = msg.data
                        break
                    if msg.type is WSMsgType.CLOSED:
                        self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                        break
        except asyncio.CancelledError:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._release()
            raise
        except Exception as exc:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._exception = exc
        self._release()
        return True

    # --- receiving -------------------------------------------------------------------

    async def receive(self, timeout: float | None = None) -> WSMessage:
        """The next message from the peer.

        PING/PONG are handled here with ``autoping``, CLOSE with ``autoclose``
        (then the CLOSE message is returned). Once closed, returns
        ``WS_CLOSED_MESSAGE``; a protocol error or a lost connection returns
        an ``ERROR`` message (its data is :meth:`exception`) after closing.

        Args:
            timeout: seconds to wait (default: the connection's receive timeout).

        Raises:
            RuntimeError: another task is already in receive().
            asyncio.TimeoutError: the timeout expired (close code becomes 1006).
        """
        queue = self._ws_queue
        if queue is None:
            raise RuntimeError("the WebSocket connection is not started")
        delay = timeout or self._receive_timeout
        # One deadline for the whole call: swallowed PINGs and PONGs do not extend it.
        deadline = asyncio.get_running_loop().time() + delay if delay else None
        while True:
            if self._waiting:
                raise RuntimeError("Concurrent call to receive() is not allowed")
            if self._closed:
                return WS_CLOSED_MESSAGE
            if self._closing:
                await self.close()
                return WS_CLOSED_MESSAGE
            try:
                self._waiting = True
                try:
                    if deadline is not None:
                        left = deadline - asyncio.get_running_loop().time()
                        if left <= 0:
                            raise asyncio.TimeoutError
                        async with timeout_after(left):
                            msg: WSMessage = await queue.read()  # type: ignore[assignment]
                    else:
                        msg = await queue.read()  # type: ignore[assignment]
                finally:
                    self._waiting = False
                    wait = self._close_wait
                    if wait is not None and not wait.done():
                        wait.set_result(None)
            except (asyncio.CancelledError, asyncio.TimeoutError):
                self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                raise
            except WebSocketError as exc:
                self._close_code = exc.code
                self._exception = exc
                if is_valid_close_code(exc.code):
                    await self.close(code=exc.code)
                else:
                    # 1006: the stream ended inside a frame; there is nobody to tell.
                    self._set_closed()
                    self._release()
                return WSMessage(WSMsgType.ERROR, exc, None)
            except Exception as exc:
                self._exception = exc
                self._set_closing()
                self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                await self.close()
                return WSMessage(WSMsgType.ERROR, exc, None)
            kind = msg.type
            if kind not in _CONTROL_TYPES:
                return msg
            if kind is WSMsgType.CLOSE:
                self._set_closing()
                self._close_code = msg.data
                if not self._closed and self._autoclose:
                    await self.close()
            elif kind is WSMsgType.CLOSING:
                self._set_closing()
            elif kind is WSMsgType.CLOSED:
                # The stream ended without a Close frame (RFC 6455 §7.1.5: 1006).
                if self._close_code is None:
                    self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                self._set_closed()
                self._release()
            elif kind is WSMsgType.PING and self._autoping:
                try:
                    await self.pong(msg.data)
                except ClientConnectionResetError:
                    pass  # the connection is ending: the next read says how
                continue
            elif kind is WSMsgType.PONG and self._autoping:
                continue
            return msg

    async def receive_str(self, *, timeout: float | None = None) -> str:
        """:meth:`receive` a TEXT message and return its text.

        Raises:
            WSMessageTypeError: (a ``TypeError``) the message is not TEXT.
        """
        msg = await self.receive(timeout)
        if msg.type is not WSMsgType.TEXT:
            raise WSMessageTypeError(
                f"Received message {msg.type}:{msg.data!r} is not WSMsgType.TEXT"
            )
        return str(msg.data)

    async def receive_bytes(self, *, timeout: float | None = None) -> bytes:
        """:meth:`receive` a BINARY message and return its bytes.

        Raises:
            WSMessageTypeError: (a ``TypeError``) the message is not BINARY.
        """
        msg = await self.receive(timeout)
        if msg.type is not WSMsgType.BINARY:
            raise WSMessageTypeError(
                f"Received message {msg.type}:{msg.data!r} is not WSMsgType.BINARY"
            )
        return bytes(msg.data)

    async def receive_json(
        self, *, loads: JSONDecoder = json.loads, timeout: float | None = None
    ) -> Any:
        """:meth:`receive_str` and decode it with ``loads``.

        Raises:
            WSMessageTypeError: the message is not TEXT.
            ValueError: from ``loads`` on invalid JSON.
        """
        data = await self.receive_str(timeout=timeout)
        return loads(data)

    def __aiter__(self) -> WebSocketConnection:
        """Iterate over data messages until the connection closes."""
        return self

    async def __anext__(self) -> WSMessage:
        """The next message; stops on CLOSE, CLOSING and CLOSED."""
        msg = await self.receive()
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
            raise StopAsyncIteration
        return msg
