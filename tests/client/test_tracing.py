"""TraceConfig, Signal, the Trace*Params classes and the per-request Trace object."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp_client import (
    Trace,
    TraceConfig,
    TraceConnectionCreateEndParams,
    TraceConnectionCreateStartParams,
    TraceConnectionQueuedEndParams,
    TraceConnectionQueuedStartParams,
    TraceConnectionReuseconnParams,
    TraceDnsCacheHitParams,
    TraceDnsCacheMissParams,
    TraceDnsResolveHostEndParams,
    TraceDnsResolveHostStartParams,
    TraceRequestChunkSentParams,
    TraceRequestEndParams,
    TraceRequestExceptionParams,
    TraceRequestHeadersSentParams,
    TraceRequestRedirectParams,
    TraceRequestStartParams,
    TraceResponseChunkReceivedParams,
)
from aiohttp_client._tracing import Signal, make_traces

URL_ = URL("http://example.com/path")
HEADERS: CIMultiDict[str] = CIMultiDict({"X-Test": "1"})
RESPONSE = object()
ERROR = ValueError("boom")

# (signal name, Trace method, its arguments, params class, expected fields)
CASES: list[tuple[str, str, tuple[Any, ...], type, dict[str, Any]]] = [
    (
        "on_request_start",
        "send_request_start",
        ("GET", URL_, HEADERS),
        TraceRequestStartParams,
        {"method": "GET", "url": URL_, "headers": HEADERS},
    ),
    (
        "on_request_chunk_sent",
        "send_request_chunk_sent",
        ("POST", URL_, b"chunk"),
        TraceRequestChunkSentParams,
        {"method": "POST", "url": URL_, "chunk": b"chunk"},
    ),
    (
        "on_response_chunk_received",
        "send_response_chunk_received",
        ("GET", URL_, b"data"),
        TraceResponseChunkReceivedParams,
        {"method": "GET", "url": URL_, "chunk": b"data"},
    ),
    (
        "on_request_end",
        "send_request_end",
        ("GET", URL_, HEADERS, RESPONSE),
        TraceRequestEndParams,
        {"method": "GET", "url": URL_, "headers": HEADERS, "response": RESPONSE},
    ),
    (
        "on_request_exception",
        "send_request_exception",
        ("GET", URL_, HEADERS, ERROR),
        TraceRequestExceptionParams,
        {"method": "GET", "url": URL_, "headers": HEADERS, "exception": ERROR},
    ),
    (
        "on_request_redirect",
        "send_request_redirect",
        ("GET", URL_, HEADERS, RESPONSE),
        TraceRequestRedirectParams,
        {"method": "GET", "url": URL_, "headers": HEADERS, "response": RESPONSE},
    ),
    (
        "on_connection_queued_start",
        "send_connection_queued_start",
        (),
        TraceConnectionQueuedStartParams,
        {},
    ),
    (
        "on_connection_queued_end",
        "send_connection_queued_end",
        (),
        TraceConnectionQueuedEndParams,
        {},
    ),
    (
        "on_connection_create_start",
        "send_connection_create_start",
        (),
        TraceConnectionCreateStartParams,
        {},
    ),
    (
        "on_connection_create_end",
        "send_connection_create_end",
        (),
        TraceConnectionCreateEndParams,
        {},
    ),
    (
        "on_connection_reuseconn",
        "send_connection_reuseconn",
        (),
        TraceConnectionReuseconnParams,
        {},
    ),
    (
        "on_dns_resolvehost_start",
        "send_dns_resolvehost_start",
        ("example.com",),
        TraceDnsResolveHostStartParams,
        {"host": "example.com"},
    ),
    (
        "on_dns_resolvehost_end",
        "send_dns_resolvehost_end",
        ("example.com",),
        TraceDnsResolveHostEndParams,
        {"host": "example.com"},
    ),
    (
        "on_dns_cache_hit",
        "send_dns_cache_hit",
        ("example.com",),
        TraceDnsCacheHitParams,
        {"host": "example.com"},
    ),
    (
        "on_dns_cache_miss",
        "send_dns_cache_miss",
        ("example.com",),
        TraceDnsCacheMissParams,
        {"host": "example.com"},
    ),
    (
        "on_request_headers_sent",
        "send_request_headers",
        ("GET", URL_, HEADERS),
        TraceRequestHeadersSentParams,
        {"method": "GET", "url": URL_, "headers": HEADERS},
    ),
]


@pytest.mark.parametrize(("signal", "method", "args", "params_cls", "fields"), CASES)
async def test_each_signal_receives_session_ctx_and_its_params(
    signal: str, method: str, args: tuple[Any, ...], params_cls: type, fields: dict[str, Any]
) -> None:
    calls: list[tuple[Any, Any, Any]] = []

    async def handler(session: Any, ctx: Any, params: Any) -> None:
        calls.append((session, ctx, params))

    config = TraceConfig()
    getattr(config, signal).append(handler)
    config.freeze()
    session = object()
    ctx = config.trace_config_ctx(trace_request_ctx={"id": 7})
    trace = Trace(session, config, ctx)
    await getattr(trace, method)(*args)

    assert len(calls) == 1
    got_session, got_ctx, params = calls[0]
    assert got_session is session
    assert got_ctx is ctx
    assert got_ctx.trace_request_ctx == {"id": 7}
    assert type(params) is params_cls
    assert [f.name for f in dataclasses.fields(params_cls)] == list(fields)
    for name, value in fields.items():
        assert getattr(params, name) is value


@pytest.mark.parametrize(("signal", "method", "args", "params_cls", "fields"), CASES)
async def test_other_signals_stay_silent(
    signal: str, method: str, args: tuple[Any, ...], params_cls: type, fields: dict[str, Any]
) -> None:
    fired: list[str] = []
    config = TraceConfig()
    for other, *_ in CASES:

        async def handler(session: Any, ctx: Any, params: Any, name: str = other) -> None:
            fired.append(name)

        getattr(config, other).append(handler)
    config.freeze()
    await getattr(Trace(None, config, SimpleNamespace()), method)(*args)
    assert fired == [signal]


@pytest.mark.parametrize("params_cls", [case[3] for case in CASES])
def test_params_are_frozen(params_cls: type) -> None:
    fields = dataclasses.fields(params_cls)
    params = params_cls(*[None] * len(fields))
    assert params_cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert not hasattr(params, "__dict__")  # slots
    for field in fields:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(params, field.name, 1)


def test_trace_config_ctx_uses_the_factory_with_trace_request_ctx() -> None:
    class Ctx:
        def __init__(self, trace_request_ctx: Any = None) -> None:
            self.trace_request_ctx = trace_request_ctx

    config = TraceConfig(trace_config_ctx_factory=Ctx)
    ctx = config.trace_config_ctx(trace_request_ctx="abc")
    assert isinstance(ctx, Ctx)
    assert ctx.trace_request_ctx == "abc"
    default = TraceConfig().trace_config_ctx()
    assert isinstance(default, SimpleNamespace)
    assert default.trace_request_ctx is None


def test_trace_config_refuses_a_non_callable_factory() -> None:
    with pytest.raises(TypeError, match="callable"):
        TraceConfig(trace_config_ctx_factory=42)  # type: ignore[arg-type]


async def test_handlers_run_in_order_and_share_the_request_context() -> None:
    order: list[str] = []

    async def first(session: Any, ctx: Any, params: Any) -> None:
        ctx.started = True
        order.append("first")

    async def second(session: Any, ctx: Any, params: Any) -> None:
        assert ctx.started
        order.append("second")

    config = TraceConfig()
    config.on_request_start.extend([first, second])
    config.freeze()
    [trace] = make_traces("session", [config], trace_request_ctx=None)
    await trace.send_request_start("GET", URL_, HEADERS)
    assert order == ["first", "second"]


async def test_make_traces_gives_a_fresh_context_per_request_and_config() -> None:
    config_a, config_b = TraceConfig(), TraceConfig()
    config_a.freeze()
    config_b.freeze()
    first = make_traces("s", [config_a, config_b], trace_request_ctx=1)
    second = make_traces("s", [config_a, config_b], trace_request_ctx=2)
    assert len(first) == 2
    assert first[0].trace_config_ctx is not second[0].trace_config_ctx
    assert first[0].trace_config_ctx is not first[1].trace_config_ctx
    assert second[1].trace_config_ctx.trace_request_ctx == 2


def test_make_traces_refuses_an_unfrozen_config() -> None:
    with pytest.raises(RuntimeError, match="frozen"):
        make_traces("s", [TraceConfig()])


async def test_a_handler_exception_propagates() -> None:
    async def failing(session: Any, ctx: Any, params: Any) -> None:
        raise KeyError("handler")

    config = TraceConfig()
    config.on_dns_cache_hit.append(failing)
    config.freeze()
    with pytest.raises(KeyError, match="handler"):
        await Trace(None, config, SimpleNamespace()).send_dns_cache_hit("h")


def test_freeze_makes_every_signal_read_only() -> None:
    async def handler(*args: Any) -> None:
        return None

    config = TraceConfig()
    config.freeze()
    assert config.frozen
    for name, *_ in CASES:
        signal = getattr(config, name)
        assert signal.frozen
        with pytest.raises(RuntimeError, match="frozen"):
            signal.append(handler)


async def test_signal_is_a_mutable_list_until_frozen() -> None:
    received: list[int] = []

    async def one(value: int) -> None:
        received.append(value)

    async def two(value: int) -> None:
        received.append(value * 10)

    signal = Signal(owner="me")
    signal.append(one)
    signal.insert(0, two)
    assert list(signal) == [two, one]
    assert len(signal) == 2
    assert signal[0] is two
    del signal[0]
    signal[0] = two
    assert signal == [two]
    with pytest.raises(RuntimeError, match="not frozen"):
        await signal.send(1)
    signal.freeze()
    await signal.send(3)
    assert received == [30]
    mutations: list[Callable[[], object]] = [
        lambda: signal.append(one),
        lambda: signal.__setitem__(0, one),
        lambda: signal.__delitem__(0),
        signal.clear,
    ]
    for mutate in mutations:
        with pytest.raises(RuntimeError):
            mutate()
    assert "me" in repr(signal)
