"""Certificate pinning by SHA-256 digest (aiohttp 3.x's ``Fingerprint``)."""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from ._exceptions import ServerFingerprintMismatch

__all__ = ["Fingerprint"]

_SHA256_LENGTH = 32
_WEAK_DIGESTS = {16: "MD5", 20: "SHA-1"}


class _TransportLike(Protocol):
    def get_extra_info(self, name: str, default: Any = None) -> Any: ...


class Fingerprint:
    """Pin the server certificate: the SHA-256 digest of its DER form must equal ``fingerprint``.

    Pass it as ``ssl=Fingerprint(digest)`` to a request. Verification of the
    certificate chain still happens as configured; the pin is an extra check.

    Args:
        fingerprint: the 32-byte SHA-256 digest of the DER-encoded certificate.

    Raises:
        TypeError: if ``fingerprint`` is not bytes.
        ValueError: if it has the length of an MD5 or SHA-1 digest (refused as
            insecure) or any other length than SHA-256's.
    """

    __slots__ = ("_fingerprint",)

    def __init__(self, fingerprint: bytes) -> None:
        if not isinstance(fingerprint, (bytes, bytearray, memoryview)):
            raise TypeError(f"fingerprint must be bytes, not {type(fingerprint).__name__}")
        fingerprint = bytes(fingerprint)
        length = len(fingerprint)
        if length in _WEAK_DIGESTS:
            raise ValueError(
                f"{_WEAK_DIGESTS[length]} fingerprints are insecure and not supported; "
                "use a SHA-256 digest (32 bytes)"
            )
        if length != _SHA256_LENGTH:
            raise ValueError(
                f"fingerprint has invalid length {length}: expected a SHA-256 digest (32 bytes)"
            )
        self._fingerprint = fingerprint

    @property
    def fingerprint(self) -> bytes:
        """The expected SHA-256 digest."""
        return self._fingerprint

    def check(self, transport: _TransportLike) -> None:
        """Compare the peer certificate of a TLS ``transport`` with the pin.

        A transport without TLS (no ``ssl_object``) is not checked.

        Raises:
            ServerFingerprintMismatch: if the digest differs or the peer sent
                no certificate; it names the host and port.
        """
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return
        der = ssl_object.getpeercert(binary_form=True)
        got = hashlib.sha256(der).digest() if der else b""
        if got != self._fingerprint:
            peername = transport.get_extra_info("peername")
            host, port = ("", 0) if not peername else (str(peername[0]), int(peername[1]))
            raise ServerFingerprintMismatch(self._fingerprint, got, host, port)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return self._fingerprint == other._fingerprint

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __repr__(self) -> str:
        return f"<Fingerprint sha256={self._fingerprint.hex()}>"
