"""Small helpers of the session layer: sentinels, defaults, header parsing, creation sites."""

from __future__ import annotations

import codecs
import enum
import os
import re
import ssl as ssl_module
import sys
import warnings
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any, Final

from multidict import MultiDict, MultiDictProxy
from yarl import URL

from aiohttp_http import SUPPORTED_ENCODINGS, parse_mimetype

from ._fingerprint import Fingerprint
from ._timeouts import DEFAULT_TIMEOUT, ClientTimeout

if TYPE_CHECKING:
    from ._response import ClientResponse

__all__ = [
    "DEFAULT_ACCEPT_ENCODING",
    "DEFAULT_USER_AGENT",
    "SENTINEL",
    "Sentinel",
    "creation_site",
    "detect_charset",
    "is_expected_content_type",
    "parse_links",
    "valid_charset",
]


class Sentinel(enum.Enum):
    """The type of :data:`SENTINEL`, "argument not given" (distinct from ``None``)."""

    token = 0


#: Marks an argument that was not given.
SENTINEL: Final = Sentinel.token


def _version() -> str:
    from . import __version__

    return __version__


#: ``User-Agent`` sent unless the caller sets or skips it.
DEFAULT_USER_AGENT: Final = (
    f"aiohttp-client/{_version()} Python/{sys.version_info[0]}.{sys.version_info[1]}"
)

#: ``Accept-Encoding`` sent by default: every coding aiohttp-http can decode here.
DEFAULT_ACCEPT_ENCODING: Final = ", ".join(
    c for c in ("gzip", "deflate", "br", "zstd") if c in SUPPORTED_ENCODINGS
)

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def creation_site() -> str:
    """Return ``"file:line"`` of the first caller frame outside this package.

    Cheap (walks frames, no traceback formatting); used to name where an
    unclosed session or connector was created in its ``ResourceWarning``.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


def valid_charset(charset: str | None) -> str | None:
    """Return ``charset`` if Python knows the codec, else ``None``."""
    if not charset:
        return None
    try:
        codecs.lookup(charset)
    except LookupError:
        return None
    return charset


def detect_charset(response: ClientResponse, body: bytes) -> str:
    """Default fallback charset resolver: guess with chardet, UTF-8 when it cannot tell.

    Args:
        response: the response whose body is decoded (unused by this resolver).
        body: the raw body.
    """
    import chardet

    guess = chardet.detect(body)["encoding"] if body else None
    return valid_charset(guess) or "utf-8"


#: Type of ``fallback_charset_resolver``.
CharsetResolver = Callable[["ClientResponse", bytes], str]

_JSON_RE = re.compile(r"^application/(?:[\w.+-]+?\+)?json$")


def is_expected_content_type(response_type: str, expected: str) -> bool:
    """Whether a response ``Content-Type`` (without parameters) matches ``expected``.

    ``application/json`` also accepts ``application/<x>+json`` (RFC 6839).
    """
    if expected == "application/json":
        return _JSON_RE.match(response_type) is not None
    return expected in response_type


_LINK_SPLIT_RE = re.compile(r",(?=\s*<)")
_LINK_RE = re.compile(r"\s*<(.*)>(.*)")
_LINK_PARAM_RE = re.compile(r"""\s*;\s*([^=;\s]+)\s*(?:=\s*("[^"]*"|[^;]*))?""")


def parse_links(values: list[str], base: URL) -> MultiDictProxy[MultiDictProxy[str | URL]]:
    """Parse ``Link`` header values (RFC 8288) as ``ClientResponse.links`` does.

    The result maps each link's ``rel`` (or its URL when there is none) to a
    proxy of its parameters plus ``url``: the target joined with ``base``.
    """
    links: MultiDict[MultiDictProxy[str | URL]] = MultiDict()
    for value in values:
        for item in _LINK_SPLIT_RE.split(value):
            m = _LINK_RE.match(item)
            if m is None:
                continue
            target, rest = m.groups()
            params: MultiDict[str | URL] = MultiDict()
            for pm in _LINK_PARAM_RE.finditer(rest):
                key, val = pm.group(1), (pm.group(2) or "").strip()
                if len(val) >= 2 and val[0] == val[-1] == '"':
                    val = val[1:-1]
                params.add(key, val)
            key = str(params.get("rel", target))
            params.add("url", base.join(URL(target)))
            links.add(key, MultiDictProxy(params))
    return MultiDictProxy(links)


