"""Hostile and malformed bodies: each ends with its documented exception, never a hang.

Includes the tricks of the 2024-2026 multipart advisories (aiohttp,
python-multipart, Starlette, Werkzeug): unbounded preamble and epilogue
scans, boundary-like lines, CR-only and LF-only line endings, huge header
lines, header injection, and floods of tiny parts.
"""

from __future__ import annotations

import pytest

from aiohttp_multipart import (
    EpilogueTooLarge,
    IncompleteBody,
    InvalidPartHeader,
    LimitExceeded,
    MalformedBody,
    MultipartError,
    MultipartParser,
    PartHeaderTooLarge,
    PreambleTooLarge,
    TooManyPartHeaders,
    TooManyParts,
)

B = b"bnd"


def run(body: bytes, chunk_size: int, **limits: int) -> None:
    """Feed ``body`` in chunks then EOF; every path must end in an exception."""
    parser = MultipartParser(B, **limits)
    for pos in range(0, len(body), chunk_size):
        parser.feed(body[pos : pos + chunk_size])
    parser.feed_eof()


# (id, body, limits, exception, message fragment)
HOSTILE: list[tuple[str, bytes, dict[str, int], type[MultipartError], str]] = [
    ("empty body", b"", {}, IncompleteBody, "no boundary line"),
    ("no boundary at all", b"hello world\r\n" * 10, {}, IncompleteBody, "no boundary"),
    (
        "no closing boundary",
        b"--bnd\r\nA: b\r\n\r\ndata\r\n",
        {},
        IncompleteBody,
        "in the data of a part",
    ),
    ("truncated in headers", b"--bnd\r\nA: b\r\n", {}, IncompleteBody, "in the headers"),
    ("truncated after boundary", b"--bnd", {}, IncompleteBody, "in a boundary line"),
    ("truncated closing dash", b"--bnd\r\n\r\nx\r\n--bnd-", {}, IncompleteBody, "boundary line"),
    ("LF-only line endings", b"--bnd\nA: b\n\nv\n--bnd--\n", {}, MalformedBody, "bare LF"),
    ("CR-only line endings", b"--bnd\rA: b\r\rv\r--bnd--\r", {}, MalformedBody, "bare CR"),
    (
        "LF-only header block",
        b"--bnd\r\nA: b\n\nvalue\r\n--bnd--\r\n",
        {},
        IncompleteBody,
        "in the headers",
    ),
    (
        "boundary-like line in data",
        b"--bnd\r\n\r\nx\r\n--bndX\r\nmore\r\n--bnd--",
        {},
        MalformedBody,
        "after a boundary",
    ),
    (
        "boundary-like line in preamble",
        b"preamble\r\n--bnd-not-really\r\n--bnd\r\n\r\nx\r\n--bnd--",
        {},
        MalformedBody,
        "expected '--' or CRLF",
    ),
    ("junk after boundary", b"--bnd junk\r\n\r\nx\r\n--bnd--", {}, MalformedBody, "b'j'"),
    (
        "CR injection in header value",
        b'--bnd\r\nContent-Disposition: form-data; name="a"\rX-Evil: 1\r\n\r\nv\r\n--bnd--',
        {},
        InvalidPartHeader,
        "bare CR",
    ),
    (
        "LF injection in header value",
        b'--bnd\r\nContent-Disposition: form-data; name="a\nb"\r\n\r\nv\r\n--bnd--',
        {},
        InvalidPartHeader,
        "bare LF",
    ),
    (
        "NUL in header value",
        b"--bnd\r\nX: a\x00b\r\n\r\nv\r\n--bnd--",
        {},
        InvalidPartHeader,
        "control byte",
    ),
    (
        "obsolete line folding",
        b"--bnd\r\nX: a\r\n  folded\r\n\r\nv\r\n--bnd--",
        {},
        InvalidPartHeader,
        "folding",
    ),
    (
        "header without colon",
        b"--bnd\r\nnot a header\r\n\r\nv\r\n--bnd--",
        {},
        InvalidPartHeader,
        "colon",
    ),
    ("space before colon", b"--bnd\r\nX : y\r\n\r\nv\r\n--bnd--", {}, InvalidPartHeader, "name"),
    (
        "huge header line",
        b"--bnd\r\nX: " + b"a" * 20000 + b"\r\n\r\nv\r\n--bnd--",
        {},
        PartHeaderTooLarge,
        "max_part_header_size=16384",
    ),
    (
        "header line that never ends",
        b"--bnd\r\nX: " + b"a" * 100_000,
        {},
        PartHeaderTooLarge,
        "max_part_header_size",
    ),
    (
        "too many headers",
        b"--bnd\r\n" + b"X: y\r\n" * 40 + b"\r\nv\r\n--bnd--",
        {},
        TooManyPartHeaders,
        "40 header lines",
    ),
    (
        "flood of tiny parts",
        b"--bnd\r\n\r\n\r\n" * 1200 + b"--bnd--",
        {},
        TooManyParts,
        "max_parts=1000",
    ),
    (
        "flood of tiny parts, custom limit",
        b"--bnd\r\n\r\n\r\n" * 20 + b"--bnd--",
        {"max_parts": 10},
        TooManyParts,
        "part 11",
    ),
    (
        "unbounded preamble",
        b"x" * (1 << 20) + b"\r\n--bnd\r\n\r\nv\r\n--bnd--",
        {},
        PreambleTooLarge,
        "max_preamble_size=65536",
    ),
    (
        "preamble of near-boundaries",
        b"\r\n--bn\r\n-" * 20000 + b"\r\n--bnd\r\n\r\nv\r\n--bnd--",
        {},
        PreambleTooLarge,
        "max_preamble_size",
    ),
    (
        "preamble within a custom limit",
        b"x" * 100 + b"\r\n--bnd\r\n\r\nv\r\n--bnd--",
        {"max_preamble_size": 50},
        PreambleTooLarge,
        "max_preamble_size=50",
    ),
    (
        "unbounded epilogue",
        b"--bnd\r\n\r\nv\r\n--bnd--\r\n" + b"\r\n--bnd\r\n" * 20000,
        {},
        EpilogueTooLarge,
        "max_epilogue_size=65536",
    ),
    (
        "unbounded transport padding",
        b"--bnd" + b" " * 20000 + b"\r\n\r\nv\r\n--bnd--",
        {},
        PartHeaderTooLarge,
        "whitespace after a boundary",
    ),
]


