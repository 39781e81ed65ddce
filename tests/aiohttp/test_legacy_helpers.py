"""The older documents' helpers, signals and WebSocket names, through the umbrella."""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any

import pytest

import aiohttp
import aiohttp_multipart
import aiohttp_ws
from aiohttp import helpers, signals

TIMEOUT_REPLACEMENT = "aiohttp.ClientTimeout"


def _timeout_class() -> Any:
    with pytest.warns(DeprecationWarning, match=TIMEOUT_REPLACEMENT):
        return helpers.Timeout


# --- aiohttp.helpers ---------------------------------------------------------------------


def test_helpers_form_data_is_aiohttp_form_data() -> None:
    with pytest.warns(DeprecationWarning, match="use aiohttp.FormData"):
        form_data = helpers.FormData
    assert form_data is aiohttp_multipart.FormData is aiohttp.FormData


def test_helpers_parse_mimetype_unpacks_like_the_older_four_tuple() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kind, subtype, suffix, params = helpers.parse_mimetype("text/html; charset=utf-8")
    assert (kind, subtype, suffix, dict(params)) == ("text", "html", "", {"charset": "utf-8"})
    assert helpers.BasicAuth is aiohttp.BasicAuth


async def test_helpers_ensure_future_is_asyncios() -> None:
    with pytest.warns(DeprecationWarning, match="asyncio.ensure_future"):
        ensure_future = helpers.ensure_future
    assert ensure_future is asyncio.ensure_future


async def test_helpers_create_future_and_noop() -> None:
    loop = asyncio.get_running_loop()
    with pytest.warns(DeprecationWarning, match=r"loop\.create_future\(\)"):
        create_future = helpers.create_future
    future = create_future(loop)
    assert isinstance(future, asyncio.Future)
    assert future.get_loop() is loop
    with pytest.warns(DeprecationWarning, match=r"asyncio\.sleep\(0\)"):
        noop = helpers.noop
    assert await noop(1, 2, key=3) is None


async def test_timeout_sync_form_raises_timeout_error_when_the_deadline_passes() -> None:
    timeout_class = _timeout_class()

    async def body() -> None:
        with timeout_class(0.01):
            await asyncio.sleep(10)

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(body(), 5)


async def test_timeout_async_form_and_expired_flag() -> None:
    timeout_class = _timeout_class()
    timer = timeout_class(0.01)
    with pytest.raises(asyncio.TimeoutError):
        async with timer:
            await asyncio.sleep(10)
    assert timer.expired
    fast = timeout_class(5)
    async with fast:
        await asyncio.sleep(0)
    assert not fast.expired


async def test_timeout_none_or_zero_means_no_timeout() -> None:
    timeout_class = _timeout_class()
    for value in (None, 0):
        with timeout_class(value) as timer:
            await asyncio.sleep(0.01)
        assert not timer.expired


async def test_timeout_lets_an_outside_cancellation_through() -> None:
    timeout_class = _timeout_class()
    entered = asyncio.Event()

    async def body() -> None:
        with timeout_class(10):
            entered.set()
            await asyncio.sleep(10)

    task = asyncio.ensure_future(body())
    await asyncio.wait_for(entered.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)


async def test_timeout_checks_its_arguments() -> None:
    timeout_class = _timeout_class()
    with pytest.raises(ValueError, match="timeout"):
        timeout_class(-1)
    timer = timeout_class(1, loop=asyncio.get_running_loop())
    with timer, pytest.raises(RuntimeError, match="twice"), timer:
        pass  # pragma: no cover


def test_timeout_outside_a_running_loop_raises() -> None:
    timeout_class = _timeout_class()
    with pytest.raises(RuntimeError), timeout_class(1):
        pass  # pragma: no cover


def test_unknown_helpers_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"'aiohttp\.helpers' has no attribute 'nope'"):
        _ = helpers.nope


# --- aiohttp.signals ---------------------------------------------------------------------

SIGNAL_REPLACEMENT = "aiosignal.Signal"


def _signal_class(name: str) -> Any:
    with pytest.warns(DeprecationWarning, match=SIGNAL_REPLACEMENT):
        return getattr(signals, name)


