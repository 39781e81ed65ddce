"""Proxies from the environment (``trust_env=True``): ``*_PROXY``, ``NO_PROXY`` and ``.netrc``.

Rules (those of curl, Python's ``urllib`` and aiohttp, made strict):

* ``http_proxy``, ``https_proxy``, ``ws_proxy``, ``wss_proxy`` name the proxy
  for each request scheme; the lower-case variable wins over the upper-case
  one. ``ws`` falls back to the ``http`` proxy and ``wss`` to the ``https``
  one. In a CGI context (``REQUEST_METHOD`` set) the upper-case
  ``HTTP_PROXY`` is ignored: a client can set it through a ``Proxy:`` header
  (the "httpoxy" issue).
* A value without ``://`` is taken as ``http://<value>``. Proxy schemes are
  those of :data:`PROXY_SCHEMES`; a proxy URL must have a host and no path,
  query or fragment. Anything else raises ``ValueError`` naming the variable.
* Credentials come from the proxy URL (and are removed from it), else from
  ``.netrc`` for the proxy host.
* ``no_proxy`` / ``NO_PROXY`` (lower-case wins) is a comma-separated list of
  ``*``, host names (``example.com`` and ``.example.com`` both match the
  domain and its sub-domains; ``*.example.com`` too), ``host:port``, IPv4
  and IPv6 addresses (``[::1]`` or ``::1``, with an optional port in the
  bracketed form), and CIDR ranges (``10.0.0.0/8``, ``fd00::/8``). Host names
  are never resolved to test a range.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

from yarl import URL

from ._auth import BasicAuth
from ._netrc import get_netrc_auth

__all__ = [
    "PROXY_SCHEMES",
    "ProxyInfo",
    "get_env_proxy_for_url",
    "proxies_from_env",
    "should_bypass_proxy",
]

#: Proxy URL schemes accepted in ``*_PROXY`` variables. ``socks4``/``socks5``
#: resolve the target locally, ``socks4a``/``socks5h`` let the proxy resolve it.
PROXY_SCHEMES = frozenset({"http", "https", "socks4", "socks4a", "socks5", "socks5h"})

#: Request schemes that can be proxied, and the scheme whose proxy they fall back to.
_FALLBACK = {"http": None, "https": None, "ws": "http", "wss": "https"}

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class ProxyInfo:
    """A proxy found in the environment: its URL (without credentials) and credentials.

    Attributes:
        proxy: the proxy URL, e.g. ``URL("http://proxy.local:3128")``.
        proxy_auth: the credentials from the URL or ``.netrc``, or ``None``.
    """

    proxy: URL
    proxy_auth: BasicAuth | None


def _env_value(environ: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """Return ``(variable, value)`` for ``name``: lower case first, then upper case."""
    for variable in (name.lower(), name.upper()):
        if variable == "HTTP_PROXY" and "REQUEST_METHOD" in environ:
            continue  # CGI: HTTP_PROXY may come from a client's "Proxy:" header
        value = environ.get(variable)
        if value is not None and value.strip():
            return variable, value.strip()
    return None


def _parse_proxy_url(variable: str, value: str, *, netrc: bool) -> ProxyInfo:
    text = value if "://" in value else f"http://{value}"
    try:
        url = URL(text)
        url.port  # noqa: B018  (parses the port: yarl raises on an invalid one)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{variable}: malformed proxy URL {value[:100]!r}: {exc}") from None
    scheme = url.scheme.lower()
    if scheme not in PROXY_SCHEMES:
        raise ValueError(
            f"{variable}: unsupported proxy scheme {url.scheme!r} in {value[:100]!r} "
            f"(supported: {', '.join(sorted(PROXY_SCHEMES))})"
        )
    if not url.host:
        raise ValueError(f"{variable}: proxy URL {value[:100]!r} has no host")
    if url.raw_path not in ("", "/") or url.raw_query_string or url.raw_fragment:
        raise ValueError(
            f"{variable}: proxy URL {value[:100]!r} must not have a path, query or fragment"
        )
    auth: BasicAuth | None = None
    if url.user is not None:
        try:
            auth = BasicAuth(url.user, url.password or "")
        except ValueError as exc:
            raise ValueError(f"{variable}: unusable proxy credentials: {exc}") from None
    clean = url.with_user(None).with_path("")
    if auth is None and netrc:
        auth = get_netrc_auth(url.host)
    return ProxyInfo(clean, auth)


def _proxy_for_scheme(scheme: str, environ: Mapping[str, str], *, netrc: bool) -> ProxyInfo | None:
    found = _env_value(environ, f"{scheme}_proxy")
    if found is None:
        fallback = _FALLBACK.get(scheme)
        if fallback is None:
            return None
        found = _env_value(environ, f"{fallback}_proxy")
        if found is None:
            return None
    return _parse_proxy_url(*found, netrc=netrc)


def proxies_from_env(
    *, environ: Mapping[str, str] | None = None, netrc: bool = True
) -> dict[str, ProxyInfo]:
    """Return the proxies configured in the environment, keyed by request scheme.

    Keys are among ``"http"``, ``"https"``, ``"ws"`` and ``"wss"`` (``ws``
    and ``wss`` falling back to the ``http`` and ``https`` proxies).

    Args:
        environ: the variables to read; :data:`os.environ` by default.
        netrc: look up ``.netrc`` credentials for proxies without any in their URL.

    Raises:
        ValueError: a proxy variable holds a malformed URL or an unsupported
            scheme; the message names the variable.
    """
    env = os.environ if environ is None else environ
    result: dict[str, ProxyInfo] = {}
    for scheme in _FALLBACK:
        info = _proxy_for_scheme(scheme, env, netrc=netrc)
        if info is not None:
            result[scheme] = info
    return result


def _parse_ip(text: str) -> _IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _split_no_proxy_entry(variable: str, entry: str) -> tuple[str, int | None]:
    """Split ``host[:port]`` / ``[v6][:port]`` / ``v6`` into a lower-case host and a port."""
    if entry.startswith("["):
        close = entry.find("]")
        if close == -1:
            raise ValueError(f"{variable}: unclosed '[' in entry {entry[:100]!r}")
        host, rest = entry[1:close], entry[close + 1 :]
        if not rest:
            return host, None
        if not rest.startswith(":"):
            raise ValueError(f"{variable}: unexpected text after ']' in entry {entry[:100]!r}")
        port_text = rest[1:]
    elif entry.count(":") > 1 or "/" in entry:
        return entry, None  # a bare IPv6 address or a CIDR range
    elif ":" in entry:
        host, port_text = entry.split(":", 1)
    else:
        return entry, None
    if not port_text.isdigit() or not port_text.isascii() or not 0 < int(port_text) < 65536:
        raise ValueError(f"{variable}: invalid port in entry {entry[:100]!r}")
    return host, int(port_text)


def _entry_matches(
    variable: str,
    entry: str,
    host: str,
    host_ip: _IPAddress | None,
    port: int | None,
) -> bool:
    entry_host, entry_port = _split_no_proxy_entry(variable, entry)
    if entry_port is not None and entry_port != port:
        return False
    if "/" in entry_host:
        try:
            network: _IPNetwork = ipaddress.ip_network(entry_host, strict=False)
        except ValueError:
            raise ValueError(f"{variable}: invalid CIDR range {entry[:100]!r}") from None
        return host_ip is not None and host_ip in network
    entry_ip = _parse_ip(entry_host)
    if entry_ip is not None:
        return host_ip is not None and host_ip == entry_ip
    name = entry_host.rstrip(".").lower()
    name = name.removeprefix("*").removeprefix(".")
    if not name:
        raise ValueError(f"{variable}: empty host in entry {entry[:100]!r}")
    return host == name or host.endswith("." + name)


def should_bypass_proxy(url: URL, *, environ: Mapping[str, str] | None = None) -> bool:
    """Tell whether ``NO_PROXY`` (or ``no_proxy``, which wins) exempts ``url``.

    Args:
        url: the request URL; its host and effective port are matched.
        environ: the variables to read; :data:`os.environ` by default.

    Raises:
        ValueError: an entry has an invalid port or CIDR range, an unclosed
            ``[``, or an empty host; the message names the variable.
    """
    env = os.environ if environ is None else environ
    found = None
    for variable in ("no_proxy", "NO_PROXY"):
        if variable in env:
            found = variable, env[variable]
            break
    if found is None or url.host is None:
        return False
    variable, value = found
    host = url.host.rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    host_ip = _parse_ip(host)
    port = url.port
    for raw_entry in value.split(","):
        entry = raw_entry.strip()
        if not entry:
            continue
        if entry == "*":
            return True
        if _entry_matches(variable, entry, host, host_ip, port):
            return True
    return False


def get_env_proxy_for_url(
    url: URL, *, environ: Mapping[str, str] | None = None, netrc: bool = True
) -> tuple[URL, BasicAuth | None]:
    """Return the environment's proxy for ``url`` and its credentials (aiohttp's helper).

    Only the variables for ``url``'s scheme (and its fallback) are read, so a
    malformed variable for another scheme does not matter.

    Args:
        url: the request URL (``http``, ``https``, ``ws`` or ``wss``).
        environ: the variables to read; :data:`os.environ` by default.
        netrc: look up ``.netrc`` credentials for a proxy without any in its URL.

    Raises:
        LookupError: ``NO_PROXY`` exempts the URL, or no proxy is configured for
            its scheme (as aiohttp's ``get_env_proxy_for_url``).
        ValueError: the relevant variable holds a malformed URL or an unsupported
            scheme, or ``NO_PROXY`` is malformed; the message names the variable.
    """
    env = os.environ if environ is None else environ
    if should_bypass_proxy(url, environ=env):
        raise LookupError(f"Proxying is disallowed for {url.host!r} by NO_PROXY")
    scheme = url.scheme.lower()
    info = _proxy_for_scheme(scheme, env, netrc=netrc) if scheme in _FALLBACK else None
    if info is None:
        raise LookupError(f"No proxies found for {str(url)!r} in the environment")
    return info.proxy, info.proxy_auth
