"""Sans-IO push parser for multipart bodies (RFC 2046 §5.1, RFC 7578).

Theory of operation
-------------------
A multipart body is::

    [preamble CRLF] "--" boundary LWSP* CRLF part-headers CRLF part-data
    *( CRLF "--" boundary LWSP* CRLF part-headers CRLF part-data )
    CRLF "--" boundary "--" [ LWSP* CRLF epilogue ]

We pretend the body starts with CRLF, so that every delimiter, the first one
included, is the same byte string ``b"\\r\\n--" + boundary``.  The states are::

    PREAMBLE --delimiter--> AFTER_DELIMITER --CRLF--> HEADERS --CRLFCRLF--> DATA
                                 |   ^                                        |
                                 |   +---------------delimiter----------------+
                                 +--"--"--> EPILOGUE

The delimiter is searched with ``bytes.find`` over each fed chunk.  When a
chunk ends with a proper prefix of the delimiter, only the *length* of that
prefix is remembered (``_match``): the bytes themselves are the delimiter's
own.  A boundary has no CR in it (RFC 2046 ``bchars``), so a delimiter can
start at no other position inside such a prefix; on a mismatch the prefix is
data and the scan resumes at the first byte of the new chunk.  Every byte is
therefore looked at a bounded number of times whatever the chunking: the cost
is O(n) even with 1-byte chunks, and the parser holds back fewer than
``len(delimiter)`` bytes of data.

Part data is emitted as ``memoryview`` slices of the fed chunk (no copy); a
part's header block is copied once, into a buffer bounded by
``max_part_header_size``, only when it straddles chunks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, NamedTuple

from multidict import CIMultiDict, CIMultiDictProxy

from ._errors import (
    EpilogueTooLarge,
    IncompleteBody,
    InvalidBoundary,
    InvalidPartHeader,
    MalformedBody,
    PartHeaderTooLarge,
    PreambleTooLarge,
    TooManyPartHeaders,
    TooManyParts,
)

__all__ = [
    "DEFAULT_MAX_EPILOGUE_SIZE",
    "DEFAULT_MAX_PARTS",
    "DEFAULT_MAX_PART_HEADERS",
    "DEFAULT_MAX_PART_HEADER_SIZE",
    "DEFAULT_MAX_PREAMBLE_SIZE",
    "MAX_BOUNDARY_LENGTH",
    "BodyEnd",
    "Event",
    "MultipartParser",
    "PartData",
    "PartEnd",
    "PartStart",
    "validate_boundary",
]

#: RFC 2046 §5.1.1: a boundary is 1 to 70 characters.
MAX_BOUNDARY_LENGTH: Final = 70
#: Largest header block (all header lines of one part, without the final CRLF CRLF).
DEFAULT_MAX_PART_HEADER_SIZE: Final = 16 * 1024
#: Most header lines in one part.
DEFAULT_MAX_PART_HEADERS: Final = 32
#: Most parts in one body (Django, Werkzeug and Starlette use the same default).
DEFAULT_MAX_PARTS: Final = 1000
#: Most bytes accepted before the first boundary.
DEFAULT_MAX_PREAMBLE_SIZE: Final = 64 * 1024
#: Most bytes accepted after the closing boundary.
DEFAULT_MAX_EPILOGUE_SIZE: Final = 64 * 1024

# RFC 2046 §5.1.1:
#   boundary := 0*69<bchars> bcharsnospace
#   bchars := bcharsnospace / " "
#   bcharsnospace := DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" / "."
#                    / "/" / ":" / "=" / "?"
_BOUNDARY_RE: Final = re.compile(rb"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")

# RFC 9110 §5.1 field-name = token; §5.5 field-value: VCHAR / obs-text / SP / HTAB.
# CR, LF and the other controls are refused: in a part header they can only be
# an attempt at header injection.
_HEADER_LINE_RE: Final = re.compile(
    rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*)"
)
_TOKEN_RE: Final = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOKEN_BYTES: Final = (
    b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)
_FIELD_VALUE_BYTES: Final = bytes(b for b in range(256) if (b >= 0x20 and b != 0x7F) or b == 0x09)
_CRLF: Final = b"\r\n"


class PartStart(NamedTuple):
    """Event: the header block of a new part was parsed.

    Attributes:
        headers: the part's headers; values are decoded as UTF-8 (undecodable
            bytes kept with ``surrogateescape``), as browsers send raw UTF-8.
    """

    headers: CIMultiDictProxy[str]


class PartData(NamedTuple):
    """Event: a piece of the current part's data (never empty).

    Attributes:
        data: a read-only ``memoryview`` over the bytes given to
            :meth:`MultipartParser.feed`; copy it (``bytes(data)``) to keep it
            after that buffer is reused.
    """

    data: memoryview


class PartEnd(NamedTuple):
    """Event: the current part's data is complete."""


