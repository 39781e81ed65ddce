"""One test per RFC 6455 / RFC 7692 reading rule, with the close code asserted."""

from __future__ import annotations

import struct
import zlib

import pytest

from aiohttp_ws import (
    WebSocketError,
    WebSocketParser,
    WSCloseCode,
    WSMessage,
    WSMessageTextBytes,
    WSMsgType,
)

MASK = b"\x11\x22\x33\x44"


def client_parser(**kwargs: object) -> WebSocketParser:
    return WebSocketParser(is_server=False, **kwargs)  # type: ignore[arg-type]


def fail_code(parser: WebSocketParser, data: bytes) -> tuple[int, str]:
    with pytest.raises(WebSocketError) as info:
        parser.feed_data(data)
    return info.value.code, str(info.value)


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


# --- opcodes and messages ------------------------------------------------------


def test_text_frame_gives_text_message(frame) -> None:
    assert client_parser().feed_data(frame("héllo".encode(), 0x1)) == [
        WSMessage(WSMsgType.TEXT, "héllo", "")
    ]


def test_binary_frame_gives_binary_message(frame) -> None:
    assert client_parser().feed_data(frame(b"\x00\xff", 0x2)) == [
        WSMessage(WSMsgType.BINARY, b"\x00\xff", "")
    ]


def test_ping_and_pong_frames_give_control_messages(frame) -> None:
    msgs = client_parser().feed_data(frame(b"hi", 0x9) + frame(b"ho", 0xA))
    assert msgs == [WSMessage(WSMsgType.PING, b"hi", ""), WSMessage(WSMsgType.PONG, b"ho", "")]


@pytest.mark.parametrize("opcode", [0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF])
def test_reserved_opcode_is_protocol_error(frame, opcode: int) -> None:
    code, text = fail_code(client_parser(), frame(b"", opcode))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert f"reserved opcode {opcode:#x}" in text
    assert "frame at byte 0" in text


def test_error_names_the_offset_of_the_bad_frame(frame) -> None:
    _, text = fail_code(client_parser(), frame(b"ok", 0x2) + frame(b"", 0x3))
    assert "frame at byte 4" in text


# --- fragmentation -------------------------------------------------------------


def test_fragmented_text_is_reassembled(frame) -> None:
    data = frame(b"he", 0x1, fin=False) + frame(b"ll", 0x0, fin=False) + frame(b"o", 0x0)
    assert client_parser().feed_data(data) == [WSMessage(WSMsgType.TEXT, "hello", "")]


def test_fragmented_binary_is_reassembled(frame) -> None:
    data = frame(b"\x01", 0x2, fin=False) + frame(b"\x02", 0x0)
    assert client_parser().feed_data(data) == [WSMessage(WSMsgType.BINARY, b"\x01\x02", "")]


def test_control_frames_interleaved_in_fragmented_message_come_first(frame) -> None:
    data = (
        frame(b"a", 0x1, fin=False)
        + frame(b"p1", 0x9)
        + frame(b"b", 0x0, fin=False)
        + frame(b"p2", 0xA)
        + frame(b"c", 0x0)
    )
    assert client_parser().feed_data(data) == [
        WSMessage(WSMsgType.PING, b"p1", ""),
        WSMessage(WSMsgType.PONG, b"p2", ""),
        WSMessage(WSMsgType.TEXT, "abc", ""),
    ]


def test_continuation_with_nothing_to_continue_is_protocol_error(frame) -> None:
    code, text = fail_code(client_parser(), frame(b"x", 0x0))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "nothing to continue" in text


@pytest.mark.parametrize("opcode", [0x1, 0x2])
def test_new_data_frame_inside_fragmented_message_is_protocol_error(frame, opcode: int) -> None:
    data = frame(b"a", 0x1, fin=False) + frame(b"b", opcode)
    code, text = fail_code(client_parser(), data)
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "inside a fragmented message" in text


def test_empty_fragments_are_accepted(frame) -> None:
    data = frame(b"", 0x2, fin=False) + frame(b"", 0x0, fin=False) + frame(b"", 0x0)
    assert client_parser().feed_data(data) == [WSMessage(WSMsgType.BINARY, b"", "")]


