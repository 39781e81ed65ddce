"""aiohttp-multipart: streaming multipart reader and writer, FormData.

Usable on its own from any framework: a sans-IO push parser, an async reader
over any byte source, a writer and Content-Disposition helpers.
"""

from __future__ import annotations

__version__ = "1.0.0"

# --- sans-IO core: parser, events, limits, Content-Disposition, decoders -----
from ._decoders import PartDecoder
from ._disposition import (
    content_disposition_filename,
    format_content_disposition,
    parse_content_disposition,
    parse_content_type,
)
from ._errors import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    DecodeError,
    EpilogueTooLarge,
    IncompleteBody,
    InvalidBoundary,
    InvalidPartHeader,
    LimitExceeded,
    MalformedBody,
    MultipartError,
    NestingTooDeep,
    PartHeaderTooLarge,
    PartTooLarge,
    PreambleTooLarge,
    TooManyPartHeaders,
    TooManyParts,
    UnsupportedEncoding,
)
from ._formdata import FormData
from ._parser import (
    DEFAULT_MAX_EPILOGUE_SIZE,
    DEFAULT_MAX_PART_HEADER_SIZE,
    DEFAULT_MAX_PART_HEADERS,
    DEFAULT_MAX_PARTS,
    DEFAULT_MAX_PREAMBLE_SIZE,
    MAX_BOUNDARY_LENGTH,
    BodyEnd,
    Event,
    MultipartParser,
    PartData,
    PartEnd,
    PartStart,
    validate_boundary,
)

# --- asyncio layer: byte sources, reader, writer, FormData -------------------
from ._reader import (
    DEFAULT_MAX_FIELD_SIZE,
    DEFAULT_MAX_NESTING_DEPTH,
    BodyPartReader,
    MultipartReader,
    MultipartResponseWrapper,
)
from ._sources import (
    DEFAULT_READ_SIZE,
    ASGIReceiveSource,
    AsyncIterableSource,
    ByteSource,
    BytesSource,
    StreamSource,
    byte_source,
)
from ._writer import BodyPartWriter, MultipartPayloadWriter, MultipartWriter

__all__ = [
    "DEFAULT_MAX_EPILOGUE_SIZE",
    "DEFAULT_MAX_FIELD_SIZE",
    "DEFAULT_MAX_NESTING_DEPTH",
    "DEFAULT_MAX_PARTS",
    "DEFAULT_MAX_PART_HEADERS",
    "DEFAULT_MAX_PART_HEADER_SIZE",
    "DEFAULT_MAX_PREAMBLE_SIZE",
    "DEFAULT_READ_SIZE",
    "MAX_BOUNDARY_LENGTH",
    "ASGIReceiveSource",
    "AsyncIterableSource",
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BodyEnd",
    "BodyPartReader",
    "BodyPartWriter",
    "ByteSource",
    "BytesSource",
    "DecodeError",
    "EpilogueTooLarge",
    "Event",
    "FormData",
    "IncompleteBody",
    "InvalidBoundary",
    "InvalidPartHeader",
    "LimitExceeded",
    "MalformedBody",
    "MultipartError",
    "MultipartParser",
    "MultipartPayloadWriter",
    "MultipartReader",
    "MultipartResponseWrapper",
    "MultipartWriter",
    "NestingTooDeep",
    "PartData",
    "PartDecoder",
    "PartEnd",
    "PartHeaderTooLarge",
    "PartStart",
    "PartTooLarge",
    "PreambleTooLarge",
    "StreamSource",
    "TooManyPartHeaders",
    "TooManyParts",
    "UnsupportedEncoding",
    "__version__",
    "byte_source",
    "content_disposition_filename",
    "format_content_disposition",
    "parse_content_disposition",
    "parse_content_type",
    "validate_boundary",
]
