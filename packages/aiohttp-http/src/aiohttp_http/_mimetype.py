"""MIME-type parsing and Content-Disposition generation (sans-IO, stdlib + multidict only).

``parse_mimetype`` is deliberately lenient: it reads what peers send and never
raises. ``content_disposition_header`` is strict: it builds a header we send,
so anything that cannot be represented safely is refused with ``ValueError``.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple
from urllib.parse import quote

from multidict import MultiDict, MultiDictProxy

__all__ = ["MimeType", "content_disposition_header", "parse_mimetype"]

# RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
#                          "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text; we send only
# ASCII inside quotes, escaping DQUOTE and backslash (quoted-pair).
_QUOTABLE_ASCII_RE = re.compile(r"[\t\x20-\x7e]*")
# Control characters can never appear in a header value, quoted or not.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

# RFC 5987 §3.2.1: mime-charsetc = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "+" / "-" /
#                                  "^" / "_" / "`" / "{" / "}" / "~"
_CHARSET_RE = re.compile(r"[!#$%&+\-^_`{}~0-9A-Za-z]+")
# RFC 5987 §3.2.1: attr-char = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." /
#                              "^" / "_" / "`" / "|" / "~"; quote() always keeps "_.-~".
_ATTR_CHAR_SAFE = "!#$&+^`|~"

# One parameter of a media type: "; name=token" or "; name="quoted \" string"".
_MIME_PARAM_RE = re.compile(
    r"""
    \s*(?P<key>[^=;]*?)\s*
    (?:=\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"?[^;]*|(?P<token>[^;]*?)))?
    \s*(?:;|\Z)
    """,
    re.VERBOSE | re.DOTALL,
)
_QUOTED_PAIR_RE = re.compile(r"\\(.)", re.DOTALL)


class MimeType(NamedTuple):
    """A parsed media type such as ``application/vnd.api+json; charset=utf-8``.

    Attributes:
        type: top-level type, lower case (``"application"``).
        subtype: subtype without the structured-syntax suffix (``"vnd.api"``).
        suffix: structured-syntax suffix after ``+`` (``"json"``), or ``""``.
        parameters: read-only multidict of parameters; names are lower case,
            quoted values are unquoted.
    """

    type: str
    subtype: str
    suffix: str
    parameters: MultiDictProxy[str]


def parse_mimetype(mimetype: str) -> MimeType:
    """Parse a ``Content-Type``-style media type into a :class:`MimeType`.

    Parsing is lenient and never raises: an empty string gives empty fields,
    ``*`` means ``*/*``, a missing subtype is ``""``. Parameter values may be
    tokens or quoted strings (with backslash escapes); a ``;`` inside a quoted
    value does not end it.

    Example::

        >>> mt = parse_mimetype("application/vnd.api+json; charset=utf-8")
        >>> mt.type, mt.subtype, mt.suffix, mt.parameters["charset"]
        ('application', 'vnd.api', 'json', 'utf-8')

    Args:
        mimetype: the header value.
    """
    params: MultiDict[str] = MultiDict()
    if not mimetype:
        return MimeType("", "", "", MultiDictProxy(params))
    fulltype, sep, rest = mimetype.partition(";")
    fulltype = fulltype.strip().lower()
    if fulltype == "*":
        fulltype = "*/*"
    major, _, subtype = fulltype.partition("/")
    subtype, _, suffix = subtype.partition("+")
    pos = 0
    end = len(rest)
    while sep and pos < end:
        match = _MIME_PARAM_RE.match(rest, pos)
        if match is None or match.end() == pos:  # pragma: no cover - the pattern always advances
            break
        pos = match.end()
        key = match.group("key").lower()
        if not key:
            continue
        quoted = match.group("quoted")
        if quoted is not None:
            value = _QUOTED_PAIR_RE.sub(r"\1", quoted)
        else:
            value = (match.group("token") or "").strip().strip('"')
        params.add(key, value)
    return MimeType(major.strip(), subtype.strip(), suffix.strip(), MultiDictProxy(params))


def _quote_string(value: str) -> str:
    """Return *value* as an RFC 9110 quoted-string (DQUOTE and backslash escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ext_value(name: str, value: str, charset: str) -> str:
    """Return *value* as an RFC 5987 ext-value ``charset''percent-encoded``."""
    try:
        encoded = value.encode(charset)
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"cannot encode Content-Disposition parameter {name!r} in charset {charset!r}: {exc}"
        ) from exc
    return f"{charset}''{quote(encoded, safe=_ATTR_CHAR_SAFE)}"


def _ascii_fallback(value: str) -> str:
    """Replace what a plain quoted-string cannot carry with ``_`` (legacy ``filename``)."""
    return "".join(ch if " " <= ch <= "~" or ch == "\t" else "_" for ch in value)


def content_disposition_header(
    disptype: str, quote_fields: bool = True, _charset: str = "utf-8", **params: str
) -> str:
    """Build a ``Content-Disposition`` header value (RFC 6266, RFC 5987).

    Every parameter is sent as a quoted-string with ``"`` and ``\\`` escaped.
    With *quote_fields* true, a value that a quoted-string cannot carry
    (non-ASCII text or control characters) is sent as an RFC 5987 ext-value,
    ``name*=utf-8''...`` percent-encoded; for ``filename`` an ASCII fallback
    ``filename="..."`` (unrepresentable characters replaced by ``_``) comes
    first, as RFC 6266 §4.3 recommends for older recipients.

    Example::

        >>> content_disposition_header("attachment", filename="€ rates.txt")
        'attachment; filename="_ rates.txt"; filename*=utf-8\\'\\'%E2%82%AC%20rates.txt'

    Args:
        disptype: disposition type, an RFC 9110 token (``inline``,
            ``attachment``, ``form-data``...).
        quote_fields: when false, non-ASCII values are sent verbatim in the
            quoted-string (what HTML forms do) instead of as ext-values.
        _charset: charset label and encoding of ext-values.
        params: the parameters, in order; names must be tokens.

    Raises:
        ValueError: *disptype* or a parameter name is not a token, the charset
            is unknown or not a valid label, a value cannot be encoded in it, or
            (with *quote_fields* false) a value holds a control character.
    """
    if not disptype or not _TOKEN_RE.fullmatch(disptype):
        raise ValueError(f"bad Content-Disposition type {disptype!r}: must be an RFC 9110 token")
    if not _CHARSET_RE.fullmatch(_charset):
        raise ValueError(f"bad charset label {_charset!r} for Content-Disposition parameters")
    try:
        codecs.lookup(_charset)
    except LookupError as exc:
        raise ValueError(f"unknown charset {_charset!r} for Content-Disposition") from exc
    parts = [disptype]
    for name, value in params.items():
        if not name or not _TOKEN_RE.fullmatch(name):
            raise ValueError(
                f"bad Content-Disposition parameter name {name!r}: must be an RFC 9110 token"
            )
        if not isinstance(value, str):
            raise TypeError(
                f"Content-Disposition parameter {name!r} must be str, not {type(value).__name__}"
            )
        if _QUOTABLE_ASCII_RE.fullmatch(value):
            parts.append(f"{name}={_quote_string(value)}")
        elif not quote_fields:
            if _CONTROL_RE.search(value):
                raise ValueError(
                    f"Content-Disposition parameter {name!r} contains a control character: "
                    f"{value[:40]!r}"
                )
            parts.append(f"{name}={_quote_string(value)}")
        else:
            if name.lower() == "filename":
                parts.append(f"{name}={_quote_string(_ascii_fallback(value))}")
            parts.append(f"{name}*={_ext_value(name, value, _charset)}")
    return "; ".join(parts)
