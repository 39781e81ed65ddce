"""``aiohttp.errors``: the older documents' exception names (deprecated).

Each name is the modern exception that is raised for the same failure, so
``except aiohttp.errors.X`` catches what the client and parsers raise today;
every access warns with a :class:`DeprecationWarning` naming that class.
``HttpMethodNotAllowed`` has no modern counterpart in the client: it is a small
subclass of :class:`aiohttp_http.HttpProcessingError` (code 405).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp_client
import aiohttp_http

from . import _legacy
from ._deprecation import deprecated_getattr

#: Legacy name -> (module holding the modern class, its name there, the public name to use).
_ERRORS: dict[str, tuple[Any, str, str]] = {
    "DisconnectedError": (aiohttp_client, "ClientConnectionError", "aiohttp.ClientConnectionError"),
    "ClientDisconnectedError": (
        aiohttp_client,
        "ClientConnectionResetError",
        "aiohttp.ClientConnectionResetError",
    ),
    "WSClientDisconnectedError": (
        aiohttp_client,
        "ClientConnectionResetError",
        "aiohttp.ClientConnectionResetError",
    ),
    "ServerDisconnectedError": (
        aiohttp_client,
        "ServerDisconnectedError",
        "aiohttp.ServerDisconnectedError",
    ),
    "HttpProcessingError": (
        aiohttp_http,
        "HttpProcessingError",
        "aiohttp.http_exceptions.HttpProcessingError",
    ),
    "BadHttpMessage": (aiohttp_http, "BadHttpMessage", "aiohttp.http_exceptions.BadHttpMessage"),
    "HttpMethodNotAllowed": (
        _legacy,
        "HttpMethodNotAllowed",
        "aiohttp.http_exceptions.HttpProcessingError with code=405",
    ),
    "HttpBadRequest": (aiohttp_http, "HttpBadRequest", "aiohttp.http_exceptions.HttpBadRequest"),
    "HttpProxyError": (aiohttp_client, "ClientHttpProxyError", "aiohttp.ClientHttpProxyError"),
    "BadStatusLine": (aiohttp_http, "BadStatusLine", "aiohttp.http_exceptions.BadStatusLine"),
    "LineTooLong": (aiohttp_http, "LineTooLong", "aiohttp.http_exceptions.LineTooLong"),
    "InvalidHeader": (aiohttp_http, "InvalidHeader", "aiohttp.http_exceptions.InvalidHeader"),
    "ParserError": (aiohttp_http, "BadHttpMessage", "aiohttp.http_exceptions.BadHttpMessage"),
    "LineLimitExceededParserError": (
        aiohttp_http,
        "LineTooLong",
        "aiohttp.http_exceptions.LineTooLong",
    ),
    "ClientError": (aiohttp_client, "ClientError", "aiohttp.ClientError"),
    "ClientHttpProcessingError": (aiohttp_client, "ClientError", "aiohttp.ClientError"),
    "ClientConnectionError": (
        aiohttp_client,
        "ClientConnectionError",
        "aiohttp.ClientConnectionError",
    ),
    "ClientOSError": (aiohttp_client, "ClientOSError", "aiohttp.ClientOSError"),
    "ClientTimeoutError": (aiohttp_client, "ServerTimeoutError", "aiohttp.ServerTimeoutError"),
    "ProxyConnectionError": (
        aiohttp_client,
        "ClientProxyConnectionError",
        "aiohttp.ClientProxyConnectionError",
    ),
    "ClientRequestError": (
        aiohttp_client,
        "ClientConnectionError",
        "aiohttp.ClientConnectionError",
    ),
    "ClientResponseError": (aiohttp_client, "ClientResponseError", "aiohttp.ClientResponseError"),
    "FingerprintMismatch": (
        aiohttp_client,
        "ServerFingerprintMismatch",
        "aiohttp.ServerFingerprintMismatch",
    ),
    "WSServerHandshakeError": (
        aiohttp_client,
        "WSServerHandshakeError",
        "aiohttp.WSServerHandshakeError",
    ),
}


def _loader(module: Any, name: str) -> Callable[[], Any]:
    return lambda: getattr(module, name)


__all__ = sorted(_ERRORS)

_getattr = deprecated_getattr(
    __name__,
    {legacy: (_loader(module, name), public) for legacy, (module, name, public) in _ERRORS.items()},
)


def __getattr__(name: str) -> Any:
    """Serve the legacy exception names, each with a :class:`DeprecationWarning`."""
    return _getattr(name)