class BodyEnd(NamedTuple):
    """Event: the closing boundary was seen; what follows is the epilogue."""


#: The events :meth:`MultipartParser.feed` returns.
Event = PartStart | PartData | PartEnd | BodyEnd

_PART_END: Final = PartEnd()
# tuple.__new__ builds a NamedTuple without its Python-level __new__: the
# parser creates one event per part and per chunk, so this matters.
_new_event: Final = tuple.__new__
_BODY_END: Final = BodyEnd()

_PREAMBLE: Final = 0
_AFTER_DELIMITER: Final = 1
_AFTER_DELIMITER_CR: Final = 2
_AFTER_DELIMITER_DASH: Final = 3
_HEADERS: Final = 4
_DATA: Final = 5
_EPILOGUE: Final = 6
_FAILED: Final = 7

_STATE_NAMES: Final = {
    _PREAMBLE: "before the first boundary",
    _AFTER_DELIMITER: "in a boundary line",
    _AFTER_DELIMITER_CR: "in a boundary line",
    _AFTER_DELIMITER_DASH: "in a boundary line",
    _HEADERS: "in the headers of a part",
    _DATA: "in the data of a part",
}


def validate_boundary(boundary: str | bytes) -> bytes:
    """Check a boundary against RFC 2046 §5.1.1 and return it as bytes.

    Args:
        boundary: the value of the ``boundary`` parameter of a multipart Content-Type.

    Raises:
        InvalidBoundary: if it is empty, longer than 70 characters, ends with a
            space or contains a character outside ``bchars``.
    """
    if isinstance(boundary, str):
        try:
            raw = boundary.encode("ascii")
        except UnicodeEncodeError:
            raise InvalidBoundary(f"boundary {boundary[:80]!r} has non-ASCII characters") from None
    else:
        raw = bytes(boundary)
    if not raw:
        raise InvalidBoundary("boundary is empty")
    if len(raw) > MAX_BOUNDARY_LENGTH:
        raise InvalidBoundary(
            f"boundary {raw[:80]!r} is {len(raw)} characters long; RFC 2046 allows at most 70"
        )
    if _BOUNDARY_RE.fullmatch(raw) is None:
        bad = next((c for c in raw if _BOUNDARY_RE.match(bytes([c])) is None), 0x20)
        raise InvalidBoundary(
            f"boundary {raw!r} has the character {bytes([bad])!r}, not allowed by RFC 2046"
            if raw[-1:] != b" " or bad != 0x20
            else f"boundary {raw!r} ends with a space, not allowed by RFC 2046"
        )
    return raw


