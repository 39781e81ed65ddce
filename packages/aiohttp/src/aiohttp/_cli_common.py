"""What the ``get``/``post``/... and ``ws`` commands share: options, parsing and error reporting.

Malformed option values are rejected by argparse itself (``type=`` converters raising
:class:`argparse.ArgumentTypeError`), so they print the usage and exit 2 before anything
is sent. Failures later on go through :func:`run_async`, which prints one line on stderr
and returns the exit code of :mod:`aiohttp._exit_codes`.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import ssl
import sys
from collections.abc import Coroutine
from typing import Any, TextIO

from ._exit_codes import CliError, ExitCode, classify

__all__ = [
    "PROG",
    "add_connection_options",
    "header",
    "normalise_url",
    "report",
    "run_async",
    "ssl_setting",
    "timeout_seconds",
]

PROG = "aiohttp"

# RFC 9110 §5.1: field-name = token; §5.5: a value has no CR, LF or NUL.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def header(text: str) -> tuple[str, str]:
    """Parse ``-H 'Name: value'`` into ``(name, value)`` (argparse ``type=`` converter).

    Raises:
        argparse.ArgumentTypeError: no colon, a name that is not an HTTP token, or CR, LF or
            NUL in the value.
    """
    name, colon, value = text.partition(":")
    if not colon:
        raise argparse.ArgumentTypeError(f"header {text!r} is not 'Name: value'")
    name, value = name.strip(), value.strip()
    if not _TOKEN.match(name):
        raise argparse.ArgumentTypeError(f"invalid header name {name!r} in {text!r}")
    if _BAD_VALUE.search(value):
        raise argparse.ArgumentTypeError(f"header {name!r}: CR, LF or NUL in the value")
    return name, value


def timeout_seconds(text: str) -> float:
    """Parse ``--timeout`` (seconds, ``0`` for none; argparse ``type=`` converter).

    Raises:
        argparse.ArgumentTypeError: not a number, negative, or not finite.
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"timeout {text!r} is not a number of seconds") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"timeout must be 0 or more seconds, got {text!r}")
    return value


def normalise_url(text: str, default_scheme: str) -> str:
    """``text`` with ``default_scheme://`` in front when it names no scheme (``host:8080/x``)."""
    if _SCHEME.match(text):
        return text
    return f"{default_scheme}://{text}"


def add_connection_options(parser: argparse.ArgumentParser, *, timeout_help: str) -> None:
    """Add ``-H``, ``--timeout``, ``--proxy`` and the TLS options (``--insecure``/``--cacert``)."""
    parser.add_argument(
        "-H",
        "--header",
        dest="headers",
        action="append",
        type=header,
        default=[],
        metavar="'NAME: VALUE'",
        help="send this header (repeatable)",
    )
    parser.add_argument(
        "--timeout", type=timeout_seconds, default=None, metavar="SECONDS", help=timeout_help
    )
    parser.add_argument("--proxy", metavar="URL", help="go through this HTTP proxy")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument(
        "-k",
        "--insecure",
        action="store_true",
        help="do not verify the server's TLS certificate",
    )
    tls.add_argument(
        "--cacert",
        metavar="PATH",
        help="verify the server's certificate against the CA certificates in this PEM file",
    )


def ssl_setting(args: argparse.Namespace) -> ssl.SSLContext | bool:
    """The ``ssl=`` argument for aiohttp_client from ``--insecure``/``--cacert``.

    Raises:
        CliError: ``LOCAL_IO`` when the CA file cannot be read, ``TLS`` when it holds no
            usable certificate.
    """
    if args.insecure:
        return False
    if args.cacert is None:
        return True
    try:
        return ssl.create_default_context(cafile=args.cacert)
    except ssl.SSLError as exc:
        raise CliError(
            ExitCode.TLS, f"--cacert {args.cacert}: not a usable CA certificate file ({exc})"
        ) from exc
    except OSError as exc:
        raise CliError(ExitCode.LOCAL_IO, f"--cacert {args.cacert}: {exc.strerror or exc}") from exc


def report(code: ExitCode, message: str, stream: TextIO | None = None) -> ExitCode:
    """Print ``aiohttp: error: message`` on ``stream`` (default stderr) and return ``code``."""
    out = stream if stream is not None else sys.stderr
    try:
        out.write(f"{PROG}: error: {message}\n")
        out.flush()
    except (OSError, ValueError):
        pass
    return code


def run_async(coro: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine in a new event loop and return its exit code.

    Any exception becomes one line on stderr and the code :func:`classify` gives it;
    Ctrl-C gives 130. Nothing else is printed (no traceback).
    """
    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        return report(ExitCode.INTERRUPTED, "interrupted")
    except Exception as exc:
        code, message = classify(exc)
        return report(code, message)
