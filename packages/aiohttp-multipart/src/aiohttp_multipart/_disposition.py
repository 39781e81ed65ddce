"""Content-Disposition and Content-Type parameters (RFC 6266, RFC 2231, RFC 5987/8187).

Parsing is tolerant in the way of aiohttp 3.x: a malformed header or
parameter is reported with a warning (:class:`BadContentDispositionHeader`,
:class:`BadContentDispositionParam`) and the header is ignored, so that one
bad upload does not fail a whole request.  Formatting is strict: values that
would break the header (CR, LF, NUL) are refused.
"""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Mapping
from typing import Final
from urllib.parse import quote, unquote

from ._errors import BadContentDispositionHeader, BadContentDispositionParam

__all__ = [
    "content_disposition_filename",
    "format_content_disposition",
    "parse_content_disposition",
    "parse_content_type",
]

# RFC 9110 §5.6.2: token = 1*tchar
_TOKEN: Final = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_TOKEN_RE: Final = re.compile(_TOKEN)
# One parameter: ";" OWS name OWS "=" OWS ( token / quoted-string ) OWS.
# Values that are neither (a bare non-token character) fail the match.
_PARAM_RE: Final = re.compile(
    r";[ \t]*(?P<key>[^\s=;\"]*)[ \t]*"
    r"(?:=[ \t]*(?P<value>\"(?:[^\"\\\r\n]|\\[^\r\n])*\"|[^;\"\s\x00-\x1f\x7f]*))?[ \t]*"
)
_SIMPLE_PARAM: Final = r"[ \t]*;[ \t]*(" + _TOKEN + r')[ \t]*=[ \t]*("[^"\\\r\n]*"|' + _TOKEN + r")"
_SIMPLE_PARAM_RE: Final = re.compile(_SIMPLE_PARAM)
_SIMPLE_DISPOSITION_RE: Final = re.compile(
    "(" + _TOKEN + ")((?:" + _SIMPLE_PARAM + r")*)[ \t]*;?[ \t]*"
)
_FORM_DATA_RE: Final = re.compile(r'form-data; name="([^"\\\r\n]*)"(?:; filename="([^"\\\r\n]*)")?')
_QUOTED_PAIR_RE: Final = re.compile(r"\\(.)")
# RFC 8187 §3.2.1: ext-value = charset "'" [ language ] "'" value-chars
_EXT_VALUE_RE: Final = re.compile(
    r"(?P<charset>[!#$&+\-^_`{}~0-9A-Za-z]+)'(?P<lang>[0-9A-Za-z\-]*)'"
    r"(?P<value>(?:%[0-9A-Fa-f]{2}|[!#$&+\-.^_`|~0-9A-Za-z])*)"
)
_CONTINUATION_RE: Final = re.compile(r"(?P<name>.+?)\*(?P<index>0|[1-9][0-9]{0,2})(?P<star>\*?)")
_FORBIDDEN_RE: Final = re.compile(r"[\x00\r\n]")


def _split_params(value: str) -> tuple[str, list[tuple[str, str | None]]] | None:
    """Split ``type ; k=v ; ...`` into the type and raw (key, value) pairs, or None."""
    main, sep, rest = value.partition(";")
    main = main.strip(" \t")
    pairs: list[tuple[str, str | None]] = []
    if sep:
        rest = ";" + rest
        pos = 0
        end = len(rest)
        while pos < end:
            found = _PARAM_RE.match(rest, pos)
            if found is None:
                return None
            pos = found.end()
            key = found["key"]
            raw = found["value"]
            if key == "" and raw is None:
                continue
            pairs.append((key, raw))
    return main, pairs


def _unquote(raw: str) -> str:
    if raw[:1] == '"':
        inner = raw[1:-1]
        return _QUOTED_PAIR_RE.sub(_unescape, inner) if "\\" in inner else inner
    return raw


def _unescape(found: re.Match[str]) -> str:
    return found[1]


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """Parse a Content-Type value into its lower-cased media type and parameters.

    Parameter names are lower-cased; quoted values are unquoted.  A missing or
    malformed value gives ``("", {})``: callers apply their own default.

    Args:
        value: the header value, e.g. ``'multipart/form-data; boundary="x y"'``.
    """
    if not value:
        return "", {}
    split = _split_params(value)
    if split is None:
        return "", {}
    main, pairs = split
    params: dict[str, str] = {}
    for key, raw in pairs:
        if raw is None:
            continue
        params.setdefault(key.lower(), _unquote(raw))
    return main.lower(), params


def _decode_ext_value(raw: str) -> str | None:
    found = _EXT_VALUE_RE.fullmatch(raw)
    if found is None:
        return None
    try:
        codecs.lookup(found["charset"])
        return unquote(found["value"], encoding=found["charset"], errors="strict")
    except (LookupError, UnicodeDecodeError):
        return None


