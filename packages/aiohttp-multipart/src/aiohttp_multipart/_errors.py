"""Exceptions and warnings of aiohttp-multipart.

The hierarchy, drawn once here::

    ValueError
    └── MultipartError                 anything wrong with a multipart body
        ├── InvalidBoundary            the boundary parameter itself is unusable
        ├── MalformedBody              the body breaks RFC 2046 framing
        │   ├── InvalidPartHeader      a part header line is malformed (CR/LF injection, ...)
        │   └── IncompleteBody         the body ended before the closing boundary
        ├── DecodeError                a transfer or content encoding failed to decode
        │   └── UnsupportedEncoding    (also RuntimeError) an unknown encoding was named
        └── LimitExceeded              a configured limit was exceeded
            ├── PartHeaderTooLarge
            ├── TooManyPartHeaders
            ├── TooManyParts
            ├── PartTooLarge
            ├── NestingTooDeep
            ├── PreambleTooLarge
            └── EpilogueTooLarge

    RuntimeWarning
    ├── BadContentDispositionHeader    a Content-Disposition header could not be parsed
    └── BadContentDispositionParam     one of its parameters could not be parsed

Errors raised while parsing carry ``offset``: the position in the body (in
bytes from its first byte) where the problem was found, when it is known.
"""

from __future__ import annotations

__all__ = [
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "DecodeError",
    "EpilogueTooLarge",
    "IncompleteBody",
    "InvalidBoundary",
    "InvalidPartHeader",
    "LimitExceeded",
    "MalformedBody",
    "MultipartError",
    "NestingTooDeep",
    "PartHeaderTooLarge",
    "PartTooLarge",
    "PreambleTooLarge",
    "TooManyPartHeaders",
    "TooManyParts",
    "UnsupportedEncoding",
]


class MultipartError(ValueError):
    """Base class of every error raised for a bad or oversized multipart body.

    Attributes:
        offset: byte position in the body where the problem was detected, or
            ``None`` when the error is not tied to a position.
    """

    def __init__(self, message: str, *, offset: int | None = None) -> None:
        if offset is not None:
            message = f"{message} (at byte {offset})"
        super().__init__(message)
        self.offset = offset


class InvalidBoundary(MultipartError):
    """The boundary is missing, empty, longer than 70 characters or has characters
    outside RFC 2046's ``bchars``."""


class MalformedBody(MultipartError):
    """The body does not follow the RFC 2046 §5.1 framing (a boundary line followed
    by garbage, a bare CR or LF where CRLF is required, no boundary at all...)."""


class InvalidPartHeader(MalformedBody):
    """A header line of a part is malformed: a bare CR or LF inside it (header
    injection), obsolete line folding, a missing colon or an invalid name."""


class IncompleteBody(MalformedBody):
    """The body ended (or the client disconnected) before the closing boundary."""


class DecodeError(MultipartError):
    """Part data could not be decoded with its Content-Transfer-Encoding or
    Content-Encoding (bad base64, a corrupt gzip stream, 8-bit data in a 7bit part...)."""


class UnsupportedEncoding(DecodeError, RuntimeError):
    """A part names a Content-Transfer-Encoding or Content-Encoding we do not know.

    Also a :class:`RuntimeError`, which is what aiohttp 3.x raises here.
    """


class LimitExceeded(MultipartError):
    """A configured limit was exceeded.

    Attributes:
        limit_name: name of the parameter that sets the limit, e.g. ``"max_parts"``.
        limit: its value.
    """

    def __init__(
        self, message: str, *, limit_name: str, limit: int, offset: int | None = None
    ) -> None:
        super().__init__(f"{message} (limit {limit_name}={limit})", offset=offset)
        self.limit_name = limit_name
        self.limit = limit


class PartHeaderTooLarge(LimitExceeded):
    """The header block of one part is larger than ``max_part_header_size`` bytes."""


class TooManyPartHeaders(LimitExceeded):
    """One part has more than ``max_part_headers`` header lines."""


class TooManyParts(LimitExceeded):
    """The body has more than ``max_parts`` parts."""


class PartTooLarge(LimitExceeded):
    """Reading one part into memory (``read()``, ``text()``, ``json()``, ``form()``,
    ``readline()``) or decompressing it would exceed ``max_field_size`` bytes."""


class NestingTooDeep(LimitExceeded):
    """Multipart bodies are nested deeper than ``max_nesting_depth``."""


class PreambleTooLarge(LimitExceeded):
    """More than ``max_preamble_size`` bytes came before the first boundary."""


class EpilogueTooLarge(LimitExceeded):
    """More than ``max_epilogue_size`` bytes came after the closing boundary."""


class BadContentDispositionHeader(RuntimeWarning):
    """Warning: a Content-Disposition header is malformed and was ignored."""


class BadContentDispositionParam(RuntimeWarning):
    """Warning: a Content-Disposition parameter is malformed; the header was ignored."""
