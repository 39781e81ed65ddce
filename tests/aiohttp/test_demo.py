"""``aiohttp demo``: our client against our own server, in process and as ``python -m aiohttp``."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from aiohttp import _demo, _playground

STEP_NAMES = [name for name, _ in _demo.STEPS]


def test_every_step_runs_and_prints_its_lines(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert _demo.run(out) == 0, out.getvalue()
    text = out.getvalue()
    assert STEP_NAMES == ["get", "json", "upload", "download", "websocket"]
    assert text.startswith("demo: server: ")
    assert "http://127.0.0.1:" in text
    for name in STEP_NAMES:
        assert f"\ndemo: {name}: " in text, name
    assert "failed" not in text
    assert "sha256 matches" in text
    assert f"/bytes/{_demo.DOWNLOAD_SIZE}" in text and "content checked" in text
    assert "closed with 1000" in text
    # Not a terminal: the progress display goes to stderr, as plain lines.
    err = capsys.readouterr().err
    assert "download" in err and "32.0 MiB" in err


def test_a_failing_step_says_why_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(ctx: object) -> str:
        raise _demo.StepFailed("the answer was not what we expected")

    steps = list(_demo.STEPS)
    steps[1] = ("json", broken)
    monkeypatch.setattr(_demo, "STEPS", steps)
    out = io.StringIO()
    assert _demo.run(out) == 1
    text = out.getvalue()
    assert "demo: json failed: the answer was not what we expected" in text
    for name in ("get", "upload", "download", "websocket"):
        assert f"demo: {name}: " in text


def test_a_server_that_cannot_start_fails_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_server(*args: object, **kwargs: object) -> object:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(_playground, "start", no_server)
    out = io.StringIO()
    assert _demo.run(out) == 1
    assert "demo: server failed: cannot listen on 127.0.0.1" in out.getvalue()


def test_python_m_aiohttp_demo_exits_0() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aiohttp", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "aiohttp-client" in proc.stdout  # the info block comes first
    for name in ["server", *STEP_NAMES]:
        assert f"demo: {name}: " in proc.stdout, proc.stdout
