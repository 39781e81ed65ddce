"""The async reader: aiohttp 3.x API over every kind of byte source."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from multidict import CIMultiDict

from aiohttp_http import BaseProtocol, StreamReader
from aiohttp_multipart import (
    ASGIReceiveSource,
    AsyncIterableSource,
    BodyPartReader,
    IncompleteBody,
    InvalidBoundary,
    MalformedBody,
    MultipartReader,
    NestingTooDeep,
    PartTooLarge,
    StreamSource,
    TooManyParts,
    UnsupportedEncoding,
    byte_source,
)

CT = {"Content-Type": "multipart/form-data; boundary=frontier"}

FORM = (
    b"preamble\r\n"
    b"--frontier\r\n"
    b'Content-Disposition: form-data; name="title"\r\n'
    b"\r\n"
    b"A report\r\n"
    b"--frontier\r\n"
    b'Content-Disposition: form-data; name="doc"; filename="notes.txt"\r\n'
    b"Content-Type: text/plain; charset=latin-1\r\n"
    b"\r\n"
    b"caf\xe9\r\nline two\r\n"
    b"--frontier\r\n"
    b'Content-Disposition: form-data; name="meta"\r\n'
    b"Content-Type: application/json\r\n"
    b"\r\n"
    b'{"a": [1, 2]}\r\n'
    b"--frontier--\r\n"
)


async def chunks_of(data: bytes, size: int) -> AsyncIterator[bytes]:
    for pos in range(0, len(data), size):
        yield data[pos : pos + size]


async def read_all(reader: MultipartReader) -> list[tuple[str | None, str | None, bytes]]:
    parts = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        parts.append((part.name, part.filename, bytes(await part.read())))
    return parts


EXPECTED = [
    ("title", None, b"A report"),
    ("doc", "notes.txt", b"caf\xe9\r\nline two"),
    ("meta", None, b'{"a": [1, 2]}'),
]


@pytest.mark.parametrize("size", [1, 2, 5, 13, 64, 1 << 16])
async def test_reader_over_async_iterator_in_any_chunking(size: int) -> None:
    reader = MultipartReader(CT, chunks_of(FORM, size))
    assert await read_all(reader) == EXPECTED
    assert reader.at_eof()
    assert await reader.next() is None


async def test_reader_over_every_two_way_split() -> None:
    for cut in range(len(FORM) + 1):

        async def two(cut: int = cut) -> AsyncIterator[bytes]:
            yield FORM[:cut]
            yield FORM[cut:]

        assert await read_all(MultipartReader(CT, two())) == EXPECTED


async def test_reader_over_bytes_and_lowercase_plain_dict_headers() -> None:
    reader = MultipartReader({"content-type": CT["Content-Type"]}, FORM)
    assert await read_all(reader) == EXPECTED


async def test_reader_over_aiohttp_http_stream_reader() -> None:
    loop = asyncio.get_running_loop()
    stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)

    async def produce() -> None:
        for pos in range(0, len(FORM), 17):
            stream.feed_data(FORM[pos : pos + 17])
            await asyncio.sleep(0)
        stream.feed_eof()

    task = asyncio.create_task(produce())
    reader = MultipartReader(CT, stream)
    assert isinstance(reader._events._source, StreamSource)
    assert await asyncio.wait_for(read_all(reader), 10) == EXPECTED
    await task


async def test_reader_over_asyncio_stream_reader_uses_read_n() -> None:
    stream = asyncio.StreamReader()
    stream.feed_data(FORM)
    stream.feed_eof()
    assert await read_all(MultipartReader(CT, stream)) == EXPECTED


def asgi_receive(messages: list[dict[str, Any]]) -> Any:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return receive


async def test_reader_over_asgi_receive() -> None:
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": FORM[i : i + 50], "more_body": True}
        for i in range(0, len(FORM), 50)
    ]
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    reader = MultipartReader(CT, ASGIReceiveSource(asgi_receive(messages)))
    assert await read_all(reader) == EXPECTED
    auto = MultipartReader(CT, asgi_receive(messages))
    assert isinstance(auto._events._source, ASGIReceiveSource)


async def test_asgi_disconnect_mid_body_raises_incomplete_body() -> None:
    messages = [
        {"type": "http.request", "body": FORM[:100], "more_body": True},
        {"type": "http.disconnect"},
    ]
    reader = MultipartReader(CT, asgi_receive(messages))
    with pytest.raises(IncompleteBody, match="disconnected"):
        await read_all(reader)


async def test_asgi_unexpected_message_raises_incomplete_body() -> None:
    reader = MultipartReader(CT, asgi_receive([{"type": "websocket.receive"}]))
    with pytest.raises(IncompleteBody, match="unexpected ASGI message"):
        await reader.next()


def test_byte_source_rejects_unknown_content() -> None:
    with pytest.raises(TypeError, match="cannot read a multipart body from int"):
        byte_source(42)
    assert isinstance(byte_source(chunks_of(b"", 1)), AsyncIterableSource)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "is not multipart"),
        ({"Content-Type": "text/plain"}, "is not multipart"),
        ({"Content-Type": "multipart/form-data"}, "no boundary"),
        ({"Content-Type": "multipart/form-data; boundary=" + "x" * 71}, "71 characters"),
        ({"Content-Type": 'multipart/form-data; boundary="a\\"b"'}, "character"),
    ],
)
def test_reader_rejects_bad_content_type(headers: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidBoundary, match=message):
        MultipartReader(headers, b"")


async def test_part_helpers_text_json_charset_and_headers() -> None:
    reader = MultipartReader(CT, FORM)
    title = await reader.next()
    assert isinstance(title, BodyPartReader)
    assert title.headers["Content-Disposition"] == 'form-data; name="title"'
    assert title.get_charset(default="ascii") == "ascii"
    assert await title.text() == "A report"
    assert title.at_eof()
    doc = await reader.next()
    assert isinstance(doc, BodyPartReader)
    assert doc.get_charset(default="utf-8") == "latin-1"
    assert await doc.text() == "café\r\nline two"
    meta = await reader.next()
    assert isinstance(meta, BodyPartReader)
    assert await meta.json() == {"a": [1, 2]}
    assert await reader.next() is None
    await reader.release()


async def test_next_releases_an_unread_part() -> None:
    reader = MultipartReader(CT, chunks_of(FORM, 3))
    first = await reader.next()
    second = await reader.next()
    assert isinstance(first, BodyPartReader) and isinstance(second, BodyPartReader)
    assert first.at_eof()
    assert await first.read() == bytearray()
    assert second.name == "doc"


async def test_read_chunk_readline_and_part_iteration() -> None:
    reader = MultipartReader(CT, FORM)
    await (await reader.next()).release()  # type: ignore[union-attr]
    doc = await reader.next()
    assert isinstance(doc, BodyPartReader)
    assert await doc.readline() == bytearray(b"caf\xe9\r\n")
    assert await doc.read_chunk(4) == bytearray(b"line")
    assert await doc.read_chunk() == bytearray(b" two")
    assert await doc.read_chunk() == bytearray()
    assert await doc.readline() == bytearray()
    assert doc.at_eof()
    meta = await reader.next()
    assert isinstance(meta, BodyPartReader)
    assert [bytes(c) async for c in meta] == [b'{"a": [1, 2]}']
    assert await meta.next() is None


async def test_readline_over_one_byte_chunks() -> None:
    body = b"--q\r\n\r\nab\ncd\r\nef\r\n--q--"
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=q"}, chunks_of(body, 1))
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    lines = []
    while line := await part.readline():
        lines.append(bytes(line))
    assert lines == [b"ab\n", b"cd\r\n", b"ef"]


async def test_form_part_is_parsed_as_urlencoded() -> None:
    body = (
        b"--q\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\na=1&b=caf%C3%A9&c=\r\n--q--"
    )
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=q"}, body)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.form() == [("a", "1"), ("b", "café"), ("c", "")]


async def test_empty_part_json_and_form_are_none_and_empty() -> None:
    body = b"--q\r\n\r\n\r\n--q\r\n\r\n\r\n--q--"
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=q"}, body)
    first = await reader.next()
    assert isinstance(first, BodyPartReader)
    assert await first.json() is None
    second = await reader.next()
    assert isinstance(second, BodyPartReader)
    assert await second.form() == []


async def test_read_decode_applies_transfer_and_content_encoding() -> None:
    data = "héllo wörld ".encode() * 100
    encoded = base64.encodebytes(gzip.compress(data)).replace(b"\n", b"\r\n")
    body = (
        b"--q\r\nContent-Transfer-Encoding: base64\r\nContent-Encoding: gzip\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + encoded + b"\r\n--q--"
    )
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=q"}, chunks_of(body, 10))
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.text() == data.decode()
    # decode() of raw data gives the same
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=q"}, body)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    raw = await part.read()
    assert bytes(raw) == encoded
    assert part.decode(raw) == data


async def test_unknown_encoding_raises_runtime_error_on_decode() -> None:
    body = b"--q\r\nContent-Encoding: x-lzma\r\n\r\nabc\r\n--q--"
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=q"}, body)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(RuntimeError):
        await part.read(decode=True)
    with pytest.raises(UnsupportedEncoding):
        part.decode(b"abc")


@pytest.mark.parametrize("method", ["read", "text", "readline", "json", "form"])
async def test_reading_a_part_into_memory_is_bounded(method: str) -> None:
    body = b"--q\r\n\r\n" + b"x" * 5000 + b"\r\n--q--"
    reader = MultipartReader(
        {"Content-Type": "multipart/mixed; boundary=q"}, chunks_of(body, 100), max_field_size=1000
    )
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(PartTooLarge, match="max_field_size=1000"):
        await getattr(part, method)()


async def test_decoded_size_is_bounded() -> None:
    bomb = gzip.compress(b"\0" * (10 << 20))
    body = b"--q\r\nContent-Encoding: gzip\r\n\r\n" + bomb + b"\r\n--q--"
    reader = MultipartReader(
        {"Content-Type": "multipart/mixed; boundary=q"}, body, max_field_size=1 << 16
    )
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(PartTooLarge, match="max_field_size=65536"):
        await part.read(decode=True)


async def test_streaming_a_part_is_not_bounded_by_max_field_size() -> None:
    body = b"--q\r\n\r\n" + b"x" * 50_000 + b"\r\n--q--"
    reader = MultipartReader(
        {"Content-Type": "multipart/mixed; boundary=q"}, chunks_of(body, 999), max_field_size=100
    )
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    total = 0
    while chunk := await part.read_chunk(4096):
        total += len(chunk)
    assert total == 50_000


NESTED = (
    b"--outer\r\n"
    b'Content-Disposition: form-data; name="submitter"\r\n\r\n'
    b"Larry\r\n"
    b"--outer\r\n"
    b'Content-Disposition: form-data; name="files"\r\n'
    b"Content-Type: multipart/mixed; boundary=inner\r\n\r\n"
    b"--inner\r\n"
    b'Content-Disposition: file; filename="file1.txt"\r\n\r\n'
    b"contents of file1\r\n"
    b"--inner\r\n"
    b'Content-Disposition: file; filename="file2.gif"\r\n'
    b"Content-Type: image/gif\r\n\r\n"
    b"GIF89a...\r\n"
    b"--inner--\r\n"
    b"\r\n--outer--\r\n"
)
NESTED_CT = {"Content-Type": "multipart/form-data; boundary=outer"}


@pytest.mark.parametrize("size", [1, 7, 1 << 16])
async def test_nested_multipart_mixed_inside_form_data(size: int) -> None:
    reader = MultipartReader(NESTED_CT, chunks_of(NESTED, size))
    first = await reader.next()
    assert isinstance(first, BodyPartReader)
    assert await first.text() == "Larry"
    files = await reader.next()
    assert isinstance(files, MultipartReader)
    assert files.headers["Content-Type"] == "multipart/mixed; boundary=inner"
    inner = [(p.filename, bytes(await p.read())) async for p in files]  # type: ignore[union-attr]
    assert inner == [("file1.txt", b"contents of file1"), ("file2.gif", b"GIF89a...")]
    assert files.at_eof()
    assert await reader.next() is None


async def test_unread_nested_reader_is_released_by_next() -> None:
    reader = MultipartReader(NESTED_CT, chunks_of(NESTED, 5))
    await reader.next()
    files = await reader.next()
    assert isinstance(files, MultipartReader)
    assert await reader.next() is None
    assert files.at_eof()


async def test_nesting_depth_is_limited() -> None:
    reader = MultipartReader(NESTED_CT, NESTED, max_nesting_depth=1)
    with pytest.raises(NestingTooDeep, match="max_nesting_depth=1"):
        await read_all_nested(reader)


async def read_all_nested(reader: MultipartReader) -> int:
    count = 0
    async for part in reader:
        if isinstance(part, MultipartReader):
            count += await read_all_nested(part)
        else:
            await part.release()
            count += 1
    return count


async def test_deeply_nested_bomb_stops_at_default_depth() -> None:
    depth = 50
    body = b""
    for level in range(depth):
        inner = body or b"--b0\r\n\r\nleaf\r\n--b0--"
        body = (
            f"--b{level + 1}\r\nContent-Type: multipart/mixed; boundary=b{level}\r\n\r\n".encode()
            + inner
            + f"\r\n--b{level + 1}--".encode()
        )
    reader = MultipartReader({"Content-Type": f"multipart/mixed; boundary=b{depth}"}, body)
    with pytest.raises(NestingTooDeep, match="max_nesting_depth=4"):
        await read_all_nested(reader)


async def test_reader_limits_are_passed_to_the_parser() -> None:
    body = b"--q\r\n\r\n\r\n" * 6 + b"--q--"
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=q"}, body, max_parts=5)
    with pytest.raises(TooManyParts):
        await read_all(reader)


async def test_truncated_body_raises_from_next_or_read() -> None:
    reader = MultipartReader(CT, chunks_of(FORM[:-30], 8))
    with pytest.raises(IncompleteBody):
        await read_all(reader)


async def test_malformed_body_raises_malformed_body() -> None:
    reader = MultipartReader(CT, FORM.replace(b"\r\n", b"\n"))
    with pytest.raises(MalformedBody):
        await read_all(reader)


async def test_release_reads_everything_and_the_epilogue() -> None:
    source = chunks_of(FORM + b"epilogue bytes", 10)
    reader = MultipartReader(CT, source)
    await reader.next()
    await reader.release()
    assert reader.at_eof()
    assert [c async for c in source] == []
    await reader.release()


class FakeResponse:
    def __init__(self, body: bytes) -> None:
        self.headers = CIMultiDict(CT)
        self.content = chunks_of(body, 16)
        self.released = 0

    async def release(self) -> None:
        self.released += 1


async def test_from_response_releases_the_response_at_the_end() -> None:
    response = FakeResponse(FORM)
    wrapper = MultipartReader.from_response(response)
    names = []
    while not wrapper.at_eof():
        part = await wrapper.next()
        if part is None:
            break
        assert isinstance(part, BodyPartReader)
        names.append(part.name)
    assert names == ["title", "doc", "meta"]
    assert response.released == 1


async def test_from_response_wrapper_is_async_iterable() -> None:
    response = FakeResponse(FORM)
    parts = [part async for part in MultipartReader.from_response(response)]
    assert len(parts) == 3


async def test_json_uses_part_charset() -> None:
    payload = json.dumps({"k": "é"}, ensure_ascii=False).encode("utf-16")
    body = b"--q\r\nContent-Type: application/json; charset=utf-16\r\n\r\n" + payload + b"\r\n--q--"
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=q"}, body)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.json() == {"k": "é"}


async def test_filename_star_and_name_are_read_from_content_disposition() -> None:
    body = (
        b'--q\r\nContent-Disposition: form-data; name="f"; filename="EUR.txt"; '
        b"filename*=UTF-8''%E2%82%AC.txt\r\n\r\nx\r\n--q--"
    )
    reader = MultipartReader({"Content-Type": "multipart/form-data; boundary=q"}, body)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert (part.name, part.filename) == ("f", "€.txt")
    assert "€.txt" in repr(part)


async def test_charset_field_sets_the_default_charset_of_later_text_fields() -> None:
    body = (
        b'--q\r\nContent-Disposition: form-data; name="_charset_"\r\n\r\niso-8859-1\r\n'
        b'--q\r\nContent-Disposition: form-data; name="city"\r\n\r\nZ\xfcrich\r\n'
        b'--q\r\nContent-Disposition: form-data; name="utf"\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nZ\xc3\xbcrich\r\n--q--"
    )
    reader = MultipartReader({"Content-Type": "multipart/form-data; boundary=q"}, body)
    charset = await reader.next()
    assert isinstance(charset, BodyPartReader)
    assert await charset.text() == "iso-8859-1"
    city = await reader.next()
    assert isinstance(city, BodyPartReader)
    assert city.get_charset(default="utf-8") == "iso-8859-1"
    assert await city.text() == "Zürich"
    utf = await reader.next()
    assert isinstance(utf, BodyPartReader)
    assert await utf.text() == "Zürich"


async def test_unknown_charset_field_is_ignored() -> None:
    body = (
        b'--q\r\nContent-Disposition: form-data; name="_charset_"\r\n\r\nno-such-charset\r\n'
        b'--q\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--q--'
    )
    reader = MultipartReader({"Content-Type": "multipart/form-data; boundary=q"}, body)
    parts = [part async for part in reader]
    assert parts[1].get_charset(default="utf-8") == "utf-8"  # type: ignore[union-attr]


async def test_reader_over_a_synchronous_file_object() -> None:
    import io

    assert await read_all(MultipartReader(CT, io.BytesIO(FORM))) == EXPECTED


async def test_reader_over_a_body_part_reader_reads_its_data() -> None:
    inner = b"--in\r\n\r\none\r\n--in\r\n\r\ntwo\r\n--in--"
    body = b"--out\r\nContent-Type: application/octet-stream\r\n\r\n" + inner + b"\r\n--out--"
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=out"}, body)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    nested = MultipartReader({"Content-Type": "multipart/mixed; boundary=in"}, part)
    assert [bytes(await p.read()) async for p in nested] == [b"one", b"two"]  # type: ignore[union-attr]
    await nested.release()  # reads the nested epilogue: the rest of the outer part
    assert part.at_eof()
    assert await reader.next() is None


async def test_form_data_writer_checks_the_name_parameter() -> None:
    from aiohttp_multipart import MultipartWriter

    writer = MultipartWriter("form-data")
    part = writer.append_form_field("ok", "v")
    assert part.headers["Content-Disposition"] == 'form-data; name="ok"'
    from aiohttp_http import StringPayload

    only_filename = StringPayload("x", headers={"Content-Disposition": 'form-data; filename="a"'})
    with pytest.raises(ValueError, match="name="):
        writer.append_payload(only_filename)
