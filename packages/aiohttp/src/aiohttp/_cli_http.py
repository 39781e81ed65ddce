"""``aiohttp get|post|put|patch|delete|head|options URL``: send one request, show the answer.

A small curl/httpie-like tool over the whole stack: the request goes out through
:class:`aiohttp_client.ClientSession` (redirects followed, as aiohttp does, unless
``--no-follow``), forms are built with :class:`aiohttp_multipart.FormData`.

Output: the response body goes to stdout unchanged (bytes, not decoded text), or to a file
with ``-o`` (with a progress display on stderr); ``-v`` prints the request and response heads
on stderr; ``--json-output`` prints one JSON object on stdout instead of the body. An HTTP
error status is not a failure unless ``--fail`` is given (then exit 6, after the output).
Every other failure is one line on stderr and an exit code of :mod:`aiohttp._exit_codes`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import mimetypes
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import IO, Any, BinaryIO, TextIO

from aiohttp_client import (
    ClientResponse,
    ClientSession,
    ClientTimeout,
    TraceConfig,
    TraceRequestEndParams,
    TraceRequestHeadersSentParams,
    TraceRequestRedirectParams,
)
from aiohttp_multipart import FormData

from ._cli_common import add_connection_options, normalise_url, report, run_async, ssl_setting
from ._exit_codes import CliError, ExitCode
from ._progress import Progress

__all__ = ["METHODS", "add_parser", "run"]

#: The request commands, one per method.
METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
#: Size of the reads of the response body.
CHUNK_SIZE = 64 * 1024


def json_text(text: str) -> str:
    """Check that ``--json``'s value is JSON and return it unchanged (argparse ``type=``).

    Raises:
        argparse.ArgumentTypeError: the text is not valid JSON (with where it fails).
    """
    try:
        json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid JSON: {exc}") from None
    return text


def form_field(text: str) -> tuple[str, str]:
    """Parse ``-F name=value`` (``value`` starting with ``@`` names a file to upload).

    Raises:
        argparse.ArgumentTypeError: no ``=``, an empty name, or ``@`` without a path.
    """
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"form field {text!r} is not 'name=value' or 'name=@file'")
    if value == "@":
        raise argparse.ArgumentTypeError(f"form field {name!r}: '@' without a file path")
    return name, value


def add_parser(sub: Any) -> None:
    """Register one sub-command per method of :data:`METHODS` on ``sub`` (argparse subparsers)."""
    for method in METHODS:
        article = "an" if method == "options" else "a"
        parser = sub.add_parser(
            method,
            help=f"send {article} {method.upper()} request and print the response",
            description=(
                f"Send {article} {method.upper()} request to URL and write the response body to stdout. "
                "Redirects are followed; an HTTP error status exits 0 unless --fail."
            ),
        )
        parser.set_defaults(handler=run, method=method.upper())
        parser.add_argument("url", metavar="URL", help="http:// or https:// URL (default http)")
        body = parser.add_mutually_exclusive_group()
        body.add_argument(
            "--json",
            type=json_text,
            metavar="JSON",
            help="send this JSON text as the body (Content-Type: application/json)",
        )
        body.add_argument(
            "-d",
            "--data",
            metavar="TEXT",
            help="send TEXT as the body; @PATH sends a file's contents, @- standard input",
        )
        body.add_argument(
            "-F",
            "--form",
            action="append",
            type=form_field,
            metavar="NAME=VALUE",
            help="add a multipart/form-data field; NAME=@PATH uploads a file (repeatable)",
        )
        add_connection_options(
            parser, timeout_help="total time limit in seconds (0: none; default: 300)"
        )
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="write the body to FILE, with a progress bar"
        )
        parser.add_argument(
            "-L",
            "--follow",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="follow redirects (default: yes)",
        )
        parser.add_argument(
            "-f",
            "--fail",
            action="store_true",
            help="exit 6 when the response status is 400 or more",
        )
        parser.add_argument(
            "-v", "--verbose", action="store_true", help="print the request and response heads"
        )
        parser.add_argument(
            "--json-output",
            action="store_true",
            help="print one JSON object (status, headers, body, elapsed) instead of the body",
        )


def run(args: argparse.Namespace) -> int:
    """Run a request command parsed by the parser of :func:`add_parser`; return the exit code."""
    return run_async(_request(args, sys.stdout, sys.stderr))


# --- the request -----------------------------------------------------------------------


@dataclass
class _Body:
    """What ``--json``, ``-d`` or ``-F`` make: the ``data=`` argument and implied headers."""

    data: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def _open_local(path: str, what: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise CliError(ExitCode.LOCAL_IO, f"{what} {path}: {exc.strerror or exc}") from exc


def _body(args: argparse.Namespace, files: contextlib.ExitStack) -> _Body:
    if args.json is not None:
        return _Body(args.json.encode("utf-8"), {"Content-Type": "application/json"})
    if args.data is not None:
        data: str = args.data
        if not data.startswith("@"):
            return _Body(data)
        if data == "@-":
            try:
                return _Body(sys.stdin.buffer.read())
            except (OSError, ValueError, AttributeError) as exc:
                raise CliError(ExitCode.LOCAL_IO, f"-d @-: cannot read stdin ({exc})") from exc
        return _Body(files.enter_context(_open_local(data[1:], "-d: cannot read")))
    if args.form:
        form = FormData(default_to_multipart=True)
        for name, value in args.form:
            if value.startswith("@"):
                path = value[1:]
                upload = files.enter_context(_open_local(path, f"-F {name}: cannot read"))
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                form.add_field(
                    name, upload, filename=os.path.basename(path), content_type=content_type
                )
            else:
                form.add_field(name, value)
        return _Body(form)
    return _Body()


def _headers(args: argparse.Namespace, implied: dict[str, str]) -> list[tuple[str, str]]:
    """The request headers: ``-H`` ones, and the implied ones ``-H`` does not replace."""
    given = {name.lower() for name, _ in args.headers}
    headers = [(name, value) for name, value in implied.items() if name.lower() not in given]
    headers.extend(args.headers)
    return headers


def _timeout(args: argparse.Namespace) -> ClientTimeout | None:
    if args.timeout is None:
        return None  # the session's default
    return ClientTimeout(total=args.timeout or None)


class _HeadPrinter:
    """``-v``: the request heads as sent and the response heads as received, curl style."""

    def __init__(self, stream: TextIO, proxied: bool) -> None:
        self._stream = stream
        self._proxied = proxied

    def trace_config(self) -> TraceConfig:
        config = TraceConfig()
        config.on_request_headers_sent.append(self._request_sent)
        config.on_request_redirect.append(self._response)
        config.on_request_end.append(self._response)
        return config

    def _write(self, lines: list[str]) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._stream.write("".join(line + "\n" for line in lines))
            self._stream.flush()

    async def _request_sent(
        self, session: ClientSession, ctx: SimpleNamespace, params: TraceRequestHeadersSentParams
    ) -> None:
        url = params.url
        plain_proxy = self._proxied and url.scheme == "http"
        target = str(url) if plain_proxy else url.raw_path_qs
        lines = [f"> {params.method} {target} HTTP/1.1"]
        lines.extend(f"> {name}: {value}" for name, value in params.headers.items())
        lines.append(">")
        self._write(lines)

    async def _response(
        self,
        session: ClientSession,
        ctx: SimpleNamespace,
        params: TraceRequestEndParams | TraceRequestRedirectParams,
    ) -> None:
        response: ClientResponse = params.response
        self._write([f"< {_status_line(response)}", *_raw_header_lines(response, "< "), "<"])


def _status_line(response: ClientResponse) -> str:
    version = response.version
    proto = f"HTTP/{version.major}.{version.minor}" if version is not None else "HTTP/1.1"
    return f"{proto} {response.status} {response.reason or ''}".rstrip()


def _header_pairs(response: ClientResponse) -> Iterator[tuple[str, str]]:
    if response.raw_headers:
        for name, value in response.raw_headers:
            yield name.decode("latin-1"), value.decode("latin-1")
    else:
        yield from response.headers.items()


def _raw_header_lines(response: ClientResponse, prefix: str) -> list[str]:
    return [f"{prefix}{name}: {value}" for name, value in _header_pairs(response)]


def _binary_stdout(stdout: TextIO) -> IO[bytes]:
    stdout.flush()
    buffer = getattr(stdout, "buffer", None)
    if buffer is None:
        raise CliError(ExitCode.FAILURE, "stdout cannot take bytes")
    return buffer  # type: ignore[no-any-return]


def _body_size(response: ClientResponse) -> int | None:
    """The number of body bytes we will count, when the head announces it."""
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return None  # Content-Length counts the encoded bytes, we count decoded ones
    return response.content_length


async def _save(response: ClientResponse, path: str, stderr: TextIO) -> int:
    """Stream the body into ``path`` with a progress display; remove the file on failure."""
    try:
        # A local disk write blocks briefly, as the writes below do; fine for a CLI.
        out = open(path, "wb")  # noqa: ASYNC230, SIM115 - closed below
    except OSError as exc:
        raise CliError(ExitCode.LOCAL_IO, f"-o {path}: {exc.strerror or exc}") from exc
    progress = Progress(stderr, _body_size(response), label=os.path.basename(path) or path)
    done = False
    try:
        async for chunk in response.content.iter_chunked(CHUNK_SIZE):
            try:
                out.write(chunk)
            except OSError as exc:
                raise CliError(ExitCode.LOCAL_IO, f"-o {path}: {exc.strerror or exc}") from exc
            progress.update(len(chunk))
        done = True
    finally:
        progress.finish()
        with contextlib.suppress(OSError):
            out.close()
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(path)
    return progress.done


async def _copy_to_stdout(response: ClientResponse, stdout: TextIO) -> int:
    sink = _binary_stdout(stdout)
    size = 0
    async for chunk in response.content.iter_chunked(CHUNK_SIZE):
        try:
            sink.write(chunk)
            sink.flush()
        except OSError as exc:
            raise CliError(ExitCode.LOCAL_IO, f"cannot write to stdout: {exc}") from exc
        size += len(chunk)
    return size


def _summary(
    response: ClientResponse, body: bytes | None, size: int, elapsed: float, output: str | None
) -> dict[str, Any]:
    """The ``--json-output`` object."""
    summary: dict[str, Any] = {
        "method": response.method,
        "url": str(response.url),
        "status": response.status,
        "reason": response.reason,
        "http_version": _status_line(response).split(" ", 1)[0],
        "headers": [[name, value] for name, value in _header_pairs(response)],
        "history": [{"status": r.status, "url": str(r.url)} for r in response.history],
        "body_length": size,
        "elapsed": round(elapsed, 6),
    }
    if output is not None:
        summary["output"] = output
    elif body is not None:
        try:
            summary["body"] = body.decode(response.charset or "utf-8")
            summary["body_encoding"] = "text"
        except (UnicodeDecodeError, LookupError):
            summary["body"] = base64.b64encode(body).decode("ascii")
            summary["body_encoding"] = "base64"
    return summary


async def _request(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    started = time.monotonic()
    try:
        return await _exchange(args, stdout, stderr)
    except asyncio.TimeoutError as exc:
        detail = " ".join(str(exc).split()) or "no detail"
        elapsed = time.monotonic() - started
        raise CliError(
            ExitCode.TIMEOUT, f"timed out after {elapsed:.1f} s ({detail}; see --timeout)"
        ) from exc


async def _exchange(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    url = normalise_url(args.url, "http")
    ssl = ssl_setting(args)
    trace_configs = [_HeadPrinter(stderr, args.proxy is not None).trace_config()]
    session_timeout = _timeout(args)
    session_options: dict[str, Any] = {}
    if session_timeout is not None:
        session_options["timeout"] = session_timeout
    with contextlib.ExitStack() as files:
        body = _body(args, files)
        headers = _headers(args, body.headers)
        started = time.monotonic()
        async with (
            ClientSession(
                trace_configs=trace_configs if args.verbose else None, **session_options
            ) as session,
            session.request(
                args.method,
                url,
                data=body.data,
                headers=headers,
                allow_redirects=args.follow,
                proxy=args.proxy,
                ssl=ssl,
            ) as response,
        ):
            body_bytes: bytes | None = None
            if args.output is not None:
                size = await _save(response, args.output, stderr)
            elif args.json_output:
                body_bytes = await response.read()
                size = len(body_bytes)
            else:
                size = await _copy_to_stdout(response, stdout)
            elapsed = time.monotonic() - started
            if args.json_output:
                summary = _summary(response, body_bytes, size, elapsed, args.output)
                stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
                stdout.flush()
            if args.fail and response.status >= 400:
                status = f"HTTP {response.status} {response.reason or ''}".rstrip()
                return report(ExitCode.HTTP_STATUS, status, stderr)
    return ExitCode.OK
