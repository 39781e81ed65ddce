"""HTTP Digest access authentication (RFC 7616) as a client middleware.

Theory of operation: :class:`DigestAuthMiddleware` sends the request; on a
``401`` carrying a ``Digest`` challenge it computes an ``Authorization``
header for that challenge and sends the request once more (never more:
there is no loop). The challenge is remembered, so with ``preemptive=True``
later requests to the same protection space (same origin, and under one of
the challenge's ``domain`` URIs when it has some) carry the header at once,
with the nonce count increasing (RFC 7616 §3.4: ``nc``).

The computation is in :func:`digest_authorization` (a pure function, tested
against the RFC's examples); the grammar of ``WWW-Authenticate`` is in
:func:`parse_www_authenticate`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from yarl import URL

from ._exceptions import ClientError
from ._middlewares import ClientHandlerType, release_response

__all__ = [
    "DIGEST_ALGORITHMS",
    "DigestAuthError",
    "DigestAuthMiddleware",
    "DigestChallenge",
    "digest_authorization",
    "parse_digest_challenge",
    "parse_www_authenticate",
]

#: The hash of each RFC 7616 §6.1 algorithm; a ``-sess`` variant uses the same hash.
DIGEST_ALGORITHMS: dict[str, str] = {
    "MD5": "md5",
    "SHA-256": "sha256",
    "SHA-512-256": "sha512_256",
}

#: Longest ``WWW-Authenticate`` value parsed; longer ones are ignored.
DEFAULT_MAX_CHALLENGE_SIZE = 16384


class DigestAuthError(ClientError):
    """A Digest challenge cannot be answered (unknown algorithm, missing realm/nonce, ...)."""


# --- WWW-Authenticate grammar (RFC 9110 §11.6.1, §11.2) -------------------------------

# token = 1*tchar; quoted-string with quoted-pair; token68 for non-parameter schemes.
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_SCHEME_RE = re.compile(rf"[ \t,]*({_TOKEN})")
_PARAM_RE = re.compile(rf"[ \t]*({_TOKEN})[ \t]*=[ \t]*({_TOKEN}|{_QUOTED})[ \t]*(?:,|$)")
_TOKEN68_RE = re.compile(r"[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*(?:,|$)")
_UNQUOTE_RE = re.compile(r"\\(.)")


def _unquote(value: str) -> str:
    if value.startswith('"'):
        return _UNQUOTE_RE.sub(r"\1", value[1:-1])
    return value


def parse_www_authenticate(value: str) -> list[tuple[str, dict[str, str]]]:
    """Split a ``WWW-Authenticate`` value into ``(scheme, params)`` challenges.

    Several challenges may share one header (``Basic realm="a", Digest ...``).
    Scheme names are lower-cased, as are parameter names; values are unquoted.
    A token68 credential (e.g. ``Negotiate abc==``) gives ``{"": token68}``.
    Parsing stops at the first malformed piece; what was parsed before is kept.
    """
    challenges: list[tuple[str, dict[str, str]]] = []
    pos, end = 0, len(value)
    while pos < end:
        match = _SCHEME_RE.match(value, pos)
        if match is None:
            break
        scheme, pos = match.group(1).lower(), match.end()
        params: dict[str, str] = {}
        token68 = _TOKEN68_RE.match(value, pos)
        if token68 is not None and not _PARAM_RE.match(value, pos):
            params[""] = token68.group(1)
            pos = token68.end()
        else:
            while True:
                param = _PARAM_RE.match(value, pos)
                if param is None:
                    break
                params.setdefault(param.group(1).lower(), _unquote(param.group(2)))
                pos = param.end()
        challenges.append((scheme, params))
        rest = value[pos:].lstrip(" \t,")
        if rest and _SCHEME_RE.match(rest) is None:
            break
    return challenges


@dataclass(frozen=True, slots=True)
class DigestChallenge:
    """A parsed ``Digest`` challenge (RFC 7616 §3.3).

    Attributes:
        realm, nonce: required parameters.
        opaque: echoed back unchanged, or ``None``.
        algorithm: upper-cased, ``"MD5"`` when absent (e.g. ``"SHA-256-SESS"``).
        qop: the offered qop values, lower-cased (``()`` for the RFC 2069 form).
        stale: the previous nonce was merely stale.
        userhash: the server asks for a hashed user name.
        charset: ``"UTF-8"`` when the server announced it, else ``None``.
        domain: the protection space URIs (``domain``), possibly empty.
    """

    realm: str
    nonce: str
    opaque: str | None = None
    algorithm: str = "MD5"
    qop: tuple[str, ...] = ()
    stale: bool = False
    userhash: bool = False
    charset: str | None = None
    domain: tuple[str, ...] = ()

    @property
    def hash_name(self) -> str:
        """The :mod:`hashlib` name of the algorithm."""
        return DIGEST_ALGORITHMS[self.algorithm.removesuffix("-SESS")]

    @property
    def session(self) -> bool:
        """``True`` for a ``-sess`` algorithm (RFC 7616 §3.4.2)."""
        return self.algorithm.endswith("-SESS")


def _challenge_from_params(params: dict[str, str]) -> DigestChallenge:
    realm, nonce = params.get("realm"), params.get("nonce")
    if realm is None or not nonce:
        raise DigestAuthError("Digest challenge lacks a realm or a nonce")
    algorithm = params.get("algorithm", "MD5").upper()
    if algorithm.removesuffix("-SESS") not in DIGEST_ALGORITHMS:
        raise DigestAuthError(
            f"Unsupported Digest algorithm {params.get('algorithm', '')[:50]!r} "
            f"(supported: {', '.join(DIGEST_ALGORITHMS)} and their -sess variants)"
        )
    qop = tuple(q.strip().lower() for q in params.get("qop", "").split(",") if q.strip())
    if qop and not {"auth", "auth-int"} & set(qop):
        raise DigestAuthError(f"Unsupported Digest qop {params['qop'][:50]!r}")
    if not qop and algorithm.endswith("-SESS"):
        # RFC 7616 §3.4.2: the session variants hash the cnonce, which only a qop carries.
        raise DigestAuthError(f"Digest algorithm {algorithm} needs a qop, the challenge has none")
    charset = params.get("charset")
    return DigestChallenge(
        realm=realm,
        nonce=nonce,
        opaque=params.get("opaque"),
        algorithm=algorithm,
        qop=qop,
        stale=params.get("stale", "").lower() == "true",
        userhash=params.get("userhash", "").lower() == "true",
        charset="UTF-8" if charset is not None and charset.upper() == "UTF-8" else None,
        domain=tuple(params.get("domain", "").split()),
    )


def parse_digest_challenge(
    header_values: Iterable[str], *, max_size: int = DEFAULT_MAX_CHALLENGE_SIZE
) -> DigestChallenge | None:
    """Pick the first usable ``Digest`` challenge among ``WWW-Authenticate`` values.

    Args:
        header_values: every ``WWW-Authenticate`` value of the response.
        max_size: values longer than this are ignored
            (:data:`DEFAULT_MAX_CHALLENGE_SIZE`).

    Returns:
        the first challenge this client can answer, or ``None`` when the
        response has no ``Digest`` challenge at all.

    Raises:
        DigestAuthError: there are ``Digest`` challenges but none can be
            answered (unknown algorithm or qop, no realm or nonce); the
            message says why for the first one.
    """
    first_error: DigestAuthError | None = None
    for value in header_values:
        if len(value) > max_size:
            continue
        for scheme, params in parse_www_authenticate(value):
            if scheme != "digest":
                continue
            try:
                challenge = _challenge_from_params(params)
                hashlib.new(challenge.hash_name)
            except DigestAuthError as exc:
                first_error = first_error or exc
                continue
            except ValueError:
                first_error = first_error or DigestAuthError(
                    f"Digest algorithm {params.get('algorithm')!r} is not available "
                    "in this Python's hashlib"
                )
                continue
            return challenge
    if first_error is not None:
        raise first_error
    return None


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def digest_authorization(
    challenge: DigestChallenge,
    *,
    method: str,
    uri: str,
    username: str,
    password: str,
    nc: int,
    cnonce: str,
    body: bytes = b"",
    qop: str | None = None,
) -> str:
    """Compute the ``Authorization`` header value answering ``challenge`` (RFC 7616 §3.4).

    Args:
        challenge: the server's challenge.
        method: the request method.
        uri: the request target as sent (``/path?query``).
        username, password: the credentials; encoded as UTF-8 when the
            challenge has ``charset=UTF-8``, else as ISO-8859-1 when possible.
        nc: the nonce count (1 for the first use of a nonce).
        cnonce: the client nonce.
        body: the request body, hashed for ``qop=auth-int``.
        qop: the qop to use; by default ``auth`` when offered, else ``auth-int``
            (``None`` with a challenge offering no qop: the RFC 2069 form).

    Raises:
        DigestAuthError: ``qop`` is not among those offered, or a ``-sess``
            algorithm comes without any qop.
    """
    if qop is None and challenge.qop:
        qop = "auth" if "auth" in challenge.qop else "auth-int"
    if qop is not None and qop not in challenge.qop:
        raise DigestAuthError(f"qop {qop!r} was not offered by the server ({challenge.qop})")
    if qop is None and challenge.session:
        raise DigestAuthError(f"Digest algorithm {challenge.algorithm} needs a qop")
    hash_name = challenge.hash_name

    def digest(data: str | bytes) -> str:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return hashlib.new(hash_name, raw).hexdigest()

    def encode(text: str) -> bytes:
        if challenge.charset is None:
            try:
                return text.encode("iso-8859-1")
            except UnicodeEncodeError:
                pass
        return text.encode("utf-8")

    a1 = digest(encode(username) + b":" + encode(challenge.realm) + b":" + encode(password))
    if challenge.session:
        a1 = digest(f"{a1}:{challenge.nonce}:{cnonce}")
    a2_text = f"{method}:{uri}"
    if qop == "auth-int":
        a2_text += ":" + digest(body)
    a2 = digest(a2_text)
    nc_text = f"{nc:08x}"
    if qop is None:
        response = digest(f"{a1}:{challenge.nonce}:{a2}")
    else:
        response = digest(f"{a1}:{challenge.nonce}:{nc_text}:{cnonce}:{qop}:{a2}")

    fields: list[str] = []
    if challenge.userhash:
        fields.append(
            "username=" + _quote(digest(encode(username) + b":" + encode(challenge.realm)))
        )
    elif username.isascii() and username.isprintable():
        fields.append("username=" + _quote(username))
    else:  # RFC 7616 §3.4.4: username* in the RFC 5987 extended notation
        fields.append("username*=UTF-8''" + quote(username, safe=""))
    fields += [
        "realm=" + _quote(challenge.realm),
        "uri=" + _quote(uri),
        "algorithm=" + challenge.algorithm,
        "nonce=" + _quote(challenge.nonce),
    ]
    if qop is not None:
        fields += [f"nc={nc_text}", "cnonce=" + _quote(cnonce), f"qop={qop}"]
    fields.append("response=" + _quote(response))
    if challenge.opaque is not None:
        fields.append("opaque=" + _quote(challenge.opaque))
    if challenge.userhash:
        fields.append("userhash=true")
    return "Digest " + ", ".join(fields)


async def _body_bytes(body: Any) -> bytes:
    """The bytes of a request body, for ``qop=auth-int``."""
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    payload = getattr(body, "payload", body)  # aiohttp_client's RequestBody wraps a Payload
    as_bytes = getattr(payload, "as_bytes", None)
    if as_bytes is not None:
        data = await as_bytes()
        if isinstance(data, (bytes, bytearray)):
            return bytes(data)
    raise DigestAuthError(f"Cannot hash a {type(body).__name__} body for Digest qop=auth-int")


def _origin(url: URL) -> tuple[str, str | None, int | None]:
    return url.scheme, url.host, url.port


class DigestAuthMiddleware:
    """Answer ``401`` Digest challenges (RFC 7616): aiohttp 3.12's ``DigestAuthMiddleware``.

    Use it as ``ClientSession(middlewares=[DigestAuthMiddleware("user", "pass")])``.
    On a ``401`` with a ``Digest`` challenge the request is sent once more with
    an ``Authorization`` header; the second answer is returned whatever it is.
    Algorithms: MD5, SHA-256, SHA-512-256 and their ``-sess`` variants; qop
    ``auth`` (preferred) and ``auth-int`` (the body is hashed); ``userhash``,
    ``charset=UTF-8`` and ``opaque`` are honoured.

    Args:
        login, password: the credentials.
        preemptive: reuse the last challenge for later requests to the same
            protection space (same origin and, when the challenge lists
            ``domain`` URIs, under one of them), saving a round trip.
        cnonce_factory: makes client nonces (32 random hex digits by default).

    Raises:
        ValueError: on a ``None`` login or password.
        DigestAuthError: (from the call) the challenge cannot be answered;
            the ``401`` response is released first.
    """

    def __init__(
        self,
        login: str,
        password: str,
        preemptive: bool = True,
        *,
        cnonce_factory: Callable[[], str] | None = None,
    ) -> None:
        if login is None or password is None:
            raise ValueError("DigestAuthMiddleware needs a login and a password (not None)")
        self._login = login
        self._password = password
        self._preemptive = preemptive
        self._cnonce_factory = cnonce_factory or (lambda: secrets.token_hex(16))
        self._challenge: DigestChallenge | None = None
        self._challenge_url: URL | None = None
        self._nonce_count = 0

    def _in_protection_space(self, url: URL) -> bool:
        challenge, origin_url = self._challenge, self._challenge_url
        if challenge is None or origin_url is None or _origin(url) != _origin(origin_url):
            return False
        if not challenge.domain:
            return True
        for entry in challenge.domain:
            base = origin_url.join(URL(entry))
            if _origin(base) == _origin(url) and url.path.startswith(base.path):
                return True
        return False

    async def _authorize(self, request: Any) -> None:
        challenge = self._challenge
        assert challenge is not None
        self._nonce_count += 1
        qop = None
        if challenge.qop:
            qop = "auth" if "auth" in challenge.qop else "auth-int"
        body = await _body_bytes(request.body) if qop == "auth-int" else b""
        url: URL = request.url
        request.headers["Authorization"] = digest_authorization(
            challenge,
            method=request.method,
            uri=url.raw_path_qs,
            username=self._login,
            password=self._password,
            nc=self._nonce_count,
            cnonce=self._cnonce_factory(),
            body=body,
            qop=qop,
        )

    async def __call__(self, request: Any, handler: ClientHandlerType) -> Any:
        """Send ``request`` through ``handler``, answering one Digest challenge if needed.

        Raises:
            DigestAuthError: a challenge cannot be answered.
        """
        sent_nonce: str | None = None
        if self._preemptive and self._in_protection_space(request.url):
            await self._authorize(request)
            assert self._challenge is not None
            sent_nonce = self._challenge.nonce
        response = await handler(request)
        if response.status != 401:
            return response
        try:
            challenge = parse_digest_challenge(response.headers.getall("WWW-Authenticate", ()))
        except DigestAuthError:
            await release_response(response)
            raise
        if challenge is None:
            return response
        if sent_nonce == challenge.nonce and not challenge.stale:
            return response  # the credentials were refused for this very nonce
        if challenge.nonce != (self._challenge.nonce if self._challenge else None):
            self._nonce_count = 0
        self._challenge, self._challenge_url = challenge, request.url
        await release_response(response)
        await self._authorize(request)
        return await handler(request)
