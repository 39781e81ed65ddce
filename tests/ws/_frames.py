"""An independent frame builder for the aiohttp-ws tests (RFC 6455 §5.2 by hand)."""

from __future__ import annotations


def build_frame(
    payload: bytes,
    opcode: int = 0x2,
    *,
    fin: bool = True,
    rsv: int = 0,
    mask: bytes | None = None,
    length: int | None = None,
    length_form: int | None = None,
) -> bytes:
    """Encode one frame byte by byte from RFC 6455 §5.2, independently of the engine.

    ``length`` overrides the declared length; ``length_form`` forces the
    7-bit (0), 16-bit (126) or 64-bit (127) length encoding.
    """
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    bit = 0x80 if mask is not None else 0
    form = length_form if length_form is not None else (0 if n < 126 else 126 if n < 65536 else 127)
    if form == 0:
        head = bytes([b0, bit | n])
    elif form == 126:
        head = bytes([b0, bit | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([b0, bit | 127]) + n.to_bytes(8, "big")
    if mask is None:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
