"""Multipart parsing: aiohttp-multipart against python-multipart, streaming-form-data
and aiohttp 3.14.

Two bodies, each fed in 64 KiB chunks:

* ``large``: 10 text fields and 3 file parts of random bytes, 50 MiB in all;
* ``small``: 10,000 small text fields.

Every implementation does the work a web framework does: it learns each
part's name (and file name) from Content-Disposition, keeps text fields as
bytes in a dict and counts the bytes of file parts (streamed, never kept).

Two families of workloads:

* ``(sans-IO)``: synchronous push parsers driven by hand, ours
  (``MultipartParser``) against python-multipart's ``MultipartParser`` with
  callbacks (how Starlette drives it) and streaming-form-data (Cython).
* ``(asyncio)``: async readers over a ``StreamReader`` that a producer task
  fills chunk by chunk, ours (``MultipartReader`` over aiohttp-http's
  ``StreamReader``) against aiohttp 3.14's ``MultipartReader`` over its own.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from _harness import Case, Target

BOUNDARY = "----BenchBoundary7MA4YWxkTrZu0gW"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
CHUNK = 64 * 1024
LARGE_TOTAL = 50 * 1024 * 1024
SMALL_FIELDS = 10_000

LARGE = "10 fields + 3 files, 50 MiB"
SMALL = "10,000 small fields"


def _field(name: str, value: bytes) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value
        + b"\r\n"
    )


def _file(name: str, filename: str, data: bytes) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + data
        + b"\r\n"
    )


def large_body() -> bytes:
    rng = random.Random(20261121)
    pieces = [_field(f"field{i}", f"value number {i} ".encode() * 8) for i in range(10)]
    text_size = sum(len(p) for p in pieces)
    each = (LARGE_TOTAL - text_size) // 3
    for i in range(3):
        pieces.append(_file(f"file{i}", f"upload-{i}.bin", rng.randbytes(each)))
    pieces.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(pieces)


def small_body() -> bytes:
    pieces = [_field(f"f{i}", f"value-{i}".encode()) for i in range(SMALL_FIELDS)]
    pieces.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(pieces)


def chunks_of(body: bytes) -> list[bytes]:
    return [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]


def _check(fields: dict[str, bytes], files: dict[str, int], expect_fields: int) -> dict[str, Any]:
    assert len(fields) == expect_fields, len(fields)
    return {"fields": len(fields), "file_bytes": sum(files.values())}


# -- ours -----------------------------------------------------------------------


def ours_sansio(body: bytes, expect_fields: int) -> Callable[[], Any]:
    from aiohttp_multipart import (
        MultipartParser,
        PartData,
        PartEnd,
        PartStart,
        parse_content_disposition,
    )

    chunks = chunks_of(body)

    def run() -> Any:
        parser = MultipartParser(BOUNDARY, max_parts=SMALL_FIELDS + 10)
        fields: dict[str, bytes] = {}
        files: dict[str, int] = {}
        name = ""
        is_file = False
        buf: list[bytes] = []
        for chunk in chunks:
            for event in parser.feed(chunk):
                kind = type(event)
                if kind is PartData:
                    if is_file:
                        files[name] += len(event.data)  # type: ignore[union-attr]
                    else:
                        buf.append(event.data)  # type: ignore[union-attr]
                elif kind is PartStart:
                    _disp, params = parse_content_disposition(
                        event.headers.get("Content-Disposition")  # type: ignore[union-attr]
                    )
                    name = params["name"]
                    is_file = "filename" in params
                    if is_file:
                        files[name] = 0
                elif kind is PartEnd and not is_file:
                    fields[name] = b"".join(buf)
                    buf.clear()
        parser.feed_eof()
        return _check(fields, files, expect_fields)

    return run


def ours_asyncio(body: bytes, expect_fields: int) -> Callable[[], Any]:
    import asyncio

    from aiohttp_http import BaseProtocol, StreamReader
    from aiohttp_multipart import MultipartReader

    chunks = chunks_of(body)
    headers = {"Content-Type": CONTENT_TYPE}

    async def main() -> Any:
        loop = asyncio.get_running_loop()
        stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)

        async def produce() -> None:
            for chunk in chunks:
                stream.feed_data(chunk)
                await asyncio.sleep(0)
            stream.feed_eof()

        task = asyncio.ensure_future(produce())
        reader = MultipartReader(headers, stream, max_parts=SMALL_FIELDS + 10)
        fields: dict[str, bytes] = {}
        files: dict[str, int] = {}
        async for part in reader:
            name = part.name  # type: ignore[union-attr]
            if part.filename:  # type: ignore[union-attr]
                total = 0
                while data := await part.read_chunk(CHUNK):  # type: ignore[union-attr]
                    total += len(data)
                files[name] = total
            else:
                fields[name] = await part.read()  # type: ignore[union-attr]
        await task
        return _check(fields, files, expect_fields)

    return lambda: asyncio.run(main())


# -- peers ----------------------------------------------------------------------


def python_multipart_sansio(body: bytes, expect_fields: int) -> Callable[[], Any]:
    from python_multipart.multipart import MultipartParser, parse_options_header

    chunks = chunks_of(body)

    def run() -> Any:
        fields: dict[str, bytes] = {}
        files: dict[str, int] = {}
        state: dict[str, Any] = {"field": b"", "value": b"", "headers": {}, "buf": []}

        def on_part_begin() -> None:
            state["headers"] = {}

        def on_header_field(data: bytes, start: int, end: int) -> None:
            state["field"] += data[start:end]

        def on_header_value(data: bytes, start: int, end: int) -> None:
            state["value"] += data[start:end]

        def on_header_end() -> None:
            state["headers"][state["field"].lower()] = state["value"]
            state["field"] = state["value"] = b""

        def on_headers_finished() -> None:
            _disp, options = parse_options_header(state["headers"][b"content-disposition"])
            state["name"] = options[b"name"].decode()
            state["is_file"] = b"filename" in options
            if state["is_file"]:
                files[state["name"]] = 0

        def on_part_data(data: bytes, start: int, end: int) -> None:
            if state["is_file"]:
                files[state["name"]] += end - start
            else:
                state["buf"].append(data[start:end])

        def on_part_end() -> None:
            if not state["is_file"]:
                fields[state["name"]] = b"".join(state["buf"])
                state["buf"] = []

        parser = MultipartParser(
            BOUNDARY,
            {
                "on_part_begin": on_part_begin,
                "on_header_field": on_header_field,
                "on_header_value": on_header_value,
                "on_header_end": on_header_end,
                "on_headers_finished": on_headers_finished,
                "on_part_data": on_part_data,
                "on_part_end": on_part_end,
            },
        )
        for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
        return _check(fields, files, expect_fields)

    return run


def streaming_form_data_sansio(body: bytes, expect_fields: int) -> Callable[[], Any]:
    from streaming_form_data import StreamingFormDataParser
    from streaming_form_data.targets import BaseTarget, ValueTarget

    chunks = chunks_of(body)

    class CountingTarget(BaseTarget):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.total = 0

        def on_data_received(self, chunk: bytes) -> None:
            self.total += len(chunk)

    def run() -> Any:
        parser = StreamingFormDataParser(headers={"Content-Type": CONTENT_TYPE})
        values: dict[str, Any] = {}
        counters: dict[str, Any] = {}
        for i in range(expect_fields if expect_fields == SMALL_FIELDS else 10):
            name = f"f{i}" if expect_fields == SMALL_FIELDS else f"field{i}"
            values[name] = ValueTarget()
            parser.register(name, values[name])
        if expect_fields != SMALL_FIELDS:
            for i in range(3):
                counters[f"file{i}"] = CountingTarget()
                parser.register(f"file{i}", counters[f"file{i}"])
        for chunk in chunks:
            parser.data_received(chunk)
        fields = {name: target.value for name, target in values.items()}
        files = {name: target.total for name, target in counters.items()}
        return _check(fields, files, expect_fields)

    return run


def aiohttp_asyncio(body: bytes, expect_fields: int) -> Callable[[], Any]:
    import asyncio

    import aiohttp
    from aiohttp.base_protocol import BaseProtocol

    chunks = chunks_of(body)
    headers = {"Content-Type": CONTENT_TYPE}

    class Transport(asyncio.Transport):
        def pause_reading(self) -> None:
            pass

        def resume_reading(self) -> None:
            pass

    async def main() -> Any:
        loop = asyncio.get_running_loop()
        protocol = BaseProtocol(loop)
        protocol.connection_made(Transport())  # aiohttp's reads need a live connection
        stream = aiohttp.StreamReader(protocol, 2**16, loop=loop)

        async def produce() -> None:
            for chunk in chunks:
                stream.feed_data(chunk)
                await asyncio.sleep(0)
            stream.feed_eof()

        task = asyncio.ensure_future(produce())
        reader = aiohttp.MultipartReader(headers, stream)
        fields: dict[str, bytes] = {}
        files: dict[str, int] = {}
        while (part := await reader.next()) is not None:
            name = part.name
            if part.filename:
                total = 0
                while data := await part.read_chunk(CHUNK):
                    total += len(data)
                files[name] = total
            else:
                fields[name] = await part.read()
        await task
        return _check(fields, files, expect_fields)

    return lambda: asyncio.run(main())


def cases() -> list[Case]:
    large_sansio = f"{LARGE} (sans-IO)"
    large_async = f"{LARGE} (asyncio)"
    small_sansio = f"{SMALL} (sans-IO)"
    small_async = f"{SMALL} (asyncio)"
    out: list[Case] = []
    for workload, builder, expect, nbytes_hint in (
        (large_sansio, large_body, 10, LARGE_TOTAL),
        (small_sansio, small_body, SMALL_FIELDS, 0),
    ):
        for impl, side, factory in (
            ("ours", "ours", ours_sansio),
            ("python-multipart", "peers", python_multipart_sansio),
            ("streaming-form-data", "peers", streaming_form_data_sansio),
        ):
            out.append(
                Case(
                    workload,
                    impl,
                    side,  # type: ignore[arg-type]
                    lambda f=factory, b=builder, e=expect: f(b(), e),
                    ops=1 if nbytes_hint else SMALL_FIELDS,
                    nbytes=nbytes_hint,
                )
            )
    for workload, builder, expect, nbytes_hint in (
        (large_async, large_body, 10, LARGE_TOTAL),
        (small_async, small_body, SMALL_FIELDS, 0),
    ):
        for impl, side, factory in (
            ("ours", "ours", ours_asyncio),
            ("aiohttp", "peers", aiohttp_asyncio),
        ):
            out.append(
                Case(
                    workload,
                    impl,
                    side,  # type: ignore[arg-type]
                    lambda f=factory, b=builder, e=expect: f(b(), e),
                    ops=1 if nbytes_hint else SMALL_FIELDS,
                    nbytes=nbytes_hint,
                )
            )
    return out


# The targets, in wall time (the default) and in CPU time: the machine
# the tables come from shares two cores with other work, which inflates wall
# times at random; CPU time is the steadier measure of a single-threaded parser.
TARGETS = [
    Target(workload, peer, ratio, metric)
    for workload, peer, ratio in (
        (f"{LARGE} (sans-IO)", "python-multipart", 1.0),
        (f"{SMALL} (sans-IO)", "python-multipart", 1.5),
        (f"{SMALL} (asyncio)", "aiohttp", 1.5),
    )
    for metric in ("wall", "cpu")
]
