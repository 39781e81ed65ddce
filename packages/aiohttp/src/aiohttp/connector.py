"""``aiohttp.connector``: the connection pool and its connectors (from aiohttp-client)."""

from __future__ import annotations

from aiohttp_client import BaseConnector, Connection, TCPConnector, UnixConnector

__all__ = ["BaseConnector", "Connection", "TCPConnector", "UnixConnector"]
