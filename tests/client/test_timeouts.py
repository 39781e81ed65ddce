"""ClientTimeout, ClientWSTimeout and the timers (timeout_after, TimerContext, TimeoutHandle).

No timing is asserted: timers fire after a tiny delay and the awaited sleeps
are long bounds that only matter if a timer failed to fire.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import sys

import pytest

import aiohttp_client as ac
from aiohttp_client._timeouts import _deadline
from aiohttp_http import TimerNoop

TINY = 0.001
BOUND = 5.0  # reached only if a timer is broken


def test_client_timeout_defaults_are_aiohttp_ones() -> None:
    timeout = ac.ClientTimeout()
    assert (timeout.total, timeout.connect, timeout.sock_read, timeout.sock_connect) == (None,) * 4
    assert timeout.ceil_threshold == 5
    assert (timeout.pool, timeout.write) == (None, None)
    assert ac.ClientTimeout(total=300, sock_connect=30) == ac.DEFAULT_TIMEOUT


def test_client_timeout_positional_order_is_aiohttp_one() -> None:
    assert ac.ClientTimeout(1, 2, 3, 4, 6) == ac.ClientTimeout(
        total=1, connect=2, sock_read=3, sock_connect=4, ceil_threshold=6
    )


def test_client_timeout_is_frozen_and_replaceable() -> None:
    timeout = ac.ClientTimeout(total=10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        timeout.total = 5  # type: ignore[misc]
    assert dataclasses.replace(timeout, sock_read=2) == ac.ClientTimeout(total=10, sock_read=2)
    assert hash(timeout) == hash(ac.ClientTimeout(total=10))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"total": -1}, ValueError, r"ClientTimeout.total must be >= 0"),
        ({"sock_read": math.nan}, ValueError, r"ClientTimeout.sock_read"),
        ({"connect": "10"}, TypeError, r"ClientTimeout.connect must be a number"),
        ({"write": True}, TypeError, r"ClientTimeout.write must be a number"),
        ({"pool": -0.5}, ValueError, r"ClientTimeout.pool"),
    ],
)
def test_client_timeout_rejects_invalid_values(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        ac.ClientTimeout(**kwargs)  # type: ignore[arg-type]


def test_zero_is_accepted_as_disabled() -> None:
    assert ac.ClientTimeout(total=0, sock_read=0).total == 0


def test_ws_timeout_defaults() -> None:
    assert ac.ClientWSTimeout() == ac.ClientWSTimeout(ws_receive=None, ws_close=10.0)
    assert ac.ClientWSTimeout() == ac.DEFAULT_WS_CLIENT_TIMEOUT
    with pytest.raises(ValueError, match=r"ClientWSTimeout.ws_close"):
        ac.ClientWSTimeout(ws_close=-1)


class _FakeLoop:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("now", "delay", "threshold", "expected"),
    [
        (100.2, 3.0, 5, 103.2),  # below the threshold: exact
        (100.2, 5.5, 5, 106.0),  # above: ceiled to the next second
        (100.0, 10.0, 5, 110.0),
        (100.2, 3.0, 1, 104.0),
    ],
)
def test_deadline_is_ceiled_above_the_threshold(
    now: float, delay: float, threshold: float, expected: float
) -> None:
    assert _deadline(_FakeLoop(now), delay, threshold) == pytest.approx(expected)  # type: ignore[arg-type]


# --- timeout_after -------------------------------------------------------------------


async def test_timeout_after_raises_the_given_exception_with_its_message() -> None:
    with pytest.raises(
        ac.ConnectionTimeoutError, match=r"Connection timeout to host example.com:443"
    ) as info:
        async with ac.timeout_after(
            TINY,
            exc_type=ac.ConnectionTimeoutError,
            message="Connection timeout to host example.com:443",
        ) as timer:
            await asyncio.sleep(BOUND)
    assert timer.expired
    assert isinstance(info.value.__cause__, asyncio.CancelledError)
    current = asyncio.current_task()
    assert current is not None
    if sys.version_info >= (3, 11):
        assert current.cancelling() == 0


async def test_timeout_after_defaults_to_asyncio_timeout_error() -> None:
    with pytest.raises(asyncio.TimeoutError):
        async with ac.timeout_after(TINY):
            await asyncio.sleep(BOUND)


@pytest.mark.parametrize("delay", [None, 0])
async def test_timeout_after_none_or_zero_never_fires(delay: float | None) -> None:
    async with ac.timeout_after(delay) as timer:
        await asyncio.sleep(0)
    assert not timer.expired


async def test_timeout_after_body_finishing_in_time_is_untouched() -> None:
    async with ac.timeout_after(BOUND) as timer:
        await asyncio.sleep(0)
    assert not timer.expired
    await asyncio.sleep(0)  # no stray cancellation is pending


async def test_timeout_after_lets_an_outside_cancellation_through() -> None:
    started = asyncio.Event()

    async def body() -> None:
        async with ac.timeout_after(BOUND):
            started.set()
            await asyncio.sleep(BOUND)

    task = asyncio.create_task(body())
    await asyncio.wait_for(started.wait(), BOUND)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, BOUND)


async def test_timeout_after_outside_cancel_racing_the_timer() -> None:
    entered = asyncio.Event()

    async def body() -> None:
        async with ac.timeout_after(TINY) as timer:
            entered.set()
            # Simulate the deadline and an outside cancel arriving together.
            timer._on_deadline()
            task = asyncio.current_task()
            assert task is not None
            task.cancel()
            await asyncio.sleep(BOUND)

    task = asyncio.create_task(body())
    expected: tuple[type[BaseException], ...] = (
        (asyncio.CancelledError,)
        if sys.version_info >= (3, 11)
        else (asyncio.CancelledError, asyncio.TimeoutError)
    )
    with pytest.raises(expected):
        await asyncio.wait_for(task, BOUND)
    assert entered.is_set()


async def test_nested_timeouts_only_the_expired_one_raises() -> None:
    async with ac.timeout_after(BOUND * 2) as outer:
        with pytest.raises(ac.SocketTimeoutError):
            async with ac.timeout_after(TINY, exc_type=ac.SocketTimeoutError):
                await asyncio.sleep(BOUND)
        await asyncio.sleep(0)
    assert not outer.expired


def test_timeout_after_rejects_negative_delay() -> None:
    with pytest.raises(ValueError, match="delay"):
        ac.timeout_after(-1)


# --- TimerContext and TimeoutHandle ----------------------------------------------------------


async def test_timer_context_converts_its_cancellation_into_the_exception() -> None:
    loop = asyncio.get_running_loop()
    timer = ac.TimerContext(
        loop, exc_type=ac.SocketTimeoutError, message="Timeout on reading data from socket"
    )
    loop.call_later(TINY, timer.timeout)
    with pytest.raises(ac.SocketTimeoutError, match="reading data"), timer:
        await asyncio.sleep(BOUND)
    with pytest.raises(ac.SocketTimeoutError):
        timer.assert_timeout()
    with pytest.raises(ac.SocketTimeoutError), timer:
        pass  # entering an expired timer fails at once


async def test_timer_context_without_expiry_is_transparent() -> None:
    timer = ac.TimerContext(asyncio.get_running_loop())
    with timer:
        await asyncio.sleep(0)
    timer.assert_timeout()


async def test_timer_context_lets_an_outside_cancellation_through() -> None:
    timer = ac.TimerContext(asyncio.get_running_loop())
    started = asyncio.Event()

    async def body() -> None:
        with timer:
            started.set()
            await asyncio.sleep(BOUND)

    task = asyncio.create_task(body())
    await asyncio.wait_for(started.wait(), BOUND)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, BOUND)


async def test_timeout_handle_expires_its_timers() -> None:
    loop = asyncio.get_running_loop()
    handle = ac.TimeoutHandle(
        loop, TINY, exc_type=ac.SocketTimeoutError, message="sock_read timeout"
    )
    called: list[str] = []
    handle.register(lambda: called.append("callback"))
    timer_handle = handle.start()
    assert timer_handle is not None
    with pytest.raises(ac.SocketTimeoutError, match="sock_read timeout"), handle.timer():
        await asyncio.sleep(BOUND)
    assert called == ["callback"]


@pytest.mark.parametrize("timeout", [None, 0])
async def test_timeout_handle_without_timeout_is_a_no_op(timeout: float | None) -> None:
    handle = ac.TimeoutHandle(asyncio.get_running_loop(), timeout)
    assert handle.start() is None
    assert isinstance(handle.timer(), TimerNoop)


async def test_timeout_handle_close_forgets_callbacks() -> None:
    handle = ac.TimeoutHandle(asyncio.get_running_loop(), BOUND)
    called: list[int] = []
    handle.register(lambda: called.append(1))
    handle.close()
    handle()
    assert called == []
