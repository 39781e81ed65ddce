"""Sans-IO RFC 6265 building blocks: ``Set-Cookie`` parsing, cookie dates, matching rules.

:func:`parse_set_cookie` implements the lenient-but-safe algorithm of
RFC 6265 §5.2 (with the RFC 6265bis limits on attribute sizes and control
characters): it never raises, it returns ``None`` for a value that must be
ignored. :func:`parse_cookie_date` is the §5.1.1 date algorithm.
"""

from __future__ import annotations

import calendar
import ipaddress
import re
from dataclasses import dataclass
from http.cookies import Morsel
from typing import Any

__all__ = [
    "MAX_ATTRIBUTE_VALUE_SIZE",
    "default_path",
    "domain_match",
    "is_ip_address",
    "make_morsel",
    "parse_cookie_date",
    "parse_set_cookie",
    "path_match",
]

#: RFC 6265bis §5.6: attribute values longer than this are ignored.
MAX_ATTRIBUTE_VALUE_SIZE = 1024

# Control characters other than HTAB invalidate a cookie (RFC 6265bis §5.6).
_CTL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_MAX_AGE_RE = re.compile(r"-?[0-9]+")

# --- RFC 6265 §5.1.1 cookie-date ---------------------------------------------
# delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
_DATE_DELIMITERS_RE = re.compile(r"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
# time = hms-time ( non-digit *OCTET ); hms-time = time-field ":" time-field ":" time-field
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[^0-9]|$)")
# day-of-month = 1*2DIGIT ( non-digit *OCTET )
_DAY_RE = re.compile(r"([0-9]{1,2})(?:[^0-9]|$)")
# year = 2*4DIGIT ( non-digit *OCTET )
_YEAR_RE = re.compile(r"([0-9]{2,4})(?:[^0-9]|$)")
# month = ( "jan" / ... / "dec" ) *OCTET
_MONTH_RE = re.compile(r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
_MONTHS = {
    name: index
    for index, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_cookie_date(text: str) -> float | None:
    """Parse a cookie ``Expires`` date with the RFC 6265 §5.1.1 algorithm.

    Returns:
        the date as a POSIX timestamp (UTC), or ``None`` if it fails to parse
        (unknown tokens are skipped; out-of-range fields and years before 1601
        fail).
    """
    if len(text) > MAX_ATTRIBUTE_VALUE_SIZE:
        return None
    time: tuple[int, int, int] | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None
    for token in _DATE_DELIMITERS_RE.split(text):
        if not token:
            continue
        if time is None and (match := _TIME_RE.match(token)):
            time = (int(match[1]), int(match[2]), int(match[3]))
        elif day is None and (match := _DAY_RE.match(token)):
            day = int(match[1])
        elif month is None and (match := _MONTH_RE.match(token)):
            month = _MONTHS[match[1].lower()]
        elif year is None and (match := _YEAR_RE.match(token)):
            year = int(match[1])
    if time is None or day is None or month is None or year is None:
        return None
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = time
    if year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    if not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
        return None
    if month == 2 and day == 29 and not calendar.isleap(year):
        return None
    return float(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)))


# --- matching rules ------------------------------------------------------------


def is_ip_address(host: str | None) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 literal (brackets and ``%scope`` allowed)."""
    if not host:
        return False
    candidate = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    candidate = candidate.partition("%")[0]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def domain_match(domain: str, host: str) -> bool:
    """RFC 6265 §5.1.3: whether ``host`` domain-matches the cookie ``domain``.

    Both are expected lower-cased. An IP address only matches itself.
    """
    if host == domain:
        return True
    if not host.endswith(domain):
        return False
    prefix = host[: -len(domain)]
    return prefix.endswith(".") and not is_ip_address(host)


def path_match(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 §5.1.4: whether ``request_path`` path-matches ``cookie_path``."""
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


def default_path(request_path: str) -> str:
    """RFC 6265 §5.1.4: the default cookie path for a request to ``request_path``."""
    if not request_path.startswith("/"):
        return "/"
    last_slash = request_path.rfind("/")
    if last_slash == 0:
        return "/"
    return request_path[:last_slash]


# --- Set-Cookie -------------------------------------------------------------------


