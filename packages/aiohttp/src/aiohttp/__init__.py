"""aiohttp: the umbrella over aiohttp-http, aiohttp-ws, aiohttp-multipart and aiohttp-client.

``import aiohttp`` offers aiohttp 3.x's client API and module paths; the
implementation lives in the four packages it depends on, and every name here
is the very object the owning package exports. ``python -m aiohttp`` prints
the installed distributions and their dependency graph.

The older documents' names (``aiohttp.get()``, ``aiohttp.ws_connect()``, ``aiohttp.Timeout``,
``aiohttp.MsgType``, ``aiohttp.ProxyConnector``, ``aiohttp.MultiDict``/``upstr``, the
``aiohttp.errors`` exception names, ...) are served
lazily and warn with a :class:`DeprecationWarning` naming their replacement.
"""

from __future__ import annotations

__version__ = "1.0.0"

import importlib
import sys
import warnings
from typing import Any

import aiohttp_http as _aiohttp_http
from aiohttp_client import (
    AddrInfoType,
    AsyncResolver,
    BaseConnector,
    BasicAuth,
    ClientConnectionError,
    ClientConnectionResetError,
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientError,
    ClientHandlerType,
    ClientHttpProxyError,
    ClientMiddlewareType,
    ClientOSError,
    ClientPayloadError,
    ClientProxyConnectionError,
    ClientRequest,
    ClientResponse,
    ClientResponseError,
    ClientSession,
    ClientSSLError,
    ClientTimeout,
    ClientWebSocketResponse,
    ClientWSTimeout,
    ConnectionTimeoutError,
    ContentTypeError,
    CookieJar,
    DefaultResolver,
    DigestAuthMiddleware,
    DummyCookieJar,
    Fingerprint,
    InvalidURL,
    InvalidUrlClientError,
    InvalidUrlRedirectClientError,
    NamedPipeConnector,
    NonHttpUrlClientError,
    NonHttpUrlRedirectClientError,
    RedirectClientError,
    RequestInfo,
    ServerConnectionError,
    ServerDisconnectedError,
    ServerFingerprintMismatch,
    ServerTimeoutError,
    SocketFactoryType,
    SocketTimeoutError,
    TCPConnector,
    ThreadedResolver,
    TooManyRedirects,
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
    UnixConnector,
    WSMessageTypeError,
    WSServerHandshakeError,
    request,
    set_zlib_backend,
)
from aiohttp_http import (
    EMPTY_PAYLOAD,
    PAYLOAD_REGISTRY,
    AsyncIterablePayload,
    BufferedReaderPayload,
    BytesIOPayload,
    BytesPayload,
    DataQueue,
    EofStream,
    FlowControlDataQueue,
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    IOBasePayload,
    JsonPayload,
    Payload,
    StreamReader,
    StringIOPayload,
    StringPayload,
    TextIOPayload,
    get_payload,
    hdrs,
    payload_type,
    streamer,
)
from aiohttp_multipart import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    BodyPartReader,
    FormData,
    MultipartReader,
    MultipartWriter,
    content_disposition_filename,
    parse_content_disposition,
)
from aiohttp_ws import WebSocketError, WSCloseCode, WSMessage, WSMsgType

from . import _legacy, _legacy_connector, _legacy_requests, _legacy_ws, _signals, errors
from ._deprecation import warn_deprecated
from .helpers import ChainMapProxy, ETag

# ``import aiohttp.hdrs`` gives aiohttp-http's hdrs module itself.
sys.modules.setdefault(f"{__name__}.hdrs", hdrs)

