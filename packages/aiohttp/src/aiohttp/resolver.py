"""``aiohttp.resolver``: host name resolvers (from aiohttp-client)."""

from __future__ import annotations

from aiohttp_client import AsyncResolver, DefaultResolver, ThreadedResolver

__all__ = ["AsyncResolver", "DefaultResolver", "ThreadedResolver"]
