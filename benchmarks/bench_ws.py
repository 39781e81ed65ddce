"""WebSocket framing: parse and serialise frames, ours against aiohttp, websockets, wsproto.

Workloads (every implementation gets exactly the same bytes, in the same
chunks, as a socket would deliver them):

* ``parse small unmasked``: 100,000 small TEXT frames as a client receives
  them, fed in 64 KiB chunks, decoded into messages.
* ``parse small masked``: the same frames masked, as a server receives them.
* ``parse 16MiB binary``: four 16 MiB unmasked BINARY frames fed in 256 KiB
  chunks.
* ``write small masked``: serialise 100,000 small masked TEXT frames.
* ``write 16MiB masked``: serialise four 16 MiB masked BINARY frames.

Ours is the sans-IO engine (``WebSocketParser`` / ``WebSocketSerializer``);
``ours-asyncio`` drives the same parser through our asyncio ``WebSocketReader``
and ``WebSocketDataQueue`` and reads every message back from the queue, which
is exactly how the aiohttp reader has to be driven. aiohttp 3.14's reader is driven through its ``WebSocketReader`` and
``WebSocketDataQueue`` (with its C reader, and pure Python with
``AIOHTTP_NO_EXTENSIONS=1``), its writer through ``WebSocketWriter`` over an
in-memory transport; websockets through its sans-IO ``Protocol`` (reading)
and ``Frame.serialize`` (writing); wsproto through ``Connection``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from _harness import Case, Target

SMALL_COUNT = 100_000
SMALL_PAYLOAD = b'{"type": "tick", "seq": 12345, "ok": true}'
SMALL_CHUNK = 65536
BIG_COUNT = 4
BIG_SIZE = 16 * 2**20
BIG_CHUNK = 262144
NO_EXT = {"AIOHTTP_NO_EXTENSIONS": "1"}


def _frame(payload: bytes, opcode: int, masked: bool) -> bytes:
    """An independent, obviously correct frame builder for the inputs."""
    n = len(payload)
    head = bytes([0x80 | opcode])
    bit = 0x80 if masked else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    key = os.urandom(4)
    masked_payload = (
        int.from_bytes(payload, "little") ^ int.from_bytes((key * (n // 4 + 1))[:n], "little")
    ).to_bytes(n, "little")
    return head + key + masked_payload


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def _small_stream(masked: bool) -> list[bytes]:
    return _chunks(
        b"".join(_frame(SMALL_PAYLOAD, 1, masked) for _ in range(SMALL_COUNT)), SMALL_CHUNK
    )


def _big_stream() -> list[bytes]:
    payload = os.urandom(BIG_SIZE)
    return _chunks(_frame(payload, 2, False) * BIG_COUNT, BIG_CHUNK)


def _check(got: int, want: int) -> dict[str, Any]:
    if got != want:
        raise AssertionError(f"decoded {got} messages, expected {want}")
    return {}


# --- readers ------------------------------------------------------------------


def _ours_reader(chunks: list[bytes], want: int, is_server: bool) -> Callable[[], Any]:
    from aiohttp_ws import WebSocketParser

    def run() -> dict[str, Any]:
        parser = WebSocketParser(is_server=is_server, max_msg_size=0)
        feed = parser.feed_data
        count = 0
        for chunk in chunks:
            count += len(feed(chunk))
        return _check(count, want)

    return run


def _ours_asyncio_reader(chunks: list[bytes], want: int, is_server: bool) -> Callable[[], Any]:
    """Ours through the asyncio adapter and its queue, like aiohttp's reader is driven."""
    import asyncio

    from aiohttp_ws import WebSocketDataQueue, WebSocketReader

    class Flow:
        def pause_reading(self) -> None:
            pass

        def resume_reading(self) -> None:
            pass

    loop = asyncio.new_event_loop()

    def run() -> dict[str, Any]:
        queue = WebSocketDataQueue(Flow(), 2**30, loop=loop)
        reader = WebSocketReader(queue, 0, False, is_server=is_server)
        feed = reader.feed_data
        for chunk in chunks:
            feed(chunk)

        async def drain() -> int:
            count = 0
            for _ in range(want):
                await queue.read()
                count += 1
            return count

        return _check(loop.run_until_complete(drain()), want)

    return run


