"""The command line's exit codes, and how a failure becomes one code and one line of text.

The table (also in the README's "Command line" section)::

    0    OK            success (also for an HTTP error status without --fail)
    1    FAILURE       an unexpected internal error, or a demo step failed
    2    USAGE         bad command line: unknown option, malformed -H/-F, invalid --json, bad URL
    3    CONNECTION    could not connect or the connection broke: DNS, refused, reset,
                       proxy unreachable or refusing the tunnel
    4    TIMEOUT       --timeout expired (connect, answer or body), or no WebSocket heartbeat answer
    5    TLS           TLS handshake or certificate verification failed; unusable --cacert
    6    HTTP_STATUS   the response status is 400 or more and --fail was given
    7    WEBSOCKET     the WebSocket upgrade was refused, or a WebSocket protocol error
    8    LOCAL_IO      a local file could not be read or written (-o, -F name=@file, -d @file)
    9    PROTOCOL      the server's answer was unusable: malformed, cut short, too many redirects
    130  INTERRUPTED   Ctrl-C

:func:`classify` maps an exception to its code and a one-line description; the commands
raise :class:`CliError` for failures they detect themselves.
"""

from __future__ import annotations

import asyncio
import ssl
from enum import IntEnum

from aiohttp_client import (
    ClientConnectionError,
    ClientHttpProxyError,
    ClientPayloadError,
    ClientProxyConnectionError,
    ClientResponseError,
    ClientSSLError,
    InvalidURL,
    RedirectClientError,
    ServerFingerprintMismatch,
    TooManyRedirects,
    WSServerHandshakeError,
)
from aiohttp_http import HttpProcessingError
from aiohttp_ws import WebSocketError

__all__ = ["CliError", "ExitCode", "classify"]


class ExitCode(IntEnum):
    """The exit status of ``python -m aiohttp``; see the module docstring for the table."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    CONNECTION = 3
    TIMEOUT = 4
    TLS = 5
    HTTP_STATUS = 6
    WEBSOCKET = 7
    LOCAL_IO = 8
    PROTOCOL = 9
    INTERRUPTED = 130


class CliError(Exception):
    """A failure a command detected itself: exit with ``code`` after printing ``message``."""

    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


def _text(exc: BaseException) -> str:
    text = " ".join(str(exc).split())  # one line, whatever the exception said
    return text or type(exc).__name__


def classify(exc: BaseException) -> tuple[ExitCode, str]:
    """The exit code for ``exc`` and a one-line description of it for stderr.

    The most specific rule wins: a certificate error is a TLS failure although it is also a
    connection error, a timeout is a timeout although ``ServerTimeoutError`` is also a
    connection error, a refused WebSocket upgrade is a WebSocket failure although it is also
    a ``ClientResponseError``.
    """
    if isinstance(exc, CliError):
        return exc.code, exc.message
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED, "interrupted"
    if isinstance(exc, (ClientSSLError, ssl.SSLError, ssl.CertificateError)):
        return ExitCode.TLS, f"TLS error: {_text(exc)}"
    if isinstance(exc, ServerFingerprintMismatch):
        return ExitCode.TLS, f"TLS error: {_text(exc)}"
    if isinstance(exc, WSServerHandshakeError):
        return ExitCode.WEBSOCKET, f"WebSocket handshake failed: {exc.status}, {exc.message}"
    if isinstance(exc, WebSocketError):
        return ExitCode.WEBSOCKET, f"WebSocket protocol error: {_text(exc)}"
    if isinstance(exc, ClientHttpProxyError):
        return ExitCode.CONNECTION, f"the proxy refused the tunnel: {exc.status}, {exc.message}"
    if isinstance(exc, ClientProxyConnectionError):
        return ExitCode.CONNECTION, f"cannot connect to the proxy: {_text(exc)}"
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        detail = str(exc).strip()
        return ExitCode.TIMEOUT, f"timed out: {detail}" if detail else "timed out"
    if isinstance(exc, TooManyRedirects):
        return ExitCode.PROTOCOL, f"too many redirects: {exc.status}, {exc.message}"
    if isinstance(exc, RedirectClientError):
        return ExitCode.PROTOCOL, f"invalid redirect: {_text(exc)}"
    if isinstance(exc, InvalidURL):
        return ExitCode.USAGE, f"invalid URL: {_text(exc)}"
    if isinstance(exc, (ClientConnectionError, ConnectionError)):
        return ExitCode.CONNECTION, f"connection failed: {_text(exc)}"
    if isinstance(exc, (ClientPayloadError, HttpProcessingError, ClientResponseError)):
        return ExitCode.PROTOCOL, f"invalid response: {_text(exc)}"
    if isinstance(exc, OSError):
        return ExitCode.CONNECTION, f"connection failed: {_text(exc)}"
    return ExitCode.FAILURE, f"unexpected error: {type(exc).__name__}: {_text(exc)}"
