"""aiohttp-http: the HTTP/1.1 engine under aiohttp's client.

Sans-IO request and response parsers and writers, asyncio streams with flow
control, payloads, ``hdrs`` constants and the HTTP exception types.
"""

from __future__ import annotations

__version__ = "1.0.0"

# --- sans-IO engine: parsing, writing, decoding, errors ----------------------
from ._decoding import (
    DEFAULT_MAX_DECOMPRESSED_SIZE,
    DEFAULT_MAX_DECOMPRESSION_RATIO,
    SUPPORTED_ENCODINGS,
    ContentDecoder,
)
from ._exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    BodyTooLarge,
    ContentEncodingError,
    ContentLengthError,
    DecompressSizeError,
    HttpBadRequest,
    HttpProcessingError,
    InvalidHeader,
    InvalidOutgoingField,
    InvalidURLError,
    LineTooLong,
    PayloadEncodingError,
    TransferEncodingError,
)
from ._message import (
    Data,
    EndOfMessage,
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    RawHeaders,
    RawRequestMessage,
    RawResponseMessage,
    Upgraded,
)
from ._parser import (
    DEFAULT_MAX_FIELD_SIZE,
    DEFAULT_MAX_HEADERS,
    DEFAULT_MAX_LINE_SIZE,
    Event,
    HttpRequestParser,
    HttpResponseParser,
)
from ._writer import (
    BodyCompressor,
    ChunkedEncoder,
    LengthEncoder,
    serialize_headers,
    serialize_request_head,
    serialize_response_head,
)
from ._zlib_backend import get_zlib_backend, set_zlib_backend

# --- asyncio layer, payloads, hdrs, helpers ----------------------------------
# isort: split
from . import hdrs
from ._abc import AbstractStreamWriter, SupportsAsyncWrite
from ._data_queue import (
    DEFAULT_LIMIT,
    AsyncStreamIterator,
    DataQueue,
    EofStream,
    FlowControlDataQueue,
)
from ._helpers import BaseTimerContext, TimerNoop, guess_filename
from ._mimetype import MimeType, content_disposition_header, parse_mimetype
from ._payload import (
    DEFAULT_READ_CHUNK_SIZE,
    PAYLOAD_REGISTRY,
    AsyncIterablePayload,
    BufferedReaderPayload,
    BytesIOPayload,
    BytesPayload,
    IOBasePayload,
    JsonPayload,
    Order,
    Payload,
    PayloadLookupError,
    PayloadRegistry,
    StringIOPayload,
    StringPayload,
    TextIOPayload,
    get_payload,
    payload_type,
    register_payload,
)
from ._payload_streamer import StreamReaderPayload, StreamWrapperPayload, streamer
from ._protocol import BaseProtocol
from ._stream_writer import DEFAULT_WRITE_BUFFER_LIMIT, StreamWriter
from ._streams import (
    EMPTY_PAYLOAD,
    ChunkTupleAsyncStreamIterator,
    EmptyStreamReader,
    StreamReader,
)

# The multidict types our messages and queries are made of, so users need not import multidict.
# isort: split
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy, istr

# low-level server (isort: split keeps it at the end of the asyncio layer)
# isort: split
from ._server import (
    DEFAULT_KEEPALIVE_TIMEOUT,
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_DISCARD_SIZE,
    DEFAULT_MAX_PIPELINED_REQUESTS,
    Handler,
    Server,
    serve,
)
from ._server_protocol import RequestHandler, ServerHttpProtocol
from ._server_request import BaseRequest
from ._server_response import Response, StreamResponse
from ._server_upgrade import UpgradedConnection

__all__ = [  # noqa: RUF022 - grouped by section (engine, io), not sorted
    "__version__",
    # engine names:
    "BadHttpMessage",
    "BadHttpMethod",
    "BadStatusLine",
    "BodyCompressor",
    "BodyTooLarge",
    "ChunkedEncoder",
    "ContentDecoder",
    "ContentEncodingError",
    "ContentLengthError",
    "DEFAULT_MAX_DECOMPRESSED_SIZE",
    "DEFAULT_MAX_DECOMPRESSION_RATIO",
    "DEFAULT_MAX_FIELD_SIZE",
    "DEFAULT_MAX_HEADERS",
    "DEFAULT_MAX_LINE_SIZE",
    "Data",
    "DecompressSizeError",
    "EndOfMessage",
    "Event",
    "HttpBadRequest",
    "HttpProcessingError",
    "HttpRequestParser",
    "HttpResponseParser",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "InvalidHeader",
    "InvalidOutgoingField",
    "InvalidURLError",
    "LengthEncoder",
    "LineTooLong",
    "PayloadEncodingError",
    "RawHeaders",
    "RawRequestMessage",
    "RawResponseMessage",
    "SUPPORTED_ENCODINGS",
    "TransferEncodingError",
    "Upgraded",
    "serialize_headers",
    "serialize_request_head",
    "serialize_response_head",
    "get_zlib_backend",
    "set_zlib_backend",
    # io names:
    "hdrs",
    "AbstractStreamWriter",
    "SupportsAsyncWrite",
    "BaseTimerContext",
    "TimerNoop",
    "guess_filename",
    "MimeType",
    "content_disposition_header",
    "parse_mimetype",
    "DEFAULT_READ_CHUNK_SIZE",
    "PAYLOAD_REGISTRY",
    "AsyncIterablePayload",
    "BufferedReaderPayload",
    "BytesIOPayload",
    "BytesPayload",
    "IOBasePayload",
    "JsonPayload",
    "Order",
    "Payload",
    "PayloadLookupError",
    "PayloadRegistry",
    "StringIOPayload",
    "StringPayload",
    "TextIOPayload",
    "get_payload",
    "payload_type",
    "register_payload",
    "StreamReaderPayload",
    "StreamWrapperPayload",
    "streamer",
    "BaseProtocol",
    "DEFAULT_WRITE_BUFFER_LIMIT",
    "StreamWriter",
    "DEFAULT_LIMIT",
    "EMPTY_PAYLOAD",
    "AsyncStreamIterator",
    "ChunkTupleAsyncStreamIterator",
    "DataQueue",
    "EmptyStreamReader",
    "EofStream",
    "FlowControlDataQueue",
    "StreamReader",
    # multidict types (re-exported from multidict):
    "CIMultiDict",
    "CIMultiDictProxy",
    "MultiDict",
    "MultiDictProxy",
    "istr",
    # low-level server:
    "DEFAULT_KEEPALIVE_TIMEOUT",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_DISCARD_SIZE",
    "DEFAULT_MAX_PIPELINED_REQUESTS",
    "BaseRequest",
    "Handler",
    "RequestHandler",
    "Response",
    "Server",
    "ServerHttpProtocol",
    "StreamResponse",
    "UpgradedConnection",
    "serve",
]
