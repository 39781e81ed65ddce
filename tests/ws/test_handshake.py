"""Opening handshake helpers: keys, request and response validation, negotiation."""

from __future__ import annotations

import base64

import pytest

from aiohttp_ws import (
    PerMessageDeflate,
    WSHandshakeError,
    accept_key,
    client_request_headers,
    generate_key,
    select_subprotocol,
    validate_upgrade_request,
    validate_upgrade_response,
    verify_accept,
)

# RFC 6455 §1.3's worked example.
RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def good_request(**overrides: str) -> dict[str, str]:
    headers = {
        "Host": "example.com",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": RFC_KEY,
        "Sec-WebSocket-Version": "13",
    }
    headers.update(overrides)
    return {k: v for k, v in headers.items() if v}


def good_response(**overrides: str) -> list[tuple[str, str]]:
    headers = {
        "upgrade": "WebSocket",
        "CONNECTION": "keep-alive, Upgrade",
        "Sec-WebSocket-Accept": RFC_ACCEPT,
    }
    headers.update(overrides)
    return [(k, v) for k, v in headers.items() if v]


def test_accept_key_matches_the_rfc_example() -> None:
    assert accept_key(RFC_KEY) == RFC_ACCEPT
    verify_accept(RFC_KEY, RFC_ACCEPT)


def test_verify_accept_refuses_a_wrong_value() -> None:
    with pytest.raises(WSHandshakeError, match="Sec-WebSocket-Accept"):
        verify_accept(RFC_KEY, "AAAA")


def test_generated_keys_are_random_16_byte_base64() -> None:
    keys = {generate_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(base64.b64decode(k)) == 16 for k in keys)


def test_select_subprotocol_follows_our_preference() -> None:
    assert select_subprotocol(["chat", "superchat"], ["superchat", "chat"]) == "superchat"
    assert select_subprotocol(["a"], ["b"]) is None
    assert select_subprotocol([], ["b"]) is None


def test_client_request_headers() -> None:
    headers = client_request_headers(
        RFC_KEY,
        protocols=["chat", "v2"],
        deflate=PerMessageDeflate(client_max_window_bits_offered=True),
        origin="http://example.com",
    )
    assert headers == [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", RFC_KEY),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Protocol", "chat, v2"),
        ("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),
        ("Origin", "http://example.com"),
    ]


# --- server side --------------------------------------------------------------------


def test_valid_request_gives_the_101_answer() -> None:
    result = validate_upgrade_request(
        "GET",
        good_request(**{"Sec-WebSocket-Protocol": "chat, superchat"}),
        protocols=["superchat"],
    )
    assert result.accept == RFC_ACCEPT
    assert result.protocol == "superchat"
    assert result.deflate is None
    assert result.response_headers == [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", RFC_ACCEPT),
        ("Sec-WebSocket-Protocol", "superchat"),
    ]


def test_request_headers_as_pairs_and_any_case() -> None:
    pairs = [(k.upper(), v) for k, v in good_request().items()]
    pairs.append(("sec-websocket-extensions", "x-foo"))
    pairs.append(("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"))
    result = validate_upgrade_request("get", pairs)
    assert result.deflate == PerMessageDeflate()
    assert ("Sec-WebSocket-Extensions", "permessage-deflate") in result.response_headers


def test_server_takes_the_first_acceptable_deflate_offer() -> None:
    headers = good_request(
        **{
            "Sec-WebSocket-Extensions": "permessage-deflate; server_max_window_bits=7, "
            "permessage-deflate; server_no_context_takeover"
        }
    )
    result = validate_upgrade_request("GET", headers)
    assert result.deflate == PerMessageDeflate(server_no_context_takeover=True)
    assert validate_upgrade_request("GET", headers, compress=False).deflate is None


def test_server_ignores_unparsable_extension_header() -> None:
    headers = good_request(**{"Sec-WebSocket-Extensions": "permessage-deflate; a b"})
    assert validate_upgrade_request("GET", headers).deflate is None


