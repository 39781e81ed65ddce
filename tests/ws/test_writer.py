"""The sans-IO writer: framing, masking, fragmentation, control frames, compression."""

from __future__ import annotations

import itertools
import zlib

import pytest

from aiohttp_ws import (
    MASK_BLOCK_SIZE,
    MaskKeySource,
    WebSocketParser,
    WebSocketSerializer,
    WSCloseCode,
    WSMessage,
    WSMsgType,
    websocket_mask,
    websocket_mask_parts,
)

from ._frames import build_frame


def fixed_keys(*keys: bytes) -> object:
    return itertools.cycle(keys).__next__


def test_server_text_frame_is_unmasked_and_exact() -> None:
    assert WebSocketSerializer(use_mask=False).text("hi") == b"\x81\x02hi"


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70001])
def test_unmasked_binary_frame_matches_reference(size: int) -> None:
    payload = bytes(i % 251 for i in range(size))
    assert WebSocketSerializer(use_mask=False).binary(payload) == build_frame(payload, 0x2)


@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 125, 126, 65535, 65536, MASK_BLOCK_SIZE + 7])
def test_masked_frame_matches_reference(size: int) -> None:
    payload = bytes(i % 253 for i in range(size))
    key = b"\x01\x80\xfe\x37"
    writer = WebSocketSerializer(use_mask=True, mask_key=fixed_keys(key))  # type: ignore[arg-type]
    assert writer.binary(payload) == build_frame(payload, 0x2, mask=key)


@pytest.mark.parametrize("size", [0, 1, 7, 42, 125])
def test_small_masked_fast_path_round_trips(size: int) -> None:
    writer = WebSocketSerializer(use_mask=True)
    parser = WebSocketParser(is_server=True)
    payload = b"q" * size
    assert parser.feed_data(writer.message(payload, WSMsgType.TEXT)) == [
        WSMessage(WSMsgType.TEXT, payload.decode(), "")
    ]


def test_every_frame_gets_a_fresh_mask_key() -> None:
    writer = WebSocketSerializer(use_mask=True)
    keys = {writer.binary(b"x")[2:6] for _ in range(2000)}
    assert len(keys) > 1990  # 2000 draws from 2**32: collisions are near impossible


def test_mask_key_source_never_repeats_a_slot() -> None:
    source = MaskKeySource(batch=3)
    keys = [source() for _ in range(10)]
    assert all(len(k) == 4 for k in keys)
    assert len(set(keys)) == 10
    with pytest.raises(ValueError, match="batch"):
        MaskKeySource(batch=0)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 1000, MASK_BLOCK_SIZE, 3 * MASK_BLOCK_SIZE + 3])
def test_websocket_mask_is_xor_with_repeated_key(size: int) -> None:
    data = bytes(i * 7 % 256 for i in range(size))
    key = b"\x12\x34\x56\x78"
    expected = bytes(b ^ key[i % 4] for i, b in enumerate(data))
    assert websocket_mask(key, data) == expected
    assert b"".join(websocket_mask_parts(key, memoryview(data))) == expected
    assert websocket_mask(key, websocket_mask(key, data)) == data


def test_websocket_mask_refuses_a_bad_key() -> None:
    with pytest.raises(ValueError, match="4 bytes"):
        websocket_mask(b"abc", b"data")
    with pytest.raises(ValueError, match="4 bytes"):
        websocket_mask_parts(b"abcde", b"x" * (MASK_BLOCK_SIZE + 1))


def test_fragmentation_splits_into_continuation_frames() -> None:
    writer = WebSocketSerializer(use_mask=False, max_frame_size=4)
    data = writer.text("abcdefghij")
    assert data == (
        build_frame(b"abcd", 0x1, fin=False)
        + build_frame(b"efgh", 0x0, fin=False)
        + build_frame(b"ij", 0x0)
    )


def test_fragmentation_of_exact_multiple_ends_with_fin() -> None:
    writer = WebSocketSerializer(use_mask=True, max_frame_size=3)
    parser = WebSocketParser(is_server=True)
    assert parser.feed_data(writer.binary(b"abcdef")) == [
        WSMessage(WSMsgType.BINARY, b"abcdef", "")
    ]


def test_compressed_fragmented_message_sets_rsv1_on_first_frame_only() -> None:
    writer = WebSocketSerializer(use_mask=False, compress=15, max_frame_size=5)
    data = writer.text("z" * 50 + "".join(chr(c) for c in range(40, 120)))
    assert data[0] & 0x40
    second = 2 + (data[1] & 0x7F)
    assert data[second] == 0x00  # continuation without RSV1
    parser = WebSocketParser(is_server=False, compress=True)
    assert parser.feed_data(data)[0].data.startswith("z" * 50)


