"""One open WebSocket connection over aiohttp_ws's asyncio adapters, and the echo loop.

Shared by ``client.py`` (our side of ``wstest -m fuzzingserver``) and
``server.py`` (our side of ``wstest -m fuzzingclient``). :class:`WebSocketSession`
offers the subset of aiohttp's ``ClientWebSocketResponse`` that the echo
needs (``receive``, ``send_str``, ``send_bytes``, ``close``), so that
:func:`echo` runs unchanged on the real ``ws_connect`` once it exists.

What the session does on its own, like aiohttp's ``autoping``/``autoclose``:
it answers every PING with a PONG carrying the same payload, ignores
unsolicited PONGs, answers a CLOSE with a CLOSE echoing the peer's code (an
empty CLOSE gets an empty one), and on a protocol error sends a CLOSE with
the error's code and drops the connection (RFC 6455 §7.1.7). A client waits
for the server to close TCP first (RFC 6455 §7.1.1), bounded by
``close_timeout``; a server closes TCP right after the closing handshake.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from aiohttp_ws import (
    WS_CLOSED_MESSAGE,
    FlowControlProtocol,
    PerMessageDeflate,
    WebSocketDataQueue,
    WebSocketError,
    WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMsgType,
    is_valid_close_code,
)

#: Seconds to wait for the peer's CLOSE, then for its end of the TCP connection.
DEFAULT_CLOSE_TIMEOUT = 5.0
#: Queued bytes above which reading pauses; large messages still pass whole.
QUEUE_LIMIT = 2**16


class EchoWebSocket(Protocol):
    """What :func:`echo` needs: the common subset of aiohttp's WebSocket responses."""

    async def receive(self) -> WSMessage:
        """The next TEXT/BINARY message, or CLOSE/CLOSED/ERROR when the connection ends."""
        ...

    async def send_str(self, data: str) -> None:
        """Send a TEXT message."""

    async def send_bytes(self, data: bytes) -> None:
        """Send a BINARY message."""

    async def close(self) -> bool:
        """Start or finish the closing handshake and release the connection."""
        ...


async def echo(ws: EchoWebSocket) -> int:
    """Send every TEXT and BINARY message back as it came, until the connection ends.

    Returns the number of messages echoed. Autobahn's cases (both the
    fuzzing server and the fuzzing client) score exactly this behaviour.
    """
    echoed = 0
    try:
        while True:
            message = await ws.receive()
            if message.type == WSMsgType.TEXT:
                await ws.send_str(message.data)
            elif message.type == WSMsgType.BINARY:
                await ws.send_bytes(message.data)
            else:
                break
            echoed += 1
    except ConnectionError:
        # The peer closed while we were sending: nothing left to echo.
        pass
    finally:
        await ws.close()
    return echoed


