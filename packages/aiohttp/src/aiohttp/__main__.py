"""The ``aiohttp`` command line: ``python -m aiohttp`` or the ``aiohttp`` script.

Commands:

``aiohttp info``
    the installed distributions of the project, their versions and the
    dependency graph (the default when no command is given);
``aiohttp demo``
    the Quick start demo of the README: the same information, then a short run
    of each installed package against the others, in this process;
``aiohttp get|post|put|patch|delete|head|options URL``
    send one HTTP request and write the response body to stdout (or a file with
    ``-o``); ``--json``, ``-d``, ``-F`` bodies, ``-H`` headers, ``-v`` heads,
    ``--json-output`` for scripts (see :mod:`aiohttp._cli_http`);
``aiohttp ws URL``
    an interactive WebSocket client: stdin lines are sent, messages are printed
    (see :mod:`aiohttp._cli_ws`);
``aiohttp serve``
    a playground server (echo, inspect, WebSocket echo, static files) for
    trying clients by hand (see :mod:`aiohttp._cli_serve`).

Each command module (``_cli_*.py``) exposes ``add_parser(subparsers)``, which
registers its sub-command with ``set_defaults(handler=...)``; :func:`main` calls
``args.handler(args)``.

Exit codes (:class:`aiohttp._exit_codes.ExitCode`)::

    0    success (an HTTP error status too, unless --fail)
    1    internal error, or a demo step failed
    2    usage error
    3    connection failure: DNS, refused, reset, proxy
    4    timeout
    5    TLS or certificate error
    6    HTTP status 400 or more with --fail
    7    WebSocket upgrade refused or WebSocket protocol error
    8    local file error (-o, -F name=@file, -d @file, --cacert unreadable)
    9    unusable response: malformed, cut short, too many redirects
    130  interrupted (Ctrl-C)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import _cli_http, _cli_serve, _cli_ws, _demo, _info


def _run_info(args: argparse.Namespace) -> int:
    print(_info.render(_info.collect()))
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    print(_info.render(_info.collect()))
    print()
    return _demo.run(sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each sub-command sets ``handler``."""
    parser = argparse.ArgumentParser(
        prog="aiohttp",
        description="aiohttp's client stack, as five packages: information, demo, HTTP and "
        "WebSocket client commands.",
    )
    parser.set_defaults(handler=_run_info)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    info = sub.add_parser("info", help="installed distributions, versions and dependency graph")
    info.set_defaults(handler=_run_info)
    demo = sub.add_parser("demo", help="the Quick start demo")
    demo.set_defaults(handler=_run_demo)
    _cli_http.add_parser(sub)
    _cli_ws.add_parser(sub)
    _cli_serve.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Usage errors raise ``SystemExit(2)`` from argparse, after printing the usage.
    """
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
