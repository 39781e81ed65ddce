"""Property tests: writer output parses back to the same fields; junk raises only documented errors."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiohttp_http import (
    BadHttpMessage,
    ChunkedEncoder,
    Data,
    EndOfMessage,
    HttpRequestParser,
    HttpResponseParser,
    RawRequestMessage,
    RawResponseMessage,
    serialize_request_head,
    serialize_response_head,
)

TCHARS = "!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits
FRAMING = {
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "content-encoding",
    "upgrade",
}

tokens = st.text(alphabet=TCHARS, min_size=1, max_size=12)
field_names = tokens.filter(lambda n: n.lower() not in FRAMING)
field_values = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=0, max_size=20
).map(lambda v: v.replace(" ", ""))
# inner spaces and tabs are fine, surrounding whitespace is not part of a value
field_values = st.builds(
    lambda a, b: (a + " \t " + b) if a and b else a, field_values, field_values
)
headers = st.lists(st.tuples(field_names, field_values), max_size=8)
bodies = st.binary(max_size=300)
path_chars = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/"
targets = st.text(alphabet=path_chars, max_size=30).map(lambda p: "/" + p)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def feed_split(parser: Any, data: bytes, cut: int) -> list[Any]:
    cut = min(cut, len(data))
    return parser.feed_data(data[:cut]) + parser.feed_data(data[cut:]) + parser.feed_eof()


def body_of(events: list[Any]) -> bytes:
    return b"".join(e.data for e in events if isinstance(e, Data))


@SETTINGS
@given(tokens, targets, headers, bodies, st.booleans(), st.integers(min_value=0, max_value=2000))
def test_written_request_parses_back_to_the_same_fields(
    method: str, target: str, fields: list[tuple[str, str]], body: bytes, chunked: bool, cut: int
) -> None:
    all_fields = [("Host", "example.com"), *fields]
    if chunked:
        all_fields.append(("Transfer-Encoding", "chunked"))
        enc = ChunkedEncoder()
        wire_body = enc.encode(body[:100]) + enc.encode(body[100:]) + enc.finish()
    else:
        all_fields.append(("Content-Length", str(len(body))))
        wire_body = body
    method = method if method != "CONNECT" else "GET"
    wire = serialize_request_head(method, target, all_fields) + wire_body
    events = feed_split(HttpRequestParser(), wire, cut)
    head = events[0]
    assert isinstance(head, RawRequestMessage)
    assert (head.method, head.path, head.chunked) == (method, target, chunked)
    assert list(head.headers.items()) == all_fields
    assert head.raw_headers == tuple((n.encode(), v.encode()) for n, v in all_fields)
    assert body_of(events) == body
    assert isinstance(events[-1], EndOfMessage)


@SETTINGS
@given(
    st.integers(min_value=200, max_value=599).filter(lambda c: c not in (204, 304)),
    st.text(alphabet=string.ascii_letters + " ", max_size=20).map(str.strip),
    headers,
    bodies,
    st.integers(min_value=0, max_value=2000),
)
def test_written_response_parses_back_to_the_same_fields(
    status: int, reason: str, fields: list[tuple[str, str]], body: bytes, cut: int
) -> None:
    all_fields = [*fields, ("Content-Length", str(len(body)))]
    wire = serialize_response_head(status, reason, all_fields) + body
    events = feed_split(HttpResponseParser(), wire, cut)
    head = events[0]
    assert isinstance(head, RawResponseMessage)
    assert (head.code, head.reason) == (status, reason)
    assert list(head.headers.items()) == all_fields
    assert body_of(events) == body


def _run_junk(parser: Any, data: bytes, cut: int) -> None:
    try:
        events = feed_split(parser, data, cut)
    except BadHttpMessage:
        return
    except RuntimeError:
        return  # data after Upgraded: documented
    # nothing raised: a parser never produces more body than it was given
    assert sum(len(e.data) for e in events if isinstance(e, Data)) <= len(data) * 1100
    assert len(parser._buf) <= len(data)


@SETTINGS
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=400), st.booleans())
def test_random_bytes_raise_only_documented_errors(data: bytes, cut: int, request: bool) -> None:
    parser = HttpRequestParser() if request else HttpResponseParser()
    _run_junk(parser, data, cut)


SEEDS = [
    b"GET /a?b=c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0\r\nT: 1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: y\r\n\r\nhiHTTP/1.1 204 No\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\n\r\nuntil close",
]
INTERESTING = [
    b"\r",
    b"\n",
    b"\x00",
    b" ",
    b"\t",
    b":",
    b";",
    b",",
    b"0",
    b"f",
    b"+",
    b"-",
    b"\xff",
]


@SETTINGS
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=200),
            st.sampled_from(["insert", "delete", "replace"]),
            st.sampled_from(INTERESTING),
        ),
        min_size=1,
        max_size=4,
    ),
    st.integers(min_value=0, max_value=200),
    st.booleans(),
    st.booleans(),
)
def test_mutated_messages_raise_only_documented_errors(
    seed: bytes, edits: list[tuple[int, str, bytes]], cut: int, lenient: bool, bytewise: bool
) -> None:
    data = bytearray(seed)
    for at, op, byte in edits:
        at %= len(data) + 1
        if op == "insert":
            data[at:at] = byte
        elif op == "delete":
            del data[at : at + 1]
        else:
            data[at : at + 1] = byte
    request = seed.startswith((b"GET", b"POST"))
    parser: Any = HttpRequestParser() if request else HttpResponseParser(lenient=lenient)
    if bytewise:
        try:
            for i in range(len(data)):
                parser.feed_data(bytes(data[i : i + 1]))
            parser.feed_eof()
        except (BadHttpMessage, RuntimeError):
            pass
    else:
        _run_junk(parser, bytes(data), cut)


@SETTINGS
@given(st.integers(min_value=1, max_value=50))
def test_endless_head_stays_bounded(lines: int) -> None:
    parser = HttpResponseParser(max_headers=10, max_field_size=100)
    try:
        parser.feed_data(b"HTTP/1.1 200 OK\r\n")
        for _ in range(lines):
            parser.feed_data(b"X-Filler: " + b"v" * 50 + b"\r\n")
    except BadHttpMessage:
        assert lines > 10
    else:
        assert lines <= 11
        assert len(parser._buf) < 11 * 100


@SETTINGS
@given(st.text(alphabet=path_chars + "%?#aF0 \x00\x7f", max_size=25))
def test_fast_origin_form_check_matches_the_rfc_grammar(path: str) -> None:
    from aiohttp_http._abnf import BAD_PCT_ENCODING_RE, ORIGIN_FORM_FAST_RE, ORIGIN_FORM_RE

    target = ("/" + path).encode()
    fast = ORIGIN_FORM_FAST_RE.fullmatch(target) is not None and not BAD_PCT_ENCODING_RE.search(
        target
    )
    assert fast == (ORIGIN_FORM_RE.fullmatch(target) is not None)


def _outcome(parser: Any, pieces: list[bytes]) -> tuple[list[Any], str | None]:
    events: list[Any] = []
    try:
        for piece in pieces:
            events += parser.feed_data(piece)
        events += parser.feed_eof()
    except BadHttpMessage as exc:
        return [], type(exc).__name__
    merged: list[Any] = []
    for ev in events:
        if isinstance(ev, Data):
            if merged and isinstance(merged[-1], bytes):
                merged[-1] += ev.data
            else:
                merged.append(ev.data)
        elif isinstance(ev, EndOfMessage):
            merged.append(("end", ev.raw_trailers))
        else:
            merged.append((*tuple(ev)[:3], ev.raw_headers))
    return merged, None


@SETTINGS
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=200), st.sampled_from(INTERESTING)),
        min_size=1,
        max_size=3,
    ),
    st.booleans(),
)
def test_mutated_messages_have_the_same_outcome_whole_and_byte_by_byte(
    seed: bytes, edits: list[tuple[int, bytes]], lenient: bool
) -> None:
    data = bytearray(seed)
    for at, byte in edits:
        at %= len(data) + 1
        data[at:at] = byte
    request = seed.startswith((b"GET", b"POST"))

    def make() -> Any:
        return HttpRequestParser() if request else HttpResponseParser(lenient=lenient)

    whole = _outcome(make(), [bytes(data)])
    bytewise = _outcome(make(), [bytes(data[i : i + 1]) for i in range(len(data))])
    assert whole == bytewise
