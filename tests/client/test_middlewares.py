"""build_client_middlewares: composition order, repeated calls, validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp_client import (
    ClientHandlerType,
    ClientMiddlewareType,
    build_client_middlewares,
)
from aiohttp_client._middlewares import release_response


@dataclass
class FakeRequest:
    method: str = "GET"
    url: URL = field(default_factory=lambda: URL("http://example.com/"))
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)
    body: Any = None


@dataclass
class FakeResponse:
    status: int = 200
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)
    released: int = 0

    def release(self) -> None:
        self.released += 1


def tagging(name: str, log: list[str]) -> ClientMiddlewareType:
    async def middleware(request: Any, handler: ClientHandlerType) -> Any:
        log.append(f"{name} in")
        request.headers.add("X-Chain", name)
        response = await handler(request)
        log.append(f"{name} out")
        return response

    return middleware


async def test_first_middleware_is_outermost() -> None:
    log: list[str] = []

    async def handler(request: Any) -> FakeResponse:
        log.append("handler")
        return FakeResponse(
            headers=CIMultiDict({"X-Seen": ",".join(request.headers.getall("X-Chain"))})
        )

    chain = build_client_middlewares(handler, [tagging("a", log), tagging("b", log)])
    response = await chain(FakeRequest())
    assert log == ["a in", "b in", "handler", "b out", "a out"]
    assert response.headers["X-Seen"] == "a,b"


async def test_no_middlewares_returns_the_handler_itself() -> None:
    async def handler(request: Any) -> FakeResponse:
        return FakeResponse()

    assert build_client_middlewares(handler, []) is handler
    assert build_client_middlewares(handler, ()) is handler


async def test_a_middleware_may_answer_without_calling_the_handler() -> None:
    calls: list[Any] = []

    async def handler(request: Any) -> FakeResponse:
        calls.append(request)
        return FakeResponse()

    async def cached(request: Any, handler: ClientHandlerType) -> Any:
        return FakeResponse(status=304)

    response = await build_client_middlewares(handler, [cached])(FakeRequest())
    assert response.status == 304
    assert calls == []


async def test_a_middleware_may_call_the_handler_twice() -> None:
    statuses = iter([500, 200])

    async def handler(request: Any) -> FakeResponse:
        return FakeResponse(status=next(statuses))

    async def retry_once(request: Any, handler: ClientHandlerType) -> Any:
        response = await handler(request)
        if response.status == 500:
            await release_response(response)
            response = await handler(request)
        return response

    log: list[str] = []
    chain = build_client_middlewares(handler, [tagging("outer", log), retry_once])
    assert (await chain(FakeRequest())).status == 200
    assert log == ["outer in", "outer out"]


async def test_exceptions_propagate_through_the_chain() -> None:
    async def handler(request: Any) -> FakeResponse:
        raise ConnectionResetError("gone")

    log: list[str] = []
    chain = build_client_middlewares(handler, [tagging("a", log)])
    with pytest.raises(ConnectionResetError, match="gone"):
        await chain(FakeRequest())
    assert log == ["a in"]


def test_refuses_non_callables() -> None:
    async def handler(request: Any) -> FakeResponse:
        return FakeResponse()

    with pytest.raises(TypeError, match="must be callable"):
        build_client_middlewares(handler, [42])  # type: ignore[list-item]


async def test_release_response_awaits_an_awaitable_result() -> None:
    released: list[str] = []

    class AsyncRelease:
        def release(self) -> Any:
            async def done() -> None:
                released.append("awaited")

            return done()

    await release_response(AsyncRelease())
    response = FakeResponse()
    await release_response(response)
    assert released == ["awaited"]
    assert response.released == 1
