"""RFC 6265 cookie storage: :class:`CookieJar` and :class:`DummyCookieJar`.

Theory of operation: a cookie is identified by ``(domain, path, name)``
(RFC 6265 §5.3 step 11). The jar keeps every cookie in one ordered dict in
least-recently-used order (an update or a send moves it to the end) plus a
per-domain index used both to find candidates for a request (the request
host and each of its parent domains) and to enforce the per-domain limit.
Expiry times sit in a heap so purging costs nothing while nothing expires.
Every bound (cookies per domain, cookies in total, size of one cookie) has a
documented default and a parameter.
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from http.cookies import BaseCookie, Morsel, SimpleCookie
from pathlib import Path
from typing import Any

from yarl import URL

from ._abc import AbstractCookieJar, ClearCookiePredicate
from ._cookie_parsing import (
    _CTL_RE,
    _MAX_AGE_RE,
    MAX_ATTRIBUTE_VALUE_SIZE,
    StoredCookie,
    default_path,
    domain_match,
    entry_to_record,
    is_ip_address,
    make_morsel,
    parse_cookie_date,
    parse_set_cookie,
    path_match,
    record_to_entry,
)
from ._typedefs import LooseCookies, StrOrURL

__all__ = [
    "DEFAULT_MAX_COOKIES",
    "DEFAULT_MAX_COOKIES_PER_DOMAIN",
    "DEFAULT_MAX_COOKIE_SIZE",
    "CookieJar",
    "DummyCookieJar",
]

logger = logging.getLogger("aiohttp_client.cookiejar")

#: Most cookies kept in one jar; the least recently used are evicted first.
DEFAULT_MAX_COOKIES = 3000
#: Most cookies kept for one domain (or one host, for host-only cookies).
DEFAULT_MAX_COOKIES_PER_DOMAIN = 50
#: Largest cookie accepted, in characters of name plus value (RFC 6265 §6.1: 4096).
DEFAULT_MAX_COOKIE_SIZE = 4096

# Latest expiry representable everywhere: 9999-12-31T23:59:59Z.
_MAX_TIME = 253402300799.0
_SAVE_FORMAT = "aiohttp-client-cookiejar"
_SAVE_VERSION = 1
_SECURE_SCHEMES = frozenset({"https", "wss"})

_EMPTY_URL = URL()
_Key = tuple[str, str, str]  # (domain, path, name)


def _origins(value: StrOrURL | Iterable[StrOrURL] | None) -> frozenset[URL]:
    if value is None:
        return frozenset()
    items: Iterable[StrOrURL] = [value] if isinstance(value, (str, URL)) else value
    result = set()
    for item in items:
        url = URL(item) if isinstance(item, str) else item
        try:
            result.add(url.origin())
        except ValueError:
            raise ValueError(
                f"treat_as_secure_origin: {str(url)!r} is not an absolute URL"
            ) from None
    return frozenset(result)


class CookieJar(AbstractCookieJar):
    """A cookie store following RFC 6265 (with RFC 6265bis' prefixes and limits).

    Receiving (:meth:`update_cookies`, :meth:`update_cookies_from_headers`):
    a cookie without ``Domain`` is host-only; a ``Domain`` that the response
    host does not domain-match, or a bare top-level domain (``Domain=com``),
    makes the cookie ignored; ``Max-Age`` wins over ``Expires``; a cookie
    already expired deletes the stored one; ``__Secure-`` cookies need
    ``Secure`` and a secure origin, ``__Host-`` ones also no ``Domain`` and
    ``Path=/``; a non-secure origin cannot overwrite a ``Secure`` cookie;
    cookies from IP-address hosts are refused unless ``unsafe=True``.

    Sending (:meth:`filter_cookies`): domain and path matching (§5.1.3,
    §5.1.4), ``Secure`` cookies only to ``https``/``wss`` or to the origins in
    ``treat_as_secure_origin``; most specific path first, then oldest (§5.4).

    Args:
        unsafe: accept and send cookies for IP-address hosts.
        quote_cookie: quote values that need it when sending (aiohttp's
            default); ``False`` sends values exactly as stored.
        treat_as_secure_origin: origins (``"http://localhost:8080"``) where
            ``Secure`` cookies may be sent and received although not https.
        loop: ignored; kept for aiohttp 3.x compatibility.
        max_cookies: most cookies kept (default
            :data:`DEFAULT_MAX_COOKIES`); the least recently used are evicted.
        max_cookies_per_domain: most cookies per domain (default
            :data:`DEFAULT_MAX_COOKIES_PER_DOMAIN`); expired then least
            recently used cookies of that domain are evicted.
        max_cookie_size: largest ``len(name) + len(value)`` accepted (default
            :data:`DEFAULT_MAX_COOKIE_SIZE`); larger cookies are ignored.
        clock: returns the current time in POSIX seconds (default
            :func:`time.time`); inject one to test expiry.

    Raises:
        ValueError: if a limit is below 1 or a secure origin is not absolute.
    """

    def __init__(
        self,
        *,
        unsafe: bool = False,
        quote_cookie: bool = True,
        treat_as_secure_origin: StrOrURL | Iterable[StrOrURL] | None = None,
        loop: Any = None,
        max_cookies: int = DEFAULT_MAX_COOKIES,
        max_cookies_per_domain: int = DEFAULT_MAX_COOKIES_PER_DOMAIN,
        max_cookie_size: int = DEFAULT_MAX_COOKIE_SIZE,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(loop=loop)
        for name, limit in (
            ("max_cookies", max_cookies),
            ("max_cookies_per_domain", max_cookies_per_domain),
            ("max_cookie_size", max_cookie_size),
        ):
            if limit < 1:
                raise ValueError(f"{name} must be at least 1, not {limit!r}")
        self._clock = time.time if clock is None else clock
        self._unsafe = unsafe
        self._quote_cookie = quote_cookie
        self._treat_as_secure_origin = _origins(treat_as_secure_origin)
        self._max_cookies = max_cookies
        self._max_cookies_per_domain = max_cookies_per_domain
        self._max_cookie_size = max_cookie_size
        self._cookies: OrderedDict[_Key, StoredCookie] = OrderedDict()
        self._by_domain: dict[str, OrderedDict[_Key, None]] = {}
        self._expirations: list[tuple[float, _Key]] = []

    # --- properties and container protocol -----------------------------------

    @property
    def quote_cookie(self) -> bool:
        """Whether :meth:`filter_cookies` quotes values that need it."""
        return self._quote_cookie

    @property
    def max_cookies(self) -> int:
        """The most cookies this jar keeps."""
        return self._max_cookies

    @property
    def max_cookies_per_domain(self) -> int:
        """The most cookies this jar keeps for one domain."""
        return self._max_cookies_per_domain

    @property
    def max_cookie_size(self) -> int:
        """The largest ``len(name) + len(value)`` this jar accepts."""
        return self._max_cookie_size

    def __iter__(self) -> Iterator[Morsel[str]]:
        """Yield the unexpired cookies, least recently used first."""
        self._purge_expired(self._clock())
        return iter([entry.morsel for entry in self._cookies.values()])

    def __len__(self) -> int:
        """Return the number of unexpired cookies."""
        self._purge_expired(self._clock())
        return len(self._cookies)

    def __repr__(self) -> str:
        return f"<CookieJar cookies={len(self._cookies)} unsafe={self._unsafe}>"

    # --- removing --------------------------------------------------------------

    def clear(self, predicate: ClearCookiePredicate | None = None) -> None:
        """Remove the cookies whose :class:`Morsel` satisfies ``predicate`` (all if ``None``)."""
        if predicate is None:
            self._cookies.clear()
            self._by_domain.clear()
            self._expirations.clear()
            return
        self._purge_expired(self._clock())
        for key in [key for key, entry in self._cookies.items() if predicate(entry.morsel)]:
            self._remove(key)

    def clear_domain(self, domain: str) -> None:
        """Remove the cookies of ``domain`` and of all its subdomains."""
        domain = domain.lower().removeprefix(".")
        self.clear(lambda morsel: domain_match(domain, morsel["domain"]))

    def _remove(self, key: _Key) -> None:
        entry = self._cookies.pop(key, None)
        if entry is None:
            return
        keys = self._by_domain.get(entry.domain)
        if keys is not None:
            keys.pop(key, None)
            if not keys:
                del self._by_domain[entry.domain]

    def _purge_expired(self, now: float) -> None:
        heap = self._expirations
        while heap and heap[0][0] <= now:
            when, key = heapq.heappop(heap)
            entry = self._cookies.get(key)
            if entry is not None and entry.expires == when:
                self._remove(key)
        # Replaced cookies leave stale heap items behind; keep the heap bounded.
        if len(heap) > 2 * len(self._cookies) + 64:
            self._expirations = [
                (entry.expires, key)
                for key, entry in self._cookies.items()
                if entry.expires is not None
            ]
            heapq.heapify(self._expirations)

    # --- receiving ----------------------------------------------------------------

    def update_cookies(self, cookies: LooseCookies, response_url: URL = _EMPTY_URL) -> None:
        """Store cookies received in a response from ``response_url``.

        Args:
            cookies: a mapping (``dict``, :class:`SimpleCookie`) or an iterable
                of ``(name, value)`` pairs; values are ``str`` or
                :class:`Morsel` (whose attributes are honoured).
            response_url: the URL of the response; the default empty URL
                stores *shared* cookies, sent with every request.

        Invalid cookies are skipped (logged at debug level), never raised.
        """
        url = URL(response_url)
        pairs: Iterable[tuple[str, Any]] = (
            cookies.items() if isinstance(cookies, Mapping) else cookies
        )
        now = self._clock()
        for name, value in pairs:
            morsel = self._as_morsel(name, value)
            if morsel is not None:
                self._store(morsel, url, now)
        self._purge_expired(now)

    def update_cookies_from_headers(self, headers: Sequence[str], response_url: URL) -> None:
        """Store the cookies of raw ``Set-Cookie`` values received from ``response_url``.

        Each value is parsed with :func:`parse_set_cookie`; malformed values
        are skipped.
        """
        url = URL(response_url)
        now = self._clock()
        for header in headers:
            morsel = parse_set_cookie(header)
            if morsel is None:
                logger.debug("Ignored malformed Set-Cookie from %s: %.80r", url, header)
                continue
            self._store(morsel, url, now)
        self._purge_expired(now)

    @staticmethod
    def _as_morsel(name: str, value: Any) -> Morsel[str] | None:
        if not isinstance(name, str) or not name or "=" in name or ";" in name:
            logger.debug("Ignored cookie with invalid name %.80r", name)
            return None
        if isinstance(value, Morsel):
            morsel = make_morsel(name, str(value.value), str(value.coded_value))
            for attribute in ("expires", "max-age", "domain", "path", "secure", "httponly"):
                if value[attribute]:
                    morsel[attribute] = value[attribute]
            samesite = value.get("samesite")
            if samesite:
                morsel["samesite"] = samesite
        else:
            text = str(value)
            morsel = make_morsel(name, text, SimpleCookie().value_encode(text)[1])
        if _CTL_RE.search(name) or _CTL_RE.search(morsel.coded_value):
            logger.debug("Ignored cookie %.80r with a control character", name)
            return None
        return morsel

    def _is_secure_origin(self, url: URL) -> bool | None:
        """True for https/wss or a trusted origin; False for other schemes; None if unknown."""
        if not url.scheme:
            return None
        if url.scheme in _SECURE_SCHEMES:
            return True
        if self._treat_as_secure_origin and url.absolute:
            try:
                return url.origin() in self._treat_as_secure_origin
            except ValueError:
                return False
        return False

    def _store(self, morsel: Morsel[str], url: URL, now: float) -> None:
        name = morsel.key
        if len(name) + len(morsel.coded_value) > self._max_cookie_size:
            logger.debug(
                "Ignored cookie %.40r from %s: larger than %d", name, url, self._max_cookie_size
            )
            return
        hostname = url.raw_host.lower().rstrip(".") if url.raw_host else None
        if hostname is not None and not self._unsafe and is_ip_address(hostname):
            logger.debug(
                "Ignored cookie %.40r from IP address host %s (unsafe=False)", name, hostname
            )
            return

        # Domain (RFC 6265 §5.2.3 and §5.3 steps 4-6).
        domain_attr = str(morsel["domain"] or "").lower().removeprefix(".")
        if domain_attr.endswith("."):
            domain_attr = ""  # a trailing dot is not a valid domain: treat as absent
        if domain_attr and not domain_attr.isascii():
            try:
                domain_attr = domain_attr.encode("idna").decode("ascii")
            except UnicodeError:
                logger.debug("Ignored cookie %.40r: invalid Domain %.80r", name, domain_attr)
                return
        if hostname is None:
            domain, host_only = domain_attr, False
        elif not domain_attr:
            domain, host_only = hostname, True
        elif domain_attr == hostname and "." not in hostname:
            domain, host_only = hostname, True  # e.g. Domain=localhost from localhost
        elif "." not in domain_attr:
            logger.debug(
                "Ignored cookie %.40r from %s: Domain=%s is a top-level domain",
                name,
                hostname,
                domain_attr,
            )
            return
        elif not domain_match(domain_attr, hostname):
            logger.debug(
                "Ignored cookie %.40r: Domain=%s does not match host %s",
                name,
                domain_attr,
                hostname,
            )
            return
        else:
            domain, host_only = domain_attr, False

        path = morsel["path"]
        if not path or not path.startswith("/"):
            path = default_path(url.path)
        path = path[:MAX_ATTRIBUTE_VALUE_SIZE]

        # Secure and the cookie prefixes (RFC 6265bis §4.1.3).
        secure = bool(morsel["secure"])
        secure_origin = self._is_secure_origin(url)
        lower_name = name.lower()
        if lower_name.startswith(("__secure-", "__host-")):
            if not secure or secure_origin is False:
                logger.debug(
                    "Ignored cookie %.40r from %s: prefix needs Secure over https", name, url
                )
                return
            if lower_name.startswith("__host-") and (domain_attr or path != "/"):
                logger.debug(
                    "Ignored cookie %.40r from %s: __Host- needs no Domain, Path=/", name, url
                )
                return
        # RFC 6265bis §5.7 step 16: an insecure origin cannot shadow a Secure cookie.
        if secure_origin is False and not secure:
            for entry in self._cookies.values():
                if (
                    entry.secure
                    and entry.morsel.key == name
                    and (domain_match(entry.domain, domain) or domain_match(domain, entry.domain))
                    and path_match(path, entry.path)
                ):
                    logger.debug(
                        "Ignored cookie %.40r from %s: would overwrite a Secure one", name, url
                    )
                    return

        # Expiry: Max-Age wins over Expires (RFC 6265 §5.3 step 3).
        expires: float | None = None
        max_age = str(morsel["max-age"] or "")
        expires_text = str(morsel["expires"] or "")
        if max_age and _MAX_AGE_RE.fullmatch(max_age):
            seconds = int(max_age) if len(max_age) < 16 else (-1 if max_age[0] == "-" else 10**15)
            expires = now + seconds if seconds > 0 else -1.0
        elif expires_text:
            expires = parse_cookie_date(expires_text)
        key = (domain, path, name)
        if expires is not None and expires <= now:
            self._remove(key)  # an expired cookie deletes the stored one
            return
        if expires is not None:
            expires = min(expires, _MAX_TIME)

        stored = make_morsel(name, morsel.value, morsel.coded_value)
        stored["domain"] = domain
        stored["path"] = path
        if max_age and _MAX_AGE_RE.fullmatch(max_age):
            stored["max-age"] = max_age
        elif expires is not None:
            stored["expires"] = expires_text
        if secure:
            stored["secure"] = True
        if morsel["httponly"]:
            stored["httponly"] = True
        samesite = morsel.get("samesite")
        if samesite:
            stored["samesite"] = samesite

        old = self._cookies.get(key)
        created = old.created if old is not None else now  # §5.3 step 11.3
        self._insert(key, StoredCookie(stored, domain, path, host_only, secure, expires, created))

    def _insert(self, key: _Key, entry: StoredCookie) -> None:
        self._cookies[key] = entry
        self._cookies.move_to_end(key)
        domain_keys = self._by_domain.setdefault(entry.domain, OrderedDict())
        domain_keys[key] = None
        domain_keys.move_to_end(key)
        if entry.expires is not None:
            heapq.heappush(self._expirations, (entry.expires, key))
        if len(domain_keys) > self._max_cookies_per_domain:
            self._purge_expired(self._clock())
            while len(domain_keys) > self._max_cookies_per_domain:
                victim = next(iter(domain_keys))
                logger.debug(
                    "Evicted cookie %s: more than %d for this domain",
                    victim,
                    self._max_cookies_per_domain,
                )
                self._remove(victim)
        if len(self._cookies) > self._max_cookies:
            self._purge_expired(self._clock())
            while len(self._cookies) > self._max_cookies:
                victim = next(iter(self._cookies))
                logger.debug(
                    "Evicted cookie %s: more than %d in the jar", victim, self._max_cookies
                )
                self._remove(victim)

    # --- sending -----------------------------------------------------------------

    def filter_cookies(self, request_url: URL = _EMPTY_URL) -> BaseCookie[str]:
        """Return the cookies to send in the ``Cookie`` header of a request to ``request_url``.

        Returns:
            a :class:`SimpleCookie` (a :class:`BaseCookie` when
            ``quote_cookie=False``) ordered most specific path first, then
            oldest; when several stored cookies share a name, only the first
            in that order is returned.
        """
        url = URL(request_url)
        filtered: BaseCookie[str] = SimpleCookie() if self._quote_cookie else BaseCookie()
        if not self._cookies:
            return filtered
        now = self._clock()
        self._purge_expired(now)
        hostname = url.raw_host.lower().rstrip(".") if url.raw_host else ""
        secure = url.scheme in _SECURE_SCHEMES
        if not secure and self._treat_as_secure_origin and url.absolute:
            try:
                secure = url.origin() in self._treat_as_secure_origin
            except ValueError:
                secure = False
        request_path = url.path or "/"

        domains = [""]  # shared cookies, stored without a domain
        if hostname and (self._unsafe or not is_ip_address(hostname)):
            if is_ip_address(hostname):
                domains.append(hostname)
            else:
                labels = hostname.split(".")
                domains.extend(".".join(labels[i:]) for i in range(len(labels)))
        matched: list[tuple[_Key, StoredCookie]] = []
        for domain in domains:
            for key in self._by_domain.get(domain, ()):
                entry = self._cookies[key]
                if entry.host_only and entry.domain != hostname:
                    continue
                if entry.domain and not path_match(request_path, entry.path):
                    continue
                if entry.secure and not secure:
                    continue
                matched.append((key, entry))
        matched.sort(key=lambda item: (-len(item[1].path), item[1].created))
        for key, entry in matched:
            # Last-access time (§5.4 step 3): sent cookies become most recently used.
            self._cookies.move_to_end(key)
            self._by_domain[entry.domain].move_to_end(key)
            name = entry.morsel.key
            if name in filtered:
                continue
            value = entry.morsel.value
            coded = entry.morsel.coded_value if self._quote_cookie else value
            dict.__setitem__(filtered, name, make_morsel(name, value, coded))
        return filtered

    # --- persistence --------------------------------------------------------------

    def save(self, file_path: str | os.PathLike[str]) -> None:
        """Write the unexpired cookies to ``file_path`` as JSON (atomically, mode 0600).

        Raises:
            OSError: if the file cannot be written.
        """
        self._purge_expired(self._clock())
        records = [entry_to_record(entry) for entry in self._cookies.values()]
        document = {"format": _SAVE_FORMAT, "version": _SAVE_VERSION, "cookies": records}
        path = Path(file_path)
        fd, tmp_name = tempfile.mkstemp(prefix=".cookies-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as tmp:
                json.dump(document, tmp, ensure_ascii=False, indent=1)
            os.chmod(tmp_name, 0o600)
            os.replace(tmp_name, path)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
            raise

    def load(self, file_path: str | os.PathLike[str]) -> None:
        """Replace the jar's cookies with those saved by :meth:`save` in ``file_path``.

        Only the JSON format of :meth:`save` is read; nothing in the file is
        ever executed. Expired cookies are dropped and the jar's limits apply.

        Raises:
            OSError: if the file cannot be read.
            ValueError: if it is not a cookie file of this format, in
                particular a pickle file written by aiohttp's ``CookieJar.save``
                (refused: unpickling can run arbitrary code).
        """
        path = Path(file_path)
        data = path.read_bytes()
        if data[:1] == b"\x80" or data.startswith((b"ccollections", b"(dp")):
            raise ValueError(
                f"{path} is a pickle file (aiohttp's cookie jar format); refusing to load it "
                "because unpickling can execute code: save the cookies again with this jar"
            )
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ValueError(f"{path} is not a JSON cookie jar file") from None
        if (
            not isinstance(document, dict)
            or document.get("format") != _SAVE_FORMAT
            or not isinstance(document.get("cookies"), list)
        ):
            raise ValueError(f"{path} is not a cookie jar file of format {_SAVE_FORMAT!r}")
        if document.get("version") != _SAVE_VERSION:
            raise ValueError(
                f"{path} has unsupported cookie jar format version {document.get('version')!r}"
            )
        entries = [
            record_to_entry(str(path), index, record)
            for index, record in enumerate(document["cookies"])
        ]
        self.clear()
        now = self._clock()
        for entry in entries:
            if entry.expires is not None and entry.expires <= now:
                continue
            name = entry.morsel.key
            if len(name) + len(entry.morsel.coded_value) > self._max_cookie_size:
                continue
            self._insert((entry.domain, entry.path, name), entry)


class DummyCookieJar(AbstractCookieJar):
    """A jar that stores nothing: every cookie received is dropped, none is sent.

    Useful for crawlers and proxies. ``loop`` is ignored.
    """

    def __init__(self, *, loop: Any = None) -> None:
        super().__init__(loop=loop)

    @property
    def quote_cookie(self) -> bool:
        """Always ``True``; nothing is ever sent."""
        return True

    def __iter__(self) -> Iterator[Morsel[str]]:
        """Yield nothing."""
        return iter(())

    def __len__(self) -> int:
        """Return 0."""
        return 0

    def clear(self, predicate: ClearCookiePredicate | None = None) -> None:
        """Do nothing."""

    def clear_domain(self, domain: str) -> None:
        """Do nothing."""

    def update_cookies(self, cookies: LooseCookies, response_url: URL = _EMPTY_URL) -> None:
        """Drop the cookies."""

    def update_cookies_from_headers(self, headers: Sequence[str], response_url: URL) -> None:
        """Drop the cookies."""

    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        """Return an empty :class:`SimpleCookie`."""
        return SimpleCookie()
