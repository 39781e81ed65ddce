"""RFC 6265 building blocks: Set-Cookie parsing, the cookie-date algorithm, matching rules."""

from __future__ import annotations

import calendar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiohttp_client import parse_cookie_date, parse_set_cookie
from aiohttp_client._cookie_parsing import default_path, domain_match, is_ip_address, path_match


def ts(*fields: int) -> float:
    return float(calendar.timegm((*fields, 0, 0, 0)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", ts(1994, 11, 6, 8, 49, 37)),  # RFC 1123
        ("Sunday, 06-Nov-94 08:49:37 GMT", ts(1994, 11, 6, 8, 49, 37)),  # RFC 850
        ("Sun Nov  6 08:49:37 1994", ts(1994, 11, 6, 8, 49, 37)),  # asctime
        ("Wed, 09 Jun 2021 10:18:14 GMT", ts(2021, 6, 9, 10, 18, 14)),
        ("09 Jun 2021 10:18:14", ts(2021, 6, 9, 10, 18, 14)),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("Thu, 10 Apr 2070 00:00:00 GMT", ts(2070, 4, 10, 0, 0, 0)),
        ("Fri, 01 Jan 38 00:00:00 GMT", ts(2038, 1, 1, 0, 0, 0)),  # 0-69 -> 20xx
        ("Tue, 01 Jan 70 00:00:00 GMT", ts(1970, 1, 1, 0, 0, 0)),  # 70-99 -> 19xx
        ("1 january 2030 1:2:3", ts(2030, 1, 1, 1, 2, 3)),  # month matched by prefix
        ("DECEMBER 31 2030 23:59:59", ts(2030, 12, 31, 23, 59, 59)),
        ("Mon, 29 Feb 2016 12:00:00 GMT", ts(2016, 2, 29, 12, 0, 0)),
        ("Wed, 09 Jun 2021 10:18:14 GMT+02:00 junk", ts(2021, 6, 9, 10, 18, 14)),
        ("Sat, 01 Jan 1601 00:00:00 GMT", ts(1601, 1, 1, 0, 0, 0)),
    ],
)
def test_parse_cookie_date_accepts_the_formats_servers_send(text: str, expected: float) -> None:
    assert parse_cookie_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "Wed, 09 Jun 2021 GMT",  # no time
        "Wed, Jun 2021 10:18:14 GMT",  # no day
        "Wed, 09 2021 10:18:14 GMT",  # no month
        "Wed, 09 Jun 10:18:14 GMT",  # no year
        "Wed, 32 Jun 2021 10:18:14 GMT",
        "Wed, 31 Jun 2021 10:18:14 GMT",
        "Mon, 29 Feb 2021 12:00:00 GMT",  # not a leap year
        "Wed, 09 Jun 2021 24:00:00 GMT",
        "Wed, 09 Jun 2021 10:60:00 GMT",
        "Wed, 09 Jun 2021 10:00:60 GMT",
        "Wed, 09 Jun 1600 10:00:00 GMT",
        "Wed, 09 Jun 2021 10:18:14:99 GMT" + "x" * 2000,
    ],
)
def test_parse_cookie_date_fails_on_invalid_dates(text: str) -> None:
    assert parse_cookie_date(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parse_cookie_date_never_raises(text: str) -> None:
    result = parse_cookie_date(text)
    assert result is None or isinstance(result, float)


def test_parse_set_cookie_reads_name_value_and_every_attribute() -> None:
    morsel = parse_set_cookie(
        'sid="abc def"; Expires=Wed, 09 Jun 2121 10:18:14 GMT; Max-Age=60; '
        "Domain=.Example.COM; Path=/app; Secure; HttpOnly; SameSite=lax; Unknown=1"
    )
    assert morsel is not None
    assert morsel.key == "sid"
    assert morsel.value == "abc def"
    assert morsel.coded_value == '"abc def"'
    assert morsel["expires"] == "Wed, 09 Jun 2121 10:18:14 GMT"
    assert morsel["max-age"] == "60"
    assert morsel["domain"] == "example.com"
    assert morsel["path"] == "/app"
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"


@pytest.mark.parametrize(
    ("header", "attribute", "expected"),
    [
        ("a=1; Path=relative", "path", ""),  # must start with "/"
        ("a=1; Path=", "path", ""),
        ("a=1; Domain=", "domain", ""),
        ("a=1; Max-Age=1.5", "max-age", ""),
        ("a=1; Max-Age=+5", "max-age", ""),
        ("a=1; Max-Age=-5", "max-age", "-5"),
        ("a=1; Expires=not a date", "expires", ""),
        ("a=1; SameSite=Sometimes", "samesite", ""),
        ("a=1; samesite=STRICT", "samesite", "Strict"),
        ("a=1; SameSite=none", "samesite", "None"),
        ("a=1; Path=/a; Path=/b", "path", "/b"),  # the last attribute wins
        ("a=1; Domain=a.example; Domain=b.example", "domain", "b.example"),
        ("a=1; Path=/" + "x" * 1024, "path", ""),  # attribute values over 1024 ignored
        ("a=1;secure", "secure", True),
        ("a=1;  HTTPONLY  ", "httponly", True),
    ],
)
def test_parse_set_cookie_attribute_rules(header: str, attribute: str, expected: object) -> None:
    morsel = parse_set_cookie(header)
    assert morsel is not None
    assert morsel[attribute] == expected


@pytest.mark.parametrize(
    ("header", "name", "value"),
    [
        ("a=1", "a", "1"),
        ("  a  =  1  ", "a", "1"),
        ("a=", "a", ""),
        ("a==b", "a", "=b"),
        ("a=b=c; Path=/", "a", "b=c"),
        ("a[0]=x", "a[0]", "x"),  # names http.cookies refuses are kept
        ("expires=1", "expires", "1"),  # attribute names are valid cookie names
        ('q="x', "q", '"x'),
        ("u=caf\u00e9", "u", "caf\u00e9"),
        ("a=1\t", "a", "1"),
    ],
)
def test_parse_set_cookie_name_and_value(header: str, name: str, value: str) -> None:
    morsel = parse_set_cookie(header)
    assert morsel is not None
    assert (morsel.key, morsel.value) == (name, value)


@pytest.mark.parametrize(
    "header",
    ["", "noequals", "=value", "  =value", ";a=1", "a\x00b=1", "a=1\x01", "a=\r\n1", "a\x7f=1"],
)
def test_parse_set_cookie_ignores_invalid_cookies(header: str) -> None:
    assert parse_set_cookie(header) is None


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=120))
def test_parse_set_cookie_never_raises_on_garbage(header: str) -> None:
    morsel = parse_set_cookie(header)
    if morsel is not None:
        assert morsel.key
        assert "=" not in morsel.key and ";" not in morsel.key


