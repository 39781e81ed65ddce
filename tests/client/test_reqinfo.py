"""RequestInfo and ConnectionKey: immutable, hashable where expected, picklable."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import aiohttp_client as ac


def test_request_info_real_url_defaults_to_url() -> None:
    info = ac.RequestInfo(URL("http://example.com/a"), "GET", CIMultiDictProxy(CIMultiDict()))
    assert info.real_url is info.url
    assert info.method == "GET"


def test_request_info_wraps_plain_mappings_in_a_read_only_proxy() -> None:
    info = ac.RequestInfo(URL("http://example.com/"), "POST", {"Content-Type": "text/plain"})
    assert isinstance(info.headers, CIMultiDictProxy)
    assert info.headers["content-type"] == "text/plain"


def test_request_info_is_frozen() -> None:
    info = ac.RequestInfo(URL("http://example.com/"), "GET", {})
    with pytest.raises(AttributeError):
        info.method = "POST"  # type: ignore[misc]
    with pytest.raises((AttributeError, dataclasses.FrozenInstanceError)):
        info.extra = 1  # type: ignore[attr-defined]


def test_request_info_fields_in_aiohttp_order() -> None:
    assert ac.RequestInfo._fields == ("url", "method", "headers", "real_url")


def test_request_info_round_trips_through_pickle() -> None:
    info = ac.RequestInfo(
        URL("http://example.com/a"),
        "GET",
        CIMultiDictProxy(CIMultiDict([("A", "1"), ("a", "2")])),
        URL("http://example.com/a#top"),
    )
    restored = pickle.loads(pickle.dumps(info))
    assert restored == info
    assert isinstance(restored, ac.RequestInfo)
    assert restored.headers.getall("A") == ["1", "2"]


def test_connection_key_is_hashable_and_compares_by_value() -> None:
    fp = ac.Fingerprint(b"\x05" * 32)
    one = ac.ConnectionKey("example.com", 443, True, fp, None, None, None)
    two = ac.ConnectionKey("example.com", 443, True, ac.Fingerprint(b"\x05" * 32), None, None, None)
    assert one == two
    assert hash(one) == hash(two)
    assert one._fields == (
        "host",
        "port",
        "is_ssl",
        "ssl",
        "proxy",
        "proxy_auth",
        "proxy_headers_hash",
    )


def test_connection_key_with_proxy_auth_pickles() -> None:
    key = ac.ConnectionKey(
        "example.com", 80, False, True, URL("http://proxy:3128"), ac.BasicAuth("u", "p"), 42
    )
    assert pickle.loads(pickle.dumps(key)) == key
