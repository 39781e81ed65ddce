"""BasicAuth (RFC 7617) and .netrc credential lookup."""

from __future__ import annotations

import base64
import logging
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

import aiohttp_client as ac


def test_basic_auth_defaults() -> None:
    auth = ac.BasicAuth("alice")
    assert auth == ("alice", "", "latin1")
    assert (auth.login, auth.password, auth.encoding) == ("alice", "", "latin1")


@pytest.mark.parametrize(
    ("login", "password", "match"),
    [
        (None, "x", "None is not allowed as login"),
        ("alice", None, "None is not allowed as password"),
        ("al:ice", "x", 'A ":" is not allowed in login'),
    ],
)
def test_basic_auth_refuses_invalid_credentials(
    login: object, password: object, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        ac.BasicAuth(login, password)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("auth", "header"),
    [
        (ac.BasicAuth("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        (ac.BasicAuth("test", "123£", "utf-8"), "Basic dGVzdDoxMjPCow=="),  # RFC 7617 §2.1
        (ac.BasicAuth("test", "123£"), "Basic dGVzdDoxMjOj"),
        (ac.BasicAuth("user", ""), "Basic dXNlcjo="),
        (ac.BasicAuth("", "pass:with:colons"), "Basic OnBhc3M6d2l0aDpjb2xvbnM="),
    ],
)
def test_encode_and_decode_round_trip(auth: ac.BasicAuth, header: str) -> None:
    assert auth.encode() == header
    assert ac.BasicAuth.decode(header, encoding=auth.encoding) == auth


def test_encode_raises_when_the_encoding_cannot_represent_the_credentials() -> None:
    with pytest.raises(UnicodeEncodeError):
        ac.BasicAuth("用户", "x").encode()


@pytest.mark.parametrize("scheme", ["Basic", "basic", "BASIC", "bAsIc"])
def test_decode_matches_the_scheme_case_insensitively(scheme: str) -> None:
    assert ac.BasicAuth.decode(f"{scheme} dXNlcjpwYXNz") == ac.BasicAuth("user", "pass")


@pytest.mark.parametrize(
    ("header", "match"),
    [
        ("Basic", "Could not parse"),
        ("", "Could not parse"),
        ("Bearer dXNlcjpwYXNz", "Unknown authorization method"),
        ("Basic dXNlcjpwYXNz!", "Invalid base64"),
        ("Basic dXNlcjpwYXN", "Invalid base64"),
        ("Basic ÿÿÿÿ", "Invalid base64"),
        ("Basic dXNlcg==", "no ':'"),
        ("Basic " + base64.b64encode("ü:x".encode()).decode(), None),
    ],
)
def test_decode_rejects_malformed_headers(header: str, match: str | None) -> None:
    if match is None:
        # UTF-8 bytes are valid latin1; only a strict ascii decode refuses them
        with pytest.raises(ValueError, match="do not decode as ascii"):
            ac.BasicAuth.decode(header, encoding="ascii")
        return
    with pytest.raises(ValueError, match=match):
        ac.BasicAuth.decode(header)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="latin1", exclude_characters=":")),
    st.text(st.characters(codec="latin1")),
)
def test_any_latin1_credentials_round_trip(login: str, password: str) -> None:
    auth = ac.BasicAuth(login, password)
    assert ac.BasicAuth.decode(auth.encode()) == auth


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_decode_of_garbage_raises_only_value_error(header: str) -> None:
    try:
        ac.BasicAuth.decode(header)
    except ValueError:
        pass


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.com/", None),
        ("http://alice@example.com/", ac.BasicAuth("alice", "")),
        ("http://alice:s3cret@example.com/", ac.BasicAuth("alice", "s3cret")),
        ("http://:s3cret@example.com/", ac.BasicAuth("", "s3cret")),
        ("http://al%20ice:p%40ss@example.com/", ac.BasicAuth("al ice", "p@ss")),
    ],
)
def test_from_url_extracts_userinfo(url: str, expected: ac.BasicAuth | None) -> None:
    assert ac.BasicAuth.from_url(URL(url)) == expected


