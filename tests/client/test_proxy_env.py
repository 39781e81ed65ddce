"""Proxies from the environment: *_PROXY variables, NO_PROXY matching, credentials."""

from __future__ import annotations

from pathlib import Path

import pytest
from yarl import URL

from aiohttp_client import (
    BasicAuth,
    ProxyInfo,
    get_env_proxy_for_url,
    proxies_from_env,
    should_bypass_proxy,
)


@pytest.fixture(autouse=True)
def _no_netrc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETRC", str(tmp_path / "missing-netrc"))


def test_proxies_for_every_scheme_with_ws_fallbacks() -> None:
    env = {"HTTP_PROXY": "http://p1:3128", "HTTPS_PROXY": "http://p2:3129"}
    proxies = proxies_from_env(environ=env)
    assert proxies == {
        "http": ProxyInfo(URL("http://p1:3128"), None),
        "https": ProxyInfo(URL("http://p2:3129"), None),
        "ws": ProxyInfo(URL("http://p1:3128"), None),
        "wss": ProxyInfo(URL("http://p2:3129"), None),
    }


def test_ws_and_wss_variables_win_over_the_fallback() -> None:
    env = {"HTTP_PROXY": "http://p1", "WS_PROXY": "http://w", "wss_proxy": "http://ws2"}
    proxies = proxies_from_env(environ=env)
    assert proxies["ws"].proxy == URL("http://w")
    assert proxies["wss"].proxy == URL("http://ws2")
    assert "https" not in proxies


def test_lower_case_variable_wins() -> None:
    env = {"HTTPS_PROXY": "http://upper", "https_proxy": "http://lower"}
    assert proxies_from_env(environ=env)["https"].proxy == URL("http://lower")


def test_upper_case_http_proxy_is_ignored_in_cgi() -> None:
    env = {"HTTP_PROXY": "http://attacker", "REQUEST_METHOD": "GET"}
    assert proxies_from_env(environ=env) == {}
    env["http_proxy"] = "http://mine"
    assert proxies_from_env(environ=env)["http"].proxy == URL("http://mine")


def test_empty_variables_are_unset() -> None:
    assert proxies_from_env(environ={"http_proxy": "  ", "HTTP_PROXY": ""}) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://[::1]:3128", "http://[::1]:3128"),
        ("socks5://[fe80::1]", "socks5://[fe80::1]"),
        ("HTTP://Proxy.Local:80/", "http://proxy.local:80"),
        ("http://b\u00fccher.example:81", "http://xn--bcher-kva.example:81"),
    ],
)
def test_proxy_url_forms(value: str, expected: str) -> None:
    proxy = proxies_from_env(environ={"http_proxy": value})["http"].proxy
    assert proxy == URL(expected)
    assert proxy.user is None


def test_value_without_scheme_is_http() -> None:
    info = proxies_from_env(environ={"http_proxy": "proxy.local:8080"})["http"]
    assert info.proxy == URL("http://proxy.local:8080")


def test_credentials_come_from_the_url_and_are_removed() -> None:
    info = proxies_from_env(environ={"http_proxy": "http://us%40er:p%3Ass@proxy:3128/"})["http"]
    assert info.proxy == URL("http://proxy:3128")
    assert info.proxy.user is None
    assert info.proxy_auth == BasicAuth("us@er", "p:ss")


def test_credentials_come_from_netrc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine proxy.local login alice password s3cret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    info = proxies_from_env(environ={"http_proxy": "http://proxy.local:3128"})["http"]
    assert info.proxy_auth == BasicAuth("alice", "s3cret")
    assert (
        proxies_from_env(environ={"http_proxy": "http://proxy.local"}, netrc=False)[
            "http"
        ].proxy_auth
        is None
    )
    url_auth = proxies_from_env(environ={"http_proxy": "http://bob:pw@proxy.local"})["http"]
    assert url_auth.proxy_auth == BasicAuth("bob", "pw")


