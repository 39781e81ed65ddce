"""TLS for the connectors: the OS trust store, error mapping, pins and TLS in TLS.

The ``ssl`` setting of a request or connector (aiohttp 3.x's meaning):

* ``True`` or ``None``: the default verifying context;
* ``False``: encryption without any verification;
* an :class:`ssl.SSLContext`: used as given;
* a :class:`Fingerprint`: no chain verification, but the certificate's
  SHA-256 digest must equal the pin (checked on the connected transport).

Beyond aiohttp, ``TCPConnector(use_truststore=True)`` verifies with the
operating system's trust store through the optional ``truststore`` package.
"""

from __future__ import annotations

import importlib
import ssl as ssl_module
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._exceptions import (
    ClientConnectorCertificateError,
    ClientConnectorSSLError,
    ClientSSLError,
)
from ._fingerprint import Fingerprint
from ._reqinfo import ConnectionKey

__all__ = [
    "TLS_IN_TLS_SUPPORTED",
    "check_fingerprint",
    "require_tls_in_tls",
    "tls_errors",
    "truststore_ssl_context",
]

#: ``loop.start_tls`` over a TLS transport (an ``https`` target through an
#: ``https`` proxy) works from Python 3.11 on.
TLS_IN_TLS_SUPPORTED = sys.version_info >= (3, 11)


def truststore_ssl_context() -> ssl_module.SSLContext:
    """A verifying client context backed by the OS trust store (``truststore`` package).

    Raises:
        RuntimeError: the optional ``truststore`` package is not installed.
    """
    try:
        truststore = importlib.import_module("truststore")
    except ImportError:
        raise RuntimeError(
            "use_truststore=True needs the optional 'truststore' package "
            "(pip install truststore); it is not installed"
        ) from None
    context: ssl_module.SSLContext = truststore.SSLContext(ssl_module.PROTOCOL_TLS_CLIENT)
    return context


@contextmanager
def tls_errors(key: ConnectionKey) -> Iterator[None]:
    """Map TLS failures inside the block to aiohttp's connector exceptions.

    Raises:
        ClientConnectorCertificateError: the certificate did not verify.
        ClientConnectorSSLError: any other TLS error.
    """
    try:
        yield
    except ClientSSLError:
        raise
    except ssl_module.CertificateError as exc:
        raise ClientConnectorCertificateError(key, exc) from exc
    except ssl_module.SSLError as exc:
        raise ClientConnectorSSLError(key, exc) from exc


def check_fingerprint(setting: object, protocol: Any) -> None:
    """Check a :class:`Fingerprint` pin on a freshly connected protocol; abort it on mismatch.

    Raises:
        ServerFingerprintMismatch: the certificate digest differs from the pin.
    """
    if not isinstance(setting, Fingerprint) or protocol.transport is None:
        return
    try:
        setting.check(protocol.transport)
    except BaseException:
        protocol.abort()
        raise


def require_tls_in_tls() -> None:
    """Refuse TLS inside a TLS proxy connection where asyncio cannot do it.

    Raises:
        RuntimeError: on Python 3.10, whose ``loop.start_tls`` cannot wrap a
            TLS transport.
    """
    if not TLS_IN_TLS_SUPPORTED:
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        raise RuntimeError(
            "An https:// request through an https:// proxy needs TLS in TLS, which "
            f"asyncio supports from Python 3.11 on (running Python {version}); "
            "use an http:// proxy URL or Python 3.11+"
        )
