"""``aiohttp.base_protocol``: the write flow-control protocol (from aiohttp-http)."""

from __future__ import annotations

from aiohttp_http import BaseProtocol

__all__ = ["BaseProtocol"]
