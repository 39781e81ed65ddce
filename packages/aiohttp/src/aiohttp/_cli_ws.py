"""``aiohttp ws URL``: an interactive WebSocket client on stdin and stdout.

Each line read from stdin (a terminal, a pipe or a file) is sent as a TEXT message, without
its line ending. Lines starting with ``/`` are commands:

``/ping [payload]``
    send a PING; ``* pong 'payload'`` is printed on stderr when the PONG arrives;
``/close [code] [reason]``
    start the closing handshake with ``code`` (default 1000) and ``reason``;
``//text``
    send ``/text`` (a line that starts with a slash).

Any other line, ``/other`` included, is sent as it is. At the end of stdin the client waits
until the server has been quiet for ``--linger`` seconds (default 1; at most the close
timeout in all), so that the answers to the last lines are printed, then closes with code
1000: many servers (the websockets library among them) send nothing more once they have
received a CLOSE. Incoming TEXT messages are written to stdout as they are, one per line;
BINARY ones as ``[binary N bytes] <hex of the first 32 bytes>``. Everything else (connected,
pongs, the close code and reason, errors) goes to stderr, so that stdout holds only messages.

After our CLOSE the messages the server sent before answering it are still printed: the
closing handshake is run here rather than by ``ClientWebSocketResponse.close()``, which
drops them. The exit code is 0 after a closing handshake, whoever started it and with
whatever code; see :mod:`aiohttp._exit_codes` for the failures.
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import contextlib
import os
import struct
import sys
import threading
from typing import Any, TextIO

from aiohttp_client import (
    ClientConnectionResetError,
    ClientSession,
    ClientTimeout,
    ClientWebSocketResponse,
    ClientWSTimeout,
)
from aiohttp_ws import MAX_CLOSE_REASON_SIZE, WSCloseCode, WSMsgType, is_valid_close_code

from ._cli_common import add_connection_options, normalise_url, run_async, ssl_setting
from ._exit_codes import CliError, ExitCode

__all__ = ["add_parser", "run"]

#: BINARY messages are shown as hex up to this many bytes.
BINARY_PREVIEW = 32
#: Bytes read from stdin at a time.
READ_SIZE = 65536
#: Without ``--timeout``: the longest wait for the server's CLOSE after ours.
DEFAULT_CLOSE_TIMEOUT = 10.0
#: Default of ``--linger``: at the end of stdin, the quiet time awaited before closing.
DEFAULT_LINGER = 1.0
#: After a failed send, how long the server's CLOSE may take to explain it, in seconds.
SEND_FAILURE_GRACE = 1.0


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds, got {text!r}")
    return value


def _window_bits(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 9 <= value <= 15:
        raise argparse.ArgumentTypeError(f"window bits must be 9 to 15, got {text!r}")
    return value


def add_parser(sub: Any) -> None:
    """Register the ``ws`` sub-command on ``sub`` (argparse subparsers)."""
    parser = sub.add_parser(
        "ws",
        help="interactive WebSocket client: stdin lines out, messages in",
        description=(
            "Open a WebSocket to URL, send each stdin line as a text message and print the "
            "messages received. Commands: /ping [payload], /close [code] [reason], //text "
            "sends /text. End of input closes with 1000."
        ),
    )
    parser.set_defaults(handler=run)
    parser.add_argument("url", metavar="URL", help="ws://, wss://, http:// or https:// URL")
    add_connection_options(
        parser,
        timeout_help=(
            "time limit in seconds for the opening handshake and for the server's answer to "
            "our CLOSE (0: none; default: 300 to open, 10 to close)"
        ),
    )
    parser.add_argument(
        "--protocol",
        dest="protocols",
        action="append",
        default=[],
        metavar="NAME",
        help="offer this subprotocol (repeatable, in order of preference)",
    )
    parser.add_argument(
        "--heartbeat",
        type=_positive_seconds,
        metavar="SECONDS",
        help="send a PING after this long without incoming data; no answer ends the session",
    )
    parser.add_argument(
        "--linger",
        type=_seconds,
        default=DEFAULT_LINGER,
        metavar="SECONDS",
        help=(
            "at the end of input, close once the server has been quiet this long "
            f"(default {DEFAULT_LINGER:g}; 0: close at once)"
        ),
    )
    parser.add_argument(
        "--compress",
        type=_window_bits,
        nargs="?",
        const=15,
        default=0,
        metavar="BITS",
        help="offer permessage-deflate (window bits 9-15, default 15)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the ``ws`` command parsed by the parser of :func:`add_parser`; return the exit code."""
    return run_async(_main(args, sys.stdin, sys.stdout, sys.stderr))


# --- stdin -----------------------------------------------------------------------------


