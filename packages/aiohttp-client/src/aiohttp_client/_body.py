"""Request bodies: turn ``data=`` / ``json=`` into a payload, and know if it can be re-sent."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp_http import (
    AsyncIterablePayload,
    BytesPayload,
    JsonPayload,
    Payload,
    PayloadLookupError,
    StreamReaderPayload,
    StreamWrapperPayload,
    get_payload,
)
from aiohttp_multipart import FormData, MultipartWriter

__all__ = ["RequestBody", "make_body"]

JsonSerializer = Callable[[Any], str]


class RequestBody:
    """A request body and whether it can be sent again (for 307/308 redirects and retries).

    Attributes:
        payload: the :class:`aiohttp_http.Payload`.
        replayable: ``False`` for single-use sources (async iterables,
            streams, non-seekable files).
        kind: a short description of the source, for error messages.
    """

    __slots__ = ("kind", "payload", "replayable")

    def __init__(self, payload: Payload, replayable: bool, kind: str) -> None:
        self.payload = payload
        self.replayable = replayable
        self.kind = kind


def _file_replayable(obj: Any) -> bool:
    try:
        return bool(obj.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _payload_replayable(payload: Payload) -> bool:
    if isinstance(payload, BytesPayload):
        return True
    if isinstance(payload, (AsyncIterablePayload, StreamReaderPayload, StreamWrapperPayload)):
        return False
    if isinstance(payload, MultipartWriter):
        return all(_payload_replayable(part[0]) for part in payload)
    return True  # file payloads rewind themselves, or refuse clearly when they cannot


def make_body(data: Any, json: Any, json_serialize: JsonSerializer) -> RequestBody | None:
    """Build the body of a request from ``data`` or ``json`` (aiohttp's rules).

    * ``json``: serialised with ``json_serialize`` (``application/json``);
    * a :class:`FormData`, a ``dict`` or a sequence of pairs: a form (urlencoded,
      or multipart when it holds files);
    * ``bytes``, ``str``, file objects, async iterables, a
      :class:`MultipartWriter` or any :class:`Payload`: through
      :func:`aiohttp_http.get_payload`.

    Raises:
        ValueError: both ``data`` and ``json`` are given.
        TypeError: ``data`` cannot be sent as a body.
    """
    if json is not None:
        if data is not None:
            raise ValueError("data and json parameters can not be used at the same time")
        return RequestBody(JsonPayload(json, dumps=json_serialize), True, "json")
    if data is None:
        return None
    kind = type(data).__name__
    if isinstance(data, FormData):
        return RequestBody(data(), True, kind)
    if isinstance(data, Payload):
        return RequestBody(data, _payload_replayable(data), kind)
    if isinstance(data, Mapping):
        payload = FormData(data)()
        return RequestBody(payload, _payload_replayable(payload), kind)
    try:
        payload = get_payload(data, disposition=None)
    except PayloadLookupError:
        try:
            payload = FormData(data)()
        except TypeError as exc:
            raise TypeError(f"cannot send an object of type {kind} as a request body") from exc
        return RequestBody(payload, _payload_replayable(payload), kind)
    if isinstance(data, io.IOBase) or hasattr(data, "read"):
        return RequestBody(payload, _file_replayable(data), kind)
    return RequestBody(payload, _payload_replayable(payload), kind)
