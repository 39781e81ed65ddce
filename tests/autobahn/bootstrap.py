"""Create, or reuse, the Python 2.7 virtual environment that runs Autobahn|Testsuite.

Usage::

    python tests/autobahn/bootstrap.py [--force]

Prints the path of the environment's interpreter. The environment lives in
``.autobahn/venv27`` (never committed) and holds exactly the pins of
``requirements-py27.txt``, installed with ``--no-deps`` and checked with
``pip check``. A stamp file records what it was built from (the pins, the
virtualenv version, the interpreter); while it matches, the environment is
reused as is, so running this again is cheap.

Python 2.7 is found, in this order: ``$AUTOBAHN_PYTHON27``, pyenv (``pyenv
prefix 2.7.18``, then any 2.7 in ``pyenv versions --bare``), ``python2.7`` on
PATH. virtualenv itself is installed with that Python's pip into
``.autobahn/virtualenv-<version>`` (a target directory, not the user's site).
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
STATE_DIR = ROOT / ".autobahn"
VENV_DIR = STATE_DIR / "venv27"
REQUIREMENTS = HERE / "requirements-py27.txt"
VIRTUALENV_VERSION = "20.15.1"
VIRTUALENV_DIR = STATE_DIR / f"virtualenv-{VIRTUALENV_VERSION}"
STAMP = VENV_DIR / "autobahn-requirements.stamp"
PYTHON27_VARIABLE = "AUTOBAHN_PYTHON27"


class BootstrapError(RuntimeError):
    """The environment cannot be made; the message says what to do."""


def python27_environment() -> dict[str, str]:
    """The process environment for Python 2.7, without this interpreter's settings."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "__PYVENV_LAUNCHER__"):
        env.pop(name, None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _version_of(python: str) -> str | None:
    try:
        result = subprocess.run(
            [python, "-c", "import sys; sys.stdout.write('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True,
            text=True,
            timeout=30,
            env=python27_environment(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _pyenv_candidates() -> list[str]:
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return []
    prefixes = []
    for args in (["prefix", "2.7.18"], ["versions", "--bare"]):
        try:
            result = subprocess.run(
                [pyenv, *args], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if result.returncode != 0:
            continue
        for line in result.stdout.split():
            if args[0] == "prefix":
                prefixes.append(line)
            elif line.startswith("2.7"):
                root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
                prefixes.append(str(Path(root) / "versions" / line))
    return [str(Path(prefix) / "bin" / "python2.7") for prefix in prefixes]


def find_python27() -> tuple[str, str]:
    """The path and full version of a Python 2.7 interpreter.

    Raises ``BootstrapError`` listing what was tried.
    """
    candidates = []
    if os.environ.get(PYTHON27_VARIABLE):
        candidates.append(os.environ[PYTHON27_VARIABLE])
    candidates += _pyenv_candidates()
    on_path = shutil.which("python2.7")
    if on_path:
        candidates.append(on_path)
    for candidate in candidates:
        version = _version_of(candidate)
        if version is not None and version.startswith("2.7."):
            return candidate, version
    tried = ", ".join(candidates) or "nothing found"
    raise BootstrapError(
        "Autobahn|Testsuite needs Python 2.7 and none was found "
        f"(tried: {tried}). Install it with `pyenv install 2.7.18`, put python2.7 "
        f"on PATH, or set {PYTHON27_VARIABLE}=/path/to/python2.7."
    )


def venv_python() -> Path:
    """The interpreter of the environment (which may not exist yet)."""
    return VENV_DIR / "bin" / "python"


def expected_stamp(python27_version: str) -> str:
    """What the stamp must say for the environment to be reused."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    return (
        f"requirements-py27.txt sha256 {digest}\n"
        f"virtualenv {VIRTUALENV_VERSION}\npython {python27_version}\n"
    )


def _run(command: list[str | Path], what: str, env: dict[str, str] | None = None) -> None:
    print(f"bootstrap: {what}", flush=True)
    args = [str(part) for part in command]
    result = subprocess.run(args, env=env or python27_environment(), check=False)
    if result.returncode != 0:
        raise BootstrapError(f"{what} failed (exit {result.returncode}): {' '.join(args)}")


def _ensure_virtualenv(python27: str) -> None:
    if (VIRTUALENV_DIR / "virtualenv" / "__init__.py").is_file():
        return
    if subprocess.run(
        [python27, "-m", "pip", "--version"],
        capture_output=True,
        env=python27_environment(),
        check=False,
    ).returncode:
        _run([python27, "-m", "ensurepip", "--user"], "installing pip for Python 2.7 (ensurepip)")
    partial = VIRTUALENV_DIR.with_name(VIRTUALENV_DIR.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    _run(
        [
            python27,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-warn-script-location",
            "--target",
            partial,
            f"virtualenv=={VIRTUALENV_VERSION}",
        ],
        f"installing virtualenv {VIRTUALENV_VERSION} into {partial.relative_to(ROOT)}",
    )
    partial.rename(VIRTUALENV_DIR)


def ensure_venv(*, force: bool = False) -> Path:
    """Make sure ``.autobahn/venv27`` holds the pinned suite; return its interpreter.

    Raises ``BootstrapError`` when Python 2.7 is missing or an install fails.
    """
    python = venv_python()
    if not force and STAMP.is_file() and python.is_file():
        version = _version_of(str(python))
        if version is not None and STAMP.read_text() == expected_stamp(version):
            return python
    python27, version = find_python27()
    STATE_DIR.mkdir(exist_ok=True)
    _ensure_virtualenv(python27)
    shutil.rmtree(VENV_DIR, ignore_errors=True)
    env = python27_environment()
    env["PYTHONPATH"] = str(VIRTUALENV_DIR)
    _run(
        [
            python27,
            "-m",
            "virtualenv",
            "--no-periodic-update",
            "--app-data",
            STATE_DIR / "virtualenv-app-data",
            VENV_DIR,
        ],
        f"creating {VENV_DIR.relative_to(ROOT)} with Python {version}",
        env=env,
    )
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    _run(
        [*pip, "install", "--no-deps", "-r", REQUIREMENTS],
        f"installing the pins of {REQUIREMENTS.name} (wsaccel compiles; about a minute)",
    )
    _run([*pip, "check"], "checking the installed set (pip check)")
    _run(
        [python, "-c", "import autobahntestsuite.wstest, wsaccel, ujson"],
        "checking that wstest imports",
    )
    STAMP.write_text(expected_stamp(version))
    return python


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if the stamp matches")
    args = parser.parse_args(argv)
    try:
        python = ensure_venv(force=args.force)
    except BootstrapError as exc:
        print(f"bootstrap: error: {exc}", file=sys.stderr)
        return 2
    print(python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
