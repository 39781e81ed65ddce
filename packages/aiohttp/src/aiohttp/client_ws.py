"""``aiohttp.client_ws``: the client WebSocket and its timeouts (from aiohttp-client)."""

from __future__ import annotations

from aiohttp_client import DEFAULT_WS_CLIENT_TIMEOUT, ClientWebSocketResponse, ClientWSTimeout

__all__ = ["DEFAULT_WS_CLIENT_TIMEOUT", "ClientWSTimeout", "ClientWebSocketResponse"]