class WebSocketSession:
    """An upgraded connection: a :class:`WebSocketReader` and a :class:`WebSocketWriter`.

    Args:
        protocol: the connection's protocol, whose HTTP head was already read.
        transport: its transport.
        is_server: our role; a client masks its frames and refuses masked ones.
        deflate: the agreed permessage-deflate parameters, or None.
        max_msg_size: largest message accepted; 0 disables the limit (as
            conformance runs do: case 9.x sends 16 MiB messages).
        close_timeout: bound on each wait of the closing handshake.
    """

    def __init__(
        self,
        protocol: FlowControlProtocol,
        transport: asyncio.Transport,
        *,
        is_server: bool,
        deflate: PerMessageDeflate | None,
        max_msg_size: int = 0,
        close_timeout: float = DEFAULT_CLOSE_TIMEOUT,
    ) -> None:
        if deflate is not None:
            bits, no_takeover, peer_bits = deflate.for_role(is_server=is_server)
        else:
            bits, no_takeover, peer_bits = 0, False, 15
        self._transport = transport
        self._is_server = is_server
        self._close_timeout = close_timeout
        self._queue = WebSocketDataQueue(protocol, limit=QUEUE_LIMIT)
        protocol.attach(
            WebSocketReader(
                self._queue,
                max_msg_size,
                compress=deflate is not None,
                is_server=is_server,
                window_bits=peer_bits,
            )
        )
        self._writer = WebSocketWriter(
            protocol, transport, use_mask=not is_server, compress=bits, notakeover=no_takeover
        )
        self._close_sent = False
        self._close_received = False
        self._closed = False
        #: The peer's close code (0 for an empty CLOSE), our error code, or 1006.
        self.close_code: int | None = None

    @property
    def closed(self) -> bool:
        """Whether the connection was released."""
        return self._closed

    async def send_str(self, data: str) -> None:
        """Send a TEXT message (compressed when deflate was agreed)."""
        await self._writer.send(data)

    async def send_bytes(self, data: bytes) -> None:
        """Send a BINARY message (compressed when deflate was agreed)."""
        await self._writer.send(data, binary=True)

    async def receive(self) -> WSMessage:
        """The next TEXT or BINARY message; handles control frames on the way.

        Returns the peer's CLOSE after answering it, ``WS_CLOSED_MESSAGE``
        when the connection ended without one, or an ERROR message carrying
        the :class:`WebSocketError` after failing the connection with its code.
        """
        while not self._closed:
            try:
                message = await self._queue.read()
            except WebSocketError as exc:
                await self._fail(exc.code)
                return WSMessage(WSMsgType.ERROR, exc, None)
            except OSError as exc:
                self.close_code = WSCloseCode.ABNORMAL_CLOSURE
                self._release()
                return WSMessage(WSMsgType.ERROR, exc, None)
            kind = message.type
            if kind == WSMsgType.PING:
                try:
                    await self._writer.pong(message.data)
                except ConnectionError:
                    pass
            elif kind == WSMsgType.PONG:
                continue
            elif kind == WSMsgType.CLOSE:
                self._close_received = True
                self.close_code = message.data
                if not self._close_sent:
                    # RFC 6455 §5.5.1: echo the status code received (none for none).
                    await self._send_close(message.data or None)
                await self._finish()
                return message
            elif kind == WSMsgType.CLOSED:
                self.close_code = WSCloseCode.ABNORMAL_CLOSURE
                self._release()
                return message
            else:
                return message
        return WS_CLOSED_MESSAGE

    async def close(self, code: int = WSCloseCode.OK, message: bytes = b"") -> bool:
        """Run the closing handshake (bounded) and release the connection.

        Returns False if the connection was already released.
        """
        if self._closed:
            return False
        if not self._close_sent:
            await self._send_close(code, message)
        if not self._close_received:
            try:
                await asyncio.wait_for(self._read_until_close(), self._close_timeout)
            except (asyncio.TimeoutError, WebSocketError, OSError):
                pass
        await self._finish()
        return True

    async def _read_until_close(self) -> None:
        while True:
            kind = (await self._queue.read()).type
            if kind == WSMsgType.CLOSE:
                self._close_received = True
                return
            if kind == WSMsgType.CLOSED:
                return

    async def _send_close(self, code: int | None, message: bytes = b"") -> None:
        self._close_sent = True
        try:
            await self._writer.close(code, message)  # type: ignore[arg-type]
        except ConnectionError:
            pass

    async def _fail(self, code: int) -> None:
        # RFC 6455 §7.1.7: send a CLOSE with the code (if none was sent yet), then
        # drop the connection; the reader ignores anything the peer sends after.
        self.close_code = code
        if not self._close_sent and is_valid_close_code(code):  # 1006 is never sent
            await self._send_close(code)
        self._release()

    async def _finish(self) -> None:
        # RFC 6455 §7.1.1: the server closes TCP first; a client waits for that.
        if not self._is_server and not self._closed:
            try:
                await asyncio.wait_for(self._read_until_eof(), self._close_timeout)
            except (asyncio.TimeoutError, WebSocketError, OSError):
                pass
        self._release()

    async def _read_until_eof(self) -> None:
        while (await self._queue.read()).type != WSMsgType.CLOSED:
            pass

    def _release(self) -> None:
        self._closed = True
        self._transport.close()
