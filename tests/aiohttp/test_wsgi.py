"""aiohttp.wsgi.WSGIServerHttpProtocol: WSGI applications (plain and Flask) served end to end."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import flask
import httpx
import pytest

import aiohttp_client


def _fresh_import(name: str) -> Any:
    """Import ``name`` anew so that its import-time warning fires again."""
    sys.modules.pop(name, None)
    return importlib.import_module(name)


with pytest.warns(DeprecationWarning, match="aiohttp.wsgi is deprecated"):
    wsgi = _fresh_import("aiohttp.wsgi")

WSGIServerHttpProtocol = wsgi.WSGIServerHttpProtocol


@asynccontextmanager
async def serving(app: Any, **kwargs: Any) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: WSGIServerHttpProtocol(app, **kwargs), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await asyncio.wait_for(server.wait_closed(), 5)


def environ_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Answers with the interesting part of the environ as JSON."""
    body = environ["wsgi.input"].read()
    keys = [
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "SERVER_PROTOCOL",
        "SERVER_NAME",
        "SERVER_PORT",
        "REMOTE_ADDR",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "HTTP_X_CUSTOM",
        "HTTP_HOST",
        "wsgi.url_scheme",
    ]
    info = {k: environ.get(k) for k in keys}
    info["body"] = body.decode()
    info["version"] = list(environ["wsgi.version"])
    info["errors"] = environ["wsgi.errors"] is sys.stderr
    info["thread"] = threading.current_thread() is not threading.main_thread()
    data = json.dumps(info).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


@pytest.mark.parametrize("readpayload", [False, True])
async def test_environ_of_a_plain_app(readpayload: bool) -> None:
    async with serving(environ_app, readpayload=readpayload) as url, httpx.AsyncClient() as client:
        port = url.rsplit(":", 1)[1]
        resp = await client.post(
            url + "/some%20path/x?a=1&b=2",
            content=b"the body",
            headers={"X-Custom": "yes", "Content-Type": "text/plain"},
        )
    assert resp.status_code == 200
    assert resp.headers["content-length"] == str(len(resp.content))
    info = resp.json()
    assert info == {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/some path/x",
        "QUERY_STRING": "a=1&b=2",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": port,
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "text/plain",
        "CONTENT_LENGTH": "8",
        "HTTP_X_CUSTOM": "yes",
        "HTTP_HOST": f"127.0.0.1:{port}",
        "wsgi.url_scheme": "http",
        "body": "the body",
        "version": [1, 0],
        "errors": True,
        "thread": True,
    }


async def test_url_scheme_follows_is_ssl() -> None:
    async with serving(environ_app, is_ssl=True) as url, httpx.AsyncClient() as client:
        assert (await client.get(url + "/")).json()["wsgi.url_scheme"] == "https"


async def test_streamed_input_is_read_as_it_arrives() -> None:
    """readpayload=False: the app reads lines of a chunked body while it is still being sent."""
    second_line_sent = threading.Event()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        stream = environ["wsgi.input"]
        first = stream.readline()
        # The client sends the rest only after we have seen the first line.
        seen_before = second_line_sent.is_set()
        rest = stream.read()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"%s|%s|%d" % (first, rest, seen_before)]

    async def body() -> AsyncIterator[bytes]:
        yield b"line one\n"
        await asyncio.sleep(0.05)
        second_line_sent.set()
        yield b"line two\n"

    async with serving(app) as url, httpx.AsyncClient() as client:
        resp = await client.post(url + "/", content=body())
    assert resp.content == b"line one\n|line two\n|0"


async def test_input_file_like_methods() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        stream = environ["wsgi.input"]
        parts = [stream.read(3), stream.readline(2), stream.readline()]
        parts += stream.readlines()
        start_response("200 OK", [])
        return [b"/".join(parts)]

    async with serving(app) as url, httpx.AsyncClient() as client:
        resp = await client.post(url + "/", content=b"abcdef\nghi\njkl\n")
    assert resp.content == b"abc/de/f\n/ghi\n/jkl\n"


async def test_iterable_without_length_is_chunked_and_closed() -> None:
    closed = threading.Event()

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"one,"
            yield b""
            yield b"two"

        def close(self) -> None:
            closed.set()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("201 Created", [("X-App", "1")])
        return Body()

    async with (
        serving(app) as url,
        aiohttp_client.ClientSession() as session,
        session.get(url + "/") as resp,
    ):
        assert resp.status == 201
        assert resp.reason == "Created"
        assert resp.headers["Transfer-Encoding"] == "chunked"
        assert resp.headers["X-App"] == "1"
        assert await resp.read() == b"one,two"
    assert closed.is_set()


