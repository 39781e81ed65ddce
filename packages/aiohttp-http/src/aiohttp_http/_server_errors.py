"""Error answers of the low-level server: which status a bad request gets, and its bytes."""

from __future__ import annotations

from ._exceptions import BadHttpMessage, InvalidHeader, LineTooLong
from ._server_response import http_date, reason_phrase

__all__ = ["error_response", "error_status"]


def error_status(exc: BadHttpMessage) -> int:
    """The status that answers a bad request head (RFC 9110 §15.5, RFC 6585 §5)."""
    if isinstance(exc, LineTooLong):
        return 414 if str(exc).startswith("request line") else 431
    if isinstance(exc, InvalidHeader) and str(exc).startswith("too many header"):
        return 431
    return exc.code if 400 <= exc.code < 600 else 400


def error_response(status: int, message: str = "") -> bytes:
    """A complete ``text/plain`` error response that closes the connection."""
    reason = reason_phrase(status)
    body = f"{status} {reason}\n{message}\n".encode("utf-8", "replace") if message else b""
    if not body:
        body = f"{status} {reason}\n".encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Connection: close\r\n"
        f"Date: {http_date()}\r\n\r\n"
    ).encode() + body
