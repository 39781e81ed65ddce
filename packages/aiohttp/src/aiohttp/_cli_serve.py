"""``aiohttp serve``: the playground server (see :mod:`aiohttp._playground`) on the command line.

Prints ``serving on http://HOST:PORT (Ctrl-C to stop)`` on stdout once it
listens, then one access-log line per request on stderr. Ctrl-C or SIGTERM
shuts it down gracefully (WebSockets closed with 1001, in-flight requests
given :data:`SHUTDOWN_TIMEOUT` seconds; a second signal cuts them) and the
command exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from typing import Final

from . import _playground
from ._exit_codes import ExitCode

__all__ = ["SHUTDOWN_TIMEOUT", "add_parser", "run"]

#: Seconds in-flight requests may take to finish after Ctrl-C or SIGTERM.
SHUTDOWN_TIMEOUT: Final = 5.0

_DESCRIPTION = """\
Serve a small playground for trying HTTP and WebSocket clients by hand, on
aiohttp-http's low-level server. Routes:

  / or /inspect      JSON describing the request (multipart and JSON bodies parsed)
  /echo              the request body back, with the request's Content-Type
  /ws                WebSocket echo (text and binary)
  /status/{code}     answers with that status (200..599)
  /delay/{seconds}   /inspect after a pause (at most 60 s)
  /bytes/{n}         n bytes with Content-Length (at most 1 GiB); byte i is i % 256
  /redirect/{n}      302 to /redirect/{n-1}; /redirect/0 answers as /inspect
  /static/...        files under --static DIR (GET, HEAD, Range, directory listings)
"""


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is not in 0..65535")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``serve`` on the ``aiohttp`` command's subparsers."""
    parser = sub.add_parser(
        "serve",
        help="an echo, inspect, WebSocket and static-file server for trying clients",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8080,
        help="port to listen on; 0 picks a free one (default: 8080)",
    )
    parser.add_argument(
        "--static", metavar="DIR", help="serve the files under DIR at /static/ (default: none)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; return 0, 1 when the address cannot be bound, 2 for a bad DIR."""
    static: str | None = args.static
    if static is not None and not os.path.isdir(static):
        print(f"aiohttp serve: --static: not a directory: {static}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        return asyncio.run(_serve(args.host, args.port, static))
    except KeyboardInterrupt:  # where the loop cannot handle signals (Windows)
        return ExitCode.OK


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def _serve(host: str, port: int, static: str | None) -> int:
    try:
        server, _ = await _playground.start(host, port, static_dir=static, log=_log)
    except OSError as exc:
        print(f"aiohttp serve: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return ExitCode.FAILURE
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def on_signal() -> None:
        if stopping.is_set():  # a second signal: cut the requests still running
            for connection in server.connections:
                connection.force_close()
        stopping.set()

    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, on_signal)
        except (NotImplementedError, RuntimeError):  # Windows; not the main thread
            continue
        installed.append(signum)
    try:
        print(f"serving on {server.url} (Ctrl-C to stop)", flush=True)
        await stopping.wait()
        _log("shutting down")
    finally:
        await _playground.stop(server, SHUTDOWN_TIMEOUT)
        for signum in installed:
            loop.remove_signal_handler(signum)
    return ExitCode.OK
