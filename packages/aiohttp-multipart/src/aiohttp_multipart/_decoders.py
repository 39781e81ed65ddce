"""Incremental decoders for part data: Content-Transfer-Encoding (RFC 2045 §6)
and Content-Encoding (gzip, deflate, identity), with bounded output.

Each decoder takes data with ``feed()`` and returns what it can decode so
far; ``flush()`` returns the rest and checks that the input was complete.
Decompression never produces more than ``max_size`` bytes in total: a
decompression bomb stops with :class:`PartTooLarge` after at most
``max_size`` bytes of output, whatever its ratio.
"""

from __future__ import annotations

import base64
import binascii
import sys
from collections.abc import Mapping
from typing import Any, Final

from aiohttp_http import get_zlib_backend

from ._errors import DecodeError, PartTooLarge, UnsupportedEncoding

__all__ = ["PartDecoder", "make_part_decoder"]

_WHITESPACE: Final = b" \t\r\n"
_BASE64_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


class _Identity:
    __slots__ = ()

    def feed(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


class _SevenBit:
    """7bit: RFC 2045 §2.7, octets 1-127 only; anything else is refused."""

    __slots__ = ()

    def feed(self, data: bytes) -> bytes:
        if not data.isascii() or b"\x00" in data:
            raise DecodeError("8-bit or NUL data in a part declared 7bit")
        return data

    def flush(self) -> bytes:
        return b""


class _Base64:
    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, data: bytes) -> bytes:
        data = self._pending + data.translate(None, _WHITESPACE)
        stray = data.translate(None, _BASE64_ALPHABET)
        if stray:
            raise DecodeError(f"invalid base64 data: unexpected byte {stray[:1]!r}")
        usable = len(data) - len(data) % 4
        self._pending = data[usable:]
        return self._decode(data[:usable])

    @staticmethod
    def _decode(data: bytes) -> bytes:
        try:
            if sys.version_info >= (3, 11):
                return binascii.a2b_base64(data, strict_mode=True)
            return base64.b64decode(data, validate=True)  # pragma: no cover - 3.10
        except binascii.Error as exc:
            raise DecodeError(f"invalid base64 data: {exc}") from None

    def flush(self) -> bytes:
        if self._pending:
            raise DecodeError(f"truncated base64 data: {len(self._pending)} bytes left over")
        return b""


class _QuotedPrintable:
    """Quoted-printable (RFC 2045 §6.7), decoded one complete line at a time.

    The unfinished last line is kept in a bytearray and only new data is
    searched for a line end, so the cost stays linear whatever the chunking.
    """

    __slots__ = ("_max_line", "_pending")

    def __init__(self, max_line: int) -> None:
        self._pending = bytearray()
        self._max_line = max_line

    def feed(self, data: bytes) -> bytes:
        cut = data.rfind(b"\n") + 1
        if not cut:
            self._pending += data
            if len(self._pending) > self._max_line:
                raise PartTooLarge(
                    "quoted-printable line too long",
                    limit_name="max_field_size",
                    limit=self._max_line,
                )
            return b""
        lines = bytes(self._pending) + data[:cut] if self._pending else data[:cut]
        self._pending = bytearray(data[cut:])
        return binascii.a2b_qp(lines)

    def flush(self) -> bytes:
        pending, self._pending = bytes(self._pending), bytearray()
        return binascii.a2b_qp(pending) if pending else b""


