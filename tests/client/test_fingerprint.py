"""Fingerprint: SHA-256 certificate pinning."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

import aiohttp_client as ac

CERT_DER = b"0\x82\x01\x0a fake DER certificate bytes"
DIGEST = hashlib.sha256(CERT_DER).digest()


class FakeSSLObject:
    def __init__(self, der: bytes | None) -> None:
        self._der = der

    def getpeercert(self, binary_form: bool = False) -> bytes | None:
        assert binary_form
        return self._der


class FakeTransport:
    def __init__(
        self, ssl_object: FakeSSLObject | None, peername: Any = ("203.0.113.7", 8443)
    ) -> None:
        self._extra = {"ssl_object": ssl_object, "peername": peername}

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._extra.get(name, default)


def test_fingerprint_accepts_a_sha256_digest() -> None:
    fp = ac.Fingerprint(DIGEST)
    assert fp.fingerprint == DIGEST
    assert fp == ac.Fingerprint(bytearray(DIGEST))  # type: ignore[arg-type]
    assert hash(fp) == hash(ac.Fingerprint(DIGEST))
    assert DIGEST.hex() in repr(fp)


@pytest.mark.parametrize(
    ("digest", "match"),
    [
        (hashlib.md5(CERT_DER).digest(), "MD5 fingerprints are insecure.*SHA-256"),
        (hashlib.sha1(CERT_DER).digest(), "SHA-1 fingerprints are insecure.*SHA-256"),
        (b"\x00" * 31, "invalid length 31.*SHA-256"),
        (hashlib.sha512(CERT_DER).digest(), "invalid length 64.*SHA-256"),
        (b"", "invalid length 0"),
    ],
)
def test_fingerprint_refuses_other_digests(digest: bytes, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ac.Fingerprint(digest)


def test_fingerprint_refuses_text() -> None:
    with pytest.raises(TypeError, match="must be bytes"):
        ac.Fingerprint(DIGEST.hex())  # type: ignore[arg-type]


def test_check_passes_on_matching_certificate() -> None:
    ac.Fingerprint(DIGEST).check(FakeTransport(FakeSSLObject(CERT_DER)))


def test_check_raises_mismatch_naming_host_and_port() -> None:
    other = hashlib.sha256(b"another certificate").digest()
    with pytest.raises(ac.ServerFingerprintMismatch) as info:
        ac.Fingerprint(other).check(FakeTransport(FakeSSLObject(CERT_DER)))
    err = info.value
    assert (err.expected, err.got, err.host, err.port) == (other, DIGEST, "203.0.113.7", 8443)
    assert "203.0.113.7:8443" in str(err)


def test_check_raises_when_the_server_sent_no_certificate() -> None:
    with pytest.raises(ac.ServerFingerprintMismatch) as info:
        ac.Fingerprint(DIGEST).check(
            FakeTransport(FakeSSLObject(None), peername=("::1", 443, 0, 0))
        )
    assert info.value.got == b""
    assert (info.value.host, info.value.port) == ("::1", 443)


def test_check_ignores_plain_tcp_transports() -> None:
    ac.Fingerprint(DIGEST).check(FakeTransport(None))
