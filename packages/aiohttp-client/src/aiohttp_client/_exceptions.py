"""The client exception hierarchy (aiohttp 3.x's ``aiohttp.client_exceptions``).

::

    ClientError(Exception)
    ├── ClientResponseError                      the server answered, but not as hoped
    │   ├── ContentTypeError                     json() on a response of another type
    │   ├── WSServerHandshakeError               WebSocket upgrade refused
    │   ├── ClientHttpProxyError                 the proxy refused CONNECT
    │   └── TooManyRedirects
    ├── ClientConnectionError                    low-level connection problems
    │   ├── ClientOSError(+OSError)
    │   │   └── ClientConnectorError             could not connect to host:port
    │   │       ├── ClientConnectorDNSError      the host name did not resolve
    │   │       ├── ClientProxyConnectionError
    │   │       ├── UnixClientConnectorError     could not connect to a unix socket
    │   │       └── ClientSSLError
    │   │           ├── ClientConnectorSSLError(+ssl.SSLError)
    │   │           └── ClientConnectorCertificateError(+ssl.CertificateError)
    │   ├── ClientConnectionResetError(+ConnectionResetError)
    │   └── ServerConnectionError
    │       ├── ServerDisconnectedError
    │       ├── ServerTimeoutError(+asyncio.TimeoutError)
    │       │   ├── ConnectionTimeoutError       connect phase
    │       │   └── SocketTimeoutError           sock_read phase
    │       └── ServerFingerprintMismatch
    ├── ClientPayloadError                       the body was malformed or cut short
    ├── InvalidURL(+ValueError)
    │   └── InvalidUrlClientError
    │       ├── NonHttpUrlClientError
    │       ├── InvalidUrlRedirectClientError(+RedirectClientError)
    │       └── NonHttpUrlRedirectClientError(+RedirectClientError)
    └── RedirectClientError
    WSMessageTypeError(TypeError)                a WebSocket message of an unexpected type

Every exception keeps the constructor arguments in ``args`` so that it
pickles and unpickles to an equal-looking exception.
"""

from __future__ import annotations

import asyncio
import ssl
import warnings
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

if TYPE_CHECKING:
    from ._fingerprint import Fingerprint
    from ._reqinfo import ConnectionKey, RequestInfo