def test_ping_pong_and_close_frames() -> None:
    writer = WebSocketSerializer(use_mask=False)
    assert writer.ping(b"p") == b"\x89\x01p"
    assert writer.pong() == b"\x8a\x00"
    assert writer.close(1000, "bye") == b"\x88\x05\x03\xe8bye"
    assert writer.close(None) == b"\x88\x00"


def test_control_payload_over_125_bytes_is_refused() -> None:
    writer = WebSocketSerializer(use_mask=False)
    with pytest.raises(ValueError, match="125"):
        writer.ping(b"x" * 126)
    with pytest.raises(ValueError, match="125"):
        writer.message(b"x" * 126, WSMsgType.PONG)


def test_close_reason_over_123_bytes_is_refused() -> None:
    writer = WebSocketSerializer(use_mask=False)
    assert len(writer.close(1000, "r" * 123)) == 2 + 125
    with pytest.raises(ValueError, match="123"):
        writer.close(1000, "r" * 124)


@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1015, 2000, 5000])
def test_close_codes_that_may_not_be_sent_are_refused(code: int) -> None:
    with pytest.raises(ValueError, match=str(code)):
        WebSocketSerializer(use_mask=False).close(code)


def test_close_reason_without_code_is_refused() -> None:
    with pytest.raises(ValueError, match="requires a close code"):
        WebSocketSerializer(use_mask=False).close(None, "why")


def test_close_frame_round_trips_with_application_code() -> None:
    frame = WebSocketSerializer(use_mask=True).close(4321, "é")
    assert WebSocketParser(is_server=True).feed_data(frame) == [
        WSMessage(WSMsgType.CLOSE, 4321, "é")
    ]


@pytest.mark.parametrize("opcode", [WSMsgType.CONTINUATION, 3, WSMsgType.CLOSED])
def test_messages_with_other_opcodes_are_refused(opcode: int) -> None:
    with pytest.raises(ValueError, match="opcode"):
        WebSocketSerializer(use_mask=False).message(b"x", opcode)


def test_negative_max_frame_size_is_refused() -> None:
    with pytest.raises(ValueError, match="max_frame_size"):
        WebSocketSerializer(use_mask=False, max_frame_size=-1)


def test_compression_with_context_takeover_shrinks_repeats() -> None:
    writer = WebSocketSerializer(use_mask=False, compress=15)
    first = writer.text("a fairly long message that repeats " * 3)
    second = writer.text("a fairly long message that repeats " * 3)
    assert len(second) < len(first)
    parser = WebSocketParser(is_server=False, compress=True)
    assert [m.data for m in parser.feed_data(first + second)] == [
        "a fairly long message that repeats " * 3
    ] * 2


def test_compression_without_context_takeover_is_self_contained() -> None:
    writer = WebSocketSerializer(use_mask=False, compress=15, notakeover=True)
    first = writer.binary(b"repeat me please " * 4)
    second = writer.binary(b"repeat me please " * 4)
    assert first == second
    # Each message decompresses alone with a fresh inflater.
    payload = second[2:]
    assert (
        zlib.decompressobj(-15).decompress(payload + b"\x00\x00\xff\xff")
        == b"repeat me please " * 4
    )


def test_per_message_compress_override() -> None:
    writer = WebSocketSerializer(use_mask=False, compress=15)
    plain = writer.binary(b"abc" * 20, compress=0)
    assert not plain[0] & 0x40 and plain[2:] == b"abc" * 20
    other = writer.binary(b"abc" * 20, compress=9)
    assert other[0] & 0x40
    unnegotiated = WebSocketSerializer(use_mask=False)
    assert unnegotiated.binary(b"abc" * 20, compress=12)[0] & 0x40


def test_empty_compressed_message_round_trips() -> None:
    writer = WebSocketSerializer(use_mask=True, compress=15)
    parser = WebSocketParser(is_server=True, compress=True)
    assert parser.feed_data(writer.text("") + writer.binary(b"")) == [
        WSMessage(WSMsgType.TEXT, "", ""),
        WSMessage(WSMsgType.BINARY, b"", ""),
    ]


def test_str_payload_of_binary_message_is_utf8_encoded() -> None:
    assert WebSocketSerializer(use_mask=False).message("é", WSMsgType.BINARY) == b"\x82\x02\xc3\xa9"


def test_close_code_enum_is_accepted() -> None:
    assert WebSocketSerializer(use_mask=False).close(WSCloseCode.GOING_AWAY) == b"\x88\x02\x03\xe9"
