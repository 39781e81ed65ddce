"""Sans-IO SOCKS client handshakes: SOCKS5 (RFC 1928, RFC 1929) and SOCKS4/4a.

Theory of operation: a handshake object is fed the bytes the proxy sends
(:meth:`receive_data`) and tells what to send back (:meth:`data_to_send`).
It never reads more than the current step needs; anything the proxy sends
before it is asked to (except after the final reply) is a protocol error.
Once :attr:`established` is true the tunnel is open: bytes that arrived
after the final reply are in :attr:`leftover` and belong to the tunnelled
protocol. Every failure raises a :class:`SocksError` subclass.

SOCKS5 steps (RFC 1928 §3-§6, RFC 1929 §2)::

    client: VER=5 NMETHODS METHODS...        server: VER=5 METHOD
    [client: VER=1 ULEN UNAME PLEN PASSWD    server: VER=1 STATUS]
    client: VER=5 CMD=1 RSV=0 ATYP DST.ADDR DST.PORT
    server: VER=5 REP RSV=0 ATYP BND.ADDR BND.PORT

SOCKS4 (4a): ``VN=4 CD=1 DSTPORT DSTIP USERID NUL [HOST NUL]``, answered by
8 bytes ``VN=0 CD DSTPORT DSTIP``; SOCKS4a sends ``DSTIP=0.0.0.1`` and the
host name so that the proxy resolves it.
"""

from __future__ import annotations

import enum
import ipaddress
import struct

from ._exceptions import ClientConnectionError, ConnectionTimeoutError

__all__ = [
    "Socks4Handshake",
    "Socks4IdentdMismatchError",
    "Socks4IdentdUnreachableError",
    "Socks4RejectedError",
    "Socks5AddressTypeNotSupportedError",
    "Socks5CommandNotSupportedError",
    "Socks5ConnectionNotAllowedError",
    "Socks5ConnectionRefusedError",
    "Socks5GeneralFailureError",
    "Socks5Handshake",
    "Socks5HostUnreachableError",
    "Socks5NetworkUnreachableError",
    "Socks5TTLExpiredError",
    "SocksAuthenticationError",
    "SocksError",
    "SocksProtocolError",
    "SocksReplyError",
    "SocksTimeoutError",
]

#: Longest user id accepted for SOCKS4 (the protocol sets none; proxies do).
DEFAULT_MAX_SOCKS4_USER_ID = 255


# --- exceptions ---------------------------------------------------------------------


class SocksError(ClientConnectionError):
    """Base of every SOCKS failure (a :class:`ClientConnectionError`)."""


class SocksProtocolError(SocksError):
    """The proxy broke the SOCKS protocol: wrong version, bad field, early close, extra bytes."""


class SocksAuthenticationError(SocksError):
    """The proxy accepted none of our methods, or refused the credentials (RFC 1929)."""


class SocksTimeoutError(SocksError, ConnectionTimeoutError):
    """The connection to the proxy or the SOCKS handshake took too long."""


class SocksReplyError(SocksError):
    """The proxy refused the CONNECT request; ``code`` is the reply code it sent.

    SOCKS5 codes with a meaning have a subclass each; unassigned codes raise
    this class itself.
    """

    #: Meaning of the code, used in the message.
    reason = "unassigned reply code"

    def __init__(self, code: int, message: str | None = None) -> None:
        self.code = code
        super().__init__(
            message or f"SOCKS proxy refused the connection: {self.reason} ({code:#04x})"
        )

    def __reduce__(self) -> tuple[type[SocksReplyError], tuple[int, str]]:
        return type(self), (self.code, str(self))


class Socks5GeneralFailureError(SocksReplyError):
    """SOCKS5 reply 0x01: general SOCKS server failure."""

    reason = "general SOCKS server failure"


class Socks5ConnectionNotAllowedError(SocksReplyError):
    """SOCKS5 reply 0x02: connection not allowed by ruleset."""

    reason = "connection not allowed by ruleset"


class Socks5NetworkUnreachableError(SocksReplyError):
    """SOCKS5 reply 0x03: network unreachable."""

    reason = "network unreachable"


