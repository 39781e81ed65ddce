"""Redirects: method rewriting, body replay, history, limits, origins, refused targets."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

import aiohttp_client as ac
from tests.client.test_session import body_of, header


def redirect(base: URL, code: int, to: str) -> URL:
    return (base / f"redirect/{code}").with_query(to=to)


@pytest.mark.parametrize("code", [301, 302, 303])
async def test_post_becomes_get_without_body(asgi_url: URL, code: int) -> None:
    async with (
        ac.ClientSession() as session,
        session.post(redirect(asgi_url, code, "/echo"), data=b"payload") as resp,
    ):
        echo = await resp.json()
        assert [r.status for r in resp.history] == [code]
        assert resp.history[0].method == "POST"
    assert echo["method"] == "GET"
    assert body_of(echo) == b""
    assert header(echo, "content-length") is None
    assert header(echo, "content-type") is None


async def test_303_turns_put_into_get_but_keeps_head(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        async with session.put(redirect(asgi_url, 303, "/echo"), data=b"x") as resp:
            assert (await resp.json())["method"] == "GET"
        async with session.head(redirect(asgi_url, 303, "/echo"), allow_redirects=True) as resp:
            assert resp.method == "HEAD" and resp.status == 200
        async with session.put(redirect(asgi_url, 302, "/echo"), data=b"kept") as resp:
            echo = await resp.json()
            assert echo["method"] == "PUT" and body_of(echo) == b"kept"


@pytest.mark.parametrize("code", [307, 308])
async def test_307_308_keep_method_and_body(asgi_url: URL, code: int) -> None:
    async with (
        ac.ClientSession() as session,
        session.post(redirect(asgi_url, code, "/echo"), data=b"replayed") as resp,
    ):
        echo = await resp.json()
    assert echo["method"] == "POST"
    assert body_of(echo) == b"replayed"


async def test_307_replays_a_seekable_file(asgi_url: URL, tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"file-body" * 1000)
    async with ac.ClientSession() as session:
        with path.open("rb") as f:
            async with session.post(redirect(asgi_url, 307, "/echo"), data=f) as resp:
                echo = await resp.json()
    assert body_of(echo) == b"file-body" * 1000


async def test_307_with_an_async_iterable_body_is_refused(asgi_url: URL) -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"once"

    async with ac.ClientSession() as session:
        with pytest.raises(ac.RedirectClientError, match="cannot be sent again"):
            await session.post(redirect(asgi_url, 307, "/echo"), data=gen())


class NonSeekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), len(self._data))
        buffer[:n] = self._data[:n]
        self._data = self._data[n:]
        return n


async def test_308_with_a_non_seekable_stream_is_refused(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        with pytest.raises(ac.RedirectClientError, match="NonSeekable"):
            await session.put(redirect(asgi_url, 308, "/echo"), data=NonSeekable(b"stream"))


async def test_history_and_final_url(asgi_url: URL) -> None:
    async with ac.ClientSession() as session, session.get(asgi_url / "chain/3") as resp:
        assert resp.status == 200
        assert resp.url == asgi_url / "echo"
        assert [str(r.url.path) for r in resp.history] == [
            "/chain/3",
            "/chain/2",
            "/chain/1",
            "/chain/0",
        ]
        assert all(r.closed for r in resp.history)


async def test_max_redirects_raises_too_many_redirects(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        with pytest.raises(ac.TooManyRedirects) as info:
            await session.get(asgi_url / "chain/5", max_redirects=3)
        assert len(info.value.history) == 3
        assert info.value.request_info.url == asgi_url / "chain/5"
        with pytest.raises(ac.TooManyRedirects):
            await session.get(asgi_url / "chain/10")  # default: 10
        async with session.get(asgi_url / "chain/8") as resp:
            assert resp.status == 200


async def test_allow_redirects_false_returns_the_redirect(asgi_url: URL) -> None:
    async with (
        ac.ClientSession() as session,
        session.get(redirect(asgi_url, 302, "/echo"), allow_redirects=False) as resp,
    ):
        assert resp.status == 302
        assert resp.headers["Location"] == "/echo"
        assert resp.history == ()


async def test_relative_and_scheme_relative_locations(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        async with session.get(redirect(asgi_url, 302, "../echo?from=relative")) as resp:
            assert (await resp.json())["query"] == "from=relative"
        target = f"//127.0.0.1:{asgi_url.port}/echo?from=scheme-relative"
        async with session.get(redirect(asgi_url, 302, target)) as resp:
            assert (await resp.json())["query"] == "from=scheme-relative"


async def test_params_are_not_sent_again_after_a_redirect(asgi_url: URL) -> None:
    async with (
        ac.ClientSession() as session,
        session.get(asgi_url / "chain/1", params={"p": "1"}) as resp,
    ):
        echo = await resp.json()
    assert echo["query"] == ""


async def test_credentials_and_request_cookies_stay_on_their_origin(asgi_url: URL) -> None:
    same = f"http://127.0.0.1:{asgi_url.port}/echo"
    other = f"http://localhost:{asgi_url.port}/echo"
    kwargs: dict[str, Any] = {
        "auth": ac.BasicAuth("u", "p"),
        "cookies": {"c": "1"},
        "headers": {"X-Keep": "yes", "Cookie": "h=2"},
    }
    async with ac.ClientSession() as session:
        async with session.get(redirect(asgi_url, 302, same), **kwargs) as resp:
            echo = await resp.json()
        assert header(echo, "authorization") is not None
        assert "c=1" in (header(echo, "cookie") or "")
        async with session.get(redirect(asgi_url, 302, other), **kwargs) as resp:
            echo = await resp.json()
        assert header(echo, "authorization") is None
        assert header(echo, "cookie") is None
        assert header(echo, "x-keep") == "yes"
        with_creds = redirect(asgi_url, 302, other).with_user("x").with_password("y")
        async with session.get(with_creds) as resp:
            assert header(await resp.json(), "authorization") is None


async def test_non_http_and_invalid_targets_are_refused(asgi_url: URL) -> None:
    async with ac.ClientSession() as session:
        with pytest.raises(ac.NonHttpUrlRedirectClientError):
            await session.get(redirect(asgi_url, 302, "ftp://127.0.0.1/file"))
        with pytest.raises(ac.NonHttpUrlRedirectClientError):
            await session.get(redirect(asgi_url, 302, "javascript:alert(1)"))
        with pytest.raises(ac.InvalidUrlRedirectClientError):
            await session.get(redirect(asgi_url, 302, "http://[::1"))
        with pytest.raises(ac.InvalidUrlRedirectClientError):
            await session.get(redirect(asgi_url, 302, "http:///nohost"))


async def test_redirect_responses_set_cookies_in_the_jar(asgi_url: URL) -> None:
    jar = ac.CookieJar(unsafe=True)
    async with ac.ClientSession(cookie_jar=jar) as session:
        target = "/set-cookie?r=1"
        async with session.get(redirect(asgi_url, 302, target)) as resp:
            await resp.read()
        async with session.get(asgi_url / "echo") as resp:
            assert header(await resp.json(), "cookie") == "r=1"
