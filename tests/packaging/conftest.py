"""Fixtures of the packaging tests: built distributions and fresh environments."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from ._layout import DISTS, PACKAGES

UV = shutil.which("uv")


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``, failing the test with its output when it fails."""
    env = dict(os.environ)
    # Never let the workspace leak into what we prove about the published metadata.
    env.pop("PYTHONPATH", None)
    env["HATCH_NO_SOURCES"] = "1"
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, **kwargs)  # type: ignore[call-overload]
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sdist and wheel of every distribution once per session."""
    out = tmp_path_factory.mktemp("dist")
    installer = ["--installer", "uv"] if UV else []
    for name in DISTS:
        run(
            [
                sys.executable,
                "-m",
                "build",
                *installer,
                "--sdist",
                "--wheel",
                "--outdir",
                str(out),
                str(PACKAGES / name),
            ]
        )
    return out


class FreshEnv:
    """A new virtual environment with nothing installed but the interpreter."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if UV:
            run([UV, "venv", "--quiet", "--python", sys.executable, str(path)])
        else:
            venv.EnvBuilder(with_pip=True).create(path)
        bindir = "Scripts" if os.name == "nt" else "bin"
        self.python = str(path / bindir / ("python.exe" if os.name == "nt" else "python"))

    def install(self, *requirements: str, find_links: Path) -> None:
        """Install ``requirements`` resolving siblings from ``find_links`` and the rest from the index."""
        if UV:
            run(
                [
                    UV,
                    "pip",
                    "install",
                    "--quiet",
                    "--python",
                    self.python,
                    "--find-links",
                    str(find_links),
                    *requirements,
                ]
            )
        else:
            run(
                [
                    self.python,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--find-links",
                    str(find_links),
                    *requirements,
                ]
            )

    def python_run(self, code: str) -> str:
        """Run ``code`` in isolated mode (no cwd, no user site) and return its stdout."""
        return run([self.python, "-I", "-c", code], cwd=self.path).stdout

    def installed(self) -> dict[str, str]:
        """Installed distributions (normalised name -> version), tooling excluded."""
        code = (
            "import importlib.metadata as m, json, re;"
            "print(json.dumps({re.sub(r'[-_.]+','-',d.metadata['Name']).lower(): d.version"
            " for d in m.distributions()}))"
        )
        import json

        names: dict[str, str] = json.loads(self.python_run(code))
        for tool in ("pip", "setuptools", "wheel"):
            names.pop(tool, None)
        return names


@pytest.fixture
def fresh_env(tmp_path: Path) -> FreshEnv:
    return FreshEnv(tmp_path / "venv")
