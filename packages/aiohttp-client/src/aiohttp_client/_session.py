"""``ClientSession``: default settings, a cookie jar and a connection pool for requests."""

from __future__ import annotations

import asyncio
import json as json_module
import ssl as ssl_module
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from http.cookies import SimpleCookie
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn

from multidict import CIMultiDict, istr
from yarl import URL

from aiohttp_http import (
    DEFAULT_MAX_FIELD_SIZE,
    DEFAULT_MAX_LINE_SIZE,
    HttpVersion,
    HttpVersion11,
    hdrs,
)

from ._abc import AbstractCookieJar
from ._auth import BasicAuth
from ._body import JsonSerializer, make_body
from ._connector import BaseConnector, SupportsDefaultProxy
from ._cookiejar import CookieJar
from ._exceptions import (
    InvalidUrlClientError,
    NonHttpUrlClientError,
    RedirectClientError,
    TooManyRedirects,
)
from ._fingerprint import Fingerprint
from ._helpers import (
    SENTINEL,
    CharsetResolver,
    Sentinel,
    add_params,
    creation_site,
    detect_charset,
    merge_ssl,
    resolve_session_timeout,
)
from ._middlewares import ClientMiddlewareType, build_client_middlewares
from ._netrc import get_netrc_auth
from ._proxy import select_proxy
from ._redirects import (
    DEFAULT_MAX_REDIRECTS,
    REDIRECT_STATUSES,
    redirect_method,
    resolve_location,
    same_origin,
    strip_body_headers,
    strip_credentials,
)
from ._reqrep_helpers import _RequestContextManager
from ._request import DEFAULT_EXPECT100_TIMEOUT, ClientRequest
from ._response import ClientResponse
from ._sending import IDEMPOTENT_METHODS, RequestSender
from ._tcp_connector import TCPConnector
from ._timeouts import ClientTimeout, TimeoutHandle
from ._tracing import TraceConfig, make_traces
from ._typedefs import LooseCookies, LooseHeaders, StrOrURL

if TYPE_CHECKING:  # WebSocket helper: the return type of ClientSession.ws_connect
    from ._ws_connect import ClientWebSocketResponse, _WSRequestContextManager

__all__ = ["DEFAULT_READ_BUFSIZE", "IDEMPOTENT_METHODS", "ClientSession"]

#: Flow-control limit of response body streams (bytes): reading pauses above twice this.
DEFAULT_READ_BUFSIZE = 2**18  # aiohttp 3.14's default (256 KiB)

RaiseForStatus = bool | Callable[[ClientResponse], Awaitable[None]]
SSLSetting = ssl_module.SSLContext | bool | Fingerprint | None


_WS_SCHEMES = {"ws": "http", "wss": "https"}


