"""The client exception hierarchy: bases, attributes, messages and pickling."""

from __future__ import annotations

import asyncio
import pickle
import ssl
import sys
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

import aiohttp_client as ac

KEY = ac.ConnectionKey("example.com", 443, True, True, None, None, None)
INFO = ac.RequestInfo(
    URL("https://example.com/api"),
    "GET",
    CIMultiDict({"Accept": "*/*"}),
    URL("https://example.com/api#frag"),
)


@pytest.mark.parametrize(
    ("exc_type", "bases"),
    [
        (ac.ClientError, (Exception,)),
        (ac.ClientResponseError, (ac.ClientError,)),
        (ac.ContentTypeError, (ac.ClientResponseError,)),
        (ac.WSServerHandshakeError, (ac.ClientResponseError,)),
        (ac.ClientHttpProxyError, (ac.ClientResponseError,)),
        (ac.TooManyRedirects, (ac.ClientResponseError,)),
        (ac.ClientConnectionError, (ac.ClientError,)),
        (ac.ClientOSError, (ac.ClientConnectionError, OSError)),
        (ac.ClientConnectorError, (ac.ClientOSError,)),
        (ac.ClientConnectorDNSError, (ac.ClientConnectorError,)),
        (ac.ClientProxyConnectionError, (ac.ClientConnectorError,)),
        (ac.UnixClientConnectorError, (ac.ClientConnectorError,)),
        (ac.ClientSSLError, (ac.ClientConnectorError,)),
        (ac.ClientConnectorSSLError, (ac.ClientSSLError, ssl.SSLError)),
        (ac.ClientConnectorCertificateError, (ac.ClientSSLError, ssl.CertificateError)),
        (ac.ServerConnectionError, (ac.ClientConnectionError,)),
        (ac.ServerDisconnectedError, (ac.ServerConnectionError,)),
        (ac.ServerTimeoutError, (ac.ServerConnectionError, asyncio.TimeoutError)),
        (ac.ConnectionTimeoutError, (ac.ServerTimeoutError,)),
        (ac.SocketTimeoutError, (ac.ServerTimeoutError,)),
        (ac.ServerFingerprintMismatch, (ac.ServerConnectionError,)),
        (ac.ClientPayloadError, (ac.ClientError,)),
        (ac.InvalidURL, (ac.ClientError, ValueError)),
        (ac.InvalidUrlClientError, (ac.InvalidURL,)),
        (ac.RedirectClientError, (ac.ClientError,)),
        (ac.NonHttpUrlClientError, (ac.InvalidUrlClientError,)),
        (ac.InvalidUrlRedirectClientError, (ac.InvalidUrlClientError, ac.RedirectClientError)),
        (ac.NonHttpUrlRedirectClientError, (ac.NonHttpUrlClientError, ac.RedirectClientError)),
        (ac.ClientConnectionResetError, (ac.ClientConnectionError, ConnectionResetError)),
        (ac.WSMessageTypeError, (TypeError,)),
    ],
)
def test_exception_has_the_aiohttp_bases(
    exc_type: type[BaseException], bases: tuple[type, ...]
) -> None:
    assert exc_type.__bases__ == bases


def test_response_error_str_names_status_message_and_url() -> None:
    err = ac.ClientResponseError(INFO, (), status=404, message="Not Found", headers=CIMultiDict())
    assert str(err) == "404, message='Not Found', url='https://example.com/api#frag'"
    assert err.status == 404
    assert err.message == "Not Found"
    assert err.request_info is INFO
    assert err.history == ()
    assert err.headers == CIMultiDict()


def test_response_error_repr_shows_only_given_fields() -> None:
    bare = ac.ClientResponseError(INFO, ())
    assert repr(bare) == f"ClientResponseError({INFO!r}, ())"
    full = ac.TooManyRedirects(INFO, (), status=302, message="Found")
    assert repr(full) == f"TooManyRedirects({INFO!r}, (), status=302, message='Found')"


def test_response_error_code_is_a_deprecated_alias_of_status() -> None:
    with pytest.warns(DeprecationWarning, match="code argument is deprecated"):
        err = ac.ClientResponseError(INFO, (), code=500)
    assert err.status == 500
    with pytest.warns(DeprecationWarning, match="code property is deprecated"):
        assert err.code == 500
    with pytest.warns(DeprecationWarning, match="code property is deprecated"):
        err.code = 502
    assert err.status == 502


def test_response_error_refuses_both_code_and_status() -> None:
    with pytest.raises(ValueError, match="Both code and status"):
        ac.ClientResponseError(INFO, (), code=500, status=500)


def test_connector_error_describes_host_port_and_ssl() -> None:
    os_error = OSError(111, "Connection refused")
    err = ac.ClientConnectorError(KEY, os_error)
    assert str(err) == "Cannot connect to host example.com:443 ssl:default [Connection refused]"
    assert (err.host, err.port, err.ssl, err.os_error) == ("example.com", 443, True, os_error)
    assert (err.errno, err.strerror) == (111, "Connection refused")
    assert err.args == (KEY, os_error)


def test_connector_error_str_without_strerror_uses_the_os_error_text() -> None:
    err = ac.ClientConnectorDNSError(KEY._replace(ssl=False), OSError("name did not resolve"))
    assert str(err) == "Cannot connect to host example.com:443 ssl:False [name did not resolve]"


