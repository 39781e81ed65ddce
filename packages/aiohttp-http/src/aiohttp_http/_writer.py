"""Sans-IO serialisation of HTTP/1.1 heads and bodies.

The writer refuses, never strips: CR, LF and NUL anywhere in a start line,
field name or field value, and a method or field name that is not a token,
raise :class:`InvalidOutgoingField` (a ``ValueError``). Bodies are framed by
:class:`ChunkedEncoder` (with optional trailers) or :class:`LengthEncoder`
(Content-Length, checked), and compressed by :class:`BodyCompressor`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Protocol

from ._abnf import ABSOLUTE_FORM_RE, OUTGOING_FORBIDDEN_RE, OUTGOING_TOKEN_RE
from ._exceptions import InvalidOutgoingField
from ._message import HttpVersion, HttpVersion11
from ._zlib_backend import backend_level, get_zlib_backend

__all__ = [
    "BodyCompressor",
    "ChunkedEncoder",
    "LengthEncoder",
    "serialize_headers",
    "serialize_request_head",
    "serialize_response_head",
]

_forbidden = OUTGOING_FORBIDDEN_RE.search
_token = OUTGOING_TOKEN_RE.fullmatch


def _check(value: str, what: str) -> None:
    m = _forbidden(value)
    if m is not None:
        raise InvalidOutgoingField(
            f"{what} contains {m.group()!r} at position {m.start()}: {value[:60]!r}"
        )


def serialize_headers(
    status_line: str, headers: Mapping[str, str] | Iterable[tuple[str, str]]
) -> bytes:
    """Serialise a start line and fields: ``line CRLF (name: value CRLF)* CRLF``.

    ``headers`` is a mapping (a multidict keeps repeated names) or pairs.
    Text is encoded as UTF-8. Raises :class:`InvalidOutgoingField` when CR, LF
    or NUL appears in the line, a name or a value, or a name is not a token.
    """
    _check(status_line, "start line")
    items = headers.items() if isinstance(headers, Mapping) else headers
    parts = [status_line, "\r\n"]
    for name, value in items:
        if not _token(name):
            raise InvalidOutgoingField(f"field name {name[:60]!r} is not a token")
        value = str(value)
        if _forbidden(value):
            _check(value, f"value of field {name!r}")
        parts += (name, ": ", value, "\r\n")
    parts.append("\r\n")
    return "".join(parts).encode("utf-8")


def serialize_request_head(
    method: str,
    target: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    version: HttpVersion = HttpVersion11,
) -> bytes:
    """Serialise a request head (RFC 9112 §3).

    Raises :class:`InvalidOutgoingField` for a method that is not a token, a
    target that is empty or holds whitespace, controls or non-ASCII, or any
    field rejected by :func:`serialize_headers`.
    """
    if not _token(method):
        raise InvalidOutgoingField(f"method {method[:60]!r} is not a token")
    if not target or not target.isascii() or any(c <= " " or c == "\x7f" for c in target):
        raise InvalidOutgoingField(f"invalid request-target {target[:60]!r}")
    if not (target[0] == "/" or target == "*" or ":" in target) and not (
        ABSOLUTE_FORM_RE.fullmatch(target.encode())
    ):
        raise InvalidOutgoingField(f"invalid request-target {target[:60]!r}")
    return serialize_headers(f"{method} {target} HTTP/{version[0]}.{version[1]}", headers)


def serialize_response_head(
    status: int,
    reason: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    version: HttpVersion = HttpVersion11,
) -> bytes:
    """Serialise a response head (RFC 9112 §4).

    Raises :class:`InvalidOutgoingField` for a status outside 100..999, a
    reason phrase with CR, LF, NUL or other controls than HTAB, or a bad field.
    """
    if not 100 <= status <= 999:
        raise InvalidOutgoingField(f"status code {status} is not 3 digits")
    if any((c < " " and c != "\t") or c == "\x7f" for c in reason):
        raise InvalidOutgoingField(f"reason phrase contains a control character: {reason[:60]!r}")
    return serialize_headers(f"HTTP/{version[0]}.{version[1]} {status} {reason}", headers)


class ChunkedEncoder:
    """Frame a body with the chunked transfer coding (RFC 9112 §7.1).

    ``encode(data)`` returns one chunk (``b""`` for empty data, which would
    otherwise end the body); ``finish(trailers)`` returns the last chunk,
    trailer fields and the final CRLF. Raises :class:`InvalidOutgoingField`
    for a bad trailer and ``RuntimeError`` when used after ``finish``.
    """

    __slots__ = ("_finished",)

    def __init__(self) -> None:
        self._finished = False

    def encode(self, data: bytes) -> bytes:
        """Return ``data`` as one chunk: ``hex-size CRLF data CRLF``."""
        if self._finished:
            raise RuntimeError("chunked body already finished")
        if not data:
            return b""
        return b"%x\r\n%s\r\n" % (len(data), data)

    def finish(self, trailers: Mapping[str, str] | None = None) -> bytes:
        """Return the last-chunk ``0 CRLF``, the trailer fields, and the final CRLF."""
        if self._finished:
            raise RuntimeError("chunked body already finished")
        self._finished = True
        if not trailers:
            return b"0\r\n\r\n"
        return serialize_headers("0", trailers)


class LengthEncoder:
    """Check a Content-Length body: pass data through, refuse more or less than declared.

    Raises ``ValueError`` when ``encode`` would exceed ``length`` or when
    ``finish`` is called before ``length`` bytes were written.
    """

    __slots__ = ("length", "written")

    def __init__(self, length: int) -> None:
        if length < 0:
            raise ValueError(f"negative Content-Length {length}")
        self.length = length
        self.written = 0

    def encode(self, data: bytes) -> bytes:
        """Return ``data`` unchanged after checking it fits the declared length."""
        self.written += len(data)
        if self.written > self.length:
            raise ValueError(f"body exceeds its Content-Length of {self.length} bytes")
        return data

    def finish(self) -> bytes:
        """Return ``b""``; raise if fewer than ``length`` bytes were written."""
        if self.written != self.length:
            raise ValueError(f"body has {self.written} of its {self.length} bytes")
        return b""


class _CompressObject(Protocol):
    """What a zlib backend's ``compressobj()`` returns."""

    def compress(self, data: bytes, /) -> bytes: ...

    def flush(self, mode: int, /) -> bytes: ...


