"""The client's opening handshake: send the upgrade request, read the answer's head.

The upgrade request is built like every session request (default headers,
cookies from the jar, credentials from the URL, ``auth`` or ``.netrc``, TLS
settings, proxy: an explicit one, the session's, or with ``trust_env`` the
environment's; ``wss`` goes through a ``CONNECT`` tunnel, ``ws`` in absolute
form) and sent on a fresh connection lent by the session's connector.
Before the request is written the transport is moved to an
:class:`aiohttp_ws.FlowControlProtocol`, so the ``101`` head and whatever
frames follow it, in the same or later packets, are all kept for the
WebSocket: nothing the server sends right after switching protocols can be
lost or misread as HTTP. The session's timeouts apply: ``connect`` to
getting the connection, ``total`` to the whole handshake.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict
from yarl import URL

from aiohttp_http import (
    BadHttpMessage,
    HttpResponseParser,
    RawResponseMessage,
    hdrs,
    serialize_request_head,
)
from aiohttp_ws import FlowControlProtocol, WebSocketError

from ._auth import BasicAuth
from ._connection import Connection
from ._exceptions import (
    ClientResponseError,
    ConnectionTimeoutError,
    InvalidUrlClientError,
    NonHttpUrlClientError,
    ServerDisconnectedError,
    ServerTimeoutError,
    SocketTimeoutError,
)
from ._helpers import add_params, merge_ssl
from ._netrc import get_netrc_auth
from ._proxy import select_proxy
from ._request import ClientRequest
from ._timeouts import timeout_after
from ._tracing import make_traces
from ._typedefs import LooseHeaders, StrOrURL

if TYPE_CHECKING:
    from ._connector import BaseConnector
    from ._session import ClientSession

__all__ = ["UpgradeAnswer", "send_upgrade_request"]

_WS_SCHEMES = {"ws": "http", "wss": "https"}


@dataclass
class UpgradeAnswer:
    """The sent upgrade request and the head of the server's answer.

    Attributes:
        request: the request as sent (its ``request_info`` names it in errors).
        message: the parsed response head.
        connection: the connection, now carried by ``flow``; close it to
            give its slot back to the connector.
        flow: the transport's protocol, holding the bytes after the head.
    """

    request: ClientRequest
    message: RawResponseMessage
    connection: Connection
    flow: FlowControlProtocol


def _build_url(session: ClientSession, url: StrOrURL, params: Any) -> URL:
    try:
        parsed = URL(url) if isinstance(url, str) else url
    except (ValueError, TypeError) as exc:
        raise InvalidUrlClientError(url) from exc
    base = session.base_url
    if base is not None and not parsed.absolute:
        parsed = base.join(parsed)
    if parsed.scheme in _WS_SCHEMES:
        parsed = parsed.with_scheme(_WS_SCHEMES[parsed.scheme])
    if parsed.scheme not in ("http", "https"):
        raise NonHttpUrlClientError(parsed)
    if params:
        parsed = add_params(parsed, params)
    return parsed


def _merge_headers(session: ClientSession, given: CIMultiDict[str]) -> CIMultiDict[str]:
    headers: CIMultiDict[str] = CIMultiDict(session.headers)
    added: set[str] = set()
    for name, value in given.items():
        if name in added:
            headers.add(name, value)
        else:
            headers[name] = value
            added.add(name)
    return headers


async def send_upgrade_request(
    session: ClientSession,
    method: str,
    url: StrOrURL,
    headers: CIMultiDict[str],
    *,
    params: Any = None,
    auth: BasicAuth | None = None,
    proxy: StrOrURL | None = None,
    proxy_auth: BasicAuth | None = None,
    proxy_headers: LooseHeaders | None = None,
    ssl: Any = True,
    verify_ssl: bool | None = None,
    fingerprint: bytes | None = None,
    ssl_context: Any = None,
    server_hostname: str | None = None,
) -> UpgradeAnswer:
    """Send an upgrade request with ``session``'s settings; return the answer's head.

    Raises:
        RuntimeError: the session is closed.
        ValueError: a malformed proxy URL, or contradictory credentials or
            TLS settings.
        InvalidUrlClientError, NonHttpUrlClientError: a bad URL.
        ClientConnectorError: connecting failed.
        ConnectionTimeoutError: the session's ``connect`` timeout expired.
        ServerTimeoutError: the session's ``total`` timeout expired.
        ServerDisconnectedError: the connection closed before the head ended.
        ClientResponseError: the head is malformed or too large.
    """
    connector = session.connector
    if session.closed or connector is None:
        raise RuntimeError("Session is closed")
    ssl_setting = merge_ssl(ssl, verify_ssl, ssl_context, fingerprint)
    real_url = _build_url(session, url, params)
    if auth is None:
        auth = session.auth
    if real_url.raw_user:
        if auth is not None:
            raise ValueError("Cannot combine AUTH argument with credentials encoded in URL")
        auth = BasicAuth.from_url(real_url)
        real_url = real_url.with_user(None)
    merged = _merge_headers(session, headers)
    if auth is not None and hdrs.AUTHORIZATION in merged:
        raise ValueError(
            "Cannot combine AUTHORIZATION header with AUTH argument or credentials encoded in URL"
        )
    if auth is None and session.trust_env and real_url.host and hdrs.AUTHORIZATION not in merged:
        auth = get_netrc_auth(real_url.host)
    if proxy is None and session._default_proxy is not None:
        proxy = session._default_proxy
        if proxy_auth is None:
            proxy_auth = session._default_proxy_auth
    hop_proxy, hop_proxy_auth = select_proxy(
        real_url, proxy, proxy_auth, trust_env=session.trust_env
    )
    jar = session.cookie_jar
    configs = session.trace_configs
    traces = make_traces(session, configs) if configs else []
    for trace in traces:
        await trace.send_request_start(method, real_url, merged)
    try:
        req = ClientRequest(
            method,
            real_url,
            headers=merged,
            skip_auto_headers=session.skip_auto_headers,
            jar_cookies=jar.filter_cookies(real_url) if len(jar) else None,
            auth=auth,
            version=session.version,
            ssl=ssl_setting,
            server_hostname=server_hostname,
            proxy=hop_proxy,
            proxy_auth=hop_proxy_auth,
            proxy_headers=proxy_headers,
            traces=traces,
        )
        answer = await _exchange(session, connector, req)
    except Exception as exc:
        for trace in traces:
            await trace.send_request_exception(method, real_url, merged, exc)
        raise
    headers_in = answer.message.headers
    if hdrs.SET_COOKIE in headers_in:
        jar.update_cookies_from_headers(headers_in.getall(hdrs.SET_COOKIE), real_url)
    return answer


async def _exchange(
    session: ClientSession, connector: BaseConnector, req: ClientRequest
) -> UpgradeAnswer:
    """Get a fresh connection, write the request, read the answer's head (all bounded)."""
    timeout = session.timeout
    url = req.url
    try:
        async with timeout_after(
            timeout.total,
            exc_type=ServerTimeoutError,
            message=f"Timeout of the WebSocket handshake with {url}",
            ceil_threshold=timeout.ceil_threshold,
        ):
            async with timeout_after(
                timeout.connect,
                exc_type=ConnectionTimeoutError,
                message=f"Connection timeout to host {url}",
                ceil_threshold=timeout.ceil_threshold,
            ):
                connection = await connector._acquire(req, timeout, reuse=False, traces=req.traces)
            try:
                flow = _take_over(connection)
                transport = flow.transport
                assert transport is not None
                transport.write(
                    serialize_request_head(req.method, req._target(), req.headers, req.version)
                )
                async with timeout_after(
                    timeout.sock_read,
                    exc_type=SocketTimeoutError,
                    message=f"Timeout on reading the WebSocket handshake from {url}",
                ):
                    message = await _read_head(req, flow)
            except BaseException:
                connection.close()
                raise
    except asyncio.TimeoutError as exc:
        if isinstance(exc, ServerTimeoutError):
            raise
        raise ServerTimeoutError(f"Timeout of the WebSocket handshake with {url}") from exc
    return UpgradeAnswer(req, message, connection, flow)


