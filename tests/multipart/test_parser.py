"""The sans-IO push parser: events, every chunking, boundary edge cases, linear cost."""

from __future__ import annotations

import random

import pytest

from aiohttp_multipart import (
    MAX_BOUNDARY_LENGTH,
    BodyEnd,
    Event,
    InvalidBoundary,
    MalformedBody,
    MultipartParser,
    PartData,
    PartEnd,
    PartStart,
    validate_boundary,
)

Parsed = list[tuple[list[tuple[str, str]], bytes]]


def collect(events: list[Event]) -> tuple[Parsed, bool]:
    """Fold events into [(headers, data)] and whether BodyEnd was seen; checks the order."""
    parts: Parsed = []
    in_part = False
    ended = False
    for event in events:
        assert not ended, "no event may follow BodyEnd"
        if isinstance(event, PartStart):
            assert not in_part
            parts.append((list(event.headers.items()), b""))
            in_part = True
        elif isinstance(event, PartData):
            assert in_part
            assert len(event.data) > 0, "data events are never empty"
            headers, data = parts[-1]
            parts[-1] = (headers, data + bytes(event.data))
        elif isinstance(event, PartEnd):
            assert in_part
            in_part = False
        else:
            assert isinstance(event, BodyEnd)
            assert not in_part
            ended = True
    return parts, ended


def parse_chunks(boundary: str | bytes, chunks: list[bytes], **limits: int) -> Parsed:
    parser = MultipartParser(boundary, **limits)
    events: list[Event] = []
    for chunk in chunks:
        events += parser.feed(chunk)
    events += parser.feed_eof()
    parts, ended = collect(events)
    assert ended
    return parts


def parse(boundary: str | bytes, body: bytes, **limits: int) -> Parsed:
    return parse_chunks(boundary, [body], **limits)


SIMPLE = (
    b"--b0undary\r\n"
    b'Content-Disposition: form-data; name="field"\r\n'
    b"\r\n"
    b"value\r\n"
    b"--b0undary\r\n"
    b'Content-Disposition: form-data; name="file"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"line 1\r\nline 2\r\n\r\n"
    b"--b0undary--\r\n"
)
SIMPLE_PARTS: Parsed = [
    ([("Content-Disposition", 'form-data; name="field"')], b"value"),
    (
        [
            ("Content-Disposition", 'form-data; name="file"; filename="a.txt"'),
            ("Content-Type", "text/plain"),
        ],
        b"line 1\r\nline 2\r\n",
    ),
]

# (name, boundary, body, expected parts)
CORPUS: list[tuple[str, str, bytes, Parsed]] = [
    ("simple form", "b0undary", SIMPLE, SIMPLE_PARTS),
    (
        "preamble and epilogue",
        "xyz",
        b"This is the preamble.\r\n--xyz\r\nA: 1\r\n\r\none\r\n--xyz--\r\nThe epilogue\r\n",
        [([("A", "1")], b"one")],
    ),
    (
        "part without headers",
        "xyz",
        b"--xyz\r\n\r\nno headers\r\n--xyz--",
        [([], b"no headers")],
    ),
    ("empty data", "xyz", b"--xyz\r\nA: 1\r\n\r\n\r\n--xyz--", [([("A", "1")], b"")]),
    (
        "transport padding after boundaries",
        "xyz",
        b"--xyz  \t\r\nA: 1\r\n\r\nx\r\n--xyz\t\r\n\r\ny\r\n--xyz--  \r\n",
        [([("A", "1")], b"x"), ([], b"y")],
    ),
    (
        "boundary prefix inside data",
        "xyz",
        b"--xyz\r\n\r\n\r\n--xy\r\n--x\r\r\n-\r\n--xyz--",
        [([], b"\r\n--xy\r\n--x\r\r\n-")],
    ),
    (
        "dashes and CRs in data",
        "--==--",
        b"----==--\r\n\r\n----==-\r\r\r\n\r\n--\r\n----==----",
        [([], b"----==-\r\r\r\n\r\n--")],
    ),
    (
        "boundary with space and specials",
        "a'()+_,-./:=? b",
        b"--a'()+_,-./:=? b\r\n\r\nok\r\n--a'()+_,-./:=? b--",
        [([], b"ok")],
    ),
    (
        "raw UTF-8 in header values",
        "q",
        '--q\r\nContent-Disposition: form-data; name="é"; filename="ñ.txt"\r\n\r\nz\r\n--q--'.encode(),
        [([("Content-Disposition", 'form-data; name="é"; filename="ñ.txt"')], b"z")],
    ),
    (
        "repeated header names and trailing whitespace",
        "q",
        b"--q\r\nX-A: 1 \r\nx-a:\t2\r\n\r\nv\r\n--q--",
        [([("X-A", "1"), ("x-a", "2")], b"v")],
    ),
    (
        "binary data with NUL and high bytes",
        "q",
        b"--q\r\n\r\n" + bytes(range(256)) + b"\r\n--q--",
        [([], bytes(range(256)))],
    ),
    (
        "max length boundary",
        "B" * 70,
        b"--" + b"B" * 70 + b"\r\n\r\nv\r\n--" + b"B" * 70 + b"--",
        [([], b"v")],
    ),
]


