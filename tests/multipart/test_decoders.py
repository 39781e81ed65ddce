"""Content-Transfer-Encoding and Content-Encoding decoders, incremental and bounded."""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib

import pytest

from aiohttp_multipart import DecodeError, PartDecoder, PartTooLarge, UnsupportedEncoding

PAYLOAD = bytes(range(256)) * 40 + "ünïcode text\r\n=3D".encode() * 10


def deflate_raw(data: bytes) -> bytes:
    obj = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


def mime_base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


ENCODED: list[tuple[str, str | None, str | None, bytes]] = [
    ("binary", "binary", None, PAYLOAD),
    ("8bit", "8bit", None, PAYLOAD),
    ("7bit", "7bit", None, b"plain ascii\r\n"),
    ("no headers", None, None, PAYLOAD),
    ("base64", "base64", None, mime_base64(PAYLOAD)),
    ("base64 unwrapped", "BASE64", None, base64.b64encode(PAYLOAD)),
    ("quoted-printable", "quoted-printable", None, binascii.b2a_qp(PAYLOAD, istext=False)),
    ("gzip", None, "gzip", gzip.compress(PAYLOAD)),
    ("deflate zlib", None, "deflate", zlib.compress(PAYLOAD)),
    ("deflate raw", None, "deflate", deflate_raw(PAYLOAD)),
    ("identity", None, "identity", PAYLOAD),
    ("gzip in base64", "base64", "gzip", mime_base64(gzip.compress(PAYLOAD))),
]


def decode_in_chunks(decoder: PartDecoder, data: bytes, size: int) -> bytes:
    out = b"".join(decoder.feed(data[i : i + size]) for i in range(0, len(data), size))
    return out + decoder.flush()


@pytest.mark.parametrize("size", [1, 3, 57, 4096, 1 << 20])
@pytest.mark.parametrize(
    ("cte", "ce", "encoded"), [e[1:] for e in ENCODED], ids=[e[0] for e in ENCODED]
)
def test_decoder_round_trips_in_any_chunking(
    cte: str | None, ce: str | None, encoded: bytes, size: int
) -> None:
    expected = b"plain ascii\r\n" if cte == "7bit" else PAYLOAD
    decoder = PartDecoder(cte, ce, max_size=1 << 20)
    assert decode_in_chunks(decoder, encoded, size) == expected


@pytest.mark.parametrize(
    ("cte", "ce", "data", "message"),
    [
        ("base64", None, b"not base64!!", "invalid base64"),
        ("base64", None, b"QUJD\r\nRA", "truncated base64"),
        ("base64", None, b"QQ==QUJD", "invalid base64"),
        ("7bit", None, "é".encode(), "7bit"),
        ("7bit", None, b"a\x00b", "7bit"),
        (None, "gzip", b"\x1f\x8b garbage garbage", "invalid gzip"),
        (None, "gzip", gzip.compress(PAYLOAD)[:-10], "truncated gzip"),
        (None, "gzip", gzip.compress(b"a") + b"trailing", "after the end"),
        (None, "deflate", b"", "empty deflate"),
    ],
)
def test_decoder_rejects_bad_data(
    cte: str | None, ce: str | None, data: bytes, message: str
) -> None:
    decoder = PartDecoder(cte, ce, max_size=1 << 20)

    def decode_all() -> bytes:
        return decoder.feed(data) + decoder.flush()

    with pytest.raises(DecodeError, match=message):
        decode_all()


@pytest.mark.parametrize(("cte", "ce"), [("x-uuencode", None), (None, "br2"), (None, "compress")])
def test_unknown_encodings_raise_runtime_error_subclass(cte: str | None, ce: str | None) -> None:
    with pytest.raises(UnsupportedEncoding) as info:
        PartDecoder(cte, ce, max_size=10)
    assert isinstance(info.value, RuntimeError)


@pytest.mark.parametrize("ce", ["gzip", "deflate"])
def test_decompression_bomb_stops_at_the_limit(ce: str) -> None:
    bomb = gzip.compress(b"\0" * (16 << 20)) if ce == "gzip" else zlib.compress(b"\0" * (16 << 20))
    decoder = PartDecoder(None, ce, max_size=1 << 20)
    produced = 0

    def feed_all() -> None:
        nonlocal produced
        for i in range(0, len(bomb), 4096):
            produced += len(decoder.feed(bomb[i : i + 4096]))

    with pytest.raises(PartTooLarge, match="max_field_size=1048576"):
        feed_all()
    assert produced <= 1 << 20


def test_decoder_is_identity_only_without_encodings() -> None:
    assert PartDecoder(None, None, 1).is_identity
    assert PartDecoder("binary", "identity", 1).is_identity
    assert not PartDecoder("base64", None, 1).is_identity


def test_quoted_printable_without_line_breaks_in_one_byte_chunks_is_linear() -> None:
    encoded = b"caf=C3=A9 " * 20_000  # 200 kB on one line, fed a byte at a time
    decoder = PartDecoder("quoted-printable", None, max_size=1 << 20)
    assert decode_in_chunks(decoder, encoded, 1) == "café ".encode() * 20_000


def test_quoted_printable_line_is_bounded() -> None:
    decoder = PartDecoder("quoted-printable", None, max_size=1000)
    with pytest.raises(PartTooLarge, match="line too long"):
        decoder.feed(b"x" * 1001)
