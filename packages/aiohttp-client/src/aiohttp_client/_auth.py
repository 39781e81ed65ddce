"""HTTP Basic authentication credentials (RFC 7617), aiohttp 3.x's ``BasicAuth``."""

from __future__ import annotations

import base64
import binascii
from typing import NamedTuple

from yarl import URL

__all__ = ["BasicAuth", "strip_auth_from_url"]


class _BasicAuthFields(NamedTuple):
    login: str
    password: str
    encoding: str


class BasicAuth(_BasicAuthFields):
    """Credentials for HTTP Basic authentication: an immutable ``(login, password, encoding)``.

    Args:
        login: the user name; must not be ``None`` nor contain ``":"``
            (RFC 7617 §2: the user-id cannot contain a colon).
        password: the password; ``""`` by default, must not be ``None``.
        encoding: the charset used to turn the credentials into bytes,
            ``"latin1"`` by default (use ``"utf-8"`` for RFC 7617's ``charset``).

    Raises:
        ValueError: on a ``None`` login or password, or a ``":"`` in the login.

    Example::

        auth = BasicAuth("alice", "s3cret")
        auth.encode()  # 'Basic YWxpY2U6czNjcmV0'
    """

    __slots__ = ()

    def __new__(cls, login: str, password: str = "", encoding: str = "latin1") -> BasicAuth:
        """Validate and build the credentials."""
        if login is None:
            raise ValueError("None is not allowed as login value")
        if password is None:
            raise ValueError("None is not allowed as password value")
        if ":" in login:
            raise ValueError('A ":" is not allowed in login (RFC 7617 §2)')
        return super().__new__(cls, login, password, encoding)

    @classmethod
    def decode(cls, auth_header: str, encoding: str = "latin1") -> BasicAuth:
        """Parse the value of an ``Authorization: Basic ...`` header.

        The scheme is matched case-insensitively; the credentials must be
        strictly valid base64 and contain a ``":"``.

        Args:
            auth_header: the header value, e.g. ``"Basic YWxpY2U6czNjcmV0"``.
            encoding: the charset of the decoded credentials.

        Raises:
            ValueError: if the header is not Basic, the base64 is invalid, the
                credentials lack a ``":"`` or do not decode in ``encoding``.
        """
        scheme, sep, encoded = auth_header.strip().partition(" ")
        if not sep:
            raise ValueError(f"Could not parse authorization header {auth_header[:40]!r}")
        if scheme.lower() != "basic":
            raise ValueError(f"Unknown authorization method {scheme[:20]!r}, expected 'Basic'")
        encoded = encoded.strip(" ")
        try:
            raw = base64.b64decode(encoded.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise ValueError("Invalid base64 encoding in Basic authorization header") from None
        try:
            decoded = raw.decode(encoding)
        except UnicodeDecodeError:
            raise ValueError(f"Basic credentials do not decode as {encoding}") from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise ValueError("Invalid credentials: no ':' between user-id and password")
        return cls(username, password, encoding=encoding)

    @classmethod
    def from_url(cls, url: URL, *, encoding: str = "latin1") -> BasicAuth | None:
        """Return the credentials embedded in ``url`` (``http://user:pass@host/``), or ``None``.

        Raises:
            TypeError: if ``url`` is not a :class:`yarl.URL`.
        """
        if not isinstance(url, URL):
            raise TypeError("url should be yarl.URL instance")
        if url.user is None and url.password is None:
            return None
        return cls(url.user or "", url.password or "", encoding=encoding)

    def encode(self) -> str:
        """Return the ``Authorization`` header value, ``"Basic <base64>"``.

        Raises:
            UnicodeEncodeError: if the credentials cannot be encoded in ``encoding``.
        """
        creds = f"{self.login}:{self.password}".encode(self.encoding)
        return "Basic " + base64.b64encode(creds).decode("ascii")


def strip_auth_from_url(url: URL) -> tuple[URL, BasicAuth | None]:
    """Split ``url`` into the URL without its user info and the credentials it held.

    ``http://user:pass@host/`` gives ``(URL("http://host/"), BasicAuth("user", "pass"))``;
    a URL without credentials comes back unchanged with ``None``.

    Raises:
        TypeError: if ``url`` is not a :class:`yarl.URL`.
    """
    auth = BasicAuth.from_url(url)
    if auth is None:
        return url, None
    return url.with_user(None), auth
