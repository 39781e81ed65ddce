"""The HTTP exception types.

Hierarchy (names and status hints follow aiohttp 3.x ``aiohttp.http_exceptions``)::

    Exception
     ├── HttpProcessingError          code, message, headers
     │    └── BadHttpMessage          400: the peer sent something we refuse
     │         ├── HttpBadRequest     400 (aiohttp's alias-like subclass)
     │         ├── BadStatusLine      malformed request line or status line
     │         │    └── BadHttpMethod method is not a token
     │         ├── LineTooLong        a line exceeds max_line_size / max_field_size
     │         ├── InvalidHeader      malformed field line, name or value; too many fields
     │         ├── InvalidURLError    request-target is not one of the RFC 9112 §3.2 forms
     │         └── PayloadEncodingError   the body framing or coding is broken
     │              ├── TransferEncodingError   bad Transfer-Encoding or chunked framing
     │              ├── ContentLengthError      bad Content-Length, or body ended early
     │              ├── ContentEncodingError    body does not decode (gzip/deflate/br/zstd)
     │              │    └── DecompressSizeError  decoded size or ratio over its limit
     │              └── BodyTooLarge            body over max_body_size (status 413)
     └── ValueError
          └── InvalidOutgoingField    the writer refuses CR/LF/NUL or a non-token name

"The peer did it" errors are ``BadHttpMessage`` subclasses; "you did it" (the
writer's caller) is ``InvalidOutgoingField``. Every message says what was
wrong and where (line, field name, byte offset), with values truncated.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "BadHttpMessage",
    "BadHttpMethod",
    "BadStatusLine",
    "BodyTooLarge",
    "ContentEncodingError",
    "ContentLengthError",
    "DecompressSizeError",
    "HttpBadRequest",
    "HttpProcessingError",
    "InvalidHeader",
    "InvalidOutgoingField",
    "InvalidURLError",
    "LineTooLong",
    "PayloadEncodingError",
    "TransferEncodingError",
]

_SHOW = 60  # bytes of an offending value shown in a message


def _show(value: bytes | str) -> str:
    """A short, safe repr of an offending value for error messages."""
    if len(value) > _SHOW:
        return repr(value[:_SHOW]) + "..."
    return repr(value)


class HttpProcessingError(Exception):
    """Base of HTTP processing errors.

    Attributes:
        code: the HTTP status a server would answer with (``0`` when none applies).
        message: what went wrong and where.
        headers: headers a server could send with the error response, if any.
    """

    code = 0
    message = ""

    def __init__(
        self,
        *,
        code: int | None = None,
        message: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        self.headers = headers
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.code}, message={self.message!r}>"


class BadHttpMessage(HttpProcessingError):
    """The peer sent a message that violates HTTP/1.1 (status hint 400)."""

    code = 400
    message = "Bad Request"

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message=message, headers=headers)


class HttpBadRequest(BadHttpMessage):
    """A bad request (status hint 400); kept for aiohttp 3.x compatibility."""


class BadStatusLine(BadHttpMessage):
    """The request line or status line is malformed.

    Attributes:
        line: the offending line (decoded with ``surrogateescape``, truncated).
    """

    def __init__(self, line: bytes | str = "", error: str | None = None) -> None:
        if isinstance(line, bytes):
            line = line.decode("latin-1")
        self.line = line[:200]
        super().__init__(error or f"bad status line {_show(line)}")


class BadHttpMethod(BadStatusLine):
    """The request method is not a token (RFC 9110 §9.1)."""

    def __init__(self, line: bytes | str = "", error: str | None = None) -> None:
        super().__init__(line, error or f"bad HTTP method in {_show(line)}")


class LineTooLong(BadHttpMessage):
    """A start line, field line or chunk line is longer than its limit.

    Attributes:
        limit: the limit in bytes. actual_size: the size seen (at least).
    """

    def __init__(self, what: str, limit: int, actual_size: int) -> None:
        self.limit = limit
        self.actual_size = actual_size
        super().__init__(f"{what} is too long: {actual_size} bytes > limit of {limit}")


class InvalidHeader(BadHttpMessage):
    """A field line is malformed (bad name, bad value, whitespace, obs-fold, count).

    Attributes:
        hdr: the field name concerned (empty when it could not be parsed).
    """

    def __init__(self, message: str, *, hdr: bytes | str = b"") -> None:
        self.hdr = hdr.decode("latin-1") if isinstance(hdr, bytes) else hdr
        super().__init__(message)


class InvalidURLError(BadHttpMessage):
    """The request-target is not valid for its form (RFC 9112 §3.2)."""


class PayloadEncodingError(BadHttpMessage):
    """The body's framing or coding is broken."""


class TransferEncodingError(PayloadEncodingError):
    """Bad Transfer-Encoding header or chunked framing (RFC 9112 §6.1, §7.1)."""


class ContentLengthError(PayloadEncodingError):
    """Bad Content-Length header, or the connection closed before the body ended."""


class ContentEncodingError(PayloadEncodingError):
    """The body does not decode with its Content-Encoding."""


class DecompressSizeError(ContentEncodingError):
    """The decoded body would exceed ``max_decompressed_size`` or the ratio limit."""


class BodyTooLarge(PayloadEncodingError):
    """The body is larger than ``max_body_size`` (status hint 413)."""

    code = 413


class InvalidOutgoingField(ValueError):
    """The writer refuses a start line, field name or value that could split a message.

    Raised when CR, LF or NUL appears in a method, target, reason phrase,
    field name or field value, or when a method or field name is not a token.
    """
