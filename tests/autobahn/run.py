"""Run Autobahn|Testsuite against our WebSocket client or server and summarise the verdicts.

Usage (from the repository root, with the hatch environment's Python so that
aiohttp_ws is importable)::

    hatch run python tests/autobahn/run.py client [--quick]
    hatch run python tests/autobahn/run.py server [--quick] [--raw]

``client``: starts ``wstest -m fuzzingserver`` and runs ``client.py``
against it. ``server``: starts ``server.py`` and runs ``wstest -m
fuzzingclient`` against it. ``--quick`` leaves out the compression cases
12.* and 13.* (the spec's ``x-quick-exclude-cases``). Everything listens on
127.0.0.1 only; this script checks that for every port it starts.

Each run is bounded (``--timeout``; 2 minutes quick, 40 minutes full); only
the processes started here are stopped, by pid. The verdicts of
``reports/<clients|servers>[-quick]/index.json`` are printed per case group
and written to ``reports/summary-<mode>[-quick].md``. Exit status: 0 when
every case is OK, INFORMATIONAL or UNIMPLEMENTED; 1 when a case is FAILED or
NON-STRICT; 2 when the suite cannot be installed; 3 when the run itself
failed (a process died, a timeout, a port not bound to 127.0.0.1 only).
Standard library only.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

import bootstrap

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REPORTS_DIR = HERE / "reports"
STATE_DIR = bootstrap.STATE_DIR
LOG_DIR = STATE_DIR / "logs"
WSTEST = HERE / "wstest_loopback.py"
LOOPBACK = "127.0.0.1"
AGENT = "aiohttp-packages"

QUICK_TIMEOUT = 120.0
FULL_TIMEOUT = 40 * 60.0
#: Bound on a process starting to listen.
START_TIMEOUT = 30.0
#: Bound on a process stopping after SIGTERM (then SIGKILL).
STOP_TIMEOUT = 10.0

#: Verdicts in report order; only the first three pass.
VERDICTS = ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED")
PASSING = {"OK", "INFORMATIONAL", "UNIMPLEMENTED"}
#: Autobahn|Testsuite's case groups.
GROUP_TITLES = {
    "1": "Framing",
    "2": "Pings/Pongs",
    "3": "Reserved Bits",
    "4": "Opcodes",
    "5": "Fragmentation",
    "6": "UTF-8 Handling",
    "7": "Close Handling",
    "9": "Limits/Performance",
    "10": "Misc",
    "12": "WebSocket Compression (different payloads)",
    "13": "WebSocket Compression (different parameters)",
}


class HarnessError(RuntimeError):
    """The run could not produce verdicts; the message says why."""


# -- processes -------------------------------------------------------------------


class Process:
    """A child process we started, its log file, and a way to stop it by pid."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file: IO[bytes] = log.open("wb")
        self.popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        print(f"started {name} (pid {self.popen.pid}), log: {log.relative_to(ROOT)}", flush=True)

    def running(self) -> bool:
        """Whether the process has not exited yet."""
        return self.popen.poll() is None

    def stop(self) -> None:
        """SIGTERM our process, then SIGKILL it if it lingers; idempotent."""
        if self.running():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log_file.close()

    def tail(self, lines: int = 15) -> str:
        """The last lines of the log, for error messages."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(f"  | {line}" for line in text.splitlines()[-lines:])


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_listening(process: Process, port: int, deadline: float) -> None:
    """Wait until something accepts connections on 127.0.0.1:port."""
    limit = min(deadline, time.monotonic() + START_TIMEOUT)
    while time.monotonic() < limit:
        if not process.running():
            raise HarnessError(f"{process.name} exited early:\n{process.tail()}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise HarnessError(f"{process.name} did not listen on {LOOPBACK}:{port} in time")


def _decode_proc_address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    # /proc/net/tcp6: four 32-bit words, each in host (little-endian) order.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


def listening_addresses(port: int) -> list[str] | None:
    """Local addresses with a TCP socket listening on ``port`` (Linux), or None."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            if table.endswith("6"):
                continue
            return None
        for line in lines:
            fields = line.split()
            address, _, hex_port = fields[1].rpartition(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(_decode_proc_address(address))
    return found


def check_loopback_only(name: str, port: int) -> None:
    """Fail unless ``port`` listens on 127.0.0.1 and on no other address."""
    addresses = listening_addresses(port)
    if addresses is not None:
        if addresses != [LOOPBACK]:
            raise HarnessError(f"{name} port {port} listens on {addresses}, not only {LOOPBACK}")
        evidence = "/proc/net/tcp{,6}: one LISTEN socket, 127.0.0.1"
    else:
        evidence = "no /proc/net/tcp here"
    print(f"{name} listens on {LOOPBACK}:{port} only ({evidence})", flush=True)


def python27_env() -> dict[str, str]:
    """Environment of the wstest process."""
    return bootstrap.python27_environment()


def python3_env() -> dict[str, str]:
    """Environment of our client or server: this interpreter, unbuffered."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


# -- specs and reports ---------------------------------------------------------------


def make_spec(name: str, mode: str, port: int, quick: bool) -> tuple[Path, Path, str]:
    """Write the spec wstest runs: the committed one with our port and mode applied.

    Returns the spec path, the report directory, and the agent name.
    """
    spec: dict[str, Any] = json.loads((HERE / name).read_text())
    quick_exclude = spec.get("x-quick-exclude-cases", [])
    spec = {key: value for key, value in spec.items() if not key.startswith("x-")}
    if quick:
        spec["exclude-cases"] = [*spec.get("exclude-cases", []), *quick_exclude]
        spec["outdir"] = spec["outdir"].rstrip("/") + "-quick"
    url = f"ws://{LOOPBACK}:{port}"
    if mode == "client":
        spec["url"] = url
        agent = AGENT
    else:
        spec["servers"] = [{**server, "url": url} for server in spec["servers"]]
        agent = spec["servers"][0]["agent"]
    outdir = (ROOT / spec["outdir"]).resolve()
    if not outdir.is_relative_to(REPORTS_DIR):
        raise HarnessError(f"{name}: outdir must be under {REPORTS_DIR.relative_to(ROOT)}")
    shutil.rmtree(outdir, ignore_errors=True)  # never summarise a previous run
    path = STATE_DIR / f"{mode}{'-quick' if quick else ''}.spec.json"
    path.write_text(json.dumps(spec, indent=2) + "\n")
    return path, outdir, agent


def case_key(case_id: str) -> tuple[int, ...]:
    """Sort key of a case id: ``"9.10.2"`` → ``(9, 10, 2)``."""
    return tuple(int(part) for part in case_id.split("."))


def load_results(outdir: Path, agent: str) -> dict[str, dict[str, Any]]:
    """The per-case entries of ``index.json`` for ``agent``, each with its report."""
    index_path = outdir / "index.json"
    try:
        index = json.loads(index_path.read_text())
    except (OSError, ValueError) as exc:
        raise HarnessError(f"no readable {index_path.relative_to(ROOT)}: {exc}") from None
    if agent not in index:
        raise HarnessError(f"{index_path.relative_to(ROOT)} has no agent {agent!r}")
    results = {}
    for case_id in sorted(index[agent], key=case_key):
        entry = dict(index[agent][case_id])
        try:
            entry["report"] = json.loads((outdir / entry["reportfile"]).read_text())
        except (KeyError, OSError, ValueError):
            entry["report"] = {}
        results[case_id] = entry
    return results


def _one_line(text: object, limit: int = 300) -> str:
    flat = re.sub(r"\s+", " ", str(text or "")).strip()
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def summarise(results: dict[str, dict[str, Any]], title: str) -> tuple[str, bool]:
    """A markdown summary (per-group table, then every non-OK case) and whether it passes."""
    groups: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for case_id, entry in results.items():
        verdict = entry.get("behavior", "?")
        groups.setdefault(case_id.split(".")[0], Counter())[verdict] += 1
        totals[verdict] += 1
    columns = list(VERDICTS) + sorted(set(totals) - set(VERDICTS))
    lines = [f"## {title}", ""]
    lines.append("| group | " + " | ".join(columns) + " | total |")
    lines.append("|---|" + "---:|" * (len(columns) + 1))
    for group in sorted(groups, key=int):
        name = f"{group} {GROUP_TITLES.get(group, '')}".strip()
        counts = groups[group]
        lines.append(
            f"| {name} | "
            + " | ".join(str(counts[c]) for c in columns)
            + f" | {sum(counts.values())} |"
        )
    lines.append(
        "| **all** | "
        + " | ".join(f"**{totals[c]}**" for c in columns)
        + f" | **{sum(totals.values())}** |"
    )
    lines += ["", "Totals: " + ", ".join(f"{totals[c]} {c}" for c in columns if totals[c]), ""]
    others = {
        case_id: entry
        for case_id, entry in results.items()
        if entry.get("behavior") != "OK"
        or entry.get("behaviorClose") not in ("OK", "INFORMATIONAL")
    }
    if others:
        lines += ["Cases not plainly OK:", ""]
        for case_id, entry in others.items():
            report = entry["report"]
            lines.append(
                f"- **{case_id}** {entry.get('behavior')} (close: {entry.get('behaviorClose')}, "
                f"remote close code {entry.get('remoteCloseCode')}): "
                f"{_one_line(report.get('description'))} "
                f"Expected: {_one_line(report.get('expectation'))} "
                f"Observed: {_one_line(report.get('result'))} "
                f"{_one_line(report.get('resultClose'))}".rstrip()
            )
        lines.append("")
    passed = all(entry.get("behavior") in PASSING for entry in results.values())
    return "\n".join(lines), passed


# -- the two modes -----------------------------------------------------------------


def wait_process(process: Process, deadline: float, wstest: Process) -> int:
    """Wait for ``process`` to exit by ``deadline``; print progress from wstest's log."""
    reported = 0
    started = time.monotonic()
    while process.running():
        if time.monotonic() > deadline:
            raise HarnessError(f"{process.name} did not finish in time:\n{process.tail()}")
        time.sleep(1.0)
        try:
            count = wstest.log.read_bytes().count(b"Running test case ID")
        except OSError:
            continue
        if count >= reported + 50:
            reported = count - count % 50
            elapsed = time.monotonic() - started
            print(f"  {reported} cases started ({elapsed:.0f} s)", flush=True)
    return int(process.popen.returncode)


def run_client_mode(venv_python: Path, quick: bool, deadline: float) -> tuple[Path, str]:
    """wstest fuzzingserver + our client.py; returns the report directory and agent."""
    port = free_port()
    spec, outdir, agent = make_spec("fuzzingserver.json", "client", port, quick)
    logs = LOG_DIR / outdir.name
    started: list[Process] = []
    try:
        command = [str(venv_python), str(WSTEST), "-m", "fuzzingserver", "-s", str(spec)]
        fuzzer = Process(
            "wstest fuzzingserver",
            [*command, "--webport=0"],
            logs / "fuzzingserver.log",
            python27_env(),
        )
        started.append(fuzzer)
        wait_listening(fuzzer, port, deadline)
        check_loopback_only("wstest fuzzingserver", port)
        client = Process(
            "our client",
            [sys.executable, str(HERE / "client.py"), f"ws://{LOOPBACK}:{port}", "--agent", agent],
            logs / "client.log",
            python3_env(),
        )
        started.append(client)
        code = wait_process(client, deadline, fuzzer)
        if code != 0:
            raise HarnessError(f"our client exited with {code}:\n{client.tail()}")
        raised = client.log.read_text(errors="replace").count("our client raised")
        if raised:
            print(f"note: our client raised in {raised} case(s); see {client.log}", flush=True)
        index = outdir / "index.json"
        limit = min(deadline, time.monotonic() + START_TIMEOUT)
        while not index.is_file() and time.monotonic() < limit:
            time.sleep(0.5)
        return outdir, agent
    finally:
        for process in reversed(started):
            process.stop()


def run_server_mode(venv_python: Path, quick: bool, raw: bool, deadline: float) -> tuple[Path, str]:
    """Our server.py + wstest fuzzingclient; returns the report directory and agent."""
    port = free_port()
    spec, outdir, agent = make_spec("fuzzingclient.json", "server", port, quick)
    logs = LOG_DIR / outdir.name
    started: list[Process] = []
    try:
        command = [sys.executable, str(HERE / "server.py"), "--port", str(port)]
        if raw:
            command.append("--raw")
        server = Process("our server", command, logs / "server.log", python3_env())
        started.append(server)
        wait_listening(server, port, deadline)
        check_loopback_only("our server", port)
        fuzzer = Process(
            "wstest fuzzingclient",
            [str(venv_python), str(WSTEST), "-m", "fuzzingclient", "-s", str(spec)],
            logs / "fuzzingclient.log",
            python27_env(),
        )
        started.append(fuzzer)
        code = wait_process(fuzzer, deadline, fuzzer)
        if code != 0:
            raise HarnessError(f"wstest fuzzingclient exited with {code}:\n{fuzzer.tail()}")
        if not server.running():
            raise HarnessError(f"our server died during the run:\n{server.tail()}")
        return outdir, agent
    finally:
        for process in reversed(started):
            process.stop()


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mode", choices=["client", "server"], help="which side of ours to test")
    parser.add_argument("--quick", action="store_true", help="leave out cases 12.* and 13.*")
    parser.add_argument("--raw", action="store_true", help="server: plain asyncio, no aiohttp_http")
    parser.add_argument("--timeout", type=float, help="seconds for the run (2 min quick, 40 full)")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("aiohttp_ws") is None:
        print(
            "error: aiohttp_ws is not importable by this Python; run with the hatch "
            "environment: hatch run python tests/autobahn/run.py ...",
            file=sys.stderr,
        )
        return 3
    try:
        venv_python = bootstrap.ensure_venv()
    except bootstrap.BootstrapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    timeout = args.timeout or (QUICK_TIMEOUT if args.quick else FULL_TIMEOUT)
    kind = "quick" if args.quick else "full"
    print(f"Autobahn|Testsuite, {kind} {args.mode} run, at most {timeout:.0f} s", flush=True)
    started = time.monotonic()
    deadline = started + timeout
    try:
        if args.mode == "client":
            outdir, agent = run_client_mode(venv_python, args.quick, deadline)
        else:
            outdir, agent = run_server_mode(venv_python, args.quick, args.raw, deadline)
        results = load_results(outdir, agent)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    elapsed = time.monotonic() - started
    title = f"{args.mode} ({kind}, agent {agent}, {len(results)} cases, {elapsed:.0f} s)"
    summary, passed = summarise(results, title)
    summary_path = REPORTS_DIR / f"summary-{args.mode}{'-quick' if args.quick else ''}.md"
    summary_path.write_text(summary)
    print()
    print(summary)
    print(f"summary: {summary_path.relative_to(ROOT)}; reports: {outdir.relative_to(ROOT)}/")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