__all__ = [
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


class ClientError(Exception):
    """Base class of every exception raised by the client."""


# --- the server answered ----------------------------------------------------


class ClientResponseError(ClientError):
    """A response was received but is unacceptable (e.g. ``raise_for_status()``).

    Args:
        request_info: the :class:`RequestInfo` of the request.
        history: the redirect responses that led here (a tuple, maybe empty).
        status: the HTTP status code; ``0`` when unknown.
        message: the reason phrase or a description of the problem.
        headers: the response headers, if available.
        code: deprecated alias of ``status`` (emits :class:`DeprecationWarning`).

    Raises:
        ValueError: if both ``code`` and ``status`` are given.
    """

    def __init__(
        self,
        request_info: RequestInfo,
        history: tuple[Any, ...],
        *,
        code: int | None = None,
        status: int | None = None,
        message: str = "",
        headers: CIMultiDictProxy[str]
        | CIMultiDict[str]
        | MultiDictProxy[str]
        | MultiDict[str]
        | list[tuple[str, str]]
        | None = None,
    ) -> None:
        self.request_info = request_info
        if code is not None:
            if status is not None:
                raise ValueError(
                    "Both code and status arguments are provided; "
                    "code is deprecated, use status instead"
                )
            warnings.warn(
                "code argument is deprecated, use status instead", DeprecationWarning, stacklevel=2
            )
        if status is not None:
            self.status = status
        elif code is not None:
            self.status = code
        else:
            self.status = 0
        self.message = message
        self.headers = headers
        self.history = history
        self.args = (request_info, history)

    def __str__(self) -> str:
        return f"{self.status}, message={self.message!r}, url={str(self.request_info.real_url)!r}"

    def __repr__(self) -> str:
        args = f"{self.request_info!r}, {self.history!r}"
        if self.status != 0:
            args += f", status={self.status!r}"
        if self.message != "":
            args += f", message={self.message!r}"
        if self.headers is not None:
            args += f", headers={self.headers!r}"
        return f"{type(self).__name__}({args})"

    @property
    def code(self) -> int:
        """Deprecated alias of :attr:`status`."""
        warnings.warn(
            "code property is deprecated, use status instead", DeprecationWarning, stacklevel=2
        )
        return self.status

    @code.setter
    def code(self, value: int) -> None:
        warnings.warn(
            "code property is deprecated, use status instead", DeprecationWarning, stacklevel=2
        )
        self.status = value


class ContentTypeError(ClientResponseError):
    """``ClientResponse.json()`` found a Content-Type other than the expected one."""


class WSServerHandshakeError(ClientResponseError):
    """The server did not accept the WebSocket upgrade."""


class ClientHttpProxyError(ClientResponseError):
    """The HTTP proxy answered the CONNECT request with an error status."""


class TooManyRedirects(ClientResponseError):
    """The request was redirected more than ``max_redirects`` times."""


# --- connection problems ----------------------------------------------------


class ClientConnectionError(ClientError):
    """A low-level problem with the connection to the server."""


class ClientConnectionResetError(ClientConnectionError, ConnectionResetError):
    """The connection was reset, or closed while the client was still writing."""


class ClientOSError(ClientConnectionError, OSError):
    """A connection problem caused by an :class:`OSError` (``errno`` and ``strerror`` kept)."""


class ClientConnectorError(ClientOSError):
    """The connector could not open a connection to ``host:port``.

    Args:
        connection_key: the :class:`ConnectionKey` of the attempted connection.
        os_error: the :class:`OSError` that made it fail.

    Attributes ``host``, ``port``, ``ssl`` and ``os_error`` describe the attempt;
    ``errno`` and ``strerror`` are those of ``os_error``.
    """

    def __init__(self, connection_key: ConnectionKey, os_error: OSError) -> None:
        self._conn_key = connection_key
        self._os_error = os_error
        super().__init__(os_error.errno, os_error.strerror)
        self.args = (connection_key, os_error)

    @property
    def os_error(self) -> OSError:
        """The :class:`OSError` that caused the failure."""
        return self._os_error

    @property
    def host(self) -> str:
        """The host the connector tried to reach."""
        return self._conn_key.host

    @property
    def port(self) -> int | None:
        """The port the connector tried to reach."""
        return self._conn_key.port

    @property
    def ssl(self) -> ssl.SSLContext | bool | Fingerprint:
        """The TLS setting of the attempt (``True`` means the default verification)."""
        return self._conn_key.ssl

    def __str__(self) -> str:
        ssl_text = "default" if self.ssl is True else self.ssl
        reason = self.strerror if self.strerror is not None else str(self._os_error)
        return f"Cannot connect to host {self.host}:{self.port} ssl:{ssl_text} [{reason}]"

    # OSError's own __reduce__ would rebuild from (errno, strerror); use ours.
    __reduce__ = BaseException.__reduce__


class ClientConnectorDNSError(ClientConnectorError):
    """The host name of the connection could not be resolved (DNS failure)."""


class ClientProxyConnectionError(ClientConnectorError):
    """The connector could not connect to the proxy."""


class UnixClientConnectorError(ClientConnectorError):
    """The connector could not connect to a unix domain socket.

    Args:
        path: the socket path.
        connection_key: the :class:`ConnectionKey` of the attempted connection.
        os_error: the :class:`OSError` that made it fail.
    """

    def __init__(self, path: str, connection_key: ConnectionKey, os_error: OSError) -> None:
        self._path = path
        super().__init__(connection_key, os_error)
        self.args = (path, connection_key, os_error)

    @property
    def path(self) -> str:
        """The unix socket path that could not be reached."""
        return self._path

    def __str__(self) -> str:
        ssl_text = "default" if self.ssl is True else self.ssl
        reason = self.strerror if self.strerror is not None else str(self.os_error)
        return f"Cannot connect to unix socket {self.path} ssl:{ssl_text} [{reason}]"


class ClientSSLError(ClientConnectorError):
    """Base class of the TLS failures of the connector."""


class ClientConnectorSSLError(ClientSSLError, ssl.SSLError):
    """The TLS handshake with the host failed."""


class ClientConnectorCertificateError(ClientSSLError, ssl.CertificateError):
    """The host's certificate did not verify.

    Args:
        connection_key: the :class:`ConnectionKey` of the attempted connection.
        certificate_error: the underlying exception (usually
            :class:`ssl.SSLCertVerificationError`).

    ``ssl`` is the connection key's ``is_ssl`` flag, as in aiohttp 3.x.
    """

    def __init__(self, connection_key: ConnectionKey, certificate_error: Exception) -> None:
        self._conn_key = connection_key
        self._certificate_error = certificate_error
        self.args = (connection_key, certificate_error)

    @property
    def certificate_error(self) -> Exception:
        """The exception raised by the certificate verification."""
        return self._certificate_error

    @property
    def host(self) -> str:
        """The host whose certificate failed."""
        return self._conn_key.host

    @property
    def port(self) -> int | None:
        """The port of that host."""
        return self._conn_key.port

    @property
    def ssl(self) -> bool:
        """Whether the connection was a TLS one (the key's ``is_ssl``)."""
        return self._conn_key.is_ssl

    def __str__(self) -> str:
        err = self._certificate_error
        return (
            f"Cannot connect to host {self.host}:{self.port} ssl:{self.ssl} "
            f"[{type(err).__name__}: {err.args}]"
        )


class ServerConnectionError(ClientConnectionError):
    """The server misbehaved at the connection level."""


class ServerDisconnectedError(ServerConnectionError):
    """The server closed the connection before the response was complete.

    Args:
        message: what happened, or the partially parsed message; defaults to
            ``"Server disconnected"``.
    """

    def __init__(self, message: Any = None) -> None:
        if message is None:
            message = "Server disconnected"
        self.args = (message,)
        self.message = message


class ServerTimeoutError(ServerConnectionError, asyncio.TimeoutError):
    """A timeout expired while talking to the server (also an :class:`asyncio.TimeoutError`)."""


class ConnectionTimeoutError(ServerTimeoutError):
    """The ``connect`` or ``sock_connect`` timeout expired."""


class SocketTimeoutError(ServerTimeoutError):
    """The ``sock_read`` timeout expired while waiting for data."""


class ServerFingerprintMismatch(ServerConnectionError):
    """The server certificate's SHA-256 digest is not the expected one.

    Args:
        expected: the digest the client was told to expect.
        got: the digest of the certificate the server presented.
        host: the server host.
        port: the server port.
    """

    def __init__(self, expected: bytes, got: bytes, host: str, port: int) -> None:
        self.expected = expected
        self.got = got
        self.host = host
        self.port = port
        self.args = (expected, got, host, port)

    def __str__(self) -> str:
        return (
            f"Certificate fingerprint mismatch for {self.host}:{self.port}: "
            f"expected {self.expected.hex()}, got {self.got.hex()}"
        )

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} expected={self.expected!r} got={self.got!r} "
            f"host={self.host!r} port={self.port!r}>"
        )


