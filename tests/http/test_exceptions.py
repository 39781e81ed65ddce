"""The exception hierarchy keeps aiohttp 3.x's names, bases and status hints."""

from __future__ import annotations

import pytest

import aiohttp_http as h


@pytest.mark.parametrize(
    ("exc", "base"),
    [
        (h.BadHttpMessage, h.HttpProcessingError),
        (h.HttpBadRequest, h.BadHttpMessage),
        (h.BadStatusLine, h.BadHttpMessage),
        (h.BadHttpMethod, h.BadStatusLine),
        (h.LineTooLong, h.BadHttpMessage),
        (h.InvalidHeader, h.BadHttpMessage),
        (h.InvalidURLError, h.BadHttpMessage),
        (h.PayloadEncodingError, h.BadHttpMessage),
        (h.TransferEncodingError, h.PayloadEncodingError),
        (h.ContentLengthError, h.PayloadEncodingError),
        (h.ContentEncodingError, h.PayloadEncodingError),
        (h.DecompressSizeError, h.ContentEncodingError),
        (h.BodyTooLarge, h.PayloadEncodingError),
        (h.InvalidOutgoingField, ValueError),
    ],
)
def test_exception_bases(exc: type[Exception], base: type[Exception]) -> None:
    assert issubclass(exc, base)


def test_status_hints_and_messages() -> None:
    err = h.InvalidHeader("bad thing at byte 3", hdr=b"X-Foo")
    assert err.code == 400 and str(err) == "bad thing at byte 3" and err.hdr == "X-Foo"
    assert h.BodyTooLarge("too big").code == 413
    assert "InvalidHeader" in repr(err)


def test_http_processing_error_takes_code_message_and_headers() -> None:
    err = h.HttpProcessingError(code=502, message="upstream", headers={"X": "1"})
    assert (err.code, err.message, err.headers) == (502, "upstream", {"X": "1"})


def test_line_too_long_and_bad_status_line_keep_their_details() -> None:
    err = h.LineTooLong("status line", 10, 20)
    assert (err.limit, err.actual_size) == (10, 20)
    assert str(err) == "status line is too long: 20 bytes > limit of 10"
    assert h.BadStatusLine(b"XYZ").line == "XYZ"
    assert "bad HTTP method" in str(h.BadHttpMethod(b"G T"))