class _HandedOverProtocol(FlowControlProtocol):
    """The WebSocket protocol of a connection taken from the connector.

    The connection's first protocol no longer hears from the transport; it
    is told when the connection is lost, so that the connector (which waits
    for that when it closes) knows.
    """

    def __init__(self, previous: asyncio.BaseProtocol) -> None:
        super().__init__()
        self._previous = previous

    def connection_lost(self, exc: Exception | None) -> None:
        """End the WebSocket's queue, then tell the connection's first protocol."""
        super().connection_lost(exc)
        self._previous.connection_lost(exc)


def _take_over(connection: Connection) -> FlowControlProtocol:
    """Move the connection's transport to a fresh WebSocket protocol."""
    transport = connection.transport
    previous = connection.protocol
    if transport is None or previous is None or transport.is_closing():
        raise ServerDisconnectedError("the connection closed before the upgrade request")
    flow = _HandedOverProtocol(previous)
    transport.set_protocol(flow)
    flow.connection_made(transport)
    transport.resume_reading()
    return flow


async def _read_head(req: ClientRequest, flow: FlowControlProtocol) -> RawResponseMessage:
    """Wait for the answer's head and parse it."""
    try:
        head = await flow.read_head()
    except ConnectionResetError as exc:
        raise ServerDisconnectedError("Server disconnected during the WebSocket handshake") from exc
    except WebSocketError as exc:
        raise ClientResponseError(req.request_info, (), status=400, message=str(exc)) from exc
    parser = HttpResponseParser(request_method=req.method, lenient=True)
    try:
        events = parser.feed_data(head)
    except BadHttpMessage as exc:
        raise ClientResponseError(
            req.request_info, (), status=exc.code or 400, message=exc.message
        ) from exc
    for event in events:
        if isinstance(event, RawResponseMessage):
            return event
    raise ClientResponseError(req.request_info, (), status=400, message="incomplete response head")