class Socks5HostUnreachableError(SocksReplyError):
    """SOCKS5 reply 0x04: host unreachable."""

    reason = "host unreachable"


class Socks5ConnectionRefusedError(SocksReplyError):
    """SOCKS5 reply 0x05: connection refused by the destination."""

    reason = "connection refused"


class Socks5TTLExpiredError(SocksReplyError):
    """SOCKS5 reply 0x06: TTL expired."""

    reason = "TTL expired"


class Socks5CommandNotSupportedError(SocksReplyError):
    """SOCKS5 reply 0x07: command not supported."""

    reason = "command not supported"


class Socks5AddressTypeNotSupportedError(SocksReplyError):
    """SOCKS5 reply 0x08: address type not supported."""

    reason = "address type not supported"


class Socks4RejectedError(SocksReplyError):
    """SOCKS4 reply 91 (0x5b): request rejected or failed."""

    reason = "request rejected or failed"


class Socks4IdentdUnreachableError(SocksReplyError):
    """SOCKS4 reply 92 (0x5c): rejected, the proxy cannot reach our identd."""

    reason = "rejected because the proxy cannot connect to identd on the client"


class Socks4IdentdMismatchError(SocksReplyError):
    """SOCKS4 reply 93 (0x5d): rejected, identd reports another user id."""

    reason = "rejected because identd reports a different user id"


_SOCKS5_REPLY_ERRORS: dict[int, type[SocksReplyError]] = {
    0x01: Socks5GeneralFailureError,
    0x02: Socks5ConnectionNotAllowedError,
    0x03: Socks5NetworkUnreachableError,
    0x04: Socks5HostUnreachableError,
    0x05: Socks5ConnectionRefusedError,
    0x06: Socks5TTLExpiredError,
    0x07: Socks5CommandNotSupportedError,
    0x08: Socks5AddressTypeNotSupportedError,
}

_SOCKS4_REPLY_ERRORS: dict[int, type[SocksReplyError]] = {
    0x5B: Socks4RejectedError,
    0x5C: Socks4IdentdUnreachableError,
    0x5D: Socks4IdentdMismatchError,
}


# --- wire constants -----------------------------------------------------------------


class _Method(enum.IntEnum):
    NO_AUTH = 0x00
    USERNAME_PASSWORD = 0x02
    NO_ACCEPTABLE = 0xFF


class _AddressType(enum.IntEnum):
    IPV4 = 0x01
    DOMAIN = 0x03
    IPV6 = 0x04


class _State(enum.Enum):
    METHOD = "waiting for the method selection"
    AUTH = "waiting for the authentication status"
    REPLY = "waiting for the CONNECT reply"
    ESTABLISHED = "established"
    FAILED = "failed"


_SOCKS_VERSION = 5
_AUTH_VERSION = 1  # RFC 1929 §2: version of the username/password sub-negotiation
_CMD_CONNECT = 1


def _check_port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"Destination port must be an integer in 1..65535, got {port!r}")
    return port


def _encode_host(host: str) -> bytes:
    """The destination name as sent on the wire: ASCII, or IDNA for other names."""
    if not host:
        raise ValueError("Destination host must not be empty")
    try:
        encoded = host.encode("ascii")
    except UnicodeEncodeError:
        try:
            encoded = host.encode("idna")
        except UnicodeError as exc:
            raise ValueError(f"Destination host {host[:100]!r} cannot be encoded: {exc}") from None
    if b"\x00" in encoded:
        raise ValueError(f"Destination host {host[:100]!r} contains a NUL byte")
    return encoded


def _as_bytes(value: str | bytes, what: str) -> bytes:
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if len(data) > 255:
        raise ValueError(f"SOCKS5 {what} is {len(data)} bytes long; RFC 1929 allows 255")
    return data


