"""``aiohttp.client_proto``: the protocol of a client connection (from aiohttp-client).

:class:`ResponseHandler` is the asyncio protocol each pooled connection runs:
it parses responses with aiohttp-http's parser and feeds their bodies to the
response streams. Custom connectors return one from ``_create_connection``.
"""

from __future__ import annotations

from aiohttp_client import ResponseHandler

__all__ = ["ResponseHandler"]
