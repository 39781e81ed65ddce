"""Content-Disposition parsing (RFC 6266, RFC 2231, RFC 8187) and formatting."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiohttp_multipart import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    content_disposition_filename,
    format_content_disposition,
    parse_content_disposition,
    parse_content_type,
)

VALID: list[tuple[str, str, dict[str, str]]] = [
    ("inline", "inline", {}),
    ("attachment", "attachment", {}),
    ('attachment; filename="foo.html"', "attachment", {"filename": "foo.html"}),
    ("attachment; filename=foo.html", "attachment", {"filename": "foo.html"}),
    ('ATTACHMENT; FILENAME="Foo.html"', "attachment", {"filename": "Foo.html"}),
    ('attachment ; filename = "foo.html" ;', "attachment", {"filename": "foo.html"}),
    ('attachment; filename="f\\"oo.html"', "attachment", {"filename": 'f"oo.html'}),
    ('attachment; filename="a\\\\b.html"', "attachment", {"filename": "a\\b.html"}),
    ('attachment; filename="foo;bar.html"', "attachment", {"filename": "foo;bar.html"}),
    ('attachment; filename="foo bar.html"', "attachment", {"filename": "foo bar.html"}),
    ('form-data; name="field"', "form-data", {"name": "field"}),
    (
        'form-data; name="f"; filename="ñ.txt"',
        "form-data",
        {"name": "f", "filename": "ñ.txt"},
    ),
    (
        "attachment; filename*=UTF-8''foo-%c3%a4-%e2%82%ac.html",
        "attachment",
        {"filename*": "foo-ä-€.html"},
    ),
    ("attachment; filename*=iso-8859-1'en'%A3%20rates", "attachment", {"filename*": "£ rates"}),
    (
        'attachment; filename*0="foo."; filename*1="html"',
        "attachment",
        {"filename*0": "foo.", "filename*1": "html"},
    ),
]


@pytest.mark.parametrize(("header", "disptype", "params"), VALID, ids=[v[0] for v in VALID])
def test_parse_content_disposition_valid(
    header: str, disptype: str, params: dict[str, str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_content_disposition(header) == (disptype, params)


@pytest.mark.parametrize("header", [None, ""])
def test_parse_content_disposition_missing(header: str | None) -> None:
    assert parse_content_disposition(header) == (None, {})


@pytest.mark.parametrize(
    "header",
    ['"inline"', "inline/x", "attachment filename=x", ", attachment", 'attachment; filename="open'],
)
def test_malformed_header_warns_and_is_ignored(header: str) -> None:
    with pytest.warns(BadContentDispositionHeader):
        assert parse_content_disposition(header) == (None, {})


@pytest.mark.parametrize(
    "header",
    [
        "attachment; filename",
        'attachment; filename="a"; filename="b"',
        "attachment; filename*=UTF-8''foo%zz",
        "attachment; filename*=no-such-charset''x",
        "attachment; filename*=UTF-8''%ff%fe",
        "attachment; filename*=foo.html",
        "attachment; file@name=x",
    ],
)
def test_malformed_param_warns_and_is_ignored(header: str) -> None:
    with pytest.warns(BadContentDispositionParam):
        assert parse_content_disposition(header) == (None, {})


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('attachment; filename="foo.html"', "foo.html"),
        ("attachment; filename*=UTF-8''%e2%82%ac.txt", "€.txt"),
        # RFC 6266 §4.3: the extended form wins, whatever the order.
        ("attachment; filename*=UTF-8''%e2%82%ac.txt; filename=\"EUR.txt\"", "€.txt"),
        ("attachment; filename=\"EUR.txt\"; filename*=UTF-8''%e2%82%ac.txt", "€.txt"),
        ('attachment; filename*0="foo."; filename*1="html"', "foo.html"),
        ("attachment; filename*0*=UTF-8''foo-%c3%a4; filename*1=\".html\"", "foo-ä.html"),
        ("attachment; filename*0*=UTF-8''a%20; filename*1*=b%20; filename*2=c", "a b c"),
        ('attachment; filename*0="a"; filename*2="c"', "a"),
        ("attachment; filename*0*=UTF-8''%ff", None),
        ("attachment", None),
        ('form-data; name="x"', None),
    ],
)
def test_content_disposition_filename(header: str, expected: str | None) -> None:
    _disptype, params = parse_content_disposition(header)
    assert content_disposition_filename(params) == expected


def test_content_disposition_filename_of_other_param() -> None:
    _disptype, params = parse_content_disposition("form-data; name*=UTF-8''%c3%a9t%c3%a9")
    assert content_disposition_filename(params, "name") == "été"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("multipart/form-data; boundary=abc", ("multipart/form-data", {"boundary": "abc"})),
        ('Multipart/Mixed; BOUNDARY="a b:c"', ("multipart/mixed", {"boundary": "a b:c"})),
        ("text/plain;charset=latin-1", ("text/plain", {"charset": "latin-1"})),
        ("text/plain; charset", ("text/plain", {})),
        ('text/plain; a="unterminated', ("", {})),
        (None, ("", {})),
    ],
)
def test_parse_content_type(value: str | None, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_content_type(value) == expected


@pytest.mark.parametrize(
    ("disptype", "params", "expected"),
    [
        ("form-data", {"name": "a"}, 'form-data; name="a"'),
        ("form-data", {"name": 'q"uo\\te'}, 'form-data; name="q\\"uo\\\\te"'),
        (
            "attachment",
            {"filename": "€ rates.txt"},
            "attachment; filename=\"€ rates.txt\"; filename*=utf-8''%E2%82%AC%20rates.txt",
        ),
        ("inline", {}, "inline"),
    ],
)
def test_format_content_disposition(disptype: str, params: dict[str, str], expected: str) -> None:
    assert format_content_disposition(disptype, params) == expected


def test_format_without_quote_fields_sends_no_extended_form() -> None:
    value = format_content_disposition("form-data", {"filename": "é"}, quote_fields=False)
    assert value == 'form-data; filename="é"'


@pytest.mark.parametrize(
    ("disptype", "params"),
    [
        ("bad type", {}),
        ("form-data", {"bad name": "x"}),
        ("form-data", {"name": "a\r\nX-Evil: 1"}),
        ("form-data", {"name": "a\x00"}),
    ],
)
def test_format_refuses_header_breaking_input(disptype: str, params: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        format_content_disposition(disptype, params)


@settings(max_examples=200, deadline=None)
@given(
    name=st.text(st.characters(blacklist_characters="\r\n\x00", blacklist_categories=("Cs",))),
    filename=st.text(st.characters(blacklist_characters="\r\n\x00", blacklist_categories=("Cs",))),
)
def test_format_then_parse_round_trips(name: str, filename: str) -> None:
    header = format_content_disposition("form-data", {"name": name, "filename": filename})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        disptype, params = parse_content_disposition(header)
    assert disptype == "form-data"
    assert content_disposition_filename(params, "name") == name
    assert content_disposition_filename(params) == filename
