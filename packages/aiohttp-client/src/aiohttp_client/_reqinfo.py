"""Immutable descriptions of a request and of a pooled connection's identity.

:class:`RequestInfo` is what a response and the response errors carry about
the request that produced them; :class:`ConnectionKey` is the key under which
the connector pools connections (two requests share a connection only if
their keys are equal).
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any, NamedTuple

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from ._auth import BasicAuth
from ._fingerprint import Fingerprint

__all__ = ["ConnectionKey", "RequestInfo"]


class _RequestInfoFields(NamedTuple):
    url: URL
    method: str
    headers: CIMultiDictProxy[str]
    real_url: URL


class RequestInfo(_RequestInfoFields):
    """What was requested: available as ``ClientResponse.request_info``.

    An immutable tuple (aiohttp 3.x's ``RequestInfo``) with four fields:

    - ``url``: the requested URL with any fragment removed;
    - ``method``: the HTTP method, e.g. ``"GET"``;
    - ``headers``: the request headers, a :class:`multidict.CIMultiDictProxy`;
    - ``real_url``: the URL as given, fragment included; defaults to ``url``.

    Instances pickle (the headers are rebuilt as a ``CIMultiDictProxy``).
    """

    __slots__ = ()

    def __new__(
        cls,
        url: URL,
        method: str,
        headers: CIMultiDictProxy[str] | Mapping[str, str],
        real_url: URL | None = None,
    ) -> RequestInfo:
        """Build a request description; ``real_url`` defaults to ``url``."""
        if not isinstance(headers, CIMultiDictProxy):
            headers = CIMultiDictProxy(CIMultiDict(headers))
        return super().__new__(cls, url, method, headers, url if real_url is None else real_url)

    def __reduce__(self) -> tuple[Any, ...]:
        # CIMultiDictProxy does not pickle; ship the items and rebuild the proxy.
        return (
            _rebuild_request_info,
            (self.url, self.method, list(self.headers.items()), self.real_url),
        )


def _rebuild_request_info(
    url: URL, method: str, header_items: list[tuple[str, str]], real_url: URL
) -> RequestInfo:
    return RequestInfo(url, method, CIMultiDictProxy(CIMultiDict(header_items)), real_url)


class ConnectionKey(NamedTuple):
    """The identity of a pooled connection: requests with equal keys may share one.

    Fields (aiohttp 3.x's ``ConnectionKey``):

    - ``host``, ``port``: the origin server (or the proxy's target);
    - ``is_ssl``: whether the connection uses TLS;
    - ``ssl``: the TLS setting: ``True`` (default verification), ``False``
      (no verification), an :class:`ssl.SSLContext` or a :class:`Fingerprint`;
    - ``proxy``, ``proxy_auth``, ``proxy_headers_hash``: the proxy in use, if
      any, its credentials and a hash of the extra proxy headers.
    """

    host: str
    port: int | None
    is_ssl: bool
    ssl: ssl.SSLContext | bool | Fingerprint
    proxy: URL | None
    proxy_auth: BasicAuth | None
    proxy_headers_hash: int | None
