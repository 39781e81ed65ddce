"""``aiohttp.errors`` (the older documents): every name catches what the modern code raises."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import pytest
from yarl import URL

import aiohttp
import aiohttp_client
import aiohttp_http
from aiohttp import errors

_INFO = aiohttp_client.RequestInfo(URL("http://example.com/"), "GET", {})
_KEY = aiohttp_client.ConnectionKey("example.com", 80, False, True, None, None, None)

# legacy name -> (the modern class it is, the replacement its warning names)
LEGACY_ERRORS: dict[str, tuple[type[BaseException], str]] = {
    "DisconnectedError": (aiohttp_client.ClientConnectionError, "aiohttp.ClientConnectionError"),
    "ClientDisconnectedError": (
        aiohttp_client.ClientConnectionResetError,
        "aiohttp.ClientConnectionResetError",
    ),
    "WSClientDisconnectedError": (
        aiohttp_client.ClientConnectionResetError,
        "aiohttp.ClientConnectionResetError",
    ),
    "ServerDisconnectedError": (
        aiohttp_client.ServerDisconnectedError,
        "aiohttp.ServerDisconnectedError",
    ),
    "HttpProcessingError": (
        aiohttp_http.HttpProcessingError,
        "aiohttp.http_exceptions.HttpProcessingError",
    ),
    "BadHttpMessage": (aiohttp_http.BadHttpMessage, "aiohttp.http_exceptions.BadHttpMessage"),
    "HttpBadRequest": (aiohttp_http.HttpBadRequest, "aiohttp.http_exceptions.HttpBadRequest"),
    "HttpProxyError": (aiohttp_client.ClientHttpProxyError, "aiohttp.ClientHttpProxyError"),
    "BadStatusLine": (aiohttp_http.BadStatusLine, "aiohttp.http_exceptions.BadStatusLine"),
    "LineTooLong": (aiohttp_http.LineTooLong, "aiohttp.http_exceptions.LineTooLong"),
    "InvalidHeader": (aiohttp_http.InvalidHeader, "aiohttp.http_exceptions.InvalidHeader"),
    "ParserError": (aiohttp_http.BadHttpMessage, "aiohttp.http_exceptions.BadHttpMessage"),
    "LineLimitExceededParserError": (
        aiohttp_http.LineTooLong,
        "aiohttp.http_exceptions.LineTooLong",
    ),
    "ClientError": (aiohttp_client.ClientError, "aiohttp.ClientError"),
    "ClientHttpProcessingError": (aiohttp_client.ClientError, "aiohttp.ClientError"),
    "ClientConnectionError": (
        aiohttp_client.ClientConnectionError,
        "aiohttp.ClientConnectionError",
    ),
    "ClientOSError": (aiohttp_client.ClientOSError, "aiohttp.ClientOSError"),
    "ClientTimeoutError": (aiohttp_client.ServerTimeoutError, "aiohttp.ServerTimeoutError"),
    "ProxyConnectionError": (
        aiohttp_client.ClientProxyConnectionError,
        "aiohttp.ClientProxyConnectionError",
    ),
    "ClientRequestError": (
        aiohttp_client.ClientConnectionError,
        "aiohttp.ClientConnectionError",
    ),
    "ClientResponseError": (aiohttp_client.ClientResponseError, "aiohttp.ClientResponseError"),
    "FingerprintMismatch": (
        aiohttp_client.ServerFingerprintMismatch,
        "aiohttp.ServerFingerprintMismatch",
    ),
    "WSServerHandshakeError": (
        aiohttp_client.WSServerHandshakeError,
        "aiohttp.WSServerHandshakeError",
    ),
}

# One instance of each modern class, as the client or a parser raises it.
_MODERN: dict[type[BaseException], Any] = {
    aiohttp_client.ClientError: lambda: aiohttp_client.ClientError("boom"),
    aiohttp_client.ClientConnectionError: lambda: aiohttp_client.ClientConnectionError("boom"),
    aiohttp_client.ClientConnectionResetError: lambda: aiohttp_client.ClientConnectionResetError(
        "reset"
    ),
    aiohttp_client.ServerDisconnectedError: aiohttp_client.ServerDisconnectedError,
    aiohttp_client.ClientOSError: lambda: aiohttp_client.ClientOSError(104, "reset"),
    aiohttp_client.ServerTimeoutError: lambda: aiohttp_client.ServerTimeoutError("slow"),
    aiohttp_client.ClientProxyConnectionError: lambda: aiohttp_client.ClientProxyConnectionError(
        _KEY, OSError(111, "refused")
    ),
    aiohttp_client.ClientResponseError: lambda: aiohttp_client.ClientResponseError(
        _INFO, (), status=500
    ),
    aiohttp_client.ClientHttpProxyError: lambda: aiohttp_client.ClientHttpProxyError(
        _INFO, (), status=407
    ),
    aiohttp_client.WSServerHandshakeError: lambda: aiohttp_client.WSServerHandshakeError(
        _INFO, (), status=400
    ),
    aiohttp_client.ServerFingerprintMismatch: lambda: aiohttp_client.ServerFingerprintMismatch(
        b"a" * 32, b"b" * 32, "example.com", 443
    ),
    aiohttp_http.HttpProcessingError: lambda: aiohttp_http.HttpProcessingError(code=500),
    aiohttp_http.BadHttpMessage: lambda: aiohttp_http.BadHttpMessage("bad"),
    aiohttp_http.HttpBadRequest: lambda: aiohttp_http.HttpBadRequest("bad"),
    aiohttp_http.BadStatusLine: lambda: aiohttp_http.BadStatusLine(b"HTTP/9 x"),
    aiohttp_http.LineTooLong: lambda: aiohttp_http.LineTooLong("status line", 10, 20),
    aiohttp_http.InvalidHeader: lambda: aiohttp_http.InvalidHeader("bad", hdr=b"X"),
}


def _caught_by(legacy_class: Any, exc: BaseException) -> bool:
    """Whether ``except legacy_class`` catches ``exc`` when it is raised."""
    try:
        raise exc
    except legacy_class:
        return True
    except BaseException:
        return False


def test_every_name_of_the_older_documents_is_offered() -> None:
    # aiohttp.errors of the 0.2x-1.x "Helpers API" page, plus 1.x's parser errors.
    assert sorted(errors.__all__) == sorted([*LEGACY_ERRORS, "HttpMethodNotAllowed"])


@pytest.mark.parametrize("legacy", sorted(LEGACY_ERRORS))
def test_legacy_name_is_the_modern_class_and_warns_naming_it(legacy: str) -> None:
    modern, replacement = LEGACY_ERRORS[legacy]
    with pytest.warns(DeprecationWarning, match=replacement) as record:
        value = getattr(errors, legacy)
    assert value is modern
    assert f"aiohttp.errors.{legacy}" in str(record[0].message)


@pytest.mark.parametrize("legacy", sorted(LEGACY_ERRORS))
def test_modern_exception_is_caught_by_the_legacy_name(legacy: str) -> None:
    modern, replacement = LEGACY_ERRORS[legacy]
    with pytest.warns(DeprecationWarning, match=replacement):
        legacy_class = getattr(errors, legacy)
    # the modern class and each of its modern subclasses raised by the stack
    for cls, factory in _MODERN.items():
        if not issubclass(cls, modern):
            continue
        assert _caught_by(legacy_class, factory()), f"{cls.__name__} escapes errors.{legacy}"


def test_legacy_hierarchy_still_holds() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert issubclass(errors.ServerDisconnectedError, errors.DisconnectedError)
        assert issubclass(errors.ClientDisconnectedError, errors.DisconnectedError)
        assert issubclass(errors.BadHttpMessage, errors.HttpProcessingError)
        assert issubclass(errors.HttpBadRequest, errors.BadHttpMessage)
        for name in ("BadStatusLine", "LineTooLong", "InvalidHeader"):
            assert issubclass(getattr(errors, name), errors.BadHttpMessage)
        for name in ("ClientConnectionError", "ClientHttpProcessingError"):
            assert issubclass(getattr(errors, name), errors.ClientError)
        for name in ("ClientOSError", "ClientTimeoutError", "ProxyConnectionError"):
            assert issubclass(getattr(errors, name), errors.ClientConnectionError)
        assert issubclass(errors.ClientOSError, OSError)
        assert issubclass(errors.ClientTimeoutError, asyncio.TimeoutError)
        assert issubclass(errors.ClientRequestError, errors.ClientHttpProcessingError)
        assert issubclass(errors.ClientResponseError, errors.ClientHttpProcessingError)
        assert issubclass(errors.LineLimitExceededParserError, errors.ParserError)
        assert issubclass(errors.HttpMethodNotAllowed, errors.HttpProcessingError)


def test_http_method_not_allowed_is_a_405_processing_error() -> None:
    with pytest.warns(DeprecationWarning, match="HttpProcessingError with code=405"):
        legacy = errors.HttpMethodNotAllowed
    assert issubclass(legacy, aiohttp_http.HttpProcessingError)
    exc = legacy(message="POST not allowed")
    assert (exc.code, exc.message) == (405, "POST not allowed")
    assert (legacy().code, legacy().message) == (405, "Method Not Allowed")
    with pytest.raises(aiohttp_http.HttpProcessingError):
        raise legacy()


def test_from_import_warns_too() -> None:
    with pytest.warns(DeprecationWarning, match="aiohttp.ServerTimeoutError"):
        from aiohttp.errors import ClientTimeoutError
    assert ClientTimeoutError is aiohttp_client.ServerTimeoutError


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"'aiohttp\.errors' has no attribute 'Nope'"):
        _ = errors.Nope


@pytest.mark.parametrize(
    "legacy",
    sorted(
        (set(LEGACY_ERRORS) | {"HttpMethodNotAllowed"})
        - {
            "ClientError",
            "ClientConnectionError",
            "ClientOSError",
            "ClientResponseError",
            "ServerDisconnectedError",
            "WSServerHandshakeError",
        }
    ),
)
def test_older_top_level_error_names_warn(legacy: str) -> None:
    # The older releases exported aiohttp.errors' names at the top level too.
    replacement = (
        LEGACY_ERRORS[legacy][1]
        if legacy in LEGACY_ERRORS
        else "aiohttp.http_exceptions.HttpProcessingError with code=405"
    )
    with pytest.warns(DeprecationWarning, match=replacement) as record:
        value = getattr(aiohttp, legacy)
    assert f"aiohttp.{legacy} is deprecated" in str(record[0].message)
    assert len(record) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert value is getattr(errors, legacy)
