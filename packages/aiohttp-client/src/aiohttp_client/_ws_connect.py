"""The client side of a WebSocket: ``ws_connect`` and ``ClientWebSocketResponse``.

:func:`ws_connect` sends the upgrade request as an ordinary session request
(``ClientSession._request``): default headers, cookies, auth and ``.netrc``,
TLS, proxies (``ws``/``wss`` read ``WS_PROXY``/``WSS_PROXY`` with
``trust_env``), timeouts, redirects, middlewares and every trace signal
apply as for any request. It validates the ``101`` answer with
:func:`aiohttp_ws.validate_upgrade_response` and moves the connection to the
WebSocket (``_ws_handshake.take_over``); the bytes that followed the ``101``
head are parsed first. The connection keeps its slot in the connector until
the WebSocket closes, and is then closed, never pooled. Any final status
other than ``101`` is a :class:`WSServerHandshakeError`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Generator, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp_http import hdrs
from aiohttp_ws import (
    DEFAULT_MAX_MSG_SIZE,
    PerMessageDeflate,
    WSHandshakeError,
    client_request_headers,
    generate_key,
    validate_upgrade_response,
)

from ._auth import BasicAuth
from ._connection import Connection
from ._exceptions import WSServerHandshakeError
from ._proxy import select_proxy
from ._timeouts import DEFAULT_WS_CLIENT_TIMEOUT, ClientWSTimeout
from ._typedefs import LooseHeaders, StrOrURL
from ._websocket import WebSocketConnection
from ._ws_handshake import take_over

if TYPE_CHECKING:
    import ssl as ssl_module
    from collections.abc import Coroutine

    from ._fingerprint import Fingerprint
    from ._session import ClientSession

__all__ = ["ClientWebSocketResponse", "ws_connect"]

_SENTINEL: Any = object()
_WS_SCHEMES = {"ws": "http", "wss": "https"}


class ClientWebSocketResponse(WebSocketConnection):
    """A client WebSocket (aiohttp 3.x's ``ClientWebSocketResponse``).

    Made by :meth:`ClientSession.ws_connect`, never by hand. Use it with
    ``async with`` (closes it on exit) or call :meth:`close`. Everything else
    comes from :class:`WebSocketConnection`: :meth:`receive`,
    :meth:`send_str`, :meth:`ping`, async iteration...

    Args:
        connection: the connection the WebSocket took over (closed with it).
        url: the URL of the upgrade request.
        response_headers: the headers of the ``101`` answer.
        timeout: ``ws_receive`` bounds :meth:`receive`, ``ws_close`` the
            wait for the server's CLOSE.
        autoclose, autoping, heartbeat: see :class:`WebSocketConnection`.
    """

    def __init__(
        self,
        connection: Connection,
        url: URL,
        response_headers: CIMultiDictProxy[str],
        *,
        timeout: ClientWSTimeout = DEFAULT_WS_CLIENT_TIMEOUT,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: float | None = None,
    ) -> None:
        super().__init__(
            autoclose=autoclose,
            autoping=autoping,
            heartbeat=heartbeat,
            receive_timeout=timeout.ws_receive,
            close_timeout=timeout.ws_close,
        )
        self._connection = connection
        self._url = url
        self._response_headers = response_headers
        self._timeout = timeout

    @property
    def url(self) -> URL:
        """The URL of the upgrade request (``http``/``https``)."""
        return self._url

    @property
    def response_headers(self) -> CIMultiDictProxy[str]:
        """The headers of the server's ``101`` answer."""
        return self._response_headers

    @property
    def timeout(self) -> ClientWSTimeout:
        """The :class:`ClientWSTimeout` of this WebSocket."""
        return self._timeout

    async def __aenter__(self) -> ClientWebSocketResponse:
        """Return self."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        """Close the WebSocket."""
        await self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<ClientWebSocketResponse {self._url} {state}>"


class _WSRequestContextManager:
    """What ``ws_connect()`` returns: await it, or ``async with`` it (closed on exit)."""

    __slots__ = ("_coro", "_ws")

    def __init__(self, coro: Coroutine[Any, Any, ClientWebSocketResponse]) -> None:
        self._coro = coro
        self._ws: ClientWebSocketResponse | None = None

    def __await__(self) -> Generator[Any, None, ClientWebSocketResponse]:
        return self._coro.__await__()

    def send(self, arg: Any) -> Any:
        """Coroutine protocol: forwarded to the wrapped coroutine."""
        return self._coro.send(arg)

    def throw(self, *args: Any) -> Any:
        """Coroutine protocol: forwarded to the wrapped coroutine."""
        return self._coro.throw(*args)

    def close(self) -> None:
        """Close the wrapped coroutine (it never ran or was abandoned)."""
        self._coro.close()

    async def __aenter__(self) -> ClientWebSocketResponse:
        """Connect and return the WebSocket."""
        self._ws = await self._coro
        return self._ws

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        """Close the WebSocket."""
        if self._ws is not None:
            await self._ws.close()


def _ws_timeout(timeout: Any, receive_timeout: float | None) -> ClientWSTimeout:
    if timeout is _SENTINEL:
        result = DEFAULT_WS_CLIENT_TIMEOUT
    elif isinstance(timeout, ClientWSTimeout):
        result = timeout
    else:
        warnings.warn(
            "parameter 'timeout' of type 'float' is deprecated, please use "
            "'timeout=ClientWSTimeout(ws_close=...)'",
            DeprecationWarning,
            stacklevel=4,
        )
        result = ClientWSTimeout(ws_close=timeout)
    if receive_timeout is not None:
        warnings.warn(
            "float parameter 'receive_timeout' is deprecated, please use parameter "
            "'timeout=ClientWSTimeout(ws_receive=...)'",
            DeprecationWarning,
            stacklevel=4,
        )
        result = dataclasses.replace(result, ws_receive=receive_timeout)
    return result


def _deflate_offer(compress: int) -> PerMessageDeflate | None:
    if not compress:
        return None
    if not 9 <= compress <= 15:
        raise ValueError(f"compress must be 0 or window bits 9 to 15, got {compress}")
    # We accept any client window the server asks for; a smaller server window is asked.
    return PerMessageDeflate(
        server_max_window_bits=compress if compress < 15 else None,
        client_max_window_bits_offered=True,
    )


def ws_connect(
    session: ClientSession,
    url: StrOrURL,
    *,
    method: str = hdrs.METH_GET,
    protocols: Iterable[str] = (),
    timeout: ClientWSTimeout | float = _SENTINEL,
    receive_timeout: float | None = None,
    autoclose: bool = True,
    autoping: bool = True,
    heartbeat: float | None = None,
    auth: BasicAuth | None = None,
    origin: str | None = None,
    params: Any = None,
    headers: LooseHeaders | None = None,
    proxy: StrOrURL | None = None,
    proxy_auth: BasicAuth | None = None,
    ssl: ssl_module.SSLContext | bool | Fingerprint | None = True,
    verify_ssl: bool | None = None,
    fingerprint: bytes | None = None,
    ssl_context: ssl_module.SSLContext | None = None,
    server_hostname: str | None = None,
    proxy_headers: LooseHeaders | None = None,
    compress: int = 0,
    max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
) -> _WSRequestContextManager:
    """Open a WebSocket to ``url`` with ``session``; await the result or ``async with`` it.

    Args:
        session: the :class:`ClientSession` whose connector, cookies, default
            headers and timeouts the upgrade request uses.
        url: ``ws``/``wss`` (sent as ``http``/``https``) or ``http``/``https`` URL.
        method: the request method (GET).
        protocols: subprotocols offered, in our order of preference.
        timeout: a :class:`ClientWSTimeout`; a float (deprecated) is ``ws_close``.
        receive_timeout: deprecated, ``ClientWSTimeout.ws_receive``.
        autoclose, autoping, heartbeat: see :class:`WebSocketConnection`.
        auth, params, headers, proxy, proxy_auth, ssl, verify_ssl,
            fingerprint, ssl_context, server_hostname, proxy_headers: as for
            :meth:`ClientSession.request`.
        origin: the ``Origin`` header.
        compress: offer permessage-deflate with this window (9–15; 0: off).
        max_msg_size: the largest incoming message (1009 above; 0: no limit).

    Raises:
        WSServerHandshakeError: the server refused or botched the upgrade
            (``status`` is the response's; the message says what was wrong).
        ValueError: ``compress`` outside 9–15.
        ClientError: whatever the request itself raised.
    """
    return _WSRequestContextManager(
        _ws_connect(
            session,
            url,
            method=method,
            protocols=tuple(protocols),
            ws_timeout=_ws_timeout(timeout, receive_timeout),
            autoclose=autoclose,
            autoping=autoping,
            heartbeat=heartbeat,
            request_options={
                "auth": auth,
                "params": params,
                "proxy": proxy,
                "proxy_auth": proxy_auth,
                "ssl": ssl,
                "verify_ssl": verify_ssl,
                "fingerprint": fingerprint,
                "ssl_context": ssl_context,
                "server_hostname": server_hostname,
                "proxy_headers": proxy_headers,
            },
            origin=origin,
            headers=headers,
            compress=compress,
            max_msg_size=max_msg_size,
        )
    )


async def _ws_connect(
    session: ClientSession,
    url: StrOrURL,
    *,
    method: str,
    protocols: tuple[str, ...],
    ws_timeout: ClientWSTimeout,
    autoclose: bool,
    autoping: bool,
    heartbeat: float | None,
    request_options: dict[str, Any],
    origin: str | None,
    headers: LooseHeaders | None,
    compress: int,
    max_msg_size: int,
) -> ClientWebSocketResponse:
    offer = _deflate_offer(compress)
    key = generate_key()
    real_headers: CIMultiDict[str] = CIMultiDict(headers) if headers else CIMultiDict()
    for name, value in client_request_headers(key, protocols=protocols, deflate=offer):
        if name in (hdrs.UPGRADE, hdrs.CONNECTION, hdrs.SEC_WEBSOCKET_VERSION):
            real_headers.setdefault(name, value)
        else:
            real_headers[name] = value
    if origin is not None:
        real_headers[hdrs.ORIGIN] = origin
    requested = session._build_url(url)
    scheme = _WS_SCHEMES.get(requested.scheme)
    target = requested.with_scheme(scheme) if scheme is not None else requested
    if (
        scheme is not None
        and request_options["proxy"] is None
        and session._default_proxy is None
        and session.trust_env
    ):
        # WS_PROXY / WSS_PROXY name the proxies of ws:// and wss:// (each falling back
        # to HTTP_PROXY / HTTPS_PROXY), with NO_PROXY applied as for any request.
        proxy, proxy_auth = select_proxy(
            requested, None, request_options["proxy_auth"], trust_env=True
        )
        if proxy is not None:
            request_options = {**request_options, "proxy": proxy, "proxy_auth": proxy_auth}
    resp = await session._request(
        method, target, headers=real_headers, read_until_eof=False, **request_options
    )
    try:
        if resp.status != 101:
            raise WSServerHandshakeError(
                resp.request_info,
                resp.history,
                status=resp.status,
                message="Invalid response status",
                headers=resp.headers,
            )
        try:
            agreed = validate_upgrade_response(
                resp.status, resp.headers, key=key, protocols=protocols, deflate=offer
            )
        except WSHandshakeError as exc:
            raise WSServerHandshakeError(
                resp.request_info,
                resp.history,
                status=resp.status,
                message=str(exc),
                headers=resp.headers,
            ) from exc
        connection, tail = resp._take_upgraded()
    except BaseException:
        resp.close()
        raise
    try:
        flow = take_over(connection, tail)
        ws_class = session._ws_response_class or ClientWebSocketResponse
        ws = ws_class(
            connection,
            resp.url,
            resp.headers,
            timeout=ws_timeout,
            autoclose=autoclose,
            autoping=autoping,
            heartbeat=heartbeat,
        )
        ws.start(
            flow,
            is_server=False,
            protocol=agreed.protocol,
            deflate=agreed.deflate,
            max_msg_size=max_msg_size,
            release=connection.close,
        )
    except BaseException:
        connection.close()
        raise
    return ws