@pytest.mark.parametrize(
    ("boundary", "body", "expected"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_corpus_parses_whole(boundary: str, body: bytes, expected: Parsed) -> None:
    assert parse(boundary, body) == expected


@pytest.mark.parametrize(
    ("boundary", "body", "expected"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_corpus_parses_in_one_byte_chunks(boundary: str, body: bytes, expected: Parsed) -> None:
    chunks = [body[i : i + 1] for i in range(len(body))]
    assert parse_chunks(boundary, chunks) == expected


@pytest.mark.parametrize(
    ("boundary", "body", "expected"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_corpus_parses_with_every_two_way_split(
    boundary: str, body: bytes, expected: Parsed
) -> None:
    for cut in range(len(body) + 1):
        assert parse_chunks(boundary, [body[:cut], body[cut:]]) == expected, cut


def test_simple_form_parses_with_every_three_way_split() -> None:
    body = SIMPLE
    for first in range(0, len(body), 3):
        for second in range(first, len(body) + 1):
            chunks = [body[:first], body[first:second], body[second:]]
            assert parse_chunks("b0undary", chunks) == SIMPLE_PARTS


@pytest.mark.parametrize("seed", range(20))
def test_random_chunkings_of_crlf_heavy_binary_give_the_same_parts(seed: int) -> None:
    rng = random.Random(seed)
    boundary = "----Bnd" + str(seed)
    alphabet = b"\r\n-B" + boundary.encode()[:5]
    datas = [bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 300))) for _ in range(4)]
    # The generator could produce the delimiter itself; such bodies are invalid.
    datas = [d for d in datas if b"\r\n--" + boundary.encode() not in b"\r\n" + d + b"\r\n"]
    body = b"".join(b"--" + boundary.encode() + b"\r\nX: y\r\n\r\n" + d + b"\r\n" for d in datas)
    body += b"--" + boundary.encode() + b"--\r\n"
    expected = [([("X", "y")], d) for d in datas]
    chunks: list[bytes] = []
    pos = 0
    while pos < len(body):
        size = rng.choice([1, 1, 2, 3, 7, 64, 1000])
        chunks.append(body[pos : pos + size])
        pos += size
    assert parse_chunks(boundary, chunks) == expected


def test_data_events_are_memoryviews_over_the_fed_bytes() -> None:
    parser = MultipartParser("b0undary")
    events = parser.feed(SIMPLE)
    data = [e for e in events if isinstance(e, PartData)]
    assert all(isinstance(e.data, memoryview) and e.data.readonly for e in data)
    assert data[0].data.obj is SIMPLE


def test_bytearray_and_memoryview_input_are_accepted() -> None:
    parser = MultipartParser("b0undary")
    events = parser.feed(bytearray(SIMPLE[:40])) + parser.feed(memoryview(SIMPLE)[40:])
    assert collect(events + parser.feed_eof()) == (SIMPLE_PARTS, True)


def test_parser_holds_back_less_than_one_delimiter_of_data() -> None:
    boundary = "x" * 70
    delimiter = b"\r\n--" + boundary.encode()
    body = b"--" + boundary.encode() + b"\r\n\r\n" + (delimiter[:-1] + b"Z") * 50
    body += delimiter + b"--"
    parser = MultipartParser(boundary)
    seen = 0
    for i in range(len(body)):
        events = parser.feed(body[i : i + 1])
        seen += sum(len(e.data) for e in events if isinstance(e, PartData))
        if parser.parts:
            assert parser.pending_bytes < len(delimiter)
    assert seen == 50 * len(delimiter)
    assert parser.finished


def test_one_byte_feeding_of_a_large_crlf_heavy_part_is_linear() -> None:
    # 256 KiB of near-delimiters fed a byte at a time: finishes only if each
    # byte costs O(1) (a quadratic parser would take minutes here).
    boundary = b"qwerty"
    chunk = b"\r\n--qwert\r\n-\r\r\n--"
    data = chunk * (256 * 1024 // len(chunk))
    body = b"--qwerty\r\n\r\n" + data + b"\r\n--qwerty--"
    parser = MultipartParser(boundary)
    total = 0
    feed = parser.feed
    for i in range(len(body)):
        for event in feed(body[i : i + 1]):
            if type(event) is PartData:
                total += len(event.data)
    assert total == len(data)
    assert parser.finished


def test_parser_counts_parts_and_reports_boundary() -> None:
    parser = MultipartParser(b"b0undary")
    parser.feed(SIMPLE)
    assert parser.parts == 2
    assert parser.boundary == b"b0undary"
    assert parser.finished
    assert parser.feed_eof() == []


def test_feeding_after_an_error_raises_again() -> None:
    parser = MultipartParser("q")
    with pytest.raises(MalformedBody):
        parser.feed(b"--q\nA: b\r\n")
    with pytest.raises(MalformedBody, match="already failed"):
        parser.feed(b"more")
    with pytest.raises(MalformedBody, match="already failed"):
        parser.feed_eof()


def test_epilogue_after_the_closing_boundary_is_ignored_but_counted() -> None:
    parser = MultipartParser("q", max_epilogue_size=19)
    events = parser.feed(b"--q\r\n\r\nv\r\n--q--\r\n--q\r\n\r\nnot a part")
    parts, ended = collect(events)
    assert ended and parts == [([], b"v")]


@pytest.mark.parametrize(
    "boundary",
    [
        "a",
        "0" * MAX_BOUNDARY_LENGTH,
        "----WebKitFormBoundary7MA4YWxkTrZu0gW",
        "a b",
        "'()+_,-./:=?",
    ],
)
def test_validate_boundary_accepts_rfc2046_boundaries(boundary: str) -> None:
    assert validate_boundary(boundary) == boundary.encode()


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ("", "empty"),
        ("x" * 71, "71 characters"),
        ("ab ", "ends with a space"),
        ("a\r\nb", "character"),
        ("a;b", "character b';'"),
        ('a"b', "character"),
        ("é", "non-ASCII"),
        (b"a\x00", "character"),
    ],
)
def test_validate_boundary_rejects_invalid_boundaries(boundary: str | bytes, message: str) -> None:
    with pytest.raises(InvalidBoundary, match=message):
        MultipartParser(boundary)