@pytest.mark.parametrize("chunk_size", [1 << 30, 4096, 7, 1], ids=["whole", "4k", "7", "1"])
@pytest.mark.parametrize(
    ("body", "limits", "exception", "message"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_body_raises_documented_exception(
    body: bytes,
    limits: dict[str, int],
    exception: type[MultipartError],
    message: str,
    chunk_size: int,
) -> None:
    if chunk_size == 1 and len(body) > 300_000:
        chunk_size = 3  # keeps the 1-byte-ish run short on the megabyte bodies
    with pytest.raises(exception, match=message) as info:
        run(body, chunk_size, **limits)
    assert isinstance(info.value, ValueError)


def test_limit_errors_name_their_parameter_and_offset() -> None:
    with pytest.raises(LimitExceeded) as info:
        run(b"--bnd\r\n\r\n\r\n" * 5 + b"--bnd--", 1 << 20, max_parts=3)
    error = info.value
    assert error.limit_name == "max_parts"
    assert error.limit == 3
    assert error.offset is not None and 0 < error.offset < 60


def test_header_errors_say_which_part_and_where() -> None:
    body = b"--bnd\r\n\r\nok\r\n--bnd\r\nX: fine\r\nY: bad\x01\r\n\r\nv\r\n--bnd--"
    with pytest.raises(
        InvalidPartHeader,
        match=r"part 2: control byte b'\\x01' in header 'Y' at column 6 of its line \(at byte 29\)",
    ):
        run(body, 1 << 20)


def test_preamble_scan_stops_at_the_limit_even_in_one_huge_chunk() -> None:
    # The delimiter far beyond the limit is never searched for.
    body = b"z" * 10_000_000 + b"\r\n--bnd\r\n\r\nv\r\n--bnd--"
    with pytest.raises(PreambleTooLarge):
        run(body, len(body), max_preamble_size=1000)
