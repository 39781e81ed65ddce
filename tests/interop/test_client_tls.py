"""The client over TLS against uvicorn (ssl_keyfile/ssl_certfile), directly and through proxies."""

from __future__ import annotations

import hashlib
import ssl
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import trustme
import uvicorn
from yarl import URL

import aiohttp_client as ac
from tests.client.conftest import asgi_app
from tests.client.proxy_server import Servers, start_http_proxy, start_socks5_proxy

pytestmark = pytest.mark.interop


class Certificates:
    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA()
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.key_file = directory / "key.pem"
        self.cert_file = directory / "cert.pem"
        cert.private_key_pem.write_to_path(str(self.key_file))
        cert.cert_chain_pems[0].write_to_path(str(self.cert_file))
        self.client = ssl.create_default_context()
        self.ca.configure_trust(self.client)
        self.der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def uvicorn_tls(certs: Certificates) -> Iterator[URL]:
    config = uvicorn.Config(
        asgi_app,
        host="127.0.0.1",
        port=0,
        log_level="error",
        lifespan="off",
        http="h11",
        ssl_keyfile=str(certs.key_file),
        ssl_certfile=str(certs.cert_file),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield URL(f"https://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(10)


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    pool = Servers()
    yield pool
    await pool.close()


async def test_verified_pinned_and_refused(uvicorn_tls: URL, certs: Certificates) -> None:
    pin = ac.Fingerprint(hashlib.sha256(certs.der).digest())
    async with ac.ClientSession() as session:
        async with session.get(uvicorn_tls / "json", ssl=certs.client) as resp:
            assert await resp.json() == {"ok": True}
        async with session.get(uvicorn_tls / "json", ssl=pin) as resp:
            assert resp.status == 200
        async with session.get(uvicorn_tls / "json", ssl=False) as resp:
            assert resp.status == 200
        with pytest.raises(ac.ClientConnectorCertificateError):
            await session.get(uvicorn_tls / "json")


async def test_uvicorn_through_connect_and_socks(
    uvicorn_tls: URL, certs: Certificates, servers: Servers
) -> None:
    http_proxy, http_log = await start_http_proxy(servers)
    socks_proxy, socks_log = await start_socks5_proxy(servers)
    async with ac.ClientSession() as session:
        for proxy in (http_proxy, socks_proxy.with_scheme("socks5h")):
            async with session.post(
                uvicorn_tls / "echo", data=b"over tls", proxy=proxy, ssl=certs.client
            ) as resp:
                data = await resp.json()
            assert data["method"] == "POST"
            assert all(name != "proxy-authorization" for name, _ in data["headers"])
    assert http_log.requests[0][0] == "CONNECT"
    assert socks_log.requests[0][1] == f"127.0.0.1:{uvicorn_tls.port}"
