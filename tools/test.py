"""Run the whole test suite on every supported Python this machine has.

The README's test command. It installs Hatch when it is missing, finds
Python 3.10, 3.11, 3.12 and 3.13 (on PATH as ``python3.X``, or among pyenv's
installed versions, which it then exposes through ``PYENV_VERSION`` so that
Hatch finds them), and runs Hatch's ``test`` matrix environment for each one
found. Hatch would otherwise try to download a missing interpreter, which fails
on machines without general network access.

Usage::

    python tools/test.py                 # every Python found, all tests
    python tools/test.py --python 3.12   # one Python
    python tools/test.py --require-all   # fail unless all four are found (CI)
    python tools/test.py -- -k parser    # extra arguments go to pytest

Exit status: pytest's, the first non-zero one across interpreters (2 when a
required interpreter is missing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")
HATCH = "hatch==1.18.2"


def pyenv_versions() -> dict[str, str]:
    """Minor version -> newest pyenv-installed full version, when pyenv is present."""
    pyenv = shutil.which("pyenv")
    if not pyenv:
        return {}
    proc = subprocess.run(
        [pyenv, "versions", "--bare"], capture_output=True, text=True, check=False
    )
    found: dict[str, tuple[int, ...]] = {}
    for line in proc.stdout.split():
        parts = line.strip().split(".")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            minor = ".".join(parts[:2])
            if minor in SUPPORTED:
                found[minor] = max(found.get(minor, (0,)), tuple(map(int, parts)))
    return {minor: ".".join(map(str, v)) for minor, v in found.items()}


def works(executable: str) -> bool:
    proc = subprocess.run([executable, "-c", "import sys"], capture_output=True, check=False)
    return proc.returncode == 0


def discover(env: dict[str, str]) -> list[str]:
    """The supported minor versions runnable here; updates ``env`` for pyenv."""
    from_pyenv = pyenv_versions()
    if from_pyenv:
        current = f"{sys.version_info.major}.{sys.version_info.minor}"
        ordered = sorted(from_pyenv, key=lambda m: m != current)  # keep ours first
        env["PYENV_VERSION"] = ":".join(from_pyenv[m] for m in ordered)
    found = []
    for minor in SUPPORTED:
        exe = shutil.which(f"python{minor}", path=env.get("PATH"))
        if (
            exe
            and subprocess.run(
                [exe, "-c", "import sys"], capture_output=True, env=env, check=False
            ).returncode
            == 0
        ):
            found.append(minor)
    return found


def hatch_command() -> list[str]:
    """How to call Hatch, installing it into this interpreter when it is missing."""
    probe = subprocess.run(
        [sys.executable, "-m", "hatch", "--version"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", HATCH], check=True)
    return [sys.executable, "-m", "hatch"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--python", action="append", choices=SUPPORTED, help="only these versions")
    parser.add_argument(
        "--require-all", action="store_true", help="fail unless every version is found"
    )
    parser.add_argument("pytest_args", nargs="*", help="arguments for pytest (after --)")
    args = parser.parse_args()
    env = dict(os.environ)
    found = discover(env)
    missing = [m for m in SUPPORTED if m not in found]
    wanted = args.python or found
    print(
        f"Pythons found: {', '.join(found) or 'none'}; missing: {', '.join(missing) or 'none'}",
        flush=True,
    )
    if args.require_all and missing:
        print(f"error: Python {', '.join(missing)} not found", file=sys.stderr)
        return 2
    unavailable = [m for m in wanted if m not in found]
    if unavailable:
        print(f"error: Python {', '.join(unavailable)} not found", file=sys.stderr)
        return 2
    hatch = hatch_command()
    status = 0
    for minor in wanted:
        print(f"\n=== tests on Python {minor} ===", flush=True)
        proc = subprocess.run(
            [*hatch, "run", f"+py={minor}", "test:run", *args.pytest_args],
            cwd=ROOT,
            env=env,
            check=False,
        )
        status = status or proc.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
