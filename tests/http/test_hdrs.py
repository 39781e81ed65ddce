"""hdrs: aiohttp 3.x's method and header-name constants, complete and typed."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict, istr

from aiohttp_http import hdrs

# The names aiohttp 3.x's aiohttp.hdrs defines (methods and header names).
AIOHTTP_METHODS = {
    "METH_ANY": "*",
    "METH_CONNECT": "CONNECT",
    "METH_HEAD": "HEAD",
    "METH_GET": "GET",
    "METH_DELETE": "DELETE",
    "METH_OPTIONS": "OPTIONS",
    "METH_PATCH": "PATCH",
    "METH_POST": "POST",
    "METH_PUT": "PUT",
    "METH_TRACE": "TRACE",
}

AIOHTTP_HEADERS = {
    "ACCEPT": "Accept",
    "ACCEPT_CHARSET": "Accept-Charset",
    "ACCEPT_ENCODING": "Accept-Encoding",
    "ACCEPT_LANGUAGE": "Accept-Language",
    "ACCEPT_RANGES": "Accept-Ranges",
    "ACCESS_CONTROL_MAX_AGE": "Access-Control-Max-Age",
    "ACCESS_CONTROL_ALLOW_CREDENTIALS": "Access-Control-Allow-Credentials",
    "ACCESS_CONTROL_ALLOW_HEADERS": "Access-Control-Allow-Headers",
    "ACCESS_CONTROL_ALLOW_METHODS": "Access-Control-Allow-Methods",
    "ACCESS_CONTROL_ALLOW_ORIGIN": "Access-Control-Allow-Origin",
    "ACCESS_CONTROL_EXPOSE_HEADERS": "Access-Control-Expose-Headers",
    "ACCESS_CONTROL_REQUEST_HEADERS": "Access-Control-Request-Headers",
    "ACCESS_CONTROL_REQUEST_METHOD": "Access-Control-Request-Method",
    "AGE": "Age",
    "ALLOW": "Allow",
    "AUTHORIZATION": "Authorization",
    "CACHE_CONTROL": "Cache-Control",
    "CONNECTION": "Connection",
    "CONTENT_DISPOSITION": "Content-Disposition",
    "CONTENT_ENCODING": "Content-Encoding",
    "CONTENT_LANGUAGE": "Content-Language",
    "CONTENT_LENGTH": "Content-Length",
    "CONTENT_LOCATION": "Content-Location",
    "CONTENT_MD5": "Content-MD5",
    "CONTENT_RANGE": "Content-Range",
    "CONTENT_TRANSFER_ENCODING": "Content-Transfer-Encoding",
    "CONTENT_TYPE": "Content-Type",
    "COOKIE": "Cookie",
    "DATE": "Date",
    "DESTINATION": "Destination",
    "DIGEST": "Digest",
    "ETAG": "ETag",
    "EXPECT": "Expect",
    "EXPIRES": "Expires",
    "FORWARDED": "Forwarded",
    "FROM": "From",
    "HOST": "Host",
    "IF_MATCH": "If-Match",
    "IF_MODIFIED_SINCE": "If-Modified-Since",
    "IF_NONE_MATCH": "If-None-Match",
    "IF_RANGE": "If-Range",
    "IF_UNMODIFIED_SINCE": "If-Unmodified-Since",
    "KEEP_ALIVE": "Keep-Alive",
    "LAST_EVENT_ID": "Last-Event-ID",
    "LAST_MODIFIED": "Last-Modified",
    "LINK": "Link",
    "LOCATION": "Location",
    "MAX_FORWARDS": "Max-Forwards",
    "ORIGIN": "Origin",
    "PRAGMA": "Pragma",
    "PROXY_AUTHENTICATE": "Proxy-Authenticate",
    "PROXY_AUTHORIZATION": "Proxy-Authorization",
    "RANGE": "Range",
    "REFERER": "Referer",
    "RETRY_AFTER": "Retry-After",
    "SEC_WEBSOCKET_ACCEPT": "Sec-WebSocket-Accept",
    "SEC_WEBSOCKET_VERSION": "Sec-WebSocket-Version",
    "SEC_WEBSOCKET_PROTOCOL": "Sec-WebSocket-Protocol",
    "SEC_WEBSOCKET_EXTENSIONS": "Sec-WebSocket-Extensions",
    "SEC_WEBSOCKET_KEY": "Sec-WebSocket-Key",
    "SEC_WEBSOCKET_KEY1": "Sec-WebSocket-Key1",
    "SERVER": "Server",
    "SET_COOKIE": "Set-Cookie",
    "TE": "TE",
    "TRAILER": "Trailer",
    "TRANSFER_ENCODING": "Transfer-Encoding",
    "UPGRADE": "Upgrade",
    "URI": "URI",
    "USER_AGENT": "User-Agent",
    "VARY": "Vary",
    "VIA": "Via",
    "WANT_DIGEST": "Want-Digest",
    "WARNING": "Warning",
    "WWW_AUTHENTICATE": "WWW-Authenticate",
    "X_FORWARDED_FOR": "X-Forwarded-For",
    "X_FORWARDED_HOST": "X-Forwarded-Host",
    "X_FORWARDED_PROTO": "X-Forwarded-Proto",
}


@pytest.mark.parametrize(("name", "value"), sorted(AIOHTTP_METHODS.items()))
def test_method_constants(name: str, value: str) -> None:
    assert getattr(hdrs, name) == value


def test_meth_all_holds_every_method_but_the_wildcard() -> None:
    assert set(hdrs.METH_ALL) == set(AIOHTTP_METHODS.values()) - {"*"}


@pytest.mark.parametrize(("name", "value"), sorted(AIOHTTP_HEADERS.items()))
def test_header_constants_are_istr_with_the_right_name(name: str, value: str) -> None:
    constant = getattr(hdrs, name)
    assert isinstance(constant, istr)
    assert str(constant) == value


def test_no_header_constant_is_missing_or_extra() -> None:
    defined = {name for name, value in vars(hdrs).items() if isinstance(value, istr)}
    assert defined == set(AIOHTTP_HEADERS)
    expected = {getattr(hdrs, name) for name in AIOHTTP_HEADERS}
    assert expected == hdrs.HEADER_NAMES


def test_header_constants_are_case_insensitive_keys() -> None:
    headers: CIMultiDict[str] = CIMultiDict({"content-type": "text/plain"})
    assert headers[hdrs.CONTENT_TYPE] == "text/plain"
    assert str(hdrs.CONTENT_TYPE) == "Content-Type"
    assert str(hdrs.WWW_AUTHENTICATE) == "WWW-Authenticate"
