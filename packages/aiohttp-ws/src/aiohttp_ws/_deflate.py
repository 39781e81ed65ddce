"""permessage-deflate (RFC 7692): negotiation and per-message (de)compression.

Negotiation: a client sends an offer in ``Sec-WebSocket-Extensions``; the
server accepts at most one offer and answers with the parameters it agreed
to; the client checks that answer against what it offered. Each side then
compresses with its own window and context-takeover settings.

zlib quirk: zlib refuses ``wbits=-8`` for raw deflate compression, so when a
window of 8 bits (256 bytes) is negotiated for our direction we compress with
9. That still honours the agreement: zlib never emits a distance larger than
its window minus 262 bytes of lookahead, i.e. 250 bytes for ``wbits=9``, so
a peer inflating with a 256-byte window decodes the stream (a test checks it
with a strict 256-byte inflater). For decompression we use at least 9 too:
a larger inflate window accepts every stream a smaller one accepts, so this
costs 256 bytes of memory and tolerates peers that round 8 up the same way.

Backend: the (de)compression objects come from the zlib-compatible module of
:func:`set_zlib_backend` (:mod:`zlib` by default), read when each is created.

Bomb-proofing: :meth:`DeflateDecompressor.decompress` asks zlib for at most
``limit + 1`` bytes, so a tiny payload can never inflate into more memory than
the limit allows; exceeding it raises ``WebSocketError(1009)``.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Final, Protocol

from ._models import WebSocketError, WSCloseCode, WSHandshakeError
from ._zlib_backend import backend_level, get_zlib_backend

__all__ = [
    "DEFAULT_COMPRESS_LEVEL",
    "DEFLATE_TRAILER",
    "DeflateCompressor",
    "DeflateDecompressor",
    "PerMessageDeflate",
    "parse_extensions",
    "ws_ext_gen",
    "ws_ext_parse",
]

#: RFC 7692 §7.2.1: the empty stored block removed from, and re-added to, each message.
DEFLATE_TRAILER: Final[bytes] = b"\x00\x00\xff\xff"

#: ``-1``: the zlib backend's default compression level (6 for zlib).
DEFAULT_COMPRESS_LEVEL: Final[int] = zlib.Z_DEFAULT_COMPRESSION

_EXTENSION_NAME: Final[str] = "permessage-deflate"
_TOKEN_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PARAM_RE: Final = re.compile(
    r"\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*(?:=\s*(?:([!#$%&'*+\-.^_`|~0-9A-Za-z]+)|\"([^\"\\]*)\"))?\s*"
)
_BITS_RE: Final = re.compile(r"(?:[89]|1[0-5])")


def parse_extensions(header: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Parse a ``Sec-WebSocket-Extensions`` value (RFC 6455 §9.1) into (name, params).

    ``"a; x=1, b"`` gives ``[("a", [("x", "1")]), ("b", [])]``; names are
    lower-cased, a parameter without a value has ``None``, quoted values are
    unquoted. Raises ``WSHandshakeError`` naming the offending text.
    """
    result: list[tuple[str, list[tuple[str, str | None]]]] = []
    for raw in header.split(","):
        item = raw.strip()
        if not item:
            continue
        name, *raw_params = item.split(";")
        name = name.strip()
        if not _TOKEN_RE.fullmatch(name):
            raise WSHandshakeError(f"invalid extension name {name[:40]!r} in {header[:80]!r}")
        params: list[tuple[str, str | None]] = []
        for raw_param in raw_params:
            match = _PARAM_RE.fullmatch(raw_param)
            if match is None:
                raise WSHandshakeError(
                    f"invalid parameter {raw_param.strip()[:40]!r} of extension {name!r}"
                )
            key, token, quoted = match.groups()
            value = token if token is not None else quoted
            params.append((key.lower(), value))
        result.append((name.lower(), params))
    return result


