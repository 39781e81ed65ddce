"""TLS end to end against local servers with trustme certificates: every ``ssl`` mode matters."""

from __future__ import annotations

import hashlib
import json
import ssl
import sys
import types
from collections.abc import AsyncIterator
from typing import Any

import pytest
from yarl import URL

import aiohttp_client as ac
from tests.client.proxy_server import TLS, Servers, make_tls, start_origin


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    pool = Servers()
    yield pool
    await pool.close()


@pytest.fixture(scope="module")
def tls() -> TLS:
    return make_tls()


async def get_target(session: ac.ClientSession, url: URL, **kwargs: Any) -> str:
    async with session.get(url, **kwargs) as resp:
        assert resp.status == 200
        target: str = json.loads(await resp.read())["target"]
        return target


@pytest.mark.parametrize("ssl_setting", [None, True])
async def test_default_verification_refuses_an_unknown_ca(
    servers: Servers, tls: TLS, ssl_setting: bool | None
) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientConnectorCertificateError) as info:
            await session.get(origin, ssl=ssl_setting)
    assert isinstance(info.value, ac.ClientSSLError)
    assert isinstance(info.value, ssl.CertificateError)
    assert info.value.host == "127.0.0.1"
    assert isinstance(info.value.certificate_error, ssl.SSLCertVerificationError)


async def test_ssl_false_skips_verification(servers: Servers, tls: TLS) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    async with ac.ClientSession() as session:
        assert await get_target(session, origin / "x", ssl=False) == "/x"


async def test_an_ssl_context_is_used(servers: Servers, tls: TLS) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    async with ac.ClientSession() as session:
        assert await get_target(session, origin / "ctx", ssl=tls.client) == "/ctx"
    async with ac.ClientSession(connector=ac.TCPConnector(ssl=tls.client)) as session:
        assert await get_target(session, origin / "connector") == "/connector"


async def test_fingerprint_pins_the_certificate(servers: Servers, tls: TLS) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    good = ac.Fingerprint(hashlib.sha256(tls.der).digest())
    bad = ac.Fingerprint(hashlib.sha256(b"another certificate").digest())
    async with ac.ClientSession() as session:
        assert await get_target(session, origin / "pinned", ssl=good) == "/pinned"
        with pytest.raises(ac.ServerFingerprintMismatch) as info:
            await session.get(origin, ssl=bad)
    assert info.value.got == good.fingerprint
    assert info.value.expected == bad.fingerprint
    with pytest.raises(ValueError, match="SHA-256"):
        ac.Fingerprint(hashlib.md5(tls.der).digest())
    with pytest.raises(ValueError, match="SHA-256"):
        ac.Fingerprint(hashlib.sha1(tls.der).digest())


async def test_deprecated_request_parameters_map_onto_ssl(servers: Servers, tls: TLS) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    digest = hashlib.sha256(tls.der).digest()
    async with ac.ClientSession() as session:
        with pytest.warns(DeprecationWarning, match="ssl="):
            assert await get_target(session, origin / "v", verify_ssl=False) == "/v"
        with pytest.warns(DeprecationWarning, match="ssl="):
            assert await get_target(session, origin / "c", ssl_context=tls.client) == "/c"
        with pytest.warns(DeprecationWarning, match="ssl="):
            assert await get_target(session, origin / "f", fingerprint=digest) == "/f"
        with (
            pytest.warns(DeprecationWarning, match="ssl="),
            pytest.raises(ac.ClientConnectorCertificateError),
        ):
            await session.get(origin, verify_ssl=True)
        with (
            pytest.warns(DeprecationWarning, match="ssl="),
            pytest.raises(ValueError, match="exclusive"),
        ):
            await session.get(origin, verify_ssl=False, ssl=tls.client)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"verify_ssl": False}, id="verify_ssl"),
        pytest.param({"ssl_context": None}, id="ssl_context"),
        pytest.param({"fingerprint": None}, id="fingerprint"),
    ],
)
async def test_deprecated_connector_parameters(
    servers: Servers, tls: TLS, kwargs: dict[str, Any]
) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    if "ssl_context" in kwargs:
        kwargs = {"ssl_context": tls.client}
    if "fingerprint" in kwargs:
        kwargs = {"fingerprint": hashlib.sha256(tls.der).digest()}
    with pytest.warns(DeprecationWarning, match="ssl="):
        connector = ac.TCPConnector(**kwargs)
    async with ac.ClientSession(connector=connector) as session:
        assert await get_target(session, origin / "dep") == "/dep"


async def test_server_hostname_is_what_the_certificate_is_checked_against(
    servers: Servers, tls: TLS
) -> None:
    origin = await start_origin(servers, ssl_context=tls.localhost_only)
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientConnectorCertificateError):
            await session.get(origin, ssl=tls.client)  # the certificate names only localhost
        target = await get_target(
            session, origin / "sni", ssl=tls.client, server_hostname="localhost"
        )
    assert target == "/sni"


async def test_other_tls_failures_raise_client_connector_ssl_error(
    servers: Servers, tls: TLS
) -> None:
    async def plain_http(reader: Any, writer: Any) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")  # not TLS
        await writer.drain()
        await reader.read(1)

    port = await servers.start(plain_http)
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientConnectorSSLError) as info:
            await session.get(f"https://127.0.0.1:{port}/", ssl=tls.client)
    assert isinstance(info.value, ac.ClientSSLError)
    assert isinstance(info.value, ssl.SSLError)
    assert not isinstance(info.value, ac.ClientConnectorCertificateError)


async def test_use_truststore_without_the_package_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "truststore", None)
    with pytest.raises(RuntimeError, match="truststore"):
        ac.TCPConnector(use_truststore=True)
    with pytest.raises(ValueError, match="use_truststore"):
        ac.TCPConnector(use_truststore=True, ssl=False)


async def test_use_truststore_verifies_with_the_os_store(
    servers: Servers, tls: TLS, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[ssl.SSLContext] = []

    class OSStoreContext(ssl.SSLContext):
        """Stands in for truststore.SSLContext: 'the OS store' trusts the trustme CA."""

        def __init__(self, protocol: int) -> None:
            super().__init__()
            self.verify_mode = ssl.CERT_REQUIRED
            self.check_hostname = True
            tls.ca.configure_trust(self)
            made.append(self)

        def __new__(cls, protocol: int) -> OSStoreContext:
            return super().__new__(cls, protocol)

    fake = types.ModuleType("truststore")
    fake.SSLContext = OSStoreContext  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "truststore", fake)
    origin = await start_origin(servers, ssl_context=tls.server)
    async with ac.ClientSession(connector=ac.TCPConnector(use_truststore=True)) as session:
        assert await get_target(session, origin / "os") == "/os"
    assert len(made) == 1
    async with ac.ClientSession() as session:  # without it, the CA is unknown
        with pytest.raises(ac.ClientConnectorCertificateError):
            await session.get(origin)
