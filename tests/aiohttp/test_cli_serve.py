"""``aiohttp serve``: the playground server, hit by independent clients on 127.0.0.1.

httpx and the websockets library check every route from the outside; raw sockets send the
path-traversal targets a client library would normalise away; our ClientSession and
ws_connect run against it too. One test runs the real command in a subprocess and stops it
with SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from aiohttp import _cli_serve, _playground
from aiohttp_client import ClientSession
from aiohttp_multipart import FormData
from aiohttp_ws import WSMsgType

WAIT = 10.0


class Playground:
    """A running playground: its URL, its static root and the access-log lines it wrote."""

    def __init__(self, url: str, port: int, static: Path, log: list[str]) -> None:
        self.url = url
        self.port = port
        self.static = static
        self.log = log


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    static = tmp_path / "public"
    (static / "sub dir").mkdir(parents=True)
    (static / "hello.txt").write_text("hello, static world\n")
    (static / "page.html").write_text("<p>hi</p>")
    (static / "data.bin").write_bytes(bytes(range(256)) * 4)
    (static / "sub dir" / "deep.json").write_text('{"deep": true}')
    (tmp_path / "secret").write_text("do not serve me")
    log: list[str] = []
    server, port = await _playground.start("127.0.0.1", 0, static_dir=static, log=log.append)
    try:
        yield Playground(f"http://127.0.0.1:{port}", port, static, log)
    finally:
        await _playground.stop(server, timeout=2.0)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=WAIT) as c:
        yield c


async def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """Send ``GET target`` exactly as written (no client-side normalisation); status and body."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), WAIT)
    try:
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        answer = await asyncio.wait_for(reader.read(), WAIT)
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


# -- /inspect ---------------------------------------------------------------------------------


