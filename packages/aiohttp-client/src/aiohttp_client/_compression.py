"""One switch for the zlib backend of the whole client (aiohttp 3.12's ``set_zlib_backend``).

aiohttp-http (body decoding and compression, and through it
aiohttp-multipart) and aiohttp-ws (permessage-deflate) each keep their own
backend, as neither may import the other; this sets both together.
"""

from __future__ import annotations

import aiohttp_http
import aiohttp_ws

__all__ = ["set_zlib_backend"]


def set_zlib_backend(lib: object) -> None:
    """Use ``lib``, a zlib-compatible module, for every deflate and gzip stream.

    ``lib`` is, for instance, ``zlib_ng.zlib_ng`` or ``isal.isal_zlib``:
    HTTP body decoding and request/response compression (aiohttp-http),
    multipart part encodings (aiohttp-multipart) and WebSocket
    permessage-deflate (aiohttp-ws) use it for every stream started
    afterwards. ``set_zlib_backend(zlib)`` restores the standard library's.

    Raises:
        TypeError: ``lib`` lacks a function, constant or the ``error`` class
            zlib offers (the message names each); nothing is changed.
    """
    previous = aiohttp_http.get_zlib_backend()
    aiohttp_http.set_zlib_backend(lib)
    try:
        aiohttp_ws.set_zlib_backend(lib)
    except BaseException:
        aiohttp_http.set_zlib_backend(previous)
        raise