@pytest.mark.parametrize("name", ["BaseSignal", "DebugSignal", "PostSignal", "PreSignal", "Signal"])
def test_every_signal_name_warns_naming_the_replacement(name: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"aiohttp.signals.{name} is deprecated"):
        cls = getattr(signals, name)
    assert hasattr(cls, "freeze")
    assert hasattr(cls, "send") or name == "BaseSignal"


async def test_signal_send_awaits_receivers_in_order() -> None:
    signal = _signal_class("Signal")(None)
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    async def first(*args: Any, **kwargs: Any) -> None:
        await asyncio.sleep(0)
        calls.append(("first", args, kwargs))

    def second(*args: Any, **kwargs: Any) -> None:
        calls.append(("second", args, kwargs))

    async def third(*args: Any, **kwargs: Any) -> None:
        calls.append(("third", args, kwargs))

    signal.append(first)
    signal.extend([second, third])
    await signal.send(1, key="v")
    assert calls == [(n, (1,), {"key": "v"}) for n in ("first", "second", "third")]


async def test_signal_freeze_forbids_changes_but_not_sending() -> None:
    signal = _signal_class("Signal")(None)
    received: list[int] = []

    async def receiver(value: int) -> None:
        received.append(value)

    signal.append(receiver)
    assert not signal.frozen
    signal.freeze()
    assert signal.frozen
    for change in (
        lambda: signal.append(receiver),
        lambda: signal.insert(0, receiver),
        lambda: signal.__setitem__(0, receiver),
        lambda: signal.__delitem__(0),
        lambda: signal.remove(receiver),
    ):
        with pytest.raises(RuntimeError, match="frozen"):
            change()
    await signal.send(7)
    assert received == [7]
    assert list(signal) == [receiver]
    assert signal == [receiver]
    assert signal[0] is receiver
    assert "frozen=True" in repr(signal)


async def test_signal_of_a_debug_app_sends_pre_and_post_signals(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pre_class = _signal_class("PreSignal")
    post_class = _signal_class("PostSignal")
    signal_class = _signal_class("Signal")
    events: list[tuple[Any, ...]] = []

    class App:
        debug = True
        on_pre_signal = pre_class()
        on_post_signal = post_class()

    async def on_pre(ordinal: int, name: str, *args: Any) -> None:
        events.append(("pre", ordinal, name, args))

    async def on_post(ordinal: int, name: str, *args: Any) -> None:
        events.append(("post", ordinal, name, args))

    async def receiver(*args: Any) -> None:
        events.append(("receiver", args))

    App.on_pre_signal.append(on_pre)
    App.on_post_signal.append(on_post)
    signal = signal_class(App())
    signal.append(receiver)
    with caplog.at_level(logging.DEBUG, logger="aiohttp.signals"):
        await signal.send("x")
        await signal.send("y")
    name = f"{signal_class.__module__}:{signal_class.__qualname__}"
    assert events == [
        ("pre", 1, name, ("x",)),
        ("receiver", ("x",)),
        ("post", 1, name, ("x",)),
        ("pre", 2, name, ("y",)),
        ("receiver", ("y",)),
        ("post", 2, name, ("y",)),
    ]
    logged = [r.getMessage() for r in caplog.records if r.name == "aiohttp.signals"]
    assert logged == [
        f"PreSignal #1 {name}",
        f"PostSignal #1 {name}",
        f"PreSignal #2 {name}",
        f"PostSignal #2 {name}",
    ]


async def test_debug_signal_passes_ordinal_and_name_first() -> None:
    debug_class = _signal_class("DebugSignal")
    received: list[tuple[Any, ...]] = []

    def receiver(*args: Any, **kwargs: Any) -> None:
        received.append((*args, kwargs))

    signal = debug_class([receiver])
    await signal.send(3, "some:Signal", "a", k=1)
    assert received == [(3, "some:Signal", "a", {"k": 1})]


async def test_base_signal_takes_initial_items() -> None:
    base_class = _signal_class("BaseSignal")
    signal = base_class([print])
    assert len(signal) == 1


def test_frozen_list_is_offered_in_helpers_and_signals() -> None:
    with pytest.warns(DeprecationWarning, match="frozenlist.FrozenList"):
        from_helpers = helpers.FrozenList
    with pytest.warns(DeprecationWarning, match="frozenlist.FrozenList"):
        from_signals = signals.FrozenList
    assert from_helpers is from_signals
    items = from_helpers([1, 2])
    items[0] = 3
    assert list(items) == [3, 2]
    items.freeze()
    with pytest.raises(RuntimeError):
        items[0] = 4
    with pytest.raises(TypeError):
        hash(items)


def test_unknown_signals_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"'aiohttp\.signals' has no attribute 'nope'"):
        _ = signals.nope