async def test_root_and_inspect_describe_the_request(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    for path in ("/", "/inspect"):
        resp = await client.get(f"{playground.url}{path}?a=1&a=2&b=", headers={"X-Trace": "t1"})
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "application/json; charset=utf-8"
        seen = resp.json()
        assert seen["method"] == "GET"
        assert seen["path"] == path
        assert seen["query"] == {"a": ["1", "2"], "b": ""}
        assert seen["headers"]["X-Trace"] == "t1"
        assert seen["http_version"] == "1.1"
        assert seen["remote"] == "127.0.0.1"
        assert seen["body_length"] == 0


async def test_inspect_parses_json_and_reports_bad_json(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    doc = {"n": [1, 2], "s": "ü"}
    resp = await client.put(f"{playground.url}/inspect", json=doc)
    seen = resp.json()
    assert seen["method"] == "PUT"
    assert seen["json"] == doc
    assert seen["body_length"] == len(resp.request.content)
    bad = await client.post(
        f"{playground.url}/inspect",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert bad.status_code == 200
    assert "json" not in bad.json()
    assert bad.json()["json_error"]


async def test_inspect_parses_urlencoded_forms(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    seen = (await client.post(f"{playground.url}/inspect", data={"x": "1 2", "y": "z"})).json()
    assert seen["form"] == {"x": "1 2", "y": "z"}


async def test_inspect_lists_multipart_fields_and_files(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    blob = os.urandom(300_000)
    resp = await client.post(
        f"{playground.url}/inspect",
        data={"title": "report", "tag": ["a", "b"]},
        files={"upload": ("blob.bin", blob, "application/x-test")},
    )
    assert resp.status_code == 200
    seen = resp.json()
    assert seen["multipart"]["fields"] == {"title": "report", "tag": ["a", "b"]}
    assert seen["multipart"]["files"] == [
        {
            "field": "upload",
            "filename": "blob.bin",
            "content_type": "application/x-test",
            "size": len(blob),
            "sha256": hashlib.sha256(blob).hexdigest(),
        }
    ]
    assert seen["body_length"] == int(resp.request.headers["content-length"])


async def test_inspect_answers_400_for_a_broken_multipart_body(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    resp = await client.post(
        f"{playground.url}/inspect",
        content=b"no boundary here",
        headers={"Content-Type": "multipart/form-data"},
    )
    assert resp.status_code == 400
    assert "multipart" in resp.text


# -- /echo, /status, /delay, /bytes, /redirect ----------------------------------------------


async def test_echo_returns_the_body_with_its_content_type(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    body = bytes(range(256)) * 100
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        resp = await client.request(
            method,
            f"{playground.url}/echo",
            content=body,
            headers={"Content-Type": "application/x-custom; v=1"},
        )
        assert resp.status_code == 200
        assert resp.content == body
        assert resp.headers["content-type"] == "application/x-custom; v=1"
    empty = await client.get(f"{playground.url}/echo")
    assert empty.content == b""
    assert empty.headers["content-type"] == "application/octet-stream"


@pytest.mark.parametrize("code", [200, 201, 204, 299, 302, 404, 418, 500, 503, 599])
async def test_status_answers_the_code(
    playground: Playground, client: httpx.AsyncClient, code: int
) -> None:
    resp = await client.get(f"{playground.url}/status/{code}")
    assert resp.status_code == code
    if code == 302:
        assert resp.headers["location"] == "/inspect"


@pytest.mark.parametrize(
    "arg", ["99", "600", "1000", "abc", "", "-200", "+200", "2e2", "20 0", "2_00", "٢٠٠"]
)
async def test_status_refuses_codes_out_of_range_with_400(
    playground: Playground, client: httpx.AsyncClient, arg: str
) -> None:
    resp = await client.get(f"{playground.url}/status/{arg}")
    assert resp.status_code == 400
    assert "200..599" in resp.text


async def test_delay_waits_then_answers_and_is_bounded(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    start = time.monotonic()
    resp = await client.get(f"{playground.url}/delay/0.3")
    assert time.monotonic() - start >= 0.3
    assert resp.json()["delay"] == 0.3
    assert resp.json()["path"] == "/delay/0.3"
    for arg in ("61", "60.5", "-1", "nan", "inf", "1e1", "soon", "1_0"):
        assert (await client.get(f"{playground.url}/delay/{arg}")).status_code == 400


@pytest.mark.parametrize("n", [0, 1, 255, 256, 1000, 262_144, 1_000_003])
async def test_bytes_streams_n_bytes_with_content_length(
    playground: Playground, client: httpx.AsyncClient, n: int
) -> None:
    async with client.stream("GET", f"{playground.url}/bytes/{n}") as resp:
        assert resp.status_code == 200
        assert resp.headers["content-length"] == str(n)
        assert "transfer-encoding" not in resp.headers
        body = b"".join([chunk async for chunk in resp.aiter_raw()])
    assert len(body) == n
    assert body == bytes(i % 256 for i in range(n))


async def test_bytes_head_has_the_length_and_no_body(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    resp = await client.head(f"{playground.url}/bytes/{2**30}")
    assert resp.status_code == 200
    assert resp.headers["content-length"] == str(2**30)
    assert resp.content == b""


@pytest.mark.parametrize("arg", [str(2**30 + 1), "-1", "1e3", "x", "9" * 30])
async def test_bytes_refuses_counts_out_of_bounds(
    playground: Playground, client: httpx.AsyncClient, arg: str
) -> None:
    resp = await client.get(f"{playground.url}/bytes/{arg}")
    assert resp.status_code == 400
    assert str(2**30) in resp.text


@pytest.mark.parametrize("path", ["/bytes/100000000", "/static/big.bin"])
async def test_a_client_leaving_mid_body_is_not_an_error(
    playground: Playground, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    (playground.static / "big.bin").write_bytes(bytes(20 * 2**20))
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", playground.port), WAIT
    )
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await asyncio.wait_for(reader.readexactly(100_000), WAIT)
    writer.transport.abort()
    for _ in range(100):  # the handler ends once its write fails
        if playground.log:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.1)
    assert playground.log and f'"GET {path} HTTP/1.1" 200 ' in playground.log[0]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_expected_bytes_matches_the_pattern_at_any_offset() -> None:
    assert _playground.expected_bytes(0, 3) == b"\x00\x01\x02"
    assert _playground.expected_bytes(255, 2) == b"\xff\x00"
    assert _playground.expected_bytes(1000, 300) == bytes((1000 + i) % 256 for i in range(300))
    with pytest.raises(ValueError, match="over"):
        _playground.expected_bytes(0, _playground.CHUNK_SIZE + 1)


async def test_redirect_counts_down_to_inspect(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    first = await client.get(f"{playground.url}/redirect/3")
    assert first.status_code == 302
    assert first.headers["location"] == "/redirect/2"
    followed = await client.get(f"{playground.url}/redirect/3", follow_redirects=True)
    assert followed.status_code == 200
    assert len(followed.history) == 3
    assert followed.json()["path"] == "/redirect/0"
    for arg in ("101", "-1", "many"):
        assert (await client.get(f"{playground.url}/redirect/{arg}")).status_code == 400


async def test_unknown_route_is_404_listing_the_routes(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    resp = await client.get(f"{playground.url}/nope")
    assert resp.status_code == 404
    assert "/inspect" in resp.text and "/bytes/{n}" in resp.text


async def test_every_request_is_logged_in_one_line(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    await client.get(f"{playground.url}/status/404?x=1")
    await client.post(f"{playground.url}/echo", content=b"12345")
    assert len(playground.log) == 2
    assert playground.log[0].startswith('127.0.0.1 "GET /status/404?x=1 HTTP/1.1" 404 ')
    assert playground.log[1].startswith('127.0.0.1 "POST /echo HTTP/1.1" 200 5 ')


# -- /ws ----------------------------------------------------------------------------------------


async def test_ws_echoes_text_and_binary_to_the_websockets_library(
    playground: Playground,
) -> None:
    async with connect(f"ws://127.0.0.1:{playground.port}/ws", open_timeout=WAIT) as ws:
        messages: list[str | bytes] = ["hello", "ünïcode", "x" * 100_000, b"\x00\xff" * 10, b""]
        for message in messages:
            await ws.send(message)
            assert await asyncio.wait_for(ws.recv(), WAIT) == message
    assert ws.close_code == 1000


async def test_ws_refuses_a_plain_request_with_400(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    resp = await client.get(f"{playground.url}/ws")
    assert resp.status_code == 400
    assert "WebSocket upgrade" in resp.text


async def test_stop_closes_open_websockets_with_1001() -> None:
    server, port = await _playground.start("127.0.0.1", 0)
    try:
        ws = await connect(f"ws://127.0.0.1:{port}/ws", open_timeout=WAIT)
        await ws.send("before")
        assert await asyncio.wait_for(ws.recv(), WAIT) == "before"
    finally:
        await asyncio.wait_for(_playground.stop(server, timeout=2.0), WAIT)
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(ws.recv(), WAIT)
    assert ws.close_code == 1001
    await ws.close()


async def test_routes_other_than_ws_decline_an_upgrade(playground: Playground) -> None:
    with pytest.raises(InvalidStatus) as exc:
        await connect(f"ws://127.0.0.1:{playground.port}/echo", open_timeout=WAIT)
    assert exc.value.response.status_code == 200  # /echo answers normally: no upgrade


# -- our own client -------------------------------------------------------------------------


async def test_our_client_session_against_the_playground(playground: Playground) -> None:
    async with ClientSession() as session:
        async with session.get(f"{playground.url}/inspect", params={"q": "1"}) as resp:
            assert resp.status == 200
            assert (await resp.json())["query"] == {"q": "1"}
        form = FormData()
        form.add_field("name", "x")
        form.add_field("file", b"abc" * 1000, filename="f.txt", content_type="text/plain")
        async with session.post(f"{playground.url}/inspect", data=form) as resp:
            files = (await resp.json())["multipart"]["files"]
            assert [(f["filename"], f["size"]) for f in files] == [("f.txt", 3000)]
        async with session.get(f"{playground.url}/redirect/2") as resp:
            assert resp.status == 200
            assert len(resp.history) == 2
        async with session.get(f"{playground.url}/bytes/300000") as resp:
            assert resp.content_length == 300000
            assert len(await resp.read()) == 300000
        async with session.ws_connect(f"{playground.url}/ws", compress=15) as ws:
            await ws.send_str("text")
            assert (await ws.receive(timeout=WAIT)).data == "text"
            await ws.send_bytes(b"\x01\x02")
            msg = await ws.receive(timeout=WAIT)
            assert msg.type is WSMsgType.BINARY and msg.data == b"\x01\x02"


# -- /static ------------------------------------------------------------------------------------


async def test_static_serves_files_with_a_guessed_content_type(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    text = await client.get(f"{playground.url}/static/hello.txt")
    assert text.status_code == 200
    assert text.text == "hello, static world\n"
    assert text.headers["content-type"].startswith("text/plain")
    assert text.headers["accept-ranges"] == "bytes"
    assert "last-modified" in text.headers
    page = await client.get(f"{playground.url}/static/page.html")
    assert page.headers["content-type"].startswith("text/html")
    deep = await client.get(f"{playground.url}/static/sub%20dir/deep.json")
    assert deep.json() == {"deep": True}
    assert deep.headers["content-type"] == "application/json"


async def test_static_head_and_ranges(playground: Playground, client: httpx.AsyncClient) -> None:
    url = f"{playground.url}/static/data.bin"
    data = bytes(range(256)) * 4
    head = await client.head(url)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(data))
    assert head.content == b""
    cases = {
        "bytes=0-9": (0, 9),
        "bytes=1000-": (1000, 1023),
        "bytes=-24": (1000, 1023),
        "bytes=1020-5000": (1020, 1023),
        "bytes=-5000": (0, 1023),
    }
    for header, (first, last) in cases.items():
        part = await client.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.headers["content-range"] == f"bytes {first}-{last}/1024"
        assert part.content == data[first : last + 1]
    for ignored in ("bytes=5-2", "bytes=0-1,5-6", "items=0-1", "bytes=x-1", "bytes=-"):
        whole = await client.get(url, headers={"Range": ignored})
        assert whole.status_code == 200, ignored
        assert whole.content == data
    for unsatisfiable in ("bytes=1024-", "bytes=5000-6000", "bytes=-0"):
        refused = await client.get(url, headers={"Range": unsatisfiable})
        assert refused.status_code == 416, unsatisfiable
        assert refused.headers["content-range"] == "bytes */1024"


async def test_static_lists_directories(playground: Playground, client: httpx.AsyncClient) -> None:
    listing = await client.get(f"{playground.url}/static/")
    assert listing.status_code == 200
    assert listing.headers["content-type"].startswith("text/html")
    for name in ('href="sub%20dir/"', 'href="hello.txt"', 'href="data.bin"'):
        assert name in listing.text
    moved = await client.get(f"{playground.url}/static/sub%20dir")
    assert moved.status_code == 301
    assert moved.headers["location"] == "/static/sub%20dir/"
    assert (await client.get(f"{playground.url}/static")).headers["location"] == "/static/"
    inner = await client.get(f"{playground.url}/static/sub%20dir/")
    assert 'href="deep.json"' in inner.text and 'href="../"' in inner.text


@pytest.mark.parametrize(
    "target",
    [
        "/static/../secret",
        "/static/%2e%2e/secret",
        "/static/%2E%2E/secret",
        "/static/..%2fsecret",
        "/static/sub%20dir/../../secret",
        "/static/sub%20dir/%2e%2e/%2e%2e/secret",
        "/static/./hello.txt",
        "/static/..%5csecret",
        "/static/%00",
    ],
)
async def test_static_refuses_path_traversal(playground: Playground, target: str) -> None:
    status, body = await raw_get(playground.port, target)
    assert status == 403, target
    assert b"do not serve me" not in body


async def test_static_refuses_a_symlink_out_of_the_root(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    link = playground.static / "escape"
    try:
        link.symlink_to(playground.static.parent / "secret")
    except (OSError, NotImplementedError):
        pytest.skip("no symlinks here")
    resp = await client.get(f"{playground.url}/static/escape")
    assert resp.status_code == 403
    assert "do not serve me" not in resp.text


async def test_static_missing_files_and_other_methods(
    playground: Playground, client: httpx.AsyncClient
) -> None:
    assert (await client.get(f"{playground.url}/static/nope.txt")).status_code == 404
    assert (await client.get(f"{playground.url}/static/hello.txt/x")).status_code == 404
    post = await client.post(f"{playground.url}/static/hello.txt", content=b"x")
    assert post.status_code == 405
    assert post.headers["allow"] == "GET, HEAD"


async def test_static_without_a_directory_is_404(client: httpx.AsyncClient) -> None:
    server, port = await _playground.start("127.0.0.1", 0)
    try:
        resp = await client.get(f"http://127.0.0.1:{port}/static/anything")
    finally:
        await _playground.stop(server, timeout=2.0)
    assert resp.status_code == 404
    assert "--static" in resp.text


# -- the command --------------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="aiohttp")
    _cli_serve.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_options_and_defaults() -> None:
    args = parse(["serve"])
    assert (args.host, args.port, args.static) == ("127.0.0.1", 8080, None)
    assert args.handler is _cli_serve.run
    args = parse(["serve", "--host", "::1", "--port", "0", "--static", "/srv"])
    assert (args.host, args.port, args.static) == ("::1", 0, "/srv")


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_bad_port_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse(["serve", "--port", port])
    assert exc.value.code == 2
    assert "port" in capsys.readouterr().err


def test_static_must_be_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli_serve.run(parse(["serve", "--static", str(tmp_path / "missing")])) == 2
    assert "not a directory" in capsys.readouterr().err


async def test_an_address_in_use_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    server, port = await _playground.start("127.0.0.1", 0)
    try:
        code = await asyncio.to_thread(_cli_serve.run, parse(["serve", "--port", str(port)]))
    finally:
        await _playground.stop(server, timeout=2.0)
    assert code == 1
    assert "cannot listen" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM ends a process at once on Windows")
async def test_serve_subprocess_prints_its_url_serves_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    (tmp_path / "f.txt").write_text("file")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiohttp",
        "serve",
        "--port",
        "0",
        "--static",
        str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        assert line.startswith("serving on http://127.0.0.1:"), line
        assert line.rstrip().endswith("(Ctrl-C to stop)")
        url = line.split()[2]
        async with httpx.AsyncClient(timeout=WAIT) as client:
            assert (await client.get(f"{url}/inspect")).json()["path"] == "/inspect"
            assert (await client.get(f"{url}/static/f.txt")).text == "file"
        async with connect(url.replace("http", "ws", 1) + "/ws", open_timeout=WAIT) as ws:
            await ws.send("over a real process")
            assert await asyncio.wait_for(ws.recv(), WAIT) == "over a real process"
            proc.send_signal(signal.SIGTERM)  # with the WebSocket open
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), WAIT)
        assert ws.close_code == 1001
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        err = (await asyncio.wait_for(proc.stderr.read(), WAIT)).decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await asyncio.wait_for(proc.wait(), WAIT)
    assert '"GET /inspect HTTP/1.1" 200 ' in err
    assert '"GET /static/f.txt HTTP/1.1" 200 4 ' in err
    assert '"GET /ws HTTP/1.1" 101 ' in err
    assert "shutting down" in err