class Socks5Handshake:
    """The client side of a SOCKS5 CONNECT handshake (RFC 1928), sans-IO.

    Args:
        host: the destination: an IPv4 or IPv6 address (sent as ATYP 1 or 4) or
            a host name (ATYP 3, resolved by the proxy; at most 255 bytes).
        port: the destination port.
        username, password: credentials for RFC 1929 username/password
            authentication; both ``None`` offers only "no authentication".
            ``str`` values are encoded as UTF-8; each must fit in 255 bytes,
            and the user name must not be empty.

    Raises:
        ValueError: on an invalid port, an empty, NUL-containing or too long
            host name, or unusable credentials.

    Example::

        hs = Socks5Handshake("example.com", 443)
        sock.sendall(hs.data_to_send())
        while not hs.established:
            hs.receive_data(sock.recv(512) or hs.receive_eof())
            sock.sendall(hs.data_to_send())
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | bytes | None = None,
        password: str | bytes | None = None,
    ) -> None:
        self._port = _check_port(port)
        address = _parse_ip_literal(host)
        if isinstance(address, ipaddress.IPv4Address):
            self._address = bytes([_AddressType.IPV4]) + address.packed
        elif isinstance(address, ipaddress.IPv6Address):
            self._address = bytes([_AddressType.IPV6]) + address.packed
        else:
            name = _encode_host(host)
            if len(name) > 255:
                raise ValueError(
                    f"Destination host name is {len(name)} bytes long; SOCKS5 allows 255"
                )
            self._address = bytes([_AddressType.DOMAIN, len(name)]) + name
        self._credentials: tuple[bytes, bytes] | None = None
        if username is not None or password is not None:
            user = _as_bytes(username or b"", "user name")
            if not user:
                raise ValueError("SOCKS5 user name must not be empty (RFC 1929)")
            self._credentials = (user, _as_bytes(password or b"", "password"))
        self._buffer = bytearray()
        self._outgoing = bytearray()
        self._state = _State.METHOD
        self._leftover = b""
        self.bound_address: tuple[str, int] | None = None
        methods = [_Method.NO_AUTH]
        if self._credentials is not None:
            methods.append(_Method.USERNAME_PASSWORD)
        self._outgoing += bytes([_SOCKS_VERSION, len(methods), *methods])

    @property
    def established(self) -> bool:
        """``True`` once the proxy reported success: the tunnel is open."""
        return self._state is _State.ESTABLISHED

    @property
    def leftover(self) -> bytes:
        """Bytes received after the final reply; they belong to the tunnelled protocol."""
        return self._leftover

    def data_to_send(self) -> bytes:
        """Return (and forget) the bytes to send to the proxy now; ``b""`` if none."""
        data = bytes(self._outgoing)
        self._outgoing.clear()
        return data

    def receive_eof(self) -> bytes:
        """Signal that the proxy closed the connection.

        Raises:
            SocksProtocolError: always, unless the tunnel is already established
                (then ``b""`` is returned).
        """
        if self._state is _State.ESTABLISHED:
            return b""
        state = self._state
        self._state = _State.FAILED
        raise SocksProtocolError(
            f"SOCKS5 proxy closed the connection while {state.value} "
            f"(after {len(self._buffer)} bytes of its answer)"
        )

    def receive_data(self, data: bytes) -> None:
        """Feed bytes received from the proxy.

        Raises:
            SocksProtocolError: malformed or unexpected bytes.
            SocksAuthenticationError: no acceptable method, or credentials refused.
            SocksReplyError: (a subclass per code) the proxy refused the CONNECT.
            RuntimeError: if called again after a failure.
        """
        if self._state is _State.FAILED:
            raise RuntimeError("The SOCKS5 handshake already failed")
        if self._state is _State.ESTABLISHED:
            self._leftover += data
            return
        self._buffer += data
        try:
            self._process()
        except SocksError:
            self._state = _State.FAILED
            raise

    def _process(self) -> None:
        buf = self._buffer
        if self._state is _State.METHOD:
            if len(buf) < 2:
                return
            self._check_version(buf[0], _SOCKS_VERSION, "method selection")
            method = buf[1]
            del buf[:2]
            if method == _Method.NO_ACCEPTABLE:
                raise SocksAuthenticationError(
                    "SOCKS5 proxy accepted none of the offered authentication methods "
                    + (
                        "(no authentication, username/password)"
                        if self._credentials
                        else "(no authentication; credentials may be required)"
                    )
                )
            if method == _Method.NO_AUTH:
                self._send_request()
            elif method == _Method.USERNAME_PASSWORD and self._credentials is not None:
                user, password = self._credentials
                self._outgoing += bytes([_AUTH_VERSION, len(user)]) + user
                self._outgoing += bytes([len(password)]) + password
                self._state = _State.AUTH
            else:
                raise SocksProtocolError(
                    f"SOCKS5 proxy selected method {method:#04x}, which was not offered"
                )
            self._check_no_extra()
        elif self._state is _State.AUTH:
            if len(buf) < 2:
                return
            self._check_version(buf[0], _AUTH_VERSION, "authentication status")
            status = buf[1]
            del buf[:2]
            if status != 0:
                raise SocksAuthenticationError(
                    f"SOCKS5 proxy refused the user name and password (status {status:#04x})"
                )
            self._send_request()
            self._check_no_extra()
        elif self._state is _State.REPLY:
            self._process_reply()

    def _send_request(self) -> None:
        self._outgoing += bytes([_SOCKS_VERSION, _CMD_CONNECT, 0]) + self._address
        self._outgoing += struct.pack("!H", self._port)
        self._state = _State.REPLY

    def _check_no_extra(self) -> None:
        if self._buffer:
            raise SocksProtocolError(
                f"SOCKS5 proxy sent {len(self._buffer)} unexpected bytes before being asked"
            )

    @staticmethod
    def _check_version(got: int, expected: int, what: str) -> None:
        if got != expected:
            raise SocksProtocolError(
                f"SOCKS5 proxy answered the {what} with version {got:#04x}, "
                f"expected {expected:#04x} (is it a SOCKS5 proxy?)"
            )

    def _process_reply(self) -> None:
        buf = self._buffer
        if len(buf) < 2:
            return
        self._check_version(buf[0], _SOCKS_VERSION, "CONNECT request")
        code = buf[1]
        if code != 0:  # the rest of the reply is meaningless on failure
            raise _SOCKS5_REPLY_ERRORS.get(code, SocksReplyError)(code)
        if len(buf) < 3:
            return
        if buf[2] != 0:
            raise SocksProtocolError(f"SOCKS5 reply has a non-zero reserved byte {buf[2]:#04x}")
        if len(buf) < 4:
            return
        atyp = buf[3]
        if atyp not in (_AddressType.IPV4, _AddressType.IPV6, _AddressType.DOMAIN):
            raise SocksProtocolError(f"SOCKS5 reply has an unknown address type {atyp:#04x}")
        if len(buf) < 5:
            return
        if atyp == _AddressType.IPV4:
            size = 4 + 4 + 2
        elif atyp == _AddressType.IPV6:
            size = 4 + 16 + 2
        else:
            size = 4 + 1 + buf[4] + 2
            if buf[4] == 0:
                raise SocksProtocolError("SOCKS5 reply has an empty bound host name")
        if len(buf) < size:
            return
        if atyp == _AddressType.IPV4:
            host = str(ipaddress.IPv4Address(bytes(buf[4:8])))
        elif atyp == _AddressType.IPV6:
            host = str(ipaddress.IPv6Address(bytes(buf[4:20])))
        else:
            host = bytes(buf[5 : size - 2]).decode("ascii", "replace")
        (port,) = struct.unpack_from("!H", buf, size - 2)
        self.bound_address = (host, port)
        self._leftover = bytes(buf[size:])
        buf.clear()
        self._state = _State.ESTABLISHED


def _parse_ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


_SOCKS4_REPLY_SIZE = 8
_SOCKS4_GRANTED = 0x5A


class Socks4Handshake:
    """The client side of a SOCKS4 or SOCKS4a CONNECT handshake, sans-IO.

    Args:
        host: the destination. An IPv4 address is sent as such (plain SOCKS4);
            a host name needs ``remote_dns=True`` (SOCKS4a: the proxy resolves it).
        port: the destination port.
        user_id: the USERID field (``str`` encoded as UTF-8), empty by default.
        remote_dns: allow host names (SOCKS4a).
        max_user_id: the longest user id accepted
            (:data:`DEFAULT_MAX_SOCKS4_USER_ID`).

    Raises:
        ValueError: an IPv6 destination (SOCKS4 has none), a host name
            without ``remote_dns``, an invalid port, a NUL byte in the user id
            or host, or a user id longer than ``max_user_id``.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        user_id: str | bytes = b"",
        remote_dns: bool = True,
        max_user_id: int = DEFAULT_MAX_SOCKS4_USER_ID,
    ) -> None:
        _check_port(port)
        user = user_id.encode("utf-8") if isinstance(user_id, str) else bytes(user_id)
        if b"\x00" in user:
            raise ValueError("SOCKS4 user id must not contain a NUL byte")
        if len(user) > max_user_id:
            raise ValueError(
                f"SOCKS4 user id is {len(user)} bytes long; the limit is {max_user_id}"
            )
        address = _parse_ip_literal(host)
        if isinstance(address, ipaddress.IPv6Address):
            raise ValueError(f"SOCKS4 cannot reach the IPv6 address {host!r}; use SOCKS5")
        request = struct.pack("!BBH", 4, _CMD_CONNECT, port)
        if address is not None:
            request += address.packed + user + b"\x00"
        elif remote_dns:
            # SOCKS4a: DSTIP 0.0.0.x with x != 0 means "the host name follows".
            request += b"\x00\x00\x00\x01" + user + b"\x00" + _encode_host(host) + b"\x00"
        else:
            raise ValueError(
                f"SOCKS4 needs an IPv4 address, got the host name {host[:100]!r} "
                "(resolve it first, or use SOCKS4a)"
            )
        self._outgoing = bytearray(request)
        self._buffer = bytearray()
        self._state = _State.REPLY
        self._leftover = b""

    @property
    def established(self) -> bool:
        """``True`` once the proxy granted the request: the tunnel is open."""
        return self._state is _State.ESTABLISHED

    @property
    def leftover(self) -> bytes:
        """Bytes received after the reply; they belong to the tunnelled protocol."""
        return self._leftover

    def data_to_send(self) -> bytes:
        """Return (and forget) the bytes to send to the proxy now; ``b""`` if none."""
        data = bytes(self._outgoing)
        self._outgoing.clear()
        return data

    def receive_eof(self) -> bytes:
        """Signal that the proxy closed the connection.

        Raises:
            SocksProtocolError: unless the tunnel is established (then ``b""``).
        """
        if self._state is _State.ESTABLISHED:
            return b""
        self._state = _State.FAILED
        raise SocksProtocolError(
            f"SOCKS4 proxy closed the connection after {len(self._buffer)} of the "
            f"{_SOCKS4_REPLY_SIZE} bytes of its reply"
        )

    def receive_data(self, data: bytes) -> None:
        """Feed bytes received from the proxy.

        Raises:
            SocksProtocolError: the reply version is not 0.
            SocksReplyError: (a subclass per code) the request was rejected.
            RuntimeError: if called again after a failure.
        """
        if self._state is _State.FAILED:
            raise RuntimeError("The SOCKS4 handshake already failed")
        if self._state is _State.ESTABLISHED:
            self._leftover += data
            return
        self._buffer += data
        buf = self._buffer
        if len(buf) < _SOCKS4_REPLY_SIZE:
            return
        self._state = _State.FAILED
        if buf[0] != 0:
            raise SocksProtocolError(
                f"SOCKS4 reply has version {buf[0]:#04x}, expected 0x00 (is it a SOCKS4 proxy?)"
            )
        code = buf[1]
        if code != _SOCKS4_GRANTED:
            raise _SOCKS4_REPLY_ERRORS.get(code, SocksReplyError)(code)
        self._leftover = bytes(buf[_SOCKS4_REPLY_SIZE:])
        buf.clear()
        self._state = _State.ESTABLISHED