# --- WebSocket names of the older documents, and other top-level aliases -------------------

CLOSE_CODES = {
    "ok": 1000,
    "going_away": 1001,
    "protocol_error": 1002,
    "unsupported_data": 1003,
    "invalid_text": 1007,
    "policy_violation": 1008,
    "message_too_big": 1009,
    "mandatory_extension": 1010,
    "internal_error": 1011,
    "service_restart": 1012,
    "try_again_later": 1013,
}


@pytest.mark.parametrize(("name", "code"), sorted(CLOSE_CODES.items()))
def test_ws_close_code_lower_case_names(name: str, code: int) -> None:
    member = getattr(aiohttp.WSCloseCode, name)
    assert member == code
    assert member is getattr(aiohttp.WSCloseCode, name.upper())


def test_ws_close_code_aliases_are_not_extra_members() -> None:
    assert len({m.value for m in aiohttp.WSCloseCode}) == len(list(aiohttp.WSCloseCode))


@pytest.mark.parametrize(
    "name", ["continuation", "text", "binary", "ping", "pong", "close", "closed", "error"]
)
def test_ws_msg_type_lower_case_names(name: str) -> None:
    assert getattr(aiohttp.WSMsgType, name) is getattr(aiohttp.WSMsgType, name.upper())


def test_ws_message_tp_warns_naming_type() -> None:
    message = aiohttp.WSMessage(aiohttp.WSMsgType.TEXT, "hi", None)
    with pytest.warns(DeprecationWarning, match=r"WSMessage\.type"):
        assert message.tp is aiohttp.WSMsgType.TEXT
    assert message.type is aiohttp.WSMsgType.TEXT
    assert aiohttp.WSMessage is aiohttp_ws.WSMessage


def test_top_level_msg_type_is_ws_msg_type() -> None:
    with pytest.warns(DeprecationWarning, match="use aiohttp.WSMsgType"):
        msg_type = aiohttp.MsgType
    assert msg_type is aiohttp_ws.WSMsgType


def test_top_level_timeout_and_signal() -> None:
    with pytest.warns(DeprecationWarning, match=TIMEOUT_REPLACEMENT) as record:
        timeout_class = aiohttp.Timeout
    assert "aiohttp.Timeout is deprecated" in str(record[0].message)
    assert timeout_class is _timeout_class()
    with pytest.warns(DeprecationWarning, match=SIGNAL_REPLACEMENT):
        signal_class = aiohttp.Signal
    assert signal_class is _signal_class("Signal")


def test_module_paths_are_attributes_without_an_import() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert aiohttp.signals is signals
        assert aiohttp.errors.__name__ == "aiohttp.errors"


@pytest.mark.parametrize(
    "lookup",
    [
        lambda: aiohttp.errors.ClientTimeoutError,
        lambda: helpers.FormData,
        lambda: signals.Signal,
        lambda: aiohttp.Timeout,
        lambda: aiohttp.get,
        lambda: aiohttp.ws_connect,
        lambda: aiohttp.ClientDisconnectedError,
    ],
    ids=[
        "errors",
        "helpers",
        "signals",
        "top-level",
        "request-function",
        "ws-connect",
        "top-level-error",
    ],
)
def test_warning_points_at_the_line_that_uses_the_name(lookup: Any) -> None:
    with pytest.warns(DeprecationWarning, match="is deprecated, use ") as record:
        lookup()
    assert len(record) == 1
    assert record[0].filename == __file__
