"""Opening handshake helpers (RFC 6455 §4, RFC 7692 §5): keys, checks, negotiation.

Headers are accepted as a mapping or as a list of ``(name, value)`` pairs;
names compare case-insensitively and repeated headers are combined. Every
refusal raises :class:`WSHandshakeError` naming the header and its value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeAlias

from ._deflate import PerMessageDeflate, parse_extensions
from ._models import WS_KEY, WSHandshakeError

__all__ = [
    "ClientHandshake",
    "Headers",
    "ServerHandshake",
    "accept_key",
    "client_request_headers",
    "generate_key",
    "select_subprotocol",
    "validate_upgrade_request",
    "validate_upgrade_response",
    "verify_accept",
]

#: Headers as a mapping or a sequence of (name, value) pairs.
Headers: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]]

#: The only protocol version of RFC 6455.
WS_VERSION: Final[str] = "13"


def _collect(headers: Headers) -> dict[str, list[str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    result: dict[str, list[str]] = {}
    for name, value in items:
        result.setdefault(name.lower(), []).append(value)
    return result


def _tokens(values: list[str] | None) -> list[str]:
    if not values:
        return []
    return [t.strip() for v in values for t in v.split(",") if t.strip()]


def _single(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name.lower())
    if not values:
        raise WSHandshakeError(f"missing {name} header")
    if len(values) > 1:
        raise WSHandshakeError(f"{name} header given {len(values)} times")
    return values[0].strip()


def _check_upgrade(headers: dict[str, list[str]]) -> None:
    upgrade = _tokens(headers.get("upgrade"))
    if not any(t.lower() == "websocket" for t in upgrade):
        raise WSHandshakeError(f"Upgrade header is {', '.join(upgrade)[:80]!r}, not 'websocket'")
    connection = _tokens(headers.get("connection"))
    if not any(t.lower() == "upgrade" for t in connection):
        raise WSHandshakeError(
            f"Connection header is {', '.join(connection)[:80]!r}, without 'upgrade'"
        )


def generate_key() -> str:
    """A fresh random ``Sec-WebSocket-Key``: 16 bytes from ``os.urandom``, base64."""
    return base64.b64encode(os.urandom(16)).decode("ascii")


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value for ``key`` (RFC 6455 §4.2.2)."""
    digest = hashlib.sha1(key.encode("ascii") + WS_KEY).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_accept(key: str, accept: str) -> None:
    """Check a server's ``Sec-WebSocket-Accept`` against our key; raise ``WSHandshakeError``."""
    expected = accept_key(key)
    if accept.strip() != expected:
        raise WSHandshakeError(f"Sec-WebSocket-Accept is {accept[:40]!r}, expected {expected!r}")


def select_subprotocol(offered: Iterable[str], supported: Sequence[str]) -> str | None:
    """The first of ``supported`` (our order of preference) that the client offered, or None."""
    wanted = {p.strip() for p in offered}
    for protocol in supported:
        if protocol in wanted:
            return protocol
    return None


def client_request_headers(
    key: str,
    *,
    protocols: Sequence[str] = (),
    deflate: PerMessageDeflate | None = None,
    origin: str | None = None,
) -> list[tuple[str, str]]:
    """The headers of a client's upgrade request (add Host and any others yourself)."""
    headers = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", key),
        ("Sec-WebSocket-Version", WS_VERSION),
    ]
    if protocols:
        headers.append(("Sec-WebSocket-Protocol", ", ".join(protocols)))
    if deflate is not None:
        headers.append(("Sec-WebSocket-Extensions", deflate.header_value()))
    if origin is not None:
        headers.append(("Origin", origin))
    return headers


@dataclass(frozen=True)
class ServerHandshake:
    """The outcome of a valid upgrade request: what to answer with status 101."""

    key: str
    accept: str
    protocol: str | None
    deflate: PerMessageDeflate | None
    response_headers: list[tuple[str, str]] = field(default_factory=list)


