"""aiohttp-client: aiohttp's HTTP and WebSocket client as a standalone package.

This release provides the foundations the session builds on: the client
exception hierarchy, :class:`RequestInfo` and :class:`ConnectionKey`, the
RFC 6265 :class:`CookieJar`, :class:`BasicAuth` and ``.netrc`` lookup,
:class:`ClientTimeout` and its timers, the resolvers and the DNS cache, and
:class:`Fingerprint` certificate pinning.
"""

from __future__ import annotations

__version__ = "1.0.0"

from ._abc import AbstractCookieJar, AbstractResolver, ClearCookiePredicate, ResolveResult
from ._auth import BasicAuth, strip_auth_from_url
from ._cookie_parsing import is_ip_address, parse_cookie_date, parse_set_cookie
from ._cookiejar import (
    DEFAULT_MAX_COOKIE_SIZE,
    DEFAULT_MAX_COOKIES,
    DEFAULT_MAX_COOKIES_PER_DOMAIN,
    CookieJar,
    DummyCookieJar,
)
from ._exceptions import (
    ClientConnectionError,
    ClientConnectionResetError,
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientError,
    ClientHttpProxyError,
    ClientOSError,
    ClientPayloadError,
    ClientProxyConnectionError,
    ClientResponseError,
    ClientSSLError,
    ConnectionTimeoutError,
    ContentTypeError,
    InvalidURL,
    InvalidUrlClientError,
    InvalidUrlRedirectClientError,
    NonHttpUrlClientError,
    NonHttpUrlRedirectClientError,
    RedirectClientError,
    ServerConnectionError,
    ServerDisconnectedError,
    ServerFingerprintMismatch,
    ServerTimeoutError,
    SocketTimeoutError,
    TooManyRedirects,
    UnixClientConnectorError,
    WSMessageTypeError,
    WSServerHandshakeError,
)
from ._fingerprint import Fingerprint
from ._netrc import basicauth_from_netrc, get_netrc_auth, netrc_from_env
from ._reqinfo import ConnectionKey, RequestInfo
from ._resolver import (
    DEFAULT_DNS_CACHE_MAX_ENTRIES,
    AsyncResolver,
    DefaultResolver,
    DNSCacheTable,
    ThreadedResolver,
)
from ._timeouts import (
    DEFAULT_TIMEOUT,
    DEFAULT_WS_CLIENT_TIMEOUT,
    ClientTimeout,
    ClientWSTimeout,
    TimeoutAfter,
    TimeoutHandle,
    TimerContext,
    ceil_timeout,
    timeout_after,
)
from ._typedefs import (
    AddrInfoType,
    LooseCookies,
    LooseCookiesIterables,
    LooseCookiesMappings,
    LooseHeaders,
    SocketFactoryType,
    StrOrURL,
)

# --- sessions, requests, responses, connectors -------------------------------
# isort: split
from ._client import request
from ._client_proto import ResponseHandler
from ._compression import set_zlib_backend
from ._connection import Connection
from ._connector import (
    DEFAULT_KEEPALIVE_TIMEOUT,
    DEFAULT_LIMIT,
    BaseConnector,
    SupportsDefaultProxy,
)
from ._pipe_connector import NamedPipeConnector
from ._redirects import DEFAULT_MAX_REDIRECTS
from ._request import DEFAULT_EXPECT100_TIMEOUT, ClientRequest
from ._response import ClientResponse, ContentDisposition
from ._session import DEFAULT_READ_BUFSIZE, ClientSession
from ._tcp_connector import TCPConnector, UnixConnector

# --- WebSocket: the shared connection, the server side, ws_connect -----------
# isort: split
from ._server_websocket import WebSocketReady, WebSocketResponse
from ._websocket import DEFAULT_WS_QUEUE_LIMIT, WebSocketConnection
from ._ws_connect import ClientWebSocketResponse, ws_connect

