"""permessage-deflate: negotiation, window sizes, context takeover, bomb-proof limits."""

from __future__ import annotations

import os
import tracemalloc
import zlib

import pytest

from aiohttp_ws import (
    DeflateCompressor,
    DeflateDecompressor,
    PerMessageDeflate,
    WebSocketError,
    WSCloseCode,
    WSHandshakeError,
    parse_extensions,
    ws_ext_gen,
    ws_ext_parse,
)

# --- header grammar -------------------------------------------------------------


def test_parse_extensions_splits_names_and_parameters() -> None:
    header = 'permessage-deflate; client_max_window_bits, Foo ; a=1; b="two" , bar'
    assert parse_extensions(header) == [
        ("permessage-deflate", [("client_max_window_bits", None)]),
        ("foo", [("a", "1"), ("b", "two")]),
        ("bar", []),
    ]


@pytest.mark.parametrize(
    "header", ["per message", "permessage-deflate; a b", "x; =1", 'x; a="unterminated']
)
def test_parse_extensions_refuses_bad_syntax(header: str) -> None:
    with pytest.raises(WSHandshakeError, match="invalid"):
        parse_extensions(header)


# --- parameters ----------------------------------------------------------------------


def test_offer_with_every_parameter() -> None:
    params = parse_extensions(
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
        " server_max_window_bits=10; client_max_window_bits"
    )[0][1]
    offer = PerMessageDeflate.parse(params, response=False)
    assert offer == PerMessageDeflate(
        server_no_context_takeover=True,
        client_no_context_takeover=True,
        server_max_window_bits=10,
        client_max_window_bits_offered=True,
    )
    assert offer.header_value() == (
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
        " server_max_window_bits=10; client_max_window_bits"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([("server_no_context_takeover", None)] * 2, "given twice"),
        ([("server_no_context_takeover", "1")], "takes no value"),
        ([("client_no_context_takeover", "x")], "takes no value"),
        ([("server_max_window_bits", None)], "8 to 15"),
        ([("server_max_window_bits", "7")], "8 to 15"),
        ([("server_max_window_bits", "16")], "8 to 15"),
        ([("server_max_window_bits", "08")], "8 to 15"),
        ([("client_max_window_bits", "abc")], "8 to 15"),
        ([("mystery", None)], "unknown permessage-deflate parameter"),
    ],
)
def test_invalid_parameters_are_refused(params: list[tuple[str, str | None]], message: str) -> None:
    with pytest.raises(WSHandshakeError, match=message):
        PerMessageDeflate.parse(params, response=False)


def test_response_requires_a_value_for_client_max_window_bits() -> None:
    with pytest.raises(WSHandshakeError, match="8 to 15"):
        PerMessageDeflate.parse([("client_max_window_bits", None)], response=True)


@pytest.mark.parametrize("bits", range(8, 16))
def test_every_window_size_from_8_to_15_is_valid(bits: int) -> None:
    agreed = PerMessageDeflate.parse(
        [("server_max_window_bits", str(bits)), ("client_max_window_bits", str(bits))],
        response=True,
    )
    assert agreed.for_role(is_server=True) == (bits, False, bits)


def test_accept_agrees_to_the_offer() -> None:
    offer = PerMessageDeflate(
        client_no_context_takeover=True,
        server_max_window_bits=12,
        client_max_window_bits_offered=True,
    )
    answer = offer.accept()
    assert answer.header_value() == (
        "permessage-deflate; client_no_context_takeover; server_max_window_bits=12"
    )
    offer.check_response(answer)


@pytest.mark.parametrize(
    ("offer", "response", "message"),
    [
        (PerMessageDeflate(), PerMessageDeflate(client_max_window_bits=10), "not offered"),
        (
            PerMessageDeflate(client_max_window_bits=10),
            PerMessageDeflate(client_max_window_bits=12),
            "raised",
        ),
        (PerMessageDeflate(server_max_window_bits=10), PerMessageDeflate(), "ignored"),
        (
            PerMessageDeflate(server_max_window_bits=10),
            PerMessageDeflate(server_max_window_bits=11),
            "ignored",
        ),
        (PerMessageDeflate(server_no_context_takeover=True), PerMessageDeflate(), "ignored"),
    ],
)
def test_client_refuses_a_response_contradicting_its_offer(
    offer: PerMessageDeflate, response: PerMessageDeflate, message: str
) -> None:
    with pytest.raises(WSHandshakeError, match=message):
        offer.check_response(response)


def test_for_role_picks_each_sides_settings() -> None:
    agreed = PerMessageDeflate(
        server_no_context_takeover=True, server_max_window_bits=10, client_max_window_bits=12
    )
    assert agreed.for_role(is_server=True) == (10, True, 12)
    assert agreed.for_role(is_server=False) == (12, False, 10)


# --- aiohttp-compatible helpers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "isserver", "expected"),
    [
        (None, True, (0, False)),
        ("", False, (0, False)),
        ("permessage-deflate", True, (15, False)),
        ("permessage-deflate; server_max_window_bits=10", True, (10, False)),
        ("permessage-deflate; server_no_context_takeover", True, (15, True)),
        ("permessage-deflate; server_max_window_bits=8", True, (8, False)),
        ("x-unknown, permessage-deflate; client_no_context_takeover", True, (15, False)),
        (
            "permessage-deflate; bogus, permessage-deflate; server_max_window_bits=9",
            True,
            (9, False),
        ),
        ("permessage-deflate; server_max_window_bits=99", True, (0, False)),
        ("x-unknown", True, (0, False)),
        ("permessage-deflate", False, (15, False)),
        ("permessage-deflate; client_max_window_bits=9", False, (9, False)),
        ("permessage-deflate; client_no_context_takeover", False, (15, True)),
        ("permessage-deflate; server_no_context_takeover", False, (15, False)),
    ],
)
def test_ws_ext_parse(header: str | None, isserver: bool, expected: tuple[int, bool]) -> None:
    assert ws_ext_parse(header, isserver) == expected


