"""aiohttp-client: aiohttp's HTTP and WebSocket client as a standalone package."""

from __future__ import annotations

__version__ = "1.0.0"

__all__ = ["__version__"]
