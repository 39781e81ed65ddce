"""Multi-frame streams give the same messages however their bytes are split."""

from __future__ import annotations

import zlib

import pytest

from aiohttp_ws import WebSocketError, WebSocketParser, WSCloseCode, WSMessage, WSMsgType

from ._frames import build_frame as f

MASK = b"\xa1\xb2\xc3\xd4"


def _deflate_messages(*messages: bytes) -> list[bytes]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return [(c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH))[:-4] for m in messages]


_z1, _z2 = _deflate_messages(b"compressed " * 20, b"compressed " * 20)

# (name, stream, is_server, compress, expected messages)
STREAMS = [
    (
        "client-mixed",
        f("héllo".encode(), 1)
        + f(b"\x00" * 300, 2)
        + f(b"ping", 9)
        + f(b"a", 1, fin=False)
        + f(b"p", 10)
        + f("€".encode()[:1], 0, fin=False)
        + f("€".encode()[1:], 0)
        + f(b"\x03\xe8done", 8),
        False,
        False,
        [
            WSMessage(WSMsgType.TEXT, "héllo", ""),
            WSMessage(WSMsgType.BINARY, b"\x00" * 300, ""),
            WSMessage(WSMsgType.PING, b"ping", ""),
            WSMessage(WSMsgType.PONG, b"p", ""),
            WSMessage(WSMsgType.TEXT, "a€", ""),
            WSMessage(WSMsgType.CLOSE, WSCloseCode.OK, "done"),
        ],
    ),
    (
        "server-masked",
        f(b"one", 1, mask=MASK)
        + f(bytes(range(200)), 2, mask=MASK)
        + f(b"", 2, mask=MASK)
        + f(b"x" * 5, 2, fin=False, mask=MASK)
        + f(b"", 9, mask=MASK)
        + f(b"y" * 3, 0, mask=MASK),
        True,
        False,
        [
            WSMessage(WSMsgType.TEXT, "one", ""),
            WSMessage(WSMsgType.BINARY, bytes(range(200)), ""),
            WSMessage(WSMsgType.BINARY, b"", ""),
            WSMessage(WSMsgType.PING, b"", ""),
            WSMessage(WSMsgType.BINARY, b"xxxxxyyy", ""),
        ],
    ),
    (
        "client-deflate-takeover",
        f(_z1, 1, rsv=4) + f(_z2[:3], 1, rsv=4, fin=False) + f(_z2[3:], 0),
        False,
        True,
        [
            WSMessage(WSMsgType.TEXT, "compressed " * 20, ""),
            WSMessage(WSMsgType.TEXT, "compressed " * 20, ""),
        ],
    ),
    (
        "client-64bit-length",
        f(b"L" * 70000, 2) + f(b"tail", 1),
        False,
        False,
        [WSMessage(WSMsgType.BINARY, b"L" * 70000, ""), WSMessage(WSMsgType.TEXT, "tail", "")],
    ),
]
IDS = [s[0] for s in STREAMS]


def _parse(chunks: list[bytes], is_server: bool, compress: bool) -> list[WSMessage]:
    parser = WebSocketParser(is_server=is_server, compress=compress, max_msg_size=0)
    out: list[WSMessage] = []
    for chunk in chunks:
        out += parser.feed_data(chunk)
    return out


@pytest.mark.parametrize(("name", "stream", "is_server", "compress", "expected"), STREAMS, ids=IDS)
def test_every_two_way_split_gives_the_same_messages(
    name: str, stream: bytes, is_server: bool, compress: bool, expected: list[WSMessage]
) -> None:
    step = 1 if len(stream) < 2000 else 97
    for i in range(0, len(stream) + 1, step):
        assert _parse([stream[:i], stream[i:]], is_server, compress) == expected, i


@pytest.mark.parametrize(("name", "stream", "is_server", "compress", "expected"), STREAMS, ids=IDS)
def test_byte_by_byte_gives_the_same_messages(
    name: str, stream: bytes, is_server: bool, compress: bool, expected: list[WSMessage]
) -> None:
    if len(stream) > 2000:
        chunks = [stream[i : i + 7] for i in range(0, len(stream), 7)]
    else:
        chunks = [stream[i : i + 1] for i in range(len(stream))]
    assert _parse(chunks, is_server, compress) == expected


@pytest.mark.parametrize(("name", "stream", "is_server", "compress", "expected"), STREAMS, ids=IDS)
@pytest.mark.parametrize("size", [2, 3, 5, 13, 64, 1000])
def test_fixed_chunk_sizes_give_the_same_messages(
    name: str, stream: bytes, is_server: bool, compress: bool, expected: list[WSMessage], size: int
) -> None:
    chunks = [stream[i : i + size] for i in range(0, len(stream), size)]
    assert _parse(chunks, is_server, compress) == expected


def test_every_split_of_an_error_stream_reports_the_same_error() -> None:
    stream = f(b"fine", 1) + f(b"bad\xff", 1)
    for i in range(len(stream) + 1):
        parser = WebSocketParser(is_server=False)

        def feed(parser: WebSocketParser = parser, i: int = i) -> None:
            parser.feed_data(stream[:i])
            parser.feed_data(stream[i:])

        with pytest.raises(WebSocketError) as info:
            feed()
        assert info.value.code == WSCloseCode.INVALID_TEXT
        assert "frame at byte 6" in str(info.value)


def test_every_three_way_split_of_a_short_stream() -> None:
    stream = f(b"ab", 1, fin=False, mask=MASK) + f(b"", 9, mask=MASK) + f(b"c", 0, mask=MASK)
    expected = [WSMessage(WSMsgType.PING, b"", ""), WSMessage(WSMsgType.TEXT, "abc", "")]
    for i in range(len(stream) + 1):
        for j in range(i, len(stream) + 1):
            assert _parse([stream[:i], stream[i:j], stream[j:]], True, False) == expected
