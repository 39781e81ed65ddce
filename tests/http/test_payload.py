"""Payload types: sizes, headers, write output, content types, streaming and the registry."""

from __future__ import annotations

import asyncio
import io
import json
import os
import pathlib
import warnings
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

import pytest

from aiohttp_http import (
    DEFAULT_READ_CHUNK_SIZE,
    PAYLOAD_REGISTRY,
    AsyncIterablePayload,
    BaseProtocol,
    BufferedReaderPayload,
    BytesIOPayload,
    BytesPayload,
    IOBasePayload,
    JsonPayload,
    Order,
    Payload,
    PayloadLookupError,
    PayloadRegistry,
    StreamReader,
    StreamReaderPayload,
    StreamWrapperPayload,
    StringIOPayload,
    StringPayload,
    TextIOPayload,
    get_payload,
    payload_type,
    register_payload,
    streamer,
)

T = TypeVar("T")
TIMEOUT = 10.0


async def bounded(aw: Awaitable[T]) -> T:
    return await asyncio.wait_for(aw, TIMEOUT)


class CollectingWriter:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    async def write(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


async def written(payload: Payload) -> bytes:
    writer = CollectingWriter()
    await bounded(payload.write(writer))
    return writer.data


# --- bytes and strings -----------------------------------------------------------------------


async def test_bytes_payload_size_headers_and_output() -> None:
    payload = BytesPayload(b"\x00\x01binary")
    assert payload.size == 8
    assert payload.content_type == "application/octet-stream"
    assert payload.encoding is None
    assert payload.filename is None
    assert await written(payload) == b"\x00\x01binary"
    assert await bounded(payload.as_bytes()) == b"\x00\x01binary"


async def test_bytes_payload_accepts_bytearray_and_memoryview() -> None:
    assert BytesPayload(bytearray(b"abc")).size == 3
    view = memoryview(b"abcd").cast("B", shape=[2, 2])
    payload = BytesPayload(view)
    assert payload.size == 4
    assert await written(payload) == b"abcd"


def test_bytes_payload_refuses_text() -> None:
    with pytest.raises(TypeError, match="byte-ish"):
        BytesPayload("text")  # type: ignore[arg-type]


def test_bytes_payload_decode_prefers_own_encoding() -> None:
    assert BytesPayload("é".encode("latin-1"), encoding="latin-1").decode() == "é"
    assert BytesPayload(b"abc").decode("ascii") == "abc"


async def test_string_payload_defaults_to_utf8_text_plain() -> None:
    payload = StringPayload("héllo")
    assert payload.content_type == "text/plain; charset=utf-8"
    assert payload.encoding == "utf-8"
    assert payload.size == len("héllo".encode())
    assert await written(payload) == "héllo".encode()
    assert payload.decode() == "héllo"


def test_string_payload_encoding_from_argument_or_content_type() -> None:
    latin = StringPayload("é", encoding="latin-1")
    assert latin.content_type == "text/plain; charset=latin-1"
    assert latin.size == 1
    from_type = StringPayload("é", content_type="text/html; charset=latin-1")
    assert from_type.encoding == "latin-1"
    assert from_type.content_type == "text/html; charset=latin-1"
    no_charset = StringPayload("é", content_type="text/csv")
    assert no_charset.encoding == "utf-8"
    both = StringPayload("é", encoding="utf-16", content_type="text/x-custom")
    assert both.content_type == "text/x-custom"
    with pytest.raises(TypeError, match="str"):
        StringPayload(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(UnicodeEncodeError):
        StringPayload("€", encoding="latin-1")


def test_string_io_payload_reads_from_current_position() -> None:
    buffer = io.StringIO("skip:keep")
    buffer.read(5)
    payload = StringIOPayload(buffer)
    assert payload.decode() == "keep"
    assert payload.size == 4


async def test_json_payload_uses_dumps_and_encoding() -> None:
    payload = JsonPayload({"a": [1, "é"]})
    assert payload.content_type == "application/json"
    assert json.loads(await written(payload)) == {"a": [1, "é"]}
    custom = JsonPayload({"x": 1}, dumps=lambda obj: "custom", content_type="application/vnd+json")
    assert await written(custom) == b"custom"
    assert custom.content_type == "application/vnd+json"
    utf16 = JsonPayload("é", encoding="utf-16")
    assert utf16.decode() == '"\\u00e9"'


# --- headers and content types ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("report.pdf", "application/pdf"),
        ("picture.png", "image/png"),
        ("notes.txt", "text/plain"),
        ("data.json", "application/json"),
        ("no-extension", "application/octet-stream"),
        ("archive.unknownext", "application/octet-stream"),
    ],
)
def test_content_type_is_guessed_from_filename(filename: str, content_type: str) -> None:
    assert BytesPayload(b"", filename=filename).content_type == content_type


