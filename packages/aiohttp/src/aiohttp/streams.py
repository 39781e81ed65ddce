"""``aiohttp.streams``: body streams and data queues (from aiohttp-http)."""

from __future__ import annotations

from aiohttp_http import (
    EMPTY_PAYLOAD,
    AsyncStreamIterator,
    ChunkTupleAsyncStreamIterator,
    DataQueue,
    EmptyStreamReader,
    EofStream,
    FlowControlDataQueue,
    StreamReader,
)

__all__ = [
    "EMPTY_PAYLOAD",
    "AsyncStreamIterator",
    "ChunkTupleAsyncStreamIterator",
    "DataQueue",
    "EmptyStreamReader",
    "EofStream",
    "FlowControlDataQueue",
    "StreamReader",
]
