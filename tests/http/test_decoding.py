"""Content decoding: every coding, bounded output, decompression bombs generated at test time."""

from __future__ import annotations

import gzip
import os
import zlib
from typing import Any

import pytest

from aiohttp_http import (
    SUPPORTED_ENCODINGS,
    ContentDecoder,
    ContentEncodingError,
    Data,
    DecompressSizeError,
    HttpResponseParser,
)
from aiohttp_http._decoding import DECODE_CHUNK_SIZE

try:
    from compression import zstd  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    from backports import zstd  # type: ignore[import-not-found,no-redef,unused-ignore]

import brotli

TEXT = b"The quick brown fox jumps over the lazy dog. " * 2000 + os.urandom(5000)


def raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


ENCODERS = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstd.compress,
}


def decode_all(encoding: str, data: bytes, piece: int = 1000, **kwargs: Any) -> bytes:
    decoder = ContentDecoder(encoding, **kwargs)
    out: list[bytes] = []
    for i in range(0, len(data), piece):
        out += decoder.decompress(data[i : i + piece])
    out += decoder.finish()
    assert all(len(p) <= 2 * DECODE_CHUNK_SIZE for p in out)
    return b"".join(out)


def test_all_codings_are_supported_here() -> None:
    assert {"gzip", "x-gzip", "deflate", "br", "zstd"} <= SUPPORTED_ENCODINGS


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
@pytest.mark.parametrize("piece", [1, 7, 1000, 10**6])
def test_decodes_each_coding_in_any_piece_size(encoding: str, piece: int) -> None:
    encoded = ENCODERS[encoding](TEXT)
    if piece == 1 and len(encoded) > 20000:
        encoded = ENCODERS[encoding](TEXT[:3000])
        assert decode_all(encoding, encoded, piece) == TEXT[:3000]
        return
    assert decode_all(encoding, encoded, piece) == TEXT


def test_raw_deflate_is_detected() -> None:
    assert decode_all("deflate", raw_deflate(TEXT)) == TEXT
    assert decode_all("deflate", raw_deflate(b"x"), piece=1) == b"x"


def test_gzip_multi_member_is_decoded_whole() -> None:
    data = gzip.compress(b"first ") + gzip.compress(b"second ") + gzip.compress(b"third")
    assert decode_all("gzip", data, piece=5) == b"first second third"


def test_zstd_multi_frame_is_decoded_whole() -> None:
    data = zstd.compress(b"one ") + zstd.compress(b"two")
    assert decode_all("zstd", data, piece=3) == b"one two"


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_truncated_stream_raises_content_encoding_error(encoding: str) -> None:
    encoded = ENCODERS[encoding](TEXT)
    with pytest.raises(ContentEncodingError, match="truncated"):
        decode_all(encoding, encoded[: len(encoded) // 2])


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_corrupt_stream_raises_content_encoding_error(encoding: str) -> None:
    with pytest.raises(ContentEncodingError):
        decode_all(encoding, b"\x00\xff garbage that is not compressed at all" * 3)


def test_data_after_the_end_of_a_deflate_stream_is_refused() -> None:
    with pytest.raises(ContentEncodingError, match="after the end"):
        decode_all("deflate", zlib.compress(b"x") + b"junk")


def test_unsupported_encoding_raises() -> None:
    with pytest.raises(ContentEncodingError):
        ContentDecoder("compress")


def _bomb(encoding: str, size: int) -> bytes:
    zeros = b"\0" * 2**20
    if encoding == "gzip":
        c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        c = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
    elif encoding == "zstd":
        zc = zstd.ZstdCompressor(level=3)
        return b"".join(zc.compress(zeros) for _ in range(size // len(zeros))) + zc.flush()
    else:
        bc = brotli.Compressor(quality=5)
        return b"".join(bc.process(zeros) for _ in range(size // len(zeros))) + bc.finish()
    return b"".join(c.compress(zeros) for _ in range(size // len(zeros))) + c.flush()


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_decompression_bomb_raises_before_the_cap_is_exceeded(encoding: str) -> None:
    bomb = _bomb(encoding, 64 * 2**20)  # 64 MiB of zeros, a few KiB encoded
    assert len(bomb) < 2**20
    cap = 8 * 2**20
    decoder = ContentDecoder(encoding, max_size=cap)
    produced = [0]

    def feed_bomb() -> None:
        for i in range(0, len(bomb), 4096):
            produced[0] += sum(len(p) for p in decoder.decompress(bomb[i : i + 4096]))
            assert produced[0] <= cap

    with pytest.raises(DecompressSizeError):
        feed_bomb()
    assert decoder.decoded <= cap


def test_bomb_in_a_response_raises_content_encoding_error() -> None:
    bomb = _bomb("gzip", 32 * 2**20)
    parser = HttpResponseParser(max_decompressed_size=2**20)
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb)
    events = parser.feed_data(head + bomb)  # the head comes out; the error is raised next
    assert sum(len(e.data) for e in events if isinstance(e, Data)) <= 2**20
    with pytest.raises(ContentEncodingError):
        parser.feed_eof()


def test_large_legitimate_body_decodes_under_the_default_cap() -> None:
    original = os.urandom(2**20) * 3 + b"\0" * 2**22
    encoded = gzip.compress(original, compresslevel=1)
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(encoded)
    parser = HttpResponseParser()
    events = parser.feed_data(head)
    for i in range(0, len(encoded), 2**16):
        events += parser.feed_data(encoded[i : i + 2**16])
    assert b"".join(e.data for e in events if isinstance(e, Data)) == original


def test_ratio_limit_is_optional_and_configurable() -> None:
    bomb = _bomb("zstd", 16 * 2**20)
    assert len(decode_all("zstd", bomb, piece=2**16)) == 16 * 2**20  # off by default
    with pytest.raises(DecompressSizeError, match="ratio"):
        decode_all("zstd", bomb, piece=2**16, max_ratio=100.0)
    assert decode_all("gzip", gzip.compress(TEXT), max_ratio=100.0) == TEXT  # small: grace


def test_empty_encoded_body_is_fine() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n"
    events = HttpResponseParser().feed_data(head)
    assert [type(e).__name__ for e in events] == ["RawResponseMessage", "EndOfMessage"]


def test_truncated_gzip_body_in_a_response_raises_at_end_of_message() -> None:
    encoded = gzip.compress(TEXT)[:-10]
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(encoded)
    parser = HttpResponseParser()
    parser.feed_data(head + encoded)
    with pytest.raises(ContentEncodingError):
        parser.feed_data(b"")
