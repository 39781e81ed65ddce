"""``import aiohttp`` offers aiohttp 3.x's top-level names, each the object its package owns."""

from __future__ import annotations

import importlib.metadata
import types
import warnings

import pytest

import aiohttp
import aiohttp.helpers
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
#: Owners: a sibling, or "helpers" for the few small names the umbrella defines itself.
OWNERS: dict[str, types.ModuleType] = {**SIBLINGS, "helpers": aiohttp.helpers}

# aiohttp 3.12-3.14's top-level ``__all__``, without the server framework (``web``,
# its test utilities, ``GunicornWebWorker``/``GunicornUVLoopWebWorker``):
# name -> the package that owns (or will own) it.
AIOHTTP_3_NAMES: dict[str, str] = {
    "hdrs": "http",
    # client
    "AddrInfoType": "client",
    "BaseConnector": "client",
    "ClientConnectionError": "client",
    "ClientConnectionResetError": "client",
    "ClientConnectorCertificateError": "client",
    "ClientConnectorDNSError": "client",
    "ClientConnectorError": "client",
    "ClientConnectorSSLError": "client",
    "ClientError": "client",
    "ClientHandlerType": "client",
    "ClientHttpProxyError": "client",
    "ClientMiddlewareType": "client",
    "ClientOSError": "client",
    "ClientPayloadError": "client",
    "ClientProxyConnectionError": "client",
    "ClientRequest": "client",
    "ClientResponse": "client",
    "ClientResponseError": "client",
    "ClientSSLError": "client",
    "ClientSession": "client",
    "ClientTimeout": "client",
    "ClientWSTimeout": "client",
    "ClientWebSocketResponse": "client",
    "ConnectionTimeoutError": "client",
    "ContentTypeError": "client",
    "Fingerprint": "client",
    "InvalidURL": "client",
    "InvalidUrlClientError": "client",
    "InvalidUrlRedirectClientError": "client",
    "NamedPipeConnector": "client",
    "NonHttpUrlClientError": "client",
    "NonHttpUrlRedirectClientError": "client",
    "RedirectClientError": "client",
    "RequestInfo": "client",
    "ServerConnectionError": "client",
    "ServerDisconnectedError": "client",
    "ServerFingerprintMismatch": "client",
    "ServerTimeoutError": "client",
    "SocketFactoryType": "client",
    "SocketTimeoutError": "client",
    "TCPConnector": "client",
    "TooManyRedirects": "client",
    "UnixConnector": "client",
    "WSMessageTypeError": "client",
    "WSServerHandshakeError": "client",
    "request": "client",
    # client_middleware_digest_auth
    "DigestAuthMiddleware": "client",
    # cookiejar
    "CookieJar": "client",
    "DummyCookieJar": "client",
    # formdata
    "FormData": "multipart",
    # helpers, compression_utils
    "BasicAuth": "client",
    "ChainMapProxy": "helpers",
    "ETag": "helpers",
    "set_zlib_backend": "client",  # sets aiohttp_http's and aiohttp_ws's backends
    # http
    "HttpVersion": "http",
    "HttpVersion10": "http",
    "HttpVersion11": "http",
    "WSMsgType": "ws",
    "WSCloseCode": "ws",
    "WSMessage": "ws",
    "WebSocketError": "ws",
    # multipart
    "BadContentDispositionHeader": "multipart",
    "BadContentDispositionParam": "multipart",
    "BodyPartReader": "multipart",
    "MultipartReader": "multipart",
    "MultipartWriter": "multipart",
    "content_disposition_filename": "multipart",
    "parse_content_disposition": "multipart",
    # payload
    "AsyncIterablePayload": "http",
    "BufferedReaderPayload": "http",
    "BytesIOPayload": "http",
    "BytesPayload": "http",
    "IOBasePayload": "http",
    "JsonPayload": "http",
    "PAYLOAD_REGISTRY": "http",
    "Payload": "http",
    "StringIOPayload": "http",
    "StringPayload": "http",
    "TextIOPayload": "http",
    "get_payload": "http",
    "payload_type": "http",
    # payload_streamer
    "streamer": "http",
    # resolver
    "AsyncResolver": "client",
    "DefaultResolver": "client",
    "ThreadedResolver": "client",
    # streams
    "DataQueue": "http",
    "EMPTY_PAYLOAD": "http",
    "EofStream": "http",
    "FlowControlDataQueue": "http",
    "StreamReader": "http",
    # tracing
    "TraceConfig": "client",
    "TraceConnectionCreateEndParams": "client",
    "TraceConnectionCreateStartParams": "client",
    "TraceConnectionQueuedEndParams": "client",
    "TraceConnectionQueuedStartParams": "client",
    "TraceConnectionReuseconnParams": "client",
    "TraceDnsCacheHitParams": "client",
    "TraceDnsCacheMissParams": "client",
    "TraceDnsResolveHostEndParams": "client",
    "TraceDnsResolveHostStartParams": "client",
    "TraceRequestChunkSentParams": "client",
    "TraceRequestEndParams": "client",
    "TraceRequestExceptionParams": "client",
    "TraceRequestHeadersSentParams": "client",
    "TraceRequestRedirectParams": "client",
    "TraceRequestStartParams": "client",
    "TraceResponseChunkReceivedParams": "client",
}

