"""Smoke test of an installed aiohttp_ws: run in a fresh environment by the packaging tests.

A client serializer writes masked, compressed frames; a server parser reads
them back; a protocol violation yields the close code to send; the RFC 6455
handshake example key gives the RFC's accept value.
"""

import aiohttp_ws
from aiohttp_ws import (
    WebSocketError,
    WebSocketParser,
    WebSocketSerializer,
    WSCloseCode,
    WSMsgType,
    accept_key,
)

for name in aiohttp_ws.__all__:
    assert hasattr(aiohttp_ws, name), name

# RFC 6455 §1.3's example.
assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

client = WebSocketSerializer(use_mask=True, compress=15)
server = WebSocketParser(is_server=True, compress=True)
wire = client.text("héllo " * 1000) + client.binary(b"\x00\x01" * 500) + client.close(1000, "bye")
messages = []
for i in range(0, len(wire), 7):
    messages.extend(server.feed_data(wire[i : i + 7]))
assert [m.type for m in messages] == [WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CLOSE], messages
assert messages[0].data == "héllo " * 1000
assert messages[1].data == b"\x00\x01" * 500
assert messages[2].data == 1000 and messages[2].extra == "bye"

# An unmasked frame sent to a server is a protocol error: close with 1002.
try:
    WebSocketParser(is_server=True).feed_data(WebSocketSerializer(use_mask=False).text("x"))
except WebSocketError as exc:
    assert exc.code == WSCloseCode.PROTOCOL_ERROR, exc
else:
    raise AssertionError("an unmasked client frame must be refused")
print("aiohttp_ws smoke ok")