class _Decompressor:
    __slots__ = (
        "_encoding",
        "_first",
        "_max_size",
        "_obj",
        "_produced",
        "_raw_deflate_checked",
        "_zlib",
    )

    def __init__(self, encoding: str, max_size: int) -> None:
        self._encoding = encoding
        self._max_size = max_size
        self._produced = 0
        self._first = b""
        self._raw_deflate_checked = encoding != "deflate"
        self._zlib: Any = get_zlib_backend()  # aiohttp_http.set_zlib_backend() chooses it
        max_wbits = self._zlib.MAX_WBITS
        self._obj = self._zlib.decompressobj(16 + max_wbits if encoding == "gzip" else max_wbits)

    def feed(self, data: bytes) -> bytes:
        if not self._raw_deflate_checked:
            # "deflate" is zlib-wrapped (RFC 9110 §8.4.1.2) but raw deflate is
            # common in practice: a zlib header has CMF=0x?8 and (CMF*256+FLG)%31==0.
            data = self._first + data
            if len(data) < 2:
                self._first = data
                return b""
            self._first = b""
            self._raw_deflate_checked = True
            if data[0] & 0x0F != 8 or (data[0] << 8 | data[1]) % 31:
                self._obj = self._zlib.decompressobj(-self._zlib.MAX_WBITS)
        finished: bool = self._obj.eof
        if finished:
            if data:
                raise DecodeError(f"data after the end of the {self._encoding} stream")
            return b""
        out: list[bytes] = []
        while data:
            room = self._max_size - self._produced + 1
            try:
                chunk = self._obj.decompress(data, room)
            except self._zlib.error as exc:
                raise DecodeError(f"invalid {self._encoding} data: {exc}") from None
            self._produced += len(chunk)
            if self._produced > self._max_size:
                raise PartTooLarge(
                    f"{self._encoding} data decompresses to more than {self._max_size} bytes",
                    limit_name="max_field_size",
                    limit=self._max_size,
                )
            out.append(chunk)
            data = self._obj.unconsumed_tail
            if self._obj.eof:
                if self._obj.unused_data:
                    raise DecodeError(f"data after the end of the {self._encoding} stream")
                break
        return b"".join(out)

    def flush(self) -> bytes:
        if not self._raw_deflate_checked:
            what = "truncated" if self._first else "empty"
            raise DecodeError(f"{what} {self._encoding} stream")
        if not self._obj.eof:
            raise DecodeError(f"truncated {self._encoding} data")
        return b""


class PartDecoder:
    """Decode a part's data: first its Content-Transfer-Encoding, then its
    Content-Encoding, incrementally and with at most ``max_size`` bytes of output.

    Args:
        transfer_encoding: value of Content-Transfer-Encoding (``None``: binary).
        content_encoding: value of Content-Encoding (``None``: identity).
        max_size: most bytes of decoded output.

    Raises:
        UnsupportedEncoding: for an encoding we do not know.
    """

    __slots__ = ("_stages",)

    def __init__(
        self, transfer_encoding: str | None, content_encoding: str | None, max_size: int
    ) -> None:
        stages: list[_Identity | _SevenBit | _Base64 | _QuotedPrintable | _Decompressor] = []
        cte = (transfer_encoding or "binary").strip().lower()
        if cte == "base64":
            stages.append(_Base64())
        elif cte == "quoted-printable":
            stages.append(_QuotedPrintable(max_size))
        elif cte == "7bit":
            stages.append(_SevenBit())
        elif cte not in ("8bit", "binary"):
            raise UnsupportedEncoding(f"unknown Content-Transfer-Encoding {cte[:40]!r}")
        ce = (content_encoding or "identity").strip().lower()
        if ce in ("gzip", "deflate"):
            stages.append(_Decompressor(ce, max_size))
        elif ce != "identity":
            raise UnsupportedEncoding(f"unknown Content-Encoding {ce[:40]!r}")
        self._stages = stages

    @property
    def is_identity(self) -> bool:
        """True if the data passes through unchanged."""
        return not self._stages

    def feed(self, data: bytes) -> bytes:
        """Decode the next piece of raw part data; raises :class:`DecodeError`."""
        for stage in self._stages:
            data = stage.feed(data)
        return data

    def flush(self) -> bytes:
        """Return the last decoded bytes; raises :class:`DecodeError` if truncated."""
        data = b""
        for stage in self._stages:
            data = stage.feed(data) if data else b""
            data += stage.flush()
        return data


def make_part_decoder(headers: Mapping[str, str], max_size: int) -> PartDecoder:
    """Build the :class:`PartDecoder` for a part with these headers."""
    return PartDecoder(
        headers.get("Content-Transfer-Encoding"), headers.get("Content-Encoding"), max_size
    )
