"""aiohttp 3.x's module paths: each importable, each offering the names aiohttp documents there."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import sys
import types
import typing
import warnings
from http.server import BaseHTTPRequestHandler

import pytest

import aiohttp
import aiohttp_client
import aiohttp_http
import aiohttp_multipart
import aiohttp_ws

SIBLINGS: dict[str, types.ModuleType] = {
    "client": aiohttp_client,
    "http": aiohttp_http,
    "multipart": aiohttp_multipart,
    "ws": aiohttp_ws,
}
HERE = "here"  # defined by the umbrella module itself (checked by the value tests below)

_CLIENT_EXCEPTIONS = [
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientConnectorCertificateError",
    "ClientConnectorDNSError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHttpProxyError",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientResponseError",
    "ClientSSLError",
    "ConnectionTimeoutError",
    "ContentTypeError",
    "InvalidURL",
    "InvalidUrlClientError",
    "InvalidUrlRedirectClientError",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "RedirectClientError",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketTimeoutError",
    "TooManyRedirects",
    "UnixClientConnectorError",
    "WSMessageTypeError",
    "WSServerHandshakeError",
]
_TRACE_NAMES = [
    "Trace",
    "TraceConfig",
    "TraceConnectionCreateEndParams",
    "TraceConnectionCreateStartParams",
    "TraceConnectionQueuedEndParams",
    "TraceConnectionQueuedStartParams",
    "TraceConnectionReuseconnParams",
    "TraceDnsCacheHitParams",
    "TraceDnsCacheMissParams",
    "TraceDnsResolveHostEndParams",
    "TraceDnsResolveHostStartParams",
    "TraceRequestChunkSentParams",
    "TraceRequestEndParams",
    "TraceRequestExceptionParams",
    "TraceRequestHeadersSentParams",
    "TraceRequestRedirectParams",
    "TraceRequestStartParams",
    "TraceResponseChunkReceivedParams",
]
_WS_PROTOCOL = [
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "WS_KEY",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    "WebSocketError",
    "WebSocketReader",
    "WebSocketWriter",
    "ws_ext_gen",
    "ws_ext_parse",
]


def _from(owner: str, *names: str) -> dict[str, tuple[str, str]]:
    return {name: (owner, name) for name in names}


# module -> {name offered there: (owner, the owner's name for it)}
MODULES: dict[str, dict[str, tuple[str, str]]] = {
    "aiohttp.abc": {
        **_from("client", "AbstractCookieJar", "AbstractResolver", "ClearCookiePredicate"),
        **_from("client", "ResolveResult"),
        **_from("http", "AbstractStreamWriter"),
    },
    "aiohttp.base_protocol": _from("http", "BaseProtocol"),
    "aiohttp.client": _from(
        "client",
        *[n for n in _CLIENT_EXCEPTIONS if n != "UnixClientConnectorError"],
        "BaseConnector",
        "ClientRequest",
        "ClientResponse",
        "ClientSession",
        "ClientTimeout",
        "ClientWSTimeout",
        "ClientWebSocketResponse",
        "Fingerprint",
        "NamedPipeConnector",
        "RequestInfo",
        "TCPConnector",
        "UnixConnector",
        "request",
    ),
    "aiohttp.client_exceptions": _from("client", *_CLIENT_EXCEPTIONS),
    "aiohttp.client_proto": _from("client", "ResponseHandler"),
    "aiohttp.client_reqrep": _from(
        "client",
        "ClientRequest",
        "ClientResponse",
        "ConnectionKey",
        "ContentDisposition",
        "Fingerprint",
        "RequestInfo",
    ),
    "aiohttp.client_ws": _from(
        "client", "ClientWSTimeout", "ClientWebSocketResponse", "DEFAULT_WS_CLIENT_TIMEOUT"
    ),
    "aiohttp.connector": _from(
        "client",
        "AddrInfoType",
        "BaseConnector",
        "Connection",
        "NamedPipeConnector",
        "SocketFactoryType",
        "TCPConnector",
        "UnixConnector",
    ),
    "aiohttp.cookiejar": _from("client", "CookieJar", "DummyCookieJar"),
    "aiohttp.formdata": _from("multipart", "FormData"),
    "aiohttp.helpers": {
        **_from(
            "client",
            "BasicAuth",
            "ProxyInfo",
            "TimeoutHandle",
            "TimerContext",
            "basicauth_from_netrc",
            "ceil_timeout",
            "get_env_proxy_for_url",
            "is_ip_address",
            "netrc_from_env",
            "proxies_from_env",
            "strip_auth_from_url",
        ),
        **_from(
            "http",
            "BaseTimerContext",
            "MimeType",
            "TimerNoop",
            "content_disposition_header",
            "guess_filename",
            "parse_mimetype",
        ),
        **_from(HERE, "ChainMapProxy", "DEBUG", "ETAG_ANY", "ETag", "reify"),
    },
    "aiohttp.http": {
        **_from(
            "http",
            "HttpProcessingError",
            "HttpRequestParser",
            "HttpResponseParser",
            "HttpVersion",
            "HttpVersion10",
            "HttpVersion11",
            "RawRequestMessage",
            "RawResponseMessage",
            "StreamWriter",
        ),
        **_from("ws", *_WS_PROTOCOL),
        **_from(HERE, "RESPONSES", "SERVER_SOFTWARE"),
    },
    "aiohttp.http_exceptions": _from(
        "http",
        "BadHttpMessage",
        "BadHttpMethod",
        "BadStatusLine",
        "ContentEncodingError",
        "ContentLengthError",
        "DecompressSizeError",
        "HttpBadRequest",
        "HttpProcessingError",
        "InvalidHeader",
        "InvalidURLError",
        "LineTooLong",
        "PayloadEncodingError",
        "TransferEncodingError",
    ),
    "aiohttp.http_parser": {
        **_from(
            "http",
            "Data",
            "EndOfMessage",
            "HttpRequestParser",
            "HttpResponseParser",
            "RawRequestMessage",
            "RawResponseMessage",
            "Upgraded",
        ),
        "HttpRequestParserPy": ("http", "HttpRequestParser"),
        "HttpResponseParserPy": ("http", "HttpResponseParser"),
    },
    "aiohttp.http_websocket": _from("ws", *_WS_PROTOCOL, "WSHandshakeError"),
    "aiohttp.http_writer": _from(
        "http", "HttpVersion", "HttpVersion10", "HttpVersion11", "StreamWriter"
    ),
    "aiohttp.multipart": _from(
        "multipart",
        "BadContentDispositionHeader",
        "BadContentDispositionParam",
        "BodyPartReader",
        "BodyPartWriter",
        "MultipartReader",
        "MultipartResponseWrapper",
        "MultipartWriter",
        "content_disposition_filename",
        "parse_content_disposition",
    ),
    "aiohttp.payload": {
        **_from(
            "http",
            "PAYLOAD_REGISTRY",
            "AsyncIterablePayload",
            "BufferedReaderPayload",
            "BytesIOPayload",
            "BytesPayload",
            "IOBasePayload",
            "JsonPayload",
            "Order",
            "Payload",
            "PayloadRegistry",
            "StringIOPayload",
            "StringPayload",
            "TextIOPayload",
            "get_payload",
            "payload_type",
            "register_payload",
        ),
        "LookupError": ("http", "PayloadLookupError"),
    },
    "aiohttp.payload_streamer": _from("http", "StreamWrapperPayload", "streamer"),
    "aiohttp.resolver": _from("client", "AsyncResolver", "DefaultResolver", "ThreadedResolver"),
    "aiohttp.streams": _from(
        "http",
        "EMPTY_PAYLOAD",
        "AsyncStreamIterator",
        "ChunkTupleAsyncStreamIterator",
        "DataQueue",
        "EmptyStreamReader",
        "EofStream",
        "FlowControlDataQueue",
        "StreamReader",
    ),
    "aiohttp.tracing": _from("client", *_TRACE_NAMES),
    "aiohttp.typedefs": {
        **_from(
            "client",
            "LooseCookies",
            "LooseCookiesIterables",
            "LooseCookiesMappings",
            "LooseHeaders",
            "StrOrURL",
        ),
        **_from("http", "RawHeaders"),
        **_from(
            HERE,
            "DEFAULT_JSON_DECODER",
            "DEFAULT_JSON_ENCODER",
            "Byteish",
            "JSONDecoder",
            "JSONEncoder",
            "PathLike",
        ),
    },
}

#: Names aiohttp 3.x documents in a module that no sibling exports, per module: the
#: internals of aiohttp's own parser (its callback-driven ``HttpParser`` with the
#: ``HeadersParser``/``HttpPayloadParser``/``DeflateBuffer`` pieces, and the
#: ``AsyncStreamReaderMixin`` base of its ``StreamReader``) have no counterpart in the
#: sans-IO, event-based aiohttp-http, whose ``StreamReader`` has the iterators itself.
#: When a sibling starts exporting one, the test below fails: offer it and drop it here.
PENDING: dict[str, frozenset[str]] = {
    "aiohttp.http": frozenset({"HeadersParser", "HttpParser"}),
    "aiohttp.http_parser": frozenset(
        {"DeflateBuffer", "HeadersParser", "HttpParser", "HttpPayloadParser"}
    ),
    "aiohttp.streams": frozenset({"AsyncStreamReaderMixin"}),
}
#: Module paths with nothing to offer until a sibling exports their names.
PENDING_MODULES: frozenset[str] = frozenset()

_CASES = [(module, name) for module, names in MODULES.items() for name in sorted(names)]
_PENDING_CASES = [(module, name) for module, names in PENDING.items() for name in sorted(names)]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_imports_and_is_an_attribute_of_aiohttp(module: str) -> None:
    imported = importlib.import_module(module)
    assert getattr(aiohttp, module.rpartition(".")[2]) is imported
    assert imported.__doc__


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_all_lists_exactly_the_documented_names(module: str) -> None:
    imported = importlib.import_module(module)
    assert sorted(imported.__all__) == sorted(MODULES[module])


@pytest.mark.parametrize(("module", "name"), _CASES)
def test_name_is_the_object_its_package_exports(module: str, name: str) -> None:
    owner, owner_name = MODULES[module][name]
    value = getattr(importlib.import_module(module), name)
    if owner == HERE:
        assert value is not None
        return
    sibling = SIBLINGS[owner]
    assert owner_name in sibling.__all__
    assert value is getattr(sibling, owner_name)


@pytest.mark.parametrize(("module", "name"), _PENDING_CASES)
def test_pending_name_is_exported_nowhere_yet(module: str, name: str) -> None:
    for sibling in SIBLINGS.values():
        assert name not in sibling.__all__, (
            f"{sibling.__name__} now exports {name}: offer it in {module} and drop it from PENDING"
        )
        assert not hasattr(sibling, name)
    if module in PENDING_MODULES:
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(module)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert not hasattr(importlib.import_module(module), name)


def test_every_aiohttp_module_path_of_the_brief_is_covered() -> None:
    wanted = {
        "client",
        "client_exceptions",
        "client_proto",
        "client_reqrep",
        "client_ws",
        "connector",
        "cookiejar",
        "formdata",
        "helpers",
        "http",
        "http_exceptions",
        "http_parser",
        "http_websocket",
        "http_writer",
        "multipart",
        "payload",
        "payload_streamer",
        "resolver",
        "streams",
        "tracing",
        "typedefs",
        "abc",
        "base_protocol",
    }
    assert {f"aiohttp.{m}" for m in wanted} <= set(MODULES)
    assert "aiohttp.hdrs" in sys.modules


def test_http_defines_responses_and_server_software() -> None:
    from aiohttp.http import RESPONSES, SERVER_SOFTWARE

    assert RESPONSES[404] == BaseHTTPRequestHandler.responses[404]
    assert RESPONSES[200][0] == "OK"
    major, minor = sys.version_info[:2]
    assert f"Python/{major}.{minor} aiohttp/{aiohttp.__version__}" == SERVER_SOFTWARE


def test_typedefs_json_defaults_are_the_standard_library_codecs() -> None:
    from aiohttp import typedefs

    assert typedefs.DEFAULT_JSON_ENCODER is json.dumps
    assert typedefs.DEFAULT_JSON_DECODER is json.loads
    assert typing.get_args(typedefs.PathLike) == (str, os.PathLike[str])
    assert typing.get_args(typedefs.Byteish) == (bytes, bytearray, memoryview)


def test_helpers_constants() -> None:
    from aiohttp import helpers

    assert helpers.ETAG_ANY == "*"
    assert isinstance(helpers.DEBUG, bool)
    assert (
        sys.flags.dev_mode
        or (not sys.flags.ignore_environment and bool(os.environ.get("PYTHONASYNCIODEBUG")))
    ) == helpers.DEBUG


def test_payload_lookup_error_is_what_get_payload_raises() -> None:
    from aiohttp import payload

    with pytest.raises(payload.LookupError):
        payload.get_payload(object())
    assert issubclass(payload.LookupError, LookupError)


def test_http_parser_py_aliases_parse_like_aiohttp_http() -> None:
    from aiohttp.http_parser import Data, HttpResponseParserPy, RawResponseMessage

    parser = HttpResponseParserPy()
    events = parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
    assert isinstance(events[0], RawResponseMessage)
    assert events[0].code == 200
    assert [e.data for e in events if isinstance(e, Data)] == [b"hi"]


def test_http_websocket_key_and_extension_helpers() -> None:
    from aiohttp.http_websocket import WS_KEY, ws_ext_gen, ws_ext_parse

    assert WS_KEY == b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    header = ws_ext_gen(compress=15, isserver=False)
    assert "permessage-deflate" in header
    assert ws_ext_parse("permessage-deflate", isserver=True)[0] == 15


def test_helpers_reify_computes_once_and_is_read_only() -> None:
    from aiohttp.helpers import reify

    class Thing:
        __slots__ = ("_cache", "calls")

        def __init__(self) -> None:
            self._cache: dict[str, object] = {}
            self.calls = 0

        @reify
        def answer(self) -> int:
            """The answer, computed once."""
            self.calls += 1
            return 42

    thing = Thing()
    assert (thing.answer, thing.answer, thing.calls) == (42, 42, 1)
    assert thing._cache == {"answer": 42}
    assert isinstance(Thing.__dict__["answer"], reify)
    assert Thing.answer.__doc__ == "The answer, computed once."  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="read-only"):
        thing.answer = 1  # type: ignore[misc]


def test_client_proto_response_handler_is_the_connection_protocol() -> None:
    from aiohttp.client_proto import ResponseHandler

    assert issubclass(ResponseHandler, asyncio.BaseProtocol)
