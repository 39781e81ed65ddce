"""aiohttp-http: the HTTP/1.1 engine under aiohttp's client.

Sans-IO request and response parsers and writers, asyncio streams with flow
control, payloads, ``hdrs`` constants and the HTTP exception types.
"""

from __future__ import annotations

__version__ = "1.0.0"

# --- sans-IO engine: parsing, writing, decoding, errors ----------------------
# (engine imports go here)

# --- asyncio layer, payloads, hdrs, helpers ----------------------------------
# (io imports go here)

__all__ = [
    "__version__",
    # engine names:
    # io names:
]