def test_from_url_passes_the_encoding_and_requires_a_yarl_url() -> None:
    auth = ac.BasicAuth.from_url(URL("http://u:p@h/"), encoding="utf-8")
    assert auth is not None
    assert auth.encoding == "utf-8"
    with pytest.raises(TypeError, match=r"yarl.URL"):
        ac.BasicAuth.from_url("http://u:p@h/")  # type: ignore[arg-type]


def test_basic_auth_pickles() -> None:
    auth = ac.BasicAuth("alice", "pw", "utf-8")
    assert pickle.loads(pickle.dumps(auth)) == auth


# --- .netrc ------------------------------------------------------------------

NETRC = """\
machine example.com login alice password s3cret
machine accountonly.example account acct password pw
default login anon password guest
"""


@pytest.fixture
def netrc_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "netrc"
    path.write_text(NETRC)
    monkeypatch.setenv("NETRC", str(path))
    return path


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("example.com", ac.BasicAuth("alice", "s3cret")),
        ("accountonly.example", ac.BasicAuth("acct", "pw")),
        ("unknown.example", ac.BasicAuth("anon", "guest")),
    ],
)
def test_get_netrc_auth_finds_host_entries_and_default(
    netrc_file: Path, host: str, expected: ac.BasicAuth
) -> None:
    assert ac.get_netrc_auth(host) == expected


def test_netrc_entry_without_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "netrc"
    path.write_text("machine nopass.example login bob\n")
    monkeypatch.setenv("NETRC", str(path))
    # Python 3.11+ reads such entries; 3.10's netrc module rejects the whole file.
    expected = ac.BasicAuth("bob", "") if sys.version_info >= (3, 11) else None
    assert ac.get_netrc_auth("nopass.example") == expected


def test_get_netrc_auth_without_matching_entry_returns_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "netrc"
    path.write_text("machine example.com login alice password s3cret\n")
    monkeypatch.setenv("NETRC", str(path))
    assert ac.get_netrc_auth("other.example") is None


def test_get_netrc_auth_missing_file_returns_none_and_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("NETRC", str(tmp_path / "absent"))
    with caplog.at_level(logging.DEBUG, logger="aiohttp_client.netrc"):
        assert ac.get_netrc_auth("example.com") is None
    assert "No .netrc file" in caplog.text


@pytest.mark.parametrize(
    "content",
    [
        "machine example.com login alice password",  # value missing at EOF
        "machine example.com login 'unterminated",
        b"\xff\xfe\x00garbage",
    ],
)
def test_get_netrc_auth_malformed_file_never_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | bytes
) -> None:
    path = tmp_path / "netrc"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    monkeypatch.setenv("NETRC", str(path))
    result = ac.get_netrc_auth("example.com")
    assert result is None or isinstance(result, ac.BasicAuth)


def test_get_netrc_auth_skips_logins_unusable_for_basic_auth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "netrc"
    path.write_text("machine example.com login al:ice password x\n")
    monkeypatch.setenv("NETRC", str(path))
    assert ac.get_netrc_auth("example.com") is None


def test_netrc_found_in_home_directory_without_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    (tmp_path / ".netrc").write_text("machine example.com login alice password s3cret\n")
    assert ac.get_netrc_auth("example.com") == ac.BasicAuth("alice", "s3cret")


def test_netrc_uses_underscore_netrc_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    monkeypatch.setattr("sys.platform", "win32")
    (tmp_path / "_netrc").write_text("machine example.com login win password pw\n")
    assert ac.get_netrc_auth("example.com") == ac.BasicAuth("win", "pw")


def test_basicauth_from_netrc_raises_lookup_error_when_absent() -> None:
    with pytest.raises(LookupError, match=r"example.com"):
        ac.basicauth_from_netrc(None, "example.com")


def test_netrc_from_env_returns_parsed_file(netrc_file: Path) -> None:
    parsed = ac.netrc_from_env()
    assert parsed is not None
    entry = parsed.authenticators("example.com")
    assert entry is not None
    assert (entry[0], entry[2]) == ("alice", "s3cret")
