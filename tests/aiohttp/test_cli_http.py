"""``aiohttp get|post|...``: end to end against real servers on 127.0.0.1.

Most tests call ``main([...])`` in process (it runs its own event loop; the servers run in
a background thread); a few run ``python -m aiohttp`` as a subprocess, one of them with
stderr on a pseudo-terminal to see the progress bar redrawn.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiohttp.__main__ import main
from aiohttp._exit_codes import ExitCode
from tests.aiohttp.cli_servers import BackgroundLoop, HttpApp, start_http_app, start_silent_server
from tests.client.proxy_server import TLS, Servers, make_tls, start_http_proxy

WAIT = 60.0  # bound of every subprocess


@pytest.fixture(scope="module")
def bg() -> Iterator[BackgroundLoop]:
    loop = BackgroundLoop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def app(bg: BackgroundLoop) -> HttpApp:
    return start_http_app(bg)


@pytest.fixture(scope="module")
def tls() -> TLS:
    return make_tls()


@pytest.fixture(scope="module")
def tls_app(bg: BackgroundLoop, tls: TLS) -> HttpApp:
    return start_http_app(bg, tls.server)


def run_cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "aiohttp", *args],
        input=stdin,
        capture_output=True,
        timeout=WAIT,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there any more


# --- requests and bodies ---------------------------------------------------------------


def test_get_writes_the_body_to_stdout(app: HttpApp, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["get", f"{app.url}/"]) == ExitCode.OK
    captured = capsys.readouterr()
    assert captured.out == "hello from the test app\n"
    assert captured.err == ""


def test_get_without_scheme_defaults_to_http(
    app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["get", app.url.removeprefix("http://") + "/"]) == ExitCode.OK
    assert capsys.readouterr().out == "hello from the test app\n"


def test_binary_body_reaches_stdout_unchanged(
    app: HttpApp, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["get", f"{app.url}/binary"]) == ExitCode.OK
    assert capsysbinary.readouterr().out == bytes(range(256))


def test_post_json_arrives_as_json_with_its_content_type(
    app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["post", f"{app.url}/echo", "--json", '{"name": "ü", "n": [1, 2]}']) == 0
    echoed = json.loads(capsys.readouterr().out)
    assert echoed["method"] == "POST"
    assert echoed["content_type"] == "application/json"
    assert json.loads(echoed["body"].encode("latin-1")) == {"name": "ü", "n": [1, 2]}


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_each_method_command_sends_its_method(
    app: HttpApp, method: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([method, f"{app.url}/echo", "-d", "x"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["method"] == method.upper()


def test_head_prints_no_body(app: HttpApp, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["head", f"{app.url}/"]) == ExitCode.OK
    assert capsys.readouterr().out == ""
    assert app.seen[-1].method == "HEAD"


def test_data_sends_text_and_a_file_and_stdin(
    app: HttpApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["post", f"{app.url}/echo", "-d", "plain text"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["body"] == "plain text"
    path = tmp_path / "payload.bin"
    path.write_bytes(b"\x00\x01file body\xff")
    assert main(["post", f"{app.url}/echo", "-d", f"@{path}"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["body"].encode("latin-1") == b"\x00\x01file body\xff"
    proc = run_cli("put", f"{app.url}/echo", "-d", "@-", stdin=b"from stdin\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["body"] == "from stdin\n"


def test_headers_are_sent_and_replace_implied_ones(
    app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["post", f"{app.url}/echo", "-H", "X-One: 1", "-H", "x-two:two words "]
    args += ["--json", "{}", "-H", "Content-Type: application/vnd.test+json"]
    assert main(args) == ExitCode.OK
    capsys.readouterr()
    seen = app.seen[-1]
    assert seen.header("X-One") == "1"
    assert seen.header("X-Two") == "two words"
    assert [v for k, v in seen.headers if k.lower() == "content-type"] == [
        "application/vnd.test+json"
    ]


def test_form_fields_and_file_upload_parse_on_the_server(
    app: HttpApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upload = tmp_path / "report.csv"
    content = b"a,b\r\n1,2\r\n--not-a-boundary\r\n" * 5000  # streamed, over 100 KiB
    upload.write_bytes(content)
    args = ["post", f"{app.url}/form", "-F", "title=Quarterly ünïcode", "-F", f"data=@{upload}"]
    assert main(args) == ExitCode.OK
    fields = json.loads(capsys.readouterr().out)
    content_type = app.seen[-1].header("Content-Type")
    assert content_type is not None and content_type.startswith("multipart/form-data; boundary=")
    assert [f["name"] for f in fields] == ["title", "data"]
    assert fields[0]["text"] == "Quarterly ünïcode" and fields[0]["filename"] is None
    assert fields[1]["filename"] == "report.csv"
    assert fields[1]["content_type"] == "text/csv"
    assert fields[1]["size"] == len(content)
    assert fields[1]["sha256"] == hashlib.sha256(content).hexdigest()


def test_missing_form_file_is_a_local_io_error(
    app: HttpApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    count = len(app.seen)
    missing = tmp_path / "nope.txt"
    assert main(["post", f"{app.url}/form", "-F", f"f=@{missing}"]) == ExitCode.LOCAL_IO
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.txt" in err and "No such file" in err
    assert len(app.seen) == count  # nothing was sent
    assert main(["post", f"{app.url}/echo", "-d", f"@{missing}"]) == ExitCode.LOCAL_IO


# --- output modes ----------------------------------------------------------------------


def test_output_file_and_plain_progress_lines(
    app: HttpApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "download.bin"
    size = 2 * 1024 * 1024
    assert main(["get", f"{app.url}/slow?size={size}", "-o", str(target)]) == ExitCode.OK
    captured = capsys.readouterr()
    assert captured.out == ""
    assert target.stat().st_size == size
    lines = captured.err.splitlines()
    assert "\r" not in captured.err  # stderr is not a terminal: no redraws
    assert lines[0] == "download.bin  receiving 2.0 MiB"
    assert 2 <= len(lines) <= 5  # start, at most three quarter lines, the summary
    assert any("50%" in line for line in lines)
    assert lines[-1].startswith("download.bin  2.0 MiB in ") and "MiB/s" in lines[-1]


def test_output_without_content_length_counts_bytes(
    app: HttpApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "chunked.bin"
    url = f"{app.url}/slow?size=300000&length=0&delay=0"
    assert main(["get", url, "-o", str(target)]) == ExitCode.OK
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "chunked.bin  receiving size unknown"
    assert err.splitlines()[-1].startswith("chunked.bin  293.0 KiB in ")
    assert target.stat().st_size == 300000


def test_output_into_a_missing_directory_is_a_local_io_error(
    app: HttpApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no" / "such" / "dir.bin"
    assert main(["get", f"{app.url}/", "-o", str(target)]) == ExitCode.LOCAL_IO
    assert "-o " in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_progress_bar_redraws_on_a_terminal(app: HttpApp, tmp_path: Path) -> None:
    import pty

    target = tmp_path / "tty.bin"
    size = 2 * 1024 * 1024
    url = f"{app.url}/slow?size={size}&delay=0.05"
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aiohttp", "get", url, "-o", str(target)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
        )
    finally:
        os.close(slave)
    output = b""
    deadline = time.monotonic() + WAIT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            output += data
        assert proc.wait(WAIT) == 0, output
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
        assert proc.stdout is not None
        proc.stdout.close()
    text = output.decode()
    assert text.count("\r") >= 3, text  # redrawn in place
    assert "[" in text and "%" in text and "/ 2.0 MiB" in text
    assert "MiB/s" in text or "KiB/s" in text
    assert "ETA " in text
    assert "tty.bin  2.0 MiB in " in text  # the summary replaces the bar
    assert target.stat().st_size == size


def test_verbose_prints_request_and_response_heads(
    app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["get", f"{app.url}/redirect?x=1", "-v", "-H", "X-Trace: on"]) == ExitCode.OK
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert "> GET /redirect?x=1 HTTP/1.1" in err
    assert "> X-Trace: on" in err
    assert "< HTTP/1.1 302 Found" in err
    assert "< Location: /echo" in err
    assert "> GET /echo HTTP/1.1" in err  # the redirect was followed
    assert "< HTTP/1.1 200 OK" in err
    assert err.index("< HTTP/1.1 302 Found") < err.index("> GET /echo HTTP/1.1")
    assert json.loads(captured.out)["target"] == "/echo"


def test_no_follow_shows_the_redirect_itself(
    app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["get", f"{app.url}/redirect", "--no-follow", "--json-output"]) == ExitCode.OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == 302
    assert ["Location", "/echo"] in summary["headers"]


def test_json_output_describes_the_response(
    app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["get", f"{app.url}/redirect", "--json-output"]) == ExitCode.OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == 200 and summary["reason"] == "OK"
    assert summary["url"] == f"{app.url}/echo"
    assert summary["history"] == [{"status": 302, "url": f"{app.url}/redirect"}]
    assert ["Content-Type", "application/json; charset=utf-8"] in summary["headers"]
    assert summary["body_encoding"] == "text"
    assert json.loads(summary["body"])["target"] == "/echo"
    assert summary["body_length"] == len(summary["body"])
    assert 0 <= summary["elapsed"] < WAIT


def test_json_output_gives_binary_bodies_in_base64(
    app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["get", f"{app.url}/binary", "--json-output"]) == ExitCode.OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["body_encoding"] == "base64"
    assert base64.b64decode(summary["body"]) == bytes(range(256))
    assert summary["body_length"] == 256


def test_error_status_exits_zero_unless_fail(
    app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["get", f"{app.url}/status/404"]) == ExitCode.OK
    assert capsys.readouterr() == ("status 404\n", "")
    assert main(["get", f"{app.url}/status/503", "--fail"]) == ExitCode.HTTP_STATUS
    captured = capsys.readouterr()
    assert captured.out == "status 503\n"  # the body is still shown
    assert captured.err == "aiohttp: error: HTTP 503 Service Unavailable\n"
    assert main(["get", f"{app.url}/status/302", "-f", "--no-follow"]) == ExitCode.OK


# --- failures --------------------------------------------------------------------------


def test_timeout_against_a_server_that_never_answers(
    bg: BackgroundLoop, capsys: pytest.CaptureFixture[str]
) -> None:
    port = start_silent_server(bg)
    started = time.monotonic()
    assert main(["get", f"http://127.0.0.1:{port}/", "--timeout", "0.5"]) == ExitCode.TIMEOUT
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert err.startswith("aiohttp: error: timed out") and err.count("\n") == 1


def test_refused_port_is_a_connection_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["get", f"http://127.0.0.1:{free_port()}/"]) == ExitCode.CONNECTION
    err = capsys.readouterr().err
    assert err.startswith("aiohttp: error: connection failed: ") and err.count("\n") == 1


def test_tls_without_trust_fails_with_the_tls_code(
    tls_app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["get", f"{tls_app.url}/"]) == ExitCode.TLS
    err = capsys.readouterr().err
    assert err.startswith("aiohttp: error: TLS error: ") and err.count("\n") == 1


def test_insecure_skips_verification(tls_app: HttpApp, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["get", f"{tls_app.url}/", "--insecure"]) == ExitCode.OK
    assert capsys.readouterr().out == "hello from the test app\n"


def test_cacert_trusts_the_given_ca(
    tls_app: HttpApp, tls: TLS, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ca_file = tmp_path / "ca.pem"
    tls.ca.cert_pem.write_to_path(str(ca_file))
    assert main(["get", f"{tls_app.url}/", "--cacert", str(ca_file)]) == ExitCode.OK
    assert capsys.readouterr().out == "hello from the test app\n"


def test_unusable_cacert_files(
    tls_app: HttpApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.pem"
    assert main(["get", f"{tls_app.url}/", "--cacert", str(missing)]) == ExitCode.LOCAL_IO
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    assert main(["get", f"{tls_app.url}/", "--cacert", str(garbage)]) == ExitCode.TLS
    assert capsys.readouterr().err.count("--cacert") == 2


def test_proxy_forwards_the_request(
    bg: BackgroundLoop, app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    servers = Servers()
    try:
        proxy, log = bg.call(start_http_proxy(servers))
        assert main(["get", f"{app.url}/echo?via=proxy", "--proxy", str(proxy)]) == ExitCode.OK
        assert json.loads(capsys.readouterr().out)["target"] == "/echo?via=proxy"
        assert [(m, t) for m, t, _ in log.requests] == [("GET", f"{app.url}/echo?via=proxy")]
    finally:
        bg.call(servers.close())


def test_proxy_tunnels_tls(
    bg: BackgroundLoop, tls_app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    servers = Servers()
    try:
        proxy, log = bg.call(start_http_proxy(servers))
        assert main(["get", f"{tls_app.url}/", "--proxy", str(proxy), "-k"]) == ExitCode.OK
        assert capsys.readouterr().out == "hello from the test app\n"
        assert log.requests[0][0] == "CONNECT"
    finally:
        bg.call(servers.close())


def test_unreachable_proxy_is_a_connection_error(
    app: HttpApp, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["get", f"{app.url}/", "--proxy", f"http://127.0.0.1:{free_port()}"]
    assert main(args) == ExitCode.CONNECTION
    assert "proxy" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["get"],
        ["get", "http://x/", "-H", "no colon"],
        ["get", "http://x/", "-H", "bad name: v"],
        ["post", "http://x/", "--json", "{not json"],
        ["post", "http://x/", "--json", "{}", "-d", "x"],
        ["post", "http://x/", "-F", "novalue"],
        ["post", "http://x/", "-F", "f=@"],
        ["get", "http://x/", "--insecure", "--cacert", "ca.pem"],
        ["get", "http://x/", "--timeout", "-1"],
        ["get", "http://x/", "--timeout", "soon"],
        ["get", "http://x/", "--frobnicate"],
    ],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == ExitCode.USAGE
    assert "usage: aiohttp" in capsys.readouterr().err


def test_invalid_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["get", "http://[::1/"]) == ExitCode.USAGE
    assert capsys.readouterr().err.startswith("aiohttp: error: invalid URL")


def test_end_to_end_subprocess_get_and_failure_codes(app: HttpApp) -> None:
    proc = run_cli("get", f"{app.url}/")
    assert proc.returncode == 0 and proc.stdout == b"hello from the test app\n"
    proc = run_cli("get", f"http://127.0.0.1:{free_port()}/")
    assert proc.returncode == ExitCode.CONNECTION
    assert proc.stderr.count(b"\n") == 1 and b"Traceback" not in proc.stderr
    proc = run_cli("get", f"{app.url}/", "-H", "broken")
    assert proc.returncode == ExitCode.USAGE


def test_interrupt_exits_130(app: HttpApp) -> None:
    import signal

    proc = subprocess.Popen(
        [sys.executable, "-m", "aiohttp", "get", f"{app.url}/hang"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + WAIT
    count = len(app.seen)
    while len(app.seen) == count and time.monotonic() < deadline:
        time.sleep(0.05)  # until the request reached the server
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == ExitCode.INTERRUPTED
    assert err == b"aiohttp: error: interrupted\n"


def test_readme_and_main_docstring_list_every_exit_code() -> None:
    import re

    import aiohttp.__main__ as cli

    readme = Path(__file__).parents[2] / "packages" / "aiohttp" / "README.md"
    rows = re.findall(r"^\| `(\d+)` \| `([A-Z_]+)` \|", readme.read_text(), re.MULTILINE)
    assert [(int(code), name) for code, name in rows] == [(c.value, c.name) for c in ExitCode]
    assert cli.__doc__ is not None
    for code in ExitCode:
        assert re.search(rf"^    {code.value} ", cli.__doc__, re.MULTILINE), code