def _aiohttp_reader(chunks: list[bytes], want: int) -> Callable[[], Any]:
    import asyncio

    from aiohttp._websocket.reader import WebSocketDataQueue, WebSocketReader

    class Protocol:
        _reading_paused = False

        def pause_reading(self) -> None:
            self._reading_paused = True

        def resume_reading(self) -> None:
            self._reading_paused = False

    loop = asyncio.new_event_loop()

    def run() -> dict[str, Any]:
        queue = WebSocketDataQueue(Protocol(), 2**30, loop=loop)
        reader = WebSocketReader(queue, 0, False, True)
        feed = reader.feed_data
        for chunk in chunks:
            feed(chunk)

        async def drain() -> int:
            count = 0
            for _ in range(want):
                await queue.read()
                count += 1
            return count

        return _check(loop.run_until_complete(drain()), want)

    return run


def _websockets_reader(chunks: list[bytes], want: int, is_server: bool) -> Callable[[], Any]:
    from websockets.protocol import Protocol, Side

    side = Side.SERVER if is_server else Side.CLIENT

    def run() -> dict[str, Any]:
        proto = Protocol(side, max_size=None)
        receive, events = proto.receive_data, proto.events_received
        count = 0
        for chunk in chunks:
            receive(chunk)
            count += len(events())
        return _check(count, want)

    return run


def _wsproto_reader(chunks: list[bytes], want: int, is_server: bool) -> Callable[[], Any]:
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import Message

    kind = ConnectionType.SERVER if is_server else ConnectionType.CLIENT

    def run() -> dict[str, Any]:
        conn = Connection(kind)
        receive, events = conn.receive_data, conn.events
        count = 0
        for chunk in chunks:
            receive(chunk)
            for event in events():
                if isinstance(event, Message) and event.message_finished:
                    count += 1
        return _check(count, want)

    return run


# --- writers ------------------------------------------------------------------


def _ours_writer(payload: bytes, opcode: int, count: int) -> Callable[[], Any]:
    from aiohttp_ws import WebSocketSerializer

    def run() -> None:
        message = WebSocketSerializer(use_mask=True).message
        for _ in range(count):
            message(payload, opcode)

    return run


def _aiohttp_writer(payload: bytes, opcode: int, count: int) -> Callable[[], Any]:
    import asyncio

    from aiohttp.http_websocket import WebSocketWriter

    class Transport:
        def write(self, data: bytes) -> None:
            pass

        def is_closing(self) -> bool:
            return False

        def get_write_buffer_size(self) -> int:
            return 0

    class Protocol:
        _paused = False

        async def _drain_helper(self) -> None:
            return None

    loop = asyncio.new_event_loop()

    def run() -> None:
        writer = WebSocketWriter(Protocol(), Transport(), use_mask=True)  # type: ignore[arg-type]

        async def send() -> None:
            send_frame = writer.send_frame
            for _ in range(count):
                await send_frame(payload, opcode)

        loop.run_until_complete(send())

    return run


def _websockets_writer(payload: bytes, opcode: int, count: int) -> Callable[[], Any]:
    from websockets.frames import Frame, Opcode

    def run() -> None:
        frame = Frame(Opcode(opcode), payload)
        serialize = frame.serialize
        for _ in range(count):
            serialize(mask=True)

    return run


def _wsproto_writer(payload: bytes, opcode: int, count: int) -> Callable[[], Any]:
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import BytesMessage, TextMessage

    def run() -> None:
        conn = Connection(ConnectionType.CLIENT)
        send = conn.send
        if opcode == 1:
            event: Any = TextMessage(data=payload.decode())
        else:
            event = BytesMessage(data=payload)
        for _ in range(count):
            send(event)

    return run