#: Every aiohttp 3.x top-level name but the server framework is offered.
AVAILABLE = sorted(AIOHTTP_3_NAMES)


@pytest.mark.parametrize("name", AVAILABLE)
def test_name_is_the_object_its_package_exports(name: str) -> None:
    owner = OWNERS[AIOHTTP_3_NAMES[name]]
    if owner is not aiohttp.helpers:
        assert name in owner.__all__, f"{owner.__name__} does not export {name}"
    assert getattr(aiohttp, name) is getattr(owner, name)


def test_all_lists_exactly_the_available_names() -> None:
    assert set(aiohttp.__all__) == {*AVAILABLE, "__version__"}
    assert len(aiohttp.__all__) == len(set(aiohttp.__all__))


def test_star_import_gives_every_available_name_without_warnings() -> None:
    namespace: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec("from aiohttp import *", namespace)
    assert set(AVAILABLE) <= namespace.keys()


def test_version_is_the_umbrellas_own() -> None:
    assert aiohttp.__version__ == importlib.metadata.version("aiohttp")


def test_hdrs_module_path_is_aiohttp_http_hdrs() -> None:
    import aiohttp.hdrs as hdrs_module
    from aiohttp.hdrs import CONTENT_TYPE, METH_GET

    assert hdrs_module is aiohttp_http.hdrs
    assert METH_GET == "GET"
    assert CONTENT_TYPE is aiohttp_http.hdrs.CONTENT_TYPE


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = aiohttp.no_such_name  # type: ignore[attr-defined]


def test_umbrella_defined_helpers_behave_like_aiohttps() -> None:
    proxy = aiohttp.ChainMapProxy([{"a": 1}, {"a": 2, "b": 3}])
    assert proxy["a"] == 1
    assert proxy["b"] == 3
    assert list(proxy) == ["a", "b"]
    assert len(proxy) == 2
    assert "b" in proxy
    assert "c" not in proxy
    assert proxy.get("c", 0) == 0
    assert bool(proxy)
    assert not aiohttp.ChainMapProxy([{}, {}])
    assert repr(proxy) == "ChainMapProxy({'a': 1}, {'a': 2, 'b': 3})"
    with pytest.raises(KeyError):
        proxy["c"]
    with pytest.raises(TypeError, match="forbidden"):
        type("Sub", (aiohttp.ChainMapProxy,), {})
    tag = aiohttp.ETag("abc", is_weak=True)
    assert (tag.value, tag.is_weak) == ("abc", True)
    assert aiohttp.ETag("abc") == aiohttp.ETag("abc", is_weak=False)
    with pytest.raises(AttributeError):
        tag.value = "x"  # type: ignore[misc]