@pytest.mark.parametrize("scheme", ["http", "https", "socks4", "socks4a", "socks5", "socks5h"])
def test_supported_proxy_schemes(scheme: str) -> None:
    info = proxies_from_env(environ={"HTTPS_PROXY": f"{scheme}://p:1080"})["https"]
    assert info.proxy.scheme == scheme


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ftp://proxy:21", "HTTPS_PROXY: unsupported proxy scheme 'ftp'"),
        ("http://", "HTTPS_PROXY: .*has no host"),
        ("http://proxy:3128/path", "HTTPS_PROXY: .*must not have a path"),
        ("http://proxy:3128?q=1", "HTTPS_PROXY: .*must not have a path"),
        ("http://proxy:99999", "HTTPS_PROXY: malformed proxy URL"),
    ],
)
def test_malformed_proxy_urls_name_the_variable(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        proxies_from_env(environ={"HTTPS_PROXY": value})


def test_get_env_proxy_for_url() -> None:
    env = {"http_proxy": "http://u:p@proxy:3128", "https_proxy": "socks5h://sproxy"}
    assert get_env_proxy_for_url(URL("http://example.com/"), environ=env) == (
        URL("http://proxy:3128"),
        BasicAuth("u", "p"),
    )
    assert get_env_proxy_for_url(URL("wss://example.com/"), environ=env) == (
        URL("socks5h://sproxy"),
        None,
    )


def test_get_env_proxy_for_url_raises_lookup_error() -> None:
    with pytest.raises(LookupError, match="No proxies found"):
        get_env_proxy_for_url(URL("https://example.com/"), environ={"http_proxy": "http://p"})
    with pytest.raises(LookupError, match="disallowed"):
        get_env_proxy_for_url(
            URL("http://example.com/"),
            environ={"http_proxy": "http://p", "no_proxy": "example.com"},
        )
    with pytest.raises(LookupError):
        get_env_proxy_for_url(URL("ftp://example.com/"), environ={"ftp_proxy": "http://p"})


def test_get_env_proxy_for_url_ignores_other_schemes_variables() -> None:
    env = {"http_proxy": "http://p", "https_proxy": "gopher://bad"}
    assert get_env_proxy_for_url(URL("http://x/"), environ=env)[0] == URL("http://p")
    with pytest.raises(ValueError, match="https_proxy"):
        get_env_proxy_for_url(URL("https://x/"), environ=env)


@pytest.mark.parametrize(
    ("no_proxy", "url", "bypass"),
    [
        ("*", "http://anything.example/", True),
        ("example.com", "http://example.com/", True),
        ("example.com", "http://www.example.com/", True),
        ("example.com", "http://badexample.com/", False),
        (".example.com", "http://example.com/", True),
        (".example.com", "http://a.b.example.com/", True),
        ("*.example.com", "http://a.example.com/", True),
        ("EXAMPLE.com.", "http://Example.COM./", True),
        ("example.com:8080", "http://example.com:8080/", True),
        ("example.com:8080", "http://example.com/", False),
        ("example.com:443", "https://example.com/", True),
        ("10.1.2.3", "http://10.1.2.3/", True),
        ("10.1.2.3", "http://10.1.2.4/", False),
        ("10.0.0.0/8", "http://10.200.0.1:81/", True),
        ("10.0.0.0/8", "http://11.0.0.1/", False),
        ("10.0.0.0/8", "http://ten.example/", False),
        ("::1", "http://[::1]:8080/", True),
        ("[::1]", "http://[::1]/", True),
        ("[::1]:8080", "http://[::1]:8080/", True),
        ("[::1]:8080", "http://[::1]:9090/", False),
        ("fd00::/8", "http://[fd12::1]/", True),
        ("fd00::/8", "http://[fe80::1]/", False),
        (" foo.org , example.com ", "http://example.com/", True),
        ("foo.org,,bar.org", "http://example.com/", False),
        ("", "http://example.com/", False),
    ],
)
def test_no_proxy_matching(no_proxy: str, url: str, bypass: bool) -> None:
    assert should_bypass_proxy(URL(url), environ={"NO_PROXY": no_proxy}) is bypass


def test_lower_case_no_proxy_wins() -> None:
    env = {"NO_PROXY": "example.com", "no_proxy": "other.org"}
    assert not should_bypass_proxy(URL("http://example.com/"), environ=env)
    assert should_bypass_proxy(URL("http://other.org/"), environ=env)


def test_no_proxy_absent() -> None:
    assert not should_bypass_proxy(URL("http://example.com/"), environ={})


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("example.com:http", "invalid port"),
        ("example.com:0", "invalid port"),
        ("[::1", "unclosed"),
        ("[::1]x", "unexpected text"),
        ("10.0.0.0/33", "invalid CIDR"),
        ("*.", "empty host"),
    ],
)
def test_malformed_no_proxy_entries_name_the_variable(entry: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"no_proxy: {message}"):
        should_bypass_proxy(URL("http://example.com/"), environ={"no_proxy": entry})


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY", "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", "http://envproxy:1")
    monkeypatch.setenv("no_proxy", "skip.me")
    assert get_env_proxy_for_url(URL("http://example.com/"))[0] == URL("http://envproxy:1")
    assert should_bypass_proxy(URL("http://skip.me/"))
    assert proxies_from_env()["ws"].proxy == URL("http://envproxy:1")
