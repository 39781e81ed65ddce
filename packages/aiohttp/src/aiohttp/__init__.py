"""aiohttp: the umbrella over aiohttp-http, aiohttp-ws, aiohttp-multipart and aiohttp-client.

``import aiohttp`` offers aiohttp 3.x's client API and module paths; the
implementation lives in the four packages it depends on. ``python -m aiohttp``
prints the installed distributions and their dependency graph.
"""

from __future__ import annotations

__version__ = "1.0.0"

__all__ = ["__version__"]
