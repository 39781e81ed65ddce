"""The ``aiohttp`` command line: ``python -m aiohttp`` or the ``aiohttp`` script.

Commands:

``aiohttp info``
    the installed distributions of the project, their versions and the
    dependency graph (the default when no command is given);
``aiohttp demo``
    the Quick start demo of the README: the same information, then a short run
    of each installed package against the others, in this process.

Exit codes: 0 success, 1 a demo step failed, 2 a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import _demo, _info


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = argparse.ArgumentParser(
        prog="aiohttp",
        description="aiohttp's client stack, as five packages: information and demo.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("info", help="installed distributions, versions and dependency graph")
    sub.add_parser("demo", help="the Quick start demo")
    args = parser.parse_args(argv)
    print(_info.render(_info.collect()))
    if args.command == "demo":
        print()
        return _demo.run(sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
