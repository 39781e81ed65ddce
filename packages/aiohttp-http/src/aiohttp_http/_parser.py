"""Sans-IO HTTP/1.1 request and response parsers: the state machine.

Theory of operation
-------------------
A parser owns one connection's inbound bytes. ``feed_data(data)`` appends to
what is left over, runs the state machine as far as the bytes allow and
returns the events produced, in order:

    message head (RawRequestMessage / RawResponseMessage)
    Data(...)*          body pieces (decoded when auto_decompress is on)
    EndOfMessage        with trailers for chunked bodies
    Upgraded(tail)      only after a 101, a 2xx to CONNECT, a CONNECT or
                        Upgrade request: the rest of the bytes, unparsed

States and transitions (``_AFTER_HEAD`` maps a head's body kind to a state)::

    HEAD --head--> BODY_NONE ----------------------> (end of message)
              \\--> BODY_LENGTH   --length reached--> (end of message)
               \\-> BODY_CHUNKED  --last chunk------> (end of message)
                \\> BODY_UNTIL_CLOSE --feed_eof()---> (end of message) -> CLOSED
                 \\> HAND_OFF (tail returned)        -> SWITCHED
    (end of message) -> HEAD, or SWITCHED when the message upgrades
    any BadHttpMessage -> ERROR (sticky: every later call raises it again)

When an error is found after some events were already produced by the same
call, those events are returned and the error is raised by the next call, so
pipelined messages received before the bad one are not lost.

The head is parsed in one go once its end (CRLF CRLF) is in the buffer: one
regex for the start line, one ``findall`` plus ``count``s for all the field
lines (see ``_headers.parse_fields``). While the head is incomplete only the
new bytes are scanned, so feeding one byte at a time stays linear and every
buffer is bounded by the line, field and count limits.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import deque

from multidict import CIMultiDict, CIMultiDictProxy

from ._abnf import (
    REQUEST_LINE_RE,
    STATUS_LINE_LENIENT_RE,
    STATUS_LINE_RE,
)
from ._chunked import ChunkedBodyDecoder
from ._decoding import (
    DEFAULT_MAX_DECOMPRESSED_SIZE,
    DEFAULT_MAX_DECOMPRESSION_RATIO,
    ContentDecoder,
)
from ._exceptions import (
    BadHttpMessage,
    BadStatusLine,
    BodyTooLarge,
    ContentLengthError,
    InvalidHeader,
    LineTooLong,
    TransferEncodingError,
)
from ._headers import framing, parse_fields, parse_fields_lenient
from ._message import (
    Data,
    EndOfMessage,
    HttpVersion11,
    RawHeaders,
    RawRequestMessage,
    RawResponseMessage,
    Upgraded,
)
from ._start_line import (
    METHODS,
    bad_request_line,
    bad_start_line,
    check_target,
    decode,
    parse_version,
)

__all__ = [
    "DEFAULT_MAX_FIELD_SIZE",
    "DEFAULT_MAX_HEADERS",
    "DEFAULT_MAX_LINE_SIZE",
    "Event",
    "HttpRequestParser",
    "HttpResponseParser",
]

#: Limit of the request line / status line, and of a chunk-size line, in bytes.
DEFAULT_MAX_LINE_SIZE = 8190
#: Limit of one field line (name, colon, value), in bytes.
DEFAULT_MAX_FIELD_SIZE = 8190
#: Limit of the number of field lines in a head (and in a trailer section).
DEFAULT_MAX_HEADERS = 128

Event = RawRequestMessage | RawResponseMessage | Data | EndOfMessage | Upgraded

_HEAD, _BODY_LENGTH, _BODY_CHUNKED, _BODY_UNTIL_CLOSE, _SWITCHED, _CLOSED, _ERROR = range(7)
# Body kinds decided from a head.
_NONE, _LENGTH, _CHUNKED, _UNTIL_CLOSE, _HAND_OFF = range(5)
_AFTER_HEAD = {_LENGTH: _BODY_LENGTH, _CHUNKED: _BODY_CHUNKED, _UNTIL_CLOSE: _BODY_UNTIL_CLOSE}

_LENIENT_HEAD_END = re.compile(rb"\n\r?\n")
_END = EndOfMessage()  # shared: immutable, and most messages have no trailers


class _HttpParser(ABC):
    """The shared state machine; see the module docstring."""

    def __init__(
        self,
        *,
        max_line_size: int,
        max_field_size: int,
        max_headers: int,
        max_body_size: int | None,
        auto_decompress: bool,
        max_decompressed_size: int,
        max_decompression_ratio: float | None,
    ) -> None:
        self._max_line_size = max_line_size
        self._max_field_size = max_field_size
        self._max_headers = max_headers
        self._max_body_size = max_body_size
        self._auto_decompress = auto_decompress
        self._max_decompressed_size = max_decompressed_size
        self._max_decompression_ratio = max_decompression_ratio
        self._lenient = False
        self._buf = bytearray()
        self._state = _HEAD
        self._scan = 0  # where to resume searching for the end of an incomplete head
        self._checked = 0  # bytes of an incomplete head already checked
        self._lines = 0  # LFs seen in an incomplete head
        self._remaining = 0  # BODY_LENGTH: bytes still expected
        self._received = 0  # BODY_UNTIL_CLOSE: bytes received
        self._chunked: ChunkedBodyDecoder | None = None
        self._decoder: ContentDecoder | None = None
        self._switch_after_body = False
        self._error: BadHttpMessage | None = None
        # The most a head may take: start line, max_headers field lines, CRLFs.
        self._max_head = max_line_size + 2 + max_headers * (max_field_size + 2) + 2

    # -- public state ---------------------------------------------------------

    @property
    def buffered_size(self) -> int:
        """Bytes received but not yet parsed (the start of a message head, say).

        Between two messages this is 0 unless the peer sent more than the
        messages it answered with; a client must not reuse such a connection.
        """
        return len(self._buf)

    @property
    def error(self) -> BadHttpMessage | None:
        """The error that stopped the parser, if any.

        ``feed_data`` returns the events completed before an error and raises
        it on the next call; this property shows it at once.
        """
        return self._error

    # -- public verbs ---------------------------------------------------------

    def feed_data(self, data: bytes) -> list[Event]:
        """Parse ``data`` (any split) and return the events it completes.

        Raises:
            BadHttpMessage (or a subclass): the peer's bytes are invalid; every
                later call raises the same error. If events were produced
                before the error in this call they are returned first and the
                error is raised by the next call.
            RuntimeError: data fed after ``Upgraded`` or after ``feed_eof()``.
        """
        if self._state >= _SWITCHED:
            self._raise_dead()
        if self._buf:
            self._buf += data
            buf: bytes | bytearray = self._buf
        else:
            buf = data
        events: list[Event] = []
        try:
            pos = self._run(buf, events)
        except BadHttpMessage as exc:
            self._error = exc
            self._state = _ERROR
            self._buf = bytearray()
            if events:
                return events
            raise
        if buf is self._buf:
            del self._buf[:pos]
        elif pos < len(buf):
            self._buf = bytearray(memoryview(buf)[pos:])
        return events

    def feed_eof(self) -> list[Event]:
        """Tell the parser the peer closed the connection; return the final events.

        Completes a read-until-close body. Raises ContentLengthError (short
        Content-Length body), TransferEncodingError (unfinished chunked body)
        or BadHttpMessage (incomplete head); returns ``[]`` between messages.
        """
        state = self._state
        if state >= _SWITCHED:
            if state == _ERROR:
                self._raise_dead()
            return []
        events: list[Event] = []
        try:
            if state == _BODY_UNTIL_CLOSE:
                self._end_message(events, ())
            elif state == _BODY_LENGTH:
                raise ContentLengthError(
                    f"connection closed with {self._remaining} body bytes still expected"
                )
            elif state == _BODY_CHUNKED:
                raise TransferEncodingError("connection closed inside a chunked body")
            elif self._buf.strip(b"\r\n"):
                raise BadHttpMessage(
                    f"connection closed inside a message head ({len(self._buf)} bytes)"
                )
        except BadHttpMessage as exc:
            self._error = exc
            self._state = _ERROR
            raise
        self._state = _CLOSED
        self._buf = bytearray()
        return events

    def _raise_dead(self) -> None:
        if self._error is not None:
            raise self._error
        raise RuntimeError("the parser takes no more data (connection switched or closed)")

    # -- the state machine ----------------------------------------------------

    def _run(self, buf: bytes | bytearray, events: list[Event]) -> int:
        pos = 0
        n = len(buf)
        while pos < n:
            state = self._state
            if state == _HEAD:
                new = self._feed_head(buf, pos, events)
                if new == pos:
                    break  # incomplete head: wait for more
                pos = new
            elif state == _BODY_LENGTH:
                rem = self._remaining
                if n - pos >= rem:
                    self._body(_slice(buf, pos, pos + rem), events)
                    pos += rem
                    self._end_message(events, ())
                else:
                    self._body(_slice(buf, pos, n), events)
                    self._remaining = rem - (n - pos)
                    pos = n
            elif state == _BODY_CHUNKED:
                decoder = self._chunked
                assert decoder is not None
                pieces: list[bytes | bytearray] = []
                pos = decoder.feed(buf, pos, pieces)
                if pieces:
                    self._body(pieces[0] if len(pieces) == 1 else b"".join(pieces), events)
                if not decoder.done:
                    break
                assert decoder.trailers is not None
                self._end_message(events, decoder.raw_trailers, decoder.trailers)
            elif state == _BODY_UNTIL_CLOSE:
                self._received += n - pos
                if self._max_body_size is not None and self._received > self._max_body_size:
                    raise BodyTooLarge(f"body exceeds max_body_size of {self._max_body_size} bytes")
                self._body(_slice(buf, pos, n), events)
                pos = n
            else:  # pragma: no cover - feed_data refuses the other states
                raise AssertionError(state)
            if self._state == _SWITCHED:
                events.append(Upgraded(bytes(buf[pos:])))
                return n
        return pos

    def _feed_head(self, buf: bytes | bytearray, pos: int, events: list[Event]) -> int:
        if self._skip_crlf and buf.startswith(b"\r\n", pos):
            # RFC 9112 §2.2: ignore empty lines before a request-line.
            self._scan = self._checked = self._lines = 0
            while buf.startswith(b"\r\n", pos):
                pos += 2
            return pos
        if self._lenient:
            m = _LENIENT_HEAD_END.search(buf, pos + self._scan)
            if m is None:
                self._check_partial_head(buf, pos)
                return pos
            after = m.end()
        else:
            end = buf.find(b"\r\n\r\n", pos + self._scan)
            if end == -1:
                self._check_partial_head(buf, pos)
                return pos
            after = end + 4
        if after - pos > self._max_head:
            raise LineTooLong("message head", self._max_head, after - pos)
        self._scan = self._checked = self._lines = 0
        head = bytes(buf[pos:after])
        kind, length = self._parse_head(head, events)
        pos = after
        if kind == _NONE:
            self._end_message(events, ())
        elif kind == _HAND_OFF:
            self._state = _SWITCHED
        elif kind == _LENGTH and length == 0:
            self._end_message(events, ())
        else:
            if kind == _LENGTH:
                assert length is not None
                if self._max_body_size is not None and length > self._max_body_size:
                    raise BodyTooLarge(
                        f"Content-Length {length} exceeds max_body_size of {self._max_body_size}"
                    )
                self._remaining = length
            elif kind == _CHUNKED:
                self._chunked = ChunkedBodyDecoder(
                    max_line_size=self._max_line_size,
                    max_field_size=self._max_field_size,
                    max_headers=self._max_headers,
                    max_body_size=self._max_body_size,
                )
            else:
                self._received = 0
            self._state = _AFTER_HEAD[kind]
        return pos

    def _check_partial_head(self, buf: bytes | bytearray, pos: int) -> None:
        """Bound an incomplete head and fail early on what can never complete it."""
        n = len(buf)
        start = pos + self._checked
        self._checked = n - pos
        self._scan = max(n - pos - 3, 0)
        new_lf = buf.count(b"\n", start, n)
        self._lines += new_lf
        if not self._lenient and new_lf != buf.count(b"\r\n", max(start - 1, pos), n):
            at = buf.find(b"\n", start)
            while at > pos and buf[at - 1] == 0x0D:
                at = buf.find(b"\n", at + 1)
            first = buf.find(b"\n", pos)
            if first == at:
                raise BadStatusLine(bytes(buf[pos:at]), f"bare LF in start line at byte {at - pos}")
            # Report what a complete head would: a bad start line comes first.
            self._check_start_line(bytes(buf[pos : first - 1]))
            raise InvalidHeader(f"bare LF in header line at byte {at - pos}")
        last = buf.rfind(b"\n", pos, n)
        if last == -1:
            if n - pos > self._max_line_size:
                raise LineTooLong(self._start_line_name, self._max_line_size, n - pos)
        elif n - last - 1 > self._max_field_size:
            raise LineTooLong("header line", self._max_field_size, n - last - 1)
        if self._lines > self._max_headers + 1:
            raise InvalidHeader(f"too many header fields: more than {self._max_headers}")
        if n - pos > self._max_head:
            raise LineTooLong("message head", self._max_head, n - pos)

    _start_line_name = "start line"
    _skip_crlf = False

    @abstractmethod
    def _check_start_line(self, line: bytes) -> None:
        """Raise the error a complete head with this start line (no CRLF) would raise first."""

    @abstractmethod
    def _parse_head(self, head: bytes, events: list[Event]) -> tuple[int, int | None]:
        """Parse a complete head, append the message to ``events``; return (body kind, length)."""

    def _fields(self, head: bytes, i: int, end: int) -> tuple[RawHeaders, CIMultiDict[str]]:
        return parse_fields(
            head,
            i,
            end,
            max_field_size=self._max_field_size,
            max_headers=self._max_headers,
            what="header",
        )

    def _set_decoder(self, compression: str | None) -> None:
        if compression is not None and self._auto_decompress:
            self._decoder = ContentDecoder(
                compression,
                max_size=self._max_decompressed_size,
                max_ratio=self._max_decompression_ratio,
            )
        else:
            self._decoder = None

    def _body(self, piece: bytes | bytearray, events: list[Event]) -> None:
        if not piece:
            return
        decoder = self._decoder
        if decoder is None:
            events.append(Data(piece if type(piece) is bytes else bytes(piece)))
        else:
            events.extend(Data(p) for p in decoder.decompress(bytes(piece)))

    def _end_message(
        self,
        events: list[Event],
        raw_trailers: RawHeaders,
        trailers: CIMultiDictProxy[str] | None = None,
    ) -> None:
        if self._decoder is not None:
            events.extend(Data(p) for p in self._decoder.finish())
            self._decoder = None
        events.append(EndOfMessage(trailers, raw_trailers) if raw_trailers else _END)
        self._chunked = None
        if self._switch_after_body:
            self._state = _SWITCHED
        else:
            self._state = _HEAD


def _slice(buf: bytes | bytearray, start: int, end: int) -> bytes:
    """``bytes(buf[start:end])`` with at most one copy, and none for a whole ``bytes``."""
    if start == 0 and end == len(buf) and type(buf) is bytes:
        return buf
    with memoryview(buf) as view:
        return bytes(view[start:end])


class HttpResponseParser(_HttpParser):
    """Incremental, sans-IO parser of HTTP/1.x responses (client side).

    Args:
        request_method: method of the request a response answers when
            :meth:`expect_response` queued none (``HEAD`` → no body).
        lenient: accept what real servers are known to send (README, "Lenient
            mode"): bare LF line ends, obs-fold, a missing reason phrase.
        max_line_size, max_field_size, max_headers: head limits.
        max_body_size: cap on one body on the wire, or ``None`` (BodyTooLarge).
        auto_decompress: decode gzip/deflate/br/zstd bodies (``compression``).
        max_decompressed_size, max_decompression_ratio: limits of decoding.

    ``feed_data`` returns events (see the module docstring); a 1xx response is
    a message of its own. Raises BadHttpMessage subclasses, see ``feed_data``.
    """

    _start_line_name = "status line"

    def __init__(
        self,
        *,
        request_method: str = "GET",
        lenient: bool = False,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
        max_headers: int = DEFAULT_MAX_HEADERS,
        max_body_size: int | None = None,
        auto_decompress: bool = True,
        max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
        max_decompression_ratio: float | None = DEFAULT_MAX_DECOMPRESSION_RATIO,
    ) -> None:
        super().__init__(
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
            max_body_size=max_body_size,
            auto_decompress=auto_decompress,
            max_decompressed_size=max_decompressed_size,
            max_decompression_ratio=max_decompression_ratio,
        )
        self._lenient = lenient
        self._request_method = request_method.upper()
        self._methods: deque[str] = deque()

    def expect_response(self, method: str) -> None:
        """Queue the method of a sent request; each final response consumes one.

        Needed for pipelining mixed methods: a response to ``HEAD`` has no
        body and a 2xx to ``CONNECT`` hands the connection off.
        """
        self._methods.append(method.upper())

    def _check_start_line(self, line: bytes) -> None:
        if len(line) > self._max_line_size:
            raise LineTooLong("status line", self._max_line_size, len(line))
        m = STATUS_LINE_RE.fullmatch(line)
        if m is None:
            raise bad_start_line(line, "status line")
        parse_version(m.group(1), m.group(2), line)

    def _parse_head(self, head: bytes, events: list[Event]) -> tuple[int, int | None]:
        lenient = self._lenient
        i = head.find(b"\r\n")
        if not lenient or (
            i != -1 and head.find(b"\n") == i + 1 and head.count(b"\n") == head.count(b"\r\n")
        ):
            line = head[:i]
            if i > self._max_line_size:
                raise LineTooLong("status line", self._max_line_size, i)
            m = STATUS_LINE_RE.fullmatch(line)
            if m is None and lenient:
                m = STATUS_LINE_LENIENT_RE.fullmatch(line)
            if m is None:
                raise bad_start_line(line, "status line")
            try:
                raw, fields = self._fields(head, i, len(head) - 2)
            except InvalidHeader:
                if not lenient:
                    raise
                raw, fields = self._lenient_fields(head[i + 2 : -4].split(b"\r\n"), i + 2)
        else:
            lines = [ln[:-1] if ln[-1:] == b"\r" else ln for ln in head.split(b"\n")]
            line = lines[0]
            if len(line) > self._max_line_size:
                raise LineTooLong("status line", self._max_line_size, len(line))
            m = STATUS_LINE_LENIENT_RE.fullmatch(line)
            if m is None:
                raise bad_start_line(line, "status line")
            raw, fields = self._lenient_fields(lines[1:-2], len(line) + 1)
        major, minor, code_b, reason_b = m.groups()
        version = (
            HttpVersion11 if major == b"1" and minor == b"1" else parse_version(major, minor, line)
        )
        code = int(code_b)
        if code < 100:
            raise BadStatusLine(line, f"status code {code_b.decode()} is below 100")
        fr = framing(fields, version, is_request=False)
        if code < 200:
            kind = _HAND_OFF if code == 101 else _NONE
        else:
            method = self._methods.popleft() if self._methods else self._request_method
            if method == "HEAD" or code == 204 or code == 304:
                kind = _NONE
            elif method == "CONNECT" and code < 300:
                kind = _HAND_OFF
            elif fr.chunked:
                kind = _CHUNKED
            elif fr.length is not None:
                kind = _LENGTH
            else:
                kind = _UNTIL_CLOSE
        self._set_decoder(fr.compression if kind != _NONE and kind != _HAND_OFF else None)
        reason = reason_b.strip(b" \t") if reason_b else b""
        events.append(
            RawResponseMessage(
                version,
                code,
                reason.decode() if reason.isascii() else decode(reason),
                CIMultiDictProxy(fields),
                raw,
                not fr.keep_alive or kind == _UNTIL_CLOSE,
                fr.compression,
                kind == _HAND_OFF,
                fr.chunked,
            )
        )
        return kind, fr.length

    def _lenient_fields(
        self, lines: list[bytes], offset: int
    ) -> tuple[RawHeaders, CIMultiDict[str]]:
        return parse_fields_lenient(
            lines, offset, max_field_size=self._max_field_size, max_headers=self._max_headers
        )


class HttpRequestParser(_HttpParser):
    """Incremental, sans-IO parser of HTTP/1.x requests (server side); always strict.

    Args:
        max_line_size, max_field_size, max_headers: head limits.
        max_body_size: cap on one body on the wire, or ``None`` (BodyTooLarge).
        auto_decompress: decode gzip/deflate/br/zstd request bodies.
        max_decompressed_size, max_decompression_ratio: limits of decoding.

    A CONNECT request hands off right after its head; a request with
    ``Connection: upgrade`` and ``Upgrade`` hands off after its body.
    Raises BadHttpMessage subclasses (see ``feed_data``), including
    BadHttpMethod, InvalidURLError and BadHttpMessage for a missing or
    repeated Host in HTTP/1.1 (RFC 9112 §3.2).
    """

    _start_line_name = "request line"
    _skip_crlf = True

    def __init__(
        self,
        *,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
        max_headers: int = DEFAULT_MAX_HEADERS,
        max_body_size: int | None = None,
        auto_decompress: bool = True,
        max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
        max_decompression_ratio: float | None = DEFAULT_MAX_DECOMPRESSION_RATIO,
    ) -> None:
        super().__init__(
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
            max_body_size=max_body_size,
            auto_decompress=auto_decompress,
            max_decompressed_size=max_decompressed_size,
            max_decompression_ratio=max_decompression_ratio,
        )

    def _check_start_line(self, line: bytes) -> None:
        if len(line) > self._max_line_size:
            raise LineTooLong("request line", self._max_line_size, len(line))
        m = REQUEST_LINE_RE.fullmatch(line)
        if m is None:
            bad_request_line(line)
        parse_version(m.group(3), m.group(4), line)
        check_target(m.group(1).decode("ascii"), m.group(2))

    def _parse_head(self, head: bytes, events: list[Event]) -> tuple[int, int | None]:
        i = head.find(b"\r\n")
        if i > self._max_line_size:
            raise LineTooLong("request line", self._max_line_size, i)
        m = REQUEST_LINE_RE.fullmatch(head, 0, i)
        if m is None:
            bad_request_line(head[:i])
        method_b, target_b, major, minor = m.groups()
        if major == b"1" and minor == b"1":
            version = HttpVersion11
        else:
            version = parse_version(major, minor, head[:i])
        method = METHODS.get(method_b) or method_b.decode("ascii")
        check_target(method, target_b)
        raw, fields = self._fields(head, i, len(head) - 2)
        if version >= HttpVersion11:
            hosts = fields.getall("Host", ())
            if len(hosts) != 1:
                raise BadHttpMessage(f"HTTP/1.1 request with {len(hosts)} Host fields (need 1)")
        fr = framing(fields, version, is_request=True)
        if method == "CONNECT":
            kind = _HAND_OFF
        elif fr.chunked:
            kind = _CHUNKED
        elif fr.length is not None:
            kind = _LENGTH
        else:
            kind = _NONE
        self._switch_after_body = fr.upgrade and kind != _HAND_OFF
        self._set_decoder(fr.compression if kind in (_LENGTH, _CHUNKED) else None)
        target = target_b.decode("ascii")
        events.append(
            RawRequestMessage(
                method,
                target,
                version,
                CIMultiDictProxy(fields),
                raw,
                not fr.keep_alive,
                fr.compression,
                fr.upgrade or kind == _HAND_OFF,
                fr.chunked,
                target,
            )
        )
        return kind, fr.length