class ClientSession:
    """A client session (aiohttp 3.x's ``ClientSession``): use one for many requests.

    Use it as ``async with ClientSession() as session:``, or call
    :meth:`close` when done; an unclosed session is reported by a
    :class:`ResourceWarning` naming where it was created.

    Args:
        base_url: relative request URLs are joined to it.
        connector: the pool (a :class:`TCPConnector` by default).
        cookies: cookies to put in the jar at once.
        headers: headers sent with every request.
        skip_auto_headers: auto headers never added (``User-Agent``...).
        auth: :class:`BasicAuth` used when a request gives none.
        json_serialize: serialiser of ``json=`` bodies.
        version: the HTTP version of requests.
        cookie_jar: the jar (a :class:`CookieJar` by default).
        connector_owner: close the connector with the session.
        raise_for_status: ``True`` to raise for statuses >= 400, or an async
            callable called with every response.
        timeout: a :class:`ClientTimeout` (5 minutes total by default).
        auto_decompress: decode compressed bodies.
        trust_env: use ``.netrc`` credentials and the proxies of the
            environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``WS_PROXY``,
            ``WSS_PROXY``, ``NO_PROXY``) for requests without an explicit proxy.
        requote_redirect_url: re-quote ``Location`` URLs.
        read_bufsize: flow-control limit of body streams.
        max_line_size, max_field_size: response head limits.
        fallback_charset_resolver: ``(response, body) -> encoding`` used by
            :meth:`ClientResponse.text` when the headers give no charset.
        expect100_timeout: seconds to wait for ``100 Continue`` before sending
            the body anyway.
        proxy, proxy_auth: the proxy of requests that name none (see the README, "Proxies");
            without ``proxy``, a connector implementing :class:`SupportsDefaultProxy`
            gives them.
        trace_configs: :class:`TraceConfig` objects (each is frozen here).
        middlewares: client middlewares wrapped around each sent request
            (outermost first); a request's own ``middlewares`` replace them.
        request_class, response_class: subclasses of :class:`ClientRequest`
            and :class:`ClientResponse` to use.
        ws_response_class: the subclass of :class:`ClientWebSocketResponse`
            that :meth:`ws_connect` builds (default: that class).

    Raises:
        ValueError: ``base_url`` is not absolute.
        TypeError: a ``request_class``/``response_class`` that is not a
            subclass of :class:`ClientRequest`/:class:`ClientResponse`, or a
            ``ws_response_class`` that is not a subclass of
            :class:`ClientWebSocketResponse`.
        RuntimeError: created outside a running event loop without a connector.
    """

    def __init__(
        self,
        base_url: StrOrURL | None = None,
        *,
        connector: BaseConnector | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        cookies: LooseCookies | None = None,
        headers: LooseHeaders | None = None,
        proxy: StrOrURL | None = None,
        proxy_auth: BasicAuth | None = None,
        skip_auto_headers: Iterable[str] | None = None,
        auth: BasicAuth | None = None,
        json_serialize: JsonSerializer = json_module.dumps,
        version: HttpVersion = HttpVersion11,
        cookie_jar: AbstractCookieJar | None = None,
        connector_owner: bool = True,
        raise_for_status: RaiseForStatus = False,
        read_timeout: float | Sentinel | None = SENTINEL,
        conn_timeout: float | None = None,
        timeout: ClientTimeout | Sentinel | None = SENTINEL,
        auto_decompress: bool = True,
        trust_env: bool = False,
        requote_redirect_url: bool = True,
        read_bufsize: int = DEFAULT_READ_BUFSIZE,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
        fallback_charset_resolver: CharsetResolver = detect_charset,
        expect100_timeout: float = DEFAULT_EXPECT100_TIMEOUT,
        trace_configs: Iterable[TraceConfig] | None = None,
        middlewares: Sequence[ClientMiddlewareType] = (),
        request_class: type[ClientRequest] = ClientRequest,
        response_class: type[ClientResponse] = ClientResponse,
        ws_response_class: type[ClientWebSocketResponse] | None = None,
    ) -> None:
        self._connector: BaseConnector | None = None
        _check_classes(request_class, response_class, ws_response_class)
        self._ws_response_class = ws_response_class
        self._created_at = creation_site()
        if base_url is None or isinstance(base_url, URL):
            self._base_url: URL | None = base_url
        else:
            self._base_url = URL(base_url)
        if self._base_url is not None and not self._base_url.absolute:
            raise ValueError(f"base_url must be an absolute URL, got {base_url!r}")
        if connector is None:
            connector = TCPConnector()
        self._loop = loop if loop is not None else connector._loop
        if cookie_jar is None:
            cookie_jar = CookieJar()
        self._cookie_jar = cookie_jar
        if cookies:
            self._cookie_jar.update_cookies(cookies)
        self._connector = connector
        self._connector_owner = connector_owner
        self._default_auth = auth
        self._version = version
        self._json_serialize = json_serialize
        self._timeout = resolve_session_timeout(timeout, read_timeout, conn_timeout)
        self._raise_for_status = raise_for_status
        self._auto_decompress = auto_decompress
        self._trust_env = trust_env
        self._requote_redirect_url = requote_redirect_url
        self._read_bufsize = read_bufsize
        self._max_line_size = max_line_size
        self._max_field_size = max_field_size
        self._fallback_charset_resolver = fallback_charset_resolver
        self._expect100_timeout = expect100_timeout
        if proxy is None and isinstance(connector, SupportsDefaultProxy):
            proxy = connector.default_proxy
            if proxy_auth is None:
                proxy_auth = connector.default_proxy_auth
        self._default_proxy = URL(proxy) if isinstance(proxy, str) else proxy
        self._default_proxy_auth = proxy_auth
        self._trace_configs = list(trace_configs or ())
        for trace_config in self._trace_configs:
            trace_config.freeze()
        self._middlewares = tuple(middlewares)
        self._request_class = request_class
        self._response_class = response_class
        self._default_headers: CIMultiDict[str] = CIMultiDict(headers) if headers else CIMultiDict()
        self._skip_auto_headers = (
            frozenset(istr(h) for h in skip_auto_headers) if skip_auto_headers else frozenset()
        )
        self._skip_lower = frozenset(h.lower() for h in self._skip_auto_headers)

    def __repr__(self) -> str:
        return f"<ClientSession closed={self.closed}>"

    def __del__(self, _warnings: object = warnings) -> None:
        if not self.closed:
            warnings.warn(
                f"Unclosed client session {self!r} created at {self._created_at}",
                ResourceWarning,
                stacklevel=1,
            )

    # --- context managers ------------------------------------------------------------

    def __enter__(self) -> NoReturn:
        """Refused: a session must be closed asynchronously.

        Raises:
            TypeError: always; use ``async with ClientSession()``.
        """
        raise TypeError("Use async with ClientSession() instead of with")

    def __exit__(self, *args: object) -> None:  # pragma: no cover - __enter__ always raises
        """Never reached (see :meth:`__enter__`)."""

    async def __aenter__(self) -> ClientSession:
        """Return the session."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the session."""
        await self.close()

    # --- properties ------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once closed or detached."""
        return self._connector is None or self._connector.closed

    @property
    def connector(self) -> BaseConnector | None:
        """The connector (``None`` once detached)."""
        return self._connector

    @property
    def cookie_jar(self) -> AbstractCookieJar:
        """The cookie jar."""
        return self._cookie_jar

    @property
    def cookies(self) -> SimpleCookie:
        """Deprecated (0.21's documents; use :attr:`cookie_jar`): the jar's cookies, a copy.

        A :class:`http.cookies.SimpleCookie` of every cookie in the jar, made
        at each access: changing it does not change the jar, and a name set
        for several domains appears once.
        """
        warnings.warn(
            "ClientSession.cookies is deprecated, use ClientSession.cookie_jar instead",
            DeprecationWarning,
            stacklevel=2,
        )
        cookies: SimpleCookie = SimpleCookie()
        for morsel in self._cookie_jar:
            cookies[morsel.key] = morsel.copy()
        return cookies

    @property
    def version(self) -> HttpVersion:
        """The HTTP version of requests."""
        return self._version

    @property
    def requote_redirect_url(self) -> bool:
        """Whether ``Location`` URLs are re-quoted."""
        return self._requote_redirect_url

    @requote_redirect_url.setter
    def requote_redirect_url(self, value: bool) -> None:
        self._requote_redirect_url = value

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop of the session."""
        return self._loop

    @property
    def timeout(self) -> ClientTimeout:
        """The default timeouts."""
        return self._timeout

    @property
    def headers(self) -> CIMultiDict[str]:
        """The headers sent with every request."""
        return self._default_headers

    @property
    def skip_auto_headers(self) -> frozenset[istr]:
        """Auto headers never added."""
        return self._skip_auto_headers

    @property
    def auth(self) -> BasicAuth | None:
        """The default credentials."""
        return self._default_auth

    @property
    def json_serialize(self) -> JsonSerializer:
        """The serialiser of ``json=`` bodies."""
        return self._json_serialize

    @property
    def connector_owner(self) -> bool:
        """Whether closing the session closes the connector."""
        return self._connector_owner

    @property
    def raise_for_status(self) -> RaiseForStatus:
        """The default ``raise_for_status``."""
        return self._raise_for_status

    @property
    def auto_decompress(self) -> bool:
        """Whether bodies are decompressed."""
        return self._auto_decompress

    @property
    def trust_env(self) -> bool:
        """Whether ``.netrc`` (and, later, environment proxies) are used."""
        return self._trust_env

    @property
    def base_url(self) -> URL | None:
        """The base URL of relative request URLs."""
        return self._base_url

    @property
    def trace_configs(self) -> list[TraceConfig]:
        """The (frozen) trace configs."""
        return self._trace_configs

    @property
    def middlewares(self) -> tuple[ClientMiddlewareType, ...]:
        """The default client middlewares."""
        return self._middlewares

    # --- closing ---------------------------------------------------------------------

    async def close(self) -> None:
        """Close the session (and its connector if it owns it). Idempotent."""
        if self._connector is not None:
            if self._connector_owner and not self._connector.closed:
                await self._connector.close()
            self._connector = None

    def detach(self) -> None:
        """Forget the connector without closing it; the session counts as closed."""
        self._connector = None

    # --- requests --------------------------------------------------------------------

    def request(self, method: str, url: StrOrURL, **kwargs: Any) -> _RequestContextManager:
        """Send a request; await the result or use it with ``async with`` (see :meth:`_request`)."""
        return self._send(method, url, kwargs)

    def get(
        self, url: StrOrURL, *, allow_redirects: bool = True, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a ``GET`` request."""
        return self._send(hdrs.METH_GET, url, kwargs, allow_redirects=allow_redirects)

    def options(
        self, url: StrOrURL, *, allow_redirects: bool = True, **kwargs: Any
    ) -> _RequestContextManager:
        """Send an ``OPTIONS`` request."""
        return self._send(hdrs.METH_OPTIONS, url, kwargs, allow_redirects=allow_redirects)

    def head(
        self, url: StrOrURL, *, allow_redirects: bool = False, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a ``HEAD`` request (redirects not followed by default)."""
        return self._send(hdrs.METH_HEAD, url, kwargs, allow_redirects=allow_redirects)

    def post(self, url: StrOrURL, *, data: Any = None, **kwargs: Any) -> _RequestContextManager:
        """Send a ``POST`` request."""
        return self._send(hdrs.METH_POST, url, kwargs, data=data)

    def put(self, url: StrOrURL, *, data: Any = None, **kwargs: Any) -> _RequestContextManager:
        """Send a ``PUT`` request."""
        return self._send(hdrs.METH_PUT, url, kwargs, data=data)

    def patch(self, url: StrOrURL, *, data: Any = None, **kwargs: Any) -> _RequestContextManager:
        """Send a ``PATCH`` request."""
        return self._send(hdrs.METH_PATCH, url, kwargs, data=data)

    def delete(self, url: StrOrURL, **kwargs: Any) -> _RequestContextManager:
        """Send a ``DELETE`` request."""
        return self._send(hdrs.METH_DELETE, url, kwargs)

    def _send(
        self, method: str, url: StrOrURL, kwargs: dict[str, Any], **fixed: Any
    ) -> _RequestContextManager:
        """Start :meth:`_request`, after the older per-request arguments (0.21's documents).

        ``encoding`` is ignored and ``version`` sets this request's HTTP version,
        each with a :class:`DeprecationWarning` naming the caller's line.
        """
        if "encoding" in kwargs:
            del kwargs["encoding"]
            warnings.warn(
                "the encoding argument of requests is deprecated and ignored, "
                "decode with resp.text(encoding=...) instead",
                DeprecationWarning,
                stacklevel=3,
            )
        if "version" in kwargs:
            warnings.warn(
                "the version argument of requests is deprecated, "
                "use ClientSession(version=...) instead",
                DeprecationWarning,
                stacklevel=3,
            )
        return _RequestContextManager(self._request(method, url, **fixed, **kwargs))

    # --- WebSocket (begin: added by the WebSocket helper; see _ws_connect.py) ---------

    def ws_connect(self, url: StrOrURL, **kwargs: Any) -> _WSRequestContextManager:
        """Open a WebSocket (aiohttp 3.x's ``ClientSession.ws_connect``).

        Await the result or use it with ``async with``; the keyword arguments
        and the errors are those of :func:`aiohttp_client.ws_connect`
        (``WSServerHandshakeError`` when the server refuses the upgrade).
        """
        from ._ws_connect import ws_connect

        return ws_connect(self, url, **kwargs)

    # --- WebSocket (end) ---------------------------------------------------------------

    def _build_url(self, str_or_url: StrOrURL) -> URL:
        try:
            url = URL(str_or_url) if isinstance(str_or_url, str) else str_or_url
        except (ValueError, TypeError) as exc:
            raise InvalidUrlClientError(str_or_url) from exc
        if self._base_url is not None and not url.absolute:
            url = self._base_url.join(url)
        return url

    def _merge_headers(self, headers: LooseHeaders | None) -> CIMultiDict[str]:
        if not headers:
            copied: CIMultiDict[str] = self._default_headers.copy()
            return copied
        result: CIMultiDict[str] = CIMultiDict(self._default_headers)
        if headers:
            items = headers.items() if isinstance(headers, Mapping) else headers
            added: set[str] = set()
            for name, value in items:
                if name in added:
                    result.add(name, value)
                else:
                    result[name] = value
                    added.add(name)
        return result

    async def _request(
        self,
        method: str,
        str_or_url: StrOrURL,
        *,
        params: Any = None,
        data: Any = None,
        json: Any = None,
        cookies: LooseCookies | None = None,
        headers: LooseHeaders | None = None,
        skip_auto_headers: Iterable[str] | None = None,
        auth: BasicAuth | None = None,
        allow_redirects: bool = True,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        compress: bool | str | None = None,
        chunked: bool | None = None,
        expect100: bool = False,
        raise_for_status: RaiseForStatus | None = None,
        read_until_eof: bool = True,
        proxy: StrOrURL | None = None,
        proxy_auth: BasicAuth | None = None,
        timeout: ClientTimeout | float | Sentinel | None = SENTINEL,
        verify_ssl: bool | None = None,
        fingerprint: bytes | None = None,
        ssl_context: ssl_module.SSLContext | None = None,
        ssl: SSLSetting = True,
        server_hostname: str | None = None,
        proxy_headers: LooseHeaders | None = None,
        trace_request_ctx: Any = None,
        read_bufsize: int | None = None,
        auto_decompress: bool | None = None,
        max_line_size: int | None = None,
        max_field_size: int | None = None,
        middlewares: Sequence[ClientMiddlewareType] | None = None,
        version: HttpVersion | None = None,
    ) -> ClientResponse:
        """Send a request and return its response once the head arrived.

        Arguments are aiohttp 3.x's (see the README, "Sessions and requests",
        "Proxies", "Tracing", "Middlewares"). ``middlewares=None`` uses the
        session's, ``()`` none. ``version`` (``None``: the session's) is the
        older per-request HTTP version (see :meth:`_send`).

        Raises:
            RuntimeError: the session is closed.
            ValueError: a malformed proxy URL, or contradictory arguments.
            InvalidUrlClientError, NonHttpUrlClientError: a bad URL.
            ClientConnectorError: connecting failed.
            ClientResponseError: a malformed response, ``raise_for_status``,
                :class:`TooManyRedirects`.
            RedirectClientError: a redirect that cannot be followed.
            asyncio.TimeoutError: ``total`` expired; :class:`ConnectionTimeoutError`
                (``connect``, ``sock_connect``, ``pool``), :class:`SocketTimeoutError`
                (``sock_read``), :class:`ServerTimeoutError` (``write``).
        """
        if self.closed:
            raise RuntimeError("Session is closed")
        if proxy is None and self._default_proxy is not None:
            proxy = self._default_proxy
            if proxy_auth is None:
                proxy_auth = self._default_proxy_auth
        connector = self._connector
        assert connector is not None
        ssl_setting = merge_ssl(ssl, verify_ssl, ssl_context, fingerprint)
        traces = (
            make_traces(self, self._trace_configs, trace_request_ctx) if self._trace_configs else []
        )
        body = (
            make_body(data, json, self._json_serialize)
            if data is not None or json is not None
            else None
        )
        req_headers = self._merge_headers(headers)
        skip: frozenset[str] = self._skip_lower
        if skip_auto_headers:
            skip = skip | {h.lower() for h in skip_auto_headers}
        real_timeout = self._request_timeout(timeout)
        url = self._build_url(str_or_url)
        if params:
            url = add_params(url, params)
        if auth is None:
            auth = self._default_auth
        if auth is not None and hdrs.AUTHORIZATION in req_headers:
            raise ValueError(
                "Cannot combine AUTHORIZATION header with AUTH argument or credentials "
                "encoded in URL"
            )
        read_bufsize = read_bufsize if read_bufsize is not None else self._read_bufsize
        decompress = auto_decompress if auto_decompress is not None else self._auto_decompress
        line_size = max_line_size if max_line_size is not None else self._max_line_size
        field_size = max_field_size if max_field_size is not None else self._max_field_size
        loop = self._loop
        handle = TimeoutHandle(loop, real_timeout.total, ceil_threshold=real_timeout.ceil_threshold)
        timer_handle = handle.start()
        timer = handle.timer()
        history: list[ClientResponse] = []
        resp: ClientResponse
        request_cookies = cookies
        first = True
        if middlewares is None:
            middlewares = self._middlewares
        try:
            for trace in traces:
                await trace.send_request_start(method, url, req_headers)
            with timer:
                while True:
                    if url.scheme not in ("http", "https"):
                        if url.scheme in _WS_SCHEMES:
                            # A WebSocket URL is requested (and redirected to) over HTTP.
                            url = url.with_scheme(_WS_SCHEMES[url.scheme])
                        elif first:
                            raise NonHttpUrlClientError(url)
                        else:
                            raise RedirectClientError(f"cannot follow a redirect to {url}")
                    first = False
                    url_auth = BasicAuth.from_url(url) if url.raw_user else None
                    request_auth = auth
                    if url_auth is not None:
                        if auth is not None:
                            raise ValueError(
                                "Cannot combine AUTH argument with credentials encoded in URL"
                            )
                        request_auth = url_auth
                        url = url.with_user(None)
                    if (
                        request_auth is None
                        and self._trust_env
                        and url.host is not None
                        and hdrs.AUTHORIZATION not in req_headers
                    ):
                        request_auth = get_netrc_auth(url.host)
                    hop_proxy, hop_proxy_auth = select_proxy(
                        url, proxy, proxy_auth, trust_env=self._trust_env
                    )
                    jar = self._cookie_jar
                    req = self._request_class(
                        method,
                        url,
                        headers=req_headers,
                        skip_auto_headers=skip,
                        body=body,
                        cookies=request_cookies,
                        jar_cookies=jar.filter_cookies(url) if len(jar) else None,
                        auth=request_auth,
                        version=self._version if version is None else version,
                        compress=compress,
                        chunked=chunked,
                        expect100=expect100,
                        ssl=ssl_setting,
                        server_hostname=server_hostname,
                        force_close=connector.force_close,
                        proxy=hop_proxy,
                        proxy_auth=hop_proxy_auth,
                        proxy_headers=proxy_headers,
                        traces=traces,
                    )
                    send_options = (
                        read_until_eof,
                        decompress,
                        read_bufsize,
                        line_size,
                        field_size,
                        real_timeout.sock_read,
                        real_timeout.write,
                        timer,
                        self._expect100_timeout,
                    )
                    sender = RequestSender(
                        connector,
                        real_timeout,
                        send_options,
                        loop=loop,
                        response_class=self._response_class,
                        fallback_charset_resolver=self._fallback_charset_resolver,
                        traces=traces,
                    )
                    if middlewares:
                        chain = build_client_middlewares(sender, middlewares)
                        resp = await chain(req)
                    else:
                        resp = await sender(req)
                    if hdrs.SET_COOKIE in resp.headers:
                        jar.update_cookies_from_headers(
                            resp.headers.getall(hdrs.SET_COOKIE), resp.url
                        )
                    if resp.status not in REDIRECT_STATUSES or not allow_redirects:
                        break
                    location = resp.headers.get(hdrs.LOCATION) or resp.headers.get(hdrs.URI)
                    if location is None:
                        break
                    history.append(resp)
                    resp.release()
                    for trace in traces:
                        await trace.send_request_redirect(method, url, req_headers, resp)
                    if max_redirects and len(history) >= max_redirects:
                        raise TooManyRedirects(
                            history[0].request_info,
                            tuple(history),
                            status=resp.status,
                            message=f"Exceeded max_redirects={max_redirects}",
                        )
                    target = resolve_location(url, location, requote=self._requote_redirect_url)
                    new_method, keep_body = redirect_method(resp.status, method)
                    if not keep_body:
                        body = None
                        strip_body_headers(req_headers)
                    elif body is not None and not body.replayable:
                        raise RedirectClientError(
                            f"cannot follow the {resp.status} redirect to {target}: the request "
                            f"body ({body.kind}) was already sent and cannot be sent again"
                        )
                    method = new_method
                    if not same_origin(url, target):
                        auth = None
                        request_cookies = None
                        strip_credentials(req_headers)
                    url = target
                    params = None
        except BaseException as exc:
            if timer_handle is not None:
                timer_handle.cancel()
            handle.close()
            for trace in traces:
                await trace.send_request_exception(method, url, req_headers, exc)
            raise
        resp._history = tuple(history)
        if timer_handle is not None:
            resp._on_released = timer_handle.cancel
            if resp.closed:
                timer_handle.cancel()
        check = raise_for_status if raise_for_status is not None else self._raise_for_status
        if check is True:
            resp.raise_for_status()
        elif check:
            try:
                await check(resp)
            except BaseException:
                resp.release()
                raise
        for trace in traces:
            await trace.send_request_end(method, url, req_headers, resp)
        return resp

    def _request_timeout(self, timeout: ClientTimeout | float | Sentinel | None) -> ClientTimeout:
        if timeout is SENTINEL:
            return self._timeout
        if timeout is None:
            return ClientTimeout()
        if isinstance(timeout, ClientTimeout):
            return timeout
        return ClientTimeout(total=timeout)


def _check_classes(
    request_class: type[ClientRequest],
    response_class: type[ClientResponse],
    ws_response_class: type[ClientWebSocketResponse] | None,
) -> None:
    """Refuse request/response classes the session cannot build (TypeError says which)."""
    if not (isinstance(request_class, type) and issubclass(request_class, ClientRequest)):
        raise TypeError(f"request_class must be a subclass of ClientRequest, got {request_class!r}")
    if not (isinstance(response_class, type) and issubclass(response_class, ClientResponse)):
        raise TypeError(
            f"response_class must be a subclass of ClientResponse, got {response_class!r}"
        )
    if ws_response_class is not None:
        from ._ws_connect import ClientWebSocketResponse

        if not (
            isinstance(ws_response_class, type)
            and issubclass(ws_response_class, ClientWebSocketResponse)
        ):
            raise TypeError(
                "ws_response_class must be a subclass of ClientWebSocketResponse, "
                f"got {ws_response_class!r}"
            )
