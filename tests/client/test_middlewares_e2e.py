"""Client middlewares end to end: session and request lists, redirects, Digest auth, retries."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any

from yarl import URL

import aiohttp_client as ac
from tests.client.conftest import read_request


def tagger(name: str, calls: list[str]) -> ac.ClientMiddlewareType:
    async def middleware(request: Any, handler: ac.ClientHandlerType) -> Any:
        calls.append(f"{name}>{request.url.path}")
        request.headers.add("X-Middleware", name)
        response = await handler(request)
        calls.append(f"{name}<{response.status}")
        return response

    return middleware


async def echoed_middlewares(resp: ac.ClientResponse) -> list[str]:
    data = await resp.json()
    return [value for name, value in data["headers"] if name == "x-middleware"]


async def test_session_and_request_middlewares(asgi_url: URL) -> None:
    calls: list[str] = []
    session_mw = [tagger("outer", calls), tagger("inner", calls)]
    async with (
        ac.ClientSession(middlewares=session_mw) as session,
        session.get(asgi_url / "echo") as resp,
    ):
        assert await echoed_middlewares(resp) == ["outer", "inner"]
        assert calls == ["outer>/echo", "inner>/echo", "inner<200", "outer<200"]
        async with session.get(asgi_url / "echo", middlewares=[tagger("own", calls)]) as resp:
            assert await echoed_middlewares(resp) == ["own"]
        async with session.get(asgi_url / "echo", middlewares=()) as resp:
            assert await echoed_middlewares(resp) == []
        async with session.get(asgi_url / "echo", middlewares=None) as resp:
            assert await echoed_middlewares(resp) == ["outer", "inner"]


async def test_middlewares_run_once_per_redirect_hop(asgi_url: URL) -> None:
    calls: list[str] = []
    async with ac.ClientSession(middlewares=[tagger("mw", calls)]) as session:
        url = asgi_url / "redirect" / "302" % {"to": "/echo"}
        async with session.get(url) as resp:
            assert resp.status == 200
            assert await echoed_middlewares(resp) == ["mw"]
    assert calls == ["mw>/redirect/302", "mw<302", "mw>/echo", "mw<200"]


async def test_a_middleware_can_answer_without_sending(asgi_url: URL) -> None:
    sent: list[int] = []

    async def count(request: Any, handler: ac.ClientHandlerType) -> Any:
        sent.append(1)
        return await handler(request)

    async def twice(request: Any, handler: ac.ClientHandlerType) -> Any:
        first = await handler(request)
        await first.read()
        return await handler(request)  # sends the same request again

    async with (
        ac.ClientSession(middlewares=[twice, count]) as session,
        session.post(asgi_url / "echo", data=b"payload") as resp,
    ):
        data = await resp.json()
    assert len(sent) == 2
    assert data["body"] == "cGF5bG9hZA=="  # the body went again, whole


def digest_server(users: dict[str, str], seen: list[str]) -> Any:
    """A raw server protecting everything with Digest MD5, qop=auth (RFC 7616)."""
    realm, nonce = "test@example.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093"

    def expected(fields: dict[str, str], method: str) -> str:
        ha1 = hashlib.md5(f"{fields['username']}:{realm}:{users[fields['username']]}".encode())
        ha2 = hashlib.md5(f"{method}:{fields['uri']}".encode())
        parts = [ha1.hexdigest(), nonce, fields["nc"], fields["cnonce"], "auth", ha2.hexdigest()]
        return hashlib.md5(":".join(parts).encode()).hexdigest()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = (await read_request(reader)).decode()
            except asyncio.IncompleteReadError:
                return
            method = head.split(" ", 1)[0]
            match = re.search(r"(?im)^authorization: Digest (.*)$", head)
            ok = False
            if match:
                fields = dict(re.findall(r'(\w+)="?([^",]*)"?', match.group(1)))
                seen.append(fields["uri"])
                ok = fields.get("username") in users and fields["response"] == expected(
                    fields, method
                )
            if ok:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nwelcom")
            else:
                challenge = f'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm=MD5'
                writer.write(
                    f"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {challenge}\r\n"
                    "Content-Length: 0\r\n\r\n".encode()
                )
            await writer.drain()

    return handler


async def test_digest_auth_middleware_end_to_end(raw_server: Any) -> None:
    seen: list[str] = []
    url = await raw_server(digest_server({"Mufasa": "Circle of Life"}, seen))
    digest = ac.DigestAuthMiddleware("Mufasa", "Circle of Life")
    async with (
        ac.ClientSession(middlewares=[digest]) as session,
        session.get(url / "dir" / "index.html" % {"q": "1"}) as resp,
    ):
        assert resp.status == 200
        assert await resp.read() == b"welcom"
        async with session.get(url / "again") as resp:  # pre-emptive: no new 401
            assert resp.status == 200
    assert seen == ["/dir/index.html?q=1", "/again"]
    wrong = ac.DigestAuthMiddleware("Mufasa", "wrong")
    async with ac.ClientSession(middlewares=[wrong]) as session, session.get(url) as resp:
        assert resp.status == 401  # one retry at most, then the 401 is returned


def flaky_server(statuses: list[bytes], hits: list[str]) -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            hits.append(head.split(b" ", 1)[0].decode())
            status = statuses.pop(0) if statuses else b"200 OK"
            extra = b"Retry-After: 7\r\n" if status.startswith(b"429") else b""
            body = status.split(b" ", 1)[0]
            writer.write(
                b"HTTP/1.1 "
                + status
                + b"\r\n"
                + extra
                + b"Content-Length: "
                + str(len(body)).encode()
                + b"\r\n\r\n"
                + body
            )
            await writer.drain()

    return handler


async def test_retry_middleware_retries_503_then_succeeds(raw_server: Any) -> None:
    hits: list[str] = []
    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    url = await raw_server(flaky_server([b"503 Unavailable", b"503 Unavailable"], hits))
    retry = ac.RetryMiddleware(attempts=3, backoff=0.5, jitter=False, sleep=sleep)
    async with ac.ClientSession(middlewares=[retry]) as session, session.get(url) as resp:
        assert resp.status == 200
        assert await resp.read() == b"200"
    assert hits == ["GET", "GET", "GET"]
    assert sleeps == [0.5, 1.0]


async def test_retry_after_is_honoured_and_post_is_not_retried(raw_server: Any) -> None:
    hits: list[str] = []
    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    url = await raw_server(flaky_server([b"429 Too Many Requests", b"503 Unavailable"], hits))
    retry = ac.RetryMiddleware(attempts=3, sleep=sleep)
    async with (
        ac.ClientSession(middlewares=[retry]) as session,
        session.get(url) as resp,
    ):
        assert resp.status == 200  # 429 (Retry-After: 7), then 503, then 200
        assert sleeps[0] == 7
        async with session.post(url, data=b"x") as resp:
            assert resp.status == 200
    assert hits == ["GET", "GET", "GET", "POST"]
    hits.clear()
    url = await raw_server(flaky_server([b"503 Unavailable"], hits))
    async with (
        ac.ClientSession(middlewares=[retry]) as session,
        session.post(url, data=b"x") as resp,
    ):
        assert resp.status == 503  # not idempotent: never retried
    assert hits == ["POST"]


async def test_retry_wraps_digest_authentication(raw_server: Any) -> None:
    seen: list[str] = []
    url = await raw_server(digest_server({"u": "p"}, seen))
    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    middlewares = [ac.RetryMiddleware(sleep=sleep), ac.DigestAuthMiddleware("u", "p")]
    async with (
        ac.ClientSession(middlewares=middlewares) as session,
        session.get(url / "x") as resp,
    ):
        assert resp.status == 200
        assert json.dumps(seen) == '["/x"]'
    assert sleeps == []


async def test_request_class_and_response_class_session_options(asgi_url: URL) -> None:
    class TaggedRequest(ac.ClientRequest):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.headers["X-Middleware"] = "request-class"

    class TaggedResponse(ac.ClientResponse):
        tagged = True

    async with (
        ac.ClientSession(request_class=TaggedRequest, response_class=TaggedResponse) as session,
        session.get(asgi_url / "echo") as resp,
    ):
        assert isinstance(resp, TaggedResponse)
        assert await echoed_middlewares(resp) == ["request-class"]
