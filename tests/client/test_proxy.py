"""Proxies end to end: HTTP forwarding, CONNECT tunnels (also TLS in TLS), SOCKS, the environment."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

import aiohttp_client as ac
from aiohttp_client import _tls
from aiohttp_client._proxy import normalize_proxy, select_proxy
from tests.client.proxy_server import (
    TLS,
    Servers,
    make_tls,
    start_http_proxy,
    start_origin,
    start_socks5_proxy,
)


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    pool = Servers()
    yield pool
    await pool.close()


@pytest.fixture(scope="module")
def tls() -> TLS:
    return make_tls()


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


async def fetch(session: ac.ClientSession, url: URL | str, **kwargs: Any) -> dict[str, Any]:
    async with session.get(url, **kwargs) as resp:
        assert resp.status == 200, resp.status
        data: dict[str, Any] = json.loads(await resp.read())
        return data


async def test_http_target_goes_in_absolute_form_with_proxy_credentials(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers, auth=("user", "pw"))
    async with ac.ClientSession() as session:
        seen = await fetch(
            session,
            origin / "path" % {"q": "1"},
            proxy=proxy,
            proxy_auth=ac.BasicAuth("user", "pw"),
            proxy_headers={"X-To-Proxy": "yes"},
        )
    method, target, headers = log.requests[0]
    assert (method, target) == ("GET", f"{origin}/path?q=1")
    assert headers["proxy-authorization"] == basic("user", "pw")
    assert headers["x-to-proxy"] == "yes"
    assert seen["target"] == "/path?q=1"
    assert "proxy-authorization" not in seen["headers"]


async def test_credentials_in_the_proxy_url(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers, auth=("alice", "s3cret"))
    async with ac.ClientSession() as session:
        await fetch(session, origin, proxy=proxy.with_user("alice").with_password("s3cret"))
    assert log.requests[0][2]["proxy-authorization"] == basic("alice", "s3cret")


async def test_session_proxy_and_proxy_auth(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers, auth=("s", "p"))
    async with ac.ClientSession(proxy=proxy, proxy_auth=ac.BasicAuth("s", "p")) as session:
        await fetch(session, origin)
    assert len(log.requests) == 1


async def test_missing_proxy_credentials_give_407_for_http_targets(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, _ = await start_http_proxy(servers, auth=("user", "pw"))
    async with ac.ClientSession() as session, session.get(origin, proxy=proxy) as resp:
        assert resp.status == 407


@pytest.mark.parametrize("status", [403, 407])
async def test_refused_connect_raises_client_http_proxy_error(
    servers: Servers, tls: TLS, status: int
) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    proxy, log = await start_http_proxy(servers, refuse_connect=status)
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientHttpProxyError) as info:
            await session.get(origin, proxy=proxy, ssl=tls.client)
    assert info.value.status == status
    assert info.value.headers is not None
    assert info.value.headers["X-Proxy-Reason"] == "refused"
    assert info.value.request_info.method == "CONNECT"
    assert log.requests[0][:2] == ("CONNECT", f"127.0.0.1:{origin.port}")


async def test_https_target_through_a_connect_tunnel(servers: Servers, tls: TLS) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    proxy, log = await start_http_proxy(servers, auth=("user", "pw"))
    async with ac.ClientSession() as session:
        options: dict[str, Any] = {
            "proxy": proxy,
            "proxy_auth": ac.BasicAuth("user", "pw"),
            "proxy_headers": {"X-To-Proxy": "1"},
            "ssl": tls.client,
        }
        seen = await fetch(session, origin / "secret", **options)
        again = await fetch(session, origin / "again", **options)
    method, target, headers = log.requests[0]
    assert (method, target) == ("CONNECT", f"127.0.0.1:{origin.port}")
    assert headers["proxy-authorization"] == basic("user", "pw")
    assert headers["x-to-proxy"] == "1"
    assert seen["target"] == "/secret"
    assert "proxy-authorization" not in seen["headers"]
    assert "x-to-proxy" not in seen["headers"]
    assert again["target"] == "/again"
    assert log.connections == 1  # the tunnel was pooled and reused


async def test_proxy_authorization_header_goes_to_connect_only(servers: Servers, tls: TLS) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    proxy, log = await start_http_proxy(servers, auth=("h", "v"))
    async with ac.ClientSession() as session:
        seen = await fetch(
            session,
            origin,
            proxy=proxy,
            headers={"Proxy-Authorization": basic("h", "v")},
            ssl=tls.client,
        )
    assert log.requests[0][2]["proxy-authorization"] == basic("h", "v")
    assert "proxy-authorization" not in seen["headers"]


async def test_tls_errors_inside_the_tunnel(servers: Servers, tls: TLS) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    proxy, _ = await start_http_proxy(servers)
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientConnectorCertificateError):
            await session.get(origin, proxy=proxy)  # the default context does not trust trustme


async def test_https_target_through_an_https_proxy_tls_in_tls(servers: Servers, tls: TLS) -> None:
    origin = await start_origin(servers, ssl_context=tls.server)
    proxy, log = await start_http_proxy(servers, ssl_context=tls.server)
    assert proxy.scheme == "https"
    async with ac.ClientSession() as session:
        if _tls.TLS_IN_TLS_SUPPORTED:
            seen = await fetch(session, origin / "inner", proxy=proxy, ssl=tls.client)
            assert seen["target"] == "/inner"
            assert log.requests[0][0] == "CONNECT"
        else:
            with pytest.raises(RuntimeError, match=r"Python 3\.11"):
                await session.get(origin, proxy=proxy, ssl=tls.client)


async def test_tls_in_tls_is_refused_clearly_where_unsupported(
    servers: Servers, tls: TLS, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_tls, "TLS_IN_TLS_SUPPORTED", False)
    origin = await start_origin(servers, ssl_context=tls.server)
    proxy, log = await start_http_proxy(servers, ssl_context=tls.server)
    async with ac.ClientSession() as session:
        with pytest.raises(RuntimeError, match=r"Python 3\.11"):
            await session.get(origin, proxy=proxy, ssl=tls.client)
    assert log.requests == []


async def test_http_target_through_an_https_proxy(servers: Servers, tls: TLS) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers, ssl_context=tls.server)
    async with ac.ClientSession() as session:
        seen = await fetch(session, origin / "plain", proxy=proxy, ssl=tls.client)
    assert log.requests[0][:2] == ("GET", f"{origin}/plain")
    assert seen["target"] == "/plain"


async def test_proxied_connections_are_pooled_by_proxy_and_credentials(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers)
    async with ac.ClientSession() as session:
        await fetch(session, origin, proxy=proxy)
        await fetch(session, origin, proxy=proxy)
        assert log.connections == 1
        await fetch(session, origin, proxy=proxy, proxy_auth=ac.BasicAuth("other", "x"))
        assert log.connections == 2
        await fetch(session, origin)  # direct: never through the proxy's connections
        assert len(log.requests) == 3
        connector = session.connector
        assert connector is not None
        keys = {key.proxy for key in connector._conns}
        assert keys == {proxy, None}


@pytest.mark.parametrize("scheme", ["socks5", "socks5h", "socks4a"])
async def test_socks_proxies(servers: Servers, tls: TLS, scheme: str) -> None:
    origin = await start_origin(servers)
    secure = await start_origin(servers, ssl_context=tls.server)
    proxy, log = await start_socks5_proxy(servers)
    proxy = proxy.with_scheme(scheme)
    host_origin = origin.with_host("localhost")
    async with ac.ClientSession() as session:
        seen = await fetch(session, host_origin / "via-socks", proxy=proxy)
        assert seen["target"] == "/via-socks"  # origin form: SOCKS is transparent
        assert "proxy-authorization" not in seen["headers"]
        seen = await fetch(session, secure / "tls", proxy=proxy, ssl=tls.client)
        assert seen["target"] == "/tls"
    expected_host = "127.0.0.1" if scheme == "socks5" else "localhost"
    assert log.requests[0][1] == f"{expected_host}:{origin.port}"


async def test_socks5_credentials(servers: Servers) -> None:
    origin = await start_origin(servers)
    proxy, _log = await start_socks5_proxy(servers, users={"u": "p"})
    async with ac.ClientSession() as session:
        await fetch(session, origin, proxy=proxy, proxy_auth=ac.BasicAuth("u", "p"))
        with pytest.raises(ac.SocksAuthenticationError):
            await session.get(origin, proxy=proxy, proxy_auth=ac.BasicAuth("u", "wrong"))


async def test_unreachable_socks_proxy() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with ac.ClientSession() as session:
        with pytest.raises(ac.ClientProxyConnectionError):
            await session.get("http://example.invalid/", proxy=f"socks5://127.0.0.1:{port}")


async def test_trust_env_uses_http_and_https_proxy_and_no_proxy(
    servers: Servers, tls: TLS, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = await start_origin(servers)
    secure = await start_origin(servers, ssl_context=tls.server)
    proxy, log = await start_http_proxy(servers, auth=("env", "pw"))
    monkeypatch.setenv("HTTP_PROXY", str(proxy.with_user("env").with_password("pw")))
    monkeypatch.setenv("HTTPS_PROXY", str(proxy.with_user("env").with_password("pw")))
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    async with ac.ClientSession(trust_env=True) as session:
        await fetch(session, origin / "a")
        await fetch(session, secure / "b", ssl=tls.client)
    assert [r[0] for r in log.requests] == ["GET", "CONNECT"]
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with ac.ClientSession(trust_env=True) as session:
        await fetch(session, origin / "c")
    assert len(log.requests) == 2
    async with ac.ClientSession() as session:  # trust_env=False ignores the variables
        monkeypatch.delenv("NO_PROXY")
        await fetch(session, origin / "d")
    assert len(log.requests) == 2


async def test_trust_env_proxy_credentials_from_netrc(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers, auth=("netrcuser", "netrcpw"))
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login netrcuser password netrcpw\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("http_proxy", str(proxy))
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    async with ac.ClientSession(trust_env=True) as session:
        seen = await fetch(session, origin.with_host("localhost"))
    assert log.requests[0][2]["proxy-authorization"] == basic("netrcuser", "netrcpw")
    assert "proxy-authorization" not in seen["headers"]


def test_ws_and_wss_proxies_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ws_proxy", "wss_proxy", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WS_PROXY", "http://ws-proxy:1")
    monkeypatch.setenv("WSS_PROXY", "http://u:p@wss-proxy:2")
    proxy, auth = select_proxy(URL("ws://example.com/"), None, None, trust_env=True)
    assert proxy == URL("http://ws-proxy:1") and auth is None
    proxy, auth = select_proxy(URL("wss://example.com/"), None, None, trust_env=True)
    assert proxy == URL("http://wss-proxy:2") and auth == ac.BasicAuth("u", "p")
    assert select_proxy(URL("wss://example.com/"), None, None, trust_env=False) == (None, None)


def test_proxy_url_validation() -> None:
    with pytest.raises(ValueError, match="Unsupported proxy scheme 'ftp'"):
        normalize_proxy("ftp://proxy:21", None)
    url, auth = normalize_proxy("http://a:b@proxy:3128", None)
    assert url == URL("http://proxy:3128") and auth == ac.BasicAuth("a", "b")
    url, auth = normalize_proxy("http://a:b@proxy:3128", ac.BasicAuth("x", "y"))
    assert auth == ac.BasicAuth("x", "y")


async def test_proxy_credentials_never_follow_a_redirect_to_another_origin(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = await start_origin(servers)
    first = await start_origin(servers)
    proxy, log = await start_http_proxy(servers, auth=("user", "pw"))
    # The first origin is reached through the environment's proxy; the redirect target
    # (named "localhost") is exempted by NO_PROXY and reached directly.
    monkeypatch.setenv("http_proxy", str(proxy.with_user("user").with_password("pw")))
    monkeypatch.setenv("no_proxy", "localhost")
    redirect_to = target.with_host("localhost") / "landed"
    async with ac.ClientSession(trust_env=True) as session:
        seen = await fetch(session, first / "redirect" % {"to": str(redirect_to)})
    assert seen["target"] == "/landed"
    assert "proxy-authorization" not in seen["headers"]
    assert [r[1] for r in log.requests] == [f"{first}/redirect?to={redirect_to}"]


async def test_proxy_authorization_header_is_dropped_on_a_cross_origin_redirect(
    servers: Servers,
) -> None:
    target = await start_origin(servers)
    first = await start_origin(servers)
    proxy, log = await start_http_proxy(servers)
    async with ac.ClientSession() as session:
        await fetch(
            session,
            first / "redirect" % {"to": str(target / "next")},
            proxy=proxy,
            headers={"Proxy-Authorization": basic("h", "v")},
        )
    assert log.requests[0][2]["proxy-authorization"] == basic("h", "v")
    assert log.requests[1][1] == f"{target}/next"
    assert "proxy-authorization" not in log.requests[1][2]
