"""Content-Encoding decoders with output limits (RFC 9110 §8.4.1).

Every decoder produces its output in bounded pieces (``max_length`` loops, or
brotli's ``output_buffer_limit``), counts what it produced, and raises
:class:`DecompressSizeError` *before* the decoded size of a message would pass
``max_size`` or, when set, before decoded/encoded passes ``max_ratio``.
Supported: ``gzip`` / ``x-gzip`` (multi-member), ``deflate`` (zlib-wrapped or
raw, detected from the first bytes; both through the zlib backend of
:func:`set_zlib_backend`), ``br`` (when ``brotli`` or ``brotlicffi``
is installed) and ``zstd`` (``compression.zstd`` on 3.14+, else
``backports.zstd``; multi-frame).
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

from ._exceptions import ContentEncodingError, DecompressSizeError
from ._zlib_backend import get_zlib_backend

__all__ = [
    "DECODE_CHUNK_SIZE",
    "DEFAULT_MAX_DECOMPRESSED_SIZE",
    "DEFAULT_MAX_DECOMPRESSION_RATIO",
    "SUPPORTED_ENCODINGS",
    "ContentDecoder",
]

#: Cap on the decoded size of one message body (256 MiB).
DEFAULT_MAX_DECOMPRESSED_SIZE = 256 * 2**20
#: Cap on decoded/encoded bytes of one message; ``None`` disables the check.
#: Off by default: gzip tops out near 1032:1 while brotli and zstd legitimately
#: reach far more on repetitive data; the size cap is the bomb guard.
DEFAULT_MAX_DECOMPRESSION_RATIO: float | None = None
#: The ratio check starts once this much has been decoded (small bodies vary a lot).
RATIO_GRACE_SIZE = 2**20
#: Largest piece of output produced by one decoder step (brotli may exceed it by
#: less than one internal block, about 32 KiB).
DECODE_CHUNK_SIZE = 2**16


def _load(*names: str) -> Any:
    """The first importable module of ``names``, or ``None`` (optional codecs)."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


_brotli: Any = _load("brotli", "brotlicffi")
_zstd: Any = _load("compression.zstd", "backports.zstd")

SUPPORTED_ENCODINGS: frozenset[str] = frozenset(
    ["gzip", "x-gzip", "deflate"]
    + (["br"] if _brotli is not None else [])
    + (["zstd"] if _zstd is not None else [])
)


class _Engine(Protocol):
    def decompress(self, data: bytes, max_length: int = ...) -> bytes: ...

    @property
    def eof(self) -> bool: ...

    @property
    def unused_data(self) -> bytes: ...


