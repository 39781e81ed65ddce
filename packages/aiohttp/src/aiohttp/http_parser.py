"""``aiohttp.http_parser``: the HTTP/1.1 parsers (from aiohttp-http).

The classes have aiohttp's names but aiohttp-http's sans-IO constructors
(keyword-only limits, no protocol, loop or payload stream):
``parser.feed_data(data)`` returns events (``RawResponseMessage``, ``Data``,
``EndOfMessage``, ``Upgraded``) instead of feeding a ``StreamReader``. The
``*Py`` names are aliases of the same classes, the only implementation.
"""

from __future__ import annotations

from aiohttp_http import (
    Data,
    EndOfMessage,
    HttpRequestParser,
    HttpResponseParser,
    RawRequestMessage,
    RawResponseMessage,
    Upgraded,
)

HttpRequestParserPy = HttpRequestParser
HttpResponseParserPy = HttpResponseParser

__all__ = [
    "Data",
    "EndOfMessage",
    "HttpRequestParser",
    "HttpRequestParserPy",
    "HttpResponseParser",
    "HttpResponseParserPy",
    "RawRequestMessage",
    "RawResponseMessage",
    "Upgraded",
]
