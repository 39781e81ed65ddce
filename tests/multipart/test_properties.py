"""Property tests: anything written is read back equal, whatever the chunking."""

from __future__ import annotations

import asyncio
import io
import string
from collections.abc import AsyncIterator

from hypothesis import given, settings
from hypothesis import strategies as st

from aiohttp_multipart import (
    BodyPartReader,
    FormData,
    MultipartParser,
    MultipartReader,
    MultipartWriter,
    PartData,
    PartStart,
)

BCHARS = string.ascii_letters + string.digits + "'()+_,-./:=?"
boundaries = st.text(BCHARS, min_size=1, max_size=70)
header_values = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f"), max_size=40
).map(str.strip)
part_headers = st.dictionaries(
    st.sampled_from(["X-One", "X-Two", "Content-Type", "Content-Language", "X-Three"]),
    header_values,
    max_size=3,
)
datas = st.one_of(
    st.binary(max_size=600),
    st.lists(st.sampled_from([b"\r", b"\n", b"-", b"\r\n--", b"x", b"\r\n\r\n"]), max_size=80).map(
        b"".join
    ),
)
parts_strategy = st.lists(st.tuples(part_headers, datas), min_size=1, max_size=6)
splits = st.lists(st.integers(min_value=1, max_value=97), min_size=1, max_size=20)


async def chunked(data: bytes, sizes: list[int]) -> AsyncIterator[bytes]:
    pos = 0
    index = 0
    while pos < len(data):
        size = sizes[index % len(sizes)]
        yield data[pos : pos + size]
        pos += size
        index += 1


def write(
    boundary: str, parts: list[tuple[dict[str, str], bytes]]
) -> tuple[MultipartWriter, bytes]:
    writer = MultipartWriter("mixed", boundary=boundary)
    for headers, data in parts:
        writer.append(data, headers)
    return writer, asyncio.run(writer.as_bytes())


def acceptable(boundary: str, parts: list[tuple[dict[str, str], bytes]]) -> bool:
    # A writer cannot use a boundary that occurs in the data (RFC 2046 §5.1.1).
    delimiter = b"\r\n--" + boundary.encode()
    return all(delimiter not in b"\r\n" + data + b"\r\n" for _, data in parts)


@settings(max_examples=200, deadline=None)
@given(boundary=boundaries, parts=parts_strategy, sizes=splits)
def test_written_parts_read_back_equal(
    boundary: str, parts: list[tuple[dict[str, str], bytes]], sizes: list[int]
) -> None:
    if not acceptable(boundary, parts):
        return
    writer, body = write(boundary, parts)
    assert writer.size == len(body)

    async def read() -> list[tuple[dict[str, str], bytes]]:
        reader = MultipartReader(writer.headers, chunked(body, sizes))
        out = []
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            headers = {k: v for k, v in part.headers.items() if k != "Content-Length"}
            out.append((headers, bytes(await part.read())))
        return out

    expected = []
    for headers, data in parts:
        full = {"Content-Type": "application/octet-stream", **headers}
        expected.append((full, data))
    assert asyncio.run(read()) == expected


@settings(max_examples=200, deadline=None)
@given(boundary=boundaries, parts=parts_strategy, sizes=splits)
def test_parser_events_do_not_depend_on_chunking(
    boundary: str, parts: list[tuple[dict[str, str], bytes]], sizes: list[int]
) -> None:
    if not acceptable(boundary, parts):
        return
    _writer, body = write(boundary, parts)

    def fold(chunks: list[bytes]) -> list[tuple[list[tuple[str, str]], bytes]]:
        parser = MultipartParser(boundary)
        out: list[tuple[list[tuple[str, str]], bytes]] = []
        for chunk in chunks:
            for event in parser.feed(chunk):
                if isinstance(event, PartStart):
                    out.append((list(event.headers.items()), b""))
                elif isinstance(event, PartData):
                    out[-1] = (out[-1][0], out[-1][1] + bytes(event.data))
        parser.feed_eof()
        assert parser.finished
        return out

    pieces = []
    pos = 0
    index = 0
    while pos < len(body):
        pieces.append(body[pos : pos + sizes[index % len(sizes)]])
        pos += sizes[index % len(sizes)]
        index += 1
    assert fold(pieces) == fold([body])
    assert [data for _, data in fold([body])] == [data for _, data in parts]


field_names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    fields=st.lists(
        st.tuples(
            field_names, st.one_of(st.text(max_size=50), st.binary(max_size=200)), st.booleans()
        ),
        min_size=1,
        max_size=8,
    )
)
def test_formdata_fields_read_back_equal(fields: list[tuple[str, str | bytes, bool]]) -> None:
    form = FormData(default_to_multipart=True)
    expected = []
    for name, value, as_file in fields:
        text = value.encode() if isinstance(value, str) else value
        if as_file or isinstance(value, bytes):
            form.add_field(name, io.BytesIO(text), filename=name + ".bin")
            expected.append((name, name + ".bin", text))
        else:
            form.add_field(name, value)
            expected.append((name, None, text))

    async def read() -> list[tuple[str | None, str | None, bytes]]:
        payload = form()
        reader = MultipartReader(payload.headers, await payload.as_bytes())
        return [
            (part.name, part.filename, bytes(await part.read()))  # type: ignore[union-attr]
            async for part in reader
        ]

    assert asyncio.run(read()) == expected


VALID_BODY = (
    b'--fz\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n'
    b"--fz\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n"
    b"--in\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na=3Db\r\n--in--\r\n"
    b"--fz\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD\r\n--fz--\r\n"
)


@settings(max_examples=200, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(VALID_BODY)), st.integers(0, 4), st.binary(max_size=6)),
        max_size=4,
    ),
    sizes=splits,
)
def test_mutated_bodies_parse_or_raise_multipart_error(
    edits: list[tuple[int, int, bytes]], sizes: list[int]
) -> None:
    from aiohttp_multipart import MultipartError

    body = VALID_BODY
    for at, cut, insert in edits:
        body = body[:at] + insert + body[at + cut :]

    async def consume() -> None:
        reader = MultipartReader(
            {"Content-Type": "multipart/form-data; boundary=fz"}, chunked(body, sizes)
        )
        async for part in reader:
            if isinstance(part, MultipartReader):
                async for inner in part:
                    await inner.read(decode=True)  # type: ignore[union-attr]
            else:
                await part.read(decode=True)
        await reader.release()

    try:
        asyncio.run(consume())
    except MultipartError:
        pass
