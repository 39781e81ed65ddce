"""``aiohttp.typedefs``: the type aliases of aiohttp's client API.

``LooseHeaders``, ``LooseCookies`` (with its ``LooseCookiesMappings`` and
``LooseCookiesIterables`` shapes) and ``StrOrURL`` come from aiohttp-client,
``RawHeaders`` from aiohttp-http; the JSON and path aliases are defined here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from aiohttp_client import (
    LooseCookies,
    LooseCookiesIterables,
    LooseCookiesMappings,
    LooseHeaders,
    StrOrURL,
)
from aiohttp_http import RawHeaders

#: Serialises an object to JSON text (``json.dumps`` by default).
JSONEncoder = Callable[[Any], str]
#: Parses JSON text (``json.loads`` by default).
JSONDecoder = Callable[[str], Any]
#: The default JSON serialiser of sessions and payloads.
DEFAULT_JSON_ENCODER: JSONEncoder = json.dumps
#: The default JSON parser of ``ClientResponse.json()``.
DEFAULT_JSON_DECODER: JSONDecoder = json.loads
#: A file system path.
PathLike = str | os.PathLike[str]
#: Bytes-like values accepted as bodies.
Byteish = bytes | bytearray | memoryview

__all__ = [
    "DEFAULT_JSON_DECODER",
    "DEFAULT_JSON_ENCODER",
    "Byteish",
    "JSONDecoder",
    "JSONEncoder",
    "LooseCookies",
    "LooseCookiesIterables",
    "LooseCookiesMappings",
    "LooseHeaders",
    "PathLike",
    "RawHeaders",
    "StrOrURL",
]
