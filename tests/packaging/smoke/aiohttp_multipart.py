"""Smoke test of an installed aiohttp_multipart: run in a fresh environment by the packaging tests.

FormData writes a form with a non-ASCII file name; the async reader reads it
back from an async iterator of small chunks; the sans-IO parser refuses a
body without its closing boundary.
"""

import asyncio

import aiohttp_multipart
from aiohttp_multipart import (
    FormData,
    IncompleteBody,
    MultipartParser,
    MultipartReader,
    MultipartWriter,
)

for name in aiohttp_multipart.__all__:
    assert hasattr(aiohttp_multipart, name), name


async def main() -> None:
    form = FormData()
    form.add_field("title", "a report")
    form.add_field(
        "file", b"\x00\xff" * 40000, filename="résumé.bin", content_type="application/octet-stream"
    )
    payload = form()
    assert isinstance(payload, MultipartWriter)
    body = b"".join([chunk async for chunk in payload.serialize()])

    async def chunks():
        for i in range(0, len(body), 1000):
            yield body[i : i + 1000]

    reader = MultipartReader({"Content-Type": payload.content_type}, chunks())
    seen = {}
    async for part in reader:
        seen[part.name] = (part.filename, await part.read())
    assert seen["title"] == (None, b"a report"), seen["title"]
    assert seen["file"] == ("résumé.bin", b"\x00\xff" * 40000)

    parser = MultipartParser("xyz")
    parser.feed(b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\nunfinished")
    try:
        parser.feed_eof()
    except IncompleteBody:
        pass
    else:
        raise AssertionError("a body without its closing boundary must be refused")


asyncio.run(main())
print("aiohttp_multipart smoke ok")
