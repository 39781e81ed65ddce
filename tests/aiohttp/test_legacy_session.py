"""``ClientSession``'s arguments and the multidict names of the older documents (0.21)."""

from __future__ import annotations

import asyncio
import base64
import json
import warnings
from collections.abc import AsyncIterator

import multidict
import pytest

import aiohttp
import aiohttp_http
from tests.client.proxy_server import Servers, start_http_proxy, start_origin

MULTIDICT_NAMES = {
    "MultiDict": multidict.MultiDict,
    "MultiDictProxy": multidict.MultiDictProxy,
    "CIMultiDict": multidict.CIMultiDict,
    "CIMultiDictProxy": multidict.CIMultiDictProxy,
    "upstr": multidict.istr,
}


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    pool = Servers()
    yield pool
    await pool.close()


@pytest.mark.parametrize(("name", "modern"), sorted(MULTIDICT_NAMES.items()))
def test_multidict_names_warn_and_are_multidicts(name: str, modern: type) -> None:
    replacement = "istr" if name == "upstr" else name
    with pytest.warns(DeprecationWarning, match=rf"use multidict\.{replacement} instead") as record:
        value = getattr(aiohttp, name)
    assert f"aiohttp.{name} is deprecated" in str(record[0].message)
    assert value is modern
    assert getattr(aiohttp_http, replacement) is modern
    assert replacement in aiohttp_http.__all__
    assert name not in aiohttp.__all__


def test_from_import_of_a_multidict_name_warns() -> None:
    with pytest.warns(DeprecationWarning, match=r"multidict\.CIMultiDict"):
        from aiohttp import CIMultiDict
    assert CIMultiDict([("A", "1")])["a"] == "1"


async def test_session_with_every_older_argument_runs(servers: Servers) -> None:
    """The 0.21 reference's ClientSession signature, with a ProxyConnector and multidicts."""
    origin = await start_origin(servers)
    proxy, log = await start_http_proxy(servers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        proxy_connector = aiohttp.ProxyConnector
        multi_dict, ci_multi_dict, upstr = aiohttp.MultiDict, aiohttp.CIMultiDict, aiohttp.upstr
    with pytest.warns(DeprecationWarning, match="ProxyConnector is deprecated"):
        connector = proxy_connector(str(proxy))
    session = aiohttp.ClientSession(
        connector=connector,
        loop=asyncio.get_running_loop(),
        cookies={"c": "1"},
        headers=ci_multi_dict([("X-Old", "yes")]),
        skip_auto_headers=[upstr("User-Agent")],
        auth=aiohttp.BasicAuth("user", "pw"),
        request_class=aiohttp.ClientRequest,
        response_class=aiohttp.ClientResponse,
        ws_response_class=aiohttp.ClientWebSocketResponse,
    )
    async with session:
        params = multi_dict([("q", "1"), ("q", "2")])
        async with session.get(origin / "p", params=params) as resp:
            assert resp.status == 200
            seen = json.loads(await resp.read())
    assert seen["target"] == "/p?q=1&q=2"
    assert seen["headers"]["x-old"] == "yes"
    assert seen["headers"]["cookie"] == "c=1"
    assert "user-agent" not in seen["headers"]
    expected = "Basic " + base64.b64encode(b"user:pw").decode()
    assert seen["headers"]["authorization"] == expected
    assert log.requests[0][:2] == ("GET", f"{origin}/p?q=1&q=2")


async def test_session_refuses_classes_it_cannot_use() -> None:
    with pytest.raises(TypeError, match="ws_response_class must be a subclass"):
        aiohttp.ClientSession(ws_response_class=aiohttp.ClientResponse)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="response_class must be a subclass"):
        aiohttp.ClientSession(response_class=object)  # type: ignore[arg-type]


async def test_older_per_request_arguments_warn_and_apply(servers: Servers) -> None:
    """0.21's ``request(..., encoding=, version=)``: ignored and honoured, each with a warning."""
    lines: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            lines.append(head.split(b"\r\n", 1)[0])
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()

    port = await servers.start(handler)
    url = f"http://127.0.0.1:{port}/"
    async with aiohttp.ClientSession() as session:
        with pytest.warns(DeprecationWarning, match=r"encoding argument .* ignored") as record:
            resp = await session.get(url, encoding="latin-1")
        assert record[0].filename == __file__  # the warning names this line
        assert await resp.text() == "ok"
        with pytest.warns(DeprecationWarning, match=r"use ClientSession\(version=\.\.\.\)"):
            async with session.request("GET", url, version=aiohttp.HttpVersion10) as resp:
                assert await resp.read() == b"ok"
        async with session.post(url, data=b"x") as resp:
            await resp.read()
    assert lines == [b"GET / HTTP/1.1", b"GET / HTTP/1.0", b"POST / HTTP/1.1"]


async def test_session_cookies_is_a_warned_copy_of_the_jar() -> None:
    async with aiohttp.ClientSession(cookies={"flavour": "mint", "size": "2"}) as session:
        with pytest.warns(DeprecationWarning, match=r"use ClientSession\.cookie_jar"):
            cookies = session.cookies
        assert {name: morsel.value for name, morsel in cookies.items()} == {
            "flavour": "mint",
            "size": "2",
        }
        cookies["flavour"] = "vanilla"  # a copy: the jar keeps its own
        with pytest.warns(DeprecationWarning, match=r"ClientSession\.cookies is deprecated"):
            assert session.cookies["flavour"].value == "mint"