@pytest.mark.parametrize(
    ("method", "overrides", "message"),
    [
        ("POST", {}, "not GET"),
        ("GET", {"Upgrade": ""}, "Upgrade header"),
        ("GET", {"Upgrade": "h2c"}, "Upgrade header is 'h2c'"),
        ("GET", {"Connection": "keep-alive"}, "Connection header"),
        ("GET", {"Sec-WebSocket-Version": "8"}, "only 13"),
        ("GET", {"Sec-WebSocket-Version": ""}, "missing Sec-WebSocket-Version"),
        ("GET", {"Sec-WebSocket-Key": ""}, "missing Sec-WebSocket-Key"),
        ("GET", {"Sec-WebSocket-Key": "not base64!"}, "not base64"),
        ("GET", {"Sec-WebSocket-Key": "c2hvcnQ="}, "16 bytes"),
        ("GET", {"Sec-WebSocket-Key": "é"}, "not base64"),
    ],
)
def test_invalid_requests_are_refused(method: str, overrides: dict[str, str], message: str) -> None:
    with pytest.raises(WSHandshakeError, match=message):
        validate_upgrade_request(method, good_request(**overrides))


def test_repeated_key_is_refused() -> None:
    pairs = [*good_request().items(), ("Sec-WebSocket-Key", RFC_KEY)]
    with pytest.raises(WSHandshakeError, match="given 2 times"):
        validate_upgrade_request("GET", pairs)


# --- client side ----------------------------------------------------------------------


def test_valid_response_is_accepted() -> None:
    result = validate_upgrade_response(101, good_response(), key=RFC_KEY)
    assert result.protocol is None and result.deflate is None


def test_response_with_subprotocol_and_deflate() -> None:
    offer = PerMessageDeflate(client_max_window_bits_offered=True)
    result = validate_upgrade_response(
        101,
        good_response(
            **{
                "Sec-WebSocket-Protocol": "chat",
                "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits=10",
            }
        ),
        key=RFC_KEY,
        protocols=["chat"],
        deflate=offer,
    )
    assert result.protocol == "chat"
    assert result.deflate == PerMessageDeflate(client_max_window_bits=10)


@pytest.mark.parametrize(
    ("status", "overrides", "kwargs", "message"),
    [
        (200, {}, {}, "answered 200"),
        (101, {"upgrade": "h2c"}, {}, "Upgrade header"),
        (101, {"CONNECTION": "close"}, {}, "Connection header"),
        (101, {"Sec-WebSocket-Accept": ""}, {}, "missing Sec-WebSocket-Accept"),
        (101, {"Sec-WebSocket-Accept": "wrong"}, {}, "expected"),
        (101, {"Sec-WebSocket-Protocol": "chat"}, {}, "not offered"),
        (101, {"Sec-WebSocket-Protocol": "a, b"}, {"protocols": ["a", "b"]}, "several"),
        (101, {"Sec-WebSocket-Extensions": "permessage-deflate"}, {}, "not offered"),
        (
            101,
            {"Sec-WebSocket-Extensions": "x-other"},
            {"deflate": PerMessageDeflate()},
            "not offered",
        ),
        (
            101,
            {"Sec-WebSocket-Extensions": "permessage-deflate, permessage-deflate"},
            {"deflate": PerMessageDeflate()},
            "twice",
        ),
        (
            101,
            {"Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits=10"},
            {"deflate": PerMessageDeflate()},
            "not offered",
        ),
        (
            101,
            {"Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"},
            {"deflate": PerMessageDeflate(client_max_window_bits_offered=True)},
            "8 to 15",
        ),
    ],
)
def test_invalid_responses_are_refused(
    status: int, overrides: dict[str, str], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(WSHandshakeError, match=message):
        validate_upgrade_response(status, good_response(**overrides), key=RFC_KEY, **kwargs)  # type: ignore[arg-type]


def test_request_and_response_helpers_agree() -> None:
    key = generate_key()
    offer = PerMessageDeflate(client_max_window_bits_offered=True, server_no_context_takeover=True)
    request = [("Host", "h"), *client_request_headers(key, protocols=["p"], deflate=offer)]
    server = validate_upgrade_request("GET", request, protocols=["p"])
    client = validate_upgrade_response(
        101, server.response_headers, key=key, protocols=["p"], deflate=offer
    )
    assert client.protocol == "p"
    assert client.deflate == server.deflate == PerMessageDeflate(server_no_context_takeover=True)
