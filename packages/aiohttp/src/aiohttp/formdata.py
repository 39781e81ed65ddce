"""``aiohttp.formdata``: form bodies, urlencoded or multipart (from aiohttp-multipart)."""

from __future__ import annotations

from aiohttp_multipart import FormData

__all__ = ["FormData"]