def test_explicit_content_type_and_headers_win() -> None:
    payload = BytesPayload(b"x", filename="a.png", content_type="image/x-custom")
    assert payload.content_type == "image/x-custom"
    overridden = BytesPayload(b"x", headers={"Content-Type": "text/x-h", "X-Extra": "1"})
    assert overridden.content_type == "text/x-h"
    assert overridden.headers["x-extra"] == "1"
    pairs = BytesPayload(b"x", headers=[("X-A", "1"), ("X-A", "2")])
    assert pairs.headers.getall("X-A") == ["1", "2"]


def test_unknown_keyword_arguments_are_accepted_like_aiohttp() -> None:
    payload = get_payload(b"x", disposition="inline", something_else=1)
    assert payload.size == 1


def test_set_content_disposition_generates_rfc6266_header() -> None:
    payload = BytesPayload(b"x")
    payload.set_content_disposition("attachment", filename="naïve file.txt")
    assert payload.headers["Content-Disposition"] == (
        "attachment; filename=\"na_ve file.txt\"; filename*=utf-8''na%C3%AFve%20file.txt"
    )
    with pytest.raises(ValueError, match="type"):
        payload.set_content_disposition("bad type")


def test_binary_headers_serialises_part_headers() -> None:
    payload = StringPayload("v")
    payload.set_content_disposition("form-data", name="field")
    assert payload.binary_headers == (
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b'Content-Disposition: form-data; name="field"\r\n\r\n'
    )
    assert payload._binary_headers == payload.binary_headers
    payload.headers["X-Evil"] = "a\r\nInjected: 1"
    with pytest.raises(ValueError, match="X-Evil"):
        _ = payload.binary_headers


# --- file objects ----------------------------------------------------------------------------


class RecordingReader(io.BufferedReader):
    """A binary file that records every read size (to prove streaming)."""

    def __init__(self, raw: io.RawIOBase) -> None:
        super().__init__(raw)
        self.sizes: list[int | None] = []

    def read(self, size: int | None = -1) -> bytes:
        self.sizes.append(size)
        return super().read(size)


