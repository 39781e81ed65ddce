"""MultipartWriter: parts, encodings, nesting, size, streaming, deprecated aliases."""

from __future__ import annotations

import io
from typing import Any

import pytest

from aiohttp_http import BytesPayload, Payload, StringPayload
from aiohttp_multipart import (
    BodyPartReader,
    BodyPartWriter,
    InvalidBoundary,
    MultipartReader,
    MultipartWriter,
    UnsupportedEncoding,
)


class Collect:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    async def write(self, chunk: bytes) -> None:
        self.chunks.append(bytes(chunk))


async def read_back(writer: MultipartWriter) -> list[tuple[dict[str, str], bytes]]:
    body = await writer.as_bytes()
    reader = MultipartReader(writer.headers, body)
    parts = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        parts.append((dict(part.headers), bytes(await part.read(decode=True))))
    return parts


async def test_writer_serialises_the_documented_layout() -> None:
    writer = MultipartWriter("mixed", boundary="bnd")
    writer.append("hello")
    writer.append_json({"a": 1})
    writer.append_form([("x", "1"), ("y", "a b")])
    body = await writer.as_bytes()
    assert body == (
        b"--bnd\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\nhello\r\n"
        b"--bnd\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n"
        b'{"a": 1}\r\n'
        b"--bnd\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\n"
        b"x=1&y=a+b\r\n"
        b"--bnd--\r\n"
    )
    assert writer.size == len(body)
    assert writer.headers["Content-Type"] == "multipart/mixed; boundary=bnd"
    assert len(writer) == 3
    assert writer.decode() == body.decode()


async def test_writer_write_and_serialize_give_the_same_bytes() -> None:
    writer = MultipartWriter("related")
    writer.append(b"x" * 100_000)
    writer.append(io.BytesIO(b"y" * 70_000))
    sink = Collect()
    await writer.write(sink)
    streamed = [chunk async for chunk in writer.serialize()]
    assert b"".join(streamed) == b"".join(sink.chunks)
    assert len(streamed) > 2


async def test_serialize_can_be_abandoned_midway() -> None:
    writer = MultipartWriter()
    for _ in range(20):
        writer.append(b"z" * 1000)
    stream = writer.serialize()
    first = await stream.__anext__()
    assert first.startswith(b"--")
    await stream.aclose()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Encoding": "gzip"},
        {"Content-Encoding": "deflate"},
        {"Content-Transfer-Encoding": "base64"},
        {"Content-Transfer-Encoding": "quoted-printable"},
        {"Content-Encoding": "gzip", "Content-Transfer-Encoding": "base64"},
    ],
)
async def test_encoded_parts_are_encoded_on_the_fly_and_read_back(headers: dict[str, str]) -> None:
    data = bytes(range(256)) * 300 + b"\r\n--bnd\r\n=\r\n"
    writer = MultipartWriter("mixed", boundary="bnd")
    writer.append(data, headers)
    assert writer.size is None
    [(part_headers, decoded)] = await read_back(writer)
    assert decoded == data
    assert "Content-Length" not in part_headers


@pytest.mark.parametrize(
    ("headers", "message"),
    [({"Content-Encoding": "br2"}, "br2"), ({"Content-Transfer-Encoding": "uuencode"}, "uuencode")],
)
def test_unknown_part_encodings_are_refused(headers: dict[str, str], message: str) -> None:
    writer = MultipartWriter()
    with pytest.raises(UnsupportedEncoding, match=message):
        writer.append(b"x", headers)


async def test_nested_writer_is_a_part() -> None:
    inner = MultipartWriter("alternative", boundary="inner")
    inner.append("plain text")
    inner.append("<p>html</p>", {"Content-Type": "text/html"})
    outer = MultipartWriter("mixed", boundary="outer")
    outer.append(inner)
    outer.append(b"attachment")
    body = await outer.as_bytes()
    assert outer.size == len(body)
    reader = MultipartReader(outer.headers, body)
    nested = await reader.next()
    assert isinstance(nested, MultipartReader)
    texts = [await p.text() async for p in nested]  # type: ignore[union-attr]
    assert texts == ["plain text", "<p>html</p>"]
    last = await reader.next()
    assert isinstance(last, BodyPartReader)
    assert await last.read() == b"attachment"


@pytest.mark.parametrize(
    ("boundary", "exception"),
    [
        ("", InvalidBoundary),
        ("x" * 71, InvalidBoundary),
        ("with\r\nnewline", InvalidBoundary),
        ("é", InvalidBoundary),
        ("trailing ", InvalidBoundary),
    ],
)
def test_writer_validates_the_boundary(boundary: str, exception: type[Exception]) -> None:
    with pytest.raises(exception):
        MultipartWriter("mixed", boundary=boundary)
    assert issubclass(exception, ValueError)


