"""Field-line parsing and the framing rules of RFC 9112 §6.

``parse_fields`` validates and splits a whole header block in a few C-level
passes (one ``findall`` and a handful of ``count``s); only when that fast
check fails does ``_diagnose_line`` walk the lines to name the offending byte.
``framing`` turns the parsed fields into the facts the state machine needs
(body length or chunked, keep-alive, upgrade, content coding), rejecting
every combination that could desynchronise a connection.
"""

from __future__ import annotations

from typing import NamedTuple

from multidict import CIMultiDict

from ._abnf import (
    FIELD_LINES_FINDALL,
    FIELD_VALUE_FORBIDDEN_RE,
    FIELD_VALUE_RE,
    LIST_SEPARATOR_RE,
    TOKEN_RE,
    TOKEN_STR_RE,
)
from ._decoding import SUPPORTED_ENCODINGS
from ._exceptions import ContentLengthError, InvalidHeader, LineTooLong, TransferEncodingError
from ._message import HttpVersion, HttpVersion11, RawHeaders

__all__ = ["Framing", "framing", "parse_fields", "parse_fields_lenient"]

_MAX_CL_DIGITS = 19  # < 2**63
_SIMPLE_CONNECTION = frozenset(["close", "keep-alive", "upgrade"])


def _decode_pairs(pairs: list[tuple[bytes, bytes]]) -> CIMultiDict[str]:
    try:
        return CIMultiDict([(n.decode(), v.decode()) for n, v in pairs])
    except UnicodeDecodeError:
        # obs-text that is not UTF-8: keep the bytes recoverable.
        return CIMultiDict([(n.decode(), v.decode("utf-8", "surrogateescape")) for n, v in pairs])


def parse_fields(
    head: bytes, start: int, end: int, *, max_field_size: int, max_headers: int, what: str
) -> tuple[RawHeaders, CIMultiDict[str]]:
    """Parse the field lines of ``head[start:end]`` (strict, RFC 9112 §5).

    ``head[start:end]`` must begin with the CRLF that ends the start line and
    end with the CRLF of the last field line (it is just ``b"\\r\\n"`` when
    there are no fields). ``what`` ("header" or "trailer") names the block
    in errors. Raises :class:`InvalidHeader` or :class:`LineTooLong`.
    """
    pairs: list[tuple[bytes, bytes]] = FIELD_LINES_FINDALL(head, start + 1, end)
    lines = head.count(b"\n", start, end)
    if not (
        len(pairs) + 1 == lines == head.count(b"\r", start, end) == head.count(b"\r\n", start, end)
    ):
        _diagnose_block(head, start + 2, end, what)
    if len(pairs) > max_headers:
        raise InvalidHeader(f"too many {what} fields: {len(pairs)} > limit of {max_headers}")
    if end - start - 2 > max_field_size:
        for line in head[start + 2 : end - 2].split(b"\r\n"):
            if len(line) > max_field_size:
                raise LineTooLong(
                    f"{what} line {line.partition(b':')[0][:60]!r}", max_field_size, len(line)
                )
    if head.find(b" \r", start, end) != -1 or head.find(b"\t\r", start, end) != -1:
        pairs = [(n, v.rstrip(b" \t")) for n, v in pairs]
    return tuple(pairs), _decode_pairs(pairs)


def _diagnose_block(head: bytes, start: int, end: int, what: str) -> None:
    """Raise the precise error for the first bad line of ``head[start:end]`` (strict)."""
    pos = start
    while pos < end:
        nl = head.find(b"\n", pos, end)
        if nl == -1:  # pragma: no cover - the block always ends with CRLF
            nl = end
        if nl == pos or head[nl - 1] != 0x0D:
            raise InvalidHeader(f"bare LF in {what} line at byte {nl}")
        _diagnose_line(head[pos : nl - 1], pos, what)
        pos = nl + 1
    raise InvalidHeader(f"malformed {what} block")  # pragma: no cover - defensive


def _diagnose_line(line: bytes, offset: int, what: str) -> tuple[bytes, bytes]:
    """Check one field line (without its CRLF) and return ``(name, value)``.

    ``offset`` is where the line starts in the message, for error messages.
    Raises :class:`InvalidHeader` naming the problem and the byte offset.
    """
    cr = line.find(b"\r")
    if cr != -1:
        raise InvalidHeader(f"bare CR in {what} line at byte {offset + cr}")
    if line[:1] in (b" ", b"\t"):
        raise InvalidHeader(f"obs-fold (line folding) in {what} line at byte {offset}")
    name, colon, value = line.partition(b":")
    if not colon:
        raise InvalidHeader(f"{what} line without a colon at byte {offset}: {line[:60]!r}")
    if not name:
        raise InvalidHeader(f"empty {what} field name at byte {offset}")
    if name[-1:] in (b" ", b"\t"):
        # RFC 9112 §5.1: no whitespace between field name and colon.
        raise InvalidHeader(
            f"whitespace before colon in {what} field {name.strip()[:60]!r} at byte "
            f"{offset + len(name) - 1}",
            hdr=name,
        )
    if not TOKEN_RE.fullmatch(name):
        bad = next(i for i in range(len(name)) if not TOKEN_RE.fullmatch(name, i, i + 1))
        raise InvalidHeader(
            f"invalid character {name[bad : bad + 1]!r} in {what} field name "
            f"{name[:60]!r} at byte {offset + bad}",
            hdr=name,
        )
    value_start = offset + len(name) + 1
    stripped = value.strip(b" \t")
    if not FIELD_VALUE_RE.fullmatch(stripped):
        m = FIELD_VALUE_FORBIDDEN_RE.search(value)
        at = m.start() if m else 0
        raise InvalidHeader(
            f"invalid character {value[at : at + 1]!r} in value of "
            f"{name.decode('latin-1')!r} at byte {value_start + at}",
            hdr=name,
        )
    return name, stripped