class BodyCompressor:
    """Compress a body with ``deflate`` (zlib-wrapped, RFC 9110 §8.4.1.2) or ``gzip``.

    The engine comes from the zlib backend current at creation (see
    :func:`set_zlib_backend`).

    Args:
        encoding: ``"deflate"`` or ``"gzip"`` (ValueError otherwise).
        level: compression level; the default ``zlib.Z_DEFAULT_COMPRESSION``
            (``-1``) is the backend's default level.
    """

    __slots__ = ("_compressor", "_finish", "encoding")

    def __init__(self, encoding: str, level: int = zlib.Z_DEFAULT_COMPRESSION) -> None:
        backend = get_zlib_backend()
        encoding = encoding.lower()
        if encoding == "deflate":
            wbits = backend.MAX_WBITS
        elif encoding in ("gzip", "x-gzip"):
            wbits = 16 + backend.MAX_WBITS
        else:
            raise ValueError(f"unsupported body compression {encoding!r}")
        self.encoding = encoding
        self._compressor: _CompressObject = backend.compressobj(
            backend_level(backend, level), backend.DEFLATED, wbits
        )
        self._finish: int = backend.Z_FINISH

    def compress(self, data: bytes) -> bytes:
        """Compress ``data``; may return ``b""`` while zlib buffers."""
        return self._compressor.compress(data)

    def flush(self) -> bytes:
        """Finish the stream and return the remaining compressed bytes."""
        return self._compressor.flush(self._finish)
