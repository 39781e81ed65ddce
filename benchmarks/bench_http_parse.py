"""HTTP/1.1 parsing: aiohttp-http against aiohttp (C and pure Python), h11 and httptools.

Workloads (every implementation parses every head into fields and hands over
every body byte; the data is fed in 64 KiB reads, as a socket would deliver it):

- ``a_small_responses``: 10,000 keep-alive responses, 10 headers, 100-byte body.
- ``b_chunked_responses``: 200 responses of 200 chunks of 32 bytes each.
- ``c_large_body``: one response with a 64 MiB Content-Length body.
- ``d_get_requests``: 10,000 browser-like GET requests (12 headers).

Notes on fairness: h11 needs a request sent per response (client role) and a
response sent per request (server role) before it parses the next message;
that serialisation is part of its time. aiohttp's parsers deliver bodies into
a ``StreamReader``, drained with ``read_nowait()`` after every read.
httptools delivers fields through callbacks that collect ``(name, value)``
pairs, as a minimal user would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from _harness import Case, Target

READ = 2**16

_RESPONSE_HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"Server: nginx/1.25.3\r\n"
    b"Date: Sat, 21 Nov 2026 12:00:00 GMT\r\n"
    b"Content-Type: application/json; charset=utf-8\r\n"
    b"Content-Length: 100\r\n"
    b"Connection: keep-alive\r\n"
    b"Cache-Control: no-cache, no-store\r\n"
    b"X-Request-Id: 7f1c2a9e-3b4d-4e5f-8a6b-0c1d2e3f4a5b\r\n"
    b"Vary: Accept-Encoding\r\n"
    b'ETag: "5e8f1c2a9e3b4d"\r\n'
    b"Strict-Transport-Security: max-age=31536000\r\n"
    b"\r\n"
)
SMALL = _RESPONSE_HEAD + b"x" * 100

_CHUNKED_HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"Server: nginx/1.25.3\r\n"
    b"Content-Type: text/plain\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"\r\n"
)
CHUNKED = _CHUNKED_HEAD + (b"20\r\n" + b"y" * 32 + b"\r\n") * 200 + b"0\r\n\r\n"

LARGE_SIZE = 64 * 2**20
LARGE_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n"
    % (LARGE_SIZE)
)

GET = (
    b"GET /api/v1/items?page=2&sort=name HTTP/1.1\r\n"
    b"Host: www.example.com\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    b"Accept-Language: en-GB,en;q=0.5\r\n"
    b"Accept-Encoding: gzip, deflate, br, zstd\r\n"
    b"Connection: keep-alive\r\n"
    b"Referer: https://www.example.com/api/v1/items?page=1\r\n"
    b"Cookie: session=4f1e2d3c4b5a69788796a5b4c3d2e1f0; theme=dark\r\n"
    b"Upgrade-Insecure-Requests: 1\r\n"
    b"Sec-Fetch-Dest: document\r\n"
    b"Sec-Fetch-Mode: navigate\r\n"
    b"Sec-Fetch-Site: same-origin\r\n"
    b"\r\n"
)


def _reads(message: bytes, count: int) -> list[bytes]:
    data = message * count
    return [data[i : i + READ] for i in range(0, len(data), READ)]


def _large_reads() -> list[bytes]:
    body = b"z" * READ
    first = LARGE_HEAD + body[: READ - len(LARGE_HEAD)]
    # (READ - head) + (n - 1) * READ + head == LARGE_SIZE body bytes
    return [first] + [body] * (LARGE_SIZE // READ - 1) + [body[: len(LARGE_HEAD)]]


WORKLOADS: dict[str, tuple[Callable[[], list[bytes]], int, bool]] = {
    # name: (reads, messages, is_request)
    "a_small_responses": (lambda: _reads(SMALL, 10_000), 10_000, False),
    "b_chunked_responses": (lambda: _reads(CHUNKED, 200), 200, False),
    "c_large_body": (_large_reads, 1, False),
    "d_get_requests": (lambda: _reads(GET, 10_000), 10_000, True),
}


def _check(messages: int, expected: int, body: int) -> dict[str, Any]:
    if messages != expected:
        raise AssertionError(f"parsed {messages} messages, expected {expected}")
    return {"messages": messages, "body_bytes": body}


# -- ours ---------------------------------------------------------------------


def make_ours(workload: str) -> Callable[[], dict[str, Any]]:
    from aiohttp_http import Data, HttpRequestParser, HttpResponseParser

    make_reads, expected, is_request = WORKLOADS[workload]
    reads = make_reads()
    parser_type = HttpRequestParser if is_request else HttpResponseParser
    head_type = "RawRequestMessage" if is_request else "RawResponseMessage"

    def run() -> dict[str, Any]:
        parser = parser_type(max_body_size=None)
        messages = body = 0
        for chunk in reads:
            for event in parser.feed_data(chunk):
                if type(event) is Data:
                    body += len(event.data)
                elif type(event).__name__ == head_type:
                    messages += 1
        return _check(messages, expected, body)

    return run


# -- aiohttp (C extension or pure Python) ---------------------------------------


def make_aiohttp(workload: str, pure_python: bool) -> Callable[[], dict[str, Any]]:
    import asyncio

    from aiohttp import http_parser
    from aiohttp.base_protocol import BaseProtocol

    if pure_python:
        req_cls: Any = http_parser.HttpRequestParserPy
        resp_cls: Any = http_parser.HttpResponseParserPy
    else:
        req_cls = http_parser.HttpRequestParserC
        resp_cls = http_parser.HttpResponseParserC
        if req_cls is http_parser.HttpRequestParserPy:
            raise RuntimeError("aiohttp C extensions are not available")
    make_reads, expected, is_request = WORKLOADS[workload]
    reads = make_reads()
    loop = asyncio.new_event_loop()
    protocol = BaseProtocol(loop)

    def run() -> dict[str, Any]:
        cls = req_cls if is_request else resp_cls
        parser = cls(protocol, loop, 2**16)
        messages = body = 0
        open_payloads: list[Any] = []
        for chunk in reads:
            msgs, _upgraded, _tail = parser.feed_data(chunk)
            for _msg, payload in msgs:
                messages += 1
                open_payloads.append(payload)
            # drain every body delivered so far (a large one spans many reads)
            for payload in open_payloads:
                body += len(payload.read_nowait())
            open_payloads = [p for p in open_payloads if not p.at_eof()]
        return _check(messages, expected, body)

    return run


# -- h11 ------------------------------------------------------------------------


def make_h11(workload: str) -> Callable[[], dict[str, Any]]:
    import h11

    make_reads, expected, is_request = WORKLOADS[workload]
    reads = make_reads()

    def run() -> dict[str, Any]:
        if is_request:
            conn = h11.Connection(h11.SERVER)
            reply = [
                h11.Response(status_code=200, headers=[("Content-Length", "0")]),
                h11.EndOfMessage(),
            ]
            head_type: Any = h11.Request
        else:
            conn = h11.Connection(h11.CLIENT)
            reply = [
                h11.Request(method="GET", target="/", headers=[("Host", "x")]),
                h11.EndOfMessage(),
            ]
            head_type = h11.Response
            for ev in reply:
                conn.send(ev)
        messages = body = 0
        need_data, paused = h11.NEED_DATA, h11.PAUSED
        for chunk in reads:
            conn.receive_data(chunk)
            while True:
                event = conn.next_event()
                if event is need_data:
                    break
                t = type(event)
                if t is h11.Data:
                    body += len(event.data)
                elif t is head_type:
                    messages += 1
                elif t is h11.EndOfMessage:
                    if is_request:
                        for ev in reply:
                            conn.send(ev)
                elif event is paused:
                    conn.start_next_cycle()
                    if not is_request:
                        for ev in reply:
                            conn.send(ev)
        return _check(messages, expected, body)

    return run


# -- httptools ------------------------------------------------------------------


def make_httptools(workload: str) -> Callable[[], dict[str, Any]]:
    import httptools

    make_reads, expected, is_request = WORKLOADS[workload]
    reads = make_reads()

    class Sink:
        def __init__(self) -> None:
            self.messages = 0
            self.body = 0
            self.headers: list[tuple[bytes, bytes]] = []
            self.url = b""

        def on_url(self, url: bytes) -> None:
            self.url = url

        def on_header(self, name: bytes, value: bytes) -> None:
            self.headers.append((name, value))

        def on_headers_complete(self) -> None:
            self.messages += 1
            self.headers = []

        def on_body(self, body: bytes) -> None:
            self.body += len(body)

    def run() -> dict[str, Any]:
        sink = Sink()
        parser = (httptools.HttpRequestParser if is_request else httptools.HttpResponseParser)(sink)
        for chunk in reads:
            parser.feed_data(chunk)
        return _check(sink.messages, expected, sink.body)

    return run


SIZES = {
    "a_small_responses": len(SMALL) * 10_000,
    "b_chunked_responses": len(CHUNKED) * 200,
    "c_large_body": len(LARGE_HEAD) + LARGE_SIZE,
    "d_get_requests": len(GET) * 10_000,
}


def cases() -> list[Case]:
    out: list[Case] = []
    for name, (_make_reads, messages, _is_request) in WORKLOADS.items():
        repeat = 3 if name == "c_large_body" else 5
        size = SIZES[name]
        impls: list[tuple[str, Any, Any, dict[str, str]]] = [
            ("ours", "ours", lambda n=name: make_ours(n), {}),
            ("aiohttp-c", "peers", lambda n=name: make_aiohttp(n, False), {}),
            (
                "aiohttp-py",
                "peers",
                lambda n=name: make_aiohttp(n, True),
                {"AIOHTTP_NO_EXTENSIONS": "1"},
            ),
            ("h11", "peers", lambda n=name: make_h11(n), {}),
            ("httptools", "peers", lambda n=name: make_httptools(n), {}),
        ]
        for impl, side, make, env in impls:
            out.append(
                Case(name, impl, side, make, ops=messages, nbytes=size, repeat=repeat, env=env)
            )
    return out


TARGETS = [
    *(
        Target(w, "h11", 2.5)
        for w in ("a_small_responses", "b_chunked_responses", "d_get_requests")
    ),
    *(
        Target(w, "aiohttp-py", 1.5)
        for w in ("a_small_responses", "b_chunked_responses", "d_get_requests")
    ),
    Target("c_large_body", "aiohttp-c", 0.9),
]
