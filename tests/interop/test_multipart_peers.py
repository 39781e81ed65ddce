"""Interop: bodies written by httpx parse here; bodies written here parse in
python-multipart; both parsers agree on the same bodies, field for field."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_multipart.multipart import MultipartParser as PeerParser
from python_multipart.multipart import parse_options_header

from aiohttp_multipart import (
    BodyPartReader,
    FormData,
    MultipartReader,
    MultipartWriter,
    parse_content_type,
)

pytestmark = pytest.mark.interop

Field = tuple[str, str | None, bytes]


def peer_parse(content_type: str, body: bytes, chunk: int = 1 << 20) -> list[Field]:
    """Parse with python-multipart's low-level parser into (name, filename, data)."""
    _ctype, params = parse_options_header(content_type)
    parts: list[dict[str, Any]] = []
    header: dict[str, bytes] = {"field": b"", "value": b""}

    def on_part_begin() -> None:
        parts.append({"headers": {}, "data": b""})

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header["value"] += data[start:end]

    def on_header_end() -> None:
        parts[-1]["headers"][header["field"].lower()] = header["value"]
        header["field"] = header["value"] = b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1]["data"] += data[start:end]

    parser = PeerParser(
        params[b"boundary"],
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
        },
        max_header_count=16,
    )
    for pos in range(0, len(body), chunk):
        parser.write(body[pos : pos + chunk])
    parser.finalize()
    fields = []
    for part in parts:
        _disp, options = parse_options_header(part["headers"][b"content-disposition"])
        filename = options.get(b"filename")
        fields.append(
            (
                options[b"name"].decode(),
                filename.decode() if filename is not None else None,
                part["data"],
            )
        )
    return fields


async def our_parse(content_type: str, body: bytes, chunk: int = 1 << 20) -> list[Field]:
    async def chunks() -> Any:
        for pos in range(0, len(body), chunk):
            yield body[pos : pos + chunk]

    reader = MultipartReader({"Content-Type": content_type}, chunks())
    fields: list[Field] = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        assert part.name is not None
        fields.append((part.name, part.filename, bytes(await part.read())))
    return fields


def httpx_body(data: dict[str, Any], files: list[tuple[str, Any]]) -> tuple[str, bytes]:
    request = httpx.Request("POST", "http://example.invalid/", data=data, files=files)
    return request.headers["Content-Type"], request.read()


FILES = [
    ("upload", ("report.pdf", b"%PDF-1.4\r\n--not a boundary\r\n" * 200, "application/pdf")),
    ("upload", ("résumé 2026.txt", "ünïcode body\r\n".encode() * 50, "text/plain")),
    ("empty", ("empty.bin", b"", "application/octet-stream")),
    ("crlf", ("crlf.bin", b"\r\n" * 3000 + b"\r" * 100 + b"\n" * 100, "application/octet-stream")),
]
DATA = {"title": "Quarterly report", "note": "line 1\r\nline 2", "ünicode": "ça va"}


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
async def test_httpx_bodies_parse_here_field_for_field(chunk: int) -> None:
    content_type, body = httpx_body(DATA, FILES)
    fields = await our_parse(content_type, body, chunk)
    expected = [(k, None, v.encode()) for k, v in DATA.items()]
    for name, (filename, content, _ctype) in FILES:
        expected.append((name, filename, content))
    assert fields == expected


async def test_httpx_bodies_agree_with_python_multipart() -> None:
    content_type, body = httpx_body(DATA, FILES)
    assert await our_parse(content_type, body) == peer_parse(content_type, body, 333)


@pytest.mark.parametrize("chunk", [1, 64, 1 << 20])
async def test_our_formdata_bodies_parse_in_python_multipart(chunk: int) -> None:
    form = FormData(quote_fields=False)
    form.add_field("title", "Quarterly report")
    form.add_field("ünicode", "ça va")
    for name, (filename, content, ctype) in FILES:
        form.add_field(name, io.BytesIO(content), filename=filename, content_type=ctype)
    payload = form()
    body = await payload.as_bytes()
    fields = peer_parse(payload.headers["Content-Type"], body, chunk)
    expected: list[Field] = [
        ("title", None, b"Quarterly report"),
        ("ünicode", None, "ça va".encode()),
    ]
    expected += [(name, filename, content) for name, (filename, content, _c) in FILES]
    assert fields == expected


async def test_our_writer_with_filename_star_still_gives_peers_the_plain_name() -> None:
    form = FormData()  # quote_fields=True adds filename*, keeps filename="…" in UTF-8
    form.add_field("f", io.BytesIO(b"x"), filename="naïve.txt")
    payload = form()
    body = await payload.as_bytes()
    assert peer_parse(payload.headers["Content-Type"], body) == [("f", "naïve.txt", b"x")]
    assert await our_parse(payload.headers["Content-Type"], body) == [("f", "naïve.txt", b"x")]


async def test_our_nested_and_big_bodies_agree_with_python_multipart() -> None:
    writer = MultipartWriter("form-data")
    big = bytes(range(256)) * 4096
    writer.append_form_field("big", big, filename="big.bin")
    writer.append_form_field("small", "v")
    body = await writer.as_bytes()
    content_type = writer.headers["Content-Type"]
    assert peer_parse(content_type, body, 65536) == await our_parse(content_type, body, 65536)


names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\%'),
    min_size=1,
    max_size=15,
)


@settings(max_examples=100, deadline=None)
@given(
    data=st.dictionaries(names, st.text(max_size=40), max_size=4),
    files=st.lists(st.tuples(names, names, st.binary(max_size=300)), max_size=4),
)
def test_random_httpx_bodies_agree_between_python_multipart_and_us(
    data: dict[str, str], files: list[tuple[str, str, bytes]]
) -> None:
    if not data and not files:
        return
    file_args = [
        (name, (fname, content, "application/octet-stream")) for name, fname, content in files
    ]
    content_type, body = httpx_body(data, file_args)
    if not parse_content_type(content_type)[0].startswith("multipart/"):
        return
    ours = asyncio.run(our_parse(content_type, body, 17))
    assert ours == peer_parse(content_type, body, 17)
    assert [f[0] for f in ours] == list(data) + [name for name, _, _ in files]
