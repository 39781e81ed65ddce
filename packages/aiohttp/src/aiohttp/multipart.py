"""``aiohttp.multipart``: multipart readers and writers (from aiohttp-multipart).

``BodyPartWriter`` is the older documents' part writer, deprecated by
aiohttp-multipart itself (it warns when called).
"""

from __future__ import annotations

from aiohttp_multipart import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    BodyPartReader,
    BodyPartWriter,
    MultipartReader,
    MultipartResponseWrapper,
    MultipartWriter,
    content_disposition_filename,
    parse_content_disposition,
)

__all__ = [
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BodyPartReader",
    "BodyPartWriter",
    "MultipartReader",
    "MultipartResponseWrapper",
    "MultipartWriter",
    "content_disposition_filename",
    "parse_content_disposition",
]
