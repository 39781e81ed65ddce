"""Property tests: write-then-read is the identity; random bytes only raise WebSocketError."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from aiohttp_ws import (
    WebSocketError,
    WebSocketParser,
    WebSocketSerializer,
    WSMessage,
    WSMsgType,
    websocket_mask,
)

text_messages = st.text(max_size=300).map(lambda s: WSMessage(WSMsgType.TEXT, s, ""))
binary_messages = st.binary(max_size=3000).map(lambda b: WSMessage(WSMsgType.BINARY, b, ""))
ping_messages = st.binary(max_size=125).map(lambda b: WSMessage(WSMsgType.PING, b, ""))
pong_messages = st.binary(max_size=125).map(lambda b: WSMessage(WSMsgType.PONG, b, ""))
messages = st.lists(
    st.one_of(text_messages, binary_messages, ping_messages, pong_messages), max_size=8
)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=200, deadline=None)
@given(
    msgs=messages,
    client=st.booleans(),
    compress=st.sampled_from([0, 8, 9, 12, 15]),
    notakeover=st.booleans(),
    max_frame_size=st.sampled_from([0, 1, 7, 100, 1000]),
    cuts=st.lists(st.integers(min_value=0), max_size=6),
)
def test_any_message_written_then_read_back_is_equal(
    msgs: list[WSMessage],
    client: bool,
    compress: int,
    notakeover: bool,
    max_frame_size: int,
    cuts: list[int],
) -> None:
    writer = WebSocketSerializer(
        use_mask=client, compress=compress, notakeover=notakeover, max_frame_size=max_frame_size
    )
    parser = WebSocketParser(is_server=client, compress=bool(compress), window_bits=compress or 15)
    wire = b"".join(writer.message(m.data, m.type) for m in msgs)
    got: list[WSMessage] = []
    for chunk in split(wire, cuts):
        got += parser.feed_data(chunk)
    parser.feed_eof()
    assert got == msgs


def _feed_all(parser: WebSocketParser, chunks: list[bytes], limit: int) -> WebSocketError | None:
    try:
        for chunk in chunks:
            for message in parser.feed_data(chunk):
                assert isinstance(message.type, WSMsgType)
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    assert len(message.data) <= limit
            # Held bytes: a header tail under 14 bytes, a control frame, a message under the limit.
            assert len(parser._tail) < 14
            assert sum(map(len, parser._pending_chunks)) <= 125
            assert parser._msg_size <= limit
        parser.feed_eof()
    except WebSocketError as exc:
        return exc
    return None


def _check_error(error: WebSocketError | None) -> None:
    if error is not None:
        assert error.code in (1002, 1006, 1007, 1009)
        assert str(error)


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=2000),
    is_server=st.sampled_from([True, False, None]),
    compress=st.booleans(),
    cuts=st.lists(st.integers(min_value=0), max_size=5),
)
def test_random_bytes_only_raise_websocket_error_and_stay_bounded(
    data: bytes, is_server: bool | None, compress: bool, cuts: list[int]
) -> None:
    parser = WebSocketParser(is_server=is_server, compress=compress, max_msg_size=512)
    _check_error(_feed_all(parser, split(data, cuts), 512))


def _raw_frame(b0: int, masked: bool, payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        head = bytes([b0, (0x80 if masked else 0) | n])
    else:
        head = bytes([b0, (0x80 if masked else 0) | 126]) + n.to_bytes(2, "big")
    return head + (
        b"\x01\x02\x03\x04" + websocket_mask(b"\x01\x02\x03\x04", payload) if masked else payload
    )


# Frames with well-formed lengths but arbitrary header bits and payloads reach deep states.
random_frames = st.lists(
    st.tuples(
        st.sampled_from([0x00, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x80, 0x81, 0x82, 0x88, 0x89, 0x8A,
                         0xC1, 0xC2, 0x41, 0x40, 0xC0, 0x83, 0x8B, 0xA2, 0x92]),
        st.booleans(),
        st.one_of(st.binary(max_size=200), st.sampled_from([b"\x03\xe8", b"\xff", b"\x00"])),
    ),
    max_size=10,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    frames=random_frames,
    is_server=st.sampled_from([True, False, None]),
    compress=st.booleans(),
    cuts=st.lists(st.integers(min_value=0), max_size=5),
)
def test_random_frames_only_raise_websocket_error_and_stay_bounded(
    frames: list[tuple[int, bool, bytes]], is_server: bool | None, compress: bool, cuts: list[int]
) -> None:
    data = b"".join(_raw_frame(*f) for f in frames)
    parser = WebSocketParser(is_server=is_server, compress=compress, max_msg_size=300)
    _check_error(_feed_all(parser, split(data, cuts), 300))


@settings(max_examples=200, deadline=None)
@given(key=st.binary(min_size=4, max_size=4), data=st.binary(max_size=300))
def test_masking_matches_the_definition(key: bytes, data: bytes) -> None:
    assert websocket_mask(key, data) == bytes(b ^ key[i % 4] for i, b in enumerate(data))