def test_boundary_with_specials_is_quoted_in_content_type() -> None:
    writer = MultipartWriter("mixed", boundary="a b:c")
    assert writer.headers["Content-Type"] == 'multipart/mixed; boundary="a b:c"'
    assert writer.boundary == "a b:c"
    assert MultipartWriter("mixed", boundary="x" * 70).boundary == "x" * 70


def test_bad_subtype_and_boundary_type_are_refused() -> None:
    with pytest.raises(ValueError, match="subtype"):
        MultipartWriter("mixed; evil=1")
    with pytest.raises(TypeError):
        MultipartWriter("mixed", boundary=b"bytes")  # type: ignore[arg-type]


def test_default_boundary_is_random_and_valid() -> None:
    first, second = MultipartWriter(), MultipartWriter()
    assert first.boundary != second.boundary
    assert len(first.boundary) == 32


async def test_set_content_disposition_on_parts_quotes_and_encodes() -> None:
    writer = MultipartWriter("mixed", boundary="bnd")
    part = writer.append(b"data")
    part.set_content_disposition("attachment", filename="€ rates.txt")
    plain = writer.append(b"data")
    plain.set_content_disposition("inline", filename='a "quoted" name.txt')
    parts = [p async for p in MultipartReader(writer.headers, await writer.as_bytes())]
    assert [p.filename for p in parts] == ["€ rates.txt", 'a "quoted" name.txt']  # type: ignore[union-attr]


async def test_form_data_writer_requires_content_disposition() -> None:
    writer = MultipartWriter("form-data", boundary="bnd")
    with pytest.raises(ValueError, match="Content-Disposition"):
        writer.append("no name")
    writer.append_form_field("é", "value")
    writer.append_form_field("file", b"\x00data", filename="ñ.bin", content_type="image/png")
    parts = [p async for p in MultipartReader(writer.headers, await writer.as_bytes())]
    got = [(p.name, p.filename, p.headers.get("Content-Type")) for p in parts]  # type: ignore[union-attr]
    assert got == [("é", None, "text/plain; charset=utf-8"), ("file", "ñ.bin", "image/png")]
    assert all("Content-Length" not in p.headers for p in parts)


def test_append_refuses_unknown_objects() -> None:
    with pytest.raises(TypeError, match="cannot create a payload"):
        MultipartWriter().append(object())


def test_append_payload_keeps_the_payload_and_merges_headers() -> None:
    writer = MultipartWriter()
    payload = StringPayload("x")
    assert writer.append(payload, {"X-Extra": "1"}) is payload
    assert payload.headers["X-Extra"] == "1"
    with writer as same:
        assert same is writer
    assert [p for p, _, _ in writer] == [payload]
    assert bool(MultipartWriter())


def test_size_is_unknown_for_streams() -> None:
    async def gen() -> Any:
        yield b"x"

    writer = MultipartWriter()
    writer.append(gen())
    assert writer.size is None


def test_body_part_writer_is_a_deprecated_alias() -> None:
    with pytest.warns(DeprecationWarning, match=r"MultipartWriter\.append\(\)"):
        part = BodyPartWriter(b"abc", {"X-A": "1"})
    assert isinstance(part, BytesPayload)
    assert part.headers["X-A"] == "1"
    with pytest.warns(DeprecationWarning, match="part_writer_cls is deprecated"):
        cls = MultipartWriter().part_writer_cls
    assert cls is BodyPartWriter
    with pytest.warns(DeprecationWarning, match="BodyPartWriter"), pytest.raises(TypeError):
        BodyPartWriter(object())


def test_writer_is_a_payload() -> None:
    assert isinstance(MultipartWriter(), Payload)


class RecordingTransport:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0


async def test_writer_streams_into_an_aiohttp_http_stream_writer() -> None:
    import asyncio

    from aiohttp_http import BaseProtocol, StreamWriter

    loop = asyncio.get_running_loop()
    protocol = BaseProtocol(loop)
    transport = RecordingTransport()
    protocol.transport = transport  # type: ignore[assignment]
    stream = StreamWriter(protocol, loop)
    writer = MultipartWriter("mixed", boundary="bnd")
    writer.append(b"x" * 200_000)
    writer.append_json({"k": [1, 2]})
    await writer.write(stream)
    await stream.write_eof()
    assert bytes(transport.data) == await writer.as_bytes()