def make_morsel(name: str, value: str, coded_value: str) -> Morsel[str]:
    """Build a :class:`Morsel` for any cookie name, bypassing ``http.cookies``' name rules.

    RFC 6265 allows names (``a[b]``, ``a/b``...) that :meth:`Morsel.set`
    refuses; the jar must still keep and send them.
    """
    morsel: Morsel[str] = Morsel()
    morsel.__setstate__({"key": name, "value": value, "coded_value": coded_value})  # type: ignore[attr-defined]
    return morsel


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def parse_set_cookie(header: str) -> Morsel[str] | None:
    """Parse one ``Set-Cookie`` header value (RFC 6265 §5.2); never raises.

    Returns:
        a :class:`Morsel` whose ``value`` has one pair of surrounding double
        quotes removed and whose ``coded_value`` is the value as received, with
        the recognised attributes set (``expires`` and ``max-age`` only when
        valid, ``domain`` lower-cased without its leading dot, ``path`` only
        when it starts with ``/``, ``samesite`` as ``Strict``/``Lax``/``None``);
        or ``None`` when the cookie must be ignored: no ``=``, an empty name,
        or a control character in the name or value.
    """
    if not isinstance(header, str):
        return None  # type: ignore[unreachable]
    pair, _, unparsed_attributes = header.partition(";")
    name, sep, raw_value = pair.partition("=")
    if not sep:
        return None
    name = name.strip(" \t")
    raw_value = raw_value.strip(" \t")
    if not name or _CTL_RE.search(name) or _CTL_RE.search(raw_value):
        return None
    morsel = make_morsel(name, _unquote(raw_value), raw_value)
    if not unparsed_attributes:
        return morsel
    for attribute in unparsed_attributes.split(";"):
        attr_name, _, attr_value = attribute.partition("=")
        attr_name = attr_name.strip(" \t").lower()
        attr_value = attr_value.strip(" \t")
        if len(attr_value) > MAX_ATTRIBUTE_VALUE_SIZE or _CTL_RE.search(attr_value):
            continue
        # RFC 6265 §5.3: when an attribute repeats, the last one wins.
        if attr_name == "expires":
            if parse_cookie_date(attr_value) is not None:
                morsel["expires"] = attr_value
        elif attr_name == "max-age":
            if _MAX_AGE_RE.fullmatch(attr_value):
                morsel["max-age"] = attr_value
        elif attr_name == "domain":
            if attr_value:
                morsel["domain"] = attr_value.removeprefix(".").lower()
        elif attr_name == "path":
            if attr_value.startswith("/"):
                morsel["path"] = attr_value
        elif attr_name == "secure":
            morsel["secure"] = True
        elif attr_name == "httponly":
            morsel["httponly"] = True
        elif attr_name == "samesite":
            samesite = _SAMESITE.get(attr_value.lower())
            if samesite is not None:
                morsel["samesite"] = samesite
    return morsel


# --- stored cookies and the JSON save format -----------------------------------------


@dataclass
class StoredCookie:
    """One cookie as a jar keeps it: the Morsel plus what RFC 6265 §5.3 records."""

    morsel: Morsel[str]
    domain: str
    path: str
    host_only: bool
    secure: bool
    expires: float | None  # absolute time of the jar clock; None: a session cookie
    created: float


def entry_to_record(entry: StoredCookie) -> dict[str, Any]:
    """The JSON-serialisable record of a stored cookie (the jar's save format)."""
    return {
        "name": entry.morsel.key,
        "value": entry.morsel.value,
        "coded_value": entry.morsel.coded_value,
        "domain": entry.domain,
        "path": entry.path,
        "host_only": entry.host_only,
        "secure": entry.secure,
        "httponly": bool(entry.morsel["httponly"]),
        "samesite": str(entry.morsel.get("samesite") or ""),
        "expires": entry.expires,
        "expires_attribute": str(entry.morsel["expires"] or ""),
        "max_age_attribute": str(entry.morsel["max-age"] or ""),
        "created": entry.created,
    }


def record_to_entry(path: str, index: int, record: Any) -> StoredCookie:
    """Validate one saved record (see :func:`entry_to_record`); ValueError names the file and index."""

    def fail(reason: str) -> ValueError:
        return ValueError(f"{path}: cookie #{index} is invalid: {reason}")

    if not isinstance(record, dict):
        raise fail("not an object")
    strings = ("name", "value", "coded_value", "domain", "path", "samesite")
    for field in (*strings, "expires_attribute", "max_age_attribute"):
        if not isinstance(record.get(field, ""), str):
            raise fail(f"{field} is not a string")
    for field in ("host_only", "secure", "httponly"):
        if not isinstance(record.get(field, False), bool):
            raise fail(f"{field} is not a boolean")
    expires = record.get("expires")
    created = record.get("created", 0.0)
    for field, number in (("expires", expires), ("created", created)):
        if number is not None and (
            isinstance(number, bool) or not isinstance(number, (int, float))
        ):
            raise fail(f"{field} is not a number")
    name = record.get("name", "")
    path_attr = record.get("path", "/")
    if not name or "=" in name or ";" in name or _CTL_RE.search(name):
        raise fail("bad name")
    if not path_attr.startswith("/"):
        raise fail("path does not start with '/'")
    if record.get("samesite", "") not in ("", *_SAMESITE.values()):
        raise fail("samesite is not Strict, Lax or None")
    value = record.get("value", "")
    morsel = make_morsel(name, value, str(record.get("coded_value", value)))
    if _CTL_RE.search(morsel.coded_value):
        raise fail("control character in value")
    morsel["domain"] = record.get("domain", "")
    morsel["path"] = path_attr
    if record.get("max_age_attribute"):
        morsel["max-age"] = record["max_age_attribute"]
    elif record.get("expires_attribute"):
        morsel["expires"] = record["expires_attribute"]
    if record.get("secure"):
        morsel["secure"] = True
    if record.get("httponly"):
        morsel["httponly"] = True
    if record.get("samesite"):
        morsel["samesite"] = record["samesite"]
    return StoredCookie(
        morsel,
        record.get("domain", ""),
        path_attr,
        bool(record.get("host_only", False)),
        bool(record.get("secure", False)),
        None if expires is None else float(expires),
        float(created),
    )
