"""aiohttp 3.x's small client helpers: ``is_ip_address``, ``strip_auth_from_url``, ``ceil_timeout``."""

from __future__ import annotations

import asyncio

import pytest
from yarl import URL

import aiohttp_client as ac


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("fe80::1%eth0", True),
        ("example.com", False),
        ("1.2.3", False),
        ("", False),
        (None, False),
    ],
)
def test_is_ip_address(host: str | None, expected: bool) -> None:
    assert ac.is_ip_address(host) is expected


def test_strip_auth_from_url_splits_the_credentials_off() -> None:
    url, auth = ac.strip_auth_from_url(URL("http://user:secret@example.com:8080/p?q=1"))
    assert url == URL("http://example.com:8080/p?q=1")
    assert auth == ac.BasicAuth("user", "secret")
    url, auth = ac.strip_auth_from_url(URL("http://user@example.com/"))
    assert (url, auth) == (URL("http://example.com/"), ac.BasicAuth("user", ""))
    plain = URL("http://example.com/")
    assert ac.strip_auth_from_url(plain) == (plain, None)
    with pytest.raises(TypeError):
        ac.strip_auth_from_url("http://u:p@example.com/")  # type: ignore[arg-type]


async def test_ceil_timeout_raises_timeout_error() -> None:
    with pytest.raises(asyncio.TimeoutError):
        async with ac.ceil_timeout(0.01):
            await asyncio.sleep(1)


@pytest.mark.parametrize("delay", [None, 0, -1])
async def test_ceil_timeout_without_a_positive_delay_never_expires(delay: float | None) -> None:
    async with ac.ceil_timeout(delay) as timer:
        await asyncio.sleep(0.01)
    assert not timer.expired


async def test_ceil_timeout_rounds_long_deadlines_up(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    deadlines: list[float] = []
    real_call_at = loop.call_at

    def call_at(when: float, callback: object, *args: object) -> asyncio.TimerHandle:
        deadlines.append(when)
        return real_call_at(when, callback, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(loop, "call_at", call_at)
    async with ac.ceil_timeout(10.2, ceil_threshold=5):
        pass
    start = loop.time()
    async with ac.ceil_timeout(3.2, ceil_threshold=5):
        pass
    assert deadlines[0] == int(deadlines[0])  # above the threshold: a whole second
    assert 3.2 <= deadlines[1] - start < 3.3  # below it: exact
