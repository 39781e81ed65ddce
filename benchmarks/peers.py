"""Create (or reuse) the peers' virtual environment, ``.bench-peers``.

The peer libraries are pinned so that one run compares like with like. The
real aiohttp is among them; it has the import name of our umbrella, which is
why the peers never share an environment with our packages.

Usage: ``python benchmarks/peers.py`` prints the peers' interpreter path.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS_DIR = ROOT / ".bench-peers"

#: One pin per peer; bump deliberately and re-run every suite.
PEERS = [
    "aiohttp==3.14.5",
    "h11==0.16.0",
    "httptools==0.9.0",
    "websockets==17.4",
    "wsproto==1.3.2",
    "python-multipart==0.0.34",
    "streaming-form-data>=1.19",
    "httpx==0.28.1",
]


def peers_python() -> Path:
    """Path of the peers' interpreter, creating the environment when needed."""
    bindir = "Scripts" if os.name == "nt" else "bin"
    python = PEERS_DIR / bindir / ("python.exe" if os.name == "nt" else "python")
    stamp = PEERS_DIR / "pins.sha256"
    digest = hashlib.sha256("\n".join(PEERS).encode()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    venv.EnvBuilder(with_pip=True, clear=True).create(PEERS_DIR)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PEERS],
        check=True,
    )
    stamp.write_text(digest)
    return python


if __name__ == "__main__":
    print(peers_python())
    sys.exit(0)