class _LineReader:
    """Reads lines of ``stream`` in a daemon thread and queues them for the event loop.

    A stream with a file descriptor (a terminal, a pipe, a file) is read with ``os.read``,
    so that the thread never holds the lock of ``sys.stdin``'s buffer (a thread still
    blocked in a read when the program ends must not stop the interpreter from exiting).
    Other streams (tests) are read with ``readline()``. ``None`` is queued at the end.
    """

    def __init__(self, stream: TextIO, loop: asyncio.AbstractEventLoop) -> None:
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._stream = stream
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name="aiohttp-ws-stdin", daemon=True)

    def start(self) -> None:
        """Start reading."""
        self._thread.start()

    def _put(self, line: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening
            self._loop.call_soon_threadsafe(self.lines.put_nowait, line)

    def _fileno(self) -> int | None:
        try:
            return self._stream.fileno()
        except (AttributeError, OSError, ValueError):
            return None

    def _run(self) -> None:
        try:
            fd = self._fileno()
            if fd is None:
                for line in iter(self._stream.readline, ""):
                    self._put(line)
            else:
                self._read_fd(fd)
        except (OSError, ValueError, AttributeError):
            pass  # an unreadable (or missing) stdin ends the input
        finally:
            self._put(None)

    def _read_fd(self, fd: int) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        while data := os.read(fd, READ_SIZE):
            pending += decoder.decode(data)
            *lines, pending = pending.split("\n")
            for line in lines:
                self._put(line + "\n")
        pending += decoder.decode(b"", final=True)
        if pending:
            self._put(pending)


# --- the session -----------------------------------------------------------------------


def _strip_line_end(line: str) -> str:
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    return line


def _describe_binary(data: bytes) -> str:
    preview = data[:BINARY_PREVIEW].hex(" ")
    more = " ..." if len(data) > BINARY_PREVIEW else ""
    return f"[binary {len(data)} bytes] {preview}{more}".rstrip()


def _close_args(text: str) -> tuple[int, str]:
    """Parse ``/close [code] [reason]``.

    Raises:
        ValueError: a code that is not a number or may not be sent, a reason too long.
    """
    parts = text.split(None, 2)
    code = int(WSCloseCode.OK)
    reason = ""
    if len(parts) > 1:
        try:
            code = int(parts[1])
        except ValueError:
            raise ValueError(f"close code {parts[1]!r} is not a number") from None
        if not is_valid_close_code(code):
            raise ValueError(f"close code {code} may not be sent (RFC 6455 §7.4)")
    if len(parts) > 2:
        reason = parts[2]
    if len(reason.encode("utf-8")) > MAX_CLOSE_REASON_SIZE:
        raise ValueError(f"close reason is over {MAX_CLOSE_REASON_SIZE} bytes")
    return code, reason


class _Client:
    """One WebSocket session: stdin lines out, messages to stdout, notes to stderr."""

    def __init__(
        self,
        ws: ClientWebSocketResponse,
        stdout: TextIO,
        stderr: TextIO,
        *,
        linger: float,
        close_timeout: float | None,
    ) -> None:
        self._ws = ws
        self._stdout = stdout
        self._stderr = stderr
        self._linger = linger
        self._close_timeout = close_timeout
        self._pending_pings = 0
        self._close_sent = False
        self._incoming = asyncio.Event()

    def note(self, text: str) -> None:
        """Print ``* text`` on stderr."""
        with contextlib.suppress(OSError, ValueError):
            self._stderr.write(f"* {text}\n")
            self._stderr.flush()

    def _output(self, text: str) -> None:
        try:
            self._stdout.write(text + "\n")
            self._stdout.flush()
        except (OSError, ValueError) as exc:
            raise CliError(ExitCode.LOCAL_IO, f"cannot write to stdout: {exc}") from exc

    async def run(self, lines: asyncio.Queue[str | None]) -> int:
        """Exchange messages until the closing handshake ends; return the exit code."""
        receiver = asyncio.create_task(self._receive())
        sender = asyncio.create_task(self._send(lines))
        try:
            await asyncio.wait({receiver, sender}, return_when=asyncio.FIRST_COMPLETED)
            if not receiver.done():
                error = sender.exception()
                if error is not None:
                    # Sending may fail because the server just closed: then its CLOSE,
                    # already on the way, is the real story.
                    await asyncio.wait({receiver}, timeout=SEND_FAILURE_GRACE)
                    if receiver.done() and receiver.exception() is None:
                        return receiver.result()
                    raise error
                # Our CLOSE is sent: the messages still in flight are printed, then the
                # server's CLOSE ends the receiver.
                try:
                    return await asyncio.wait_for(receiver, self._close_timeout)
                except asyncio.TimeoutError:
                    raise CliError(
                        ExitCode.TIMEOUT,
                        "the server did not answer our close frame "
                        f"within {self._close_timeout:g} s",
                    ) from None
            return receiver.result()
        finally:
            for task in (sender, receiver):
                task.cancel()
            await asyncio.gather(sender, receiver, return_exceptions=True)

    async def _wait_for_quiet(self) -> None:
        """Return once no message came for ``linger`` seconds (or after the close timeout).

        Only data messages count: the PONGs of ``--heartbeat`` must not keep us open.
        """
        if not self._linger:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._close_timeout if self._close_timeout else None
        while True:
            self._incoming.clear()
            wait = self._linger
            if deadline is not None:
                wait = min(wait, deadline - loop.time())
                if wait <= 0:
                    return
            try:
                await asyncio.wait_for(self._incoming.wait(), wait)
            except asyncio.TimeoutError:
                return

    async def _send_close(self, code: int, reason: str) -> None:
        payload = struct.pack("!H", code) + reason.encode("utf-8")
        self._close_sent = True
        await self._ws.send_frame(payload, WSMsgType.CLOSE)

    async def _send(self, lines: asyncio.Queue[str | None]) -> None:
        ws = self._ws
        while True:
            line = await lines.get()
            if line is None:
                await self._wait_for_quiet()
                await self._send_close(WSCloseCode.OK, "")
                return
            text = _strip_line_end(line)
            if text.startswith("//"):
                await ws.send_str(text[1:])
            elif text == "/ping" or text.startswith("/ping "):
                payload = text[6:].encode("utf-8")
                if len(payload) > 125:
                    self.note("a ping payload is at most 125 bytes; not sent")
                    continue
                self._pending_pings += 1
                await ws.ping(payload)
            elif text == "/close" or text.startswith("/close "):
                try:
                    code, reason = _close_args(text)
                except ValueError as exc:
                    self.note(f"{exc}; not closed")
                    continue
                await self._send_close(code, reason)
                return
            else:
                await ws.send_str(text)

    async def _receive(self) -> int:
        ws = self._ws
        while True:
            msg = await ws.receive()
            kind = msg.type
            if kind is WSMsgType.TEXT:
                self._incoming.set()
                self._output(str(msg.data))
            elif kind is WSMsgType.BINARY:
                self._incoming.set()
                self._output(_describe_binary(bytes(msg.data)))
            elif kind is WSMsgType.PING:
                with contextlib.suppress(ClientConnectionResetError):
                    await ws.pong(msg.data)
            elif kind is WSMsgType.PONG:
                if self._pending_pings:  # heartbeat PONGs are not ours to show
                    self._pending_pings -= 1
                    self.note(f"pong {bytes(msg.data).decode('utf-8', 'replace')!r}")
            elif kind is WSMsgType.CLOSE:
                return await self._closed_by_peer(msg.data, msg.extra or "")
            elif kind is WSMsgType.ERROR:
                error = msg.data
                if isinstance(error, BaseException):
                    raise error
                raise CliError(ExitCode.WEBSOCKET, f"WebSocket error: {error!r}")
            else:  # CLOSED or CLOSING: the connection ended without a closing handshake
                raise CliError(
                    ExitCode.CONNECTION,
                    "the connection was lost without a closing handshake (1006)",
                )

    async def _closed_by_peer(self, code: int, reason: str) -> int:
        said = f"{code} {reason!r}" if reason else f"{code}"
        if self._close_sent:
            self.note(f"closed: {said}")
            return ExitCode.OK
        self.note(f"the server closed the connection: {said}")
        # RFC 6455 §5.5.1: answer with a CLOSE, echoing the code when we may send it.
        if is_valid_close_code(code):
            await self._ws.close(code=code, message=reason)
        else:
            await self._ws.close(code=WSCloseCode.OK)
        return ExitCode.OK


async def _main(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    url = normalise_url(args.url, "ws")
    ssl = ssl_setting(args)
    session_options: dict[str, Any] = {}
    ws_timeout = ClientWSTimeout(ws_receive=None, ws_close=DEFAULT_CLOSE_TIMEOUT)
    if args.timeout is not None:
        limit = args.timeout or None
        session_options["timeout"] = ClientTimeout(total=limit)
        ws_timeout = ClientWSTimeout(ws_receive=None, ws_close=limit)
    async with ClientSession(**session_options) as session:
        ws = await session.ws_connect(
            url,
            protocols=args.protocols,
            headers=args.headers,
            proxy=args.proxy,
            ssl=ssl,
            heartbeat=args.heartbeat,
            compress=args.compress,
            timeout=ws_timeout,
            autoping=False,  # PINGs are answered below, so that PONGs can be shown
            autoclose=False,  # the closing handshake is run below, see the module docstring
        )
        client = _Client(ws, stdout, stderr, linger=args.linger, close_timeout=ws_timeout.ws_close)
        details = [f"subprotocol {ws.protocol}"] if ws.protocol else []
        if ws.compress:
            details.append(f"permessage-deflate, {ws.compress} window bits")
        client.note(f"connected to {url}" + (f" ({', '.join(details)})" if details else ""))
        reader = _LineReader(stdin, asyncio.get_running_loop())
        reader.start()
        return await client.run(reader.lines)