async def test_buffered_reader_payload_streams_a_large_file_in_bounded_chunks(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "large.bin"
    block = bytes(range(256)) * 4096  # 1 MiB
    with path.open("wb") as out:
        for _ in range(5):
            out.write(block)
        out.write(b"tail")
    expected_size = 5 * len(block) + 4
    with RecordingReader(io.FileIO(path, "rb")) as reader:
        payload = get_payload(reader)
        assert isinstance(payload, BufferedReaderPayload)
        assert payload.size == expected_size
        assert payload.filename == "large.bin"
        assert payload.content_type == "application/octet-stream"
        assert payload.headers["Content-Disposition"] == 'attachment; filename="large.bin"'
        writer = CollectingWriter()
        await bounded(payload.write(writer))
        assert sum(len(c) for c in writer.chunks) == expected_size
        assert max(len(c) for c in writer.chunks) <= DEFAULT_READ_CHUNK_SIZE
        assert len(writer.chunks) >= expected_size // DEFAULT_READ_CHUNK_SIZE
        # Never a whole-file read: every call asked for one bounded chunk.
        assert reader.sizes
        assert all(size == DEFAULT_READ_CHUNK_SIZE for size in reader.sizes)
        assert writer.data[-4:] == b"tail"


async def test_file_payload_custom_chunk_size_and_rewrite_from_start(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"header\n" + b"1,2\n" * 100)
    with path.open("rb") as file:
        file.read(7)  # the body starts after the header line
        payload = BufferedReaderPayload(file, chunk_size=10)
        assert payload.size == 400
        assert payload.content_type == "text/csv"
        first = CollectingWriter()
        await bounded(payload.write(first))
        assert first.data == b"1,2\n" * 100
        assert max(len(c) for c in first.chunks) == 10
        # A redirect re-sends the body: it starts again at the original position.
        assert await written(payload) == first.data
        assert payload.decode() == "1,2\n" * 100
    with pytest.raises(ValueError, match="chunk_size"):
        BufferedReaderPayload(io.BufferedReader(io.BytesIO(b"")), chunk_size=0)


async def test_file_payload_close_closes_the_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"abc")
    file = path.open("rb")
    payload = get_payload(file, disposition=None)
    assert "Content-Disposition" not in payload.headers
    assert isinstance(payload, IOBasePayload)
    payload.close()
    assert file.closed


async def test_bytes_io_payload_size_from_position_and_streaming() -> None:
    buffer = io.BytesIO(b"0123456789")
    buffer.seek(3)
    payload = get_payload(buffer)
    assert isinstance(payload, BytesIOPayload)
    assert payload.size == 7
    assert payload.filename is None
    assert "Content-Disposition" not in payload.headers
    assert await written(payload) == b"3456789"
    assert await bounded(payload.as_bytes()) == b"3456789"


async def test_text_io_payload_encodes_incrementally(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "text.txt"
    path.write_text("αβγ" * 10000, encoding="utf-8")
    with path.open("r", encoding="utf-8") as file:
        payload = get_payload(file, encoding="utf-16", chunk_size=1000)
        assert isinstance(payload, TextIOPayload)
        assert payload.size is None
        assert payload.content_type == "text/plain; charset=utf-16"
        assert payload.headers["Content-Disposition"] == 'attachment; filename="text.txt"'
        writer = CollectingWriter()
        await bounded(payload.write(writer))
        assert len(writer.chunks) >= 30
        assert writer.data.decode("utf-16") == "αβγ" * 10000  # a single BOM
        assert payload.decode() == "αβγ" * 10000


async def test_generic_io_base_payload_refuses_text_reads() -> None:
    class TextOnly(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> str:
            return "text"

    payload = IOBasePayload(TextOnly())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="TextIOPayload"):
        await written(payload)


# --- async iterables and stream readers ------------------------------------------------------


async def test_async_iterable_payload_writes_chunks_once() -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"a"
        yield b""
        yield bytearray(b"b")  # type: ignore[misc]
        yield b"c"

    payload = get_payload(gen())
    assert isinstance(payload, AsyncIterablePayload)
    assert payload.size is None
    assert await written(payload) == b"abc"
    with pytest.raises(RuntimeError, match="already consumed"):
        await written(payload)
    with pytest.raises(TypeError, match="as_bytes"):
        payload.decode()


async def test_async_iterable_payload_refuses_bad_values() -> None:
    with pytest.raises(TypeError, match="AsyncIterable"):
        AsyncIterablePayload([b"x"])  # type: ignore[arg-type]

    async def bad() -> AsyncIterator[Any]:
        yield "text"

    with pytest.raises(TypeError, match="expected bytes"):
        await written(AsyncIterablePayload(bad()))


async def test_async_iterable_as_bytes_collects_everything() -> None:
    async def gen() -> AsyncIterator[bytes]:
        for i in range(3):
            yield b"%d" % i

    assert await bounded(AsyncIterablePayload(gen()).as_bytes()) == b"012"


async def test_stream_reader_payload_forwards_a_stream() -> None:
    loop = asyncio.get_running_loop()
    stream = StreamReader(BaseProtocol(loop), 1024, loop=loop)
    stream.feed_data(b"forwarded ")
    stream.feed_data(b"body")
    stream.feed_eof()
    payload = get_payload(stream)
    assert isinstance(payload, StreamReaderPayload)
    assert await written(payload) == b"forwarded body"


async def test_streamer_decorator_is_deprecated_and_works() -> None:
    with pytest.warns(DeprecationWarning, match="streamer"):

        @streamer
        async def produce(writer: Any, count: int, *, prefix: bytes) -> None:
            for i in range(count):
                await writer.write(prefix + b"%d" % i)

    payload = get_payload(produce(3, prefix=b"n"))
    assert isinstance(payload, StreamWrapperPayload)
    assert await written(payload) == b"n0n1n2"
    with pytest.raises(TypeError, match="decoded"):
        payload.decode()


# --- registry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"x", BytesPayload),
        (bytearray(b"x"), BytesPayload),
        (memoryview(b"x"), BytesPayload),
        ("x", StringPayload),
        (io.StringIO("x"), StringIOPayload),
        (io.BytesIO(b"x"), BytesIOPayload),
    ],
)
def test_registry_picks_the_payload_type(value: object, expected: type[Payload]) -> None:
    assert type(get_payload(value)) is expected