@pytest.mark.parametrize(
    "header",
    ["x-unknown", "permessage-deflate; client_max_window_bits=7", "permessage-deflate; a b"],
)
def test_ws_ext_parse_client_refuses_bad_responses(header: str) -> None:
    with pytest.raises(WSHandshakeError):
        ws_ext_parse(header, isserver=False)


def test_ws_ext_parse_server_skips_unparsable_headers() -> None:
    assert ws_ext_parse("permessage-deflate; a b", isserver=True) == (0, False)


def test_ws_ext_gen() -> None:
    assert ws_ext_gen() == "permessage-deflate; client_max_window_bits"
    assert ws_ext_gen(15, isserver=True) == "permessage-deflate"
    assert ws_ext_gen(10, isserver=True, server_notakeover=True) == (
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"
    )
    for bad in (7, 16):
        with pytest.raises(ValueError, match="8 to 15"):
            ws_ext_gen(bad)


# --- compression ----------------------------------------------------------------------------


def test_zlib_refuses_window_8_for_raw_deflate() -> None:
    # The quirk the compressor works around.
    with pytest.raises(ValueError, match="Invalid initialization option"):
        zlib.compressobj(6, zlib.DEFLATED, -8)


def _strict_inflate(data: bytes, dobj: zlib._Decompress) -> bytes:
    # One output byte per call: zlib can then only copy from its own window, so any
    # distance beyond the window fails ("invalid distance too far back").
    out = bytearray()
    data = data + b"\x00\x00\xff\xff"
    while data:
        out += dobj.decompress(data, 1)
        data = dobj.unconsumed_tail
    return bytes(out)


def _messages() -> list[bytes]:
    block = os.urandom(200)
    return [block + os.urandom(50) + block, os.urandom(60) + block, block[:100] * 3]


def test_window_8_compresses_for_a_256_byte_window_inflater() -> None:
    compressor = DeflateCompressor(window_bits=8)
    strict = zlib.decompressobj(-8)
    for message in _messages():
        assert _strict_inflate(compressor.compress(message), strict) == message


def test_strict_inflater_detects_a_larger_window() -> None:
    # Control for the test above: a 32 KiB window stream fails the strict inflater.
    compressor = DeflateCompressor(window_bits=15)
    strict = zlib.decompressobj(-8)

    def inflate_all() -> None:
        for message in _messages():
            _strict_inflate(compressor.compress(message), strict)

    with pytest.raises(zlib.error, match="too far back"):
        inflate_all()


def test_window_8_decompressor_accepts_a_peer_that_rounded_up_to_9() -> None:
    peer = zlib.compressobj(6, zlib.DEFLATED, -9)
    ours = DeflateDecompressor(window_bits=8)
    for message in _messages():
        payload = (peer.compress(message) + peer.flush(zlib.Z_SYNC_FLUSH))[:-4]
        assert ours.decompress(payload, final=True, limit=None) == message


@pytest.mark.parametrize("bits", [7, 16])
def test_window_sizes_outside_8_to_15_are_refused(bits: int) -> None:
    with pytest.raises(ValueError, match="8 to 15"):
        DeflateCompressor(window_bits=bits)
    with pytest.raises(ValueError, match="8 to 15"):
        DeflateDecompressor(window_bits=bits)


def test_context_takeover_carries_history_between_messages() -> None:
    compressor = DeflateCompressor()
    decompressor = DeflateDecompressor()
    text = os.urandom(300)
    first, second = compressor.compress(text), compressor.compress(text)
    assert len(second) < 50 < len(first)
    assert decompressor.decompress(first, final=True, limit=1000) == text
    assert decompressor.decompress(second, final=True, limit=1000) == text


def test_no_context_takeover_messages_decompress_alone() -> None:
    compressor = DeflateCompressor(no_context_takeover=True)
    text = os.urandom(300)
    first, second = compressor.compress(text), compressor.compress(text)
    assert first == second
    assert DeflateDecompressor().decompress(second, final=True, limit=None) == text


def test_fragmented_compressed_message_decompresses_piecewise() -> None:
    payload = DeflateCompressor().compress(b"piecewise " * 100)
    decompressor = DeflateDecompressor()
    out = decompressor.decompress(payload[:10], final=False, limit=10_000)
    out += decompressor.decompress(payload[10:], final=True, limit=10_000 - len(out))
    assert out == b"piecewise " * 100


def test_decompression_bomb_stops_at_the_limit_without_inflating_it() -> None:
    bomb = DeflateCompressor().compress(b"\x00" * (64 * 2**20))
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(WebSocketError) as info:
            DeflateDecompressor().decompress(bomb, final=True, limit=4096)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == WSCloseCode.MESSAGE_TOO_BIG
    assert peak < 2**20  # 64 MiB were never inflated


def test_exact_limit_is_accepted() -> None:
    payload = DeflateCompressor().compress(b"x" * 1000)
    assert DeflateDecompressor().decompress(payload, final=True, limit=1000) == b"x" * 1000
    with pytest.raises(WebSocketError):
        DeflateDecompressor().decompress(payload, final=True, limit=999)


def test_zero_remaining_limit_accepts_only_empty_output() -> None:
    assert DeflateDecompressor().decompress(b"\x00", final=True, limit=0) == b""


def test_corrupt_stream_is_invalid_payload() -> None:
    with pytest.raises(WebSocketError) as info:
        DeflateDecompressor().decompress(b"\xff\xfe\xfd", final=True, limit=100)
    assert info.value.code == WSCloseCode.INVALID_TEXT