def test_unix_connector_error_names_the_socket_path() -> None:
    err = ac.UnixClientConnectorError("/run/app.sock", KEY, OSError(2, "No such file"))
    assert err.path == "/run/app.sock"
    assert str(err) == "Cannot connect to unix socket /run/app.sock ssl:default [No such file]"


def test_certificate_error_names_host_and_underlying_error() -> None:
    cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
    err = ac.ClientConnectorCertificateError(KEY, cause)
    assert err.certificate_error is cause
    assert (err.host, err.port, err.ssl) == ("example.com", 443, True)
    assert str(err).startswith(
        "Cannot connect to host example.com:443 ssl:True [SSLCertVerificationError:"
    )
    assert isinstance(err, ssl.CertificateError)
    assert isinstance(err, ValueError)


def test_server_disconnected_error_has_a_default_message() -> None:
    assert ac.ServerDisconnectedError().message == "Server disconnected"
    assert str(ac.ServerDisconnectedError()) == "Server disconnected"
    assert ac.ServerDisconnectedError("eof in body").args == ("eof in body",)


def test_fingerprint_mismatch_names_host_and_digests() -> None:
    err = ac.ServerFingerprintMismatch(b"\x01" * 32, b"\x02" * 32, "example.com", 443)
    assert "example.com:443" in str(err)
    assert ("01" * 32) in str(err)
    assert ("02" * 32) in str(err)
    expected, got = b"\x01" * 32, b"\x02" * 32
    assert repr(err) == (
        f"<ServerFingerprintMismatch expected={expected!r} got={got!r} host='example.com' port=443>"
    )


@pytest.mark.parametrize(
    ("args", "text", "description"),
    [
        ((URL("/relative/path"),), "/relative/path", None),
        (
            ("ftp://example.com/", "not an HTTP URL"),
            "ftp://example.com/ - not an HTTP URL",
            "not an HTTP URL",
        ),
    ],
)
def test_invalid_url_str_repr_and_attributes(
    args: tuple[Any, ...], text: str, description: str | None
) -> None:
    err = ac.InvalidURL(*args)
    assert err.url == args[0]
    assert err.description == description
    assert str(err) == text
    assert repr(err) == f"<InvalidURL {text}>"
    assert isinstance(err, ValueError)


def test_timeouts_are_asyncio_timeout_errors() -> None:
    with pytest.raises(asyncio.TimeoutError):
        raise ac.SocketTimeoutError("Timeout on reading data from socket")
    # From Python 3.11, asyncio.TimeoutError is the builtin TimeoutError.
    assert issubclass(ac.ConnectionTimeoutError, TimeoutError) is (sys.version_info >= (3, 11))


PICKLABLE = [
    ac.ClientError("boom"),
    ac.ClientResponseError(
        INFO, (), status=500, message="Server Error", headers=CIMultiDict({"A": "b"})
    ),
    ac.ContentTypeError(INFO, (), status=200, message="unexpected mimetype: text/html"),
    ac.WSServerHandshakeError(INFO, (), status=400, message="Invalid response status"),
    ac.ClientHttpProxyError(INFO, (), status=407),
    ac.TooManyRedirects(INFO, (), status=302),
    ac.ClientConnectionError("reset"),
    ac.ClientOSError(104, "Connection reset by peer"),
    ac.ClientConnectorError(KEY, OSError(111, "Connection refused")),
    ac.ClientConnectorDNSError(KEY, OSError(-2, "Name or service not known")),
    ac.ClientProxyConnectionError(KEY, OSError(111, "Connection refused")),
    ac.UnixClientConnectorError("/tmp/s", KEY, OSError(2, "No such file")),
    ac.ClientConnectorSSLError(KEY, OSError(1, "handshake failed")),
    ac.ClientConnectorCertificateError(KEY, ValueError("hostname mismatch")),
    ac.ServerDisconnectedError("Server disconnected while reading body"),
    ac.ServerTimeoutError("Timeout on reading data from socket"),
    ac.ConnectionTimeoutError("Connection timeout to host example.com:443"),
    ac.SocketTimeoutError("Timeout on reading data from socket"),
    ac.ServerFingerprintMismatch(b"\x00" * 32, b"\x01" * 32, "example.com", 443),
    ac.ClientPayloadError("Response payload is not completed"),
    ac.InvalidURL("http://", "no host"),
    ac.InvalidUrlClientError("http://"),
    ac.NonHttpUrlClientError("ftp://example.com"),
    ac.InvalidUrlRedirectClientError("http://", "redirect to an invalid URL"),
    ac.NonHttpUrlRedirectClientError("ftp://example.com"),
    ac.RedirectClientError("cannot follow"),
    ac.ClientConnectionResetError("Cannot write to closing transport"),
    ac.WSMessageTypeError("Received message 2:b'' is not WSMsgType.TEXT"),
]


@pytest.mark.parametrize("exc", PICKLABLE, ids=lambda e: type(e).__name__)
def test_exception_pickles_with_same_type_args_str_and_repr(exc: BaseException) -> None:
    restored = pickle.loads(pickle.dumps(exc))
    assert type(restored) is type(exc)
    assert str(restored) == str(exc)
    assert repr(restored) == repr(exc)
    assert restored.__dict__.keys() == exc.__dict__.keys()


@pytest.mark.parametrize("exc", PICKLABLE, ids=lambda e: type(e).__name__)
def test_exception_str_and_repr_are_informative(exc: BaseException) -> None:
    assert str(exc)
    assert type(exc).__name__ in repr(exc)
