"""aiohttp-multipart: streaming multipart reader and writer, FormData.

Usable on its own from any framework: a sans-IO push parser, an async reader
over any byte source, a writer and Content-Disposition helpers.
"""

from __future__ import annotations

__version__ = "1.0.0"

__all__ = ["__version__"]
