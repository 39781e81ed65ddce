"""``aiohttp ws``: the interactive WebSocket client against the websockets library's server.

In-process tests give ``main()`` a stdin without a file descriptor (read with ``readline``);
the subprocess tests pipe real stdin, which is read with ``os.read`` in a thread.
"""

from __future__ import annotations

import io
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiohttp.__main__ import main
from aiohttp._cli_ws import _close_args, _describe_binary
from aiohttp._exit_codes import ExitCode
from tests.aiohttp.cli_servers import BackgroundLoop, WsLog, start_http_app, start_ws_echo
from tests.client.proxy_server import TLS, Servers, make_tls, start_http_proxy

WAIT = 60.0


@pytest.fixture(scope="module")
def bg() -> Iterator[BackgroundLoop]:
    loop = BackgroundLoop()
    yield loop
    loop.close()


@pytest.fixture
def echo(bg: BackgroundLoop) -> WsLog:
    return start_ws_echo(bg)


@pytest.fixture(scope="module")
def tls() -> TLS:
    return make_tls()


def wait_for_close(bg: BackgroundLoop, log: WsLog) -> None:
    async def done() -> None:
        await log.done.wait()

    bg.call(done())


def run_ws(monkeypatch: pytest.MonkeyPatch, lines: str, *args: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    return main(["ws", *args])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_piped_lines_are_echoed_then_closed_with_1000(bg: BackgroundLoop, echo: WsLog) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aiohttp", "ws", echo.url],
        input=b"hello\nw\xc3\xb6rld\r\n\nlast line without newline",
        capture_output=True,
        timeout=WAIT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().splitlines() == ["hello", "wörld", "", "last line without newline"]
    assert echo.received == ["hello", "wörld", "", "last line without newline"]
    err = proc.stderr.decode().splitlines()
    assert err[0] == f"* connected to {echo.url}"
    assert err[-1] == "* closed: 1000"
    wait_for_close(bg, echo)
    assert echo.closes == [(1000, "")]


def test_linger_0_closes_at_the_end_of_input_at_once(
    bg: BackgroundLoop, echo: WsLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.monotonic()
    assert run_ws(monkeypatch, "", echo.url, "--linger", "0") == 0
    assert time.monotonic() - started < 1.0
    wait_for_close(bg, echo)
    assert echo.closes == [(1000, "")]


def test_ping_shows_the_pong(
    echo: WsLog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_ws(monkeypatch, "/ping abc\n/ping\n", echo.url) == 0
    err = capsys.readouterr().err.splitlines()
    assert "* pong 'abc'" in err and "* pong ''" in err
    assert echo.received == []  # pings are not messages


def test_close_command_sends_code_and_reason(
    bg: BackgroundLoop,
    echo: WsLog,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_ws(monkeypatch, "first\n/close 4000 bye now\nnever sent\n", echo.url) == 0
    captured = capsys.readouterr()
    # /close closes at once: the websockets server may get our CLOSE before it echoes
    # "first", and then it sends nothing more.
    assert captured.out in ("", "first\n")
    assert captured.err.splitlines()[-1] == "* closed: 4000 'bye now'"
    wait_for_close(bg, echo)
    assert echo.closes == [(4000, "bye now")]
    assert echo.received == ["first"]


def test_invalid_close_command_is_refused_and_the_session_goes_on(
    bg: BackgroundLoop,
    echo: WsLog,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_ws(monkeypatch, "/close 1005\nstill open\n", echo.url) == 0
    captured = capsys.readouterr()
    assert "may not be sent" in captured.err
    assert captured.out == "still open\n"
    wait_for_close(bg, echo)
    assert echo.closes == [(1000, "")]


def test_server_initiated_close_is_printed(
    bg: BackgroundLoop,
    echo: WsLog,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_ws(monkeypatch, "server-close\n", echo.url, "--linger", "5") == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "* the server closed the connection: 4001 'done'"
    wait_for_close(bg, echo)
    assert echo.closes == [(4001, "done")]


def test_connection_dropped_without_closing_handshake(
    echo: WsLog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_ws(monkeypatch, "drop\n", echo.url, "--linger", "5") == ExitCode.CONNECTION
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == ("aiohttp: error: the connection was lost without a closing handshake (1006)")


def test_binary_messages_are_described_and_slashes_escaped(
    echo: WsLog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_ws(monkeypatch, "binary\n//ping\n/other\n", echo.url) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[binary 40 bytes] 00 01 02 ") and out[0].endswith(" 1f ...")
    assert out[1:] == ["/ping", "/other"]
    assert echo.received == ["binary", "/ping", "/other"]


def test_headers_subprotocol_and_compression(
    bg: BackgroundLoop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    echo = start_ws_echo(bg, subprotocols=["chat", "superchat"])
    args = [echo.url, "-H", "X-Client: cli", "--protocol", "nope", "--protocol", "superchat"]
    assert run_ws(monkeypatch, "hi\n", *args, "--compress") == 0
    captured = capsys.readouterr()
    assert captured.out == "hi\n"
    assert "subprotocol superchat" in captured.err and "permessage-deflate" in captured.err
    headers = echo.request_headers[0]
    assert headers["x-client"] == "cli"
    assert headers["sec-websocket-protocol"] == "nope, superchat"
    assert "permessage-deflate" in headers["sec-websocket-extensions"]


def test_heartbeat_keeps_a_quiet_session_alive(
    echo: WsLog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiohttp", "ws", echo.url, "--heartbeat", "0.2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(2.0)  # several heartbeats; their PONGs are not printed
    out, err = proc.communicate(b"still here\n", timeout=WAIT)
    assert proc.returncode == 0, err
    assert out == b"still here\n"
    assert b"pong" not in err


def test_handshake_refused_exits_with_the_websocket_code(
    echo: WsLog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_ws(monkeypatch, "", f"{echo.url}/forbidden") == ExitCode.WEBSOCKET
    err = capsys.readouterr().err
    assert err == "aiohttp: error: WebSocket handshake failed: 403, Invalid response status\n"


def test_plain_http_server_is_a_websocket_failure(
    bg: BackgroundLoop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app = start_http_app(bg)
    assert run_ws(monkeypatch, "", app.url) == ExitCode.WEBSOCKET
    assert "WebSocket handshake failed: 200" in capsys.readouterr().err


def test_refused_port_is_a_connection_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_ws(monkeypatch, "", f"ws://127.0.0.1:{free_port()}/") == ExitCode.CONNECTION
    assert capsys.readouterr().err.startswith("aiohttp: error: connection failed")


def test_wss_with_cacert_and_without_trust(
    bg: BackgroundLoop,
    tls: TLS,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = start_ws_echo(bg, ssl_context=tls.server)
    assert run_ws(monkeypatch, "x\n", server.url) == ExitCode.TLS
    ca_file = tmp_path / "ca.pem"
    tls.ca.cert_pem.write_to_path(str(ca_file))
    assert run_ws(monkeypatch, "secure\n", server.url, "--cacert", str(ca_file)) == 0
    assert run_ws(monkeypatch, "insecure\n", server.url, "--insecure") == 0
    assert capsys.readouterr().out == "secure\ninsecure\n"


def test_wss_through_a_proxy_tunnel(
    bg: BackgroundLoop,
    tls: TLS,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = start_ws_echo(bg, ssl_context=tls.server)
    servers = Servers()
    try:
        proxy, log = bg.call(start_http_proxy(servers))
        args = [server.url, "--proxy", str(proxy), "-k"]
        assert run_ws(monkeypatch, "tunnelled\n", *args) == 0
        assert capsys.readouterr().out == "tunnelled\n"
        assert log.requests[0][0] == "CONNECT"
    finally:
        bg.call(servers.close())


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        ["ws"],
        ["ws", "ws://x/", "--compress", "8"],
        ["ws", "ws://x/", "--heartbeat", "0"],
        ["ws", "ws://x/", "--linger", "-1"],
        ["ws", "ws://x/", "-H", "nope"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == ExitCode.USAGE, args
    capsys.readouterr()


def test_interrupt_exits_130(echo: WsLog) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiohttp", "ws", echo.url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    assert proc.stderr.readline().startswith(b"* connected to ")  # bounded by pytest-timeout
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == ExitCode.INTERRUPTED
    assert err == b"aiohttp: error: interrupted\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/close", (1000, "")),
        ("/close 4000", (4000, "")),
        ("/close 1001 going  away", (1001, "going  away")),
    ],
)
def test_close_arguments(text: str, expected: tuple[int, str]) -> None:
    assert _close_args(text) == expected


@pytest.mark.parametrize(
    "text", ["/close abc", "/close 1006", "/close 999", "/close 1000 " + "x" * 124]
)
def test_close_arguments_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        _close_args(text)


def test_describe_binary() -> None:
    assert _describe_binary(b"") == "[binary 0 bytes]"
    assert _describe_binary(b"\x00\xff") == "[binary 2 bytes] 00 ff"
