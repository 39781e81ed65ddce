"""Low-level HTTP/1.1 server: requests per second under ``wrk``, ours against uvicorn and aiohttp.

Every case starts its server as a subprocess (one process, no workers, the
default asyncio event loop) on 127.0.0.1 (ours and aiohttp on a socket bound
to port 0 and passed as a file descriptor; uvicorn on a free port it binds
itself), waits until it answers, then the timed callable runs
``wrk -t1 -c64`` against it. All servers answer
``GET /`` with ``200`` and the 13-byte body ``Hello, World!``.

* ``ours``: ``aiohttp_http.Server`` with a raw handler returning a ``Response``.
* ``uvicorn-httptools``: uvicorn with ``--http httptools --loop asyncio`` and a
  trivial ASGI app (run by the interpreter of our environment, which has
  uvicorn and httptools; the peers' environment does not).
* ``aiohttp``: aiohttp 3.14's low-level ``aiohttp.web.Server`` with a raw
  handler (peers' environment, C extensions on); ``aiohttp-pure`` the same
  with ``AIOHTTP_NO_EXTENSIONS=1``.

How the rate becomes the harness's op/s: a wrk Lua script ends wrk after
``REQUESTS`` responses (the ``-d`` duration is only a bound: wrk's main thread
would otherwise sleep for all of it), so the timed callable's wall time is
``REQUESTS / rate`` (plus wrk's start-up) and ``ops = REQUESTS``: the table's
op/s is requests per second. A non-200 response, or reaching the ``-d`` bound
before ``REQUESTS`` responses, fails the case. Extra figures (in the worker's
JSON): ``requests_per_sec`` and ``server_cpu_us_per_request``, the server
process's CPU time per request (from ``/proc``), which is steadier than wall
time on a shared machine.

``wrk`` is the Debian package ``wrk``; when it is missing the suite installs
it with ``apt-get install -y wrk`` if running as root, else it raises.
"""

from __future__ import annotations

import atexit
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import Case, Target

REQUESTS = 30_000
CONNECTIONS = 64
DURATION_BOUND = "30s"  # wrk stops earlier, after REQUESTS responses
STARTUP_TIMEOUT = 20.0
WORKLOAD = "GET hello, wrk -t1 -c64"

OURS_SERVER = """
import asyncio, socket, sys
from aiohttp_http import Response, Server

async def handler(request):
    return Response(body=b"Hello, World!", content_type="text/plain")

async def main():
    sock = socket.socket(fileno=int(sys.argv[1]))
    loop = asyncio.get_running_loop()
    await loop.create_server(Server(handler), sock=sock)
    await asyncio.Event().wait()

asyncio.run(main())
"""

AIOHTTP_SERVER = """
import asyncio, socket, sys
from aiohttp import web

async def handler(request):
    return web.Response(body=b"Hello, World!", content_type="text/plain")

async def main():
    sock = socket.socket(fileno=int(sys.argv[1]))
    loop = asyncio.get_running_loop()
    await loop.create_server(web.Server(handler), sock=sock)
    await asyncio.Event().wait()

asyncio.run(main())
"""

ASGI_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"13")]})
    await send({"type": "http.response.body", "body": b"Hello, World!"})
"""

# wrk's main thread sleeps for the whole -d duration, even after a thread stopped: the
# only way to end the run after REQUESTS responses is to exit the process from Lua.
STOP_SCRIPT = """
local done = 0
local bad = 0
function response(status, headers, body)
  done = done + 1
  if status ~= 200 then
    bad = bad + 1
  end
  if done >= %d then
    io.stdout:write(string.format("STOPPED %%d %%d\\n", done, bad))
    io.stdout:flush()
    os.exit(0)
  end
end
"""


def wrk_path() -> str:
    """Path of ``wrk``, installing the Debian package when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("wrk is not installed: run `apt-get install -y wrk` as root")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get install -y wrk did not provide a wrk executable")
    return found


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr!r}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0)
            conn.request("GET", "/")
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            if resp.status == 200 and body == b"Hello, World!":
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not answer within {STARTUP_TIMEOUT} s")


def _stopper(
    proc: subprocess.Popen[bytes], sock: socket.socket | None = None
) -> Callable[[], None]:
    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if sock is not None:
            sock.close()

    return stop


def _start(script: str) -> tuple[int, int]:
    """Start ``python -c script FD`` on a fresh listening socket; return (port, pid).

    The server process is stopped when the worker exits.
    """
    sock = _listening_socket()
    fd = sock.fileno()
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), str(fd)],
        pass_fds=(fd,),
        stdout=subprocess.DEVNULL,
    )
    atexit.register(_stopper(proc, sock))
    port = int(sock.getsockname()[1])
    _wait_ready(port, proc)
    return port, proc.pid


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` (Linux ``/proc``), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_wrk(port: int, pid: int) -> Callable[[], dict[str, Any]]:
    wrk = wrk_path()
    script = Path(tempfile.mkdtemp(prefix="bench-server-")) / "stop.lua"
    script.write_text(STOP_SCRIPT % REQUESTS)
    argv = [
        wrk,
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{DURATION_BOUND}",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/",
    ]

    def run() -> dict[str, Any]:
        cpu0 = _cpu_seconds(pid)
        start = time.perf_counter()
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True).stdout
        elapsed = time.perf_counter() - start
        cpu1 = _cpu_seconds(pid)
        stopped = re.search(r"STOPPED (\d+) (\d+)", out)
        if stopped is None:
            raise RuntimeError(f"wrk ran into its -d bound before {REQUESTS} responses:\n{out}")
        if stopped.group(2) != "0":
            raise RuntimeError(f"{stopped.group(2)} responses were not 200")
        extra: dict[str, Any] = {"requests_per_sec": REQUESTS / elapsed}
        if cpu0 is not None and cpu1 is not None:
            extra["server_cpu_us_per_request"] = (cpu1 - cpu0) / REQUESTS * 1e6
        return extra

    return run


def make_ours() -> Callable[[], dict[str, Any]]:
    return _run_wrk(*_start(OURS_SERVER))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_uvicorn() -> Callable[[], dict[str, Any]]:
    app_dir = Path(tempfile.mkdtemp(prefix="bench-server-asgi-"))
    (app_dir / "hello_asgi.py").write_text(ASGI_APP)
    # Not --fd: uvicorn takes a passed descriptor for a Unix socket and then does not
    # set TCP_NODELAY, which would slow it down unfairly. A free port, bound by uvicorn.
    port = _free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--http",
        "httptools",
        "--loop",
        "asyncio",
        "--lifespan",
        "off",
        "--no-access-log",
        "--log-level",
        "warning",
        "--app-dir",
        str(app_dir),
        "hello_asgi:app",
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    atexit.register(_stopper(proc))
    _wait_ready(port, proc)
    return _run_wrk(port, proc.pid)


def make_aiohttp() -> Callable[[], dict[str, Any]]:
    return _run_wrk(*_start(AIOHTTP_SERVER))


def cases() -> list[Case]:
    common: dict[str, Any] = {"ops": REQUESTS, "repeat": 5}
    return [
        Case(WORKLOAD, "ours", "ours", make_ours, **common),
        Case(WORKLOAD, "uvicorn-httptools", "ours", make_uvicorn, **common),
        Case(WORKLOAD, "aiohttp", "peers", make_aiohttp, **common),
        Case(
            WORKLOAD,
            "aiohttp-pure",
            "peers",
            make_aiohttp,
            env={"AIOHTTP_NO_EXTENSIONS": "1"},
            **common,
        ),
    ]


TARGETS = [Target(WORKLOAD, "uvicorn-httptools", 1.0)]
