"""aiohttp-ws: a dependency-free WebSocket protocol engine (RFC 6455, RFC 7692).

The frame reader and writer are sans-IO; asyncio adapters sit on top of them.
"""

from __future__ import annotations

__version__ = "1.0.0"

__all__ = ["__version__"]
