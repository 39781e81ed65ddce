"""Types compatible with aiohttp: WSMsgType, WSCloseCode, WSMessage, WebSocketError."""

from __future__ import annotations

import json
import pickle

import pytest

import aiohttp_ws
from aiohttp_ws import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WS_KEY,
    WebSocketError,
    WSCloseCode,
    WSHandshakeError,
    WSMessage,
    WSMsgType,
    is_valid_close_code,
)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CONTINUATION", 0),
        ("TEXT", 1),
        ("BINARY", 2),
        ("PING", 9),
        ("PONG", 10),
        ("CLOSE", 8),
        ("CLOSING", 256),
        ("CLOSED", 257),
        ("ERROR", 258),
    ],
)
def test_msg_type_values_match_aiohttp(name: str, value: int) -> None:
    member = WSMsgType[name]
    assert member == value
    assert getattr(WSMsgType, name.lower()) is member


def test_msg_type_aliases_do_not_add_members() -> None:
    assert len(WSMsgType) == 9
    assert [m.name for m in WSMsgType] == [
        "CONTINUATION", "TEXT", "BINARY", "PING", "PONG", "CLOSE", "CLOSING", "CLOSED", "ERROR",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("upper", "lower", "value"),
    [
        ("OK", "ok", 1000),
        ("GOING_AWAY", "going_away", 1001),
        ("PROTOCOL_ERROR", "protocol_error", 1002),
        ("UNSUPPORTED_DATA", "unsupported_data", 1003),
        ("ABNORMAL_CLOSURE", "abnormal_closure", 1006),
        ("INVALID_TEXT", "invalid_text", 1007),
        ("POLICY_VIOLATION", "policy_violation", 1008),
        ("MESSAGE_TOO_BIG", "message_too_big", 1009),
        ("MANDATORY_EXTENSION", "mandatory_extension", 1010),
        ("INTERNAL_ERROR", "internal_error", 1011),
        ("SERVICE_RESTART", "service_restart", 1012),
        ("TRY_AGAIN_LATER", "try_again_later", 1013),
        ("BAD_GATEWAY", "bad_gateway", 1014),
    ],
)
def test_close_code_names_and_lower_case_aliases(upper: str, lower: str, value: int) -> None:
    member = WSCloseCode[upper]
    assert member == value
    assert getattr(WSCloseCode, lower) is member
    assert WSCloseCode(value) is member
    assert member.name == upper


def test_close_code_aliases_keep_the_int_enum_intact() -> None:
    assert len(WSCloseCode) == 13
    assert len(set(WSCloseCode)) == 13
    assert isinstance(WSCloseCode.ok, int)
    assert WSCloseCode.going_away + 1 == 1002
    assert pickle.loads(pickle.dumps(WSCloseCode.ok)) is WSCloseCode.OK


def test_message_is_a_named_tuple_with_json() -> None:
    msg = WSMessage(WSMsgType.TEXT, '{"a": [1, 2]}', "")
    assert msg == (WSMsgType.TEXT, '{"a": [1, 2]}', "")
    assert msg.json() == {"a": [1, 2]}
    assert msg.json(loads=lambda s: ("custom", s)) == ("custom", '{"a": [1, 2]}')
    with pytest.raises(json.JSONDecodeError):
        WSMessage(WSMsgType.TEXT, "not json", "").json()


def test_message_tp_is_deprecated_alias_of_type() -> None:
    msg = WSMessage(WSMsgType.BINARY, b"", None)
    with pytest.warns(DeprecationWarning, match="use WSMessage.type"):
        assert msg.tp is WSMsgType.BINARY


def test_closed_and_closing_messages() -> None:
    assert WSMessage(WSMsgType.CLOSED, None, None) == WS_CLOSED_MESSAGE
    assert WSMessage(WSMsgType.CLOSING, None, None) == WS_CLOSING_MESSAGE


def test_websocket_error_carries_code_and_message() -> None:
    exc = WebSocketError(WSCloseCode.PROTOCOL_ERROR, "reserved opcode 0x3")
    assert exc.code == 1002
    assert str(exc) == "reserved opcode 0x3"
    assert exc.args == (1002, "reserved opcode 0x3")
    assert issubclass(WSHandshakeError, Exception)


def test_ws_key_is_the_rfc_guid() -> None:
    assert WS_KEY == b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


@pytest.mark.parametrize(
    ("code", "valid"),
    [(999, False), (1000, True), (1003, True), (1004, False), (1005, False), (1006, False),
     (1007, True), (1014, True), (1015, False), (1016, False), (2999, False), (3000, True),
     (4999, True), (5000, False)],
)  # fmt: skip
def test_close_code_validity(code: int, valid: bool) -> None:
    assert is_valid_close_code(code) is valid


def test_public_names_are_exported_once() -> None:
    assert len(aiohttp_ws.__all__) == len(set(aiohttp_ws.__all__))
    for name in aiohttp_ws.__all__:
        assert hasattr(aiohttp_ws, name), name
    for name in (
        "WSMsgType", "WSCloseCode", "WSMessage", "WebSocketError", "WebSocketReader",
        "WebSocketWriter", "ws_ext_parse", "ws_ext_gen", "WS_KEY", "WS_CLOSED_MESSAGE",
        "WS_CLOSING_MESSAGE", "WSHandshakeError",
    ):  # fmt: skip
        assert name in aiohttp_ws.__all__


def test_sans_io_modules_do_not_import_asyncio() -> None:
    import ast
    from pathlib import Path

    src = Path(aiohttp_ws.__file__).parent
    for module in ("_models", "_mask", "_deflate", "_reader", "_writer", "_handshake"):
        tree = ast.parse((src / f"{module}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert all(a.name != "asyncio" for a in node.names), module
            elif isinstance(node, ast.ImportFrom):
                assert node.module != "asyncio" and node.module != "_asyncio", module