def content_type_parts(value: str | None) -> tuple[str, dict[str, str]]:
    """Split a ``Content-Type`` into the lowercase ``type/subtype`` and its parameters.

    No header gives ``application/octet-stream`` (RFC 9110 §8.3).
    """
    if not value:
        return "application/octet-stream", {}
    mt = parse_mimetype(value)
    if not mt.type:
        return "application/octet-stream", dict(mt.parameters)
    mimetype = f"{mt.type}/{mt.subtype}"
    if mt.suffix:
        mimetype += f"+{mt.suffix}"
    return mimetype, dict(mt.parameters)


def origin_of(url: URL) -> tuple[str, str | None, int | None]:
    """The origin of ``url`` as ``(scheme, host, port)`` (default ports filled in)."""
    return (url.scheme, url.host, url.port)


def any_to_str(value: Any) -> str:
    """Render a header value given as ``str`` or anything else (``str(value)``)."""
    return value if isinstance(value, str) else str(value)


def merge_ssl(
    ssl: ssl_module.SSLContext | bool | Fingerprint | None,
    verify_ssl: bool | None,
    ssl_context: ssl_module.SSLContext | None,
    fingerprint: bytes | None,
    *,
    stacklevel: int = 4,
) -> ssl_module.SSLContext | bool | Fingerprint:
    """Fold the deprecated ``verify_ssl``/``ssl_context``/``fingerprint`` into ``ssl``.

    A :class:`DeprecationWarning` naming ``ssl=`` is emitted when one is given
    (``stacklevel`` points it at the caller's code).

    Raises:
        ValueError: more than one of them, or one with a non-default ``ssl``.
    """
    if ssl is None:
        ssl = True
    legacy = [v for v in (verify_ssl, ssl_context, fingerprint) if v is not None]
    if not legacy:
        return ssl
    warnings.warn(
        "verify_ssl, ssl_context and fingerprint are deprecated, use ssl=",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
    if ssl is not True or len(legacy) > 1:
        raise ValueError(
            "verify_ssl, ssl_context, fingerprint and ssl parameters are mutually exclusive"
        )
    if verify_ssl is not None:
        return bool(verify_ssl)
    if ssl_context is not None:
        return ssl_context
    assert fingerprint is not None
    return Fingerprint(fingerprint)


def add_params(url: URL, params: Any) -> URL:
    """Add ``params`` to the query of ``url`` (a ``str`` is appended as given)."""
    if isinstance(params, str):
        # A str is sent as given (aiohttp: "content will not be encoded").
        query = f"{url.raw_query_string}&{params}" if url.raw_query_string else params
        fragment = f"#{url.raw_fragment}" if url.raw_fragment else ""
        return URL(f"{url.with_query(None).with_fragment(None)}?{query}{fragment}", encoded=True)
    return url.extend_query(params)


def resolve_session_timeout(
    timeout: ClientTimeout | Sentinel | None,
    read_timeout: float | Sentinel | None,
    conn_timeout: float | None,
) -> ClientTimeout:
    """The session's timeouts from ``timeout`` or the deprecated ``read_timeout``/``conn_timeout``.

    Raises:
        ValueError: the deprecated arguments together with ``timeout``.
        TypeError: ``timeout`` is not a :class:`ClientTimeout`.
    """
    if read_timeout is not SENTINEL or conn_timeout is not None:
        if timeout is not SENTINEL:
            raise ValueError("read_timeout and conn_timeout cannot be used together with timeout")
        warnings.warn(
            "read_timeout and conn_timeout are deprecated, use timeout=ClientTimeout(...)",
            DeprecationWarning,
            stacklevel=3,
        )
        total = None if read_timeout is SENTINEL else read_timeout
        return ClientTimeout(total=total, connect=conn_timeout)
    if timeout is SENTINEL or timeout is None:
        return DEFAULT_TIMEOUT
    if not isinstance(timeout, ClientTimeout):
        raise TypeError(f"timeout must be a ClientTimeout, got {timeout!r}")
    return timeout