def parse_content_disposition(header: str | None) -> tuple[str | None, dict[str, str]]:
    """Parse a Content-Disposition header (RFC 6266, RFC 2231, RFC 8187).

    Returns the lower-cased disposition type and the parameters, with
    lower-cased names.  Quoted strings are unquoted; an extended parameter
    (``filename*=UTF-8''na%C3%AFve.txt``) is percent-decoded with its charset
    and kept under its own name (``"filename*"``).  RFC 2231 continuations
    (``filename*0``, ``filename*1*``, ...) are kept as they come: join them with
    :func:`content_disposition_filename`.

    Args:
        header: the header value, or ``None``.

    Returns:
        ``(disptype, params)``; ``(None, {})`` if ``header`` is empty or malformed.

    Warns:
        BadContentDispositionHeader: the disposition type is not a token or the
            parameter list cannot be split.
        BadContentDispositionParam: a parameter has no value, a bad name, a
            bad extended value, or appears twice.
    """
    if not header:
        return None, {}
    form = _FORM_DATA_RE.fullmatch(header)
    if form is not None:
        # Fastest path: what browsers send, form-data; name="..." [; filename="..."].
        if form[2] is None:
            return "form-data", {"name": form[1]}
        return "form-data", {"name": form[1], "filename": form[2]}
    simple = _SIMPLE_DISPOSITION_RE.fullmatch(header)
    if simple is not None and "*" not in simple[2]:
        # Fast path: tokens and plain quoted strings, no extended parameters.
        params: dict[str, str] = {}
        for key, raw in _SIMPLE_PARAM_RE.findall(simple[2]):
            name = key.lower()
            if name in params:
                break  # duplicates: let the general path warn
            params[name] = raw[1:-1] if raw[:1] == '"' else raw
        else:
            return simple[1].lower(), params
    split = _split_params(header)
    if split is None or _TOKEN_RE.fullmatch(split[0]) is None:
        warnings.warn(BadContentDispositionHeader(header), stacklevel=2)
        return None, {}
    disptype, pairs = split
    params = {}
    for key, raw in pairs:
        name = key.lower()
        if raw is None or _TOKEN_RE.fullmatch(key) is None or name in params:
            warnings.warn(BadContentDispositionParam(key), stacklevel=2)
            return None, {}
        if name.endswith("*") and _CONTINUATION_RE.fullmatch(name) is None:
            decoded = _decode_ext_value(raw)
            if decoded is None:
                warnings.warn(BadContentDispositionParam(key), stacklevel=2)
                return None, {}
            params[name] = decoded
        else:
            params[name] = _unquote(raw)
    return disptype.lower(), params


def content_disposition_filename(params: Mapping[str, str], name: str = "filename") -> str | None:
    """Return the value of parameter ``name`` from parsed Content-Disposition params.

    Looks, in this order, for ``name*`` (RFC 6266 §4.3 prefers the extended
    form), ``name``, then RFC 2231 continuations ``name*0``, ``name*1``...
    (``name*0*`` etc. when percent-encoded; the first encoded section names the
    charset).  A path in a filename is kept as sent: strip directories before
    using it on a file system.

    Args:
        params: the parameters returned by :func:`parse_content_disposition`.
        name: the parameter to look for.

    Returns:
        The value, or ``None`` if absent or if its continuations cannot be decoded.
    """
    if not params:
        return None
    extended = params.get(f"{name}*")
    if extended is not None:
        return extended
    plain = params.get(name)
    if plain is not None:
        return plain
    sections: list[tuple[str, bool]] = []
    index = 0
    while True:
        key = f"{name}*{index}"
        if key in params:
            sections.append((params[key], False))
        elif key + "*" in params:
            sections.append((params[key + "*"], True))
        else:
            break
        index += 1
    if not sections:
        return None
    charset = "utf-8"
    first, encoded = sections[0]
    if encoded:
        charset_part, sep1, rest = first.partition("'")
        _lang, sep2, value = rest.partition("'")
        if sep1 and sep2:
            charset = charset_part or "utf-8"
            sections[0] = (value, True)
    try:
        codecs.lookup(charset)
    except LookupError:
        return None
    pieces: list[str] = []
    for value, encoded in sections:
        if encoded:
            try:
                value = unquote(value, encoding=charset, errors="strict")
            except (LookupError, UnicodeDecodeError):
                return None
        pieces.append(value)
    return "".join(pieces)


def _quoted_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_content_disposition(
    disptype: str,
    params: Mapping[str, str] | None = None,
    *,
    quote_fields: bool = True,
    charset: str = "utf-8",
) -> str:
    """Build a Content-Disposition value (RFC 6266, RFC 7578 §4.2, RFC 8187).

    Every value is written as a quoted-string, with ``\\`` and ``"`` escaped.
    With ``quote_fields`` true, a ``filename`` that is not plain ASCII is
    written twice: as a quoted string of its characters (what browsers and
    RFC 7578 receivers read) and as an RFC 5987 ``filename*=utf-8''...``
    percent-encoded in ``charset`` (what RFC 6266 receivers prefer).

    Args:
        disptype: the disposition type, a token (``form-data``, ``attachment``...).
        params: parameter names (tokens) and values.
        quote_fields: add the ``filename*`` form for non-ASCII file names.
        charset: the charset of the ``filename*`` form.

    Raises:
        ValueError: if ``disptype`` or a name is not a token, or a value holds
            CR, LF or NUL.
    """
    if _TOKEN_RE.fullmatch(disptype) is None:
        raise ValueError(f"bad content disposition type {disptype!r}")
    parts = [disptype]
    for key, value in (params or {}).items():
        if _TOKEN_RE.fullmatch(key) is None:
            raise ValueError(f"bad content disposition parameter name {key!r}")
        if _FORBIDDEN_RE.search(value):
            raise ValueError(f"content disposition parameter {key!r} holds CR, LF or NUL")
        parts.append(f"{key}={_quoted_string(value)}")
        if quote_fields and key.lower() == "filename" and not value.isascii():
            parts.append(f"{key}*={charset}''{quote(value, safe='', encoding=charset)}")
    return "; ".join(parts)
