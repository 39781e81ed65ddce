"""Redirect rules (RFC 9110 §15.4): where to go next, with which method and which headers."""

from __future__ import annotations

from multidict import CIMultiDict
from yarl import URL

from aiohttp_http import hdrs

from ._exceptions import InvalidUrlRedirectClientError, NonHttpUrlRedirectClientError

__all__ = [
    "DEFAULT_MAX_REDIRECTS",
    "REDIRECT_STATUSES",
    "redirect_method",
    "resolve_location",
    "same_origin",
    "strip_body_headers",
    "strip_credentials",
]

#: Redirects followed before :class:`TooManyRedirects` is raised.
DEFAULT_MAX_REDIRECTS = 10
#: Statuses that are followed when ``allow_redirects`` is true.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

_BODY_HEADERS = (
    hdrs.CONTENT_LENGTH,
    hdrs.CONTENT_TYPE,
    hdrs.CONTENT_ENCODING,
    hdrs.TRANSFER_ENCODING,
    hdrs.EXPECT,
)
_CREDENTIAL_HEADERS = (hdrs.AUTHORIZATION, hdrs.PROXY_AUTHORIZATION, hdrs.COOKIE)


def redirect_method(status: int, method: str) -> tuple[str, bool]:
    """The method of the redirected request and whether the body is sent again.

    303 turns every method but ``HEAD`` into ``GET``; 301 and 302 turn ``POST``
    into ``GET`` (what browsers do, RFC 9110 §15.4.2-3); otherwise (307, 308)
    method and body are kept.
    """
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        return "GET", False
    return method, True


def resolve_location(current: URL, location: str, *, requote: bool = True) -> URL:
    """Resolve a ``Location`` value against the URL that answered.

    Relative and scheme-relative (``//host/path``) references are joined to
    ``current``. The fragment of ``current`` is kept when the location has
    none (RFC 9110 §10.2.2).

    Raises:
        InvalidUrlRedirectClientError: the location is not a valid URL or has no host.
        NonHttpUrlRedirectClientError: the location uses a scheme other than http(s).
    """
    try:
        target = URL(location, encoded=not requote)
    except ValueError as exc:
        raise InvalidUrlRedirectClientError(
            location, "Server attempted redirecting to a location that does not look like a URL"
        ) from exc
    scheme = target.scheme
    if scheme and scheme not in ("http", "https"):
        raise NonHttpUrlRedirectClientError(location)
    if not scheme:  # relative or scheme-relative (``//host/path``)
        target = current.join(target)
        if current.fragment and not target.fragment:
            target = target.with_fragment(current.fragment)
    if not target.raw_host:
        raise InvalidUrlRedirectClientError(location, "the redirect target has no host")
    return target


def same_origin(a: URL, b: URL) -> bool:
    """Whether ``a`` and ``b`` share scheme, host and port (RFC 6454 origin)."""
    return a.scheme == b.scheme and a.host == b.host and a.port == b.port


def strip_body_headers(headers: CIMultiDict[str]) -> None:
    """Remove the headers that describe a body that is no longer sent."""
    for name in _BODY_HEADERS:
        headers.popall(name, None)


def strip_credentials(headers: CIMultiDict[str]) -> None:
    """Remove credentials and per-request cookies (before going to another origin)."""
    for name in _CREDENTIAL_HEADERS:
        headers.popall(name, None)
