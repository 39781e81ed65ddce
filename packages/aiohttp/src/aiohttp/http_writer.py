"""``aiohttp.http_writer``: the HTTP message writer and versions (from aiohttp-http)."""

from __future__ import annotations

from aiohttp_http import HttpVersion, HttpVersion10, HttpVersion11, StreamWriter

__all__ = ["HttpVersion", "HttpVersion10", "HttpVersion11", "StreamWriter"]