__all__ = [  # noqa: RUF022 - grouped by aiohttp's module, as aiohttp lists them
    "__version__",
    "hdrs",
    # client
    "AddrInfoType",
    "BaseConnector",
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientConnectorCertificateError",
    "ClientConnectorDNSError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHandlerType",
    "ClientHttpProxyError",
    "ClientMiddlewareType",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientRequest",
    "ClientResponse",
    "ClientResponseError",
    "ClientSSLError",
    "ClientSession",
    "ClientTimeout",
    "ClientWSTimeout",
    "ClientWebSocketResponse",
    "ConnectionTimeoutError",
    "ContentTypeError",
    "Fingerprint",
    "InvalidURL",
    "InvalidUrlClientError",
    "InvalidUrlRedirectClientError",
    "NamedPipeConnector",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "RedirectClientError",
    "RequestInfo",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketFactoryType",
    "SocketTimeoutError",
    "TCPConnector",
    "TooManyRedirects",
    "UnixConnector",
    "WSMessageTypeError",
    "WSServerHandshakeError",
    "request",
    # client middlewares
    "DigestAuthMiddleware",
    # cookiejar
    "CookieJar",
    "DummyCookieJar",
    # formdata
    "FormData",
    # helpers, compression_utils
    "BasicAuth",
    "ChainMapProxy",
    "ETag",
    "set_zlib_backend",
    # http
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    "WebSocketError",
    # multipart
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BodyPartReader",
    "MultipartReader",
    "MultipartWriter",
    "content_disposition_filename",
    "parse_content_disposition",
    # payload
    "PAYLOAD_REGISTRY",
    "AsyncIterablePayload",
    "BufferedReaderPayload",
    "BytesIOPayload",
    "BytesPayload",
    "IOBasePayload",
    "JsonPayload",
    "Payload",
    "StringIOPayload",
    "StringPayload",
    "TextIOPayload",
    "get_payload",
    "payload_type",
    # payload_streamer
    "streamer",
    # resolver
    "AsyncResolver",
    "DefaultResolver",
    "ThreadedResolver",
    # streams
    "EMPTY_PAYLOAD",
    "DataQueue",
    "EofStream",
    "FlowControlDataQueue",
    "StreamReader",
    # tracing
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

#: aiohttp's module paths, imported on first attribute access (``aiohttp.errors``).
_SUBMODULES = frozenset(
    {
        "abc",
        "base_protocol",
        "client",
        "client_exceptions",
        "client_proto",
        "client_reqrep",
        "client_ws",
        "connector",
        "cookiejar",
        "errors",
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
        "signals",
        "streams",
        "tracing",
        "typedefs",
    }
)

_LEGACY_REQUESTS = ("get", "options", "head", "delete", "post", "put", "patch")
#: The multidict names the older releases exported (``upstr`` is today's ``istr``).
_LEGACY_MULTIDICT = {
    "MultiDict": "MultiDict",
    "MultiDictProxy": "MultiDictProxy",
    "CIMultiDict": "CIMultiDict",
    "CIMultiDictProxy": "CIMultiDictProxy",
    "upstr": "istr",
}


def _legacy_alias(name: str) -> tuple[Any, str] | None:
    """The object and replacement of an older top-level name, or ``None``."""
    if name in _LEGACY_REQUESTS:
        return getattr(_legacy_requests, name), f"aiohttp.ClientSession.{name}()"
    if name == "ws_connect":
        return _legacy_ws.legacy_ws_connect, "aiohttp.ClientSession.ws_connect()"
    if name == "Timeout":
        return _legacy.Timeout, "aiohttp.ClientTimeout (or asyncio.timeout() on Python 3.11+)"
    if name == "MsgType":
        return WSMsgType, "aiohttp.WSMsgType"
    if name == "Signal":
        return _signals.Signal, "aiosignal.Signal (a frozen list of async callbacks)"
    if name == "ProxyConnector":
        return _legacy_connector.ProxyConnector, _legacy_connector.REPLACEMENT
    if name in _LEGACY_MULTIDICT:
        modern = _LEGACY_MULTIDICT[name]
        return getattr(_aiohttp_http, modern), f"multidict.{modern}"
    # The older releases exported every name of aiohttp.errors at the top level.
    if name in errors.__all__:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            error = getattr(errors, name)
        replacement = errors._ERRORS[name][2]
        return error, replacement
    return None


def __getattr__(name: str) -> Any:
    """Import aiohttp's module paths lazily; serve the older names with a warning."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    legacy = _legacy_alias(name)
    if legacy is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value, replacement = legacy
    warn_deprecated(f"aiohttp.{name}", replacement)
    return value
