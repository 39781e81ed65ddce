"""The older documents' ``ProxyConnector(proxy, *, proxy_auth=None, ...)``.

A :class:`aiohttp_client.TCPConnector` that names a proxy: it implements
:class:`aiohttp_client.SupportsDefaultProxy`, so a ``ClientSession`` built on
it (``ClientSession(connector=...)``, ``aiohttp.request(..., connector=...)``,
the older ``aiohttp.get(url, connector=...)`` and ``aiohttp.ws_connect(url,
connector=...)``) sends every request and WebSocket through that proxy, unless
a request names its own ``proxy=``. The proxying itself is aiohttp-client's.

Reached through the deprecated aliases ``aiohttp.ProxyConnector`` and
``aiohttp.connector.ProxyConnector``; constructing one warns as well.
"""

from __future__ import annotations

import warnings
from typing import Any
from urllib.parse import urlsplit

from aiohttp_client import PROXY_SCHEMES, BasicAuth, StrOrURL, TCPConnector

__all__ = ["REPLACEMENT", "ProxyConnector"]

#: What the deprecation warnings name instead of ``ProxyConnector``.
REPLACEMENT = "aiohttp.ClientSession(proxy=..., proxy_auth=...) or the proxy= argument of a request"


class ProxyConnector(TCPConnector):
    """A :class:`TCPConnector` whose sessions send every request through ``proxy`` (deprecated).

    Args:
        proxy: the proxy URL, ``http://`` as in the older documents, or any
            scheme aiohttp-client supports (``https``, ``socks4``, ``socks4a``,
            ``socks5``, ``socks5h``); credentials in it are used when
            ``proxy_auth`` is ``None``.
        proxy_auth: :class:`BasicAuth` credentials for the proxy.
        force_close: close connections after each response; as in the older
            documents this is the default, unless ``keepalive_timeout`` is given.
        **kwargs: :class:`TCPConnector` (and :class:`BaseConnector`) arguments.

    Raises:
        ValueError: a proxy URL without a host or with an unsupported scheme,
            or ``proxy_auth`` that is not a :class:`BasicAuth`.
    """

    def __init__(
        self,
        proxy: StrOrURL,
        *,
        proxy_auth: BasicAuth | None = None,
        force_close: bool | None = None,
        **kwargs: Any,
    ) -> None:
        warnings.warn(
            f"ProxyConnector is deprecated, use {REPLACEMENT} instead",
            DeprecationWarning,
            stacklevel=2,
        )
        text = str(proxy)
        parts = urlsplit(text)
        if parts.scheme.lower() not in PROXY_SCHEMES:
            raise ValueError(
                f"Unsupported proxy scheme {parts.scheme!r} in {text[:100]!r} "
                f"(supported: {', '.join(sorted(PROXY_SCHEMES))})"
            )
        if not parts.hostname:
            raise ValueError(f"The proxy URL {text[:100]!r} has no host")
        port = parts.port  # ValueError for a port that is not a number in range
        if proxy_auth is not None and not isinstance(proxy_auth, BasicAuth):
            raise ValueError("proxy_auth must be None or a BasicAuth")
        if force_close is None:
            force_close = "keepalive_timeout" not in kwargs
        super().__init__(force_close=force_close, **kwargs)
        self._proxy = text
        self._proxy_auth = proxy_auth
        # What repr() shows: never the credentials of the URL.
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        self._proxy_origin = f"{parts.scheme}://{host}" + (f":{port}" if port else "")

    def __repr__(self) -> str:
        return f"<ProxyConnector proxy={self._proxy_origin} closed={self.closed}>"

    @property
    def proxy(self) -> str:
        """The proxy URL, as given."""
        return self._proxy

    @property
    def proxy_auth(self) -> BasicAuth | None:
        """The proxy credentials given, or ``None``."""
        return self._proxy_auth

    # aiohttp_client.SupportsDefaultProxy: what ClientSession reads.

    @property
    def default_proxy(self) -> StrOrURL | None:
        """The proxy of the sessions built on this connector (:attr:`proxy`)."""
        return self._proxy

    @property
    def default_proxy_auth(self) -> BasicAuth | None:
        """The proxy credentials of those sessions (:attr:`proxy_auth`)."""
        return self._proxy_auth
