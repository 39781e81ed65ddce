"""parse_mimetype and content_disposition_header (RFC 6266 / RFC 5987)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import MultiDictProxy

from aiohttp_http import MimeType, content_disposition_header, parse_mimetype

# --- parse_mimetype --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ("", "", "", {})),
        ("*", ("*", "*", "", {})),
        ("application/json", ("application", "json", "", {})),
        ("application/json;  charset=utf-8", ("application", "json", "", {"charset": "utf-8"})),
        ('application/json; charset="utf-8"', ("application", "json", "", {"charset": "utf-8"})),
        ("ApPlIcAtIoN/JSON;ChaRseT=UTF-8", ("application", "json", "", {"charset": "UTF-8"})),
        ("application/rss+xml", ("application", "rss", "xml", {})),
        (
            "text/html; charset=utf-8; level=1",
            ("text", "html", "", {"charset": "utf-8", "level": "1"}),
        ),
        ("text", ("text", "", "", {})),
        ("text/plain;", ("text", "plain", "", {})),
        ("text/plain; ;; a=1", ("text", "plain", "", {"a": "1"})),
        (
            'multipart/form-data; boundary="a;b=c"',
            ("multipart", "form-data", "", {"boundary": "a;b=c"}),
        ),
        ('text/plain; title="say \\"hi\\""', ("text", "plain", "", {"title": 'say "hi"'})),
        ("text/plain; flag", ("text", "plain", "", {"flag": ""})),
        ('text/plain; x="unterminated', ("text", "plain", "", {"x": "unterminated"})),
    ],
)
def test_parse_mimetype(value: str, expected: tuple[str, str, str, dict[str, str]]) -> None:
    result = parse_mimetype(value)
    assert isinstance(result, MimeType)
    assert isinstance(result.parameters, MultiDictProxy)
    assert (result.type, result.subtype, result.suffix, dict(result.parameters)) == expected


def test_parse_mimetype_keeps_repeated_parameters() -> None:
    result = parse_mimetype("a/b; x=1; X=2")
    assert result.parameters.getall("x") == ["1", "2"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_parse_mimetype_never_raises(value: str) -> None:
    result = parse_mimetype(value)
    assert result.type == result.type.lower()


# --- content_disposition_header: RFC 6266 examples --------------------------------------------


def test_rfc6266_simple_attachment() -> None:
    # RFC 6266 §5: Content-Disposition: Attachment; filename=example.html
    assert (
        content_disposition_header("Attachment", filename="example.html")
        == 'Attachment; filename="example.html"'
    )


def test_rfc6266_inline_with_quoted_filename() -> None:
    # RFC 6266 §5: INLINE; FILENAME= "an example.html"
    assert (
        content_disposition_header("INLINE", FILENAME="an example.html")
        == 'INLINE; FILENAME="an example.html"'
    )


def test_rfc6266_non_ascii_filename_uses_rfc5987_ext_value() -> None:
    # RFC 6266 §5: attachment; filename*= UTF-8''%e2%82%ac%20rates
    value = content_disposition_header("attachment", filename="€ rates")
    assert value == "attachment; filename=\"_ rates\"; filename*=utf-8''%E2%82%AC%20rates"


def test_non_ascii_other_param_uses_only_ext_value() -> None:
    assert content_disposition_header("form-data", name="поле") == (
        "form-data; name*=utf-8''%D0%BF%D0%BE%D0%BB%D0%B5"
    )


def test_other_charset_for_ext_values() -> None:
    assert content_disposition_header("attachment", _charset="latin-1", filename="é.txt") == (
        "attachment; filename=\"_.txt\"; filename*=latin-1''%E9.txt"
    )


def test_disposition_without_params() -> None:
    assert content_disposition_header("inline") == "inline"


def test_quotes_and_backslashes_are_escaped() -> None:
    value = content_disposition_header("form-data", name='a"b', filename="c:\\dir\\f.txt")
    assert value == 'form-data; name="a\\"b"; filename="c:\\\\dir\\\\f.txt"'


def test_unquoted_mode_keeps_non_ascii_verbatim_but_escapes() -> None:
    value = content_disposition_header("form-data", quote_fields=False, filename='ü"x.txt')
    assert value == 'form-data; filename="ü\\"x.txt"'


# --- hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize("disptype", ["", "bad type", "a;b", 'a"b', "a\r\nb", "ä", "a=b", "a/b"])
def test_invalid_disposition_types_are_refused(disptype: str) -> None:
    with pytest.raises(ValueError, match="Content-Disposition type"):
        content_disposition_header(disptype)


@pytest.mark.parametrize("name", ["", "bad name", "a;b", "a=b", "nä", "a\nb", 'a"'])
def test_invalid_parameter_names_are_refused(name: str) -> None:
    params: dict[str, Any] = {name: "x"}
    with pytest.raises(ValueError, match="parameter name"):
        content_disposition_header("attachment", **params)


@pytest.mark.parametrize(
    "hostile",
    [
        "a\r\nSet-Cookie: x=1",
        "nul\x00byte",
        "bell\x07",
        "tab\tok",
        'x"; filename="evil.exe',
        "\x7f",
    ],
)
def test_hostile_values_never_break_out_of_the_header(hostile: str) -> None:
    value = content_disposition_header("attachment", filename=hostile)
    assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", value)
    assert value.startswith("attachment; filename=")
    # Whatever the encoding, the exact value can be recovered.
    ext = re.search(r"filename\*=utf-8''(\S*)$", value)
    if ext is not None:
        assert unquote(ext.group(1)) == hostile
    else:
        quoted = value[len('attachment; filename="') : -1]
        assert re.sub(r"\\(.)", r"\1", quoted) == hostile


def test_control_characters_are_refused_without_quoting() -> None:
    with pytest.raises(ValueError, match="control character"):
        content_disposition_header("attachment", quote_fields=False, filename="a\r\nb")


def test_bad_charsets_are_refused() -> None:
    with pytest.raises(ValueError, match="charset label"):
        content_disposition_header("attachment", _charset="utf 8", filename="é")
    with pytest.raises(ValueError, match="unknown charset"):
        content_disposition_header("attachment", _charset="no-such-charset", filename="é")
    with pytest.raises(ValueError, match="cannot encode"):
        content_disposition_header("attachment", _charset="ascii", filename="é")


def test_non_string_values_are_refused() -> None:
    with pytest.raises(TypeError, match="must be str"):
        content_disposition_header("attachment", size=3)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_filename_round_trips_through_the_header(filename: str) -> None:
    value = content_disposition_header("attachment", filename=filename)
    assert "\r" not in value
    assert "\n" not in value
    assert value.isascii()
    ext = re.search(r"filename\*=utf-8''(\S*)$", value)
    if ext is not None:
        assert unquote(ext.group(1), errors="strict") == filename
    else:
        quoted = value[len('attachment; filename="') : -1]
        assert re.sub(r"\\(.)", r"\1", quoted) == filename