def _window_bits(name: str, value: str | None) -> int:
    if value is None or not _BITS_RE.fullmatch(value):
        raise WSHandshakeError(f"permessage-deflate {name} must be 8 to 15, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class PerMessageDeflate:
    """permessage-deflate parameters of one offer or one agreed response.

    ``*_max_window_bits`` is ``None`` when the parameter is absent (15 is
    then implied). In a client offer, ``client_max_window_bits`` may be
    present without a value: that sets ``client_max_window_bits_offered``.
    """

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    server_max_window_bits: int | None = None
    client_max_window_bits: int | None = None
    client_max_window_bits_offered: bool = False

    @classmethod
    def parse(cls, params: list[tuple[str, str | None]], *, response: bool) -> PerMessageDeflate:
        """Validate the parameters of one offer (``response=False``) or of the answer.

        Raises ``WSHandshakeError`` on an unknown or repeated parameter, a
        value on a flag, or a window size outside 8–15 (RFC 7692 §7.1).
        """
        seen: set[str] = set()
        fields: dict[str, object] = {}
        for key, value in params:
            if key in seen:
                raise WSHandshakeError(f"permessage-deflate parameter {key} given twice")
            seen.add(key)
            if key in ("server_no_context_takeover", "client_no_context_takeover"):
                if value is not None:
                    raise WSHandshakeError(f"permessage-deflate {key} takes no value")
                fields[key] = True
            elif key == "server_max_window_bits":
                fields[key] = _window_bits(key, value)
            elif key == "client_max_window_bits":
                if value is None and not response:
                    fields["client_max_window_bits_offered"] = True
                else:
                    fields[key] = _window_bits(key, value)
            else:
                raise WSHandshakeError(f"unknown permessage-deflate parameter {key[:40]!r}")
        return cls(**fields)  # type: ignore[arg-type]

    def header_value(self) -> str:
        """This offer or response as a ``Sec-WebSocket-Extensions`` element."""
        parts = [_EXTENSION_NAME]
        if self.server_no_context_takeover:
            parts.append("server_no_context_takeover")
        if self.client_no_context_takeover:
            parts.append("client_no_context_takeover")
        if self.server_max_window_bits is not None:
            parts.append(f"server_max_window_bits={self.server_max_window_bits}")
        if self.client_max_window_bits is not None:
            parts.append(f"client_max_window_bits={self.client_max_window_bits}")
        elif self.client_max_window_bits_offered:
            parts.append("client_max_window_bits")
        return "; ".join(parts)

    def accept(self) -> PerMessageDeflate:
        """The server's answer to this client offer: agree to everything it asks.

        The server keeps context takeover for itself unless asked not to and
        does not restrict the client's window (RFC 7692 §7.1.2.2).
        """
        return PerMessageDeflate(
            server_no_context_takeover=self.server_no_context_takeover,
            client_no_context_takeover=self.client_no_context_takeover,
            server_max_window_bits=self.server_max_window_bits,
            client_max_window_bits=self.client_max_window_bits,
        )

    def check_response(self, response: PerMessageDeflate) -> None:
        """Check a server's answer against this client offer (RFC 7692 §7.1).

        Raises ``WSHandshakeError`` if the server set a window limit the
        client did not offer, or loosened one the client asked for.
        """
        if response.client_max_window_bits is not None and not (
            self.client_max_window_bits_offered or self.client_max_window_bits is not None
        ):
            raise WSHandshakeError("server set client_max_window_bits, which was not offered")
        if (
            self.client_max_window_bits is not None
            and response.client_max_window_bits is not None
            and response.client_max_window_bits > self.client_max_window_bits
        ):
            raise WSHandshakeError("server raised client_max_window_bits above the offer")
        if self.server_max_window_bits is not None and (
            response.server_max_window_bits is None
            or response.server_max_window_bits > self.server_max_window_bits
        ):
            raise WSHandshakeError("server ignored the offered server_max_window_bits")
        if self.server_no_context_takeover and not response.server_no_context_takeover:
            raise WSHandshakeError("server ignored the offered server_no_context_takeover")

    def for_role(self, *, is_server: bool) -> tuple[int, bool, int]:
        """(compress window bits, compress without context takeover, decompress window bits).

        What an endpoint of the given role uses once this response is agreed.
        """
        server_bits = self.server_max_window_bits or 15
        client_bits = self.client_max_window_bits or 15
        if is_server:
            return server_bits, self.server_no_context_takeover, client_bits
        return client_bits, self.client_no_context_takeover, server_bits


def ws_ext_parse(extstr: str | None, isserver: bool = False) -> tuple[int, bool]:
    """aiohttp-compatible: find permessage-deflate in a header; return (wbits, notakeover).

    ``wbits`` (0 when deflate is absent or no offer is acceptable) and
    ``notakeover`` describe *our* compressor: on a server (``isserver``) the
    first acceptable client offer's ``server_*`` parameters; on a client the
    server response's ``client_*`` parameters. A server skips offers it
    cannot parse; a client raises ``WSHandshakeError`` on a malformed or
    unknown-extension response.
    """
    if not extstr:
        return 0, False
    try:
        extensions = parse_extensions(extstr)
    except WSHandshakeError:
        if isserver:
            return 0, False
        raise
    for name, params in extensions:
        if name != _EXTENSION_NAME:
            if isserver:
                continue
            raise WSHandshakeError(f"server accepted an extension we did not offer: {name!r}")
        try:
            agreed = PerMessageDeflate.parse(params, response=not isserver)
        except WSHandshakeError:
            if isserver:
                continue
            raise
        bits, notakeover, _ = agreed.for_role(is_server=isserver)
        return bits, notakeover
    return 0, False


def ws_ext_gen(compress: int = 15, isserver: bool = False, server_notakeover: bool = False) -> str:
    """aiohttp-compatible: a permessage-deflate offer (client) or response (server).

    ``compress`` is the server's window (8–15); a client offer also says it
    accepts ``client_max_window_bits``. Raises ``ValueError`` outside 8–15.
    """
    if not 8 <= compress <= 15:
        raise ValueError(f"window bits must be 8 to 15, got {compress}")
    return PerMessageDeflate(
        server_no_context_takeover=server_notakeover,
        server_max_window_bits=compress if compress < 15 else None,
        client_max_window_bits_offered=not isserver,
    ).header_value()


class _CompressObject(Protocol):
    """What a zlib backend's ``compressobj()`` returns."""

    def compress(self, data: bytes | bytearray | memoryview, /) -> bytes: ...

    def flush(self, mode: int, /) -> bytes: ...


class _DecompressObject(Protocol):
    """What a zlib backend's ``decompressobj()`` returns."""

    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


class DeflateCompressor:
    """Compresses whole messages for permessage-deflate.

    ``window_bits`` 8 compresses with 9 (zlib refuses 8, see module notes);
    ``no_context_takeover`` resets the dictionary after every message;
    ``level`` ``-1`` is the zlib backend's default level.
    Raises ``ValueError`` for a window outside 8–15 or a bad level.
    """

    __slots__ = ("_compressobj", "_flush_mode", "level", "no_context_takeover", "window_bits")

    def __init__(
        self,
        *,
        window_bits: int = 15,
        no_context_takeover: bool = False,
        level: int = DEFAULT_COMPRESS_LEVEL,
    ) -> None:
        if not 8 <= window_bits <= 15:
            raise ValueError(f"window bits must be 8 to 15, got {window_bits}")
        self.window_bits = window_bits
        self.no_context_takeover = no_context_takeover
        self.level = level
        backend = get_zlib_backend()
        self._compressobj: _CompressObject = backend.compressobj(
            backend_level(backend, level), backend.DEFLATED, -max(9, window_bits)
        )
        # A full flush ends the message on a byte boundary and forgets the history.
        self._flush_mode: int = (
            backend.Z_FULL_FLUSH if no_context_takeover else backend.Z_SYNC_FLUSH
        )

    def compress(self, data: bytes | bytearray | memoryview) -> bytes:
        """Compress one message; the result has the trailing 00 00 FF FF removed."""
        cobj = self._compressobj
        out = cobj.compress(data) + cobj.flush(self._flush_mode)
        if out.endswith(DEFLATE_TRAILER):
            out = out[:-4]
        return out or b"\x00"


class DeflateDecompressor:
    """Decompresses permessage-deflate messages under a size limit.

    Feed each frame's payload to :meth:`decompress`; pass ``final=True`` with
    the last frame of a message so that the trailer is re-added.
    """

    __slots__ = ("_decompressobj", "_error", "window_bits")

    def __init__(self, *, window_bits: int = 15) -> None:
        if not 8 <= window_bits <= 15:
            raise ValueError(f"window bits must be 8 to 15, got {window_bits}")
        self.window_bits = window_bits
        backend = get_zlib_backend()
        self._decompressobj: _DecompressObject = backend.decompressobj(-max(9, window_bits))
        self._error: type[Exception] = backend.error

    def decompress(self, data: bytes, *, final: bool, limit: int | None) -> bytes:
        """Inflate ``data``; never produce more than ``limit`` bytes (``None``: no limit).

        Raises ``WebSocketError`` with 1009 when the output would exceed
        ``limit`` (at most ``limit + 1`` bytes are ever inflated), and with
        1007 when the data is not a valid deflate stream.
        """
        if final:
            data = data + DEFLATE_TRAILER
        dobj = self._decompressobj
        try:
            if limit is None:
                return dobj.decompress(data)
            out = dobj.decompress(data, limit + 1)
        except self._error as exc:
            raise WebSocketError(
                WSCloseCode.INVALID_TEXT, f"invalid permessage-deflate data: {exc}"
            ) from None
        if len(out) > limit:
            raise WebSocketError(
                WSCloseCode.MESSAGE_TOO_BIG,
                f"decompressed message exceeds the limit of {limit} bytes",
            )
        return out