def cases() -> list[Case]:
    result: list[Case] = []
    small_bytes = SMALL_COUNT * (len(SMALL_PAYLOAD) + 2)
    for workload, masked in (("parse small unmasked", False), ("parse small masked", True)):
        is_server = masked

        def stream(masked: bool = masked) -> list[bytes]:
            return _small_stream(masked)

        common = {"ops": SMALL_COUNT, "nbytes": small_bytes, "repeat": 5}
        result += [
            Case(
                workload,
                "ours",
                "ours",
                lambda s=stream, m=is_server: _ours_reader(s(), SMALL_COUNT, m),
                **common,
            ),
            Case(
                workload,
                "ours-asyncio",
                "ours",
                lambda s=stream, m=is_server: _ours_asyncio_reader(s(), SMALL_COUNT, m),
                **common,
            ),
            Case(
                workload,
                "aiohttp-c",
                "peers",
                lambda s=stream: _aiohttp_reader(s(), SMALL_COUNT),
                **common,
            ),
            Case(
                workload,
                "aiohttp-py",
                "peers",
                lambda s=stream: _aiohttp_reader(s(), SMALL_COUNT),
                env=NO_EXT,
                **common,
            ),
            Case(
                workload,
                "websockets",
                "peers",
                lambda s=stream, m=is_server: _websockets_reader(s(), SMALL_COUNT, m),
                **common,
            ),
            Case(
                workload,
                "wsproto",
                "peers",
                lambda s=stream, m=is_server: _wsproto_reader(s(), SMALL_COUNT, m),
                **common,
            ),
        ]
    big = {"ops": BIG_COUNT, "nbytes": BIG_COUNT * BIG_SIZE, "repeat": 5}
    w = "parse 16MiB binary"
    result += [
        Case(w, "ours", "ours", lambda: _ours_reader(_big_stream(), BIG_COUNT, False), **big),
        Case(w, "aiohttp-c", "peers", lambda: _aiohttp_reader(_big_stream(), BIG_COUNT), **big),
        Case(
            w,
            "aiohttp-py",
            "peers",
            lambda: _aiohttp_reader(_big_stream(), BIG_COUNT),
            env=NO_EXT,
            **big,
        ),
        Case(
            w,
            "websockets",
            "peers",
            lambda: _websockets_reader(_big_stream(), BIG_COUNT, False),
            **big,
        ),
        Case(
            w, "wsproto", "peers", lambda: _wsproto_reader(_big_stream(), BIG_COUNT, False), **big
        ),
    ]
    writers = {
        "ours": ("ours", _ours_writer, {}),
        "aiohttp-c": ("peers", _aiohttp_writer, {}),
        "aiohttp-py": ("peers", _aiohttp_writer, NO_EXT),
        "websockets": ("peers", _websockets_writer, {}),
        "wsproto": ("peers", _wsproto_writer, {}),
    }
    for impl, (side, make, env) in writers.items():
        result.append(
            Case(
                "write small masked",
                impl,
                side,  # type: ignore[arg-type]
                lambda m=make: m(SMALL_PAYLOAD, 1, SMALL_COUNT),
                ops=SMALL_COUNT,
                nbytes=small_bytes,
                env=env,
            )
        )
        result.append(
            Case(
                "write 16MiB masked",
                impl,
                side,  # type: ignore[arg-type]
                lambda m=make: m(os.urandom(BIG_SIZE), 2, BIG_COUNT),
                ops=BIG_COUNT,
                nbytes=BIG_COUNT * BIG_SIZE,
                env=env,
            )
        )
    return result


TARGETS = [
    Target("parse small unmasked", "wsproto", 3.0),
    Target("parse small unmasked", "aiohttp-py", 1.2),
    Target("parse small masked", "wsproto", 3.0),
    Target("parse small masked", "aiohttp-py", 1.2),
    Target("write small masked", "wsproto", 3.0),
    Target("parse 16MiB binary", "aiohttp-c", 1.0),
    Target("parse 16MiB binary", "aiohttp-py", 1.0),
    Target("parse 16MiB binary", "websockets", 1.0),
    Target("parse 16MiB binary", "wsproto", 1.0),
    Target("write 16MiB masked", "websockets", 1.0),
]