# --- lengths -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "form"),
    [(0, 0), (125, 0), (126, 126), (65535, 126), (65536, 127), (10, 126), (7, 127)],
)
def test_7_16_and_64_bit_lengths(frame, size: int, form: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    msgs = client_parser().feed_data(frame(payload, 0x2, length_form=form))
    assert msgs == [WSMessage(WSMsgType.BINARY, payload, "")]


@pytest.mark.parametrize("max_msg_size", [0, 1000])
@pytest.mark.parametrize("length", [1 << 63, (1 << 64) - 1])
def test_64_bit_length_with_top_bit_set_is_protocol_error(max_msg_size: int, length: int) -> None:
    data = b"\x82\x7f" + struct.pack("!Q", length)
    code, text = fail_code(client_parser(max_msg_size=max_msg_size), data)
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "top bit" in text


# --- masking -------------------------------------------------------------------


def test_server_requires_masked_frames(frame) -> None:
    code, text = fail_code(WebSocketParser(is_server=True), frame(b"x", 0x2))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "unmasked frame from a client" in text


def test_client_refuses_masked_frames(frame) -> None:
    code, text = fail_code(client_parser(), frame(b"x", 0x2, mask=MASK))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "masked frame from a server" in text


def test_server_unmasks_payload(frame) -> None:
    parser = WebSocketParser(is_server=True)
    assert parser.feed_data(frame(b"hello world", 0x1, mask=MASK)) == [
        WSMessage(WSMsgType.TEXT, "hello world", "")
    ]


def test_no_role_accepts_masked_and_unmasked(frame) -> None:
    parser = WebSocketParser(is_server=None)
    msgs = parser.feed_data(frame(b"a", 0x2, mask=MASK) + frame(b"b", 0x2))
    assert [m.data for m in msgs] == [b"a", b"b"]


# --- reserved bits ---------------------------------------------------------------


@pytest.mark.parametrize("rsv", [0b010, 0b001, 0b011])
def test_rsv2_and_rsv3_are_protocol_errors(frame, rsv: int) -> None:
    code, text = fail_code(client_parser(compress=True), frame(b"x", 0x2, rsv=rsv))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "RSV2/RSV3" in text


def test_rsv1_without_negotiated_extension_is_protocol_error(frame) -> None:
    code, text = fail_code(client_parser(), frame(deflate(b"x"), 0x2, rsv=0b100))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "no extension negotiated" in text


def test_rsv1_with_deflate_marks_compressed_message(frame) -> None:
    msgs = client_parser(compress=True).feed_data(frame(deflate(b"hello" * 10), 0x1, rsv=0b100))
    assert msgs == [WSMessage(WSMsgType.TEXT, "hello" * 10, "")]


def test_rsv1_on_continuation_is_protocol_error(frame) -> None:
    data = frame(b"a", 0x2, fin=False) + frame(b"b", 0x0, rsv=0b100)
    code, text = fail_code(client_parser(compress=True), data)
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "continuation" in text


def test_rsv1_on_control_frame_is_protocol_error(frame) -> None:
    code, text = fail_code(client_parser(compress=True), frame(b"", 0x9, rsv=0b100))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "control frame" in text


# --- control frames --------------------------------------------------------------


@pytest.mark.parametrize("opcode", [0x8, 0x9, 0xA])
def test_control_frame_over_125_bytes_is_protocol_error(frame, opcode: int) -> None:
    # Refused from the header alone, before the payload arrives.
    head = frame(b"\x03\xe8" + b"x" * 124, opcode)[:4]
    code, text = fail_code(client_parser(), head)
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "126 bytes (max 125)" in text


@pytest.mark.parametrize("opcode", [0x8, 0x9, 0xA])
def test_fragmented_control_frame_is_protocol_error(frame, opcode: int) -> None:
    code, text = fail_code(client_parser(), frame(b"", opcode, fin=False))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "fragmented control frame" in text


def test_control_frame_of_125_bytes_is_accepted(frame) -> None:
    assert client_parser().feed_data(frame(b"p" * 125, 0x9))[0].data == b"p" * 125


# --- text validity -----------------------------------------------------------------


def test_invalid_utf8_in_text_is_invalid_text(frame) -> None:
    code, text = fail_code(client_parser(), frame(b"ab\xffcd", 0x1))
    assert code == WSCloseCode.INVALID_TEXT
    assert "byte 2" in text


def test_invalid_utf8_fails_in_the_fragment_that_carries_it(frame) -> None:
    parser = client_parser()
    assert parser.feed_data(frame(b"ok", 0x1, fin=False)) == []
    # The message is not finished, yet the bad byte is reported at once.
    code, text = fail_code(parser, frame(b"\xc0\xaf", 0x0, fin=False))
    assert code == WSCloseCode.INVALID_TEXT
    assert "byte 2 of a text message" in text


@pytest.mark.parametrize("mask", [None, MASK])
def test_invalid_utf8_inside_a_large_frame_fails_before_the_frame_completes(
    frame, mask: bytes | None
) -> None:
    parser = WebSocketParser(is_server=mask is not None)
    data = frame(b"x" * 101 + b"\xff" + b"y" * 100_000, 0x1, mask=mask)
    assert parser.feed_data(data[:50]) == []
    # Only 250 of 100,102 payload bytes have arrived: the bad byte is already reported.
    code, text = fail_code(parser, data[50:250])
    assert code == WSCloseCode.INVALID_TEXT
    assert "byte 101 of a text message" in text


def test_utf8_sequence_split_across_fragments_is_valid(frame) -> None:
    euro = "€".encode()
    data = frame(euro[:1], 0x1, fin=False) + frame(euro[1:2], 0x0, fin=False) + frame(euro[2:], 0)
    assert client_parser().feed_data(data) == [WSMessage(WSMsgType.TEXT, "€", "")]


def test_truncated_utf8_sequence_at_message_end_is_invalid_text(frame) -> None:
    data = frame(b"a", 0x1, fin=False) + frame("€".encode()[:2], 0x0)
    code, _ = fail_code(client_parser(), data)
    assert code == WSCloseCode.INVALID_TEXT


def test_truncated_utf8_in_single_frame_is_invalid_text(frame) -> None:
    code, _ = fail_code(client_parser(), frame("€".encode()[:2], 0x1))
    assert code == WSCloseCode.INVALID_TEXT


def test_invalid_utf8_inside_compressed_text_is_invalid_text(frame) -> None:
    code, _ = fail_code(client_parser(compress=True), frame(deflate(b"a\xff"), 0x1, rsv=0b100))
    assert code == WSCloseCode.INVALID_TEXT


def test_decode_text_false_gives_validated_bytes(frame) -> None:
    parser = client_parser(decode_text=False)
    msgs = parser.feed_data(frame("é".encode(), 0x1) + frame(b"a", 0x1, fin=False) + frame(b"b", 0))
    assert msgs == [
        WSMessageTextBytes(WSMsgType.TEXT, "é".encode(), ""),
        WSMessageTextBytes(WSMsgType.TEXT, b"ab", ""),
    ]
    assert all(isinstance(m, WSMessageTextBytes) for m in msgs)
    code, _ = fail_code(client_parser(decode_text=False), frame(b"\xff", 0x1))
    assert code == WSCloseCode.INVALID_TEXT


# --- close frames ------------------------------------------------------------------


def test_close_frame_with_code_and_reason(frame) -> None:
    msgs = client_parser().feed_data(frame(b"\x03\xe8bye", 0x8))
    assert msgs == [WSMessage(WSMsgType.CLOSE, WSCloseCode.OK, "bye")]
    assert isinstance(msgs[0].data, WSCloseCode)


def test_close_frame_without_payload_has_code_zero(frame) -> None:
    assert client_parser().feed_data(frame(b"", 0x8)) == [WSMessage(WSMsgType.CLOSE, 0, "")]


def test_close_frame_with_application_code(frame) -> None:
    msg = client_parser().feed_data(frame(struct.pack("!H", 4001) + b"app", 0x8))[0]
    assert (msg.data, msg.extra) == (4001, "app")


def test_close_frame_with_1_byte_payload_is_protocol_error(frame) -> None:
    code, text = fail_code(client_parser(), frame(b"\x03", 0x8))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "1-byte" in text


@pytest.mark.parametrize(
    "close_code", [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535]
)
def test_invalid_close_code_is_protocol_error(frame, close_code: int) -> None:
    code, text = fail_code(client_parser(), frame(struct.pack("!H", close_code), 0x8))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert f"invalid close code {close_code}" in text


@pytest.mark.parametrize("close_code", [1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999])
def test_valid_close_codes_are_accepted(frame, close_code: int) -> None:
    assert (
        client_parser().feed_data(frame(struct.pack("!H", close_code), 0x8))[0].data == close_code
    )


def test_close_reason_with_invalid_utf8_is_invalid_text(frame) -> None:
    code, text = fail_code(client_parser(), frame(b"\x03\xe8\xff", 0x8))
    assert code == WSCloseCode.INVALID_TEXT
    assert "close reason" in text


def test_frame_after_close_is_protocol_error(frame) -> None:
    code, text = fail_code(client_parser(), frame(b"\x03\xe8", 0x8) + frame(b"x", 0x2))
    assert code == WSCloseCode.PROTOCOL_ERROR
    assert "after a close frame" in text


# --- size limit --------------------------------------------------------------------


def test_frame_above_max_size_is_refused_from_its_header(frame) -> None:
    parser = client_parser(max_msg_size=100)
    # Only the header: nothing of the payload has been received or buffered.
    code, text = fail_code(parser, frame(b"", 0x2, length=101)[:4])
    assert code == WSCloseCode.MESSAGE_TOO_BIG
    assert "101 bytes" in text


def test_huge_declared_length_is_refused_without_buffering() -> None:
    parser = client_parser()
    code, _ = fail_code(parser, b"\x82\x7f" + struct.pack("!Q", 2**62))
    assert code == WSCloseCode.MESSAGE_TOO_BIG


def test_fragments_above_max_size_are_refused_by_running_total(frame) -> None:
    parser = client_parser(max_msg_size=10)
    assert parser.feed_data(frame(b"x" * 6, 0x2, fin=False)) == []
    code, text = fail_code(parser, frame(b"y" * 5, 0x0)[:2])
    assert code == WSCloseCode.MESSAGE_TOO_BIG
    assert "11 bytes" in text


def test_message_of_exactly_max_size_is_accepted(frame) -> None:
    parser = client_parser(max_msg_size=10)
    data = frame(b"x" * 4, 0x2, fin=False) + frame(b"y" * 6, 0x0)
    assert parser.feed_data(data)[0].data == b"xxxxyyyyyy"


def test_max_size_zero_disables_the_limit(frame) -> None:
    assert client_parser(max_msg_size=0).feed_data(frame(b"z" * 70000, 0x2))[0].data == b"z" * 70000


def test_decompressed_message_above_max_size_is_too_big(frame) -> None:
    parser = client_parser(compress=True, max_msg_size=1000)
    code, text = fail_code(parser, frame(deflate(b"\x00" * 100_000), 0x2, rsv=0b100))
    assert code == WSCloseCode.MESSAGE_TOO_BIG
    assert "decompressed" in text


def test_invalid_deflate_data_is_invalid_payload(frame) -> None:
    code, text = fail_code(client_parser(compress=True), frame(b"\xff\xff\xff", 0x2, rsv=0b100))
    assert code == WSCloseCode.INVALID_TEXT
    assert "deflate" in text


# --- failure is sticky, end of stream -------------------------------------------------


def test_parser_stays_failed_after_an_error(frame) -> None:
    parser = client_parser()
    with pytest.raises(WebSocketError) as first:
        parser.feed_data(frame(b"", 0x3))
    with pytest.raises(WebSocketError) as second:
        parser.feed_data(frame(b"fine", 0x2))
    assert second.value is first.value
    assert parser.exception is first.value


def test_eof_inside_a_frame_is_abnormal_closure(frame) -> None:
    parser = client_parser()
    parser.feed_data(frame(b"abcdef", 0x2)[:4])
    with pytest.raises(WebSocketError) as info:
        parser.feed_eof()
    assert info.value.code == WSCloseCode.ABNORMAL_CLOSURE


def test_eof_inside_a_fragmented_message_is_abnormal_closure(frame) -> None:
    parser = client_parser()
    parser.feed_data(frame(b"a", 0x1, fin=False))
    with pytest.raises(WebSocketError) as info:
        parser.feed_eof()
    assert "fragmented message" in str(info.value)


def test_eof_between_messages_is_clean(frame) -> None:
    parser = client_parser()
    parser.feed_data(frame(b"a", 0x1))
    parser.feed_eof()


def test_feed_accepts_bytearray_and_memoryview(frame) -> None:
    data = frame(b"abc", 0x2)
    assert client_parser().feed_data(bytearray(data))[0].data == b"abc"
    assert client_parser().feed_data(memoryview(data))[0].data == b"abc"


def test_negative_max_size_is_refused() -> None:
    with pytest.raises(ValueError, match="max_msg_size"):
        client_parser(max_msg_size=-1)


def test_error_carries_the_messages_completed_before_it(frame) -> None:
    parser = client_parser()
    with pytest.raises(WebSocketError) as info:
        parser.feed_data(frame(b"a", 0x1) + frame(b"p", 0x9) + frame(b"", 0x3))
    assert info.value.messages == [
        WSMessage(WSMsgType.TEXT, "a", ""),
        WSMessage(WSMsgType.PING, b"p", ""),
    ]
    with pytest.raises(WebSocketError) as again:
        parser.feed_data(b"")
    assert again.value.messages == []
