"""The umbrella's command line: info and demo."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import aiohttp
from aiohttp import _info
from aiohttp.__main__ import main


def test_info_lists_every_distribution_with_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for dist in _info.DISTRIBUTIONS:
        assert f"  {dist} " in out
    assert aiohttp.__version__ in out


def test_info_draws_the_dependency_graph_of_the_layering_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main([])
    out = capsys.readouterr().out
    graph = out.split("Dependency graph", 1)[1]
    blocks = {b.split("\n", 1)[0].strip(): b for b in re.split(r"\n  (?=\S)", graph)[1:]}
    assert "(standard library only)" in blocks["aiohttp-ws"]
    assert "multidict" in blocks["aiohttp-http"] and "-> " not in blocks["aiohttp-http"]
    assert "-> aiohttp-http" in blocks["aiohttp-multipart"]
    assert "yarl" not in blocks["aiohttp-multipart"]
    for sibling in ("aiohttp-http", "aiohttp-ws", "aiohttp-multipart"):
        assert f"-> {sibling}" in blocks["aiohttp-client"]
    assert "~> " not in blocks["aiohttp"]  # the umbrella has no third-party dependency


def test_missing_distribution_is_reported_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _info.metadata.distribution

    def fake(name: str) -> object:
        if name == "aiohttp-ws":
            raise _info.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(_info.metadata, "distribution", fake)
    text = _info.render(_info.collect())
    assert "aiohttp-ws         not installed" in text


def test_module_entry_point_runs_the_demo() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aiohttp", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "demo:" in proc.stdout


def test_unknown_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
