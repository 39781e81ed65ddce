"""``aiohttp.cookiejar``: the cookie jars (from aiohttp-client)."""

from __future__ import annotations

from aiohttp_client import CookieJar, DummyCookieJar

__all__ = ["CookieJar", "DummyCookieJar"]
