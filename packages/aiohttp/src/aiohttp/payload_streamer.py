"""``aiohttp.payload_streamer``: the ``@streamer`` decorator (from aiohttp-http; deprecated there too)."""

from __future__ import annotations

from aiohttp_http import StreamWrapperPayload, streamer

__all__ = ["StreamWrapperPayload", "streamer"]