def validate_upgrade_request(
    method: str,
    headers: Headers,
    *,
    protocols: Sequence[str] = (),
    compress: bool = True,
) -> ServerHandshake:
    """Validate a client's upgrade request (server side) and prepare the 101 answer.

    Args:
        method: the request method; must be GET.
        headers: the request headers.
        protocols: subprotocols we support, in our order of preference.
        compress: accept the first valid permessage-deflate offer.

    Raises ``WSHandshakeError`` for a wrong method, missing or wrong
    Upgrade/Connection, a version other than 13 (answer 426 with
    ``Sec-WebSocket-Version: 13``), or a missing or malformed key.
    """
    if method.upper() != "GET":
        raise WSHandshakeError(f"upgrade request method is {method[:20]!r}, not GET")
    hdrs = _collect(headers)
    _check_upgrade(hdrs)
    version = _single(hdrs, "Sec-WebSocket-Version")
    if version != WS_VERSION:
        raise WSHandshakeError(f"Sec-WebSocket-Version is {version[:20]!r}, only 13 is supported")
    key = _single(hdrs, "Sec-WebSocket-Key")
    try:
        raw = base64.b64decode(key.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise WSHandshakeError(f"Sec-WebSocket-Key {key[:40]!r} is not base64") from None
    if len(raw) != 16:
        raise WSHandshakeError(f"Sec-WebSocket-Key {key[:40]!r} does not decode to 16 bytes")
    protocol = select_subprotocol(_tokens(hdrs.get("sec-websocket-protocol")), protocols)
    deflate: PerMessageDeflate | None = None
    if compress:
        for value in hdrs.get("sec-websocket-extensions", []):
            try:
                offers = parse_extensions(value)
            except WSHandshakeError:
                continue
            for name, params in offers:
                if name != "permessage-deflate":
                    continue
                try:
                    deflate = PerMessageDeflate.parse(params, response=False).accept()
                except WSHandshakeError:
                    continue
                break
            if deflate is not None:
                break
    accept = accept_key(key)
    response = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", accept),
    ]
    if protocol is not None:
        response.append(("Sec-WebSocket-Protocol", protocol))
    if deflate is not None:
        response.append(("Sec-WebSocket-Extensions", deflate.header_value()))
    return ServerHandshake(key, accept, protocol, deflate, response)


@dataclass(frozen=True)
class ClientHandshake:
    """The outcome of a valid 101 response: the agreed subprotocol and deflate parameters."""

    protocol: str | None
    deflate: PerMessageDeflate | None


def validate_upgrade_response(
    status: int,
    headers: Headers,
    *,
    key: str,
    protocols: Sequence[str] = (),
    deflate: PerMessageDeflate | None = None,
) -> ClientHandshake:
    """Validate a server's answer to our upgrade request (client side).

    Args:
        status: the response status; must be 101.
        headers: the response headers.
        key: the ``Sec-WebSocket-Key`` we sent.
        protocols: the subprotocols we offered.
        deflate: the permessage-deflate offer we sent, if any.

    Raises ``WSHandshakeError`` for another status, a wrong Upgrade,
    Connection or Accept, a subprotocol or extension we did not offer, or an
    extension response that contradicts our offer.
    """
    if status != 101:
        raise WSHandshakeError(f"server answered {status}, expected 101 Switching Protocols")
    hdrs = _collect(headers)
    _check_upgrade(hdrs)
    verify_accept(key, _single(hdrs, "Sec-WebSocket-Accept"))
    protocol: str | None = None
    chosen = _tokens(hdrs.get("sec-websocket-protocol"))
    if chosen:
        if len(chosen) > 1:
            raise WSHandshakeError(f"server chose several subprotocols: {', '.join(chosen)[:80]!r}")
        if chosen[0] not in protocols:
            raise WSHandshakeError(f"server chose subprotocol {chosen[0][:40]!r}, not offered")
        protocol = chosen[0]
    agreed: PerMessageDeflate | None = None
    for value in hdrs.get("sec-websocket-extensions", []):
        for name, params in parse_extensions(value):
            if name != "permessage-deflate" or deflate is None:
                raise WSHandshakeError(f"server accepted extension {name[:40]!r}, not offered")
            if agreed is not None:
                raise WSHandshakeError("server accepted permessage-deflate twice")
            agreed = PerMessageDeflate.parse(params, response=True)
            deflate.check_response(agreed)
    return ClientHandshake(protocol, agreed)
