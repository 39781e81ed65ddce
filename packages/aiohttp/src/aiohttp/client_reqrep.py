"""``aiohttp.client_reqrep``: requests, responses and their helpers (from aiohttp-client)."""

from __future__ import annotations

from aiohttp_client import (
    ClientRequest,
    ClientResponse,
    ConnectionKey,
    ContentDisposition,
    Fingerprint,
    RequestInfo,
)

__all__ = [
    "ClientRequest",
    "ClientResponse",
    "ConnectionKey",
    "ContentDisposition",
    "Fingerprint",
    "RequestInfo",
]