# --- payload and URL problems -----------------------------------------------


class ClientPayloadError(ClientError):
    """The response body was malformed (compression, chunking) or shorter than announced."""


class InvalidURL(ClientError, ValueError):
    """The URL cannot be fetched, e.g. it has no host.

    Args:
        url: the offending URL (``str`` or :class:`yarl.URL`).
        description: why it is invalid (optional).
    """

    def __init__(self, url: Any, description: str | None = None) -> None:
        self._url = url
        self._description = description
        if description:
            super().__init__(url, description)
        else:
            super().__init__(url)

    @property
    def url(self) -> Any:
        """The offending URL."""
        return self._url

    @property
    def description(self) -> str | None:
        """Why the URL is invalid, if known."""
        return self._description

    def __str__(self) -> str:
        if self._description:
            return f"{self._url} - {self._description}"
        return str(self._url)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"


class InvalidUrlClientError(InvalidURL):
    """The URL of a request is invalid."""


class RedirectClientError(ClientError):
    """A redirect could not be followed."""


class NonHttpUrlClientError(InvalidUrlClientError):
    """The URL of a request does not use an HTTP(S) or WS(S) scheme."""


class InvalidUrlRedirectClientError(InvalidUrlClientError, RedirectClientError):
    """A redirect pointed to an invalid URL."""


class NonHttpUrlRedirectClientError(NonHttpUrlClientError, RedirectClientError):
    """A redirect pointed to a URL that is not HTTP(S)."""


class WSMessageTypeError(TypeError):
    """A WebSocket message was not of the type the caller asked for (e.g. TEXT, not BINARY)."""
