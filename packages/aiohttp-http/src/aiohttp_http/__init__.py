"""aiohttp-http: the HTTP/1.1 engine under aiohttp's client.

Sans-IO request and response parsers and writers, asyncio streams with flow
control, payloads, ``hdrs`` constants and the HTTP exception types.
"""

from __future__ import annotations

__version__ = "1.0.0"

__all__ = ["__version__"]
