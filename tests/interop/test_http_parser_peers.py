"""Cross-check parsed fields against h11 and httptools on the corpus of valid messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h11
import httptools
import pytest

from aiohttp_http import (
    Data,
    EndOfMessage,
    HttpRequestParser,
    HttpResponseParser,
    RawRequestMessage,
    RawResponseMessage,
)

pytestmark = pytest.mark.interop

CORPUS = Path(__file__).parent.parent / "http" / "corpus"
RESPONSES = sorted((CORPUS / "responses").glob("*.http"))
REQUESTS = sorted((CORPUS / "requests").glob("*.http"))

# Where a peer is stricter than RFC 9110 allows us to be (documented choices).
# h11 collapses identical repeated Content-Length values into one field.
H11_COLLAPSES = {"repeated_identical_length"}
HTTPTOOLS_REFUSES = {"repeated_identical_length"}  # llhttp rejects duplicate Content-Length


def ours(data: bytes, request: bool) -> list[dict[str, Any]]:
    parser: Any = HttpRequestParser() if request else HttpResponseParser()
    events = parser.feed_data(data) + parser.feed_eof()
    out: list[dict[str, Any]] = []
    for ev in events:
        if isinstance(ev, (RawRequestMessage, RawResponseMessage)):
            start = (ev.method, ev.path) if isinstance(ev, RawRequestMessage) else (ev.code,)
            out.append(
                {
                    "start": start,
                    "version": f"{ev.version.major}.{ev.version.minor}",
                    "headers": [(n.lower(), v) for n, v in ev.raw_headers],
                    "body": b"",
                    "keep_alive": not ev.should_close,
                }
            )
        elif isinstance(ev, Data):
            out[-1]["body"] += ev.data
        elif isinstance(ev, EndOfMessage) and ev.raw_trailers:
            out[-1]["trailers"] = [(n.lower(), v) for n, v in ev.raw_trailers]
    return out


def with_h11(data: bytes, request: bool) -> list[dict[str, Any]]:
    conn = h11.Connection(h11.SERVER if request else h11.CLIENT)
    if not request:
        conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
        conn.send(h11.EndOfMessage())
    conn.receive_data(data)
    conn.receive_data(b"")
    out: list[dict[str, Any]] = []
    while True:
        ev = conn.next_event()
        if ev is h11.NEED_DATA or isinstance(ev, h11.ConnectionClosed):
            break
        if ev is h11.PAUSED:
            conn.start_next_cycle()
            if not request:
                conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
                conn.send(h11.EndOfMessage())
            continue
        if isinstance(ev, (h11.Request, h11.Response, h11.InformationalResponse)):
            if isinstance(ev, h11.Request):
                start: tuple[Any, ...] = (ev.method.decode(), ev.target.decode())
            else:
                start = (ev.status_code,)
            out.append(
                {
                    "start": start,
                    "version": ev.http_version.decode(),
                    "headers": [(n, v) for n, v in ev.headers],
                    "body": b"",
                }
            )
            if isinstance(ev, h11.InformationalResponse):
                continue
        elif isinstance(ev, h11.Data):
            out[-1]["body"] += ev.data
        elif isinstance(ev, h11.EndOfMessage):
            if ev.headers:
                out[-1]["trailers"] = [(n, v) for n, v in ev.headers]
            if request:
                conn.send(h11.Response(status_code=200, headers=[("Content-Length", "0")]))
                conn.send(h11.EndOfMessage())
    return out


def with_httptools(data: bytes, request: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    class Sink:
        url = b""

        def on_message_begin(self) -> None:
            out.append({"headers": [], "body": b""})

        def on_url(self, url: bytes) -> None:
            self.url += url

        def on_header(self, name: bytes, value: bytes) -> None:
            # llhttp keeps trailing OWS in values; RFC 9112 §5 excludes it from the value.
            out[-1]["headers"].append((name.lower(), value.rstrip(b" \t")))

        def on_headers_complete(self) -> None:
            msg = out[-1]
            msg["version"] = parser.get_http_version()
            msg["keep_alive"] = parser.should_keep_alive()
            if request:
                msg["start"] = (parser.get_method().decode(), self.url.decode())
                self.url = b""
            else:
                msg["start"] = (parser.get_status_code(),)

        def on_body(self, body: bytes) -> None:
            out[-1]["body"] += body

    parser: Any = (httptools.HttpRequestParser if request else httptools.HttpResponseParser)(Sink())
    parser.feed_data(data)
    return out


def _strip(msgs: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{k: v for k, v in m.items() if k in keys} for m in msgs]


@pytest.mark.parametrize("request_", [False, True], ids=["response", "request"])
def test_fields_match_h11_on_the_corpus(request_: bool) -> None:
    for path in REQUESTS if request_ else RESPONSES:
        keys: tuple[str, ...] = ("start", "version", "headers", "body", "trailers")
        if path.stem in H11_COLLAPSES:
            keys = ("start", "version", "body", "trailers")
        mine = _strip(ours(path.read_bytes(), request_), keys)
        assert mine == _strip(with_h11(path.read_bytes(), request_), keys), path.stem


@pytest.mark.parametrize("request_", [False, True], ids=["response", "request"])
def test_fields_match_httptools_on_the_corpus(request_: bool) -> None:
    for path in REQUESTS if request_ else RESPONSES:
        data = path.read_bytes()
        if path.stem in HTTPTOOLS_REFUSES:
            with pytest.raises(httptools.HttpParserError):
                with_httptools(data, request_)
            continue
        theirs = with_httptools(data, request_)
        # httptools reports trailer fields as headers of the message; compare without them.
        mine = ours(data, request_)
        for m, t in zip(mine, theirs, strict=False):
            if "trailers" in m:
                t["headers"] = t["headers"][: len(m["headers"])]
        keys = ("start", "version", "headers", "body", "keep_alive")
        assert _strip(mine, keys) == _strip(theirs, keys), path.stem
