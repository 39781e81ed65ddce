"""Smoke test of an installed aiohttp_http: run in a fresh environment by the packaging tests.

Writes a chunked, gzip-compressed response with the writer pieces, parses it
back one byte at a time, checks a hostile message is refused, and streams a
payload through a StreamReader on a real event loop.
"""

import asyncio
import gzip

import aiohttp_http
from aiohttp_http import (
    BadHttpMessage,
    BaseProtocol,
    BodyCompressor,
    ChunkedEncoder,
    Data,
    EndOfMessage,
    HttpResponseParser,
    RawResponseMessage,
    StreamReader,
    get_payload,
    hdrs,
    serialize_headers,
)

for name in aiohttp_http.__all__:
    assert hasattr(aiohttp_http, name), name

body = b"hello, world\n" * 100
compressor, encoder = BodyCompressor("gzip"), ChunkedEncoder()
wire = serialize_headers(
    "HTTP/1.1 200 OK",
    {
        hdrs.CONTENT_TYPE: "text/plain",
        hdrs.CONTENT_ENCODING: "gzip",
        hdrs.TRANSFER_ENCODING: "chunked",
    },
)
wire += (
    encoder.encode(compressor.compress(body))
    + encoder.encode(compressor.flush())
    + encoder.finish()
)

parser = HttpResponseParser()
events = []
for i in range(len(wire)):
    events.extend(parser.feed_data(wire[i : i + 1]))
head = events[0]
assert isinstance(head, RawResponseMessage) and head.code == 200, head
assert head.headers["content-type"] == "text/plain"
assert b"".join(e.data for e in events if isinstance(e, Data)) == body
assert isinstance(events[-1], EndOfMessage)
assert gzip.decompress(gzip.compress(body)) == body

try:
    HttpResponseParser().feed_data(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
except BadHttpMessage as exc:
    assert "Content-Length" in str(exc) or "Transfer-Encoding" in str(exc), exc
else:
    raise AssertionError("a message with both framings must be refused")


async def stream() -> bytes:
    loop = asyncio.get_running_loop()
    reader = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    reader.feed_data(b"line one\nline two\n")
    reader.feed_eof()
    assert await reader.readline() == b"line one\n"
    rest = await reader.read()
    payload = get_payload(rest)
    assert payload.size == len(rest)
    return rest


assert asyncio.run(stream()) == b"line two\n"
print("aiohttp_http smoke ok")
