"""The chunked transfer coding decoder (RFC 9112 §7.1).

``ChunkedBodyDecoder.feed`` consumes from a caller's buffer at a position and
returns the new position; it appends chunk data to a list (slices of the
buffer, never re-buffered) and sets ``done`` with the trailer fields when the
last chunk and trailer section have been read. Chunk extensions are parsed
against the grammar and ignored; chunk-size lines must end in CRLF, with no
bare CR or LF anywhere, at most 16 hex digits, and fit ``max_line_size``.
"""

from __future__ import annotations

from typing import NoReturn

from multidict import CIMultiDict, CIMultiDictProxy

from ._abnf import CHUNK_SIZE_LINE_RE, MAX_CHUNK_SIZE_DIGITS
from ._exceptions import BodyTooLarge, InvalidHeader, LineTooLong, TransferEncodingError
from ._headers import parse_fields
from ._message import RawHeaders

__all__ = ["ChunkedBodyDecoder"]

_SIZE, _DATA, _DATA_CRLF, _TRAILERS = range(4)
_HEXDIGITS = b"0123456789abcdefABCDEF"


class ChunkedBodyDecoder:
    """Incremental decoder of one chunked body.

    Args:
        max_line_size: limit of a chunk-size line (with its extensions).
        max_field_size: limit of one trailer line.
        max_headers: limit of the number of trailer fields.
        max_body_size: limit of the total chunk data, or ``None``.

    Raises:
        TransferEncodingError: malformed chunk-size line or chunk framing.
        LineTooLong, InvalidHeader: a limit or a trailer field is violated.
        BodyTooLarge: the chunk data would exceed ``max_body_size``.
    """

    __slots__ = (
        "_max_body_size",
        "_max_field_size",
        "_max_headers",
        "_max_line_size",
        "_remaining",
        "_state",
        "done",
        "raw_trailers",
        "size",
        "trailers",
    )

    def __init__(
        self,
        *,
        max_line_size: int,
        max_field_size: int,
        max_headers: int,
        max_body_size: int | None,
    ) -> None:
        self._max_line_size = max_line_size
        self._max_field_size = max_field_size
        self._max_headers = max_headers
        self._max_body_size = max_body_size
        self._state = _SIZE
        self._remaining = 0
        self.size = 0
        self.done = False
        self.trailers: CIMultiDictProxy[str] | None = None
        self.raw_trailers: RawHeaders = ()

    def feed(self, buf: bytes | bytearray, pos: int, out: list[bytes | bytearray]) -> int:
        """Consume ``buf[pos:]`` as far as possible; return the new position.

        Stops early (leaving bytes unconsumed) when a line is incomplete or
        when the body is done (``self.done``); the caller keeps the rest.
        """
        n = len(buf)
        state = self._state
        find = buf.find
        match = CHUNK_SIZE_LINE_RE.fullmatch
        max_line = self._max_line_size
        max_body = self._max_body_size
        total = self.size
        while pos < n:
            if state == _SIZE:
                nl = find(b"\n", pos)
                if nl == -1:
                    if n - pos > max_line:
                        raise LineTooLong("chunk-size line", max_line, n - pos)
                    break
                if nl - pos - 1 > max_line:
                    raise LineTooLong("chunk-size line", max_line, nl - pos - 1)
                if nl == pos or buf[nl - 1] != 0x0D:
                    raise TransferEncodingError(
                        f"bare LF in chunk-size line {bytes(buf[pos:nl])[:60]!r}"
                    )
                m = match(buf, pos, nl - 1)
                if m is None:
                    _bad_size_line(bytes(buf[pos : nl - 1]))
                size = int(m.group(1), 16)
                pos = nl + 1
                if size == 0:
                    state = _TRAILERS
                    continue
                total += size
                if max_body is not None and total > max_body:
                    raise BodyTooLarge(f"chunked body exceeds max_body_size of {max_body} bytes")
                end = pos + size
                if end + 2 <= n:  # fast path: the whole chunk and its CRLF are here
                    if buf[end] != 0x0D or buf[end + 1] != 0x0A:
                        raise TransferEncodingError(
                            f"chunk data not followed by CRLF: got {bytes(buf[end : end + 2])!r}"
                        )
                    out.append(buf[pos:end])
                    pos = end + 2
                    continue
                self._remaining = size
                state = _DATA
            elif state == _DATA:
                rem = self._remaining
                end = pos + rem
                if end <= n:
                    out.append(buf[pos:end])
                    pos = end
                    state = _DATA_CRLF
                    continue
                out.append(buf[pos:])
                self._remaining = rem - (n - pos)
                pos = n
                break
            elif state == _DATA_CRLF:
                if n - pos < 2:
                    if buf[pos] != 0x0D:
                        raise TransferEncodingError("chunk data not followed by CRLF")
                    break
                if buf[pos] != 0x0D or buf[pos + 1] != 0x0A:
                    raise TransferEncodingError(
                        f"chunk data not followed by CRLF: got {bytes(buf[pos : pos + 2])!r}"
                    )
                pos += 2
                state = _SIZE
            else:  # _TRAILERS: trailer-section = *( field-line CRLF ) CRLF
                pos = self._feed_trailers(buf, pos)
                break
        self.size = total
        self._state = state
        return pos

    def _feed_trailers(self, buf: bytes | bytearray, pos: int) -> int:
        n = len(buf)
        if n - pos >= 2 and buf[pos] == 0x0D and buf[pos + 1] == 0x0A:
            self.done = True
            self.trailers = CIMultiDictProxy(CIMultiDict())
            return pos + 2
        end = buf.find(b"\r\n\r\n", pos)
        if end == -1:
            # Bound what we hold and fail early on a bare LF (it can never end the section).
            # The whole trailer section must fit in max_field_size (trailers are small).
            if n - pos > self._max_field_size:
                raise LineTooLong("trailer section", self._max_field_size, n - pos)
            if buf.count(b"\n", pos) != buf.count(b"\r\n", pos):
                raise InvalidHeader("bare LF in trailer section")
            return pos
        block = b"\r\n" + bytes(buf[pos : end + 4])
        raw, fields = parse_fields(
            block,
            0,
            len(block) - 2,
            max_field_size=self._max_field_size,
            max_headers=self._max_headers,
            what="trailer",
        )
        self.raw_trailers = raw
        self.trailers = CIMultiDictProxy(fields)
        self.done = True
        return end + 4


def _bad_size_line(line: bytes) -> NoReturn:
    """Raise a TransferEncodingError naming what is wrong with a chunk-size line."""
    digits = len(line) - len(line.lstrip(_HEXDIGITS))
    if digits == 0:
        raise TransferEncodingError(f"chunk size is not hexadecimal: {line[:60]!r}")
    if digits > MAX_CHUNK_SIZE_DIGITS:
        raise TransferEncodingError(
            f"chunk size has more than {MAX_CHUNK_SIZE_DIGITS} hex digits: {line[:60]!r}"
        )
    cr = line.find(b"\r")
    if cr != -1:
        raise TransferEncodingError(f"bare CR in chunk-size line at byte {cr}: {line[:60]!r}")
    raise TransferEncodingError(f"invalid chunk extension in chunk-size line {line[:60]!r}")