class ContentDecoder:
    """Incrementally decode one message body.

    Args:
        encoding: ``gzip``, ``x-gzip``, ``deflate``, ``br`` or ``zstd``.
        max_size: cap on the total decoded size.
        max_ratio: cap on decoded/encoded size once ``RATIO_GRACE_SIZE`` is decoded.

    Raises:
        ContentEncodingError: unknown/unavailable coding, corrupt or truncated data.
        DecompressSizeError: a limit would be exceeded.
    """

    __slots__ = (
        "_brotli",
        "_encoding",
        "_engine",
        "_finished",
        "_max_ratio",
        "_max_size",
        "_pending",
        "_wbits",
        "_zlib",
        "decoded",
        "encoded",
    )

    def __init__(
        self,
        encoding: str,
        *,
        max_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
        max_ratio: float | None = DEFAULT_MAX_DECOMPRESSION_RATIO,
    ) -> None:
        encoding = encoding.lower()
        if encoding not in SUPPORTED_ENCODINGS:
            raise ContentEncodingError(f"unsupported Content-Encoding {encoding!r}")
        self._encoding = encoding
        self._max_size = max_size
        self._max_ratio = max_ratio
        self._engine: _Engine | None = None
        self._brotli: Any = None
        self._finished = False  # a complete stream (or member/frame) was seen last
        self._pending = b""  # deflate: bytes held until the wrapper can be detected
        self._wbits = 0
        self._zlib: Any = get_zlib_backend()  # see set_zlib_backend()
        self.decoded = 0
        self.encoded = 0
        if encoding == "br":
            self._brotli = _brotli.Decompressor()

    def _new_engine(self) -> _Engine:
        enc = self._encoding
        if enc in ("gzip", "x-gzip"):
            engine: Any = self._zlib.decompressobj(16 + self._zlib.MAX_WBITS)
        elif enc == "deflate":
            engine = self._zlib.decompressobj(self._wbits)
        else:
            engine = _zstd.ZstdDecompressor()
        return engine  # type: ignore[no-any-return]

    def _account(self, piece: bytes, out: list[bytes]) -> None:
        n = self.decoded + len(piece)
        if n > self._max_size:
            raise DecompressSizeError(
                f"decoded {self._encoding} body exceeds the limit of {self._max_size} bytes"
            )
        ratio = self._max_ratio
        if ratio is not None and n > RATIO_GRACE_SIZE and n > ratio * max(self.encoded, 1):
            raise DecompressSizeError(
                f"{self._encoding} body decodes {n} bytes from {self.encoded}: "
                f"ratio over the limit of {ratio}"
            )
        self.decoded = n
        if piece:
            out.append(piece)

    def decompress(self, data: bytes) -> list[bytes]:
        """Decode ``data`` and return the decoded pieces (each at most DECODE_CHUNK_SIZE)."""
        out: list[bytes] = []
        self.encoded += len(data)
        try:
            if self._brotli is not None:
                self._feed_brotli(data, out)
            else:
                self._feed_zlib_like(data, out)
        except (self._zlib.error, ValueError, TypeError) as exc:
            raise ContentEncodingError(f"cannot decode {self._encoding} body: {exc}") from None
        except Exception as exc:
            if _brotli is not None and isinstance(exc, _brotli.error):
                raise ContentEncodingError(f"cannot decode br body: {exc}") from None
            if _zstd is not None and isinstance(exc, _zstd.ZstdError):
                raise ContentEncodingError(f"cannot decode zstd body: {exc}") from None
            raise
        return out

    def _feed_brotli(self, data: bytes, out: list[bytes]) -> None:
        dec = self._brotli
        if data and dec.is_finished():
            raise ContentEncodingError("data after the end of the br stream")
        piece = dec.process(data, output_buffer_limit=DECODE_CHUNK_SIZE)
        self._account(piece, out)
        # Output may still be pending when more input could be taken: drain it.
        while not dec.is_finished() and (piece or not dec.can_accept_more_data()):
            piece = dec.process(b"", output_buffer_limit=DECODE_CHUNK_SIZE)
            self._account(piece, out)
        self._finished = dec.is_finished()

    def _feed_zlib_like(self, data: bytes, out: list[bytes]) -> None:
        if self._engine is None:
            if self._encoding == "deflate":
                data = self._pending + data
                if len(data) < 2:
                    self._pending = data
                    return
                self._pending = b""
                # RFC 1950 header: CM=8, CMF*256+FLG divisible by 31; otherwise raw deflate.
                zlib_wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
                max_wbits = self._zlib.MAX_WBITS
                self._wbits = max_wbits if zlib_wrapped else -max_wbits
            if not data:
                return
            self._engine = self._new_engine()
        engine = self._engine
        while True:
            piece = engine.decompress(data, DECODE_CHUNK_SIZE)
            self._account(piece, out)
            if engine.eof:
                tail = engine.unused_data
                self._finished = True
                if self._encoding == "deflate":
                    if tail:
                        raise ContentEncodingError("data after the end of the deflate stream")
                    return
                if not tail:
                    return
                # gzip multi-member (RFC 1952 §2.2) / zstd multi-frame: start the next one.
                self._finished = False
                engine = self._engine = self._new_engine()
                data = tail
                continue
            self._finished = False
            if self._encoding == "zstd":
                # zstd keeps unconsumed input inside; it asks for more when done.
                if engine.needs_input:  # type: ignore[attr-defined]
                    return
                data = b""
            else:
                data = engine.unconsumed_tail  # type: ignore[attr-defined]
                if not data and len(piece) < DECODE_CHUNK_SIZE:
                    return

    def finish(self) -> list[bytes]:
        """Flush at the end of the body; raise ContentEncodingError if the stream is truncated."""
        out: list[bytes] = []
        if self._engine is None and self._brotli is None:
            if self._pending:
                raise ContentEncodingError(f"truncated {self._encoding} body")
            return out  # empty body
        if self._engine is not None and not self._finished:
            # zlib may still hold output for input already given.
            while True:
                try:
                    piece = self._engine.decompress(b"", DECODE_CHUNK_SIZE)
                except Exception as exc:
                    raise ContentEncodingError(
                        f"cannot decode {self._encoding} body: {exc}"
                    ) from None
                if not piece:
                    break
                self._account(piece, out)
            self._finished = self._engine.eof
        if not self._finished:
            raise ContentEncodingError(f"truncated {self._encoding} body")
        return out
