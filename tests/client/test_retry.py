"""RetryMiddleware and Retry-After parsing, with fake handlers and an injected sleep."""

from __future__ import annotations

import asyncio
import calendar
from dataclasses import dataclass, field
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp_client import (
    DEFAULT_RETRY_ATTEMPTS,
    DEFAULT_RETRY_EXCEPTIONS,
    DEFAULT_RETRY_METHODS,
    DEFAULT_RETRY_STATUSES,
    ClientConnectionError,
    ClientResponseError,
    RequestInfo,
    RetryMiddleware,
    ServerDisconnectedError,
    SocketTimeoutError,
    build_client_middlewares,
    parse_retry_after,
)

NOW = float(calendar.timegm((2024, 11, 6, 8, 49, 37, 0, 0, 0)))  # Wed, 06 Nov 2024 08:49:37 GMT


@dataclass
class FakeRequest:
    method: str = "GET"
    url: URL = field(default_factory=lambda: URL("http://example.com/"))
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)
    body: Any = None


@dataclass
class FakeResponse:
    status: int
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)
    released: bool = False

    def release(self) -> None:
        self.released = True


class Script:
    """A handler replaying a list of outcomes: statuses, (status, headers) or exceptions."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.responses: list[FakeResponse] = []
        self.calls = 0

    async def __call__(self, request: Any) -> FakeResponse:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        status, headers = outcome if isinstance(outcome, tuple) else (outcome, {})
        response = FakeResponse(status, CIMultiDict(headers))
        self.responses.append(response)
        return response


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def middleware(sleeps: Sleeps, **kwargs: Any) -> RetryMiddleware:
    kwargs.setdefault("random", lambda: 0.5)
    return RetryMiddleware(sleep=sleeps, clock=lambda: NOW, **kwargs)


# --- Retry-After ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "delay"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Wed, 06 Nov 2024 08:50:37 GMT", 60.0),
        ("Wednesday, 06-Nov-24 08:51:37 GMT", 120.0),
        ("Wed Nov  6 08:49:47 2024", 10.0),
        ("Tue, 05 Nov 2024 08:49:37 GMT", 0.0),  # in the past
        ("Sunday, 06-Nov-94 08:49:37 GMT", 0.0),  # two-digit year: the past century
    ],
)
def test_parse_retry_after(value: str, delay: float) -> None:
    assert parse_retry_after(value, now=NOW) == delay


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "-5",
        "1.5",
        "+3",
        "soon",
        "Wed, 06 Nov 2024 08:50:37 UTC",
        "Wed, 32 Nov 2024 08:50:37 GMT",
        "Wed, 06 Nov 2024 25:50:37 GMT",
        "\u0661\u0662",
    ],
)
def test_parse_retry_after_malformed(value: str | None) -> None:
    assert parse_retry_after(value, now=NOW) is None


def test_parse_retry_after_uses_the_clock_by_default() -> None:
    delay = parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT")
    assert delay is not None
    assert delay > 0


# --- the middleware -------------------------------------------------------------------


def test_defaults() -> None:
    retry = RetryMiddleware()
    assert retry.attempts == DEFAULT_RETRY_ATTEMPTS == 3
    assert retry.statuses == DEFAULT_RETRY_STATUSES == {429, 500, 502, 503, 504}
    assert retry.methods == DEFAULT_RETRY_METHODS
    assert {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"} == DEFAULT_RETRY_METHODS
    assert retry.exceptions == DEFAULT_RETRY_EXCEPTIONS
    assert retry.backoff == 0.5
    assert retry.max_backoff == 30.0
    assert retry.jitter
    assert retry.respect_retry_after


async def test_retries_a_retryable_status_then_succeeds() -> None:
    sleeps, handler = Sleeps(), Script(503, 502, 200)
    response = await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest())
    assert response.status == 200
    assert handler.calls == 3
    assert [r.released for r in handler.responses] == [True, True, False]
    assert sleeps.delays == [0.25, 0.5]  # full jitter with random() == 0.5


async def test_returns_the_last_response_when_attempts_run_out() -> None:
    sleeps, handler = Sleeps(), Script(500, 500, 500, 200)
    response = await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest())
    assert response.status == 500
    assert handler.calls == 3
    assert not response.released
    assert len(sleeps.delays) == 2


async def test_backoff_without_jitter_is_exponential_and_capped() -> None:
    sleeps, handler = Sleeps(), Script(*([500] * 7))
    retry = middleware(sleeps, attempts=7, backoff=1, max_backoff=10, jitter=False)
    await build_client_middlewares(handler, [retry])(FakeRequest())
    assert sleeps.delays == [1, 2, 4, 8, 10, 10]


def test_full_jitter_bounds() -> None:
    assert RetryMiddleware(backoff=2, random=lambda: 0.0).backoff_delay(3) == 0.0
    assert RetryMiddleware(backoff=2, random=lambda: 0.999).backoff_delay(3) == pytest.approx(7.992)


async def test_non_retryable_status_is_returned_at_once() -> None:
    sleeps, handler = Sleeps(), Script(404)
    response = await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest())
    assert response.status == 404
    assert handler.calls == 1
    assert sleeps.delays == []


@pytest.mark.parametrize(
    ("header", "delay"),
    [("7", 7.0), ("Wed, 06 Nov 2024 08:49:40 GMT", 3.0)],
)
async def test_retry_after_is_honoured(header: str, delay: float) -> None:
    sleeps, handler = Sleeps(), Script((429, {"Retry-After": header}), 200)
    response = await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest())
    assert response.status == 200
    assert sleeps.delays == [delay]


async def test_malformed_retry_after_falls_back_to_backoff() -> None:
    sleeps, handler = Sleeps(), Script((503, {"Retry-After": "later"}), 200)
    await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest())
    assert sleeps.delays == [0.25]


async def test_retry_after_beyond_the_limit_returns_the_response() -> None:
    sleeps, handler = Sleeps(), Script((503, {"Retry-After": "3600"}), 200)
    response = await build_client_middlewares(handler, [middleware(sleeps, max_retry_after=60)])(
        FakeRequest()
    )
    assert response.status == 503
    assert not response.released
    assert sleeps.delays == []


async def test_retry_after_can_be_ignored() -> None:
    sleeps, handler = Sleeps(), Script((503, {"Retry-After": "3600"}), 200)
    response = await build_client_middlewares(
        handler, [middleware(sleeps, respect_retry_after=False)]
    )(FakeRequest())
    assert response.status == 200
    assert sleeps.delays == [0.25]


@pytest.mark.parametrize(
    "error",
    [
        ClientConnectionError("reset"),
        ServerDisconnectedError(),
        SocketTimeoutError("read timeout"),
        asyncio.TimeoutError(),
    ],
)
async def test_retryable_exceptions(error: BaseException) -> None:
    sleeps, handler = Sleeps(), Script(error, 200)
    response = await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest())
    assert response.status == 200
    assert handler.calls == 2
    assert sleeps.delays == [0.25]


async def test_the_last_exception_is_raised() -> None:
    sleeps = Sleeps()
    handler = Script(
        ClientConnectionError("1"), ClientConnectionError("2"), ClientConnectionError("3")
    )
    with pytest.raises(ClientConnectionError, match="3"):
        await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest())
    assert handler.calls == 3


async def test_other_exceptions_are_not_retried() -> None:
    sleeps = Sleeps()
    info = RequestInfo(URL("http://x/"), "GET", CIMultiDict())
    handler = Script(ClientResponseError(info, (), status=500), 200)
    with pytest.raises(ClientResponseError):
        await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest())
    handler = Script(ValueError("bug"), 200)
    with pytest.raises(ValueError, match="bug"):
        await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest())
    assert sleeps.delays == []


async def test_cancellation_is_never_retried() -> None:
    sleeps, handler = Sleeps(), Script(asyncio.CancelledError(), 200)
    with pytest.raises(asyncio.CancelledError):
        await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest())
    assert handler.calls == 1


@pytest.mark.parametrize("method", ["POST", "PATCH", "CONNECT"])
async def test_non_idempotent_methods_are_not_retried_by_default(method: str) -> None:
    sleeps, handler = Sleeps(), Script(503, 200)
    response = await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest(method))
    assert response.status == 503
    handler = Script(ClientConnectionError("x"), 200)
    with pytest.raises(ClientConnectionError):
        await build_client_middlewares(handler, [middleware(sleeps)])(FakeRequest(method))
    handler = Script(503, 200)
    response = await build_client_middlewares(
        handler, [middleware(sleeps, retry_non_idempotent=True)]
    )(FakeRequest(method))
    assert response.status == 200


async def test_custom_methods_statuses_and_exceptions() -> None:
    sleeps = Sleeps()
    retry = middleware(sleeps, methods=["post"], statuses={418}, exceptions=(KeyError,), attempts=2)
    handler = Script(418, 200)
    assert (await build_client_middlewares(handler, [retry])(FakeRequest("POST"))).status == 200
    handler = Script(KeyError("k"), 200)
    assert (await build_client_middlewares(handler, [retry])(FakeRequest("POST"))).status == 200
    handler = Script(503)
    assert (await build_client_middlewares(handler, [retry])(FakeRequest("POST"))).status == 503


async def test_one_attempt_means_no_retry() -> None:
    sleeps, handler = Sleeps(), Script(503, 200)
    response = await build_client_middlewares(handler, [middleware(sleeps, attempts=1)])(
        FakeRequest()
    )
    assert response.status == 503
    assert handler.calls == 1


async def test_uses_asyncio_sleep_by_default() -> None:
    handler = Script(503, 200)
    retry = RetryMiddleware(backoff=0, jitter=False)
    response = await asyncio.wait_for(build_client_middlewares(handler, [retry])(FakeRequest()), 5)
    assert response.status == 200


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"attempts": 0}, ValueError, "attempts"),
        ({"attempts": 1.5}, ValueError, "attempts"),
        ({"attempts": True}, ValueError, "attempts"),
        ({"backoff": -1}, ValueError, "backoff"),
        ({"max_backoff": -1}, ValueError, "max_backoff"),
        ({"max_retry_after": -1}, ValueError, "max_retry_after"),
        ({"statuses": {600}}, ValueError, "statuses"),
        ({"exceptions": (ValueError, "x")}, TypeError, "exception classes"),
    ],
)
def test_invalid_settings(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        RetryMiddleware(**kwargs)