def test_parse_set_cookie_ignores_non_text() -> None:
    assert parse_set_cookie(b"a=1") is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("domain", "host", "expected"),
    [
        ("example.com", "example.com", True),
        ("example.com", "www.example.com", True),
        ("example.com", "a.b.example.com", True),
        ("example.com", "badexample.com", False),
        ("www.example.com", "example.com", False),
        ("com", "example.com", True),  # the jar refuses such Domain attributes itself
        ("0.0.1", "127.0.0.1", False),  # IP addresses match only themselves
        ("127.0.0.1", "127.0.0.1", True),
    ],
)
def test_domain_match(domain: str, host: str, expected: bool) -> None:
    assert domain_match(domain, host) is expected


@pytest.mark.parametrize(
    ("request_path", "cookie_path", "expected"),
    [
        ("/", "/", True),
        ("/foo", "/", True),
        ("/foo", "/foo", True),
        ("/foo/bar", "/foo", True),
        ("/foo/bar", "/foo/", True),
        ("/foobar", "/foo", False),
        ("/fo", "/foo", False),
        ("/", "/foo", False),
        ("/foo/", "/foo/", True),
    ],
)
def test_path_match(request_path: str, cookie_path: str, expected: bool) -> None:
    assert path_match(request_path, cookie_path) is expected


@pytest.mark.parametrize(
    ("request_path", "expected"),
    [
        ("", "/"),
        ("/", "/"),
        ("/a", "/"),
        ("/a/", "/a"),
        ("/a/b", "/a"),
        ("/a/b/c", "/a/b"),
        ("x/y", "/"),
    ],
)
def test_default_path(request_path: str, expected: str) -> None:
    assert default_path(request_path) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("fe80::1%eth0", True),
        ("example.com", False),
        ("1.2.3", False),
        ("", False),
        (None, False),
    ],
)
def test_is_ip_address(host: str | None, expected: bool) -> None:
    assert is_ip_address(host) is expected