def test_registry_returns_payloads_unchanged_and_refuses_unknown_types() -> None:
    payload = BytesPayload(b"x")
    assert get_payload(payload) is payload
    with pytest.raises(PayloadLookupError, match="int"):
        get_payload(42)
    assert issubclass(PayloadLookupError, LookupError)


def test_registry_order_try_first_normal_try_last() -> None:
    registry = PayloadRegistry()

    class Base:
        pass

    class Child(Base):
        pass

    def make(tag: str) -> Any:
        return lambda value, *a, **k: BytesPayload(tag.encode())

    registry.register(make("last"), object, order=Order.try_last)
    registry.register(make("normal-base"), Base)
    registry.register(make("normal-child"), Child)
    assert registry.get(Child())._value == b"normal-base"
    assert registry.get(3)._value == b"last"
    registry.register(make("first"), Child, order=Order.try_first)
    assert registry.get(Child())._value == b"first"
    assert registry.get(Base())._value == b"normal-base"
    with pytest.raises(ValueError, match="order"):
        registry.register(make("x"), int, order="sideways")  # type: ignore[arg-type]


def test_register_payload_and_payload_type_decorator_use_the_global_registry() -> None:
    class Marker:
        pass

    class MarkerPayload(BytesPayload):
        def __init__(self, value: Marker, *args: Any, **kwargs: Any) -> None:
            super().__init__(b"marker", *args, **kwargs)

    register_payload(MarkerPayload, Marker)
    assert isinstance(get_payload(Marker()), MarkerPayload)

    class Other:
        pass

    @payload_type(Other, order=Order.try_first)
    class OtherPayload(BytesPayload):
        def __init__(self, value: Other, *args: Any, **kwargs: Any) -> None:
            super().__init__(b"other", *args, **kwargs)

    assert isinstance(PAYLOAD_REGISTRY.get(Other()), OtherPayload)


def test_importing_payloads_emits_no_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_payload(b"x")


async def test_unseekable_file_payload_can_be_sent_once_only() -> None:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"piped data")
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        payload = get_payload(pipe)
        assert isinstance(payload, BufferedReaderPayload)
        assert payload.size is None  # a pipe has no usable size
        assert await written(payload) == b"piped data"
        with pytest.raises(RuntimeError, match="not seekable"):
            await written(payload)