# --- tracing, proxies from the environment, SOCKS, middlewares ---------------
# isort: split
from ._digest_auth import (
    DigestAuthError,
    DigestAuthMiddleware,
    DigestChallenge,
    digest_authorization,
    parse_digest_challenge,
    parse_www_authenticate,
)
from ._middlewares import ClientHandlerType, ClientMiddlewareType, build_client_middlewares
from ._proxy_env import (
    PROXY_SCHEMES,
    ProxyInfo,
    get_env_proxy_for_url,
    proxies_from_env,
    should_bypass_proxy,
)
from ._retry import (
    DEFAULT_RETRY_ATTEMPTS,
    DEFAULT_RETRY_EXCEPTIONS,
    DEFAULT_RETRY_METHODS,
    DEFAULT_RETRY_STATUSES,
    RetryMiddleware,
    parse_retry_after,
)
from ._socks import (
    Socks4Handshake,
    Socks4IdentdMismatchError,
    Socks4IdentdUnreachableError,
    Socks4RejectedError,
    Socks5AddressTypeNotSupportedError,
    Socks5CommandNotSupportedError,
    Socks5ConnectionNotAllowedError,
    Socks5ConnectionRefusedError,
    Socks5GeneralFailureError,
    Socks5Handshake,
    Socks5HostUnreachableError,
    Socks5NetworkUnreachableError,
    Socks5TTLExpiredError,
    SocksAuthenticationError,
    SocksError,
    SocksProtocolError,
    SocksReplyError,
    SocksTimeoutError,
)
from ._socks_connect import (
    DEFAULT_SOCKS_TIMEOUT,
    create_socks_connection,
    open_socks_connection,
)
from ._tracing import (
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

__all__ = [
    "DEFAULT_DNS_CACHE_MAX_ENTRIES",
    # sessions, requests, responses, connectors:
    "DEFAULT_EXPECT100_TIMEOUT",
    "DEFAULT_KEEPALIVE_TIMEOUT",
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_COOKIES",
    "DEFAULT_MAX_COOKIES_PER_DOMAIN",
    "DEFAULT_MAX_COOKIE_SIZE",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_READ_BUFSIZE",
    "DEFAULT_RETRY_ATTEMPTS",
    "DEFAULT_RETRY_EXCEPTIONS",
    "DEFAULT_RETRY_METHODS",
    "DEFAULT_RETRY_STATUSES",
    "DEFAULT_SOCKS_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WS_CLIENT_TIMEOUT",
    "DEFAULT_WS_QUEUE_LIMIT",
    "PROXY_SCHEMES",
    "AbstractCookieJar",
    "AbstractResolver",
    "AddrInfoType",
    "AsyncResolver",
    "BaseConnector",
    "BasicAuth",
    "ClearCookiePredicate",
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
    "Connection",
    "ConnectionKey",
    "ConnectionTimeoutError",
    "ContentDisposition",
    "ContentTypeError",
    "CookieJar",
    "DNSCacheTable",
    "DefaultResolver",
    "DigestAuthError",
    "DigestAuthMiddleware",
    "DigestChallenge",
    "DummyCookieJar",
    "Fingerprint",
    "InvalidURL",
    "InvalidUrlClientError",
    "InvalidUrlRedirectClientError",
    "LooseCookies",
    "LooseCookiesIterables",
    "LooseCookiesMappings",
    "LooseHeaders",
    "NamedPipeConnector",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "ProxyInfo",
    "RedirectClientError",
    "RequestInfo",
    "ResolveResult",
    "ResponseHandler",
    "RetryMiddleware",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketFactoryType",
    "SocketTimeoutError",
    "Socks4Handshake",
    "Socks4IdentdMismatchError",
    "Socks4IdentdUnreachableError",
    "Socks4RejectedError",
    "Socks5AddressTypeNotSupportedError",
    "Socks5CommandNotSupportedError",
    "Socks5ConnectionNotAllowedError",
    "Socks5ConnectionRefusedError",
    "Socks5GeneralFailureError",
    "Socks5Handshake",
    "Socks5HostUnreachableError",
    "Socks5NetworkUnreachableError",
    "Socks5TTLExpiredError",
    "SocksAuthenticationError",
    "SocksError",
    "SocksProtocolError",
    "SocksReplyError",
    "SocksTimeoutError",
    "StrOrURL",
    "SupportsDefaultProxy",
    "TCPConnector",
    "ThreadedResolver",
    "TimeoutAfter",
    "TimeoutHandle",
    "TimerContext",
    "TooManyRedirects",
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
    "UnixClientConnectorError",
    "UnixConnector",
    "WSMessageTypeError",
    "WSServerHandshakeError",
    "WebSocketConnection",
    "WebSocketReady",
    "WebSocketResponse",
    "__version__",
    "basicauth_from_netrc",
    "build_client_middlewares",
    "ceil_timeout",
    "create_socks_connection",
    "digest_authorization",
    "get_env_proxy_for_url",
    "get_netrc_auth",
    "is_ip_address",
    "netrc_from_env",
    "open_socks_connection",
    "parse_cookie_date",
    "parse_digest_challenge",
    "parse_retry_after",
    "parse_set_cookie",
    "parse_www_authenticate",
    "proxies_from_env",
    "request",
    "set_zlib_backend",
    "should_bypass_proxy",
    "strip_auth_from_url",
    "timeout_after",
    "ws_connect",
]