def parse_fields_lenient(
    lines: list[bytes], offset: int, *, max_field_size: int, max_headers: int
) -> tuple[RawHeaders, CIMultiDict[str]]:
    """Parse field lines already split on LF (lenient response mode).

    Relaxes exactly: a line may end in a bare LF (its trailing CR, if any, was
    removed by the caller), and an obs-fold continuation line is unfolded into
    the previous value with a single space (RFC 9112 §5.2). Everything else
    is checked as in strict mode. ``offset`` is where the first line starts.
    """
    pairs: list[tuple[bytes, bytes]] = []
    for line in lines:
        if len(line) > max_field_size:
            raise LineTooLong(f"header line {line[:60]!r}", max_field_size, len(line))
        if line[:1] in (b" ", b"\t") and pairs:
            cont = line.strip(b" \t")
            if not FIELD_VALUE_RE.fullmatch(cont):
                _diagnose_line(pairs[-1][0] + b": " + cont, offset, "header")
            name, value = pairs[-1]
            pairs[-1] = (name, value + b" " + cont if value else cont)
        else:
            pairs.append(_diagnose_line(line, offset, "header"))
            if len(pairs) > max_headers:
                raise InvalidHeader(f"too many header fields: more than {max_headers}")
        offset += len(line) + 1
    return tuple(pairs), _decode_pairs(pairs)


class Framing(NamedTuple):
    """How a message's body is delimited and what happens to the connection."""

    chunked: bool
    length: int | None  # None: no Content-Length (read until close, or empty)
    keep_alive: bool  # by version and Connection, before body rules
    upgrade: bool  # Connection: upgrade with an Upgrade field
    compression: str | None


def _tokens(values: list[str], field: str) -> list[str]:
    """Split list-valued fields (RFC 9110 §5.6.1) into lowercase tokens; empty elements dropped."""
    out: list[str] = []
    for value in values:
        for item in LIST_SEPARATOR_RE.split(value.strip(" \t")):
            if not item:
                continue
            if not TOKEN_STR_RE.fullmatch(item):
                exc = TransferEncodingError if field == "Transfer-Encoding" else InvalidHeader
                raise exc(f"invalid token {item[:60]!r} in {field}")
            out.append(item.lower())
    return out


def _content_length(values: list[str]) -> int:
    """RFC 9110 §8.6: 1*DIGIT. Repeated identical values are accepted as one."""
    found: int | None = None
    for value in values:
        for item in value.split(","):
            item = item.strip(" \t")
            if not (item.isascii() and item.isdigit()):
                raise ContentLengthError(f"invalid Content-Length {item[:60]!r}: not 1*DIGIT")
            if len(item) > _MAX_CL_DIGITS:
                raise ContentLengthError(f"Content-Length {item[:60]!r} is too large")
            n = int(item)
            if found is not None and n != found:
                raise ContentLengthError(f"conflicting Content-Length values {values!r}")
            found = n
    if found is None:
        raise ContentLengthError("empty Content-Length")
    return found


def framing(headers: CIMultiDict[str], version: HttpVersion, *, is_request: bool) -> Framing:
    """Apply RFC 9112 §6 and RFC 9110 §7.6.1 to a message's fields.

    Raises :class:`TransferEncodingError` for Transfer-Encoding on HTTP/1.0,
    a coding other than a single final ``chunked``, or Transfer-Encoding with
    Content-Length; :class:`ContentLengthError` for a malformed or
    conflicting Content-Length.
    """
    te = headers.getall("Transfer-Encoding", None)
    cl = headers.getall("Content-Length", None)
    conn = headers.getall("Connection", None)
    chunked = False
    length: int | None = None
    if te is not None:
        if cl is not None:
            # RFC 9112 §6.3: TE overrides CL, and a sender of both may be smuggling; reject.
            raise TransferEncodingError("both Transfer-Encoding and Content-Length present")
        if version < HttpVersion11:
            # RFC 9112 §6.1: framing of an HTTP/1.0 message with TE is faulty.
            raise TransferEncodingError("Transfer-Encoding in an HTTP/1.0 message")
        codings = _tokens(te, "Transfer-Encoding")
        if codings != ["chunked"]:
            if not codings:
                raise TransferEncodingError("empty Transfer-Encoding")
            if codings.count("chunked") > 1:
                raise TransferEncodingError(f"chunked applied more than once: {te!r}")
            if "chunked" in codings and codings[-1] != "chunked":
                raise TransferEncodingError(f"chunked is not the final transfer coding: {te!r}")
            raise TransferEncodingError(f"unsupported transfer coding in {te!r}")
        chunked = True
    elif cl is not None:
        value = cl[0]
        if len(cl) == 1 and value.isdigit() and value.isascii() and len(value) <= _MAX_CL_DIGITS:
            length = int(value)
        else:
            length = _content_length(cl)
    keep_alive = version >= HttpVersion11
    upgrade = False
    if conn is not None:
        single = conn[0].lower() if len(conn) == 1 else ""
        tokens = [single] if single in _SIMPLE_CONNECTION else _tokens(conn, "Connection")
        if "close" in tokens:
            keep_alive = False
        elif "keep-alive" in tokens:
            keep_alive = True
        upgrade = "upgrade" in tokens and "Upgrade" in headers
    compression = None
    ce = headers.get("Content-Encoding")
    if ce is not None:
        ce = ce.strip(" \t").lower()
        if ce in SUPPORTED_ENCODINGS:
            compression = ce
    return Framing(chunked, length, keep_alive, upgrade, compression)
