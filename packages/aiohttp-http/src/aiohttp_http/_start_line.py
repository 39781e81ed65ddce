"""Start-line parsing helpers: versions, methods, request-targets, precise start-line errors.

The fast paths live in the parsers (one regex ``fullmatch`` per start line);
these functions run on the rare paths and say exactly what is wrong.
"""

from __future__ import annotations

import re
from typing import NoReturn

from ._abnf import (
    ABSOLUTE_FORM_RE,
    AUTHORITY_FORM_RE,
    BAD_PCT_ENCODING_RE,
    HTTP_VERSION_RE,
    ORIGIN_FORM_FAST_RE,
    TOKEN_RE,
)
from ._exceptions import BadHttpMethod, BadStatusLine, InvalidURLError
from ._message import HttpVersion, HttpVersion10, HttpVersion11

__all__ = [
    "METHODS",
    "bad_request_line",
    "bad_start_line",
    "check_target",
    "decode",
    "parse_version",
]

_VERSIONS = {b"0": HttpVersion10, b"1": HttpVersion11}
METHODS = {
    m.encode(): m for m in ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT")
}


def parse_version(major: bytes, minor: bytes, line: bytes) -> HttpVersion:
    """The HttpVersion of matched ``DIGIT "." DIGIT``; BadStatusLine unless major is 1."""
    if major == b"1" and minor == b"1":
        return HttpVersion11
    if major != b"1":
        raise BadStatusLine(line, f"unsupported HTTP version in {line[:60]!r}")
    return _VERSIONS.get(minor) or HttpVersion(1, int(minor))


def decode(value: bytes) -> str:
    """UTF-8 text of ``value``, keeping invalid bytes with ``surrogateescape``."""
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("utf-8", "surrogateescape")


_CTL_RE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_CR_OR_LF_RE = re.compile(rb"[\r\n]")


def bad_start_line(line: bytes, what: str) -> BadStatusLine:
    """Build the precise error for a start line that failed its fast regex."""
    m = _CTL_RE.search(line)
    if m is not None:
        return BadStatusLine(
            line, f"invalid character {m.group()!r} in {what} at byte {m.start()}: {line[:60]!r}"
        )
    return BadStatusLine(line, f"malformed {what} {line[:60]!r}")


def check_target(method: str, target: bytes) -> None:
    """RFC 9112 §3.2: the request-target form must suit the method (InvalidURLError)."""
    if method == "CONNECT":
        ok = AUTHORITY_FORM_RE.fullmatch(target)
    elif target[0] == 0x2F:  # "/"
        ok = ORIGIN_FORM_FAST_RE.fullmatch(target)
        if ok is not None and b"%" in target and BAD_PCT_ENCODING_RE.search(target):
            ok = None
    elif target == b"*":
        ok = TOKEN_RE.fullmatch(b"*") if method == "OPTIONS" else None
    else:
        ok = ABSOLUTE_FORM_RE.fullmatch(target)
    if ok is None:
        raise InvalidURLError(f"invalid request-target {target[:60]!r} for method {method[:20]!r}")


def bad_request_line(line: bytes) -> NoReturn:
    """Raise the precise error for a request line that failed its fast regex."""
    m = _CR_OR_LF_RE.search(line)
    if m is not None:  # the line did not end where it should: same error in any split
        what = "CR" if m.group() == b"\r" else "LF"
        raise BadStatusLine(line, f"bare {what} in request line at byte {m.start()}")
    parts = line.split(b" ")
    if parts and parts[0] and not TOKEN_RE.fullmatch(parts[0]):
        m = _CTL_RE.search(parts[0]) or re.search(rb"[^-!#$%&'*+.^_`|~0-9A-Za-z]", parts[0])
        at = m.start() if m else 0
        raise BadHttpMethod(
            line, f"invalid character {parts[0][at : at + 1]!r} in method at byte {at}"
        )
    if len(parts) == 3 and parts[1] and not HTTP_VERSION_RE.fullmatch(parts[2]):
        raise BadStatusLine(line, f"invalid HTTP version {parts[2][:20]!r} in request line")
    if len(parts) == 3 and re.search(rb"[^\x21-\x7e]", parts[1]):
        m = re.search(rb"[^\x21-\x7e]", parts[1])
        assert m is not None
        raise InvalidURLError(
            f"invalid character {m.group()!r} in request-target at byte "
            f"{len(parts[0]) + 1 + m.start()}"
        )
    raise bad_start_line(line, "request line")