class MultipartParser:
    """Incremental parser of one multipart body; no I/O, no asyncio.

    Feed it the body's bytes in chunks of any size and act on the returned
    events: :class:`PartStart` (headers of a part), :class:`PartData` (a
    piece of its data), :class:`PartEnd`, and finally :class:`BodyEnd`.  Call
    :meth:`feed_eof` when the body is over, to check that it was complete.

    A nested multipart part is parsed by a second parser fed with that
    part's data.

    Args:
        boundary: the ``boundary`` parameter of the body's Content-Type.
        max_part_header_size: most bytes in one part's header block.
        max_part_headers: most header lines in one part.
        max_parts: most parts in the body.
        max_preamble_size: most bytes before the first boundary.
        max_epilogue_size: most bytes after the closing boundary.

    Raises:
        InvalidBoundary: if ``boundary`` is not valid per RFC 2046.

    After any error the parser is unusable: further calls raise
    :class:`MalformedBody`.
    """

    __slots__ = (
        "_boundary",
        "_delimiter",
        "_epilogue_size",
        "_head",
        "_match",
        "_max_epilogue_size",
        "_max_part_header_size",
        "_max_part_headers",
        "_max_parts",
        "_max_preamble_size",
        "_offset",
        "_padding",
        "_parts",
        "_preamble_size",
        "_state",
    )

    def __init__(
        self,
        boundary: str | bytes,
        *,
        max_part_header_size: int = DEFAULT_MAX_PART_HEADER_SIZE,
        max_part_headers: int = DEFAULT_MAX_PART_HEADERS,
        max_parts: int = DEFAULT_MAX_PARTS,
        max_preamble_size: int = DEFAULT_MAX_PREAMBLE_SIZE,
        max_epilogue_size: int = DEFAULT_MAX_EPILOGUE_SIZE,
    ) -> None:
        self._boundary = validate_boundary(boundary)
        self._delimiter = b"\r\n--" + self._boundary
        self._max_part_header_size = max_part_header_size
        self._max_part_headers = max_part_headers
        self._max_parts = max_parts
        self._max_preamble_size = max_preamble_size
        self._max_epilogue_size = max_epilogue_size
        self._state = _PREAMBLE
        # Length of the delimiter prefix seen at the end of the previous chunk.
        # The body is treated as if it started with CRLF: 2 bytes already match.
        self._match = 2
        self._head = bytearray()
        self._padding = 0
        self._offset = 0  # bytes of the body consumed before the current chunk
        self._parts = 0
        self._preamble_size = 0
        self._epilogue_size = 0

    @property
    def boundary(self) -> bytes:
        """The boundary, as bytes."""
        return self._boundary

    @property
    def parts(self) -> int:
        """How many parts have started so far."""
        return self._parts

    @property
    def finished(self) -> bool:
        """True once the closing boundary has been seen."""
        return self._state == _EPILOGUE

    @property
    def pending_bytes(self) -> int:
        """Bytes received but not yet emitted or discarded (a partial delimiter
        or header block); always fewer than ``len(boundary) + 4`` outside headers."""
        if self._state == _HEADERS:
            return len(self._head)
        if self._state in (_PREAMBLE, _DATA):
            return self._match
        return 0

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse the next chunk of the body and return the events it completes.

        Args:
            data: the next bytes of the body (any length, possibly empty).

        Returns:
            The events, in order. :class:`PartData` events hold memoryviews
            over ``data`` (over a private copy if ``data`` is not ``bytes``).

        Raises:
            MalformedBody: the framing is wrong (subclasses say more).
            LimitExceeded: a limit was exceeded (subclasses say which).
        """
        if type(data) is not bytes:
            data = bytes(data)
        state = self._state
        if state == _FAILED:
            raise MalformedBody("the parser already failed; it cannot be fed again")
        events: list[Event] = []
        try:
            self._feed(data, events)
        except Exception:
            self._state = _FAILED
            raise
        self._offset += len(data)
        return events

    def feed_eof(self) -> list[Event]:
        """Tell the parser the body is over.

        Returns:
            An empty list (the closing boundary was already reported as :class:`BodyEnd`).

        Raises:
            IncompleteBody: if the closing boundary has not been seen.
        """
        state = self._state
        if state == _EPILOGUE:
            return []
        self._state = _FAILED
        if state == _FAILED:
            raise MalformedBody("the parser already failed; it cannot be fed again")
        where = _STATE_NAMES[state]
        if state == _PREAMBLE:
            raise IncompleteBody("the body has no boundary line", offset=self._offset)
        raise IncompleteBody(
            f"the body ended {where} (part {self._parts}) before the closing boundary",
            offset=self._offset,
        )

    # -- internals ------------------------------------------------------------

    def _feed(self, data: bytes, events: list[Event]) -> None:
        pos = 0
        end = len(data)
        delimiter = self._delimiter
        dlen = len(delimiter)
        append = events.append
        while pos < end:
            state = self._state
            if state in (_DATA, _PREAMBLE):
                in_data = state == _DATA
                match = self._match
                if match:
                    # Continue a delimiter prefix left by the previous chunk.
                    piece = data[pos : pos + dlen - match]
                    if delimiter.startswith(piece, match):
                        if match + len(piece) < dlen:
                            self._match = match + len(piece)
                            return
                        self._match = 0
                        pos += len(piece)
                        self._found_delimiter(in_data, append)
                        continue
                    # Not a delimiter: the held-back prefix was data (or preamble).
                    self._match = 0
                    if in_data:
                        append(_new_event(PartData, (memoryview(delimiter)[:match],)))
                    elif self._offset or pos:
                        self._count_preamble(match, pos)
                if in_data:
                    idx = data.find(delimiter, pos)
                else:
                    # Never scan further than the preamble limit allows.
                    allowed = self._max_preamble_size - self._preamble_size
                    idx = data.find(delimiter, pos, pos + allowed + dlen)
                if idx >= 0:
                    if idx > pos:
                        if in_data:
                            append(_new_event(PartData, (memoryview(data)[pos:idx],)))
                        else:
                            self._count_preamble(idx - pos, idx)
                    pos = idx + dlen
                    if in_data and data.startswith(b"\r\n", pos):
                        # Fast path: the next part starts right here.
                        append(_PART_END)
                        pos += 2
                        self._start_part(pos)
                        pos = self._read_headers(data, pos, append)
                        continue
                    self._found_delimiter(in_data, append)
                    continue
                # No delimiter: hold back a trailing delimiter prefix, if any.
                keep = end
                cr = data.rfind(b"\r", max(pos, end - dlen + 1))
                if cr >= 0 and delimiter.startswith(data[cr:]):
                    keep = cr
                    self._match = end - cr
                if keep > pos:
                    if in_data:
                        append(_new_event(PartData, (memoryview(data)[pos:keep],)))
                    else:
                        self._count_preamble(keep - pos, keep)
                return
            if state == _HEADERS:
                pos = self._read_headers(data, pos, append)
            elif state == _AFTER_DELIMITER:
                if data.startswith(b"\r\n", pos):
                    pos += 2
                    self._start_part(pos)
                elif data.startswith(b"--", pos):
                    pos += 2
                    self._state = _EPILOGUE
                    append(_BODY_END)
                else:
                    pos = self._after_delimiter_slow(data, pos)
            elif state == _AFTER_DELIMITER_CR:
                if data[pos] != 0x0A:
                    raise MalformedBody(
                        f"bare CR after a boundary, followed by {data[pos : pos + 1]!r}",
                        offset=self._offset + pos,
                    )
                pos += 1
                self._start_part(pos)
            elif state == _AFTER_DELIMITER_DASH:
                if data[pos] != 0x2D:
                    raise MalformedBody(
                        f"boundary followed by '-' and {data[pos : pos + 1]!r}; "
                        "expected '--' or CRLF",
                        offset=self._offset + pos,
                    )
                pos += 1
                self._state = _EPILOGUE
                append(_BODY_END)
            else:  # _EPILOGUE
                self._epilogue_size += end - pos
                if self._epilogue_size > self._max_epilogue_size:
                    raise EpilogueTooLarge(
                        f"{self._epilogue_size} bytes after the closing boundary",
                        limit_name="max_epilogue_size",
                        limit=self._max_epilogue_size,
                        offset=self._offset + end,
                    )
                return

    def _count_preamble(self, size: int, pos: int) -> None:
        self._preamble_size += size
        if self._preamble_size > self._max_preamble_size:
            raise PreambleTooLarge(
                "no boundary line in the first bytes of the body",
                limit_name="max_preamble_size",
                limit=self._max_preamble_size,
                offset=self._offset + pos,
            )

    def _found_delimiter(self, in_data: bool, append: Callable[[Event], None]) -> None:
        if in_data:
            append(_PART_END)
        self._state = _AFTER_DELIMITER
        self._padding = 0

    def _after_delimiter_slow(self, data: bytes, pos: int) -> int:
        # Transport padding (RFC 2046: LWSP after a boundary), then CR LF or "--".
        end = len(data)
        while pos < end:
            byte = data[pos]
            if byte == 0x20 or byte == 0x09:
                self._padding += 1
                if self._padding > self._max_part_header_size:
                    raise PartHeaderTooLarge(
                        "too much whitespace after a boundary",
                        limit_name="max_part_header_size",
                        limit=self._max_part_header_size,
                        offset=self._offset + pos,
                    )
                pos += 1
                continue
            if byte == 0x0D:
                if pos + 1 < end:
                    if data[pos + 1] != 0x0A:
                        raise MalformedBody(
                            f"bare CR after a boundary, followed by {data[pos + 1 : pos + 2]!r}",
                            offset=self._offset + pos + 1,
                        )
                    self._start_part(pos)
                    return pos + 2
                self._state = _AFTER_DELIMITER_CR
                return pos + 1
            if byte == 0x2D and not self._padding:
                self._state = _AFTER_DELIMITER_DASH
                return pos + 1
            what = "bare LF" if byte == 0x0A else f"byte {data[pos : pos + 1]!r}"
            raise MalformedBody(
                f"{what} after a boundary; a boundary line must end with CRLF or '--'",
                offset=self._offset + pos,
            )
        return pos

    def _start_part(self, pos: int) -> None:
        self._parts += 1
        if self._parts > self._max_parts:
            raise TooManyParts(
                f"part {self._parts} starts",
                limit_name="max_parts",
                limit=self._max_parts,
                offset=self._offset + pos,
            )
        self._state = _HEADERS
        self._head.clear()

    def _read_headers(self, data: bytes, pos: int, append: Callable[[Event], None]) -> int:
        limit = self._max_part_header_size
        head = self._head
        if not head:
            # Fast path: the whole header block is in this chunk.
            if data.startswith(b"\r\n", pos):
                self._emit_headers(b"", pos, append)
                return pos + 2
            stop = data.find(b"\r\n\r\n", pos, pos + limit + 4)
            if stop >= 0:
                self._emit_headers(data[pos:stop], pos, append)
                return stop + 4
            # Slow path: keep the start of the block, with the CRLF that ended
            # the boundary line so that an empty block is CRLF CRLF too.
            head += b"\r\n"
        old = len(head)
        taken = data[pos : pos + limit + 6 - old]
        head += taken
        stop = head.find(b"\r\n\r\n", max(0, old - 3))
        if stop >= 0 and stop - 2 <= limit:
            block = bytes(head[2:stop])
            self._emit_headers(block, pos, append)
            return pos + stop + 4 - old
        if len(head) >= limit + 6 or stop >= 0:
            raise PartHeaderTooLarge(
                f"header block of part {self._parts} has no end in its first {limit} bytes",
                limit_name="max_part_header_size",
                limit=limit,
                offset=self._offset + pos,
            )
        return pos + len(taken)

    def _emit_headers(self, block: bytes, pos: int, append: Callable[[Event], None]) -> None:
        if block:
            lines = block.split(b"\r\n")
            if len(lines) > self._max_part_headers:
                raise TooManyPartHeaders(
                    f"part {self._parts} has {len(lines)} header lines",
                    limit_name="max_part_headers",
                    limit=self._max_part_headers,
                    offset=self._offset + pos,
                )
            # Fast validation with C-level bytes methods: deleting every allowed
            # byte must leave exactly the CR LF pairs between lines (no control
            # byte, no bare CR or LF), and deleting token bytes from each name
            # must leave nothing.  The regexes only explain a failure.
            pairs = []
            ok = block.translate(None, _FIELD_VALUE_BYTES) == _CRLF * (len(lines) - 1)
            if ok:
                for line in lines:
                    name, colon, value = line.partition(b":")
                    if not colon or not name or name.translate(None, _TOKEN_BYTES):
                        ok = False
                        break
                    pairs.append(
                        (
                            name.decode("ascii"),
                            value.strip(b" \t").decode("utf-8", "surrogateescape"),
                        )
                    )
            if not ok:
                line_start = 0
                for line in lines:
                    if _HEADER_LINE_RE.fullmatch(line) is None:
                        break
                    line_start += len(line) + 2
                raise InvalidPartHeader(
                    f"part {self._parts}: {_explain_bad_header(line)}",
                    offset=self._offset + pos + line_start,
                )
            headers: CIMultiDict[str] = CIMultiDict(pairs)
        else:
            headers = CIMultiDict()
        self._state = _DATA
        self._match = 0
        append(_new_event(PartStart, (CIMultiDictProxy(headers),)))


def _explain_bad_header(line: bytes) -> str:
    shown = repr(line[:60]) + ("..." if len(line) > 60 else "")
    if line[:1] in (b" ", b"\t"):
        return f"obsolete line folding is not allowed: {shown}"
    name, colon, value = line.partition(b":")
    if not colon:
        for bad, label in ((b"\r", "CR"), (b"\n", "LF")):
            if bad in line:
                return f"bare {label} in header line {shown}"
        return f"header line without a colon: {shown}"
    if _TOKEN_RE.fullmatch(name) is None:
        return f"invalid header name {name[:40]!r}"
    for index, byte in enumerate(value, start=len(name) + 1):
        if (byte < 0x20 and byte != 0x09) or byte == 0x7F:
            what = {0x0D: "bare CR", 0x0A: "bare LF"}.get(byte, f"control byte {bytes([byte])!r}")
            return f"{what} in header {name.decode('ascii')!r} at column {index} of its line"
    return f"invalid header line {shown}"  # pragma: no cover - the regex accepts the rest