async def test_write_callable_and_empty_body() -> None:
    def writing(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written ")
        return [b"returned"]

    def empty(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("204 No Content", [])
        return []

    async with serving(writing) as url, httpx.AsyncClient() as client:
        assert (await client.get(url + "/")).content == b"written returned"
    async with serving(empty) as url, httpx.AsyncClient() as client:
        resp = await client.get(url + "/")
        assert resp.status_code == 204
        assert resp.content == b""


async def test_start_response_with_exc_info_replaces_the_status() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise ValueError("late failure")
        except ValueError:
            start_response("500 Internal Server Error", [("X-Error", "1")], sys.exc_info())
        return [b"error page"]

    async with serving(app) as url, httpx.AsyncClient() as client:
        resp = await client.get(url + "/")
    assert resp.status_code == 500
    assert resp.headers["x-error"] == "1"
    assert resp.content == b"error page"


async def test_exc_info_after_the_head_is_sent_cuts_the_response(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", [])
        yield b"partial"
        try:
            raise KeyError("mid-body")
        except KeyError:
            start_response("500 Internal Server Error", [], sys.exc_info())

    caplog.set_level(logging.CRITICAL)
    async with serving(app) as url, httpx.AsyncClient() as client:
        with pytest.raises(httpx.HTTPError):
            await client.get(url + "/")


async def test_app_errors_are_answered_500(caplog: pytest.LogCaptureFixture) -> None:
    def failing(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise RuntimeError("app bug")

    def twice(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [])
        start_response("200 OK", [])
        return []

    def bad_status(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("OK", [])
        return []

    def no_start(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        return [b"x"]

    caplog.set_level(logging.CRITICAL)
    for app in (failing, twice, bad_status, no_start):
        # One client per server: Python 3.12+ waits for open connections in wait_closed().
        async with serving(app) as url, httpx.AsyncClient() as client:
            assert (await client.get(url + "/")).status_code == 500, app.__name__


async def test_head_request_sends_no_body() -> None:
    async with serving(environ_app) as url, httpx.AsyncClient() as client:
        resp = await client.head(url + "/")
    assert resp.status_code == 200
    assert resp.content == b""


def make_flask_app() -> flask.Flask:
    app = flask.Flask("wsgi_test")

    @app.route("/hello/<name>")
    def hello(name: str) -> str:
        return f"Hello, {name}! q={flask.request.args.get('q')}"

    @app.route("/json", methods=["POST"])
    def echo_json() -> Any:
        data = flask.request.get_json()
        return flask.jsonify(received=data, method=flask.request.method)

    @app.route("/form", methods=["POST"])
    def form() -> str:
        upload = flask.request.files["file"]
        return f"{flask.request.form['field']}:{upload.filename}:{upload.read().decode()}"

    @app.route("/stream")
    def stream() -> flask.Response:
        def generate() -> Iterator[str]:
            for i in range(3):
                yield f"item{i}\n"

        return flask.Response(generate(), mimetype="text/plain")

    @app.route("/cookie")
    def cookie() -> flask.Response:
        resp = flask.make_response("set")
        resp.set_cookie("session", "abc")
        return resp

    @app.route("/redirect")
    def redirect() -> Any:
        return flask.redirect("/hello/redirected")

    return app


@pytest.mark.parametrize("readpayload", [False, True])
async def test_flask_app(readpayload: bool) -> None:
    async with serving(make_flask_app(), readpayload=readpayload) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            resp = await client.get("/hello/world", params={"q": "x y"})
            assert resp.status_code == 200
            assert resp.text == "Hello, world! q=x y"

            resp = await client.post("/json", json={"a": [1, 2]})
            assert resp.json() == {"received": {"a": [1, 2]}, "method": "POST"}

            resp = await client.post(
                "/form", data={"field": "value"}, files={"file": ("f.txt", b"content")}
            )
            assert resp.text == "value:f.txt:content"

            resp = await client.get("/stream")
            assert resp.text == "item0\nitem1\nitem2\n"
            assert resp.headers["transfer-encoding"] == "chunked"

            resp = await client.get("/missing")
            assert resp.status_code == 404

            resp = await client.get("/redirect", follow_redirects=True)
            assert resp.text == "Hello, redirected! q=None"

        async with aiohttp_client.ClientSession() as session:
            async with session.get(url + "/cookie") as r:
                assert r.cookies["session"].value == "abc"
                assert await r.text() == "set"
            async with session.post(url + "/json", json={"k": "v"}) as r:
                assert (await r.json())["received"] == {"k": "v"}
