"""Hostile input: every message that could desynchronise a connection is rejected precisely.

Each case names the advisory class it covers (see the README, "Strictness and
the advisories"). Every case is also fed one byte at a time: the same
exception type must come out, whatever the split.
"""

from __future__ import annotations

from typing import Any

import pytest

from aiohttp_http import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    BodyTooLarge,
    ContentLengthError,
    HttpRequestParser,
    HttpResponseParser,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
    TransferEncodingError,
)

GET = b"GET / HTTP/1.1\r\nHost: a\r\n"
POST = b"POST / HTTP/1.1\r\nHost: a\r\n"
OK = b"HTTP/1.1 200 OK\r\n"

# (id, request?, bytes, exception type)
CASES: list[tuple[str, bool, bytes, type[Exception]]] = [
    # -- framing conflicts (CL.TE / TE.CL smuggling) ---------------------------
    (
        "cl_with_te_request",
        True,
        POST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "cl_with_te_response",
        False,
        OK + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "cl_differing_duplicates",
        True,
        POST + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
        ContentLengthError,
    ),
    ("cl_differing_list", False, OK + b"Content-Length: 5, 6\r\n\r\n", ContentLengthError),
    ("cl_plus_sign", True, POST + b"Content-Length: +5\r\n\r\nhello", ContentLengthError),
    ("cl_minus_sign", False, OK + b"Content-Length: -1\r\n\r\n", ContentLengthError),
    ("cl_hex", True, POST + b"Content-Length: 0x5\r\n\r\nhello", ContentLengthError),
    ("cl_underscore", True, POST + b"Content-Length: 1_0\r\n\r\n", ContentLengthError),
    ("cl_inner_space", True, POST + b"Content-Length: 1 0\r\n\r\n", ContentLengthError),
    (
        "cl_unicode_digit",
        True,
        POST + "Content-Length: \u0665\r\n\r\n".encode(),
        ContentLengthError,
    ),
    ("cl_empty", True, POST + b"Content-Length: \r\n\r\n", ContentLengthError),
    (
        "cl_overflow",
        False,
        OK + b"Content-Length: 99999999999999999999999\r\n\r\n",
        ContentLengthError,
    ),
    # -- Transfer-Encoding -----------------------------------------------------
    (
        "te_chunked_identity",
        True,
        POST + b"Transfer-Encoding: chunked, identity\r\n\r\n",
        TransferEncodingError,
    ),
    ("te_chunkedx", True, POST + b"Transfer-Encoding: chunkedx\r\n\r\n", TransferEncodingError),
    (
        "te_not_final_chunked_request",
        True,
        POST + b"Transfer-Encoding: gzip\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "te_chunked_not_last_response",
        False,
        OK + b"Transfer-Encoding: chunked, gzip\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "te_chunked_twice",
        False,
        OK + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "te_on_http10_request",
        True,
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "te_on_http10_response",
        False,
        b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    ("te_quoted", True, POST + b'Transfer-Encoding: "chunked"\r\n\r\n', TransferEncodingError),
    ("te_vertical_tab", True, POST + b"Transfer-Encoding: \x0bchunked\r\n\r\n", InvalidHeader),
    ("te_empty", True, POST + b"Transfer-Encoding: \r\n\r\n", TransferEncodingError),
    # -- chunked framing ---------------------------------------------------------
    (
        "chunk_size_not_hex",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_size_0x_prefix",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_size_leading_space",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_size_plus",
        False,
        OK + b"Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_size_overflow",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_size_too_many_zeros",
        False,
        OK + b"Transfer-Encoding: chunked\r\n\r\n00000000000000005\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_ext_bare_lf",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\n5;a=b\nc\r\nhello\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_ext_bare_cr",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_size_bare_lf",
        False,
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_ext_invalid_token",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\n5;a b\r\nhello\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_ext_nul",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\n5;a=\x00\r\nhello\r\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_ext_unterminated_quote",
        True,
        POST + b'Transfer-Encoding: chunked\r\n\r\n5;a="x\r\nhello\r\n0\r\n\r\n',
        TransferEncodingError,
    ),
    (
        "chunk_data_without_crlf",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_data_bare_lf_after",
        False,
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
        TransferEncodingError,
    ),
    (
        "chunk_size_line_too_long",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\n5;" + b"a" * 9000 + b"\r\n",
        LineTooLong,
    ),
    (
        "trailer_bare_lf",
        True,
        POST + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX: y\n\r\n",
        InvalidHeader,
    ),
    (
        "trailer_obs_fold",
        False,
        OK + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n z\r\n\r\n",
        InvalidHeader,
    ),
    # -- line endings, control bytes -------------------------------------------
    ("bare_lf_request_line", True, b"GET / HTTP/1.1\nHost: a\r\n\r\n", BadStatusLine),
    ("bare_lf_header", True, b"GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", InvalidHeader),
    ("bare_lf_terminator", True, b"GET / HTTP/1.1\r\nHost: a\n\n", InvalidHeader),
    ("bare_lf_status_line", False, b"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", BadStatusLine),
    ("bare_lf_response_terminator", False, OK + b"Content-Length: 0\n\n", InvalidHeader),
    ("bare_cr_in_value", True, GET + b"X: a\rb\r\n\r\n", InvalidHeader),
    ("bare_cr_in_name", True, GET + b"X\r: a\r\n\r\n", InvalidHeader),
    ("nul_in_value", True, GET + b"X-Foo: a\x00b\r\n\r\n", InvalidHeader),
    (
        "nul_in_value_response",
        False,
        OK + b"X-Foo: a\x00b\r\nContent-Length: 0\r\n\r\n",
        InvalidHeader,
    ),
    ("control_in_value", False, OK + b"X-Foo: a\x01b\r\n\r\n", InvalidHeader),
    ("del_in_value", True, GET + b"X-Foo: a\x7fb\r\n\r\n", InvalidHeader),
    (
        "cr_in_reason_phrase",
        False,
        b"HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n",
        BadStatusLine,
    ),
    (
        "nul_in_reason_phrase",
        False,
        b"HTTP/1.1 200 O\x00K\r\nContent-Length: 0\r\n\r\n",
        BadStatusLine,
    ),
    # -- field names and folding -------------------------------------------------
    ("obs_fold_request", True, GET + b"X-Foo: a\r\n b\r\n\r\n", InvalidHeader),
    (
        "obs_fold_response_strict",
        False,
        OK + b"X-Foo: a\r\n\tb\r\nContent-Length: 0\r\n\r\n",
        InvalidHeader,
    ),
    ("space_before_colon", True, GET + b"Content-Length : 5\r\n\r\nhello", InvalidHeader),
    ("tab_before_colon", False, OK + b"Transfer-Encoding\t: chunked\r\n\r\n", InvalidHeader),
    ("space_in_name", True, GET + b"X Foo: a\r\n\r\n", InvalidHeader),
    ("empty_name", True, GET + b": a\r\n\r\n", InvalidHeader),
    ("no_colon", True, GET + b"X-Foo\r\n\r\n", InvalidHeader),
    ("non_ascii_name", True, GET + "X-F\u00f6o: a\r\n\r\n".encode(), InvalidHeader),
    ("at_in_name", False, OK + b"X@Foo: a\r\n\r\n", InvalidHeader),
    ("leading_space_first_header", True, b"GET / HTTP/1.1\r\n Host: a\r\n\r\n", InvalidHeader),
    # -- start lines -------------------------------------------------------------------
    ("method_control_char", True, b"G\x01T / HTTP/1.1\r\nHost: a\r\n\r\n", BadHttpMethod),
    ("method_with_slash", True, b"GE/T / HTTP/1.1\r\nHost: a\r\n\r\n", BadHttpMethod),
    ("method_non_ascii", True, "G\u00c9T / HTTP/1.1\r\nHost: a\r\n\r\n".encode(), BadHttpMethod),
    ("lowercase_http_name", True, b"GET / http/1.1\r\nHost: a\r\n\r\n", BadStatusLine),
    ("version_three_digits", True, b"GET / HTTP/1.10\r\nHost: a\r\n\r\n", BadStatusLine),
    ("version_missing_minor", False, b"HTTP/1 200 OK\r\n\r\n", BadStatusLine),
    ("version_2", False, b"HTTP/2.0 200 OK\r\n\r\n", BadStatusLine),
    ("version_09", True, b"GET / HTTP/0.9\r\nHost: a\r\n\r\n", BadStatusLine),
    ("double_space_request_line", True, b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", BadStatusLine),
    ("tab_separator_request_line", True, b"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", BadHttpMethod),
    ("status_two_digits", False, b"HTTP/1.1 20 OK\r\n\r\n", BadStatusLine),
    ("status_four_digits", False, b"HTTP/1.1 2000 OK\r\n\r\n", BadStatusLine),
    ("status_below_100", False, b"HTTP/1.1 099 Odd\r\n\r\n", BadStatusLine),
    ("status_non_digit", False, b"HTTP/1.1 2x0 OK\r\n\r\n", BadStatusLine),
    (
        "status_missing_reason_strict",
        False,
        b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
        BadStatusLine,
    ),
    ("status_leading_space", False, b" HTTP/1.1 200 OK\r\n\r\n", BadStatusLine),
    # -- request targets ---------------------------------------------------------------
    (
        "target_non_ascii",
        True,
        "GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n".encode(),
        InvalidURLError,
    ),
    ("target_fragment", True, b"GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", InvalidURLError),
    ("target_bad_percent", True, b"GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", InvalidURLError),
    ("target_backslash", True, b"GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n", InvalidURLError),
    ("target_no_scheme", True, b"GET example.com/x HTTP/1.1\r\nHost: a\r\n\r\n", InvalidURLError),
    ("target_asterisk_not_options", True, b"GET * HTTP/1.1\r\nHost: a\r\n\r\n", InvalidURLError),
    ("connect_origin_form", True, b"CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", InvalidURLError),
    (
        "connect_without_port",
        True,
        b"CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n",
        InvalidURLError,
    ),
    ("target_control_char", True, b"GET /a\x7fb HTTP/1.1\r\nHost: a\r\n\r\n", InvalidURLError),
    # -- Host --------------------------------------------------------------------------------
    ("missing_host_http11", True, b"GET / HTTP/1.1\r\nX: y\r\n\r\n", BadHttpMessage),
    ("duplicate_host", True, b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", BadHttpMessage),
    # -- limits ------------------------------------------------------------------------------------
    (
        "request_line_too_long",
        True,
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n",
        LineTooLong,
    ),
    ("status_line_too_long", False, b"HTTP/1.1 200 " + b"r" * 9000 + b"\r\n\r\n", LineTooLong),
    ("header_line_too_long", True, GET + b"X: " + b"v" * 9000 + b"\r\n\r\n", LineTooLong),
    ("too_many_headers", False, OK + b"X: y\r\n" * 200 + b"\r\n", InvalidHeader),
    # -- truncation (connection closed early) -------------------------------------------------------
    (
        "short_content_length_body",
        False,
        OK + b"Content-Length: 10\r\n\r\nshort",
        ContentLengthError,
    ),
    (
        "unfinished_chunked_body",
        False,
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhel",
        TransferEncodingError,
    ),
    ("unfinished_head", True, b"GET / HTTP/1.1\r\nHost: a\r\n", BadHttpMessage),
]


def _feed_all(parser: Any, pieces: list[bytes], eof: bool = True) -> None:
    for piece in pieces:
        parser.feed_data(piece)
    if eof:
        parser.feed_eof()


def _parse(request: bool, pieces: list[bytes], **kwargs: Any) -> None:
    parser: Any = HttpRequestParser(**kwargs) if request else HttpResponseParser(**kwargs)
    for piece in pieces:
        parser.feed_data(piece)
    parser.feed_eof()


@pytest.mark.parametrize(("case", "request_", "data", "exc"), CASES, ids=[c[0] for c in CASES])
def test_rejects_hostile_message_whole_and_byte_by_byte(
    case: str, request_: bool, data: bytes, exc: type[Exception]
) -> None:
    with pytest.raises(exc) as info:
        _parse(request_, [data])
    assert type(info.value) is exc, f"{case}: got {type(info.value).__name__}: {info.value}"
    assert str(info.value)  # says what (and where)
    with pytest.raises(exc):
        _parse(request_, [data[i : i + 1] for i in range(len(data))])


def test_invalid_header_names_the_byte_the_field_and_the_offset() -> None:
    with pytest.raises(InvalidHeader) as info:
        HttpRequestParser().feed_data(b"GET / HTTP/1.1\r\nHost: a\r\nX-Foo: ab\x00c\r\n\r\n")
    assert str(info.value) == "invalid character b'\\x00' in value of 'X-Foo' at byte 34"
    assert info.value.hdr == "X-Foo"


def test_whitespace_before_colon_error_names_the_field() -> None:
    with pytest.raises(InvalidHeader, match="whitespace before colon in header field b'Host'"):
        HttpRequestParser().feed_data(b"GET / HTTP/1.1\r\nHost : a\r\n\r\n")


def test_line_too_long_reports_limit_and_size() -> None:
    with pytest.raises(LineTooLong) as info:
        HttpRequestParser(max_line_size=20).feed_data(b"GET /" + b"a" * 30)
    assert info.value.limit == 20 and info.value.actual_size > 20
    assert "request line is too long" in str(info.value)


@pytest.mark.parametrize("limit", [10, 100])
def test_max_field_size_is_a_parameter(limit: int) -> None:
    parser = HttpResponseParser(max_field_size=limit)
    with pytest.raises(LineTooLong):
        parser.feed_data(OK + b"X: " + b"v" * limit + b"\r\n\r\n")


def test_max_headers_is_a_parameter() -> None:
    HttpResponseParser(max_headers=3).feed_data(OK + b"A: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n")
    with pytest.raises(InvalidHeader, match="too many header fields"):
        HttpResponseParser(max_headers=2).feed_data(OK + b"A: 1\r\nB: 2\r\nC: 3\r\n\r\n")


def test_too_many_headers_is_caught_before_the_head_is_complete() -> None:
    parser = HttpResponseParser(max_headers=5)
    with pytest.raises(InvalidHeader):
        _feed_all(parser, [OK] + [b"X: y\r\n"] * 9, eof=False)


@pytest.mark.parametrize(
    ("request_", "data"),
    [
        (True, POST + b"Content-Length: 11\r\n\r\n"),
        (False, OK + b"Transfer-Encoding: chunked\r\n\r\n6\r\nhello!\r\n6\r\nhello!\r\n"),
        (False, b"HTTP/1.0 200 OK\r\n\r\n" + b"z" * 11),
    ],
    ids=["content_length", "chunked", "until_close"],
)
def test_max_body_size_raises_body_too_large(request_: bool, data: bytes) -> None:
    parser: Any = (
        HttpRequestParser(max_body_size=10) if request_ else HttpResponseParser(max_body_size=10)
    )
    with pytest.raises(BodyTooLarge) as info:
        _feed_all(parser, [data])
    assert info.value.code == 413


def test_unbounded_garbage_without_newline_is_refused_at_the_line_limit() -> None:
    parser = HttpRequestParser()
    with pytest.raises(LineTooLong):
        _feed_all(parser, [b"A" * 1000] * 100, eof=False)


def test_unbounded_chunk_extension_is_refused_at_the_line_limit() -> None:
    parser = HttpRequestParser()
    parser.feed_data(POST + b"Transfer-Encoding: chunked\r\n\r\n5;")
    with pytest.raises(LineTooLong):
        _feed_all(parser, [b"a" * 1000] * 100, eof=False)


def test_error_is_sticky_and_raised_again() -> None:
    parser = HttpRequestParser()
    with pytest.raises(BadHttpMethod):
        parser.feed_data(b"G\x00T / HTTP/1.1\r\n\r\n")
    with pytest.raises(BadHttpMethod):
        parser.feed_data(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    with pytest.raises(BadHttpMethod):
        parser.feed_eof()


def test_messages_before_an_error_are_returned_and_the_error_follows() -> None:
    parser = HttpRequestParser()
    good = b"GET /ok HTTP/1.1\r\nHost: a\r\n\r\n"
    events = parser.feed_data(good + b"GET /bad HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n")
    assert events[0].path == "/ok" and len(events) == 2
    with pytest.raises(InvalidHeader):
        parser.feed_data(b"")
